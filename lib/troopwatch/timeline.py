"""The moment each claim refers to, and the dated events the articles mention.

* :func:`attach_claim_times` gives every claim ``refers_to`` (ISO) and its
  precision: the date mention governing it in its sentence, else in its
  paragraph, else the article's publication date (``refers_to_basis`` says
  which).  A "since" mention ("منذ أكتوبر 2023", "منذ بدء حرب غزة") also sets
  ``window_start`` for cumulative counts.
* :func:`events_table` lists dated events: known events from
  ``data/lexicons/events.yml`` (the killing of Soleimani, the parliament vote,
  the Tower 22 attack ...) and any sentence where an event word (attack,
  meeting, vote ...) stands with a date of day or month precision.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from .dates import DateMention, parse_iso
from .lexicons import LexiconError, lexicon_path, load_lexicon, per_lexicons
from .text import ARABIC_LETTER, normalize, normalize_term, paragraph_spans, sentence_spans

__all__ = [
    "EVENT_COLUMNS",
    "KnownEvent",
    "attach_claim_times",
    "events_table",
    "match_known_events",
]

EVENT_COLUMNS = ["article", "date", "precision", "event", "sentence", "start", "end"]
# refers_to_window: when an undated claim sits in an article known only to a window
# ("2023-10-07/2024-08-31"), the window is the honest answer; refers_to stays empty.
CLAIM_TIME_COLUMNS = ["refers_to", "refers_to_precision", "window_start", "refers_to_basis", "refers_to_window"]

_L = ARABIC_LETTER


def _term_regex(term: str, prefix_only: bool) -> str:
    """A folded term at a word start, allowing the clitics و ف ب ل ك and the article."""
    t = normalize_term(term)
    body = r"\s+".join(re.escape(w) for w in t.split(" "))
    if t.startswith("ال"):
        rest = r"\s+".join(re.escape(w) for w in t[2:].split(" "))
        core = rf"(?:[وف]?[بك]?{body}|[وف]?لل{rest})"
    else:
        core = rf"(?:[وف]?[بلك]?(?:ال|لل)?{body})"
    right = "" if prefix_only else rf"(?:[اهة]|ها|ات)?(?![{_L}])"
    return rf"(?<![{_L}]){core}{right}"


@dataclass(frozen=True)
class KnownEvent:
    id: str
    label: str
    date: str
    precision: str
    cue_sets: tuple  # of (all: tuple[Pattern], any: tuple[tuple[Pattern]], needs_date: bool)


@per_lexicons
def _events_lexicon():
    data = load_lexicon("events")
    path = lexicon_path("events")
    known = []
    for i, entry in enumerate(data.get("known", []) or []):
        try:
            date = str(entry["date"])
            parsed = parse_iso(date)
            if parsed is None:
                raise ValueError(f"date {date!r} is not ISO")
            sets = []
            for cue in entry["cues"]:
                all_ = tuple(re.compile(_term_regex(w, True)) for w in cue.get("all", []))
                any_ = tuple(tuple(re.compile(_term_regex(w, True)) for w in group) for group in cue.get("any", []) or [])
                sets.append((all_, any_, bool(cue.get("needs_date"))))
            known.append(KnownEvent(entry["id"], entry["label"], parsed[0].isoformat() if parsed[1] == "day" else date,
                                    parsed[1], tuple(sets)))
        except (KeyError, TypeError, ValueError) as exc:
            raise LexiconError(f"{path}: known event #{i + 1} ({entry.get('id', '?') if isinstance(entry, dict) else '?'}): {exc}; "
                               "each needs id, label, ISO date and cues") from None
    generic = []
    for label, words in (data.get("generic", {}) or {}).items():
        for w in words:
            generic.append((label, re.compile(_term_regex(w, False))))
    return known, generic


def _compatible(event: KnownEvent, m: DateMention) -> bool | None:
    """True when the mention can name the event's date, False when it contradicts it, None when it says nothing."""
    ev = parse_iso(event.date)[0]
    if m.month is not None and m.year is None:  # year-less: month (and day) must agree
        if m.month != ev.month:
            return False
        return m.day is None or m.day == ev.day
    if m.value is None or m.kind == "year_range":
        return None
    parsed = parse_iso(m.value)
    if parsed is None:
        return None
    d, precision = parsed
    if d.year != ev.year:
        return False if precision in ("day", "month") else (False if m.kind == "year" else None)
    if precision == "year":
        return True
    if d.month != ev.month:
        return False
    return precision == "month" or abs((d - ev).days) <= 1


