"""Distinctive vocabulary: the words that set one group of articles (an outlet) apart.

:func:`distinctive_terms` ranks the stems that distinguish one group of
articles from the rest with the weighted log-odds ratio and an informative
Dirichlet prior (Monroe, Colaresi & Quinn 2008).  Groups are an outlet (as
attribution finds it) or any column of the articles table; words are compared
only within one language.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Sequence

import pandas as pd

from .article import Article, detect_language
from .attribution import article_outlet
from .text import ARABIC_LETTER, NormalizedText
from .words import stopword_set, tokenize

__all__ = ["light_stem", "distinctive_terms", "distinctive_terms_for_groups"]

_ARABIC_RE = re.compile(f"[{ARABIC_LETTER}]")


# Light stemming in the manner of Larkey, Ballesteros & Connell's "light10": strip
# one conjunction, one article-bearing prefix, then common suffixes, never leaving
# fewer than two letters.  It was chosen over snowballstemmer's Arabic stemmer
# because Snowball strips the article only when no conjunction precedes it
# (القوات -> القو but والقوات -> والقوا), splitting one word into several stems,
# which a frequency comparison cannot afford.
_LIGHT_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_LIGHT_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


def light_stem(word: str) -> str:
    """Light Arabic stem of a normalized word (Latin words are lower-cased)."""
    if not _ARABIC_RE.match(word):
        return word.lower()
    w = word
    if len(w) >= 4 and w[0] == "و":
        w = w[1:]
    for p in _LIGHT_PREFIXES:
        if w.startswith(p) and len(w) - len(p) >= 2:
            w = w[len(p):]
            break
    for s in _LIGHT_SUFFIXES:
        if w.endswith(s) and len(w) - len(s) >= 2:
            w = w[: -len(s)]
    return w


def _keep(tok: str, stops: frozenset) -> str | None:
    """The stem a normalized token counts under, None for a number, a stop word or a scrap."""
    if not _ARABIC_RE.match(tok) and not tok.isalpha():
        return None  # numbers, domains with digits
    low = tok.lower()
    if low in stops or len(low) < 2:
        return None
    # a stop word with a conjunction in front (وهو, فإن) is still a stop word
    if _ARABIC_RE.match(tok) and tok[0] in "وف" and tok[1:] in stops:
        return None
    stem = light_stem(tok)
    if stem in stops or len(stem) < 2:
        return None
    return stem


def _stems(norm: NormalizedText) -> tuple[Counter, dict[str, Counter]]:
    """Stem counts of one text, and the original surface forms (diacritics dropped) behind each stem.

    Token by token: the reference :func:`_surface_tokens` is checked against.
    """
    stops = stopword_set()
    counts: Counter = Counter()
    surfaces: dict[str, Counter] = defaultdict(Counter)
    text = norm.text
    for _s, _e, tok in tokenize(text):
        stem = _keep(tok, stops)
        if stem is None:
            continue
        counts[stem] += 1
        a, b = norm.to_original(_s, _e)
        surface = "".join(c for c in norm.original[a:b] if not ("\u064b" <= c <= "\u065f" or c == "\u0640"))
        surfaces[stem][surface or tok] += 1
    return counts, surfaces


def _char_class(chars: set[str]) -> str:
    return "".join(re.escape(c) for c in sorted(chars))


def _surface_token_re() -> "re.Pattern[str]":
    """``words.TOKEN_RE`` for a text whose dropped characters are removed but not yet folded.

    Every character that folds into a class of TOKEN_RE (an alef with hamza into a letter, an
    Eastern digit into a digit, the Arabic decimal point into a dot) joins that class, so the
    tokens found are those of the normalized text, at the same positions, as the article wrote them.
    """
    from .text import _TRANSLATE

    letters, alnum, dots = set(), set(), {"."}
    for cp, folded in _TRANSLATE.items():
        if folded is None or len(folded) != 1:
            continue
        if _ARABIC_RE.match(folded):
            letters.add(chr(cp))
        elif folded.isascii() and folded.isalnum():
            alnum.add(chr(cp))
        elif folded == ".":
            dots.add(chr(cp))
    letter = f"[{ARABIC_LETTER}{_char_class(letters)}]"
    word = f"[A-Za-z0-9{_char_class(alnum)}]"
    return re.compile(f"{letter}+|{word}+(?:[{_char_class(dots)}]{word}+)*")


_SURFACE_TOKEN_RE: "re.Pattern[str] | None" = None


def _surface_tokens(text: str) -> list[str] | None:
    """The word tokens of a text as written (diacritics, tatweel and invisible marks dropped), in
    order, one per token of its normalized form; None for a text normalization does not fold
    character for character (presentation forms, a dot hidden inside a word)."""
    from .text import DROPPED_CHARACTERS, HAS_OBFUSCATING_DOT, PRESENTATION_FORMS

    global _SURFACE_TOKEN_RE
    if PRESENTATION_FORMS.search(text) is not None or HAS_OBFUSCATING_DOT.search(text) is not None:
        return None
    if _SURFACE_TOKEN_RE is None:
        _SURFACE_TOKEN_RE = _surface_token_re()
    return _SURFACE_TOKEN_RE.findall(DROPPED_CHARACTERS.sub("", text))


def _group_counts(texts: Sequence, groups: Sequence[str]) -> tuple[dict[str, Counter], dict[str, dict[str, Counter]]]:
    """Per group, its stem counts and the surface forms behind each stem.

    Tokens are counted as written (C-speed ``Counter`` over the tokens of each text); each
    distinct written form is normalized and stemmed once.  A text normalization does not fold
    character for character is read token by token (:func:`_stems`).
    """
    from .text import normalize

    stops = stopword_set()
    written: dict[str, Counter] = defaultdict(Counter)
    per_group: dict[str, Counter] = defaultdict(Counter)
    surfaces: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for text, group in zip(texts, groups):
        if isinstance(text, Article):
            text = text.original
        tokens = _surface_tokens(text if isinstance(text, str) else "")
        if tokens is None:
            counts, surf = _stems(normalize(text))
            per_group[group].update(counts)
            for stem, c in surf.items():
                surfaces[group][stem].update(c)
            continue
        written[group].update(tokens)
    stem_of: dict[str, str | None] = {}
    for group, counts in written.items():
        for surface, c in counts.items():
            stem = stem_of.get(surface, "")
            if stem == "":
                stem = stem_of[surface] = _keep(normalize(surface).text, stops)
            if stem is None:
                continue
            per_group[group][stem] += c
            surfaces[group][stem][surface] += c
    return per_group, surfaces


def distinctive_terms_for_groups(texts: Sequence[str], groups: Sequence[str], top: int = 15,
                                 prior_scale: float = 1.0) -> pd.DataFrame:
    """Weighted log-odds (informative Dirichlet prior) of each group's stems against the other groups.

    ``texts`` are articles, or article texts as written (normalized here).  The prior is the whole collection's stem
    counts times ``prior_scale`` (Monroe, Colaresi & Quinn 2008, section 3.5),
    which shrinks rare words toward zero.  ``zeta`` is the log-odds difference
    divided by its estimated standard deviation; positive values mark words the
    group uses more than the rest.
    """
    per_group, surfaces = _group_counts(texts, groups)
    columns = ["group", "term", "display", "zeta", "count"]
    total: Counter = Counter()
    for c in per_group.values():
        total.update(c)
    if len(per_group) < 2 or not total:
        return pd.DataFrame(columns=columns)
    alpha = {w: c * prior_scale for w, c in total.items()}
    alpha0 = sum(alpha.values())
    n_all = sum(total.values())
    rows = []
    for group in sorted(per_group):
        counts = per_group[group]
        n_i = sum(counts.values())
        n_j = n_all - n_i
        scored = []
        for w, y_i in counts.items():
            y_j = total[w] - y_i
            a_w = alpha[w]
            # log-odds of w in the group and in the rest, each smoothed by the prior
            l_i = math.log((y_i + a_w) / (n_i + alpha0 - y_i - a_w))
            l_j = math.log((y_j + a_w) / (n_j + alpha0 - y_j - a_w))
            var = 1.0 / (y_i + a_w) + 1.0 / (y_j + a_w)
            scored.append((w, (l_i - l_j) / math.sqrt(var), y_i))
        scored.sort(key=lambda t: (-t[1], t[0]))
        for w, zeta, y_i in scored[:top]:
            # the most frequent surface form; ties go to the shortest
            display = max(surfaces[group][w].items(), key=lambda kv: (kv[1], -len(kv[0]), kv[0]))[0]
            rows.append({"group": group, "term": w, "display": display, "zeta": round(zeta, 4), "count": int(y_i)})
    return pd.DataFrame(rows, columns=columns)


def distinctive_terms(articles: pd.DataFrame, group_by: str = "outlet", top: int = 15,
                      prior_scale: float = 1.0) -> pd.DataFrame:
    """Distinctive stems per group of articles (columns: group, term, display, zeta, count).

    With ``group_by="outlet"`` the outlet is the one attribution finds
    (sidecar, dateline, byline or link); an article whose outlet stays unknown
    forms a group of its own, named by its id.  Any other column of
    ``articles`` may be named instead.
    """
    columns = ["group", "term", "display", "zeta", "count"]
    if articles is None or len(articles) == 0:
        return pd.DataFrame(columns=columns)
    if group_by == "outlet":
        groups = []
        for _, row in articles.iterrows():
            outlet, _basis, _span = article_outlet(row)
            groups.append(outlet if outlet else str(row.get("id")))
    else:
        if group_by not in articles.columns:
            raise KeyError(f"distinctive_terms: no column {group_by!r}; use 'outlet' or one of {list(articles.columns)}")
        groups = [str(g) if g is not None and not (isinstance(g, float) and math.isnan(g)) else str(i)
                  for i, g in zip(articles["id"], articles[group_by])]
    texts = [t if isinstance(t, str) else "" for t in articles["text"]]
    # words are compared within a language: an English and an Arabic article share no words to weigh
    stated = articles["language"] if "language" in articles.columns else [None] * len(texts)
    languages = [str(x).strip().lower()[:2] if isinstance(x, str) and x.strip() else detect_language(t)
                 for t, x in zip(texts, stated)]
    if len(set(languages)) < 2:
        return distinctive_terms_for_groups(texts, groups, top=top, prior_scale=prior_scale)
    parts = []
    for lang in sorted(set(languages)):
        keep = [i for i, x in enumerate(languages) if x == lang]
        parts.append(distinctive_terms_for_groups([texts[i] for i in keep], [f"{groups[i]} [{lang}]" for i in keep],
                                                  top=top, prior_scale=prior_scale))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


