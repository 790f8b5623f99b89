"""The Arabic word layer: one tokenizer, one clitic table, one lexicon matcher.

Every stage that looks words up in a lexicon goes through this module, so Arabic
word handling is written once:

* :data:`TOKEN_RE` cuts normalized text into tokens (:func:`tokenize` keeps the
  words, :func:`all_tokens` punctuation too);
* :func:`clitics` is the clitic table of ``data/lexicons/clitics.yml``:
  conjunctions, prepositions, the article, endings and pronouns; :func:`stems`
  strips the proclitics a word may carry and :func:`proclitic_regex` writes them
  into patterns;
* :class:`TermMatcher` finds many lexicon terms at once.  Arabic attaches
  conjunctions, prepositions and the article to the word and inflects it at the
  end, so a term such as ``انسحاب`` must also find ``وبالانسحاب`` and
  ``انسحابها``.  Rather than one huge regular expression (slow on long texts), the
  text is cut into tokens once and every token is looked up, after removing each
  possible proclitic, in a table of the inflected forms of every term.  Terms of
  several words must appear as consecutive tokens separated by white space.

Matching always runs on :func:`troopwatch.text.normalize` output; callers map
spans back to the original with ``NormalizedText.to_original``.
"""
from __future__ import annotations

import bisect
import re
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress
from typing import Any, Iterable, NamedTuple, Sequence

try:  # the standard library's regex parser (Python 3.11+)
    import re._parser as _re_parser
    from re import _constants as _re_constants
except ImportError:  # pragma: no cover - older interpreters
    import sre_constants as _re_constants  # type: ignore[no-redef]
    import sre_parse as _re_parser  # type: ignore[no-redef]

from .lexicons import LexiconError, lexicon_key, lexicon_path, load_lexicon, per_lexicons
from .text import ARABIC_LETTER, normalize_term

__all__ = [
    "TOKEN_RE",
    "Clitics",
    "Match",
    "TermMatcher",
    "TermSpec",
    "all_tokens",
    "alternation",
    "canonical_spelling",
    "clitics",
    "lexicon_source",
    "proclitic_regex",
    "select_non_overlapping",
    "specs_from_entries",
    "stems",
    "stopword_set",
    "tokenize",
]

# A word token of the normalized text: a run of Arabic letters, or a run of Latin
# letters/digits that may contain dots (domains such as amwaj.media, decimals).
TOKEN_RE = re.compile(f"[{ARABIC_LETTER}]+|[A-Za-z0-9]+(?:\\.[A-Za-z0-9]+)*")
# Every token, punctuation included, for the stages that read clause boundaries:
# a number with its separators (2,500 / 2.500) is one token.
ALL_TOKEN_RE = re.compile(rf"[0-9]+(?:[.,][0-9]+)*|[{ARABIC_LETTER}]+|[A-Za-z]+|\S")
_ARABIC_RE = re.compile(f"[{ARABIC_LETTER}]")

@dataclass(frozen=True)
class Clitics:
    """The clitic table of ``data/lexicons/clitics.yml``, compiled."""

    proclitics: dict  # written form -> (has_article, has_conjunction_or_preposition)
    ordered: tuple  # proclitic forms, longest first
    nominal: tuple  # the forms a noun or a number word may carry (no future particle), longest first
    min_core: int
    inflections: tuple  # (alone, before a pronoun)
    inner_inflections: int
    pronouns: tuple
    nisba_suffixes: tuple
    conjunctions: str  # a regex class body: "وف"
    prepositions: str  # "بكل"


