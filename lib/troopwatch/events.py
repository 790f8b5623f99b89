"""Known and dated events: what the articles say happened, and when.

* :func:`match_known_events` finds the events listed in
  ``data/lexicons/events.yml`` (the killing of Soleimani, the parliament vote,
  the Tower 22 attack ...) when an article names them; publication dating uses
  them as lower bounds and claim timing as the start of "since" windows.
* :func:`article_events` lists the dated events of one article: the known ones,
  and any sentence where an event word stands with a date of day or month precision.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from functools import lru_cache
from operator import itemgetter
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from .article import Article, article_list, as_article
from .dates import DateMention, find_dates, mention_from_row, parse_iso, resolve_for_article
from .lexicons import LexiconError, lexicon_key, lexicon_path, load_lexicon, per_lexicons
from .text import ARABIC_LETTER, ARABIC_LETTERS, normalize_term
from .words import clitics

__all__ = ["EVENT_COLUMNS", "KnownEvent", "article_events", "events_frame", "events_table", "match_known_events"]

EVENT_COLUMNS = ["article", "date", "precision", "event", "sentence", "start", "end"]

_L = ARABIC_LETTER


def _term_regex(term: str, prefix_only: bool) -> str:
    """A folded term at a word start, allowing the clitics و ف ب ل ك and the article."""
    t = normalize_term(term)
    body = r"\s+".join(re.escape(w) for w in t.split(" "))
    c = clitics()
    conj = f"[{c.conjunctions}]?"
    if t.startswith("ال"):
        rest = r"\s+".join(re.escape(w) for w in t[2:].split(" "))
        preps = c.prepositions.replace("ل", "")  # ل + ال is written لل
        core = rf"(?:{conj}[{preps}]?{body}|{conj}لل{rest})"
    else:
        core = rf"(?:{conj}[{c.prepositions}]?(?:ال|لل)?{body})"
    right = "" if prefix_only else rf"(?:[اهة]|ها|ات)?(?![{_L}])"
    pattern = rf"(?<![{_L}]){core}{right}"
    # the words every match holds (the first without its article, which may be written لل)
    words = t.split(" ")
    if t.startswith("ال"):
        words[0] = words[0][2:]
    _REQUIRED[pattern] = tuple(w for w in words if w)
    if words[0]:
        # a match starts at most one conjunction, one preposition and ال or لل before this word
        _LEAD[pattern] = words[0]
    return pattern


# Cue pattern -> the literal words any match of it contains (see _present).
_REQUIRED: dict[str, tuple[str, ...]] = {}
# Cue pattern -> its required words, the longest first.
_BY_LENGTH: dict[str, tuple[str, ...]] = {}
# Cue pattern -> the word that stands at most _LEAD_REACH characters after the start of any match.
_LEAD: dict[str, str] = {}
_LEAD_REACH = 4


def _matches_near(rx: re.Pattern, text: str, a: int, b: int, at: list[int], shift: int = 0, first: bool = False):
    """``rx.finditer(text, a, b)`` (or its first match, ``rx.search``, when ``first``), tried only near its lead word.

    ``at`` are the sorted positions of the pattern's lead word in the article
    (``shift`` subtracted to make them positions in ``text``); every match
    starts at most _LEAD_REACH characters before one of them, so trying those
    places in order, each after the previous match, gives finditer's matches
    without running the pattern over the rest of the sentence.
    """
    out = []
    end = a  # where finditer would look next
    tried = a - 1
    k = bisect.bisect_left(at, a + shift)
    while k < len(at) and at[k] - shift < b:
        o = at[k] - shift
        k += 1
        for p in range(max(end, tried + 1, o - _LEAD_REACH), o + 1):
            tried = p
            m = rx.match(text, p, b)
            if m is not None:
                if first:
                    return m
                out.append(m)
                end = m.end()
                break
    return None if first else out


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


def _compatible(event: KnownEvent, m: DateMention, event_date: "dt.date | None" = None,
                parsed_values: dict | None = None) -> bool | None:
    """True when the mention can name the event's date, False when it contradicts it, None when it says nothing.

    ``event_date`` is the event's parsed date and ``parsed_values`` a cache of
    parsed mention values, for a caller that compares many pairs.
    """
    ev = parse_iso(event.date)[0] if event_date is None else event_date
    if m.month is not None and m.year is None:  # year-less: month (and day) must agree
        if m.month != ev.month:
            return False
        return m.day is None or m.day == ev.day
    if m.value is None or m.kind == "year_range":
        return None
    if parsed_values is None:
        parsed = parse_iso(m.value)
    else:
        parsed = parsed_values.get(m.value, False)
        if parsed is False:
            parsed = parsed_values[m.value] = parse_iso(m.value)
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




class _CueWordIndex:
    """The words of the cue patterns (``_REQUIRED``, ``_LEAD``) written in Arabic letters, and which of them each
    word of the texts read so far holds, at which offsets (remembered across articles: vocabularies are small)."""

    def __init__(self, words: set[str]):
        self.words = frozenset(w for w in words if w and all(c in ARABIC_LETTERS for c in w))
        self.by_pair: dict[str, list[str]] = defaultdict(list)   # a cue word's first two letters -> cue words
        self.single = tuple(w for w in self.words if len(w) == 1)
        for w in self.words:
            if len(w) > 1:
                self.by_pair[w[:2]].append(w)
        self.held: dict[str, tuple] = {}   # text word -> ((cue word, offsets), ...)
        self.required_sets: dict[str, frozenset] = {}
        self.none: set[str] = set()        # text words holding none

    def holding(self, token: str) -> tuple:
        """((cue word, its offsets in ``token``), ...) for every cue word ``token`` holds (overlapping offsets too)."""
        found: dict[str, list[int]] = {}
        get = self.by_pair.get
        for i in range(len(token)):
            for w in get(token[i:i + 2], ()):
                if token.startswith(w, i):
                    found.setdefault(w, []).append(i)
            for w in self.single:
                if token[i] == w:
                    found.setdefault(w, []).append(i)
        return tuple((w, tuple(offs)) for w, offs in found.items())


@per_lexicons
def _cue_word_index() -> _CueWordIndex:
    known, generic = _events_lexicon()
    patterns = [rx.pattern for ev in known for all_, any_, _ in ev.cue_sets for rx in all_ + tuple(r for g in any_ for r in g)]
    patterns += [rx.pattern for _, rx in generic]
    words = {w for p in patterns for w in _REQUIRED.get(p, ())} | {_LEAD[p] for p in patterns if p in _LEAD}
    index = _CueWordIndex(words)
    # pattern -> its required words, for the patterns whose required words are all in Arabic letters
    index.required_sets = {p: frozenset(_REQUIRED[p]) for p in patterns
                           if p in _REQUIRED and all(w in index.words for w in _REQUIRED[p])}
    return index


@per_lexicons
def _cue_set_words() -> tuple:
    """((event, ((cue set, the words its cues hold, or None when one of them has words not in Arabic letters), ...)),
    ...) in lexicon order: a cue set may match only in an article holding all those words."""
    known, _ = _events_lexicon()
    required = _cue_word_index().required_sets
    out = []
    for ev in known:
        sets = []
        for cs in ev.cue_sets:
            needed = frozenset()
            for rx in cs[0]:
                words = required.get(rx.pattern)
                if words is None:
                    needed = None
                    break
                needed |= words
            sets.append((cs, needed))
        out.append((ev, tuple(sets)))
    return tuple(out)


@per_lexicons
def _generic_words() -> tuple:
    """((label, generic cue pattern, its words or None when they are not all in Arabic letters), ...)."""
    _, generic = _events_lexicon()
    required = _cue_word_index().required_sets
    return tuple((label, rx, required.get(rx.pattern)) for label, rx in generic)


class _Words:
    """Where the words of the cue patterns stand in one article's normalized text (each word looked up once).

    Given the article's tokens, the cue words written in Arabic letters are found
    inside its words (an Arabic word of the text is a run of letters, so every
    occurrence of such a cue word lies inside one): each distinct word of the text
    is read once, not the whole text once per cue word.
    """

    def __init__(self, text: str, sentences: list[tuple[int, int]] = (), tokens: list | None = None):
        self.text = text
        self._tokens = tokens
        self._cue_at: dict[str, list[int]] | None = None
        self._cue_words_set: frozenset = _cue_word_index().words if tokens is not None else frozenset()
        self._held: set | None = None
        self.sentences = sentences  # normalized spans, disjoint and in order
        self._starts = [a for a, _ in sentences]
        self.everywhere = range(len(sentences))
        self._in: dict[str, bool] = {}
        self._at: dict[str, list[int]] = {}
        self._holding: dict[str, "set[int] | range"] = {}
        self._sentences_of: dict[str, set[int]] = {}

    def _cue_words(self) -> dict[str, list[int]] | None:
        """Cue word -> every position where it starts (overlapping ones too), from the tokens; None without them."""
        if self._cue_at is None and self._tokens is not None:
            index = _cue_word_index()
            if len(index.none) > 500_000:
                index.none.clear()   # bounded: a word not remembered is read again
            held, none = index.held, index.none
            relevant = {}
            for token in set(map(itemgetter(2), self._tokens)) - none:
                hits = held.get(token)
                if hits is None:
                    hits = index.holding(token)
                    if not hits:
                        none.add(token)
                        continue
                    held[token] = hits
                relevant[token] = hits
            at: dict[str, list[int]] = {}
            if relevant:
                for start, _, token in self._tokens:
                    hits = relevant.get(token)
                    if hits is not None:
                        for w, offsets in hits:
                            found = at.get(w)
                            if found is None:
                                found = at[w] = []
                            for o in offsets:
                                found.append(start + o)
                for found in at.values():
                    found.sort()
            self._cue_at = at
        return self._cue_at

    def cue_words_held(self) -> set | None:
        """The cue words (in Arabic letters) the text holds; None without its tokens."""
        if self._held is None and self._tokens is not None:
            self._held = set(self._cue_words())
        return self._held

    def contains(self, word: str) -> bool:
        found = self._in.get(word)
        if found is None:
            if word in self._cue_words_set:
                found = word in self._cue_words()
            else:
                found = word in self.text
            self._in[word] = found
        return found

    def starts(self, word: str) -> list[int]:
        """Every position where ``word`` starts (overlapping occurrences included)."""
        at = self._at.get(word)
        if at is None:
            if word in self._cue_words_set:
                at = self._at[word] = self._cue_words().get(word, [])
                return at
            at = self._at[word] = []
            if self.contains(word):
                find = self.text.find
                i = find(word)
                while i >= 0:
                    at.append(i)
                    i = find(word, i + 1)
        return at

    def sentences_holding(self, rx: re.Pattern) -> "set[int] | range":
        """The sentences holding every word a match of the cue pattern ``rx`` contains (all of them when unknown).

        A sentence outside this set cannot hold a match of ``rx``, so it is not searched.
        """
        found = self._holding.get(rx.pattern)
        if found is None:
            required = _REQUIRED.get(rx.pattern)
            if not required:
                found = self.everywhere
            else:
                # the longest (rarest) word first; a common word then only tested in the sentences left (the same
                # intersection in any order)
                order = _BY_LENGTH.get(rx.pattern)
                if order is None:
                    order = _BY_LENGTH[rx.pattern] = tuple(sorted(required, key=len, reverse=True))
                for w in order:
                    if found is None:
                        found = self.sentences_of(w)
                    elif w in self._sentences_of or 8 * len(found) >= len(self.starts(w)):
                        found = found & self.sentences_of(w)
                    else:
                        found = self._sentences_within(found, w)
                    if not found:
                        break
            self._holding[rx.pattern] = found
        return found

    def _sentences_within(self, ks: set[int], word: str) -> set[int]:
        """The sentences of ``ks`` that ``word`` stands wholly inside (``ks & sentences_of(word)``, one bisection each)."""
        at, n, sentences = self.starts(word), len(word), self.sentences
        out = set()
        for k in ks:
            a, b = sentences[k]
            j = bisect.bisect_left(at, a)
            if j < len(at) and at[j] + n <= b:
                out.add(k)
        return out

    def sentences_of(self, word: str) -> set[int]:
        """The sentences ``word`` stands wholly inside (patterns share words: each is placed once; read-only)."""
        found = self._sentences_of.get(word)
        if found is None:
            found = self._sentences_of[word] = set()
            starts, sentences, n = self._starts, self.sentences, len(word)
            for i in self.starts(word):
                k = bisect.bisect_right(starts, i) - 1
                if k >= 0 and i + n <= sentences[k][1]:
                    found.add(k)
        return found


def _words_of(article: Article) -> _Words:
    return article.memo(("cue words",), lambda: _Words(article.norm.text, article.sentences, article.tokens))


@lru_cache(maxsize=1024)
def _event_date(event: KnownEvent) -> dt.date:
    return parse_iso(event.date)[0]


def _present(text: "str | _Words"):
    """A test of whether a cue pattern may match anywhere in ``text``: its words are all in it.

    Every match of a cue pattern holds each word of its term, so a pattern whose
    words are not all in an article cannot match any sentence of it, and is not searched.
    """
    words = text if isinstance(text, _Words) else _Words(text)
    seen: dict[str, bool] = {}
    held = words.cue_words_held()
    if held is not None:
        # the article's cue words are known at once: a pattern is present when its words are a subset of them
        required_sets = _cue_word_index().required_sets

        def present_set(rx: re.Pattern) -> bool:
            found = seen.get(rx.pattern)
            if found is None:
                required = required_sets.get(rx.pattern)
                if required is None:
                    required = _REQUIRED.get(rx.pattern)
                    found = required is None or all(words.contains(w) for w in required)
                else:
                    found = required <= held
                seen[rx.pattern] = found
            return found

        return present_set

    def present(rx: re.Pattern) -> bool:
        found = seen.get(rx.pattern)
        if found is None:
            required = _REQUIRED.get(rx.pattern)
            found = seen[rx.pattern] = required is None or all(words.contains(w) for w in required)
        return found

    return present


def _known_cues(article: Article) -> list[tuple[int, list[tuple[KnownEvent, list[tuple[bool, tuple[int, int] | None]]]]]]:
    """The sentences whose words name a known event: (sentence index, [(event, [(needs_date, cue span), ...]), ...]).

    Sentences in text order, events in lexicon order, and for each event every
    cue set its sentence satisfies, in lexicon order, with the original span of
    the cue that matched first.  It depends on the text alone, so an article
    reads it once (publication dating and the pipeline both ask).
    """
    words = _words_of(article)
    held = words.cue_words_held()
    present = _present(words)
    # the cue sets whose every required cue occurs somewhere in the article, in lexicon order (a set whose cues'
    # words are all in Arabic letters is one comparison with the article's cue words)
    if held is None:
        possible = [(ev, sets) for ev, cue_sets in _cue_set_words()
                    if (sets := [cs for cs, _ in cue_sets if all(present(rx) for rx in cs[0])])]
    else:
        possible = [(ev, sets) for ev, cue_sets in _cue_set_words()
                    if (sets := [cs for cs, needed in cue_sets
                                 if (needed <= held if needed is not None else all(present(rx) for rx in cs[0]))])]
    if not possible:
        return []
    norm = article.norm
    nt = norm.text
    sentences = article.sentences
    everywhere = words.everywhere
    sentences_holding = words.sentences_holding
    texts: dict[int, str] = {}

    def search(rx: re.Pattern, sent: str, na: int):
        """rx.search(sent) for the sentence starting at na (tried near its lead word when the pattern has one)."""
        lead = _LEAD.get(rx.pattern)
        if lead is None:
            return rx.search(sent)
        return _matches_near(rx, sent, 0, len(sent), words.starts(lead), na, first=True)

    per_sentence: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for e, (ev, sets) in enumerate(possible):
        for all_, any_, needs_date in sets:
            # a sentence can satisfy the set only if it holds the words of each cue of it
            candidates = None
            for rx in all_:
                found = sentences_holding(rx)
                candidates = found if candidates is None else [k for k in candidates if k in found]
            for group in any_:
                union = set()
                for rx in group:
                    found = sentences_holding(rx)
                    if found is everywhere:
                        union = everywhere
                        break
                    union |= found
                candidates = union if candidates is None else [k for k in candidates if k in union]
            for k in (everywhere if candidates is None else candidates):
                na, nb = sentences[k]
                sent = texts.get(k)
                if sent is None:
                    sent = texts[k] = nt[na:nb]
                hits = []
                for rx in all_:  # stop at the first cue missing
                    hit = search(rx, sent, na)
                    if hit is None:
                        break
                    hits.append(hit)
                if len(hits) < len(all_):
                    continue
                if not all(any(search(rx, sent, na) for rx in group) for group in any_):
                    continue
                na = sentences[k][0]
                cue = hits[0] if hits else None
                cs, ce = (cue.start() + na, cue.end() + na) if cue else (na, na)
                per_sentence[k][e].append((needs_date, norm.to_original(cs, ce)))
    return [(k, [(possible[e][0], per_sentence[k][e]) for e in sorted(per_sentence[k])]) for k in sorted(per_sentence)]


def match_known_events(article: "Article | str", mentions: Iterable[DateMention]) -> list[dict]:
    """Known events an article names: one dict per (sentence, event) with the cue span and the agreeing mention."""
    article = as_article(article)
    mentions = list(mentions)
    out: list[dict] = []
    cues = article.memo(("known event cues", lexicon_key()), lambda: _known_cues(article))
    if not cues:
        return out
    by_start = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in by_start]  # each sentence reads only its own mentions
    parsed_values: dict = {}
    for k, events in cues:
        sa, sb = article.original_sentences[k]
        in_sentence = by_start[bisect.bisect_left(starts, sa):bisect.bisect_left(starts, sb)]
        for ev, sets in events:
            ev_date = _event_date(ev)
            verdicts = [(m, _compatible(ev, m, ev_date, parsed_values)) for m in in_sentence]
            agreeing = [m for m, v in verdicts if v]
            precise = [m for m, v in verdicts if v is False and (m.precision in ("day", "month") or (m.month is not None))]
            for needs_date, cue in sets:
                if needs_date and not agreeing:
                    continue
                if precise and not agreeing:
                    continue
                out.append({"event": ev, "sentence": (sa, sb), "cue": cue,
                            "mention": agreeing[0] if agreeing else None})
                break
    return out


def article_events(article: Article, mentions: list[DateMention], known: list[dict] | None = None) -> list[dict]:
    """Dated events one article mentions (rows of ``EVENT_COLUMNS``), in text order.

    Known events from ``data/lexicons/events.yml``, then any sentence where an
    event word (attack, meeting, vote ...) stands with a date of day or month precision.
    """
    text, norm, art = article.original, article.norm, article.id
    rows = []
    used: set[tuple[int, int]] = set()
    words = _words_of(article)
    held = words.cue_words_held()
    present = _present(words)
    # the generic patterns whose words the article holds
    generic = [(label, rx) for label, rx, needed in _generic_words()
               if (needed <= held if needed is not None and held is not None else present(rx))]
    for hit in (match_known_events(article, mentions) if known is None else known):
        ev = hit["event"]
        sa, sb = hit["sentence"]
        rows.append({"article": art, "date": ev.date, "precision": ev.precision, "event": ev.label,
                     "sentence": text[sa:sb], "start": hit["cue"][0], "end": hit["cue"][1]})
        if hit["mention"] is not None:
            used.add((hit["mention"].start, hit["mention"].end))
    cues_in: dict[tuple[int, int], list] = {}
    generic_in: dict[int, list] | None = None  # sentence -> the generic patterns whose words it holds, in order
    sentence_starts = [a for a, _ in article.original_sentences]
    for m in mentions:
        if (m.start, m.end) in used or m.value is None or m.precision not in ("day", "month") or m.kind == "year_range":
            continue
        k = bisect.bisect_right(sentence_starts, m.start) - 1  # as article.original_sentence_at
        if k < 0 or not article.original_sentences[k][0] <= m.start < article.original_sentences[k][1]:
            continue
        sentence = sa, sb = article.original_sentences[k]
        if sentence not in cues_in:  # the cue words of a sentence are found once, for all its dates
            # the sentence in normalized coordinates (article.norm_span of it); a pattern is searched only
            # in the sentences holding its words
            seg_start, seg_end = article.sentences[k]
            if generic_in is None:
                generic_in = defaultdict(list)
                for label, rx in generic:
                    for j in words.sentences_holding(rx):
                        generic_in[j].append((label, rx))
            cues_in[sentence] = [(label, norm.to_original(c.start(), c.end())) for label, rx in generic_in.get(k, ())
                                 for c in (rx.finditer(norm.text, seg_start, seg_end) if rx.pattern not in _LEAD else
                                           _matches_near(rx, norm.text, seg_start, seg_end,
                                                         words.starts(_LEAD[rx.pattern])))]
        best = None
        for label, (os_, oe) in cues_in[sentence]:
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
    # one row per (date, event, place); text order
    seen, out = set(), []
    for r in rows:
        key = (r["date"], r["event"], r["start"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return sorted(out, key=lambda r: r["start"])


def events_frame(rows: list[dict]) -> pd.DataFrame:
    """The events table from rows, with fixed columns and types."""
    df = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    return df.reset_index(drop=True).astype({"start": "int64", "end": "int64"})


def events_table(articles, dates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Dated events the articles mention (columns ``EVENT_COLUMNS``), in text order.

    ``dates`` is the dates table of the same articles; without it the mentions are found here.
    """
    rows = []
    by_article: dict = {}
    if dates is not None and len(dates):
        for art_id, sub in dates.groupby("article", sort=False):
            by_article[art_id] = [mention_from_row(r) for r in sub.to_dict("records")]
    for article in article_list(articles, "events_table"):
        if dates is None:
            mentions = resolve_for_article(find_dates(article), article.get("published"), article.get("published_window"))
        else:
            mentions = by_article.get(article.id, [])
        rows.extend(article_events(article, mentions))
    return events_frame(rows)


