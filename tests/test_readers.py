"""Readers: HTML pages, JSONL/JSON/CSV exports and .txt articles give rows of one schema."""
from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from troopwatch import readers
from troopwatch.corpus import ARTICLE_COLUMNS, PROVENANCE_COLUMNS, CorpusWarning, load_corpus
from troopwatch.readers import (
    RECORD_COLUMNS,
    export_fields,
    looks_like_html,
    map_fields,
    normalize_published,
    read_csv,
    read_html_file,
    read_json,
    read_jsonl,
    read_text_file,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "readers"
BODY = "من المقرر أن تبدأ الولايات المتحدة والعراق محادثات بشأن إنهاء التحالف العسكري الدولي"


def load_quietly(*args, **kwargs) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = load_corpus(*args, **kwargs)
    return df, [str(w.message) for w in caught if issubclass(w.category, CorpusWarning)]


@pytest.fixture(scope="module")
def fixture_corpus():
    return load_quietly(FIXTURES)


def row(df: pd.DataFrame, article_id: str) -> pd.Series:
    return df.set_index("id").loc[article_id]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- HTML


def test_html_page_gives_main_text_title_date_and_site_name(fixture_corpus):
    df, _ = fixture_corpus
    page = row(df, "page_article")
    lines = page["text"].split("\n")
    assert page["title"] == lines[0] == "واشنطن تبقي 2500 جندي في العراق"
    assert len(lines) == 4  # the title, then one paragraph per line
    assert lines[1].startswith("قال مسؤول في وزارة الدفاع الأمريكية")
    assert lines[3].startswith("وتعرضت القواعد")
    for junk in ("شيفرة التتبع", "window.ads", "إعلان داخل المقال", "font-family", "الأكثر قراءة", "جميع الحقوق", "رياضة"):
        assert junk not in page["text"], junk
    assert "<" not in page["text"]
    assert (page["published"], page["published_basis"]) == ("2024-01-25", "html_meta")
    assert (page["outlet"], page["outlet_basis"]) == ("موقع الاختبار", "html_meta")
    assert page["url"] == "https://www.test-news.example/2024/01/25/troops"
    assert page["language"] == "ar"
    assert page["reader"] == "html" and page["file"] == "page_article.html"
    assert page["sha256"] == hashlib.sha256((FIXTURES / "page_article.html").read_bytes()).hexdigest()
    assert page["characters"] == len(page["text"])


def test_html_without_a_site_name_takes_the_domain_of_its_url(fixture_corpus):
    df, _ = fixture_corpus
    page = row(df, "page_no_sitename")
    assert (page["outlet"], page["outlet_basis"]) == ("agency-test.example", "url_domain")
    assert (page["published"], page["published_basis"]) == ("2023-11-02", "html_meta")
    assert page["text"].split("\n")[0] == page["title"] == "محادثات بشأن إنهاء مهمة التحالف"
    assert "الرئيسية" not in page["text"]


def test_html_saved_as_txt_is_read_as_html(fixture_corpus):
    df, _ = fixture_corpus
    page = row(df, "page_saved_as")
    assert page["reader"] == "html"
    assert page["title"] == "هجوم بطائرة مسيرة على قاعدة عين الأسد"
    assert "<" not in page["text"] and "og:site_name" not in page["text"]
    assert (page["outlet"], page["published"]) == ("وكالة الاختبار", "2024-02-04")


def test_html_page_without_a_date_or_outlet_leaves_them_empty(tmp_path):
    (tmp_path / "p.html").write_text(
        f"<html><body><article><h1>عنوان</h1><p>{BODY}</p><p>{BODY} مرة أخرى</p></article></body></html>", encoding="utf-8")
    df, _ = load_quietly(tmp_path)
    page = row(df, "p")
    assert page["text"].split("\n") == ["عنوان", BODY, BODY + " مرة أخرى"]
    assert pd.isna(page["published"]) and pd.isna(page["published_basis"])
    assert pd.isna(page["outlet"]) and pd.isna(page["outlet_basis"])


def test_html_page_with_no_text_is_skipped_with_a_warning(tmp_path):
    (tmp_path / "good.txt").write_text("عنوان\n" + BODY, encoding="utf-8")
    (tmp_path / "menu.html").write_text("<html><head><script>var a = 1;</script></head><body><nav></nav></body></html>",
                                        encoding="utf-8")
    df, messages = load_quietly(tmp_path)
    assert list(df["id"]) == ["good"]
    assert any("menu.html: skipped: no article text" in m for m in messages)


def test_the_sidecar_wins_over_what_a_page_says_about_itself(tmp_path):
    (tmp_path / "page_article.html").write_bytes((FIXTURES / "page_article.html").read_bytes())
    (tmp_path / "articles.csv").write_text("id,outlet,published\npage_article,Reuters,unknown\n", encoding="utf-8")
    page = row(load_quietly(tmp_path)[0], "page_article")
    assert (page["outlet"], page["outlet_basis"]) == ("Reuters", "metadata")
    assert (page["published"], page["published_basis"]) == ("2024-01-25", "html_meta")  # 'unknown' states nothing


@pytest.mark.parametrize("head, expected", [
    (b"<!DOCTYPE html><html><body><p>x</p></body></html>", True),
    (b"\xef\xbb\xbf  <html lang='ar'><head><title>t</title></head></html>", True),
    (b"<!-- saved --> <head><meta charset=utf-8></head>", True),
    ("<html><body><p>نص</p></body></html>".encode("utf-16"), True),
    ("عنوان\nكتب أحدهم <html> في النص".encode("utf-8"), False),
    ("عنوان\nنص عادي 5 < 7".encode("utf-8"), False),
])
def test_html_is_recognized_by_its_content(head, expected):
    assert looks_like_html(head) is expected


# ----------------------------------------------------------------------------- exports


def test_jsonl_export_maps_news_please_and_gdelt_fields(fixture_corpus):
    df, _ = fixture_corpus
    a = row(df, "newsplease#1")
    assert a["title"] == "البنتاغون: 900 جندي في سوريا"
    assert a["text"].split("\n") == [
        "البنتاغون: 900 جندي في سوريا",
        "أكد البنتاغون أن نحو 900 جندي أمريكي ينتشرون في سوريا إلى جانب 2500 في العراق.",
        "وقال المتحدث إن العدد لم يتغير منذ العام الماضي.",
    ]
    assert (a["published"], a["published_basis"]) == ("2024-01-30", "export")
    assert (a["outlet"], a["outlet_basis"]) == ("news-please.example", "export")
    assert (a["url"], a["language"], a["reader"], a["file"]) == ("https://news-please.example/a/1", "ar", "jsonl", "newsplease.jsonl")
    g = row(df, "newsplease#4")  # GDELT-style names: headline, body, seendate, domain, lang, link
    assert g["title"] == "ضربات على مواقع الفصائل"
    assert g["text"].startswith("ضربات على مواقع الفصائل\nنفذت الطائرات الأمريكية 85 ضربة")  # the title leads the text
    assert (g["published"], g["outlet"], g["language"], g["url"]) == (
        "2024-02-03", "gdelt-style.example", "ar", "https://gdelt-style.example/x")


def test_jsonl_bad_lines_are_skipped_with_a_warning_naming_file_and_line(fixture_corpus):
    df, messages = fixture_corpus
    assert sorted(i for i in df["id"] if i.startswith("newsplease")) == ["newsplease#1", "newsplease#4"]
    bad_json = [m for m in messages if "newsplease.jsonl: line 2: skipped: not valid JSON" in m]
    assert len(bad_json) == 1 and "fix or remove the line" in bad_json[0]
    no_text = [m for m in messages if "newsplease.jsonl: line 3: skipped: no article text" in m]
    assert len(no_text) == 1 and "maintext" in no_text[0]
    reasons = [(Path(s["path"]).name, s["reason"]) for s in df.attrs["skipped"]]
    assert ("newsplease.jsonl", "line 3: no article text") in reasons


def test_csv_export_maps_mediacloud_fields_and_numbers_rows_by_line(fixture_corpus):
    df, messages = fixture_corpus
    # the first row's text spans two lines (a quoted line break), so the next rows start on lines 4 and 5
    assert sorted(i for i in df["id"] if i.startswith("mediacloud")) == ["mediacloud#2", "mediacloud#5"]
    a = row(df, "mediacloud#2")
    assert (a["title"], a["published"], a["outlet"], a["language"]) == (
        "الفصائل تطالب بجدول زمني للانسحاب", "2021-03-23", "موقع ميديا", "ar")
    assert a["text"].split("\n")[1:] == ["طالبت الفصائل المسلحة بجدول زمني لانسحاب القوات الأمريكية.",
                                         "وقال قيادي إن البرلمان صوت على قرار غير ملزم بطرد القوات الأجنبية."]
    b = row(df, "mediacloud#5")  # no outlet: the domain of its url; an unreadable date: none, with a warning
    assert (b["outlet"], b["outlet_basis"]) == ("mediacloud-style.example", "url_domain")
    assert pd.isna(b["published"])
    assert any("mediacloud.csv: line 5: published 'unknown date'" in m for m in messages)
    assert any("mediacloud.csv: line 4: skipped: no article text" in m for m in messages)


def test_csv_without_a_text_column_is_skipped_with_what_to_do(tmp_path):
    (tmp_path / "good.txt").write_text("عنوان\n" + BODY, encoding="utf-8")
    (tmp_path / "notes.csv").write_text("id,file,outlet\na,a.txt,x\n", encoding="utf-8")
    df, messages = load_quietly(tmp_path)
    assert list(df["id"]) == ["good"]
    message = next(m for m in messages if "notes.csv" in m)
    assert "no column holds the article text" in message and "export_fields.yml" in message
    assert "metadata sidecar" in message


def test_csv_rows_with_more_fields_than_the_header_are_skipped(tmp_path):
    (tmp_path / "e.csv").write_text(f"title,text\nعنوان,{BODY}\nعنوان,{BODY},زائد\n", encoding="utf-8")
    df, messages = load_quietly(tmp_path)
    assert list(df["id"]) == ["e#2"]
    assert any("e.csv: line 3: skipped: more fields than the header" in m for m in messages)


def test_tsv_and_semicolon_exports(tmp_path):
    (tmp_path / "a.tsv").write_text(f"headline\tcontent\tpub_date\nعنوان\t{BODY}\t2024-01-02\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(f"headline;article_text;publish_date\nعنوان;{BODY};2024/1/3\n", encoding="utf-8")
    df, _ = load_quietly(tmp_path)
    assert list(df["id"]) == ["a#2", "b#2"]
    assert list(df["published"]) == ["2024-01-02", "2024-01-03"]
    assert all(t == "عنوان\n" + BODY for t in df["text"])


def test_long_csv_field_loads(tmp_path):
    long_text = "\n".join([BODY] * 3000)  # ~270,000 characters, more than csv's default field limit
    pd.DataFrame({"title": ["عنوان"], "text": [long_text]}).to_csv(tmp_path / "big.csv", index=False)
    df, _ = load_quietly(tmp_path)
    assert df.loc[0, "text"] == "عنوان\n" + long_text


@pytest.mark.parametrize("shape", ["list", "articles", "single"])
def test_json_exports(tmp_path, shape):
    item = {"title": "عنوان", "content": BODY, "publisher": {"name": "وكالة"}, "datePublished": "2024-05-06T00:00:00Z"}
    data = {"list": [item, {"title": "بلا نص"}, item], "articles": {"status": "ok", "articles": [item]}, "single": item}[shape]
    (tmp_path / "x.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    df, messages = load_quietly(tmp_path)
    ids = {"list": ["x#1", "x#3"], "articles": ["x#1"], "single": ["x"]}[shape]
    assert list(df["id"]) == ids
    assert set(df["outlet"]) == {"وكالة"} and set(df["published"]) == {"2024-05-06"}
    assert set(df["reader"]) == {"json"}
    if shape == "list":
        assert any("x.json: item 2: skipped: no article text" in m for m in messages)


def test_invalid_json_file_is_skipped_naming_line_and_column(tmp_path):
    (tmp_path / "good.txt").write_text("عنوان\n" + BODY, encoding="utf-8")
    (tmp_path / "bad.json").write_text('[{"text": "x"},\n {"text": oops}]', encoding="utf-8")
    df, messages = load_quietly(tmp_path)
    assert list(df["id"]) == ["good"]
    assert any("bad.json: skipped: not valid JSON" in m and "line 2, column" in m for m in messages)


def test_many_bad_rows_are_summarized(tmp_path):
    write_jsonl(tmp_path / "gdelt.jsonl", [{"title": f"t{i}", "url": f"https://x.example/{i}"} for i in range(20)]
                + [{"title": "t", "text": BODY}])
    df, messages = load_quietly(tmp_path)
    assert list(df["id"]) == ["gdelt#21"]
    assert len([m for m in messages if "gdelt.jsonl" in m]) == readers.MAX_ROW_WARNINGS + 1
    assert any("15 more row problem(s)" in m for m in messages)
    assert len(df.attrs["skipped"]) == 20


@pytest.mark.parametrize("column", ["text", "title", "url", "published", "outlet", "language"])
def test_every_field_name_in_the_map_is_read(column):
    names = export_fields()[0][column]
    value = {"published": "2024-01-02", "language": "ar", "url": "https://a.example/1"}.get(column, "قيمة")
    for name in names:
        mapped = map_fields({name.upper() if name == names[-1] else name: value})
        assert mapped[column] == value, name


def test_the_field_map_is_data(tmp_path, monkeypatch):
    lexicons = tmp_path / "lexicons"
    lexicons.mkdir()
    (lexicons / "export_fields.yml").write_text("fields:\n  text: [story]\n  title: [heading]\n", encoding="utf-8")
    monkeypatch.setenv("TROOPWATCH_LEXICONS", str(lexicons))
    export_fields.cache_clear()
    try:
        path = write_jsonl(tmp_path / "e.jsonl", [{"story": BODY, "heading": "عنوان"}, {"text": BODY}])
        with pytest.warns(CorpusWarning, match=r"e.jsonl: line 2: skipped: no article text; fill one of the fields story"):
            records = list(read_jsonl(path))
    finally:
        export_fields.cache_clear()
    assert [r["id"] for r in records] == ["e#1"]
    assert records[0]["text"] == "عنوان\n" + BODY


@pytest.mark.parametrize("value, expected", [
    ("2024-01-25", "2024-01-25"),
    ("2024-01-25T10:15:00Z", "2024-01-25"),
    ("2024-01-25T23:30:00-05:00", "2024-01-25"),  # the date written, no time-zone shift
    ("2024-01-25 10:15:00", "2024-01-25"),
    ("20240125T101500Z", "2024-01-25"),
    ("20240125101500", "2024-01-25"),
    ("2024/1/5", "2024-01-05"),
    ("2024-01", "2024-01"),
    ("2024", "2024"),
    ("٢٠٢٤-٠١-٠٣", "2024-01-03"),
    ("2024-02-30", None),
    ("2024-13-01", None),
    ("25/01/2024", None),
    ("yesterday", None),
    (None, None),
])
def test_export_dates(value, expected):
    assert normalize_published(value)[0] == expected


# ----------------------------------------------------------------------------- one schema, stable ids


def test_every_reader_yields_the_same_columns(tmp_path):
    (tmp_path / "a.txt").write_text("عنوان\n" + BODY, encoding="utf-8")
    write_jsonl(tmp_path / "e.jsonl", [{"text": BODY}])
    (tmp_path / "e.json").write_text(json.dumps([{"text": BODY}]), encoding="utf-8")
    records = [
        read_text_file(tmp_path / "a.txt"),
        read_html_file(FIXTURES / "page_article.html"),
        *read_jsonl(tmp_path / "e.jsonl"),
        *read_json(tmp_path / "e.json"),
    ]
    with pytest.warns(CorpusWarning):
        records += list(read_csv(FIXTURES / "mediacloud.csv"))
    assert RECORD_COLUMNS == ARTICLE_COLUMNS + PROVENANCE_COLUMNS
    for rec in records:
        assert list(rec) == RECORD_COLUMNS
        assert isinstance(rec["text"], str) and rec["text"] and rec["characters"] == len(rec["text"])
        assert rec["title"] == rec["text"].split("\n")[0]


def test_ids_are_stable_and_unique(tmp_path):
    df1, _ = load_quietly(FIXTURES)
    df2, _ = load_quietly(FIXTURES)
    assert list(df1["id"]) == list(df2["id"]) and df1["id"].is_unique
    assert list(df1["sha256"]) == list(df2["sha256"])
    # an export loaded on its own keeps the ids it has in its folder
    alone, _ = load_quietly(FIXTURES / "newsplease.jsonl")
    assert list(alone["id"]) == ["newsplease#1", "newsplease#4"]
    # a row added at the end leaves the earlier ids alone
    lines = (FIXTURES / "newsplease.jsonl").read_text(encoding="utf-8")
    (tmp_path / "newsplease.jsonl").write_text(lines + json.dumps({"text": BODY}) + "\n", encoding="utf-8")
    more, _ = load_quietly(tmp_path)
    assert list(more["id"]) == ["newsplease#1", "newsplease#4", "newsplease#5"]
    assert more.set_index("id").loc["newsplease#4", "sha256"] == df1.set_index("id").loc["newsplease#4", "sha256"]


def test_txt_corpus_keeps_its_columns_and_mixed_corpus_adds_provenance(tmp_path):
    (tmp_path / "a.txt").write_text("عنوان\n" + BODY, encoding="utf-8")
    (tmp_path / "articles.csv").write_text("id,outlet,published\na,Reuters,2024-01-02\n", encoding="utf-8")
    txt_only, _ = load_quietly(tmp_path)
    assert list(txt_only.columns) == ARTICLE_COLUMNS
    assert list(load_quietly(tmp_path, provenance=True)[0].columns) == ARTICLE_COLUMNS + PROVENANCE_COLUMNS
    write_jsonl(tmp_path / "e.jsonl", [{"text": BODY}])
    mixed, _ = load_quietly(tmp_path)
    assert list(mixed.columns) == ARTICLE_COLUMNS + PROVENANCE_COLUMNS
    a = row(mixed, "a")
    assert (a["reader"], a["published_basis"], a["outlet_basis"]) == ("text", "metadata", "metadata")
    assert list(load_quietly(tmp_path, provenance=False)[0].columns) == ARTICLE_COLUMNS


def test_the_default_corpus_is_read_by_the_text_reader_as_before():
    df, messages = load_quietly(ROOT / "data" / "raw")
    assert messages == []
    assert list(df.columns) == ARTICLE_COLUMNS
    assert len(df) == 5


def test_new_readers_feed_the_later_stages():
    from troopwatch import pipeline

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        articles = pipeline.articles_table(str(FIXTURES))
    claims = pipeline.claims_table(articles)
    troops = claims[(claims["article"] == "page_article") & (claims["kind"] == "troops")]
    assert 2500 in set(troops["value"])
    attacks = claims[(claims["article"] == "newsplease#4") & (claims["kind"] == "attacks")]
    assert list(attacks["value"]) == [85]
