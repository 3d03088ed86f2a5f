"""Tell people: findings become incidents, incident transitions become messages.

The flow is one way::

    check findings ──► lifecycle (opened / escalated / resolved / reminder)
                   ──► alert (what a message says, with the node's owner and route)
                   ──► one destination module per service (slack, teams, pagerduty,
                       webhook, email), all behind :class:`monitor.notify.destination.Sender`

:mod:`monitor.notify.run` ties them to the history's incidents and deliveries
tables (:mod:`monitor.history.incidents`).
"""
