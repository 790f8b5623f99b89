"""The environment is declared once (pyproject.toml), pinned once (requirements.lock), and
environment.yml for conda/Binder installs exactly the same pinned set."""
import re
import tomllib
from pathlib import Path

from troopwatch.envsync import environment_pins, lock_pins, render_environment

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower().replace("_", "-")


def test_environment_yml_pins_exactly_the_lock():
    lock = lock_pins((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    env_text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert environment_pins(env_text) == lock
    assert env_text == render_environment(lock), "run: .venv/bin/python -m troopwatch.envsync"
    assert "python=3.11" in env_text


def test_every_declared_dependency_is_locked():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    lock = lock_pins((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    missing = [d for d in declared if _name(d) not in lock]
    assert not missing, f"declared but not locked (run make lock): {missing}"


def test_core_packages_are_declared_and_matplotlib_shapes_arabic():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {_name(d) for d in project["dependencies"]}
    assert {"jupyterlab", "pandas", "matplotlib", "plotly", "papermill", "nbval"} <= names
    lock = lock_pins((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    major, minor = (int(x) for x in lock["matplotlib"].split(".")[:2])
    assert (major, minor) >= (3, 11)


def test_lock_carries_hashes():
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    # every pinned requirement is followed by at least one hash
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text)
    pinned = [b for b in blocks if re.match(r"[A-Za-z0-9_.-]+==", b)]
    assert pinned and all("--hash=sha256:" in b for b in pinned)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))]
    assert commands == ["make test"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme and "make figures" in readme
