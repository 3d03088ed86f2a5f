"""The one Jinja environment every HTML page is rendered with.

Templates live in the repository's top-level ``templates/``; an installed
wheel carries them as ``monitor/templates``. Autoescape is on for every
template and undefined names are errors, so a typo fails a test instead of
rendering an empty string.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

import monitor
from monitor.render.report import formats


def template_dir() -> Path:
    """``monitor/templates`` in a wheel, else the repository's ``templates/``."""
    package = Path(monitor.__file__).parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise FileNotFoundError(f"no templates/ beside {package}: the installation is incomplete")


def make_env() -> jinja2.Environment:
    """Autoescaping, StrictUndefined, with the report's formatting filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(formats.FILTERS)
    return env
