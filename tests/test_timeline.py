"""Claim times and the events table, with hand-built claims in the claims schema."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from troopwatch.corpus import load_corpus
from troopwatch.dates import date_mentions_table
from troopwatch.published import add_publication_dates
from troopwatch.text import sentence_spans
from troopwatch.events import EVENT_COLUMNS, events_table
from troopwatch.timeline import attach_claim_times

ROOT = Path(__file__).resolve().parents[1]
CLAIM_COLUMNS = ["article", "kind", "value", "low", "high", "qualifier", "actor", "place", "refers_to",
                 "refers_to_precision", "window_start", "mention", "sentence", "sentence_start", "sentence_end",
                 "start", "end", "extractor_version"]


def _claim(article: str, text: str, mention: str, kind: str = "troops", occurrence: int = 1) -> dict:
    pos = -1
    for _ in range(occurrence):
        pos = text.find(mention, pos + 1)
    assert pos >= 0, mention
    ss, se = next((a, b) for a, b in sentence_spans(text) if a <= pos < b)
    return {"article": article, "kind": kind, "value": None, "low": None, "high": None, "qualifier": None,
            "actor": None, "place": None, "refers_to": None, "refers_to_precision": None, "window_start": None,
            "mention": mention, "sentence": text[ss:se], "sentence_start": ss, "sentence_end": se,
            "start": pos, "end": pos + len(mention), "extractor_version": "test"}


@pytest.fixture(scope="module")
def corpus():
    articles = add_publication_dates(load_corpus(ROOT / "data" / "raw"))
    return articles, date_mentions_table(articles)


def test_claim_times_sentence_paragraph_published(corpus):
    articles, dates = corpus
    texts = articles.set_index("id")["text"]
    a001, a002, a004 = "001_4369b23af4035cdd", "002_19a3caf8993365fc", "004_d2ec3006b3035329"
    claims = pd.DataFrame([
        _claim(a001, texts[a001], "أكثر من 150 هجومًا", kind="attacks"),
        _claim(a004, texts[a004], "حوالي 2500"),
        _claim(a004, texts[a004], "خلال 12 شهرًا", kind="other"),
        _claim(a002, texts[a002], "2500 جندي"),
    ], columns=CLAIM_COLUMNS)
    out = attach_claim_times(claims, articles, dates)
    assert list(out.columns[:len(CLAIM_COLUMNS)]) == CLAIM_COLUMNS and "refers_to_basis" in out.columns
    # cumulative count "since October 2023": a window from October 2023 to publication
    r = out.iloc[0]
    assert (r["refers_to_basis"], r["window_start"]) == ("sentence", "2023-10")
    assert r["refers_to"] == articles.set_index("id").loc[a001, "published"]
    # no date in the sentence or paragraph: the publication date (metadata)
    r = out.iloc[1]
    assert (r["refers_to"], r["refers_to_precision"], r["refers_to_basis"]) == ("2021-03-23", "day", "published")
    # an undated article known only to a window: the window, never a point guess nor the clock
    r = out.iloc[3]
    window = articles.set_index("id").loc[a002, "published_window"]
    assert r["refers_to"] is None and r["refers_to_basis"] == "published_window"
    assert r["refers_to_window"] == window and window.count("/") == 1


def test_claim_time_from_sentence_and_paragraph():
    text = "في 3 يناير 2020 كان في العراق 5200 جندي. ولاحقا خفضت القوات إلى 3000 جندي.\nفقرة ثانية عن 2500 جندي."
    articles = pd.DataFrame({"id": ["x"], "text": [text], "published": ["2020-06-01"]})
    dates = date_mentions_table(articles)
    claims = pd.DataFrame([_claim("x", text, "5200 جندي"), _claim("x", text, "3000 جندي"), _claim("x", text, "2500 جندي")],
                          columns=CLAIM_COLUMNS)
    out = attach_claim_times(claims, articles, dates)
    assert list(out["refers_to_basis"]) == ["sentence", "paragraph", "published"]
    assert list(out["refers_to"]) == ["2020-01-03", "2020-01-03", "2020-06-01"]
    assert list(out["refers_to_precision"]) == ["day", "day", "day"]


def test_since_a_known_event_opens_the_window():
    text = "وتعرضت القوات الأمريكية لأكثر من 100 هجوم منذ بدء حرب غزة."
    articles = pd.DataFrame({"id": ["g"], "text": [text], "published": ["2024-01-10"]})
    dates = date_mentions_table(articles)
    out = attach_claim_times(pd.DataFrame([_claim("g", text, "100 هجوم", kind="attacks")], columns=CLAIM_COLUMNS), articles, dates)
    assert out.loc[0, "window_start"] == "2023-10-07"


def test_empty_claims_keep_schema(corpus):
    articles, dates = corpus
    out = attach_claim_times(pd.DataFrame(columns=CLAIM_COLUMNS), articles, dates)
    assert "refers_to_basis" in out.columns and out.empty


def test_events_table_finds_the_dated_events(corpus):
    articles, dates = corpus
    events = events_table(articles, dates)
    assert list(events.columns) == EVENT_COLUMNS
    def has(article, date, word):
        sub = events[(events["article"] == article) & (events["date"] == date)]
        return any(word in e for e in sub["event"])
    assert has("001_4369b23af4035cdd", "2020-01-03", "Soleimani")
    assert has("001_4369b23af4035cdd", "2024-01-28", "Jordan")
    assert has("000_6d420342642e164b", "2020-01-05", "parliament")
    assert has("004_d2ec3006b3035329", "2020-01-05", "parliament")
    for rec in events.to_dict("records"):
        text = articles.set_index("id").loc[rec["article"], "text"]
        assert rec["sentence"] in text and 0 <= rec["start"] < rec["end"] <= len(text)
    # a sentence with only a count and no date makes no generic event
    assert not ((events["article"] == "002_19a3caf8993365fc") & events["event"].str.startswith("attack")).any()


def test_dates_in_a_later_clause_are_those_the_date_by_date_search_finds():
    """_same_clause keeps exactly the dates _in_later_clause keeps, however openers and dates are interleaved."""
    import random
    import re

    from troopwatch.article import Article
    from troopwatch.dates import find_dates
    from troopwatch.timeline import _clause_opener_re, _in_later_clause, _same_clause

    rng = random.Random(3)
    pieces = ["وصل 2500 جندي", "الذي", "التي", "قبل  أن", "حين", "في 12 مارس 2014", "عام 2019", "إلى القاعدة",
              "وحين", "بعد أن", "في 3 يونيو 2020", "مارس 2021", "الجنود", "قبل     أن", "بعد\t \tأن", "حين2018",
              "قبل أن2017", "اللذين"]
    # the lexicon's openers, and a pattern whose match can run from before a date into it (a search cut at the
    # date's start does not find it, one cut at a later date does)
    for opener in (_clause_opener_re(), re.compile(r"في\s+12\s+مارس|قبل\s+أن")):
        checked = 0
        for _ in range(100):
            text = " ".join(rng.choice(pieces) for _ in range(rng.randint(3, 30))) + "."
            if rng.random() < 0.3:
                text = text.replace(" في", "في", 1)  # a word glued to the one before it
            article = Article.from_text(text, "t")
            mentions = sorted(find_dates(article), key=lambda m: m.start)
            for claim_end in range(0, len(text), 7):
                expected = [m for m in mentions if not _in_later_clause(article, claim_end, m, opener)]
                assert _same_clause(article, claim_end, mentions, opener) == expected
                checked += len(mentions) > len(expected)
        assert checked > 20  # some dates were in a later clause
