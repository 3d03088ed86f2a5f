import base64
import hashlib
import json

import pytest

from monitor.render.report import assets
from monitor.render.report.assets import echarts_js, json_for_script, page_assets
from monitor.render.report.env import make_env


def test_json_escapes_everything_that_could_end_the_script_tag() -> None:
    text = json_for_script({"a": "</script><!-- & \u2028\u2029", "n": float("nan")})
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029", "n": None}


def test_echarts_is_the_pinned_file() -> None:
    js = echarts_js()
    assert hashlib.sha256(js.encode()).hexdigest() == assets.ECHARTS_SHA256
    assert "</script" not in js.lower()


def test_tampered_echarts_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setattr(assets, "ECHARTS_SHA256", "0" * 64)
    echarts_js.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="sha256"):
            echarts_js()
    finally:
        echarts_js.cache_clear()


def test_csp_allows_exactly_the_three_inline_scripts() -> None:
    page = page_assets(make_env())
    digests = [
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"
        for text in (page.echarts_js, page.report_js, page.lineage_js)
    ]
    script_src = page.csp.split("script-src ")[1].split(";")[0]
    assert script_src.split() == digests
    assert page.csp.startswith("default-src 'none';")
