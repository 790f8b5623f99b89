"""Arabic text normalization that never loses its way back to the original.

Every extractor in troopwatch searches a *matching form* of the text (alef and
hamza variants folded, diacritics and tatweel dropped, Eastern digits made
ASCII, bidi controls removed) but reports spans in the *original* text, so a
reader can always find the exact words behind a number.  `normalize` therefore
returns the normalized string together with an offset map: one original index
per normalized character.

The folding is character by character (a character becomes zero, one or a few
characters), which is what makes the map exact.
"""
from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

__all__ = [
    "NormalizedText",
    "normalize",
    "normalize_term",
    "sentence_spans",
    "is_hard_wrapped",
    "paragraph_spans",
    "fold_char",
    "ARABIC_LETTER",
    "ARABIC_LETTERS",
]

# A regex class of Arabic letters (after folding), for word boundaries in patterns.
ARABIC_LETTER = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3"
# The same letters as a set, to test a character or a word without a regex.
ARABIC_LETTERS = frozenset(chr(c) for a, b in re.findall(r"(.)-(.)", ARABIC_LETTER) for c in range(ord(a), ord(b) + 1))

TATWEEL = "\u0640"
# Bidi and zero-width controls: they change display, never meaning.
_INVISIBLE = set(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\u061c\ufeff\u00ad"
)

_SINGLE = {
    # alef variants -> bare alef
    "\u0622": "\u0627",  # آ
    "\u0623": "\u0627",  # أ
    "\u0625": "\u0627",  # إ
    "\u0671": "\u0627",  # ٱ alef wasla
    "\u0672": "\u0627",
    "\u0673": "\u0627",
    # hamza seats -> bare hamza, so مسؤول and مسئول match
    "\u0624": "\u0621",  # ؤ
    "\u0626": "\u0621",  # ئ
    # alef maqsura and Persian/Urdu yeh -> yeh
    "\u0649": "\u064a",  # ى
    "\u06cc": "\u064a",  # ی
    "\u06d2": "\u064a",  # ے
    "\u06d0": "\u064a",
    # Persian/Urdu kaf and heh -> Arabic kaf and heh
    "\u06a9": "\u0643",  # ک
    "\u06aa": "\u0643",
    "\u06be": "\u0647",  # ھ
    "\u06c1": "\u0647",  # ہ
    "\u06c0": "\u0647",  # ۀ
    "\u06d5": "\u0647",  # ە
    # Arabic thousands and decimal separators -> ASCII, so 2٬500 reads like 2,500
    "\u066c": ",",
    "\u066b": ".",
    # typographic quotes and dashes -> plain forms, so patterns stay simple
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\u2013": "-",
    "\u2014": "-",
    "\u2012": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
}
for _i in range(10):
    _SINGLE[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic digits
    _SINGLE[chr(0x06F0 + _i)] = str(_i)  # Persian (Extended Arabic-Indic) digits


def _is_presentation_form(ch: str) -> bool:
    cp = ord(ch)
    return 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF


def _is_dropped_mark(ch: str) -> bool:
    """Diacritics (harakat, Quranic marks), tatweel, bidi and zero-width controls."""
    if ch == TATWEEL or ch in _INVISIBLE:
        return True
    cp = ord(ch)
    if 0x064B <= cp <= 0x065F or cp == 0x0670 or 0x06D6 <= cp <= 0x06ED or 0x0610 <= cp <= 0x061A:
        return True
    if 0x0300 <= cp <= 0x036F or 0x1AB0 <= cp <= 0x1AFF or 0x1DC0 <= cp <= 0x1DFF or 0x20D0 <= cp <= 0x20FF or 0xFE20 <= cp <= 0xFE2F:
        return True
    return False


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """The matching form of one character: '' when dropped, else one or more characters."""
    if ch in _SINGLE:
        return _SINGLE[ch]
    if _is_dropped_mark(ch):
        return ""
    if _is_presentation_form(ch):
        # Old text and PDFs use presentation forms (ﻻ, ﷲ); NFKC gives the letters back.
        expanded = unicodedata.normalize("NFKC", ch)
        if expanded != ch:
            return "".join(fold_char(c) for c in expanded)
    return ch


# Fast path: one translate table for the 1:1 and 1:0 cases in the BMP Arabic block and
# the controls; characters needing NFKC go through fold_char.
_TRANSLATE = {ord(k): v for k, v in _SINGLE.items()}
for _cp in list(range(0x0610, 0x061B)) + list(range(0x064B, 0x0660)) + [0x0670] + list(range(0x06D6, 0x06EE)):
    _TRANSLATE[_cp] = None
_TRANSLATE[ord(TATWEEL)] = None
# Combining marks of other scripts (U+0300 grave, U+20D0 ...): a mark pasted inside
# a number ("250\u03000") must not split it in two.
for _lo, _hi in ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F)):
    for _cp in range(_lo, _hi + 1):
        _TRANSLATE[_cp] = None
