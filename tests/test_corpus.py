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


# ---------------------------------------------------------------- reading fast, with the same answers


def _tree(tmp_path: Path) -> Path:
    """A corpus with subfolders, names that sort differently as strings and as paths, and links out."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "far.txt").write_text("بعيد\nنص", encoding="utf-8")
    corpus = tmp_path / "corpus"
    for rel in ("a.txt", "a-b/x.txt", "a/y.txt", "sub/b.txt", "sub/deeper/c.txt", "sub/deeper/d.txt.bak", "z.TXT"):
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{rel}\nنص", encoding="utf-8")
    (corpus / "link.txt").symlink_to(outside / "far.txt")
    (corpus / "linked").symlink_to(outside, target_is_directory=True)
    (corpus / "sub" / "up").symlink_to(corpus / "sub", target_is_directory=True)
    return corpus


@pytest.mark.parametrize("follow", [False, True])
def test_a_walk_gives_each_file_the_display_and_real_path_resolving_it_would(tmp_path, monkeypatch, follow):
    """Paths found by one scandir walk are not resolved one by one: the display path and the real path noted
    for each are those the path itself gives, whatever the working folder and however the folder is named."""
    import warnings

    from troopwatch import files

    corpus = _tree(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "alias").symlink_to(corpus, target_is_directory=True)
    cases = [(tmp_path, "corpus"), (tmp_path, "corpus/"), (tmp_path, "./corpus/sub/.."), (corpus, "."),
             (corpus / "sub", ".."), (corpus, str(corpus)), (elsewhere, str(corpus)), (elsewhere, "../corpus"),
             (tmp_path, "alias"), (elsewhere, str(tmp_path / "alias")), (tmp_path / "alias", "sub")]
    for cwd, root in cases:
        monkeypatch.chdir(cwd)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with files.reading_paths():
                found = [f for f, _root in files._article_files([root], follow, files._Report())]
                fast = [(files._display_path(f), files._real_path(f)) for f in found]
                assert files._KNOWN  # the walk noted its files
            assert not files._KNOWN  # forgotten when reading ends
            plain = files.article_files([root], follow_symlinks=follow)  # outside a read: nothing noted
        assert found == plain == sorted(found), (cwd, root)
        slow = [(files._display_path(f), str(f.resolve())) for f in found]
        assert fast == slow, (cwd, root)
        names = {f.name for f in found}
        if root == "sub":
            assert names == {"b.txt", "c.txt"}
            continue
        assert {"a.txt", "x.txt", "y.txt", "b.txt", "c.txt", "z.TXT"} <= names and "d.txt.bak" not in names
        assert ("link.txt" in names) == follow  # (linked/far.txt is the same file: read once)


@pytest.mark.parametrize("data", [
    "عنوان\nنص".encode("utf-8"),
    b"\xef\xbb\xbf" + "عنوان\nنص".encode("utf-8"),
    "عنوان\x0b\x0cنص\x00 و\x1f".encode("utf-8"),
    "عنوان \ufffd نص".encode("utf-8"),
    ("\ufffd" * 3 + "نص" * 20).encode("utf-8"),
    ("\x01" * 4 + "نص" * 20 + "\x7f").encode("utf-8"),
    ("\x02" * 5 + "ab" * 40).encode("utf-8"),
    " \t\n\u3000".encode("utf-8"),
    "\x00\x01\x02 \n".encode("utf-8"),
])
def test_checking_utf8_text_in_its_bytes_gives_the_character_checks(data):
    """Control characters and U+FFFD counted in the UTF-8 bytes: the same text, notes, or refusal."""
    from troopwatch.files import _check_text, _Undecodable

    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    text = data[skip:].decode("utf-8")

    def check(**options):
        try:
            return _check_text(text, "utf-8", [], data, **options)
        except _Undecodable as exc:
            return str(exc)

    assert check(utf8=True) == check()
