"""Safe, reproducible writes: every output is written beside its target, then renamed.

An interrupted or failed run therefore never leaves a half-written table or
figure; the previous file stays until the new one is complete.  Tables are
written with fixed formatting so the same inputs give the same bytes.

CSV is written to be opened in a spreadsheet: a text cell that a spreadsheet
would run as a formula is neutralized (see :func:`write_csv`).  The raw values
are kept, untouched, in the JSON Lines twin (:func:`write_jsonl`), which needs
no dependency beyond the standard library.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import filecmp
import gc
import json
from itertools import chain, repeat
from json.encoder import encode_basestring
import os
import re
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

__all__ = ["atomic_path", "write_bytes", "write_text", "write_csv", "write_jsonl", "neutralize_cell",
           "spreadsheet_safe", "jsonl_text", "write_pieces", "csv_text"]

# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and
# carriage return, strips them and reads what follows): '=HYPERLINK(...)', '+cmd|...', '@SUM(...)'.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d+)*|\d*\.\d+)([eE][+-]?\d+)?")
_FORMULA_AFTER_NUL = re.compile("\x00[" + re.escape("".join(FORMULA_STARTS)) + "]")


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, suffix: str | None = None, keep_same: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it onto ``target``.

    On an exception the temporary file is removed and ``target`` is untouched.  With ``keep_same``,
    a ``target`` that already holds exactly the written bytes is left as it is (its time unchanged).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or target.suffix or ".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if keep_same and target.is_file() and target.stat().st_size == tmp_path.stat().st_size and \
                filecmp.cmp(tmp_path, target, shallow=False):
            tmp_path.unlink()  # the file already holds exactly these bytes: left as it is
            return
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


def neutralize_cell(value):
    """``value``, with a single quote in front when it is text a spreadsheet would run as a formula.

    Only strings are touched: numbers (negative ones included) stay numbers, and a string
    that is just a number ('-5', '+1.5') is left as it is, since no spreadsheet runs it.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell passed through :func:`neutralize_cell` (column names too)."""
    safe = df.copy()
    for column in safe.columns:
        series = safe[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            # only a string starting with a formula character can change: the column's strings are joined,
            # each behind a NUL, and one regular expression finds a formula start (a NUL inside a cell can
            # only give a false alarm, which the cell by cell pass below settles)
            values = series.tolist()
            strings = [v for v in values if type(v) is str]
            if _FORMULA_AFTER_NUL.search("\x00" + "\x00".join(strings)) is not None or \
                    (len(strings) < len(values) and
                     any(neutralize_cell(v) is not v for v in values if type(v) is not str)):
                safe[column] = pd.Series([neutralize_cell(v) for v in values], index=series.index, dtype=object)
    safe.columns = [neutralize_cell(c) for c in safe.columns]
    return safe


# Tables longer than this are written this many rows at a time, straight into the file: the same bytes
# (pandas writes each row alike), without the whole text of a large table in memory at once.
CHUNK_ROWS = 50_000


def write_pieces(target: str | os.PathLike, pieces: Iterable[str]) -> Path:
    """Write the concatenation of ``pieces`` (UTF-8) to ``target`` atomically, skipping the replacement when
    the file already holds exactly these bytes; the text is never held whole."""
    with atomic_path(target, keep_same=True) as tmp:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            for piece in pieces:
                f.write(piece)
    return Path(target)


def _chunks(df: pd.DataFrame) -> Iterator[pd.DataFrame]:
    for start in range(0, len(df), CHUNK_ROWS):
        yield df.iloc[start:start + CHUNK_ROWS]


# A cell holding one of these may need quotes (a comma, a quote, a line end; any control character, to be
# safe): it is written by the csv module itself.  Any other cell is written as it is, as csv writes it.
_CSV_SPECIAL = re.compile('[\x00-\x1f,"]')


def csv_text(df: pd.DataFrame, header: bool = True) -> str:
    """``df.to_csv(index=False, header=header, lineterminator="\\n")``, byte for byte, written column by column.

    Each cell is turned into its text as pandas and the csv module do (a missing value is empty, a float of a
    NumPy column is written as NumPy writes it, any other value as csv writes it); a cell that may need quotes
    is passed to ``csv.writer``; the rows are joined from their cells at once.  A table pandas formats in
    ways this does not follow (dates, categories, a single column, names that are not text) is written by pandas.
    """
    columns = list(df.columns)
    if len(columns) < 2 or len(df) == 0 or not all(type(c) is str for c in columns) or \
            not all(_csv_kind(df.iloc[:, k]) for k in range(len(columns))):
        return df.to_csv(index=False, header=header, lineterminator="\n")
    collecting = gc.isenabled()
    gc.disable()  # many strings and row tuples, no reference cycle: no collection needs to walk them
    try:
        cells = [_csv_cells(df.iloc[:, k]) for k in range(len(columns))]
        body = "\n".join(map(",".join, zip(*cells))) + "\n"
        del cells
    finally:
        if collecting:
            gc.enable()
    if not header:
        return body
    names = _csv_quoted(columns)
    return ",".join(names) + "\n" + body


def _csv_kind(series: pd.Series) -> bool:
    """Whether :func:`_csv_cells` writes this column as pandas does: text and object columns, NumPy numbers
    and booleans, pandas' nullable integers and text."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        return dtype.kind in "Obiuf"
    return pd.api.types.is_string_dtype(dtype) or str(dtype) in _NULLABLE_INTEGERS


