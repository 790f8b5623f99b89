"""Original and rendition: an English wire story and the Arabic article that renders it.

:func:`find_pairs` pairs each Arabic article with the English article it most
likely renders: published within two days of it, sharing figures (the same
kind and value) and named sources or the agency.  :func:`compare_pair` shows
what the rendition did with the original:

* figures kept (same kind and value), changed (same kind, actor and place, a
  different value: ``rounded`` when the Arabic gives a round, approximate value
  near the English one), added (only in Arabic) and dropped (only in English);
* sources kept (a named official in both, names compared across scripts by a
  consonant skeleton) or dropped, and those only the rendition names;
* frame scores side by side (per 1,000 words, the framing table's scale).

:func:`pairs_table` gives one row per item for all pairs of a corpus.
Vocabulary (change verbs, casualty subkinds, transliteration) is in
``data/lexicons/pairing.yml``.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

import pandas as pd

from .article import Article
from .attribution import source_mentions
from .attribution_en import named_sources_en
from .dates import parse_iso
from .lexicons import load_lexicon, per_lexicons
from .numbers_en import lower
from .text import ARABIC_LETTER, normalize_term

__all__ = ["Pair", "find_pairs", "compare_pair", "pairs_table", "PAIR_COLUMNS", "name_key"]

MAX_DAYS = 2
PAIR_COLUMNS = ["source", "rendition", "section", "status", "kind", "subkind", "actor", "place", "change",
                "en_value", "en_qualifier", "en", "ar_value", "ar_qualifier", "ar", "mentions_en", "mentions_ar",
                "how", "role", "frame", "en_score", "ar_score"]


@dataclass
class Pair:
    source: str  # the English article's id
    rendition: str  # the Arabic article's id
    source_published: Optional[str]
    rendition_published: Optional[str]
    days: Optional[int]
    shared_figures: int
    shared_names: int
    agency: Optional[str]
    figures: dict = field(default_factory=dict)  # kept / changed / added / dropped -> rows
    sources: dict = field(default_factory=dict)  # kept / dropped / added -> rows
    frames: dict = field(default_factory=dict)  # frame -> (en score, ar score)


# ----------------------------------------------------------------------------- lexicon


@per_lexicons
def _lex() -> dict:
    data = load_lexicon("pairing") or {}
    change = data.get("change") or {}
    subkinds = data.get("subkinds") or {}
    return {
        "change": {lang: frozenset(_fold(w, lang) for w in change.get(lang) or []) for lang in ("en", "ar")},
        "subkinds": {name: {lang: frozenset(_fold(w, lang) for w in (spec or {}).get(lang) or []) for lang in ("en", "ar")}
                     for name, spec in subkinds.items()},
        "translit": {str(k): str(v) for k, v in (data.get("transliteration") or {}).items()},
        "silent": frozenset(str(w) for w in data.get("silent") or []),
        "same": {str(k): str(v) for k, v in (data.get("same_letters") or {}).items()},
    }


def _fold(word: str, lang: str) -> str:
    return lower(str(word)) if lang == "en" else normalize_term(str(word))


_WORD = re.compile(rf"[{ARABIC_LETTER}A-Za-z'’-]+")


def _words(text: str, lang: str) -> list[str]:
    return [_fold(w, lang) for w in _WORD.findall(text)]


def name_key(name: str) -> str:
    """A name's consonant skeleton in Latin letters: "دانيال هيرست" and "Daniel Hurst" both give "dnl hrst"."""
    lex = _lex()
    out = []
    for word in str(name).split():
        word = re.sub(r"^(?:al|el)[-\s]", "", word.lower())
        if re.search(f"[{ARABIC_LETTER}]", word):
            word = normalize_term(word)
            word = word[2:] if word.startswith("ال") and len(word) > 4 else word
            word = "".join(lex["translit"].get(c, "") for c in word)
        letters = "".join(lex["same"].get(c, c) for c in word if c.isalpha() or c == "'")
        skeleton = "".join(c for c in letters if c not in lex["silent"])
        skeleton = re.sub(r"(.)\1+", r"\1", skeleton)
        if skeleton:
            out.append(skeleton)
    return " ".join(out)


