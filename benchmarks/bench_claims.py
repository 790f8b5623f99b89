"""Throughput of normalization, number mentions and claim extraction.

Builds a corpus of about --megabytes MB (UTF-8) in memory by repeating the
shipped articles, then times, on one core:

* ``troopwatch.text.normalize``            (every article)
* ``troopwatch.numbers.find_numbers``      (every article)
* ``troopwatch.claims.extract_claims``     (every article; the full extractor)
* ``dateparser.search.search_dates``       (a sample, as a reference point for a
  well-known extractor; it is much slower, so it runs on --dateparser-kb KB)

and prints MB/s, articles/s and the peak memory of the process.  Two more sections:

* ``pipeline``: MB per CPU second of ``troopwatch.pipeline.extract`` (every stage,
  no cache, one process) on the synthetic corpus of ``bench_scale.py``
  (--pipeline-articles articles of about 5 KB), and the CPU seconds of the claims
  stage alone on the same articles (its share of the extraction);
* ``long``: ``extract_claims`` on one line of --long-chars characters with no
  sentence end (realistic sentences with their full stops removed; and claims
  whose sentences name no actor, which the article's context must attribute),
  CPU seconds per size and per million characters: the cost must grow linearly.

CPU time (``time.process_time``) is reported where other processes share the machine.

    .venv/bin/python benchmarks/bench_claims.py            # ~50 MB, then the pipeline and long lines
    .venv/bin/python benchmarks/bench_claims.py --megabytes 5
    .venv/bin/python benchmarks/bench_claims.py --sections pipeline long
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


def pipeline_section(articles: int) -> None:
    """MB per CPU second of the whole extraction, and the claims stage's part of it."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_scale

    from troopwatch.article import Article
    from troopwatch.claims_en import extract_claims_by_language
    from troopwatch.corpus import load_corpus
    from troopwatch.pipeline import extract

    folder = bench_scale.build_corpus(articles)
    mb = bench_scale.corpus_mb(folder)
    corpus = load_corpus(folder)
    extract(corpus.head(1), cache=None)  # lexicons and regexes compiled outside the timing
    start = time.process_time()
    tables = extract(corpus, cache=None)
    cpu = time.process_time() - start
    records = [Article.from_text(r["text"], str(r["id"]), r) for r in corpus.to_dict("records")]
    start = time.process_time()
    count = sum(len(extract_claims_by_language(a)) for a in records)
    claims_cpu = time.process_time() - start
    print(f"pipeline.extract, {articles} synthetic articles, {mb:.2f} MB: {cpu:6.2f} CPU s  "
          f"{mb / cpu:6.3f} MB per CPU second  ({len(tables.mentions)} claim mentions)")
    print(f"  claims stage alone on the same articles:  {claims_cpu:6.2f} CPU s  {mb / claims_cpu:6.3f} MB per CPU second"
          f"  ({claims_cpu / cpu:.0%} of the extraction; {count} claims)")


def long_line(chars: int) -> str:
    """One line of ``chars`` characters: the synthetic corpus's sentences, full stops and line breaks removed."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import random

    import bench_scale

    rng = random.Random(5)
    base = " ".join(bench_scale._article(rng, i)[0] for i in range(20)).replace(".", "").replace("\n", " ")
    return (base * (chars // len(base) + 1))[:chars]


# Claims whose sentences name no actor: each asks the paragraph and the article whose forces they count.
_NO_ACTOR = "وقال مصدر إن 3 جنود قتلوا في الهجوم على القاعدة وأصيب 5 آخرون بجروح وتضم القاعدة نحو 900 جندي "


def long_section(sizes: list[int], repeat: int) -> None:
    """extract_claims on single lines with no sentence end: CPU seconds per size and per million characters."""
    extract_claims(long_line(5000))
    lines = [("synthetic sentences", long_line), ("no actor named", lambda n: (_NO_ACTOR * (n // len(_NO_ACTOR) + 1))[:n])]
    for label, make in lines:
        for n in sizes:
            text = make(n)
            best = float("inf")
            for _ in range(repeat):
                start = time.process_time()
                found = extract_claims(text)
                best = min(best, time.process_time() - start)
            print(f"extract_claims, one line of {n:>9,} characters ({label}): {best:6.2f} CPU s  "
                  f"{best / n * 1e6:5.2f} CPU s per million characters  ({len(found)} claims)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--megabytes", type=float, default=50.0, help="corpus size to build (default 50)")
    ap.add_argument("--dateparser-kb", type=float, default=200.0, help="sample size for dateparser (default 200 KB)")
    ap.add_argument("--sections", nargs="+", choices=["throughput", "pipeline", "long"],
                    default=["throughput", "pipeline", "long"], help="what to time (default: all)")
    ap.add_argument("--pipeline-articles", type=int, default=300, help="synthetic articles for the pipeline (default 300)")
    ap.add_argument("--long-chars", type=int, nargs="+", default=[250_000, 500_000, 1_000_000],
                    help="lengths of the single lines (default 250000 500000 1000000)")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each long line; the fastest counts (default 2)")
    args = ap.parse_args(argv)

    if "pipeline" in args.sections:
        pipeline_section(args.pipeline_articles)
    if "long" in args.sections:
        long_section(args.long_chars, args.repeat)
    if "throughput" not in args.sections:
        return 0

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
