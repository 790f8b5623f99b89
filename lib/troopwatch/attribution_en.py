"""English attribution: agencies, named officials (with their role) and unnamed sources.

The same :class:`~troopwatch.attribution.SourceMention` records as the Arabic
reader, so the framing table scores an English and an Arabic article on one
scale.  A named source is a capitalized name next to a title ("Pentagon
spokesman Daniel Hurst said", "Karim al-Saadi, a spokesman for ..., said") in a
sentence with a speech verb.  Vocabulary: ``data/lexicons/en/sources.yml``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .article import Article
from .attribution import SourceMention
from .lexicons import load_lexicon, per_lexicons

__all__ = ["NamedSource", "named_sources_en", "source_mentions_en"]


def _alt(words) -> str:
    return "|".join(re.escape(str(w)) for w in sorted({str(w) for w in words}, key=len, reverse=True))


@dataclass(frozen=True)
class _Cfg:
    agencies: list  # (pattern, canonical)
    titles: re.Pattern
    ranks: frozenset
    speech: re.Pattern
    anonymous: re.Pattern
    name: re.Pattern
    not_names: frozenset
    title_before: re.Pattern  # a title (and the capitalized word before it) ending a text


@per_lexicons
def _cfg() -> _Cfg:
    lex = load_lexicon("en/sources") or {}
    agencies = []
    for canon, names in (lex.get("agencies") or {}).items():
        agencies.append((re.compile(rf"(?<![A-Za-z])(?:{_alt(names)})(?![A-Za-z])"), str(canon)))
    particles = _alt(lex.get("name_particles") or [])
    titles = re.compile(rf"(?<![A-Za-z])(?:{_alt(lex.get('titles') or [])})(?![A-Za-z])", re.I)
    cap = r"[A-Z][a-z]+(?:['’-][A-Za-z]+)*"
    part = rf"(?:(?:{particles})[-\s])?" if particles else ""
    name = re.compile(rf"(?:{cap}\s+)+{part}{cap}|{cap}\s+{part}{cap}")
    return _Cfg(
        agencies=agencies,
        titles=titles,
        ranks=frozenset(str(w).lower() for w in lex.get("ranks") or []),
        speech=re.compile(rf"(?<![A-Za-z])(?:{_alt(lex.get('speech') or [])})(?![A-Za-z])", re.I),
        anonymous=re.compile(rf"(?<![A-Za-z])(?:{_alt(lex.get('anonymous') or [])})(?![A-Za-z])", re.I),
        name=name,
        not_names=frozenset(str(w) for w in lex.get("not_names") or []),
        title_before=re.compile(rf"((?:[A-Z][A-Za-z.'’]+\s+)?(?:{titles.pattern}))\s*$", re.I),
    )


@dataclass(frozen=True)
class NamedSource:
    name: str
    role: str
    start: int  # original offsets of the name
    end: int


_APPOSITION = re.compile(r",\s+(?:a|an|the)\s+([^,]+?),")


def _sentences(article: Article) -> list[tuple[int, int]]:
    from .numbers_en import english_spans

    return english_spans(article.original, list(article.original_sentences))


def _strip_ranks(name: str, start: int, cfg: _Cfg) -> tuple[str, int]:
    words = name.split()
    while len(words) > 2 and words[0].lower() in cfg.ranks:
        start += len(words[0]) + 1
        words = words[1:]
    if len(words) >= 2 and words[0].lower() in cfg.ranks:
        return "", start
    return " ".join(words), start


def named_sources_en(article: Article) -> list[NamedSource]:
    """Named officials who speak in an English article, with the role the text gives them."""
    cfg = _cfg()
    text = article.original
    out: list[NamedSource] = []
    seen: set[str] = set()
    for a, b in _sentences(article):
        sent = text[a:b]
        if not cfg.speech.search(sent):
            continue
        for m in cfg.name.finditer(sent):
            raw = m.group()
            name, s0 = _strip_ranks(raw, m.start(), cfg)
            if not name or any(w in cfg.not_names for w in name.split()) or cfg.titles.fullmatch(name.split()[0]):
                continue
            role = ""
            before = sent[:m.start()].rstrip()
            # "Pentagon spokesman Daniel Hurst": the title (and the capitalized word before it) right before
            tm = cfg.title_before.search(before)
            after = _APPOSITION.match(sent, m.end())
            if after and cfg.titles.search(after.group(1)):
                role = after.group(1).strip()
            elif tm:
                role = tm.group(1).strip()
                if role.lower() in cfg.ranks and role[:1].isupper() and " " not in role:
                    role = ""
            elif not raw != name:
                continue
            if not role and raw == name:
                continue
            if name in seen:
                continue
            seen.add(name)
            out.append(NamedSource(name, role, a + s0, a + s0 + len(name)))
    return out


def source_mentions_en(article: Article, outlet: str | None = None) -> list[SourceMention]:
    """Agencies, named officials and unnamed sources of an English article (normalized offsets, as the Arabic reader)."""
    cfg = _cfg()
    text = article.original
    out: list[SourceMention] = []
    for rx, canon in cfg.agencies:
        for m in rx.finditer(text):
            if outlet and canon.lower() == str(outlet).lower() and m.start() < 200:
                continue  # the outlet's own credit line
            a, b = article.norm_span(m.start(), m.end())
            out.append(SourceMention(a, b, "agency", canon, m.group()))
    for s in named_sources_en(article):
        a, b = article.norm_span(s.start, s.end)
        out.append(SourceMention(a, b, "named_official", s.name, s.role or s.name))
    for m in cfg.anonymous.finditer(text):
        sent = article.original_sentence_at(m.start())
        if sent is None or not cfg.speech.search(text, sent[0], sent[1]):
            continue
        a, b = article.norm_span(m.start(), m.end())
        out.append(SourceMention(a, b, "anonymous", m.group(), m.group()))
    return sorted(out, key=lambda s: (s.start, s.kind))
