"""Claims and dates on real news excerpts the rules were not written against.

The gold (tests/gold/real/*.yml) holds only facts: the figures and dates of each
excerpt, read by hand, and the query and url that find its text again.  The texts
themselves are kept in tests/gold/real/texts/ (ignored by git); an excerpt whose
text is missing is left out and counted.

Each excerpt is read as a user's article with no metadata: publication date,
outlet and language come from the text.  Claims are compared as a ledger: one
predicted claim per distinct (kind, value, low, high, qualifier, actor), matched
to the gold figures of the same kind and value.  Dates are matched by span (the
gold cue located in the text) and scored three times: found (span), found with
the right value, and found with the right value when the gold's publication
date (where it states one) is given in the article row the way a sidecar gives
it -- users' corpora usually carry that date, the bare excerpts do not.

    python benchmarks/bench_real.py                 # Arabic, dev and test halves
    python benchmarks/bench_real.py --language en
    python benchmarks/bench_real.py --split dev --misses   # what the dev half misses (never on test)
    python benchmarks/bench_real.py --file ar_more2.yml    # one gold file alone
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from troopwatch.article import Article  # noqa: E402
from troopwatch.pipeline import extract_article  # noqa: E402

GOLD = ROOT / "tests" / "gold" / "real"
FILES = {"ar": ["ar_troops.yml", "ar_attacks.yml", "ar_more.yml", "ar_more2.yml", "ar_more3.yml", "ar_more4.yml"], "en": ["en.yml"]}
KINDS = ("troops", "attacks", "casualties")


def load_gold(language: str, split: str, files: list[str] | None = None) -> tuple[list[dict], int]:
    """(excerpts with their text, number left out for a missing or changed text); ``files`` narrows the gold files."""
    out, missing = [], 0
    for name in files or FILES[language]:
        path = GOLD / name
        if not path.exists():
            continue
        for ex in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if split != "both" and ex.get("split") != split:
                continue
            text_path = GOLD / "texts" / f"{ex['id']}.txt"
            if not text_path.exists():
                missing += 1
                continue
            data = text_path.read_bytes()
            if ex.get("sha256") and hashlib.sha256(data).hexdigest() != ex["sha256"]:
                missing += 1
                continue
            out.append({**ex, "text": data.decode("utf-8")})
    return out, missing


def _int(x):
    return None if x is None else int(x)


def _published(ex: dict) -> str | None:
    """The gold's publication date as a sidecar would give it (ISO text), or None."""
    value = ex.get("published")
    return None if value is None else str(value)


def predicted_dates_published(ex: dict) -> list[dict] | None:
    """The excerpt's dates when its row carries the gold's publication date; None when the gold states none."""
    published = _published(ex)
    if published is None:
        return None
    row = {"id": ex["id"], "text": ex["text"], "published": published}
    return extract_article(Article.from_text(ex["text"], ex["id"], row))["dates"]


def predicted_claims(ex: dict) -> list[dict]:
    """The ledger of one excerpt: one row per distinct figure."""
    result = extract_article(Article.from_text(ex["text"], ex["id"], {"id": ex["id"], "text": ex["text"]}))
    seen, out = set(), []
    for c in result["claims"]:
        key = (c["kind"], c["value"], c["low"], c["high"], c["qualifier"], c["actor"])
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out, result["dates"]


def match_claims(gold: list[dict], pred: list[dict]):
    """Pairs of (gold, predicted) with the same kind and value; best agreement first."""
    pairs, free = [], list(range(len(pred)))
    order = sorted(range(len(gold)), key=lambda i: 0)
    unmatched_gold = []
    for gi in order:
        g = gold[gi]
        cands = [pi for pi in free if pred[pi]["kind"] == g["kind"] and _int(pred[pi]["value"]) == _int(g["value"])]
        if not cands:
            unmatched_gold.append(g)
            continue
        cands.sort(key=lambda pi: (pred[pi]["actor"] != g.get("actor"), pred[pi]["qualifier"] != g.get("qualifier")))
        pi = cands[0]
        free.remove(pi)
        pairs.append((g, pred[pi]))
    return pairs, unmatched_gold, [pred[pi] for pi in free]


