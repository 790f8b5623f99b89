"""Date mentions in Arabic news text: find them, read their stated value, resolve the rest.

Two steps, kept apart on purpose:

* :func:`find_dates` reads only what the text *states*: "3 يناير 2020" is
  2020-01-03, "فبراير 2020" is 2020-02, "عام 2014" is 2014.  Year-less and
  relative mentions ("24 كانون الثاني/يناير", "الأسبوع الماضي", "يوم الأربعاء")
  are found but left unresolved (status ``unresolved``); a day and month with
  no year carries ISO 8601's truncated form ("--01-24") until resolution finds
  its year.  Also read: numeric dates (2022-05-14, 14/5/2022, 14.05.2022, US
  order when the day exceeds 12), Hijri dates (named or numeric with هـ),
  ordinal days (الثامن عشر من مارس), day pairs (يومي 17 و18 من الشهر الجاري),
  days of "the same month", seasons (ربيع 2008, الخريف المقبل), English
  dates on Arabic pages (Wed, 13 Nov 2013), a stored page's " date
  YYYY-MM[-DD]" prefix, a month "of last year" (مايو من العام الماضي) and
  bare اليوم where it times its clause (قال الوزير اليوم، not واليوم "nowadays").
  One thing the text itself resolves: a year-less month or day and month takes
  the year named before it in its sentence ("في آذار 2003 ... في 9 نيسان"),
  the next one when time runs forward to an earlier month ("من كانون الأول 2003
  حتى آذار"), and "من العام ذاته" the last year named in its paragraph; status
  ``resolved``, ``resolved_from`` names that year's mention, and publication
  does not move it.
* :func:`resolve_dates` gives the rest a value from the article's publication
  date (day, month or year precision: a year is enough for العام الماضي, the
  current month, this season), never from the machine clock, and says so in
  ``resolved_from`` (with the date's basis when given).  Without a date,
  :func:`resolve_for_article` keeps what both ends of the publication window
  agree on, and a current month the window holds once.
* A later stage, :func:`troopwatch.events.anchor_to_events`, gives a year-less
  date the year of a known event named with it ("قصفت الصواريخ بغداد في 20
  مارس" beside the invasion of Iraq is 2003-03-20; "الذكرى الـ20" moves it by
  twenty years), with :func:`with_year` and :func:`anniversary_count` from here.

Month names of every system are data (``data/lexicons/months.yml``): Egyptian
and Gulf (يناير), Levantine and Iraqi (كانون الثاني), Maghrebi (جانفي، أوت),
Moroccan (شتنبر), alone or paired with a slash either way (يناير/كانون الثاني).
Weekdays, ordinals and relative words are in ``data/lexicons/date_cues.yml``.

Matching runs on the normalized text (:func:`troopwatch.text.normalize`);
spans are reported in the original text.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Iterable

import pandas as pd

from .lexicons import load_lexicon, per_lexicons
from .article import Article, article_list
from .text import ARABIC_LETTER, ARABIC_LETTERS, normalize, normalize_term
from .words import alternation, clitics, proclitic_regex

try:  # the width of a clitics pattern (as troopwatch.words reads patterns)
    import re._parser as _re_parser
    from re import _constants as _re_constants
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse as _re_parser  # type: ignore[no-redef]
    import sre_constants as _re_constants  # type: ignore[no-redef]

__all__ = [
    "DateMention",
    "DATE_COLUMNS",
    "KINDS",
    "find_dates",
    "resolve_dates",
    "date_mentions_table",
    "date_rows",
    "dates_frame",
    "mention_from_row",
    "resolve_for_article",
    "STATED_COLUMNS",
    "anniversary_count",
    "with_year",
    "parse_iso",
    "hijri_to_gregorian",
    "page_date_match",
]

KINDS = ("full", "month_year", "day_month", "month", "year", "year_range", "season", "weekday", "relative")
DATE_COLUMNS = [
    "article", "mention", "start", "end", "kind", "value", "precision",
    "window_start", "window_end", "status", "resolved_from", "sentence_start", "sentence_end",
]
# What a mention states, kept in the table so that a later stage reads it back
# exactly (a "since" window, the direction of a clause) instead of guessing it.
STATED_COLUMNS = ["year", "month", "day", "weekday", "year_end", "unit", "offset", "part", "since", "ago", "direction"]

_L = ARABIC_LETTER
_LEFT = rf"(?<![{_L}0-9])"
_RIGHT = rf"(?![{_L}0-9])"
# Years a four-digit number may be read as (news about modern events).
_YEAR_MIN, _YEAR_MAX = 1800, 2200
_BARE_YEAR_MIN, _BARE_YEAR_MAX = 1900, 2100


@dataclass(frozen=True)
class DateMention:
    """One date expression: its span in the original text, what it states and how it resolves."""

    start: int
    end: int
    mention: str
    kind: str
    value: str | None = None
    precision: str | None = None
    window_start: str | None = None
    window_end: str | None = None
    status: str = "stated"
    resolved_from: str | None = None
    # What the text says, for resolution.
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    year_end: int | None = None      # last year of a range
    unit: str | None = None          # relative unit: day | week | month | year
    offset: int | None = None        # relative offset in units: -1 previous, 0 this, +1 next
    part: str | None = None          # early | mid | late | earlier | later
    since: bool = False
    ago: bool = False                # "قبل يومين": offset counts back from publication
    direction: str | None = None     # past | future | None (read from modifiers and cues)


def _replace(m: DateMention, **changes) -> DateMention:
    """``dataclasses.replace(m, **changes)`` for the fields of a DateMention, without calling its __init__."""
    new = object.__new__(DateMention)
    fields = new.__dict__
    fields.update(m.__dict__)
    fields.update(changes)
    return new


# ---------------------------------------------------------------- lexicons


def _alt(terms: Iterable[str]) -> str:
    """The alternation of folded terms as a trie: "كانون(?:\\s+(?:الاول|الثاني))?" rather than one branch per term.

    It matches what :func:`troopwatch.words.alternation` matches and prefers the
    same term: terms that both match at a position are prefixes of one another,
    and both forms try the longer first.  Merged prefixes spare the regex engine
    trying every term at every word of the text.
    """
    folded = {normalize_term(t) for t in terms if str(t).strip()}
    if not folded:
        return alternation(folded)
    root: dict = {}
    for term in folded:
        node = root
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def _key(text: str) -> str:
    """Runs of white space made one space, and none at the ends (str.split and \\s agree on what white space is)."""
    return " ".join(text.split())


@dataclass(frozen=True)
class _Lex:
    month_of: dict            # folded name -> month number
    ambiguous_months: frozenset
    needs_day_year: frozenset
    hijri_of: dict
    weekday_of: dict
    ambiguous_weekdays: frozenset
    ordinal_of: dict
    modifier_of: dict         # folded modifier -> -1/0/+1
    part_of: dict             # folded part word -> early/mid/late
    unit_of: dict             # folded unit word -> day/week/month/year
    dayoffset_of: dict
    count_of: dict
    duration_of: dict         # folded unit form -> (unit, number or None)
    earlier_later_of: dict
    season_start: dict        # season name (spring ...) -> month it begins with
    season_of: dict           # folded season word -> season name
    re_month: re.Pattern
    re_month_pair: re.Pattern
    re_hijri: re.Pattern
    re_weekday: re.Pattern
    re_day_left: "_Left"
    re_weekday_left: "_Left"
    re_weekday_comma_left: "_Left"
    re_weekday_pair_right: re.Pattern
    re_tod_left: "_Left"
    re_part_left: "_Left"
    re_since_left: "_Left"
    re_year_right: re.Pattern
    re_mod_right: re.Pattern
    re_year_word_left: "_Left"
    re_year_prep_left: "_Left"
    re_year_suffix_right: re.Pattern
    re_hijri_suffix_right: re.Pattern
    re_relative_unit: re.Pattern
    re_this_unit: re.Pattern
    re_part_unit: re.Pattern
    re_earlier_left: "_Left"
    re_dayoffset: re.Pattern
    re_ago: re.Pattern
    re_future: re.Pattern
    re_general_left: "_Left"
    re_count_noun_right: re.Pattern
    re_weekday_not_after: "_Left"
    re_weekday_not_before: re.Pattern
    re_latin_dmy: re.Pattern
    re_latin_mdy: re.Pattern
    latin_month_of: dict
    re_page_date: re.Pattern
    re_day_pair_left: "_Left"
    re_day_of_month: re.Pattern
    re_season_year: re.Pattern
    re_season_rel: re.Pattern
    re_hijri_part: re.Pattern
    re_year_of_month_right: re.Pattern
    re_same_year_right: re.Pattern
    today_not_after: frozenset
    same_word_set: frozenset
    re_weekday_after_today: re.Pattern
    re_today_not_before: re.Pattern
    imperfect_prefixes: tuple
    forward_words: frozenset
    weekday_verb_window: int
    not_imperfect_verbs: frozenset
    clause_embedders: frozenset
    gate_hijri: tuple         # the first words of the Hijri month names: a text without any has no Hijri date
    # the words that may open a match of each family of patterns (see _Text): (family, test of a word), and
    # what each word of the texts read so far opens
    lead_tests: tuple
    lead_index: dict
    lead_always: frozenset
    lead_reach: int
    word_families: dict
    no_family: set
    re_quantity_before: re.Pattern
    quantity_preps: frozenset
    re_range_count_right: re.Pattern


@per_lexicons
def _lex() -> _Lex:
    # a conjunction then a preposition glued to a date word (وبيناير، ولشهر), from the clitic table
    _CLITICS = proclitic_regex()
    conj = f"(?:[{clitics().conjunctions}]?)"
    months = load_lexicon("months")
    cues = load_lexicon("date_cues")
    month_of: dict[str, int] = {}
    needs: set[str] = set()
    for system in months["systems"].values():
        for number, names in system["months"].items():
            for name in names:
                key = normalize_term(name)
                month_of.setdefault(key, int(number))
                if system.get("needs_day_and_year"):
                    needs.add(key)
    # A name used by another system without the restriction is not restricted.
    needs = {n for n in needs if all(
        normalize_term(x) != n
        for s in months["systems"].values() if not s.get("needs_day_and_year")
        for names in s["months"].values() for x in names)}
    ambiguous = frozenset(normalize_term(x) for x in months.get("ambiguous", []))
    hijri_of = {normalize_term(n): int(m) for m, names in months.get("hijri", {}).items() for n in names}
    weekday_of = {normalize_term(n): int(d) for d, names in cues["weekdays"].items() for n in names}
    ordinal_of = {normalize_term(n): int(d) for d, names in cues["day_ordinals"].items() for n in names}
    for d, names in cues.get("day_ordinals_bare", {}).items():
        for n in names:
            ordinal_of.setdefault(normalize_term(n), int(d))
    feminine_of = {normalize_term(n): int(d) for d, names in cues.get("day_ordinals_feminine", {}).items() for n in names}
    # a day ordinal: any masculine form, a feminine one only before «من» ("الثانية من ديسمبر")
    ordinals = _alt(ordinal_of) + (rf"|(?:{_alt(feminine_of)})(?=\s+من\s)" if feminine_of else "")
    for n, d in feminine_of.items():
        ordinal_of.setdefault(n, d)
    season_start = {name: int(v["starts"]) for name, v in cues.get("seasons", {}).items()}
    season_of = {normalize_term(w): name for name, v in cues.get("seasons", {}).items() for w in v["names"]}
    latin_month_of = {n.lower(): int(m) for m, names in months.get("latin", {}).items() for n in names}
    latin_months = "|".join(re.escape(n) for n in sorted(latin_month_of, key=len, reverse=True))
    latin_weekdays = "|".join(re.escape(n) for n in sorted(months.get("latin_weekdays", []), key=len, reverse=True))
    modifier_of = {}
    for name, off in (("previous", -1), ("current", 0), ("next", 1)):
        for w in cues["relative_modifiers"][name]:
            modifier_of[normalize_term(w)] = off
    part_of = {normalize_term(w): p for p, ws in cues["period_parts"].items() for w in ws}
    unit_of = {normalize_term(w): u for u, ws in cues["relative_units"].items() for w in ws}
    dayoffset_of = {normalize_term(w): int(o) for o, ws in cues["relative_days"].items() for w in ws}
    count_of = {normalize_term(w): int(n) for n, ws in cues["count_words"].items() for w in ws}
    duration_of = {}
    for unit, forms in cues["duration_units"].items():
        for w in forms["singular"]:
            duration_of[normalize_term(w)] = (unit, 1)
        for w in forms["dual"]:
            duration_of[normalize_term(w)] = (unit, 2)
        for w in forms["plural"]:
            duration_of[normalize_term(w)] = (unit, None)
    earlier_later_of = {normalize_term(w): p for p, ws in cues["earlier_later"].items() for w in ws}

    month_alt = _alt(month_of)
    mods = _alt(modifier_of)
    parts = _alt(part_of)
    tod = _alt(cues["time_of_day"])
    units_no_al = "|".join(re.escape(u[2:]) for u in sorted(unit_of, key=len, reverse=True) if u.startswith("ال"))

    def words(name: str) -> str:
        return _alt(cues[name])

    # a day as digits or as an ordinal word ("15", "الخامس عشر"), after an optional و and ال
    day_ref = rf"(?:(?<![{_L}0-9.,/:])(?:و)?(?:ال)?(?P<dnum>[0-9]{{1,2}})|{_LEFT}{_CLITICS}(?P<dord>{ordinals}))"
    lead_tests, lead_index, lead_always, lead_reach = _lead_tests({
        # family: (the clitics a match may open with, the words that may follow them)
        "month": (_CLITICS, month_of),
        "hijri": (_CLITICS, hijri_of),
        "parts": (_CLITICS, part_of),
        "weekday": (conj, weekday_of),
        "relative_unit": (rf"(?:{_CLITICS}|{conj}لل)(?:ال)?", [u[2:] for u in unit_of if u.startswith("ال")]),
        "this": (_CLITICS, cues["this_words"]),
        "dayoffset": (rf"{conj}(?:[{clitics().prepositions}]|لل)?",
                      ["صباح", "مساء", "ليلة", "فجر", "ظهر", "عصر", "نهار", "ظهيرة"] + list(dayoffset_of) + ["اليوم"]),
        "ago": (conj, ["قبل", "منذ"]),
        "season": (_CLITICS, list(season_of) + list(cues["this_words"])),
        "future": (_CLITICS, cues["future_cues"]),
    })
    return _Lex(
        month_of=month_of,
        ambiguous_months=ambiguous,
        needs_day_year=frozenset(needs),
        hijri_of=hijri_of,
        weekday_of=weekday_of,
        ambiguous_weekdays=frozenset(normalize_term(x) for x in cues.get("ambiguous_weekdays", [])),
        ordinal_of=ordinal_of,
        modifier_of=modifier_of,
        part_of=part_of,
        unit_of=unit_of,
        dayoffset_of=dayoffset_of,
        count_of=count_of,
        duration_of=duration_of,
        earlier_later_of=earlier_later_of,
        season_start=season_start,
        season_of=season_of,
        # a month name, after an optional conjunction or preposition clitic
        re_month=re.compile(rf"{_LEFT}{_CLITICS}(?P<m>{month_alt}){_RIGHT}"),
        # a second name for the same month: "يونيو/حزيران", "يونيو حزيران", "أغسطس (آب)" (a bracket closed only if opened here)
        re_month_pair=re.compile(rf"(?:\s*(?P<open>\()\s*|\s*(?:/|\\|-|،\s*او|\s+او)\s*|\s+)(?P<m>{month_alt}){_RIGHT}(?(open)\s*\)|)"),
        re_hijri=re.compile(rf"{_LEFT}{_CLITICS}(?P<m>{_alt(hijri_of)}){_RIGHT}"),
        re_weekday=re.compile(rf"{_LEFT}{conj}(?P<w>{_alt(weekday_of)}){_RIGHT}"),
        re_day_left=_Left(re.compile(
            day_ref +
            rf"\s*(?:[-/.]\s*)?(?:من\s+)?(?:شهر\s+)?[\"']?\s*$"),
            _ends(ordinal_of, feminine_of, extra=list("0123456789-/.\"'") + ["من", "شهر"])),
        re_weekday_left=_Left(re.compile(rf"{_LEFT}{conj}(?P<w>{_alt(weekday_of)})\s*$"), _ends(weekday_of)),
        re_weekday_pair_right=re.compile(rf"\s*-\s*(?P<w>{_alt(weekday_of)}){_RIGHT}"),
        re_weekday_comma_left=_Left(re.compile(rf"{_LEFT}{conj}(?P<w>{_alt(weekday_of)})\s*[،,]\s*$"), ("،", ",")),
        re_tod_left=_Left(re.compile(rf"{_LEFT}{_CLITICS}(?P<t>{tod})\s+$"), _ends(cues["time_of_day"])),
        re_part_left=_Left(re.compile(rf"{_LEFT}{_CLITICS}(?P<p>{parts})\s+(?:من\s+)?$"), _ends(part_of, extra=["من"])),
        re_since_left=_Left(re.compile(rf"{_LEFT}(?P<s>{words('since_words')})\s+$"), _ends(cues["since_words"])),
        re_year_right=re.compile(
            rf"\s*(?:[-/.,،]\s*)?[\"']?\s*(?:(?:من\s+)?(?:لعام|عام|العام|سنة|للعام)\s+)?"
            rf"(?P<y>[0-9]{{4}})(?![0-9.,/]?[0-9])(?:\s*(?:{words('gregorian_suffix')}){_RIGHT})?"),
        re_mod_right=re.compile(rf"\s+(?P<mod>{mods}){_RIGHT}"),
        re_year_word_left=_Left(re.compile(rf"{_LEFT}(?:{conj}(?:[{clitics().prepositions}]|لل)?)(?P<w>{_alt(cues['year_words'])}|{_alt(w[2:] for w in cues['year_words'] if normalize_term(w).startswith('ال'))})\s*$"),
            _ends(cues['year_words'], [w[2:] for w in cues['year_words'] if normalize_term(w).startswith('ال')])),
        re_year_prep_left=_Left(re.compile(rf"{_LEFT}{conj}(?:[بل])?(?P<w>{words('year_prepositions')})\s+$"), _ends(cues["year_prepositions"])),
        re_year_suffix_right=re.compile(rf"\s*(?:{words('gregorian_suffix')}){_RIGHT}"),
        re_hijri_suffix_right=re.compile(rf"\s*(?:{words('hijri_suffix')}){_RIGHT}"),
        re_relative_unit=re.compile(
            rf"{_LEFT}(?:{_CLITICS}|{conj}لل)(?P<u>(?:ال)?(?:{units_no_al}))\s+(?P<mod>{mods}){_RIGHT}"),
        re_this_unit=re.compile(rf"{_LEFT}{_CLITICS}(?P<this>{words('this_words')})\s+(?P<u>{_alt(unit_of)}){_RIGHT}"),
        re_part_unit=re.compile(rf"{_LEFT}{_CLITICS}(?P<p>{parts})\s+(?P<u>{_alt(u for u, k in unit_of.items() if k in ('week', 'month', 'year'))}){_RIGHT}"),
        re_earlier_left=_Left(re.compile(rf"{_LEFT}{conj}(?P<e>{_alt(earlier_later_of)})\s+$"), _ends(earlier_later_of)),
        re_dayoffset=re.compile(
            rf"{_LEFT}(?:{conj}(?:[{clitics().prepositions}]|لل)?)(?:(?P<t>{_alt(['صباح', 'مساء', 'ليلة', 'فجر', 'ظهر', 'عصر', 'نهار', 'ظهيرة'])})\s+)?"
            rf"(?P<d>{_alt(list(dayoffset_of) + ['اليوم'])}){_RIGHT}"),
        re_ago=re.compile(
            rf"{_LEFT}{conj}(?P<a>قبل|منذ)\s+(?:(?P<n>[0-9]{{1,3}}|{_alt(count_of)})\s+)?"
            rf"(?P<u>{_alt(duration_of)}){_RIGHT}"),
        re_future=re.compile(rf"{_LEFT}{_CLITICS}(?:{words('future_cues')}){_RIGHT}"),
        re_general_left=_Left(re.compile(rf"{_LEFT}(?:{_CLITICS}|{conj}لل)(?:{words('general_before')})\s+$"), _ends(cues["general_before"])),
        re_count_noun_right=re.compile(rf"\s*(?:{words('count_nouns')})"),
        re_weekday_not_after=_Left(re.compile(rf"(?:{words('weekday_not_after')})\s+$"), _ends(cues["weekday_not_after"])),
        re_weekday_not_before=re.compile(rf"\s+(?:{words('weekday_not_before')}){_RIGHT}"),
        # English dates on an Arabic page: "Wed, 13 Nov 2013", "August 31, 2016"
        re_latin_dmy=re.compile(
            rf"(?<![A-Za-z0-9])(?:(?:{latin_weekdays})\.?,?\s+)?(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{latin_months})\.?,?\s+"
            rf"(?P<y>[0-9]{{4}})(?![0-9])", re.IGNORECASE),
        re_latin_mdy=re.compile(
            rf"(?<![A-Za-z0-9])(?:(?:{latin_weekdays})\.?,?\s+)?(?P<m>{latin_months})\.?\s+(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+"
            rf"(?P<y>[0-9]{{4}})(?![0-9])", re.IGNORECASE),
        latin_month_of=latin_month_of,
        re_page_date=re.compile(
            rf"\A\s*(?:{_alt(cues.get('page_date_prefix', []))})\s+(?P<y>[0-9]{{4}})-(?P<m>[0-9]{{2}})(?:-(?P<d>[0-9]{{2}}))?(?![0-9-])"),
        # the first day of a pair: "يومي 17 و18"، "الأول والثاني من ديسمبر"
        re_day_pair_left=_Left(re.compile(
            rf"(?:(?<![{_L}0-9.,/:])(?:ال)?(?P<dnum>[0-9]{{1,2}})|{_LEFT}{_CLITICS}(?P<dord>{ordinals}))\s*(?:,|،)?\s*$"),
            _ends(ordinal_of, feminine_of, extra=list("0123456789,،"))),
        # a day of a month named by reference: "الخامس من الشهر الجاري", "و18 من الشهر نفسه"
        re_day_of_month=re.compile(
            day_ref +
            rf"\s+من\s+(?:هذا\s+)?الشهر(?:\s+(?:(?P<mod>{mods})|(?P<same>{words('same_words')})))?{_RIGHT}"),
        re_season_year=re.compile(
            rf"{_LEFT}{_CLITICS}(?P<s>{_alt(season_of)})\s+(?:(?:من\s+)?(?:عام|العام|سنة)\s+)?(?P<y>[0-9]{{4}})(?![0-9])"),
        re_season_rel=re.compile(
            rf"{_LEFT}{_CLITICS}(?:(?P<this>{words('this_words')})\s+)?(?P<s>{_alt(w for w in season_of if w.startswith('ال'))})"
            rf"(?:\s+(?P<mod>{mods}))?{_RIGHT}"),
        quantity_preps=frozenset(normalize_term(w) for w in cues.get("quantity_prepositions", [])),
        re_quantity_before=re.compile(rf"{_LEFT}{_CLITICS}(?:{words('quantity_words')}){_RIGHT}"),
        re_range_count_right=re.compile(rf"\s*(?:الي|إلى|و|-)\s*[0-9][0-9,.]*\s*(?:{words('count_nouns')})"),
        re_hijri_part=re.compile(rf"{_LEFT}{_CLITICS}(?P<p>{parts})\s+(?:شهر\s+)?(?P<m>{_alt(hijri_of)}){_RIGHT}"),
        # after a month: "من العام الماضي" (its year relative to publication), "من العام ذاته" (the year named before)
        re_year_of_month_right=re.compile(
            rf"\s+(?:من\s+)?(?:{words('this_words')}\s+)?(?P<u>{_alt(cues['relative_units']['year'])})\s+(?P<mod>{mods}){_RIGHT}"),
        re_same_year_right=re.compile(rf"\s+(?:{words('same_year')}){_RIGHT}"),
        today_not_after=frozenset(normalize_term(w) for w in cues.get("today_not_after", [])),
        same_word_set=frozenset(normalize_term(w) for w in cues.get("same_words", [])),
        gate_hijri=_first_words(hijri_of),
        lead_tests=lead_tests,
        lead_index=lead_index,
        lead_always=lead_always,
        lead_reach=lead_reach,
        word_families={},
        no_family=set(),
        forward_words=frozenset(normalize_term(w) for w in cues.get("forward_words", [])),
        imperfect_prefixes=tuple(normalize_term(w) for w in cues.get("imperfect_prefixes", [])),
        weekday_verb_window=int(cues.get("weekday_verb_window", 0)),
        not_imperfect_verbs=frozenset(normalize_term(w) for w in cues.get("not_imperfect_verbs", [])),
        clause_embedders=frozenset(normalize_term(w) for w in cues.get("clause_embedders", [])),
        re_today_not_before=re.compile(rf"\s+(?:{words('today_not_before')}){_RIGHT}"),
        re_weekday_after_today=re.compile(rf"[\s،,(/\-]*{conj}(?:{_alt(weekday_of)}){_RIGHT}"),
    )


class _Left:
    """A pattern searched just before a position: it ends with ``$`` (at ``endpos``) after optional white space.

    A match ends with one of ``ends`` (the last words of its terms, or the marks
    it may end with) and then white space only, so the text before the position
    must end so once stripped; where it does not, the search is skipped.
    """

    __slots__ = ("rx", "ends")

    def __init__(self, rx: re.Pattern, ends: tuple):
        self.rx, self.ends = rx, ends

    def search(self, nt: str, lo: int, hi: int, before: str | None = None) -> re.Match | None:
        """``rx.search(nt, lo, hi)``; ``before`` is ``nt[lo:hi].rstrip()`` when the caller has it."""
        if not (nt[lo:hi].rstrip() if before is None else before).endswith(self.ends):
            return None
        return self.rx.search(nt, lo, hi)


def _ends(*term_lists: Iterable[str], extra: Iterable[str] = ()) -> tuple:
    """The last word of each folded term, and ``extra``: what a text before a match of them ends with (once stripped)."""
    lists = [[normalize_term(t) for t in terms if str(t).strip()] for terms in term_lists]
    if not all(lists):
        return ("",)   # a list without terms: its alternation matches the empty string, so anything may end a match
    out = {t.split(" ")[-1] for terms in lists for t in terms} | set(extra)
    return tuple(sorted(out))


def _first_words(terms: Iterable[str]) -> tuple:
    """The first word of each folded term (a text holding none of them holds none of the terms)."""
    return tuple(sorted({normalize_term(t).split(" ")[0] for t in terms if str(t).strip()}))


def _holds_any(nt: str, words: tuple) -> bool:
    return any(w in nt for w in words)


_LETTER_RUN = re.compile(f"[{_L}]+")
# Latin letters and digits; under IGNORECASE these four also match Latin letters (İ ı ſ K)
_LATIN_RUN = re.compile("[A-Za-z0-9\u0130\u0131\u017f\u212a]+")


def _lead_tests(families: dict) -> tuple:
    """(family, test) pairs: ``test.fullmatch(word)`` when an Arabic word may open a match of the family's patterns;
    then the lead words (lead -> families), the families to test on every word, and the longest clitics.

    Each family is the clitics its patterns allow at a match's start and the
    terms that follow them; a word opens a match only if it is such clitics
    and the letters that open one of the terms (its first word up to the
    first character that is not a letter): every pattern of a family follows
    a term's first word with white space or ``_RIGHT``, never with a letter.
    A family whose clitics or terms do not open with a letter gets no test:
    its patterns are run over the whole text.
    """
    out = []
    index: dict[str, set] = {}   # lead -> the families it opens a term of
    always: set = set()          # families whose clitics may be any length: tested on every word
    longest = 0                  # the most characters the clitics of a family take
    for family, (prefix, terms) in families.items():
        leads = set()
        for t in terms:
            first = normalize_term(t).split(" ")[0]
            k = 0
            while k < len(first) and first[k] in ARABIC_LETTERS:
                k += 1
            leads.add(first[:k])
        if "" in leads or not set(clitics().conjunctions + clitics().prepositions) <= ARABIC_LETTERS:
            out.append((family, None))
            continue
        alt = "|".join(re.escape(w) for w in sorted(leads, key=len, reverse=True))
        out.append((family, re.compile(f"(?:{prefix})(?:{alt})")))
        reach = _re_parser.parse(prefix).getwidth()[1]
        for w in leads:
            index.setdefault(w, set()).add(family)
        if reach >= _re_constants.MAXREPEAT:
            always.add(family)
        else:
            longest = max(longest, reach)
    return tuple(out), {w: frozenset(f) for w, f in index.items()}, frozenset(always), longest


class _Text:
    """One normalized text and where the matches of the date patterns may start in it, found once for every pattern.

    A pattern that opens with ``_LEFT`` and Arabic letters (clitics, then a
    word of its lexicon) can match only where a maximal run of Arabic letters
    (a word of :data:`troopwatch.words.TOKEN_RE`) starts, and only at a word
    that opens with those letters: :meth:`starts` lists those places, and
    :func:`_scan` tries the pattern there alone.  The English patterns open
    with a run of Latin letters or digits (:meth:`latin_starts`).
    """

    __slots__ = ("nt", "_tokens", "_words", "_starts", "_latin")

    def __init__(self, nt: str, tokens: list | None = None):
        self.nt = nt
        self._tokens = tokens
        self._words = set(map(itemgetter(2), tokens)) if tokens is not None else None
        self._starts: dict | None = None
        self._latin: list | None = None

    def starts(self, family: str) -> list[int] | None:
        """Sorted starts of the words that may open a match of ``family``; None when the family has no test."""
        if self._starts is None:
            self._starts = self._find_starts()
        return self._starts.get(family)

    def _find_starts(self) -> dict:
        """family -> sorted starts of its words (found for every family at once: most words open none)."""
        lex = _lex()
        known, none = lex.word_families, lex.no_family
        if len(none) > 500_000:
            none.clear()   # bounded: a word not remembered is tested again
        tests, index, always, reach = lex.lead_tests, lex.lead_index, lex.lead_always, lex.lead_reach
        words = self._words if self._words is not None else set(_LETTER_RUN.findall(self.nt))
        out: dict = {f: [] for f, rx in tests if rx is not None}
        relevant: dict = {}
        for w in words - none:
            fams = known.get(w)
            if fams is None:
                # a word is clitics and a lead: the families of its endings that are leads (and those of any clitics)
                maybe = set(always)
                for i in range(min(len(w), reach) + 1):
                    maybe.update(index.get(w[i:], ()))
                fams = tuple(f for f, rx in tests if f in maybe and rx is not None and rx.fullmatch(w))
                if not fams:
                    none.add(w)
                    continue
                known[w] = fams
            relevant[w] = fams
        if relevant:
            # the words in text order (an Arabic token is a whole run of letters), so each list comes sorted
            spans = self._tokens if self._tokens is not None else \
                ((m.start(), m.end(), m.group()) for m in _LETTER_RUN.finditer(self.nt))
            get = relevant.get
            for start, _end, w in spans:
                fams = get(w)
                if fams is not None:
                    for f in fams:
                        out[f].append(start)
        return out

    def clause_start(self, pos: int) -> int:
        """Where the clause before ``pos`` starts (as :func:`_clause_before`, without copying the text)."""
        lo = max(0, pos - 120)
        cut = max(self.nt.rfind(c, lo, pos) for c in _CLAUSE_MARKS)
        return cut + 1 if cut >= 0 else lo

    def latin_starts(self) -> list[int]:
        """Where each run of Latin letters and digits starts."""
        if self._latin is None:
            self._latin = [m.start() for m in _LATIN_RUN.finditer(self.nt)]
        return self._latin


def _scan(rx: re.Pattern, nt: str, starts: list[int] | None) -> "list[re.Match] | Iterable[re.Match]":
    """``rx.finditer(nt)`` when every match starts at one of the sorted ``starts`` (None: every position).

    Trying those places in order, each at or after the end of the previous
    match, is what finditer does (no pattern here matches the empty string).
    """
    if starts is None:
        return rx.finditer(nt)
    out = []
    end = 0
    match = rx.match
    for p in starts:
        if p >= end:
            m = match(nt, p)
            if m is not None:
                out.append(m)
                end = m.end()
    return out


# ---------------------------------------------------------------- calendar helpers


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _valid_day(year: int | None, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    limit = _days_in_month(year if year is not None else 2000, month)  # 2000: leap, allows 29 Feb
    return day <= limit


def _iso(year: int, month: int | None = None, day: int | None = None) -> str:
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_iso(value) -> tuple[dt.date, str] | None:
    """(first day, precision) of an ISO value 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'; None when absent."""
    if value is None:
        return None
    if type(value) is str:
        return _parse_iso_text(value)
    if isinstance(value, dt.datetime):
        return value.date(), "day"
    if isinstance(value, dt.date):
        return value, "day"
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return _parse_iso_text(str(value))


