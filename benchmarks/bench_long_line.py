"""A 10 MB article on one line, with no full stop, through every table command, cold and warm.

    .venv/bin/python benchmarks/bench_long_line.py              # 10 MB
    .venv/bin/python benchmarks/bench_long_line.py --mb 1 --skip-commands
    .venv/bin/python benchmarks/bench_long_line.py --skip-commands --split-sizes 0.25 0.5 1 2

The article is written under the system's temporary folder (troopwatch-long-line/): Arabic news
sentences of ``bench_scale.SENTENCES`` with their full stops removed, joined by spaces into one
line, so nothing but the length limit cuts its sentences.  It prints, in this process, the CPU
seconds of each step of reading it (read, decode, load_corpus, Article building with its
sentence cutting, tokens, the cache key) at a tenth, a third and all of its length (so a
step that is not linear shows), then, for ``troopwatch articles|claims|dates|framing`` run as
a subprocess one after another, twice each: wall and CPU seconds and peak RSS.  The cache is
empty before the first command (its first run is cold; every later run is a cache read), or
before each with ``--cold-each``.

``--split-sizes`` extracts articles of those sizes (MB, built alike) in this process, lexicons loaded first, in
one process and on two cores (``pipeline._extract_split``: a child finds the claims): wall and CPU seconds of
each (the child's CPU included) and whether both give the same record; what ``pipeline.SPLIT_MIN_CHARS`` is
chosen by.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_scale  # noqa: E402

SCRATCH = Path(tempfile.gettempdir()) / "troopwatch-long-line"
COMMANDS = ("articles", "claims", "dates", "framing")


def build(mb: float, seed: int = 7) -> Path:
    """SCRATCH/<mb>mb/long.txt: one line of about ``mb`` MB (reused when already built)."""
    folder = SCRATCH / f"{mb:g}mb"
    path = folder / "long.txt"
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < mb * 1e6:
        sentence = rng.choice(bench_scale.SENTENCES).format(
            source=rng.choice(bench_scale.SOURCES), people=rng.choice(bench_scale.PEOPLE),
            place=rng.choice(bench_scale.PLACES), outlet=rng.choice(bench_scale.OUTLETS),
            day=rng.choice(bench_scale.DAYS), d=rng.randint(1, 28), month=rng.choice(bench_scale.MONTHS),
            month_eg=rng.choice(bench_scale.MONTHS_EG), year=rng.randint(2003, 2025), year2=rng.randint(2024, 2027),
            n_troops=rng.choice([rng.randint(2, 40) * 100, 2500, 5200, 900]), n_small=rng.randint(2, 9),
            n_attacks=rng.randint(10, 180)).rstrip(".")
        parts.append(sentence)
        size += len(sentence.encode()) + 1
    tmp = path.with_suffix(".tmp")
    tmp.write_text(" ".join(parts) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def reading_steps(path: Path) -> None:
    """CPU seconds of each reading step at 1/10, 1/3 and all of the text."""
    from troopwatch.article import Article
    from troopwatch.cache import article_key
    from troopwatch.corpus import load_corpus
    from troopwatch.files import _decode

    data = path.read_bytes()
    print(f"{'step':24s}" + "".join(f"{f'{len(data) * f / 1e6:.1f} MB':>10s}" for f in (0.1, 1 / 3, 1)))
    rows: dict[str, list[str]] = {}
    for fraction in (0.1, 1 / 3, 1):
        cut = data[:int(len(data) * fraction)].decode("utf-8", "ignore").encode("utf-8")
        part = path.parent / "part" / "long.txt"
        part.parent.mkdir(exist_ok=True)
        part.write_bytes(cut)
        steps = []
        t = time.process_time()
        raw = part.read_bytes()
        steps.append(("read", time.process_time() - t))
        t = time.process_time()
        _decode(raw)
        steps.append(("decode", time.process_time() - t))
        t = time.process_time()
        row = load_corpus(part.parent).iloc[0].to_dict()
        steps.append(("load_corpus (all)", time.process_time() - t))
        t = time.process_time()
        article = Article.from_text(row["text"], row["id"], row)
        steps.append(("Article (cut, normalized)", time.process_time() - t))
        t = time.process_time()
        article.tokens
        steps.append(("tokens", time.process_time() - t))
        t = time.process_time()
        article_key(row)
        steps.append(("cache key", time.process_time() - t))
        longest = max(b - a for a, b in article.original_sentences)
        for name, seconds in steps:
            rows.setdefault(name, []).append(f"{seconds:10.3f}")
        rows.setdefault("sentences", []).append(f"{len(article.sentences):10d}")
        rows.setdefault("longest sentence (chars)", []).append(f"{longest:10d}")
    for name, cells in rows.items():
        print(f"{name:24s}" + "".join(cells))


def commands(path: Path, jobs: str | None, cold_each: bool) -> None:
    """Each command twice; the cache is emptied before the first command only (``cold_each``: before each):
    the other commands' first run is then a cache read, as for a user who runs them one after another."""
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'lib'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    exe = [sys.executable, "-m", "troopwatch"]
    cache = path.parent / "cache"
    extra = ["--jobs", jobs] if jobs else []
    print(f"\n{'command':10s} {'1st wall':>10s} {'1st CPU':>10s} {'1st RSS':>10s} {'2nd wall':>10s} "
          f"{'2nd CPU':>10s} {'2nd RSS':>10s}")
    shutil.rmtree(cache, ignore_errors=True)
    for i, command in enumerate(COMMANDS):
        if cold_each:
            shutil.rmtree(cache, ignore_errors=True)
        cells = []
        for _ in ("cold", "warm"):
            wall, cpu, rss = bench_scale.timed(exe + [command, str(path), "--format", "csv", "--cache", str(cache),
                                                      "--quiet"] + extra, env)
            cells += [f"{wall:9.1f}s", f"{cpu:9.1f}s", f"{rss:7.0f} MB"]
        print(f"{command:10s} " + " ".join(cells))


