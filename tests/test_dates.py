"""Date mentions: gold on the five articles and on written sentences, resolution, hostile input."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from troopwatch.corpus import load_corpus
from troopwatch.dates import (DATE_COLUMNS, KINDS, STATED_COLUMNS, date_mentions_table, find_dates, mention_from_row,
                              parse_iso, resolve_dates, resolve_for_article)

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
GOLD_ARTICLES = yaml.safe_load((ROOT / "tests" / "gold" / "dates_articles.yml").read_text(encoding="utf-8"))
GOLD_SENTENCES = yaml.safe_load((ROOT / "tests" / "gold" / "dates_sentences.yml").read_text(encoding="utf-8"))["sentences"]


def _gold_spans(text: str, entries: list[dict]) -> list[dict]:
    """Locate each gold mention (n-th occurrence) in the text."""
    out = []
    for e in entries:
        pos = -1
        for _ in range(int(e.get("occurrence", 1))):
            pos = text.find(e["mention"], pos + 1)
            assert pos >= 0, f"gold mention {e['mention']!r} not found in the text"
        out.append({**e, "start": pos, "end": pos + len(e["mention"])})
    return out


def _same_value(pred_value, pred_precision, gold: dict, tolerance_days: int = 0) -> bool:
    if pred_precision != gold["precision"]:
        return False
    if pred_value == gold["value"]:
        return True
    if tolerance_days and pred_precision == "day" and pred_value:
        return abs((dt.date.fromisoformat(pred_value) - dt.date.fromisoformat(gold["value"])).days) <= tolerance_days
    return False


def _score(pred: list[dict], gold: list[dict]) -> tuple[int, int, int]:
    """(true positives, predicted, gold): a hit overlaps a gold span and has its value and precision."""
    used = set()
    tp = 0
    for p in pred:
        for i, g in enumerate(gold):
            if i in used:
                continue
            if p["start"] < g["end"] and g["start"] < p["end"] and _same_value(p["value"], p["precision"], g, g.get("tolerance_days", 0)):
                used.add(i)
                tp += 1
                break
    return tp, len(pred), len(gold)


@pytest.fixture(scope="module")
def gold_articles_table():
    articles = load_corpus(RAW)
    # resolve against the true publication dates worked out in the gold file
    articles["published"] = [GOLD_ARTICLES["published"][i]["reference"] for i in articles["id"]]
    return articles, date_mentions_table(articles)


def test_articles_precision_and_recall(gold_articles_table):
    articles, table = gold_articles_table
    tp = npred = ngold = 0
    misses = []
    for rec in articles.to_dict("records"):
        gold = _gold_spans(rec["text"], GOLD_ARTICLES["mentions"][rec["id"]])
        pred = table[table["article"] == rec["id"]].to_dict("records")
        a, b, c = _score(pred, gold)
        tp, npred, ngold = tp + a, npred + b, ngold + c
        if a < max(b, c):
            misses.append((rec["id"], [(p["mention"], p["value"]) for p in pred]))
    precision, recall = tp / npred, tp / ngold
    assert precision >= 0.95 and recall >= 0.95, (precision, recall, misses)


def test_articles_kinds_match_gold(gold_articles_table):
    articles, table = gold_articles_table
    agree = total = 0
    for rec in articles.to_dict("records"):
        gold = _gold_spans(rec["text"], GOLD_ARTICLES["mentions"][rec["id"]])
        pred = table[table["article"] == rec["id"]].to_dict("records")
        for g in gold:
            hit = next((p for p in pred if p["start"] < g["end"] and g["start"] < p["end"]), None)
            total += 1
            agree += bool(hit and hit["kind"] == g["kind"])
    assert agree / total >= 0.9


@pytest.mark.parametrize("case", GOLD_SENTENCES, ids=[c["text"][:30] for c in GOLD_SENTENCES])
def test_written_sentences(case):
    found = resolve_dates(find_dates(case["text"]), case["published"])
    pred = [{"start": m.start, "end": m.end, "value": m.value, "precision": m.precision, "kind": m.kind, "mention": m.mention}
            for m in found]
    gold = [{**g, "tolerance_days": 1 if "هـ" in g["mention"] else 0} for g in _gold_spans(case["text"], case["expect"])]
    assert len(pred) == len(gold), pred
    tp, _, _ = _score(pred, gold)
    assert tp == len(gold), pred
    for g in gold:
        hit = next(p for p in pred if p["start"] < g["end"] and g["start"] < p["end"])
        assert hit["kind"] == g["kind"], (hit, g)


def test_spans_are_exact_original_text():
    text = "قال الوزير إن الاجتماع عُقد في ٢٤ كَانُون الثَّانِي/يناير ٢٠٢٤ ببغداد."
    (m,) = find_dates(text)
    assert text[m.start:m.end] == m.mention
    assert m.value == "2024-01-24" and m.precision == "day" and m.status == "stated"


def test_find_dates_states_only_what_the_text_says():
    found = {m.mention: m for m in find_dates("اجتمعوا في 24 كانون الثاني/يناير ثم يوم الأربعاء، وفي فبراير 2020.")}
    # day and month without a knowable year: ISO 8601's truncated form, still unresolved
    assert found["24 كانون الثاني/يناير"].value == "--01-24" and found["24 كانون الثاني/يناير"].status == "unresolved"
    assert found["يوم الأربعاء"].value is None
    assert found["فبراير 2020"].value == "2020-02" and found["فبراير 2020"].status == "stated"


def test_resolution_says_from_what_and_needs_a_date():
    mentions = find_dates("سلمت الرسالة يوم الأربعاء الماضي.")
    assert resolve_dates(mentions, None)[0].status == "unresolved"
    (r,) = resolve_dates(mentions, "2024-01-25")
    assert r.status == "resolved" and r.value == "2024-01-24" and r.resolved_from == "published 2024-01-25"
    # a publication month is enough for a year-less month, not for a weekday
    month_only = resolve_dates(find_dates("وصلت القوات في آب/أغسطس."), "2021-03")
    assert month_only[0].value == "2020-08"
    assert resolve_dates(mentions, "2024-01")[0].status == "unresolved"


def test_since_window_ends_at_publication():
    (m,) = resolve_dates(find_dates("شنت الفصائل منذ أكتوبر 2023 أكثر من 150 هجوما."), "2024-02-01")
    assert (m.window_start, m.window_end) == ("2023-10", "2024-02-01")


def test_no_resolution_uses_the_clock(monkeypatch):
    """Resolution depends on the publication date only: a patched clock changes nothing."""
    import troopwatch.dates as dates_module

    class FrozenDate(dt.date):
        @classmethod
        def today(cls):
            return cls(1999, 1, 1)

    text = "وصل الوفد الأسبوع الماضي، يوم الثلاثاء، وفي آب/أغسطس، والعام الماضي وأمس."
    before = [m.value for m in resolve_dates(find_dates(text), "2021-03-23")]
    monkeypatch.setattr(dates_module.dt, "date", FrozenDate)
    after = [m.value for m in resolve_dates(find_dates(text), "2021-03-23")]
    assert before == after
    assert all(v is None or v.startswith(("2020", "2021")) for v in after)
    assert all(m.value is None for m in find_dates(text) if m.status == "unresolved")


def test_table_columns_and_empty():
    empty = date_mentions_table(pd.DataFrame({"id": [], "text": [], "published": []}))
    assert list(empty.columns) == DATE_COLUMNS + STATED_COLUMNS
    table = date_mentions_table(pd.DataFrame({"id": ["a"], "text": ["في 3 يناير 2020 ويوم الأحد."], "published": [None]}))
    assert list(table.columns) == DATE_COLUMNS + STATED_COLUMNS
    assert set(table["kind"]) <= set(KINDS)
    assert table.loc[table["kind"] == "weekday", "status"].item() == "unresolved"


def test_table_rows_read_back_to_the_same_mentions():
    """What a mention knows (a since window, its direction, relative unit) survives the table."""
    text = "شنت الفصائل منذ أكتوبر 2023 أكثر من 150 هجوما، وستنسحب القوات الشهر المقبل."
    table = date_mentions_table(pd.DataFrame({"id": ["a"], "text": [text], "published": ["2024-02-01"]}))
    mentions = resolve_dates(find_dates(text), "2024-02-01")
    assert [mention_from_row(r) for r in table.to_dict("records")] == mentions
    since = table[table["mention"].str.contains("منذ")]
    assert since["since"].tolist() == [True]


def test_parse_iso_rejects_junk():
    assert parse_iso("2021-02-30") is None and parse_iso("soon") is None and parse_iso(None) is None
    assert parse_iso("2021-03") == (dt.date(2021, 3, 1), "month")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list("0123456789٠١٢٣ -/.،يناركوبشطسمحزتلأإآعامالماضي\u064e\u0640") + [
    "كانون الثاني", "2020", "منذ ", "يوم ", "الأسبوع الماضي", "رمضان", " 1441 هـ", "/يناير"]), max_size=40).map("".join))
def test_hostile_text_never_crashes_and_spans_stay_inside(text):
    for m in resolve_dates(find_dates(text), "2021-03-23"):
        assert 0 <= m.start <= m.end <= len(text)
        assert text[m.start:m.end] == m.mention


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=200))
def test_random_unicode(text):
    for m in find_dates(text):
        assert 0 <= m.start <= m.end <= len(text)


def test_huge_single_line_and_digits_only():
    assert find_dates("") == []
    assert find_dates("1234567890" * 1000) == []
    big = ("كلام عادي بلا تواريخ " * 250_000)[:5_000_000] + " في 3 يناير 2020"
    found = find_dates(big)
    assert [m.value for m in found] == ["2020-01-03"]


def test_the_year_named_before_resolves_with_its_basis_and_publication_does_not_move_it():
    text = "دخلت القوات البلاد في آذار 2003، ثم سقطت العاصمة في 9 نيسان."
    found = {m.mention: m for m in find_dates(text)}
    anchored = found["9 نيسان"]
    assert anchored.status == "resolved" and anchored.value == "2003-04-09"
    assert anchored.year is None and "آذار 2003" in anchored.resolved_from   # the text stated no year: the basis says whose
    (later,) = [m for m in resolve_dates(find_dates(text), "2023-03-20") if m.mention == "9 نيسان"]
    assert later.value == "2003-04-09"
    # a weekday written with the date must agree with the year (9 April 2003 was a Wednesday)
    (friday,) = [m for m in find_dates("دخلت القوات البلاد في آذار 2003، ثم سقطت العاصمة الجمعة 9 نيسان.")
                 if "نيسان" in m.mention]
    assert friday.status == "unresolved" and friday.value == "--04-09"


def test_same_year_needs_a_year_in_its_paragraph():
    (m,) = [x for x in find_dates("أعلن الجيش ذلك عام 2018.\nوسلمت القاعدة في مايو من نفس العام.") if "مايو" in x.mention]
    assert m.status == "unresolved" and m.value is None
    (m,) = [x for x in find_dates("أعلن الجيش ذلك عام 2018، وسلمت القاعدة في مايو من نفس العام.") if "مايو" in x.mention]
    assert m.value == "2018-05" and m.precision == "month"


def test_bare_today_resolves_only_against_a_publication_day():
    text = "غادرت آخر دفعة من الجنود البلاد اليوم على متن طائرات."
    (m,) = find_dates(text)
    assert m.mention == "اليوم" and m.status == "unresolved" and m.value is None
    assert resolve_dates([m], "2006-07")[0].value is None
    assert resolve_dates([m], "2006-07-08")[0].value == "2006-07-08"


def test_a_publication_year_resolves_what_a_year_decides():
    text = "انسحبت القوات العام الماضي، وفي شباط، ومنذ مطلع آب الحالي، وفي تموز من العام الجاري."
    got = {m.mention: m.value for m in resolve_dates(find_dates(text), "2008")}
    assert got["العام الماضي"] == "2007"
    assert got["شباط"] is None            # February 2008 or 2007: the year alone does not say
    assert got["ومنذ مطلع آب الحالي"] == "2008-08"
    assert got["تموز من العام الجاري"] == "2008-07"


def test_the_current_month_is_read_from_a_window_that_holds_it_once():
    text = "لم يقتل أي عسكري في الهجوم يوم 8 كانون الثاني الحالي، ووصلت التعزيزات في 3 آب الجاري."
    got = {m.mention: m for m in resolve_for_article(find_dates(text), None, "2019-07-23/2020-11-09")}
    assert got["يوم 8 كانون الثاني الحالي"].value == "2020-01-08"
    assert "2019-07-23/2020-11-09" in got["يوم 8 كانون الثاني الحالي"].resolved_from
    assert got["3 آب الجاري"].value == "--08-03"   # August 2019 and August 2020 are both in the window


def test_trie_alternation_matches_what_the_word_alternation_matches():
    """The date patterns merge their terms' prefixes; they must find exactly what one branch per term finds."""
    import random
    import re

    from troopwatch.dates import _alt
    from troopwatch.lexicons import load_lexicon
    from troopwatch.words import alternation

    names = [n for system in load_lexicon("months")["systems"].values() for ns in system["months"].values() for n in ns]
    names += [n for ns in load_lexicon("date_cues")["day_ordinals"].values() for n in ns]
    rng = random.Random(7)
    pieces = names + ["و", "ب", " ", "  ", "ال", "من ", "2020", "،"]
    texts = ["".join(rng.choice(pieces) for _ in range(12)) for _ in range(300)]
    trie, flat = (re.compile(rf"(?<![\w])(?:[وف]?[بلك]?)({a})(?!\w)") for a in (_alt(names), alternation(names)))
    for text in texts:
        assert [m.span(1) for m in trie.finditer(text)] == [m.span(1) for m in flat.finditer(text)], text


