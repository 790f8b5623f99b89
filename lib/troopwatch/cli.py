"""The ``troopwatch`` command line: tables to stdout, and the figure run.

    troopwatch articles PATH... [--format jsonl|csv] [OPTIONS]
    troopwatch claims   PATH... [--format jsonl|csv] [--mentions] [OPTIONS]
    troopwatch dates    PATH... [--format jsonl|csv] [OPTIONS]
    troopwatch framing  PATH... [--format jsonl|csv] [OPTIONS]
    troopwatch run [-p NAME VALUE]... [--only NOTEBOOK] [--jobs N] [--wait] [--force]

The table commands share one extraction (``pipeline.extract``): every stage runs
once per article, in ``--jobs N`` worker processes or on a Dask cluster
(``--engine dask [--scheduler ADDRESS]``), and an unchanged article is read from
the per-article cache (``--cache DIR``, default build/cache under the project
root; ``--no-cache`` to bypass it).  The tables are the same, byte for byte,
whatever the options.  Progress goes to stderr: a bar on a terminal, a one-line
summary otherwise, nothing with ``--quiet``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings
from typing import Sequence

__all__ = ["main"]


# Rows converted and written at a time: the output of a large table is never held whole.
EMIT_CHUNK = 20000


def _emit(df, fmt: str, out) -> None:
    if fmt == "csv":
        from .io import csv_text  # pandas' to_csv, byte for byte, written column by column

        if len(df) <= EMIT_CHUNK:
            out.write(csv_text(df))
            return
        for start in range(0, len(df), EMIT_CHUNK):  # each row is written alike: chunks give the same bytes
            out.write(csv_text(df.iloc[start:start + EMIT_CHUNK], header=start == 0))
        return
    for start in range(0, max(len(df), 1), EMIT_CHUNK):
        _emit_records(df.iloc[start:start + EMIT_CHUNK], out)


def _emit_records(df, out) -> None:
    for record in df.to_dict(orient="records"):
        clean = {}
        for key, value in record.items():
            if isinstance(value, float) and math.isnan(value):
                value = None
            elif value is not None and type(value).__module__ == "numpy":
                value = value.item()
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            clean[key] = value
        out.write(json.dumps(clean, ensure_ascii=False, default=str) + "\n")


def default_jobs(articles: int | None = None) -> int:
    """Worker processes by default: the cores this process may use, no more than the articles."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    cores = max(1, cores)
    return max(1, min(cores, articles)) if articles is not None else cores


class _Progress:
    """A progress bar (articles, MB, rate) on a terminal; a one-line summary otherwise; nothing when quiet."""

    def __init__(self, stream, quiet: bool):
        self.stream = stream
        self.quiet = quiet
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.bar = None
        self.sizes: list[int] = []
        self.total_mb = 0.0
        self.start = time.perf_counter()

    def begin(self, corpus) -> None:
        self.start = time.perf_counter()
        if self.quiet:  # nothing is shown: the sizes are not worked out
            return
        text = corpus["text"] if "text" in corpus.columns else []
        self.sizes = [len(t.encode("utf-8")) if isinstance(t, str) else 0 for t in text]
        self.total_mb = sum(self.sizes) / 1e6
        self.start = time.perf_counter()
        if self.quiet or not self.tty or not self.sizes:
            return
        from tqdm import tqdm

        self.bar = tqdm(total=len(self.sizes), desc="articles", unit="art", file=self.stream, leave=False,
                        dynamic_ncols=True)

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            return
        self.bar.n = done
        seconds = max(time.perf_counter() - self.start, 1e-9)
        mb = self.total_mb * done / max(total, 1)
        self.bar.set_postfix_str(f"{mb:.1f}/{self.total_mb:.1f} MB, {mb / seconds:.2f} MB/s", refresh=False)
        self.bar.refresh()

    def end(self, stats: dict) -> None:
        if self.bar is not None:
            self.bar.close()
        if self.quiet:
            return
        seconds = time.perf_counter() - self.start
        rate = self.total_mb / seconds if seconds > 0 else float("inf")
        print(f"troopwatch: {stats.get('articles', len(self.sizes))} articles, {self.total_mb:.1f} MB in "
              f"{seconds:.1f} s ({rate:.2f} MB/s); {stats.get('from_cache', 0)} from cache, "
              f"{stats.get('computed', 0)} computed", file=self.stream)


def cache_folder(args: argparse.Namespace):
    """Where the per-article results live: --cache, else build/cache under the project root (None: --no-cache)."""
    if args.no_cache:
        return None
    if args.cache:
        return args.cache
    from .report import project_root

    return project_root() / "build" / "cache"


