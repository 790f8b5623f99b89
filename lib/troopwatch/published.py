"""When was an article published?  From metadata, a dateline, or the content itself.

Order of evidence:

1. ``metadata``: the sidecar's ``published`` value, when it states one.
1b. ``page_date``: a stored page's own date written before its text
   (" date 2019-03", " date 2024-01-12"), at whatever precision it gives.
2. ``dateline``: a full date standing on one of the first lines ("23-مارس-2021",
   "نشر بتاريخ 12 أبريل 2020").
3. ``inferred``: the content.  Every clue becomes a constraint on the date:

   * each absolute date the article states (not in a clause about the future)
     means publication on or after it;
   * an office-holder named with the title of the office ("الرئيس الأمريكي
     ترامب") means publication during that term, or after it for a "former"
     (السابق) title; terms are data in ``data/lexicons/office_holders.yml``;
   * a known event named (``data/lexicons/events.yml``) means publication after it;
     a year-less "August last" next to a known August event dates the article
     to the twelve months after it.

   The window is where the most constraints agree (so one misread name cannot
   empty it).  Year-less dates ("24 كانون الثاني") take the first year after
   the latest fully dated mention.  ``published`` is set only when a day-level
   date in the text is the latest evidence; otherwise it stays None and only
   ``published_window`` is given.

Nothing here reads the machine clock.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

import pandas as pd

from .article import Article, article_list, as_article
from .dates import DateMention, _from_context, anniversary_count, find_dates, page_date_match, parse_iso
from .events import match_known_events
from .lexicons import LexiconError, lexicon_path, load_lexicon, per_lexicons
from .text import ARABIC_LETTER, ARABIC_LETTERS, normalize_term

__all__ = [
    "PUBLISHED_COLUMNS",
    "PublicationEstimate",
    "add_publication_dates",
    "find_dateline",
    "find_page_date",
    "infer_publication",
    "office_holder_constraints",
]

PUBLISHED_COLUMNS = ["published", "published_window", "published_basis", "published_evidence"]
# A day-level date in the text dates the article to at most this many days after it.
REPORTING_LAG_DAYS = 14
# A text dated only from below and later than the office-holder lexicon's date: the window it is given.
UNBOUNDED_SPAN_DAYS = 365
_INF = dt.date.max.toordinal()
_L = ARABIC_LETTER


@dataclass
class PublicationEstimate:
    published: str | None
    window: tuple[dt.date, dt.date] | None
    basis: str | None
    evidence: str | None

    @property
    def window_text(self) -> str | None:
        if self.window is None:
            return None
        return f"{self.window[0].isoformat()}/{self.window[1].isoformat()}"


@dataclass
class Constraint:
    """Publication lies in one of ``intervals`` (ordinal days, inclusive); ``label`` says why."""

    label: str
    intervals: list[tuple[int, int]]
    key: str = ""
    weight: float = 1.0
    lower_bound: dt.date | None = field(default=None)


# ---------------------------------------------------------------- office-holders


@per_lexicons
def _office_lexicon():
    data = load_lexicon("office_holders")
    path = lexicon_path("office_holders")
    try:
        as_of = parse_iso(str(data["as_of"]))[0]
        slack = int(data.get("approximate_slack_days", 45))
        roles = {r: sorted({normalize_term(t) for t in ts}, key=len, reverse=True) for r, ts in data["roles"].items()}
        former = [normalize_term(w) for w in data.get("former_words", [])]
        people = []
        for i, p in enumerate(data["people"]):
            terms = []
            for t in p["terms"]:
                if t["role"] not in roles:
                    raise ValueError(f"person #{i + 1} ({p.get('name')}) has a term in unknown role {t['role']!r}")
                start = parse_iso(str(t["start"]))
                if start is None:
                    raise ValueError(f"person #{i + 1} ({p.get('name')}): start {t['start']!r} is not ISO")
                end = parse_iso(str(t["end"])) if t.get("end") else None
                pad = slack if t.get("approximate") else 0
                terms.append((t["role"], start[0].toordinal() - pad, end[0].toordinal() + pad if end else _INF,
                              start[0], end[0] if end else None))
            names = sorted({normalize_term(n) for n in p["names"]}, key=len, reverse=True)
            alt = "|".join(_spaced(n) for n in names)
            rx = re.compile(rf"(?<![{_L}])(?:[وفبل]|لل)?(?:{alt})(?![{_L}])")
            _NAME_WORDS[rx.pattern] = tuple({n.split(" ")[0] for n in names if n})
            people.append((p["name"], rx, terms))
    except (KeyError, TypeError, ValueError) as exc:
        raise LexiconError(f"{path}: {exc}; see the comment at the top of the file for the layout") from None
    return as_of, roles, former, people


# Person pattern -> the first words of its names (one of them is in any match).
_NAME_WORDS: dict[str, tuple[str, ...]] = {}


def _spaced(term: str) -> str:
    """A regex for a folded term whose spaces match any run of spaces."""
    return r"\s+".join(re.escape(w) for w in term.split(" "))


def _has_word(zone: str, word: str) -> bool:
    return _word_rx(word).search(zone) is not None


@lru_cache(maxsize=4096)
def _word_rx(word: str) -> re.Pattern:
    return re.compile(rf"(?<![{_L}])(?:[وفبل])?{_spaced(word)}(?![{_L}])")


_ZONE_SEP = re.compile(r"\s*[،,\-]\s*")


def _name_matches(rx: re.Pattern, nt: str, first_words: tuple[str, ...]):
    """``rx.finditer(nt)`` for a person pattern, tried only where one of its names' first words stands.

    A match is an optional و ف ب ل or لل and a name, so it starts at most two
    characters before a first word; trying those places in order, and only
    after the previous match, gives the matches finditer gives.
    """
    places: set[int] = set()
    for w in first_words:
        i = nt.find(w)
        while i >= 0:
            places.update((i - 2, i - 1, i))
            i = nt.find(w, i + 1)
    end = 0
    for p in sorted(places):
        if p < end or p < 0:
            continue
        m = rx.match(nt, p)
        if m is not None:
            yield m
            end = m.end()


def _name_places(article: Article) -> dict[int, list[int]]:
    """Person (index in the lexicon) -> where a word of the text that is a clitic and the first word of one of the
    person's names starts, in text order: the only places a match of the person's pattern opens (see
    :func:`_people_by_word`; a person whose names do not open with Arabic letters is not here)."""
    by_word, _always = _people_by_word()
    tokens = article.tokens
    texts = list(map(itemgetter(2), tokens))
    opening = by_word.keys() & set(texts)
    places: dict[int, list[int]] = {}
    if opening:
        for k in [k for k, t in enumerate(texts) if t in opening]:
            start = tokens[k][0]
            for i in by_word[texts[k]]:
                places.setdefault(i, []).append(start)
    return places


def _matches_at(rx: re.Pattern, nt: str, places: list[int]):
    """``rx.finditer(nt)`` for a person pattern whose every match opens at one of the sorted ``places``: each tried
    in order, after the end of the previous match."""
    end = 0
    for p in places:
        if p < end:
            continue
        m = rx.match(nt, p)
        if m is not None:
            yield m
            end = m.end()


def _title_zones(nt: str, start: int, end: int) -> tuple[str, str]:
    """The words before a name (up to 7, within its clause) and the apposition after it ("X، رئيس ...")."""
    before = nt[max(0, start - 90):start]
    stripped = before.rstrip()
    cut_chars = ".!?؟؛:\n;()\"" + "،,"
    # a comma right before the name is an apposition: keep the clause before it
    if stripped.endswith(("،", ",", "-")):
        stripped = stripped[:-1]
    cut = max(stripped.rfind(c) for c in cut_chars)
    zone_before = " ".join(stripped[cut + 1:].split()[-7:])
    zone_after = ""
    m = _ZONE_SEP.match(nt[end:end + 4])
    if m:
        after = nt[end + m.end():end + m.end() + 90]
        stop = min([i for i in (after.find(c) for c in cut_chars) if i >= 0] or [len(after)])
        zone_after = " ".join(after[:stop].split()[:7])
    return zone_before, zone_after


@per_lexicons
def _people_by_word() -> tuple[dict[str, set[int]], set[int]]:
    """(word -> the people one of whose names it opens, the people a word cannot be told for).

    A name matches after an optional و ف ب ل or لل, and its first word ends at
    white space or at the end of the name, so a match opens with an Arabic word
    of the text that is such a clitic and the name's first word; a person whose
    first word is not all Arabic letters is always read.
    """
    _as_of, _roles, _former, people = _office_lexicon()
    by_word: dict[str, set[int]] = {}
    always: set[int] = set()
    for i, (_name, rx, _terms) in enumerate(people):
        words = _NAME_WORDS.get(rx.pattern)
        if words is None or not all(w and all(c in ARABIC_LETTERS for c in w) for w in words):
            always.add(i)
            continue
        for w in words:
            for clitic in ("", "و", "ف", "ب", "ل", "لل"):
                by_word.setdefault(clitic + w, set()).add(i)
    return by_word, always




def office_holder_constraints(text: "str | Article") -> list[Constraint]:
    """Constraints from office-holders named with the title of their office."""
    as_of, roles, former_words, people = _office_lexicon()
    article = as_article(text)
    nt = article.norm.text
    # the people one of whose names' first words opens a word of the text (read in lexicon order)
    by_word, always = _people_by_word()
    places = _name_places(article)
    found: dict[str, Constraint] = {}
    for i, (name, rx, terms) in enumerate(people):
        if i in places:
            matches = _matches_at(rx, nt, places[i])
        elif i in always:
            words = _NAME_WORDS.get(rx.pattern)
            if words is not None and not any(w in nt for w in words):
                continue  # every match holds the first word of one of the names: none is in the text
            matches = rx.finditer(nt) if words is None else _name_matches(rx, nt, words)
        else:
            continue  # every match opens with a word of the text that is a clitic and the first word of a name
        for m in matches:
            zb, za = _title_zones(nt, m.start(), m.end())
            best_len, best_roles, former = 0, set(), False
            for zone in (zb, za):
                for role in {t[0] for t in terms}:
                    for kw in roles[role]:
                        if _has_word(zone, kw):
                            if len(kw) > best_len:
                                best_len, best_roles = len(kw), {role}
                            elif len(kw) == best_len:
                                best_roles.add(role)
                            pos = zone.find(kw)
                            if any(_has_word(zone[pos:], w) for w in former_words):
                                former = True
                            break
            if not best_roles:
                continue
            matched = sorted((t for t in terms if t[0] in best_roles), key=lambda t: t[1])
            if former:
                intervals = []
                for i, t in enumerate(matched):
                    if t[2] == _INF:
                        continue
                    nxt = matched[i + 1][1] - 1 if i + 1 < len(matched) else _INF
                    intervals.append((t[2] - (0 if t[2] == _INF else 0), nxt))
                if not intervals:
                    continue
                label = f"former {'/'.join(sorted(best_roles))} {name} (term ended {', '.join(str(t[4]) for t in matched if t[4])})"
            else:
                intervals = [(t[1], t[2]) for t in matched]
                spans = ", ".join(f"{t[3]}..{t[4] or 'in office'}" for t in matched)
                label = f"{name} as {'/'.join(sorted(best_roles))} ({spans})"
            key = f"office:{name}:{former}:{sorted(best_roles)}"
            found.setdefault(key, Constraint(label, intervals, key))
    return list(found.values())


# ---------------------------------------------------------------- dateline


@per_lexicons
def _dateline_words() -> re.Pattern:
    words = load_lexicon("date_cues").get("dateline_words", [])
    alt = "|".join(_spaced(normalize_term(w)) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![{_L}])(?:{alt})(?![{_L}])")


@per_lexicons
def _dateline_glued() -> re.Pattern:
    """A dateline word right before the date, even glued to the headline before it ("...العراقنشرت في 2007-04-05")."""
    words = load_lexicon("date_cues").get("dateline_words", [])
    alt = "|".join(_spaced(normalize_term(w)) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?:{alt})(?:\s+(?:في|بتاريخ))?\s*:?\s*$")


def find_page_date(text: "str | Article") -> tuple[str, str] | None:
    """(ISO value, evidence) of a stored page's own date written before its text (" date 2024-01-12"), or None."""
    article = as_article(text)
    m = page_date_match(article.norm.text)
    if m is None:
        return None
    value = "-".join(g for g in m.group("y", "m", "d") if g)
    parsed = parse_iso(value)
    if parsed is None:
        return None
    return value, f"page date '{m.group(0).strip()}' before the text"


