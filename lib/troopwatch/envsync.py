"""Keep environment.yml (conda, Binder) pinned to exactly the set in requirements.lock.

    python -m troopwatch.envsync          rewrite environment.yml from the lock
    python -m troopwatch.envsync --check  exit 1 when the two differ
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s\\;]+)")

HEADER = """\
# Conda / Binder environment: exactly the pinned set of requirements.lock, installed by pip
# so both routes get identical versions (tests/test_environment.py fails when they drift apart).
# Regenerate after 'make lock' with: .venv/bin/python -m troopwatch.envsync
name: troopwatch
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def lock_pins(lock_text: str) -> dict[str, str]:
    pins = {}
    for line in lock_text.splitlines():
        m = _PIN.match(line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins


def environment_pins(yml_text: str) -> dict[str, str]:
    pins = {}
    for line in yml_text.splitlines():
        m = re.match(r"^\s+-\s+([A-Za-z0-9_.-]+)==(\S+)\s*$", line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins


def render_environment(pins: dict[str, str]) -> str:
    lines = [f"      - {name}=={pins[name]}" for name in sorted(pins)]
    return HEADER + "\n".join(lines) + "\n      - -e .\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = Path.cwd()
    pins = lock_pins((root / "requirements.lock").read_text(encoding="utf-8"))
    wanted = render_environment(pins)
    target = root / "environment.yml"
    if "--check" in argv:
        if target.read_text(encoding="utf-8") != wanted:
            print("environment.yml differs from requirements.lock; run: .venv/bin/python -m troopwatch.envsync", file=sys.stderr)
            return 1
        return 0
    target.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
