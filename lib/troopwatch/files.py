"""Article files: decoding, checking, walking folders and reading the metadata sidecar.

The low layer of reading a corpus, shared by :mod:`troopwatch.readers` (what a
file holds) and :mod:`troopwatch.corpus` (the corpus table): the encodings tried,
what makes a file binary or undecodable, control characters, the sidecar and its
checks, the errors and warnings every reader raises.  See :mod:`troopwatch.corpus`.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable


__all__ = [
    "HTML_SUFFIXES",
    "UNKNOWN_VALUES",
    "iso_date_problem",
    "strip_controls",
    "CorpusError",
    "CorpusWarning",
    "EmptyCorpusError",
    "SidecarError",
    "SkippedFile",
    "decode_article",
    "read_sidecar",
    "article_files",
    "SIDECAR_NAME",
    "SIDECAR_FIELDS",
    "ARTICLE_COLUMNS",
    "PROVENANCE_COLUMNS",
]

SIDECAR_NAME = "articles.csv"
SIDECAR_FIELDS = ["id", "file", "outlet", "cited_sources", "url", "language", "published", "notes"]
ARTICLE_COLUMNS = [
    "id", "file", "path", "title", "text", "sha256", "characters", "encoding",
    "outlet", "cited_sources", "url", "language", "published", "notes",
]
# Added after ARTICLE_COLUMNS when a corpus holds more than .txt articles (see load_corpus):
#   reader           text, html, jsonl, json or csv: which reader produced the row
#   published_basis  where `published` comes from: metadata (the sidecar), html_meta (the page's
#                    own markup or url, read by htmldate), export (the export's date field); empty when unknown
#   outlet_basis     where `outlet` comes from: metadata, html_meta (the page's site name),
#                    export (the export's outlet field), url_domain (the domain of the article's url)
PROVENANCE_COLUMNS = ["reader", "published_basis", "outlet_basis"]
TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
EXPORT_SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv", ".tsv"}
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | EXPORT_SUFFIXES
# Values a person writes in the sidecar when the article does not state something.
UNKNOWN_VALUES = {"", "unknown", "na", "n/a", "none", "null", "-"}
# How many byte offsets a warning lists before saying "and N more".
_SHOW_OFFSETS = 5


class CorpusError(ValueError):
    """The corpus cannot be loaded; the message names the file and what to do."""


class SidecarError(CorpusError):
    """The metadata sidecar cannot be read; the message names the file and line."""


class EmptyCorpusError(CorpusError):
    """No article could be read from the paths given (every file was skipped, or there was none)."""

    def __init__(self, message: str, skipped: list[SkippedFile] | None = None):
        super().__init__(message)
        self.skipped = list(skipped or [])


class CorpusWarning(UserWarning):
    """An article file or row was skipped or repaired; the message names the file and what to do."""


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


_ARABIC = re.compile("[\u0600-\u06ff]")
_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_LETTER = re.compile(r"(?=[\u0600-\u06ff])[^\W\d_]")
_UNPRINTABLE = re.compile("[\x00-\x08\x0e-\x1f\ufffd]")
_COMMON_SCRIPT = re.compile("[\x00-\x7f\u0600-\u06ff\u2000-\u206f]")
# C0 control characters a text keeps: tab, newline, carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_BYTES = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A file whose characters are more than this share control characters is binary, not text.
_BINARY_CONTROL_SHARE = 0.05
# A file is "mostly UTF-8" when at most this share of its non-ASCII bytes are not valid UTF-8;
# Windows-1256 Arabic read as UTF-8 fails on nearly all of them.
_MOSTLY_UTF8 = 0.2
_ESCAPED = re.compile("[\udc80-\udcff]+")
# The same classes as bytes of UTF-8 (a character below U+0020 is one byte, U+FFFD three), for bytes.translate.
_UNPRINTABLE_BYTES = bytes(range(0x00, 0x09)) + bytes(range(0x0e, 0x20))
_CONTROL_BYTE_SET = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))
_REPLACEMENT_BYTES = "\ufffd".encode("utf-8")


class _Undecodable(ValueError):
    pass


def _count(pattern: re.Pattern[str], text: str) -> int:
    return pattern.subn("", text)[1]


def _printable_share(text: str) -> float:
    """Share of characters that are neither control characters (but \\t \\n \\r \\f \\v) nor U+FFFD."""
    if not text:
        return 0.0
    return 1 - _count(_UNPRINTABLE, text) / len(text)


def _common_script_share(text: str) -> float:
    """Share of characters that are ASCII, Arabic or general punctuation."""
    if not text:
        return 0.0
    return _count(_COMMON_SCRIPT, text) / len(text)


def _offsets(offsets: list[int]) -> str:
    shown = ", ".join(str(o) for o in offsets[:_SHOW_OFFSETS])
    more = len(offsets) - _SHOW_OFFSETS
    return shown + (f" and {more} more" if more > 0 else "")


def _utf8_with_replacement(data: bytes, skip: int) -> tuple[str, list[int], int]:
    """Decode ``data[skip:]`` as UTF-8, each bad byte replaced by U+FFFD; (text, byte offsets of bad runs, bad bytes)."""
    text = data[skip:].decode("utf-8", errors="surrogateescape")
    starts: list[int] = []
    count = 0
    byte_pos, char_pos = skip, 0
    for m in _ESCAPED.finditer(text):
        byte_pos += len(text[char_pos:m.start()].encode("utf-8"))
        starts.append(byte_pos)
        count += m.end() - m.start()
        byte_pos += m.end() - m.start()
        char_pos = m.end()
    return _ESCAPED.sub(lambda m: "\ufffd" * len(m.group()), text), starts, count


def _decode_utf8(data: bytes, skip: int, name: str) -> tuple[str, str, list[str], bool] | None:
    """UTF-8 (after ``skip`` bytes of BOM): strict, or with replacement when only a few bytes are bad; None otherwise.

    (text, encoding name, notes, whether the text is exactly the bytes decoded).
    """
    try:
        return data[skip:].decode("utf-8"), name, [], True
    except UnicodeDecodeError:
        pass
    body = data[skip:]
    non_ascii = len(body.translate(None, bytes(range(0x80))))
    # bad bytes: what is lost when the text is decoded and encoded again without them
    if len(body) - len(body.decode("utf-8", errors="ignore").encode("utf-8")) > _MOSTLY_UTF8 * non_ascii:
        return None
    text, bad, count = _utf8_with_replacement(data, skip)
    note = (f"{count} byte(s) that are not UTF-8 at byte offset(s) {_offsets(bad)} were replaced with "
            f"U+FFFD (the rest of the file is UTF-8); re-save the file as UTF-8 to keep those characters")
    return text, f"{name} (replaced)", [note], False


def _decode(data: bytes, *, markup: bool = False) -> tuple[str, str, list[str]]:
    """Decode the bytes of one article: (text, encoding name, notes on what was repaired).

    Control characters other than tab, newline and carriage return are removed
    (a note gives their byte offsets).  ``markup`` says the bytes are an HTML
    page: the Windows-1256 test then looks at the text outside the tags.
    Raises ``_Undecodable`` with a reason a person can act on.
    """
    if not data or data.isspace():  # ``not data.strip()`` without a copy of the bytes
        raise _Undecodable("the file is empty")
    decoded = None
    for bom, enc in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            if enc == "utf-8-sig":
                decoded = _decode_utf8(data, len(bom), enc)
                if decoded is None:
                    raise _Undecodable("it starts with a utf-8-sig byte-order mark but is not valid utf-8-sig "
                                       "(most of its non-ASCII bytes are not UTF-8); re-save it as UTF-8")
                break
            try:
                text = data[len(bom):].decode(enc)
            except UnicodeDecodeError as exc:
                raise _Undecodable(f"it starts with a {enc} byte-order mark but is not valid {enc} ({exc.reason})")
            return _check_text(text, enc, [])
    if decoded is None and b"\x00" in data:
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
            return _check_text(best[1], best[2], [])
        controls = len(_CONTROL_BYTES.findall(data))
        if controls > _BINARY_CONTROL_SHARE * len(data):
            raise _Undecodable("it looks binary (it holds NUL bytes and is not UTF-16 text)")
    if decoded is None:
        decoded = _decode_utf8(data, 0, "utf-8")
    if decoded is not None:
        text, encoding, notes, exact = decoded
        return _check_text(text, encoding, notes, data, utf8=exact)
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        visible = re.sub(r"<[^>]*>", " ", text) if markup else text
        if _ARABIC.search(visible):
            arabic_share = _count(_ARABIC_LETTER, visible) / max(_count(_LETTER, visible), 1)
            if arabic_share > 0.5:
                return _check_text(text, "windows-1256", [], data)
    raise _Undecodable(
        "it is not UTF-8, UTF-16 or Windows-1256 text; re-save it as UTF-8"
    )


def _check_text(text: str, encoding: str, notes: list[str], data: bytes | None = None,
                utf8: bool = False) -> tuple[str, str, list[str]]:
    """Refuse a text of white space or of control characters; remove the control characters of another.

    ``utf8`` says the text is ``data`` decoded as UTF-8 (after a byte-order mark, if any): a control
    character is then one byte and U+FFFD its three bytes, so both are counted in the bytes, at C speed.
    """
    if not text or text.isspace():  # ``not text.strip()`` without a copy of the text
        raise _Undecodable("the file holds only white space")
    if utf8 and data is not None:
        has_controls = len(data.translate(None, _CONTROL_BYTE_SET)) != len(data)
        unprintable = data.count(_REPLACEMENT_BYTES)
        if has_controls:
            unprintable += len(data) - len(data.translate(None, _UNPRINTABLE_BYTES))
    else:
        unprintable = _count(_UNPRINTABLE, text)
        has_controls = _CONTROL.search(text) is not None
    if 1 - unprintable / len(text) < 1 - _BINARY_CONTROL_SHARE:
        raise _Undecodable(f"it decodes as {encoding} but is mostly control characters (binary?)")
    if has_controls:
        found = _CONTROL.findall(text)
        names = sorted({"NUL" if c == "\x00" else f"U+{ord(c):04X}" for c in found})
        if data is not None and not encoding.startswith(("utf-16", "utf-32")):
            where = f"at byte offset(s) {_offsets([m.start() for m in _CONTROL_BYTES.finditer(data)])}"
        else:
            where = f"at character offset(s) {_offsets([m.start() for m in _CONTROL.finditer(text)])}"
        text = _CONTROL.sub("", text)
        notes = notes + [f"removed {len(found)} control character(s) ({', '.join(names)}) {where}; "
                         "the text is read without them"]
        if not text.strip():
            raise _Undecodable("the file holds only control characters and white space")
    return text, encoding, notes


def decode_article(data: bytes) -> tuple[str, str]:
    """Decode the bytes of one article; return (text, encoding name).

    Raises ``ValueError`` with a reason a person can act on.
    """
    text, encoding, _notes = _decode(data)
    return text, encoding


def strip_controls(text: str) -> tuple[str, int]:
    """``text`` without C0 control characters other than tab, newline and CR; (text, how many were removed)."""
    found = len(_CONTROL.findall(text))
    return (_CONTROL.sub("", text) if found else text), found


# ---------------------------------------------------------------------------- finding the files


class _Report:
    """Warnings and skipped files, in the order they happen."""

    def __init__(self) -> None:
        self.skipped: list[SkippedFile] = []

    def warn(self, path: Path | str, message: str) -> None:
        warnings.warn(CorpusWarning(f"{_display_path(Path(path))}: {message}"), stacklevel=3)

    def skip(self, path: Path | str, reason: str, message: str | None = None) -> None:
        self.skipped.append(SkippedFile(_display_path(Path(path)), reason))
        warnings.warn(CorpusWarning(f"{_display_path(Path(path))}: skipped: {message or reason}"), stacklevel=3)


def _walk(root: Path, follow_symlinks: bool, report: _Report) -> list[Path]:
    """Article files below ``root``, in sorted order; links skipped unless ``follow_symlinks``.

    One ``os.scandir`` per folder tells each entry's kind and whether it is a link, so no file is
    resolved: a file reached from ``root`` through no link lies in ``root``'s real folder, at the
    same relative path.  While a corpus is read (:class:`reading_paths`), the display path and
    the real path of each such file are noted (see :func:`_display_path`), from ``root``'s own,
    looked up once.
    """
    found: list[tuple[list[str], Path, bool]] = []  # (path below root, path, reached through no link)
    visited = {root.resolve()}

    def visit(folder: Path, below: list[str], plain: bool) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            report.skip(folder, f"cannot list the folder ({exc.strerror})")
            return
        for entry in entries:
            name = entry.name
            is_link = entry.is_symlink()
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
                is_file = not is_dir and entry.is_file(follow_symlinks=True)
            except OSError:
                is_dir = is_file = False
            if is_link and not follow_symlinks:
                if is_dir or _suffix(name) in ARTICLE_SUFFIXES:
                    kind = "folder" if is_dir else "file"
                    report.skip(Path(entry.path), "it is a symbolic link; links are not followed",
                                f"it is a symbolic link (to a {kind}); links are not followed, so nothing outside "
                                f"the corpus folder is read; copy the {kind} in, or load with follow_symlinks=True "
                                "to read it")
                continue
            if is_link and not (is_dir or is_file):
                if _suffix(name) in ARTICLE_SUFFIXES:
                    report.skip(Path(entry.path), "it is a broken symbolic link",
                                "it is a symbolic link to nothing; fix or remove it")
                continue
            if is_dir:
                path = Path(entry.path)
                real = path.resolve()
                if real in visited:
                    continue  # a link back up the tree: read each folder once
                visited.add(real)
                visit(path, below + [name], plain and not is_link)
            elif is_file and name != SIDECAR_NAME and _suffix(name) in ARTICLE_SUFFIXES:
                found.append((below + [name], Path(entry.path), plain and not is_link))

    visit(root, [], True)
    # the order of sorted paths: all start with root, so they compare by their parts below it
    found.sort(key=lambda item: item[0])
    if _READING[0]:
        display, real = _root_paths(root)
        for below, path, plain in found:
            if plain:
                relative = "/".join(below)
                _KNOWN[str(path)] = (_join(display, relative), _join(real, relative))
    return [path for _below, path, _plain in found]


def _suffix(name: str) -> str:
    """``Path(name).suffix.lower()`` of a file name."""
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def _join(base: str, relative: str) -> str:
    """``PurePosixPath(base, relative).as_posix()`` for a normalized ``base`` and a relative path."""
    if base == ".":
        return relative
    return base + relative if base.endswith("/") else f"{base}/{relative}"


def _root_paths(root: Path) -> tuple[str, str]:
    """(display path, real path) of a folder, the bases of the files found below it."""
    return _display_path(root), str(_resolved(root))


def _article_files(paths: Iterable[str | os.PathLike], follow_symlinks: bool, report: _Report,
                   exclude: set[Path] | None = None) -> list[tuple[Path, Path]]:
    """(file, the corpus root it was found under) for each article file, in order, each file once."""
    files: list[tuple[Path, Path]] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend((f, p) for f in _walk(p, follow_symlinks, report))
        elif p.is_file():
            files.append((p, p.parent))
        else:
            raise FileNotFoundError(
                f"{p}: no such file or folder; give a folder of articles (.txt, .html, .jsonl, .csv) or article files")
    seen: set[str] = {str(e) for e in exclude or ()}
    unique = []
    for f, root in files:
        key = _real_path(f)
        if key not in seen:
            seen.add(key)
            unique.append((f, root))
    return unique


def article_files(paths: Iterable[str | os.PathLike], follow_symlinks: bool = False) -> list[Path]:
    """The article files named by ``paths`` (files, or folders searched recursively), sorted.

    In folders, files ending in .txt, .html, .htm, .xhtml, .jsonl, .ndjson, .json,
    .csv and .tsv are articles (``articles.csv``, the sidecar, is not); symbolic
    links are skipped with a warning unless ``follow_symlinks``.
    """
    return [f for f, _root in _article_files(paths, follow_symlinks, _Report())]


# ---------------------------------------------------------------------------- the sidecar


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if value.lower() in UNKNOWN_VALUES else value


_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # not strftime's %B, which follows the locale


@lru_cache(maxsize=4096)
def iso_date_problem(value: str) -> str | None:
    """Why ``value`` is not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY) of the calendar, or None when it is one."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not m:
        return "is not an ISO date"
    year, month, day = (int(g) if g else None for g in m.groups())
    if month is not None and not 1 <= month <= 12:
        return f"is not a real date (there is no month {month})"
    if day is not None:
        try:
            dt.date(year, month, day)
        except ValueError:
            return f"is not a real date ({_MONTHS[month - 1]} {year} has no day {day})"
    return None


