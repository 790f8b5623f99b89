"""How fast the framing stage scores articles: prints seconds and words per second.

    .venv/bin/python benchmarks/bench_framing.py
"""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from troopwatch.corpus import load_corpus
from troopwatch.framing import distinctive_terms, framing_analysis

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def main() -> None:
    corpus = load_corpus([RAW])
    framing_analysis(corpus.head(1))  # load and compile the lexicons once
    t0 = time.perf_counter()
    table, evidence = framing_analysis(corpus)
    t1 = time.perf_counter()
    words = int(table["words"].sum())
    print(f"framing, {len(corpus)} shipped articles ({words} words): {t1 - t0:.3f} s, "
          f"{words / (t1 - t0):,.0f} words/s, {len(evidence)} evidence rows")
    # a larger corpus: the shipped articles repeated, as separate articles
    big = pd.concat([corpus] * 40, ignore_index=True)
    big["id"] = [f"a{i}" for i in range(len(big))]
    t0 = time.perf_counter()
    table, _ = framing_analysis(big)
    t1 = time.perf_counter()
    print(f"framing, {len(big)} articles ({int(table['words'].sum())} words): {t1 - t0:.2f} s "
          f"({(t1 - t0) / len(big) * 1000:.1f} ms per article)")
    t0 = time.perf_counter()
    distinctive_terms(big.assign(outlet=[f"o{i % 7}" for i in range(len(big))]))
    print(f"distinctive terms, {len(big)} articles in 7 groups: {time.perf_counter() - t0:.2f} s")
    one_line = ("قال مصدر أمني إن الانسحاب غير مطروح والقوات الأمريكية باقية " * 170000)[:10_000_000]
    t0 = time.perf_counter()
    framing_analysis(pd.DataFrame({"id": ["long"], "text": [one_line], "outlet": [None]}))
    print(f"framing, one 10 MB single-line article: {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
