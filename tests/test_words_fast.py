"""TermMatcher's shortcuts give what the full scan gives.

``TermMatcher.find`` tries a regex term only near the literal it must hold and
looks only at the tokens that may start one of its terms; ``find_plain`` runs
every regex over the whole text and looks every token up.  Both are compared on
generated texts (glued from the lexicons' own terms and clitics), on the shipped
articles and on the real excerpts when they are present.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from troopwatch import words
from troopwatch.actors import actor_matcher
from troopwatch.article import Article
from troopwatch.corpus import load_corpus
from troopwatch.text import normalize
from troopwatch.words import TermMatcher, TermSpec, regex_anchor

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "gold" / "real" / "texts"


def _shipped_matchers() -> list[TermMatcher]:
    """Every matcher the framing stage reads (frames, hedging, stance topic and cues, actors, sources)."""
    from troopwatch import attribution, framing

    found: dict[int, TermMatcher] = {}
    original = TermMatcher.find

    def record(self, text, tokens=None):
        found[id(self)] = self
        return original(self, text, tokens)

    TermMatcher.find = record
    try:
        corpus = load_corpus(ROOT / "data" / "raw")
        for r in corpus.to_dict("records")[:2]:
            framing.analyse_article(Article.from_text(r["text"], r["id"], r))
    finally:
        TermMatcher.find = original
    found.setdefault(id(actor_matcher()), actor_matcher())
    found.setdefault(id(attribution._agency_matcher()), attribution._agency_matcher())
    return list(found.values())


@pytest.fixture(scope="module")
def matchers() -> list[TermMatcher]:
    return _shipped_matchers()


@pytest.fixture(scope="module")
def texts(matchers) -> list[str]:
    """Shipped articles, real excerpts (when linked) and texts glued from the matchers' terms."""
    corpus = load_corpus(ROOT / "data" / "raw")
    out = [r["text"] for r in corpus.to_dict("records")]
    out += [p.read_text(encoding="utf-8") for p in sorted(REAL.glob("*.txt"))[:40]] if REAL.is_dir() else []
    terms = [s.term for m in matchers for s in m.specs]
    anchors = [a for m in matchers for _, _, anc in m._anchored if anc for a in anc[0]]
    rng = random.Random(7)
    glue = ["", " ", "  ", "و", "ف", "ب", "ل", "لل", "وال", "فلل", "وبال", "ات", "ها", "هم", "ة", "،", ".", "\n",
            " قال ", " خلال ", " لم ", " لا ", " السنة ", " عدم ", " 3 ", "x"]
    for _ in range(80):
        pieces = [rng.choice(glue) + rng.choice(terms + anchors) + rng.choice(glue) for _ in range(rng.randint(3, 25))]
        out.append("".join(pieces))
    return [normalize(t).text for t in out]


def _spans(matches) -> list[tuple]:
    return [(m.start, m.end, m.spec.label, m.spec.term) for m in matches]


def test_shipped_regex_terms_have_anchors(matchers):
    regexes = [(rx, anc) for m in matchers for rx, _, anc in m._anchored]
    assert len(regexes) >= 10
    # every look-behind pattern of the shipped lexicons is searched near a literal
    assert all(anc is not None for rx, anc in regexes if rx.pattern.startswith("(?<"))


def test_find_equals_full_scan_on_shipped_real_and_glued_texts(matchers, texts):
    compared = 0
    for text in texts:
        tokens = words.tokenize(text)
        for m in matchers:
            plain = _spans(m.find_plain(text, tokens))
            assert _spans(m.find(text, tokens)) == plain
            assert _spans(m.find(text)) == plain
            compared += len(plain)
    assert compared > 1000


def test_anchored_regexes_equal_finditer(matchers, texts):
    compared = 0
    for text in texts:
        for m in matchers:
            for rx, _, anchor in m._anchored:
                if anchor is None:
                    continue
                found = [x.span() for x in words._anchored_matches(rx, text, anchor)]
                assert found == [x.span() for x in rx.finditer(text)], rx.pattern
                compared += len(found)
    assert compared > 50


def test_a_matcher_built_after_a_text_was_indexed_still_finds_its_terms():
    text = normalize("قالت الحكومة إن القوات الأمريكية ستغادر البلاد، ووصل وفد التفاوض أمس").text
    tokens = words.tokenize(text)
    first = TermMatcher([TermSpec("a", "الحكومة")])
    assert _spans(first.find(text, tokens)) == _spans(first.find_plain(text, tokens)) != []
    later = TermMatcher([TermSpec("b", "وفد"), TermSpec("c", "مغادرة"), TermSpec("d", "ستغادر")])
    assert _spans(later.find(text, tokens)) == _spans(later.find_plain(text, tokens))
    assert {m.label for m in later.find(text, tokens)} == {"b", "d"}



def test_a_matcher_built_later_updates_the_word_table_it_shares_and_finds_what_a_full_scan_finds():
    # stages build their matchers when first used, often in the middle of the first article: the table of
    # which words start which matchers' terms is brought up to date, not read again from scratch
    one = normalize("وقالت الحكومة إن القوات ستغادر، ووصل الوفد وبالقوات الأمريكية").text
    two = normalize("ووفد الحكومة وصل أمس، والقوات باقية وللوفد رأي آخر").text
    first = TermMatcher([TermSpec("a", "الحكومة"), TermSpec("q", "القوات الأمريكية")])
    t1, t2 = words.tokenize(one), words.tokenize(two)
    first.find(one, t1)
    table = words._word_nodes[1]
    later = TermMatcher([TermSpec("b", "وفد"), TermSpec("c", "القوات"), TermSpec("d", "وصل")])
    for text, tokens in ((one, t1), (two, t2)):
        for matcher in (first, later):
            assert _spans(matcher.find(text, tokens)) == _spans(matcher.find_plain(text, tokens))
    assert words._word_nodes[1] is table  # updated in place
    assert {m.label for m in later.find(one, t1)} == {"b", "c", "d"}
    assert {m.label for m in later.find(two, t2)} == {"b", "c", "d"}