_WORD = re.compile(rf"[{_L}A-Za-z0-9]+")
_LATIN = re.compile("[A-Za-z]")
_DATELINE_REACH = 60  # characters before a date searched for a dateline word


def find_dateline(text: "str | Article", lines: int = 3, mentions: list[DateMention] | None = None) -> tuple[str, str] | None:
    """(ISO date, evidence) of a dateline among the first non-empty lines, or None.

    A day-precision date is a dateline when little else stands on its line (six
    words at most) or a dateline word precedes it ("نشر بتاريخ").  Only the first
    ``lines`` lines are read and words are counted only up to that limit, so the
    cost does not grow with the length of a line.
    """
    article = as_article(text)
    if mentions is None:
        mentions = find_dates(article)
    original, nt = article.original, article.norm.text
    seen = 0
    offset = 0
    while offset <= len(original) and seen < lines:
        nl = original.find("\n", offset)
        end = len(original) if nl < 0 else nl
        if original[offset:end].strip():
            seen += 1
            na, nb = article.norm_span(offset, end)
            for m in mentions:
                if not offset <= m.start < end or m.precision != "day" or m.status != "stated" or m.since:
                    continue
                ma, mb = article.norm_span(m.start, m.end)
                latin = _LATIN.search(m.mention) is not None  # a page stamp printed in English
                # the dateline word stands just before the date ("نشر بتاريخ"): a bounded look-back keeps
                # the cost linear on a line of any length
                if _few_words(nt, na, ma, nb, mb, limit=6) or _dateline_words().search(nt, max(na, ma - _DATELINE_REACH), ma) \
                        or _dateline_glued().search(nt[max(na, ma - 40):ma]) \
                        or (latin and _few_words(nt, na, ma, ma, ma, limit=8)):
                    return m.value, f"dateline '{m.mention}' on line {seen}"
        if nl < 0:
            break
        offset = nl + 1
    return None


