"""Vocabulary: find lexicon terms in Arabic text, and the words that set one outlet apart.

Two jobs share one view of Arabic words:

* :class:`TermMatcher` finds the terms of a lexicon (frames, stance cues, actor
  names, source cues) in the *normalized* text of an article.  Arabic attaches
  conjunctions, prepositions and the article to the word (و ف ب ك ل س ال لل) and
  inflects it at the end (ة ات ين ون ية ...) and adds pronouns (ها هم ...), so a
  lexicon term such as ``انسحاب`` must also find ``وبالانسحاب`` and ``انسحابها``.
  Rather than one huge regular expression (slow on long texts), the text is cut
  into word tokens once, and every token is looked up, after removing each
  possible proclitic, in a table of the inflected forms of every term.  Terms of
  several words must appear as consecutive tokens separated by white space.
* :func:`distinctive_terms` ranks the stems that distinguish one group of
  articles (an outlet) from the rest with the weighted log-odds ratio and an
  informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

Matching always runs on :func:`troopwatch.text.normalize` output; callers map
spans back to the original with ``NormalizedText.to_original``.
"""
from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Sequence

import pandas as pd

from .lexicons import LexiconError, lexicon_path, load_lexicon
from .text import ARABIC_LETTER, NormalizedText, normalize, normalize_term, sentence_spans

__all__ = [
    "ArticleText",
    "Match",
    "TermMatcher",
    "TermSpec",
    "prepare_article",
    "tokenize",
    "light_stem",
    "stopword_set",
    "select_non_overlapping",
    "distinctive_terms",
    "distinctive_terms_for_groups",
]

# A word token of the normalized text: a run of Arabic letters, or a run of Latin
# letters/digits that may contain dots (domains such as amwaj.media, decimals).
TOKEN_RE = re.compile(f"[{ARABIC_LETTER}]+|[A-Za-z0-9]+(?:\\.[A-Za-z0-9]+)*")
_ARABIC_RE = re.compile(f"[{ARABIC_LETTER}]")

# Proclitics: conjunction (و ف), then a preposition or the future particle
# (ب ك ل س), then the article (ال); ل + ال is written لل.
def _proclitic_table() -> dict[str, tuple[bool, bool]]:
    table: dict[str, tuple[bool, bool]] = {}
    for conj in ("", "و", "ف"):
        for prep in ("", "ب", "ك", "ل", "س"):
            for art in ("", "ال"):
                if prep == "س" and art:
                    continue
                form = conj + ("لل" if (prep == "ل" and art) else prep + art)
                has_article = bool(art)
                has_clitic = bool(conj or prep)
                # keep the reading with the article when a form is ambiguous
                if form not in table or has_article:
                    table[form] = (has_article, has_clitic)
    return table


PROCLITICS = _proclitic_table()
_PROCLITIC_LIST = sorted(PROCLITICS, key=len, reverse=True)

# Endings: an inflection (with the form it takes before a pronoun: ة becomes ت,
# the ن of the dual and sound plural drops) and an optional pronoun.
_INFLECTIONS = [
    ("", ""), ("ة", "ت"), ("ات", "ات"), ("ان", "ا"), ("ين", "ي"), ("ون", "و"),
    ("ي", "ي"), ("ية", "يت"), ("يين", "يي"), ("يون", "يو"), ("يات", "يات"),
    ("ا", "ا"), ("تان", "تا"), ("تين", "تي"), ("ت", "ت"), ("وا", "و"), ("يا", "يا"),
]
_PRONOUNS = ["ه", "ها", "هم", "هما", "هن", "ك", "كم", "نا", "ي"]


def _inflected_forms(core: str) -> set[str]:
    forms: set[str] = set()
    if core.endswith("ة"):
        stem = core[:-1]
        forms.add(core)
        for p in _PRONOUNS:
            forms.add(stem + "ت" + p)
        for bare, before in (("ات", "ات"), ("تان", "تا"), ("تين", "تي"), ("ي", "ي"), ("ية", "يت"), ("يا", "يا")):
            forms.add(stem + bare)
            forms.add(stem + before)
            for p in _PRONOUNS:
                forms.add(stem + before + p)
        return forms
    for bare, before in _INFLECTIONS:
        forms.add(core + bare)
        forms.add(core + before)  # construct state: مسؤولي الحكومة
        for p in _PRONOUNS:
            forms.add(core + before + p)
    return forms