def test_english_year_less_dates_follow_the_same_conventions():
    from troopwatch.dates_en import find_dates_en

    got = {m.mention: m for m in find_dates_en("Troops entered Iraq in March 2003 and Baghdad fell on April 9. A strike followed on Jan. 8.")}
    assert got["April 9"].value == "2003-04-09" and "March 2003" in got["April 9"].resolved_from
    assert got["Jan. 8"].value == "--01-08" and got["Jan. 8"].status == "unresolved"   # a new sentence: no year known


def test_resolution_names_where_the_publication_date_came_from():
    (m,) = resolve_for_article(find_dates("سلمت الرسالة يوم الأربعاء الماضي."), "2024-01-25", None, "dateline")
    assert m.value == "2024-01-24" and m.resolved_from == "published 2024-01-25 (dateline)"
    table = date_mentions_table(pd.DataFrame({"id": ["a"], "text": ["وصل الوفد أمس."], "published": ["2024-01-25"],
                                              "published_basis": ["inferred"]}))
    assert table["resolved_from"].tolist() == ["published 2024-01-25 (inferred)"]


EVENT_SENTENCES = yaml.safe_load((ROOT / "tests" / "gold" / "dates_sentences.yml").read_text(encoding="utf-8"))["event_sentences"]


@pytest.mark.parametrize("case", EVENT_SENTENCES, ids=[c["text"][:30] for c in EVENT_SENTENCES])
def test_year_less_dates_take_the_year_of_the_known_event_named_with_them(case):
    from troopwatch.article import Article
    from troopwatch.pipeline import extract_article

    row = {"id": "s", "text": case["text"]}
    if case.get("published"):
        row["published"] = case["published"]
    result = extract_article(Article.from_text(case["text"], "s", row))
    rows = result["dates"]
    if case.get("published_window_starts"):
        assert str(result["published"]["published_window"]).startswith(case["published_window_starts"]), result["published"]
    for e in case["expect"]:
        (hit,) = [r for r in rows if r["mention"] == e["mention"]]
        assert hit["value"] == e["value"] or (e["value"] is None and (hit["value"] or "--").startswith("--")), hit
        if e.get("resolved_from"):
            assert str(hit["resolved_from"]).startswith(e["resolved_from"]), hit
        if e["value"] is None:
            assert hit["status"] == "unresolved", hit


def test_an_anniversary_counts_its_years():
    from troopwatch.dates import anniversary_count
    from troopwatch.text import normalize

    def count(s):
        return anniversary_count(normalize(s).text)

    assert count("في الذكرى الـ 20 للغزو") == 20
    assert count("الذكرى السنوية الأولى لاغتيال القائد") == 1
    assert count("وبمناسبة الذكرى العشرين للحرب") == 20
    assert count("في ذكرى الغزو") == 0
    assert count("قصفت الطائرات بغداد في 20 مارس") is None


def test_today_alone_on_a_line_after_one_word_is_a_name():
    # an outlet's name or a heading on its own line is no date; the same words in a clause are
    assert [m.mention for m in find_dates("انفجار قرب السفارة\n\nأخبار اليوم\n\nقال مصدر أمني إن الصواريخ سقطت.")] == []
    assert [m.mention for m in find_dates("غادرت القوات اليوم.")] == ["اليوم"]
    assert [m.mention for m in find_dates("وقال الوزير اليوم إن القوات باقية.")] == ["اليوم"]
