"""The stages wired together: one extraction step, read by the CLI and the notebooks.

    corpus -> Article (text normalized once) -> publication date, date mentions,
    claims (timed), events, framing -> tables

:func:`extract_article` runs every stage on one article and returns plain rows;
it is a pure function of the article, so :func:`extract` can take its results
from a cache keyed by the article's content and the extractor version, run it in
worker processes (``jobs``) or on a Dask cluster, and always assemble the same
tables in the same order.  The functions ``articles_table`` ... ``framing_table``
remain for callers that want one table.
"""
from __future__ import annotations

import gc
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Sequence

import pandas as pd

from .article import Article, article_list
from .corpus import load_corpus

__all__ = [
    "TABLE_NAMES",
    "Tables",
    "extract",
    "extract_article",
    "articles_table",
    "claims_table",
    "dates_table",
    "events_table",
    "framing_table",
]

# The tables of one extraction, as files in data/processed/ (name -> file).
TABLE_NAMES = {
    "articles": "articles.csv",
    "dates": "dates.csv",
    "claims": "claims.csv",
    "mentions": "claim_mentions.csv",
    "events": "events.csv",
    "framing": "framing.csv",
    "evidence": "framing_evidence.csv",
}


@dataclass
class Tables:
    """Every table of one extraction; ``articles`` keeps the text (dropped when written).

    A table not asked for (``extract(tables=...)``) is None.
    """

    articles: pd.DataFrame | None
    dates: pd.DataFrame | None
    claims: pd.DataFrame | None  # the ledger: one row per distinct figure of an article
    mentions: pd.DataFrame | None  # one row per claim mention (the ledger's rows and their repeats)
    events: pd.DataFrame | None
    framing: pd.DataFrame | None
    evidence: pd.DataFrame | None
    skipped: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    def items(self) -> list[tuple[str, pd.DataFrame]]:
        """(name, table) of every table built (an extraction asked for some tables only has None for the others)."""
        return [(name, getattr(self, name)) for name in TABLE_NAMES if getattr(self, name) is not None]

    def select_articles(self, ids: Iterable[str]) -> "Tables":
        """The same tables restricted to the articles ``ids`` (an outlet filter, say)."""
        keep = set(ids)
        out = dict.fromkeys(TABLE_NAMES)
        for name, df in self.items():
            col = "id" if name == "articles" else "article"
            out[name] = df[df[col].isin(keep)].reset_index(drop=True)
        return Tables(**out, skipped=list(self.skipped), stats=dict(self.stats))


# --------------------------------------------------------------------------- one article


def extract_article(article: Article) -> dict[str, Any]:
    """Every stage on one article: its publication fields and the rows of each table (plain values)."""
    from .framing import EVIDENCE_COLUMNS

    result = _extract(article)
    result["evidence"] = [dict(zip(EVIDENCE_COLUMNS, e)) for e in result["evidence"]]
    return result


