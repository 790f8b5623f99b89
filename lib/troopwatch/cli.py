"""The ``troopwatch`` command line: tables to stdout, and the figure run.

    troopwatch articles PATH... [--format jsonl|csv]
    troopwatch claims   PATH... [--format jsonl|csv] [--mentions]
    troopwatch dates    PATH... [--format jsonl|csv]
    troopwatch framing  PATH... [--format jsonl|csv]
    troopwatch run [-p NAME VALUE]... [--only NOTEBOOK] [--jobs N] [--wait]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from typing import Sequence

__all__ = ["main"]


def _emit(df, fmt: str, out) -> None:
    if fmt == "csv":
        out.write(df.to_csv(index=False, lineterminator="\n"))
        return
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


def _table_command(name: str, args: argparse.Namespace) -> int:
    from . import pipeline

    articles = pipeline.articles_table(args.paths, metadata=args.metadata)
    if name == "articles":
        table = articles if args.with_text else articles.drop(columns=["text"])
    elif name == "claims":
        table = pipeline.claims_table(articles, mentions=args.mentions)
    elif name == "dates":
        table = pipeline.dates_table(articles)
    elif name == "framing":
        table = pipeline.framing_table(articles)
    else:  # pragma: no cover - argparse restricts the names
        raise ValueError(name)
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
        p.add_argument("paths", nargs="+", metavar="PATH", help="article files (.txt) or folders of them")
        p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="output format (default: jsonl)")
        p.add_argument("--metadata", metavar="CSV", help="metadata sidecar (default: articles.csv beside the articles)")
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
                                    progress=sys.stderr.isatty())
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
    from .corpus import SidecarError
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