for _ch in _INVISIBLE:
    _TRANSLATE[ord(_ch)] = None
# A dot written inside a word next to a tatweel ("لمقـ.تل", "إصـ.ـابة") hides the word from
# keyword filters; it is no sentence end and the word is read without it.  A dot between
# two letters with no tatweel ("تقريبا.وقال") is a missing space after a full stop.
_OBFUSCATING_DOT = r"(?:(?<=\u0640)\.(?=\u0640*[\u0621-\u064a])|(?<=[\u0621-\u064a])\.(?=\u0640+[\u0621-\u064a]))"
_HAS_OBFUSCATING_DOT = re.compile(_OBFUSCATING_DOT)
# For readers that fold written tokens themselves (distinctive terms count words as written and
# normalize each distinct form once): the characters normalize drops (runs of them), and the
# presentation forms it does not fold one character for one.
DROPPED_CHARACTERS = re.compile("[" + "".join(re.escape(chr(c)) for c, v in sorted(_TRANSLATE.items()) if v is None) + "]+")
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
HAS_OBFUSCATING_DOT = _HAS_OBFUSCATING_DOT
assert all(v is None or len(v) == 1 for v in _TRANSLATE.values())  # the rest map one character to one
_FOLDED = {chr(c): v or "" for c, v in _TRANSLATE.items()}

# every character normalize may change: those of the table and the presentation forms
_SPECIAL = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TRANSLATE)) + "\ufb50-\ufdff\ufe70-\ufeff]")
_SPECIAL_OR_DOT = re.compile(_SPECIAL.pattern + "|" + _OBFUSCATING_DOT)


