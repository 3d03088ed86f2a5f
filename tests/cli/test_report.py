"""`dbt-monitor report` through the CLI: the file, the summary line, the exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.history.store import History
from tests.render.conftest import greenery_history
from tests.render.dom import parse

__all__ = ["greenery_history"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"CI": "", "DBT_MONITOR_HISTORY": ""})
    return result.exit_code, result.stdout, result.stderr


def test_writes_the_report_and_says_so(greenery_history: History, tmp_path: Path) -> None:
    out_file = tmp_path / "r.html"
    code, out, err = invoke(
        "report", "--history", str(greenery_history.root), "-o", str(out_file),
        "--since", "2w", "--snapshot", "orders_snapshot",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert re.fullmatch(rf"wrote {re.escape(str(out_file))} \(\d+\.\d MB\) in \d+\.\d s\n", out)
    page = parse(out_file.read_text(encoding="utf-8"))
    assert "last 14 days" in page.find("div", cls="meta").words


def test_open_hands_the_file_to_a_browser(
    greenery_history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    out_file = tmp_path / "r.html"
    code, _, err = invoke(
        "report", "--history", str(greenery_history.root), "-o", str(out_file), "--open"
    )
    assert (code, err) == (0, "")
    assert opened == [out_file.resolve().as_uri()]


def test_open_without_a_browser_warns_and_exits_0(
    greenery_history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("webbrowser.open", lambda url: False)  # what it says with no browser
    out_file = tmp_path / "r.html"
    code, out, err = invoke(
        "report", "--history", str(greenery_history.root), "-o", str(out_file), "--open"
    )
    assert code == 0
    assert out.startswith(f"wrote {out_file}")
    assert err == f"warning: found no browser to open {out_file} in; open it yourself\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--funnel", "nope"], "error: --funnel nope: no such table in "),
        (["--snapshot", "nope:id"], "error: --snapshot nope: no such table in "),
    ],
)
def test_an_explicitly_named_mart_that_is_missing_exits_2(
    greenery_history: History, tmp_path: Path, args: list[str], message: str
) -> None:
    out_file = tmp_path / "r.html"
    code, out, err = invoke(
        "report", "--history", str(greenery_history.root), "-o", str(out_file), *args
    )
    assert (code, out) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1
    assert not out_file.exists()


def test_funnel_and_snapshot_live_from_a_warehouse(
    greenery_history: History, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute(
        "create table funnel as select * from (values ('visit', 1, 50), ('buy', 2, 5)) "
        "as t(stage, pos, people)"
    )
    con.close()
    out_file = tmp_path / "r.html"
    code, _, err = invoke(
        "report", "--history", str(greenery_history.root), "-o", str(out_file),
        "--warehouse", str(warehouse), "--funnel", "funnel",
        "--funnel-columns", "stage,pos,people",
    )  # fmt: skip
    assert (code, err) == (0, "")
    page = parse(out_file.read_text(encoding="utf-8"))
    steps = page.by_id("funnel").find_all(cls="step")
    assert [(s.attrs["data-step"], s.attrs["data-users"]) for s in steps] == [
        ("visit", "50"),
        ("buy", "5"),
    ]
    code, _, err = invoke(
        "report", "--history", str(greenery_history.root), "-o", str(out_file),
        "--warehouse", str(warehouse), "--snapshot", "orders_snapshot",
    )  # fmt: skip
    assert code == 2
    assert err == f"error: --snapshot orders_snapshot: no such table in warehouse {warehouse}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "soon"], "error: --since 'soon': expected 7d, 24h, 2w, or a date"),
        (["--funnel-columns", "a,b"], "error: funnel columns 'a,b': expected three names"),
        (
            ["--warehouse", "/nonexistent/w.duckdb"],
            "error: --warehouse /nonexistent/w.duckdb: no such file",
        ),
    ],
)
def test_bad_options_exit_2_with_one_line(
    greenery_history: History, tmp_path: Path, args: list[str], message: str
) -> None:
    out_file = tmp_path / "r.html"
    code, out, err = invoke(
        "report", "--history", str(greenery_history.root), "-o", str(out_file), *args
    )
    assert code == 2
    assert out == ""
    assert err.startswith(message) and err.count("\n") == 1
    assert not out_file.exists()


def test_empty_history_is_a_user_error(tmp_path: Path) -> None:
    code, _, err = invoke(
        "report", "--history", str(tmp_path / "none"), "-o", str(tmp_path / "r.html")
    )
    assert code == 2
    hint = "no run history here yet; run `dbt-monitor ingest target/` first"
    assert err == f"error: {tmp_path / 'none'}: {hint}\n"


def test_help() -> None:
    code, out, _ = invoke("report", "--help")
    assert code == 0
    for option in (
        "--output",
        "--since",
        "--warehouse",
        "--funnel",
        "--snapshot",
        "--open",
        "--include-sql",
        "--history",
    ):
        assert option in out


def test_include_sql_shows_the_stored_compiled_code(
    greenery_history: History, tmp_path: Path
) -> None:
    stored = greenery_history.scan("compiled_code").collect()
    assert stored.height > 0
    without, with_sql = tmp_path / "without.html", tmp_path / "with.html"
    root = str(greenery_history.root)
    assert invoke("report", "--history", root, "-o", str(without))[0] == 0
    assert invoke("report", "--history", root, "-o", str(with_sql), "--include-sql")[0] == 0
    page = parse(with_sql.read_text(encoding="utf-8"))
    shown = {" ".join(pre.words.split()) for pre in page.find_all("pre")}
    known = {" ".join(code.split()) for code in stored["compiled_code"]}
    assert shown and shown <= known
    assert not parse(without.read_text(encoding="utf-8")).find_all("pre")
    assert "Compiled SQL is left out" in without.read_text(encoding="utf-8")
    assert "Compiled SQL is left out" not in with_sql.read_text(encoding="utf-8")
