"""Inputs that cannot hurt: each case loads what can be loaded, says what it skipped or repaired
(naming the file and the byte offset or line), reads nothing outside the corpus folder and
writes nothing."""
from __future__ import annotations

import hashlib
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from troopwatch.corpus import (
    CorpusError,
    CorpusWarning,
    EmptyCorpusError,
    SidecarError,
    decode_article,
    load_corpus,
    read_sidecar,
)

ROOT = Path(__file__).resolve().parents[1]
TITLE = "عنوان"
BODY = "من المقرر أن تبدأ الولايات المتحدة والعراق محادثات بشأن إنهاء التحالف العسكري الدولي"
ARTICLE = f"{TITLE}\n{BODY}"
SECRET = "سر خارج مجلد المقالات"


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Content and modification time of every file below ``folder`` (links not followed)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            out[str(p)] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return out


def load(path: Path, **kwargs) -> tuple[pd.DataFrame, list[str]]:
    """Load, collecting the warnings; every file around the corpus (the folder outside included) stays as it was."""
    around = path.parent if path.is_dir() else path.parent.parent
    before = snapshot(around)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = load_corpus(path, **kwargs)
    assert snapshot(around) == before, "loading changed a file"
    return df, [str(w.message) for w in caught if issubclass(w.category, CorpusWarning)]


