"""Writing outputs: atomic replacement, CSV safe for spreadsheets, the raw JSON Lines twin."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from troopwatch import io as tw_io
from troopwatch import report


@pytest.mark.parametrize("cell, written", [
    ("=1+1", "'=1+1"),
    ("+SUM(A1:A2)", "'+SUM(A1:A2)"),
    ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-", "'-"),
    ("-5", "-5"),  # text that is a plain number is no formula
    ("+1.5", "+1.5"),
    ("a=b", "a=b"),
    ("الولايات المتحدة", "الولايات المتحدة"),
    (-5, -5),  # numbers are numbers
    (-2.5, -2.5),
    (None, None),
])
def test_neutralize_cell(cell, written):
    assert tw_io.neutralize_cell(cell) == written


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized_and_kept_raw_in_jsonl(tmp_path):
    table = pd.DataFrame({
        "outlet": ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "plain",
                   "-5", None],
        "value": [-1, 2, -3, 4, 5, 6, 7, 8],
        "low": [-1.5, None, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0],
    })
    path = tw_io.write_csv(table, tmp_path / "claims.csv", jsonl_twin=True)
    back = pd.read_csv(path, keep_default_na=False, dtype=str)
    assert list(back["outlet"]) == ["'=HYPERLINK(\"http://x\",\"click\")", "'+cmd|' /C calc'!A0", "'-2+3",
                                    "'@SUM(A1)", "'\tx", "plain", "-5", ""]
    assert list(back["value"]) == ["-1", "2", "-3", "4", "5", "6", "7", "8"]  # numbers are never touched
    assert back["low"][0] == "-1.5"
    raw = [json.loads(line) for line in (tmp_path / "claims.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["outlet"] for r in raw] == list(table["outlet"][:-1]) + [None]
    assert raw[0] == {"outlet": '=HYPERLINK("http://x","click")', "value": -1, "low": -1.5}
    assert raw[1]["low"] is None


def test_the_jsonl_twin_keeps_types_and_missing_values():
    table = pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "x": [np.float64(0.5), math.nan],
                          "when": pd.to_datetime(["2021-03-23", None]), "text": ["جندي", None]})
    lines = tw_io.jsonl_text(table).splitlines()
    assert [json.loads(line) for line in lines] == [
        {"n": 1, "x": 0.5, "when": "2021-03-23T00:00:00", "text": "جندي"},
        {"n": None, "x": None, "when": None, "text": None},
    ]
    assert "جندي" in lines[0]  # UTF-8, not \\u escapes


def test_write_table_writes_the_csv_and_its_jsonl_twin(tmp_path):
    table = pd.DataFrame({"article": ["a"], "outlet": ["=cmd"]})
    written = report.write_table(table, tmp_path, "articles.csv")
    assert repr(written) == f"wrote {(tmp_path / 'articles.csv').as_posix()}: 1 rows, 2 columns"
    assert (tmp_path / "articles.csv").read_text(encoding="utf-8") == "article,outlet\na,'=cmd\n"
    assert (tmp_path / "articles.jsonl").read_text(encoding="utf-8") == '{"article": "a", "outlet": "=cmd"}\n'


def test_a_failed_write_leaves_the_previous_file(tmp_path):
    target = tmp_path / "t.csv"
    tw_io.write_text(target, "old\n")
    with pytest.raises(RuntimeError):
        with tw_io.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("stopped")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_the_column_wise_writers_give_the_row_by_row_bytes():
    """Every kind of column (numpy ints and booleans, nullable integers, strings with and without
    missing values, mixed objects, keys with braces) is written as the row-by-row reference writes it."""
    import datetime as dt

    table = pd.DataFrame({
        "n": [1, -2, 3, 40, 5],
        "flag": [True, False, True, True, False],
        "maybe": pd.array([1, None, 3, None, 5], dtype="Int64"),
        "text": ["قوات", 'a "quoted" word', "back\\slash", "line\nbreak", "{brace}"],
        "gaps": ["x", None, "z", None, "=1"],
        "{key}": pd.array(["a", None, "c", "d", "e"], dtype="string"),
        "mixed": [1, "a", 2.5, dt.date(2021, 3, 23), math.nan],
        "x": [0.5, math.nan, -0.0, 1e20, math.inf],
    })
    assert tw_io.jsonl_text(table) == tw_io._jsonl_rows(table)
    for k in range(len(table.columns)):  # each column alone too
        one = table.iloc[:, [k]]
        assert tw_io.jsonl_text(one) == tw_io._jsonl_rows(one)


def test_a_formula_start_is_found_in_a_column_whatever_surrounds_it():
    column = ["plain", "a\x00=b", None, "مرحبا"]  # a NUL inside a cell is no formula start
    frame = pd.DataFrame({"c": column})
    assert tw_io.spreadsheet_safe(frame).to_csv(index=False) == frame.to_csv(index=False)
    for at in range(4):
        cells = list(column)
        cells[at] = "@SUM(A1)"
        assert tw_io.spreadsheet_safe(pd.DataFrame({"c": cells}))["c"].tolist()[at] == "'@SUM(A1)"


def _mixed_frame(rows: int, seed: int) -> pd.DataFrame:
    """Columns of every kind a table holds, with missing values, and text that needs quotes."""
    rng = np.random.default_rng(seed)
    texts = ["قال مصدر، إن 2,500 جندي", 'a "quoted" word', "line\nbreak", "carriage\rreturn", " padded ",
             "", "tab\there", "=1+1", "plain", "ج", "nul\x00x", "\x1fend", "comma,"]
    pick = lambda options: [options[i] for i in rng.integers(0, len(options), rows)]  # noqa: E731
    odd = pick([1, 2.5, None, float("nan"), pd.NA, True, np.float64(0.1), np.int64(7), "t,x", "t", -0.0,
                1e16, pd.NaT, ("a", 1)])
    ints = rng.integers(-10**12, 10**12, rows)
    floats = rng.standard_normal(rows) * 10.0 ** rng.integers(-8, 22, rows)
    floats[rng.random(rows) < 0.2] = np.nan
    floats[:3] = [np.inf, -0.0, 0.1 + 0.2][:min(3, rows)]
    return pd.DataFrame({
        "text": pd.array(pick(texts + [None]), dtype="str"),
        "object text": pd.Series(pick(texts + [None, float("nan")]), dtype=object),
        "odd, \"name\"": pd.Series(odd, dtype=object),
        "Int64": pd.array([None if m else int(v) for v, m in zip(ints, rng.random(rows) < 0.3)], dtype="Int64"),
        "int": ints,
        "float": floats,
        "float32": floats.astype(np.float32),
        "bool": rng.random(rows) < 0.5,
        "uint8": rng.integers(0, 255, rows).astype(np.uint8),
        "UInt16": pd.array(rng.integers(0, 60000, rows), dtype="UInt16"),
    })


@pytest.mark.parametrize("seed", range(4))
def test_csv_text_is_what_pandas_writes(seed):
    """The column-wise CSV writer gives pandas' to_csv bytes, with and without the header, for every kind of
    column; tables it does not follow (dates, one column, names that are not text) are pandas' own."""
    df = _mixed_frame(300, seed)
    for frame in (df, df.iloc[:0], df.iloc[:1], df[["text"]], df[["Int64", "int"]],
                  df.assign(when=pd.Timestamp("2024-01-25")), df.rename(columns={"int": 5}),
                  df.assign(bools=pd.array([True, None] * 150, dtype="boolean")),
                  df.assign(floats=pd.array([0.5, None] * 150, dtype="Float64"))):
        for header in (True, False):
            assert tw_io.csv_text(frame, header=header) == frame.to_csv(index=False, header=header, lineterminator="\n")


def test_write_csv_writes_pandas_bytes_made_safe(tmp_path):
    df = _mixed_frame(200, 9)
    path = tw_io.write_csv(df, tmp_path / "t.csv")
    assert path.read_bytes().decode("utf-8") == tw_io.spreadsheet_safe(df).to_csv(index=False, lineterminator="\n")