@per_lexicons
def clitics() -> Clitics:
    """The one clitic table every stage uses."""
    data = load_lexicon("clitics")
    if not isinstance(data, dict):
        raise LexiconError(f"{lexicon_path('clitics')}: expected a mapping (conjunctions, prepositions, article ...)")
    try:
        conj = [normalize_term(c) for c in data["conjunctions"]]
        preps = [normalize_term(c) for c in data["prepositions"]]
        future = [normalize_term(c) for c in data.get("future") or []]
        art = normalize_term(data["article"])
        lam_art = normalize_term(data["lam_article"])
        infl = tuple((normalize_term(a), normalize_term(b)) for a, b in data["inflections"])
    except (KeyError, TypeError, ValueError) as exc:
        raise LexiconError(f"{lexicon_path('clitics')}: missing or malformed entry ({exc}); see the layout in that file") from None
    table: dict[str, tuple[bool, bool]] = {}
    for c in [""] + conj:
        for p in [""] + preps + future:
            for a in ("", art):
                if p in future and a:
                    continue
                form = c + (lam_art if (p == "ل" and a) else p + a)
                has_article = bool(a)
                # keep the reading with the article when a form is ambiguous
                if form not in table or has_article:
                    table[form] = (has_article, bool(c or p))
    return Clitics(
        proclitics=table,
        ordered=tuple(sorted(table, key=len, reverse=True)),
        nominal=tuple(f for f in sorted(table, key=len, reverse=True) if f and not any(x in f for x in future)),
        min_core=int(data.get("min_core", 2)),
        inflections=infl,
        inner_inflections=int(data.get("inner_inflections", len(infl))),
        pronouns=tuple(normalize_term(p) for p in data.get("pronouns") or []),
        nisba_suffixes=tuple(normalize_term(x) for x in data.get("nisba_suffixes") or [""]),
        conjunctions="".join(conj),
        prepositions="".join(preps),
    )


def proclitic_regex(article: bool = False) -> str:
    """A regex for the proclitics a word may carry, for patterns written over normalized text.

    ``(?:[وف]?[بكل]?)``; with ``article`` also the article (``ال``, ``لل``).
    """
    c = clitics()
    base = f"[{c.conjunctions}]?[{c.prepositions}]?"
    if article:
        return f"(?:[{c.conjunctions}]?(?:[{c.prepositions}]?ال|لل)?|{base})"
    return f"(?:{base})"


@lru_cache(maxsize=65536)
def _stems_in(folder: str, word: str) -> tuple:
    c = clitics()
    out = [word]
    for p in c.ordered:
        if p and word.startswith(p) and len(word) - len(p) >= c.min_core:
            rest = word[len(p):]
            out.append(rest)
            if p.endswith("لل"):
                out.append("ال" + rest)
    return tuple(dict.fromkeys(out))


def stems(word: str, key: str | None = None) -> tuple:
    """The word and the word without each proclitic it may carry (وللقوات -> وللقوات, قوات, القوات ...)."""
    return _stems_in(key or lexicon_key(), word)


def _inflected_forms(core: str) -> set[str]:
    c = clitics()
    forms: set[str] = set()
    if core.endswith("ة"):
        stem = core[:-1]
        forms.add(core)
        for p in c.pronouns:
            forms.add(stem + "ت" + p)
        for bare, before in (("ات", "ات"), ("تان", "تا"), ("تين", "تي"), ("ي", "ي"), ("ية", "يت"), ("يا", "يا")):
            forms.add(stem + bare)
            forms.add(stem + before)
            for p in c.pronouns:
                forms.add(stem + before + p)
        return forms
    for bare, before in c.inflections:
        forms.add(core + bare)
        forms.add(core + before)  # construct state: مسؤولي الحكومة
        for p in c.pronouns:
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


class Match(NamedTuple):
    """A term found in the normalized text: [start, end) in normalized coordinates.

    A named tuple (immutable, compared and hashed by its fields): the matchers make many of them.
    """

    start: int
    end: int
    spec: TermSpec

    @property
    def label(self) -> str:
        return self.spec.label


_new_match = tuple.__new__  # _new_match(Match, (start, end, spec)): a Match without the keyword handling


@dataclass
class _Word:
    core: str
    article: str  # "required" | "optional"
    forms: frozenset[str]
    latin: bool
    # token -> may it stand for this word after the first word of a term (remembered per token)
    next_ok: dict = field(default_factory=dict, repr=False, compare=False)


