"""Load a folder (or files) of news articles into one tidy table, one row per article.

Articles are plain-text files, one paragraph per line, the first line being the
title.  Arabic text arrives in many encodings; the loader tries, in order: a
byte-order mark (UTF-8, UTF-16, UTF-32), strict UTF-8, UTF-16 without a mark,
then Windows-1256.  A file that is empty, binary or undecodable is skipped with
a warning naming it and the reason, and the other articles still load.

A metadata sidecar (``articles.csv`` beside the articles, or one given
explicitly) adds what the text does not say: outlet, cited sources, url,
language, publication date, notes.
"""
from __future__ import annotations

import csv
import hashlib
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

__all__ = [
    "CorpusWarning",
    "SidecarError",
    "SkippedFile",
    "decode_article",
    "load_corpus",
    "read_sidecar",
    "article_files",
    "SIDECAR_NAME",
    "SIDECAR_FIELDS",
    "ARTICLE_COLUMNS",
]

SIDECAR_NAME = "articles.csv"
SIDECAR_FIELDS = ["id", "file", "outlet", "cited_sources", "url", "language", "published", "notes"]
ARTICLE_COLUMNS = [
    "id", "file", "path", "title", "text", "sha256", "characters", "encoding",
    "outlet", "cited_sources", "url", "language", "published", "notes",
]
ARTICLE_SUFFIXES = {".txt"}
# Values a person writes in the sidecar when the article does not state something.
UNKNOWN_VALUES = {"", "unknown", "na", "n/a", "none", "null", "-"}


class CorpusWarning(UserWarning):
    """An article file was skipped; the message names the file and what to do."""


class SidecarError(ValueError):
    """The metadata sidecar cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


_ARABIC = re.compile("[\u0600-\u06ff]")
_LETTER = re.compile(r"[^\W\d_]")


class _Undecodable(ValueError):
    pass


def _printable_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for c in text if (ord(c) < 32 and c not in "\t\n\r\f\v") or c == "\ufffd")
    return 1 - bad / len(text)


def _common_script_share(text: str) -> float:
    """Share of characters that are ASCII, Arabic or general punctuation."""
    if not text:
        return 0.0
    common = sum(1 for c in text if ord(c) < 0x80 or 0x0600 <= ord(c) <= 0x06FF or 0x2000 <= ord(c) <= 0x206F)
    return common / len(text)


def decode_article(data: bytes) -> tuple[str, str]:
    """Decode the bytes of one article; return (text, encoding name).

    Raises ``ValueError`` with a reason a person can act on.
    """
    if not data.strip():
        raise _Undecodable("the file is empty")
    for bom, enc in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(enc.replace("-sig", ""))
            except UnicodeDecodeError as exc:
                raise _Undecodable(f"it starts with a {enc} byte-order mark but is not valid {enc} ({exc.reason})")
            return _check_text(text, enc)
    if b"\x00" in data:
        # UTF-16 without a mark: pick the byte order whose characters are mostly
        # ASCII and Arabic; the wrong order gives CJK-looking noise.
        best = None
        if len(data) % 2 == 0:
            for enc in ("utf-16-le", "utf-16-be"):
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError:
                    continue
                share = _common_script_share(text)
                if share > 0.9 and _printable_share(text) > 0.97 and (best is None or share > best[0]):
                    best = (share, text, enc)
        if best is not None:
            return _check_text(best[1], best[2])
        raise _Undecodable("it looks binary (it holds NUL bytes and is not UTF-16 text)")
    try:
        return _check_text(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = None
    if text is not None and _ARABIC.search(text):
        letters = _LETTER.findall(text)
        arabic_share = sum(1 for c in letters if _ARABIC.match(c)) / max(len(letters), 1)
        if arabic_share > 0.5:
            return _check_text(text, "windows-1256")
    raise _Undecodable(
        "it is not UTF-8, UTF-16 or Windows-1256 text; re-save it as UTF-8"
    )


def _check_text(text: str, encoding: str) -> tuple[str, str]:
    if not text.strip():
        raise _Undecodable("the file holds only white space")
    if _printable_share(text) < 0.95:
        raise _Undecodable(f"it decodes as {encoding} but is mostly control characters (binary?)")
    return text, encoding


def article_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The article files named by ``paths`` (files, or folders searched recursively), sorted."""
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES))
        elif p.is_file():
            files.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder; give a folder of .txt articles or article files")
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if value.lower() in UNKNOWN_VALUES else value