def match_known_events(text: str, mentions: Iterable[DateMention]) -> list[dict]:
    """Known events named in ``text``: one dict per (sentence, event) with the cue span and the agreeing mention."""
    known, _ = _events_lexicon()
    mentions = list(mentions)
    norm = normalize(text)
    nt = norm.text
    out = []
    for sa, sb in sentence_spans(text):
        na, nb = _norm_index(norm, sa), _norm_index(norm, sb)
        sent = nt[na:nb]
        in_sentence = [m for m in mentions if sa <= m.start < sb]
        for ev in known:
            for all_, any_, needs_date in ev.cue_sets:
                hits = [rx.search(sent) for rx in all_]
                if not all(hits):
                    continue
                if not all(any(rx.search(sent) for rx in group) for group in any_):
                    continue
                verdicts = [(m, _compatible(ev, m)) for m in in_sentence]
                agreeing = [m for m, v in verdicts if v]
                precise = [m for m, v in verdicts if v is False and (m.precision in ("day", "month") or (m.month is not None))]
                if needs_date and not agreeing:
                    continue
                if precise and not agreeing:
                    continue
                cue = hits[0] if hits else None
                cs, ce = (cue.start() + na, cue.end() + na) if cue else (na, na)
                os_, oe = norm.to_original(cs, ce)
                out.append({"event": ev, "sentence": (sa, sb), "cue": (os_, oe),
                            "mention": agreeing[0] if agreeing else None})
                break
    return out


def events_table(articles: pd.DataFrame, dates: pd.DataFrame) -> pd.DataFrame:
    """Dated events the articles mention (columns ``EVENT_COLUMNS``), in text order."""
    _, generic = _events_lexicon()
    rows = []
    for rec in articles.to_dict("records"):
        text = rec.get("text") if isinstance(rec.get("text"), str) else ""
        art = rec.get("id")
        sub = dates[dates["article"] == art] if len(dates) else dates
        mentions = [_row_to_mention(r) for r in sub.to_dict("records")]
        used: set[tuple[int, int]] = set()
        for hit in match_known_events(text, mentions):
            ev = hit["event"]
            sa, sb = hit["sentence"]
            rows.append({"article": art, "date": ev.date, "precision": ev.precision, "event": ev.label,
                         "sentence": text[sa:sb], "start": hit["cue"][0], "end": hit["cue"][1]})
            if hit["mention"] is not None:
                used.add((hit["mention"].start, hit["mention"].end))
        norm = None
        for m in mentions:
            if (m.start, m.end) in used or m.value is None or m.precision not in ("day", "month") or m.kind == "year_range":
                continue
            sentence = next(((a, b) for a, b in sentence_spans(text) if a <= m.start < b), None)
            if sentence is None:
                continue
            if norm is None:
                norm = normalize(text)
            sa, sb = sentence
            best = None
            for label, rx in generic:
                seg_start = _norm_index(norm, sa)
                seg_end = _norm_index(norm, sb)
                for c in rx.finditer(norm.text, seg_start, seg_end):
                    os_, oe = norm.to_original(c.start(), c.end())
                    dist = min(abs(os_ - m.end), abs(m.start - oe))
                    if os_ < m.end and oe > m.start:
                        continue  # a cue inside the date mention itself
                    if best is None or dist < best[0]:
                        best = (dist, label, os_, oe)
            if best is None:
                continue
            _, label, os_, oe = best
            rows.append({"article": art, "date": m.value, "precision": m.precision,
                         "event": f"{label} ({text[os_:oe]})", "sentence": text[sa:sb], "start": os_, "end": oe})
    df = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    if len(df):
        df = df.drop_duplicates(subset=["article", "date", "event", "start"]).sort_values(["article", "start"], kind="stable")
    return df.reset_index(drop=True).astype({"start": "int64", "end": "int64"})


def _norm_index(norm, original_index: int) -> int:
    """The first normalized index whose original index is at or after ``original_index``."""
    import bisect
    return bisect.bisect_left(norm.offsets, original_index, 0, len(norm.text))


def _row_to_mention(r: dict) -> DateMention:
    """A DateMention from a row of the dates table (enough of it for matching and timing)."""
    value = r.get("value") if isinstance(r.get("value"), str) else None
    parsed = parse_iso(value) if value else None
    year = month = day = None
    if parsed:
        d, p = parsed
        year = d.year
        month = d.month if p in ("day", "month") else None
        day = d.day if p == "day" else None
    def s(x):
        return x if isinstance(x, str) else None
    return DateMention(
        start=int(r["start"]), end=int(r["end"]), mention=s(r.get("mention")) or "", kind=s(r.get("kind")) or "",
        value=value, precision=s(r.get("precision")), window_start=s(r.get("window_start")),
        window_end=s(r.get("window_end")), status=s(r.get("status")) or "", resolved_from=s(r.get("resolved_from")),
        year=year, month=month, day=day,
        since=bool(s(r.get("window_start")) and s(r.get("window_end")) and (s(r.get("mention")) or "").lstrip().startswith(("منذ", "ومنذ"))),
    )