def _split_term(term: str) -> list[str]:
    return [t.group() for t in TOKEN_RE.finditer(term)]


@per_lexicons
def _spelling_pairs() -> tuple[tuple[str, str], ...]:
    """(variant, canonical) letter sequences from spelling_variants.yml, longest first."""
    data = load_lexicon("spelling_variants") or {}
    pairs = []
    for canonical, variants in (data.get("equivalents") or {}).items():
        c = normalize_term(str(canonical))
        for v in variants or []:
            pairs.append((normalize_term(str(v)), c))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def canonical_spelling(word: str) -> str:
    """One spelling for words written several ways (أميركا/أمريكا, مليشيات/ميليشيات)."""
    return _canonical_in(lexicon_key(), word)


@lru_cache(maxsize=200_000)
def _canonical_in(folder: str, word: str) -> str:
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
        self._proclitics = clitics().proclitics
        self._key = lexicon_key()  # the lexicon folder the matcher was built from
        self._memo: dict[str, tuple] = {}  # token -> ((spec, other words), ...) of the terms it starts
        # the regex terms, each with its literal anchor (strings, least and most characters before them) or None
        self._anchored: list[tuple[re.Pattern[str], TermSpec, tuple | None]] = []
        self._required: list[tuple] = []  # per regex term, the strings its matches must hold (regex_required)
        for spec in specs:
            if spec.regex is not None:
                try:
                    rx = re.compile(spec.regex)
                except re.error as exc:
                    raise LexiconError(f"{source}: term {spec.label!r}: bad regex {spec.regex!r} ({exc}); fix the pattern") from None
                self._regexes.append((rx, spec))
                self._anchored.append((rx, spec, regex_anchor(spec.regex)))
                self._required.append(regex_required(spec.regex))
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
                    inner = clitics().inflections[:clitics().inner_inflections]
                    forms = {core + bare for bare, _ in inner} | {core + before for _, before in inner}
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
        # registered under a serial number: a text none of whose words may start a term is passed over at once
        global _serial
        _serial += 1
        self._serial = _serial
        for form in self._first:
            _FIRST_INDEX[form].add(self._serial)
        _MATCHERS[self._serial] = weakref.ref(self)

    def __len__(self) -> int:
        return len(self.specs)

    def _analyses(self, token: str) -> tuple[tuple[str, str], ...]:
        """(proclitic, rest) readings of a token; rest keeps at least two letters."""
        return _analyses_in(self._key, token)

    def _word_ok(self, word: _Word, token: str, first: bool, allow_clitics: bool) -> bool:
        if word.latin:
            return token.lower() == word.core
        for p, rest in self._analyses(token):
            if rest not in word.forms:
                continue
            has_article, has_clitic = self._proclitics[p]
            if has_clitic and not (first and allow_clitics):
                continue
            if word.article == "required" and not has_article:
                continue
            return True
        return False

    def _first_ids(self, token: str) -> tuple:
        """The terms whose first word ``token`` is, as (spec, the term's other words)."""
        candidates: set[int] = set()
        for _p, rest in self._analyses(token):
            candidates.update(self._first.get(rest, ()))
        # kept in the set's order, as the matches were always collected
        return tuple((self.specs[tid], tuple(self._words[tid][1:])) for tid in candidates
                     if self._word_ok(self._words[tid][0], token, True, self.specs[tid].prefixes))

    def _root(self, token: str) -> "_Node":
        """The terms ``token`` may start, as a node of the matcher's word tree (memoized per matcher: a corpus
        reuses its words)."""
        found = self._first_ids(token)
        node = _Node(tuple(spec for spec, rest in found if not rest), tuple((s, r) for s, r in found if r)) \
            if found else _NO_TERM
        memo = self._memo
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[token] = node
        return node

    def find(self, text: str, tokens: Sequence[tuple[int, int, str]] | None = None) -> list[Match]:
        """Every occurrence of every term (overlaps included; see select_non_overlapping).

        Given the text's ``tokens`` (an Article's, which every matcher reads), only the tokens that may start
        one of this matcher's terms are looked at: which those are is worked out once per token list for every
        matcher (:func:`_start_nodes`).  A regex term with a literal anchor is tried only near it
        (:func:`regex_anchor`).  The matches are those of :meth:`find_plain`, in the same order.
        """
        matches: list[Match] = []
        if tokens is None:
            self._find_words(text, tokenize(text), matches)
        elif self._first:
            at = _start_nodes(tokens, self._key).get(self._serial)
            if at:
                self._find_words(text, tokens, matches, at)
        # the word matches are in order already: sorted again only with the regex terms' matches
        found_regex = False
        for (pattern, spec, anchor), required in zip(self._anchored, self._required):
            if required and not all(any(s in text for s in strings) for strings in required):
                continue  # a string every match holds is nowhere in the text
            found = pattern.finditer(text) if anchor is None else _anchored_matches(pattern, text, anchor)
            for m in found:
                if m.end() > m.start():
                    matches.append(Match(m.start(), m.end(), spec))
                    found_regex = True
        if found_regex:
            matches.sort(key=_match_order)
        return matches

    def find_plain(self, text: str, tokens: Sequence[tuple[int, int, str]] | None = None) -> list[Match]:
        """:meth:`find` without its shortcuts: every token looked up, every regex run over the whole text
        (the reference the shortcuts are checked against)."""
        if tokens is None:
            tokens = tokenize(text)
        matches: list[Match] = []
        self._find_words(text, tokens, matches)
        for pattern, spec in self._regexes:
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    matches.append(Match(m.start(), m.end(), spec))
        matches.sort(key=_match_order)
        return matches

    def _find_words(self, text: str, tokens: Sequence[tuple[int, int, str]], matches: list[Match],
                    at: Iterable[tuple[int, "_Node"]] | None = None) -> None:
        """Append the matches of the word terms starting at the tokens ``at``, as (token index, the token's node)
        in order of index (None: every token), in the order of :func:`_match_order` (by start, longest first,
        then label, then as found).

        From each token the terms it starts are followed word by word down the matcher's word tree
        (:class:`_Node`): one look-up per following token for all the terms still open, instead of one per
        term.  At one start the longest matches come first; terms of the same length keep the order of
        :meth:`_first_ids` within a label, which is the order checking each term in turn and sorting gave.
        """
        n = len(tokens)
        texts = _token_texts(tokens)
        if at is None:
            memo, root = self._memo, self._root
            at = ((i, memo.get(t) or root(t)) for i, t in enumerate(texts))
        add = matches.append
        new = _new_match
        for i, node in at:
            if node is _NO_TERM:
                continue
            start, end = tokens[i][0], tokens[i][1]
            if not node.open:
                for spec in node.ends:
                    add(new(Match, (start, end, spec)))
                continue
            found = [(end, node.ends)] if node.ends else []
            here = node
            j = i
            while here.open:
                j += 1
                if j >= n:
                    break
                gap_end = tokens[j][0]
                if gap_end <= end or not text[end:gap_end].isspace():
                    break
                t = texts[j]
                here = here.children.get(t) or here.child(t, self)
                end = tokens[j][1]
                if here.ends:
                    found.append((end, here.ends))
            for end, specs in reversed(found):  # longest first
                for spec in specs:
                    add(new(Match, (start, end, spec)))


