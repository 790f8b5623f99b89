"""English number mentions: digits with separators, number words, vague quantities, qualifiers.

The English counterpart of :mod:`troopwatch.numbers`: it returns the same
:class:`~troopwatch.numbers.NumberMention` records (offsets into the original
text), so English claims are built exactly as Arabic ones.  The text is
lower-cased (one character for one, so offsets hold) and split into words and
punctuation by :func:`tokens`; every word the reader knows is in
``data/lexicons/en/numbers.yml``.
"""
from __future__ import annotations

import re
from itertools import accumulate
from dataclasses import dataclass
from typing import Optional

from .lexicons import LexiconError, lexicon_path, load_lexicon, per_lexicons
from .numbers import NumberMention

__all__ = ["tokens", "lower", "PhraseIndex", "find_numbers_en"]

# Words (with an inner apostrophe), abbreviations with dots (u.s., u.k.), numbers with separators, one mark.
_TOKEN = re.compile(r"(?:[a-z]\.){2,}|\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[a-z]+(?:['’][a-z]+)?|['’]s\b|\S")


def lower(text: str) -> str:
    """The text lower-cased one character for one (offsets hold)."""
    if _NOT_ONE_FOR_ONE.search(text) is None:
        # str.lower reads every other character alone, one character for one: the same text
        return text.lower()
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# The characters str.lower maps otherwise than alone to one character: İ (to two characters) and
# Σ (to ς at the end of a word, to σ alone)
_NOT_ONE_FOR_ONE = re.compile("[\u0130\u03a3]")
_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")  # _TOKEN in one group, for re.split


def tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) of a lower-cased text."""
    # the text split around its tokens (the matches of _TOKEN.finditer): token k is pieces[2k + 1],
    # from ends[2k] to ends[2k + 1]
    pieces = _TOKEN_SPLIT.split(text)
    ends = list(accumulate(map(len, pieces)))
    return list(zip(ends[0:-1:2], ends[1::2], pieces[1::2]))


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(t for _, _, t in tokens(lower(str(phrase))))


class PhraseIndex:
    """Phrases (as token tuples) with a label each; the longest phrase at a token wins."""

    def __init__(self, entries: dict | list | None = None):
        self.first: dict[str, list[tuple[tuple[str, ...], object]]] = {}
        if isinstance(entries, dict):
            for label, phrases in entries.items():
                for p in phrases or []:
                    self.add(p, label)
        elif entries:
            for p in entries:
                self.add(p, True)

    def add(self, phrase, label) -> None:
        toks = phrase_tokens(phrase)
        if not toks:
            return
        lst = self.first.setdefault(toks[0], [])
        lst.append((toks, label))
        lst.sort(key=lambda e: -len(e[0]))

    def match(self, words: list[str], i: int) -> Optional[tuple[object, int]]:
        """(label, length) of the longest phrase starting at word ``i``."""
        if i >= len(words):
            return None
        for toks, label in self.first.get(words[i], ()):
            if tuple(words[i:i + len(toks)]) == toks:
                return label, len(toks)
        return None

    def match_ending(self, words: list[str], j: int) -> Optional[tuple[object, int]]:
        """(label, length) of the longest phrase ending right before word ``j``."""
        best = None
        for length in range(1, 5):
            i = j - length
            if i < 0:
                break
            got = self.match(words, i)
            if got is not None and got[1] == length and (best is None or length > best[1]):
                best = got
        return best

    def __contains__(self, word: str) -> bool:
        return any(len(t) == 1 for t, _ in self.first.get(word, ()))


@dataclass(frozen=True)
class _Vocab:
    units: dict
    scales: dict
    one_words: frozenset
    joiners: frozenset
    vague: PhraseIndex
    qualifiers: PhraseIndex
    range_before: frozenset
    range_joiners: frozenset
    ordinal: frozenset
    percent: PhraseIndex
    currency_before: frozenset
    currency_after: frozenset


@per_lexicons
def _vocab() -> _Vocab:
    lex = load_lexicon("en/numbers")
    if not isinstance(lex, dict) or not isinstance(lex.get("units"), dict):
        raise LexiconError(f"{lexicon_path('en/numbers')}: needs 'units' (number words and their values)")
    vague = PhraseIndex()
    for phrase, bounds in (lex.get("vague") or {}).items():
        vague.add(phrase, (int(bounds[0]), int(bounds[1])))
    low = lambda key: frozenset(str(w).lower() for w in lex.get(key) or [])  # noqa: E731
    return _Vocab(
        units={str(k).lower(): int(v) for k, v in lex["units"].items()},
        scales={str(k).lower(): int(v) for k, v in (lex.get("scales") or {}).items()},
        one_words=low("one_words"), joiners=low("joiners"), vague=vague,
        qualifiers=PhraseIndex(lex.get("qualifiers") or {}),
        range_before=low("range_before"), range_joiners=low("range_joiners"), ordinal=low("ordinal_suffixes"),
        percent=PhraseIndex(lex.get("percent") or []),
        currency_before=low("currency_before"), currency_after=low("currency_after"),
    )


def _digits(tok: str) -> Optional[float]:
    if not tok[:1].isdigit():
        return None
    try:
        return float(tok.replace(",", ""))
    except ValueError:
        return None


def _parse(words: list[str], toks: list, i: int, voc: _Vocab) -> Optional[tuple[float, int, bool, bool]]:
    """(value, index after, in words, ordinal) of a number starting at word ``i``."""
    w = words[i]
    v = _digits(w)
    if v is not None:
        j = i + 1
        ordinal = False
        if j < len(words) and words[j] in voc.ordinal and toks[j][0] == toks[i][1]:
            return v, j + 1, False, True
        # "1.5 million", "10 thousand"
        if j < len(words) and words[j] in voc.scales and words[j] != "dozen":
            v *= voc.scales[words[j]]
            j += 1
        return v, j, False, ordinal
    # number words: "one hundred and fifty", "twenty-five", "two dozen", "a thousand"
    total, current, j, seen = 0.0, 0.0, i, False
    while j < len(words):
        t = words[j]
        if t in voc.units:
            current += voc.units[t]
            seen = True
            j += 1
        elif t in voc.scales and (seen or (j > i and words[j - 1] in voc.one_words)):
            scale = voc.scales[t]
            if scale < 1000:
                current = (current or 1) * scale
            else:
                total += (current or 1) * scale
                current = 0
            seen = True
            j += 1
        elif t in voc.one_words and j == i and j + 1 < len(words) and words[j + 1] in voc.scales:
            current = 0
            j += 1
        elif t == "-" and seen and j + 1 < len(words) and (words[j + 1] in voc.units or words[j + 1] in voc.scales) \
                and toks[j][0] == toks[j - 1][1]:
            j += 1
        elif t in voc.joiners and seen and j + 1 < len(words) and words[j + 1] in voc.units \
                and words[j - 1] in voc.scales:
            j += 1
        else:
            break
    if not seen:
        return None
    return total + current, j, True, False


def find_numbers_en(text: str) -> list[NumberMention]:
    """Every number expression of an English text, with its qualifier and bounds (offsets into ``text``)."""
    voc = _vocab()
    low = lower(text)
    toks = tokens(low)
    words = [t for _, _, t in toks]
    out: list[NumberMention] = []
    i = 0
    while i < len(words):
        got_vague = voc.vague.match(words, i)
        parsed = None if got_vague else _parse(words, toks, i, voc)
        if got_vague is None and parsed is None:
            i += 1
            continue
        if got_vague is not None:
            (lo, hi), n = got_vague
            value, end, qualifier, low_b, high_b, ordinal, in_words = float(lo), i + n, "vague", float(lo), float(hi), False, True
        else:
            value, end, in_words, ordinal = parsed
            qualifier, low_b, high_b = "exact", value, value
        start = i
        parts = ()
        # ranges: "between 4,000 and 5,000", "1,500-2,000"
        if not ordinal and qualifier == "exact" and end < len(words) and words[end] in voc.range_joiners:
            between = i > 0 and words[i - 1] in voc.range_before
            hyphen = words[end] == "-" and toks[end][0] == toks[end - 1][1]
            after_from = i > 0 and words[i - 1] == "from"
            if (between and words[end] != "-") or hyphen or (words[end] == "to" and not after_from and not between):
                second = _parse(words, toks, end + 1, voc) if end + 1 < len(words) else None
                if second is not None and not second[3] and second[0] > value:
                    parts = ((toks[i][0], toks[end - 1][1]), (toks[end + 1][0], toks[second[1] - 1][1]))
                    qualifier, high_b, end = "range", second[0], second[1]
        if qualifier == "exact" and not ordinal:
            q = voc.qualifiers.match_ending(words, i)
            if q is not None:
                name, n = q
                start = i - n
                qualifier = str(name)
                if qualifier == "at_least":
                    high_b = None
                elif qualifier == "at_most":
                    low_b = None
        elif qualifier == "vague":
            q = voc.qualifiers.match_ending(words, i)
            if q is not None:
                start = i - q[1]
        unit = None
        if voc.percent.match(words, end) is not None:
            unit = "percent"
        elif (i > 0 and words[i - 1] in voc.currency_before) or (end < len(words) and words[end] in voc.currency_after):
            unit = "money"
        a, b = toks[start][0], toks[end - 1][1]
        out.append(NumberMention(value=value, low=low_b, high=high_b, qualifier=qualifier, start=a, end=b,
                                 text=text[a:b], norm_start=a, norm_end=b, ordinal=ordinal, unit=unit,
                                 words=in_words, parts=parts))
        i = end
    return out


@per_lexicons
def _abbreviations() -> frozenset:
    return frozenset(str(w).lower() for w in (load_lexicon("en/text") or {}).get("abbreviations") or [])


_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.\-]*)\.\s*$")


def english_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans joined where a full stop only closes an abbreviation ("U.S. troops", "Oct. 17").

    ``spans`` are the article's sentences (original offsets, in order); a span
    ending in an abbreviation is joined with the next one when both are adjacent
    and the next one does not open a new paragraph.
    """
    abbr = _abbreviations()
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out:
            pa, pb = out[-1]
            m = _LAST_WORD.search(text, max(pa, pb - 20), pb)
            gap = text[pb:a]
            if m and "\n" not in gap and (m.group(1).lower() in abbr or len(m.group(1)) == 1):
                out[-1] = (pa, b)
                continue
        out.append((a, b))
    return out
