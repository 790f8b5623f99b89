"""Claims: numbers an article states about troops, attacks and casualties.

A *claim* is a number mention (``troopwatch.numbers``) that counts

* troops: soldiers, advisers, trainers, fighters present, deployed, withdrawn
  or planned ("2500 جندي"، "نحو 5000 من القوات الأمريكية"، "عدد القوات ... 2500");
* attacks: attacks, strikes, rocket or drone incidents ("150 هجوما"، "للهجوم نحو
  150 مرة"، "الهجوم الثاني والعشرين");
* casualties: killed or wounded people ("مقتل ثلاثة جنود"، "إصابة 34").

Everything else (money, years, durations, ages, percentages, counts of sources,
officials, sessions, vehicles, rockets in one attack, rhetoric) is not a claim.

The classifier reads the sentence around each number: the counted noun right
after it (tamyiz), a count word before it (عدد، قوام، حصيلة), a casualty word
before it, or an earlier claim it shares its noun with ("و900 في سوريا").  The
actor is the nationality or group named next to the counted noun (for attacks:
the attacker, never the target); the place is the nearest place named in the
sentence.  All vocabulary is in ``data/lexicons/claims.yml``.
"""
from __future__ import annotations

import bisect
import re
from itertools import accumulate, compress
from operator import attrgetter
from dataclasses import dataclass, asdict, field, fields, replace

from typing import Iterable, Optional

import numpy as np
import pandas as pd

from .lexicons import LexiconError, lexicon_key, lexicon_path, load_lexicon, per_lexicons
from .numbers import NumberMention, find_numbers_normalized
from .article import Article, article_list
from .text import ARABIC_LETTER, NormalizedText, fold_char, normalize_term
from .words import ALL_TOKEN_RE, clitics, stems

__all__ = [
    "Claim",
    "extract_claims",
    "claims_table",
    "claims_ledger",
    "CLAIM_COLUMNS",
    "LEDGER_KEY",
    "ACTOR_BASES",
    "EXTRACTOR_VERSION",
    "RULES",
    "claim_kinds",
    "ACTORS",
    "PLACES",
]

EXTRACTOR_VERSION = "claims-0.2"

CLAIM_COLUMNS = [
    "article", "kind", "value", "low", "high", "qualifier", "actor", "actor_basis", "place",
    "refers_to", "refers_to_precision", "window_start",
    "mention", "sentence", "sentence_start", "sentence_end", "start", "end",
    "extractor_version",
]

# How the classifier reads each kind of claim (claims.yml kinds.<name>.rule).
RULES = ("presence", "event", "casualty", "count")
ACTORS = ("US", "coalition", "other_country", "iraqi", "militia", "unknown")
# Where the actor was read: the claim's own sentence, the sentence before it, its
# paragraph, or the article (the forces or attackers the article is about).
ACTOR_BASES = ("sentence", "previous_sentence", "paragraph", "article")
# One ledger row per distinct figure: the claims table keeps the first mention of
# each (article, kind, low, high, qualifier, actor, refers_to) and counts the rest.
LEDGER_KEY = ("article", "kind", "low", "high", "qualifier", "actor", "refers_to")
PLACES = ("Iraq", "Syria", "both", "elsewhere")

_STRONG_PUNCT = set(".!?؟;؛:")
_QUOTES = set('"«»“”„\'‘’')
_CLAUSE_PUNCT = _STRONG_PUNCT | {"،", ","}
_WINDOW_BEFORE = 12  # tokens searched back for count words and cues


@dataclass
class Claim:
    """One claim; ``start``/``end`` and the sentence span are offsets in the article text."""

    article: str
    kind: str
    value: Optional[int]
    low: Optional[int]
    high: Optional[int]
    qualifier: str
    actor: str
    place: Optional[str]
    mention: str
    sentence: str
    sentence_start: int
    sentence_end: int
    start: int
    end: int
    refers_to: Optional[str] = None
    refers_to_precision: Optional[str] = None
    window_start: Optional[str] = None
    actor_basis: str = "sentence"
    extractor_version: str = EXTRACTOR_VERSION
    # set by troopwatch.timeline: how refers_to was decided, and the window of an undated claim
    refers_to_basis: Optional[str] = None
    refers_to_window: Optional[str] = None

    def row(self) -> dict:
        """The claim as a plain dict: ``dataclasses.asdict`` without its deep copy when every value is plain."""
        values = [getattr(self, name) for name in _CLAIM_FIELDS]
        if all(v is None or type(v) in _PLAIN for v in values):
            return dict(zip(_CLAIM_FIELDS, values))
        return asdict(self)


_CLAIM_FIELDS = tuple(f.name for f in fields(Claim))
_PLAIN = frozenset({str, int, float, bool})


# ---------------------------------------------------------------------------
# Lexicon


@dataclass(frozen=True)
class _Lex:
    cats: dict  # normalized word -> frozenset of categories
    phrases: dict  # first word -> list of (words tuple, category)
    actor_words: dict  # normalized word -> label
    actor_phrases: dict  # first word -> list of (words tuple, label)
    place_phrases: dict
    backed_by: tuple  # tuples of words
    backed_words: frozenset  # every word of backed_by (a cheap test before matching)
    attacker_markers: tuple
    breakdown: tuple  # words before a part of an earlier figure ("بما في ذلك")
    year_low: int
    year_high: int
    prefilter: re.Pattern
    number_prefilter: re.Pattern
    number_word_prefilter: re.Pattern  # number_prefilter without its digits
    dual_nouns: dict  # normalized dual noun -> kind
    qual_words: frozenset  # words of number qualifiers (أكثر، من، نحو ...)
    after_words: frozenset  # words of qualifiers written after a number (على الأقل، تقريبا)
    kind_names: dict  # rule -> the kind that rule reads (presence -> troops)
    home_actors: dict  # place -> whose people die there when no nationality is said
    key: str = ""  # the lexicon folder these tables were built from
    attacker_by_last: dict = field(default_factory=dict)  # last word -> attacker_markers ending with it
    # word -> its _WordInfo (stems, categories, phrases it may start), filled as words are met
    word_info: dict = field(default_factory=dict, compare=False, repr=False)
    # True when every actor name starts with a run of Arabic letters (see _actor_sentences), else None
    actor_names_arabic: Optional[bool] = None
    # word -> may it start an actor's name, filled as words are met
    actor_start: dict = field(default_factory=dict, compare=False, repr=False)


def _terms(v) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        v = [v]
    out = []
    for t in v:
        n = normalize_term(str(t))
        if n:
            out.append(n)
    return out


def _section(lex: dict, *keys):
    node = lex
    for k in keys:
        if not isinstance(node, dict) or k not in node:
            raise LexiconError(
                f"{lexicon_path('claims')}: missing '{'.'.join(keys)}'; see the layout described in that file"
            )
        node = node[k]
    return node


@per_lexicons
def _lex() -> _Lex:
    lex = load_lexicon("claims")
    if not isinstance(lex, dict):
        raise LexiconError(f"{lexicon_path('claims')}: expected a mapping of sections")
    cats: dict[str, set] = {}
    phrases: dict[str, list] = {}

    def add(cat, terms):
        for term in _terms(terms):
            words = tuple(term.split(" "))
            if len(words) == 1:
                cats.setdefault(words[0], set()).add(cat)
            else:
                phrases.setdefault(words[0], []).append((words, cat))

    kinds = claim_kinds()
    numbers_lex_early = load_lexicon("numbers")
    by_rule = {spec["rule"]: spec for spec in kinds.values()}
    presence, event, casualty = by_rule["presence"], by_rule["event"], by_rule["casualty"]
    add("troop", presence.get("nouns"))
    add("weak_troop", presence.get("weak_nouns"))
    add("military_after", presence.get("military_after"))
    add("force", presence.get("force_nouns"))
    add("deploy", presence.get("deploy_verbs"))
    add("deployed", presence.get("deployed_nouns"))
    add("attack", event.get("nouns"))
    add("attack_cond", event.get("conditional_nouns"))
    add("hostile", event.get("hostile_context"))
    add("repeat", event.get("repeat_nouns"))
    add("attacked_noun", event.get("target_nouns"))
    add("heard", event.get("heard_before"))
    add("attack_cue", event.get("cues"))
    add("ordinal_head", event.get("ordinal_heads"))
    add("casualty", casualty.get("nouns"))
    add("cas_before", casualty.get("cues_before"))
    add("result", casualty.get("result_verbs"))
    add("home_force", lex.get("home_forces"))
    add("home_force_start", [t.split(" ")[0] for t in _terms(lex.get("home_forces"))])
    add("opponent", lex.get("opponent_before"))
    add("owner_lead", lex.get("owner_lead"))
    add("pronoun_subject", lex.get("pronoun_subjects"))
    add("proxy", lex.get("proxy_before"))
    add("cas_after", casualty.get("cues_after"))
    add("casualty_of", casualty.get("whose_before"))
    add("person", casualty.get("person_nouns"))
    add("loss", casualty.get("loss_nouns"))
    add("case", casualty.get("case_nouns"))
    add("person", casualty.get("person_duals"))
    add("person_dual", casualty.get("person_duals"))
    add("one_noun", casualty.get("one_nouns"))
    add("one_before", casualty.get("one_cues_before"))
    add("one_after", casualty.get("one_cues_after"))
    add("one_of", casualty.get("one_of"))
    add("one_pronoun", casualty.get("one_pronouns"))
    add("ordinal_person", casualty.get("ordinal_persons"))
    count_kinds = tuple(name for name, spec in kinds.items() if spec["rule"] == "count")
    for name in count_kinds:
        add("noun:" + name, kinds[name].get("nouns"))
    add("count_head", lex.get("count_heads"))
    add("count_head_pron", lex.get("count_heads_pronoun"))
    add("inherit", lex.get("inherit_nouns"))
    add("function", lex.get("function_words"))
    add("rhetoric", lex.get("rhetoric_before"))
    # month names (months.yml), word by word: a year right after one is part of a date ("27 مايو 2024")
    for system in (load_lexicon("months").get("systems") or {}).values():
        for terms in ((system or {}).get("months") or {}).values():
            add("month", [w for t in _terms(terms) for w in t.split(" ")])
    add("each", lex.get("distributive_before"))
    add("non_claim", lex.get("non_claim_nouns"))
    add("blocker", lex.get("actor_blockers"))
    add("owner", lex.get("owner_heads"))
    add("demonstrative", lex.get("demonstratives"))
    add("contrast", lex.get("contrast_before"))
    add("additive", lex.get("additive_before"))
    add("dual_after", casualty.get("dual_cues_after"))
    add("total_of", lex.get("total_words"))
    add("allies", lex.get("allies_after"))
    add("irregular", lex.get("irregular_fighters"))
    add("led_by", lex.get("led_by"))
    add("army", presence.get("army_nouns"))
    add("title", casualty.get("title_nouns"))
    add("beneficiary", lex.get("beneficiary_markers"))
    add("target", lex.get("target_markers"))
    add("cas_blocker", casualty.get("blockers"))
    add("possessive", lex.get("possessive_refs"))
    add("source", lex.get("source_markers"))
    add("victim_after", lex.get("victim_after"))
    add("attacker_verb", lex.get("attacker_verbs"))
    add("negation", lex.get("negations"))
    add("range_to", numbers_lex_early.get("range_to"))
    add("between", numbers_lex_early.get("range_open"))
    add("change", numbers_lex_early.get("change_verbs"))
    add("level", lex.get("level_verbs"))
    add("copula", lex.get("copulas"))
    add("duration", lex.get("duration_nouns"))
    add("hit_verb", lex.get("hit_verbs"))
    add("relative", lex.get("relative_pronouns"))
    add("means", lex.get("attack_means"))
    add("of_its_kind", lex.get("of_its_kind"))
    add("series", lex.get("series_joiners"))
    add("year_word", lex.get("year_words"))
    add("release", lex.get("release_verbs"))
    add("evacuate", lex.get("evacuation_verbs"))
    add("trained", lex.get("trained_verbs"))
    add("return", lex.get("return_verbs"))
    add("duty", lex.get("duty_words"))
    add("training", lex.get("training_nouns"))
    add("transport", lex.get("transport_verbs"))
    for entry in numbers_lex_early.get("vague_before_scale") or []:
        add("several", entry.get("forms"))
    add("few_compared", lex.get("few_compared"))
    add("few_prep", lex.get("few_not_after"))
    for entry in lex.get("few_phrases") or []:
        add("few", entry.get("forms"))
        for term in _terms(entry.get("forms")):
            cats.setdefault(term.split(" ")[0], set()).add("few_start")
    add("medical", lex.get("medical_words"))
    add("remains", lex.get("remains_nouns"))
    add("part_of", lex.get("breakdown_before"))
    add("part_of", lex.get("breakdown_after"))
    for qname, terms in (lex.get("qualifier_verbs") or {}).items():
        add("qv_" + qname, terms)
    dual_nouns: dict[str, str] = {}
    for name, spec in kinds.items():
        for term in _terms(spec.get("dual_nouns")):
            dual_nouns[term] = spec["rule"] if spec["rule"] != "count" else "noun:" + name
            cats.setdefault(term, set()).add("dual")
    qual_words = set()
    numbers_lex = load_lexicon("numbers")
    for spec in (numbers_lex.get("qualifiers") or {}).values():
        for term in _terms((spec or {}).get("before")):
            qual_words.update(term.split(" "))
    qual_words.update(_terms(numbers_lex.get("range_open")))

    actor_words: dict[str, str] = {}
    actor_phrases: dict[str, list] = {}
    for label, spec in _section(lex, "actors").items():
        if label not in ACTORS:
            raise LexiconError(f"{lexicon_path('claims')}: actor '{label}' is not one of {', '.join(ACTORS)}")
        spec = spec or {}
        for term in _terms(spec.get("names")):
            words = tuple(term.split(" "))
            if len(words) == 1:
                actor_words.setdefault(words[0], label)
            else:
                actor_phrases.setdefault(words[0], []).append((words, label))
        for stem in _terms(spec.get("adjectives")):
            for suf in clitics().nisba_suffixes:
                actor_words.setdefault(stem + suf, label)
    place_phrases: dict[str, list] = {}
    for label, terms in _section(lex, "places").items():
        if label not in PLACES:
            raise LexiconError(f"{lexicon_path('claims')}: place '{label}' is not one of {', '.join(PLACES)}")
        for term in _terms(terms):
            words = tuple(term.split(" "))
            place_phrases.setdefault(words[0], []).append((words, label))
    for d in (actor_phrases, place_phrases, phrases):
        for k in d:
            d[k].sort(key=lambda x: -len(x[0]))
    add("place_prep", lex.get("place_prepositions"))

    few_first = {t.split(" ")[0] for entry in lex.get("few_phrases") or [] for t in _terms(entry.get("forms"))}
    yr = lex.get("year_range") or [1900, 2100]
    frozen = {k: frozenset(v) for k, v in cats.items()}
    prefilter = _build_prefilter(frozen, phrases)
    return _Lex(
        cats=frozen,
        phrases=phrases,
        actor_words=actor_words,
        actor_phrases=actor_phrases,
        place_phrases=place_phrases,
        backed_by=tuple(tuple(t.split(" ")) for t in _terms(lex.get("backed_by"))),
        backed_words=frozenset(w for t in _terms(lex.get("backed_by")) for w in t.split(" ")),
        attacker_markers=tuple(tuple(t.split(" ")) for t in _terms(lex.get("attacker_markers"))),
        breakdown=tuple(tuple(t.split(" ")) for t in _terms(lex.get("breakdown_before"))),
        year_low=int(yr[0]),
        year_high=int(yr[1]),
        prefilter=prefilter,
        # a casualty word may govern a count with no number word: "مقتل أميركي"، "أصيب أميركيان"
        # (and a vague phrase: "عددا من تلك الهجمات")
        number_prefilter=_number_prefilter(set(dual_nouns) | set(_terms(casualty.get("one_nouns")))
                                           | set(_terms(casualty.get("one_of"))) | few_first
                                           | {t for t in _terms(casualty.get("cues_before")) if " " not in t}),
        number_word_prefilter=_number_word_prefilter(set(dual_nouns) | set(_terms(casualty.get("one_nouns")))
                                                     | set(_terms(casualty.get("one_of"))) | few_first
                                                     | {t for t in _terms(casualty.get("cues_before")) if " " not in t}),
        dual_nouns=dual_nouns,
        qual_words=frozenset(qual_words),
        after_words=frozenset(w for spec in (numbers_lex.get("qualifiers") or {}).values()
                              for t in _terms((spec or {}).get("after")) for w in t.split(" ")),
        kind_names={spec["rule"]: name for name, spec in kinds.items() if spec["rule"] != "count"},
        home_actors={str(k): str(v) for k, v in (lex.get("home_actors") or {}).items()},
        key=lexicon_key(),
        attacker_by_last=_by_last(tuple(tuple(t.split(" ")) for t in _terms(lex.get("attacker_markers")))),
        actor_names_arabic=True if all(_ARABIC_RUN.fullmatch(w) for w in (*actor_words, *actor_phrases)) else None,
    )


def _by_last(phrases: tuple) -> dict:
    out: dict = {}
    for words in phrases:
        out.setdefault(words[-1], []).append(words)
    return {k: tuple(v) for k, v in out.items()}


@per_lexicons
def claim_kinds() -> dict:
    """The kinds of claim in claims.yml, in order: name -> its entry (rule, label, figure, words)."""
    path = lexicon_path("claims")
    kinds = load_lexicon("claims").get("kinds") if isinstance(load_lexicon("claims"), dict) else None
    if not isinstance(kinds, dict) or not kinds:
        raise LexiconError(f"{path}: missing 'kinds'; each kind of claim is an entry there (see that file)")
    out = {}
    seen_rules = set()
    for name, spec in kinds.items():
        if not isinstance(spec, dict) or spec.get("rule") not in RULES:
            raise LexiconError(f"{path}: kind '{name}' needs a rule, one of {', '.join(RULES)}")
        if spec["rule"] != "count":
            if spec["rule"] in seen_rules:
                raise LexiconError(f"{path}: kind '{name}': only one kind may have rule '{spec['rule']}'")
            seen_rules.add(spec["rule"])
        label = spec.get("label")
        if not isinstance(label, dict) or "en" not in label:
            raise LexiconError(f"{path}: kind '{name}' needs a label with at least 'en' (and 'ar')")
        if not spec.get("nouns") and not spec.get("dual_nouns"):
            raise LexiconError(f"{path}: kind '{name}' lists no nouns; add the nouns that count it")
        out[str(name)] = spec
    missing = {"presence", "event", "casualty"} - seen_rules
    if missing:
        raise LexiconError(f"{path}: no kind with rule {', '.join(sorted(missing))}; each of presence, event and casualty is needed once")
    return out


