"""How each article frames the US presence in Iraq, with every score traceable to its words.

For each article :func:`framing_table` gives one row: the outlet, frame scores
(matches of each frame's lexicon per 1,000 words), the withdrawal stance and
the sentences that decided it, counts of agencies, named officials and
unnamed sources, hedging, and actor salience.  :func:`framing_evidence` lists
the span behind every count (article, measure, label, term, matched, start,
end, sentence), in original-text offsets, so any number can be checked
against the article.  :func:`distinctive_terms` ranks the words that set an
outlet apart (see :mod:`troopwatch.distinctive`).

Lexicons: frames.yml, stance.yml, hedging.yml, sources.yml, actors.yml,
stopwords_extra.yml, spelling_variants.yml in ``data/lexicons``.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import pandas as pd

from .actors import actor_mentions, actor_names
from .attribution import article_outlet, source_mentions
from .attribution_en import source_mentions_en
from .lexicons import LexiconError, load_lexicon, per_lexicons
from .text import normalize_term
from .article import Article, article_list
from .distinctive import distinctive_terms
from .words import Match, TermMatcher, lexicon_source, select_non_overlapping, specs_from_entries

__all__ = [
    "framing_table",
    "framing_analysis",
    "analyse_article",
    "distinctive_terms",
    "frame_names",
    "frame_definitions",
    "STANCES",
    "EVIDENCE_COLUMNS",
]

STANCES = ("imminent_or_scheduled", "conditional_or_negotiated", "not_happening", "unclear")
EVIDENCE_COLUMNS = ["article", "measure", "label", "term", "matched", "start", "end", "sentence"]
SOURCE_KINDS = {"agency": "agencies", "named_official": "named_officials", "anonymous": "anonymous"}


# ----------------------------------------------------------------------------- lexicons


def _frames_cfg() -> dict:
    data = load_lexicon("frames") or {}
    frames = data.get("frames")
    if not isinstance(frames, dict) or not frames:
        raise LexiconError(f"{lexicon_source('frames')}: needs a 'frames' mapping of frame -> name, definition, terms")
    return frames


def frame_names() -> dict[str, str]:
    """Frame key -> readable name, in lexicon order."""
    return {k: str(v.get("name", k)) for k, v in _frames_cfg().items()}


def frame_definitions() -> pd.DataFrame:
    """One row per frame: frame, name, definition, example (from frames.yml)."""
    rows = []
    for key, spec in _frames_cfg().items():
        examples = spec.get("examples") or [""]
        rows.append({"frame": key, "name": spec.get("name", key), "definition": spec.get("definition", ""), "example": examples[0]})
    return pd.DataFrame(rows, columns=["frame", "name", "definition", "example"])


def _lexicon_name(name: str, language: str) -> str:
    """The lexicon of ``name`` for an article's language: data/lexicons/en/<name>.yml for English, else the Arabic one."""
    return f"en/{name}" if language == "en" else name


def _language(article: Article) -> str:
    return "en" if article.language == "en" else "ar"


@per_lexicons
def _frame_matchers(language: str = "ar") -> dict[str, TermMatcher]:
    src = lexicon_source(_lexicon_name("frames", language))
    frames = _frames_cfg()
    if language != "ar":
        # the same frames as the Arabic lexicon (names, definitions), the language's own terms: one scale for both
        own = (load_lexicon(_lexicon_name("frames", language)) or {}).get("frames") or {}
        unknown = set(own) - set(frames)
        if unknown:
            raise LexiconError(f"{src}: frames {sorted(unknown)} are not in frames.yml; add them there first")
        frames = {key: own.get(key) or {} for key in frames}
    return {key: TermMatcher(specs_from_entries(key, spec.get("terms"), src), source=src) for key, spec in frames.items()}