@dataclass(frozen=True)
class NormalizedText:
    """The matching form of a text and the way back to the original.

    ``offsets[i]`` is the index in ``original`` of the character that produced
    ``text[i]``; ``offsets`` has one extra entry, ``len(original)``, so that
    half-open spans can be mapped at the end of the text.  It is a ``range``
    when no character was dropped or expanded, else an ``array`` of 8-byte
    integers: a tuple of Python ints costs about 36 bytes a character, which
    made the map most of the memory of a long article.
    """

    original: str
    text: str
    offsets: Sequence[int]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span [start, end) of ``text`` to a span of ``original``.

        The original span covers every character that produced the normalized
        span, plus diacritics and tatweel written on its last letter.
        """
        n = len(self.text)
        if not (0 <= start <= end <= n):
            raise ValueError(f"span ({start}, {end}) is outside a text of {n} characters")
        if start == end:
            pos = self.offsets[start]
            return pos, pos
        ostart = self.offsets[start]
        oend = self.offsets[end - 1] + 1
        # characters expanded from one original character share its index
        original = self.original
        limit = self.offsets[end] if end < n else len(original)
        while oend < limit and _is_dropped_mark(original[oend]) and original[oend] not in _INVISIBLE:
            oend += 1
        return ostart, oend

    def original_slice(self, start: int, end: int) -> str:
        a, b = self.to_original(start, end)
        return self.original[a:b]


def _fold_simple(original: str, changed: Iterable[str]) -> str:
    """``original`` with the characters ``changed`` (of the table) folded one for one or dropped.

    Each distinct character is replaced in one ``str.replace`` (a scan in C); no folded
    character is itself in the table, so the replacements never meet each other.
    """
    for ch in changed:
        original = original.replace(ch, _FOLDED[ch])
    return original


def _kept_positions(original: str) -> array:
    """The offset map of a text whose only changes drop characters: every kept index, then ``len(original)``."""
    import numpy as np

    codes = np.frombuffer(original.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _dropped_table()
    dropped = table[np.minimum(codes, len(table) - 1)]
    kept = array("q")
    kept.frombytes(np.flatnonzero(~dropped).astype("<i8", copy=False).tobytes())
    kept.append(len(original))
    return kept


@lru_cache(maxsize=1)
def _dropped_table():
    """Whether normalize drops each code point (a numpy array indexed by it)."""
    import numpy as np

    # indexed by code point; the last entry stands for every code point above it (none is dropped)
    table = np.zeros(max(c for c, v in _TRANSLATE.items() if v is None) + 2, dtype=bool)
    for c, v in _TRANSLATE.items():
        if v is None:
            table[c] = True
    return table


def normalize(original: str) -> NormalizedText:
    """Return the matching form of ``original`` with its offset map."""
    if not isinstance(original, str):
        raise TypeError(f"normalize() takes a str, not {type(original).__name__}")
    # an obfuscating dot has a tatweel just before or just after it: without one there is none to look for
    dots = ((TATWEEL + "." in original or "." + TATWEEL in original)
            and _HAS_OBFUSCATING_DOT.search(original) is not None)
    # the distinct characters normalize may change (one scan)
    special = dict.fromkeys(_SPECIAL.findall(original))
    slow = dots or any(_is_presentation_form(ch) for ch in special)
    if not slow:
        # every change is one character for one, or a character dropped: the offset map
        # skips only the dropped characters
        folded = _fold_simple(original, special)
        if len(folded) == len(original):
            return NormalizedText(original, folded, range(len(original) + 1))
        return NormalizedText(original, folded, _kept_positions(original))
    out: list[str] = []
    offsets = array("q")
    pos = 0
    # runs of characters left as they are are copied whole; only the others are folded one by one
    for m in (_SPECIAL_OR_DOT if dots else _SPECIAL).finditer(original):
        i = m.start()
        if i > pos:
            out.append(original[pos:i])
            offsets.extend(range(pos, i))
        ch = original[i]
        if ch == ".":
            folded = ""  # a dot inside a word (only _OBFUSCATING_DOT matches one here)
        elif _is_presentation_form(ch):
            folded = fold_char(ch)
        else:
            folded = ch.translate(_TRANSLATE)
        if folded:
            out.append(folded)
            offsets.extend([i] * len(folded))
        pos = i + 1
    if pos < len(original):
        out.append(original[pos:])
        offsets.extend(range(pos, len(original)))
    offsets.append(len(original))
    return NormalizedText(original, "".join(out), offsets)


_SPACES = re.compile(r"\s+")


def normalize_term(term: str) -> str:
    """The matching form of a lexicon term (no offsets needed), with spaces collapsed."""
    return _SPACES.sub(" ", normalize(term).text).strip()


# Sentence ends: . ! ? ؟ ; ؛ and the ellipsis, but not a dot between digits (2.500, 1.5),
# inside a URL or domain (amwaj.media), nor inside a word beside a tatweel (لمقـ.تل).
# (written as one character of the class, then the test of it: the regex engine skips to such characters)
_SENTENCE_END = re.compile(r"[!?\u061f\u061b;\u2026.](?<=[!?\u061f\u061b;\u2026]|\.(?![0-9A-Za-z/]))"
                           r"(?<!" + _OBFUSCATING_DOT + r")"
                           r"(?:[!?\u061f\u061b;\u2026]|\.(?![0-9A-Za-z/]))*")


# A line that closes a sentence: its last mark (before closing quotes or brackets) ends one.
_CLOSED_LINE = re.compile(r"[.!?\u061f\u2026][\"'\u00bb\u201d\u2019)\]]*$")
_CLOSERS = "\"'\u00bb\u201d\u2019)]"
_LINE_END_MARKS = ".!?\u061f\u2026"


def _closes_sentence(text: str, a: int, b: int) -> bool:
    """Whether the line text[a:b] (stripped, as _line_spans gives it) closes a sentence: _CLOSED_LINE matches it."""
    end = text[a:b].rstrip(_CLOSERS)[-1:]
    return end != "" and end in _LINE_END_MARKS
# Text is hard-wrapped (a page or a PDF copied with a line break every few words) when most of
# its lines close no sentence and lines are short; its paragraphs then run until a line that
# closes a sentence or a blank line, so a count and its verb on two lines are one sentence.
WRAPPED_MIN_LINES = 4
WRAPPED_OPEN_SHARE = 0.6
WRAPPED_MEDIAN_LENGTH = 100


def _line_spans(text: str) -> list[tuple[int, int]]:
    """The lines of ``text`` (runs of characters other than CR and LF) stripped of white space; blank ones left out."""
    spans = []
    a = 0
    # CR made LF keeps every position: the lines are the pieces between line feeds
    for seg in (text.replace("\r", "\n") if "\r" in text else text).split("\n"):
        b = a + len(seg)
        body = seg.strip()
        if body:
            lead = seg.find(body[0])  # the first character that is not white space
            spans.append((a + lead, a + lead + len(body)))
        a = b + 1
    return spans


def is_hard_wrapped(text: str, lines: list[tuple[int, int]] | None = None) -> bool:
    """Whether ``text`` breaks its lines inside sentences (see WRAPPED_*)."""
    lines = _line_spans(text) if lines is None else lines
    if len(lines) < WRAPPED_MIN_LINES:
        return False
    body = lines[:-1]
    open_lines = sum(1 for a, b in body if not _closes_sentence(text, a, b))
    lengths = sorted(b - a for a, b in lines)
    return open_lines >= WRAPPED_OPEN_SHARE * len(body) and lengths[len(lengths) // 2] <= WRAPPED_MEDIAN_LENGTH


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the paragraphs of ``text``: its non-blank lines (articles put one paragraph per
    line), or in hard-wrapped text the runs of lines up to one that closes a sentence."""
    lines = _line_spans(text)
    if not is_hard_wrapped(text, lines):
        return lines
    spans: list[tuple[int, int]] = []
    start = None
    for k, (a, b) in enumerate(lines):
        if start is None:
            start = a
        nxt = lines[k + 1][0] if k + 1 < len(lines) else None
        blank_after = nxt is not None and text.count("\n", b, nxt) > 1
        if nxt is None or blank_after or _closes_sentence(text, a, b):
            spans.append((start, b))
            start = None
    return spans