@dataclass(frozen=True)
class TermSpec:
    """One lexicon term: what it is called, how it is written, how it may inflect."""

    label: str
    term: str  # as written in the lexicon (reported in evidence)
    prefixes: bool = True  # allow و ف ب ك ل س before the first word
    suffixes: bool = True  # allow inflection and pronoun endings on the last word
    regex: str | None = None  # a regular expression on the normalized text instead of a word list
    data: Any = None  # anything the caller wants back with a match (an entity, a weight)


@dataclass(frozen=True)
class Match:
    """A term found in the normalized text: [start, end) in normalized coordinates."""

    start: int
    end: int
    spec: TermSpec

    @property
    def label(self) -> str:
        return self.spec.label


@dataclass
class _Word:
    core: str
    article: str  # "required" | "optional"
    forms: frozenset[str]
    latin: bool


def _split_term(term: str) -> list[str]:
    return [t.group() for t in TOKEN_RE.finditer(term)]


@lru_cache(maxsize=1)
def _spelling_pairs() -> tuple[tuple[str, str], ...]:
    """(variant, canonical) letter sequences from spelling_variants.yml, longest first."""
    data = load_lexicon("spelling_variants") or {}
    pairs = []
    for canonical, variants in (data.get("equivalents") or {}).items():
        c = normalize_term(str(canonical))
        for v in variants or []:
            pairs.append((normalize_term(str(v)), c))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


@lru_cache(maxsize=200_000)
def canonical_spelling(word: str) -> str:
    """One spelling for words written several ways (أميركا/أمريكا, مليشيات/ميليشيات)."""
    for variant, canonical in _spelling_pairs():
        if variant in word:
            word = word.replace(variant, canonical)
    return word


class TermMatcher:
    """Find many lexicon terms at once in a normalized text (see the module docstring)."""

    def __init__(self, specs: Iterable[TermSpec], source: str = "lexicon"):
        self.specs: list[TermSpec] = []
        self._words: list[list[_Word]] = []
        self._first: dict[str, list[int]] = defaultdict(list)
        self._regexes: list[tuple[re.Pattern[str], TermSpec]] = []
        for spec in specs:
            if spec.regex is not None:
                try:
                    self._regexes.append((re.compile(spec.regex), spec))
                except re.error as exc:
                    raise LexiconError(f"{source}: term {spec.label!r}: bad regex {spec.regex!r} ({exc}); fix the pattern") from None
                continue
            words = _split_term(normalize_term(spec.term))
            if not words:
                raise LexiconError(f"{source}: term {spec.term!r} of {spec.label!r} has no letters; remove it")
            compiled = []
            for i, w in enumerate(words):
                latin = not _ARABIC_RE.search(w)
                if latin:
                    compiled.append(_Word(w.lower(), "optional", frozenset({w.lower()}), True))
                    continue
                article = "optional"
                core = w
                if w.startswith("ال") and len(w) > 3:
                    article, core = "required", w[2:]
                last = i == len(words) - 1
                if spec.suffixes and last:
                    forms = _inflected_forms(core)
                elif spec.suffixes:
                    # inner words agree (ة ات ين ون ا ية) but take no pronoun
                    forms = {core + bare for bare, _ in _INFLECTIONS[:13]} | {core + before for _, before in _INFLECTIONS[:13]}
                    if core.endswith("ة"):
                        forms |= {core[:-1] + x for x in ("ات", "تان", "تين", "ي", "ية")}
                else:
                    forms = {core}
                compiled.append(_Word(core, article, frozenset(canonical_spelling(f) for f in forms), False))
            tid = len(self.specs)
            self.specs.append(spec)
            self._words.append(compiled)
            for form in compiled[0].forms:
                self._first[form].append(tid)

    def __len__(self) -> int:
        return len(self.specs)

    @staticmethod
    @lru_cache(maxsize=200_000)
    def _analyses(token: str) -> tuple[tuple[str, str], ...]:
        """(proclitic, rest) readings of a token; rest keeps at least two letters."""
        if not _ARABIC_RE.match(token):
            return (("", token.lower()),)
        out = []
        for p in _PROCLITIC_LIST:
            if token.startswith(p) and len(token) - len(p) >= 2:
                out.append((p, canonical_spelling(token[len(p):])))
        return tuple(out)

    def _word_ok(self, word: _Word, token: str, first: bool, allow_clitics: bool) -> bool:
        if word.latin:
            return token.lower() == word.core
        for p, rest in self._analyses(token):
            if rest not in word.forms:
                continue
            has_article, has_clitic = PROCLITICS[p]
            if has_clitic and not (first and allow_clitics):
                continue
            if word.article == "required" and not has_article:
                continue
            return True
        return False

    def find(self, text: str, tokens: Sequence[tuple[int, int, str]] | None = None) -> list[Match]:
        """Every occurrence of every term (overlaps included; see select_non_overlapping)."""
        if tokens is None:
            tokens = tokenize(text)
        matches: list[Match] = []
        n = len(tokens)
        for i, (start, _end, tok) in enumerate(tokens):
            candidates: set[int] = set()
            for _p, rest in self._analyses(tok):
                candidates.update(self._first.get(rest, ()))
            for tid in candidates:
                words = self._words[tid]
                spec = self.specs[tid]
                if not self._word_ok(words[0], tok, True, spec.prefixes):
                    continue
                j = i
                ok = True
                for w in words[1:]:
                    j += 1
                    if j >= n:
                        ok = False
                        break
                    gap = text[tokens[j - 1][1]:tokens[j][0]]
                    if not gap or not gap.isspace():
                        ok = False
                        break
                    if not self._word_ok(w, tokens[j][2], False, False):
                        ok = False
                        break
                if ok:
                    matches.append(Match(start, tokens[j][1], spec))
        for pattern, spec in self._regexes:
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    matches.append(Match(m.start(), m.end(), spec))
        matches.sort(key=lambda m: (m.start, -(m.end - m.start), m.label))
        return matches

    def full_match(self, spec: TermSpec, normalized_span: str) -> bool:
        """Whether ``normalized_span`` is exactly one occurrence of ``spec`` (used by tests and audits)."""
        if spec.regex is not None:
            return re.fullmatch(spec.regex, normalized_span) is not None
        single = TermMatcher([spec])
        found = single.find(normalized_span)
        return any(m.start == 0 and m.end == len(normalized_span) for m in found)


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """Word tokens of a normalized text as (start, end, token)."""
    return [(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text)]