_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@lru_cache(maxsize=65536)
def _parse_iso_text(value: str) -> tuple[dt.date, str] | None:
    text = value.strip()
    m = _ISO.fullmatch(text)
    if not m:
        return None
    y, mo, d = m.groups()
    try:
        if d:
            return dt.date(int(y), int(mo), int(d)), "day"
        if mo:
            return dt.date(int(y), int(mo), 1), "month"
        return dt.date(int(y), 1, 1), "year"
    except ValueError:
        return None


def hijri_to_gregorian(year: int, month: int, day: int) -> dt.date:
    """The Gregorian date of a Hijri date by the arithmetic (tabular) calendar; may differ by a day or two.

    The astronomical epoch (Thursday 15 July 622) is used: dated Arabic pages
    (Umm al-Qura and observed calendars) fall on it more often than on the civil
    epoch a day later.
    """
    jdn = day + math.ceil(29.5 * (month - 1)) + (year - 1) * 354 + (3 + 11 * year) // 30 + 1948438
    return dt.date.fromordinal(jdn - 1721425)


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def _common_value(a: dt.date, b: dt.date) -> tuple[str | None, str | None]:
    """The value both ends of a window share, at the finest precision they share."""
    if a == b:
        return a.isoformat(), "day"
    if (a.year, a.month) == (b.year, b.month):
        return _iso(a.year, a.month), "month"
    if a.year == b.year:
        return _iso(a.year), "year"
    return None, None


