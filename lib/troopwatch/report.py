"""What the notebooks call between the pipeline and the figures.

The notebooks stay thin (narrative, parameters, calls); everything that decides
something lives here or in :mod:`troopwatch.plots`, where tests reach it.
Parameters arrive from papermill either with their declared types or, when a
person edits the parameters cell, as strings; the ``as_*`` helpers accept both.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

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
    "Project",
    "project",
    "project_root",
    "load_tables",
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
    "build_report",
]

ARTICLE_OVERVIEW_COLUMNS = ["id", "outlet", "published", "published_basis", "characters", "encoding", "title"]
CLAIM_OVERVIEW_COLUMNS = ["article", "kind", "value", "low", "high", "qualifier", "actor", "refers_to",
                          "refers_to_precision", "window_start", "refers_to_window", "mention"]
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


def as_date(value, name: str = "date", where: str | None = None) -> str | None:
    """An ISO date parameter (YYYY-MM-DD, YYYY-MM or YYYY); '' and None mean no limit.

    A bad value is refused naming ``where`` it came from (default: "parameter NAME").
    """
    if value is None or not str(value).strip():
        return None
    value = str(value).strip()
    where = where or f"parameter {name}"
    if not _ISO.match(value):
        raise ValueError(f"{where} {value!r}: not an ISO date; write YYYY-MM-DD, YYYY-MM or YYYY")
    try:
        period_bounds(value)
    except ValueError as exc:
        raise ValueError(f"{where} {value!r}: not a valid date ({str(exc).split('(', 1)[-1].rstrip(')')})") from None
    return value


def as_formats(value) -> list[str]:
    from .plots import FORMATS

    formats = [f.lower() for f in as_list(value)]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"parameter formats: unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    return formats


def project_root(start: str | Path | None = None) -> Path:
    """The project root: the nearest folder upwards that holds ``pyproject.toml`` and ``notebooks/``.

    papermill (``troopwatch run``) starts the kernel there; JupyterLab and nbval
    start it in ``notebooks/``.  Without such a folder the working folder is the root.
    The working folder itself is never changed.
    """
    here = Path(start) if start is not None else Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "notebooks").is_dir():
            return folder
    return here


@dataclass
class Project:
    """A notebook's folders, resolved against the project root and shown relative to it."""

    root: Path
    corpus_dir: str
    processed_dir: str
    figures_dir: str

    def path(self, value) -> Path:
        p = Path(str(value))
        return p if p.is_absolute() else self.root / p

    def show(self, value) -> str:
        """A path as a reader should see it: relative to the project root when inside it."""
        p = Path(str(value))
        try:
            return p.relative_to(self.root).as_posix() if p.is_absolute() else p.as_posix()
        except ValueError:
            return p.as_posix()

    def load(self, outlets: Sequence[str] | str | None = None, tables: Sequence[str] | None = None,
             text: bool = True):
        """The tables of the corpus (one extraction, cached per article), limited to ``outlets`` if given.

        ``tables`` names the tables a notebook reads (None: all; the articles table always comes):
        the others are never assembled, which keeps a kernel's time and memory to what it plots.
        ``text=False`` leaves the article text out.
        """
        tables = load_tables(self.path(self.corpus_dir), outlets, label=self.corpus_dir,
                             cache=self.root / "build" / "cache", tables=tables, text=text)
        if "path" in tables.articles.columns:  # shown as the reader would type it, not a machine path
            tables.articles["path"] = tables.articles["path"].map(lambda p: self.show(p) if isinstance(p, str) else p)
        return tables

    def write_tables(self, tables) -> list["WrittenTable"]:
        """Write every table to the processed folder; one line per table."""
        from .pipeline import write_tables

        return [WrittenTable(self.show(p), len(df), len(df.columns) - (name == "articles" and "text" in df.columns))
                for p, (name, df) in zip(write_tables(tables, self.path(self.processed_dir)), tables.items())]

    def write_table(self, df: pd.DataFrame, name: str) -> "WrittenTable":
        """Write ``df`` as ``name`` (CSV) into the figures folder, listed relative to the root."""
        written = write_table(df, self.path(self.figures_dir), name)
        written.path = self.show(written.path)
        return written

    def save_figure(self, name: str, rows: pd.DataFrame, **kwargs):
        """plots.save_figure into the figures folder, listing the files relative to the root."""
        from .plots import save_figure

        saved = save_figure(name, rows, self.path(self.figures_dir), **kwargs)
        saved.paths = [self.show(p) for p in saved.paths]
        return saved


def project(corpus_dir="data/raw", processed_dir="data/processed", figures_dir="figures") -> Project:
    """The notebook's folders (parameters as given) resolved against the project root."""
    return Project(project_root(), str(corpus_dir), str(processed_dir), str(figures_dir))


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