def gold_date_spans(ex: dict) -> list[tuple[int, int, dict]]:
    spans = []
    text = ex["text"]
    for d in ex.get("dates") or []:
        cue = str(d.get("cue") or "")
        if not cue:
            continue
        # the cue's occurrence, and as many after it as the entry has `mentions` (each one is a mention to find)
        pos, n = -1, int(d.get("occurrence") or 1)
        for k in range(n + int(d.get("mentions") or 1) - 1):
            pos = text.find(cue, pos + 1)
            if pos < 0:
                break
            if k >= n - 1:
                spans.append((pos, pos + len(cue), d))
    return spans


def _not_a_claimed_date(d: dict) -> bool:
    """A predicted mention the gold's conventions do not list, so not an extra when unmatched.

    An unresolved weekday or relative word claims no date.  "N days ago"
    offsets (قبل أسبوع، قبل خمسة أسابيع, ``ago`` set) are excluded by the gold
    headers ("two days ago"-type offsets are not counted): resolved or not,
    they are not scored as extras.
    """
    if d["kind"] in ("weekday", "relative") and d["value"] is None:
        return True
    return d["kind"] == "relative" and bool(d.get("ago"))


def _value_equal(gold_value, pred_value) -> bool:
    if gold_value is None:
        return True  # the gold could not resolve it either: finding the span is all that is asked
    return str(gold_value) == str(pred_value)


def _score_dates(ex: dict, gspans: list, dates: list[dict], misses: list[str] | None) -> tuple[int, ...]:
    """(span tp, fp, fn, value tp, fp, fn) of one excerpt's predicted dates against its gold spans."""
    d_tp = d_fp = d_fn = v_tp = v_fp = v_fn = 0
    used = set()
    for d in dates:
        hit = next((i for i, (a, b, _) in enumerate(gspans) if i not in used and d["start"] < b and a < d["end"]), None)
        if hit is None:
            if _not_a_claimed_date(d):
                continue
            d_fp += 1
            v_fp += 1
            if misses is not None:
                misses.append(f"{ex['id']}: EXTRA date {d['mention']!r} = {d['value']}")
            continue
        used.add(hit)
        d_tp += 1
        g = gspans[hit][2]
        if _value_equal(g.get("value"), d["value"]):
            v_tp += 1
        else:
            v_fp += 1
            v_fn += 1
            if misses is not None:
                misses.append(f"{ex['id']}: date {d['mention']!r} = {d['value']} (gold {g.get('value')})")
    for i, (_a, _b, g) in enumerate(gspans):
        if i not in used:
            d_fn += 1
            v_fn += 1
            if misses is not None:
                misses.append(f"{ex['id']}: MISSED date {g.get('cue')!r} = {g.get('value')}")
    return d_tp, d_fp, d_fn, v_tp, v_fp, v_fn