@per_lexicons
def _hedge_matcher(language: str = "ar") -> TermMatcher:
    data = load_lexicon(_lexicon_name("hedging", language)) or {}
    src = lexicon_source(_lexicon_name("hedging", language))
    groups = data.get("hedging")
    if not isinstance(groups, dict):
        raise LexiconError(f"{src}: needs a 'hedging' mapping of label -> terms")
    specs = []
    for label, spec in groups.items():
        specs += specs_from_entries(label, (spec or {}).get("terms"), src)
    return TermMatcher(specs, source=src)


@dataclass(frozen=True)
class _StanceCfg:
    topic: TermMatcher
    cues: TermMatcher
    negators: frozenset[str]
    window: int
    lead_sentences: int
    lead_min_words: int
    lead_weight: float


@per_lexicons
def _stance_cfg(language: str = "ar") -> _StanceCfg:
    data = load_lexicon(_lexicon_name("stance", language)) or {}
    src = lexicon_source(_lexicon_name("stance", language))
    stances = data.get("stances")
    if not isinstance(stances, dict):
        raise LexiconError(f"{src}: needs a 'stances' mapping of stance -> cues")
    specs = []
    for label, spec in stances.items():
        if label not in STANCES:
            raise LexiconError(f"{src}: unknown stance {label!r}; use one of {', '.join(STANCES[:-1])}")
        specs += specs_from_entries(label, (spec or {}).get("cues"), src)
    return _StanceCfg(
        topic=TermMatcher(specs_from_entries("topic", data.get("topic"), src), source=src),
        cues=TermMatcher(specs, source=src),
        negators=frozenset(normalize_term(w) for w in data.get("negators") or []),
        window=int(data.get("negation_window", 3)),
        lead_sentences=int(data.get("lead_sentences", 3)),
        lead_min_words=int(data.get("lead_min_words", 5)),
        lead_weight=float(data.get("lead_weight", 2)),
    )


# ----------------------------------------------------------------------------- per-article analysis


# One piece of evidence: (start, measure, label, term, end), start and end normalized (a tuple: an article has many)
_Evidence = tuple


def _stance(article: Article) -> tuple[str, list[_Evidence], dict[str, float], list[int]]:
    """Stance, its cue evidence, vote totals and the deciding sentence indexes."""
    cfg = _stance_cfg(_language(article))
    text, tokens = article.text, article.tokens
    topic_sents = {article.sentence_index(m.start) for m in article.matches(cfg.topic)}
    topic_sents.discard(None)
    # the headline and the first sentences of the body that are long enough to be prose
    lead: set[int] = set()
    headline_done = False
    for k, (a, b) in enumerate(article.sentences):
        words = max(0, article.token_index_at(b) - article.token_index_at(a))
        if not headline_done and words >= 3:
            lead.add(k)
            headline_done = True
        elif headline_done and words >= cfg.lead_min_words:
            lead.add(k)
        if len(lead) >= cfg.lead_sentences:
            break
    votes: dict[str, float] = defaultdict(float)
    voted: set[tuple[int, str]] = set()
    by_stance: dict[str, list[int]] = defaultdict(list)
    evidence: list[_Evidence] = []
    # a cue counts only in a sentence about the topic: without one there is nothing to look for
    for m in select_non_overlapping(article.matches(cfg.cues)) if topic_sents else ():
        k = article.sentence_index(m.start)
        if k is None or k not in topic_sents:
            continue
        label = m.label
        if label != "not_happening" and _negated(article, m, cfg):
            label = "not_happening"
        evidence.append((m.start, "stance", label, m.spec.term, m.end))
        if (k, label) not in voted:
            voted.add((k, label))
            votes[label] += cfg.lead_weight if k in lead else 1.0
            by_stance[label].append(k)
    if not votes:
        return "unclear", evidence, dict(votes), []
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return "unclear", evidence, dict(votes), sorted({k for lab, v in ranked if v == ranked[0][1] for k in by_stance[lab]})
    winner = ranked[0][0]
    return winner, evidence, dict(votes), by_stance[winner]


