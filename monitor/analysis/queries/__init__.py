"""Queries over the run history: one module per question a person asks of it."""
