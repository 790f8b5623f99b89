"""Publication dates of English articles: a wire dateline or a stored page's date, else as for Arabic.

* a page's stored date before its text: `` date 2019-03-01 ...``;
* a wire dateline: ``BAGHDAD, Jan 8 (Reuters) -``, ``WASHINGTON, March 14, 2024 (AP) —``,
  ``November 3, 2006: ...`` on one of the first lines.  A year-less dateline takes
  its year from what the text itself allows (the window
  :func:`troopwatch.published.infer_publication` finds), when that leaves one year.

Otherwise (metadata, inference) :func:`troopwatch.published.publication_fields`
decides, exactly as for Arabic.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re

from .article import Article
from .dates import DateMention, parse_iso
from .lexicons import load_lexicon, per_lexicons
from .published import infer_publication, publication_fields

__all__ = ["find_dateline_en", "publication_fields_by_language"]


@per_lexicons
def _page_date() -> re.Pattern:
    words = "|".join(re.escape(str(w)) for w in load_lexicon("en/dates").get("page_date_words") or [])
    return re.compile(rf"\A\s*(?:{words})\s+((?:19|20)\d\d-[01]\d-[0-3]\d)\b", re.I)


# Before a dateline's date: an upper-case place ("BAGHDAD, ", "WASHINGTON, D.C., "); after it: "(Agency) -" or ":".
_PLACE = re.compile(r"(?:^|\n)\s*(?:By [A-Z][^\n]{0,40}?\s)?[A-Z][A-Z .'\-]{2,}(?:,\s*[A-Z][A-Za-z .]*)?,\s*$")
_AFTER = re.compile(r"\s*(?:\([^()\n]{1,40}\)\s*)?[-–—:]")
_NON_SPACE = re.compile(r"\S")
_NEWLINE = re.compile("\n")


def find_dateline_en(article: Article, mentions: list[DateMention], lines: int = 3) -> tuple[str, str] | None:
    """(ISO date, evidence) of a page date or wire dateline on the first lines, or None."""
    text = article.original
    m = _page_date().match(text)
    if m and parse_iso(m.group(1)) is not None:
        return m.group(1), f"page date '{m.group(1)}'"
    limit, seen, pos = len(text), 0, 0
    while seen < lines and pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        if text[pos:end].strip():
            seen += 1
        else:
            pos = end + 1
            continue
        limit = end
        pos = end + 1
    newlines: list[int] | None = None
    for mn in mentions:
        if mn.start >= limit or mn.day is None or mn.month is None:
            continue
        after = _AFTER.match(text, mn.end)
        if not after:
            continue
        if newlines is None:  # the line of each date by bisection: a long line is not scanned back per date
            newlines = [m.start() for m in _NEWLINE.finditer(text, 0, limit)]
        k = bisect.bisect_left(newlines, mn.start)
        line_start = newlines[k - 1] + 1 if k else 0
        # nothing but spaces before the date on its line, or a place that fills the line up to it (the
        # pattern starts at the line's start, so it is tried there only)
        alone = _NON_SPACE.search(text, line_start, mn.start) is None
        if not alone and _PLACE.match(text, max(0, line_start - 1), mn.start) is None:
            continue
        if mn.year is not None:
            return mn.value, f"dateline '{mn.mention}'"
        year = _year_for(article, mentions, mn)
        if year is not None:
            return dt.date(year, mn.month, mn.day).isoformat(), f"dateline '{mn.mention}' (year from the text)"
    return None


def _year_for(article: Article, mentions: list[DateMention], mn: DateMention) -> int | None:
    others = [m for m in mentions if m is not mn]
    est = infer_publication(article, others)
    if est.window is not None:
        lo, hi = est.window
        years = {y for y in range(lo.year, hi.year + 1)
                 if lo <= dt.date(y, mn.month, min(mn.day, 28)) <= hi or lo.year == hi.year}
        if len(years) == 1:
            return years.pop()
    stated = sorted({m.year for m in others if m.year is not None and m.status == "stated"})
    return stated[-1] if stated else None


def publication_fields_by_language(article: Article, mentions: list[DateMention]) -> dict:
    """The publication fields of an article: metadata first, then (English) a dateline, then inference."""
    if article.language != "en" or parse_iso(article.get("published")) is not None:
        return publication_fields(article, mentions)
    found = find_dateline_en(article, mentions)
    if found is None:
        return publication_fields(article, mentions)
    value, evidence = found
    return {"published": value, "published_window": f"{value}/{value}",
            "published_basis": "dateline", "published_evidence": evidence}
