"""What the notebooks call between the pipeline and the figures.

The notebooks stay thin (narrative, parameters, calls); everything that decides
something lives here or in :mod:`troopwatch.plots`, where tests reach it.
Parameters arrive from papermill either with their declared types or, when a
person edits the parameters cell, as strings; the ``as_*`` helpers accept both.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from . import io as tw_io
from .plots import UNKNOWN_OUTLET, outlet_label, period_bounds

__all__ = [
    "WrittenTable",
    "Note",
    "as_list",
    "as_date",
    "as_formats",
    "corpus_label",
    "work_from_project_root",
    "setup_display",
    "load_articles",
    "article_overview",
    "claims_overview",
    "events_overview",
    "within_period",
    "write_table",
    "skipped_files",
    "chart_table",
    "chart_counts",
]

ARTICLE_OVERVIEW_COLUMNS = ["id", "outlet", "published", "published_basis", "characters", "encoding", "title"]
CLAIM_OVERVIEW_COLUMNS = ["article", "kind", "value", "low", "high", "qualifier", "actor", "refers_to",
                          "refers_to_precision", "window_start", "mention"]
EVENT_OVERVIEW_COLUMNS = ["article", "date", "precision", "event"]
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def as_list(value) -> list[str]:
    """A list parameter: a list, or a comma-separated string ('' and None mean an empty list)."""
    if value is None:
        return []
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, Iterable):
        items = [str(v) for v in value]
    else:
        raise ValueError(f"expected a list or a comma-separated string, got {value!r}")
    return [item.strip() for item in items if item.strip()]


def as_date(value, name: str = "date") -> str | None:
    """An ISO date parameter (YYYY-MM-DD, YYYY-MM or YYYY); '' and None mean no limit."""
    if value is None or not str(value).strip():
        return None
    value = str(value).strip()
    if not _ISO.match(value):
        raise ValueError(f"parameter {name}: {value!r} is not an ISO date; write YYYY-MM-DD, YYYY-MM or YYYY")
    try:
        period_bounds(value)
    except ValueError as exc:
        raise ValueError(f"parameter {name}: {exc}") from None
    return value


def as_formats(value) -> list[str]:
    from .plots import FORMATS

    formats = [f.lower() for f in as_list(value)]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"parameter formats: unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    return formats


def work_from_project_root() -> Path:
    """Make the project root the working folder, so the default relative paths hold.

    papermill (``troopwatch run``) already starts the kernel there; JupyterLab and nbval
    start it in ``notebooks/``.  The root is the nearest folder upwards that holds
    ``pyproject.toml`` and ``notebooks/``; without one the working folder is kept.
    """
    import os

    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "notebooks").is_dir():
            if folder != here:
                os.chdir(folder)
            return folder
    return here


def corpus_label(corpus_dir) -> str:
    """How a figure names its corpus: the path as given when relative, else the folder name."""
    path = Path(str(corpus_dir))
    return path.as_posix() if not path.is_absolute() else path.name


def setup_display() -> None:
    """Table display settings for the notebooks: whole tables, Arabic sentences not cut short."""
    pd.set_option("display.max_rows", 200)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.max_colwidth", 90)
    pd.set_option("display.width", 200)


def load_articles(corpus_dir, outlets: Sequence[str] | str | None = None) -> pd.DataFrame:
    """The article table of ``corpus_dir`` (see ``pipeline.articles_table``), limited to ``outlets`` if given.

    ``outlets`` matches the sidecar's outlet names; 'outlet not stated' (or 'unknown')
    selects the articles whose outlet the metadata does not give.
    """
    from . import pipeline

    articles = pipeline.articles_table(str(corpus_dir))
    if articles.empty:
        raise ValueError(f"{corpus_dir}: no article could be loaded; give a folder of .txt articles (corpus_dir)")
    wanted = as_list(outlets)
    if not wanted:
        return articles
    wanted_labels = {UNKNOWN_OUTLET if w.lower() in {"unknown", UNKNOWN_OUTLET} else w for w in wanted}
    labels = articles["outlet"].map(outlet_label)
    chosen = articles[labels.isin(wanted_labels)]
    if chosen.empty:
        available = ", ".join(sorted(set(labels)))
        raise ValueError(f"parameter outlets: no article in {corpus_dir} is from {', '.join(wanted)}; "
                         f"the outlets are: {available}")
    chosen = chosen.reset_index(drop=True)
    chosen.attrs = dict(articles.attrs)
    return chosen


def _columns(df: pd.DataFrame, wanted: Sequence[str]) -> list[str]:
    return [c for c in wanted if c in df.columns]


def article_overview(articles: pd.DataFrame) -> pd.DataFrame:
    """The article table as a reader checks it: no text, no machine paths."""
    return articles[_columns(articles, ARTICLE_OVERVIEW_COLUMNS)].reset_index(drop=True)


def within_period(df: pd.DataFrame, column: str, start: str | None, end: str | None) -> pd.DataFrame:
    """Rows whose date (day, month or year in ``column``) overlaps [start, end]; undated rows are kept."""
    if not (start or end) or df.empty:
        return df

    def keep(value) -> bool:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return True
        first, last = period_bounds(value)
        if start and last < period_bounds(start)[0]:
            return False
        return not (end and first > period_bounds(end)[1])

    return df[df[column].map(keep)].reset_index(drop=True)


def claims_overview(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims a reader checks first: kind, number, qualifier, actor, date, the words."""
    return claims[_columns(claims, CLAIM_OVERVIEW_COLUMNS)].reset_index(drop=True)