class _Node:
    """The terms of a matcher still matching after some words of the text (a node of its word tree).

    ``ends``: the terms whose last word is the last word read, by label; ``open``: (term, its words still to read);
    ``children``: the node after each next token seen so far.
    """

    __slots__ = ("ends", "open", "children")

    def __init__(self, ends: tuple, open_: tuple):
        self.ends = tuple(sorted(ends, key=_label_of))  # by label (a stable sort): the order of find's matches
        self.open = open_
        self.children: dict[str, _Node] = {}

    def child(self, token: str, matcher: "TermMatcher") -> "_Node":
        """The node after ``token`` (a word after the first takes no proclitic but the article)."""
        ends, open_ = [], []
        for spec, rest in self.open:
            w = rest[0]
            ok = w.next_ok.get(token)
            if ok is None:
                if len(w.next_ok) >= _MEMO_SIZE:
                    w.next_ok.clear()
                ok = w.next_ok[token] = matcher._word_ok(w, token, False, False)
            if ok:
                if len(rest) == 1:
                    ends.append(spec)
                else:
                    open_.append((spec, rest[1:]))
        node = _Node(tuple(ends), tuple(open_)) if ends or open_ else _NO_TERM
        if len(self.children) >= _CHILDREN_SIZE:
            self.children.clear()
        self.children[token] = node
        return node