# ----------------------------------------------------------------------------- figures of one article


def _lang(row: Any) -> str:
    lang = str(row.get("language") or "")
    return "en" if lang == "en" else "ar"


def _article(row: Any) -> Article:
    text = row.get("text")
    return Article.from_text(text if isinstance(text, str) else "", str(row.get("id", "")), row)


def _ar_mention(art: Article, claim: Any) -> str:
    """The Arabic mention with the qualifier word written before it ("نحو 40" for "لنحو 40")."""
    start, end = int(claim["start"]), int(claim["end"])
    q = claim["qualifier"]
    quals = (load_lexicon("numbers") or {}).get("qualifiers") or {}
    before = art.original[max(0, start - 30):start].rstrip()
    for w in sorted((quals.get(q) or {}).get("before") or [], key=len, reverse=True):
        if before.endswith(w):
            return art.original[start - (len(art.original[max(0, start - 30):start]) - len(before)) - len(w):end]
    return art.original[start:end]


def _before_words(art: Article, claim: Any, lang: str, n: int) -> list[str]:
    s0 = int(claim["sentence_start"])
    return _words(art.original[s0:int(claim["start"])], lang)[-n:]


def _subkind(art: Article, claim: Any, lang: str) -> Optional[str]:
    if claim["kind"] != "casualties":
        return None
    words = set(_words(str(claim["sentence"]), lang))
    for name, spec in _lex()["subkinds"].items():
        if words & spec[lang]:
            return name
    return None


def _figures(art: Article, claims: pd.DataFrame, lang: str) -> list[dict]:
    """One figure per distinct (kind, value, qualifier, actor, place): its first mention and count."""
    main_place = Counter(p for p in claims["place"] if isinstance(p, str)).most_common(1)
    fallback = main_place[0][0] if main_place else None
    figs: dict[tuple, dict] = {}
    for _, c in claims.iterrows():
        place = c["place"] if isinstance(c["place"], str) else fallback
        key = (c["kind"], int(c["value"]), c["qualifier"], c["actor"], place)
        change = bool(set(_before_words(art, c, lang, 2)) & _lex()["change"][lang])
        if key in figs:
            figs[key]["mentions"] += 1
            figs[key]["change"] = figs[key]["change"] or change
            continue
        mention = _ar_mention(art, c) if lang == "ar" else str(c["mention"])
        figs[key] = {"kind": c["kind"], "value": int(c["value"]), "qualifier": c["qualifier"], "actor": c["actor"],
                     "place": place, "mention": mention, "mentions": 1, "change": change,
                     "subkind": _subkind(art, c, lang)}
    return list(figs.values())


def _actors_agree(a: str, b: str) -> bool:
    return a == b or "unknown" in (a, b)


def _rounded(en: int, ar: int, ar_qualifier: str) -> bool:
    return ar_qualifier in ("approx", "vague") and ar % (10 if ar >= 20 else 5) == 0 and abs(ar - en) <= 0.15 * max(en, 1)