def _part_window(start: dt.date, end: dt.date, part: str | None) -> tuple[dt.date, dt.date]:
    """The early/mid/late third of a period."""
    if part not in ("early", "mid", "late"):
        return start, end
    n = (end - start).days + 1
    third = max(n // 3, 1)
    if part == "early":
        return start, start + dt.timedelta(days=third - 1)
    if part == "mid":
        return start + dt.timedelta(days=third), end - dt.timedelta(days=third)
    return end - dt.timedelta(days=third - 1), end


# ---------------------------------------------------------------- finding


@dataclass
class _Cand:
    start: int           # normalized offsets
    end: int
    kind: str
    fields: dict


_CLAUSE_MARKS = tuple("،,;؛.:!?\n")


def _clause_before(nt: str, pos: int) -> str:
    """The clause before ``pos``: back to the last punctuation mark, at most 120 characters."""
    lo = max(0, pos - 120)
    chunk = nt[lo:pos]
    cut = max(map(chunk.rfind, _CLAUSE_MARKS))
    return chunk[cut + 1:] if cut >= 0 else chunk


@per_lexicons
def _past_auxiliaries() -> frozenset:
    return frozenset(normalize_term(w) for w in load_lexicon("date_cues").get("past_auxiliaries") or [])


def _direction(nt: str, start: int, end: int, tx: "_Text | None" = None) -> str | None:
    """"future" when the clause before the date speaks of the future ("من المقرر أن"، "سوف").

    A past auxiliary right before the cue ("كان من المقرر"، "كانوا يتوقعون")
    puts the expectation in the past: it does not make the date a future one.
    """
    if tx is None:
        clause = _clause_before(nt, start)
    else:
        lo = tx.clause_start(start)
        if lo == 0 or nt[lo - 1] not in ARABIC_LETTERS:
            # a cue inside the clause starts at a word of the text that opens one (the clause starts at a word too)
            at = tx.starts("future")
            if at is not None:
                i = bisect.bisect_left(at, lo)
                if i == len(at) or at[i] >= start:
                    return None
        clause = nt[lo:start]
    hits = list(_lex().re_future.finditer(clause))
    if not hits:
        return None
    aux = _past_auxiliaries()
    conj = clitics().conjunctions
    for hit in hits:
        before = clause[:hit.start()].split()[-2:]
        if not any(w in aux or (w[:1] in conj and w[1:] in aux) for w in before):
            return "future"
    return None


def _extend_left(nt: str, start: int, fields: dict, allow_weekday: bool = True, lex: _Lex | None = None) -> int:
    """Absorb a weekday, a time-of-day word, a part of period and 'since' written before a date."""
    lex = lex or _lex()
    lo = max(0, start - 60)
    before = nt[lo:start].rstrip()   # what each pattern below ends with: read once for all
    if allow_weekday:
        m = lex.re_weekday_left.search(nt, lo, start, before)
        if m and m.end() == start:
            fields["weekday"] = lex.weekday_of[_key(m.group("w"))]
            start = m.start("w")
            lo = max(0, start - 60)
            before = nt[lo:start].rstrip()
        else:
            # "الإثنين، 20 مارس": the weekday is its own mention, but it still says which years the date can fall in
            m = lex.re_weekday_comma_left.search(nt, lo, start, before)
            if m and m.end() == start:
                fields["weekday"] = lex.weekday_of[_key(m.group("w"))]
                return start
    m = lex.re_tod_left.search(nt, lo, start, before)
    if m and m.end() == start:
        start = m.start("t")
        lo = max(0, start - 60)
        before = nt[lo:start].rstrip()
    m = lex.re_part_left.search(nt, lo, start, before)
    if m and m.end() == start:
        fields["part"] = lex.part_of[_key(m.group("p"))]
        start = m.start("p")
        lo = max(0, start - 60)
        before = nt[lo:start].rstrip()
    m = lex.re_since_left.search(nt, lo, start, before)
    if m and m.end() == start:
        fields["since"] = True
        start = m.start("s")
    return start


_YEAR_AFTER_BRACKET = re.compile(r"\s*\)\s*من\s+(?:عام|العام|سنة)\s+(?P<y>[0-9]{4})(?![0-9])")


def _month_candidates(tx: _Text) -> list[_Cand]:
    lex = _lex()
    nt = tx.nt
    out: list[_Cand] = []
    consumed_to = -1
    for m in _scan(lex.re_month, nt, tx.starts("month")):
        if m.start("m") < consumed_to:
            continue
        name = _key(m.group("m"))
        month = lex.month_of[name]
        start, end = m.start("m"), m.end("m")
        paired = False
        p = lex.re_month_pair.match(nt, end)
        if p and lex.month_of[_key(p.group("m"))] == month:
            end = p.end()
            paired = True
            other = _key(p.group("m"))
        else:
            other = None
        fields: dict = {"month": month}
        # day before the month
        shahr = False
        lo = max(0, start - 45)
        d = lex.re_day_left.search(nt, lo, start)
        if d and d.end() == start:
            day = int(d.group("dnum")) if d.group("dnum") else lex.ordinal_of[_key(d.group("dord"))]
            if _valid_day(None, month, day):
                fields["day"] = day
                start = d.start("dnum") if d.group("dnum") else d.start("dord")
                if d.group("dnum") and nt[max(0, start - 2):start] == "ال":
                    start -= 2
            elif re.search(r"شهر\s+$", nt[lo:start]):
                shahr = True
                start = lo + re.search(r"شهر\s+$", nt[lo:start]).start()
        else:
            before = nt[lo:start]
            s = re.search(r"(?<![" + _L + r"])" + proclitic_regex() + r"(شهر)\s+$", before) \
                if before.rstrip().endswith("شهر") else None
            if s:
                shahr = True
                start = lo + s.start(1)
        # year after the month
        y = lex.re_year_right.match(nt, end)
        if y and _YEAR_MIN <= int(y.group("y")) <= _YEAR_MAX:
            fields["year"] = int(y.group("y"))
            end = y.end()
        elif (yb := _YEAR_AFTER_BRACKET.match(nt, end)) and _YEAR_MIN <= int(yb.group("y")) <= _YEAR_MAX:
            fields["year"] = int(yb.group("y"))  # "(12 تشرين الثاني) من عام 2003": the year is its own mention
        else:
            mod = lex.re_mod_right.match(nt, end)
            if mod and "year" not in fields:
                fields["offset"] = lex.modifier_of[_key(mod.group("mod"))]
                end = mod.end()
            elif (yo := lex.re_year_of_month_right.match(nt, end)):
                # "12 حزيران من العام الماضي": the year is publication's, moved by the modifier
                fields["unit"], fields["offset"] = "year", lex.modifier_of[_key(yo.group("mod"))]
                end = yo.end()
            elif (same := lex.re_same_year_right.match(nt, end)):
                # "الأول من مايو من العام ذاته": the year the text named last (unit year, no offset; see _anchor_years)
                fields["unit"] = "year"
                end = same.end()
        if "day" in fields and "year" in fields and not _valid_day(fields["year"], month, fields["day"]):
            del fields["day"]
        first_day = _first_of_pair(nt, start, month, fields) if "day" in fields else None
        start = _extend_left(nt, start, fields, allow_weekday="day" in fields, lex=lex)
        # names that are ordinary words need a date around them
        has_context = bool({"day", "year", "offset", "part", "since"} & set(fields)) or shahr or paired
        if name in lex.needs_day_year and not ("day" in fields and "year" in fields):
            continue
        if name in lex.ambiguous_months and not has_context:
            if not (other and other not in lex.ambiguous_months):
                continue
        if "day" in fields and "year" in fields:
            kind = "full"
        elif "year" in fields:
            kind = "month_year"
        elif "day" in fields:
            kind = "day_month"
        else:
            kind = "month"
        if fields.get("since") or fields.get("part"):
            kind = "relative"
        out.append(_Cand(start, end, kind, fields))
        if first_day is not None:
            out.append(first_day)
        consumed_to = end
    return out


def _day_at(lex, d: re.Match) -> tuple[int, int]:
    """(day, start) of a day matched by a day pattern (digits or an ordinal word)."""
    if d.group("dnum"):
        return int(d.group("dnum")), d.start("dnum")
    return lex.ordinal_of[_key(d.group("dord"))], d.start("dord")


def _first_of_pair(nt: str, start: int, month: int | None, fields: dict) -> _Cand | None:
    """The first day of a pair written before ``start`` ("يومي 17 و18 ..."، "الأول والثاني من ..."): its own mention."""
    lex = _lex()
    j = start
    if nt[j:j + 1] == "و":
        conj_at = j
    else:
        k = j - 1
        while k >= 0 and nt[k] == " ":
            k -= 1
        conj_at = k if k >= 0 and nt[k] == "و" and (start - k) <= 4 else -1
    if conj_at < 0:
        return None
    lo = max(0, conj_at - 40)
    d = lex.re_day_pair_left.search(nt, lo, conj_at)
    if not d or d.end() != conj_at:
        return None
    day, a = _day_at(lex, d)
    if month is not None and not _valid_day(fields.get("year"), month, day):
        return None
    if not 1 <= day <= 31 or day >= fields["day"]:
        return None
    first = {k: v for k, v in fields.items() if k not in ("weekday", "since", "part")}
    first["day"] = day
    b = d.start("dnum") + len(d.group("dnum")) if d.group("dnum") else d.end("dord")
    if d.group("dnum") and nt[max(0, a - 2):a] == "ال":
        a -= 2
    a = _extend_left(nt, a, first, lex=lex)
    kind = "full" if "year" in first and month is not None else "day_month" if month is not None else "relative"
    return _Cand(a, b, kind, first)


@per_lexicons
def _re_day_of_month_bare() -> re.Pattern | None:
    """"في 8 الشهر الماضي": a day number right before الشهر and its modifier, after a word that dates it (no «من»)."""
    words = load_lexicon("date_cues").get("day_of_month_bare_after") or []
    if not words:
        return None
    mods = _alt(_lex().modifier_of)
    return re.compile(rf"{_LEFT}[{clitics().conjunctions}]?(?:{_alt(words)})\s+(?P<dnum>[0-9]{{1,2}})\s+الشهر\s+(?P<mod>{mods}){_RIGHT}")


def _day_of_month_candidates(nt: str) -> list[_Cand]:
    """A day of a month named by reference: "الخامس من الشهر الجاري", "الخامس من الشهر نفسه", "في 8 الشهر الماضي"."""
    lex = _lex()
    out = []
    if "الشهر" not in nt:
        return out
    bare = _re_day_of_month_bare()
    for m in bare.finditer(nt) if bare is not None else ():
        day, start = int(m.group("dnum")), m.start("dnum")
        if not 1 <= day <= 31:
            continue
        fields = {"unit": "month", "day": day, "offset": lex.modifier_of[_key(m.group("mod"))]}
        start = _extend_left(nt, start, fields, lex=lex)
        out.append(_Cand(start, m.end(), "relative", fields))
    for m in lex.re_day_of_month.finditer(nt):
        day, start = _day_at(lex, m)
        if not 1 <= day <= 31:
            continue
        if m.group("dnum") and nt[max(0, start - 2):start] == "ال":
            start -= 2
        fields: dict = {"unit": "month", "day": day,
                        "offset": lex.modifier_of[_key(m.group("mod"))] if m.group("mod") else 0}
        if m.group("same"):
            fields["part"] = "same"   # the month the text last named
        pair = _first_of_pair(nt, start, None, fields)
        start = _extend_left(nt, start, fields, lex=lex)
        out.append(_Cand(start, m.end(), "relative", fields))
        if pair is not None:
            out.append(pair)
    return out


def _latin_candidates(tx: _Text) -> list[_Cand]:
    """Full dates written in English on an Arabic page ("Wed, 13 Nov 2013", "August 31, 2016")."""
    lex = _lex()
    nt = tx.nt
    out = []
    if not re.search(r"[A-Za-z]", nt):
        return out
    for rx in (lex.re_latin_dmy, lex.re_latin_mdy):
        for m in _scan(rx, nt, tx.latin_starts()):
            y, mo, d = int(m.group("y")), lex.latin_month_of[m.group("m").lower()], int(m.group("d"))
            if not (_YEAR_MIN <= y <= _YEAR_MAX and _valid_day(y, mo, d)):
                continue
            out.append(_Cand(m.start(), m.end(), "full", {"year": y, "month": mo, "day": d}))
    return out


def page_date_match(nt: str) -> re.Match | None:
    """A stored page's own date written before its text (" date 2024-01-12"), on normalized text."""
    return _lex().re_page_date.match(nt)


def _page_date_candidates(nt: str) -> list[_Cand]:
    m = page_date_match(nt)
    if m is None:
        return []
    y, mo = int(m.group("y")), int(m.group("m"))
    fields = {"year": y, "month": mo}
    if m.group("d"):
        fields["day"] = int(m.group("d"))
    if not (_YEAR_MIN <= y <= _YEAR_MAX and 1 <= mo <= 12) or ("day" in fields and not _valid_day(y, mo, fields["day"])):
        return []
    start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
    return [_Cand(start, m.end(), "full" if "day" in fields else "month_year", fields)]


def _season_candidates(tx: _Text) -> list[_Cand]:
    """Seasons with a year ("ربيع 2008") or a modifier ("الخريف المقبل", "هذا الخريف")."""
    lex = _lex()
    nt = tx.nt
    out = []
    starts = tx.starts("season")
    if starts == []:
        return out
    for m in _scan(lex.re_season_year, nt, starts):
        y = int(m.group("y"))
        if not _BARE_YEAR_MIN <= y <= _BARE_YEAR_MAX:
            continue
        fields = {"year": y}
        start = _extend_left(nt, m.start("s"), fields, allow_weekday=False, lex=lex)
        out.append(_Cand(start, m.end(), "relative" if fields.get("since") else "season", fields))
    for m in _scan(lex.re_season_rel, nt, starts):
        if not (m.group("this") or m.group("mod")):
            continue
        if m.group("this") and m.group("mod"):
            continue
        offset = lex.modifier_of[_key(m.group("mod"))] if m.group("mod") else 0
        fields = {"unit": "season", "part": lex.season_of[_key(m.group("s"))], "offset": offset}
        start = m.start("this") if m.group("this") else m.start("s")
        out.append(_Cand(start, m.end(), "season", fields))
    return out


def _hijri_candidates(tx: _Text) -> list[_Cand]:
    lex = _lex()
    nt = tx.nt
    out = []
    names = _holds_any(nt, lex.gate_hijri)
    digits = _HIJRI_DIGITS.search(nt) is not None   # every Hijri year below is 1300-1600
    for m in (_scan(lex.re_hijri, nt, tx.starts("hijri")) if names and digits else ()):
        month = lex.hijri_of[_key(m.group("m"))]
        start, end = m.start("m"), m.end("m")
        d = lex.re_day_left.search(nt, max(0, start - 45), start)
        y = re.compile(r"\s*(?:[-/.,،]\s*)?(?:(?:عام|سنة)\s+)?(?P<y>[0-9]{4})(?![0-9])").match(nt, end)
        if not (d and d.end() == start and y):
            continue
        hy = int(y.group("y"))
        day = int(d.group("dnum")) if d.group("dnum") else lex.ordinal_of[_key(d.group("dord"))]
        if not (1300 <= hy <= 1600 and 1 <= day <= 30):
            continue
        end = y.end()
        suf = lex.re_hijri_suffix_right.match(nt, end)
        if suf:
            end = suf.end()
        g = hijri_to_gregorian(hy, month, day)
        start = d.start("dnum") if d.group("dnum") else d.start("dord")
        fields = {"year": g.year, "month": g.month, "day": g.day, "hijri": f"{day}/{month}/{hy} AH"}
        start = _extend_left(nt, start, fields, lex=lex)
        out.append(_Cand(start, end, "relative" if fields.get("since") else "full", fields))
    for rx in ((_NUMERIC_HIJRI_YMD, _NUMERIC_HIJRI_DMY) if digits else ()):
        # "1427/6/12 هـ", "12-6-1427 هـ": numeric Hijri dates, read only with the Hijri mark
        for m in rx.finditer(nt):
            hy, mo, day = int(m.group("y")), int(m.group("m")), int(m.group("d"))
            suf = lex.re_hijri_suffix_right.match(nt, m.end())
            if not (suf and 1300 <= hy <= 1600 and 1 <= mo <= 12 and 1 <= day <= 30):
                continue
            g = hijri_to_gregorian(hy, mo, day)
            fields = {"year": g.year, "month": g.month, "day": g.day, "hijri": f"{day}/{mo}/{hy} AH"}
            start = _extend_left(nt, m.start(), fields, lex=lex)
            out.append(_Cand(start, suf.end(), "relative" if fields.get("since") else "full", fields))
    for m in (_HIJRI_YEAR.finditer(nt) if digits else ()):
        # "عام 1441هـ": a Hijri year alone spans two Gregorian years: found, no value
        suf = lex.re_hijri_suffix_right.match(nt, m.end())
        if suf and 1300 <= int(m.group("y")) <= 1600:
            start = m.start()
            w = lex.re_year_word_left.search(nt, max(0, start - 30), start)
            if w and w.end() == start:
                start = w.start("w")
            out.append(_Cand(start, suf.end(), "year", {"hijri": f"{m.group('y')} AH"}))
    for m in (_scan(lex.re_hijri_part, nt, tx.starts("parts")) if names else ()):
        # "بداية رمضان": part of a Hijri month, no year: found, left without a value
        out.append(_Cand(m.start("p"), m.end("m"), "relative", {"part": lex.part_of[_key(m.group("p"))], "hijri": "month"}))
    return out


_HIJRI_DIGITS = re.compile(r"1[3-6][0-9]{2}")
# Each pattern opens with its first character, then looks behind it (the digit before which nothing of [0-9./-] stands):
# written so, the regex engine skips to that character instead of trying every position.
_NUMERIC_HIJRI_YMD = re.compile(r"(?P<y>1(?<![0-9./-]1)[3-5][0-9]{2})(?P<s>[-/.])(?P<m>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})(?![0-9]|[./-][0-9])")
_NUMERIC_HIJRI_DMY = re.compile(r"(?P<d>[0-9](?<![0-9./-][0-9])[0-9]?)(?P<s>[-/.])(?P<m>[0-9]{1,2})(?P=s)(?P<y>1[3-5][0-9]{2})(?![0-9]|[./-][0-9])")
_HIJRI_YEAR = re.compile(r"(?P<y>1(?<![0-9./-]1)[3-5][0-9]{2})(?![0-9]|[./-][0-9])")
_NUMERIC_YMD = re.compile(r"(?P<y>[0-9](?<![0-9./-][0-9])[0-9]{3})(?P<s> ?[-/.] ?)(?P<m>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})(?![0-9]|[./-][0-9])")
_NUMERIC_DMY = re.compile(r"(?P<d>[0-9](?<![0-9./-][0-9])[0-9]?)(?P<s> ?[-/.] ?)(?P<m>[0-9]{1,2})(?P=s)(?P<y>[0-9]{4})(?![0-9]|[./-][0-9])")


def _numeric_candidates(tx: _Text) -> list[_Cand]:
    lex = _lex()
    nt = tx.nt
    out = []
    for rx in (_NUMERIC_YMD, _NUMERIC_DMY):
        for m in rx.finditer(nt):
            y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
            if not _YEAR_MIN <= y <= _YEAR_MAX:
                continue
            if " " in m.group("s") and lex.re_count_noun_right.match(nt, m.end()):
                continue  # "3 - 1 - 2000 جندي": numbers, not a date
            if mo > 12 and d <= 12 and rx is _NUMERIC_DMY:
                mo, d = d, mo  # month first (US order) when the first number cannot be a month... read D/M otherwise
            if not _valid_day(y, mo, d):
                continue
            fields = {"year": y, "month": mo, "day": d}
            start = _extend_left(nt, m.start(), fields, lex=lex)
            out.append(_Cand(start, m.end(), "relative" if fields.get("since") else "full", fields))
    return out


_FOUR_DIGITS = re.compile(r"(?P<y>[0-9](?<![0-9.,/:][0-9])[0-9]{3})(?![0-9]|[.,/:][0-9])")
_RANGE_TAIL = re.compile(
    r"\s*(?P<sep>-|/|و|الي|حتي|وحتي)\s*(?:(?:عام|العام|سنة)\s+)?(?P<y2>[0-9]{4}|[0-9]{2})(?![0-9]|[.,/:][0-9])")


def _year_candidates(tx: _Text) -> list[_Cand]:
    lex = _lex()
    nt = tx.nt
    out = []
    last_year_end = -10
    for m in _FOUR_DIGITS.finditer(nt):
        y = int(m.group("y"))
        if not _YEAR_MIN <= y <= _YEAR_MAX:
            continue
        # "عامي 2014 و2015"، "في 2016، 2017": a year listed after a year
        listed = m.start() - last_year_end <= 4 and re.fullmatch(r"\s*(?:[،,]\s*)?و?\s*", nt[last_year_end:m.start()]) is not None
        start, end = m.start(), m.end()
        lo = max(0, start - 30)
        word = lex.re_year_word_left.search(nt, lo, start)
        word = word if word and word.end() == start else None
        prep = lex.re_year_prep_left.search(nt, lo, start)
        prep = prep if prep and prep.end() == start else None
        paren = nt[max(0, start - 2):start].strip().endswith("(")
        fields: dict = {"year": y}
        tail = _RANGE_TAIL.match(nt, end)
        y2 = None
        rejected_tail = False
        if tail:
            raw = tail.group("y2")
            y2 = int(raw) if len(raw) == 4 else (y // 100) * 100 + int(raw)
            between = re.search(r"بين\s+(?:عامي|العامين|سنتي|الاعوام|السنوات)?\s*$", nt[lo:start])
            ok_sep = tail.group("sep") != "و" or between
            closes = nt[tail.end():tail.end() + 2].strip().startswith(")")
            if not (ok_sep and y < y2 <= y + 60 and (word or paren or between or prep or closes or len(raw) == 4)):
                y2 = None
            elif len(raw) == 4 and not (word or paren or between) and lex.re_count_noun_right.match(nt, tail.end()):
                y2 = None
            rejected_tail = y2 is None and tail.group("sep") in ("-", "/")
        suffix = lex.re_year_suffix_right.match(nt, end)
        count_after = lex.re_count_noun_right.match(nt, end)
        # "(2003)": a year standing alone in brackets
        bracketed = paren and _BARE_YEAR_MIN <= y <= _BARE_YEAR_MAX and re.match(r"\s*\)", nt[end:end + 3]) is not None
        is_year = bool(word) or bool(suffix) or y2 is not None or (listed and not count_after) or bracketed
        if not is_year and prep and _BARE_YEAR_MIN <= y <= _BARE_YEAR_MAX and not count_after and not rejected_tail:
            # "وصل العدد إلى 2000", "من 2000 إلى 1400 جندي": a count, not a year
            counted = (_key(prep.group("w")) in lex.quantity_preps
                       and lex.re_quantity_before.search(_clause_before(nt, prep.start())[-40:])) \
                or lex.re_range_count_right.match(nt, end)
            is_year = not counted
        if not is_year:
            continue
        if word:
            start = word.start("w")
            if lex.re_general_left.search(nt, max(0, start - 30), start):
                pass  # "العام 2020" after النائب is still a year: a number follows
        if y2 is not None:
            end = tail.end()
            fields["year_end"] = y2
            kind = "year_range"
        else:
            kind = "year"
            if suffix:
                end = suffix.end()
        start = _extend_left(nt, start, fields, allow_weekday=False, lex=lex)
        if fields.get("since") or fields.get("part"):
            kind = "relative"
        out.append(_Cand(start, end, kind, fields))
        last_year_end = end
    return out


def _weekday_candidates(tx: _Text) -> list[_Cand]:
    lex = _lex()
    nt = tx.nt
    out = []
    for m in _scan(lex.re_weekday, nt, tx.starts("weekday")):
        name = _key(m.group("w"))
        start, end = m.start("w"), m.end("w")
        fields: dict = {"weekday": lex.weekday_of[name]}
        lo = max(0, start - 30)
        if lex.re_weekday_not_after.search(nt, lo, start) or lex.re_weekday_not_before.match(nt, end):
            continue
        tod = lex.re_tod_left.search(nt, lo, start)
        has_tod = bool(tod and tod.end() == start)
        mod = lex.re_mod_right.match(nt, end)
        if mod:
            fields["offset"] = lex.modifier_of[_key(mod.group("mod"))]
            end = mod.end()
        else:
            night = lex.re_weekday_pair_right.match(nt, end)
            if night:
                end = night.end()   # "ليل الخميس-الجمعة": one night across two days, dated by the first
        if name in lex.ambiguous_weekdays and not (has_tod or mod):
            before = nt[lo:start].rstrip()
            after = nt[end:end + 6]
            ok = (before.endswith(("،", ",", "(")) or re.match(r"\s*[،,.):\"«]", after)
                  or re.match(r"\s+(?:ان|انه|انها)" + _RIGHT, after + " ") or re.match(r"\s*[0-9]", after))
            if not ok:
                continue
        if has_tod and _key(tod.group("t")) == "اليوم":
            fields["today"] = True
        if has_tod and lex.dayoffset_of.get(_key(tod.group("t")), 0) < 0:
            fields["direction"] = "past"  # "أمس الجمعة": yesterday, whatever the clause expects
        start = _extend_left(nt, start, fields, allow_weekday=False, lex=lex)
        fields.setdefault("direction", _direction(nt, start, end, tx) or _imperfect_clause(nt, start, fields, has_tod))
        out.append(_Cand(start, end, "weekday", fields))
    return out


def _imperfect_clause(nt: str, start: int, fields: dict, has_tod: bool) -> str | None:
    """"future" for a bare weekday in a short clause opened by an imperfect verb ("ويتوجه الوزير الجمعة")."""
    if has_tod or "offset" in fields:
        return None   # "اليوم الجمعة", "أمس السبت", "الجمعة الماضي" say which day they mean
    lex = _lex()
    words = _clause_before(nt, start).split()
    if not words or len(words) > lex.weekday_verb_window or any(w in lex.clause_embedders for w in words):
        return None
    verb = words[0]
    if verb[:1] in clitics().conjunctions and len(verb) > 3:
        verb = verb[1:]
    if len(verb) < 4 or verb in lex.not_imperfect_verbs or not verb.startswith(lex.imperfect_prefixes):
        return None
    return "future"


def _relative_candidates(tx: _Text) -> list[_Cand]:
    lex = _lex()
    nt = tx.nt
    out = []

    def earlier(start: int, fields: dict) -> int:
        m = lex.re_earlier_left.search(nt, max(0, start - 40), start)
        if m and m.end() == start:
            fields["part"] = lex.earlier_later_of[_key(m.group("e"))]
            return m.start("e")
        return start

    for m in _scan(lex.re_relative_unit, nt, tx.starts("relative_unit")):
        unit_word = _key(m.group("u"))
        if not unit_word.startswith("ال"):
            unit_word = "ال" + unit_word
        unit = lex.unit_of.get(unit_word)
        if unit is None or unit == "day":
            continue
        start = m.start("u")
        if nt[max(0, start - 1):start] == "ل" and nt[max(0, start - 2):start] == "لل":
            start -= 1
        if unit == "year" and lex.re_general_left.search(nt, max(0, start - 30), start):
            continue
        fields = {"unit": unit, "offset": lex.modifier_of[_key(m.group("mod"))]}
        start = _extend_left(nt, start, fields, allow_weekday=False, lex=lex)
        start = earlier(start, fields)
        out.append(_Cand(start, m.end(), "relative", fields))
    for m in _scan(lex.re_this_unit, nt, tx.starts("this")):
        unit = lex.unit_of[_key(m.group("u"))]
        if unit == "day":
            continue
        fields = {"unit": unit, "offset": 0}
        start = _extend_left(nt, m.start("this"), fields, allow_weekday=False, lex=lex)
        start = earlier(start, fields)
        out.append(_Cand(start, m.end(), "relative", fields))
    for m in _scan(lex.re_part_unit, nt, tx.starts("parts")):
        if lex.re_mod_right.match(nt, m.end()) or re.match(r"\s*[0-9]", nt[m.end():m.end() + 3]):
            continue  # "مطلع العام الماضي" and "مطلع العام 2020" are read by the other patterns
        unit = lex.unit_of[_key(m.group("u"))]
        fields = {"unit": unit, "offset": 0, "part": lex.part_of[_key(m.group("p"))]}
        start = m.start("p")
        s = lex.re_since_left.search(nt, max(0, start - 30), start)
        if s and s.end() == start:
            fields["since"] = True
            start = s.start("s")
        out.append(_Cand(start, m.end(), "relative", fields))
    for m in _scan(lex.re_dayoffset, nt, tx.starts("dayoffset")):
        word = _key(m.group("d"))
        if word == "اليوم" and not m.group("t") and not _today_times_its_clause(nt, m.start(), m.start("d"), m.end()):
            continue  # bare اليوم is as often "nowadays" or "up to now" as "today"
        if word == "غدا" and not m.group("t") and not re.match(r"\s*(?:[،,.]|$)", nt[m.end():m.end() + 3]):
            continue  # غدا is also the verb "became"
        offset = 0 if word == "اليوم" else lex.dayoffset_of[word]
        start = m.start("t") if m.group("t") else m.start("d")
        fields = {"unit": "day", "offset": offset}
        out.append(_Cand(start, m.end(), "relative", fields))
    for m in _scan(lex.re_ago, nt, tx.starts("ago")):
        unit, n = lex.duration_of[_key(m.group("u"))]
        if m.group("n"):
            raw = m.group("n")
            count = int(raw) if raw.isdigit() else lex.count_of.get(_key(raw))
            if n == 2 or count is None:
                continue
            n = count
        if n is None or n == 0:
            continue  # "منذ أشهر": no count, no date
        if re.match(r"\s+(?:من|علي)" + _RIGHT, nt[m.end():m.end() + 6] + " "):
            continue  # "قبل عامين من الانتخابات": relative to an event, not to publication
        if m.group("a") == "منذ" and unit == "year" and m.group("n") is None and n == 1 and re.match(r"\s*[0-9]", nt[m.end():m.end() + 3]):
            continue
        fields = {"unit": unit, "offset": -n, "ago": True}
        out.append(_Cand(m.start("a"), m.end(), "relative", fields))
    return out


_WORD_BEFORE = re.compile(rf"([{_L}]+)\s+$")
_WORD_AFTER = re.compile(rf"\s*([{_L}]+)")


def _today_times_its_clause(nt: str, start: int, word_start: int, end: int) -> bool:
    """Bare اليوم as the day of what its clause reports ("قال الوزير اليوم إن"), not "nowadays" or "up to now".

    It has no clitic (واليوم), follows a word of its own clause that is not one of
    ``today_not_after`` (حتى اليوم، مثل هذا اليوم), and no word qualifies it
    after (اليوم التالي، اليوم نفسه); two words alone on a line are a name or a
    heading ("فلسطين اليوم").
    """
    lex = _lex()
    if word_start != start:
        return False
    clause = _clause_before(nt, start)
    before = _WORD_BEFORE.search(clause[-40:])
    if before is None:
        return False
    line_end = nt.find("\n", end)
    if len(clause.split()) == 1 and not nt[end:len(nt) if line_end < 0 else line_end].strip(" .:،,"):
        return False  # a line of its own with one word before it: a name or a heading ("فلسطين اليوم")
    word = _key(before.group(1))
    if word in lex.today_not_after or (word[:1] in clitics().conjunctions and word[1:] in lex.today_not_after):
        return False
    after = _WORD_AFTER.match(nt, end, min(len(nt), end + 30))
    if after is not None and (after.group(1).startswith("ال") or _key(after.group(1)) in lex.same_word_set):
        return False
    if lex.re_today_not_before.match(nt, end):
        return False
    # "اليوم، الثلاثاء", "اليوم (السبت)": the weekday is the mention
    return lex.re_weekday_after_today.match(nt, end) is None


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Longest candidates first, then no overlaps; returned in text order."""
    chosen: list[_Cand] = []
    starts: list[int] = []   # the chosen spans, kept sorted and disjoint: overlap is a bisect, not a scan
    ends: list[int] = []
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), c.start)):
        if c.end <= c.start:
            continue
        i = bisect.bisect_right(starts, c.start)
        if (i > 0 and ends[i - 1] > c.start) or (i < len(starts) and starts[i] < c.end):
            continue
        chosen.append(c)
        starts.insert(i, c.start)
        ends.insert(i, c.end)
    return sorted(chosen, key=lambda c: c.start)


def _stated(c: _Cand) -> dict:
    """value, precision and window from what the mention itself states."""
    f = c.fields
    y, mo, d = f.get("year"), f.get("month"), f.get("day")
    out: dict = {"value": None, "precision": None, "window_start": None, "window_end": None,
                 "status": "unresolved", "resolved_from": None}
    if c.kind == "year_range":
        out.update(value=_iso(y), precision="year", window_start=_iso(y), window_end=_iso(f["year_end"]), status="stated")
        return out
    if y is None:
        if mo is not None and d is not None and f.get("unit") in (None, "year"):
            out["value"] = f"--{mo:02d}-{d:02d}"   # ISO 8601 without a year, until resolution finds one
        return out
    if mo is not None and d is not None:
        out.update(value=_iso(y, mo, d), precision="day", status="stated")
        if f.get("hijri"):
            out["resolved_from"] = f"Hijri {f['hijri']} (arithmetic calendar, may differ by a day)"
    elif mo is not None:
        out.update(value=_iso(y, mo), precision="month", status="stated")
        if f.get("part"):
            a, b = _part_window(dt.date(y, mo, 1), dt.date(y, mo, _days_in_month(y, mo)), f["part"])
            out.update(window_start=a.isoformat(), window_end=b.isoformat())
    else:
        out.update(value=_iso(y), precision="year", status="stated")
        if f.get("part"):
            a, b = _part_window(dt.date(y, 1, 1), dt.date(y, 12, 31), f["part"])
            out.update(window_start=a.isoformat(), window_end=b.isoformat())
    if f.get("since"):
        out["window_start"] = out["window_start"] or out["value"]
    return out


def find_dates(text: "str | Article") -> list[DateMention]:
    """Every date mention in an article (or a text) with the value it states (year-less ones unresolved)."""
    tokens = None
    if isinstance(text, Article):
        norm = text.norm
        tokens = text.tokens
        text = text.original
    elif not isinstance(text, str):
        raise TypeError(f"find_dates() takes a str or an Article, not {type(text).__name__}")
    else:
        norm = None
    if not text:
        return []
    norm = norm or normalize(text)
    nt = norm.text
    if not re.search(rf"[0-9{_L}]", nt):
        return []
    tx = _Text(nt, tokens)
    cands = (_numeric_candidates(tx) + _month_candidates(tx) + _hijri_candidates(tx)
             + _year_candidates(tx) + _weekday_candidates(tx) + _relative_candidates(tx)
             + _day_of_month_candidates(nt) + _latin_candidates(tx) + _page_date_candidates(nt) + _season_candidates(tx))
    mentions = []
    for c in _select(cands):
        a, b = norm.to_original(c.start, c.end)
        f = c.fields
        st = _stated(c)
        mentions.append(DateMention(
            start=a, end=b, mention=text[a:b], kind=c.kind, **st,
            year=f.get("year"), month=f.get("month"), day=f.get("day"), weekday=f.get("weekday"),
            year_end=f.get("year_end"), unit=f.get("unit"), offset=f.get("offset"), part=f.get("part"),
            since=bool(f.get("since")), ago=bool(f.get("ago")),
            direction=f.get("direction") or _direction(nt, c.start, c.end, tx),
        ))
    return _anchor_years(_weekday_of_next_date(mentions), text)


# ---------------------------------------------------------------- the year named before

_CONTEXT = "the year named before"
# where a sentence ends: a full stop (not a decimal point), ! ? ; or a line break
_SENTENCE_BREAK = re.compile(r"[!?؟;؛\n]|\.(?![0-9])")
_PARAGRAPH_BREAK = re.compile(r"\n")


def _from_context(m: DateMention) -> bool:
    """Resolved from the year its text named before it (publication does not move it)."""
    return m.status == "resolved" and m.resolved_from is not None and m.resolved_from.startswith(_CONTEXT)


def _anchor_years(mentions: list[DateMention], text: str) -> list[DateMention]:
    """A year-less month or day and month takes the year last named before it in its sentence.

    "بين 19 مارس 2003 وحتى الأول من مايو" reads 1 May 2003; "في مايو من العام
    ذاته" takes the year last named before it in its paragraph.  A month with a modifier
    ("مايو الماضي") or a relative year ("من العام الماضي") is publication's
    business, not this; a year that opens a window ("منذ 2003") or a range of
    years names no one year; a weekday written with the date must agree.
    """
    out: list[DateMention] = []
    breaks: dict[str, list[int]] = {}   # where sentences and paragraphs end, found once when first needed
    last: DateMention | None = None
    for m in mentions:
        if last is not None and m.status == "unresolved" and m.year is None and m.month is not None \
                and m.offset is None and m.unit in (None, "year"):
            # in its sentence; "من العام ذاته" says a year was named: the last one in its paragraph
            scope = "paragraph" if m.unit == "year" else "sentence"
            if scope not in breaks:
                rx = _PARAGRAPH_BREAK if scope == "paragraph" else _SENTENCE_BREAK
                breaks[scope] = [b.start() for b in rx.finditer(text)]
            ends = breaks[scope]
            i = bisect.bisect_left(ends, last.end)
            if i >= len(ends) or ends[i] >= m.start:
                m = _with_year(m, last, _runs_into_next_year(m, last, text))
        if m.status == "stated" and m.year is not None:
            last = None if (m.kind == "year_range" or m.since) else m
        out.append(m)
    return out


def _runs_into_next_year(m: DateMention, anchor: DateMention, text: str) -> bool:
    """"من كانون الأول 2003 حتى آذار": an earlier month reached by running time forward is in the next year."""
    if m.unit == "year" or anchor.month is None or (m.month, m.day or 0) >= (anchor.month, anchor.day or 0):
        return False
    between = normalize(text[max(anchor.end, m.start - 60):m.start]).text   # the words just before it: bounded
    return any(w in _lex().forward_words for w in between.split())


def _with_year(m: DateMention, anchor: DateMention, next_year: bool = False) -> DateMention:
    """``m`` resolved with the year of ``anchor``, or the next (unchanged when the day or the weekday does not fit)."""
    where = "" if m.unit == "year" else " in its sentence"
    if next_year:
        where += ", run forward into the next year"
    return with_year(m, anchor.year + (1 if next_year else 0), f"{_CONTEXT}{where} ({anchor.mention.strip()})")


def with_year(m: DateMention, year: int, resolved_from: str) -> DateMention:
    """A year-less month or day and month given ``year`` (unchanged when the day or a weekday written with it does not fit).

    The value keeps what the mention states: its day, the part of the month
    ("أواخر آذار"), a "since" window opening on it; status ``resolved``.
    """
    y = year
    if m.month is None or not 1 <= y <= 9999:
        return m
    if m.day is not None:
        if not _valid_day(y, m.month, m.day):
            return m
        if m.weekday is not None and dt.date(y, m.month, m.day).weekday() != m.weekday:
            return m
        value, precision, ws, we = _iso(y, m.month, m.day), "day", None, None
    else:
        value, precision, ws, we = _iso(y, m.month), "month", None, None
        if m.part in ("early", "mid", "late"):
            a, b = _part_window(dt.date(y, m.month, 1), dt.date(y, m.month, _days_in_month(y, m.month)), m.part)
            ws, we = a.isoformat(), b.isoformat()
    if m.since:
        ws = ws or value
        we = we or m.window_end
    return _replace(m, value=value, precision=precision, window_start=ws, window_end=we, status="resolved",
                   resolved_from=resolved_from)


@per_lexicons
def _anniversary_re() -> re.Pattern | None:
    cues = load_lexicon("date_cues")
    words = cues.get("anniversary_words") or []
    if not words:
        return None
    lex = _lex()
    ordinals = _alt(set(lex.ordinal_of) | {normalize_term(w) for ws in (cues.get("day_ordinals_feminine") or {}).values()
                                            for w in ws})
    conj = f"[{clitics().conjunctions}]?[{clitics().prepositions}]?"
    return re.compile(rf"{_LEFT}{conj}(?:{_alt(words)}){_RIGHT}(?:\s+(?:{_alt(cues.get('anniversary_yearly') or ['السنوية'])}))?"
                      rf"(?:\s+(?:ال\s*)?(?P<n>[0-9]{{1,3}}(?![0-9])|(?:{ordinals}){_RIGHT}))?")


def anniversary_count(text: str) -> int | None:
    """The years an anniversary named in ``text`` (normalized) counts: "الذكرى الـ20" 20, "الذكرى السنوية الأولى" 1.

    0 when the text names an anniversary without its count ("في ذكرى الغزو"),
    None when it names none.  A date written with an anniversary is not the
    date of the event remembered.
    """
    rx = _anniversary_re()
    hit = rx.search(text) if rx is not None else None
    if hit is None:
        return None
    n = hit.group("n")
    if n is None:
        return 0
    return int(n) if n.isdigit() else _lex().ordinal_of.get(_key(n), 0)


def _weekday_of_next_date(mentions: list[DateMention]) -> list[DateMention]:
    """"الخميس، 03/23/2017": a weekday right before a full date it agrees with states that date too."""
    out = list(mentions)
    for i in range(len(out) - 1):
        w, d = out[i], out[i + 1]
        if w.kind != "weekday" or w.offset is not None or d.status != "stated" or d.precision != "day" or d.value is None:
            continue
        if d.start - w.end > 3 or d.weekday != w.weekday:
            continue
        parsed = parse_iso(d.value)
        if parsed is not None and parsed[0].weekday() == w.weekday:
            out[i] = _replace(w, value=d.value, precision="day", status="stated", resolved_from=f"the date after it ({d.mention})")
    return out


# ---------------------------------------------------------------- resolving


def _month_in_year(m: DateMention, year: int):
    """(value, precision, window start, window end) of a year-less month or day-month put in ``year``;
    None when the day does not exist that year."""
    if m.day is not None:
        if not _valid_day(year, m.month, m.day):
            return None
        return _iso(year, m.month, m.day), "day", None, None
    ws = we = None
    if m.part in ("early", "mid", "late"):
        a, b = _part_window(dt.date(year, m.month, 1), dt.date(year, m.month, _days_in_month(year, m.month)), m.part)
        ws, we = a.isoformat(), b.isoformat()
    return _iso(year, m.month), "month", ws, we


def _resolve_one(m: DateMention, pub: dt.date, pub_precision: str, source: str) -> DateMention:
    """Resolve one mention against a publication date (day, month or year precision)."""
    past = m.direction != "future"
    if m.status == "stated" or _from_context(m):
        # stated by the text, or resolved already from its context (the year named before it)
        if m.since and m.window_end is None and pub_precision == "day":
            return _replace(m, window_end=pub.isoformat(), resolved_from=m.resolved_from or f"window end: {source}")
        return m
    value = precision = ws = we = None
    if m.month is not None and m.year is None and m.unit == "year":
        # "12 حزيران من العام الماضي": publication's year moved by the modifier; a year is enough.
        # Without a modifier ("من العام ذاته") the year is the one named before, or unknown.
        if m.offset is None:
            return m
        year = pub.year + m.offset
        got = _month_in_year(m, year)
        if got is None:
            return m
        value, precision, ws, we = got
    elif m.month is not None and m.year is None:
        # year-less month or day-and-month: the latest such date on or before publication,
        # or the earliest after it when the clause speaks of the future; a publication year is
        # enough only for the current month ("أغسطس الجاري")
        if pub_precision == "year" and m.offset != 0:
            return m
        pub_month = pub.year * 12 + pub.month - 1
        cands = []
        for y in (pub.year - 1, pub.year, pub.year + 1):
            if m.day is not None and not _valid_day(y, m.month, m.day):
                continue
            cands.append(y)
        if not cands:
            return m
        if m.day is not None and pub_precision == "day":
            dates = [dt.date(y, m.month, m.day) for y in cands]
            if m.offset == -1:
                # "3 يناير الماضي": before publication (on the day itself when publication is only its lower bound)
                pick = max((d for d in dates if d <= pub), default=None)
            elif m.offset == 1:
                pick = min((d for d in dates if d > pub), default=None)
            elif past:
                pick = max((d for d in dates if d <= pub), default=None)
                ahead = min((d for d in dates if d > pub), default=None)
                # a date a few days ahead is an announced event, not one a year ago
                if ahead is not None and (ahead - pub).days <= 10 and (pick is None or (pub - pick).days > 300):
                    pick = ahead
            else:
                pick = min((d for d in dates if d >= pub), default=None)
            if pick is None:
                return m
            year = pick.year
        else:
            months = {y: y * 12 + m.month - 1 for y in cands}
            if m.offset == -1:
                ys = [y for y, k in months.items() if k < pub_month]
                year = max(ys) if ys else None
            elif m.offset == 1:
                ys = [y for y, k in months.items() if k > pub_month]
                year = min(ys) if ys else None
            elif m.offset == 0:
                year = pub.year
            elif past:
                ys = [y for y, k in months.items() if k <= pub_month]
                year = max(ys) if ys else None
            else:
                ys = [y for y, k in months.items() if k >= pub_month]
                year = min(ys) if ys else None
            if year is None:
                return m
        got = _month_in_year(m, year)
        if got is None:
            return m
        value, precision, ws, we = got
    elif m.kind == "weekday" and m.weekday is not None:
        if pub_precision != "day":
            return m
        back = (pub.weekday() - m.weekday) % 7
        ahead = (m.weekday - pub.weekday()) % 7
        if m.offset == -1:
            d = pub - dt.timedelta(days=back or 7)
        elif m.offset == 1:
            d = pub + dt.timedelta(days=ahead or 7)
        elif m.direction == "future":
            d = pub + dt.timedelta(days=ahead)
        else:
            d = pub - dt.timedelta(days=back)
        value, precision = d.isoformat(), "day"
    elif m.unit == "season":
        if m.part not in _lex().season_start:
            return m
        first = _lex().season_start[m.part]
        if pub_precision == "year" and not (m.offset in (0, None) and first != 12):
            return m   # a publication year tells this season's year, except winter's (it spans two)
        months_in = [(first + i - 1) % 12 + 1 for i in range(3)]
        n = m.offset or 0
        if n == 0:
            y = pub.year - (1 if first == 12 and pub.month <= 2 else 0)
        elif n == 1:
            y = pub.year if pub.month < first else pub.year + 1
        else:
            y = pub.year if (pub.month > months_in[-1] and first != 12) else pub.year - 1
        value, precision = _iso(y), "year"
        a = dt.date(y, first, 1)
        ly, lm = _add_months(y, first, 2)
        ws, we = a.isoformat(), dt.date(ly, lm, _days_in_month(ly, lm)).isoformat()
    elif m.unit == "month" and m.day is not None:
        if m.part == "same" or pub_precision == "year":
            return m   # "the same month": the month the text last named (see _resolve_same_month)
        y, mo = _add_months(pub.year, pub.month, m.offset or 0)
        if not _valid_day(y, mo, m.day):
            return m
        value, precision = _iso(y, mo, m.day), "day"
    elif m.unit is not None:
        n = m.offset or 0
        if m.unit == "day":
            if pub_precision != "day":
                return m
            d = pub + dt.timedelta(days=n)
            value, precision = d.isoformat(), "day"
        elif m.unit == "week":
            if pub_precision != "day":
                return m
            # weeks start on Saturday, Sunday or Monday depending on the country: take the union
            starts = [pub - dt.timedelta(days=(pub.weekday() - s) % 7) for s in (5, 6, 0)]
            if m.ago:
                center = pub + dt.timedelta(days=7 * n)
                a, b = center - dt.timedelta(days=3), center + dt.timedelta(days=3)
            else:
                a = min(starts) + dt.timedelta(days=7 * n)
                b = max(starts) + dt.timedelta(days=7 * n + 6)
                if n == 0:
                    b = max(b, pub)
            if m.part in ("early", "mid", "late"):
                a, b = _part_window(a, b, m.part)
            ws, we = a.isoformat(), b.isoformat()
            value, precision = _common_value(a, b)
        elif m.unit == "month":
            if pub_precision == "year":
                return m
            y, mo = _add_months(pub.year, pub.month, n)
            value, precision = _iso(y, mo), "month"
            a, b = dt.date(y, mo, 1), dt.date(y, mo, _days_in_month(y, mo))
            if m.part in ("early", "mid", "late"):
                a, b = _part_window(a, b, m.part)
                ws, we = a.isoformat(), b.isoformat()
            elif m.part == "earlier" and n == 0 and pub_precision == "day":
                ws, we = a.isoformat(), pub.isoformat()
            elif m.part == "later" and n == 0 and pub_precision == "day":
                ws, we = pub.isoformat(), b.isoformat()
        elif m.unit == "year":
            y = pub.year + n
            value, precision = _iso(y), "year"
            a, b = dt.date(y, 1, 1), dt.date(y, 12, 31)
            if m.part in ("early", "mid", "late"):
                a, b = _part_window(a, b, m.part)
                ws, we = a.isoformat(), b.isoformat()
            elif m.part == "earlier" and n == 0 and pub_precision == "day":
                ws, we = a.isoformat(), pub.isoformat()
            elif m.part == "later" and n == 0 and pub_precision == "day":
                ws, we = pub.isoformat(), b.isoformat()
    else:
        return m
    if value is None and ws is None:
        return m
    if m.since:
        ws = ws or (value if value else None)
        we = pub.isoformat() if pub_precision == "day" else we
    return _replace(m, value=value, precision=precision, window_start=ws, window_end=we,
                   status="resolved", resolved_from=source)


def resolve_dates(mentions: Iterable[DateMention], published, basis: str | None = None) -> list[DateMention]:
    """Give year-less and relative mentions a value from ``published`` (ISO string or date).

    ``published`` may be None (then they stay unresolved) or partial ('YYYY-MM',
    'YYYY'; then only what that precision decides is resolved).  ``basis`` says
    where that date came from (metadata, dateline, inferred ...) and is kept in
    ``resolved_from``.  The machine clock is never consulted.
    """
    mentions = list(mentions)
    parsed = parse_iso(published)
    if parsed is None:
        return _resolve_same_month(mentions)
    pub, precision = parsed
    source = f"published {_iso(pub.year, pub.month if precision != 'year' else None, pub.day if precision == 'day' else None)}"
    if basis:
        source += f" ({basis})"
    return _resolve_same_month([_resolve_safely(m, pub, precision, source) for m in mentions])


def _resolve_safely(m: DateMention, pub: dt.date, precision: str, source: str) -> DateMention:
    """Resolve one mention; one that falls outside the calendar (a relative date against year 1 or 9999) stays unresolved."""
    try:
        return _resolve_one(m, pub, precision, source)
    except (ValueError, OverflowError):
        return m


def _resolve_same_month(mentions: list[DateMention]) -> list[DateMention]:
    """"الخامس من الشهر نفسه": a day of the month the text named last (a value of month or day precision)."""
    out: list[DateMention] = []
    last: tuple[int, int, str] | None = None
    for m in sorted(mentions, key=lambda x: x.start):
        if m.unit == "month" and m.part == "same" and m.day is not None and m.value is None:
            if last is not None and _valid_day(last[0], last[1], m.day):
                m = _replace(m, value=_iso(last[0], last[1], m.day), precision="day", status="resolved",
                            resolved_from=f"the month named before ({last[2]})")
        elif m.precision in ("day", "month") and m.value and not m.since:
            parsed = parse_iso(m.value)
            if parsed is not None:
                last = (parsed[0].year, parsed[0].month, m.mention.strip())
        out.append(m)
    return out


def _resolve_with_window(mentions: list[DateMention], window: str, basis: str | None = None) -> list[DateMention]:
    """Resolve against both ends of a publication window; keep what both ends agree on."""
    try:
        lo, hi = (parse_iso(p) for p in str(window).split("/"))
    except ValueError:
        return mentions
    if lo is None or hi is None:
        return mentions
    a = resolve_dates(mentions, lo[0])
    b = resolve_dates(mentions, hi[0])
    out = []
    for m, ra, rb in zip(mentions, a, b):
        if m.status == "unresolved" and ra.status == "resolved" and (ra.value, ra.precision) == (rb.value, rb.precision) \
                and (ra.window_start, ra.window_end) == (rb.window_start, rb.window_end):
            out.append(_replace(ra, resolved_from=f"published window {window}" + (f" ({basis})" if basis else "")))
        else:
            out.append(_current_month_in_window(m, lo[0], hi[0], window + (f", {basis}" if basis else "")))
    return out


def _current_month_in_window(m: DateMention, lo: dt.date, hi: dt.date, window: str) -> DateMention:
    """"8 كانون الثاني الحالي": publication falls in that month; when the window holds it once, that is its year."""
    if m.status != "unresolved" or m.month is None or m.year is not None or m.offset != 0 or m.unit is not None:
        return m
    years = [y for y in range(lo.year, hi.year + 1)
             if dt.date(y, m.month, 1) <= hi and dt.date(y, m.month, _days_in_month(y, m.month)) >= lo]
    if len(years) != 1:
        return m
    inside = max(lo, dt.date(years[0], m.month, 1))
    r = _resolve_safely(m, inside, "day", "")
    if r.status != "resolved":
        return m
    return _replace(r, window_end=None if m.since else r.window_end,
                   resolved_from=f"published window {window} (the only {_iso(years[0], m.month)} in it)")


def date_mentions_table(articles) -> pd.DataFrame:
    """One row per date mention (``DATE_COLUMNS`` then ``STATED_COLUMNS``), resolved against each article's publication date.

    ``articles`` is a corpus table (id, text, published, published_window) or a
    list of :class:`~troopwatch.article.Article` records carrying those fields.
    """
    rows = []
    for art in article_list(articles, "date_mentions_table"):
        mentions = resolve_for_article(find_dates(art), art.get("published"), art.get("published_window"),
                                       art.get("published_basis"))
        rows.extend(date_rows(art, mentions))
    return dates_frame(rows)


def resolve_for_article(mentions: list[DateMention], published, window, basis: str | None = None) -> list[DateMention]:
    """Resolve against the publication date when known, else against both ends of its window.

    ``basis`` (the article's ``published_basis``: metadata, page_date, dateline,
    inferred) is written into each ``resolved_from`` when given.
    """
    if parse_iso(published) is not None:
        return resolve_dates(mentions, published, basis)
    if isinstance(window, str) and "/" in window:
        return _resolve_with_window(mentions, window, basis)
    return mentions


def date_rows(article: Article, mentions: list[DateMention]) -> list[dict]:
    """The table rows of one article's mentions (every field the mention knows)."""
    rows = []
    for m in mentions:
        ss, se = article.original_sentence_at(m.start) or (m.start, m.end)
        row = {
            "article": article.id, "mention": m.mention, "start": m.start, "end": m.end,
            "kind": m.kind, "value": m.value, "precision": m.precision,
            "window_start": m.window_start, "window_end": m.window_end,
            "status": m.status, "resolved_from": m.resolved_from,
            "sentence_start": ss, "sentence_end": se,
        }
        for col in STATED_COLUMNS:
            row[col] = getattr(m, col)
        rows.append(row)
    return rows


def dates_frame(rows: list[dict]) -> pd.DataFrame:
    """The dates table from rows, with fixed columns and types (empty or not)."""
    columns = DATE_COLUMNS + STATED_COLUMNS
    df = pd.DataFrame(rows, columns=columns)
    for col in ("start", "end", "sentence_start", "sentence_end"):
        df[col] = df[col].astype("int64")
    for col in ("year", "month", "day", "weekday", "year_end", "offset"):
        df[col] = df[col].astype("Int64")
    for col in ("since", "ago"):
        df[col] = df[col].astype(bool)
    for col in ("mention", "kind", "value", "precision", "window_start", "window_end", "status", "resolved_from",
                "unit", "part", "direction"):
        df[col] = df[col].astype(object)
    return df


def mention_from_row(row: dict) -> DateMention:
    """A DateMention read back from a row of the dates table, exactly as it was written."""
    def val(key):
        v = row.get(key)
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return None
        return v
    ints = {k: (int(val(k)) if val(k) is not None else None) for k in ("year", "month", "day", "weekday", "year_end", "offset")}
    return DateMention(
        start=int(row["start"]), end=int(row["end"]), mention=val("mention") or "", kind=val("kind") or "",
        value=val("value"), precision=val("precision"), window_start=val("window_start"), window_end=val("window_end"),
        status=val("status") or "stated", resolved_from=val("resolved_from"), unit=val("unit"), part=val("part"),
        since=bool(val("since")), ago=bool(val("ago")), direction=val("direction"), **ints,
    )
