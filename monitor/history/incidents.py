"""Incidents, deliveries and mutes: three small tables beside the run history.

Layout (next to the run tables, in the same folder or object-storage prefix)::

    <root>/incidents/date=YYYY-MM-DD/<transition_id>.parquet      one transition each
    <root>/deliveries/<transition_id>.<destination>.<attempt>.<state>.parquet
    <root>/mutes/<timestamp>-<random>.parquet                     mute / unmute events

They use the history's commit protocol: every file is written whole and
atomically, and the files that decide something are written *only if absent*
(a hard link locally, a conditional PUT in object storage).

- A transition's id is a hash of the incident, the transition and the judged
  invocation, so two ``notify`` processes judging the same run compute the
  same ids and only one of them records each transition.
- Before sending, a process *claims* a delivery: ``<attempt>.claim`` written
  only if absent. The winner sends, then records ``<attempt>.sent`` (or
  ``.failed``). A loser sends nothing.
- A claim with no outcome is in flight until :data:`CLAIM_LEASE` has passed;
  after that (the sender crashed between sending and recording) the next
  ``notify`` claims attempt n+1 and sends again.

The guarantee: each transition reaches each destination exactly once when no
process crashes; at least once (at most one extra copy per crash) across a
crash, and every message carries the incident's dedup key so the receiver can
drop the copy (PagerDuty does this by itself).
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

import polars as pl

from monitor.engine import ENGINE
from monitor.history.storage import Storage

TS = pl.Datetime("us", "UTC")

TRANSITIONS = pl.Schema(
    {
        "transition_id": pl.String(),
        # the dedup key receivers see: stable for one incident, opened to resolved
        "incident_id": pl.String(),
        "kind": pl.String(),
        "unique_id": pl.String(),  # "" for findings without a node (run_gap)
        # the job (monitor.analysis.jobs) whose runs follow this incident
        "scope": pl.String(),
        # opened | escalated | resolved | reminder
        "transition": pl.String(),
        "severity": pl.String(),
        "invocation_id": pl.String(),
        "run_started_at": TS,
        "recorded_at": TS,
        "muted": pl.Boolean(),
        # where it is to be delivered (empty when muted or routed nowhere)
        "destinations": pl.List(pl.String()),
        "alert": pl.String(),  # JSON: what the message says (monitor.notify.alert.Alert)
    }
)

DELIVERIES = pl.Schema(
    {
        "transition_id": pl.String(),
        "destination": pl.String(),
        "attempt": pl.Int32(),
        "state": pl.String(),  # claim | sent | failed
        "at": TS,
        "detail": pl.String(),  # the status or error (never a secret)
        "ref": pl.String(),  # what the receiver called it (Slack's ts, for threads)
    }
)

DELIVERY_NAMES = pl.Schema(
    {
        "transition_id": pl.String(),
        "destination": pl.String(),
        "attempt": pl.Int32(),
        "state": pl.String(),
    }
)
"""What a delivery file's name says (``<transition_id>.<destination>.<attempt>.<state>``)."""

MUTES = pl.Schema(
    {
        "target": pl.String(),  # a unique_id or a finding kind
        "action": pl.String(),  # mute | unmute
        "until": TS,
        "reason": pl.String(),
        "at": TS,
    }
)

CLAIM_LEASE = dt.timedelta(minutes=15)
"""How long a claim without an outcome counts as a delivery in flight."""


