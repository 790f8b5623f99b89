"""CPU cost of each extraction stage, and how it grows with the length of one article.

    .venv/bin/python benchmarks/bench_stages.py
    .venv/bin/python benchmarks/bench_stages.py --articles 300 --rounds 3 --lines 250000 500000 1000000

CPU seconds of one process (time.process_time), so other work on the machine
counts as little as possible.  It prints:

* for a synthetic corpus (``bench_scale.build_corpus``: about 5 KB articles,
  each different), the CPU seconds and MB per CPU second of each stage of
  ``pipeline.extract_article`` (the best of ``--rounds`` rounds; the lexicons
  are loaded before timing; the cyclic garbage collector paused during each article, as extraction does);
* MB per CPU second of the whole ``pipeline.extract`` on that corpus (no cache,
  one process);
* for one article of a single line (the corpus's sentences with their full
  stops removed, so nothing splits it but the length cut) of each ``--lines``
  length, the CPU seconds of each stage and, per doubling of the length, how
  many times longer each stage took (about 2 for a stage linear in the text).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_scale  # noqa: E402

from troopwatch import pipeline  # noqa: E402
from troopwatch.article import Article  # noqa: E402
from troopwatch.claims_en import extract_claims_by_language  # noqa: E402
from troopwatch.corpus import load_corpus  # noqa: E402
from troopwatch.dates import date_rows, resolve_for_article  # noqa: E402
from troopwatch.dates_en import find_dates_by_language  # noqa: E402
from troopwatch.events import article_events, match_known_events  # noqa: E402
from troopwatch.framing import analyse_article_tuples  # noqa: E402 (what extract runs)
from troopwatch.published_en import publication_fields_by_language  # noqa: E402
from troopwatch.timeline import claim_times  # noqa: E402

STAGES = ["article", "dates", "published", "events", "claims", "timeline", "framing"]


def stage_seconds(row: dict) -> Counter:
    """CPU seconds of each stage of extract_article on one corpus row (the same calls, in the same order, with the
    cyclic garbage collector paused as extraction pauses it)."""
    with pipeline._collector_paused():
        return _stage_seconds(row)


def _stage_seconds(row: dict) -> Counter:
    clock = time.process_time
    spent: Counter = Counter()
    t = clock()
    article = Article.from_text(row["text"], str(row.get("id", "")), row)
    article.tokens, article.sentence_languages  # noqa: B018 (built here, read by every stage)
    spent["article"] += clock() - t
    t = clock()
    mentions = find_dates_by_language(article)
    spent["dates"] += clock() - t
    t = clock()
    published = publication_fields_by_language(article, mentions)
    spent["published"] += clock() - t
    article.row = {**article.row, **published}
    t = clock()
    resolved = resolve_for_article(mentions, published["published"], published["published_window"])
    spent["dates"] += clock() - t
    t = clock()
    known = match_known_events(article, resolved)
    spent["events"] += clock() - t
    t = clock()
    claims = extract_claims_by_language(article)
    spent["claims"] += clock() - t
    t = clock()
    claim_times(article, claims, resolved, known)
    spent["timeline"] += clock() - t
    t = clock()
    analyse_article_tuples(article)
    spent["framing"] += clock() - t
    t = clock()
    date_rows(article, resolved)
    spent["dates"] += clock() - t
    t = clock()
    article_events(article, resolved, known)
    spent["events"] += clock() - t
    return spent


def one_line(length: int, seed: int = 1) -> str:
    """A single line of ``length`` characters: synthetic articles' sentences, full stops and line breaks removed."""
    rng = random.Random(seed)
    parts, size = [], 0
    while size < length:
        text, _ = bench_scale._article(rng, 0, 3000)
        part = text.replace(".", " ").replace("\n", " ")
        parts.append(part)
        size += len(part) + 1
    return " ".join(parts)[:length]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="synthetic articles in the corpus (default 300)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds over the corpus; the best is kept (default 2)")
    parser.add_argument("--lines", type=int, nargs="*", default=[250_000, 500_000, 1_000_000],
                        help="lengths of the single-line articles (characters; none to skip)")
    args = parser.parse_args(argv)

    folder = bench_scale.build_corpus(args.articles)
    mb = bench_scale.corpus_mb(folder)
    rows = load_corpus(folder).to_dict("records")
    pipeline.extract_article(Article.from_text(one_line(30_000), "warm", {"id": "warm"}))  # load the lexicons
    for row in rows[:5]:
        stage_seconds(row)
    best: Counter | None = None
    for _ in range(max(1, args.rounds)):
        total: Counter = Counter()
        for row in rows:
            total.update(stage_seconds(row))
        best = total if best is None else Counter({k: min(v, best[k]) for k, v in total.items()})
    assert best is not None
    print(f"== {len(rows)} synthetic articles, {mb:.2f} MB: CPU seconds per stage (best of {args.rounds})")
    for stage in STAGES:
        print(f"{stage:10s} {best[stage]:6.2f} s  {mb / best[stage]:7.2f} MB per CPU second")
    all_stages = sum(best.values())
    print(f"{'all':10s} {all_stages:6.2f} s  {mb / all_stages:7.2f} MB per CPU second "
          f"(without claims: {all_stages - best['claims']:.2f} s)")
    t = time.process_time()
    pipeline.extract(folder, cache=None)
    cpu = time.process_time() - t
    print(f"pipeline.extract (no cache, one process): {cpu:.2f} CPU s, {mb / cpu:.3f} MB per CPU second")

    if args.lines:
        print("\n== one single-line article: CPU seconds per stage (x: times the previous length's)")
        previous: Counter | None = None
        for length in args.lines:
            spent = stage_seconds({"id": "line", "text": one_line(length)})
            cells = []
            for stage in STAGES:
                ratio = f" x{spent[stage] / previous[stage]:4.1f}" if previous and previous[stage] > 0.005 else "      "
                cells.append(f"{stage} {spent[stage]:5.2f}{ratio}")
            print(f"{length:>10,d} chars: " + "  ".join(cells), flush=True)
            previous = spent
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
