"""Throughput of normalization, number mentions and claim extraction.

Builds a corpus of about --megabytes MB (UTF-8) in memory by repeating the
shipped articles, then times, on one core:

* ``troopwatch.text.normalize``            (every article)
* ``troopwatch.numbers.find_numbers``      (every article)
* ``troopwatch.claims.extract_claims``     (every article; the full extractor)
* ``dateparser.search.search_dates``       (a sample, as a reference point for a
  well-known extractor; it is much slower, so it runs on --dateparser-kb KB)

and prints MB/s, articles/s and the peak memory of the process.

    .venv/bin/python benchmarks/bench_claims.py            # ~50 MB
    .venv/bin/python benchmarks/bench_claims.py --megabytes 5
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from troopwatch.claims import extract_claims  # noqa: E402
from troopwatch.corpus import load_corpus  # noqa: E402
from troopwatch.numbers import find_numbers  # noqa: E402
from troopwatch.text import normalize  # noqa: E402


def build_corpus(megabytes: float) -> list[str]:
    base = [t for t in load_corpus(ROOT / "data" / "raw")["text"] if isinstance(t, str)]
    if not base:
        raise SystemExit("no articles in data/raw; nothing to benchmark")
    target = int(megabytes * 1_000_000)
    out: list[str] = []
    size = 0
    i = 0
    while size < target:
        t = base[i % len(base)]
        out.append(t)
        size += len(t.encode("utf-8"))
        i += 1
    return out


def timed(label: str, fn, texts: list[str], nbytes: int) -> float:
    start = time.perf_counter()
    count = 0
    for t in texts:
        r = fn(t)
        count += len(r) if isinstance(r, list) else 0
    elapsed = time.perf_counter() - start
    mb = nbytes / 1e6
    print(f"{label:<34} {mb / elapsed:8.2f} MB/s {len(texts) / elapsed:10.0f} articles/s "
          f"{elapsed:8.2f} s  ({count} items)")
    return elapsed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--megabytes", type=float, default=50.0, help="corpus size to build (default 50)")
    ap.add_argument("--dateparser-kb", type=float, default=200.0, help="sample size for dateparser (default 200 KB)")
    args = ap.parse_args(argv)

    texts = build_corpus(args.megabytes)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    print(f"corpus: {len(texts)} articles, {nbytes / 1e6:.1f} MB (the five shipped articles repeated)")
    # warm caches (lexicons, regexes) outside the timings
    extract_claims(texts[0])
    find_numbers(texts[0])

    timed("normalize", normalize, texts, nbytes)
    timed("find_numbers (normalize included)", find_numbers, texts, nbytes)
    timed("extract_claims (full extractor)", extract_claims, texts, nbytes)

    try:
        from dateparser.search import search_dates
    except ImportError:  # pragma: no cover - dateparser is a project dependency
        print("dateparser not installed: reference timing skipped")
    else:
        sample: list[str] = []
        size = 0
        for t in texts:
            if size >= args.dateparser_kb * 1000:
                break
            sample.append(t)
            size += len(t.encode("utf-8"))
        search_dates(sample[0][:200], languages=["ar"])  # load its language data outside the timing
        timed("dateparser.search.search_dates", lambda t: search_dates(t, languages=["ar"]) or [], sample, size)
        sub = texts[: len(sample)]
        timed("extract_claims on the same sample", extract_claims, sub, sum(len(t.encode("utf-8")) for t in sub))

    # peak memory: the process high-water mark, and the traced peak of one pass over 1/10 of the corpus
    tracemalloc.start()
    for t in texts[: max(1, len(texts) // 10)]:
        extract_claims(t)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: process {rss:.0f} MB (max RSS, includes the corpus), "
          f"extract_claims working set {traced_peak / 1e3:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