def _few_words(nt: str, a: int, b: int, c: int, d: int, limit: int) -> bool:
    """At most ``limit`` words in nt[a:b] and nt[d:c] together (stops counting past the limit)."""
    n = 0
    for lo, hi in ((a, b), (d, c)):
        for _ in _WORD.finditer(nt, lo, hi):
            n += 1
            if n > limit:
                return False
    return True


# ---------------------------------------------------------------- inference


def _text_constraints(mentions: list[DateMention]) -> list[tuple[dt.date, str, DateMention]]:
    """Lower bounds from stated absolute dates outside future clauses: (first day, precision, mention).

    A date whose year the text named just before it ("في 9 نيسان" after "آذار 2003") counts as stated.
    """
    out = []
    for m in mentions:
        if not (m.status == "stated" or _from_context(m)) or m.direction == "future" or m.value is None:
            continue
        if m.kind == "year_range" and m.year_end is not None:
            out.append((dt.date(m.year_end, 1, 1), "year", m))
            continue
        parsed = parse_iso(m.value)
        if parsed is not None:
            out.append((parsed[0], parsed[1], m))
    return out


# The years a "current month" constraint spans (publication in that month of one of them).
_FIRST_YEAR = 1950


def _current_month_constraints(mentions: list[DateMention], as_of: dt.date) -> list[Constraint]:
    """"8 كانون الثاني الحالي", "أغسطس الجاري": publication falls in that month, of some year (one constraint per month)."""
    out: dict[int, Constraint] = {}
    for m in mentions:
        if m.month is None or m.year is not None or m.offset != 0 or m.unit is not None or m.month in out:
            continue
        intervals = []
        for y in range(_FIRST_YEAR, as_of.year + 1):
            first = dt.date(y, m.month, 1)
            if first > as_of:
                break   # like an unbounded window, capped at the lexicon's date
            last = min(dt.date(y + (m.month == 12), m.month % 12 + 1, 1) - dt.timedelta(days=1), as_of)
            intervals.append((first.toordinal(), last.toordinal()))
        out[m.month] = Constraint(f"'{m.mention.strip()}' (the current month)", intervals, f"current_month:{m.month}")
    return list(out.values())


