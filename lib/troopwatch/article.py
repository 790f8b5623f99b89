"""The article record: one article, read once, shared by every stage.

An :class:`Article` holds what every extractor needs and nothing re-derives:
the raw text, its matching form with the offset map back to the raw text
(:mod:`troopwatch.text`), paragraphs and sentences (in both coordinates), word
tokens, the language, and the article's row from the corpus table (outlet, url,
sidecar dates).  It is built once per article by :func:`articles_from_table`
and handed to the stages; a stage never normalizes or splits an article again.
"""
from __future__ import annotations

import bisect
from array import array
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping

from .text import ARABIC_LETTER, NormalizedText, normalize, paragraph_spans, sentence_spans
from .words import all_tokens, tokenize

__all__ = ["Article", "as_article", "articles_from_table", "detect_language", "script_of"]

_ARABIC = re.compile(f"[{ARABIC_LETTER}]")
_LATIN = re.compile("[A-Za-z]")
_ARABIC_RUN = re.compile(f"[{ARABIC_LETTER}]+")
_LATIN_RUN = re.compile("[A-Za-z]+")
_CODE_END = re.compile(r"[-_]")


def detect_language(text: str) -> str:
    """'ar' or 'en' by script: the script of most letters (a sidecar value wins over this)."""
    sample = text[:20000]
    # a text of one script (most sentences) is told without counting its letters
    if _LATIN.search(sample) is None:
        return "ar" if _ARABIC.search(sample) is not None else "und"
    if _ARABIC.search(sample) is None:
        return "en"
    arabic = sum(map(len, _ARABIC_RUN.findall(sample)))
    latin = sum(map(len, _LATIN_RUN.findall(sample)))
    return "ar" if arabic >= latin else "en"


def script_of(text: str) -> str:
    """'ar', 'en' or 'und' by the script of most letters in ``text`` (a sentence, say)."""
    return detect_language(text)


def _code(language: str) -> str:
    """'en' for 'en', 'EN', 'en-US', 'en_GB'."""
    return _CODE_END.split(language.strip().lower(), maxsplit=1)[0]


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


