"""The corpus loader: encodings, bad files, the sidecar, and the shipped articles."""
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from troopwatch.corpus import SidecarError, decode_article, load_corpus, read_sidecar

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SHARED = ROOT.parent / "shared" / "corpus"
# First paragraph of article 002, a real sentence of the corpus.
ARABIC = "من المقرر أن تبدأ الولايات المتحدة والعراق محادثات بشأن إنهاء التحالف العسكري الدولي"


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "encoded, encoding",
    [
        (("عنوان\n" + ARABIC).encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + ("عنوان\n" + ARABIC).encode("utf-8"), "utf-8-sig"),
        (("عنوان\n" + ARABIC).encode("utf-16"), "utf-16-le"),
        (("عنوان\n" + ARABIC).encode("utf-16-be"), "utf-16-be"),
        (("عنوان\n" + ARABIC).encode("utf-16-le"), "utf-16-le"),
        (("عنوان\n" + ARABIC).encode("cp1256"), "windows-1256"),
    ],
)
def test_every_supported_encoding_decodes_to_the_same_text(tmp_path, encoded, encoding):
    write(tmp_path, "a.txt", encoded)
    df = load_corpus(tmp_path)
    assert df.loc[0, "text"] == "عنوان\n" + ARABIC
    assert df.loc[0, "encoding"] == encoding
    assert df.loc[0, "title"] == "عنوان"
    assert df.loc[0, "sha256"] == hashlib.sha256(encoded).hexdigest()


def test_bad_files_are_skipped_with_a_warning_naming_them(tmp_path):
    write(tmp_path, "good.txt", ("عنوان\n" + ARABIC).encode("utf-8"))
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "blank.txt", b"  \n \n")
    write(tmp_path, "binary.txt", bytes(range(256)) * 4)
    write(tmp_path, "latin.txt", "Déjà vu, naïve café".encode("latin-1") + b"\x81\x8d")
    with pytest.warns(UserWarning) as caught:
        df = load_corpus(tmp_path)
    assert list(df["id"]) == ["good"]
    messages = " | ".join(str(w.message) for w in caught)
    for name in ("empty.txt", "blank.txt", "binary.txt", "latin.txt"):
        assert name in messages
    reasons = {Path(s["path"]).name: s["reason"] for s in df.attrs["skipped"]}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"] or "control" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin.txt"]


def test_undecodable_bytes_raise_with_a_reason():
    with pytest.raises(ValueError, match="re-save"):
        decode_article(b"caf\xe9 au lait \x81")


def test_shipped_corpus_is_byte_identical_to_the_articles_given():
    if not SHARED.is_dir():
        pytest.skip("the shared corpus is not beside this checkout")
    for original in sorted(SHARED.glob("*.txt")):
        assert (RAW / original.name).read_bytes() == original.read_bytes(), original.name


def test_default_corpus_loads_with_its_sidecar():
    df = load_corpus(RAW)
    assert len(df) == 5
    assert list(df["id"]) == sorted(df["id"])
    assert set(df["encoding"]) == {"utf-8"}
    by_id = df.set_index("id")
    # what the sidecar states, read from the articles themselves
    assert by_id.loc["004_d2ec3006b3035329", "published"] == "2021-03-23"
    assert by_id.loc["001_4369b23af4035cdd", "url"] == "https://gulfnews24.net/?p=66542"
    # 'unknown' in the sidecar becomes a missing value, never a guess
    assert pd.isna(by_id.loc["002_19a3caf8993365fc", "published"])
    assert by_id.loc["000_6d420342642e164b", "title"].startswith("مباحثات سرية")
    assert (df["characters"] == df["text"].str.len()).all()
    # tables carry no machine paths
    assert not any(p.startswith("/") for p in df["path"])


def test_sidecar_merge_by_id_and_by_file(tmp_path):
    write(tmp_path, "a.txt", ("عنوان\n" + ARABIC).encode("utf-8"))
    write(tmp_path, "b.txt", ("عنوان\n" + ARABIC).encode("utf-8"))
    (tmp_path / "articles.csv").write_text(
        "id,file,outlet,published\n"
        "a,,Reuters,2024-01-25\n"
        ",b.txt,unknown,\n",
        encoding="utf-8",
    )
    df = load_corpus(tmp_path).set_index("id")
    assert df.loc["a", "outlet"] == "Reuters"
    assert df.loc["a", "published"] == "2024-01-25"
    assert pd.isna(df.loc["b", "outlet"])


@pytest.mark.parametrize(
    "content, needle",
    [
        ("id,file,colour\na,a.txt,red\n", "line 1 has unknown column"),
        ("id,published\na,25/01/2024\n", "line 2: published"),
        ("id,outlet\na,x\na,y\n", "line 3 describes article 'a' a second time"),
        ("outlet\nx\n", "line 1 must be a header"),
    ],
)
def test_sidecar_errors_name_the_file_and_line(tmp_path, content, needle):
    sidecar = tmp_path / "articles.csv"
    sidecar.write_text(content, encoding="utf-8")
    with pytest.raises(SidecarError) as err:
        read_sidecar(sidecar)
    assert needle in str(err.value)
    assert "articles.csv" in str(err.value)


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        load_corpus(tmp_path / "nowhere")


def test_raw_data_is_never_written(tmp_path):
    before = {p.name: p.stat().st_mtime_ns for p in RAW.iterdir()}
    load_corpus(RAW)
    assert {p.name: p.stat().st_mtime_ns for p in RAW.iterdir()} == before