def _best_window(constraints: list[Constraint]) -> tuple[int, int, float] | None:
    """The stretch of days satisfying the most constraints (weighted): (lo, hi, score)."""
    if not constraints:
        return None
    points = sorted({p for c in constraints for lo, hi in c.intervals for p in (lo, hi + 1 if hi < _INF else _INF)})
    if all(float(c.weight).is_integer() for c in constraints):
        scores = _swept_scores(constraints, points)  # whole weights: the same sums in any order
    else:
        scores = [sum(c.weight for c in constraints if any(lo <= p <= hi for lo, hi in c.intervals)) for p in points]
    best = None
    runs = []
    for i, p in enumerate(points):
        if p >= _INF:
            break
        seg_hi = (points[i + 1] - 1) if i + 1 < len(points) and points[i + 1] < _INF else _INF
        score = scores[i]
        runs.append((p, seg_hi, score))
        if best is None or score > best:
            best = score
    top = [r for r in runs if r[2] == best]
    return top[0][0], max(r[1] for r in top), best


def _swept_scores(constraints: list[Constraint], points: list[int]) -> list[float]:
    """At each point, the weight of the constraints one of whose intervals holds it (one sweep, not points x constraints)."""
    index = {p: i for i, p in enumerate(points)}
    delta = [0.0] * (len(points) + 1)
    for c in constraints:
        merged: list[list[int]] = []
        for lo, hi in sorted((lo, hi) for lo, hi in c.intervals if lo <= hi):
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        for lo, hi in merged:  # a constraint counts once where its intervals overlap
            delta[index[lo]] += c.weight
            if hi < _INF:
                delta[index[hi + 1]] -= c.weight
    scores, total = [], 0
    for d in delta[:-1]:
        total += d
        scores.append(total)
    return scores


