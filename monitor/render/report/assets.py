"""The vendored chart library and safe JSON for inline ``<script>`` tags."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

VENDOR = Path(__file__).parent.parent / "vendor"

ECHARTS_VERSION = "5.6.0"
ECHARTS_SHA256 = "bf4a223524e40b77c304bec67e1222cf551f14880cf42c69dc046558e11c07b1"
"""Of ``vendor/echarts.min.js``; see ``vendor/README.md`` to update it."""

_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


@dataclass(frozen=True)
class PageAssets:
    """What a page inlines (stylesheet, ECharts, chart code) and the CSP that allows them."""

    css: Markup
    echarts_js: Markup
    report_js: Markup
    lineage_js: Markup
    csp: str


def page_assets(env: jinja2.Environment) -> PageAssets:
    """Read the static assets and make a Content-Security-Policy that allows only them.

    ``default-src 'none'`` forbids every fetch (scripts, images, fonts,
    connections), and only scripts with exactly these hashes run: even an
    escaping bug could not run an injected script.
    """
    css = _static(env, "_assets/report.css", "</style")
    report_js = _static(env, "_assets/report.js", "</script")
    lineage_js = _static(env, "_assets/lineage.js", "</script")
    echarts = echarts_js()
    hashes = " ".join(f"'sha256-{_digest(text)}'" for text in (echarts, report_js, lineage_js))
    csp = (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return PageAssets(css, echarts, report_js, lineage_js, csp)


def _static(env: jinja2.Environment, name: str, closing: str) -> Markup:
    assert env.loader is not None
    text, _, _ = env.loader.get_source(env, name)
    if closing in text.lower():
        raise RuntimeError(f"templates/{name}: contains {closing!r}, cannot be inlined")
    return Markup(text)  # our own static file, checked above


def _digest(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@functools.cache
def echarts_js() -> Markup:
    """ECharts, checked against its pinned hash, ready to inline in a ``<script>``."""
    path = VENDOR / "echarts.min.js"
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != ECHARTS_SHA256:
        raise RuntimeError(
            f"{path}: sha256 {digest}, expected {ECHARTS_SHA256} (ECharts {ECHARTS_VERSION})"
        )
    text = data.decode("utf-8")
    if "</script" in text.lower():
        raise RuntimeError(f"{path}: contains '</script', cannot be inlined")
    return Markup(text)  # our own pinned file, checked above


def json_for_script(data: Any) -> Markup:
    """JSON that cannot end its ``<script type="application/json">`` tag early.

    ``<``, ``>`` and ``&`` become ``\\u003c`` escapes (so no ``</script>`` or
    ``<!--``), as do U+2028 and U+2029; ``JSON.parse`` reads them back.
    """
    text = json.dumps(_finite(data), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Markup(text.translate(_JSON_ESCAPES))  # escaped just above


def _finite(value: Any) -> Any:
    """NaN and infinities become null: JSON has no word for them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
