"""The shortcuts that keep the stages linear give what the plain definitions give.

Each fast path (a sweep instead of points x constraints, a bisection instead of a
scan, a regex tried only where its words stand) is checked against the direct
computation it replaces, on generated inputs and on the shipped articles.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from troopwatch.article import Article, detect_language
from troopwatch.corpus import load_corpus

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shipped() -> list[Article]:
    corpus = load_corpus(ROOT / "data" / "raw")
    return [Article.from_text(r["text"], r["id"], r) for r in corpus.to_dict("records")]


# --------------------------------------------------------------------------- text

_CHARS = st.sampled_from(list("ابت أإآٱىیکھةؤئ٠١٩۱۵٬٫“”«»–—\u00a0\u200f\u200b\u064b\u0651\u0640\u0300 .?!؟؛;…/\n1aZ")
                         + ["\ufefb", "\ufdf2", "\ufe8d"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_CHARS, max_size=60).map("".join))
def test_normalize_is_fold_char_character_by_character(text):
    from troopwatch.text import HAS_OBFUSCATING_DOT, fold_char, normalize

    # a dot inside a word beside a tatweel (لمقـ.تل) is dropped: the one context normalize reads
    dropped = {m.start() for m in HAS_OBFUSCATING_DOT.finditer(text)}
    kept = [(i, c) for i, c in enumerate(text) if i not in dropped]
    norm = normalize(text)
    assert norm.text == "".join(fold_char(c) for _, c in kept)
    assert list(norm.offsets) == [i for i, c in kept for _ in fold_char(c)] + [len(text)]


def test_normalize_drops_a_dot_beside_a_tatweel_inside_a_word():
    from troopwatch.text import normalize

    assert normalize("\u0640.\u0627").text == "\u0627"  # tatweel, dot, alef: the dot obfuscates the word
    assert normalize("\u0627.\u0627").text == "\u0627.\u0627"  # no tatweel: a dot that stays


@settings(max_examples=300, deadline=None)
@given(st.lists(_CHARS, max_size=60).map("".join), st.integers(0, 60), st.integers(0, 60))
def test_sentence_ends_as_the_plain_pattern(text, pos, endpos):
    from troopwatch.text import _SENTENCE_END

    plain = re.compile(r"(?:[!?\u061f\u061b;\u2026]|\.(?![0-9A-Za-z/]))+")
    assert [m.span() for m in _SENTENCE_END.finditer(text, pos, endpos)] == \
        [m.span() for m in plain.finditer(text, pos, endpos)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ابت abcXYZ 12.،")), max_size=40).map("".join))
def test_language_as_the_letter_count(text):
    arabic = len(re.findall("[\u0621-\u063a\u0641-\u064a\u0671-\u06d3]", text))
    latin = len(re.findall("[A-Za-z]", text))
    expected = "und" if arabic == latin == 0 else ("ar" if arabic >= latin else "en")
    assert detect_language(text) == expected


# --------------------------------------------------------------------------- publication


def _interval():
    return st.tuples(st.integers(0, 40), st.integers(-3, 40)).map(lambda t: (t[0], t[0] + t[1]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(_interval(), min_size=1, max_size=3), st.sampled_from([1.0, 2.0, 1.0, 3.0, 0.1]),
                          st.booleans()), min_size=1, max_size=8))
def test_best_window_sweep_as_points_times_constraints(spec):
    from troopwatch.published import _INF, Constraint, _best_window

    constraints = [Constraint(f"c{i}", [(lo, _INF if open_ and j == 0 else hi) for j, (lo, hi) in enumerate(iv)],
                              weight=w) for i, (iv, w, open_) in enumerate(spec)]
    # the plain definition: the score of every boundary point, the first best stretch
    points = sorted({p for c in constraints for lo, hi in c.intervals for p in (lo, hi + 1 if hi < _INF else _INF)})
    runs = []
    for i, p in enumerate(points):
        if p >= _INF:
            break
        seg_hi = (points[i + 1] - 1) if i + 1 < len(points) and points[i + 1] < _INF else _INF
        runs.append((p, seg_hi, sum(c.weight for c in constraints if any(lo <= p <= hi for lo, hi in c.intervals))))
    best = max(r[2] for r in runs)
    top = [r for r in runs if r[2] == best]
    assert _best_window(constraints) == (top[0][0], max(r[1] for r in top), best)


def test_office_holder_names_found_where_finditer_finds_them(shipped):
    from troopwatch.published import _NAME_WORDS, _name_matches, _office_lexicon
    from troopwatch.text import normalize_term
    from troopwatch.lexicons import load_lexicon

    _, _, _, people = _office_lexicon()
    names = [normalize_term(n) for p in load_lexicon("office_holders")["people"] for n in p["names"]]
    rng = random.Random(3)
    glue = ["", " ", "و", "ل", "لل", "فال", "بو", "،", "ا", " قال "]
    texts = [a.text for a in shipped]
    texts += ["".join(rng.choice(glue) + rng.choice(names) for _ in range(12)) for _ in range(40)]
    for text in texts:
        for _, rx, _ in people:
            assert [m.span() for m in _name_matches(rx, text, _NAME_WORDS[rx.pattern])] == \
                [m.span() for m in rx.finditer(text)]



def test_office_holder_names_tried_at_the_words_opening_them_are_those_finditer_finds(shipped):
    """A person's pattern tried only where a word of the text that is a clitic and a first word of its names stands
    finds what finditer finds; a person with no such word has no match."""
    from troopwatch.article import Article
    from troopwatch.published import _matches_at, _name_places, _office_lexicon, _people_by_word
    from troopwatch.text import normalize_term
    from troopwatch.lexicons import load_lexicon

    _, _, _, people = _office_lexicon()
    _, always = _people_by_word()
    names = [normalize_term(n) for p in load_lexicon("office_holders")["people"] for n in p["names"]]
    rng = random.Random(4)
    glue = ["", " ", "و", "ل", "لل", "فال", "بو", "،", "ا", " قال ", "2", "x"]
    texts = [a.text for a in shipped]
    texts += ["".join(rng.choice(glue) + rng.choice(names) for _ in range(12)) for _ in range(40)]
    found = 0
    for text in texts:
        article = Article.from_text(text)
        places = _name_places(article)
        for i, (_, rx, _) in enumerate(people):
            expected = [m.span() for m in rx.finditer(article.text)]
            if i in always:
                continue
            assert [m.span() for m in _matches_at(rx, article.text, places.get(i, []))] == expected
            found += len(expected)
    assert found > 100


# --------------------------------------------------------------------------- events


def test_a_sentence_outside_the_prefilter_holds_no_cue(shipped):
    """Every sentence where a cue pattern matches is among those the word index gives for it."""
    from troopwatch.events import _events_lexicon, _words_of

    known, generic = _events_lexicon()
    patterns = [rx for ev in known for all_, any_, _n in ev.cue_sets for rx in all_ + tuple(r for g in any_ for r in g)]
    patterns += [rx for _, rx in generic]
    extra = Article.from_text("قتل قاسم سليماني في غارة أمريكية قرب مطار بغداد. وبعد مقتل سليماني صوت البرلمان "
                              "على إخراج القوات الأجنبية. وشنت الفصائل هجوما على قاعدة عين الأسد.\nوالهجوم الثاني "
                              "على البرج 22 في الأردن قتل ثلاثة جنود أمريكيين.", "x")
    searched = 0
    for article in shipped + [extra]:
        words = _words_of(article)
        for rx in patterns:
            holding = words.sentences_holding(rx)
            for k, (a, b) in enumerate(article.sentences):
                if rx.search(article.text[a:b]) or rx.search(article.text, a, b):
                    assert k in holding, (article.id, rx.pattern)
                    searched += 1
    assert searched > 20


def _known_events_plainly(article: Article, mentions) -> list[dict]:
    """match_known_events as every sentence times every cue set (the definition)."""
    from troopwatch.events import _compatible, _events_lexicon

    known, _ = _events_lexicon()
    out = []
    by_start = sorted(mentions, key=lambda m: m.start)
    for (sa, sb), (na, nb) in zip(article.original_sentences, article.sentences):
        sent = article.text[na:nb]
        in_sentence = [m for m in by_start if sa <= m.start < sb]
        for ev in known:
            for all_, any_, needs_date in ev.cue_sets:
                hits = [rx.search(sent) for rx in all_]
                if not all(hits) or not all(any(rx.search(sent) for rx in group) for group in any_):
                    continue
                verdicts = [(m, _compatible(ev, m)) for m in in_sentence]
                agreeing = [m for m, v in verdicts if v]
                precise = [m for m, v in verdicts if v is False and (m.precision in ("day", "month") or m.month is not None)]
                if (needs_date or precise) and not agreeing:
                    continue
                cue = hits[0] if hits else None
                cs, ce = (cue.start() + na, cue.end() + na) if cue else (na, na)
                out.append({"event": ev, "sentence": (sa, sb), "cue": article.norm.to_original(cs, ce),
                            "mention": agreeing[0] if agreeing else None})
                break
    return out


def test_known_events_as_every_sentence_times_every_cue(shipped):
    from troopwatch.dates import find_dates
    from troopwatch.events import match_known_events

    texts = ["قتل قاسم سليماني في غارة أمريكية قرب مطار بغداد في 3 كانون الثاني 2020. وصوت البرلمان العراقي على "
             "قرار إخراج القوات الأجنبية بعد مقتل سليماني.", "هاجمت مسيرة البرج 22 في الأردن في 28 يناير."]
    articles = shipped + [Article.from_text(t, f"t{i}") for i, t in enumerate(texts)]
    found = 0
    for article in articles:
        mentions = find_dates(article)
        expected = _known_events_plainly(article, mentions)
        assert match_known_events(article, mentions) == expected
        assert match_known_events(article, mentions[:1]) == _known_events_plainly(article, mentions[:1])  # kept cues
        found += len(expected)
    assert found > 3


# --------------------------------------------------------------------------- claim timing


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 8)), max_size=12),
       st.integers(0, 60), st.integers(1, 5), st.integers(0, 10), st.integers(0, 20))
def test_nearest_paragraph_mention_as_the_plain_scan(spans, cs, width, before, after):
    from types import SimpleNamespace

    from troopwatch.timeline import _nearest, _nearest_outside

    dated = sorted((SimpleNamespace(start=a, end=a + n, i=i) for i, (a, n) in enumerate(spans)), key=lambda m: m.start)
    starts = [m.start for m in dated]
    ce = cs + width
    sentence = (max(0, cs - before), ce + after)
    para = (0, 70)
    longest = max((m.end - m.start for m in dated), default=0)
    plain = _nearest([m for m in dated if para[0] <= m.start < para[1] and not sentence[0] <= m.start < sentence[1]],
                     cs, ce)
    assert _nearest_outside(dated, starts, para, sentence, cs, ce, longest) is plain


def test_sentence_text_test_is_isalnum():
    import sys

    from troopwatch.text import _ALNUM

    assert all(c.isalnum() == bool(_ALNUM.match(c)) for c in map(chr, range(0, sys.maxunicode + 1, 7)))


def test_cue_patterns_tried_near_their_lead_word_as_finditer(shipped):
    from troopwatch.events import _LEAD, _REQUIRED, _Words, _events_lexicon, _matches_near

    known, generic = _events_lexicon()
    patterns = {rx.pattern: rx for ev in known for all_, any_, _n in ev.cue_sets
                for rx in all_ + tuple(r for g in any_ for r in g)}
    patterns.update({rx.pattern: rx for _, rx in generic})
    assert sum(p in _LEAD for p in patterns) > 0.9 * len(patterns)
    rng = random.Random(11)
    glue = ["", " ", "و", "ف", "ب", "ل", "لل", "وال", "فلل", "وبال", "فكال", "ات", "ها", "،", "1"]
    terms = [" ".join(_REQUIRED[p]) for p in patterns if p in _LEAD]
    texts = [a.text for a in shipped]
    texts += ["".join(rng.choice(glue) + rng.choice(terms) for _ in range(10)) for _ in range(60)]
    compared = 0
    for text in texts:
        words = _Words(text)
        for pattern, rx in patterns.items():
            if pattern not in _LEAD:
                continue
            at = words.starts(_LEAD[pattern])
            for a, b in ((0, len(text)), (len(text) // 3, 2 * len(text) // 3)):
                found = [m.span() for m in _matches_near(rx, text, a, b, at)]
                assert found == [m.span() for m in rx.finditer(text, a, b)], pattern
                compared += len(found)
            sub = text[5:]
            first = _matches_near(rx, sub, 0, len(sub), at, 5, first=True)
            plain = rx.search(sub)
            assert (first and first.span()) == (plain and plain.span()), pattern
    assert compared > 100
