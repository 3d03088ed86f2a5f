"""The built wheel carries the templates and the vendored charts: install it in a
fresh venv and render a report with it."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_wheel_installs_and_renders_the_report(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("dbt_monitor-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "monitor/templates/base.html" in names
    assert any(name.startswith("monitor/render/vendor/") and name.endswith(".js") for name in names)

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True
    )
    tool = env_dir / "bin" / "dbt-monitor"
    history = tmp_path / "history"
    night = REPO / "fixtures" / "runs" / "2021-02-17"
    subprocess.run([str(tool), "ingest", str(night), "--history", str(history)], check=True)
    report = tmp_path / "report.html"
    done = subprocess.run(
        [str(tool), "report", "--history", str(history), "-o", str(report)],
        cwd=tmp_path,  # not the checkout: templates must come from the wheel
        check=True,
        capture_output=True,
        text=True,
    )
    assert done.stdout.startswith(f"wrote {report}")
    html = report.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "echarts" in html