def select_non_overlapping(matches: Iterable[Match]) -> list[Match]:
    """Keep the longest matches; drop any match overlapping one already kept. Sorted by start."""
    ordered = sorted(matches, key=lambda m: (-(m.end - m.start), m.start, m.label))
    starts: list[int] = []
    kept: list[Match] = []
    for m in ordered:
        k = bisect.bisect_right(starts, m.start)
        if k > 0 and kept[k - 1].end > m.start:
            continue
        if k < len(kept) and kept[k].start < m.end:
            continue
        starts.insert(k, m.start)
        kept.insert(k, m)
    return kept


# --------------------------------------------------------------------------- article view


@dataclass
class ArticleText:
    """An article's text, its matching form, tokens and sentences (normalized coordinates)."""

    original: str
    norm: NormalizedText
    tokens: list[tuple[int, int, str]]
    sentences: list[tuple[int, int]]  # normalized spans
    original_sentences: list[tuple[int, int]]
    _starts: list[int] = field(default_factory=list, repr=False)

    @property
    def text(self) -> str:
        return self.norm.text

    @property
    def words(self) -> int:
        return len(self.tokens)

    def sentence_index(self, pos: int) -> int | None:
        """Index of the sentence holding normalized position ``pos`` (None outside every sentence)."""
        k = bisect.bisect_right(self._starts, pos) - 1
        if k >= 0 and self.sentences[k][0] <= pos < max(self.sentences[k][1], self.sentences[k][0] + 1):
            return k
        return None

    def sentence_text(self, pos: int) -> str:
        """The original sentence holding normalized position ``pos`` (its line when none)."""
        k = self.sentence_index(pos)
        if k is not None:
            a, b = self.original_sentences[k]
            return self.original[a:b]
        a, _ = self.to_original(pos, pos)
        line_start = self.original.rfind("\n", 0, a) + 1
        line_end = self.original.find("\n", a)
        return self.original[line_start: line_end if line_end >= 0 else len(self.original)].strip()

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        return self.norm.to_original(start, end)

    def token_index_at(self, pos: int) -> int:
        """Index of the first token starting at or after ``pos``."""
        return bisect.bisect_left(self._token_starts, pos)

    @property
    def _token_starts(self) -> list[int]:
        cached = getattr(self, "_token_starts_cache", None)
        if cached is None:
            cached = [t[0] for t in self.tokens]
            self._token_starts_cache = cached
        return cached


