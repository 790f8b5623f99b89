"""Time `troopwatch run` on the default corpus: cold (every notebook runs) and warm (nothing changed).

    .venv/bin/python benchmarks/bench_figures.py [--repeat N]

Cold: the run stamps in build/notebooks/ are removed first, so every notebook is
executed (the kernel start, the imports and the analysis are all counted).
Warm: the same command again with nothing changed, which should only hash the
inputs and exit.  Also reports whether a later cold run changed any byte
under figures/ or data/processed/ (it must not).  Targets: cold < 30 s, warm
faster still.
"""
from __future__ import annotations

import argparse
import hashlib
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TROOPWATCH = Path(sys.executable).with_name("troopwatch")


def outputs_digest() -> dict[str, str]:
    return {
        p.relative_to(ROOT).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in (ROOT / "figures", ROOT / "data" / "processed")
        for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")
    }


def timed_run() -> float:
    started = time.perf_counter()
    subprocess.run([str(TROOPWATCH), "run"], cwd=ROOT, check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def forget_stamps() -> None:
    for stamp in (ROOT / "build" / "notebooks").glob(".*.stamp.json"):
        stamp.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="cold/warm pairs to time (default 2)")
    args = parser.parse_args()
    if not TROOPWATCH.is_file():
        print(f"bench_figures: {TROOPWATCH} not found; run `make setup` first", file=sys.stderr)
        return 2
    cold, warm, changed = [], [], []
    previous = None
    for _ in range(args.repeat):
        forget_stamps()
        cold.append(timed_run())
        after = outputs_digest()
        if previous is not None:  # the first run may legitimately update files made by older code
            changed.extend(k for k in set(previous) | set(after) if previous.get(k) != after.get(k))
        previous = after
        warm.append(timed_run())
    print(f"troopwatch run, default corpus, {args.repeat} repeats (median, min-max):")
    print(f"  cold (every notebook executed): {statistics.median(cold):5.1f} s  "
          f"({min(cold):.1f}-{max(cold):.1f})   target < 30 s")
    print(f"  warm (nothing changed):         {statistics.median(warm):5.1f} s  "
          f"({min(warm):.1f}-{max(warm):.1f})   target: faster than cold")
    print(f"  files under figures/ and data/processed/ changed by a re-run: {len(set(changed))}"
          + (f" ({', '.join(sorted(set(changed)))})" if changed else ""))
    return 0 if not changed else 1


if __name__ == "__main__":
    sys.exit(main())