def _year_less_anchor(mentions: list[DateMention], lower: list[tuple[dt.date, str, DateMention]]):
    """The latest stated date of month or day precision: year-less dates follow it."""
    precise = [d for d, p, m in lower if p in ("day", "month") and m.kind != "year_range"]
    return max(precise) if precise else None


def _names_anniversary(article: Article, span: tuple[int, int]) -> bool:
    """Whether the sentence at ``span`` (original offsets) names an anniversary ("الذكرى الـ20 للغزو")."""
    a, b = article.norm_span(*span)
    return anniversary_count(article.norm.text[a:b]) is not None


def infer_publication(text: "str | Article", mentions: list[DateMention] | None = None) -> PublicationEstimate:
    """Estimate the publication date from the text alone (dateline, else content).

    ``mentions`` are the article's date mentions as :func:`find_dates` gives
    them (found here when not given).
    """
    if isinstance(text, Article):
        article = text
    elif not isinstance(text, str) or not text.strip():
        return PublicationEstimate(None, None, None, None)
    else:
        article = Article.from_text(text)
    if not article.original.strip():
        return PublicationEstimate(None, None, None, None)
    if mentions is None:
        mentions = find_dates(article)
    page = find_page_date(article)
    if page is not None:
        d, precision = parse_iso(page[0])
        window = (d, d) if precision == "day" else tuple(parse_iso(x)[0] for x in _window_of(page[0]).split("/"))
        return PublicationEstimate(page[0], window, "page_date", page[1])
    dateline = find_dateline(article, mentions=mentions)
    if dateline is not None:
        d = parse_iso(dateline[0])[0]
        return PublicationEstimate(dateline[0], (d, d), "dateline", dateline[1])
    as_of, *_ = _office_lexicon()
    constraints: list[Constraint] = []
    lower = _text_constraints(mentions)
    for d, precision, m in lower:
        constraints.append(Constraint(f"'{m.mention}' ({m.value})", [(d.toordinal(), _INF)], f"text:{m.start}", lower_bound=d))
    constraints.extend(office_holder_constraints(article))
    if constraints:
        # alone it says only the month of some year; with other evidence it picks the year
        constraints.extend(_current_month_constraints(mentions, as_of))
    events = match_known_events(article, mentions)
    seen_events = set()
    by_event: list[tuple[dt.date, DateMention]] = []
    for hit in events:
        ev = hit["event"]
        ev_date = parse_iso(ev.date)[0]
        if hit["mention"] is not None and hit["mention"].direction == "future":
            continue  # "ومن المقرر أن تنتهي المهمة في 31 أغسطس": the event is still to come
        if ev.id not in seen_events:
            seen_events.add(ev.id)
            constraints.append(Constraint(f"after {ev.label} ({ev.date})", [(ev_date.toordinal(), _INF)], f"event:{ev.id}", lower_bound=ev_date))
        m = hit["mention"]
        if m is not None and m.year is None and _names_anniversary(article, hit["sentence"]):
            pass  # "20 مارس، الذكرى العاشرة للغزو": a later year's day, which the event does not date
        elif m is not None and m.year is None and m.day is not None and m.month == ev_date.month and m.day == ev_date.day \
                and (m.weekday is None or m.weekday == ev_date.weekday()):
            by_event.append((ev_date, m))  # "28 يناير" next to the event of 28 January 2024
        elif m is not None and m.year is None and m.month is not None and m.direction != "future" and m.offset != 1:
            # "أغسطس الماضي" next to a known August event: within the following twelve months
            first = dt.date(ev_date.year, m.month, 1)
            month_end = dt.date(ev_date.year + (m.month == 12), m.month % 12 + 1, 1) - dt.timedelta(days=1)
            lo = month_end + dt.timedelta(days=1) if m.offset == -1 else first
            hi = dt.date(month_end.year + 1, month_end.month, 1) + (month_end - dt.date(month_end.year, month_end.month, 1))
            constraints.append(Constraint(f"'{m.mention}' is {ev.label} ({ev.date}), so within a year after it",
                                          [(lo.toordinal(), hi.toordinal())], f"anchor:{ev.id}:{m.start}"))
    best = _best_window(constraints)
    if best is None:
        return PublicationEstimate(None, None, None, None)
    lo, hi, _ = best
    # year-less day-and-month dates: first occurrence after the latest fully dated mention
    anchor = _year_less_anchor(mentions, lower)
    resolved = list(by_event)
    done = {m.start for _, m in by_event}
    if anchor is not None:
        floor = anchor
        for m in mentions:
            if m.year is None and m.month is not None and m.day is not None and m.direction != "future" and m.offset is None \
                    and m.start not in done and not _from_context(m):
                # a weekday written with it ("الجمعة 22 كانون الأول") keeps only the years it falls on
                for y in range(floor.year, floor.year + (29 if m.weekday is not None else 2)):
                    try:
                        cand = dt.date(y, m.month, m.day)
                    except ValueError:
                        continue
                    if m.weekday is not None and cand.weekday() != m.weekday:
                        continue
                    if cand >= floor:
                        if cand.toordinal() <= hi:
                            resolved.append((cand, m))
                        break
    for cand, m in resolved:
        why_year = "by the event it names" if m.start in done else f"as the first such date after {anchor}"
        constraints.append(Constraint(f"'{m.mention.strip()}' read as {cand} ({why_year})", [(cand.toordinal(), _INF)],
                                      f"yearless:{m.start}", lower_bound=cand))
    if resolved:
        best = _best_window(constraints)
        lo, hi, _ = best
    lo_date = dt.date.fromordinal(lo)
    # no upper bound in the text: the lexicon's date, or when the text is later than that a year after
    # its lower bound (never a single day: that would date the article to its latest mention)
    hi_date = dt.date.fromordinal(hi) if hi < _INF else max(as_of, lo_date + dt.timedelta(days=UNBOUNDED_SPAN_DAYS))
    precision_of = {f"text:{m.start}": p for _d, p, m in lower}
    day_dates = [(d, c.label) for c in constraints if c.lower_bound is not None and c.key.startswith(("text:", "yearless:"))
                 for d in [c.lower_bound] if (c.key.startswith("yearless:") or precision_of.get(c.key) == "day")]
    day_dates = [(d, lab) for d, lab in day_dates if lo <= d.toordinal() <= hi]
    binding = [c for c in constraints if any(a == lo for a, _ in c.intervals) or any(b == hi < _INF for _, b in c.intervals)]
    why = "; ".join(sorted({c.label for c in binding}))[:400]
    if day_dates:
        latest, label = max(day_dates)
        if latest == lo_date:
            end = min(latest + dt.timedelta(days=REPORTING_LAG_DAYS), hi_date)
            return PublicationEstimate(latest.isoformat(), (latest, end), "inferred",
                                       f"latest date in the text {label}; window allows {REPORTING_LAG_DAYS} days of reporting lag; bounds: {why}")
    note = "" if hi < _INF else (f" (no upper bound in the text: capped at the lexicon date {as_of})" if hi_date == as_of
                                 else f" (no upper bound in the text, which is later than the lexicon date {as_of}: "
                                      f"{UNBOUNDED_SPAN_DAYS} days after the lower bound)")
    return PublicationEstimate(None, (lo_date, hi_date), "inferred", f"window from: {why}{note}")