def _label_of(spec: TermSpec) -> str:
    return spec.label


# The node of a token that starts no term (or after which no term goes on).
_NO_TERM = _Node((), ())
# Next tokens remembered per node; cleared when full.
_CHILDREN_SIZE = 4096


def _match_order(m: Match) -> tuple:
    return (m.start, -(m.end - m.start), m.spec.label)


_last_tokens: tuple = (None, [])


def _token_texts(tokens: Sequence[tuple[int, int, str]]) -> list[str]:
    """The token strings of ``tokens`` (the last list is remembered: every matcher reads the same one)."""
    global _last_tokens
    seen, texts = _last_tokens  # one read of one tuple: safe when threads share the module
    if seen is not tokens or len(texts) != len(tokens):
        texts = [t[2] for t in tokens]
        _last_tokens = (tokens, texts)
    return texts


# Tokens remembered per matcher (their first-word terms); cleared when full.
_MEMO_SIZE = 200_000

# First-word form -> serial numbers of the matchers with a term starting with it (every matcher built).
_FIRST_INDEX: dict[str, set[int]] = defaultdict(set)
_serial = 0
# Every matcher built, by serial number (weakly: a matcher no longer used goes away).
_MATCHERS: dict[int, "weakref.ref[TermMatcher]"] = {}
# (tokens, lexicon folder, matchers built so far, {serial: [(token index, node), ...]}, {word: its token indices}
#  or None until a matcher built in the middle of the text needs it)
_last_starts: tuple = (None, None, -1, {}, None)
# ((lexicon folder, matchers built so far), {word: ((serial, node), ...) of the matchers whose terms it starts},
#  {first-word form: the words of that table read as it}): a matcher built later (stages build theirs when
#  first used, often inside the first article) adds itself to the words that may start its terms, so the
#  table is not read again from scratch for each new matcher
_word_nodes: tuple = (None, {}, {})