def _unsafe_file_value(value: str) -> bool:
    """A sidecar ``file`` that is absolute or climbs out of the sidecar's folder."""
    posix = value.replace("\\", "/")
    return posix.startswith("/") or bool(re.match(r"[A-Za-z]:", posix)) or ".." in posix.split("/")


def _read_sidecar(path: Path) -> tuple[dict[str, dict[str, str | None]], dict[str, int]]:
    """(rows keyed by article id, line of each row)."""
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
    lines: dict[str, int] = {}
    for lineno, row in enumerate(reader, start=2):
        if None in row:
            raise SidecarError(f"{path}: line {lineno} has more fields than the header; quote values that contain commas")
        values = {f: _clean(row.get(f)) for f in SIDECAR_FIELDS}
        file_value = values["file"]
        if file_value is not None and _unsafe_file_value(file_value):
            raise SidecarError(
                f"{path}: line {lineno}: file {file_value!r} points outside the folder of the sidecar; "
                "write the article's file name (e.g. 001.txt), or a path below that folder")
        key = values["id"] or (Path(file_value or "").stem or None)
        if not key:
            raise SidecarError(f"{path}: line {lineno} names no article; fill 'id' (the file name without .txt) or 'file'")
        if key in rows:
            raise SidecarError(f"{path}: line {lineno} describes article {key!r} a second time; keep one row per article")
        published = values["published"]
        if published is not None:
            published = published.translate(_EASTERN_DIGITS)
            problem = iso_date_problem(published)
            if problem:
                raise SidecarError(
                    f"{path}: line {lineno}: published {published!r} {problem}; write YYYY-MM-DD, YYYY-MM or YYYY "
                    "(e.g. 2024-01-25), or 'unknown'")
        values["published"] = published
        rows[key] = values
        lines[key] = lineno
    return rows, lines