def _compare_figures(en: list[dict], ar: list[dict]) -> dict:
    out: dict[str, list] = {"kept": [], "changed": [], "added": [], "dropped": []}
    free_ar = list(ar)
    rest_en = []
    for f in en:
        match = next((g for g in free_ar if g["kind"] == f["kind"] and g["value"] == f["value"]
                      and _actors_agree(f["actor"], g["actor"])), None)
        if match is None:
            rest_en.append(f)
            continue
        free_ar.remove(match)
        row = {"kind": f["kind"], "value": f["value"], "qualifier": f["qualifier"] if f["qualifier"] == match["qualifier"] else None,
               "en_qualifier": f["qualifier"], "ar_qualifier": match["qualifier"],
               "change": f["change"] or match["change"], "actor": f["actor"] if f["actor"] != "unknown" else match["actor"],
               "place": f["place"] or match["place"], "en": f["mention"], "ar": match["mention"],
               "mentions_en": f["mentions"], "mentions_ar": match["mentions"], "subkind": f["subkind"] or match["subkind"]}
        out["kept"].append(row)
    for f in rest_en:
        match = next((g for g in free_ar if g["kind"] == f["kind"] and _actors_agree(f["actor"], g["actor"])
                      and g["place"] == f["place"] and (f["subkind"] is None or g["subkind"] in (None, f["subkind"]))), None)
        if match is None:
            out["dropped"].append({"kind": f["kind"], "subkind": f["subkind"], "value": f["value"],
                                   "qualifier": f["qualifier"], "actor": f["actor"], "place": f["place"],
                                   "change": f["change"], "en": f["mention"], "mentions_en": f["mentions"]})
            continue
        free_ar.remove(match)
        how = "rounded" if _rounded(f["value"], match["value"], match["qualifier"]) else (
            "raised" if match["value"] > f["value"] else "lowered")
        out["changed"].append({"kind": f["kind"], "subkind": f["subkind"] or match["subkind"],
                               "actor": f["actor"] if f["actor"] != "unknown" else match["actor"],
                               "place": f["place"], "change": f["change"] or match["change"],
                               "en_value": f["value"], "en_qualifier": f["qualifier"], "en": f["mention"],
                               "ar_value": match["value"], "ar_qualifier": match["qualifier"], "ar": match["mention"],
                               "mentions_en": f["mentions"], "mentions_ar": match["mentions"], "how": how})
    for g in free_ar:
        out["added"].append({"kind": g["kind"], "subkind": g["subkind"], "value": g["value"], "qualifier": g["qualifier"],
                             "actor": g["actor"], "place": g["place"], "change": g["change"], "ar": g["mention"],
                             "mentions_ar": g["mentions"]})
    return out


# ----------------------------------------------------------------------------- sources


def _named(art: Article, lang: str) -> list[dict]:
    if lang == "en":
        return [{"name": s.name, "role": s.role} for s in named_sources_en(art)]
    seen, out = set(), []
    for s in source_mentions(art, art.get("outlet")):
        if s.kind == "named_official" and s.name not in seen:
            seen.add(s.name)
            out.append({"name": s.name, "role": None})
    return out


def _compare_sources(en: list[dict], ar: list[dict]) -> dict:
    out: dict[str, list] = {"kept": [], "dropped": [], "added": []}
    free = list(ar)
    for s in en:
        key = name_key(s["name"])
        match = next((a for a in free if _same_name(key, name_key(a["name"]))), None)
        if match is None:
            out["dropped"].append({"en": s["name"], "role": s["role"]})
        else:
            free.remove(match)
            out["kept"].append({"en": s["name"], "ar": match["name"], "role": s["role"]})
    out["added"] = [{"ar": a["name"]} for a in free]
    return out


def _same_name(a: str, b: str) -> bool:
    """Two skeletons name the same person: the last names agree (and the first names when both give one)."""
    wa, wb = a.split(), b.split()
    if not wa or not wb or wa[-1] != wb[-1]:
        return False
    return len(wa) < 2 or len(wb) < 2 or wa[0] == wb[0]


# ----------------------------------------------------------------------------- pairs


def _date(value) -> Optional[dt.date]:
    parsed = parse_iso(value)
    return parsed[0] if parsed and parsed[1] == "day" else None


def _agencies(framing_row: Any, row: Any) -> set[str]:
    names = {n.strip().lower() for n in str(framing_row.get("sources_agency_names") or "").split(";") if n.strip()}
    outlet = row.get("outlet")
    if isinstance(outlet, str) and outlet.strip():
        names.add(outlet.strip().lower())
    return names