def score(excerpts: list[dict], show_misses: bool) -> dict:
    stats = {k: {"tp": 0, "fp": 0, "fn": 0} for k in KINDS}
    actor_ok = qual_ok = matched = 0
    d_tp = d_fp = d_fn = v_tp = v_fp = v_fn = p_tp = p_fp = p_fn = 0
    t0 = time.perf_counter()
    misses = []
    for ex in excerpts:
        pred, dates = predicted_claims(ex)
        gold = [g for g in (ex.get("claims") or []) if g.get("kind") in KINDS]
        pairs, fn, fp = match_claims(gold, [p for p in pred if p["kind"] in KINDS])
        for g, p in pairs:
            stats[g["kind"]]["tp"] += 1
            matched += 1
            actor_ok += p["actor"] == g.get("actor")
            qual_ok += p["qualifier"] == g.get("qualifier")
            if show_misses and (p["actor"] != g.get("actor") or p["qualifier"] != g.get("qualifier")):
                misses.append(f"{ex['id']}: {g['kind']} {g['value']} actor {p['actor']} (gold {g.get('actor')}), "
                              f"qualifier {p['qualifier']} (gold {g.get('qualifier')}) | {g.get('cue')}")
        for g in fn:
            stats[g["kind"]]["fn"] += 1
            if show_misses:
                misses.append(f"{ex['id']}: MISSED {g['kind']} {g['value']} {g.get('actor')} | {g.get('cue')}")
        for p in fp:
            stats[p["kind"]]["fp"] += 1
            if show_misses:
                misses.append(f"{ex['id']}: EXTRA {p['kind']} {p['value']} {p['actor']} | {p['mention']}")
        # dates: calendar dates and years (weekdays and relative words are scored only when gold names them)
        gspans = gold_date_spans(ex)
        span_value = _score_dates(ex, gspans, dates, misses if show_misses else None)
        d_tp, d_fp, d_fn = d_tp + span_value[0], d_fp + span_value[1], d_fn + span_value[2]
        v_tp, v_fp, v_fn = v_tp + span_value[3], v_fp + span_value[4], v_fn + span_value[5]
        given = predicted_dates_published(ex)
        if given is None:
            p_tp, p_fp, p_fn = p_tp + span_value[3], p_fp + span_value[4], p_fn + span_value[5]
        else:
            given_misses: list[str] | None = [] if show_misses else None
            with_pub = _score_dates(ex, gspans, given, given_misses)
            p_tp, p_fp, p_fn = p_tp + with_pub[3], p_fp + with_pub[4], p_fn + with_pub[5]
            # what differs once the publication date is given
            misses.extend(f"{line} [published {_published(ex)} given]" for line in given_misses or [] if line not in misses)
    elapsed = time.perf_counter() - t0

    def prf(tp, fp, fn):
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    ta = {k: sum(stats[kind][k] for kind in ("troops", "attacks")) for k in ("tp", "fp", "fn")}
    return {
        "per_kind": {k: prf(**stats[k]) for k in KINDS},
        "counts": stats,
        "troops_attacks": prf(**ta),
        "actor": actor_ok / matched if matched else 1.0,
        "qualifier": qual_ok / matched if matched else 1.0,
        "matched": matched,
        "dates_span": prf(d_tp, d_fp, d_fn),
        "dates_value": prf(v_tp, v_fp, v_fn),
        "dates_value_published": prf(p_tp, p_fp, p_fn),
        "seconds": elapsed,
        "misses": misses,
    }


def report(name: str, n: int, s: dict) -> None:
    print(f"\n== {name}: {n} excerpts, {s['seconds']:.1f} s")
    print(f"{'kind':<12}{'P':>7}{'R':>7}{'F1':>7}   tp/fp/fn")
    for k in KINDS:
        p, r, f = s["per_kind"][k]
        c = s["counts"][k]
        print(f"{k:<12}{p:7.2f}{r:7.2f}{f:7.2f}   {c['tp']}/{c['fp']}/{c['fn']}")
    p, r, f = s["troops_attacks"]
    print(f"{'troops+att.':<12}{p:7.2f}{r:7.2f}{f:7.2f}   (micro)")
    print(f"actor right on matched claims:     {s['actor']:.2f} ({s['matched']} matched)")
    print(f"qualifier right on matched claims: {s['qualifier']:.2f}")
    p, r, f = s["dates_span"]
    print(f"dates found (span)        P {p:.2f}  R {r:.2f}  F1 {f:.2f}")
    p, r, f = s["dates_value"]
    print(f"dates found, right value  P {p:.2f}  R {r:.2f}  F1 {f:.2f}")
    p, r, f = s["dates_value_published"]
    print(f"dates right value, publication date given  P {p:.2f}  R {r:.2f}  F1 {f:.2f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--language", choices=sorted(FILES), default="ar")
    ap.add_argument("--split", choices=["dev", "test", "both"], default="both")
    ap.add_argument("--misses", action="store_true", help="list what is missed or extra (dev half only)")
    ap.add_argument("--file", action="append", choices=[f for names in FILES.values() for f in names],
                    help="score only this gold file (repeatable); default: every file of the language")
    args = ap.parse_args(argv)
    if args.file and any(f not in FILES[args.language] for f in args.file):
        ap.error(f"--file must be a {args.language} file: {FILES[args.language]}")
    splits = ["dev", "test"] if args.split == "both" else [args.split]
    for split in splits:
        excerpts, missing = load_gold(args.language, split, args.file)
        if not excerpts:
            print(f"{args.language} {split}: no excerpt text found under {GOLD / 'texts'} ({missing} missing); "
                  "fetch them again with the query and url of each entry")
            continue
        s = score(excerpts, show_misses=args.misses and split == "dev")
        report(f"{args.language} {split}", len(excerpts), s)
        if missing:
            print(f"({missing} excerpts left out: text missing or changed)")
        for line in s["misses"]:
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