def _negated(article: Article, m: Match, cfg: _StanceCfg) -> bool:
    """A negator within `window` words before the cue, in the same clause."""
    i = article.token_index_at(m.start)
    text, tokens = article.text, article.tokens
    for j in range(i - 1, max(-1, i - 1 - cfg.window), -1):
        between = text[tokens[j][1]:m.start]
        if any(c in between for c in ".!?؟؛;،,:\n"):
            return False
        if tokens[j][2] in cfg.negators:
            return True
    return False


@per_lexicons
def _actor_keys() -> tuple[str, ...]:
    """The actor keys of the gazetteer, in order (read once per lexicon folder, not once per article)."""
    return tuple(actor_names())


@dataclass
class _Analysis:
    row: dict[str, Any]
    evidence: list[tuple]  # tuples in EVIDENCE_COLUMNS order


def _analyse(row: Any) -> _Analysis:
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    article_id = str(get("id", ""))
    if isinstance(row, Article):
        art = row
    else:
        text = get("text", "")
        art = Article.from_text(text if isinstance(text, str) else "", article_id, row)
    words = art.words
    per_1000 = (lambda c: round(c * 1000.0 / words, 3)) if words else (lambda c: math.nan)
    ev: list[_Evidence] = []

    outlet, basis, span = article_outlet(row, art)
    if span is not None:
        # the term is the outlet name read from the credit line, byline or link (the line is the sentence)
        ev.append((span[0], "outlet", basis, str(outlet), span[1]))

    frame_counts = {}
    lang = _language(art)
    for key, matcher in _frame_matchers(lang).items():
        found = select_non_overlapping(art.matches(matcher))
        frame_counts[key] = len(found)
        ev.extend([(m.start, "frame", key, m.spec.term, m.end) for m in found])

    stance, stance_ev, votes, deciding = _stance(art)
    ev.extend(stance_ev)

    sources = source_mentions_en(art, outlet) if lang == "en" else source_mentions(art, outlet)
    source_counts = {k: 0 for k in SOURCE_KINDS}
    names: dict[str, list[str]] = defaultdict(list)
    for s in sources:
        source_counts[s.kind] += 1
        if s.name not in names[s.kind]:
            names[s.kind].append(s.name)
        ev.append((s.start, "source", s.kind, s.term if s.kind != "agency" else s.name, s.end))

    hedges = select_non_overlapping(art.matches(_hedge_matcher(lang)))
    ev.extend([(m.start, "hedge", m.spec.label, m.spec.term, m.end) for m in hedges])

    actor_counts = dict.fromkeys(_actor_keys(), 0)
    for a in actor_mentions(art):
        actor_counts[a.actor] += 1
        ev.append((a.start, "actor", a.actor, a.term, a.end))

    out: dict[str, Any] = {
        "article": article_id,
        "outlet": outlet,
        "outlet_basis": basis,
        "words": words,
    }
    for key, c in frame_counts.items():
        out[f"frame_{key}"] = per_1000(c)
    for key, c in frame_counts.items():
        out[f"frame_{key}_count"] = c
    out["stance"] = stance
    out["stance_votes"] = "; ".join(f"{k}={v:g}" for k, v in sorted(votes.items()))
    out["stance_evidence"] = " || ".join(art.sentence_text(art.sentences[k][0]) for k in deciding)
    for kind, col in SOURCE_KINDS.items():
        out[f"sources_{col}"] = source_counts[kind]
        out[f"sources_{col}_per_1000"] = per_1000(source_counts[kind])
    out["sources_agency_names"] = "; ".join(names["agency"])
    out["sources_named_official_names"] = "; ".join(names["named_official"])
    out["hedging"] = len(hedges)
    out["hedging_per_1000"] = per_1000(len(hedges))
    for label in ("hedge", "reported"):
        out[f"hedging_{label}"] = sum(1 for m in hedges if m.label == label)
    for key, c in actor_counts.items():
        out[f"actor_{key}"] = per_1000(c)
    for key, c in actor_counts.items():
        out[f"actor_{key}_count"] = c

    return _Analysis(out, _evidence_rows(art, article_id, ev))


