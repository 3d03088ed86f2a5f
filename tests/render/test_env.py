import jinja2
import pytest

from monitor.render.report import env as env_module
from monitor.render.report.env import make_env, template_dir


def test_autoescape_and_strict_undefined() -> None:
    env = make_env()
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_templates_are_found_in_the_repository_checkout() -> None:
    folder = template_dir()
    assert (folder / "base.html").is_file()
    assert (folder / "report.html").is_file()


def test_an_installed_wheel_uses_monitor_templates(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    package = tmp_path / "site" / "monitor"
    (package / "templates").mkdir(parents=True)
    (package / "templates" / "base.html").write_text("wheel")
    monkeypatch.setattr(env_module.monitor, "__file__", str(package / "__init__.py"))
    assert template_dir() == package / "templates"