def read_sidecar(path: str | os.PathLike) -> dict[str, dict[str, str | None]]:
    """Read a metadata sidecar: rows keyed by article id (and by file name)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SidecarError(f"{path}: not UTF-8 ({exc.reason}); save the sidecar as UTF-8 CSV") from None
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or not ({"id", "file"} & set(reader.fieldnames)):
        raise SidecarError(f"{path}: line 1 must be a header naming at least 'id' or 'file' (expected {', '.join(SIDECAR_FIELDS)})")
    unknown = [f for f in reader.fieldnames if f not in SIDECAR_FIELDS]
    if unknown:
        raise SidecarError(f"{path}: line 1 has unknown column(s) {', '.join(unknown)}; the columns are {', '.join(SIDECAR_FIELDS)}")
    rows: dict[str, dict[str, str | None]] = {}
    for lineno, row in enumerate(reader, start=2):
        if None in row:
            raise SidecarError(f"{path}: line {lineno} has more fields than the header; quote values that contain commas")
        key = _clean(row.get("id")) or (Path(_clean(row.get("file")) or "").stem or None)
        if not key:
            raise SidecarError(f"{path}: line {lineno} names no article; fill 'id' (the file name without .txt) or 'file'")
        if key in rows:
            raise SidecarError(f"{path}: line {lineno} describes article {key!r} a second time; keep one row per article")
        published = _clean(row.get("published"))
        if published is not None and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", published):
            raise SidecarError(f"{path}: line {lineno}: published {published!r} is not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY)")
        rows[key] = {f: _clean(row.get(f)) for f in SIDECAR_FIELDS}
    return rows


def _display_path(path: Path) -> str:
    """The path relative to the working folder when it lies below it: tables carry no machine paths."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def load_corpus(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    metadata: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Load articles into a DataFrame (columns ``ARTICLE_COLUMNS``), sorted by id.

    ``metadata`` names a sidecar CSV; without it, an ``articles.csv`` in each
    folder given (or beside each file given) is used when present.  Skipped
    files are listed in ``df.attrs["skipped"]`` and reported as ``CorpusWarning``.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    sidecars: dict[str, dict[str, str | None]] = {}
    sidecar_files = [Path(metadata)] if metadata else []
    if not metadata:
        for p in paths:
            folder = Path(p) if Path(p).is_dir() else Path(p).parent
            candidate = folder / SIDECAR_NAME
            if candidate.is_file() and candidate not in sidecar_files:
                sidecar_files.append(candidate)
    for sc in sidecar_files:
        for key, row in read_sidecar(sc).items():
            sidecars.setdefault(key, row)

    rows = []
    skipped: list[SkippedFile] = []
    for f in article_files(paths):
        try:
            data = f.read_bytes()
            text, encoding = decode_article(data)
        except _Undecodable as exc:
            skipped.append(SkippedFile(_display_path(f), str(exc)))
            warnings.warn(CorpusWarning(f"{_display_path(f)}: skipped: {exc}"), stacklevel=2)
            continue
        except OSError as exc:
            skipped.append(SkippedFile(_display_path(f), exc.strerror or str(exc)))
            warnings.warn(CorpusWarning(f"{_display_path(f)}: skipped: cannot read it ({exc.strerror})"), stacklevel=2)
            continue
        meta = sidecars.get(f.stem) or sidecars.get(f.name) or {}
        title = next((line.strip() for line in text.split("\n") if line.strip()), "")
        rows.append({
            "id": f.stem,
            "file": f.name,
            "path": _display_path(f),
            "title": title,
            "text": text,
            "sha256": hashlib.sha256(data).hexdigest(),
            "characters": len(text),
            "encoding": encoding,
            "outlet": meta.get("outlet"),
            "cited_sources": meta.get("cited_sources"),
            "url": meta.get("url"),
            "language": meta.get("language"),
            "published": meta.get("published"),
            "notes": meta.get("notes"),
        })
    ids = [r["id"] for r in rows]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"two article files share the id {dupes[0]!r}; article ids are file names without .txt and must be unique")
    df = pd.DataFrame(rows, columns=ARTICLE_COLUMNS)
    df = df.sort_values("id", kind="stable").reset_index(drop=True)
    df["characters"] = df["characters"].astype("int64")
    df.attrs["skipped"] = [s.__dict__ for s in skipped]
    return df
