"""Readers: each turns one file into article records with the same columns.

=========  ===============================  =========================================
reader     files                            one article per
=========  ===============================  =========================================
``text``   ``.txt`` (and other plain text)  file; the first line is the title
``html``   ``.html``, ``.htm``, ``.xhtml``  file; main text, title, date and site
           and any file whose content is    name from the page (trafilatura,
           HTML, even named ``.txt``        htmldate)
``jsonl``  ``.jsonl``, ``.ndjson``          line (a JSON object)
``json``   ``.json``                        item of a list (or ``{"articles": [...]}``),
                                            or the file when it holds one object
``csv``    ``.csv``, ``.tsv``               row after the header
=========  ===============================  =========================================

Every record has the columns ``ARTICLE_COLUMNS + PROVENANCE_COLUMNS`` of
:mod:`troopwatch.corpus`.  The ``text`` is one paragraph per line with the title
on the first line, as in a ``.txt`` article, so later stages read every corpus
the same way; character offsets in later tables point into this ``text``.

Ids: a file that holds one article is named by its file name without the
extension (``001.txt`` -> ``001``); an export row by file name and line
(``gdelt.jsonl`` line 12 -> ``gdelt#12``; for a CSV, the line on which the row
starts; for a JSON list, the item number).  Ids change only when the file is
renamed or rows are inserted above.

The field names of exports (news-please, GDELT, MediaCloud and others) are data,
in ``data/lexicons/export_fields.yml``.  A bad record (invalid JSON, a row with no
text) is skipped with a warning naming the file and line; the others still load.
"""
from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from .files import (
    ARTICLE_COLUMNS,
    HTML_SUFFIXES,
    PROVENANCE_COLUMNS,
    UNKNOWN_VALUES,
    SkippedFile,
    _decode,
    _display_path,
    _Report,
    _Undecodable,
    _check_text,
    iso_date_problem,
    strip_controls,
)
from .lexicons import LexiconError, lexicon_path, load_lexicon

__all__ = [
    "RECORD_COLUMNS",
    "EXPORT_COLUMNS",
    "export_fields",
    "looks_like_html",
    "extract_html",
    "normalize_published",
    "read_file",
    "read_text_file",
    "read_html_file",
    "read_jsonl",
    "read_json",
    "read_csv",
]

RECORD_COLUMNS = ARTICLE_COLUMNS + PROVENANCE_COLUMNS
# The article columns an export row can fill (the keys of export_fields.yml's `fields`).
EXPORT_COLUMNS = ["text", "title", "url", "published", "outlet", "language", "cited_sources", "notes"]
# Keys under which a JSON file holds its list of articles (GDELT, NewsAPI, MediaCloud responses).
JSON_LIST_KEYS = ("articles", "results", "stories", "items", "data")
# Per export file, how many bad rows are warned about one by one before a summary.
MAX_ROW_WARNINGS = 5
# csv's default field limit (131,072 characters) is shorter than a long article.
CSV_FIELD_LIMIT = 64 * 1024 * 1024
# htmldate rejects dates after max_date; a fixed bound keeps the result independent of the clock.
HTML_MAX_DATE = "2099-12-31"

_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
                         re.I | re.S)
_HTML_TAG = re.compile(rb"<(?:html|body|head)\b[^>]*>", re.I)
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*""", re.I)
_URL_DOMAIN = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?(?:www\d*\.)?([^/:?#\s]+)", re.I)
_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


class _Unreadable(ValueError):
    """A file or record cannot be read; the message says why and what to do."""


def _record(**values: Any) -> dict[str, Any]:
    rec = dict.fromkeys(RECORD_COLUMNS)
    rec.update(values)
    return rec


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def url_domain(url: str | None) -> str | None:
    """``https://www.example.org/x`` -> ``example.org``."""
    if not url:
        return None
    m = _URL_DOMAIN.match(url.strip())
    return m.group(1).lower().rstrip(".") if m else None


def _first_line(text: str) -> str:
    """The first line of ``text`` that is not blank, stripped ("" when there is none)."""
    start = 0
    while True:
        end = text.find("\n", start)
        line = (text[start:] if end < 0 else text[start:end]).strip()
        if line or end < 0:
            return line
        start = end + 1


