"""The moment each claim refers to.

:func:`claim_times` gives every claim ``refers_to`` (ISO) and its precision:
the date mention governing it in its sentence, else in its paragraph, else the
article's publication date (``refers_to_basis`` says which).  A "since" mention
("منذ أكتوبر 2023", "منذ بدء حرب غزة") also sets ``window_start`` for
cumulative counts.  Mentions arrive as :class:`~troopwatch.dates.DateMention`
objects, so what they state (a since window, a direction) is read, never guessed.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

try:  # the standard library's regex parser (Python 3.11+)
    import re._parser as _re_parser
    from re import _constants as _re_constants
except ImportError:  # pragma: no cover - older interpreters
    import sre_constants as _re_constants  # type: ignore[no-redef]
    import sre_parse as _re_parser  # type: ignore[no-redef]

import pandas as pd

from .article import Article, article_list
from .dates import DateMention, mention_from_row, parse_iso
from .events import match_known_events
from .lexicons import load_lexicon, per_lexicons
from .text import ARABIC_LETTER
from .words import alternation as _alt, proclitic_regex

__all__ = ["CLAIM_TIME_COLUMNS", "attach_claim_times", "claim_times"]

# refers_to_window: when an undated claim sits in an article known only to a window
# ("2023-10-07/2024-08-31"), the window is the honest answer; refers_to stays empty.
CLAIM_TIME_COLUMNS = ["refers_to", "refers_to_precision", "window_start", "refers_to_basis", "refers_to_window"]

_L = ARABIC_LETTER


@per_lexicons
def _since_re() -> re.Pattern:
    """"منذ" and its kin before a date or an event (date_cues.yml since_words)."""
    return re.compile(rf"(?<![{_L}]){proclitic_regex()}(?:{_alt(load_lexicon('date_cues')['since_words'])})\s+")


@per_lexicons
def _clause_opener_re() -> re.Pattern:
    return re.compile(rf"(?<![{_L}]){proclitic_regex()}(?:{_alt(load_lexicon('date_cues')['clause_openers'])})(?![{_L}])")


def claim_times(article: Article, claims: list, mentions: list[DateMention], known_events: list[dict] | None = None) -> list:
    """Set ``refers_to``, its precision and basis, ``window_start`` and ``refers_to_window`` on each claim.

    ``claims`` are :class:`~troopwatch.claims.Claim` objects of ``article``;
    ``mentions`` its resolved date mentions; ``known_events`` what
    :func:`~troopwatch.events.match_known_events` found in it (computed here when needed).
    """
    published, pub_window = article.get("published"), article.get("published_window")
    # a year-less "--MM-DD" value names no point in time: not a date to hang a claim on
    dated = sorted((m for m in mentions if (m.value is not None and not str(m.value).startswith("--"))
                    or m.window_start is not None), key=lambda m: m.start)
    starts = [m.start for m in dated]  # each claim reads only the mentions of its sentence and paragraph
    norm = article.norm
    paragraphs = article.paragraphs
    para_starts = [a for a, _ in paragraphs]
    events_by_sentence = None
    longest = max((m.end - m.start for m in dated), default=0)
    since, opener = _since_re(), _clause_opener_re()  # (looked up once, not per claim)
    since_in: dict[tuple[int, int], bool] = {}  # sentence -> whether "since" is written in it
    spaces_in: dict[tuple[int, int], tuple] = {}  # sentence -> (its normalized span, its longest white space)
    for claim in claims:
        ss, se = claim.sentence_start, claim.sentence_end
        cs, ce = claim.start, claim.end
        candidates = _between(dated, starts, ss, se)
        space = None
        if len(candidates) > 1:  # more than one date to read: the longest white space of the sentence, once for all
            space = spaces_in.get((ss, se))
            if space is None:
                na, nb = article.norm_span(ss, se)
                space = spaces_in[(ss, se)] = (na, nb, _longest_space(norm.text, na, nb))
        in_sentence = _same_clause(article, ce, candidates, opener, space)
        chosen, basis = _nearest(in_sentence, cs, ce), "sentence"
        if chosen is None:
            para = _holding(paragraphs, para_starts, cs)
            if para is not None:
                chosen, basis = _nearest_outside(dated, starts, para, (ss, se), cs, ce, longest), "paragraph"
        window_start = None
        refers_window = None
        if chosen is not None:
            if chosen.since:
                window_start = chosen.window_start
                refers, precision = _published_value(published)
                if chosen.window_end:
                    refers, precision = chosen.window_end, _precision_of(chosen.window_end)
            else:
                refers, precision = chosen.value, chosen.precision
        else:
            refers, precision = _published_value(published)
            basis = "published" if refers is not None else "unknown"
            if refers is None and isinstance(pub_window, str) and "/" in pub_window:
                refers_window, basis = pub_window, "published_window"
        # "منذ بدء حرب غزة": a since-window opened by a known event in the sentence
        if window_start is None:
            holds_since = since_in.get((ss, se))
            if holds_since is None:  # the sentence searched once for all its claims
                na, nb = article.norm_span(ss, se)
                holds_since = since_in[(ss, se)] = since.search(norm.text, na, nb) is not None
            if holds_since:
                if known_events is None:
                    known_events = match_known_events(article, mentions)
                if events_by_sentence is None:
                    events_by_sentence = _by_sentence(known_events)
                for hit in _hits_holding(events_by_sentence, cs):
                    ha, hb = article.norm_span(max(ss, hit["cue"][0] - 25), hit["cue"][0])
                    if since.search(norm.text[ha:hb]):
                        window_start = hit["event"].date
                        break
        claim.refers_to = refers
        claim.refers_to_precision = precision
        claim.window_start = window_start
        claim.refers_to_basis = basis
        claim.refers_to_window = refers_window
    return claims


def attach_claim_times(claims: pd.DataFrame, articles, dates: pd.DataFrame) -> pd.DataFrame:
    """The claims table with its time columns filled from the articles and their dates table."""
    out = claims.copy()
    for col in CLAIM_TIME_COLUMNS:
        if col not in out.columns:
            out[col] = None
        out[col] = out[col].astype("object")
    if out.empty:
        return out
    by_id = {a.id: a for a in article_list(articles, "attach_claim_times")}
    by_article: dict = {}
    if len(dates):
        for art_id, sub in dates.groupby("article", sort=False):
            by_article[art_id] = [mention_from_row(r) for r in sub.to_dict("records")]
    for art_id, idx in out.groupby("article", sort=False).groups.items():
        article = by_id.get(art_id) or Article.from_text("", str(art_id))
        records = [_ClaimView(**{k: out.at[i, k] for k in ("sentence_start", "sentence_end", "start", "end")})
                   for i in idx]
        claim_times(article, records, by_article.get(art_id, []))
        for i, rec in zip(idx, records):
            for col in CLAIM_TIME_COLUMNS:
                out.at[i, col] = getattr(rec, col)
    return out


class _ClaimView:
    """The spans of a claims-table row, and the time fields claim_times sets on it."""

    def __init__(self, sentence_start, sentence_end, start, end):
        self.sentence_start, self.sentence_end = int(sentence_start), int(sentence_end)
        self.start, self.end = int(start), int(end)


# A date after the claim but inside a relative or temporal clause describes something
# else: "2500 جندي ... تنظيم داعش الذي سيطر في عام 2014" (date_cues.yml clause_openers).


def _in_later_clause(article: Article, claim_end: int, m: DateMention, opener: re.Pattern | None = None) -> bool:
    if m.start < claim_end:
        return False
    a, b = article.norm_span(claim_end, m.start)
    return (opener or _clause_opener_re()).search(article.norm.text, a, b) is not None


def _same_clause(article: Article, claim_end: int, mentions: list[DateMention], opener: re.Pattern,
                 space: tuple | None = None) -> list[DateMention]:
    """The ``mentions`` (sorted by start) not in a later clause than the claim ending at ``claim_end``
    (:func:`_in_later_clause` of each, without searching the same text again for every date).

    A clause opener found between the claim and a date that ends before the date starts stands, unchanged, between
    the claim and every later date too (the text up to its end and the character after it are the same), so the
    dates after it are in a later clause without another search.  Dates are searched one by one until then, each
    search starting where the previous one left no possible match (see below).  ``space`` is (start, end, the
    longest run of white space in the normalized text between them) when the caller knows it for the span searched.
    """
    out = []
    text = article.norm.text
    a = lo = None
    reach = False  # the most characters a match of opener takes between the claim and the last date (None: no bound)
    solid = False  # an opener ended before a date already read starts
    for m in mentions:
        if m.start < claim_end:
            out.append(m)
            continue
        if solid:
            continue
        if a is None:
            a = lo = article.to_norm(claim_end)
        b = max(a, article.to_norm(m.start))  # article.norm_span(claim_end, m.start)
        # opener.search(text, a, b): no match opens before lo, so the search starts there
        found = opener.search(text, lo, b)
        if found is None:
            out.append(m)
        elif found.end() < b:
            solid = True
            continue
        if m is mentions[-1]:
            break
        if reach is False:
            # every search reads text[a:last]: white space there bounds how long a match can be
            last = max(a, article.to_norm(mentions[-1].start))
            if space is not None and space[0] <= a and last <= space[1]:
                reach = _widest(opener.pattern, space[2])
            else:
                reach = _widest(opener.pattern, _longest_space(text, a, last))
        if reach is not None:
            # no match opens before b - reach in the text cut at b, and a match opening there reads nothing from b
            # on (it is at most reach long), so none opens there in the text cut at any later date either
            lo = max(lo, b - reach)
    return out


@lru_cache(maxsize=256)
def _widest(pattern: str, space_run: int) -> int | None:
    """The most characters a match of ``pattern`` takes in a text whose longest run of white space is ``space_run``
    characters (None when there is no bound)."""
    try:
        return _width(_re_parser.parse(pattern), space_run)
    except Exception:  # noqa: BLE001 - the pattern compiled; without a parse it has no bound
        return None


def _width(items, space_run: int) -> int | None:
    C = _re_constants
    total = 0
    for op, av in items:
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            total += 1
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            _lo, hi, sub = av
            one = _width(sub, space_run)
            if one is None:
                return None
            if hi >= C.MAXREPEAT:
                if not _spaces_only(sub):
                    return None
                hi = space_run  # a repeat of white space takes at most the longest run of it
            total += one * hi
        elif op is C.SUBPATTERN:
            one = _width(av[-1], space_run)
            if one is None:
                return None
            total += one
        elif op is C.BRANCH:
            widths = [_width(b, space_run) for b in av[1]]
            if None in widths:
                return None
            total += max(widths, default=0)
        elif op in (C.ASSERT, C.ASSERT_NOT, C.AT):
            continue  # takes no character
        else:
            return None
    return total


def _spaces_only(items) -> bool:
    """Whether a parsed sequence is one white-space character (``\\s``)."""
    C = _re_constants
    return len(items) == 1 and items[0][0] is C.IN and list(items[0][1]) == [(C.CATEGORY, C.CATEGORY_SPACE)]


_SPACE_RUN = re.compile(r"\s\s+")


def _longest_space(text: str, a: int, b: int) -> int:
    """The longest run of white space in ``text[a:b]`` (at least 1)."""
    return max(map(len, _SPACE_RUN.findall(text, a, b)), default=1)


def _holding(spans: list[tuple[int, int]], starts: list[int], pos: int) -> tuple[int, int] | None:
    """The first of the sorted, disjoint ``spans`` holding ``pos`` (None when none does)."""
    k = bisect.bisect_right(starts, pos) - 1
    return spans[k] if k >= 0 and spans[k][0] <= pos < spans[k][1] else None


def _by_sentence(known_events: list[dict]):
    """The known-event hits by sentence, for :func:`_hits_holding` (their sentences are the article's: disjoint)."""
    groups: dict[tuple[int, int], list[dict]] = {}
    for hit in known_events:
        groups.setdefault(tuple(hit["sentence"]), []).append(hit)
    sentences = sorted(groups)
    if any(sentences[i][1] > sentences[i + 1][0] for i in range(len(sentences) - 1)):
        return known_events  # overlapping sentences (a caller's own list): read them all
    return [a for a, _ in sentences], sentences, [groups[s] for s in sentences]


def _hits_holding(by_sentence, pos: int) -> list[dict]:
    """The hits whose sentence holds ``pos``, in their order."""
    if isinstance(by_sentence, list):
        return [hit for hit in by_sentence if hit["sentence"][0] <= pos < hit["sentence"][1]]
    starts, sentences, groups = by_sentence
    k = bisect.bisect_right(starts, pos) - 1
    return groups[k] if k >= 0 and sentences[k][0] <= pos < sentences[k][1] else []


def _between(mentions: list[DateMention], starts: list[int], a: int, b: int) -> list[DateMention]:
    """The mentions (sorted by start) that start in [a, b)."""
    return mentions[bisect.bisect_left(starts, a):bisect.bisect_left(starts, b)]


def _precision_of(value: str | None) -> str | None:
    parsed = parse_iso(value)
    return parsed[1] if parsed else None


def _published_value(published) -> tuple[str | None, str | None]:
    parsed = parse_iso(published)
    if parsed is None:
        return None, None
    return str(published).strip(), parsed[1]


def _nearest_outside(dated: list[DateMention], starts: list[int], para: tuple[int, int], sentence: tuple[int, int],
                     start: int, end: int, longest: int) -> DateMention | None:
    """:func:`_nearest` among the mentions of the paragraph ``para`` outside ``sentence`` (mentions sorted by start).

    Only the mentions that can be nearest are read: after the sentence, the
    first ones; before it, those ending close enough to the claim (a mention is
    at most ``longest`` characters long), so a claim in a one-line article of
    any length reads a few mentions, not all of the paragraph's.
    """
    ss, se = sentence
    i0, i1 = bisect.bisect_left(starts, para[0]), bisect.bisect_left(starts, para[1])
    j0, j1 = bisect.bisect_left(starts, ss), bisect.bisect_left(starts, se)
    if not (start < end and ss <= se and longest >= 0):
        return _nearest([m for m in dated[i0:i1] if not ss <= m.start < se], start, end)
    best = None  # (key, index)
    # before the sentence, from the last mention back (on a tie the earlier mention wins, as in _nearest)
    for i in range(min(i1, j0) - 1, i0 - 1, -1):
        m = dated[i]
        if best is not None and start - (m.start + longest) > best[0][0]:
            break  # this mention and every earlier one end too far before the claim
        key = _gap_key(m, start, end)
        if best is None or key <= best[0]:
            best = (key, i)
    # after the sentence the first mentions are the nearest: those sharing the first start
    k = max(i0, j1)
    while k < i1 and dated[k].start == dated[max(i0, j1)].start:
        m = dated[k]
        key = _gap_key(m, start, end)
        if best is None or key < best[0]:
            best = (key, k)
        k += 1
    return dated[best[1]] if best is not None else None


def _gap_key(m, start: int, end: int) -> tuple[int, int]:
    """How far mention ``m`` stands from the span [start, end): (characters between, 1 if after it)."""
    if m.end <= start:
        return start - m.end, 0
    if m.start >= end:
        return m.start - end, 1
    return 0, 0


def _nearest(mentions: list[DateMention], start: int, end: int) -> DateMention | None:
    """The mention closest to the claim span; on a tie the one before it (dates usually lead)."""
    best = None
    for m in mentions:
        key = _gap_key(m, start, end)
        if best is None or key < best[0]:
            best = (key, m)
    return best[1] if best else None