def _table_command(name: str, args: argparse.Namespace) -> int:
    from . import pipeline
    from .corpus import load_corpus

    if args.jobs is not None and args.jobs < 1:
        raise ValueError(f"--jobs {args.jobs}: give at least 1")
    if args.scheduler and args.engine != "dask":
        raise ValueError("--scheduler needs --engine dask")
    corpus = load_corpus(args.paths, metadata=args.metadata, follow_symlinks=args.follow_symlinks)
    progress = _Progress(sys.stderr, args.quiet)
    progress.begin(corpus)
    jobs = args.jobs if args.jobs is not None else default_jobs(pipeline.work_units(corpus))
    # only the table printed is built; the cache keeps every table's rows for the next command
    wanted = {"articles": "articles", "claims": "mentions" if getattr(args, "mentions", False) else "claims",
              "dates": "dates", "framing": "framing"}[name]
    with_text = bool(getattr(args, "with_text", False))
    tables = pipeline.extract(corpus, cache=cache_folder(args), jobs=jobs, engine=args.engine,
                              scheduler=args.scheduler, progress=progress, tables=[wanted], text=with_text)
    del corpus
    progress.end(tables.stats)
    table = getattr(tables, wanted)
    if name == "articles" and "text" in table.columns and not with_text:
        table = table.drop(columns=["text"])
    _emit(table, args.format, sys.stdout)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="troopwatch",
        description="Tables and figures of what Arabic news articles claim about US forces in Iraq.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    helps = {
        "articles": "one row per article: file, title, encoding, sha256, metadata, publication date",
        "claims": "one row per distinct troop, attack or casualty figure of an article, with its first mention",
        "dates": "one row per date mention, with its ISO value, precision and span",
        "framing": "one row per article: frame scores, withdrawal stance, sources, hedging, actors",
    }
    for name, help_text in helps.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("paths", nargs="+", metavar="PATH", help="article files (.txt, .html, exports) or folders of them")
        p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="output format (default: jsonl)")
        p.add_argument("--metadata", metavar="CSV", help="metadata sidecar (default: articles.csv beside the articles)")
        p.add_argument("--jobs", type=int, default=None, metavar="N",
                       help="worker processes (default: the machine's cores, at most one per article, "
                            "two for an article of a million characters or more)")
        p.add_argument("--engine", choices=["local", "dask"], default="local",
                       help="local processes, or a Dask cluster (default: local)")
        p.add_argument("--scheduler", metavar="ADDRESS",
                       help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster)")
        p.add_argument("--cache", metavar="DIR",
                       help="per-article result cache (default: build/cache under the project root)")
        p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
        p.add_argument("--quiet", action="store_true", help="no progress bar and no summary on stderr")
        p.add_argument("--follow-symlinks", action="store_true", help="follow symbolic links inside folders")
        if name == "articles":
            p.add_argument("--with-text", action="store_true", help="include the full text of each article")
        if name == "claims":
            p.add_argument("--mentions", action="store_true",
                           help="one row per mention instead (a figure stated twice is two rows)")
        p.set_defaults(handler=lambda a, n=name: _table_command(n, a))

    run = sub.add_parser("run", help="execute the notebooks headlessly and write figures/ and data/processed/")
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                     help="notebook parameter, e.g. -p corpus_dir my/articles (repeatable)")
    run.add_argument("--only", action="append", default=[], metavar="NOTEBOOK",
                     help="run only this notebook (name or number, repeatable)")
    run.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default: 2)")
    run.add_argument("--wait", action="store_true",
                     help="when another run is writing the same outputs, wait for it instead of refusing")
    run.add_argument("--force", action="store_true",
                     help="run every notebook even when nothing changed since the last successful run")
    run.set_defaults(handler=lambda a: _run_command(a))
    return parser


def _run_command(args: argparse.Namespace) -> int:
    from . import runner

    given: dict[str, str] = {}
    for name, value in args.parameter:
        if name in given and given[name] != value:
            raise ValueError(f"-p {name} given twice ({given[name]!r} and {value!r}); give it once")
        given[name] = value
    try:
        return runner.run_notebooks(parameters=given, only=args.only, jobs=args.jobs, wait=args.wait,
                                    force=args.force, progress=sys.stderr.isatty())
    except RuntimeError as exc:  # the kernel is not this environment's, or the runner could not go on
        print(f"troopwatch: error: {exc}", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)

    def show_warning(message, category, filename, lineno, file=None, line=None):
        print(f"troopwatch: warning: {message}", file=sys.stderr)

    warnings.showwarning = show_warning
    from .files import SidecarError  # the same class corpus re-exports, without importing pandas
    from .lexicons import LexiconError

    try:
        return args.handler(args)
    except (FileNotFoundError, SidecarError, LexiconError, ValueError) as exc:
        print(f"troopwatch: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into head
        return 0
    except KeyboardInterrupt:  # Ctrl-C outside a run's own handling (e.g. while loading): one line, no traceback
        print("troopwatch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