def _start_nodes(tokens: Sequence[tuple[int, int, str]], key: str) -> dict:
    """For every matcher (by serial number), the tokens of ``tokens`` that start one of its terms, as (token index,
    the matcher's node for that word) in order of index.  Worked out once per token list for all the matchers:
    each word is looked up once in a table (kept across texts) of the matchers whose terms it starts and their
    nodes (:meth:`TermMatcher._root`); a word not seen before is read without each proclitic and looked up in
    _FIRST_INDEX."""
    global _last_starts
    seen, seen_key, seen_built, found, positions = _last_starts  # one read of one tuple: safe when threads share the module
    if seen is tokens and seen_key == key and seen_built == _serial:
        return found
    global _word_nodes
    built = _serial
    texts = _token_texts(tokens)
    memo_key, memo, rest_words = _word_nodes
    added = None
    if memo_key is None or memo_key[0] != key or len(memo) >= _MEMO_SIZE:
        memo, rest_words = {}, defaultdict(list)
        _word_nodes = ((key, built), memo, rest_words)
    elif memo_key[1] != built:
        added = _add_matchers(memo, rest_words, key, memo_key[1], built)
        _word_nodes = ((key, built), memo, rest_words)
    if added is not None and seen is tokens and seen_key == key and memo_key[1] == seen_built:
        # the same text, and matchers built since it was read (in the middle of an article): only their
        # starts are added, found from where each word stands in the text
        if positions is None:
            positions = defaultdict(list)
            for i, t in enumerate(texts):
                positions[t].append(i)
        found = dict(found)
        for serial, word_nodes in added.items():
            starts = [(i, node) for word, node in word_nodes.items() for i in positions.get(word, ())]
            if starts:
                starts.sort(key=_first_item)
                found[serial] = starts
        _last_starts = (tokens, key, built, found, positions)
        return found
    nodes = list(map(memo.get, texts))
    if None in nodes:  # words not seen yet
        for i in [i for i, x in enumerate(nodes) if x is None]:
            t = texts[i]
            x = memo.get(t)  # a word seen earlier in this text is known by now
            nodes[i] = x if x is not None else _word_starts(memo, rest_words, t, key)
    found = defaultdict(list)
    for i in compress(range(len(nodes)), nodes):
        for serial, node in nodes[i]:
            found[serial].append((i, node))
    found = dict(found)
    _last_starts = (tokens, key, built, found, None)
    return found


def _first_item(pair: tuple) -> Any:
    return pair[0]


def _add_matchers(memo: dict, rest_words: dict, key: str, old: int, new: int) -> dict:
    """Bring ``memo`` (made when ``old`` matchers were built) up to ``new``: each matcher built since adds
    its node to the words read as the first word of one of its terms (the only words it can change).
    Returns, for each of those matchers, {word: its node} of the words it was added to."""
    added: dict = {}
    for serial in range(old + 1, new + 1):
        ref = _MATCHERS.get(serial)
        matcher = ref() if ref is not None else None
        if matcher is None or matcher._key != key:
            continue
        touched: set[str] = set()
        for form in matcher._first:
            touched.update(rest_words.get(form, ()))
        for token in touched:
            node = matcher._memo.get(token) or matcher._root(token)
            if node is not _NO_TERM:
                memo[token] = memo[token] + ((serial, node),)  # serials grow: the entry stays in order
                added.setdefault(serial, {})[token] = node
    return added


def _word_starts(memo: dict, rest_words: dict, token: str, key: str) -> tuple:
    """((serial, node), ...) of the matchers of the lexicon folder ``key`` with a term ``token`` starts (remembered in
    ``memo``, and ``token`` under each form it is read as in ``rest_words``)."""
    hits: set[int] = set()
    for _p, rest in _analyses_in(key, token):
        rest_words[rest].append(token)
        hit = _FIRST_INDEX.get(rest)
        if hit:
            hits |= hit
    out = []
    for serial in sorted(hits):
        ref = _MATCHERS.get(serial)
        matcher = ref() if ref is not None else None
        if matcher is None or matcher._key != key:
            continue
        node = matcher._memo.get(token) or matcher._root(token)
        if node is not _NO_TERM:
            out.append((serial, node))
    found = memo[token] = tuple(out)
    return found


# ---------------------------------------------------------------- regex terms searched near a literal word

_ANCHOR_ALTERNATIVES = 64  # at most this many strings in an anchor
_last_positions: tuple = (None, {})


def _finite_strings(items) -> set[str] | None:
    """Every string a parsed regex sequence matches when they are few and fixed (literals, classes of
    single letters, alternations of those), else None."""
    C = _re_constants
    out = {""}
    for op, av in items:
        if op is C.LITERAL:
            alts = {chr(av)}
        elif op is C.IN:
            if not all(o is C.LITERAL for o, _ in av):
                return None
            alts = {chr(v) for _, v in av}
        elif op is C.SUBPATTERN:
            if av[1] or av[2]:  # flags changed inside the group
                return None
            alts = _finite_strings(av[-1])
        elif op is C.BRANCH:
            alts = set()
            for branch in av[1]:
                one = _finite_strings(branch)
                if one is None:
                    return None
                alts |= one
        else:
            return None
        if alts is None or len(out) * len(alts) > _ANCHOR_ALTERNATIVES:
            return None
        out = {a + b for a in out for b in alts}
    return out


