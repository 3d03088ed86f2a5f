"""One failing section must not blank the report: build each section on its own."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import TypeVar

from monitor.errors import MonitorError
from monitor.render.report.context import Section

T = TypeVar("T")


def guarded(section_id: str, title: str, build: Callable[[], T]) -> Section[T]:
    """Build one section's data; on failure, a section holding the error instead.

    A :class:`MonitorError` is the user's to fix and is shown as its sentence.
    Any other exception is a bug: the section shows its type and message and
    the full traceback goes to stderr.
    """
    try:
        return Section(section_id, title, data=build())
    except MonitorError as err:
        return Section(section_id, title, error=str(err))
    # The one broad except in the code base, on purpose: a bug in one section's
    # data must not cost the reader the other eight. Nothing is hidden: the
    # traceback is printed and the section says it failed.
    except Exception as err:
        print(f"dbt-monitor report: section {title!r} failed:", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return Section(section_id, title, error=f"{type(err).__name__}: {err}")