# ---------------------------------------------------------------- table


def _window_of(value: str) -> str | None:
    parsed = parse_iso(value)
    if parsed is None:
        return None
    d, precision = parsed
    if precision == "day":
        end = d
    elif precision == "month":
        end = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1) - dt.timedelta(days=1)
    else:
        end = dt.date(d.year, 12, 31)
    return f"{d.isoformat()}/{end.isoformat()}"


def publication_of(article: Article, mentions: list[DateMention] | None = None) -> tuple[PublicationEstimate, str | None]:
    """(estimate, window text) for one article: its sidecar date when it states one, else inferred."""
    sidecar = article.get("published")
    if parse_iso(sidecar) is not None:
        value = str(sidecar).strip()
        # the reader says where the date came from: the sidecar, the page's markup, an export's field
        basis = article.get("published_basis") or "metadata"
        source = "sidecar" if basis == "metadata" else basis
        return PublicationEstimate(value, None, basis, f"{source} published={value}"), _window_of(value)
    est = infer_publication(article, mentions)
    return est, est.window_text


def publication_fields(article: Article, mentions: list[DateMention] | None = None) -> dict:
    """The ``PUBLISHED_COLUMNS`` of one article."""
    est, window = publication_of(article, mentions)
    return {"published": est.published, "published_window": window,
            "published_basis": est.basis, "published_evidence": est.evidence}


def add_publication_dates(articles: pd.DataFrame) -> pd.DataFrame:
    """The articles table with ``published``, ``published_window``, ``published_basis`` and ``published_evidence``."""
    if "text" not in articles.columns:
        raise ValueError("add_publication_dates() needs an articles table with a 'text' column (see troopwatch.corpus.load_corpus)")
    out = articles.copy()
    results = {col: [] for col in PUBLISHED_COLUMNS}
    for article in article_list(out, "add_publication_dates"):
        fields = publication_fields(article)
        for col in PUBLISHED_COLUMNS:
            results[col].append(fields[col])
    for col in PUBLISHED_COLUMNS:
        out[col] = pd.Series(results[col], index=out.index, dtype="object")
    return out