class IncidentLog:
    """The incidents, deliveries and mutes of one history."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    # -- transitions ------------------------------------------------------

    def transitions(self) -> pl.DataFrame:
        """Every recorded transition, oldest run first."""
        frame = self._read("incidents", TRANSITIONS)
        return frame.sort("run_started_at", "recorded_at", "kind", "unique_id", "transition")

    def record_transition(self, row: dict[str, object]) -> bool:
        """Record one transition; False when another process already did."""
        started = row["run_started_at"]
        assert isinstance(started, dt.datetime)
        path = f"incidents/date={started.date().isoformat()}/{row['transition_id']}.parquet"
        return self.storage.write(path, _parquet([row], TRANSITIONS), only_if_absent=True)

    # -- deliveries -------------------------------------------------------

    def deliveries(self) -> pl.DataFrame:
        """Every claim and outcome, from the file names alone (no file is opened).

        Columns: ``transition_id``, ``destination``, ``attempt``, ``state``;
        :meth:`delivery` reads one record whole (its time, detail and ref).
        """
        rows = []
        for path in self.storage.list("deliveries"):
            parts = path.rsplit("/", 1)[-1].split(".")
            if len(parts) == 5 and parts[4] == "parquet" and parts[2].isdigit():
                rows.append((parts[0], parts[1], int(parts[2]), parts[3]))
        return pl.DataFrame(rows, schema=DELIVERY_NAMES, orient="row")

    def delivery(
        self, transition_id: str, destination: str, attempt: int, state: str
    ) -> dict[str, object]:
        """One delivery record, read whole."""
        path = f"deliveries/{transition_id}.{destination}.{attempt}.{state}.parquet"
        return pl.read_parquet(self.storage.read(path)).row(0, named=True)

    def claim(self, transition_id: str, destination: str, attempt: int) -> bool:
        """Take the right to send attempt ``attempt``; False when another process has it."""
        return self._delivery(transition_id, destination, attempt, "claim", "", "")

    def finish(
        self,
        transition_id: str,
        destination: str,
        attempt: int,
        *,
        sent: bool,
        detail: str,
        ref: str = "",
    ) -> None:
        """Record how a claimed attempt ended."""
        state = "sent" if sent else "failed"
        self._delivery(transition_id, destination, attempt, state, detail, ref)

    def _delivery(
        self,
        transition_id: str,
        destination: str,
        attempt: int,
        state: str,
        detail: str,
        ref: str,
    ) -> bool:
        row = {
            "transition_id": transition_id,
            "destination": destination,
            "attempt": attempt,
            "state": state,
            "at": dt.datetime.now(dt.UTC),
            "detail": detail,
            "ref": ref,
        }
        path = f"deliveries/{transition_id}.{destination}.{attempt}.{state}.parquet"
        return self.storage.write(path, _parquet([row], DELIVERIES), only_if_absent=True)

    # -- mutes ------------------------------------------------------------

    def mutes(self) -> pl.DataFrame:
        """Every mute and unmute, oldest first."""
        return self._read("mutes", MUTES).sort("at")

    def add_mute(
        self, target: str, action: str, until: dt.datetime | None, reason: str
    ) -> dt.datetime:
        """Record a mute or unmute of ``target``; returns when."""
        now = dt.datetime.now(dt.UTC)
        row: dict[str, object] = {
            "target": target,
            "action": action,
            "until": until,
            "reason": reason,
            "at": now,
        }
        name = f"mutes/{now.strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}.parquet"
        self.storage.write(name, _parquet([row], MUTES), only_if_absent=True)
        return now

    def _read(self, table: str, schema: pl.Schema) -> pl.DataFrame:
        files = [p for p in self.storage.list(table) if p.endswith(".parquet")]
        if not files:
            return pl.DataFrame(schema=schema)
        return pl.scan_parquet(
            [self.storage.source(path) for path in files],
            schema=schema,
            storage_options=self.storage.storage_options,
        ).collect(engine=ENGINE)


def active_mutes(mutes: pl.DataFrame, now: dt.datetime) -> dict[str, str]:
    """The targets muted at ``now`` and why: the latest event per target is a live mute."""
    latest = mutes.sort("at").unique("target", keep="last", maintain_order=True)
    live = latest.filter(
        (pl.col("action") == "mute") & (pl.col("until").is_null() | (pl.col("until") > now))
    )
    return dict(zip(live["target"].to_list(), live["reason"].to_list(), strict=True))


def _parquet(rows: list[dict[str, object]], schema: pl.Schema) -> bytes:
    buffer = io.BytesIO()
    pl.DataFrame(rows, schema=schema, orient="row").write_parquet(buffer, compression="zstd")
    return buffer.getvalue()
