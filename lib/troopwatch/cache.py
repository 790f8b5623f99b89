"""A per-article store of extraction results, so a re-run reads what it already knows.

Each article's results are stored under a key made of its content (id, text and
the corpus-row fields the stages read) and the extractor version (a hash of the
package's code and of the lexicons), so an unchanged article is never read again,
a changed one is, and changing any lexicon or any line of code re-runs everything
it may affect.

The store is one SQLite file: part of the standard library, transactional (a
killed run leaves the store as it was), safe when two processes write, and one
file however many articles, where a file per article would not scale to a
hundred thousand.  Values are compact records (see :class:`ResultStore`).
"""
from __future__ import annotations

import gc
import hashlib
import marshal
import os
import sqlite3
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

from .lexicons import lexicon_key

__all__ = ["ResultStore", "article_key", "extractor_version"]

# Corpus-row fields the stages read besides the text: a change in any re-runs the article.
KEY_FIELDS = ("id", "text", "outlet", "url", "language", "published", "cited_sources", "title")


# Modules extraction never imports (figures, notebooks, running, this store): editing them keeps
# the cache (tests/test_scale.py checks that extracting an article imports none of them).
NOT_EXTRACTION = frozenset({
    "__main__.py", "cache.py", "cli.py", "distributed.py", "envsync.py", "framing_plots.py", "io.py",
    "pairing.py", "pairing_plots.py", "plots.py", "report.py", "runner.py",
})
# Reading a corpus: what these modules produce, the text and the row's fields, is itself in the key
# (``KEY_FIELDS``), and no extraction stage imports them (only ``pipeline.extract``, to load paths).
READING = frozenset({"corpus.py", "files.py", "readers.py"})


def extractor_version() -> str:
    """A hash of the package's code that extraction runs and of the lexicon folder in use."""
    return _version(lexicon_key())


@lru_cache(maxsize=None)
def _version(lexicons: str) -> str:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")):
        if path.name in NOT_EXTRACTION or path.name in READING:
            continue
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for path in sorted(Path(lexicons).rglob("*.yml")):
        digest.update(str(path.relative_to(lexicons)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def article_key(row: dict, version: str | None = None) -> str:
    """The cache key of one corpus row: its content and the extractor version (``extractor_version()`` if None)."""
    pieces = [(version or extractor_version()).encode(), FORMAT]
    for name, absent, present in _FIELD_MARKS:
        value = row.get(name)
        if value is None or (isinstance(value, float) and value != value):
            pieces.append(absent)
        else:
            data = (value if type(value) is str else str(value)).encode("utf-8", "surrogatepass")
            pieces += (present, len(data).to_bytes(8, "big"), data)
    return hashlib.sha256(b"".join(pieces)).hexdigest()


# Per key field: what stands for it when it is missing, and what comes before its length and value.
_FIELD_MARKS = tuple((name, b"\x00" + name.encode() + b"\x01", b"\x00" + name.encode() + b"\x02") for name in KEY_FIELDS)


class ResultStore:
    """Extraction results by key, in ``<folder>/results.sqlite``.

    A result is a compact record (``pipeline.compact``: one part per name of ``PARTS``, each
    tuples of plain values).  Each part is stored in a column of its own as ``marshal`` bytes
    compressed with zlib, so a command that builds one table reads and decodes only the parts
    that table is built from (the claims of an article are a fifth of its record; its framing
    evidence, half).  Within a part the strings an article repeats are stored once.  Lookups
    and writes go by batches.
    """

    def __init__(self, folder: str | os.PathLike):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "results.sqlite"
        self._db = sqlite3.connect(self.path, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        columns = ", ".join(f"{part} BLOB NOT NULL" for part in PARTS)
        self._db.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (key TEXT PRIMARY KEY, {columns})")

    def get_many(self, keys: Sequence[str], parts: Iterable[str] | None = None) -> list[Any]:
        """The record stored under each key, None where there is none.

        ``parts`` names the parts wanted (of ``PARTS``; None: all); a record holds None in place
        of the others.  A record with a damaged part is None (computed again).
        """
        wanted = PARTS if parts is None else tuple(p for p in PARTS if p in set(parts))
        unknown = set(parts or ()) - set(PARTS)
        if unknown:
            raise ValueError(f"no part named {sorted(unknown)[0]!r}; the parts are {', '.join(PARTS)}")
        index = [PARTS.index(p) for p in wanted]
        found: dict[str, tuple] = {}
        unique = list(dict.fromkeys(keys))
        select = ", ".join(("key",) + wanted)
        collecting = gc.isenabled()
        gc.disable()  # decoding makes many small tuples and no cycles: no collection walks them
        try:
            for i in range(0, len(unique), 500):
                part = unique[i:i + 500]
                marks = ",".join("?" * len(part))
                for key, *blobs in self._db.execute(f"SELECT {select} FROM {TABLE} WHERE key IN ({marks})", part):
                    record = [None] * len(PARTS)
                    try:
                        for k, blob in zip(index, blobs):
                            record[k] = _load(blob)
                    except _Damaged:
                        continue  # a damaged entry is computed again
                    found[key] = tuple(record)
        finally:
            if collecting:
                gc.enable()
        return [found.get(k) for k in keys]

    def put_many(self, items: Iterable[tuple[str, Sequence[Any]]]) -> None:
        """Store each (key, record); a record has one part per name of ``PARTS``, in that order."""
        marks = ", ".join("?" * (len(PARTS) + 1))
        with self._db:
            self._db.executemany(f"INSERT OR REPLACE INTO {TABLE} (key, {', '.join(PARTS)}) VALUES ({marks})",
                                 ((k, *map(_dump, _parts(v))) for k, v in items))

    def close(self) -> None:
        self._db.close()


# The parts of a record, in order (``pipeline.PARTS``): one column each.
PARTS = ("published", "dates", "claims", "events", "framing", "evidence")
# The store's format: marshal's (stable across Python 3 versions for tuples of plain values), a column per
# part, in a table of its own, so a store written by an earlier format is ignored rather than misread.
FORMAT = b"\x00parts-marshal-4-zlib"
TABLE = "record_parts"


class _Damaged(ValueError):
    pass


def _parts(record: Sequence[Any]) -> Sequence[Any]:
    if len(record) != len(PARTS):
        raise ValueError(f"a record has {len(PARTS)} parts ({', '.join(PARTS)}), not {len(record)}")
    return record


def _dump(part: Any) -> bytes:
    return zlib.compress(marshal.dumps(part, 4), 1)


def _load(value: bytes) -> Any:
    try:
        return marshal.loads(zlib.decompress(value))
    except (ValueError, EOFError, TypeError, zlib.error):
        raise _Damaged from None