def load_tables(corpus_dir, outlets: Sequence[str] | str | None = None, *, label: str | None = None, cache=None,
                tables: Sequence[str] | None = None, text: bool = True):
    """The tables of ``corpus_dir`` (see ``pipeline.extract``), limited to ``outlets`` if given.

    ``tables``: the tables wanted (None: all); the articles table is always built.

    ``outlets`` matches the sidecar's outlet names; 'outlet not stated' (or 'unknown')
    selects the articles whose outlet the metadata does not give.
    """
    from . import pipeline

    name = label or str(corpus_dir)
    wanted = None if tables is None else ["articles", *[t for t in tables if t != "articles"]]
    # within `troopwatch run`, the run has extracted the corpus once and left its tables for every notebook
    found = read_snapshot(corpus_dir, cache, wanted, text)
    if found is not None:
        tables = found
    else:
        # articles the cache does not hold yet are extracted on every core this kernel may use (worker
        # processes start only when worth it), by one kernel at a time: notebooks that run together on a
        # new corpus wait for the first to fill the cache instead of each extracting every article
        with extraction_lock(cache):
            tables = pipeline.extract(str(corpus_dir), cache=cache, tables=wanted, text=text, jobs=_cores())
    articles = tables.articles
    if articles.empty:
        raise ValueError(f"{name}: no article could be loaded; give a folder of .txt articles (corpus_dir)")
    chosen_outlets = as_list(outlets)
    if not chosen_outlets:
        return tables
    wanted_labels = {UNKNOWN_OUTLET if w.lower() in {"unknown", "outlet not stated", UNKNOWN_OUTLET} else w
                     for w in chosen_outlets}
    labels = articles["outlet"].map(outlet_label)
    chosen = articles[labels.isin(wanted_labels)]
    if chosen.empty:
        available = ", ".join(sorted(set(labels)))
        raise ValueError(f"parameter outlets: no article in {name} is from {', '.join(chosen_outlets)}; "
                         f"the outlets are: {available}")
    selected = tables.select_articles(chosen["id"])
    selected.articles.attrs = dict(articles.attrs)
    return selected


@contextmanager
def extraction_lock(cache) -> Iterator[None]:
    """Hold ``<cache>/.extract.lock`` (an exclusive ``fcntl.flock``, released by the system if the holder
    dies) while reading the cache and extracting what it lacks; nothing to hold without a cache."""
    with _held(lock_extraction(cache)):
        yield


# ---------------------------------------------------------------- one extraction for every notebook of a run

# ``troopwatch run`` names here the folder where it extracts the corpus once for all its notebooks.
SNAPSHOT_ENV = "TROOPWATCH_RUN_TABLES"
SNAPSHOT_MANIFEST = "tables.json"


def _same_corpus(a, b) -> bool:
    return os.path.realpath(str(a)) == os.path.realpath(str(b))


def write_snapshot(corpus_dir, folder, cache, lock_fd: int | None = None) -> Path:
    """Extract ``corpus_dir`` once (every table, the text kept; missing articles on every core, the others
    from ``cache``) and leave each table in ``folder`` as a pickle, with a manifest written last.

    The extraction lock of ``cache`` is held until the manifest is written, so a notebook that starts
    meanwhile waits for the tables instead of extracting the corpus itself.  ``lock_fd``: a descriptor
    through which the caller already holds that lock (closed here, which releases it, once done).
    Returns the manifest's path.
    """
    import json
    import pickle

    from . import pipeline
    from .cache import extractor_version

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with _held(lock_extraction(cache) if lock_fd is None else lock_fd):
        tables = pipeline.extract(str(corpus_dir), cache=cache, jobs=_cores())
        names = []
        for name, df in tables.items():
            with tw_io.atomic_path(folder / f"{name}.pickle") as tmp, open(tmp, "wb") as f:
                pickle.dump(df, f, protocol=pickle.HIGHEST_PROTOCOL)
            names.append(name)
        with tw_io.atomic_path(folder / "run.pickle") as tmp, open(tmp, "wb") as f:
            pickle.dump({"skipped": tables.skipped, "stats": tables.stats}, f, protocol=pickle.HIGHEST_PROTOCOL)
        manifest = {"corpus": os.path.realpath(str(corpus_dir)), "version": extractor_version(),
                    "cache": None if cache is None else os.path.realpath(str(cache)), "tables": names}
        return tw_io.write_text(folder / SNAPSHOT_MANIFEST, json.dumps(manifest))


@contextmanager
def _held(fd: int | None) -> Iterator[None]:
    """Hold the extraction lock taken through ``fd`` (None: no lock) until the block ends."""
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)  # the last descriptor of the locked file: the lock is released


