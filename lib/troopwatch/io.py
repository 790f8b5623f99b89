"""Safe, reproducible writes: every output is written beside its target, then renamed.

An interrupted or failed run therefore never leaves a half-written table or
figure; the previous file stays until the new one is complete.  Tables are
written with fixed formatting so the same inputs give the same bytes.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

import pandas as pd

__all__ = ["atomic_path", "write_bytes", "write_text", "write_csv"]


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it onto ``target``.

    On an exception the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or target.suffix or ".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp makes owner-only files; published outputs are world-readable like any other file
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically, skipping the write when the bytes are unchanged."""
    target = Path(target)
    if target.is_file() and target.read_bytes() == data:
        return target
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target


def write_text(target: str | os.PathLike, text: str) -> Path:
    return write_bytes(target, text.encode("utf-8"))


def write_csv(df: pd.DataFrame, target: str | os.PathLike) -> Path:
    """Write a table as UTF-8 CSV with '\\n' line ends and no index, atomically."""
    return write_text(target, df.to_csv(index=False, lineterminator="\n"))