@lru_cache(maxsize=4096)
def regex_anchor(pattern: str) -> tuple | None:
    """Where any match of ``pattern`` must hold a literal: (strings, least, most), meaning every match holds one of
    ``strings`` starting between ``least`` and ``most`` characters after the match's start; None when no such
    anchor can be derived (the pattern is then run over the whole text).

    The anchor is the fixed run of the pattern's top-level sequence (letters, classes of letters, alternations of
    those) whose shortest string is longest, among those before which the pattern can only match a bounded number
    of characters (look-behinds and other assertions take none).
    """
    try:
        parsed = _re_parser.parse(pattern)
    except Exception:  # noqa: BLE001 - the pattern compiled; without a parse it simply has no anchor
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    items = list(parsed)
    best = None
    i = 0
    while i < len(items):
        lo, hi = _re_parser.SubPattern(parsed.state, items[:i]).getwidth()
        if hi >= _re_constants.MAXREPEAT:
            break  # any later piece may stand arbitrarily far from the start
        strings, j = _fixed_run(items, i)
        if j == i:
            i += 1
            continue
        if strings:
            shortest = min(map(len, strings))
            if best is None or shortest > best[0]:
                best = (shortest, (tuple(sorted(strings)), lo, hi))
        i = j
    return None if best is None else best[1]


def _fixed_run(items: list, i: int) -> tuple[set[str] | None, int]:
    """The longest run of fixed, never empty pieces of a parsed sequence from ``items[i]`` (letters, classes,
    alternations), read as one piece: (the strings it can be, the index after it); (None, i) when there is none."""
    j = i
    strings = None
    while j < len(items):
        one = _finite_strings(items[j:j + 1])
        if not one or "" in one:
            break
        longer = _finite_strings(items[i:j + 1])
        if longer is None:
            break
        strings, j = longer, j + 1
    return strings, j


@lru_cache(maxsize=4096)
def regex_required(pattern: str) -> tuple[tuple[str, ...], ...]:
    """Strings every match of ``pattern`` holds: for each fixed run of its top-level sequence (letters, classes of
    letters, alternations of those), the strings the run can be; every match holds one string of each.  Empty when
    none can be derived.  A text holding no string of one of them has no match (``find`` then skips the pattern).
    """
    try:
        parsed = _re_parser.parse(pattern)
    except Exception:  # noqa: BLE001 - the pattern compiled; without a parse nothing is required
        return ()
    if parsed.state.flags & re.IGNORECASE:
        return ()
    items = list(parsed)
    runs = []
    i = 0
    while i < len(items):
        strings, j = _fixed_run(items, i)
        if j == i:
            i += 1
            continue
        if strings:
            runs.append(tuple(sorted(strings)))
        i = j
    return tuple(runs)


def _literal_positions(text: str, strings: tuple) -> list[int]:
    """Sorted start positions of each of ``strings`` in ``text`` (remembered for the last text: matchers share it)."""
    global _last_positions
    seen, cache = _last_positions
    if seen is not text:
        cache = {}
        _last_positions = (text, cache)
    found = cache.get(strings)
    if found is None:
        hits: set[int] = set()
        for s in strings:
            k = text.find(s)
            while k >= 0:
                hits.add(k)
                k = text.find(s, k + 1)
        found = cache[strings] = sorted(hits)
    return found


