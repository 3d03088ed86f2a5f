"""``report -o folder/`` and ``-o s3://bucket/prefix/``: dated reports, latest.html, index.html;
and incidents kept in object storage."""

from __future__ import annotations

# ruff: noqa: F811  (pytest fixtures imported from tests/history)
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import boto3

from tests.history.test_object_storage import BUCKET, s3  # noqa: F401  (a fixture)
from tests.notify.conftest import RUNS
from tests.notify.helpers import WEBHOOK, invoke, write_config
from tests.notify.server import Recorder


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


def links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def test_a_folder_gets_dated_reports_and_an_index(history: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    for _ in range(2):
        code, out, err = invoke("report", "--history", history, "-o", f"{site}/")
        assert code == 0, err
        assert out.startswith(f"published {site}/reports/") and "and its index.html" in out
    dated = sorted(p.name for p in (site / "reports").iterdir())
    assert len(dated) in (1, 2)  # two in the same second share a name
    index = (site / "index.html").read_text(encoding="utf-8")
    assert links(index) == ["latest.html", *[f"reports/{n}" for n in reversed(dated)]]
    assert (site / "latest.html").read_bytes() == (site / "reports" / dated[-1]).read_bytes()


def test_a_bucket_prefix_gets_the_same(history: str, s3: dict[str, str]) -> None:
    code, _, err = invoke("report", "--history", history, "-o", f"s3://{BUCKET}/site/")
    assert code == 0, err
    client = boto3.client("s3")
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix="site/")["Contents"]]
    [dated] = [k for k in keys if k.startswith("site/reports/")]
    assert sorted(keys) == ["site/index.html", "site/latest.html", dated]
    index = client.get_object(Bucket=BUCKET, Key="site/index.html")["Body"].read().decode()
    assert links(index) == ["latest.html", dated.removeprefix("site/")]


def test_incidents_in_object_storage_are_sent_once(
    s3: dict[str, str], server: Recorder, tmp_path: Path
) -> None:
    url = f"s3://{BUCKET}/alerts"
    assert invoke("ingest", str(RUNS / "2021-02-03"), "--history", url)[0] == 0
    config = write_config(tmp_path, WEBHOOK)
    for _ in range(2):
        code, _, err = invoke("notify", "--history", url, "--config", str(config), "--strict",
                              env={"HOOK_URL": server.url})  # fmt: skip
        assert (code, err) == (0, "")
    [request] = server.requests
    assert [a["kind"] for a in request.json()["alerts"]] == ["test_failure"]
    code, out, _ = invoke("incidents", "--history", url, "--format", "csv")
    assert code == 0
    [_, incident] = out.splitlines()
    assert incident.startswith("nightly build,test_failure,") and ",open," in incident