# Extractions running now (threads may share the process), and whether the cyclic collector was on before the first.
_pause = {"depth": 0, "was_enabled": False}
_pause_lock = threading.Lock()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while one article is extracted, back as it was afterwards.

    An extraction makes many small objects that live until it ends (the tokens of a text, matches, rows) and no
    reference cycles: freeing them is reference counting's work.  With the collector on, every few hundred of
    them start a collection that walks every object alive, the lexicon tables included, and a long article
    pays for that again and again (a fifth of the CPU time of a 2 MB single-line article).  Collections resume
    when the last extraction running ends.
    """
    with _pause_lock:
        if _pause["depth"] == 0:
            _pause["was_enabled"] = gc.isenabled()
            gc.disable()
        _pause["depth"] += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pause["depth"] -= 1
            if _pause["depth"] == 0 and _pause["was_enabled"]:
                gc.enable()


def _extract(article: Article) -> dict[str, Any]:
    """extract_article with the evidence rows as tuples in EVIDENCE_COLUMNS order (what compact keeps)."""
    with _collector_paused():
        return _extract_stages(article)


def _extract_stages(article: Article, claims: Callable[..., Callable[[], list]] | None = None) -> dict[str, Any]:
    """Every stage on ``article``.

    ``claims(article, resolved, known)`` starts finding the claims and timing them against the resolved date
    mentions and the known events, and returns a function giving their rows, called after every other stage
    (None: :func:`_timed_claims`, in this process; :func:`_extract_split` hands them to a child process).
    """
    from .dates import date_rows, resolve_for_article
    from .dates_en import find_dates_by_language
    from .events import anchor_to_events, article_events, match_known_events
    from .framing import analyse_article_tuples
    from .published_en import publication_fields_by_language

    # each sentence is read by its language (an all-Arabic article exactly as before)
    mentions = find_dates_by_language(article)
    published = publication_fields_by_language(article, mentions)
    # later stages read the article's publication date from its record
    article.row = {**article.row, **published}
    resolved = resolve_for_article(mentions, published["published"], published["published_window"],
                                   published["published_basis"])
    known = match_known_events(article, resolved)
    resolved = anchor_to_events(article, resolved, known)
    claim_rows = (claims or _timed_claims)(article, resolved, known)
    framing_row, evidence = analyse_article_tuples(article)
    dates = date_rows(article, resolved)
    events = article_events(article, resolved, known)
    return {
        "published": published,
        "dates": dates,
        "claims": claim_rows(),
        "events": events,
        "framing": framing_row,
        "evidence": evidence,
    }


def _timed_claims(article: Article, resolved: list, known: list) -> Callable[[], list]:
    """The rows of the claims of ``article``, each with the moment it refers to, found when asked for."""
    from .claims_en import extract_claims_by_language
    from .timeline import claim_times

    # claim_times sets the claims' times; the mentions and known events stay as they are
    return lambda: [c.row() for c in claim_times(article, extract_claims_by_language(article), resolved, known)]


# --------------------------------------------------------------------------- one long article on two cores

# An article of at least this many characters (about 1.8 MB of Arabic) has its stages run in two processes when
# the caller allows more than one job (see _extract_split).  The split costs 5-15% more CPU time (the fork's
# copied pages, the rows pickled both ways; benchmarks/bench_long_line.py --split-sizes, 0.25-4 MB), which pays
# only while the other core is free: kept to articles that take several seconds alone (7-8 CPU s at 2 MB).
SPLIT_MIN_CHARS = 1_000_000


def work_units(corpus: pd.DataFrame) -> int:
    """How many processes extracting ``corpus`` can keep busy: one per article, two for a long one (``SPLIT_MIN_CHARS``)."""
    texts = corpus["text"] if "text" in corpus.columns else ()
    return len(corpus) + sum(1 for t in texts if isinstance(t, str) and len(t) >= SPLIT_MIN_CHARS)


def _can_fork_a_child() -> bool:
    """Whether this process may start a forked child (no fork on some systems; no children of daemon processes)."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def _extract_split(article: Article) -> dict[str, Any]:
    """:func:`_extract_stages` on two cores: a forked child finds and times the claims, this process the rest.

    Finding the claims is about half of an article's CPU time and reads only the text and the sentences'
    languages, so the child starts at once, with what this process holds at the fork (the article, the
    lexicons compiled).  Meanwhile this process finds the dates, the publication date and the events, and sends
    the child what timing the claims reads (the article's row with its publication fields, the resolved
    mentions, the known events); the child times its claims, sends their rows back, and this process, having
    done the framing and the date and event rows, takes them: the result is the one-process result.  An error in
    the child is raised here as it was raised there (its traceback as the cause); the child never outlives
    this call.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    article.sentence_languages  # read by both sides: worked out once, before the fork
    inbox, to_child = context.Pipe(duplex=False)
    from_child, outbox = context.Pipe(duplex=False)
    child = context.Process(target=_claims_child, args=(article, inbox, outbox, os.getpid()),
                            name=f"troopwatch-claims-{article.id}")
    child.start()
    inbox.close()
    outbox.close()

    def claims(article: Article, resolved: list, known: list) -> Callable[[], list]:
        import pickle

        row = {k: v for k, v in article.row.items() if k != "text"}  # the child has the text
        try:
            to_child.send_bytes(pickle.dumps((row, resolved, known), pickle.HIGHEST_PROTOCOL))
        except OSError:  # the child has ended: what it sent, or how it ended, is raised when the rows are asked for
            pass
        to_child.close()
        return lambda: _claims_received(child, from_child)

    try:
        return _extract_stages(article, claims)
    finally:
        to_child.close()
        from_child.close()
        if child.exitcode is None:
            child.terminate()
        child.join()


class _ChildTraceback(Exception):
    """The traceback of an error raised in the child process, as text (the cause of the error raised here)."""

    def __str__(self) -> str:
        return self.args[0]


def _claims_child(article: Article, inbox, outbox, parent: int) -> None:
    """In the forked child: the rows of the claims of ``article``, timed with what comes down ``inbox``, or the
    error that stopped them, sent down ``outbox``."""
    import pickle
    import threading
    import traceback

    _end_with(parent)
    # what the parent sends is read as soon as it comes, so that sending never waits for the claims
    received: list = []
    reader = threading.Thread(target=_read_into, args=(inbox, received), name="troopwatch-claims-inbox", daemon=True)
    reader.start()
    try:
        from .claims_en import extract_claims_by_language
        from .timeline import claim_times

        found = extract_claims_by_language(article)
        reader.join()
        if isinstance(received[0], BaseException):
            raise RuntimeError("the extraction stopped before sending the dates to time the claims by") from None
        row, resolved, known = pickle.loads(received[0])
        article.row = {**article.row, **row}
        message = ("claims", [c.row() for c in claim_times(article, found, resolved, known)])
    except BaseException as exc:  # noqa: BLE001 - every error goes back to the parent, which raises it
        text = traceback.format_exc()
        try:
            error = pickle.dumps(exc)
            pickle.loads(error)
        except Exception:  # noqa: BLE001 - an error pickle cannot carry: its type and message
            error = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
        message = ("error", error, text)
    try:
        outbox.send(message)
    except OSError:  # the parent has stopped listening (it failed or was interrupted): nothing to tell
        pass
    finally:
        outbox.close()


def _read_into(inbox, received: list) -> None:
    try:
        received.append(inbox.recv_bytes())
    except (EOFError, OSError) as exc:
        received.append(exc)
    finally:
        inbox.close()


def _end_with(parent: int) -> None:
    """On Linux, have the kernel end this process when ``parent`` ends (a parent killed outright leaves no child)."""
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no prctl: the child ends when it has sent its rows
        return
    if os.getppid() != parent:  # the parent ended before the request
        os._exit(1)


def _claims_received(child, receive) -> list:
    """The claim rows the child sent, or its error raised here."""
    import pickle

    try:
        message = receive.recv()
    except EOFError:
        child.join()
        raise RuntimeError(f"the process finding the claims ended without sending them (exit code {child.exitcode})") \
            from None
    if message[0] == "claims":
        return message[1]
    _, error, text = message
    raise pickle.loads(error) from _ChildTraceback(text)


# The parts of one article's result, in the order of its compact record.
PARTS = ("published", "dates", "claims", "events", "framing", "evidence")
# Which parts each table is built from.
_TABLE_PARTS = {
    "articles": ("published",), "dates": ("dates",), "claims": ("claims",), "mentions": ("claims",),
    "events": ("events",), "framing": ("framing",), "evidence": ("evidence",),
}
# A key a row does not have: pandas reads a missing key of a dict row as NaN, and so does the tuple.
_MISSING = float("nan")


def part_columns() -> dict[str, tuple[str, ...]]:
    """The columns of each part's rows, in table order (the framing columns follow the lexicons)."""
    from .lexicons import lexicon_key

    return _part_columns(lexicon_key())


