"""Attribution: which outlet published an article, and whom the article relies on.

Outlet
    The sidecar's ``outlet`` wins (basis ``metadata``).  Otherwise the text is
    read: a credit line or agency dateline near the top (``dateline``: "الترا
    عراق - فريق التحرير", "بغداد (رويترز) -"), a byline (``byline``: "يوني بن
    مناحيم يكتب"; the author stands in for the outlet), the domain of a URL in
    the last lines (``link``), else ``unknown``.

Sources
    ``agency``          named news agencies and media (رويترز, أسوشيتد برس,
                        The Independent, "موقع amwaj.media", "صحيفة "..."").
    ``named_official``  a known person (actors.yml) or a title + name next to a
                        speech verb ("قال رئيس الوزراء مصطفى الكاظمي").
    ``anonymous``       unnamed sources: مصدر/مصادر with a qualifier or a speech
                        verb, unnamed officials or media next to a speech verb,
                        and anonymity clauses ("شريطة عدم الكشف عن هويته") that no
                        unnamed source of their sentence already accounts for.

All patterns and word lists live in ``data/lexicons/sources.yml``.
"""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .actors import kept_actor_matches
from .lexicons import LexiconError, lexicon_key, load_lexicon, per_lexicons
from .text import normalize, normalize_term
from .article import Article, as_article
from .words import (
    Match,
    TermMatcher,
    TermSpec,
    clitics,
    lexicon_source,
    select_non_overlapping,
    specs_from_entries,
    stopword_set,
)

__all__ = ["SourceMention", "article_outlet", "outlet_from_text", "source_mentions", "OUTLET_BASES"]

OUTLET_BASES = ("metadata", "dateline", "byline", "link", "unknown")
_UNKNOWN = {"", "unknown", "na", "n/a", "none", "null", "-", "nan"}


@dataclass(frozen=True)
class SourceMention:
    start: int  # normalized text
    end: int
    kind: str  # agency | named_official | anonymous
    name: str  # agency canonical name, person name, or the unnamed source's words
    term: str  # the lexicon entry (term or regex) that found it


def _cfg() -> dict:
    data = load_lexicon("sources")
    if not isinstance(data, dict):
        raise LexiconError(f"{lexicon_source('sources')}: expected a mapping with outlet, agencies, anonymous ...")
    return data


@per_lexicons
def _outlet_patterns() -> dict[str, list[re.Pattern[str]]]:
    out = _cfg().get("outlet") or {}
    compiled: dict[str, list[re.Pattern[str]]] = {}
    for key in ("credit_line", "agency_dateline", "byline", "link"):
        pats = []
        for p in out.get(key) or []:
            try:
                pats.append(re.compile(normalize(p).text if key != "link" else p, re.MULTILINE | re.IGNORECASE))
            except re.error as exc:
                raise LexiconError(f"{lexicon_source('sources')}: outlet.{key}: bad regex {p!r} ({exc})") from None
        compiled[key] = pats
    return compiled


