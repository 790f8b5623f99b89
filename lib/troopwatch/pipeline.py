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

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

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
    """Every table of one extraction; ``articles`` keeps the text (dropped when written)."""

    articles: pd.DataFrame
    dates: pd.DataFrame
    claims: pd.DataFrame  # the ledger: one row per distinct figure of an article
    mentions: pd.DataFrame  # one row per claim mention (the ledger's rows and their repeats)
    events: pd.DataFrame
    framing: pd.DataFrame
    evidence: pd.DataFrame
    skipped: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    def items(self) -> list[tuple[str, pd.DataFrame]]:
        return [(name, getattr(self, name)) for name in TABLE_NAMES]

    def select_articles(self, ids: Iterable[str]) -> "Tables":
        """The same tables restricted to the articles ``ids`` (an outlet filter, say)."""
        keep = set(ids)
        out = {}
        for name, df in self.items():
            col = "id" if name == "articles" else "article"
            out[name] = df[df[col].isin(keep)].reset_index(drop=True)
        return Tables(**out, skipped=list(self.skipped), stats=dict(self.stats))


# --------------------------------------------------------------------------- one article


def extract_article(article: Article) -> dict[str, Any]:
    """Every stage on one article: its publication fields and the rows of each table (plain values)."""
    from .claims_en import extract_claims_by_language
    from .dates import date_rows, resolve_for_article
    from .dates_en import find_dates_by_language
    from .events import anchor_to_events, article_events, match_known_events
    from .framing import analyse_article
    from .published_en import publication_fields_by_language
    from .timeline import claim_times

    # each sentence is read by its language (an all-Arabic article exactly as before)
    mentions = find_dates_by_language(article)
    published = publication_fields_by_language(article, mentions)
    # later stages read the article's publication date from its record
    article.row = {**article.row, **published}
    resolved = resolve_for_article(mentions, published["published"], published["published_window"],
                                   published["published_basis"])
    known = match_known_events(article, resolved)
    resolved = anchor_to_events(article, resolved, known)
    claims = claim_times(article, extract_claims_by_language(article), resolved, known)
    framing_row, evidence = analyse_article(article)
    return {
        "published": published,
        "dates": date_rows(article, resolved),
        "claims": [c.row() for c in claims],
        "events": article_events(article, resolved, known),
        "framing": framing_row,
        "evidence": evidence,
    }


def _extract_row(row: dict) -> dict[str, Any]:
    """extract_article on a corpus row (what worker processes receive: no Article to pickle)."""
    text = row.get("text")
    return extract_article(Article.from_text(text if isinstance(text, str) else "", str(row.get("id", "")), row))


# --------------------------------------------------------------------------- many articles


def extract(
    paths: str | os.PathLike | Iterable[str | os.PathLike] | pd.DataFrame,
    metadata=None,
    *,
    cache: str | os.PathLike | None = None,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Tables:
    """Every table for a corpus (paths as ``load_corpus`` takes them, or a corpus table).

    ``cache`` is the folder of the per-article result store (None: no cache);
    ``jobs`` the number of worker processes; ``engine`` "local" or "dask"
    (``scheduler`` an address such as ``tcp://host:8786``, None for a local
    cluster).  The tables are the same, byte for byte, whatever the choice.
    """
    corpus = paths if isinstance(paths, pd.DataFrame) else load_corpus(paths, metadata=metadata)
    skipped = list(corpus.attrs.get("skipped", []))
    rows = corpus.to_dict("records")
    results: list[dict | None] = [None] * len(rows)
    store = None
    keys: list[str] = []
    if cache is not None:
        from .cache import ResultStore, article_key

        store = ResultStore(cache)
        keys = [article_key(r) for r in rows]
        for i, found in enumerate(store.get_many(keys)):
            results[i] = found
    todo = [i for i, r in enumerate(results) if r is None]
    computed = _run([rows[i] for i in todo], jobs=jobs, engine=engine, scheduler=scheduler,
                    progress=progress, total=len(rows), already=len(rows) - len(todo))
    for i, result in zip(todo, computed):
        results[i] = result
    if store is not None and todo:
        store.put_many([(keys[i], results[i]) for i in todo])
        store.close()
    tables = assemble(corpus, results)  # type: ignore[arg-type]
    tables.skipped = skipped
    tables.stats = {"articles": len(rows), "computed": len(todo), "from_cache": len(rows) - len(todo)}
    return tables


def _run(rows: list[dict], *, jobs: int, engine: str, scheduler: str | None,
         progress: Callable[[int, int], None] | None, total: int, already: int) -> list[dict]:
    if not rows:
        return []
    if engine == "dask":
        from .distributed import run_on_dask

        return run_on_dask(_extract_row, rows, scheduler=scheduler,
                           progress=(lambda n: progress(already + n, total)) if progress else None)
    if engine != "local":
        raise ValueError(f"engine {engine!r}: choose local or dask")
    done = already
    out: list[dict] = []
    if jobs <= 1 or len(rows) < 2:
        for row in rows:
            out.append(_extract_row(row))
            done += 1
            if progress:
                progress(done, total)
        return out
    # The first article runs here: it loads and compiles the lexicons, which forked
    # workers then inherit instead of each building them again (seconds per worker).
    out.append(_extract_row(rows[0]))
    done += 1
    if progress:
        progress(done, total)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    rest = rows[1:]
    chunk = max(1, min(64, len(rest) // (jobs * 8) or 1))
    with ProcessPoolExecutor(max_workers=min(jobs, len(rest)), mp_context=context) as pool:
        for result in pool.map(_extract_row, rest, chunksize=chunk):
            out.append(result)
            done += 1
            if progress:
                progress(done, total)
    return out


def assemble(corpus: pd.DataFrame, results: Sequence[dict]) -> Tables:
    """The tables from a corpus table and the per-article results, in corpus order."""
    from .claims import claims_frame, claims_ledger
    from .dates import dates_frame
    from .events import events_frame
    from .framing import EVIDENCE_COLUMNS, table_columns
    from .published import PUBLISHED_COLUMNS
    from .timeline import CLAIM_TIME_COLUMNS

    articles = corpus.copy()
    for col in PUBLISHED_COLUMNS:
        articles[col] = pd.Series([r["published"][col] for r in results], index=articles.index, dtype="object")
    articles.attrs = dict(corpus.attrs)
    mentions = claims_frame([c for r in results for c in r["claims"]], extra=tuple(CLAIM_TIME_COLUMNS))
    return Tables(
        articles=articles,
        dates=dates_frame([d for r in results for d in r["dates"]]),
        claims=claims_ledger(mentions),
        mentions=mentions,
        events=events_frame([e for r in results for e in r["events"]]),
        framing=pd.DataFrame([r["framing"] for r in results], columns=table_columns()),
        evidence=pd.DataFrame([e for r in results for e in r["evidence"]], columns=EVIDENCE_COLUMNS),
    )


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