@pytest.fixture
def corpus(tmp_path):
    """A corpus folder holding one good article, and a folder beside it that must never be read."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{SECRET}\n{SECRET}", encoding="utf-8")
    return folder


# ----------------------------------------------------------------------------- encodings (already handled)


@pytest.mark.parametrize("data, encoding", [
    (ARTICLE.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"), "utf-8-sig"),
    (b"\xff\xfe" + ARTICLE.encode("utf-16-le"), "utf-16-le"),
    (b"\xfe\xff" + ARTICLE.encode("utf-16-be"), "utf-16-be"),
    (ARTICLE.encode("utf-16-le"), "utf-16-le"),
    (ARTICLE.encode("utf-16-be"), "utf-16-be"),
    (ARTICLE.encode("cp1256"), "windows-1256"),
])
def test_encodings_give_the_same_text(corpus, data, encoding):
    (corpus / "good.txt").unlink()
    (corpus / "a.txt").write_bytes(data)
    df, messages = load(corpus)
    assert (df.loc[0, "text"], df.loc[0, "encoding"]) == (ARTICLE, encoding)
    assert messages == []


# ----------------------------------------------------------------------------- broken bytes


def test_a_few_bad_bytes_in_utf8_are_replaced_and_reported_with_their_offsets(corpus):
    good = ARTICLE.encode("utf-8")
    cut = len(f"{TITLE}\nمن ".encode("utf-8"))
    (corpus / "broken.txt").write_bytes(good[:cut] + b"\xff" + good[cut:] + b"\n\xc3(")
    df, messages = load(corpus)
    assert list(df["id"]) == ["broken", "good"]
    broken = df.set_index("id").loc["broken"]
    assert broken["text"] == f"{TITLE}\nمن \ufffd{BODY[3:]}\n\ufffd("
    assert broken["encoding"] == "utf-8 (replaced)"
    [message] = messages
    assert message.startswith(f"{(corpus / 'broken.txt').as_posix()}: 2 byte(s) that are not UTF-8")
    assert f"byte offset(s) {cut}, {len(good) + 2}" in message
    assert "re-save the file as UTF-8" in message


def test_bad_bytes_after_a_utf8_bom_are_counted_from_the_start_of_the_file(corpus):
    (corpus / "bom.txt").write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode("utf-8") + b"\x80")
    df, [message] = load(corpus)
    assert df.set_index("id").loc["bom", "encoding"] == "utf-8-sig (replaced)"
    assert f"byte offset(s) {3 + len(ARTICLE.encode('utf-8'))}" in message and "bom.txt" in message


def test_utf8_with_bad_bytes_is_not_read_as_windows_1256(corpus):
    (corpus / "mostly.txt").write_bytes(ARTICLE.encode("utf-8") + b"\xe9")
    df, _ = load(corpus)
    text = df.set_index("id").loc["mostly", "text"]
    assert text == ARTICLE + "\ufffd"  # not the mojibake "ع†ظ†ظˆط§ظ†" that Windows-1256 would give


def test_real_windows_1256_files_still_load(corpus):
    (corpus / "cp.txt").write_bytes((ARTICLE + "\n" + BODY).encode("cp1256"))
    df, messages = load(corpus)
    cp = df.set_index("id").loc["cp"]
    assert (cp["text"], cp["encoding"]) == (ARTICLE + "\n" + BODY, "windows-1256")
    assert messages == []


def test_text_in_no_known_encoding_is_skipped(corpus):
    (corpus / "latin.txt").write_bytes("Déjà vu, naïve café".encode("latin-1"))
    df, messages = load(corpus)
    assert list(df["id"]) == ["good"]
    assert any("latin.txt: skipped:" in m and "re-save it as UTF-8" in m for m in messages)
    with pytest.raises(ValueError, match="re-save"):
        decode_article(b"caf\xe9 au lait \x81")


def test_a_large_windows_1256_file_decodes_quickly(corpus):
    (corpus / "big.txt").write_bytes(("\n".join([BODY] * 20000)).encode("cp1256"))  # ~1.7 MB
    start = time.perf_counter()
    df, _ = load(corpus)
    assert time.perf_counter() - start < 10
    assert df.set_index("id").loc["big", "encoding"] == "windows-1256"


# ----------------------------------------------------------------------------- control characters and binary files


def test_nul_and_control_bytes_are_removed_with_a_warning_naming_the_file(corpus):
    good = ARTICLE.encode("utf-8")
    at = len(TITLE.encode("utf-8"))
    (corpus / "nul.txt").write_bytes(good[:at] + b"\x00\x07" + good[at:] + b"\x1b\x0c")
    df, messages = load(corpus)
    assert list(df["id"]) == ["good", "nul"]
    nul = df.set_index("id").loc["nul"]
    assert nul["text"] == ARTICLE and nul["encoding"] == "utf-8"
    [message] = messages
    assert "nul.txt: removed 4 control character(s)" in message
    assert f"byte offset(s) {at}, {at + 1}, {len(good) + 2}, {len(good) + 3}" in message


def test_tabs_and_carriage_returns_are_kept(corpus):
    (corpus / "crlf.txt").write_bytes(f"{TITLE}\r\n\t{BODY}".encode("utf-8"))
    df, messages = load(corpus)
    assert df.set_index("id").loc["crlf", "text"] == f"{TITLE}\r\n\t{BODY}"
    assert messages == []


@pytest.mark.parametrize("data", [
    b"\x00" * 500 + ARTICLE.encode("utf-8"),
    bytes(range(256)) * 4,
    b"\x00\x01\x02\x03" * 100,
])
def test_binary_files_are_still_skipped(corpus, data):
    (corpus / "binary.txt").write_bytes(data)
    df, messages = load(corpus)
    assert list(df["id"]) == ["good"]
    assert any("binary.txt: skipped:" in m and ("binary" in m or "control" in m) for m in messages)
    assert [Path(s["path"]).name for s in df.attrs["skipped"]] == ["binary.txt"]


# ----------------------------------------------------------------------------- HTML where text was expected


def test_html_named_txt_is_read_by_the_html_reader(corpus):
    (corpus / "page.txt").write_text(
        "<!DOCTYPE html><html lang='ar'><head><title>عنوان الصفحة</title>"
        "<script>var hidden = 'نص مخفي من السكربت';</script></head>"
        f"<body><article><h1>عنوان الصفحة</h1><p>{BODY}</p><p>{BODY} ثانية</p></article></body></html>",
        encoding="utf-8")
    df, _ = load(corpus)
    page = df.set_index("id").loc["page"]
    assert page["reader"] == "html"
    assert page["text"] == f"عنوان الصفحة\n{BODY}\n{BODY} ثانية"
    assert "نص مخفي" not in page["text"] and "<" not in page["text"]


def test_html_declaring_windows_1256_is_decoded_with_it(corpus):
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
            f"<title>عنوان</title></head><body><article><p>{BODY}</p><p>{BODY} ثانية</p></article></body></html>")
    (corpus / "cp.html").write_bytes(html.encode("cp1256"))
    df, _ = load(corpus)
    page = df.set_index("id").loc["cp"]
    assert page["encoding"] == "windows-1256" and BODY in page["text"]


def test_html_content_is_never_taken_for_a_url_to_download(corpus, monkeypatch):
    import htmldate.utils
    import trafilatura.downloads

    fetched = []

    def no_network(url, *args, **kwargs):
        fetched.append(url)
        raise AssertionError("the loader tried to download something")

    monkeypatch.setattr(htmldate.utils, "fetch_url", no_network)
    monkeypatch.setattr(trafilatura.downloads, "fetch_url", no_network)
    (corpus / "link.html").write_text("https://example.org/article", encoding="utf-8")
    df, messages = load(corpus)
    assert fetched == []
    assert list(df["id"]) == ["good"]
    assert any("link.html: skipped:" in m for m in messages)


def test_a_page_the_parser_chokes_on_is_skipped(corpus, monkeypatch):
    import trafilatura

    def broken(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(trafilatura, "bare_extraction", broken)
    (corpus / "deep.html").write_text(f"<html><body><p>{BODY}</p></body></html>", encoding="utf-8")
    df, messages = load(corpus)
    assert list(df["id"]) == ["good"]
    assert any("deep.html: skipped: the page could not be parsed (RecursionError" in m for m in messages)


# ----------------------------------------------------------------------------- links and paths outside the corpus


def test_a_symlink_to_a_file_outside_is_not_read(corpus):
    (corpus / "link.txt").symlink_to(corpus.parent / "outside" / "secret.txt")
    df, messages = load(corpus)
    assert list(df["id"]) == ["good"]
    assert not df["text"].str.contains(SECRET).any()
    [message] = messages
    assert "link.txt: skipped: it is a symbolic link" in message and "follow_symlinks=True" in message
    assert [s["path"].rsplit("/", 1)[-1] for s in df.attrs["skipped"]] == ["link.txt"]


def test_a_symlink_to_a_folder_outside_is_not_entered(corpus):
    (corpus / "more").symlink_to(corpus.parent / "outside", target_is_directory=True)
    df, messages = load(corpus)
    assert list(df["id"]) == ["good"]
    assert any(m.endswith("more: skipped: it is a symbolic link (to a folder); links are not followed, so nothing outside "
                          "the corpus folder is read; copy the folder in, or load with follow_symlinks=True "
                          "to read it") for m in messages)


def test_links_are_followed_only_when_asked(corpus):
    (corpus / "link.txt").symlink_to(corpus.parent / "outside" / "secret.txt")
    (corpus / "more").symlink_to(corpus.parent / "outside", target_is_directory=True)
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)  # must not recurse forever
    df, messages = load(corpus, follow_symlinks=True)
    assert sorted(df["id"]) == ["good", "link"]  # secret.txt through 'more' is the same file as link.txt
    assert df.set_index("id").loc["link", "text"] == f"{SECRET}\n{SECRET}"
    assert messages == []


def test_a_broken_symlink_is_skipped(corpus):
    (corpus / "gone.txt").symlink_to(corpus.parent / "nowhere.txt")
    df, messages = load(corpus, follow_symlinks=True)
    assert list(df["id"]) == ["good"]
    assert any("gone.txt: skipped: it is a symbolic link to nothing" in m for m in messages)


@pytest.mark.parametrize("value", ["../../etc/passwd", "/etc/passwd", "..\\..\\secret.txt", "sub/../../outside/secret.txt"])
def test_a_sidecar_file_outside_the_folder_is_refused(corpus, value):
    (corpus / "articles.csv").write_text(f"id,file,outlet\n,{value},x\n", encoding="utf-8")
    with pytest.raises(SidecarError) as err:
        load_corpus(corpus)
    message = str(err.value)
    assert "articles.csv: line 2: file" in message and repr(value) in message and "write the article's file name" in message


# ----------------------------------------------------------------------------- sidecar values


@pytest.mark.parametrize("value, why", [
    ("2024-13-45", "there is no month 13"),
    ("2024-02-30", "February 2024 has no day 30"),
    ("2023-02-29", "February 2023 has no day 29"),
    ("2024-00", "there is no month 0"),
    ("25/01/2024", "is not an ISO date"),
])
def test_impossible_sidecar_dates_are_refused(corpus, value, why):
    (corpus / "articles.csv").write_text(f"id,published\ngood,{value}\n", encoding="utf-8")
    with pytest.raises(SidecarError) as err:
        load_corpus(corpus)
    message = str(err.value)
    assert f"articles.csv: line 2: published {value!r}" in message
    assert why in message and "write YYYY-MM-DD, YYYY-MM or YYYY" in message


@pytest.mark.parametrize("value, expected", [
    ("٢٠٢٤-٠١-٠٣", "2024-01-03"),
    ("۲۰۲۴-۰۲-۲۹", "2024-02-29"),
    ("٢٠٢١", "2021"),
])
def test_eastern_digits_in_sidecar_dates_become_ascii(corpus, value, expected):
    (corpus / "articles.csv").write_text(f"id,published\ngood,{value}\n", encoding="utf-8")
    assert read_sidecar(corpus / "articles.csv")["good"]["published"] == expected
    df, messages = load(corpus)
    assert df.loc[0, "published"] == expected and messages == []


def test_sidecar_rows_naming_no_file_are_warned(corpus):
    (corpus / "articles.csv").write_text(
        "id,file,outlet\ngood,,x\nghost,,y\n,missing.txt,z\n", encoding="utf-8")
    df, messages = load(corpus)
    assert list(df["id"]) == ["good"] and df.loc[0, "outlet"] == "x"
    assert len(messages) == 2
    assert "articles.csv: line 3 describes 'ghost', but no such article file was found" in messages[0]
    assert "articles.csv: line 4 describes 'missing.txt'" in messages[1] and "remove the row" in messages[1]


def test_loading_one_file_does_not_warn_about_the_other_sidecar_rows(corpus):
    (corpus / "other.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "articles.csv").write_text("id,file,outlet\ngood,,x\n,other.txt,y\n", encoding="utf-8")
    df, messages = load(corpus / "good.txt")
    assert list(df["id"]) == ["good"] and messages == []


def test_a_sidecar_row_for_a_skipped_file_gets_no_second_warning(corpus):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "articles.csv").write_text("id,outlet\nempty,x\n", encoding="utf-8")
    df, messages = load(corpus)
    assert len(messages) == 1 and "empty.txt: skipped: the file is empty" in messages[0]


# ----------------------------------------------------------------------------- empty corpus, duplicate ids


def test_an_empty_folder_is_an_error(corpus):
    (corpus / "good.txt").unlink()
    with pytest.raises(EmptyCorpusError) as err:
        load_corpus(corpus)
    assert isinstance(err.value, CorpusError) and isinstance(err.value, ValueError)
    assert "corpus: no article could be loaded" in str(err.value)
    assert "holds no .txt" in str(err.value)


def test_a_folder_where_every_file_is_skipped_is_an_error_listing_them(corpus):
    (corpus / "good.txt").write_bytes(b"")
    (corpus / "blank.txt").write_bytes(b" \n \n")
    with pytest.warns(CorpusWarning), pytest.raises(EmptyCorpusError) as err:
        load_corpus(corpus)
    assert "2 file(s) or row(s) were skipped" in str(err.value)
    assert sorted(Path(s.path).name for s in err.value.skipped) == ["blank.txt", "good.txt"]


def test_an_export_with_no_usable_row_is_an_error(tmp_path):
    (tmp_path / "e.jsonl").write_text('{"title": "x"}\nnot json\n', encoding="utf-8")
    with pytest.warns(CorpusWarning), pytest.raises(EmptyCorpusError, match="no article could be loaded"):
        load_corpus(tmp_path / "e.jsonl")


def test_json_nested_too_deeply_is_skipped(corpus):
    (corpus / "deep.jsonl").write_text('{"text": "' + BODY + '"}\n' + "[" * 200_000 + "\n", encoding="utf-8")
    (corpus / "deep.json").write_text("[" * 200_000, encoding="utf-8")
    df, messages = load(corpus)
    assert list(df["id"]) == ["deep#1", "good"]
    assert any("deep.jsonl: line 2: skipped: not valid JSON" in m for m in messages)
    assert any("deep.json: skipped: not valid JSON" in m for m in messages)


def test_duplicate_ids_are_an_error_naming_them(corpus):
    (corpus / "sub").mkdir()
    (corpus / "sub" / "good.txt").write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(ValueError, match="share the id 'good'") as err:
        load_corpus(corpus)
    assert "sub/good.txt" in str(err.value)


def test_the_default_corpus_is_not_modified():
    raw = ROOT / "data" / "raw"
    before = snapshot(raw)
    load(raw)  # load() checks every file of data/ too
    load(raw, provenance=True)
    assert snapshot(raw) == before
