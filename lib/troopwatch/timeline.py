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
    for claim in claims:
        ss, se = claim.sentence_start, claim.sentence_end
        cs, ce = claim.start, claim.end
        in_sentence = [m for m in _between(dated, starts, ss, se) if not _in_later_clause(article, ce, m)]
        chosen, basis = _nearest(in_sentence, cs, ce), "sentence"
        if chosen is None:
            para = next(((a, b) for a, b in article.paragraphs if a <= cs < b), None)
            if para is not None:
                others = [m for m in _between(dated, starts, para[0], para[1]) if not ss <= m.start < se]
                chosen, basis = _nearest(others, cs, ce), "paragraph"
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
            na, nb = article.norm_span(ss, se)
            if _since_re().search(norm.text, na, nb):
                if known_events is None:
                    known_events = match_known_events(article, mentions)
                for hit in known_events:
                    if hit["sentence"][0] <= cs < hit["sentence"][1]:
                        ha, hb = article.norm_span(max(ss, hit["cue"][0] - 25), hit["cue"][0])
                        if _since_re().search(norm.text[ha:hb]):
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


def _in_later_clause(article: Article, claim_end: int, m: DateMention) -> bool:
    if m.start < claim_end:
        return False
    a, b = article.norm_span(claim_end, m.start)
    return _clause_opener_re().search(article.norm.text, a, b) is not None


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


def _nearest(mentions: list[DateMention], start: int, end: int) -> DateMention | None:
    """The mention closest to the claim span; on a tie the one before it (dates usually lead)."""
    best = None
    for m in mentions:
        if m.end <= start:
            dist, side = start - m.end, 0
        elif m.start >= end:
            dist, side = m.start - end, 1
        else:
            dist, side = 0, 0
        key = (dist, side)
        if best is None or key < best[0]:
            best = (key, m)
    return best[1] if best else None