@lru_cache(maxsize=8)
def _part_columns(_lexicons: str) -> dict[str, tuple[str, ...]]:
    from .claims import CLAIM_COLUMNS
    from .dates import DATE_COLUMNS, STATED_COLUMNS
    from .events import EVENT_COLUMNS
    from .framing import EVIDENCE_COLUMNS, table_columns
    from .published import PUBLISHED_COLUMNS
    from .timeline import CLAIM_TIME_COLUMNS

    return {
        "published": tuple(PUBLISHED_COLUMNS),
        "dates": tuple(DATE_COLUMNS + STATED_COLUMNS),
        "claims": tuple(CLAIM_COLUMNS + [c for c in CLAIM_TIME_COLUMNS if c not in CLAIM_COLUMNS]),
        "events": tuple(EVENT_COLUMNS),
        "framing": tuple(table_columns()),
        "evidence": tuple(EVIDENCE_COLUMNS),
    }


def compact(result: dict[str, Any], columns: dict[str, tuple[str, ...]] | None = None) -> tuple:
    """One article's result as a record of plain tuples: what workers send back and the cache keeps.

    The record holds, per part of ``PARTS``, its rows as tuples in table column order (the
    publication fields and the framing row: one tuple).  A string repeated within the article
    (its id, a sentence quoted by several rows) is one object, which pickle and marshal keep
    shared, so a record costs about what its distinct values cost.  A row given as a tuple is
    taken to be in column order already.
    """
    columns = columns or part_columns()
    memo: dict[str, str] = {}
    share = memo.setdefault

    def row(values: dict | tuple, names: tuple[str, ...], missing=_MISSING) -> tuple:
        if type(values) is tuple:
            found = values
        elif len(values) == len(names) or missing is None:
            try:
                found = _getter(names)(values)  # every column present (a KeyError when one is missing)
            except KeyError:
                if missing is None:
                    raise
                found = [values.get(name, missing) for name in names]
        else:
            found = [values.get(name, missing) for name in names]
        return tuple([share(v, v) if type(v) is str else v for v in found])

    return (
        row(result["published"], columns["published"], None),
        tuple(row(r, columns["dates"]) for r in result["dates"]),
        tuple(row(r, columns["claims"]) for r in result["claims"]),
        tuple(row(r, columns["events"]) for r in result["events"]),
        row(result["framing"], columns["framing"]),
        tuple(row(r, columns["evidence"]) for r in result["evidence"]),
    )


