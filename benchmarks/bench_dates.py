"""Date mentions: precision, recall and speed of troopwatch.dates next to dateparser.search.search_dates.

Both run on the same gold (tests/gold/dates_articles.yml on the five articles and
tests/gold/dates_sentences.yml).  A hit is a mention overlapping a gold span.
"detect" scores spans only; "value" also needs the right date at the right
precision (dateparser is given the publication date as RELATIVE_BASE so it, too,
never reads the clock; it has no precision, so its value is compared at the
gold's precision).

    .venv/bin/python benchmarks/bench_dates.py
"""
from __future__ import annotations

import datetime as dt
import sys
import time
import warnings
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from troopwatch.corpus import load_corpus  # noqa: E402
from troopwatch.dates import find_dates, parse_iso, resolve_dates  # noqa: E402


def gold_cases():
    g = yaml.safe_load((ROOT / "tests/gold/dates_articles.yml").read_text(encoding="utf-8"))
    articles = load_corpus(ROOT / "data/raw")
    for rec in articles.to_dict("records"):
        yield rec["text"], g["published"][rec["id"]]["reference"], g["mentions"][rec["id"]]
    for case in yaml.safe_load((ROOT / "tests/gold/dates_sentences.yml").read_text(encoding="utf-8"))["sentences"]:
        yield case["text"], case["published"], case["expect"]


def locate(text, entries):
    out = []
    for e in entries:
        pos = -1
        for _ in range(int(e.get("occurrence", 1))):
            pos = text.find(e["mention"], pos + 1)
        out.append((pos, pos + len(e["mention"]), e["value"], e["precision"]))
    return out


def at_precision(value: str | None, precision: str) -> str | None:
    if value is None:
        return None
    return value[: {"day": 10, "month": 7, "year": 4}[precision]]


def score(pred, gold, with_value):
    used, tp = set(), 0
    for ps, pe, pv, pp in pred:
        for i, (gs, ge, gv, gp) in enumerate(gold):
            if i in used or not (ps < ge and gs < pe):
                continue
            if with_value and not (pv == gv and (pp is None or pp == gp)) and not (pp is None and at_precision(pv, gp) == gv):
                continue
            used.add(i)
            tp += 1
            break
    return tp


def run_troopwatch(text, published):
    return [(m.start, m.end, m.value, m.precision) for m in resolve_dates(find_dates(text), published)]


def run_dateparser(text, published):
    from dateparser.search import search_dates

    # a sentence with no publication date (or only its year or month): dateparser still needs a base, never the clock
    parsed = parse_iso(published)
    base = dt.datetime.combine(parsed[0] if parsed else dt.date(2000, 1, 1), dt.time(12))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = search_dates(text, languages=["ar"], settings={"RELATIVE_BASE": base}) or []
    out, pos = [], 0
    for s, d in found:
        start = text.find(s, pos)
        if start < 0:
            start = text.find(s)
        if start < 0:
            continue
        pos = start + len(s)
        out.append((start, start + len(s), d.date().isoformat(), None))
    return out


def main():
    cases = list(gold_cases())
    chars = sum(len(t) for t, _, _ in cases)
    print(f"gold: {sum(len(g) for _, _, g in cases)} date mentions in {len(cases)} texts ({chars} characters)")
    print(f"{'system':<28}{'detect P':>9}{'detect R':>9}{'value P':>9}{'value R':>9}{'ms/text':>9}{'kchar/s':>9}")
    for name, fn in (("troopwatch.dates", run_troopwatch), ("dateparser.search_dates", run_dateparser)):
        try:
            fn("تجربة 3 يناير 2020", "2020-01-05")
        except ImportError:
            print(f"{name:<28} not installed")
            continue
        t0 = time.perf_counter()
        preds = [fn(text, pub) for text, pub, _ in cases]
        elapsed = time.perf_counter() - t0
        npred = sum(len(p) for p in preds)
        ngold = sum(len(g) for _, _, g in cases)
        golds = [locate(text, g) for text, _, g in cases]
        det = sum(score(p, g, False) for p, g in zip(preds, golds))
        val = sum(score(p, g, True) for p, g in zip(preds, golds))
        print(f"{name:<28}{det / max(npred, 1):>9.3f}{det / ngold:>9.3f}{val / max(npred, 1):>9.3f}{val / ngold:>9.3f}"
              f"{1000 * elapsed / len(cases):>9.2f}{chars / elapsed / 1000:>9.1f}")
    big = " ".join(t for t, _, _ in cases) * 20
    t0 = time.perf_counter()
    n = len(find_dates(big))
    elapsed = time.perf_counter() - t0
    print(f"troopwatch.dates on one {len(big) // 1000} kchar text: {n} mentions in {elapsed:.2f} s ({len(big) / elapsed / 1000:.0f} kchar/s)")


if __name__ == "__main__":
    main()
