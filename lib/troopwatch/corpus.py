"""Load a folder (or files) of news articles into one tidy table, one row per article.

A corpus is a folder (searched recursively, in sorted order), a list of files,
or an export file.  What is read (the readers are in :mod:`troopwatch.readers`):

* ``.txt`` articles: plain text, one paragraph per line, the first line being the
  title;
* HTML pages (``.html``, ``.htm``, and any file whose content is HTML even when it
  is named ``.txt``): main text, title, date and site name from the page;
* exports of news archives (``.jsonl``/``.ndjson``, ``.json``, ``.csv``/``.tsv``):
  one article per line, item or row.

Arabic text arrives in many encodings; the loader tries, in order: a byte-order
mark (UTF-8, UTF-16, UTF-32), UTF-8, UTF-16 without a mark, then Windows-1256.
A UTF-8 file with a few broken bytes is read as UTF-8 with those bytes replaced
(a warning gives their byte offsets); control characters other than tab, newline
and carriage return are removed with a warning.  A file that is empty, binary or
undecodable is skipped with a warning naming it and the reason, and the other
articles still load; a corpus in which nothing can be read is an error
(:class:`EmptyCorpusError`).  Symbolic links are not followed unless asked
(``follow_symlinks=True``).

A metadata sidecar (``articles.csv`` beside the articles, or one given
explicitly) adds what the text does not say: outlet, cited sources, url,
language, publication date, notes.
"""
from __future__ import annotations

import os
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Iterable

import pandas as pd

__all__ = [
    "CorpusError",
    "CorpusWarning",
    "EmptyCorpusError",
    "SidecarError",
    "SkippedFile",
    "decode_article",
    "load_corpus",
    "read_sidecar",
    "article_files",
    "SIDECAR_NAME",
    "SIDECAR_FIELDS",
    "ARTICLE_COLUMNS",
    "PROVENANCE_COLUMNS",
]

from . import readers
from .files import (  # noqa: F401  (the public names stay importable from troopwatch.corpus)
    ARTICLE_COLUMNS,
    CorpusError,
    CorpusWarning,
    EmptyCorpusError,
    PROVENANCE_COLUMNS,
    SIDECAR_FIELDS,
    SIDECAR_NAME,
    SidecarError,
    SkippedFile,
    _Report,
    _article_files,
    _display_path,
    _read_sidecar,
    article_files,
    decode_article,
    read_sidecar,
    reading_paths,
)


def load_corpus(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    metadata: str | os.PathLike | None = None,
    *,
    follow_symlinks: bool = False,
    provenance: bool | None = None,
) -> pd.DataFrame:
    """Load articles into a DataFrame (columns ``ARTICLE_COLUMNS``), sorted by id.

    ``paths`` is a folder (searched recursively), a file, or a list of them:
    ``.txt`` articles, HTML pages and exports (see :mod:`troopwatch.readers`).
    ``metadata`` names a sidecar CSV; without it, an ``articles.csv`` in each
    folder given (or beside each file given) is used when present.  What the
    sidecar states wins over what a page or an export row says about itself.

    Skipped files and rows are listed in ``df.attrs["skipped"]`` and reported as
    ``CorpusWarning``; when nothing can be read, :class:`EmptyCorpusError` is raised.
    Symbolic links inside a folder are skipped with a warning unless
    ``follow_symlinks``.  ``provenance`` adds ``PROVENANCE_COLUMNS`` (which reader,
    and where ``published`` and ``outlet`` come from); by default they are added
    when the corpus holds anything but ``.txt`` articles, so a corpus of ``.txt``
    files gives the same table as before.
    """
    with reading_paths():
        return _load_corpus(paths, metadata, follow_symlinks, provenance)


def _load_corpus(paths, metadata, follow_symlinks: bool, provenance: bool | None) -> pd.DataFrame:
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
    sidecar_lines: list[tuple[Path, str, dict[str, str | None], int]] = []
    for sc in sidecar_files:
        rows_, lines = _read_sidecar(sc)
        for key, row in rows_.items():
            sidecars.setdefault(key, row)
            sidecar_lines.append((sc, key, row, lines[key]))

    report = _Report()
    exclude = {sc.resolve() for sc in sidecar_files}
    rows = []
    seen_names: set[str] = set()
    for f, root in _article_files(paths, follow_symlinks, report, exclude=exclude):
        seen_names.update({f.stem, f.name})
        for rec in readers.read_file(f, report):
            meta = sidecars.get(rec["id"])
            if meta is None and rec["id"] == f.stem:  # one article per file: also by file name
                meta = sidecars.get(f.stem) or sidecars.get(f.name)
            rows.append(_merge(rec, meta or {}))
    _warn_unmatched_sidecar_rows(sidecar_lines, {r["id"] for r in rows} | seen_names)
    ids = Counter(r["id"] for r in rows)
    dupes = sorted(i for i, n in ids.items() if n > 1)
    if dupes:
        where = [r["path"] for r in rows if r["id"] == dupes[0]]
        raise CorpusError(
            f"two articles share the id {dupes[0]!r} ({', '.join(where)}); article ids are file names without their "
            "extension (export rows: file name#line) and must be unique; rename one of the files")
    if not rows:
        names = ", ".join(_display_path(Path(p)) for p in paths) or "(no path given)"
        why = (f"; {len(report.skipped)} file(s) or row(s) were skipped, see the warnings" if report.skipped
               else "; it holds no .txt, .html, .jsonl, .json or .csv file")
        raise EmptyCorpusError(
            f"{names}: no article could be loaded{why}. Give a folder of articles (.txt, .html) or a news export "
            "(.jsonl, .json, .csv)", report.skipped)
    if provenance is None:
        provenance = any(r["reader"] != "text" for r in rows)
    columns = ARTICLE_COLUMNS + (PROVENANCE_COLUMNS if provenance else [])
    df = pd.DataFrame(rows, columns=columns)
    df = df.sort_values("id", kind="stable").reset_index(drop=True)
    df["characters"] = df["characters"].astype("int64")
    df.attrs["skipped"] = [s.__dict__ for s in report.skipped]
    return df


def _merge(rec: dict, meta: dict) -> dict:
    """A reader's record with the sidecar's values on top; the basis columns say where each came from."""
    out = dict(rec)
    for field in ("outlet", "cited_sources", "url", "language", "published", "notes"):
        if meta.get(field) is not None:
            out[field] = meta[field]
            if field in ("published", "outlet"):
                out[f"{field}_basis"] = "metadata"
    return out


def _warn_unmatched_sidecar_rows(sidecar_lines, known: set[str]) -> None:
    for sc, key, row, lineno in sidecar_lines:
        if key in known or (row.get("file") and Path(row["file"]).name in known):
            continue
        named = row.get("file") or key
        target = sc.parent / row["file"] if row.get("file") else None
        if target is not None and os.path.lexists(target):
            continue  # the file is there but could not be read: its own warning says why
        if target is None and any(sc.parent.glob(f"{glob_escape(key)}.*")):
            continue
        warnings.warn(CorpusWarning(
            f"{_display_path(sc)}: line {lineno} describes {named!r}, but no such article file was found; "
            "fix its id or file, or remove the row"), stacklevel=3)


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)