@lru_cache(maxsize=64)
def _getter(names: tuple[str, ...]) -> Callable[[dict], tuple]:
    """The values of ``names`` of a row, in order (one column: a tuple of one)."""
    from operator import itemgetter

    get = itemgetter(*names)
    return get if len(names) > 1 else (lambda values: (get(values),))


def _extract_row(row: dict, split: int | None = None) -> tuple:
    """extract_article on a corpus row, as a compact record (what worker processes receive and return).

    An article of at least ``split`` characters (None: none) runs on two cores (:func:`_extract_split`).  An error
    is raised with a note naming the article.
    """
    text, id = row.get("text"), str(row.get("id", ""))
    try:
        with _collector_paused():
            article = Article.from_text(text if isinstance(text, str) else "", id, row)
            if split is not None and len(article.original) >= split and _can_fork_a_child():
                return compact(_extract_split(article))
            return compact(_extract_stages(article))
    except Exception as exc:
        exc.add_note(f"while extracting article {id!r}")
        raise


# --------------------------------------------------------------------------- many articles

# Articles looked up in the cache, computed and stored together: bounds what one step holds.
BLOCK = 1000


def extract(
    paths: str | os.PathLike | Iterable[str | os.PathLike] | pd.DataFrame,
    metadata=None,
    *,
    cache: str | os.PathLike | None = None,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    tables: Iterable[str] | None = None,
    text: bool = True,
) -> Tables:
    """Every table for a corpus (paths as ``load_corpus`` takes them, or a corpus table).

    ``cache`` is the folder of the per-article result store (None: no cache);
    ``jobs`` the number of worker processes; ``engine`` "local" or "dask"
    (``scheduler`` an address such as ``tcp://host:8786``, None for a local
    cluster).  The tables are the same, byte for byte, whatever the choice.

    ``tables`` names the tables wanted (of ``TABLE_NAMES``; None: all); the others
    are None in the result and cost nothing.  ``text=False`` leaves the article text
    out of the articles table.  Articles are taken ``BLOCK`` at a time: looked up in
    the cache, the missing ones computed, stored, and their rows appended to the
    tables; nothing else of an article is kept.
    """
    corpus = paths if isinstance(paths, pd.DataFrame) else load_corpus(paths, metadata=metadata)
    wanted = _wanted_tables(tables)
    skipped = list(corpus.attrs.get("skipped", []))
    columns = part_columns()
    collector = _Collector(wanted)
    n = len(corpus)
    store = None
    if cache is not None:
        from .cache import ResultStore, extractor_version

        store = ResultStore(cache)
        version = extractor_version()
    done = computed = 0
    worker = _Workers(jobs, engine, scheduler)
    try:
        for begin in range(0, n, BLOCK):
            rows = corpus.iloc[begin:begin + BLOCK].to_dict("records")
            if store is not None:
                from .cache import article_key

                keys = [article_key(r, version) for r in rows]
                records: list = store.get_many(keys, parts=collector.parts)
            else:
                records = [None] * len(rows)
            todo = [i for i, r in enumerate(records) if r is None]
            done += len(rows) - len(todo)
            if progress and len(todo) < len(rows):
                progress(done, n)
            fresh = []
            for i, record in zip(todo, worker.map([rows[i] for i in todo])):
                records[i] = record
                fresh.append(i)
                done += 1
                if progress:
                    progress(done, n)
            computed += len(todo)
            if store is not None and fresh:
                store.put_many((keys[i], records[i]) for i in fresh)
            for record in records:
                collector.add(record)
            del rows, records
    finally:
        worker.close()
        if store is not None:
            store.close()
    result = collector.tables(corpus, columns, text=text)
    result.skipped = skipped
    result.stats = {"articles": n, "computed": computed, "from_cache": n - computed}
    return result