_SINCE = re.compile(r"(?<![" + _L + r"])[وف]?منذ\s+")


def attach_claim_times(claims: pd.DataFrame, articles: pd.DataFrame, dates: pd.DataFrame) -> pd.DataFrame:
    """Fill ``refers_to``, ``refers_to_precision``, ``window_start`` and add ``refers_to_basis`` on the claims table."""
    out = claims.copy()
    for col in CLAIM_TIME_COLUMNS:
        if col not in out.columns:
            out[col] = None
        out[col] = out[col].astype("object")
    if out.empty:
        return out
    texts = {r["id"]: (r.get("text") if isinstance(r.get("text"), str) else "") for r in articles.to_dict("records")}
    pubs = {r["id"]: r.get("published") for r in articles.to_dict("records")}
    pub_windows = {r["id"]: r.get("published_window") for r in articles.to_dict("records")}
    by_article: dict = {}
    if len(dates):
        for art, sub in dates.groupby("article", sort=False):
            by_article[art] = [_row_to_mention(r) for r in sub.to_dict("records")]
    paragraphs: dict = {}
    events_cache: dict = {}
    for idx, claim in out.iterrows():
        art = claim["article"]
        text = texts.get(art, "")
        mentions = [m for m in by_article.get(art, []) if m.value is not None or m.window_start is not None]
        ss, se = int(claim["sentence_start"]), int(claim["sentence_end"])
        cs, ce = int(claim["start"]), int(claim["end"])
        in_sentence = [m for m in mentions if ss <= m.start < se and not _in_later_clause(text, ce, m)]
        chosen, basis = _nearest(in_sentence, cs, ce), "sentence"
        if chosen is None:
            if art not in paragraphs:
                paragraphs[art] = paragraph_spans(text)
            para = next(((a, b) for a, b in paragraphs[art] if a <= cs < b), None)
            if para is not None:
                others = [m for m in mentions if para[0] <= m.start < para[1] and not ss <= m.start < se]
                chosen, basis = _nearest(others, cs, ce), "paragraph"
        window_start = None
        refers_window = None
        if chosen is not None:
            if chosen.since or (chosen.window_start and chosen.window_end and chosen.mention.lstrip().startswith(("منذ", "ومنذ"))):
                window_start = chosen.window_start
                refers, precision = _published_value(pubs.get(art))
                if chosen.window_end:
                    refers, precision = chosen.window_end, _precision_of(chosen.window_end)
            else:
                refers, precision = chosen.value, chosen.precision
        else:
            refers, precision = _published_value(pubs.get(art))
            basis = "published" if refers is not None else "unknown"
            window = pub_windows.get(art)
            if refers is None and isinstance(window, str) and "/" in window:
                refers_window, basis = window, "published_window"
        # "منذ بدء حرب غزة": a since-window opened by a known event in the sentence
        if window_start is None and text:
            sentence = text[ss:se]
            if _SINCE.search(normalize(sentence).text):
                if art not in events_cache:
                    events_cache[art] = match_known_events(text, by_article.get(art, []))
                for hit in events_cache[art]:
                    if hit["sentence"][0] <= cs < hit["sentence"][1]:
                        before = normalize(text[max(ss, hit["cue"][0] - 25):hit["cue"][0]]).text
                        if _SINCE.search(before):
                            window_start = hit["event"].date
                            break
        out.at[idx, "refers_to"] = refers
        out.at[idx, "refers_to_precision"] = precision
        out.at[idx, "window_start"] = window_start
        out.at[idx, "refers_to_basis"] = basis
        out.at[idx, "refers_to_window"] = refers_window
    return out


# A date after the claim but inside a relative or temporal clause describes something
# else: "2500 جندي ... تنظيم داعش الذي سيطر في عام 2014".
_CLAUSE_OPENER = re.compile(rf"(?<![{_L}])[وف]?(?:الذي|التي|الذين|اللذين|اللتين|اللواتي|اللاتي|عندما|حين|حينما|بعدما|قبل ان|بعد ان)(?![{_L}])")


def _in_later_clause(text: str, claim_end: int, m: DateMention) -> bool:
    if m.start < claim_end:
        return False
    return _CLAUSE_OPENER.search(normalize(text[claim_end:m.start]).text) is not None


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