def _present(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    s = str(value).strip()
    return None if s.lower() in _UNKNOWN else s


_LINE = re.compile(r"[^\n]+")
_CLAUSE_BREAK = re.compile(r"[.!?؟؛;\n:،,\"]")  # a sentence or clause break between two words
_SENTENCE_BREAK = re.compile(r"[.!?؟؛;\n]")
_COMMA = re.compile(r"[،,:]")
_RELATIVE = re.compile(r"\s*[،,]\s*(?:الذي|التي|الذين)\s")
_PARENS = re.compile(r"\s*\(.*?\)\s*")
_LETTER = re.compile(r"[^\W\d_]")


def _lines(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _LINE.finditer(text) if m.group().strip()]


@lru_cache(maxsize=4096)
def _folded_lower(name: str) -> str:
    return normalize_term(name).lower()


def _token_index(article: Article) -> dict[int, int]:
    """Token index by start offset (once per article)."""
    return article.memo(("token_index",), lambda: dict(zip([t[0] for t in article.tokens], range(len(article.tokens)))))


def outlet_from_text(article: Article) -> tuple[str | None, str, tuple[int, int, str] | None]:
    """(outlet, basis, (start, end, term)) read from the text; spans are normalized offsets of the outlet name."""
    cfg = _cfg().get("outlet") or {}
    pats = _outlet_patterns()
    text = article.text
    lines = _lines(text)
    top = lines[: int(cfg.get("top_lines", 8))]
    bottom = lines[-int(cfg.get("bottom_lines", 4)):] if lines else []
    for basis, keys in (("dateline", ("credit_line", "agency_dateline")), ("byline", ("byline",))):
        for key in keys:
            for a, b in top:
                line = text[a:b]
                if len(line) > 200:
                    continue  # a credit line is short; long lines are body text
                for pat in pats.get(key, []):
                    m = pat.search(line)
                    if m and m.group("outlet").strip():
                        s, e = m.span("outlet")
                        raw = line[s:e]
                        s += len(raw) - len(raw.lstrip())
                        e -= len(raw) - len(raw.rstrip())
                        oa, ob = article.to_original(a + s, a + e)
                        name = article.original[oa:ob]  # as written, hamzas and all
                        if key == "agency_dateline":
                            name = _agency_canonical(name) or name
                        return name, basis, (a + s, a + e, pat.pattern)
    for a, b in reversed(bottom):
        line = text[a:b]
        for pat in pats.get("link", []):
            m = pat.search(line)
            if m:
                s, e = m.span("outlet")
                return m.group("outlet").lower(), "link", (a + s, a + e, pat.pattern)
    return None, "unknown", None


def article_outlet(row: Any, article: Article | None = None) -> tuple[str | None, str, tuple[int, int, str] | None]:
    """Outlet of an article row (a mapping or Series with text and outlet): sidecar first, then the text."""
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    sidecar = _present(get("outlet", None))
    if sidecar:
        # the reader says where the outlet came from: the sidecar, the page's markup, the url's domain
        return sidecar, _present(get("outlet_basis", None)) or "metadata", None
    if article is None:
        text = get("text", "")
        article = as_article(text if isinstance(text, str) else "")
    return outlet_from_text(article)


# ----------------------------------------------------------------------------- agencies


@per_lexicons
def _agency_matcher() -> TermMatcher:
    specs = []
    for canonical, variants in (_cfg().get("agencies") or {}).items():
        for v in variants or []:
            specs.append(TermSpec("agency", str(v), True, False, None, str(canonical)))
    return TermMatcher(specs, source=lexicon_source("sources"))


def _agency_canonical(name: str) -> str | None:
    return _agency_canonical_in(lexicon_key(), name)


@lru_cache(maxsize=4096)
def _agency_canonical_in(_folder: str, name: str) -> str | None:
    n = normalize(name).text
    for m in _agency_matcher().find(n):
        if m.start == 0 and m.end == len(n.rstrip()):
            return m.spec.data
    return None


@per_lexicons
def _media_patterns() -> list[re.Pattern[str]]:
    pats = []
    for p in _cfg().get("media_patterns") or []:
        try:
            pats.append(re.compile(p))
        except re.error as exc:
            raise LexiconError(f"{lexicon_source('sources')}: media_patterns: bad regex {p!r} ({exc})") from None
    return pats


def _agency_mentions(article: Article, outlet: str | None) -> list[SourceMention]:
    text = article.text
    found: list[Match] = list(article.matches(_agency_matcher()))
    for pat in _media_patterns():
        for m in pat.finditer(text):
            name = m.group("name").strip()
            canonical = _agency_canonical(name) or name
            found.append(Match(m.start(), m.end(), TermSpec("agency", pat.pattern, True, False, pat.pattern, canonical)))
    own = normalize_term(outlet).lower() if outlet else None
    own_core = _PARENS.sub(" ", own).strip() if own else None
    out = []
    for m in select_non_overlapping(found):
        words = text[m.start:m.end].lower()
        name = str(m.spec.data)
        # the outlet naming itself ("ترجمه الترا عراق") is not a source
        if own_core and (own_core in words or _folded_lower(name) == own_core):
            continue
        out.append(SourceMention(m.start, m.end, "agency", name, m.spec.term))
    return out


# ----------------------------------------------------------------------------- unnamed sources


@per_lexicons
def _anon_cfg():
    cfg = _cfg()
    anon = cfg.get("anonymous") or {}
    src = lexicon_source("sources")
    speech = TermMatcher(specs_from_entries("speech", cfg.get("speech_verbs"), src), source=src)
    nouns = TermMatcher(
        specs_from_entries("source_noun", anon.get("source_nouns"), src)
        + specs_from_entries("official_noun", anon.get("official_nouns"), src, suffixes=False)
        + specs_from_entries("media_noun", anon.get("media_nouns"), src, suffixes=False),
        source=src,
    )
    clauses = TermMatcher(specs_from_entries("anonymity_clause", anon.get("anonymity_clauses"), src), source=src)
    qualifiers = frozenset(normalize_term(q) for q in anon.get("source_qualifiers") or [])
    determiners = frozenset(normalize_term(d) for d in cfg.get("source_determiners") or [])
    return speech, nouns, clauses, qualifiers, determiners


def _bare(token: str) -> str:
    """A token without its proclitics (longest reading that leaves two letters)."""
    return _bare_in(lexicon_key(), token)


@lru_cache(maxsize=200_000)
def _bare_in(_folder: str, token: str) -> str:
    table = clitics()
    for p in table.ordered:
        if p and token.startswith(p) and len(token) - len(p) >= table.min_core:
            return token[len(p):]
    return token


_ATTRIBUTION_PREPS = frozenset(normalize_term(w) for w in ("وفقا", "وفق", "طبقا", "نقلا", "استنادا", "بحسب", "حسب"))


def _is_qualifier(token: str, qualifiers: frozenset[str]) -> bool:
    b = token[2:] if token.startswith("ال") and len(token) > 4 else token
    return token in qualifiers or b in qualifiers


def _nisba_like(token: str) -> bool:
    return len(token) > 3 and token.endswith(("ي", "ية", "يون", "يين", "يان"))


def _anonymous_mentions(article: Article, persons: list[Match]) -> list[SourceMention]:
    speech, nouns, clauses, qualifiers, determiners = _anon_cfg()
    text, tokens = article.text, article.tokens
    n = len(tokens)
    tok_index = _token_index(article)
    speech_at = {tok_index[m.start] for m in article.matches(speech) if m.start in tok_index}
    person_at = {tok_index[m.start] for m in persons if m.start in tok_index}
    clause_break = _CLAUSE_BREAK.search

    def gap_ok(i: int, j: int) -> bool:
        """No sentence or clause break between tokens i < j."""
        lo, hi = tokens[i][1], tokens[j][0]
        return lo >= hi or not clause_break(text, lo, hi)

    def speech_before(i: int) -> int | None:
        j = i - 1
        while j >= 0 and i - j <= 4 and gap_ok(j, i):
            if j in speech_at:
                return j
            t = tokens[j][2]
            if _bare(t) in determiners or t in determiners or t.isdigit():
                j -= 1
                continue
            return None
        return None

    def speech_after(i: int, limit: int = 3) -> bool:
        for j in range(i + 1, min(n, i + 1 + limit)):
            if not gap_ok(i, j):
                return False
            if j in speech_at:
                return True
        return False

    out: list[SourceMention] = []
    for m in select_non_overlapping(article.matches(nouns)):
        i = tok_index.get(m.start)
        if i is None:
            continue
        last = i
        while last + 1 < n and tokens[last + 1][1] <= m.end:
            last += 1
        kind = m.label
        first_after = last + 1
        qualified = first_after < n and gap_ok(last, first_after) and _is_qualifier(tokens[first_after][2], qualifiers)
        # extend over the qualifiers and adjectives that describe the source
        end_tok = last
        j = first_after
        while j < n and j - last <= 6 and gap_ok(end_tok, j) and (
            _is_qualifier(tokens[j][2], qualifiers) or _nisba_like(_bare(tokens[j][2])) or (kind != "source_noun" and tokens[j][2] in ("في", "من") and j + 1 < n)
        ):
            if tokens[j][2] in ("في", "من"):
                if j + 1 < n and gap_ok(j, j + 1) and tokens[j + 1][2].startswith("ال") and (j + 1) not in person_at:
                    end_tok = j + 1
                    j += 2
                    continue
                break
            end_tok = j
            j += 1
        if end_tok + 1 < n and (end_tok + 1) in person_at and gap_ok(end_tok, end_tok + 1):
            continue  # "المسؤول الأمريكي جون كيربي": a named official, not an unnamed one
        before = speech_before(i)
        after = speech_after(end_tok)
        head = tokens[i][2]
        prefix = head[: len(head) - len(_bare(head))] if _bare(head) != head else ""
        if "ل" in prefix.replace("ال", "") and before is not None and _bare(tokens[before][2]) not in _ATTRIBUTION_PREPS and tokens[before][2] not in _ATTRIBUTION_PREPS:
            continue  # "قال ... لوسائل إعلام": the source is the speaker, not the recipient
        if kind == "source_noun":
            ok = qualified or before is not None or after
        else:
            ok = before is not None or after
        if not ok:
            continue
        out.append(SourceMention(m.start, tokens[end_tok][1], "anonymous", text[m.start:tokens[end_tok][1]], m.spec.term))
    # anonymity clauses the sentence's unnamed sources do not already explain
    counted_sentences = {article.sentence_index(s.start) for s in out}
    for m in select_non_overlapping(article.matches(clauses)):
        k = article.sentence_index(m.start)
        if k is not None and k in counted_sentences:
            continue
        out.append(SourceMention(m.start, m.end, "anonymous", text[m.start:m.end], m.spec.term))
        counted_sentences.add(k)
    return sorted(out, key=lambda s: s.start)


# ----------------------------------------------------------------------------- named officials


@per_lexicons
def _named_cfg():
    cfg = _cfg().get("named_officials") or {}
    src = lexicon_source("sources")
    titles = TermMatcher(specs_from_entries("title", cfg.get("titles"), src, suffixes=False), source=src)
    not_before = [normalize_term(x) for x in cfg.get("not_speaker_before") or []]
    return titles, not_before, int(cfg.get("window", 6))


_FUNCTION_WORDS = frozenset(normalize_term(w) for w in (
    "في", "من", "الى", "إلى", "على", "عن", "مع", "ان", "إن", "أن", "انه", "إنه", "أنه", "الذي", "التي", "قد", "لقد",
    "يوم", "خلال", "بعد", "قبل", "منذ", "حول", "لدى", "هذا", "هذه", "كان", "كانت", "و", "او", "أو", "ثم",
))


def _named_mentions(article: Article, persons: list[Match]) -> list[SourceMention]:
    speech, _nouns, _clauses, _q, _d = _anon_cfg()
    titles, not_before, window = _named_cfg()
    text, tokens = article.text, article.tokens
    n = len(tokens)
    tok_index = _token_index(article)
    speech_at = sorted(tok_index[m.start] for m in article.matches(speech) if m.start in tok_index)
    speech_set = frozenset(speech_at)
    stops = stopword_set()
    sentence_break = _SENTENCE_BREAK.search

    def same_clause(i: int, j: int) -> bool:
        lo, hi = (i, j) if i < j else (j, i)
        a, b = tokens[lo][1], tokens[hi][0]
        return a >= b or not sentence_break(text, a, b)

    def near_speech(i: int, last: int) -> bool:
        # only the speech verbs within the window before the name or after it can count
        for s in speech_at[bisect.bisect_left(speech_at, i - window):bisect.bisect_left(speech_at, i)]:
            if same_clause(s, i):
                return True  # "قال رئيس الوزراء، مصطفى الكاظمي،": commas may stand between
        for s in speech_at[bisect.bisect_right(speech_at, last):bisect.bisect_right(speech_at, last + window)]:
            if same_clause(last, s):
                between = text[tokens[last][1]:tokens[s][0]]
                # after the name the verb must be in the same clause, or in a relative clause ("، الذي أكد")
                if not _COMMA.search(between) or _RELATIVE.match(between + " "):
                    return True
        return False

    candidates: list[tuple[int, int, str, str]] = []  # (start, end, name, term)
    for m in persons:
        i = tok_index.get(m.start)
        if i is None:
            continue
        last = i
        while last + 1 < n and tokens[last + 1][1] <= m.end:
            last += 1
        before = text[max(0, m.start - 40):m.start]
        before = _SENTENCE_BREAK.split(before)[-1]
        if any(nb in before for nb in not_before):
            continue  # "مصدر مقرب من رئيس الحشد الشعبي، فالح الفياض": a reference point, not the speaker
        head = tokens[i][2]
        prev_tok = tokens[i - 1][2] if i > 0 else ""
        # "للجنرال قاآني", "لبومبيو": a person addressed is not a source
        if (head.startswith("ل") and not head.startswith("ال")) or (prev_tok.startswith("لل") and same_clause(i - 1, i)):
            continue
        if near_speech(i, last):
            candidates.append((m.start, m.end, str(m.spec.data.name), m.spec.term))
    # a title followed by a name the gazetteer does not know
    person_starts = [m.start for m in persons]  # persons do not overlap: sorted by start and by end
    person_at = {tok_index[m.start] for m in persons if m.start in tok_index}
    for t in select_non_overlapping(article.matches(titles)):
        i = tok_index.get(t.start)
        if i is None:
            continue
        if text[t.start] == "ل" and not text.startswith("ال", t.start):
            continue  # "للجنرال ...": the person addressed is not a source
        j = i
        while j + 1 < n and tokens[j + 1][1] <= t.end:
            j += 1
        k = j + 1
        while k < n and k not in person_at and same_clause(j, k) and (tokens[k][2].startswith("ال") or _nisba_like(tokens[k][2])) and k - j <= 4:
            k += 1  # adjectives and the ministry ("وزير الخارجية العراقي")
        if k in person_at:
            continue  # a known person follows the title: counted above
        name_toks = []
        while k < n and len(name_toks) < 3:
            tok = tokens[k][2]
            if tok.startswith(("ال", "لل")) or tok in stops or tok in _FUNCTION_WORDS or tok.isdigit() or k in speech_set:
                break
            if not _LETTER.search(tok) or not text[tokens[k - 1][1]:tokens[k][0]].isspace():
                break
            name_toks.append(k)
            k += 1
        if len(name_toks) < 2:
            continue
        s, e = tokens[name_toks[0]][0], tokens[name_toks[-1]][1]
        p = bisect.bisect_left(person_starts, e) - 1  # the last person starting before the name ends
        if p >= 0 and persons[p].end > s:
            continue
        if near_speech(name_toks[0], name_toks[-1]):
            candidates.append((s, e, text[s:e], t.spec.term))
    out = []
    for s, e, name, term in sorted(set(candidates)):
        if out and out[-1].end > s:
            continue
        out.append(SourceMention(s, e, "named_official", name, term))
    return out


def source_mentions(article: Article, outlet: str | None = None) -> list[SourceMention]:
    """Agencies, named officials and unnamed sources of one article, by position."""
    # people are the person entities among all actor names, so "إدارة بايدن" stays an institution
    persons = [m for m in kept_actor_matches(article) if m.spec.data.person]
    mentions = _agency_mentions(article, outlet) + _named_mentions(article, persons) + _anonymous_mentions(article, persons)
    return sorted(mentions, key=lambda s: (s.start, s.kind))
