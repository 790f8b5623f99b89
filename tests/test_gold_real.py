"""The real-news gold files (tests/gold/real/*.yml) are well formed.

The texts are not shipped, so the schema is checked on the facts alone: labels from
the claims table, bounds that hold the value, short cues, ISO date values, odd ids on
the dev half.  Where an excerpt's text is present its sha256 and every cue are
checked against it too.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "gold" / "real"
FILES = sorted(REAL.glob("*.yml"))
PREFIX = {"ar_troops.yml": "ar-t-", "ar_attacks.yml": "ar-a-", "ar_more.yml": "ar-m-", "ar_more2.yml": "ar-m2-", "ar_more3.yml": "ar-m3-", "ar_more4.yml": "ar-m4-",
          "en.yml": "en-"}
STRICT = {"ar_more.yml", "ar_more2.yml", "ar_more3.yml", "ar_more4.yml"}  # the newer files: split by id parity, dates with their kind

KINDS = {"troops", "attacks", "casualties"}
QUALIFIERS = {"exact", "approx", "at_least", "at_most", "range", "vague"}
ACTORS = {"US", "coalition", "other_country", "iraqi", "militia", "unknown"}
PLACES = {"Iraq", "Syria", "both", "elsewhere", None}
SUBKINDS = {None, "killed", "wounded"}
DATE_KINDS = {"full", "month_year", "day_month", "month", "year", "year_range", "day_range", "weekday",
              "relative", "season", "decade", "hijri"}
DATE_VALUE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?|--\d{2}(-\d{2})?")
_ISO = r"(\d{4}(-\d{2}(-\d{2})?)?|--\d{2}-\d{2})"
REFERS_TO = re.compile(_ISO + "(/" + _ISO + ")?")
ENTRY_KEYS = {"id", "split", "language", "query", "url", "outlet", "year", "published", "sha256", "claims", "dates"}


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def entry_problems(e: dict, prefix: str = "", strict: bool = False) -> list[str]:
    """What is wrong with one gold entry (empty when it is well formed).

    ``strict`` adds the rules of the newer files: the split follows the id's parity
    and every date carries its kind.
    """
    out = []
    missing = ENTRY_KEYS - set(e)
    if missing:
        return [f"missing keys {sorted(missing)}"]
    eid = str(e["id"])
    if prefix and not re.fullmatch(re.escape(prefix) + r"\d{3}", eid):
        out.append(f"id {eid!r} is not {prefix}NNN")
    if e["split"] not in ("dev", "test"):
        out.append(f"split {e['split']!r}")
    elif strict and e["split"] != ("dev" if int(eid[-3:]) % 2 else "test"):
        out.append("odd ids are dev, even ids test")
    if e["language"] not in ("ar", "en"):
        out.append(f"language {e['language']!r}")
    for key in ("query", "outlet"):
        if not isinstance(e[key], str) or not e[key].strip():
            out.append(f"{key} is empty")
    if not isinstance(e["url"], str) or not e["url"].startswith(("http://", "https://")):
        out.append(f"url {e['url']!r}")
    if e["year"] is not None and not (isinstance(e["year"], int) and 2003 <= e["year"] <= 2026):
        out.append(f"year {e['year']!r}")
    pub = e["published"]
    if pub is not None and not isinstance(pub, dt.date):
        try:
            dt.date.fromisoformat(str(pub))
        except ValueError:
            out.append(f"published {pub!r}")
    if not (isinstance(e["sha256"], str) and re.fullmatch(r"[0-9a-f]{64}", e["sha256"])):
        out.append("sha256 is not 64 hex digits")
    if not isinstance(e["claims"], list) or not isinstance(e["dates"], list):
        return out + ["claims and dates must be lists"]
    for c in e["claims"]:
        where = f"claim {c.get('cue')!r}"
        if c.get("kind") not in KINDS:
            out.append(f"{where}: kind {c.get('kind')!r}")
        if c.get("qualifier") not in QUALIFIERS:
            out.append(f"{where}: qualifier {c.get('qualifier')!r}")
        if c.get("actor") not in ACTORS:
            out.append(f"{where}: actor {c.get('actor')!r}")
        if c.get("place", "?") not in PLACES:
            out.append(f"{where}: place {c.get('place')!r}")
        if c.get("subkind") not in SUBKINDS or (c.get("subkind") and c.get("kind") != "casualties"):
            out.append(f"{where}: subkind {c.get('subkind')!r}")
        value, low, high = c.get("value"), c.get("low", "?"), c.get("high", "?")
        if not _number(value) or value < 0:
            out.append(f"{where}: value {value!r}")
            continue
        if (low is not None and not _number(low)) or (high is not None and not _number(high)):
            out.append(f"{where}: low/high {low!r}/{high!r}")
            continue
        if (low is not None and low > value) or (high is not None and high < value):
            out.append(f"{where}: {value} outside [{low}, {high}]")
        if c["qualifier"] == "exact" and not (low == value == high):
            out.append(f"{where}: an exact figure has low = high = value")
        if c["qualifier"] == "at_least" and (low != value or high is not None):
            out.append(f"{where}: at_least has low = value and no high")
        if c["qualifier"] == "at_most" and (high != value or low is not None):
            out.append(f"{where}: at_most has high = value and no low")
        if c.get("refers_to") is not None and not REFERS_TO.fullmatch(str(c["refers_to"])):
            out.append(f"{where}: refers_to {c['refers_to']!r}")
        if "mentions" in c and not (isinstance(c["mentions"], int) and c["mentions"] >= 2):
            out.append(f"{where}: mentions {c['mentions']!r}")
    for d in e["dates"]:
        where = f"date {d.get('cue')!r}"
        if d.get("value") is not None and not DATE_VALUE.fullmatch(str(d["value"])):
            out.append(f"{where}: value {d['value']!r}")
        if (strict or "kind" in d) and d.get("kind") not in DATE_KINDS:
            out.append(f"{where}: kind {d.get('kind')!r}")
        for key in ("occurrence", "mentions"):
            if key in d and not (isinstance(d[key], int) and d[key] >= 1):
                out.append(f"{where}: {key} {d[key]!r}")
    for item in e["claims"] + e["dates"]:
        cue = item.get("cue")
        if not isinstance(cue, str) or not cue.strip() or len(cue.split()) > 4:
            out.append(f"cue {cue!r}: one to four words")
    return out


def text_problems(e: dict, text_bytes: bytes, strict: bool = False) -> list[str]:
    """Checks against the excerpt's text: its hash, and every cue found where the entry says.

    ``strict`` also asks a date's cue to appear as many times as its ``mentions``.
    """
    if hashlib.sha256(text_bytes).hexdigest() != e["sha256"]:
        return ["text does not match sha256"]
    text = text_bytes.decode("utf-8")
    out = []
    for d in e["dates"]:
        need = int(d.get("occurrence") or 1) + (int(d.get("mentions") or 1) - 1 if strict else 0)
        if text.count(d["cue"]) < need:
            out.append(f"date cue {d['cue']!r} found {text.count(d['cue'])} times, {need} needed")
    for c in e["claims"]:
        if c["cue"] not in text:
            out.append(f"claim cue {c['cue']!r} not in the text")
    return out


@functools.lru_cache(maxsize=None)
def _load(path: Path) -> list:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def _entries():
    for path in FILES:
        for e in _load(path):
            yield path.name, e


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_gold_file_entries_are_well_formed(path):
    data = _load(path)
    assert isinstance(data, list) and data
    strict = path.name in STRICT
    problems = [f"{e.get('id')}: {p}" for e in data for p in entry_problems(e, PREFIX.get(path.name, ""), strict)]
    assert not problems, "\n".join(problems)


def test_ids_are_unique_and_the_new_files_repeat_no_url():
    ids, urls = {}, {}
    for name, e in _entries():
        assert e["id"] not in ids, f"{e['id']} in {name} and {ids[e['id']]}"
        ids[e["id"]] = name
        urls.setdefault(e["url"], []).append(e["id"])
    repeated = {u: i for u, i in urls.items() if len(i) > 1 and any(x.startswith(("ar-m-", "ar-m2-", "ar-m3-", "ar-m4-")) for x in i)}
    assert not repeated, repeated


def test_the_new_files_are_scored_by_the_benchmark():
    bench = (ROOT / "benchmarks" / "bench_real.py").read_text(encoding="utf-8")
    for name in STRICT:
        assert f'"{name}"' in bench, name


def test_present_texts_match_their_entries():
    checked = 0
    for _name, e in _entries():
        path = REAL / "texts" / f"{e['id']}.txt"
        if not path.exists():
            continue
        problems = text_problems(e, path.read_bytes(), strict=_name in STRICT)
        assert not problems, f"{e['id']}: " + "; ".join(problems)
        checked += 1
    if checked == 0:
        pytest.skip("no excerpt texts under tests/gold/real/texts")


GOOD = {"id": "ar-m-001", "split": "dev", "language": "ar", "query": "q", "url": "https://example.org/a",
        "outlet": "example.org", "year": 2011, "published": None, "sha256": "0" * 64,
        "claims": [{"kind": "troops", "value": 4000, "low": 4000, "high": 5000, "qualifier": "range",
                    "actor": "coalition", "place": "Iraq", "refers_to": "2021-02", "cue": "أربعة أو خمسة آلاف"}],
        "dates": [{"kind": "month_year", "value": "2018-10", "cue": "أكتوبر 2018"}]}


@pytest.mark.parametrize("change, expected", [
    ({"split": "test"}, "odd ids are dev"),
    ({"url": "example.org/a"}, "url"),
    ({"sha256": "abc"}, "sha256"),
    ({"claims": [{**GOOD["claims"][0], "qualifier": "about"}]}, "qualifier"),
    ({"claims": [{**GOOD["claims"][0], "low": 4500}]}, "outside"),
    ({"claims": [{**GOOD["claims"][0], "qualifier": "exact"}]}, "exact figure"),
    ({"claims": [{**GOOD["claims"][0], "actor": "Turkey"}]}, "actor"),
    ({"claims": [{**GOOD["claims"][0], "subkind": "killed"}]}, "subkind"),
    ({"claims": [{**GOOD["claims"][0], "cue": "نحو أربعة أو خمسة آلاف جندي"}]}, "four words"),
    ({"dates": [{"kind": "month_year", "value": "Oct 2018", "cue": "أكتوبر 2018"}]}, "value"),
    ({"dates": [{"value": "2018-10", "cue": "أكتوبر 2018"}]}, "kind"),
])
def test_a_malformed_entry_is_reported(change, expected):
    assert entry_problems(GOOD, "ar-m-", strict=True) == []
    problems = entry_problems({**GOOD, **change}, "ar-m-", strict=True)
    assert any(expected in p for p in problems), problems


def test_text_checks_catch_a_changed_text_and_a_missing_cue():
    text = "نشر حلف الأطلسي أربعة أو خمسة آلاف عسكري منذ أكتوبر 2018".encode("utf-8")
    entry = {**GOOD, "sha256": hashlib.sha256(text).hexdigest()}
    assert text_problems(entry, text) == []
    assert text_problems(entry, text + b" ") == ["text does not match sha256"]
    moved = {**entry, "dates": [{"kind": "month_year", "value": "2018-10", "cue": "أكتوبر 2018", "occurrence": 2}]}
    assert text_problems(moved, text)
    twice = {**entry, "dates": [{"kind": "month_year", "value": "2018-10", "cue": "أكتوبر 2018", "mentions": 2}]}
    assert text_problems(twice, text) == []
    assert text_problems(twice, text, strict=True)
