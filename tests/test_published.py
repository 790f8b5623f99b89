"""Publication dates: metadata first, then a dateline, then inference from content (sidecar removed)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from troopwatch.corpus import load_corpus
from troopwatch.published import (PUBLISHED_COLUMNS, add_publication_dates, find_dateline, infer_publication,
                                  office_holder_constraints)

ROOT = Path(__file__).resolve().parents[1]
GOLD = yaml.safe_load((ROOT / "tests" / "gold" / "dates_articles.yml").read_text(encoding="utf-8"))["published"]


@pytest.fixture(scope="module")
def inferred():
    articles = load_corpus(ROOT / "data" / "raw").drop(columns=["published"])  # text alone
    return add_publication_dates(articles).set_index("id")


def _window(text):
    a, b = text.split("/")
    return dt.date.fromisoformat(a), dt.date.fromisoformat(b)


def test_columns_added_without_sidecar_column(inferred):
    assert set(PUBLISHED_COLUMNS) <= set(inferred.columns)
    assert set(inferred["published_basis"]) <= {"metadata", "dateline", "inferred", None}


@pytest.mark.parametrize("article", sorted(k for k, v in GOLD.items() if v["bar"] == "point"))
def test_point_estimates_within_a_few_days(inferred, article):
    row = inferred.loc[article]
    assert row["published"] is not None, row["published_evidence"]
    ref = dt.date.fromisoformat(GOLD[article]["reference"])
    assert abs((dt.date.fromisoformat(row["published"]) - ref).days) <= 4, row["published_evidence"]
    assert row["published_basis"] in ("dateline", "inferred")
    lo, hi = _window(row["published_window"])
    assert lo <= dt.date.fromisoformat(row["published"]) <= hi


@pytest.mark.parametrize("article", sorted(k for k, v in GOLD.items() if v["bar"] == "window"))
def test_people_only_articles_get_a_window_not_a_guess(inferred, article):
    row = inferred.loc[article]
    assert row["published"] is None
    lo, hi = _window(row["published_window"])
    ref = dt.date.fromisoformat(GOLD[article]["reference"])
    assert lo <= ref <= hi, row["published_evidence"]
    assert (hi - lo).days <= 400, row["published_window"]
    assert row["published_evidence"]


def test_dateline_article_uses_its_dateline(inferred):
    assert inferred.loc["004_d2ec3006b3035329", "published_basis"] == "dateline"
    assert inferred.loc["004_d2ec3006b3035329", "published"] == "2021-03-23"


def test_sidecar_wins_and_partial_sidecar_gives_a_window():
    articles = pd.DataFrame({"id": ["a", "b"], "text": ["23-مارس-2021\nنص", "نص بلا تاريخ"], "published": ["2020-05-01", "2021-03"]})
    out = add_publication_dates(articles)
    assert list(out["published_basis"]) == ["metadata", "metadata"]
    assert out.loc[0, "published"] == "2020-05-01"
    assert out.loc[1, "published_window"] == "2021-03-01/2021-03-31"


def test_dateline_forms():
    assert find_dateline("بغداد - الأحد 12 أبريل 2020\nقال مسؤول ...")[0] == "2020-04-12"
    assert find_dateline("نشر بتاريخ: 2021/03/23 - 10:30\nالعنوان")[0] == "2021-03-23"
    # a date inside a long first paragraph is not a dateline
    assert find_dateline("قال الوزير إن الاجتماع الذي عقد في 3 يناير 2020 كان مهما جدا للعلاقات بين البلدين وفق مصادر") is None


def test_office_holders_need_a_title_and_respect_former():
    assert office_holder_constraints("قال ترامب إن الوضع جيد") == []
    (current,) = office_holder_constraints("قال رئيس الوزراء العراقي مصطفى الكاظمي إن الوضع جيد")
    assert "iraq_prime_minister" in current.label
    (former,) = office_holder_constraints("انتقد رئيس الوزراء السابق مصطفى الكاظمي القرار")
    assert former.label.startswith("former")
    lo, hi = former.intervals[0]
    assert dt.date.fromordinal(lo) == dt.date(2022, 10, 27)


def test_empty_and_dateless_text():
    assert infer_publication("").published is None
    est = infer_publication("نص قصير بلا تواريخ ولا أسماء")
    assert est.published is None and est.window is None


def test_no_dependence_on_the_clock(monkeypatch):
    import troopwatch.published as published_module

    text = (ROOT / "data" / "raw" / "003_eafc00741987e60d.txt").read_text(encoding="utf-8")
    before = infer_publication(text)

    class FrozenDate(dt.date):
        @classmethod
        def today(cls):
            return cls(1990, 1, 1)

    monkeypatch.setattr(published_module.dt, "date", FrozenDate)
    after = infer_publication(text)
    assert (before.published, before.window_text) == (after.published, after.window_text)


def test_page_date_prefix_is_the_publication_date():
    # a stored page's own date before its text, at the precision it gives
    day = infer_publication(" date 2024-01-12 أعلن الجيش في 3 يناير 2020 وصول قوات.")
    assert (day.published, day.basis, day.window_text) == ("2024-01-12", "page_date", "2024-01-12/2024-01-12")
    month = infer_publication(" date 2019-03 وقال مسؤول إن القوات وصلت الأسبوع الماضي.")
    assert (month.published, month.basis, month.window_text) == ("2019-03", "page_date", "2019-03-01/2019-03-31")
    # only before the text: the same words inside it are nothing of the kind
    assert infer_publication("قال مسؤول date 2019-03 إن القوات وصلت.").basis != "page_date"
    # the sidecar still wins
    out = add_publication_dates(pd.DataFrame({"id": ["a"], "text": [" date 2019-03 نص"], "published": ["2019-03-04"]}))
    assert out.loc[0, "published_basis"] == "metadata"


def test_dateline_glued_to_the_headline_and_in_english():
    assert find_dateline("مقتل جنديين في الجنوبنشرت في 2007-04-05\nقال المتحدث")[0] == "2007-04-05"
    assert find_dateline("خبر عن القوات Wed, 13 Nov 2013 الساعة : 8:53\nوكالات")[0] == "2013-11-13"
    assert find_dateline("مقتل جندي أميركي في العراق 6 May 2020 أعلنت وزارة الدفاع أن الجندي توفي في حادث غير مرتبط بعملية")[0] == "2020-05-06"


def test_a_weekday_decides_the_year_of_a_year_less_date():
    est = infer_publication("سيطر التنظيم على المدينة في أيلول 2015.\nوقال الوزير اليوم الجمعة 22 كانون الأول إن العمليات انتهت.")
    assert est.published == "2017-12-22"  # the first 22 December after September 2015 that is a Friday


def test_a_text_later_than_the_lexicon_gets_a_window_not_a_day():
    """Dated only from below, past the office-holder lexicon's date: a year-long window, never one day."""
    est = infer_publication("قالت الوزارة إن القوات ستبقى، بعد أن انتهت المهمة عام 2031.\nوقال المتحدث إن الأمر حسم في سبتمبر الماضي.")
    lo, hi = est.window
    assert est.published is None and lo == dt.date(2031, 1, 1) and (hi - lo).days >= 300
    # so "last September" is not resolved against a single assumed day
    from troopwatch.dates import find_dates, resolve_for_article
    (sept,) = [m for m in resolve_for_article(find_dates("وحسم الأمر في سبتمبر الماضي."), None, est.window_text)]
    assert sept.value is None


def test_a_date_whose_year_its_sentence_names_is_not_read_after_later_dates():
    """'9 نيسان' after '20 مارس 2003' in its sentence is April 2003, not the first 9 April after the latest date."""
    est = infer_publication("بدأ الغزو في 20 مارس 2003، وفي 9 نيسان سقطت بغداد بعد معارك قصيرة.\n"
                            "وأعلن الجيش الأمريكي في بيان رسمي صدر في 5 يونيو 2004 انسحاب لواء كامل من المدينة.")
    assert est.published == "2004-06-05"


def test_the_current_month_narrows_a_window_to_that_month():
    est = infer_publication("قال وزير الدفاع الأمريكي مارك إسبر إن الهجوم يوم 8 كانون الثاني الحالي لم يقتل أحدا.")
    assert est.window == (dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    # alone it names no year: no window
    assert infer_publication("قتل 46 جنديا منذ بداية آب الحالي.").window is None