def prepare_article(text: str) -> ArticleText:
    """Normalize an article once, with tokens and sentences every stage can share."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        text = ""
    if not isinstance(text, str):
        raise TypeError(f"article text must be a str, not {type(text).__name__}")
    norm = normalize(text)
    osents = sentence_spans(text)
    offsets = norm.offsets
    nsents = []
    for a, b in osents:
        na = bisect.bisect_left(offsets, a, 0, len(offsets) - 1)
        nb = bisect.bisect_left(offsets, b, 0, len(offsets) - 1)
        if nb == len(offsets) - 1 or nb > len(norm.text):
            nb = len(norm.text)
        nsents.append((na, max(na, nb)))
    art = ArticleText(text, norm, tokenize(norm.text), nsents, osents)
    art._starts = [s for s, _ in nsents]
    return art


# --------------------------------------------------------------------------- distinctive vocabulary

# Light stemming in the manner of Larkey, Ballesteros & Connell's "light10": strip
# one conjunction, one article-bearing prefix, then common suffixes, never leaving
# fewer than two letters.  It was chosen over snowballstemmer's Arabic stemmer
# because Snowball strips the article only when no conjunction precedes it
# (القوات -> القو but والقوات -> والقوا), splitting one word into several stems,
# which a frequency comparison cannot afford.
_LIGHT_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_LIGHT_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


def light_stem(word: str) -> str:
    """Light Arabic stem of a normalized word (Latin words are lower-cased)."""
    if not _ARABIC_RE.match(word):
        return word.lower()
    w = word
    if len(w) >= 4 and w[0] == "و":
        w = w[1:]
    for p in _LIGHT_PREFIXES:
        if w.startswith(p) and len(w) - len(p) >= 2:
            w = w[len(p):]
            break
    for s in _LIGHT_SUFFIXES:
        if w.endswith(s) and len(w) - len(s) >= 2:
            w = w[: -len(s)]
    return w


@lru_cache(maxsize=1)
def stopword_set() -> frozenset[str]:
    """Arabic stop words from stopwords-iso plus the domain list in stopwords_extra.yml (normalized)."""
    words: set[str] = set()
    try:
        import stopwordsiso

        words.update(normalize_term(w) for w in stopwordsiso.stopwords("ar"))
    except ImportError:  # pragma: no cover - declared dependency; keep scoring without it
        pass
    extra = load_lexicon("stopwords_extra") or {}
    for w in extra.get("words", []) or []:
        words.add(normalize_term(str(w)))
    return frozenset(w for w in words if w)


def _stems(norm: NormalizedText) -> tuple[Counter, dict[str, Counter]]:
    """Stem counts of one text, and the original surface forms (diacritics dropped) behind each stem."""
    stops = stopword_set()
    counts: Counter = Counter()
    surfaces: dict[str, Counter] = defaultdict(Counter)
    text = norm.text
    for _s, _e, tok in tokenize(text):
        if not _ARABIC_RE.match(tok) and not tok.isalpha():
            continue  # numbers, domains with digits
        low = tok.lower()
        if low in stops or len(low) < 2:
            continue
        # a stop word with a conjunction in front (وهو, فإن) is still a stop word
        if _ARABIC_RE.match(tok) and tok[0] in "وف" and tok[1:] in stops:
            continue
        stem = light_stem(tok)
        if stem in stops or len(stem) < 2:
            continue
        counts[stem] += 1
        a, b = norm.to_original(_s, _e)
        surface = "".join(c for c in norm.original[a:b] if not ("\u064b" <= c <= "\u065f" or c == "\u0640"))
        surfaces[stem][surface or tok] += 1
    return counts, surfaces


def distinctive_terms_for_groups(texts: Sequence[str], groups: Sequence[str], top: int = 15,
                                 prior_scale: float = 1.0) -> pd.DataFrame:
    """Weighted log-odds (informative Dirichlet prior) of each group's stems against the other groups.

    ``texts`` are article texts as written (they are normalized here).  The prior is the whole collection's stem
    counts times ``prior_scale`` (Monroe, Colaresi & Quinn 2008, section 3.5),
    which shrinks rare words toward zero.  ``zeta`` is the log-odds difference
    divided by its estimated standard deviation; positive values mark words the
    group uses more than the rest.
    """
    per_group: dict[str, Counter] = defaultdict(Counter)
    surfaces: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for text, group in zip(texts, groups):
        counts, surf = _stems(normalize(text if isinstance(text, str) else ""))
        per_group[group].update(counts)
        for stem, c in surf.items():
            surfaces[group][stem].update(c)
    columns = ["group", "term", "display", "zeta", "count"]
    total: Counter = Counter()
    for c in per_group.values():
        total.update(c)
    if len(per_group) < 2 or not total:
        return pd.DataFrame(columns=columns)
    alpha = {w: c * prior_scale for w, c in total.items()}
    alpha0 = sum(alpha.values())
    n_all = sum(total.values())
    rows = []
    for group in sorted(per_group):
        counts = per_group[group]
        n_i = sum(counts.values())
        n_j = n_all - n_i
        scored = []
        for w, y_i in counts.items():
            y_j = total[w] - y_i
            a_w = alpha[w]
            # log-odds of w in the group and in the rest, each smoothed by the prior
            l_i = math.log((y_i + a_w) / (n_i + alpha0 - y_i - a_w))
            l_j = math.log((y_j + a_w) / (n_j + alpha0 - y_j - a_w))
            var = 1.0 / (y_i + a_w) + 1.0 / (y_j + a_w)
            scored.append((w, (l_i - l_j) / math.sqrt(var), y_i))
        scored.sort(key=lambda t: (-t[1], t[0]))
        for w, zeta, y_i in scored[:top]:
            # the most frequent surface form; ties go to the shortest
            display = max(surfaces[group][w].items(), key=lambda kv: (kv[1], -len(kv[0]), kv[0]))[0]
            rows.append({"group": group, "term": w, "display": display, "zeta": round(zeta, 4), "count": int(y_i)})
    return pd.DataFrame(rows, columns=columns)


def distinctive_terms(articles: pd.DataFrame, group_by: str = "outlet", top: int = 15,
                      prior_scale: float = 1.0) -> pd.DataFrame:
    """Distinctive stems per group of articles (columns: group, term, display, zeta, count).

    With ``group_by="outlet"`` the outlet is the one attribution finds
    (sidecar, dateline, byline or link); an article whose outlet stays unknown
    forms a group of its own, named by its id.  Any other column of
    ``articles`` may be named instead.
    """
    columns = ["group", "term", "display", "zeta", "count"]
    if articles is None or len(articles) == 0:
        return pd.DataFrame(columns=columns)
    if group_by == "outlet":
        from .attribution import article_outlet

        groups = []
        for _, row in articles.iterrows():
            outlet, _basis, _span = article_outlet(row)
            groups.append(outlet if outlet else str(row.get("id")))
    else:
        if group_by not in articles.columns:
            raise KeyError(f"distinctive_terms: no column {group_by!r}; use 'outlet' or one of {list(articles.columns)}")
        groups = [str(g) if g is not None and not (isinstance(g, float) and math.isnan(g)) else str(i)
                  for i, g in zip(articles["id"], articles[group_by])]
    texts = [t if isinstance(t, str) else "" for t in articles["text"]]
    return distinctive_terms_for_groups(texts, groups, top=top, prior_scale=prior_scale)


# --------------------------------------------------------------------------- lexicon helpers


def specs_from_entries(label: str, entries: Any, source: str, data: Any = None,
                       prefixes: bool = True, suffixes: bool = True) -> list[TermSpec]:
    """TermSpecs from a YAML list: strings, or mappings {term|regex, prefixes, suffixes}."""
    specs = []
    if entries is None:
        return specs
    if not isinstance(entries, list):
        raise LexiconError(f"{source}: {label!r} should be a list of terms")
    for e in entries:
        if isinstance(e, str):
            specs.append(TermSpec(label, e, prefixes, suffixes, None, data))
        elif isinstance(e, dict) and ("term" in e or "regex" in e):
            specs.append(TermSpec(
                label,
                str(e.get("term", e.get("regex"))),
                bool(e.get("prefixes", prefixes)),
                bool(e.get("suffixes", suffixes)),
                e.get("regex"),
                e.get("data", data),
            ))
        else:
            raise LexiconError(f"{source}: {label!r}: entry {e!r} should be a term string or a mapping with 'term' or 'regex'")
    return specs


def lexicon_source(name: str) -> str:
    """The path of a lexicon, for error messages."""
    return str(lexicon_path(name))
