"""The stages wired together: what the CLI and the notebooks call.

    articles_table -> claims_table / dates_table / events_table / framing_table

Each function takes and returns pandas DataFrames, so a notebook can stop at
any stage and look.
"""
from __future__ import annotations

import os
from typing import Iterable

import pandas as pd

from .corpus import load_corpus

__all__ = ["articles_table", "claims_table", "dates_table", "events_table", "framing_table"]


def articles_table(paths: str | os.PathLike | Iterable[str | os.PathLike], metadata=None) -> pd.DataFrame:
    """One row per article, with its publication date (metadata, dateline or inferred)."""
    from .published import add_publication_dates

    articles = load_corpus(paths, metadata=metadata)
    skipped = articles.attrs.get("skipped", [])
    articles = add_publication_dates(articles)
    articles.attrs["skipped"] = skipped
    return articles


def dates_table(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per date mention, resolved against its article's publication date."""
    from .dates import date_mentions_table

    return date_mentions_table(articles)


def claims_table(articles: pd.DataFrame, dates: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per troop, attack or casualty claim, with the moment it refers to."""
    from .claims import claims_table as extract
    from .timeline import attach_claim_times

    claims = extract(articles)
    if dates is None:
        dates = dates_table(articles)
    return attach_claim_times(claims, articles, dates)


def events_table(articles: pd.DataFrame, dates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Dated events the articles mention, with their sentences."""
    from .timeline import events_table as extract_events

    if dates is None:
        dates = dates_table(articles)
    return extract_events(articles, dates)


def framing_table(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per article: frames, stance, attribution, hedging, actor salience."""
    from .framing import framing_table as score

    return score(articles)