def _paragraphs(text: str) -> str:
    """One paragraph per line: line breaks unified, lines stripped, blank lines dropped."""
    lines = (line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _with_title(title: str | None, body: str) -> tuple[str, str]:
    """(title, text): the text starts with the title line, as a .txt article does."""
    first = next((line.strip() for line in body.split("\n") if line.strip()), "")
    title = " ".join((title or "").split())  # one line
    if not title:
        return first, body
    if not first or first == title or title in first or first in title:
        return title, body
    return title, f"{title}\n{body}"


# ---------------------------------------------------------------------------- dispatch


def read_file(path: Path, report: _Report | None = None) -> Iterator[dict[str, Any]]:
    """The article records of one file, by its extension (or, for other files, its content)."""
    report = report or _Report()
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from read_jsonl(path, report)
    elif suffix == ".json":
        yield from read_json(path, report)
    elif suffix in (".csv", ".tsv"):
        yield from read_csv(path, report)
    else:
        data = _read_bytes(path, report)
        if data is None:
            return
        if suffix in HTML_SUFFIXES or looks_like_html(data):
            rec = read_html_file(path, report, data)
        else:
            rec = read_text_file(path, report, data)
        if rec is not None:
            yield rec


def _read_bytes(path: Path, report: _Report) -> bytes | None:
    try:
        return read_bytes(path)
    except OSError as exc:
        report.skip(path, exc.strerror or str(exc), f"cannot read it ({exc.strerror})")
        return None


def read_bytes(path: str | os.PathLike) -> bytes:
    """``Path(path).read_bytes()`` without the layers of a buffered file object (a third of the time
    for a file of a few KB); raises ``OSError`` as it does."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        size = os.fstat(fd).st_size
        chunks = []
        while True:
            chunk = os.read(fd, size + 1 if size else 1 << 16)  # a regular file: one read, and one to see its end
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _decode_file(path: Path, report: _Report, data: bytes, markup: bool = False) -> tuple[str, str] | None:
    try:
        text, encoding, notes = _decode_html(data) if markup else _decode(data)
    except _Undecodable as exc:
        report.skip(path, str(exc))
        return None
    for note in notes:
        report.warn(path, note)
    return text, encoding


# ---------------------------------------------------------------------------- .txt


def read_text_file(path: Path, report: _Report | None = None, data: bytes | None = None) -> dict[str, Any] | None:
    """A plain-text article: the title on the first line, one paragraph per line (None when skipped)."""
    report = report or _Report()
    data = _read_bytes(path, report) if data is None else data
    if data is None:
        return None
    decoded = _decode_file(path, report, data)
    if decoded is None:
        return None
    text, encoding = decoded
    return _record(
        id=path.stem, file=path.name, path=_display_path(path), title=_first_line(text), text=text,
        sha256=_sha256(data), characters=len(text), encoding=encoding, reader="text",
    )


# ---------------------------------------------------------------------------- HTML


def looks_like_html(data: bytes) -> bool:
    """Whether the bytes are an HTML page (whatever the file is called)."""
    head = data[:4096]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom):]
            break
    head = head.replace(b"\x00", b"")  # UTF-16: the markup is ASCII
    return bool(_HTML_START.match(head) or (b"</" in head and _HTML_TAG.search(head)))


def _decode_html(data: bytes) -> tuple[str, str, list[str]]:
    """A page's bytes: a byte-order mark, UTF-8, the charset the page declares, then the usual guesses."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        return _decode(data, markup=True)
    try:
        data.decode("utf-8")
        return _decode(data, markup=True)
    except UnicodeDecodeError:
        pass
    m = _DECLARED_CHARSET.search(data[:4096])
    if m:
        name = m.group(1).decode("ascii", "replace").lower()
        try:
            text = data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            return _check_text(text, "windows-1256" if name in ("cp1256", "windows-1256") else name, [], data)
    return _decode(data, markup=True)


def extract_html(html: str) -> dict[str, Any]:
    """Main text (one paragraph per line, title first), title, date, outlet, url and language of a page.

    The text and metadata come from trafilatura, the date from htmldate
    (``original_date``, no search of the free text: only the page's markup and
    url).  The page is parsed here and handed over as a tree, so neither library
    ever treats the content as a URL to download.  Raises ``_Unreadable``.
    """
    import htmldate
    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:
        raise _Unreadable("it is not an HTML page that can be parsed")
    published = htmldate.find_date(copy.deepcopy(tree), extensive_search=False, original_date=True,
                                   outputformat="%Y-%m-%d", max_date=HTML_MAX_DATE)
    options = dict(with_metadata=True, include_comments=False, include_images=False, include_links=False,
                   date_extraction_params={"extensive_search": False, "original_date": True, "max_date": HTML_MAX_DATE})
    doc = trafilatura.bare_extraction(copy.deepcopy(tree), **options)
    if doc is None or not (getattr(doc, "text", None) or "").strip():
        doc = trafilatura.bare_extraction(copy.deepcopy(tree), favor_recall=True, **options) or doc
    body = _paragraphs(getattr(doc, "text", None) or "") if doc is not None else ""
    if not body:
        raise _Unreadable("no article text was found in the page (only navigation, scripts or markup)")
    title, text = _with_title(getattr(doc, "title", None), body)
    url = getattr(doc, "url", None) or None
    domain = url_domain(url)
    sitename = (getattr(doc, "sitename", None) or "").strip() or None
    if sitename and sitename.lower() != domain:
        outlet, outlet_basis = sitename, "html_meta"
    elif domain:
        outlet, outlet_basis = domain, "url_domain"
    else:
        outlet, outlet_basis = None, None
    lang = _HTML_LANG.search(html[:8192])
    language = lang.group(1).lower() if lang else (getattr(doc, "language", None) or None)
    return {
        "title": title, "text": text, "url": url, "language": language,
        "published": published or None, "published_basis": "html_meta" if published else None,
        "outlet": outlet, "outlet_basis": outlet_basis,
    }


def read_html_file(path: Path, report: _Report | None = None, data: bytes | None = None) -> dict[str, Any] | None:
    """An HTML page as one article (None when skipped, with a warning)."""
    report = report or _Report()
    data = _read_bytes(path, report) if data is None else data
    if data is None:
        return None
    decoded = _decode_file(path, report, data, markup=True)
    if decoded is None:
        return None
    html, encoding = decoded
    try:
        page = extract_html(html)
    except _Unreadable as exc:
        report.skip(path, str(exc), f"{exc}; if it is an article, save its text as .txt")
        return None
    except Exception as exc:  # a parser failing on one hostile page must not stop the others loading
        reason = f"the page could not be parsed ({type(exc).__name__}: {exc})"
        report.skip(path, reason, f"{reason}; if it is an article, save its text as .txt")
        return None
    return _record(
        id=path.stem, file=path.name, path=_display_path(path), sha256=_sha256(data),
        characters=len(page["text"]), encoding=encoding, reader="html", **page,
    )


# ---------------------------------------------------------------------------- exports


@lru_cache(maxsize=1)
def export_fields() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """(column -> field names tried in order, language name -> code) from ``export_fields.yml``."""
    data = load_lexicon("export_fields")
    where = lexicon_path("export_fields")
    fields = data.get("fields") if isinstance(data, dict) else None
    if not isinstance(fields, dict) or "text" not in fields:
        raise LexiconError(f"{where}: needs a 'fields' mapping with at least 'text' (the columns are {', '.join(EXPORT_COLUMNS)})")
    unknown = [k for k in fields if k not in EXPORT_COLUMNS]
    if unknown:
        raise LexiconError(f"{where}: fields: unknown column(s) {', '.join(map(str, unknown))}; the columns are {', '.join(EXPORT_COLUMNS)}")
    mapping = {}
    for column, names in fields.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise LexiconError(f"{where}: fields: {column}: give a list of field names")
        mapping[column] = tuple(n.strip().lower() for n in names)
    languages = {str(k).strip().lower(): str(v).strip().lower() for k, v in (data.get("language_names") or {}).items()}
    return mapping, languages


def _field_value(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        return None if value.lower() in UNKNOWN_VALUES else value
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "\n".join(value).strip() or None  # paragraphs given as a list
    if isinstance(value, dict):  # {"name": "Reuters", "id": ...}
        for key in ("name", "title", "url", "domain"):
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key].strip()
    return None


def map_fields(row: dict[str, Any]) -> dict[str, str | None]:
    """An export row's fields under troopwatch's column names (the first filled name of each column wins)."""
    mapping, _languages = export_fields()
    lower: dict[str, Any] = {}
    for key, value in row.items():
        lower.setdefault(str(key).strip().lower(), value)
    out: dict[str, str | None] = {}
    for column, names in mapping.items():
        out[column] = next((v for v in (_field_value(lower.get(n)) for n in names) if v is not None), None)
    return out


def normalize_published(value: str | None) -> tuple[str | None, str | None]:
    """(ISO date, None) for the date forms exports use, or (None, why not).

    ``2024-01-25``, ``2024-01-25T10:15:00Z``, ``2024-01-25 10:15:00``, ``20240125T101500Z``
    (GDELT), ``2024/01/25``, ``2024-01``, ``2024``, with Western or Eastern digits.  The
    date is the one written (no time-zone conversion).  Day-first forms are ambiguous
    and refused.
    """
    if value is None or not str(value).strip():
        return None, None
    v = str(value).strip().translate(_EASTERN_DIGITS)
    m = (re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", v)
         or re.fullmatch(r"(\d{4})(\d{2})(\d{2})(?:T?\d{4,6}(?:\.\d+)?Z?)?", v)
         or re.fullmatch(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[T ].*)?", v))
    if m:
        iso = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    elif re.fullmatch(r"\d{4}(-\d{2})?", v):
        iso = v
    else:
        return None, f"{value!r} is not a date troopwatch reads"
    problem = iso_date_problem(iso)
    if problem:
        return None, f"{value!r} {problem}"
    return iso, None


class _Rows:
    """Warnings about the bad rows of one export: the first few one by one, then a count."""

    def __init__(self, path: Path, report: _Report):
        self.path, self.report, self.warned, self.more = path, report, 0, 0

    def skip(self, where: str, reason: str, advice: str) -> None:
        self.report.skipped.append(SkippedFile(_display_path(self.path), f"{where}: {reason}"))
        self._warn(f"{where}: skipped: {reason}; {advice}")

    def warn(self, where: str, message: str) -> None:
        self._warn(f"{where}: {message}")

    def _warn(self, message: str) -> None:
        if self.warned < MAX_ROW_WARNINGS:
            self.warned += 1
            self.report.warn(self.path, message)
        else:
            self.more += 1

    def close(self) -> None:
        if self.more:
            self.report.warn(self.path, f"{self.more} more row problem(s) like the ones above (listed in attrs['skipped'])")


def _export_record(path: Path, key: str, where: str, row: dict[str, Any], encoding: str, reader: str,
                   rows: _Rows) -> dict[str, Any] | None:
    fields = map_fields(row)
    names, languages = export_fields()[0]["text"], export_fields()[1]
    if not fields.get("text"):
        rows.skip(where, "no article text", f"fill one of the fields {', '.join(names)} (the other rows still load)")
        return None
    body, removed = strip_controls(fields["text"])
    body = _paragraphs(body)
    if removed:
        rows.warn(where, f"removed {removed} control character(s) from the text")
    if not body:
        rows.skip(where, "no article text", f"fill one of the fields {', '.join(names)} (the other rows still load)")
        return None
    title, text = _with_title(strip_controls(fields.get("title") or "")[0], body)
    published, problem = normalize_published(fields.get("published"))
    if problem:
        rows.warn(where, f"published {problem}; the article loads without a date (write YYYY-MM-DD in the export, "
                         f"or give it in articles.csv for id {key!r})")
    url = fields.get("url")
    outlet, outlet_basis = fields.get("outlet"), "export"
    if not outlet:
        outlet = url_domain(url)
        outlet_basis = "url_domain" if outlet else None
    language = fields.get("language")
    if language:
        language = languages.get(language.lower(), language.lower())
    return _record(
        id=key, file=path.name, path=_display_path(path), title=title, text=text,
        sha256=_sha256(text.encode("utf-8")), characters=len(text), encoding=encoding,
        outlet=outlet, cited_sources=fields.get("cited_sources"), url=url, language=language,
        published=published, notes=fields.get("notes"), reader=reader,
        published_basis="export" if published else None, outlet_basis=outlet_basis,
    )


def _export_text(path: Path, report: _Report) -> tuple[str, str] | None:
    data = _read_bytes(path, report)
    if data is None:
        return None
    return _decode_file(path, report, data)


def _json_problem(exc: Exception, with_line: bool) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg}, line {exc.lineno}, column {exc.colno}" if with_line else f"{exc.msg}, column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    return str(exc)


def read_jsonl(path: Path, report: _Report | None = None) -> Iterator[dict[str, Any]]:
    """One article per line of a JSON Lines export; a bad line is skipped with a warning naming it."""
    report = report or _Report()
    decoded = _export_text(path, report)
    if decoded is None:
        return
    text, encoding = decoded
    rows = _Rows(path, report)
    # split on "\n" only: JSON strings may hold U+2028 and other characters str.splitlines() breaks on
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {lineno}"
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, or nesting too deep to parse
            rows.skip(where, f"not valid JSON ({_json_problem(exc, with_line=False)})",
                      "fix or remove the line (the other lines still load)")
            continue
        if not isinstance(obj, dict):
            rows.skip(where, f"a JSON {type(obj).__name__}, not an object", "write one JSON object per line")
            continue
        rec = _export_record(path, f"{path.stem}#{lineno}", where, obj, encoding, "jsonl", rows)
        if rec is not None:
            yield rec
    rows.close()


def read_json(path: Path, report: _Report | None = None) -> Iterator[dict[str, Any]]:
    """A JSON export: a list of articles, ``{"articles": [...]}`` (or results, stories, items, data), or one article."""
    report = report or _Report()
    decoded = _export_text(path, report)
    if decoded is None:
        return
    text, encoding = decoded
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        problem = f"not valid JSON ({_json_problem(exc, with_line=True)})"
        report.skip(path, problem, f"{problem}; fix the file (or write one article per line as .jsonl, "
                                   "so that one bad line does not lose the others)")
        return
    rows = _Rows(path, report)
    if isinstance(obj, dict):
        listed = next((obj[k] for k in JSON_LIST_KEYS if isinstance(obj.get(k), list)), None)
        if listed is None:
            rec = _export_record(path, path.stem, "the file", obj, encoding, "json", rows)
            rows.close()
            if rec is not None:
                yield rec
            return
        obj = listed
    if not isinstance(obj, list):
        report.skip(path, f"a JSON {type(obj).__name__}, not an article or a list of articles",
                    f"it holds a JSON {type(obj).__name__}, not an article or a list of articles")
        return
    for i, item in enumerate(obj, start=1):
        where = f"item {i}"
        if not isinstance(item, dict):
            rows.skip(where, f"a JSON {type(item).__name__}, not an object", "give each article as a JSON object")
            continue
        rec = _export_record(path, f"{path.stem}#{i}", where, item, encoding, "json", rows)
        if rec is not None:
            yield rec
    rows.close()


def read_csv(path: Path, report: _Report | None = None) -> Iterator[dict[str, Any]]:
    """One article per row of a CSV (or .tsv) export with a header; ids and warnings use the row's first line."""
    report = report or _Report()
    decoded = _export_text(path, report)
    if decoded is None:
        return
    text, encoding = decoded
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
    first_line = text.split("\n", 1)[0]
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    elif "," in first_line:
        delimiter = ","
    else:  # a header with no comma: semicolon- or tab-separated
        delimiter = max((";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        report.skip(path, f"no header line ({exc})" if str(exc) else "no header line",
                    "line 1 must name the columns (text, title, url, published, outlet, language)")
        return
    header = [h.strip() for h in header]
    mapping, _languages = export_fields()
    if not {h.lower() for h in header} & set(mapping["text"]):
        hint = (" It looks like a metadata sidecar: name it articles.csv, or pass it as metadata."
                if {h.lower() for h in header} & {"id", "file"} else "")
        report.skip(path, "no column holds the article text",
                    f"no column holds the article text (looked for {', '.join(mapping['text'])}); rename that column "
                    f"to 'text' or add its name under 'text:' in data/lexicons/export_fields.yml.{hint}")
        return
    rows = _Rows(path, report)
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows.skip(f"line {start}", f"not valid CSV ({exc})", "fix the quoting of that row (the other rows still load)")
            start = reader.line_num + 1
            continue
        lineno, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        where = f"line {lineno}"
        if len(values) > len(header):
            rows.skip(where, "more fields than the header", "quote values that contain the delimiter")
            continue
        row = dict(zip(header, values))
        rec = _export_record(path, f"{path.stem}#{lineno}", where, row, encoding, "csv", rows)
        if rec is not None:
            yield rec
    rows.close()