_KIND_CUE_CATS = {"troop", "weak_troop", "force", "attack", "attack_cond", "attack_cue", "casualty",
                  "cas_before", "cas_after", "count_head_pron", "ordinal_head", "dual", "attacked_noun", "deployed"}


def _build_prefilter(cats: dict, phrases: dict) -> re.Pattern:
    """A regex over ORIGINAL text that finds every sentence that might hold a claim.

    A claim needs one of the kind words (counted nouns, casualty and attack cues,
    count words with a pronoun); the regex matches their shortest distinct
    prefixes, letting diacritics and tatweel sit between letters and accepting
    every spelling that normalization folds together.
    """
    words = {w for w, c in cats.items() if c & _KIND_CUE_CATS or any(x.startswith("noun:") for x in c)}
    for first, lst in phrases.items():
        for words_, cat in lst:
            if cat in _KIND_CUE_CATS or cat.startswith("noun:"):
                words.add(words_[0])
    return _tolerant_regex(words, word_start=False)


_ANY_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]")
_ARABIC_RUN = re.compile(f"[{ARABIC_LETTER}]+")


def _number_prefilter(dual_nouns: Iterable[str]) -> re.Pattern:
    """A regex over ORIGINAL text for anything that may start a number: a digit, a number word, a dual noun."""
    return re.compile(_ANY_DIGIT.pattern + "|" + _number_word_prefilter(dual_nouns).pattern)


def _number_word_prefilter(dual_nouns: Iterable[str]) -> re.Pattern:
    """The words of _number_prefilter alone (its matches never hold a digit, nor overlap one)."""
    from .numbers import _vocab

    words = set(_vocab().words) | set(dual_nouns)
    rx = _tolerant_regex(words, word_start=True)
    variants = _fold_variants()
    # can no match hold a space or a line break (each letter of each word, and every spelling the
    # regex accepts for it, is no white space; the marks allowed between letters are none)?
    _SPACELESS[rx.pattern] = not any(c.isspace() for w in words for ch in w for c in variants.get(ch, {ch}))
    return rx


# number_word_prefilter pattern -> True when none of its matches can hold white space (see extract_claims)
_SPACELESS: dict = {}


_MARKS = "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\u00ad]*"


def _tolerant_regex(words: set, word_start: bool) -> re.Pattern:
    """Alternation of the shortest distinct prefixes of ``words``, tolerant to spelling and marks."""
    stems = sorted(words, key=len)
    kept: list[str] = []
    for w in stems:
        if not any(w.startswith(k) for k in kept if len(k) >= 3 or (word_start and len(k) >= 2)):
            kept.append(w)
    variants = _fold_variants()

    def part(ch: str) -> str:
        cls = variants.get(ch, {ch})
        return "[" + "".join(re.escape(c) for c in sorted(cls)) + "]" if len(cls) > 1 else re.escape(ch)

    if not word_start:
        return re.compile(_trie_body([[part(ch) for ch in w] for w in kept]))
    if not any(a != b and b.startswith(a) for a in kept for b in kept):
        # no word starts another and the letter classes are disjoint, so at any position
        # at most one word can match: the trie finds the same spans as the alternation
        body = _trie_body([[part(ch) for ch in w] for w in kept])
    else:
        body = "|".join(_MARKS.join(part(ch) for ch in w) for w in sorted(kept, key=len, reverse=True))
    if word_start:
        letters = "\u0621-\u064a\u0671-\u06d3"
        clitic = "(?:[وفبلك]|[وفبلك]?[اأإآ]ل|لل)?"
        return re.compile(f"(?<![{letters}]){clitic}(?:{body})")
    return re.compile(body)


