"""Actors: how often an article names the United States, Iran, the Iraqi government, ...

The gazetteer (``data/lexicons/actors.yml``) groups names into entities and
entities into actors.  A mention is the longest name found at a place (so
"مصطفى الكاظمي" counts once, not again as "الكاظمي"), and mentions of the same
actor separated only by spaces ("وزير الدفاع الأمريكي مارك إسبر") are one
mention.  Salience is mentions per 1,000 words.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .lexicons import LexiconError, load_lexicon, per_lexicons
from .text import normalize_term
from .article import Article
from .words import Match, TermMatcher, TermSpec, lexicon_source, select_non_overlapping

__all__ = ["ActorMention", "actor_names", "actor_matcher", "actor_mentions", "kept_actor_matches"]


@dataclass(frozen=True)
class Entity:
    actor: str
    name: str
    person: bool


@dataclass(frozen=True)
class ActorMention:
    start: int  # normalized text
    end: int
    actor: str
    entity: str
    term: str  # the gazetteer name(s) behind the mention; merged names are joined by " + "


def _actors(language: str = "ar") -> dict:
    data = load_lexicon("en/actors" if language == "en" else "actors") or {}
    actors = data.get("actors")
    if not isinstance(actors, dict) or not actors:
        raise LexiconError(f"{lexicon_source('actors')}: needs an 'actors' mapping of actor -> entities")
    return actors


def actor_names() -> dict[str, str]:
    """Actor key -> readable name, in gazetteer order."""
    return {key: str(spec.get("name", key)) for key, spec in _actors().items()}


def _specs(persons_only: bool = False, language: str = "ar") -> list[TermSpec]:
    specs = []
    src = lexicon_source("en/actors" if language == "en" else "actors")
    known = _actors()
    for actor, spec in _actors(language).items():
        if actor not in known:
            raise LexiconError(f"{src}: actor {actor!r} is not in actors.yml; add it there first")
        for ent in spec.get("entities") or []:
            if not isinstance(ent, dict) or "name" not in ent:
                raise LexiconError(f"{src}: actor {actor!r}: every entity needs a 'name' and 'variants'")
            entity = Entity(actor, str(ent["name"]), bool(ent.get("person", False)))
            if persons_only and not entity.person:
                continue
            suffixes = bool(ent.get("suffixes", False))
            for v in ent.get("variants") or [ent["name"]]:
                specs.append(TermSpec(actor, str(v), True, suffixes, None, entity))
            for rx in ent.get("regex") or []:
                specs.append(TermSpec(actor, str(rx), True, False, str(rx), entity))
    return specs


@lru_cache(maxsize=4096)
def _folded(term: str) -> str:
    return normalize_term(term)


@per_lexicons
def actor_matcher(language: str = "ar") -> TermMatcher:
    """The gazetteer's matcher for a language (English names from data/lexicons/en/actors.yml)."""
    return TermMatcher(_specs(language=language), source=lexicon_source("en/actors" if language == "en" else "actors"))


def kept_actor_matches(article: Article, language: str = "ar") -> list[Match]:
    """The gazetteer's names found in an article, longest first, without overlaps (once per article; read-only)."""
    matcher = actor_matcher(language)
    return article.memo(("actors", matcher), lambda: select_non_overlapping(article.matches(matcher)))


def actor_mentions(article: Article) -> list[ActorMention]:
    """Actor mentions of one article, longest names first, adjacent same-actor names merged."""
    language = "en" if article.language == "en" else "ar"
    found: list[Match] = kept_actor_matches(article, language)
    text = article.text
    mentions: list[ActorMention] = []
    for m in found:
        entity: Entity = m.spec.data
        if mentions:
            prev = mentions[-1]
            gap = text[prev.end:m.start]
            # "القوات الأمريكية والقوات الأمريكية" are two mentions: a conjunction separates them
            conj = text[m.start] in "وف" and not _folded(m.spec.term).startswith(text[m.start])
            if prev.actor == m.label and (gap == "" or gap.isspace()) and not conj:
                mentions[-1] = ActorMention(prev.start, m.end, prev.actor, prev.entity, prev.term + " + " + m.spec.term)
                continue
        mentions.append(ActorMention(m.start, m.end, m.label, entity.name, m.spec.term))
    return mentions