def split_sizes(sizes: list[float]) -> None:
    """One article of each size (MB) extracted in one process, then on two cores: wall and CPU seconds."""
    import resource

    from troopwatch import pipeline
    from troopwatch.corpus import load_corpus

    def cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    pipeline._extract_row(load_corpus(build(0.05)).iloc[0].to_dict())  # every lexicon loaded and compiled first
    print(f"\n{'MB':>6s} {'chars':>10s} {'one wall':>9s} {'one CPU':>9s} {'two wall':>9s} {'two CPU':>9s} "
          f"{'saved':>7s}  same")
    for mb in sizes:
        row = load_corpus(build(mb)).iloc[0].to_dict()
        cells = []
        records = []
        for split in (None, 0):
            t, c = time.perf_counter(), cpu()
            records.append(pipeline._extract_row(row, split))
            cells += [time.perf_counter() - t, cpu() - c]
        print(f"{mb:6g} {len(row['text']):10d} {cells[0]:8.2f}s {cells[1]:8.2f}s {cells[2]:8.2f}s {cells[3]:8.2f}s "
              f"{1 - cells[2] / cells[0]:6.0%}  {records[0] == records[1]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="size of the article (default 10 MB)")
    parser.add_argument("--jobs", default=None, help="--jobs given to troopwatch (default: its own)")
    parser.add_argument("--skip-commands", action="store_true", help="only the reading steps, in this process")
    parser.add_argument("--cold-each", action="store_true", help="empty the cache before each command")
    parser.add_argument("--split-sizes", type=float, nargs="+", metavar="MB",
                        help="articles of these sizes extracted in one process and on two cores, in this process")
    args = parser.parse_args(argv)
    if args.split_sizes:
        split_sizes(args.split_sizes)
    path = build(args.mb)
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB, {path.read_text(encoding='utf-8').count(chr(10))} line)")
    reading_steps(path)
    if not args.skip_commands:
        commands(path, args.jobs, args.cold_each)
    return 0


if __name__ == "__main__":
    sys.exit(main())