_NULLABLE_INTEGERS = {"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32"}  # each fits an int64


def _csv_cells(series: pd.Series) -> list[str]:
    """The text of each cell of a column as ``to_csv`` writes it (a missing value: empty)."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":  # pandas writes NumPy's own text of each float
        values = series.to_numpy()
        return _blank(values.astype(str).tolist(), np.isnan(values))
    if isinstance(dtype, np.dtype) and dtype.kind in "biu":
        return list(map(str, series.tolist()))  # Python ints and bools: csv writes str() of each
    if str(dtype) in _NULLABLE_INTEGERS:
        return _blank(list(map(str, series.to_numpy(dtype=np.int64, na_value=0).tolist())), series.isna().to_numpy())
    # text and object columns: a string is itself, a missing value empty, anything else what csv writes of it
    return _csv_quoted([v if type(v) is str else _csv_cell(v) for v in series.tolist()])


def _blank(values: list, missing: np.ndarray) -> list:
    """``values`` with an empty string where ``missing`` is true."""
    if missing.any():
        for i in np.flatnonzero(missing).tolist():
            values[i] = ""
    return values


def _csv_cell(value) -> str:
    """One cell of an object column (pandas writes a missing value as empty, csv any other value)."""
    kind = type(value)
    if kind is str:
        return value
    if value is None:
        return ""
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return "" if value != value else float.__repr__(value)
    missing = pd.isna(value)
    if missing is True or (isinstance(missing, np.bool_) and missing):
        return ""
    return str(value)  # what csv writes of any value but text and None (quoted after, if need be)


def _csv_quoted(values: list[str]) -> list[str]:
    """The strings of a column, each that may need quotes as ``csv.writer`` writes it (found in one scan)."""
    joined = "".join(values)
    found = _CSV_SPECIAL.search(joined)
    if found is None:
        return values
    from bisect import bisect_right
    from itertools import accumulate

    ends = list(accumulate(map(len, values)))
    out = list(values)
    while found is not None:
        i = bisect_right(ends, found.start())  # the cell holding that character
        out[i] = _csv_writer_cell(values[i])
        found = _CSV_SPECIAL.search(joined, ends[i])
    return out


def _csv_writer_cell(value) -> str:
    """One cell as ``csv.writer`` writes it within a row (quoted when it must be)."""
    import csv
    import io as _io

    buffer = _io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([value, ""])
    return buffer.getvalue()[:-2]  # without the empty cell after it and the line end


def write_csv(df: pd.DataFrame, target: str | os.PathLike, *, jsonl_twin: bool = False) -> Path:
    """Write a table as UTF-8 CSV with '\\n' line ends and no index, atomically, safe for spreadsheets.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    single quote in front (``=HYPERLINK("http://x")`` is written ``'=HYPERLINK("http://x")``),
    so Excel, LibreOffice or Google Sheets show it as text instead of running it
    (CSV injection).  Numeric cells are never changed (``-5`` stays ``-5``), nor text that
    is a plain number.  The CSV is for people and spreadsheets; with ``jsonl_twin`` the
    raw values are also written, unchanged, to the ``.jsonl`` file beside it
    (:func:`write_jsonl`), the table to read from code.  A table of more than ``CHUNK_ROWS``
    rows is written chunk by chunk.
    """
    if len(df) <= CHUNK_ROWS:
        path = write_text(target, csv_text(spreadsheet_safe(df)))
    else:
        path = write_pieces(target, (csv_text(spreadsheet_safe(part), header=k == 0) for k, part in enumerate(_chunks(df))))
    if jsonl_twin:
        write_jsonl(df, Path(target).with_suffix(".jsonl"))
    return path


def _json_value(value):
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # most cells: nothing to convert
        return value
    if kind is float:
        return None if value != value else value
    try:
        missing = pd.isna(value)  # None, NaN, NA, NaT; a list gives an array and is kept
    except (TypeError, ValueError):
        missing = False
    if isinstance(missing, (bool, np.bool_)) and missing:
        return None
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _jsonl_rows(df: pd.DataFrame) -> str:
    """:func:`jsonl_text` row by row, with ``json.dumps`` on each row's dict (the reference the tests compare with)."""
    lines = []
    columns = [str(c) for c in df.columns]
    for row in df.itertuples(index=False, name=None):
        record = {c: _json_value(v) for c, v in zip(columns, row)}
        lines.append(json.dumps(record, ensure_ascii=False, default=str))
    return "".join(line + "\n" for line in lines)


_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode


def _json_cell(value) -> str:
    """One cell as ``json.dumps`` writes it inside a row (``_json_value`` first)."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if kind is float:
        return "null" if value != value else _ENCODE(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    return _ENCODE(_json_value(value))


def jsonl_text(df: pd.DataFrame) -> str:
    """One JSON object per row, keys in column order, missing values as null, text unescaped (UTF-8).

    Written column by column (each cell encoded once, each row joined from its cells), byte for
    byte what ``json.dumps`` gives for the row's dict.
    """
    columns = [str(c) for c in df.columns]
    if len(set(columns)) < len(columns) or not columns:  # a repeated name keeps its last value: as a dict does
        return _jsonl_rows(df)
    # a row is its cells between fixed pieces ('{"a": ', ', "b": ', '}\n'), joined all at once in C
    pieces = ["{" + encode_basestring(columns[0]) + ": "]
    pieces += [", " + encode_basestring(name) + ": " for name in columns[1:]]
    between = [repeat(piece) for piece in pieces]
    streams = [s for pair in zip(between, (_json_column(df.iloc[:, k]) for k in range(len(columns)))) for s in pair]
    return "".join(chain.from_iterable(zip(*streams, repeat("}\n"))))


def _json_column(series: pd.Series) -> list[str]:
    """The cells of one column as :func:`_json_cell` writes them; a column of integers, booleans or
    strings only is encoded by one C-level ``map``, any other cell by cell."""
    values = series.tolist()
    kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else ""  # not a nullable (NA) dtype
    if kind in ("i", "u"):  # tolist() gives Python ints
        return list(map(int.__repr__, values))
    if kind == "b":
        return ["true" if v else "false" for v in values]
    if kind == "O" and pd.api.types.infer_dtype(series, skipna=False) == "string":  # str (or a subclass) only
        return list(map(encode_basestring, values))
    return [encode_basestring(v) if type(v) is str else "null" if v is None else _json_cell(v) for v in values]


def write_jsonl(df: pd.DataFrame, target: str | os.PathLike) -> Path:
    """Write a table as JSON Lines (raw values: nothing neutralized), atomically, only if the bytes change."""
    if len(df) <= CHUNK_ROWS:
        return write_text(target, jsonl_text(df))
    return write_pieces(target, (jsonl_text(part) for part in _chunks(df)))
