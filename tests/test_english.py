"""English articles: claims and dates of the written sentences, language of an article, mixed articles.

The sentences (tests/gold/en_sentences.yml) were written for the suite; each
states its claims and dates by hand.  Claims match on (mention, kind, value);
qualifier, bounds, actor and place are scored on the matched ones.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from troopwatch.article import Article, detect_language
from troopwatch.claims_en import extract_claims_by_language, extract_claims_en
from troopwatch.dates import resolve_dates
from troopwatch.dates_en import find_dates_by_language, find_dates_en
from troopwatch.numbers_en import find_numbers_en
from troopwatch.pipeline import extract_article
from troopwatch.published_en import find_dateline_en

GOLD = Path(__file__).resolve().parent / "gold" / "en_sentences.yml"


def _sentences():
    return yaml.safe_load(GOLD.read_text(encoding="utf-8"))["sentences"]


@pytest.fixture(scope="module")
def claim_scores():
    tp = fp = fn = 0
    agree = {"qualifier": 0, "bounds": 0, "actor": 0, "place": 0}
    for s in _sentences():
        art = Article.from_text(s["text"], "s", {"language": "en"})
        pred = [(c.mention, c.kind, c.value, c) for c in extract_claims_en(art)]
        gold = s.get("claims") or []
        free = list(pred)
        for g in gold:
            # the gold mention sometimes leaves out the qualifier word ("2,500" of "about 2,500")
            hit = next((p for p in free if g["mention"] in p[0] and p[1] == g["kind"] and p[2] == g["value"]), None)
            if hit is None:
                fn += 1
                continue
            free.remove(hit)
            tp += 1
            c = hit[3]
            agree["qualifier"] += c.qualifier == g["qualifier"]
            agree["bounds"] += (c.low, c.high) == (g["low"], g["high"])
            agree["actor"] += c.actor == g["actor"]
            agree["place"] += c.place == g["place"]
        fp += len(free)
    return tp, fp, fn, agree


def test_written_sentences_claims_precision_recall(claim_scores):
    tp, fp, fn, _ = claim_scores
    p, r = tp / (tp + fp), tp / (tp + fn)
    assert p >= 0.9, f"precision {p:.2f} (tp {tp}, fp {fp})"
    assert r >= 0.9, f"recall {r:.2f} (tp {tp}, fn {fn})"


def test_written_sentences_qualifier_bounds_actor_place(claim_scores):
    tp, _, _, agree = claim_scores
    assert agree["qualifier"] / tp >= 0.95, agree
    assert agree["bounds"] / tp >= 0.95, agree
    assert agree["actor"] / tp >= 0.8, agree
    assert agree["place"] / tp >= 0.8, agree


def test_written_sentences_dates_precision_recall():
    tp = fp = fn = right = 0
    for s in _sentences():
        mentions = resolve_dates(find_dates_en(s["text"]), s.get("published"))
        gold = list(s.get("dates") or [])
        for m in mentions:
            g = next((g for g in gold if g["mention"] in m.mention or m.mention in g["mention"]), None)
            if g is None:
                fp += 1
                continue
            gold.remove(g)
            tp += 1
            right += str(m.value) == str(g["value"])
        fn += len(gold)
    assert tp / (tp + fp) >= 0.9 and tp / (tp + fn) >= 0.9, (tp, fp, fn)
    assert right / tp >= 0.9, (right, tp)


@pytest.mark.parametrize("text, value, low, high, qualifier", [
    ("5,200 troops", 5200, 5200, 5200, "exact"),
    ("two dozen soldiers", 24, 24, 24, "exact"),
    ("several hundred advisers", 200, 200, 999, "vague"),
    ("dozens of attacks", 24, 24, 99, "vague"),
    ("a few thousand troops", 3000, 3000, 9999, "vague"),
    ("tens of thousands of fighters", 20000, 20000, 99999, "vague"),
    ("more than 2,000 troops", 2000, 2000, None, "at_least"),
    ("roughly 2,500 troops", 2500, 2500, 2500, "approx"),
    ("up to 4,000 personnel", 4000, None, 4000, "at_most"),
    ("between 4,000 and 5,000 troops", 4000, 4000, 5000, "range"),
    ("as many as 1,500 troops", 1500, None, 1500, "at_most"),
    ("nearly 350 troops", 350, 350, 350, "approx"),
    ("fewer than 1,000 troops", 1000, None, 1000, "at_most"),
    ("One hundred and fifty carabinieri", 150, 150, 150, "exact"),
])
def test_english_number_forms(text, value, low, high, qualifier):
    m = find_numbers_en(text)[0]
    assert (m.value, m.low, m.high, m.qualifier) == (value, low, high, qualifier)
    assert text[m.start:m.end] == m.text


@pytest.mark.parametrize("text, published, mention, value", [
    ("Rockets hit the base on Jan. 8, officials said.", "2020-01-10", "Jan. 8", "2020-01-08"),
    ("The strike came on October 17.", "2023-10-20", "October 17", "2023-10-17"),
    ("Talks ended on Dec 23, 2023 in Baghdad.", None, "Dec 23, 2023", "2023-12-23"),
    ("Attacks have risen since mid-October.", "2023-12-01", "mid-October", "2023-10"),
    ("The drills took place last week.", "2024-02-14", "last week", "2024-02"),
    ("The coalition was formed in 2019.", None, "2019", "2019"),
])
def test_english_dates_resolve_against_publication(text, published, mention, value):
    found = resolve_dates(find_dates_en(text), published)
    m = next(m for m in found if mention in m.mention)
    assert m.value == value
    assert text[m.start:m.end] == m.mention


def test_language_from_metadata_else_from_script():
    en = "Two U.S. soldiers were killed in Iraq on Tuesday."
    assert Article.from_text(en).language == "en"
    assert Article.from_text(en).language_basis == "script"
    tagged = Article.from_text(en, row={"language": "en-US"})
    assert (tagged.language, tagged.language_basis) == ("en", "metadata")
    assert detect_language("قتل جنديان أمريكيان في العراق") == "ar"


def test_a_mixed_article_is_read_sentence_by_sentence():
    text = ("أعلن البنتاغون سحب 2500 جندي من العراق.\n"
            "The Pentagon said 900 U.S. troops would stay in Syria.")
    art = Article.from_text(text, "m")
    assert art.sentence_languages[0] == "ar" and set(art.sentence_languages[1:]) == {"en"}
    claims = extract_claims_by_language(art)
    assert [(c.value, c.place) for c in claims] == [(2500, "Iraq"), (900, "Syria")]
    assert text[claims[1].start:claims[1].end] == "900"


@pytest.mark.parametrize("text", [
    "أعلن البنتاغون سحب 2500 جندي.\n2024!\nThe Pentagon said 900 troops would stay. ثم غادر",
    "أعلن البنتاغون سحب ٢٥٠٠ جُندي.\n2024!\nقال مسؤول إن الانسحاب يبدأ غدا؟ 15 - 20",
])
def test_each_sentence_has_the_script_of_its_letters(text):
    from troopwatch.article import script_of

    art = Article.from_text(text, "s")
    assert art.sentence_languages == [script_of(text[a:b]) for a, b in art.original_sentences]
    assert "und" in art.sentence_languages and "ar" in art.sentence_languages


def test_an_arabic_article_is_read_as_before():
    from troopwatch.claims import extract_claims
    from troopwatch.dates import find_dates

    text = "قال مسؤول إن نحو 2500 جندي أمريكي ما زالوا في العراق منذ 5 آذار 2019."
    art = Article.from_text(text)
    assert extract_claims_by_language(art) == extract_claims(art)
    assert find_dates_by_language(art) == find_dates(art)


@pytest.mark.parametrize("text, value", [
    ("BAGHDAD, Jan 8 (Reuters) - Iran fired missiles at two bases in 2020 on Wednesday.\nMore text.", "2020-01-08"),
    (" date 2019-03-01 BRUSSELS (AP) — NATO said it would expand its mission.", "2019-03-01"),
    ("WASHINGTON, March 14, 2024 (Reuters) - The United States will withdraw 1,200 troops.", "2024-03-14"),
])
def test_english_publication_dateline(text, value):
    art = Article.from_text(text, "d")
    result = extract_article(art)
    assert result["published"]["published"] == value
    assert result["published"]["published_basis"] == "dateline"
    assert find_dateline_en(art, find_dates_en(text)) is not None


def test_english_article_rows_have_the_arabic_columns():
    art = Article.from_text("U.S. forces were attacked 58 times in Iraq since Oct. 17, the Pentagon said.", "x",
                            {"published": "2023-12-10"})
    result = extract_article(art)
    [claim] = result["claims"]
    assert (claim["kind"], claim["value"], claim["place"]) == ("attacks", 58, "Iraq")
    [date] = result["dates"]
    assert (date["mention"], date["value"], date["since"]) == ("Oct. 17", "2023-10-17", True)


def test_english_framing_is_scored_on_the_arabic_scale():
    from troopwatch.framing import analyse_article, table_columns

    text = ("WASHINGTON (Reuters) - The Pentagon said on Tuesday it would withdraw troops from Iraq by September "
            "under a timetable, officials said, after rocket attacks by Iran-backed militias. Talks with Baghdad go on.")
    row, evidence = analyse_article(Article.from_text(text, "e", {"language": "en"}))
    assert list(row) == table_columns()
    assert row["frame_security_count"] >= 2 and row["frame_diplomacy_count"] >= 1 and row["frame_iran_influence_count"] >= 1
    assert row["stance"] == "imminent_or_scheduled"
    assert row["actor_us_count"] >= 1 and row["actor_armed_factions_count"] >= 1
    assert row["hedging_reported"] >= 1
    for e in evidence:
        assert text[e["start"]:e["end"]] == e["matched"]


def test_english_sources_named_anonymous_agency():
    from troopwatch.attribution_en import named_sources_en, source_mentions_en

    text = ("Pentagon spokesman John Carter said the strikes hit three sites. "
            "Lieutenant General Ali Hassan, a spokesman for the Iraqi army, told AFP the base was safe. "
            "Two U.S. officials, speaking on condition of anonymity, said more raids were planned.")
    art = Article.from_text(text, "s")
    named = {s.name: s.role for s in named_sources_en(art)}
    assert named == {"John Carter": "Pentagon spokesman", "Ali Hassan": "spokesman for the Iraqi army"}
    kinds = {(m.kind, m.name) for m in source_mentions_en(art)}
    assert ("agency", "AFP") in kinds
    assert any(k == "anonymous" for k, _ in kinds)


def test_distinctive_terms_are_computed_within_a_language():
    import pandas as pd

    from troopwatch.distinctive import distinctive_terms

    articles = pd.DataFrame({
        "id": ["a", "b", "c", "d"],
        "language": ["en", "en", "ar", "ar"],
        "outlet": ["x", "y", "x", "y"],
        "text": ["troops troops withdrawal Baghdad", "militia rockets attacks Baghdad",
                 "انسحاب القوات الأمريكية من العراق", "هجمات الفصائل على القواعد"],
    })
    table = distinctive_terms(articles, group_by="outlet")
    assert set(table["group"]) == {"x [en]", "y [en]", "x [ar]", "y [ar]"}
    en_terms = set(table.loc[table["group"].str.endswith("[en]"), "display"])
    assert en_terms and all(t.isascii() for t in en_terms)


@pytest.mark.parametrize("item", [s for s in _sentences() if s.get("strict")], ids=lambda s: s["text"][:48])
def test_whose_count(item):
    """Sentences written for one construction each: every claim, no extra, its owner and where the owner was read."""
    from troopwatch.claims import ACTOR_BASES

    art = Article.from_text(item["text"], "s", {"language": "en"})
    pred = [(c.mention, c.kind, c.value, c.actor, c.actor_basis) for c in extract_claims_en(art)]
    gold = [(g["mention"], g["kind"], g["value"], g["actor"], g["actor_basis"]) for g in item.get("claims") or []]
    assert pred == gold
    assert all(p[4] in ACTOR_BASES for p in pred)


def test_english_dates_tried_at_latin_word_starts_are_those_of_a_full_scan(monkeypatch):
    """An Arabic article with a few English words is scanned only where a Latin word or a number starts: the same
    mentions as every pattern run over the whole text (checked with that shortcut taken on every text)."""
    import dataclasses
    import random

    from troopwatch import dates_en

    rng = random.Random(5)
    pieces = ["May 5, 2020", "last week", " ", "٢٠١٩", "2019-2020", "since mid-October", "\u212a", "\u017f", "\u0130",
              "\u0131", "x", "Tuesday", "أمس", "قال مسؤول", "a", "three days ago", "3/19/2003", "2019-03-01", "\n", ",",
              "end of the year", "nextweek", "٥ March", "-", "MONDAY", "THIS WEEK", "Sept.", "12th", "(Reuters)"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(400)]
    rows = lambda ms: [dataclasses.astuple(m) for m in ms]  # noqa: E731
    monkeypatch.setattr(dates_en, "_starts", lambda text, lex: None)
    full = [rows(find_dates_en(t)) for t in texts]
    monkeypatch.undo()
    monkeypatch.setattr(dates_en, "_PLACE_COST", 1)  # the places tried however many there are
    assert dates_en._lex().latin_led
    assert [rows(find_dates_en(t)) for t in texts] == full
    assert sum(map(len, full)) > 300