def read_sidecar(path: str | os.PathLike) -> dict[str, dict[str, str | None]]:
    """Read a metadata sidecar: rows keyed by article id (and by file name)."""
    return _read_sidecar(Path(path))[0]


def _display_path(path: Path) -> str:
    """The path relative to the working folder when it lies below it: tables carry no machine paths."""
    known = _KNOWN.get(str(path)) if _KNOWN else None
    if known is not None:
        return known[0]
    cwd = _real_cwd()
    try:
        return path.absolute().relative_to(cwd).as_posix()
    except ValueError:
        try:
            return _resolved(path).relative_to(cwd).as_posix()
        except ValueError:
            return path.as_posix()


# Folders resolved while one corpus is read (a corpus of 100,000 files in a few folders resolves a few
# folders, not 100,000 paths), and the files a walk found through no link: path -> (display path, real
# path); emptied when reading ends, so a later read sees links changed since.
_REAL_FOLDERS: dict[str, str] = {}
_KNOWN: dict[str, tuple[str, str]] = {}
_READING = [0]


class reading_paths:
    """While a corpus is read, each folder's real path is looked up once (re-entrant)."""

    def __enter__(self) -> "reading_paths":
        _READING[0] += 1
        return self

    def __exit__(self, *exc) -> None:
        _READING[0] -= 1
        if not _READING[0]:
            _REAL_FOLDERS.clear()
            _KNOWN.clear()


def _real_folder(folder: str) -> str:
    if not _READING[0]:
        return os.path.realpath(folder)
    real = _REAL_FOLDERS.get(folder)
    if real is None:
        real = _REAL_FOLDERS[folder] = os.path.realpath(folder)
    return real


def _real_cwd() -> Path:
    return Path(_real_folder(os.getcwd()))


def _resolved(path: Path) -> Path:
    """``path.resolve()``, with the real path of its folder looked up once per folder while a corpus is read."""
    if not _READING[0] or ".." in path.parts or os.path.islink(path):
        return path.resolve()
    absolute = path.absolute()
    if absolute.name in ("", "."):
        return path.resolve()
    return Path(_real_folder(str(absolute.parent))) / absolute.name


def _real_path(path: Path) -> str:
    """``str(path.resolve())``; a file a walk found through no link is not resolved again."""
    known = _KNOWN.get(str(path)) if _KNOWN else None
    return known[1] if known is not None else str(_resolved(path))


# ---------------------------------------------------------------------------- loading