def lock_extraction(cache) -> int | None:
    """Take the extraction lock of ``cache`` (waiting for its holder) and return its descriptor, for a
    process that hands it on to another (see :func:`write_snapshot`); None without a cache or flock."""
    if cache is None:
        return None
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return None
    folder = Path(cache)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".extract.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_snapshot(corpus_dir, cache, wanted: Sequence[str] | None = None, text: bool = True):
    """The tables the running ``troopwatch run`` extracted for ``corpus_dir`` (see :func:`write_snapshot`),
    limited to ``wanted`` (None: all); None outside a run, for another corpus or extractor version, or
    when the run could not extract them (the notebook then extracts as it would alone)."""
    folder = os.environ.get(SNAPSHOT_ENV)
    if not folder:
        return None
    with extraction_lock(cache):  # held by the run while it extracts: wait for the tables
        pass
    import json
    import pickle

    from .cache import extractor_version
    from .pipeline import TABLE_NAMES, Tables

    try:
        manifest = json.loads((Path(folder) / SNAPSHOT_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not _same_corpus(manifest.get("corpus"), corpus_dir) or \
            manifest.get("version") != extractor_version() or \
            manifest.get("cache") != (None if cache is None else os.path.realpath(str(cache))):
        return None
    names = list(TABLE_NAMES) if wanted is None else list(dict.fromkeys(wanted))
    if not set(names) <= set(manifest.get("tables", [])):
        return None
    out: dict = dict.fromkeys(TABLE_NAMES)
    try:
        for name in names:
            with open(Path(folder) / f"{name}.pickle", "rb") as f:
                out[name] = pickle.load(f)
        with open(Path(folder) / "run.pickle", "rb") as f:
            run = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError):
        return None
    articles = out["articles"]
    if not text and "text" in articles.columns:
        attrs = dict(articles.attrs)
        out["articles"] = articles = articles.drop(columns=["text"])
        articles.attrs = attrs
    return Tables(**out, skipped=list(run["skipped"]), stats=dict(run["stats"]))


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def load_articles(corpus_dir, outlets: Sequence[str] | str | None = None) -> pd.DataFrame:
    """The article table of ``corpus_dir`` with publication dates, limited to ``outlets`` if given."""
    return load_tables(corpus_dir, outlets).articles


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
                                                 "qualifier", "window_start", "date_uncertain", "mention")) -> pd.DataFrame:
    """A figure's plotted rows without the long sentences (those are in its CSV twin)."""
    if chart.rows.empty:
        return Note(f"{chart.name}: nothing to plot. {chart.note_line()}".strip())
    return chart.rows[[c for c in columns if c in chart.rows.columns]]


def _articles_in(rows: pd.DataFrame) -> int:
    """Distinct articles behind a chart's rows: its ``article`` column, or ``article_a``/``article_b`` (a pair)."""
    columns = [c for c in rows.columns if c == "article" or str(c).startswith("article_")]
    if not len(rows) or not columns:
        return 0
    return int(pd.concat([rows[c] for c in columns], ignore_index=True).dropna().nunique())


def chart_counts(charts) -> pd.DataFrame:
    """Per figure: rows plotted, articles they come from, and what was left out."""
    return pd.DataFrame([
        {
            "figure": chart.name,
            "rows plotted": len(chart.rows),
            "articles": _articles_in(chart.rows),
            "left out": chart.note_line() or "nothing",
        }
        for chart in charts
    ])


# ---------------------------------------------------------------- the newsroom report