def _evidence_rows(art: Article, article_id: str, ev: list[_Evidence]) -> list[tuple]:
    """The evidence rows (tuples in EVIDENCE_COLUMNS order) in order of start, measure and label: original spans,
    the matched words and their sentence."""
    evidence = []
    add = evidence.append
    sentences: dict[int, str] = {}  # the text of each sentence holding evidence, sliced once
    original = art.original
    norm = art.norm
    # with the identity map a span of the matching form is the same span of the original (nothing was dropped)
    identity = isinstance(norm.offsets, range)
    to_original = norm.to_original
    starts, spans, original_spans = art._sentence_starts, art.sentences, art.original_sentences
    # in order of start, measure and label (a stable sort: evidence equal in those keeps the order it was found in)
    for start, measure, label, term, end in sorted(ev, key=_evidence_order):
        a, b = (start, end) if identity and start < end else to_original(start, end)
        # art.sentence_index(start)
        k = bisect_right(starts, start) - 1
        if k >= 0 and start < max(spans[k][1], spans[k][0] + 1):
            sentence = sentences.get(k)
            if sentence is None:
                sa, sb = original_spans[k]
                sentence = sentences[k] = original[sa:sb]
        else:
            sentence = art.sentence_text(start)
        add((article_id, measure, label, term, original[a:b], a, b, sentence))
    return evidence


_evidence_order = itemgetter(0, 1, 2)  # start, measure, label


def analyse_article(article: Article) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(framing row, evidence rows) of one article."""
    row, evidence = analyse_article_tuples(article)
    return row, [dict(zip(EVIDENCE_COLUMNS, e)) for e in evidence]


def analyse_article_tuples(article: Article) -> tuple[dict[str, Any], list[tuple]]:
    """(framing row, evidence rows as tuples in EVIDENCE_COLUMNS order) of one article: what the extraction keeps."""
    result = _analyse(article)
    return result.row, result.evidence


def framing_analysis(articles: "pd.DataFrame | list[Article]") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(framing table, evidence table) in one pass over the articles."""
    _check(articles)
    rows, evidence = [], []
    for art in article_list(articles, "framing_table"):
        result = _analyse(art)
        rows.append(result.row)
        evidence.extend(result.evidence)  # tuples in EVIDENCE_COLUMNS order
    table = pd.DataFrame(rows, columns=table_columns())
    ev = pd.DataFrame(evidence, columns=EVIDENCE_COLUMNS)
    return table, ev


def table_columns() -> list[str]:
    """The columns of framing_table, in order."""
    frames = list(frame_names())
    actors = list(actor_names())
    cols = ["article", "outlet", "outlet_basis", "words"]
    cols += [f"frame_{f}" for f in frames] + [f"frame_{f}_count" for f in frames]
    cols += ["stance", "stance_votes", "stance_evidence"]
    for col in SOURCE_KINDS.values():
        cols += [f"sources_{col}", f"sources_{col}_per_1000"]
    cols += ["sources_agency_names", "sources_named_official_names", "hedging", "hedging_per_1000", "hedging_hedge", "hedging_reported"]
    cols += [f"actor_{a}" for a in actors] + [f"actor_{a}_count" for a in actors]
    return cols


def _check(articles: Any) -> None:
    if isinstance(articles, list) and all(isinstance(a, Article) for a in articles):
        return
    if not isinstance(articles, pd.DataFrame):
        raise TypeError(f"expected the articles DataFrame from troopwatch.pipeline.articles_table, got {type(articles).__name__}")
    missing = [c for c in ("id", "text") if c not in articles.columns]
    if missing:
        raise KeyError(f"the articles table lacks column(s) {missing}; build it with troopwatch.pipeline.articles_table")


def framing_table(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per article: outlet, frames, stance, sources, hedging, actors (see the module docstring)."""
    return framing_analysis(articles)[0]