def test_a_text_without_a_matchers_first_words_is_passed_over():
    text = normalize("وصل الوفد إلى بغداد صباح اليوم").text
    tokens = words.tokenize(text)
    absent = TermMatcher([TermSpec("x", "انسحاب"), TermSpec("y", "قوات التحالف")])
    present = TermMatcher([TermSpec("z", "بغداد")])
    starts = words._start_nodes(tokens, absent._key)
    assert absent._serial not in starts
    assert [i for i, _node in starts[present._serial]] == [3]
    assert absent.find(text, tokens) == [] and len(present.find(text, tokens)) == 1


@pytest.mark.parametrize("pattern, anchor", [
    (r"(?<![ء-ي])[وفبل]?(?:ال|لل)سنة(?![ء-ي])", (("السنة", "للسنة"), 0, 1)),
    (r"(?<![ء-ي])[وف]?(?:لم|لا)\s+يوافق", (("لا", "لم"), 0, 1)),
    (r"لانه\S*\s+غير", (("لانه",), 0, 0)),
    (r"\s+خلال", None),  # the literal may stand any distance from the start
    (r"[0-9]+", None),
    (r"(?i)withdraw", None),
    (r"(?:ا|ب)?", None),  # may match nothing
])
def test_regex_anchor(pattern, anchor):
    assert regex_anchor(pattern) == anchor


# Small patterns over a small alphabet: several anchor occurrences per match, overlapping places to try,
# look-behinds and look-aheads, matches ending before the next place an anchor allows.
_PATTERNS = [
    r"a?b", r"(?<!a)[ab]{0,3}ab", r"(?:x|xy)?ab", r".{0,3}ab", r"(?<=b)aa?b?", r"[ab]?(?:ab|ba)a?",
    r"(?<![ab])x?(?:ab|b)(?!a)", r"a{0,2}?ba", r"(?:ab|a)(?:ba|b)", r"x?y?ab.{0,2}", r"(?:xab|ba)y?(?=b)",
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_PATTERNS), st.text(alphabet="abxy ", max_size=40))
def test_anchored_matches_as_finditer_on_generated_patterns(pattern, text):
    anchor = regex_anchor(pattern)
    assert anchor is not None
    rx = re.compile(pattern)
    plain = [m.span() for m in rx.finditer(text)]
    words._last_positions = (None, {})
    assert [m.span() for m in words._anchored_matches(rx, text, anchor)] == plain
    # every match holds one of the anchor's strings where the anchor says
    strings, lo, hi = anchor
    for a, _b in plain:
        assert any(text.startswith(s, p) for p in range(a + lo, a + hi + 1) for s in strings)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("قوات 2500,.amwj.A/،؟\n-ـ")), max_size=50))
def test_tokenizers_cut_as_their_patterns_match(text):
    assert words.tokenize(text) == [(m.start(), m.end(), m.group()) for m in words.TOKEN_RE.finditer(text)]
    assert words.all_tokens(text) == [(m.group(), m.start(), m.end()) for m in words.ALL_TOKEN_RE.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_PATTERNS + [r"x\s+(?:ab|ba)\s*y", r"(?:ab|b)x?(?:y|ya)", r"a|bx", r"(ab|x)y?b"]),
       st.text(alphabet="abxy ", max_size=40))
def test_every_match_holds_one_string_of_each_required_run(pattern, text):
    required = words.regex_required(pattern)
    for m in re.finditer(pattern, text):
        assert all(any(s in m.group() for s in strings) for strings in required), (pattern, m.group())


@pytest.mark.parametrize("pattern, required", [
    (r"(?<![ء-ي])[وف]?(?:لم|لا)\s+(?:يوافق|توافق)\s+\S*(?:انسحاب|سحب)",
     (("لا", "لم"), ("توافق", "يوافق"), ("انسحاب", "سحب"))),
    (r"x\s+(?:ab|ba)?y", (("x",), ("y",))),
    (r"(?i)withdraw", ()),
])
def test_regex_required(pattern, required):
    assert words.regex_required(pattern) == required


def _greedy_longest_first(matches):
    """select_non_overlapping's rule, written plainly: longest first (then by start, label), none overlapping."""
    kept = []
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), m.start, m.label)):
        if not any(k.start < m.end and m.start < k.end or (m.start == m.end and k.start < m.start < k.end)
                   for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(1, 4), st.sampled_from("abc")), max_size=7)
       | st.lists(st.tuples(st.integers(0, 60), st.integers(1, 6), st.sampled_from("abc")), max_size=25), st.booleans())
def test_select_non_overlapping_keeps_the_longest(spans, in_order):
    found = [words.Match(a, a + n, TermSpec(label, label)) for a, n, label in spans]
    if in_order:
        found.sort(key=lambda m: m.start)
    assert words.select_non_overlapping(found) == _greedy_longest_first(found)
