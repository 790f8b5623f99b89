"""Lexicons, gazetteers and keyword lists are data: YAML files in ``data/lexicons/``.

Code asks for a lexicon by name (``load_lexicon("claims")``); the YAML is read
once and cached.  Terms are stored as people write them; each module folds them
with :func:`troopwatch.text.normalize_term` before matching.
"""
from __future__ import annotations

import functools
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["LexiconError", "lexicon_dir", "lexicon_key", "lexicon_path", "load_lexicon", "per_lexicons"]


class LexiconError(ValueError):
    """A lexicon file is missing or malformed; the message names the file."""


def lexicon_dir() -> Path:
    """Where the lexicons live: $TROOPWATCH_LEXICONS, the checkout's data/lexicons, or the wheel's copy."""
    return Path(lexicon_key())


def lexicon_key() -> str:
    """The lexicon folder as a string: cheap enough to key caches on at every call."""
    return os.environ.get("TROOPWATCH_LEXICONS") or _default_dir()


@lru_cache(maxsize=None)
def _default_dir() -> str:
    here = Path(__file__).resolve().parent
    checkout = here.parents[1] / "data" / "lexicons"
    if checkout.is_dir():
        return str(checkout)
    return str(here / "_data" / "lexicons")


def lexicon_path(name: str) -> Path:
    return lexicon_dir() / f"{name}.yml"


@lru_cache(maxsize=None)
def _load(path: str) -> Any:
    p = Path(path)
    if not p.is_file():
        raise LexiconError(f"{p}: lexicon not found; lexicons are YAML files in data/lexicons/")
    try:
        with p.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise LexiconError(f"{p}:{where}: not valid YAML ({getattr(exc, 'problem', exc)}); fix the file") from None


def load_lexicon(name: str) -> Any:
    """The parsed YAML of ``data/lexicons/<name>.yml`` (cached; treat it as read-only)."""
    return _load(str(lexicon_path(name)))


def per_lexicons(build):
    """Cache what ``build`` makes from the lexicons, once per lexicon folder.

    Tables compiled from the YAML (matchers, regexes) are costly, so each is
    built once; keying the cache by the folder makes ``TROOPWATCH_LEXICONS``
    apply to every table at once instead of only to those not yet built.
    """
    cache: dict = {}

    @functools.wraps(build)
    def cached(*args):
        key = (lexicon_key(),) + args
        try:
            return cache[key]
        except KeyError:
            value = cache[key] = build(*args)
            return value

    cached.cache_clear = cache.clear  # type: ignore[attr-defined]
    return cached