def _anchored_matches(rx: re.Pattern[str], text: str, anchor: tuple) -> list[re.Match]:
    """``rx.finditer(text)``, tried only where a match can start: ``least`` to ``most`` characters before an
    occurrence of the anchor's strings.  Trying those places in order, each at or after the end of the previous
    match, is what finditer does (a match of a pattern with an anchor is never empty)."""
    strings, lo, hi = anchor
    out = []
    end = 0
    tried = -1
    for o in _literal_positions(text, strings):
        p = max(end, tried + 1, o - hi)
        stop = o - lo
        while p <= stop:
            tried = p
            m = rx.match(text, p)
            if m is None:
                p += 1
            else:
                out.append(m)
                p = end = m.end()
    return out


@lru_cache(maxsize=200_000)
def _analyses_in(folder: str, token: str) -> tuple[tuple[str, str], ...]:
    if not _ARABIC_RE.match(token):
        return (("", token.lower()),)
    c = clitics()
    out = []
    for p in c.ordered:
        if token.startswith(p) and len(token) - len(p) >= c.min_core:
            out.append((p, canonical_spelling(token[len(p):])))
    return tuple(out)


def _split_spans(splitter: re.Pattern[str], text: str) -> tuple[list[str], list[int]]:
    """(pieces, ends) of ``splitter.split(text)``: the text between tokens and the tokens, alternately (a
    tokenizer pattern in one group), and where each piece ends.  Token k is ``pieces[2k + 1]``, from
    ``ends[2k]`` to ``ends[2k + 1]``: the same tokens as ``finditer``, cut in C instead of one match object each."""
    pieces = splitter.split(text)
    return pieces, list(accumulate(map(len, pieces)))


_TOKEN_SPLIT = re.compile(f"({TOKEN_RE.pattern})")
_ALL_TOKEN_SPLIT = re.compile(f"({ALL_TOKEN_RE.pattern})")


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """Word tokens of a normalized text as (start, end, token)."""
    global _last_tokens
    pieces, ends = _split_spans(_TOKEN_SPLIT, text)
    texts = pieces[1::2]
    tokens = list(zip(ends[0::2], ends[1::2], texts))
    _last_tokens = (tokens, texts)  # the matchers read the token strings of the list just made
    return tokens


def select_non_overlapping(matches: Iterable[Match]) -> list[Match]:
    """Keep the longest matches; drop any match overlapping one already kept. Sorted by start."""
    matches = list(matches)
    end = -1
    for m in matches:
        if m.start < end or m.end <= m.start:
            break
        end = m.end
    else:
        # none empty, each ending before the next starts (as most matches of a text do): every one is kept,
        # in this order
        return matches
    if any(m.end <= m.start for m in matches):
        return _longest_first(matches)
    # a match overlaps only matches of its own run of overlapping matches (by start, each starting before the
    # furthest end of those before it): the runs are chosen in one by one, and a match overlapping none is kept
    ordered = sorted(matches, key=_start_of)
    out: list[Match] = []
    n = len(ordered)
    i = 0
    while i < n:
        reach = ordered[i].end
        j = i + 1
        while j < n and ordered[j].start < reach:
            if ordered[j].end > reach:
                reach = ordered[j].end
            j += 1
        if j == i + 1:
            out.append(ordered[i])
        else:
            out.extend(_longest_first(ordered[i:j]))
        i = j
    return out


def _start_of(m: Match) -> int:
    return m.start


def _longest_first(matches: list[Match]) -> list[Match]:
    """The longest matches (then by start, label), each dropped when it overlaps one kept; sorted by start."""
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




def alternation(terms: Iterable[str]) -> str:
    """A regex alternation of folded terms, longest first, spaces matching any run of spaces."""
    folded = sorted({normalize_term(t) for t in terms if str(t).strip()}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in t.split(" ")) for t in folded)


def all_tokens(text: str) -> list[tuple[str, int, int]]:
    """Every token of a normalized text, punctuation included, as (token, start, end)."""
    pieces, ends = _split_spans(_ALL_TOKEN_SPLIT, text)
    return list(zip(pieces[1::2], ends[0::2], ends[1::2]))



@per_lexicons
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
