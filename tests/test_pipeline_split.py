"""A long article's stages on two cores: a forked child finds and times the claims while the parent runs the rest.

The split is forced on short articles (the threshold is a parameter) and compared with the one-process
extraction; an error in the child is raised in the parent as the one-process path raises it, naming the
article, and no child process is left behind whatever fails.
"""
from __future__ import annotations

import os
import threading
import time

import psutil
import pytest

from troopwatch import cli, pipeline
from troopwatch.corpus import load_corpus

# Written for these tests: claims, dates, events, framing cues; one in Arabic and English sentences.
ARABIC = (
    "قال مسؤول عسكري أمريكي يوم 12 آذار 2024 إن نحو 2500 جندي أمريكي ما زالوا منتشرين في العراق. "
    "وأضاف أن قاعدة عين الأسد تعرضت لثلاث هجمات بطائرات مسيرة منذ تشرين الأول 2023، ما أدى إلى إصابة 4 جنود. "
    "وطالبت فصائل مسلحة بانسحاب القوات الأجنبية من البلاد، فيما قال رئيس الوزراء إن الحكومة تبحث جدول الانسحاب.\n"
    "وفي 5 كانون الثاني 2020 صوت البرلمان على قرار يطالب بإخراج القوات الأجنبية.\n"
    "وأفاد مصدر أمني بأن 300 جندي أمريكي وصلوا إلى قاعدة حرير في إقليم كردستان."
)
MIXED = (
    "A Pentagon spokesman said on March 3, 2024 that about 2,500 US troops remain in Iraq. "
    "Two rockets hit Ain al-Asad air base last week, wounding three soldiers.\n"
    "وذكرت مصادر أمنية أن 900 جندي أمريكي يتمركزون في سوريا، وأن هجوما صاروخيا استهدف مطار أربيل أمس."
)
ROWS = [
    {"id": "ar", "text": ARABIC, "outlet": "وكالة محلية", "published": "2024-03-13"},
    {"id": "ar-undated", "text": ARABIC, "outlet": "وكالة محلية"},
    {"id": "mixed", "text": MIXED, "outlet": "wire"},
]


def _children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


@pytest.fixture
def splits(monkeypatch):
    """The articles extracted on two cores (each call of pipeline._extract_split, by article id)."""
    seen: list[str] = []
    real = pipeline._extract_split
    monkeypatch.setattr(pipeline, "_extract_split", lambda article: seen.append(article.id) or real(article))
    return seen


def test_a_split_extraction_gives_the_one_process_record(splits):
    basis = pipeline.part_columns()["claims"].index("refers_to_basis")
    before = _children()
    for row in ROWS:
        one = pipeline._extract_row(row)
        two = pipeline._extract_row(row, split=0)
        assert two == one
        published, dates, claims, events, framing, evidence = one
        assert dates and claims and evidence  # something to compare in every part the child and parent build
    for row in ROWS[:2]:  # a claim with no date near it: timed by the publication date (the sidecar's, or found)
        assert any(c[basis] == "published" for c in pipeline._extract_row(row, split=0)[2])
    assert splits == [row["id"] for row in ROWS] + ["ar", "ar-undated"]
    assert pipeline._extract_row(ROWS[0], split=len(ARABIC) + 1) and len(splits) == len(ROWS) + 2
    assert _children() == before


def test_extract_with_two_jobs_runs_a_long_article_on_two_cores(tmp_path, monkeypatch, splits):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "long.txt").write_text(ARABIC + "\n" + MIXED, encoding="utf-8")
    (folder / "short.txt").write_text(MIXED[:200], encoding="utf-8")
    corpus = load_corpus(folder)
    monkeypatch.setattr(pipeline, "POOL_MIN_CHARS", 10 ** 9)  # both articles in this process
    monkeypatch.setattr(pipeline, "SPLIT_MIN_CHARS", 600)
    one = pipeline.extract(corpus, jobs=1)
    assert splits == []
    two = pipeline.extract(corpus, jobs=2)
    assert splits == ["long"]
    assert [name for name, _ in one.items()] == [name for name, _ in two.items()]
    for (name, a), (_, b) in zip(one.items(), two.items()):
        assert a.to_csv(index=False) == b.to_csv(index=False), name
    assert len(two.claims) and len(two.dates)


def test_an_error_in_the_child_is_raised_as_in_one_process(monkeypatch):
    from troopwatch import claims_en

    def fails(article):
        raise ValueError(f"no claims in {len(article.original)} characters")

    monkeypatch.setattr(claims_en, "extract_claims_by_language", fails)  # the forked child inherits it
    before = _children()
    with pytest.raises(ValueError) as here:
        pipeline._extract_row(ROWS[0])
    with pytest.raises(ValueError) as there:
        pipeline._extract_row(ROWS[0], split=0)
    assert str(there.value) == str(here.value) == f"no claims in {len(ARABIC)} characters"
    assert there.value.__notes__ == here.value.__notes__ == ["while extracting article 'ar'"]
    cause = str(there.value.__cause__)  # the child's traceback, as text
    assert "Traceback" in cause and "fails" in cause and "no claims in" in cause
    assert _children() == before


class _Unpicklable(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.held = threading.Lock()  # no pickle carries a lock


def test_an_error_pickle_cannot_carry_comes_back_as_its_type_and_message(monkeypatch):
    from troopwatch import claims_en

    def fails(article):
        raise _Unpicklable("lost on the way")

    monkeypatch.setattr(claims_en, "extract_claims_by_language", fails)
    with pytest.raises(RuntimeError, match="_Unpicklable: lost on the way") as info:
        pipeline._extract_row(ROWS[0], split=0)
    assert info.value.__notes__ == ["while extracting article 'ar'"]


def test_a_child_that_dies_is_an_error_naming_the_article(monkeypatch):
    from troopwatch import claims_en

    monkeypatch.setattr(claims_en, "extract_claims_by_language", lambda article: os._exit(3))
    before = _children()
    with pytest.raises(RuntimeError, match="exit code 3") as info:
        pipeline._extract_row(ROWS[2], split=0)
    assert info.value.__notes__ == ["while extracting article 'mixed'"]
    assert _children() == before


def test_a_failure_in_the_parent_ends_the_child(monkeypatch):
    from troopwatch import claims_en, framing

    def slow(article):
        time.sleep(120)
        return []

    def fails(article):
        raise KeyError("framing")

    monkeypatch.setattr(claims_en, "extract_claims_by_language", slow)
    monkeypatch.setattr(framing, "analyse_article_tuples", fails)
    before = _children()
    started = time.monotonic()
    with pytest.raises(KeyError) as info:
        pipeline._extract_row(ROWS[0], split=0)
    assert info.value.__notes__ == ["while extracting article 'ar'"]
    assert _children() == before
    assert time.monotonic() - started < 60  # the child was ended, not waited for


def test_default_jobs_count_a_long_article_as_two(monkeypatch, tmp_path):
    monkeypatch.setattr(cli.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(pipeline, "SPLIT_MIN_CHARS", 600)
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "one.txt").write_text(ARABIC + "\n" + MIXED, encoding="utf-8")
    assert pipeline.work_units(load_corpus(folder)) == 2
    assert cli.default_jobs(pipeline.work_units(load_corpus(folder))) == 2
    (folder / "one.txt").write_text(MIXED[:200], encoding="utf-8")
    assert cli.default_jobs(pipeline.work_units(load_corpus(folder))) == 1