def sentence_spans(text: str, paragraphs: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text``, each inside one paragraph, stripped of spaces.

    ``paragraphs`` are the text's :func:`paragraph_spans` when the caller has them already.
    """
    spans: list[tuple[int, int]] = []
    add = spans.append
    ends = _SENTENCE_END.finditer
    alnum = _ALNUM.search
    for pa, pb in paragraph_spans(text) if paragraphs is None else paragraphs:
        start = pa
        for end in [m.end() for m in ends(text, pa, pb)] + [pb]:
            # _add_stripped(text, start, end, spans), written out for a sentence of at most MAX_SENTENCE
            a, b = start, end
            start = end
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b - a > MAX_SENTENCE:
                _add_stripped(text, a, b, spans)
            elif b > a and (text[a].isalnum() or alnum(text, a, b)):
                add((a, b))
    return spans


# Longest sentence read as one: text with no sentence ends (a 1 MB line, a table
# flattened to text) is cut at the last space before this length, so the cost of
# every stage that reads sentences grows linearly with the text.  Real sentences
# in news are far shorter (the longest in the gold texts is about 1,100 characters).
MAX_SENTENCE = 1500
_ALNUM = re.compile(r"[^\W_]")  # a character str.isalnum() accepts


def _add_stripped(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    while b - a > MAX_SENTENCE:
        cut = text.rfind(" ", a + MAX_SENTENCE // 2, a + MAX_SENTENCE)
        cut = cut if cut > a else a + MAX_SENTENCE
        _add_stripped(text, a, cut, spans)
        a = cut
        while a < b and text[a].isspace():
            a += 1
    if b > a and _ALNUM.search(text, a, b):
        spans.append((a, b))
