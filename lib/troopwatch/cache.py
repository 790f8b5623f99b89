"""A per-article store of extraction results, so a re-run reads what it already knows.

Each article's results are stored under a key made of its content (id, text and
the corpus-row fields the stages read) and the extractor version (a hash of the
package's code and of the lexicons), so an unchanged article is never read again,
a changed one is, and changing any lexicon or any line of code re-runs everything
it may affect.

The store is one SQLite file: part of the standard library, transactional (a
killed run leaves the store as it was), safe when two processes write, and one
file however many articles, where a file per article would not scale to a
hundred thousand.  Values are JSON.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

from .lexicons import lexicon_key

__all__ = ["ResultStore", "article_key", "extractor_version"]

# Corpus-row fields the stages read besides the text: a change in any re-runs the article.
KEY_FIELDS = ("id", "text", "outlet", "url", "language", "published", "cited_sources", "title")


def extractor_version() -> str:
    """A hash of the package's code and of the lexicon folder in use."""
    return _version(lexicon_key())


@lru_cache(maxsize=None)
def _version(lexicons: str) -> str:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for path in sorted(Path(lexicons).rglob("*.yml")):
        digest.update(str(path.relative_to(lexicons)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def article_key(row: dict) -> str:
    """The cache key of one corpus row: its content and the extractor version."""
    digest = hashlib.sha256(extractor_version().encode())
    for name in KEY_FIELDS:
        digest.update(b"\x00" + name.encode() + b"\x01")
        digest.update(json.dumps(_plain(row.get(name)), ensure_ascii=False).encode())
    return digest.hexdigest()


class ResultStore:
    """Extraction results by key, in ``<folder>/results.sqlite``."""

    def __init__(self, folder: str | os.PathLike):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "results.sqlite"
        self._db = sqlite3.connect(self.path, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    def get_many(self, keys: Sequence[str]) -> list[dict | None]:
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), 500):
            part = unique[i:i + 500]
            marks = ",".join("?" * len(part))
            for key, value in self._db.execute(f"SELECT key, value FROM results WHERE key IN ({marks})", part):
                found[key] = value
        return [json.loads(found[k]) if k in found else None for k in keys]

    def put_many(self, items: Iterable[tuple[str, dict]]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO results (key, value) VALUES (?, ?)",
                                 ((k, json.dumps(v, ensure_ascii=False)) for k, v in items))

    def close(self) -> None:
        self._db.close()