def _wanted_tables(tables: Iterable[str] | None) -> tuple[str, ...]:
    if tables is None:
        return tuple(TABLE_NAMES)
    wanted = tuple(dict.fromkeys(tables))
    unknown = [t for t in wanted if t not in TABLE_NAMES]
    if unknown:
        raise ValueError(f"no table named {unknown[0]!r}; the tables are {', '.join(TABLE_NAMES)}")
    return wanted


# Worker processes start only for at least this much text to compute (about 40 articles of 5 KB):
# below it, starting them costs more than they save.
POOL_MIN_CHARS = 200_000


def _worth_a_pool(rows: list[dict]) -> bool:
    if len(rows) < 2:
        return False
    chars = 0
    for row in rows:
        text = row.get("text")
        chars += len(text) if isinstance(text, str) else 0
        if chars >= POOL_MIN_CHARS:
            return True
    return False


class _Workers:
    """``map`` of :func:`_extract_row` in this process, in worker processes or on a Dask cluster, in order.

    The pool is started on first use and kept for every block of one extraction.  With more than one job, an
    article of ``SPLIT_MIN_CHARS`` characters or more extracted in this process runs on two cores;
    in a worker it does not, as the other workers keep the other cores busy.
    """

    def __init__(self, jobs: int, engine: str, scheduler: str | None):
        if engine not in ("local", "dask"):
            raise ValueError(f"engine {engine!r}: choose local or dask")
        self.jobs, self.engine, self.scheduler = jobs, engine, scheduler
        self.split = SPLIT_MIN_CHARS if jobs > 1 else None
        self.pool = None
        self.dask = None

    def _here(self, row: dict) -> tuple:
        return _extract_row(row, self.split)

    def map(self, rows: list[dict]) -> Iterator[tuple]:
        if not rows:
            return iter(())
        if self.engine == "dask":
            if self.dask is None:
                from .distributed import DaskRunner

                self.dask = DaskRunner(self.scheduler)
            return iter(self.dask.map(_extract_row, rows))
        if self.jobs <= 1 or (self.pool is None and not _worth_a_pool(rows)):
            return map(self._here, rows)
        return self._pooled(rows)

    def _pooled(self, rows: list[dict]) -> Iterator[tuple]:
        if self.pool is None:
            # The first article runs here: it loads and compiles the lexicons, which forked
            # workers then inherit instead of each building them again (seconds per worker).
            yield self._here(rows[0])
            rows = rows[1:]
            if not rows:
                return
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self.pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
        chunk = max(1, min(64, len(rows) // (self.jobs * 8) or 1))
        yield from self.pool.map(_extract_row, rows, chunksize=chunk)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        if self.dask is not None:
            self.dask.close()
            self.dask = None


class _Collector:
    """The rows of the wanted tables, appended article by article (the tuples of compact records)."""

    def __init__(self, wanted: Sequence[str]):
        self.wanted = tuple(wanted)
        self.parts = {p for t in self.wanted for p in _TABLE_PARTS[t]}
        self.rows: dict[str, list] = {p: [] for p in PARTS}
        self.count = 0

    def add(self, record: tuple) -> None:
        self.count += 1
        for k, part in enumerate(PARTS):
            if part not in self.parts:
                continue
            if part in ("published", "framing"):
                self.rows[part].append(record[k])
            else:
                self.rows[part].extend(record[k])

    def tables(self, corpus: pd.DataFrame, columns: dict[str, tuple[str, ...]], *, text: bool = True) -> Tables:
        """The tables from the rows gathered, in corpus order; the rows are released as each is built."""
        from .claims import claims_frame, claims_ledger
        from .dates import dates_frame
        from .events import events_frame
        from .framing import EVIDENCE_COLUMNS
        from .timeline import CLAIM_TIME_COLUMNS

        if self.count != len(corpus):
            raise ValueError(f"{self.count} results for {len(corpus)} articles")
        out: dict[str, Any] = dict.fromkeys(TABLE_NAMES)

        def take(part: str) -> list:
            rows, self.rows[part] = self.rows[part], []
            return rows

        if "articles" in self.wanted:
            articles = corpus.copy() if text or "text" not in corpus.columns else corpus.drop(columns=["text"])
            published = take("published")
            for k, col in enumerate(columns["published"]):
                articles[col] = pd.Series([r[k] for r in published], index=articles.index, dtype="object")
            del published
            articles.attrs = dict(corpus.attrs)
            out["articles"] = articles
        if "dates" in self.wanted:
            out["dates"] = dates_frame(take("dates"))
        if "claims" in self.wanted or "mentions" in self.wanted:
            mentions = claims_frame(take("claims"), extra=tuple(CLAIM_TIME_COLUMNS))
            if "claims" in self.wanted:
                out["claims"] = claims_ledger(mentions)
            if "mentions" in self.wanted:
                out["mentions"] = mentions
            del mentions
        if "events" in self.wanted:
            out["events"] = events_frame(take("events"))
        if "framing" in self.wanted:
            out["framing"] = pd.DataFrame(take("framing"), columns=list(columns["framing"]))
        if "evidence" in self.wanted:
            out["evidence"] = pd.DataFrame(take("evidence"), columns=EVIDENCE_COLUMNS)
        return Tables(**out)


def assemble(corpus: pd.DataFrame, results: Sequence[dict | tuple]) -> Tables:
    """The tables from a corpus table and the per-article results (dicts or compact records), in corpus order."""
    columns = part_columns()
    collector = _Collector(tuple(TABLE_NAMES))
    for result in results:
        collector.add(result if isinstance(result, tuple) else compact(result, columns))
    return collector.tables(corpus, columns)


# --------------------------------------------------------------------------- one table at a time


def articles_table(paths: str | os.PathLike | Iterable[str | os.PathLike], metadata=None) -> pd.DataFrame:
    """One row per article, with its publication date (metadata, dateline or inferred)."""
    from .published import add_publication_dates

    articles = load_corpus(paths, metadata=metadata)
    skipped = articles.attrs.get("skipped", [])
    articles = add_publication_dates(articles)
    articles.attrs["skipped"] = skipped
    return articles


def dates_table(articles) -> pd.DataFrame:
    """One row per date mention, resolved against its article's publication date."""
    from .dates import date_mentions_table

    return date_mentions_table(articles)


def claims_table(articles, dates: pd.DataFrame | None = None, mentions: bool = False) -> pd.DataFrame:
    """The claims ledger (one row per distinct figure), with the moment it refers to; every mention when ``mentions``."""
    from .claims import claims_ledger, claims_table as extract_claims_table
    from .timeline import attach_claim_times

    records = article_list(articles, "claims_table")
    claims = extract_claims_table(records)
    if dates is None:
        dates = dates_table(records)
    timed = attach_claim_times(claims, records, dates)
    return timed if mentions else claims_ledger(timed)


def events_table(articles, dates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Dated events the articles mention, with their sentences."""
    from .events import events_table as extract_events

    return extract_events(articles, dates)


def framing_table(articles) -> pd.DataFrame:
    """One row per article: frames, stance, attribution, hedging, actor salience."""
    from .framing import framing_table as score

    return score(articles)


def write_tables(tables: Tables, processed_dir: str | os.PathLike) -> list[Path]:
    """Write every table to ``processed_dir`` as CSV with a raw JSONL twin (atomically); the article text is left out."""
    from . import io as tw_io

    written = []
    for name, df in tables.items():
        if name == "articles":
            df = df.drop(columns=["text"], errors="ignore")
        written.append(tw_io.write_csv(df, Path(processed_dir) / TABLE_NAMES[name], jsonl_twin=True))
    return written