def _trie_body(words: list) -> str:
    """A regex that finds any of ``words`` (each a list of character patterns, marks allowed between).

    The alternatives are nested by their first characters (a trie), so the regex
    tries a handful of letters at each position instead of every word; a word that
    extends another is left out (finding the shorter one is enough: the regex only
    says whether any of them occurs).
    """
    end = ""  # a key no character pattern has: a word ends at this node
    trie: dict = {}
    for parts in words:
        node = trie
        for p in parts:
            if end in node:
                break
            node = node.setdefault(p, {})
        else:
            node.clear()
            node[end] = True

    def emit(node: dict) -> str:
        if end in node:
            return ""
        alts = [p + (_MARKS + emit(child) if end not in child else "") for p, child in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(trie) if trie else ""  # no words: every text passes, as an empty alternation did


@per_lexicons
def _fold_variants() -> dict:
    """Normalized character -> the original characters that fold to it."""
    out: dict[str, set] = {}
    for cp in list(range(0x0600, 0x0700)) + [0x06CC, 0x06A9]:
        ch = chr(cp)
        f = fold_char(ch)
        if len(f) == 1:
            out.setdefault(f, {f}).add(ch)
    return out


# ---------------------------------------------------------------------------
# Tokens


_stems = stems  # the word layer's reading of a word without its proclitics

_NO_CATS: frozenset = frozenset()


class _WordInfo:
    """What the lexicon says about one word, whatever sentence it is in (computed once per word)."""

    __slots__ = ("stems", "cats", "phrases", "actor_phrases", "actor_word", "place_phrases", "punct", "actor_start")

    def __init__(self, word: str, lex: "_Lex"):
        self.stems = st = stems(word, lex.key or None)
        found: set = set()
        phrases: list = []
        actor_phrases: list = []
        actor_word = None
        place_phrases: list = []
        if word and word[0].isalpha():
            cats, aphr, awords, pphr = lex.cats, lex.actor_phrases, lex.actor_words, lex.place_phrases
            for x in st:
                got = cats.get(x)
                if got:
                    found |= got
                phrases.extend(lex.phrases.get(x, ()))
                actor_phrases.extend(aphr.get(x, ()))
                place_phrases.extend(pphr.get(x, ()))
                if actor_word is None:
                    actor_word = awords.get(x)
        self.cats = frozenset(found) if found else _NO_CATS
        self.phrases = tuple(phrases)  # (words, category) of the multi-word terms it may start
        # the lexicon phrases the word may start, longest first per reading (as phrase_at tries them)
        self.actor_phrases = tuple(actor_phrases)
        self.actor_word = actor_word  # the one-word actor the word names, if any
        self.place_phrases = tuple(place_phrases)
        self.punct = not word[:1].isalnum()  # (tokens are never empty)
        self.actor_start = bool(self.actor_phrases) or actor_word is not None  # may an actor's name start here


_ALL_TOKEN_SPLIT = re.compile(f"({ALL_TOKEN_RE.pattern})")  # ALL_TOKEN_RE in one group, for re.split
_CATS, _PUNCT, _ACTOR_START = attrgetter("cats"), attrgetter("punct"), attrgetter("actor_start")
_WORD_INFO_SIZE = 200_000  # words remembered per lexicon folder (cleared when full)


def _word_infos(words: list, lex: "_Lex") -> list:
    memo = lex.word_info
    out = list(map(memo.get, words))
    if None in out:
        if len(memo) >= _WORD_INFO_SIZE:
            memo.clear()
        for k, w in enumerate(words):
            if out[k] is None:
                info = memo.get(w)
                if info is None:
                    info = memo[w] = _WordInfo(w, lex)
                out[k] = info
    return out


class _SentenceOffsets:
    """The offset map of sentence ``k`` as ``Article.sentence_view`` makes it, read in place from the
    article's map (the few offsets the number reader asks for, instead of a copy of the sentence's)."""

    __slots__ = ("_offsets", "_na", "_a", "_n", "_end")

    def __init__(self, offsets, na: int, nb: int, a: int, b: int):
        self._offsets, self._na, self._a, self._n, self._end = offsets, na, a, nb - na, b - a

    def __len__(self) -> int:
        return self._n + 1

    def __getitem__(self, i: int) -> int:
        if i == self._n:
            return self._end
        if 0 <= i < self._n:
            return self._offsets[self._na + i] - self._a
        raise IndexError(i)


def _sentence_view(record: Article, k: int) -> NormalizedText:
    """``record.sentence_view(k)``, its offset map not copied."""
    offsets = record.norm.offsets
    if isinstance(offsets, range):
        return record.sentence_view(k)
    a, b = record.original_sentences[k]
    na, nb = record.sentences[k]
    return NormalizedText(record.original[a:b], record.norm.text[na:nb], _SentenceOffsets(offsets, na, nb, a, b))


class _Sentence:
    """Tokens of one normalized sentence with lexicon lookups.

    Each distinct word is looked up in the lexicon once per lexicon folder
    (``_WordInfo``), so a sentence costs one dictionary read per token; the
    categories of every token are read when the sentence is built.
    """

    def __init__(self, text: str, lex: _Lex):
        self.text = text
        self.lex = lex
        # words.all_tokens, its three columns read at once: the text split around its tokens
        # (token k is pieces[2k + 1], from ends[2k] to ends[2k + 1])
        pieces = _ALL_TOKEN_SPLIT.split(text)
        ends = list(accumulate(map(len, pieces)))
        self._words = words = pieces[1::2]
        self.starts = ends[0:-1:2]
        self.toks = list(zip(words, self.starts, ends[1::2]))
        self._n = len(words)
        self._info = info = _word_infos(words, lex)
        self._catl = catl = list(map(_CATS, info))
        self.number_at: dict = {}  # token index where a number mention starts -> does it count another noun
        self.memo: dict = {}  # what a rule reads once per sentence
        self._punct = list(map(_PUNCT, info))
        # every category of every token (a rule can tell at once that no token has one)
        self.all_cats: frozenset = frozenset().union(*filter(None, catl))
        self.blocks_casualties = "cas_blocker" in self.all_cats
        self._actors: Optional[list] = None
        self._backed: set = set()
        self._places: Optional[list] = None
        self._phrase_cats: Optional[frozenset] = None  # categories of the phrases its words may start

    @property
    def actors(self) -> list:
        """Actor mentions (first, end, label, role), read when a rule first asks."""
        if self._actors is None:
            self._actors = self._match_actors()
        return self._actors

    @property
    def backed(self) -> set:
        """Actor starts read as the group another actor backs (read with the actors)."""
        if self._actors is None:
            self._actors = self._match_actors()
        return self._backed

    @property
    def places(self) -> list:
        """Place mentions (first, end, label), read when a rule first asks."""
        if self._places is None:
            self._places = self._match_places()
        return self._places

    def __len__(self) -> int:
        return self._n

    def word(self, i: int) -> str:
        return self._words[i] if 0 <= i < self._n else ""

    def stems(self, i: int) -> tuple:
        """Token i and its readings without proclitics."""
        if 0 <= i < self._n:
            return self._info[i].stems
        return stems("", self.lex.key or None)

    def cats(self, i: int) -> frozenset:
        return self._catl[i] if 0 <= i < self._n else _NO_CATS

    def has(self, i: int, cat: str) -> bool:
        return 0 <= i < self._n and cat in self._catl[i]

    def is_punct(self, i: int) -> bool:
        return self._punct[i] if 0 <= i < self._n else True  # no token there: as an empty word

    def phrase_at(self, i: int, table: dict, single: Optional[dict] = None):
        """(end index, label) of the longest lexicon phrase starting at token i."""
        w = self.word(i)
        if not w or not w[0].isalpha():
            return None
        for s in self.stems(i):
            for words, label in table.get(s, ()):
                n = len(words)
                if i + n <= self._n and all(self._words[i + k] == words[k] for k in range(1, n)):
                    return i + n, label
        if single is not None:
            for s in self.stems(i):
                label = single.get(s)
                if label is not None:
                    return i + 1, label
        return None

    def _phrase_from(self, i: int, phrases: tuple, single: Optional[str]):
        """phrase_at with the word's phrases (and one-word label) read beforehand."""
        ws = self._words
        for words, label in phrases:
            n = len(words)
            if i + n <= self._n and all(ws[i + k] == words[k] for k in range(1, n)):
                return i + n, label
        if single is not None:
            return i + 1, single
        return None

    def _match_actors(self) -> list:
        """Actor mentions: (first, end, label, role) with role plain|target|blocked."""
        lex = self.lex
        out = []
        self._backed = set()  # actor starts read as the group another actor backs
        n = self._n
        info = self._info
        i = 0
        for cand in compress(range(n), map(_ACTOR_START, info)):
            if cand < i:
                continue
            i = cand
            hit = self._phrase_from(i, info[i].actor_phrases, info[i].actor_word)
            if hit is None:
                i += 1
                continue
            end, label = hit
            role = "plain"
            prev = i - 1
            if prev >= 0 and self.has(prev, "blocker"):
                role = "blocked"
            # "الجماعات المدعومة من إيران": the backed group is a militia
            prev_word = self.word(i - 1) if i > 0 else ""
            backed = prev_word in lex.backed_words or i > 0 and any(st in lex.backed_words for st in self.stems(i - 1))
            for words in lex.backed_by if backed else ():
                k = len(words)
                first = i - k + (1 if len(words[-1]) == 1 else 0)  # (the last word may be glued to the actor)
                if i - k >= 0 and _tail_matches(self, i, words) and not self.has(first - 1, "means") \
                        and label != "coalition":
                    # (not "طائرات تابعة للتحالف": the aircraft are the actor's own; no group is the
                    # coalition's proxy)
                    label = "militia"
                    self._backed.add(i)
                    break
            if role == "plain" and out and self.word(i - 1) == "(" \
                    and (out[-1][1] == i - 1 or out[-1][1] == i - 2 and self.word(i - 2) in _QUOTES):
                role = out[-1][3]  # 'ضد تنظيم "الدولة الإسلامية" (داعش)': another name of the actor before
            elif role == "plain":
                for back in range(1, 5):
                    j = i - back
                    if j >= 0 and self.word(j) in _QUOTES:
                        continue  # "ضد تنظيم "الدولة الإسلامية"": a quoted name
                    if j < 0 or self.is_punct(j) or self.word(j) in ("ان", "بان"):
                        break  # "قالت القيادة إن بريطانيا ...": after أن the reported clause's own subject
                    if self.has(j, "target") and _after_attacker_marker(self, j + 1):
                        break  # "ألقت باللوم على إيران والميليشيات": blamed, not attacked
                    if self.has(j, "attacker_verb") and self.has(j - 1, "pronoun_subject") and all(
                            self.cats(m) & {"force", "troop", "means"} for m in range(j + 1, i)):
                        role = "target"  # "إنها استهدفت القوات الأمريكية": the verb's object
                        break
                    if self.has(j, "target") or self.has(j, "hit_verb") and (
                            self.has(j - 1, "attack") or self.has(j - 1, "relative") and self.has(j - 2, "attack")):
                        role = "target"  # "الهجمات التي استهدفت القوات الأمريكية": the attacks hit them
                        break
                    if self.has(j, "source") and back <= 3:
                        role = "source"
                        break
                for k in range(end, min(n, end + 3)):
                    if self.is_punct(k):
                        break
                    if self.has(k, "victim_after"):
                        role = "target"
                        break
            allies = _phrase_end(self, end, "allies") if end < n else None
            if allies is not None:
                label, end = "coalition", allies  # "الولايات المتحدة وحلفاؤها": a coalition
            if i > 0 and (self.has(i - 1, "led_by") or i > 1 and self.has(i - 2, "led_by") and self.word(i - 1) in ("من",)):
                label = "coalition"  # "القوات التي تقودها الولايات المتحدة"، "بقيادة أمريكية"
            if label == "other_country" and self.has(i - 1, "proxy"):
                label = "militia"  # "حلفاء إيران في العراق": the groups a foreign state backs
                self._backed.add(i)
            if end - i == 1 and label in ("iraqi", "other_country") and self.has(i - 1, "irregular"):
                label = "militia"  # "المقاتلين العراقيين شنوا 1415 هجوما": fighters of no army
            if out and out[-1][2] == "militia" and end - i == 1 and (
                    out[-1][1] == i or out[-1][1] == i - 1 and self.word(i - 1) in _QUOTES):
                i = end  # "حزب الله العراقي"، '"الحشد الشعبي" العراقي': the nationality of a named group
                continue
            out.append((i, end, label, role))
            i = end
        return out

    def _match_places(self) -> list:
        out = []
        covered = set()
        for a, b, _label, _role in self.actors:
            if b - a > 1:
                covered.update(range(a, b))
        info = self._info
        i = 0
        for cand in [k for k in range(self._n) if info[k].place_phrases]:
            if cand < i:
                continue
            i = cand
            hit = self._phrase_from(i, info[i].place_phrases, None)
            if hit is None or i in covered:
                i += 1
                continue
            end, label = hit
            if label == "elsewhere" and not self._locative(i):
                i = end
                continue
            out.append((i, end, label))
            i = end
        return out

    def _locative(self, i: int) -> bool:
        w = self.word(i)
        if w[:1] in ("ب", "ل") and self.word(i - 1) in self.lex.backed_words:
            return False  # "أهداف مرتبطة بإيران": whose, not where
        if w.startswith(("ب", "وب", "فب")) and not w.startswith(("بال",)) or w.startswith(("بال", "وبال")):
            return True
        return i > 0 and self.has(i - 1, "place_prep")

    def index_at(self, pos: int) -> int:
        """Index of the token covering normalized offset ``pos`` (or the next one)."""
        k = bisect.bisect_right(self.starts, pos) - 1
        if k < 0:
            return 0
        if self.toks[k][2] <= pos:
            return k + 1
        return k

    def index_from(self, pos: int) -> int:
        """Index of the first token starting at or after ``pos``."""
        return bisect.bisect_left(self.starts, pos)


def _phrase_end(s: _Sentence, k: int, cat: str) -> Optional[int]:
    """End of the longest ``cat`` term (one word or a phrase) starting at token k, or None."""
    w = s.word(k)
    if not w or not w[0].isalpha():
        return None
    best = k + 1 if s.has(k, cat) else None
    for st in _stems(w):
        for words, c in s.lex.phrases.get(st, ()):
            n = len(words)
            if c == cat and k + n <= len(s) and all(s.word(k + m) == words[m] for m in range(1, n)):
                if best is None or k + n > best:
                    best = k + n
    return best


def _tail_matches(s: _Sentence, i: int, words: tuple) -> bool:
    """Do the tokens just before i spell ``words`` (the last word may be a clitic glued to i)?"""
    k = len(words)
    last = words[-1]
    if len(last) == 1:  # "الموالية ل" + "إيران" written "لإيران"
        if not s.word(i).startswith(last):
            return False
        ws = words[:-1]
        k -= 1
        return i - k >= 0 and all(s.word(i - k + m) == ws[m] or m == 0 and ws[0] in s.stems(i - k) for m in range(k))
    # (the first word may carry a proclitic: "بوكلاء إيران")
    return i - k >= 0 and all(s.word(i - k + m) == words[m] or m == 0 and words[0] in s.stems(i - k) for m in range(k))


# ---------------------------------------------------------------------------
# Classification


def _as_int(x) -> Optional[int]:
    if x is None:
        return None
    return int(round(x))


_GLUED = ("ل", "ال", "و", "ب", "لل", "وال", "بال", "ف")
_BRACKETS = {"(": ")", "/": "/", "[": "]"}


def _classify(s: _Sentence, mn: NumberMention, earlier: list) -> Optional[tuple]:
    """(kind, noun index or None) for a mention, or None when it is not a claim."""
    got = _classify_kind(s, mn, earlier)
    if got is not None and got[0] == "casualty" and s.blocks_casualties:
        return None
    if got is not None and _released(s, s.index_at(mn.norm_start), got[1], got[0]):
        return None
    return got


def _may_have(s: _Sentence, cats: tuple) -> bool:
    """Can ``_has_cat`` be true for one of ``cats`` anywhere in the sentence (a one-word term, or a
    phrase one of its words may start)?"""
    if s._phrase_cats is None:
        s._phrase_cats = frozenset(c for x in s._info for _words, c in x.phrases)
    return any(c in s.all_cats or c in s._phrase_cats for c in cats)


def _has_cat(s: _Sentence, k: int, cat: str) -> bool:
    """A one-word lexicon term of ``cat`` at k, or a multi-word one starting there."""
    if s.has(k, cat):
        return True
    if not 0 <= k < len(s):
        return False
    for words, c in s._info[k].phrases:  # the phrases of each reading of the word, as lex.phrases lists them
        n = len(words)
        if c == cat and k + n <= len(s) and all(s.word(k + m) == words[m] for m in range(1, n)):
            return True
    return False


_RELEASE_REACH = 4  # words searched either side of a count for a verb of release or return


def _transported(s: _Sentence, i0: int, noun: Optional[int]) -> bool:
    """"نقل 21 عسكريا إلى الولايات المتحدة" (for treatment)، "الذين نقلوا إلى ألمانيا وعددهم 27":
    the wounded moved somewhere are no troop level: a verb of moving before the count, with its
    destination (إلى) after the verb or the counted noun, in a sentence about treatment
    ("ونقلت الولايات المتحدة 500 جندي إلى أربيل" is a deployment)."""
    if "medical" not in s.all_cats:
        return False
    end = (noun if noun is not None and noun >= i0 else i0) + 1
    for k in range(i0 - 1, max(-1, i0 - _RELEASE_REACH - 1), -1):
        if s.word(k) in _STRONG_PUNCT or s.word(k) in ("ان", "بان"):
            break  # "نقلت الوكالة أن 500 جندي سيصلون": a report, not a move
        if s.has(k, "transport"):
            return s.has(k + 1, "range_to") or any(s.has(m, "range_to") for m in range(end, min(len(s), end + 3)))
    # the verb after the counted noun: "35 جنديا نقلوا إلى ألمانيا لمزيد من التقييم"
    return any(s.has(k, "transport") and s.has(k + 1, "range_to") for k in range(end, min(len(s), end + 2)))


def _trained(s: _Sentence, i0: int) -> bool:
    """"تم تدريب نحو 900 مقاتل كردي"، "درب المستشارون الأمريكيون أكثر من 5 آلاف جندي": a verb of
    training governs the count (within _RELEASE_REACH words before it, only its subject between: the
    trainers and their nationality): trainees, no troop level ("بعثة تدريب قوامها 500 عنصر"، "مهمة
    تدريب يشارك فيها 150 جنديا" count the trainers)."""
    seen = 0
    k = i0 - 1
    while k >= 0 and seen < _RELEASE_REACH and not s.is_punct(k):
        c = s.cats(k)
        if "trained" in c or "training" in c and seen == 0:
            return True
        if s.word(k) not in s.lex.qual_words:
            if not (c & {"troop", "force"} or any(a <= k < b for a, b, _l, _r in s.actors)) or "count_head" in c:
                return False
            seen += 1
        k -= 1
    return False


def _released(s: _Sentence, i0: int, noun: Optional[int], kind: str) -> bool:
    """"أفرجت الفصائل عن 3 جنود"، "عاد 12 جنديا إلى الخدمة"، "إجلاء 50 جنديا": people freed,
    returned or evacuated are no troop level; freed or returned people are no new casualties
    either (evacuated ones may be: the casualty words decide)."""
    if kind not in ("presence", "casualty"):
        return False
    if kind == "presence" and (_transported(s, i0, noun) or s.all_cats & {"trained", "training"} and _trained(s, i0)):
        return True
    if kind == "casualty" or s.all_cats & {"medical", "duty"}:
        cats = ("release", "evacuate", "return") if kind == "presence" else ("release", "return")
    else:
        cats = ("release", "evacuate")  # "سيعود 3000 جندي إلى الولايات المتحدة": a withdrawal
    if not _may_have(s, cats):
        return False  # no word of the sentence is of these categories, nor starts a phrase of them
    seen = 0
    k = (noun if noun is not None and noun < i0 else i0) - 1
    while k >= 0 and seen < _RELEASE_REACH and not s.is_punct(k):
        if s.has(k, "remains"):
            return False  # "أعيدت جثامين القتلى الخمسة": the bodies of the killed
        if any(_has_cat(s, k, c) for c in cats):
            return True
        if s.word(k) not in s.lex.qual_words and s.word(k) not in ("عن", "سراح"):
            seen += 1
        k -= 1
    # after the counted noun: "3 جنود أفرج عنهم"، "جنديا عادوا إلى الخدمة"
    start = (noun if noun is not None and noun >= i0 else i0) + 1
    for k in range(start, min(len(s), start + _RELEASE_REACH)):
        if s.is_punct(k) or s.word(k).startswith("و") and len(s.word(k)) > 3:
            break  # "قتل 64 مسلحا واعتقل 242": another clause
        if any(_has_cat(s, k, c) for c in cats):
            return True
    return False


def _classify_kind(s: _Sentence, mn: NumberMention, earlier: list) -> Optional[tuple]:
    if mn.unit == "percent":
        return None
    i0 = s.index_at(mn.norm_start)
    if _is_year(mn, s.lex) and (s.has(i0 - 1, "year_word") or s.has(i0 - 1, "month")):
        return None  # "في 17 نيسان عام 2022 عملية ..."، "27 مايو 2024 جنود أتراك": a year, whatever follows
    i1 = s.index_from(mn.norm_end)
    before = i0 - 1
    # a number set off by brackets or slashes: "نحو (450) جنديا"، "العسكريين /109/ الذين"
    if s.word(before) in _BRACKETS and s.word(i1) == _BRACKETS[s.word(before)]:
        before -= 1
        i1 += 1
    glued = ""
    # a clitic glued to the number ("لـ150", "ال150", "الـ 56") is its own token here
    if before >= 0 and s.word(before) in _GLUED and (s.toks[before][2] == s.toks[i0][1] or s.word(before) == "ال"):
        glued = s.word(before)
        before -= 1
    elif mn.words and s.toks[i0][1] < mn.norm_start and s.word(i0).startswith("و"):
        glued = "و"  # "واثنين": the conjunction glued to a number word
    elif before >= 0 and s.word(before) in ("وب", "ول", "ولل"):
        glued = "و"  # "بـ 70 هجوما، وبـ 80 في سوريا": the conjunction and a preposition before the number
        before -= 1
    if before >= 0 and s.has(before, "each"):
        return None  # "كل واحدة منها"، "لكل 100 مواطن": a share or a rate
    if before >= 0 and s.has(before, "rhetoric"):
        # ("المرة الأولى التي يقتل فيها جنود": the first time says unprecedented, no count)
        return _nth_time(s, before, i1) if mn.ordinal and mn.value != 1 else None
    number_word = before >= 0 and s.word(before) in ("رقم", "الرقم")  # "الهجوم هو الرقم 19"
    if mn.ordinal and s.word(i1) == "من" and (s.has(i1 + 1, "month") or s.word(i1 + 1) == "شهر" and s.has(i1 + 2, "month")):
        return None  # "هجوم السابع من أكتوبر"، "ضربة في الثالث من يناير": a day of a month, no count
    if mn.ordinal or glued in ("ال", "وال", "بال") or number_word:
        head = before - 1 if number_word else before
        while head > 0 and s.word(head) in _QUOTES:
            head -= 1  # 'هذا الهجوم "هو الثاني من نوعه'
        if head > 0 and s.has(head, "copula"):
            head -= 1  # "هذا الهجوم هو الثاني والعشرين"، "في هجوم هو الـ 28"
        while head > 0 and s.word(head) in _QUOTES:
            head -= 1
        if head > 0 and _definite(s.word(head)) == _definite(s.word(head - 1)) and s.word(head)[:1].isalpha() \
                and not s.cats(head) & {"ordinal_head", "attack"} and s.cats(head - 1) & {"ordinal_head", "attack"}:
            head -= 1  # "الهجوم الصاروخي الثالث"، "هجوم مماثل هو الرابع": an adjective between
        if head >= 0 and (s.has(head, "ordinal_head") or s.has(head, "attack")):
            return "event", head
        if mn.ordinal and _hostile_noun(s, i1) and not s.word(i1).startswith(("ال", "وال", "ل", "ب")) \
                and not s.word(i0).startswith(("ال", "وال", "بال", "لل")):
            return "event", i1  # "وهذا رابع هجوم من نوعه"، "في ثالث عملية لها": in construct with the noun
        if mn.ordinal and mn.value != 1 and s.word(i1) == "من" and s.has(i1 + 1, "of_its_kind"):
            # "ويعد القصف الذي طال المطار الخامس من نوعه": the n-th of its kind, an attack noun its
            # subject ("الأول من نوعه" says unprecedented, no count)
            for k in range(i0 - 1, max(-1, i0 - _WINDOW_BEFORE - 1), -1):
                if s.word(k) in _STRONG_PUNCT or s.word(k)[:1].isdigit():
                    break
                if s.has(k, "attack"):
                    return "event", k
        if mn.ordinal and mn.value != 1 and glued == "و" and s.cats(i1) & {"hit_verb", "attacker_verb"} \
                and _attack_word_before(s, i0, {"attack"}, across=True):
            # "وهجوم رابع استهدف قاعدة عين الأسد، وخامس استهدف رتلا": the n-th of the attacks just
            # listed, its noun left out before the verb
            return "event", None
        if mn.ordinal and mn.value != 1 and glued == "و" and earlier and earlier[-1].kind == "event" \
                and _previous_claim(earlier, mn, s, max_gap=12) is not None:
            # "الهجوم هو الثالث والعشرون منذ أكتوبر، والثاني هذا الأسبوع": the same attack counted
            # again over another span
            return "event", None
        if mn.ordinal or glued in ("ال", "وال", "بال") and _glued_preposition(s, i1):
            return None  # ("الذكرى الـ20 لهجمات سبتمبر": the n-th of a noun after a preposition, no count)
    if mn.words and not mn.ordinal and mn.qualifier != "vague" and s.toks[i0][1] < mn.norm_start \
            and s.word(i0).startswith(("ال", "وال", "بال", "لل", "فال")) \
            and s.text[s.toks[i0][1]:mn.norm_start].endswith(("ال", "ل")):
        # (the article itself before the number word, not "بألف" read as ب + ال + ف)
        # a number word with the article agrees with a definite noun before it ("الجنود
        # الستة"); alone it names a number, not a count ("المائة من الهجمات" after "في")
        head = before
        for a, b, _l, _r in s.actors:
            if a <= head < b and a > 0:
                head = a - 1
        if not (s.word(head).startswith(("ال", "وال")) and s.cats(head) & {"troop", "casualty", "person", "attack"}) \
                and not (s.cats(i1) & {"troop", "casualty", "attack"} and not _definite(s.word(i1))
                         and not _glued_preposition(s, i1) and mn.value not in (100, 1000, 1000000)):
            # (a definite number before its indefinite noun counts it: "بمن فيهم الثماني مئة والثمانين
            # جنديا بولنديا"; "وصولا إلى الألف قتيل" names the round number, a mark; "الذكرى العشرين
            # لهجمات سبتمبر" is no count of the noun after a preposition)
            return None
    j = i1
    while j < i1 + 3 and s.word(j) in s.lex.after_words and s.word(j) != "من":
        j += 1  # "24 على الأقل من مقاتلي التنظيم": a qualifier between the number and its noun
    if j > i1 and s.word(j) != "من":
        j = i1
    if j == i1 and s.word(j - 1) == "من" and s.has(j, "demonstrative"):
        j += 1  # "عددا من تلك الهجمات": the phrase ends with من
    if s.word(j) == "من" and j + 1 < len(s):
        k = j + 2 if s.has(j + 1, "demonstrative") else j + 1  # "ستة من تلك الهجمات"
        if s.cats(k) & {"troop", "weak_troop", "attack", "casualty", "person", "force"}:
            j = k
    if _next_part(s, i0, glued, mn, earlier) or (_after_breakdown(s, i0) and earlier
                                                 and _previous_claim(earlier, mn, s, max_gap=14) is not None):
        # "19 قتيلا، من بينهم: 11 من الميليشيات، و3 من القوات السورية": the next part of the
        # same figure counts what the figure counts, whatever noun names its members
        return earlier[-1].kind, (j if j != i1 else None)
    got = _noun_claim(s, i0, j, mn, earlier, partitive=j != i1)
    if got is not False:
        return got
    if s.word(i1) == "من" and s.has(i1 + 1, "total_of"):
        # "بين 35 ألفا و50 ألفا من مجموع 142 ألف جندي": a part of a total counts what it counts
        for k in range(i1 + 2, min(len(s), i1 + 8)):
            if s.is_punct(k):
                break
            if s.cats(k) & {"troop", "attack", "casualty"}:
                got = _noun_claim(s, i0, k, mn, earlier, partitive=True)
                if got not in (False, None):
                    return got
                break
    if before > 0 and s.has(before, "total_of") and s.word(before - 1) == "من":
        prev = _previous_claim(earlier, mn, s, max_gap=14)
        if prev is not None:
            return prev.kind, None  # "سحب 1500 جندي من أصل 4100": the whole the figure before is part of
    if s.word(j) == "من" and s.has(j + 1, "non_claim"):
        return None  # "3 من الصواريخ"، "في 12 من الشهر": a part of something that is no claim
    # no counted noun after the number: it ends its phrase
    c = s.cats(j)
    if "cas_after" in c and j == i1 and not _is_year(mn, s.lex):
        return "casualty", None  # "قتل 3592 جنديا و30068 جرحوا": the verb follows the elided noun
    if _year_phrase_at(s, j) and _in_series(s, i0, glued, mn, earlier):
        return earlier[-1].kind, None  # "جنديان عام 2016، ثم 5 عام 2017": the same noun, another year
    boundary = j >= len(s) or s.is_punct(j) or "function" in c or _starts_clause(s, j) or "count_head" in c \
        or "relative" in c or "year_word" in c and _is_year_at(s, j + 1) \
        or _glued_preposition(s, j) and _joined_by_and(s, i0, glued) and not _is_year(mn, s.lex) \
        and _previous_claim(earlier, mn, s, max_gap=8) is not None
    # ("الجنود الثلاثة الذين قتلوا"; "25 هجمة بطائرات مسيرة و30 بالصواريخ": the next part of a tally,
    # its means after it)
    if not boundary and s.has(j, "copula") and s.has(j + 1, "count_head") and not _is_year(mn, s.lex):
        # "و2500 هو عدد الجنود الأمريكيين في العراق": the count word after a copula says what it counts
        for m in range(j + 2, min(len(s), j + 5)):
            kind = _noun_kind(s, m, force=True)
            if kind:
                return (_troops_or_casualties(s, i0, m) if kind == "presence" else kind), None
    # "لهجومين اثنين بطائرات مسيرة": after one or two agreeing with the noun before them, a
    # prepositional phrase may follow
    if not boundary and not (mn.words and mn.value is not None and mn.value <= 2 and _glued_preposition(s, j)):
        return None
    # "جنديا واحدا"، "مدنيين اثنين": the noun comes first for one and two
    # "الجنود الستون"، "القتلى الأمريكيين الأربعة": a definite number word agrees with the
    # definite counted noun before it (a nationality may stand between)
    head = before
    for a, b, _l, _r in s.actors:
        if a <= head < b and a > 0:
            head = a - 1
    # (the article written before the number word, not the alef of "ألفين" after "إلى")
    agrees = mn.words and s.toks[i0][1] < mn.norm_start and s.text[s.toks[i0][1]:mn.norm_start].endswith("ال") \
        and s.word(head).startswith(("ال", "وال"))
    definite = agrees and bool(s.cats(head) & {"troop", "casualty", "person", "attack"})  # "الهجمات الأربعين"
    if agrees and not definite and not s.cats(head) & {"attack", "ordinal_head", "weak_troop", "force"}:
        return None  # "الوزارات العراقية الثلاث": the number describes another noun
    # (and a number word of three to ten after an indefinite plural counted noun: "هجمات ثلاث")
    after_plural = mn.words and mn.value is not None and 3 <= mn.value <= 10 and not mn.ordinal \
        and s.cats(before) & {"attack", "troop", "casualty"} and not _definite(s.word(before)) \
        and not s.word(before - 1)[:1].isdigit() and (before - 1) not in s.number_at
    if before >= 0 and mn.words and mn.value is not None and (mn.value <= 2 or definite or after_plural) and not glued:
        noun = before
        if definite:
            noun = head
        elif noun > 0 and any(a <= noun < b for a, b, _l, _r in s.actors):
            noun -= 1  # "جندي أمريكي واحد"
        # an indefinite noun agrees with an indefinite number ("هجومين اثنين"); "الهجوم اثنان"
        # is no phrase ("وقتل في الهجوم اثنان من الحراس")
        if definite or not s.word(noun).startswith(("ال", "وال", "بال", "لل", "فال")):
            got = _noun_claim(s, noun, noun, mn, earlier, partitive=False)
            if got not in (False, None):
                return got
    if not boundary:
        return None
    if _is_year(mn, s.lex) and not _change_start(s, i1) and not _count_not_year(s, i0, j, glued, mn, earlier):
        return None
    if before >= 0 and (s.has(before, "non_claim") and not (
            glued == "و" and any(_glued_preposition(s, k) for k in (before, before - 1))
            and _previous_claim(earlier, mn, s, max_gap=8) is not None)
                        # ("25 هجمة بطائرات مسيرة و30 بالصواريخ": the means of the count before, not a noun of 30)
                        or (mn.words and mn.value is not None and mn.value <= 2
                                                       and s.word(before)[:1].isalpha() and not glued
                                                       and not _cue_before(s, i0, "cas_before", span=3)
                                                       and s.word(before) not in s.lex.qual_words
                                                       and not s.has(before, "function"))):
        return None  # "خلال شهر واحد": the number belongs to another noun
    if _cue_before(s, i0, "cas_before", span=3) or _casualty_tally(s, i0):
        return "casualty", None
    kind = _count_head_kind(s, i0)
    if kind is not None:
        return kind, None
    kind = _changed_before(s, i0)
    if kind is not None:
        return kind, None  # "لا يمكن تخفيض القوات لأكثر من بضع مئات"، "ارتفعت الهجمات إلى 40"
    if _deployed(s, i0) and not _is_year(mn, s.lex) and (mn.value or 0) >= 10 and (
            s.word(i1) != "من" or any(a == i1 + 1 for a, _b, _l in s.places)):
        # ("سحبت القوات 50 من آلياتها": a part of something else)
        return "presence", None  # "ترامب يأمر بسحب 1500 من سوريا": a state sends or withdraws a bare number
    prev = _previous_claim(earlier, mn, s, max_gap=10)
    if prev is not None and (_joined_by_and(s, i0, glued) or _and_joined(s, i0, mn) or _joined_by_change(s, i0)
                             or _cue_before(s, i0, "contrast", span=1) or _added(s, i0)
                             or _after_breakdown(s, i0)):
        return prev.kind, None
    if prev is not None and (j >= len(s) or s.is_punct(j)) and _in_series(s, i0, glued, mn, earlier):
        return prev.kind, None  # "قتل 3 جنود عام 2019 ثم 7."
    if _parallel(s, i0, glued, mn, earlier):
        return earlier[-1].kind, None  # "نفذت 375 عملية في يوليو (505 في يونيو)"
    if s.word(i0 - 1) == "(" and not glued:
        # "ثلث هذه الهجمات بقذائف الهاون (474 في يونيو)": a bracketed figure of the noun before it
        for k in range(i0 - 2, max(-1, i0 - 6), -1):
            if s.is_punct(k):
                break
            kind = _noun_kind(s, k)
            if kind:
                return kind, None
    return None


def _nth_time(s: _Sentence, head: int, i1: int) -> Optional[tuple]:
    """"وهي المرة الرابعة التي يقتل فيها جندي" (four casualties)، "استهدفت القاعدة للمرة
    الثانية" (two attacks): the n-th time counts what happened each time ("ليست المرة الأولى"
    counts nothing)."""
    if s.has(head - 1, "negation") or s.has(head - 2, "negation"):
        return None
    for k in range(i1, min(len(s), i1 + 5)):
        if s.word(k) in _STRONG_PUNCT:
            break
        if s.cats(k) & {"cas_before", "cas_after"}:
            return "casualty", None
        if s.cats(k) & {"attack_cue", "attacker_verb"} and k > i1:
            return "event", None  # "وهذه المرة الثالثة التي تستهدف فيها القاعدة"
    if _attack_word_before(s, head, {"attack_cue", "attack", "attacker_verb"}):
        return "event", None
    return None


_REPEAT_REACH = 24  # tokens searched back from "N مرات" or "للمرة الثانية" for the attack it repeats


def _attack_word_before(s: _Sentence, i0: int, cats: set, across: bool = False) -> bool:
    """Is a word of ``cats`` before i0 in its sentence part?  "أعلنت استهداف قاعدة القوات الأميركية في
    قسرك في ريف الحسكة شمالي شرقي سوريا للمرة الثانية": a long object may stand between the verb and
    the count of times; past a comma or another number the search stops at _WINDOW_BEFORE words, and
    it crosses a comma and و only when ``across`` (the items of a list)."""
    reach = _REPEAT_REACH
    for k in range(i0 - 1, max(-1, i0 - _REPEAT_REACH - 1), -1):
        w = s.word(k)
        if w in _STRONG_PUNCT or k < i0 - reach or w in ("،", ",") and not across and _starts_clause(s, k + 1):
            return False  # (a new clause: "استهدفت القاعدة، وزار الرئيس العراق ثلاث مرات")
        if w in ("،", ",") or w[:1].isdigit():
            reach = _WINDOW_BEFORE
        if s.cats(k) & cats:
            return True
    return False


def _definite(w: str) -> bool:
    return w.startswith(("ال", "وال", "بال", "لل", "فال"))


def _hostile_noun(s: _Sentence, j: int) -> bool:
    """An attack noun at j, or a noun that is one in a sentence about hostile action ("عملية")."""
    return s.has(j, "attack") or s.has(j, "attack_cond") and any(s.has(k, "hostile") for k in range(len(s)) if k != j)


def _glued_preposition(s: _Sentence, j: int) -> bool:
    """Does token j start with the preposition ب or ل glued to a word ("بطائرات"، "لقوات")?"""
    w = s.word(j)
    return w[:1] in ("ب", "ل") and any(len(st) < len(w) for st in s.stems(j))


def _is_year_at(s: _Sentence, j: int) -> bool:
    """Is token j a four-digit number in the years' range ("عام 2003")?"""
    w = s.word(j)
    return len(w) == 4 and w.isdigit() and s.lex.year_low <= int(w) <= s.lex.year_high


def _year_phrase_at(s: _Sentence, j: int) -> bool:
    """"عام 2017"، "في 2017"، "خلال 2018": a year phrase starts at j."""
    if s.has(j, "year_word"):
        return True
    nxt = s.word(j + 1)
    return "function" in s.cats(j) and len(nxt) == 4 and nxt.isdigit() \
        and s.lex.year_low <= int(nxt) <= s.lex.year_high


def _joiner_before(s: _Sentence, i0: int, glued: str) -> int:
    """Index of the word joining the number to what precedes it (و، ثم، the comma), or -1."""
    if glued == "و":
        return i0 - 1
    k = i0 - 1
    while k > 0 and s.word(k) in s.lex.qual_words:
        k -= 1
    w = s.word(k) if k >= 0 else ""
    if w in ("،", ",", "و") or s.has(k, "series") and (w in _SERIES_BARE or w[1:] in _SERIES_BARE):
        return k
    return -1


_SERIES_BARE = {"ثم", "و"}


def _in_series(s: _Sentence, i0: int, glued: str, mn: NumberMention, earlier: list) -> bool:
    """"جنديان عام 2016، ثم 5 عام 2017، و6 عام 2018": a bare number joined by ثم، و or a
    comma to the claim before it (with only a year phrase between) shares its noun."""
    if not earlier or _previous_claim(earlier, mn, s, max_gap=10) is None:
        return False
    k = _joiner_before(s, i0, glued)
    if k < 0:
        return False
    if s.word(k) in ("،", ","):
        pass
    elif s.word(k - 1) in ("،", ","):
        k -= 1
    # between the claim before and the joiner: only its noun, its nationality, a place
    # and a year phrase ("3 جنود أمريكيين في الأنبار عام 2016")
    m = s.index_from(earlier[-1]._norm_end)
    while m < k:
        if s.cats(m) & {"troop", "casualty", "person", "year_word", "place_prep"} \
                or any(x <= m < y for x, y, _l, _r in s.actors) or any(x <= m < y for x, y, _l in s.places):
            m += 1
        elif s.word(m)[:1].isdigit() and (s.has(m - 1, "year_word") or _year_phrase_at(s, m - 1)):
            m += 1
        else:
            return False
    return True


def _parallel(s: _Sentence, i0: int, glued: str, mn: NumberMention, earlier: list) -> bool:
    """"375 عملية في يوليو (505 في يونيو)"، "474 في يونيو، 468 في يوليو": a bare number set beside
    the count just before it (a comma, و، ثم or a bracket between, and only that count's noun and
    a prepositional phrase after it) counts the same thing for another time or place."""
    if not earlier or _previous_claim(earlier, mn, s, max_gap=8) is None:
        return False
    k = i0 - 1
    while k > 0 and s.word(k) in s.lex.qual_words:
        k -= 1
    if glued != "و" and s.word(k) not in ("،", ",", "(", "و", "ثم"):
        # "2500 جندي في العراق وفي سوريا 900": the place of the next part before it, with و
        place = next((a for a, b, _l in s.places if b == k + 1), None)
        if place is None or not (s.word(place - 1).startswith("و") and s.has(place - 1, "place_prep")):
            return False
        k = place - 1
    m = s.index_from(earlier[-1]._norm_end)
    while m < k:
        c = s.cats(m)
        if c & {"troop", "casualty", "person", "attack", "attack_cond", "hostile", "year_word", "place_prep", "function"} \
                or s.word(m) in ("،", ",", "(", ")") or any(x <= m < y for x, y, _l, _r in s.actors) \
                or s.cats(m - 1) & {"place_prep", "function", "year_word"}:
            m += 1
        else:
            return False
    return True


def _count_not_year(s: _Sentence, i0: int, j: int, glued: str, mn: NumberMention, earlier: list) -> bool:
    """"نحو 2500 جندي في العراق و2100 في سوريا": a four-digit number joined by و to the
    claim before it and followed by a place is a count, unless عام or سنة precedes it."""
    if _previous_claim(earlier, mn, s, max_gap=10) is None:
        return False
    k = _joiner_before(s, i0, glued)
    if k < 0 or s.word(k) not in ("و",) and glued != "و":
        return False
    if s.has(k - 1, "year_word") or s.word(k - 1)[:1].isdigit():
        return False
    return any(a in (j, j + 1) for a, _b, _l in s.places) and (s.has(j, "place_prep") or any(a == j for a, _b, _l in s.places))


def _change_start(s: _Sentence, i1: int) -> bool:
    """"خفض عدد قواتها من 2000 إلى 1400 جندي": 2000 is the first end of a change, no year."""
    nxt = s.word(i1 + 1)
    return s.has(i1, "range_to") and nxt[:1].isdigit() and not (len(nxt) == 4 and s.lex.year_low <= int(nxt) <= s.lex.year_high)


def _after_breakdown(s: _Sentence, i0: int) -> bool:
    """"60 ألف جندي ...، بما في ذلك 14 ألفا في أفغانستان"، "19 قتيلا، ومن بينهم: 11 من
    الميليشيات": a part of the figure before it."""
    while i0 > 0 and s.word(i0 - 1) in (":", "،", ","):
        i0 -= 1
    if i0 == 0 or not set(s.stems(i0 - 1)) & _breakdown_last():
        return False
    for words in s.lex.breakdown:
        k = len(words)
        if i0 - k >= 0 and all(s.word(i0 - k + m) == words[m] or words[m] in s.stems(i0 - k + m)
                               for m in range(k)):
            return True
    return False


@per_lexicons
def _breakdown_last() -> frozenset:
    """The last words of the breakdown phrases (a cheap test before matching them)."""
    return frozenset(words[-1] for words in _lex().breakdown)


def _next_part(s: _Sentence, i0: int, glued: str, mn: NumberMention, earlier: list) -> bool:
    """Is the number joined by و to a part of a breakdown just before it?"""
    return bool(earlier) and earlier[-1].part and (glued == "و" or _and_joined(s, i0, mn)) \
        and _previous_claim(earlier, mn, s, max_gap=20) is not None


def _joined_by_change(s: _Sentence, i0: int) -> bool:
    """"من 500 جندي إلى نحو 4000"، "إلى 140 ألفا، وبزيادة 13 ألفا": the number is the
    other end of a change, or its amount, and counts what the claim before it counts."""
    k = i0 - 1
    while k >= 0 and s.word(k) in s.lex.qual_words and not s.has(k, "range_to"):
        k -= 1
    return k >= 0 and (s.has(k, "range_to") or s.has(k, "change"))


_NON_JOINING = "ادذرزوةى"  # letters that never join the next one: a missing space after them is invisible
_NOUN_CATS = frozenset({"troop", "weak_troop", "force", "attack", "attack_cond", "casualty", "person"})


def _glued_cats(s: _Sentence, j: int) -> frozenset:
    """"61 هجومامنذ 17 تشرين": a counted noun and a function word written with no space between
    (invisible after a letter that does not join): the categories of the noun part."""
    w = s.word(j)
    if len(w) < 5 or not w[0].isalpha():
        return frozenset()
    lex = s.lex
    for p in range(3, len(w) - 1):
        if w[p - 1] not in _NON_JOINING or "function" not in lex.cats.get(w[p:], ()):
            continue
        found = set()
        for st in stems(w[:p], lex.key or None):
            found |= lex.cats.get(st, frozenset())
        if found & _NOUN_CATS:
            return frozenset(found)
    return frozenset()


def _noun_claim(s: _Sentence, i0: int, j: int, mn: NumberMention, earlier: list, partitive: bool):
    """The claim made by the counted noun at j; False when j is no counted noun of ours."""
    c = s.cats(j)
    if not c and j == s.index_from(mn.norm_end):
        c = _glued_cats(s, j)
    if "troop" in c or ("force" in c and partitive):
        return _troops_or_casualties(s, i0, j, mn, earlier), j
    if "weak_troop" in c or "deployed" in c:
        if _military_after(s, j) or _count_head_kind(s, i0) == "presence" or _force_change_before(s, i0) \
                or "deployed" in c and _deployed(s, i0):
            return _troops_or_casualties(s, i0, j, mn, earlier), j
        if _casualty_near(s, i0, j):
            return "casualty", j
        return None
    if "attack" in c:
        return "event", j
    if "attacked_noun" in c:
        return ("event", j) if _attacked(s, i0, j) else None
    if "attack_cond" in c:
        if _heard(s, i0):
            return None
        if any(s.has(k, "hostile") for k in range(len(s)) if k != j):
            return "event", j
        return None
    if "casualty" in c:
        return "casualty", j
    if "case" in c:
        # "11 حالة إصابة"، "بنسبة 45 حالة" in a sentence about injuries: cases are casualties
        if any(s.cats(k) & {"casualty", "cas_before", "cas_after"} for k in range(len(s)) if k != j):
            return "casualty", j
        return None
    if "person" in c or _is_actor_noun(s, j):
        if _casualty_near(s, i0, j):
            return "casualty", j
        prev = _previous_claim(earlier, mn, s, max_gap=12)
        if prev is not None and prev.kind == "casualty" and _and_joined(s, i0, mn):
            return "casualty", j  # "قتل 17 عسكريا واثنان من المدنيين": more of the dead
        return None
    if "repeat" in c:
        return ("event", None) if _attack_word_before(s, i0, {"attack_cue", "attack"}) else None
    if "inherit" in c:
        if _cue_before(s, i0, "cas_before", span=3) or _casualty_near(s, i0, j):
            return "casualty", None  # "نحو 7000 جندي ...، قتل 129 منهم"، "30 آخرين أصيبوا"
        # ("وصل 250 جنديا إلى الكويت في طريقهم إلى بلادهم، بينما لا يزال نحو 150 آخرين في العراق":
        # "others" points back past a clause)
        prev = _previous_claim(earlier, mn, s, max_gap=_INHERIT_GAP)
        if prev is not None and prev.kind == "presence" and any(
                s.has(k, "person") and not s.has(k, "troop") for k in range(j + 1, min(len(s), j + 5))):
            return None  # "4450 جنديا ... و7 آلاف آخرين في صورة متعاقدين": the others are no soldiers
        if prev is not None:
            return prev.kind, None
        return None
    counted = _count_kind(c)
    if counted is not None:
        return counted, j
    return False


_DEPLOY_REACH = 6  # words searched back from a count of men for a verb of deployment


def _deployed(s: _Sentence, i0: int) -> bool:
    """"أرسلت بريطانيا 3 آلاف رجل"، "سيرسل البنتاغون إلى العراق 1500 إضافيين": a verb of sending,
    deploying, keeping or withdrawing in the count's clause before it, in a sentence that names a
    state or its forces (claims.yml deploy_verbs)."""
    if "deploy" not in s.all_cats or not any(label in _FORCES and role != "blocked" for _a, _b, label, role in s.actors):
        return False
    for k in range(i0 - 1, max(-1, i0 - _DEPLOY_REACH - 1), -1):
        if s.is_punct(k):
            return False
        if s.has(k, "deploy"):
            return True
    return False


def _heard(s: _Sentence, i0: int) -> bool:
    """"دوى انفجاران"، "سمع دوي ثلاثة انفجارات": explosions heard (a word of sound among the two
    words before the count) are sounds, not attacks counted."""
    return "heard" in s.all_cats and any(s.has(k, "heard") for k in (i0 - 1, i0 - 2))


_INHERIT_GAP = 20  # words between a figure and the "N آخرين" that counts more of what it counts
_ATTACKED_REACH = 3  # words searched before a count of convoys for a word of attack (5 after its noun)


def _attacked(s: _Sentence, i0: int, j: int) -> bool:
    """Is a word of attack governing the count at i0 of the things attacked at j (claims.yml
    target_nouns)?  Before the count ("تعرض ثلاثة أرتال"، "استهدفت عبوات ناسفة رتلين"، "هجمات على
    قافلتين"; not a bare preposition), or after its noun in its clause ("رتلان تابعان للتحالف
    تعرضا لهجوم")."""
    seen = 0
    k = i0 - 1
    while k >= 0 and seen < _ATTACKED_REACH and not s.is_punct(k):
        c = s.cats(k)
        if c & {"attack", "attack_cue", "hit_verb", "attacker_verb", "victim_after"} or "target" in c and "function" not in c:
            return True
        if s.word(k) not in s.lex.qual_words:
            seen += 1
        k -= 1
    for k in range(j + 1, min(len(s), j + 6)):
        if s.word(k) in _STRONG_PUNCT:
            break
        if s.cats(k) & {"attack", "attack_cue", "hit_verb", "victim_after"}:
            return True
    return False


def _count_kind(c: frozenset) -> Optional[str]:
    """The kind (rule count) whose noun this is, as the classifier names it ("noun:bases")."""
    for cat in c:
        if cat.startswith("noun:"):
            return cat
    return None


def _starts_clause(s: _Sentence, j: int) -> bool:
    """A word with the conjunction و that is no noun of ours starts a new clause."""
    w = s.word(j)
    return w.startswith("و") and len(w) >= 3 and not s.cats(j) & {"non_claim"}


def _and_joined(s: _Sentence, i0: int, mn: NumberMention) -> bool:
    """Is the number joined by و to what precedes it ("و3"، "واثنين"، "و أكثر من 5")?"""
    if s.toks[i0][1] < mn.norm_start and s.word(i0).startswith("و"):
        return True  # the conjunction glued to a number word
    return _joined_by_and(s, i0, "")


def _joined_by_and(s: _Sentence, i0: int, glued: str) -> bool:
    if glued == "و":
        return True
    k = i0 - 1
    while k > 0 and s.word(k) in s.lex.qual_words:
        k -= 1  # "وأقل من ألفين": the qualifier carries the conjunction
    w = s.word(k) if k >= 0 else ""
    return w == "و" or (w.startswith("و") and w[1:] in s.lex.qual_words)


def _is_year(mn: NumberMention, lex: _Lex) -> bool:
    if mn.words or mn.qualifier != "exact":
        return False
    txt = mn.text.strip()
    return len(txt) == 4 and lex.year_low <= mn.value <= lex.year_high


def _is_actor_noun(s: _Sentence, j: int) -> bool:
    w = s.word(j)
    # plural, or the singular tamyiz after eleven and more ("4400 أمريكي")
    return bool(w) and w[0].isalpha() and any(st in s.lex.actor_words for st in _stems(w)) \
        and w.endswith(("ين", "ون", "يا", "ي"))


def _military_after(s: _Sentence, j: int) -> bool:
    for k in range(j + 1, min(len(s), j + 4)):
        if s.is_punct(k):
            return False
        if s.has(k, "military_after") or any(a <= k < b and role != "blocked" for a, b, _l, role in s.actors):
            return True
    return False


def _cue_before(s: _Sentence, i0: int, cat: str, span: int) -> bool:
    """Is a ``cat`` word among the ``span`` words before i0 (qualifier words not counted)?"""
    seen = 0
    k = i0 - 1
    qual = s.lex.qual_words
    while k >= 0 and seen < span:
        if s.is_punct(k):
            return False
        if s.has(k, cat):
            return True
        if s.word(k) not in qual and s.word(k) != "و":
            seen += 1
        k -= 1
    return False


def _added(s: _Sentence, i0: int) -> bool:
    """Does an additive phrase end right before the number ("فضلا عن 900"، "إلى جانب نحو 900")?"""
    end = i0
    while end > 0:
        if any(_phrase_end(s, k, "additive") == end for k in range(max(0, end - 3), end)):
            return True
        if s.word(end - 1) not in s.lex.qual_words:
            return False
        end -= 1  # "فضلا عن نحو 900"
    return False


def _casualty_near(s: _Sentence, i0: int, j: int) -> bool:
    if _cue_before(s, i0, "cas_before", span=3):
        return True
    # "3 جنود قتلوا"، "2150 من الجنود البريطانيين على الأقل قد لقوا حتفهم": the verb
    # that says they were killed or wounded follows the counted noun in its clause
    for k in range(j + 1, min(len(s), j + _CUE_AFTER_REACH)):
        w = s.word(k)
        if w in _STRONG_PUNCT or (w in ("،", ",") and s.word(k + 1).startswith("و")):
            break  # "نحو 2500 جندي في العراق، وقتل جنديان": a new clause
        if w.startswith("و") and s.has(k, "cas_before") and k > j + 1:
            break
        if s.has(k, "cas_after"):
            nxt = k + 1
            while s.word(nxt) in s.lex.qual_words:
                nxt += 1
            if nxt in s.number_at or s.word(nxt)[:1].isdigit():
                break  # "نحو 7000 جندي في البصرة، قتل 129 منهم": the verb governs the number after it
            return True
    return _casualty_tally(s, i0)


_CUE_AFTER_REACH = 14  # tokens after the counted noun searched for a casualty verb
_TALLY_REACH = 8  # tokens after a count word searched for what it tallies


def _casualty_tally(s: _Sentence, i0: int) -> bool:
    """Is the number the value of a casualty tally in its sentence part?

    "ترتفع حصيلة قتلى الجيش الأميركي ... إلى 3972 قتيلا"، "يرتفع إلى 4093 عدد الجنود
    الأميركيين الذين قتلوا"، "عدد الجرحى 776 جنديا": a count word whose phrase names
    the killed or wounded (a casualty noun, or a verb of killing in its relative clause).
    """
    def clause_break(k: int) -> bool:
        w = s.word(k)
        return w in _STRONG_PUNCT or (w in ("،", ",") and s.word(k + 1).startswith("و"))

    if not s.all_cats & {"count_head", "count_head_pron", "loss"}:
        return False  # no count word or word of loss in the sentence
    lo = i0
    while lo > 0 and not clause_break(lo - 1) and i0 - lo < 30:
        lo -= 1
    hi = i0
    while hi < len(s) and not clause_break(hi) and hi - i0 < 30:
        hi += 1
    for k in range(lo, hi):
        if k < i0 and s.has(k, "loss"):
            return True  # "بلغت خسائر طهران في سوريا أكثر من 500 عسكري": the losses' figure
        if k < i0 and s.has(k, "count_head_pron"):
            # "بأعلى معدل لقتلى الجنود الأمريكيين حيث بلغ عددهم 137 جنديا": the count of the dead
            if any(s.cats(m) & {"casualty", "casualty_of"} for m in range(max(lo, k - _TALLY_REACH), k)):
                return True
            continue
        if not s.has(k, "count_head"):
            continue
        for m in range(k + 1, min(hi, k + 1 + _TALLY_REACH)):
            if s.word(m)[:1].isdigit():
                break
            if s.cats(m) & {"casualty", "cas_after", "casualty_of"}:  # (also "محصلة خسائر الجيش")
                return True
    return False


def _troops_or_casualties(s: _Sentence, i0: int, j: int, mn: Optional[NumberMention] = None,
                          earlier: Optional[list] = None) -> str:
    if _casualty_near(s, i0, j):
        return "casualty"
    if mn is not None and earlier and earlier[-1].kind == "casualty" \
            and (_and_joined(s, i0, mn) or _after_breakdown(s, i0)) \
            and _previous_claim(earlier, mn, s, max_gap=12) is not None:
        # "مقتل 3 جنود أمريكيين و5 جنود عراقيين"، "قتل 5 أشخاص بينهم جنديان": more of the dead, or some of them
        return "casualty"
    return "presence"


def _count_head_kind(s: _Sentence, i0: int) -> Optional[str]:
    """Kind from a count word before the number: "عدد القوات ... 2500"، "قوة قوامها 5000"."""
    lo = max(0, i0 - _COUNT_HEAD_REACH)
    for k in range(i0 - 1, lo - 1, -1):
        if s.word(k) in _STRONG_PUNCT:
            return None
        if k < i0 - _WINDOW_BEFORE and (s.word(k) in ("،", ",") or s.word(k)[:1].isdigit() and _noun_kind(s, k + 1)):
            return None  # far back, only across a long relative clause: no other clause, no other count
        if s.has(k, "count_head"):
            for m in range(k + 1, min(i0, k + 4)):
                if s.has(m, "casualty_of") and not s.has(m, "cas_after"):
                    return "casualty"  # "محصلة خسائر الجيش ... 79 جنديا، و84 في آب"
                kind = _noun_kind(s, m, force=True)
                if kind:
                    return kind
                if s.has(m, "weak_troop") and (s.cats(m + 1) & {"force", "troop"} or any(
                        label in _FORCES and role != "blocked" for _a, _b, label, role in s.actors)):
                    return "presence"  # "وسّع الناتو مهمته بزيادة عدد الأفراد إلى 4000": a force's personnel
        if s.has(k, "count_head_pron"):
            for m in range(k - 1, max(-1, k - 8), -1):
                if s.word(m) in _STRONG_PUNCT:
                    break
                kind = _noun_kind(s, m, force=True)
                if kind == "presence" and s.cats(m - 1) & {"casualty", "casualty_of"}:
                    return "casualty"  # "أعلى معدل لقتلى الجنود الأمريكيين حيث بلغ عددهم 137 جنديا"
                if kind:
                    return kind
    return None


_FORCES = frozenset({"US", "coalition", "other_country", "iraqi"})  # states' forces, not armed groups
_FORCE_CATS = frozenset({"force", "troop"})
# "عدد الهجمات التي تعرضت لها القوات الأمريكية في العراق وسوريا منذ 17 تشرين الأول الماضي وصل
# إلى 151": a count word's relative clause may hold this many tokens
_COUNT_HEAD_REACH = 24


def _changed_before(s: _Sentence, i0: int) -> Optional[str]:
    """"الكتيبة البريطانية في العراق ستقلص إلى 2500 رجل"، "تخفيض القوات لأكثر من بضع مئات"،
    "ارتفعت الهجمات إلى 40": a verb of change and what it changes (forces: presence, attacks:
    event), in the number's clause before it."""
    change = False
    found = None
    for k in range(i0 - 1, max(-1, i0 - _WINDOW_BEFORE - 1), -1):
        w = s.word(k)
        if w in _STRONG_PUNCT or w in ("،", ",") and s.word(k + 1).startswith("و"):
            break
        c = s.cats(k)
        if change and c & {"casualty", "casualty_of"} and not c & {"count_head"}:
            return "casualty"  # "الخسائر في الأرواح ارتفعت من نحو 26 يوميا": a toll changed
        if c & {"cas_before", "casualty", "count_head"}:
            return None  # the change of a toll, or a count word's own reading
        if not change and ("change" in c and w not in s.lex.qual_words or "level" in c):
            change = True  # (not "ما يزيد على")
            if found is not None:
                return found  # the subject right after the verb: "ارتفاع الهجمات على القوات الأمريكية إلى 150"
        if c & {"force", "troop"}:
            found = "presence" if change and found is None or not change else found
        elif "attack" in c:
            found = "event" if change and found is None or not change else found
    return found if change else None


def _force_change_before(s: _Sentence, i0: int) -> bool:
    return _changed_before(s, i0) == "presence"


def _noun_kind(s: _Sentence, m: int, force: bool = False) -> Optional[str]:
    c = s.cats(m)
    if "casualty" in c:
        return "casualty"
    if "troop" in c or (force and "force" in c):
        return "presence"
    if "attack" in c:
        return "event"
    return _count_kind(c)


def _verb_qualifier(s: _Sentence, i0: int) -> Optional[str]:
    """"يتجاوز عدد المقاتلين 100 ألف" -> at_least: a verb of comparison governing a count word.

    "زادت عدد جنودها إلى 140 ألفا" is a change to a level: after "إلى" the verb
    is one of change, not of comparison, and the level is exact.
    """
    if i0 > 0 and (s.has(i0 - 1, "range_to") or s.has(i0 - 1, "change")):
        return None  # a level after a change ("إلى 140 ألفا") or its amount ("بزيادة 13 ألفا")
    head_seen = False
    after = None  # "عدد القتلى في صفوف قواتها قارب ألفا": the verb after the count word, before the number
    for k in range(i0 - 1, max(-1, i0 - _WINDOW_BEFORE - 1), -1):
        if s.word(k) in _STRONG_PUNCT:
            return None
        c = s.cats(k)
        if k == i0 - 1:
            after = next((name for name in ("at_least", "approx") if "qv_" + name in c and not s.has(k - 1, "negation")),
                         None)
        if c & {"count_head", "count_head_pron"}:
            if after is not None:
                return after
            head_seen = True
            continue
        if head_seen:
            for name in ("at_least", "approx", "at_most"):
                if "qv_" + name in c:
                    negated = k > 0 and s.has(k - 1, "negation")
                    if negated and name == "at_least":
                        return "at_most"
                    return name
    return None


def _previous_claim(earlier: list, mn: NumberMention, s: _Sentence, max_gap: int):
    """The claim just before the number, unless another count stands between them
    ("2500 جندي في أربع قواعد، اثنتان منها ...": "منها" counts the bases)."""
    if not earlier:
        return None
    prev = earlier[-1]
    start = s.index_from(prev._norm_end)
    i0 = s.index_at(mn.norm_start)
    gap = i0 - start
    if not 0 <= gap <= max_gap:
        return None
    if any(s.number_at.get(k) for k in range(start, i0)):
        return None
    return prev


# ---------------------------------------------------------------------------
# Actor and place


def _after_beneficiary(s: _Sentence, a: int) -> bool:
    """Is the actor at ``a`` the object of helping, training or fighting ("لمحاربة تنظيم "داعش"")?"""
    seen = 0
    k = a - 1
    while k >= 0 and seen < 2:
        if s.word(k) in _QUOTES:
            k -= 1
            continue
        if s.has(k, "beneficiary"):
            return True
        if s.is_punct(k):
            return False
        seen += 1
        k -= 1
    return False


def _owner_of_casualties(s: _Sentence, a: int) -> bool:
    """Is the actor at ``a`` named right after a casualty noun, as whose dead or wounded it counts
    ("حصيلة قتلى الجيش الأمريكي")، or counted by a count word and then killed ("عدد العراقيين
    الذين قتلوا")?"""
    if s.has(a - 1, "count_head") and any(s.has(k, "cas_after") for k in range(a + 1, min(len(s), a + 4))):
        return True
    for k in range(a - 1, max(-1, a - 4), -1):
        if s.is_punct(k):
            return False
        if s.cats(k) & {"attack", "attack_cue", "opponent"}:
            return False  # "ضحايا قصف قوات التحالف": the attacker; "فقدت في المعارك مع داعش": the side fought
        if s.cats(k) & {"casualty", "casualty_of"}:
            return True
    return False


def _actor(s: _Sentence, kind: str, i0: int, i1: int, noun: Optional[int], inherited: Optional[str],
           person: bool = False) -> str:
    actors = s.actors
    after_from = (noun + 1) if noun is not None and noun >= i1 else i1
    if kind == "event":
        return _attacker(s, i0, after_from)
    # 0. the counted noun names the group itself: "مقتل 18 مسلحا"
    if noun is not None:
        for a, b, label, role in actors:
            if a <= noun < b and role != "blocked":
                return label
    # 1. named right after the counted noun: "2500 جندي أمريكي"، "من دول أخرى"
    reach = 2 if inherited is not None else 5
    for a, b, label, role in actors:
        # "مقتل زعيم ميليشيا": the group a casualty led (the title word blocks nothing here)
        title = role == "blocked" and kind == "casualty" and noun is not None and a == noun + 1
        # "8 قتلى في صفوف المسلحين و3 في صفوف القوات العراقية": a phrase that names whose they are
        # overrides the actor of the count before
        own = inherited is not None and after_from + reach <= a < after_from + 5 and all(
            s.has(k, "owner_lead") or s.cats(k) & {"troop", "weak_troop"} for k in range(after_from, a))
        if (after_from <= a < after_from + reach or own) and (role != "blocked" or title):
            if kind == "casualty" and _after_attacker_marker(s, a):
                continue  # "مقتل 3 عسكريين نفذته جماعات": the attackers, not whose dead
            if all(not _stops_actor_window(s, k) for k in range(after_from, a)):
                return label
    if inherited is not None:
        return inherited
    # 2a. whose casualties a tally names: "عدد قتلى الجنود الأميركيين ... إلى اثنين"،
    #     "القتلى في صفوف القوات العراقية"
    if kind == "casualty":
        owners: list = []
        for a, b, label, role in actors:
            if b <= i0 and role != "blocked" and _owner_of_casualties(s, a):
                if owners and s.word(a).startswith("و"):
                    owners.append(label)  # a tally of several: "قتلى الحرس الثوري والمليشيات"
                else:
                    owners = [label]
        if owners:
            # allied states together are the coalition ("قتلى الجنود الأمريكيين والبريطانيين");
            # else the first named
            allied = len(set(owners)) > 1 and set(owners) <= {"US", "coalition", "other_country"}
            return "coalition" if allied else owners[0]
    # 2. the nearest before the number in the sentence: "للولايات المتحدة 2500 جندي"
    best = None
    for a, b, label, role in actors:
        if b <= i0 and role != "blocked":
            if kind == "casualty" and a > 0 and s.has(a - 1, "cas_before") and not s.has(a - 1, "casualty_of"):
                continue  # "قتلت الفصائل 3 جنود": the killer, not whose casualties ("حصيلة قتلى الجيش" is whose)
            if _after_beneficiary(s, a):
                continue  # "لمساعدة القوات العراقية على مواجهة مسلحي داعش": helped or fought, not the owner
            if kind == "casualty" and a > 0 and _after_attack_noun(s, a):
                continue  # "الهجمات الإسرائيلية أسفرت عن مقتل": the attacker
            if kind == "casualty" and label == "militia" and role == "plain" \
                    and any(s.has(k, "result") for k in range(b, i0)):
                continue  # "صدم المسلحون القاعدة بشاحنة مما أسفر عن مقتل 40 شرطيا": who caused them
            if kind == "casualty" and _after_opponent(s, a):
                continue  # "فقدت قواتنا في المعارك مع تنظيم داعش 1218 مقاتلا": the side fought
            best = label
    if best is not None:
        return best
    # 3. "قال وزير الدفاع الأمريكي إن بلاده ...": the speaker's country
    if "possessive" in s.all_cats:
        for a, b, label, role in actors:
            if b <= i0 and not (kind == "casualty" and _after_opponent(s, a)):
                best = label  # (not the side fought: "قواتنا فقدت في المعارك مع داعش 1218")
        if best is not None:
            return best
    # 3b. "أرسلت الحكومة الإسبانية 1400 جندي": the state whose government, ministry or
    #     leader is the subject (the first such before the number) owns the forces
    for a, b, label, role in actors:
        if b <= i0 and role == "blocked" and a > 0 and s.has(a - 1, "owner"):
            if kind == "casualty" and any(s.has(k, "cas_before") for k in range(b, i0)):
                continue  # "أعلنت وزارة الدفاع ... مقتل": still theirs, but read it below
            return label
    # 4. later in the same clause, unless the forces there are the ones helped or
    #    trained ("100 عنصر يقدمون المشورة لقوات الأمن العراقية")
    for a, b, label, role in actors:
        if a >= after_from and role != "blocked":
            if any(s.word(k) in _CLAUSE_PUNCT or s.cats(k) & {"beneficiary", "part_of", "ordinal_person"}
                   or k in s.number_at for k in range(after_from, a + 1)):
                break  # (another count before it is the one it belongs to: "ثلاثة مدنيين وثلاثة من داعش")
            if kind == "casualty" and _after_attacker_marker(s, a):
                break  # "أسفر عن مقتل 3 عسكريين نفذته جماعات": the attackers
            if kind == "casualty" and _after_attack_noun(s, a):
                continue  # "4 قتلى بقصف تركي": the attacker
            if kind == "casualty" and _after_opponent(s, a):
                continue  # "أصيب 30 خلال اشتباكات مع مسلحي التنظيم": the side fought
            return label
    return "unknown"


def _counted_by_number(s: _Sentence, a: int) -> bool:
    """Is the actor at ``a`` the noun a number right before it counts ("64 مسلحا"، '64 "إرهابيا"')?"""
    k = a - 1
    while k >= 0 and s.word(k) in _QUOTES:
        k -= 1
    return k >= 0 and s.word(k)[:1].isdigit()


def _after_opponent(s: _Sentence, a: int) -> bool:
    """Is the actor at ``a`` the side fought or worked with ("مع تنظيم داعش"، "مع مسلحي التنظيم"،
    "مع الشرطة والجيش العراقيين")?"""
    k = a - 1
    while k > 0 and s.cats(k) & {"force", "troop", "home_force"}:
        k -= 1  # the forces' nouns the nationality describes
    return s.has(k, "opponent") or s.has(a - 1, "opponent") or s.has(a - 2, "opponent") and not s.is_punct(a - 1)


_HOME_FORCES_REACH = 4  # words after a casualty count searched for forces named with no nationality


def _home_forces_after(s: _Sentence, k0: int) -> bool:
    """Are a state's forces named with no nationality right after the count ("22 من عناصر
    الشرطة"، "56 جريحا في صفوف قوات الشرطة")?  Then they are those of the country where the
    casualties fell, read like its people."""
    if "home_force_start" not in s.all_cats:
        return False
    for k in range(k0, min(len(s), k0 + _HOME_FORCES_REACH)):
        if s.is_punct(k) or k in s.number_at:
            return False
        end = _phrase_end(s, k, "home_force") if s.has(k, "home_force_start") else None
        if end is not None:
            return not any(a == end for a, _b, _l, _r in s.actors)  # (not "الجيش الأمريكي")
    return False


def _home_forces_before(s: _Sentence, i0: int) -> bool:
    """Does the sentence name a state's forces with no nationality before ``i0`` ("وأعلن الجيش")?"""
    first = s.memo.get("home_force_end")
    if first is None:
        # the end of the first such phrase, found once per sentence (len(s) + 1: none)
        first = len(s) + 1
        starts = {a for a, _b, _l, _r in s.actors}
        inside = {k for a, b, _l, _r in s.actors for k in range(a, b)}
        for k in range(len(s)) if "home_force_start" in s.all_cats else ():
            if k in inside or not s.has(k, "home_force_start"):
                continue
            end = _phrase_end(s, k, "home_force")
            if end is not None and end not in starts:
                first = end
                break
        s.memo["home_force_end"] = first
    return first <= i0


def _after_attacker_verb(s: _Sentence, a: int) -> bool:
    """"شنت الطائرات الأمريكية غارات"، "قصفت المدفعية التركية": the subject of a verb of attack,
    right after it or after the noun of the means (aircraft, artillery) it is the adjective of."""
    return s.has(a - 1, "attacker_verb") or a > 1 and s.has(a - 2, "attacker_verb") \
        and bool(s.cats(a - 1) & {"force", "troop", "means"})


def _after_attack_noun(s: _Sentence, a: int) -> bool:
    """Is the actor at ``a`` the one an attack noun before it is by ("بقصف تركي"، "بقصف للقوات
    الأمريكية": the forces' noun may stand between)?"""
    return s.has(a - 1, "attack") or bool(s.cats(a - 1) & {"force", "troop"}) and s.has(a - 2, "attack")


def _stops_actor_window(s: _Sentence, k: int) -> bool:
    w = s.word(k)
    if w in _STRONG_PUNCT or w in ("،", ",", "(", ")", "-"):
        return True
    if w and w[0].isdigit() or k in s.number_at:
        return True  # another count starts: "قتل ثلاثة مدنيين وثلاثة من تنظيم داعش"
    c = s.cats(k)
    # a verb between the counted noun and the actor starts another clause ("مقتل 50 ألف جندي كما
    # قتل ملايين العراقيين"); forces helped come after their helpers ("100 عنصر يقدمون المشورة لقوات")
    return bool(c & {"target", "attack", "casualty", "troop", "part_of", "ordinal_person", "beneficiary",
                     "cas_before", "cas_after", "attacker_verb"}) \
        or w in ("لمحاربة", "لمواجهة", "ضد", "على", "مع", "ضمن")


def _attacker(s: _Sentence, i0: int, after_from: int) -> str:
    actors = s.actors
    # 1. an adjective on the attack noun: "ضربة جوية أمريكية" (not a noun after it: "3 هجمات
    #    أرتال التحالف" names the target, as does one after a convoy attacked: "3 أرتال للتحالف")
    for a, b, label, role in actors if not s.has(after_from - 1, "attacked_noun") else ():
        if after_from <= a < after_from + 2 and role in ("plain", "source") \
                and all(s.word(k).endswith(("ية", "ي", "يين", "يتين", "يان")) for k in range(after_from, a)):
            return label
    # 2. the attacker named in the number's clause, the nearest before it: after a verb of
    #    attack or a marker ("نفذت قوات التحالف 13 غارة") or as the subject of such a verb
    #    ("القوات الأمريكية وحدها نفذت غارتين")
    clause = i0
    while clause > 0 and s.word(clause - 1) not in _CLAUSE_PUNCT:
        clause -= 1
    best = None
    for a, b, label, role in actors:
        if clause <= a and b <= i0 and role in ("plain", "source") and (
                _after_attacker_marker(s, a) or _subject_of_attack(s, b) or s.has(a - 1, "attack")
                or any(s.has(k, "attacker_verb") for k in range(max(clause, a - 2), a))):
            # (the adjective of an attack noun: "الغارات الإسرائيلية على سوريا بلغت 40 غارة")
            best = label
    if best is not None:
        return best
    # 2b. a verb of attack right before the number has its subject before it: the first actor
    #     of the sentence that is not its target ("الولايات المتحدة والدول المتحالفة معها في
    #     الحرب ضد التنظيم ... نفذت 20 غارة")
    k = i0 - 1
    while k > 0 and s.word(k) in s.lex.qual_words:
        k -= 1
    # (the attacks counted by their noun: "استهدفت 13 مرة" may be a passive, its subject the target)
    if k >= 0 and s.has(k, "attacker_verb") and (s.has(after_from - 1, "attack") or s.has(after_from, "attack")):
        for a, b, label, role in actors:
            if b <= k and role == "plain" and a not in s.backed and not _after_beneficiary(s, a):
                return label
    # 3. "من قبل X"، "شنها X"، "تبنت X"
    for a, b, label, role in actors:
        if role in ("blocked", "target"):
            continue
        if _after_attacker_marker(s, a):
            return label
    # 2c. "قالت الفصائل إنها استهدفت القوات الأمريكية 150 مرة"، "أعلنت القيادة أنها نفذت 7 ضربات":
    #     a verb of attack whose subject is a pronoun has the actor named before it as subject
    for k in range(i0 - 1, max(0, i0 - _WINDOW_BEFORE), -1):
        if s.word(k) in _STRONG_PUNCT:
            break
        if s.has(k, "attacker_verb") and s.has(k - 1, "pronoun_subject"):
            best = None
            for a, b, label, role in actors:
                if b <= k - 1 and role not in ("target", "blocked") and not _after_beneficiary(s, a):
                    best = label
            if best is not None:
                return best
            break
    # 3a. "قالت وزارة الدفاع التركية إن طائراتها شنت 25 غارة"، "أعلنت القيادة أن قواتها نفذت 85
    #     ضربة": a possessive subject (or object) of a verb of attack is the state named before it
    if s.all_cats & {"possessive", "means"}:
        # (also the means with no adjective: "قالت وزارة الدفاع البريطانية إن طائرات تورنادو نفذت")
        for k in range(i0 - 1, -1, -1):
            if s.cats(k) & {"possessive", "means"} and (s.has(k + 1, "attacker_verb") or s.has(k - 1, "attacker_verb")
                                                       or s.has(k + 2, "attacker_verb") and not s.is_punct(k + 1)
                                                       and s.has(k, "means")):
                best = None
                for a, b, label, role in actors:
                    if b <= k and role != "target" and not _after_beneficiary(s, a):
                        best = label
                if best is not None:
                    return best
                break
    # 3. the subject: the first actor of the number's clause that is neither target
    #    nor source ("هاجمت الفصائل القوات الأمريكية 20 مرة"), else the nearest before
    clause = i0
    while clause > 0 and s.word(clause - 1) not in _CLAUSE_PUNCT:
        clause -= 1
    best = None
    for a, b, label, role in actors:
        if b > i0 or role != "plain":
            continue
        if label != "militia" and not any(s.has(k, "attacker_verb") for k in range(max(0, a - 3), a)) \
                and not _subject_of_attack(s, b):
            continue
        if clause <= a:
            return label
        best = label
    if best is not None:
        return best
    # 4. armed groups named anywhere (also as the source: "أعلنت الفصائل تنفيذ 20 هجوما")
    #    (not a group that owns what was hit: "وحدات تكتيكية للتنظيم")
    #    (not a group named after the number as the one whose positions were hit: "7 غارات ...
    #    دمرت مواقع كان يستخدمها مسلحو داعش")
    #    (a group named as another's proxy may come after the number: "58 هجوما استهدف القوات من
    #    قبل من وصفتهم بوكلاء إيران")
    for a, b, label, role in actors:
        if label == "militia" and (role == "source" or role == "plain" and (b <= i0 or a in s.backed)) \
                and (not s.word(a).startswith(("ل", "لل")) or a in s.backed):
            return label
    return "unknown"


def _subject_of_attack(s: _Sentence, b: int) -> bool:
    """"الولايات المتحدة وحلفاؤها شنوا 22 ضربة"، "القوات الأمريكية وحدها نفذت غارتين": the
    actor ending at ``b`` is the subject of a verb of attack right after it."""
    for k in range(b, min(len(s), b + 2)):
        if s.is_punct(k):
            return False
        if s.has(k, "attacker_verb"):
            return True
    return False


def _place(s: _Sentence, i0: int, noun: Optional[int]) -> Optional[str]:
    places = s.places
    if not places:
        return None
    chosen = None
    # a place phrase on the counted noun ("2500 جندي في العراق") wins over earlier places
    start = (noun + 1) if noun is not None and noun >= i0 else i0 + 1
    for idx, (a, b, label) in enumerate(places):
        if start <= a <= start + 5 and all(not s.is_punct(k) and not (s.word(k)[:1].isdigit()) for k in range(start, a)):
            chosen = idx
            break
    if chosen is None:
        best_d = None
        for idx, (a, b, label) in enumerate(places):
            d = (i0 - b) if b <= i0 else (a - i0)
            if best_d is None or d < best_d:
                chosen, best_d = idx, d
    a, b, label = places[chosen]
    if label in ("Iraq", "Syria"):
        other = "Syria" if label == "Iraq" else "Iraq"
        for a2, b2, l2 in places:
            if l2 == other and (a2 == b + 1 and s.word(b) == "و" or a2 == b and s.word(a2).startswith("و")
                                or b2 == a and s.word(a).startswith("و") or b2 + 1 == a and s.word(b2) == "و"):
                return "both"
    return label


# ---------------------------------------------------------------------------
# Public API


@dataclass
class _Pending:
    kind: str
    actor: str
    _norm_end: int
    part: bool = False  # a part of the figure before it ("19 قتيلا، من بينهم: 11 ...، و3 ...")


def extract_claims(text: "str | Article", article: str = "") -> list[Claim]:
    """Every claim in an article (or a text), in order of appearance."""
    if isinstance(text, Article):
        record, article = text, article or text.id
        text = record.original
    elif not isinstance(text, str):
        raise TypeError(f"extract_claims() takes a str or an Article, not {type(text).__name__}")
    else:
        record = None
    if not text:
        return []
    lex = _lex()
    claims: list[Claim] = []
    prefilter = lex.prefilter
    if prefilter.search(text) is None:
        return []
    # sentences are read only when they hold something that may start a number (see _number_sentences)
    if _ANY_DIGIT.search(text) is None and lex.number_word_prefilter.search(text) is None:
        return []
    if record is None:
        record = Article.from_text(text, article)
    context = _Context(record, lex)
    numbered = _number_sentences(text, record.original_sentences, lex)
    event_kind = lex.kind_names.get("event")
    casualty_kind = lex.kind_names.get("casualty")
    series: dict = {}  # kind -> (sentence, actor) of the last claim of that kind whose actor is known
    for i, (a, b) in enumerate(record.original_sentences):
        if not numbered[i]:
            continue
        if prefilter.search(text, a, b) is None:
            continue
        found = _sentence_claims(_sentence_view(record, i), a, b, article, lex, context=context, index=i)
        for n, c in enumerate(found):
            if c.actor_basis == _SAME:
                # "وأسفر الهجوم عن مقتل 4 جنود وإصابة 6 آخرين": the others are whose the first are
                c.actor, c.actor_basis = found[n - 1].actor, found[n - 1].actor_basis
                continue
            if c.actor_basis == _PEOPLE:
                # people counted: only their own phrase says whose, or the country they died in
                # ("مقتل 980 شخصا في العراق": its people, unless their nationality is said)
                c.actor_basis = "sentence"
                named = {x[2] for x in context.sentence(i).actors}
                if c.actor == "unknown" and (c.place is not None or not named & {"US", "coalition", "other_country"}
                                             or named & set(lex.home_actors.values())):
                    # (not where another state is named and no people of the place: "تمرد ضد
                    # الدولة التركية أسفر عن مقتل 40 ألف شخص")
                    got = context.home(i, c.place)
                    if got is not None:
                        c.actor, c.actor_basis = got
                continue
            if c.actor_basis is None:
                c.actor_basis = "sentence"  # decided in the sentence (a total by its parts)
                continue
            army = c.actor_basis in (_ARMY_NOUN, _HOME_ARMY)
            home_army = c.actor_basis == _HOME_ARMY
            c.actor_basis = "sentence"
            if c.actor == "unknown":
                # a count of the same kind in the sentence before, whose actor is known, is the
                # series this one goes on ("بلغ عدد قتلى الجنود الأمريكيين 62 ... والمتوسط الشهري 64")
                got = series.get(c.kind)
                if got is not None and got[0] == i - 1 and not (army and got[1] in _ARMY):
                    c.actor, c.actor_basis = got[1], "previous_sentence"
                    continue
                got = context.actor(i, c.kind, _ARMY if army else frozenset())
                if got is None and (home_army or c.kind == casualty_kind and not army):
                    # "وأعلن الجيش مقتل 5 جنود شمال بغداد"، "سقط 35 قتيلا في تفجيرات ضربت بغداد":
                    # nothing around says whose they are: the country's where they fell
                    got = context.home(i, c.place)
                if got is not None:
                    c.actor, c.actor_basis = got
        for c in found:
            if c.actor != "unknown" and c.kind != event_kind:
                series[c.kind] = (i, c.actor)  # (not attacks: strikes by one side, attacks on it by another)
        claims.extend(found)
    _restated(claims)
    return claims


def _number_sentences(text: str, spans: list, lex: _Lex) -> list[bool]:
    """For each sentence (original span) of ``text``: may something in it start a number?

    That is a digit, or a match of the word part of number_prefilter (which matches each
    digit alone and no word match holds a digit) starting in it: where
    number_prefilter.finditer(text) would start.  When no match of the words can hold
    white space, a sentence with white space (or the text's edge) on either side of each
    of its edges has such a match exactly when a search within it finds one (no match
    runs across its edges, and the search from its start finds the leftmost); otherwise
    the matches of the whole text are read, once.
    """
    words = lex.number_word_prefilter
    spaceless = _SPACELESS.get(words.pattern, False)
    starts = None
    size = len(text)
    out = []
    for a, b in spans:
        if _ANY_DIGIT.search(text, a, b) is not None:
            out.append(True)
        elif spaceless and (a == 0 or text[a - 1].isspace()) and (
                b >= size or text[b].isspace() or b > a and text[b - 1].isspace()):
            out.append(words.search(text, a, b) is not None)
        else:
            if starts is None:
                starts = [m.start() for m in words.finditer(text)]
            k = bisect.bisect_left(starts, a)
            out.append(k < len(starts) and starts[k] < b)
    return out


_RESTATED_MIN = 10  # smaller figures repeat by chance too often to be read as one figure


_BOUNDED = ("approx", "at_least", "at_most")  # qualifiers a bare restatement of a figure leaves out


def _restated(claims: list) -> None:
    """A figure the article states again ("55 هجوما" in the lead and in a quote) is one figure: a
    mention whose actor nothing around it says takes the actor of its other mention (one known
    actor only; figures under _RESTATED_MIN are left alone).  So does a bare mention of a figure
    the article states elsewhere with one qualifier ("سحب 147 ألف جندي" in the headline, "أقل من
    147 ألف جندي" in the body): it takes that qualifier and its bounds, and the figure is one
    row of the ledger."""
    stated: dict = {}
    for c in claims:
        if c.qualifier in _BOUNDED and c.value is not None and c.value >= _RESTATED_MIN:
            stated.setdefault((c.kind, c.value), set()).add((c.qualifier, c.low, c.high))
    for c in claims if stated else ():
        if c.qualifier == "exact":
            got = stated.get((c.kind, c.value))
            if got is not None and len(got) == 1:
                c.qualifier, c.low, c.high = next(iter(got))
    known: dict = {}
    for c in claims:
        if c.actor != "unknown" and c.value is not None and c.value >= _RESTATED_MIN:
            known.setdefault((c.kind, c.low, c.high, c.qualifier), set()).add(c.actor)
    if not known:
        return
    for c in claims:
        if c.actor == "unknown":
            got = known.get((c.kind, c.low, c.high, c.qualifier))
            if got is not None and len(got) == 1:
                c.actor, c.actor_basis = next(iter(got)), "article"


class _Context:
    """The actors named around a sentence: whose forces a bare number counts, who attacked.

    When a sentence does not say whose troops or casualties a number counts (or who
    made the attacks), the answer is read from the sentence before it, then its
    paragraph, then the whole article: the forces the text is about.

    Each sentence is read once (the claims pass and this one share it), and the
    labels of a paragraph or of the article are tallied once, so the cost stays
    linear in the number of sentences however many claims ask.
    """

    def __init__(self, record: Article, lex: _Lex):
        self.record = record
        self.lex = lex
        self._sentences: dict[int, _Sentence] = {}
        self._actors: dict[int, list] = {}
        self._filtered: dict[tuple, list] = {}
        self._tallies: dict[tuple, dict] = {}
        self._para_of: Optional[list] = None
        self._para_range: dict[int, range] = {}
        self._actor_sentences: Optional[list] = None
        self._forces: dict[tuple, list] = {}

    def sentence(self, i: int) -> _Sentence:
        """Sentence ``i`` read into tokens and lexicon categories (once)."""
        got = self._sentences.get(i)
        if got is None:
            na, nb = self.record.sentences[i]
            got = self._sentences[i] = _Sentence(self.record.norm.text[na:nb], self.lex)
        return got

    def sentence_actors(self, i: int) -> list:
        """(first, end, label, role, attacker) of each actor named in sentence ``i``."""
        got = self._actors.get(i)
        if got is None:
            s = self.sentence(i)
            got = [(a, b, label, role, a in s.backed or _after_attacker_marker(s, a)
                    or (role in ("plain", "source") and (_subject_of_attack(s, b) or s.has(a - 1, "attack")
                                                          or _after_attacker_verb(s, a))))
                   for a, b, label, role in s.actors]
            self._actors[i] = got
        return got

    def _may_name_actor(self, k: int) -> bool:
        """Can sentence ``k`` name an actor?  False only when none of its words may start an actor's
        name (read from the article's word tokens, so the sentence need not be built for that)."""
        flags = self._actor_sentences
        if flags is None:
            flags = self._actor_sentences = _actor_sentences(self.record, self.lex)
        return flags[k]

    def _paragraph(self, i: int) -> range:
        if self._para_of is None:
            paras = self.record.paragraphs
            starts = [pa for pa, _pb in paras]
            out = []
            for a, _b in self.record.original_sentences:
                k = bisect.bisect_right(starts, a) - 1  # paragraphs are sorted and disjoint
                out.append(k if k >= 0 and paras[k][0] <= a < paras[k][1] else -1)
            self._para_of = out
            first: dict[int, int] = {}
            last: dict[int, int] = {}
            for k, q in enumerate(out):
                first.setdefault(q, k)
                last[q] = k
            self._para_range = {q: range(first[q], last[q] + 1) for q in first if q >= 0}
        p = self._para_of[i]
        return self._para_range[p] if p >= 0 else range(i, i + 1)

    def _sentence_labels(self, k: int, event: bool) -> list[str]:
        got = self._filtered.get((k, event))
        if got is None:
            got = []
            if not self._may_name_actor(k):
                self._filtered[(k, event)] = got  # no word of the sentence can start an actor's name
                return got
            s = self.sentence(k)
            for a, _b, label, role, attacker in self.sentence_actors(k):
                if role == "blocked" or label == "unknown":
                    continue
                if event is _LOSSES:
                    if role == "target" or _after_beneficiary(s, a) or _after_attack_noun(s, a) \
                            or attacker and label in _FORCES:
                        continue  # a state that struck ("بقصف تركي"، "شنت واشنطن غارات") lost no one by it
                        # (an armed group that attacked may lose fighters in the clash)
                elif event and not attacker and not (event == _ON_FORCES and label == "militia"
                                                   and role in ("plain", "source") and not _after_beneficiary(s, a)
                                                   and not s.word(a).startswith(("ل", "لل"))):
                    # only a group named as the attacker ("وكلاء إيران"، "من قبل فصائل"، "شنت واشنطن");
                    # for attacks on a state's forces, also an armed group named as neither target,
                    # owner ("وحدات للتنظيم") nor the one fought
                    continue
                elif not event and (role == "target" or _after_beneficiary(s, a)):
                    continue  # forces helped, trained, fought or attacked own no count of others
                if event is not True and event != _ON_FORCES and _after_opponent(s, a):
                    continue  # "خلال المعارك مع تنظيم داعش"، "الشراكة مع الجيش العراقي": the side fought or
                    # worked with owns no count of the others
                if event is _LOSSES and _counted_by_number(s, a):
                    continue  # "وقتل 38 إرهابيا": the group is what that number counts, not the others' owner
                got.append(label)
                if event is not True and event != _ON_FORCES and (s.cats(a - 1) & _FORCE_CATS or any(
                        s.cats(m) & _FORCE_CATS for m in range(a, _b))):
                    self._forces.setdefault((k, event), []).append(label)
            if event == _ON_FORCES and "militia" in got:
                # "ألقت واشنطن باللوم على إيران والميليشيات التي تدعمها": the armed groups made the
                # attacks on the forces, the state named with them backs them
                got.sort(key=lambda x: x != "militia")
            self._filtered[(k, event)] = got
        return got

    def forces_labels(self, k: int, event) -> list[str]:
        """The labels of sentence ``k`` named with a noun of forces or troops ("القوات الأمريكية"،
        "الجنود البريطانيين"): whose troops or losses a count of the next sentence goes on."""
        self._sentence_labels(k, event)
        return self._forces.get((k, event), [])

    def _labels(self, sentences: Iterable[int], kind: str) -> list[str]:
        event = kind == self.lex.kind_names.get("event")
        return [label for k in sentences for label in self._sentence_labels(k, event)]

    def _tally(self, scope: range, event: bool) -> dict:
        """label -> [count in scope, (sentence, position) of its first two sentences]."""
        key = (scope.start, scope.stop, event)
        got = self._tallies.get(key)
        if got is None:
            got = {}
            for k in scope:
                for pos, label in enumerate(self._sentence_labels(k, event)):
                    entry = got.get(label)
                    if entry is None:
                        got[label] = [1, [(k, pos)]]
                        continue
                    entry[0] += 1
                    if len(entry[1]) < 2 and entry[1][-1][0] != k:
                        entry[1].append((k, pos))
            self._tallies[key] = got
        return got

    def _most_named(self, scope: range, i: int, event: bool, exclude: frozenset = frozenset()) -> Optional[str]:
        """The label named most often in ``scope`` outside sentence ``i`` (ties: the first named)."""
        tally = self._tally(scope, event)
        if not tally:
            return None
        own: dict[str, int] = {}
        if i in scope:
            for label in self._sentence_labels(i, event):
                own[label] = own.get(label, 0) + 1
        best = None
        best_count = 0
        best_at = None
        for label, (count, firsts) in tally.items():
            count -= own.get(label, 0)
            if count <= 0 or label in exclude:
                continue
            at = firsts[0] if firsts[0][0] != i else firsts[1]
            if count > best_count or (count == best_count and at < best_at):
                best, best_count, best_at = label, count, at
        return best

    def home(self, i: int, place: Optional[str]) -> Optional[tuple[str, str]]:
        """(actor, basis): the people of the country where casualties of sentence ``i`` fell
        (the claim's place, else the place named most in its paragraph, then the article)."""
        homes = self.lex.home_actors
        if place is not None:
            return (homes[place], "sentence") if place in homes else None
        for basis, scope in (("paragraph", self._paragraph(i)), ("article", range(len(self.record.sentences)))):
            counts: dict = {}
            for k in scope:
                for _a, _b, label in self.sentence(k).places:
                    counts[label] = counts.get(label, 0) + 1
            if counts:
                best = max(counts, key=lambda x: counts[x])
                return (homes[best], basis) if best in homes else None
        return None

    def actor(self, i: int, kind: str, exclude: frozenset = frozenset()) -> Optional[tuple[str, str]]:
        """(actor, basis) for a claim of ``kind`` in sentence ``i`` whose own sentence names none
        (``exclude``: labels that cannot own it, such as armed groups for an army's soldiers)."""
        event = kind == self.lex.kind_names.get("event")
        if kind == self.lex.kind_names.get("casualty"):
            event = _LOSSES
        s = self.sentence(i)
        if event is True and any(label in _FORCES and (role == "target" or role == "blocked" and s.has(a - 2, "target"))
                                 for a, _b, label, role in s.actors):
            # attacks on a state's forces (or its bases and embassy: "تعرضت السفارة الأمريكية
            # والقواعد لـ 19 هجوما"): the armed groups named around made them
            event = _ON_FORCES
        if i > 0:
            # (forces named with their noun first: "قال القيادي قطري السمرمد إن انسحاب القوات
            # الأمريكية ..." -- a nationality alone may be a name)
            labels = [x for x in self.forces_labels(i - 1, event) + self._sentence_labels(i - 1, event)
                      if x not in exclude]
            if labels:
                return labels[0], "previous_sentence"
        para = self._paragraph(i)
        got = self._most_named(para, i, event, exclude)
        if got is not None:
            return got, "paragraph"
        if event is True or event == _ON_FORCES:
            # a wave of attacks is attributed within its paragraph, else by the headline (a first
            # paragraph of one sentence): "الفصائل تصعد هجماتها ضد القوات الأمريكية"
            head = self._paragraph(0)
            if len(head) == 1 and 0 not in para and i - 1 != 0:
                labels = [x for x in self._sentence_labels(0, event) if x not in exclude]
                if labels:
                    return labels[0], "article"
            if event == _ON_FORCES:
                # attacks on a state's forces: the armed group the article names or accuses
                # anywhere ("وتتهم واشنطن الفصائل الموالية لإيران بالوقوف خلف الهجمات")
                got = self._most_named(range(len(self.record.sentences)), i, event, exclude)
                if got is not None:
                    return got, "article"
            return None
        got = self._most_named(range(len(self.record.sentences)), i, event, exclude)
        if got is not None:
            return got, "article"
        return None


def _actor_sentences(record: Article, lex: _Lex) -> list[bool]:
    """For each sentence of ``record``: may one of its words start an actor's name?

    A sentence's actors (``_Sentence._match_actors``) start only at words whose
    lexicon entry (``_WordInfo``) starts an actor's name.  Every such word is a run
    of Arabic letters (checked on the lexicon: otherwise every sentence answers
    True), and a run of Arabic letters is the same token in the article's word
    tokens as in a sentence's own tokens, so the sentences are told apart with the
    article's tokens.  A sentence whose edge cuts a token is answered True.
    """
    sentences = record.sentences
    names = lex.actor_names_arabic
    if names is None:
        return [True] * len(sentences)
    memo = lex.actor_start
    if len(memo) >= _WORD_INFO_SIZE:
        memo.clear()
    tokens = record.tokens
    marks = []
    for start, _end, word in tokens:
        flag = memo.get(word)
        if flag is None:
            flag = memo[word] = _word_infos([word], lex)[0].actor_start
        if flag:
            marks.append(start)
    starts = [t[0] for t in tokens]
    out = []
    for na, nb in sentences:
        k = bisect.bisect_left(marks, na)
        if k < len(marks) and marks[k] < nb:
            out.append(True)
            continue
        j = bisect.bisect_left(starts, na)
        cut = j > 0 and tokens[j - 1][1] > na  # a token running into the sentence from before it
        j = bisect.bisect_left(starts, nb)
        cut = cut or (j > 0 and tokens[j - 1][1] > nb)  # a token running out of it
        out.append(cut)
    return out


_PEOPLE = "people"  # a mark on casualties of people while the sentence is read (never in a table)
_ARMY_NOUN = "army"  # a mark on counts of soldiers (جنود، عسكريين): no armed group owns them
_ARMY = frozenset({"militia"})
_HOME_ARMY = "home army"  # a mark on casualties whose sentence names "الجيش"، "الشرطة" with no nationality
_SAME = "same"  # a mark on a claim whose actor is that of the claim before it (never in a table)
_ON_FORCES = 2  # the context of attacks on a state's forces (see _Context._sentence_labels)
_LOSSES = "losses"  # the context of casualties: who attacked is not whose dead


def _after_attacker_marker(s: _Sentence, a: int) -> bool:
    """Is the actor at ``a`` named as the one who attacked ("من قبل مسلحين"، "تبنت الفصائل")?

    A marker word matches a token that is that word or reads as it without its
    proclitics (a token's stems start with the token itself); only the markers whose
    last word the token before ``a`` can be are tried.
    """
    if a <= 0:
        return False
    by_last = s.lex.attacker_by_last
    for last in s.stems(a - 1):
        for words in by_last.get(last, ()):
            k = len(words)
            if a - k >= 0 and all(words[m] in s.stems(a - k + m) for m in range(k - 1)):
                return True
    # "نفذتها القوات الأمريكية"، "شنها الطيران الأمريكي": the forces' (or the means') noun stands
    # between the marker and the nationality
    return a > 1 and bool(s.cats(a - 1) & {"force", "troop", "means"}) and _after_attacker_marker(s, a - 1)


def _sentence_claims(nt: NormalizedText, a: int, b: int, article: str, lex: _Lex,
                     context: Optional[_Context] = None, index: Optional[int] = None) -> list[Claim]:
    sent = nt.original
    mentions = find_numbers_normalized(nt)
    if not mentions and not lex.number_prefilter.search(nt.text):
        return []
    # the article's reading of the sentence (shared with the actor context) when there is one
    s = context.sentence(index) if context is not None and index is not None else _Sentence(nt.text, lex)
    mentions = sorted(mentions + _dual_mentions(s, nt, mentions) + _one_mentions(s, nt, mentions)
                      + _national_parts(s, nt) + _several_mentions(s, nt, mentions) + _few_mentions(s, nt, mentions),
                      key=lambda m: m.norm_start)
    # each number, and whether it counts a noun that is no claim of ours ("أربع قواعد")
    # (a duration is no such count: "ستة جنود قتلوا خلال ال72 ساعة الأخيرة، من بينهم أربعة")
    s.number_at = {s.index_at(m.norm_start): s.has(s.index_from(m.norm_end), "non_claim")
                   and not s.has(s.index_from(m.norm_end), "duration") for m in mentions}
    out: list[Claim] = []
    earlier: list[_Pending] = []
    parts: dict[int, set] = {}  # index of a total in out -> the actors of its national parts
    no_context: set = set()  # claims whose actor is never read from around the sentence
    people: set = set()  # casualties counted by a word for people (civilians, persons, police)
    army: set = set()  # counts of soldiers of an army
    home_army: set = set()  # casualties in a sentence naming a state's forces with no nationality ("أعلن الجيش")
    national: set = set()  # totals broken down by nationality words ("بينهم أمريكيان وبريطاني")
    described: dict = {}  # index of a count -> nationalities in apposition ("جنديان، أميركي وبريطاني")
    same: set = set()  # claims that take the actor of the claim before them ("وإصابة 6 آخرين")
    for mn in mentions:
        if mn.unit == "apposition":
            # describes the count before it (its members' nationalities); no count of its own
            if out and earlier and earlier[-1].kind in ("presence", "casualty"):
                label = _national(s, s.text[mn.norm_start:mn.norm_end])
                if label is not None:
                    described.setdefault(len(out) - 1, set()).add(label)
            continue
        if mn.unit == "dual":
            got = _classify_dual(s, mn, earlier)
        elif mn.unit == "one":
            idx = s.index_at(mn.norm_start)
            if s.has(idx, "one_of"):
                idx += 1  # "قتل أحد عناصر القوات الأميركية": the noun after "one of" is counted
            got = ("casualty", idx) if not s.blocks_casualties else None
        elif mn.unit == "part":
            got = None
            if earlier and earlier[-1].kind in ("presence", "casualty") \
                    and _previous_claim(earlier, mn, s, max_gap=14) is not None:
                got = (earlier[-1].kind, s.index_at(mn.norm_start))
        else:
            got = _classify(s, mn, earlier)
            if got is not None and mn.unit == "few" and got[0] == "presence":
                got = None  # "عدد من الجنود": some soldiers, no troop level
        if got is None:
            continue
        kind, noun = got
        i0 = s.index_at(mn.norm_start)
        i1 = s.index_from(mn.norm_end)
        inherited = None
        # ("والثالث في حالة حرجة": "the third" is one more of those counted just before)
        if earlier and kind == earlier[-1].kind and (noun is None or s.has(noun, "inherit")
                                                     or mn.unit == "one" and s.word(noun).startswith("وال")):
            if _previous_claim(earlier, mn, s, max_gap=12) is not None:
                inherited = earlier[-1].actor
        person = kind == "casualty" and noun is not None and s.has(noun, "person")
        actor = _actor(s, kind, i0, i1, noun, inherited, person)
        if actor == "unknown" and kind == "casualty" and not person:
            person = _home_forces_after(s, i1 if noun is None else max(i1, noun + 1))
        if inherited == "unknown" and actor == "unknown":
            same.add(len(out))  # whose the claim before is, once read from around the sentence
        place = _place(s, i0, noun)
        qualifier, low, high = mn.qualifier, mn.low, mn.high
        if qualifier == "exact" and not mn.ordinal:
            verb_q = _verb_qualifier(s, i0)
            if verb_q is not None:
                qualifier = verb_q
                low = None if verb_q == "at_most" else mn.value
                high = None if verb_q == "at_least" else mn.value
        part = mn.unit == "part"
        if mn.unit is None and earlier and kind == earlier[-1].kind:
            part = _after_breakdown(s, i0) or earlier[-1].part and _and_joined(s, i0, mn)
        if part:
            taken = {p for ps in parts.values() for p in ps}
            total = max((t for t in range(len(out)) if t not in taken), default=None)
            if total is not None:
                parts.setdefault(total, set()).add(len(out))
                if mn.unit == "part":
                    national.add(total)
        earlier.append(_Pending(kind, actor, mn.norm_end, part))
        if person:
            people.add(len(out))
        else:
            if noun is not None and s.has(noun, "army"):
                army.add(len(out))
            if kind == "casualty" and actor == "unknown" and _home_forces_before(s, i0):
                home_army.add(len(out))
        out.append(
            Claim(
                article=article,
                kind=s.lex.kind_names[kind] if kind in s.lex.kind_names else kind[len("noun:"):],
                value=_as_int(mn.value),
                low=_as_int(low),
                high=_as_int(high),
                qualifier=qualifier,
                actor=actor,
                place=place,
                mention=mn.text,
                sentence=sent,
                sentence_start=a,
                sentence_end=b,
                start=a + mn.start,
                end=a + mn.end,
            )
        )
    # a total broken down into several nationalities belongs to the coalition they
    # form ("5 جنود بينهم أمريكيان وبريطاني"); one nationality leaves the rest unknown
    # (parts of mixed sides, such as armed groups and a state's forces, leave it unknown)
    for total, members in parts.items():
        labels = {out[p].actor for p in members}
        if (len(labels) > 1 or total in national) and (out[total].actor in labels or out[total].actor == "unknown"):
            allied = len(labels) > 1 and labels <= {"US", "coalition", "other_country"}
            out[total] = replace(out[total], actor="coalition" if allied else "unknown")
            no_context.add(total)  # decided by its parts
    for total, labels in described.items():
        allied = len(labels) > 1 and labels <= {"US", "coalition", "other_country"}
        actor = next(iter(labels)) if len(labels) == 1 else "coalition" if allied else "unknown"
        out[total] = replace(out[total], actor=actor)
        no_context.add(total)
    for k in no_context:
        out[k].actor_basis = None  # read below as "the sentence, and nothing around it"
    for k in people:
        out[k].actor_basis = _PEOPLE
    for k in army:
        if out[k].actor == "unknown" and out[k].actor_basis == "sentence":
            out[k].actor_basis = _ARMY_NOUN
    for k in home_army:
        if out[k].actor == "unknown" and out[k].actor_basis in ("sentence", _ARMY_NOUN):
            out[k].actor_basis = _HOME_ARMY
    for k in same:
        if k > 0 and out[k].actor_basis == "sentence":
            out[k].actor_basis = _SAME
    return out


def _has_dual(text: str, lex: _Lex) -> bool:
    return any(d in text for d in lex.dual_nouns)


def _dual_mentions(s: _Sentence, nt, mentions: list) -> list[NumberMention]:
    """Dual nouns that state a count of two ("مقتل جنديين"), unless a number word goes with them."""
    out = []
    if "dual" not in s.all_cats:
        return out
    taken = [(m.norm_start, m.norm_end) for m in mentions if not m.ordinal]
    for i, (w, ws, we) in enumerate(s.toks):
        if not w[0].isalpha() or "dual" not in s.cats(i):
            continue
        stem = next((st for st in _stems(w) if st in s.lex.dual_nouns), None)
        if stem is None:
            continue
        # "جنديين اثنين" or "اثنين من الجنود": the number word is the mention
        if any(a <= ws < b or ws <= a < we or s.index_from(b) == i or s.index_at(a) == i + 1 for a, b in taken):
            continue
        ns = we - len(stem)
        a, b = nt.to_original(ns, we)
        out.append(NumberMention(value=2.0, low=2.0, high=2.0, qualifier="exact", start=a, end=b,
                                 text=nt.original[a:b], norm_start=ns, norm_end=we, unit="dual", words=True))
    return out


def _free_words(s: _Sentence, mentions: list, category: str):
    """(index, word, start, end) of the sentence's words of ``category`` that no number mention already
    starts at, in order (nothing when the sentence has no word of it)."""
    if category not in s.all_cats:
        return
    taken = {s.index_at(m.norm_start) for m in mentions}
    for i, (w, ws, we) in enumerate(s.toks):
        if i not in taken and s.has(i, category):
            yield i, w, ws, we


def _several_mentions(s: _Sentence, nt, mentions: list) -> list[NumberMention]:
    """"أصيب عدة عسكريين"، "عدة هجمات": a vague word that counts only before a scale word in
    numbers.yml ("عدة آلاف") states a few of a counted noun of ours."""
    out = []
    bounds = _several_bounds()
    for i, w, ws, we in _free_words(s, mentions, "several"):
        got = next(((st, b) for st in _stems(w) for b in (bounds.get(st),) if b is not None), None)
        if got is None:
            continue
        nxt = s.cats(i + 1)
        if not (nxt & {"troop", "attack", "casualty", "person", "attack_cond", "repeat"} or _is_actor_noun(s, i + 1)):
            continue  # ("عدة مرات" counts attacks after an attack word, as "N مرات" does)
        st, (low, high) = got
        a, b = nt.to_original(we - len(st), we)
        out.append(NumberMention(value=low, low=low, high=high, qualifier="vague", start=a, end=b,
                                 text=nt.original[a:b], norm_start=we - len(st), norm_end=we, words=True))
    return out


def _few_mentions(s: _Sentence, nt, mentions: list) -> list[NumberMention]:
    """"أصيب عدد من الجنود"، "العديد من الهجمات"، "إصابة عدد قليل من": a phrase of claims.yml
    few_phrases before a counted noun of ours states a vague count (its bounds there); a form
    with no من counts right after a casualty word ("وأصيب العديد")."""
    out: list = []
    bounds = _few_bounds()
    for i, w, ws, we in _free_words(s, mentions, "few_start"):
        best = None  # (end index, phrase)
        for st in _stems(w):
            if st in bounds and best is None:
                best = (i + 1, st)
            for words, cat in s.lex.phrases.get(st, ()):
                n = len(words)
                if cat == "few" and i + n <= len(s) and all(s.word(i + m) == words[m] for m in range(1, n)) \
                        and (best is None or i + n > best[0]):
                    best = (i + n, " ".join(words))
        if best is None:
            continue
        end, phrase = best
        if s.has(i - 1, "few_compared"):
            continue  # "أكبر عدد من القتلى": a superlative, no count
        if s.has(i - 1, "few_prep") or w[:1] in ("ب", "ل") and any(
                st != w and "few_start" in s.lex.cats.get(st, ()) for st in _stems(w)):
            continue  # "تلوم الميليشيات في العديد من الهجمات": after a preposition it describes, no count
        if phrase.endswith(" من"):
            k = end + 1 if s.has(end, "demonstrative") else end
            if not (s.cats(k) & {"troop", "attack", "casualty", "person", "attack_cond"} or _is_actor_noun(s, k)):
                continue
            if any(s.has(m, "few_compared") for m in range(k + 1, min(len(s), k + 4))):
                continue  # "عدد من القتلى يزيد عما ...": a comparison
        elif not s.has(i - 1, "cas_before"):
            continue
        low, high = bounds[phrase]
        first = phrase.split(" ")[0]
        ns = ws + (len(w) - len(first) if w.endswith(first) else 0)  # the conjunction or article left out
        ne = s.toks[end - 1][2]
        a, b = nt.to_original(ns, ne)
        out.append(NumberMention(value=low, low=low, high=high, qualifier="vague", start=a, end=b,
                                 text=nt.original[a:b], norm_start=ns, norm_end=ne, words=True, unit="few"))
    return out


@per_lexicons
def _few_bounds() -> dict:
    """claims.yml few_phrases: normalized phrase -> (low, high or None)."""
    out = {}
    for entry in load_lexicon("claims").get("few_phrases") or []:
        high = entry.get("high")
        for term in _terms(entry.get("forms")):
            out[term] = (float(entry["low"]), None if high is None else float(high))
    return out


@per_lexicons
def _several_bounds() -> dict:
    """numbers.yml vague_before_scale: normalized word -> (low, high)."""
    out = {}
    for entry in load_lexicon("numbers").get("vague_before_scale") or []:
        for term in _terms(entry.get("forms")):
            out[term] = (float(entry["low"]), float(entry["high"]))
    return out


def _one_mentions(s: _Sentence, nt, mentions: list) -> list[NumberMention]:
    """Casualties of one: a singular noun a casualty word governs ("مقتل جندي أمريكي"،
    "أن جنديا من القوات ... قتل"، "مقتل أحد جنوده"), unless a number goes with it."""
    out = []
    if not s.all_cats & _ONE_NEEDS:
        return out  # no word here can be one casualty (see the noun test below)
    # an ordinal is the noun's adjective, not its number: "جندي بريطاني خامس"، "أول عسكري"
    ends = {s.index_from(m.norm_end) for m in mentions if not m.ordinal}
    starts = {s.index_at(m.norm_start) for m in mentions if not m.ordinal}
    ordinal_at = {s.index_at(m.norm_start) for m in mentions if m.ordinal}
    n = len(s)
    skip = set()
    for i in _one_candidates(s):
        w, ws, we = s.toks[i]
        if not w[0].isalpha() or i in skip:
            continue
        c = s.cats(i)
        pi = i - 1 if i - 1 not in ordinal_at else i - 2  # "وقتل أول عسكري": the word before the ordinal
        if "one_pronoun" in c and s.has(i - 1, "cas_before"):
            # "أصيب ستة جنود، إصابة أحدهم خطيرة"، "قتل أحدهما وأصيب الآخر": one of those counted
            out.append(_word_mention(nt, ws, we, 1.0, "one"))
            continue
        if w.endswith("ين") and "dual" not in c and i not in ends and i + 1 not in starts \
                and (c & {"troop", "person"} or _is_actor_noun(s, i)):
            k = i + 1 + (1 if _national(s, s.word(i + 1)) is not None else 0)
            if s.has(k, "dual_after"):
                skip.add(i + 1)
                # "شرطيين عراقيين قتلا": the dual verb makes the -ين noun a dual
                out.append(_word_mention(nt, ws + (1 if w.startswith("و") and w[1:] in s.lex.cats else 0), we, 2.0, "one"))
                continue
        if _is_dual_national(s, i) and s.has(pi, "cas_before") and i + 1 not in starts and i not in ends:
            # "وأصيب أميركيان": a nationality in the dual, governed by a casualty word, counts two
            bare = w[1:] if w.startswith("و") and _national(s, w[1:]) else w
            out.append(_word_mention(nt, we - len(bare), we, 2.0, "one"))
            continue
        if "person_dual" in c and s.has(pi, "cas_before") and i + 1 not in starts and i not in ends:
            out.append(_word_mention(nt, ws, we, 2.0, "one"))  # "مقتل شخصين"، "إصابة طفلين"
            continue
        one_of = "one_of" in c and i + 1 < n and s.cats(i + 1) & {"troop", "person"}
        # "قتل جنديان أمريكيان وثالث بريطاني": "and a third", one more of the same
        # "قتل جنديان وأصيب ثالث": right after a casualty verb that follows another casualty word
        # "وأصيب أميركيان والثالث في حالة حرجة": "and the third", right after a count
        third = w.startswith("وال") and w[3:] in s.lex.cats and "ordinal_person" in s.lex.cats[w[3:]] \
            and (i in ends or bool(s.cats(i - 1) & {"dual", "troop", "casualty"}) or _is_dual_national(s, i - 1))
        ordinal = third or "ordinal_person" in c and not s.word(i).startswith(("ال", "وال")) and (
            (w.startswith("و") and i + 1 < n
             and (_national(s, s.word(i + 1)) is not None or "one_noun" in s.cats(i + 1)))
            or (s.has(i - 1, "cas_before") and s.word(i - 1).startswith("و")
                and any(s.cats(k) & {"cas_before", "casualty", "dual"} for k in range(0, i - 1))))
        noun = "one_noun" in c or one_of or ordinal or _is_singular_national(s, i)
        joined = i + 1 in starts and s.word(i + 1).startswith("و")  # "ضابطا وأربعة جنود قتلوا"
        if not noun or (i in ends and not third) or i + 1 in starts and not joined or i + 2 in starts:
            continue
        if "one_of" not in c and not third and (s.word(i).startswith(("ال", "وال", "بال", "لل")) or w[:1].isdigit()):
            continue  # the soldier named before, not one more
        if s.has(i - 1, "between") or s.has(i - 2, "between") and w.startswith("و"):
            continue  # "3 جنود بين قتيل وجريح": how the count before divides, no count of one
        if "title" in c and (s.word(i + 1) in _QUOTES or s.word(i + 1).startswith(("ال", "وال"))):
            continue  # "مقتل قائد فيلق القدس": a title in construct with a named body is one known person

        prev = s.cats(pi)
        governed = bool(prev & {"cas_before", "one_before"}) or third \
            or "part_of" in prev and any(s.cats(k) & {"cas_before", "casualty"} for k in range(pi))
        # ("بمصرع 5 أفراد من الحرس، بينهم ضابط": one of the dead)
        if not governed and w.startswith("و") and ("one_noun" in c or ordinal):
            # "قتل جنديان ... ومتعاقد أميركي": one more, joined to the killed or wounded before it
            for k in range(i - 1, max(-1, i - 13), -1):
                if s.word(k) in _STRONG_PUNCT:
                    break
                if s.has(k, "cas_before"):
                    governed = True
                    break
        if not governed and not one_of and (s.is_punct(pi) or s.word(pi) in ("ان", "أن", "إن", "بان", "وان")):
            for k in range(i + 1, min(n, i + 9)):
                if s.word(k) in _STRONG_PUNCT or s.word(k)[:1].isdigit():
                    break
                if s.has(k, "one_after") or joined and s.has(k, "cas_after"):
                    governed = True
                    break
        if not governed:
            continue
        if ordinal and w.startswith("و"):
            ws += 3 if third else 1  # the span leaves the conjunction (and the article) out
        a, b = nt.to_original(ws, we)
        out.append(NumberMention(value=1.0, low=1.0, high=1.0, qualifier="exact", start=a, end=b,
                                 text=nt.original[a:b], norm_start=ws, norm_end=we, unit="one", words=True))
    return out


def _word_mention(nt, ws: int, we: int, value: float, unit: str) -> NumberMention:
    """A count stated by a word that is no number word (a dual, a singular noun, a pronoun)."""
    a, b = nt.to_original(ws, we)
    return NumberMention(value=value, low=value, high=value, qualifier="exact", start=a, end=b,
                         text=nt.original[a:b], norm_start=ws, norm_end=we, unit=unit, words=True)


def _is_dual_national(s: _Sentence, i: int) -> bool:
    """"أميركيان"، "وبريطانيان": a nationality in the nominative dual (the -ين form is also a plural)."""
    w = s.word(i)
    bare = w[1:] if w.startswith("و") else w
    return bare.endswith("يان") and (_national(s, bare) is not None or _national(s, w) is not None)


# a casualty of one is a one-noun, "one of", an ordinal person, or a nationality after a casualty word;
# a dual is a -ين noun before a dual verb
_ONE_NEEDS = frozenset({"one_noun", "one_of", "ordinal_person", "cas_before", "dual_after", "person_dual"})
_ONE_WORDS = frozenset({"one_noun", "one_of", "ordinal_person"})


def _one_candidates(s: _Sentence) -> list[int]:
    """The tokens _one_mentions may read: a word of _ONE_WORDS, any word after a casualty word,
    or a word a dual verb follows (with a nationality between or not)."""
    catl = s._catl
    n = len(s)
    # read from the words that have a category at all (most have none)
    marked = set()
    for k in compress(range(n), catl):
        c = catl[k]
        if not c.isdisjoint(_ONE_WORDS):
            marked.add(k)
        if "cas_before" in c and k + 1 < n:
            marked.add(k + 1)
        if "dual_after" in c:
            marked.update(range(max(0, k - 2), k))
    return sorted(marked)


def _national(s: _Sentence, w: str) -> Optional[str]:
    return s.lex.actor_words.get(w) if w and w[0].isalpha() else None


def _national_parts(s: _Sentence, nt) -> list[NumberMention]:
    """"قتل 5 جنود بينهم أمريكيان وبريطاني": after a breakdown word, each nationality in the
    dual (2) or the masculine singular (1) is a part of the count before, with its own actor."""
    out = []
    if "part_of" not in s.all_cats and not s.all_cats & {"dual", "troop", "casualty"}:
        return out
    n = len(s)
    catl = s._catl
    for i in [k for k, w in enumerate(s._words) if w in ("،", ",") or "part_of" in catl[k]]:
        # "قتل جنديان، أميركي وبريطاني": nationalities in apposition say whose the count is
        apposition = s.word(i) in ("،", ",") and i > 0 and bool(s.cats(i - 1) & {"dual", "troop", "casualty"}) \
            and _national(s, s.word(i + 1)) is not None and s.word(i + 1).endswith(("ي", "يان"))
        if not apposition and not (s.has(i, "part_of") and s.word(i) in s.lex.cats and "part_of" in s.lex.cats[s.word(i)]):
            continue
        k = i + 1
        while k < n:
            w, ws, we = s.toks[k]
            if w in ("و", "،", ","):
                k += 1
                continue
            bare = w[1:] if w.startswith("و") and _national(s, w[1:]) else w
            if _national(s, bare) is None:
                break
            value = 2.0 if bare.endswith("يان") else 1.0 if bare.endswith("ي") else None
            if value is None:
                break
            ns = we - len(bare)
            a, b = nt.to_original(ns, we)
            out.append(NumberMention(value=value, low=value, high=value, qualifier="exact", start=a, end=b,
                                     text=nt.original[a:b], norm_start=ns, norm_end=we,
                                     unit="apposition" if apposition else "part", words=True))
            k += 1
    return out


def _is_singular_national(s: _Sentence, i: int) -> bool:
    """"مقتل أميركي": a nationality in the masculine singular, standing for a person."""
    w = s.word(i)
    return w.endswith("ي") and any(st in s.lex.actor_words and st.endswith("ي") for st in _stems(w)) \
        and s.has(i - 1, "cas_before")


def _classify_dual(s: _Sentence, mn: NumberMention, earlier: Optional[list] = None) -> Optional[tuple]:
    i = s.index_at(mn.norm_start)
    kind = s.lex.dual_nouns[next(st for st in _stems(s.word(i)) if st in s.lex.dual_nouns)]
    if kind == "presence" and s.cats(i - 1) & {"non_claim", "blocker"}:
        return None  # "مصدران عسكريان": the adjective of another noun
    if kind == "presence":
        kind = _troops_or_casualties(s, i, i, mn, earlier)
    elif kind == "event" and "attack_cond" in s.cats(i) and (
            _heard(s, i) or not any(s.has(k, "hostile") for k in range(len(s)) if k != i)):
        return None
    elif kind == "event" and "attacked_noun" in s.cats(i) and not _attacked(s, i, i):
        return None  # "وصل رتلان إلى القاعدة": convoys, no attack
    elif kind == "event" and _definite(s.word(i)):
        return None  # "وأحبط الهجومان": the two attacks told before, no new count
    elif kind == "event" and "repeat" in s.cats(i) and _noun_claim(s, i, i, mn, [], partitive=False) is None:
        return None  # "مرتين" counts attacks only after an attack word ("هوجمت مرتين"), not "زار بغداد مرتين"
    if kind == "casualty" and s.blocks_casualties:
        return None
    return kind, i


def claims_table(articles) -> pd.DataFrame:
    """One row per claim in ``articles`` (a corpus table with id and text, or Article records), columns ``CLAIM_COLUMNS``."""
    if hasattr(articles, "columns"):
        missing = [c for c in ("id", "text") if c not in articles.columns]
        if missing:
            raise ValueError(f"claims_table() needs an articles table with columns id and text; missing {', '.join(missing)}")
    rows = []
    for record in article_list(articles, "claims_table"):
        for c in extract_claims(record):
            rows.append(c.row())
    return claims_frame(rows)


def claims_frame(rows: list[dict], extra: tuple = ()) -> pd.DataFrame:
    """The claims table from rows (``asdict`` of claims), with fixed columns, types and order."""
    columns = CLAIM_COLUMNS + [c for c in extra if c not in CLAIM_COLUMNS]
    df = pd.DataFrame(rows, columns=columns)
    for col in ("value", "low", "high", "sentence_start", "sentence_end", "start", "end"):
        df[col] = df[col].astype("Int64")
    for col in ("refers_to", "refers_to_precision", "window_start", "place", "actor_basis"):
        df[col] = df[col].astype(object)
    for col in extra:
        df[col] = df[col].astype(object)
    if len(df):
        df = df.sort_values(["article", "start"], kind="stable").reset_index(drop=True)
    return df[columns]


def claims_ledger(mentions: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct figure of each article (``LEDGER_KEY``), from the per-mention table.

    The row is the figure's first mention (its span and sentence); ``mentions`` counts
    how often the article states it.  Charts read the ledger, so a figure repeated in a
    headline and a body is one claim.
    """
    columns = list(mentions.columns) + (["mentions"] if "mentions" not in mentions.columns else [])
    if mentions.empty:
        out = mentions.copy()
        out["mentions"] = pd.Series(dtype="Int64")
        return out[columns]
    key_cols = [c for c in LEDGER_KEY if c in mentions.columns]
    # group numbers in order of first appearance, missing values one key (a loop over rows cost
    # seconds at 10,000 articles)
    codes = mentions.groupby(key_cols, dropna=False, sort=False).ngroup().to_numpy()
    _, keep = np.unique(codes, return_index=True)
    keep.sort()
    out = mentions.iloc[keep].copy()
    out["mentions"] = pd.array(np.bincount(codes)[codes[keep]], dtype="Int64")
    return out.reset_index(drop=True)[columns]
