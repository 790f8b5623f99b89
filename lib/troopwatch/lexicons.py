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


_ENV_NAME = "TROOPWATCH_LEXICONS"
# os.environ keeps its values in a dict of encoded keys (``_data``) that every
# change through os.environ (monkeypatch.setenv included) updates; reading it
# directly costs one dict lookup instead of the Mapping machinery of os.environ.
_ENV_DATA = getattr(os.environ, "_data", None)
try:
    _ENV_KEY = os.environ.encodekey(_ENV_NAME)  # type: ignore[attr-defined]
    _decode = os.environ.decodevalue  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - another os.environ implementation
    _ENV_DATA = None
_last_raw: list = [None, ""]  # the last raw value read and its decoded form


def lexicon_key() -> str:
    """The lexicon folder as a string: cheap enough to key caches on at every call."""
    if not isinstance(_ENV_DATA, dict):  # pragma: no cover
        return os.environ.get(_ENV_NAME) or _default_dir()
    raw = _ENV_DATA.get(_ENV_KEY)
    if not raw:
        return _default_dir()
    last = _last_raw
    if raw != last[0]:
        last[1] = _decode(raw)
        last[0] = raw
    return last[1]


@lru_cache(maxsize=None)
def _default_dir() -> str:
    here = Path(__file__).resolve().parent
    checkout = here.parents[1] / "data" / "lexicons"
    if checkout.is_dir():
        return str(checkout)
    return str(here / "_data" / "lexicons")


def lexicon_path(name: str) -> Path:
    return lexicon_dir() / f"{name}.yml"


# libyaml's loader when PyYAML was built with it (several times faster); a file it rejects is read
# again by the pure-Python loader, whose messages name the problem as before
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=None)
def _load(path: str) -> Any:
    p = Path(path)
    if not p.is_file():
        raise LexiconError(f"{p}: lexicon not found; lexicons are YAML files in data/lexicons/")
    text = p.read_text(encoding="utf-8")
    try:
        try:
            return yaml.load(text, Loader=_LOADER)
        except yaml.YAMLError:
            if _LOADER is yaml.SafeLoader:
                raise
            # the pure-Python loader's reading of a broken file (its wording of the problem)
            with p.open(encoding="utf-8") as fh:
                return yaml.load(fh, Loader=yaml.SafeLoader)
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