@dataclass(eq=False)
class Article:
    """One article and every view of it the stages share (spans are half-open)."""

    id: str
    original: str
    norm: NormalizedText
    paragraphs: list[tuple[int, int]]  # original coordinates
    original_sentences: list[tuple[int, int]]  # original coordinates
    sentences: list[tuple[int, int]]  # normalized coordinates, one per original sentence
    language: str = "ar"
    row: Mapping[str, Any] = field(default_factory=dict)
    # where the language came from: "metadata" (the corpus row) or "script" (detect_language)
    language_basis: str = "script"

    @classmethod
    def from_text(cls, text: str, id: str = "", row: Mapping[str, Any] | None = None) -> "Article":
        if text is None or (isinstance(text, float) and math.isnan(text)):
            text = ""
        if not isinstance(text, str):
            raise TypeError(f"article text must be a str, not {type(text).__name__}")
        norm = normalize(text)
        paragraphs = paragraph_spans(text)
        osents = sentence_spans(text, paragraphs)
        offsets = norm.offsets
        if isinstance(offsets, range):  # the identity map: every sentence has the same span in both
            nsents = list(osents)
        else:
            last = len(offsets) - 1
            nsents = []
            for a, b in osents:
                na = bisect.bisect_left(offsets, a, 0, last)
                nb = bisect.bisect_left(offsets, b, 0, last)
                if nb == last or nb > len(norm.text):
                    nb = len(norm.text)
                nsents.append((na, max(na, nb)))
        row = dict(row or {})
        language = _clean(row.get("language"))
        basis = "metadata"
        if not isinstance(language, str) or language.strip().lower() in ("", "unknown", "und"):
            language, basis = detect_language(text), "script"
        return cls(str(id), text, norm, paragraphs, osents, nsents, _code(language), row, basis)

    # -- views -------------------------------------------------------------------------

    def memo(self, key: Any, build: Callable[[], Any]) -> Any:
        """What ``build()`` derives from this article's text, built once per ``key`` (callers must not change it).

        Stages that read the same thing (a lexicon matcher's matches, the cue
        words of the known events) share it through this memo; ``key`` holds
        what the value depends on besides the text (the matcher, the lexicon folder).
        """
        store = self.__dict__.get("_memo")
        if store is None:
            store = self.__dict__["_memo"] = {}
        try:
            return store[key]
        except KeyError:
            value = store[key] = build()
            return value

    def matches(self, matcher: Any) -> list:
        """``matcher.find`` on the matching form and its tokens, once per article and matcher (read-only)."""
        return self.memo(("find", matcher), lambda: matcher.find(self.norm.text, self.tokens))

    @cached_property
    def sentence_languages(self) -> list[str]:
        """The script of each sentence ('ar', 'en' or 'und'): a mixed article is read sentence by sentence."""
        original = self.original
        if _LATIN.search(original) is None:
            # no Latin letter anywhere: a sentence is Arabic when it holds an Arabic letter (as script_of finds)
            arabic = _ARABIC.search
            return ["ar" if arabic(original, a, b) is not None else "und" for a, b in self.original_sentences]
        return [script_of(original[a:b]) for a, b in self.original_sentences]

    def sentences_in(self, language: str) -> list[int]:
        """Indices of the sentences written in ``language``; a sentence of no script goes with the article's language."""
        return [k for k, lang in enumerate(self.sentence_languages)
                if lang == language or (lang == "und" and self.language == language)]

    @property
    def text(self) -> str:
        """The matching form (normalized text)."""
        return self.norm.text

    @cached_property
    def tokens(self) -> list[tuple[int, int, str]]:
        """Word tokens of the normalized text as (start, end, token)."""
        return tokenize(self.norm.text)

    @property
    def words(self) -> int:
        return len(self.tokens)

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [a for a, _ in self.sentences]

    @cached_property
    def _original_sentence_starts(self) -> list[int]:
        return [a for a, _ in self.original_sentences]

    @cached_property
    def _token_starts(self) -> list[int]:
        return [t[0] for t in self.tokens]

    def get(self, key: str, default: Any = None) -> Any:
        """A field of the article's corpus row (outlet, url, published ...), None when empty."""
        value = _clean(self.row.get(key, default))
        return default if value is None else value

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        return self.norm.to_original(start, end)

    def to_norm(self, pos: int) -> int:
        """The normalized position of original position ``pos`` (the next kept character)."""
        offsets = self.norm.offsets
        return bisect.bisect_left(offsets, pos, 0, len(offsets) - 1) if pos < len(self.original) else len(self.norm.text)

    def norm_span(self, a: int, b: int) -> tuple[int, int]:
        """The normalized span covering the original span [a, b)."""
        na, nb = self.to_norm(a), self.to_norm(b)
        return na, max(na, nb)

    def sentence_index(self, pos: int) -> int | None:
        """Index of the sentence holding normalized position ``pos`` (None outside every sentence)."""
        k = bisect.bisect_right(self._sentence_starts, pos) - 1
        if k >= 0 and self.sentences[k][0] <= pos < max(self.sentences[k][1], self.sentences[k][0] + 1):
            return k
        return None

    def sentence_text(self, pos: int) -> str:
        """The original sentence holding normalized position ``pos`` (its line when none)."""
        k = self.sentence_index(pos)
        if k is not None:
            a, b = self.original_sentences[k]
            return self.original[a:b]
        a, _ = self.to_original(pos, pos)
        line_start = self.original.rfind("\n", 0, a) + 1
        line_end = self.original.find("\n", a)
        return self.original[line_start: line_end if line_end >= 0 else len(self.original)].strip()

    def original_sentence_at(self, pos: int) -> tuple[int, int] | None:
        """The original span of the sentence holding ORIGINAL position ``pos``."""
        k = bisect.bisect_right(self._original_sentence_starts, pos) - 1
        if k >= 0 and self.original_sentences[k][0] <= pos < self.original_sentences[k][1]:
            return self.original_sentences[k]
        return None

    def token_index_at(self, pos: int) -> int:
        """Index of the first token starting at or after ``pos``."""
        return bisect.bisect_left(self._token_starts, pos)

    def sentence_view(self, k: int) -> NormalizedText:
        """Sentence ``k`` as a text of its own: its original, matching form and offset map (sliced, not re-normalized)."""
        a, b = self.original_sentences[k]
        na, nb = self.sentences[k]
        offsets = self.norm.offsets
        if isinstance(offsets, range):  # nothing dropped: the view's map is the identity too
            view = range(b - a + 1)
        else:
            view = array("q", map((-a).__add__, offsets[na:nb]))
            view.append(b - a)
        return NormalizedText(self.original[a:b], self.norm.text[na:nb], view)

    def sentence_tokens(self, k: int) -> list[tuple[str, int, int]]:
        """Every token (punctuation included) of normalized sentence ``k``, offsets relative to it."""
        a, b = self.sentences[k]
        return all_tokens(self.norm.text[a:b])


def as_article(x: "Article | str", id: str = "") -> Article:
    """An :class:`Article` as it is, or one built from a text (for callers holding a string)."""
    return x if isinstance(x, Article) else Article.from_text(x, id)


def articles_from_table(articles: Iterable[Mapping[str, Any]] | Any) -> list[Article]:
    """One :class:`Article` per row of a corpus table (a DataFrame or an iterable of mappings)."""
    rows = articles.to_dict("records") if hasattr(articles, "to_dict") else list(articles)
    out = []
    for row in rows:
        text = row.get("text")
        out.append(Article.from_text(text if isinstance(text, str) else "", str(row.get("id", "")), row))
    return out


def article_list(articles: Any, needs: str = "articles") -> list[Article]:
    """The articles as :class:`Article` records: a list of them as it is, or one per row of a corpus table.

    Table functions accept either, so a caller that already built the records
    (the pipeline) never has them built again.
    """
    if isinstance(articles, list) and all(isinstance(a, Article) for a in articles):
        return articles
    if hasattr(articles, "columns"):
        missing = [c for c in ("id", "text") if c not in articles.columns]
        if missing:
            raise KeyError(f"{needs}: the articles table lacks column(s) {missing}; "
                           "build it with troopwatch.pipeline.articles_table")
        return articles_from_table(articles)
    items = list(articles)
    return [a if isinstance(a, Article) else Article.from_text(a.get("text") or "", str(a.get("id", "")), a)
            for a in items]