def events_overview(events: pd.DataFrame) -> pd.DataFrame:
    return events[_columns(events, EVENT_OVERVIEW_COLUMNS)].reset_index(drop=True)


@dataclass
class WrittenTable:
    path: str
    rows: int
    columns: int

    def __repr__(self) -> str:
        return f"wrote {self.path}: {self.rows} rows, {self.columns} columns"


def write_table(df: pd.DataFrame, folder, name: str) -> WrittenTable:
    """Write ``df`` to ``folder/name`` as CSV for spreadsheets, with its raw values in a ``.jsonl`` twin.

    Both are written atomically and only if the bytes change; see ``io.write_csv``.
    """
    path = tw_io.write_csv(df, Path(str(folder)) / name, jsonl_twin=True)
    return WrittenTable(path.as_posix(), len(df), len(df.columns))


@dataclass
class Note:
    """A sentence shown as a cell's result (in place of an empty table)."""

    text: str

    def __repr__(self) -> str:
        return self.text


def skipped_files(articles: pd.DataFrame) -> pd.DataFrame | Note:
    """The files the loader could not read, and why; a note when every file loaded."""
    skipped = articles.attrs.get("skipped", [])
    if not skipped:
        return Note("Every article file was read; none was skipped.")
    return pd.DataFrame(skipped, columns=["path", "reason"])


def chart_table(chart, columns: Sequence[str] = ("panel", "outlet", "article", "date", "value", "low", "high",
                                                 "qualifier", "window_start", "mention")) -> pd.DataFrame:
    """A figure's plotted rows without the long sentences (those are in its CSV twin)."""
    if chart.rows.empty:
        return Note(f"{chart.name}: nothing to plot. {chart.note_line()}".strip())
    return chart.rows[[c for c in columns if c in chart.rows.columns]]


def chart_counts(charts) -> pd.DataFrame:
    """Per figure: rows plotted, articles they come from, and what was left out."""
    return pd.DataFrame([
        {
            "figure": chart.name,
            "rows plotted": len(chart.rows),
            "articles": int(chart.rows["article"].nunique()) if len(chart.rows) else 0,
            "left out": chart.note_line() or "nothing",
        }
        for chart in charts
    ])
