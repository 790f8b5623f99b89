"""Shared fixtures: a scratch project to run the real ``troopwatch run`` in, as a subprocess."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests: derandomized in CI (the same examples every run, so CI is never flaky);
# `make fuzz` runs them, and tests/test_fuzz.py, with many more random examples.
settings.register_profile("ci", derandomize=True, max_examples=25, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.register_profile("fuzz", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

REPO = Path(__file__).resolve().parents[1]
FIXTURE_CORPUS = REPO / "tests" / "fixtures" / "corpus"


@pytest.fixture
def scratch_project(tmp_path) -> Path:
    """A project folder with the real notebooks and nothing else (no figures/, no data/processed/)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("# scratch project for the runner tests\n", encoding="utf-8")
    shutil.copytree(REPO / "notebooks", project / "notebooks")
    return project


@pytest.fixture
def start_run():
    """Start ``troopwatch run ARGS`` in a folder as a subprocess; the library is this checkout's."""
    started: list[subprocess.Popen] = []

    def start(cwd: Path, *args: str) -> subprocess.Popen:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(REPO / "lib"), *filter(None, [env.get("PYTHONPATH")])])
        env.pop("TROOPWATCH_LEXICONS", None)
        process = subprocess.Popen([sys.executable, "-m", "troopwatch", "run", *args], cwd=cwd, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
        started.append(process)
        return process

    yield start
    for process in started:  # a test that failed half-way leaves no run behind
        if process.poll() is None:
            process.kill()
            process.communicate()


def tree_digests(folder: Path) -> dict[str, str]:
    """Path -> sha256 of every file under ``folder`` (an empty dict when it does not exist)."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}
