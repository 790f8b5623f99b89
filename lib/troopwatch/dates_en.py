"""English date mentions: the same :class:`~troopwatch.dates.DateMention` records as the Arabic reader.

"Jan. 8", "October 17", "Dec 23, 2023", "Tuesday, October 24, 2006", "3/19/2003",
"2019-03-01", "March 2003", "since mid-October", "last week", "six months ago",
"2019".  Year-less and relative mentions stay unresolved here and are resolved
against the publication date by :func:`troopwatch.dates.resolve_dates`, as for
Arabic.  Every word is in ``data/lexicons/en/dates.yml``.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .dates import DateMention, _anchor_years, _scan, _days_in_month, _iso, _part_window, _valid_day
from .lexicons import LexiconError, lexicon_path, load_lexicon, per_lexicons

__all__ = ["find_dates_en"]

_YEAR = r"(?:19|20)\d\d"


def _alt(words) -> str:
    return "|".join(re.escape(str(w)) for w in sorted({str(w) for w in words}, key=len, reverse=True))


@dataclass(frozen=True)
class _Lex:
    month_of: dict  # name (as written, lower-cased) -> month
    ambiguous: frozenset
    weekday_of: dict
    days: dict
    units: dict
    offsets: dict
    parts: dict
    relative_parts: dict
    full: re.Pattern
    day_first: re.Pattern
    month_year: re.Pattern
    month_alone: re.Pattern
    numeric: re.Pattern
    iso: re.Pattern
    year: re.Pattern
    weekday: re.Pattern
    relative: re.Pattern
    ago: re.Pattern
    day_words: re.Pattern
    year_end: re.Pattern
    year_start: re.Pattern
    week_now: re.Pattern
    since: re.Pattern
    future: re.Pattern
    number_words: dict
    # every match of the scanned patterns opens with a Latin letter or a digit after no Latin letter or digit
    # (each word of their lists does, and no list is empty): see _scan
    latin_led: bool = False


@per_lexicons
def _lex() -> _Lex:
    lex = load_lexicon("en/dates")
    if not isinstance(lex, dict) or not isinstance(lex.get("months"), dict):
        raise LexiconError(f"{lexicon_path('en/dates')}: needs 'months' (month number -> names)")
    month_of = {}
    for num, names in lex["months"].items():
        for n in names:
            month_of[str(n).lower()] = int(num)
    names = _alt(n for names in lex["months"].values() for n in names)
    mon = rf"(?P<mon>(?:{names})\.?)"
    weekdays = lex.get("weekdays") or {}
    wd = rf"(?:(?P<wd>{_alt(weekdays)}),?\s+)?"
    day = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
    year = rf"(?P<year>{_YEAR})"
    parts = lex.get("parts") or {}
    part = rf"(?:(?P<part>{_alt(parts)})[\s-]+)?"
    offsets = lex.get("offsets") or {}
    units = lex.get("units") or {}
    numbers = load_lexicon("en/numbers").get("units") or {}
    word_b, word_e = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
    rel_parts = lex.get("relative_parts") or {}
    # the lists whose words open a match of a scanned pattern (the others follow a digit or one of these)
    lists = [list(month_of), list(weekdays), list(parts), list(offsets), list(rel_parts), list(numbers),
             list(lex.get("days") or {}), list(lex.get("year_end_phrases") or []),
             list(lex.get("year_start_phrases") or []), list(lex.get("this_week_phrases") or [])]
    return _Lex(
        month_of=month_of, ambiguous=frozenset(str(m) for m in lex.get("ambiguous_months") or []),
        weekday_of={str(k).lower(): int(v) for k, v in weekdays.items()},
        days={str(k).lower(): int(v) for k, v in (lex.get("days") or {}).items()},
        units={str(k).lower(): str(v) for k, v in units.items()},
        offsets={str(k).lower(): int(v) for k, v in offsets.items()},
        parts={str(k).lower(): str(v) for k, v in parts.items()},
        relative_parts={str(k).lower(): str(v) for k, v in rel_parts.items()},
        full=re.compile(rf"{word_b}{wd}{part}{mon}\s+{day}(?:,?\s+{year})?{word_e}"),
        day_first=re.compile(rf"{word_b}{wd}{day}\s+{mon}(?:,?\s+{year})?{word_e}"),
        month_year=re.compile(rf"{word_b}{part}{mon},?\s+{year}{word_e}"),
        month_alone=re.compile(rf"{word_b}{part}{mon}{word_e}"),
        numeric=re.compile(rf"{word_b}(?P<m>[01]?\d)/(?P<d>[0-3]?\d)/(?P<y>{_YEAR}){word_e}"),
        iso=re.compile(rf"{word_b}(?P<y>{_YEAR})-(?P<m>[01]\d)-(?P<d>[0-3]\d){word_e}"),
        year=re.compile(rf"{word_b}{part}(?P<y>{_YEAR})(?:\s*(?:-|–|to|and)\s*(?P<y2>{_YEAR}))?(?![A-Za-z0-9]|,\d|\.\d|-\d)"),
        weekday=re.compile(rf"{word_b}(?:(?P<off>{_alt(offsets)})\s+)?(?P<wd>{_alt(weekdays)}){word_e}", re.I),
        relative=re.compile(rf"{word_b}(?:(?P<rp>{_alt(rel_parts)})\s+)?(?P<off>{_alt(offsets)})\s+(?P<unit>{_alt(units)}){word_e}", re.I),
        ago=re.compile(rf"{word_b}(?P<n>\d+|{_alt(numbers)}|a|an)\s+(?P<unit>{_alt(units)})s?\s+{_alt(lex.get('ago') or [])}{word_e}", re.I),
        day_words=re.compile(rf"{word_b}(?P<w>{_alt(lex.get('days') or {})}){word_e}", re.I),
        year_end=re.compile(rf"{word_b}(?:{_alt(lex.get('year_end_phrases') or [])}){word_e}", re.I),
        year_start=re.compile(rf"{word_b}(?:{_alt(lex.get('year_start_phrases') or [])}){word_e}", re.I),
        week_now=re.compile(rf"{word_b}(?:{_alt(lex.get('this_week_phrases') or [])}){word_e}", re.I),
        since=re.compile(rf"(?:{_alt(lex.get('since') or [])})\s+$", re.I),
        future=re.compile(rf"{word_b}(?:{_alt(lex.get('future_cues') or [])}){word_e}", re.I),
        number_words={str(k).lower(): int(v) for k, v in numbers.items()},
        latin_led=all(lists) and all(_LATIN_LEAD.match(str(w)) for words in lists for w in words),
    ) if True else None


def _month_cue(text: str, start: int, lex_words: frozenset) -> bool:
    before = re.findall(r"[A-Za-z]+", text[max(0, start - 20):start])
    return bool(before) and before[-1].lower() in lex_words


@per_lexicons
def _month_cues() -> frozenset:
    return frozenset(str(w).lower() for w in load_lexicon("en/dates").get("month_cues") or [])


def _direction(text: str, start: int) -> str | None:
    # the last full stop or comma in the 60 characters before (a mark further back gives way to start - 60)
    reach = max(0, start - 60)
    lo = max(text.rfind(".", reach, start), text.rfind(",", reach, start), start - 60)
    return "future" if _lex().future.search(text, lo + 1, start) else None


# A Latin letter (the four others IGNORECASE lets match one included) or a digit with no Latin letter or digit
# before it: where a match of a scanned pattern can start.
_LATIN_START = re.compile("(?<![A-Za-z0-9])[A-Za-z\\d\u0130\u0131\u017f\u212a]")
_LATIN_LEAD = re.compile("[A-Za-z0-9]")
# Scanning the whole text costs about this many characters per place tried instead.
_PLACE_COST = 24


def _starts(text: str, lex: _Lex) -> "list[int] | None":
    """Where a match of the scanned patterns can start, when those places are few for the length of the text (an
    Arabic article with a few English sentences, read whole); None: scan the whole text."""
    if not lex.latin_led:
        return None
    limit = len(text) // _PLACE_COST
    starts = []
    for m in _LATIN_START.finditer(text):
        starts.append(m.start())
        if len(starts) > limit:
            return None
    return starts


def find_dates_en(text: str) -> list[DateMention]:
    """Every date mention of an English text (offsets into ``text``), in order."""
    lex = _lex()
    cands: list[tuple[int, int, str, dict]] = []
    starts = _starts(text, lex)

    def add(a, b, kind, **f):
        cands.append((a, b, kind, f))

    for rx in (lex.full, lex.day_first):
        for m in _scan(rx, text, starts):
            mon = lex.month_of.get(m.group("mon").rstrip(".").lower())
            d = int(m.group("day"))
            y = int(m.group("year")) if m.group("year") else None
            if mon is None or not _valid_day(y, mon, d):
                continue
            f = {"month": mon, "day": d}
            if y:
                f["year"] = y
            if m.group("wd"):
                f["weekday"] = lex.weekday_of[m.group("wd").lower()]
            add(m.start(), m.end(), "full" if y else "day_month", **f)
    for m in _scan(lex.month_year, text, starts):
        mon = lex.month_of.get(m.group("mon").rstrip(".").lower())
        f = {"month": mon, "year": int(m.group("year"))}
        if m.group("part"):
            f["part"] = lex.parts[m.group("part").lower()]
        add(m.start(), m.end(), "relative" if f.get("part") else "month_year", **f)
    for m in _scan(lex.month_alone, text, starts):
        name = m.group("mon").rstrip(".")
        mon = lex.month_of.get(name.lower())
        if mon is None or not name[:1].isupper():
            continue
        has_cue = bool(m.group("part")) or _month_cue(text, m.start(), _month_cues())
        if name in lex.ambiguous and not has_cue:
            continue
        if m.group("mon").endswith(".") is False and len(name) <= 3 and not has_cue:
            continue
        f = {"month": mon}
        before = re.findall(r"[A-Za-z]+", text[max(0, m.start() - 12):m.start()])
        if before and before[-1].lower() in lex.offsets:
            f["offset"] = lex.offsets[before[-1].lower()]
            a = m.start() - len(text[:m.start()]) + text.rfind(before[-1], 0, m.start())
            add(a, m.end(), "relative", **f)
            continue
        if m.group("part"):
            f["part"] = lex.parts[m.group("part").lower()]
        add(m.start(), m.end(), "relative" if f.get("part") else "month", **f)
    for m in _scan(lex.numeric, text, starts):
        mo, d, y = int(m.group("m")), int(m.group("d")), int(m.group("y"))
        if 1 <= mo <= 12 and _valid_day(y, mo, d):
            add(m.start(), m.end(), "full", year=y, month=mo, day=d)
    for m in _scan(lex.iso, text, starts):
        mo, d, y = int(m.group("m")), int(m.group("d")), int(m.group("y"))
        if 1 <= mo <= 12 and _valid_day(y, mo, d):
            add(m.start(), m.end(), "full", year=y, month=mo, day=d)
    for m in _scan(lex.year, text, starts):
        if m.start("y") > 0 and text[m.start("y") - 1] in "$£€#":
            continue
        y = int(m.group("y"))
        f = {"year": y}
        if m.group("part"):
            f["part"] = lex.parts[m.group("part").lower()]
        if m.group("y2"):
            y2 = int(m.group("y2"))
            if y < y2 <= y + 30:
                add(m.start(), m.end("y"), "year", **f)
                add(m.start("y2"), m.end("y2"), "year", year=y2)
                continue
        add(m.start(), m.end("y"), "relative" if f.get("part") else "year", **f)
    for m in _scan(lex.weekday, text, starts):
        if not m.group("wd")[:1].isupper():
            continue
        f = {"weekday": lex.weekday_of[m.group("wd").lower()]}
        if m.group("off"):
            f["offset"] = lex.offsets[m.group("off").lower()]
        add(m.start(), m.end(), "weekday", **f)
    for m in _scan(lex.relative, text, starts):
        f = {"unit": lex.units[m.group("unit").lower()], "offset": lex.offsets[m.group("off").lower()]}
        if m.group("rp"):
            f["part"] = lex.relative_parts[m.group("rp").lower()]
        add(m.start(), m.end(), "relative", **f)
    for m in _scan(lex.ago, text, starts):
        n = m.group("n").lower()
        k = int(n) if n.isdigit() else lex.number_words.get(n, 1)
        add(m.start(), m.end(), "relative", unit=lex.units[m.group("unit").lower()], offset=-k, ago=True)
    for m in _scan(lex.day_words, text, starts):
        add(m.start(), m.end(), "relative", unit="day", offset=lex.days[m.group("w").lower()])
    for m in _scan(lex.year_end, text, starts):
        add(m.start(), m.end(), "relative", unit="year", offset=0, part="late")
    for m in _scan(lex.year_start, text, starts):
        add(m.start(), m.end(), "relative", unit="year", offset=0, part="early")
    for m in _scan(lex.week_now, text, starts):
        add(m.start(), m.end(), "relative", unit="week", offset=0)
    # longest first, no overlaps
    chosen = _longest_first(cands)
    out = []
    for a, b, kind, f in sorted(chosen):
        if lex.since.search(text, max(0, a - 8), a):
            f["since"] = True
        out.append(_mention(text, a, b, kind, f))
    # "in March 2003 ... on May 1": the year named before in the sentence
    return _anchor_years(out, text)


def _longest_first(cands: list) -> list:
    """The candidates (start, end, kind, fields), longest first, each kept unless it overlaps one kept before.

    The kept spans are held sorted and disjoint, so the overlap test is a bisection, not a scan of them all
    (an empty candidate, which only a lexicon list left empty can give, is tested against every kept span).
    """
    ordered = sorted(cands, key=lambda c: (-(c[1] - c[0]), c[0]))
    if any(a >= b for a, b, _k, _f in ordered):
        chosen, taken = [], []
        for a, b, kind, f in ordered:
            if any(a < y and x < b for x, y in taken):
                continue
            chosen.append((a, b, kind, f))
            taken.append((a, b))
        return chosen
    chosen, starts, ends = [], [], []
    for c in ordered:
        a, b = c[0], c[1]
        i = bisect.bisect_right(starts, a)
        if (i > 0 and ends[i - 1] > a) or (i < len(starts) and starts[i] < b):
            continue
        chosen.append(c)
        starts.insert(i, a)
        ends.insert(i, b)
    return chosen


def _mention(text: str, a: int, b: int, kind: str, f: dict) -> DateMention:
    y, mo, d = f.get("year"), f.get("month"), f.get("day")
    value = precision = ws = we = None
    status = "unresolved"
    if y is not None:
        status = "stated"
        if mo is not None and d is not None:
            value, precision = _iso(y, mo, d), "day"
        elif mo is not None:
            value, precision = _iso(y, mo), "month"
        else:
            value, precision = _iso(y), "year"
        if f.get("part") and mo is None:
            import datetime as dt
            lo, hi = _part_window(dt.date(y, 1, 1), dt.date(y, 12, 31), f["part"])
            ws, we = lo.isoformat(), hi.isoformat()
        elif f.get("part") and mo is not None and d is None:
            import datetime as dt
            lo, hi = _part_window(dt.date(y, mo, 1), dt.date(y, mo, _days_in_month(y, mo)), f["part"])
            ws, we = lo.isoformat(), hi.isoformat()
        if f.get("since"):
            ws = ws or value
    elif mo is not None and d is not None and f.get("unit") is None:
        value = f"--{mo:02d}-{d:02d}"   # ISO 8601 without a year, until resolution finds one
    return DateMention(
        start=a, end=b, mention=text[a:b], kind=kind, value=value, precision=precision, window_start=ws,
        window_end=we, status=status, year=y, month=mo, day=d, weekday=f.get("weekday"), year_end=f.get("year_end"),
        unit=f.get("unit"), offset=f.get("offset"), part=f.get("part"), since=bool(f.get("since")),
        ago=bool(f.get("ago")), direction=_direction(text, a),
    )


def find_dates_by_language(article) -> list[DateMention]:
    """The date mentions of an article, each sentence read by its own language.

    Arabic sentences go to :func:`troopwatch.dates.find_dates`, English ones to
    :func:`find_dates_en`; an article with no English sentence is read exactly
    as before.
    """
    from .dates import find_dates

    english = article.sentences_in("en")
    if not english:
        return find_dates(article)
    spans = _sorted_disjoint([article.original_sentences[k] for k in english])
    en_set = set(english)
    arabic = [m for m in find_dates(article) if not _inside(m.start, spans)] if len(en_set) < len(article.original_sentences) \
        and any(lang == "ar" for lang in article.sentence_languages) else []
    text = article.original
    english_mentions = [m for m in find_dates_en(text) if _inside(m.start, spans) or _before_first(m.start, article)]
    return sorted(arabic + english_mentions, key=lambda m: m.start)


def _inside(pos: int, spans) -> bool:
    """Whether one of ``spans`` holds ``pos`` (a bisection when they are sorted and disjoint, as sentences are)."""
    if isinstance(spans, _Spans):
        k = bisect.bisect_right(spans.starts, pos) - 1
        return k >= 0 and spans[k][0] <= pos < spans[k][1]
    return any(a <= pos < b for a, b in spans)


class _Spans(list):
    """Spans sorted by start and disjoint, with their starts (for :func:`_inside`)."""

    def __init__(self, spans):
        super().__init__(spans)
        self.starts = [a for a, _ in self]


def _sorted_disjoint(spans: list) -> "list | _Spans":
    if all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1)) and all(a <= b for a, b in spans):
        return _Spans(spans)
    return spans


def _before_first(pos: int, article) -> bool:
    return not article.original_sentences or pos < article.original_sentences[0][0]
