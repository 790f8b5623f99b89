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

from .article import Article, as_article, detect_language
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


def _stems(norm: NormalizedText) -> tuple[Counter, dict[str, Counter]]:
    """Stem counts of one text, and the original surface forms (diacritics dropped) behind each stem."""
    stops = stopword_set()
    counts: Counter = Counter()
    surfaces: dict[str, Counter] = defaultdict(Counter)
    text = norm.text
    for _s, _e, tok in tokenize(text):
        if not _ARABIC_RE.match(tok) and not tok.isalpha():
            continue  # numbers, domains with digits
        low = tok.lower()
        if low in stops or len(low) < 2:
            continue
        # a stop word with a conjunction in front (وهو, فإن) is still a stop word
        if _ARABIC_RE.match(tok) and tok[0] in "وف" and tok[1:] in stops:
            continue
        stem = light_stem(tok)
        if stem in stops or len(stem) < 2:
            continue
        counts[stem] += 1
        a, b = norm.to_original(_s, _e)
        surface = "".join(c for c in norm.original[a:b] if not ("\u064b" <= c <= "\u065f" or c == "\u0640"))
        surfaces[stem][surface or tok] += 1
    return counts, surfaces


def distinctive_terms_for_groups(texts: Sequence[str], groups: Sequence[str], top: int = 15,
                                 prior_scale: float = 1.0) -> pd.DataFrame:
    """Weighted log-odds (informative Dirichlet prior) of each group's stems against the other groups.

    ``texts`` are articles, or article texts as written (normalized here).  The prior is the whole collection's stem
    counts times ``prior_scale`` (Monroe, Colaresi & Quinn 2008, section 3.5),
    which shrinks rare words toward zero.  ``zeta`` is the log-odds difference
    divided by its estimated standard deviation; positive values mark words the
    group uses more than the rest.
    """
    per_group: dict[str, Counter] = defaultdict(Counter)
    surfaces: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for text, group in zip(texts, groups):
        counts, surf = _stems(as_article(text if isinstance(text, (str, Article)) else "").norm)
        per_group[group].update(counts)
        for stem, c in surf.items():
            surfaces[group][stem].update(c)
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