def _named_without_date(event: KnownEvent, sentence: str) -> bool:
    """Whether a cue set of ``event`` that needs no date matches the normalized ``sentence`` (the words alone name it)."""
    for all_, any_, needs_date in event.cue_sets:
        if not needs_date and all(rx.search(sentence) for rx in all_) \
                and all(any(rx.search(sentence) for rx in group) for group in any_):
            return True
    return False


def anchor_to_events(article: Article, mentions: list[DateMention], known: list[dict]) -> list[DateMention]:
    """Year-less dates that give the date of a known event named with them take that event's year.

    "وقامت الصواريخ الأمريكية في 20 مارس بقصف بغداد" in a sentence naming the
    invasion of Iraq is 2003-03-20; "منذ 17 أكتوبر" with the attacks on US
    forces that began then is 2023-10-17.  ``known`` is
    :func:`match_known_events` on the same mentions.  A mention is anchored when

    * it states a month and no year (a day too, or not), and the text gave it no
      year itself (the year named before it, the same month);
    * a known event named in its sentence falls in that month (on that day, when
      it states one); an event named only with the help of a date (a cue set with
      ``needs_date``) or named elsewhere in its paragraph needs the day itself;
    * every such event gives the same year, a weekday written with the date
      falls on it, and the date is not after the publication window;
    * an anniversary named in the sentence ("الذكرى الـ20 للغزو") moves the year
      by its count (and an anniversary without a count leaves the date alone).

    A date the publication date resolved gives way only to an event named by its
    words alone, on the same day, earlier than publication, with no anniversary
    and no modifier (الماضي، المقبل); ``resolved_from`` names the event.
    """
    if not known:
        return mentions
    sentences = article.original_sentences
    starts = [a for a, _ in sentences]
    paragraphs = article.paragraphs
    par_starts = [a for a, _ in paragraphs]

    def index(spans_starts, spans, pos):
        k = bisect.bisect_right(spans_starts, pos) - 1
        return k if k >= 0 and spans[k][0] <= pos < spans[k][1] else None

    norm = article.norm.text
    norm_sentences = article.sentences

    def norm_sentence(k):
        a, b = norm_sentences[k]
        return norm[a:b]

    # each event named, with the sentence and paragraph it is named in, and whether its words alone name it
    named: list[tuple[KnownEvent, dt.date, int | None, int | None, bool]] = []
    strong: dict[tuple[str, int], bool] = {}
    for hit in known:
        ev = hit["event"]
        k = index(starts, sentences, hit["sentence"][0])
        if k is None:
            continue
        key = (ev.id, k)
        if key not in strong:
            strong[key] = _named_without_date(ev, norm_sentence(k))
            named.append((ev, _event_date(ev), k, index(par_starts, paragraphs, hit["sentence"][0]), strong[key]))
    window = article.get("published_window")
    latest = parse_iso(str(window).split("/")[-1])[0] if isinstance(window, str) and "/" in window \
        and parse_iso(str(window).split("/")[-1]) is not None else None
    published = parse_iso(article.get("published"))
    published = published[0] if published is not None else None
    from .dates import anniversary_count, with_year
    counts: dict[int, int | None] = {}
    out = []
    for m in mentions:
        if m.month is None or m.year is not None or m.kind == "year_range" or \
                not (m.status == "unresolved" or (m.status == "resolved" and str(m.resolved_from or "").startswith("published"))):
            out.append(m)
            continue
        by_publication = m.status == "resolved"
        k = index(starts, sentences, m.start)
        if k is None:
            out.append(m)
            continue
        p = index(par_starts, paragraphs, m.start)
        if k not in counts:
            counts[k] = anniversary_count(norm_sentence(k))
        years = set()
        source = None
        for ev, ev_date, ek, ep, by_words in named:
            same_sentence = ek == k
            if not same_sentence and (p is None or ep != p):
                continue
            if ev.precision not in ("day", "month") or ev_date.month != m.month:
                continue
            exact_day = m.day is not None and ev.precision == "day" and m.day == ev_date.day
            if m.day is not None and ev.precision == "day" and abs(m.day - ev_date.day) > 1:
                continue
            if not exact_day and not (same_sentence and by_words):
                continue  # a month alone, or a neighbouring day, only beside an event its words name
            if by_publication and not (by_words and exact_day and m.offset is None and counts[k] is None
                                       and published is not None and ev_date < published):
                continue
            years.add(ev_date.year)
            source = f"event {ev.id}" + ("" if same_sentence else " in its paragraph")
        if len(years) != 1:
            out.append(m)
            continue
        year = years.pop()
        if counts[k]:
            year += counts[k]
            source += f", anniversary {counts[k]}"
        elif counts[k] == 0:
            out.append(m)
            continue
        r = with_year(m, year, source)
        if r is m or (latest is not None and parse_iso(r.value) is not None and parse_iso(r.value)[0] > latest):
            out.append(m)
            continue
        if by_publication and r.value == m.value:
            out.append(m)
            continue
        out.append(r)
    return out