def find_pairs(articles: pd.DataFrame, claims: pd.DataFrame, framing: pd.DataFrame | None = None) -> list[Pair]:
    """Each Arabic article paired with the English article it renders (best match within two days), if any."""
    if "language" not in articles.columns or not len(articles):
        return []
    rows = {str(r["id"]): r for r in articles.to_dict("records")}
    frame_rows = {str(r["article"]): r for r in framing.to_dict("records")} if framing is not None and len(framing) else {}
    values = {aid: {(k, int(v)) for k, v in zip(g["kind"], g["value"]) if pd.notna(v)}
              for aid, g in claims.groupby("article")}
    en_ids = [i for i, r in rows.items() if _lang(r) == "en"]
    ar_ids = [i for i, r in rows.items() if _lang(r) == "ar"]
    arts: dict[str, Article] = {}
    names: dict[str, set] = {}

    def named(i):
        if i not in names:
            arts[i] = arts.get(i) or _article(rows[i])
            names[i] = {name_key(s["name"]) for s in _named(arts[i], _lang(rows[i]))}
        return names[i]

    out = []
    for ar in ar_ids:
        da = _date(rows[ar].get("published"))
        best = None
        for en in en_ids:
            de = _date(rows[en].get("published"))
            if da is None or de is None or abs((da - de).days) > MAX_DAYS:
                continue
            shared = len(values.get(ar, set()) & values.get(en, set()))
            if shared == 0:
                continue
            same_names = sum(1 for a in named(ar) for b in named(en) if _same_name(a, b))
            agency = _agencies(frame_rows.get(en, {}), rows[en]) & _agencies(frame_rows.get(ar, {}), rows[ar])
            if not (same_names or agency or shared >= 2):
                continue
            score = (shared + 2 * same_names + 2 * bool(agency), -abs((da - de).days))
            if best is None or score > best[0]:
                best = (score, Pair(en, ar, rows[en].get("published"), rows[ar].get("published"), (da - de).days,
                                    shared, same_names, sorted(agency)[0] if agency else None))
        if best is not None:
            out.append(best[1])
    for p in out:
        compare_pair(p, rows[p.source], rows[p.rendition], claims, frame_rows, arts)
    return out


def compare_pair(pair: Pair, en_row: Any, ar_row: Any, claims: pd.DataFrame, frame_rows: dict | None = None,
                 arts: dict | None = None) -> Pair:
    """Fill ``pair`` with its figures, sources and frame scores compared."""
    arts = arts if arts is not None else {}
    en_art = arts.get(pair.source) or _article(en_row)
    ar_art = arts.get(pair.rendition) or _article(ar_row)
    en_claims = claims[claims["article"] == pair.source]
    ar_claims = claims[claims["article"] == pair.rendition]
    pair.figures = _compare_figures(_figures(en_art, en_claims, "en"), _figures(ar_art, ar_claims, "ar"))
    pair.sources = _compare_sources(_named(en_art, "en"), _named(ar_art, "ar"))
    frame_rows = frame_rows or {}
    fe, fa = frame_rows.get(pair.source, {}), frame_rows.get(pair.rendition, {})
    pair.frames = {k[len("frame_"):]: (fe.get(k), fa.get(k)) for k in fe
                   if k.startswith("frame_") and not k.endswith("_count")}
    return pair


def pairs_table(tables: Any) -> pd.DataFrame:
    """One row per figure, source and frame of every pair in a corpus (``tables``: the pipeline's Tables)."""
    rows = []
    for p in find_pairs(tables.articles, tables.claims, tables.framing):
        for status, items in p.figures.items():
            for f in items:
                rows.append({"section": "figure", "status": status, "en_value": f.get("en_value", f.get("value") if "en" in f else None),
                             "ar_value": f.get("ar_value", f.get("value") if "ar" in f else None),
                             "en_qualifier": f.get("en_qualifier", f.get("qualifier") if "en" in f else None),
                             "ar_qualifier": f.get("ar_qualifier", f.get("qualifier") if "ar" in f else None),
                             **{k: f.get(k) for k in ("kind", "subkind", "actor", "place", "change", "en", "ar",
                                                      "mentions_en", "mentions_ar", "how")},
                             "source": p.source, "rendition": p.rendition})
        for status, items in p.sources.items():
            for s in items:
                rows.append({"source": p.source, "rendition": p.rendition, "section": "source", "status": status,
                             "en": s.get("en"), "ar": s.get("ar"), "role": s.get("role")})
        for frame, (e, a) in p.frames.items():
            rows.append({"source": p.source, "rendition": p.rendition, "section": "frame", "status": "score",
                         "frame": frame, "en_score": e, "ar_score": a})
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)