REPORT_TITLE = "US forces in Iraq: what the news claims, and what the record says"
REPORT_METHODOLOGY = """## Methodology

**Corpus.** The articles in `data/raw/` (or the folder given as `corpus_dir`), each a `.txt` file, with an
optional `articles.csv` sidecar for outlet, URL and publication date. An article's outlet is the sidecar's,
else the domain of its URL, else the outlet named in its credit line or byline; articles with none form one
group, "unknown".

**Claims.** Every number an article states about troops, attacks or casualties is found by the lexicons in
`data/lexicons/claims.yml` (one figure per kind declared there), with how it is put (exact, about, at least, a
range, a vague "hundreds"), whose forces it counts and the date it refers to. A claim dated only to a month,
a year, a cumulative window ("since October") or the publication window of its article is drawn across that
window and marked uncertain; no placeable claim is dropped. Claims are what the articles say, not verified
counts: two articles may repeat one source.

**The record.** The grey step line behind the US troop numbers is a short series of official US troop levels
in Iraq (`data/reference/us_troops_iraq.csv`), each row naming the statement or report it comes from.

**Conflicts.** Two claims conflict when they are about the same kind, actor and month, come from different
outlets, and their bounds do not overlap: both cannot be right.

**Framing.** Frame, source, hedging and actor scores count lexicon matches per 1,000 words; every match is
listed with its sentence in `data/processed/framing_evidence.csv`.

**Reproducibility.** Every figure has a CSV twin holding exactly the rows it draws; the notebooks are executed
by `troopwatch run` and this page is built from them by `make report`, offline.
"""
REPORT_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.5; }
h1 { font-size: 1.8em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: .85em; margin: 1em 0; display: block; overflow-x: auto; }
th, td { border: 1px solid #ddd; padding: .25em .5em; text-align: left; vertical-align: top; }
pre { background: #f6f6f6; padding: .5em; overflow-x: auto; font-size: .85em; white-space: pre-wrap; }
nav ul { columns: 2; } .files li { margin: .2em 0; }
.jp-InputArea, .jp-InputPrompt, .jp-OutputPrompt { display: none; }
"""


def _report_notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def build_report(out_dir="build/report", notebooks_dir=None, figures_dir="figures", root=None) -> Path:
    """One offline HTML page from the executed notebooks: their narrative, figures and tables (inputs
    hidden), a methodology section, and links to the interactive figures and CSV tables copied beside it.

    ``notebooks_dir``: the executed copies of ``troopwatch run`` (build/notebooks) when there, else the
    committed notebooks (executed too).  Returns the path of index.html.
    """
    import html
    import shutil

    import nbconvert
    import nbformat

    root = Path(root) if root is not None else project_root()
    out = Path(out_dir) if Path(out_dir).is_absolute() else root / out_dir
    if notebooks_dir is None:
        built = root / "build" / "notebooks"
        notebooks_dir = built if _report_notebooks(built) else root / "notebooks"
    notebooks = _report_notebooks(Path(notebooks_dir))
    if not notebooks:
        raise FileNotFoundError(f"{notebooks_dir}: no executed notebooks; run `troopwatch run` first")
    exporter = nbconvert.HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                                      exclude_output_prompt=True)
    sections, toc = [], []
    for path in notebooks:
        nb = nbformat.read(str(path), as_version=4)
        nb.cells = [c for c in nb.cells
                    if not ({"parameters", "injected-parameters"} & set(c.get("metadata", {}).get("tags", [])))
                    and not (c.cell_type == "markdown" and c.source.lstrip().startswith("**Parameters.**"))
                    and not (c.cell_type == "code" and not c.get("outputs"))]
        body, _ = exporter.from_notebook_node(nb)
        anchor = path.stem
        title = next((c.source.splitlines()[0].lstrip("# ").strip() for c in nb.cells
                      if c.cell_type == "markdown" and c.source.startswith("# ")), path.stem)
        toc.append(f'<li><a href="#{anchor}">{html.escape(title)}</a></li>')
        sections.append(f'<section id="{anchor}">{body}</section>')
    method, _ = exporter.from_notebook_node(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(REPORT_METHODOLOGY)]))
    figures = root / figures_dir
    (out / "figures").mkdir(parents=True, exist_ok=True)
    files = []
    for f in sorted(figures.glob("*")):
        if f.suffix in {".html", ".js", ".csv", ".png", ".svg"}:
            shutil.copyfile(f, out / "figures" / f.name)
            if f.suffix in {".html", ".csv"}:
                files.append(f)
    links = "".join(
        f'<li><a href="figures/{html.escape(f.name)}">{html.escape(f.name)}</a>'
        f'{" (interactive: hover a mark for its article, outlet and sentence)" if f.suffix == ".html" else ""}</li>'
        for f in files)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(REPORT_TITLE)}</title><style>{REPORT_CSS}</style></head>
<body><header><h1>{html.escape(REPORT_TITLE)}</h1>
<p>Claims about US forces in Iraq in the news articles of the corpus, drawn against the official record, with
the framing of each outlet. Built by <code>make report</code> from the executed notebooks; works offline.</p>
<nav><ul>{''.join(toc)}<li><a href="#methodology">Methodology</a></li><li><a href="#files">Interactive figures
and data</a></li></ul></nav></header>
{''.join(sections)}
<section id="methodology">{method}</section>
<section id="files"><h2>Interactive figures and data</h2><ul class="files">{links}</ul></section>
</body></html>
"""
    return tw_io.write_text(out / "index.html", page)


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m troopwatch.report", description=build_report.__doc__)
    parser.add_argument("out_dir", nargs="?", default="build/report")
    parser.add_argument("--notebooks", default=None, help="folder of executed notebooks (default build/notebooks)")
    args = parser.parse_args(argv)
    print(f"wrote {build_report(args.out_dir, args.notebooks)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
