"""Number mentions in Arabic news text: digits, number words, vague quantities, ranges.

``find_numbers(text)`` returns every number expression with its value, its bounds,
how it is hedged (the qualifier) and its span in the ORIGINAL text.  It reads

* digits of every script with separators: 2500, ٢٥٠٠, ۲۵۰۰, 2,500, 2.500, 2٬500, 1.5;
* scale words after digits or words: 50 ألف، 1.5 مليون، ثلاثة آلاف، مئة ألف؛
* cardinal words with their dual, construct and mixed forms: ثلاثة، ثلاثة عشر،
  مئة وعشرون، ألفين، ألفا جندي، خمسمائة، أربعة آلاف و464؛
* vague quantities with conventional bounds: عشرات (20-99)، مئات (200-999)،
  آلاف (2000-9999)، عشرات الآلاف (20000-99999)، بضعة آلاف؛
* ranges: بين X و Y، من X إلى Y، X أو Y، X إلى Y، X-Y؛
* ordinals (``ordinal=True``): الثاني والعشرين، الحادي عشر؛
* qualifiers: approx (نحو، حوالي)، at_least (أكثر من، على الأقل)، at_most (أقل من،
  لا يتجاوز)، written before or after the number;
* clitics glued to the number (لـ150، ال3870، و464) and tatweel/diacritics.

All vocabulary is in ``data/lexicons/numbers.yml``.  The search runs on the
normalized text (``troopwatch.text.normalize``) and maps spans back.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Optional

from .lexicons import LexiconError, lexicon_path, load_lexicon, per_lexicons
from .words import clitics, proclitic_regex
from .text import ARABIC_LETTER, NormalizedText, normalize, normalize_term

__all__ = ["NumberMention", "find_numbers", "find_numbers_normalized", "QUALIFIERS"]

QUALIFIERS = ("exact", "approx", "at_least", "at_most", "range", "vague")

# Numbers beyond this are not counts of anything this package reads (and would
# make float arithmetic meaningless); longer digit runs are skipped.
_MAX_DIGITS = 15


def _is_digit(s: str) -> bool:
    """An ASCII digit (the matching form has folded Arabic-Indic digits); str.isdigit would also take ¹ ² ³."""
    return "0" <= s[:1] <= "9"


@dataclass
class NumberMention:
    """One number expression.

    ``start``/``end`` are offsets in the original text, ``text`` is the original
    text of the expression (clitics glued to its first word excluded);
    ``norm_start``/``norm_end`` are the same span in the normalized text.
    ``value`` is the stated number (the lower bound for ranges and vague
    quantities); ``low``/``high`` are the bounds the wording allows (None when open).
    """

    value: float
    low: Optional[float]
    high: Optional[float]
    qualifier: str
    start: int
    end: int
    text: str
    norm_start: int = 0
    norm_end: int = 0
    ordinal: bool = False
    unit: Optional[str] = None  # "percent" when a percent sign or word follows
    words: bool = False  # written (at least partly) in words
    parts: tuple = field(default=(), repr=False)  # (start, end) of each number in a range


# ---------------------------------------------------------------------------
# Vocabulary


@dataclass(frozen=True)
class _Vocab:
    words: dict  # normalized word -> (cls, value)
    prefixes: tuple
    qual_before: list  # (qualifier, compiled regex ending at the number)
    qual_after: list
    qual_after_any: Optional[re.Pattern]  # the qual_after patterns in one, a named group each (tried in order)
    # the last words of the qual_before phrases and of the fillers: a text can end with a match of
    # one of those patterns only when it ends (but for spaces) with one of these words
    qual_before_ends: tuple
    filler_ends: tuple
    range_open: re.Pattern
    fillers: re.Pattern  # adverbs that may sit between a qualifier and its number
    range_from: re.Pattern
    range_to: frozenset
    range_or: frozenset
    change_verbs: frozenset
    not_with_article: frozenset
    percent_after: re.Pattern
    percent_words: re.Pattern
    candidate: re.Pattern
    vague_bounds: dict  # normalized vague word -> (low, high)
    single_before: frozenset = frozenset()  # words before which an accusative scale alone is one (قارب ألفا في)
    year_lead: frozenset = frozenset()  # words after which a four-digit number is a year (منذ 2003)


def _forms(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _need(lex: dict, key: str):
    if key not in lex:
        raise LexiconError(f"{lexicon_path('numbers')}: missing section '{key}'; see the documented layout in that file")
    return lex[key]


@per_lexicons
def _vocab() -> _Vocab:
    lex = load_lexicon("numbers")
    if not isinstance(lex, dict):
        raise LexiconError(f"{lexicon_path('numbers')}: expected a mapping of sections")
    words: dict[str, tuple[str, float]] = {}
    vague_bounds: dict[str, tuple[float, float]] = {}

    def add(forms, cls, value):
        for f in _forms(forms):
            key = normalize_term(f)
            if key:
                words.setdefault(key, (cls, float(value)))

    for value, forms in _need(lex, "units").items():
        add(forms, "unit", int(value))
    for value, forms in (lex.get("teen_only_units") or {}).items():
        add(forms, "teen_unit", int(value))
    add(_need(lex, "ten"), "ten", 10)
    for value, forms in _need(lex, "tens").items():
        add(forms, "tens", int(value))
    for value, forms in _need(lex, "hundreds").items():
        add(forms, "hundred", int(value))
    for scale in _need(lex, "scales"):
        v = float(scale["value"])
        add(scale.get("singular"), "scale", v)
        add(scale.get("plural"), "scale_pl", v)
        add(scale.get("dual"), "scale_dual", v)
        add(scale.get("accusative"), "scale_acc", v)
    for entry in _need(lex, "vague"):
        for f in _forms(entry["forms"]):
            key = normalize_term(f)
            words.setdefault(key, ("vague", float(entry["low"])))
            vague_bounds[key] = (float(entry["low"]), float(entry["high"]))
    for entry in lex.get("vague_before_scale") or []:
        for f in _forms(entry["forms"]):
            key = normalize_term(f)
            words.setdefault(key, ("vague_scale", float(entry["low"])))
            vague_bounds[key] = (float(entry["low"]), float(entry["high"]))
    for value, forms in (lex.get("fractions_before_scale") or {}).items():
        add(forms, "fraction", float(value))
    for value, forms in (lex.get("ordinals") or {}).items():
        add(forms, "ordinal", int(value))
    for value, forms in (lex.get("ordinal_teen_only") or {}).items():
        add(forms, "ordinal_teen", int(value))

    prefixes = clitics().nominal
    letter = f"[{ARABIC_LETTER}]"
    clitic = proclitic_regex()

    # the proclitics a phrase before a number may carry (proclitic_regex() written out)
    clitic_forms = [c + p for c in ("",) + tuple(clitics().conjunctions) for p in ("",) + tuple(clitics().prepositions)]

    def phrase_re(terms, *, before: bool) -> re.Pattern:
        # where these patterns match does not depend on the order of the phrases (each
        # is anchored: at the end of the text before a number, or by a following non-letter)
        phrases = {normalize_term(t) for t in terms if normalize_term(t)}
        if before:
            if not phrases:
                return re.compile(rf"(?<!{letter}){clitic}(?:)\s*$")
            # each branch starts with one character (checked to follow no letter once read),
            # so a search skips the characters no phrase starts with
            spellings = [_atoms(c + a) for c in clitic_forms for a in phrases]
            branches = [first + rf"(?<!{letter}.)" + rest for first, rest in _trie_branches(spellings)]
            return re.compile("(?:" + "|".join(branches) + r")\s*$")
        return re.compile(rf"\s*(?:{_trie_pattern([_atoms(a) for a in phrases])})(?!{letter})")

    qual_before = []
    qual_after = []
    quals = _need(lex, "qualifiers")
    # at_most before at_least: "لا يتجاوز" must win over "يتجاوز".
    for name in ("at_most", "at_least", "approx"):
        spec = quals.get(name) or {}
        if spec.get("before"):
            qual_before.append((name, phrase_re(spec["before"], before=True)))
        if spec.get("after"):
            qual_after.append((name, phrase_re(spec["after"], before=False)))

    def word_set(key):
        return frozenset(normalize_term(t) for t in _forms(lex.get(key)))

    range_open = phrase_re(_forms(lex.get("range_open")), before=True)
    fillers = phrase_re(_forms(lex.get("qualifier_fillers")) or ["\uffff"], before=True)
    range_from = phrase_re(_forms(lex.get("range_from")), before=True)
    pct = sorted({normalize_term(t) for t in _forms(lex.get("percent_after"))}, key=len, reverse=True)
    percent_after = re.compile(r"\s*(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in pct) + ")")

    # Where a number may start: a digit, or a word whose stem is a number word.  The word
    # is a whole run of letters (nothing before or after it), so the match is the same
    # whichever spelling the regex tries first; the spellings are nested as a trie.
    # Every branch starts with one character (a digit, or the first letter of a spelling,
    # checked to follow no letter right after it is read), so the regex engine skips
    # the characters no number can start with.
    spellings = [_atoms(p + w) for p in ("",) + tuple(prefixes) for w in words]
    branches = [str(d) for d in range(10)] + [
        first + rf"(?<!{letter}.)" + rest + f"(?!{letter})" for first, rest in _trie_branches(spellings)]
    candidate = re.compile("|".join(branches))
    return _Vocab(
        words=words,
        prefixes=prefixes,
        qual_before=qual_before,
        qual_after=qual_after,
        qual_after_any=re.compile("|".join(f"(?P<{name}>{rx.pattern})" for name, rx in qual_after)) if qual_after else None,
        qual_before_ends=_last_words(t for name in ("at_most", "at_least", "approx")
                                     for t in _forms((quals.get(name) or {}).get("before"))),
        filler_ends=_last_words(_forms(lex.get("qualifier_fillers")) or ["\uffff"]),
        range_open=range_open,
        fillers=fillers,
        range_from=range_from,
        range_to=word_set("range_to"),
        range_or=word_set("range_or"),
        change_verbs=word_set("change_verbs"),
        not_with_article=word_set("not_numbers_with_article"),
        percent_after=percent_after,
        percent_words=re.compile("|".join(re.escape(p).replace(r"\ ", r"\s+") for p in pct if not p.isascii() and len(p) > 1)),
        candidate=candidate,
        vague_bounds=vague_bounds,
        single_before=word_set("accusative_single_before"),
        year_lead=word_set("year_lead"),
    )



def _last_words(terms) -> tuple:
    """The last word of each phrase as phrase_re reads it (a phrase's match ends with its last word)."""
    return tuple({normalize_term(t).split(" ")[-1] for t in terms})


def _atoms(phrase: str) -> list[str]:
    """The regex atoms of a folded phrase: each character escaped, each space any run of spaces."""
    return [r"\s+" if ch == " " else re.escape(ch) for ch in phrase]


def _trie_pattern(alternatives: list) -> str:
    """A regex matching exactly the strings of ``alternatives`` (lists of atoms), nested as a trie.

    One branch per first atom instead of one per phrase: the regex engine tries a
    few atoms at each position instead of every phrase.  The order in which
    alternatives are tried differs from a flat longest-first alternation, so it is
    used only where the match does not depend on that order (anchored patterns).
    """
    branches = [first + rest for first, rest in _trie_branches(alternatives)]
    if not branches:
        return ""  # no phrases: the empty pattern, as an empty alternation was
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _trie_branches(alternatives: list) -> list[tuple[str, str]]:
    """(first atom, pattern of the rest) of each branch of the trie of ``alternatives``."""
    trie: dict = {}
    for atoms in alternatives:
        node = trie
        for a in atoms:
            node = node.setdefault(a, {})
        node[""] = {}  # a phrase ends here ("" is no atom)

    def emit(node: dict) -> str:
        kids = [a + emit(child) for a, child in sorted(node.items()) if a]
        if not kids:
            return ""
        body = kids[0] if len(kids) == 1 else "(?:" + "|".join(kids) + ")"
        if "" in node:
            return (body if len(kids) > 1 else "(?:" + body + ")") + "?"
        return body

    return [(a, emit(child)) for a, child in sorted(trie.items()) if a]


# ---------------------------------------------------------------------------
# Tokens of the normalized text

# the Arabic comma separates thousands when three digits follow it with no space (4،400);
# with a space it separates list items (2، 3)
_TOKEN = re.compile(rf"[0-9]+(?:[.,][0-9]+|،[0-9]{{3}}(?![0-9]))*|[{ARABIC_LETTER}]+|[A-Za-z]+|\S")
_SPACE = re.compile(r"[ \t]*")  # a number never spans a line break


# _SPACE then _TOKEN in one match (no token starts with a space or a tab)
_SPACED_TOKEN = re.compile(_SPACE.pattern + "(" + _TOKEN.pattern + ")")


@dataclass(slots=True)
class _Tok:
    text: str
    start: int
    end: int


def _next_token(t: str, pos: int) -> Optional[_Tok]:
    """The token at ``pos`` after spaces on the same line, or None."""
    m = _SPACED_TOKEN.match(t, pos)
    if m is None:
        return None
    return _Tok(m.group(1), m.start(1), m.end(1))


def _lookup(word: str, allow_prefixes: tuple, voc: _Vocab):
    """(cls, value, prefix_length) of a number word, trying the allowed clitics."""
    hit = voc.words.get(word)
    if hit is not None:
        return hit[0], hit[1], 0
    for p in allow_prefixes:
        if len(word) > len(p) + 1 and word.startswith(p):
            hit = voc.words.get(word[len(p):])
            if hit is not None:
                return hit[0], hit[1], len(p)
    return None


def _digits_value(s: str, next_word: Optional[str], voc: _Vocab) -> Optional[tuple[float, int]]:
    """Value and magnitude of a digit token (2,500 / 2.500 / 4،400 / 1.5)."""
    if s.isdigit() and s.isascii():  # no separator: the common case, read as below
        if len(s) > _MAX_DIGITS:
            return None
        v = float(s)
        return v, _order(v)
    s = s.replace("،", ",")
    plain = s.replace(",", "").replace(".", "")
    if len(plain) > _MAX_DIGITS:
        return None
    groups = re.split(r"[.,]", s)
    if len(groups) == 1:
        v = float(s)
    elif all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
        # 2,500 and 2.500 use thousands separators; but "1.500 مليون" is read as a
        # decimal because a scale word follows a single dot group.
        scale_next = next_word is not None and voc.words.get(next_word, ("",))[0] in ("scale", "scale_pl", "scale_acc")
        if scale_next and len(groups) == 2 and "." in s:
            v = float(s)
        else:
            v = float(plain)
    elif len(groups) == 2 and "." in s:
        v = float(s)  # decimal point: 1.5
    elif len(groups) == 2 and "," in s:
        v = float(s.replace(",", "."))  # decimal comma: 1,5
    else:
        return None
    return v, _order(v)


@dataclass
class _Expr:
    value: float
    low: float
    high: float
    vague: bool
    ordinal: bool
    start: int  # normalized span of the expression (clitic excluded)
    end: int
    words: bool
    last_scale: float  # the trailing scale word's value (for "بين ثلاثة وأربعة آلاف")
    had_scale: bool


# clitics allowed on later words of a number: والعشرين، وخمسة، الآلاف
_CONT_PREFIXES = ("وال", "و", "ال")


def _followed_by(t: str, end: int, voc, category: str) -> bool:
    """Is the token after ``end`` a number word of ``category`` ("ten" after a teen's unit, "scale" after a fraction)?"""
    nxt = _next_token(t, end)
    return nxt is not None and voc.words.get(nxt.text, ("",))[0] == category


def _parse_at(t: str, pos: int, voc: _Vocab) -> Optional[_Expr]:
    """Parse the longest number expression starting at normalized offset ``pos``."""
    first = _next_token(t, pos)
    if first is None:
        return None
    total = 0.0
    cur = 0.0
    last_scale = float("inf")  # smallest scale used so far
    last_add_cls = None
    last_add_mag = float("inf")
    vague = None  # (low, high) before scaling
    ordinal = False
    words = False
    had_scale = False
    trailing_scale = 0.0
    start = None
    end = None
    tok = first
    idx = 0
    after_ordinal_teen = False
    while tok is not None:
        joined = False
        word = tok.text
        cls = None
        value = 0.0
        plen = 0
        if idx > 0:
            # a standalone "و" joins the next token: "أربعة آلاف و 464"
            if word == "و":
                nxt = _next_token(t, tok.end)
                if nxt is None:
                    break
                tok = nxt
                word = tok.text
                joined = True
        if _is_digit(word[0]):
            nxt = _next_token(t, tok.end)
            dv = _digits_value(word, nxt.text if nxt is not None else None, voc)
            if dv is None:
                break
            cls, value = "digits", dv[0]
            mag = dv[1]
        elif word[0].isalpha():
            if idx == 0:
                hit = _lookup(word, voc.prefixes, voc)
            else:
                hit = _lookup(word, _CONT_PREFIXES, voc)
                if hit is not None and hit[2] > 0 and word.startswith("و"):
                    joined = True
            if hit is None:
                break
            cls, value, plen = hit
            mag = value
            if idx == 0 and "ال" in word[:plen] and word[plen:] in voc.not_with_article:
                if not _followed_by(t, tok.end, voc, "ten"):
                    return None
        else:
            break
        # a clitic written alone before digits (و464 is one token only when letters
        # and digits touch; they never do in _TOKEN, so handle "و" + digits here)
        if idx > 0 and not joined and cls == "digits":
            prev_char = t[tok.start - 1] if tok.start > 0 else ""
            if prev_char == "و":
                joined = True
        tstart = tok.start + plen
        # ---- grammar
        if idx == 0:
            if cls in ("teen_unit", "fraction"):
                # a teen's unit counts only before "ten"; a fraction only before a scale word in
                # the singular ("نصف مليون" = 500000)
                if not _followed_by(t, tok.end, voc, "ten" if cls == "teen_unit" else "scale"):
                    return None
                cur = value
                last_add_cls = "unit"
                last_add_mag = value
            elif cls == "ordinal_teen":
                if not _followed_by(t, tok.end, voc, "ten"):
                    return None
                cur = value
                ordinal = True
                after_ordinal_teen = True
            elif cls == "ordinal":
                cur = value
                ordinal = True
            elif cls == "vague":
                vague = voc.vague_bounds[_strip(word, plen)]
            elif cls == "vague_scale":
                nxt = _next_token(t, tok.end)
                nhit = _lookup(nxt.text, ("ال",), voc) if nxt is not None else None
                if nhit is None or nhit[0] not in ("scale_pl", "vague"):
                    return None
                vague = voc.vague_bounds[_strip(word, plen)]
            elif cls == "scale_pl":
                # "آلاف" alone: thousands (2000-9999)
                vague = (2.0, 9.0)
                total = 0.0
                vague = (vague[0] * value, (vague[1] + 1) * value - 1)
                last_scale = value
                had_scale = True
                trailing_scale = value
            elif cls in ("scale", "scale_acc"):
                if cls == "scale_acc":
                    # "ألفا جندي": a dual in construct with its noun; "قارب ألفا في"، "ألفا من
                    # الجنود": the accusative of one thousand
                    nxt = _next_token(t, tok.end)
                    # ("ألفا وخمسمئة جندي"، "ألفا و500": one thousand and the number joined to it)
                    single = nxt is None or not nxt.text[:1].isalpha() or nxt.text in voc.single_before \
                        or nxt.text.startswith("و") and (nxt.text[1:2].isdigit() or nxt.text == "و" or _lookup(
                            nxt.text, ("و",), voc) is not None)
                    total = value if single else 2 * value
                else:
                    total = value
                last_scale = value
                had_scale = True
                trailing_scale = value
            elif cls == "scale_dual":
                total = 2 * value
                last_scale = value
                had_scale = True
                trailing_scale = value
            else:
                cur = value
                last_add_cls = cls
                last_add_mag = mag if cls == "digits" else value
            words = cls != "digits"
            start = tstart
            end = tok.end
            idx = 1
            tok = _next_token(t, tok.end)
            continue
        # idx > 0: does this token continue the expression?
        ok = False
        if ordinal:
            if cls == "ten" and not joined and (cur < 10):
                cur += 10
                ok = True
            elif cls == "tens" and joined and cur < 10:
                cur += value
                ok = True
            elif cls == "hundred" and joined and cur < 100:
                cur += value
                ok = True
        elif vague is not None:
            if cls == "vague" and not joined and not had_scale and vague[1] < 10:
                # "بضع مئات"، "عدة عشرات": a few of the tens or hundreds the next word counts
                unit = _order(voc.vague_bounds[_strip(word, plen)][0])
                lo, hi = vague
                vague = (lo * unit, (hi + 1) * unit - 1)
                trailing_scale = unit
                ok = True
            elif cls in ("scale_pl", "scale") and not joined and not had_scale:
                lo, hi = vague
                vague = (lo * value, (hi + 1) * value - 1)
                had_scale = True
                trailing_scale = value
                ok = True
            elif cls == "scale_pl" and not joined and had_scale and value > trailing_scale:
                lo, hi = vague
                vague = (lo * value, (hi + 1) * value - 1)
                trailing_scale = value
                ok = True
        elif cls in ("scale", "scale_pl", "scale_acc"):
            if not joined and cur > 0 and value < last_scale:
                total += cur * value
                cur = 0.0
                last_scale = value
                had_scale = True
                trailing_scale = value
                last_add_cls = None
                last_add_mag = float("inf")
                ok = True
            elif joined and cur == 0 and total > 0 and value < last_scale and cls == "scale":
                total += value
                last_scale = value
                trailing_scale = value
                ok = True
        elif cls == "fraction":
            # "3 آلاف ونصف"، "مليون ونصف المليون": a fraction of the scale just read
            if joined and cur == 0 and total > 0 and had_scale and last_add_cls is None:
                total += value * last_scale
                last_add_cls = "fraction"
                ok = True
                nxt = _next_token(t, tok.end)
                nhit = _lookup(nxt.text, ("ال",), voc) if nxt is not None else None
                if nhit is not None and nhit[0] == "scale" and nhit[1] == last_scale:
                    end = nxt.end  # "ونصف المليون": the scale named again
                    tok = _next_token(t, nxt.end)
                    continue
        elif cls == "scale_dual":
            if joined and cur == 0 and total > 0 and value < last_scale:
                total += 2 * value
                last_scale = value
                ok = True
        elif cls == "ten" and not joined:
            if last_add_cls in ("unit", "teen_unit") and cur < 10:
                cur += 10
                last_add_cls = "teen"
                last_add_mag = 10
                ok = True
        elif cls == "hundred" and not joined and value == 100:
            if last_add_cls == "unit" and cur < 10:
                cur *= 100
                last_add_cls = "hundred"
                last_add_mag = 100
                ok = True
        elif joined and cls in ("unit", "tens", "hundred", "digits", "ten"):
            this_mag = mag if cls == "digits" else value
            if cur == 0 and total > 0:
                ok = this_mag < last_scale
                # "بين 20 ألف و40 ألف": an addend with a scale word of its own starts the next number
                nxt = _next_token(t, tok.end)
                if ok and nxt is not None:
                    nhit = _lookup(nxt.text, ("ال",), voc)
                    if nhit is not None and nhit[0] in ("scale", "scale_pl", "scale_acc") and nhit[1] >= last_scale:
                        ok = False
            elif cur > 0 and (cls == "digits" or last_add_cls == "digits"):
                ok = False  # "2500 و300" are two numbers
            elif cur > 0:
                ok = this_mag < _order(last_add_mag) or (last_add_cls == "unit" and cls == "tens")
            if ok:
                cur += value
                last_add_cls = cls
                last_add_mag = this_mag
                if cls != "digits":
                    words = True
        if not ok:
            break
        if cls != "digits":
            words = True
        end = tok.end
        tok = _next_token(t, tok.end)
    if start is None:
        return None
    if vague is not None:
        lo, hi = vague
        return _Expr(lo, lo, hi, True, False, start, end, True, trailing_scale, had_scale)
    value = total + cur
    if value == 0 and not ordinal and not (_is_digit(t[start])):
        return None
    return _Expr(value, value, value, False, ordinal, start, end, words, trailing_scale, had_scale)


def _order(x: float) -> float:
    """The decimal order of a number: 464 -> 100, 20 -> 10, 5 -> 1."""
    o = 1.0
    while o * 10 <= x:
        o *= 10
    return o


def _strip(word: str, plen: int) -> str:
    return word[plen:]


# ---------------------------------------------------------------------------


def find_numbers(text: str) -> list[NumberMention]:
    """Every number expression in ``text``, in order, with original-text spans."""
    if not isinstance(text, str):
        raise TypeError(f"find_numbers() takes a str, not {type(text).__name__}")
    if not text:
        return []
    return find_numbers_normalized(normalize(text))


def find_numbers_normalized(nt: NormalizedText) -> list[NumberMention]:
    """Like :func:`find_numbers` for an already normalized text."""
    voc = _vocab()
    t = nt.text
    exprs: list[_Expr] = []
    pos = 0
    n = len(t)
    letter_re = _LETTER
    # (every date-like match holds a hyphen or a slash: a text with neither is not searched)
    dates = [(d.start(), d.end()) for d in _DATE_LIKE.finditer(t)] \
        if ("-" in t or "/" in t) and _DIGIT.search(t) else []
    date_starts = [a for a, _b in dates]  # sorted and disjoint: the one that may hold s is found by bisection
    while pos < n:
        m = voc.candidate.search(t, pos)
        if m is None:
            break
        s = m.start()
        if dates and _is_digit(t[s]):
            k = bisect.bisect_right(date_starts, s) - 1
            inside = dates[k][1] if k >= 0 and s < dates[k][1] else None
            if inside is not None:
                pos = inside  # 2022-05-14, 05-14: a date, never a number of anything
                continue
        if _is_digit(t[s]):
            # not inside a longer token: A10, F-16 are names, not numbers
            if s > 0 and (_is_digit(t[s - 1]) or t[s - 1] in ".,"):
                # part of a number already consumed or a decimal tail
                pos = s + 1
                while pos < n and (_is_digit(t[pos]) or t[pos] in ".,"):
                    pos += 1
                continue
            if s > 0 and (t[s - 1].isascii() and t[s - 1].isalpha()):
                pos = _skip_token(t, s)
                continue
            if s > 1 and t[s - 1] == "-" and t[s - 2].isascii() and t[s - 2].isalpha():
                pos = _skip_token(t, s)
                continue
            if s > 0 and letter_re.match(t, s - 1):
                # letters glued to digits are a clitic (لـ150) or part of a name
                j = s
                while j > 0 and letter_re.match(t, j - 1):
                    j -= 1
                if t[j:s] not in voc.prefixes:
                    pos = _skip_token(t, s)
                    continue
        else:
            pw = voc.percent_words.match(t, s)
            if pw is None:
                m_in = _IN_BEFORE.search(t, max(0, s - 8), s)
                if m_in is not None:  # "في المائة", also across a line break ("في\nالمائة")
                    pw = voc.percent_words.match(t, m_in.start())
            if pw is not None:
                # "بالمئة" is a unit, not the number 100
                pos = pw.end()
                continue
        e = _parse_at(t, s, voc)
        if e is None:
            pos = m.end() if m.end() > s else s + 1
            continue
        exprs.append(e)
        pos = max(e.end, s + 1)
    mentions = _combine(t, exprs, voc)
    out = []
    for mn in mentions:
        a, b = nt.to_original(mn.norm_start, mn.norm_end)
        mn.start, mn.end = a, b
        mn.text = nt.original[a:b]
        if mn.parts:
            mn.parts = tuple(nt.to_original(x, y) for x, y in mn.parts)
        out.append(mn)
    return out


_LETTER = re.compile(f"[{ARABIC_LETTER}]")
_IN_BEFORE = re.compile(r"(?<![^\s])في\s+$")
_DIGIT = re.compile("[0-9]")
# Digits joined by hyphens or slashes the way dates are written: 2022-05-14, 14/05/2022,
# 2022-05, and day-month pairs with a leading zero (05-14, 14-05).
# The first digit is read before the others so that the regex engine skips every
# character that is no digit: (?<![0-9]) before it is (?<![0-9][0-9]) after it.
_DATE_LIKE = re.compile(
    r"[0-9](?<![0-9][0-9])(?:[0-9]{3}[-/][0-9]{1,2}[-/][0-9]{1,2}|[0-9]?[-/][0-9]{1,2}[-/][0-9]{2,4}"
    r"|[0-9]{3}-[0-9]{2}|(?<=0)[1-9]-[0-9]{2}|[0-9]-0[1-9])(?![0-9])"
)


def _skip_token(t: str, s: int) -> int:
    p = s
    while p < len(t) and (_is_digit(t[p]) or t[p] in ".,"):
        p += 1
    return max(p, s + 1)


def _combine(t: str, exprs: list[_Expr], voc: _Vocab) -> list[NumberMention]:
    """Join ranges, attach qualifiers and units, and build the mentions."""
    out: list[NumberMention] = []
    i = 0
    while i < len(exprs):
        x = exprs[i]
        y = exprs[i + 1] if i + 1 < len(exprs) else None
        rng = None
        if y is not None and not x.ordinal and not y.ordinal and not x.vague and not y.vague:
            gap = t[x.end:y.start]
            gap_s = gap.strip()
            before = t[max(0, x.start - 30):x.start]
            if "\n" not in gap and len(gap) <= 12:
                xv = x.value
                if not x.had_scale and y.had_scale and xv * y.last_scale < y.value and xv < 1000:
                    xv_scaled = xv * y.last_scale
                else:
                    xv_scaled = xv
                if gap_s in ("و", "") and gap.endswith(("و", "و ")) or gap_s == "و":
                    if voc.range_open.search(before):
                        rng = xv_scaled
                elif gap_s in voc.range_to:
                    if voc.range_from.search(before):
                        if not _change_before(t, x.start, voc):
                            rng = xv_scaled
                    elif not _change_before(t, x.start, voc):
                        rng = xv_scaled
                elif gap_s in voc.range_or:
                    rng = xv_scaled
                elif gap_s == "-" and _is_digit(t[x.start]) and _is_digit(t[y.start]):
                    rng = xv_scaled
                if rng is not None and not (rng < y.value):
                    rng = None
                if (rng is not None and _looks_like_year(t, x) != _looks_like_year(t, y)
                        and not voc.range_open.search(before) and not voc.range_from.search(before)
                        and (_year_led(before, voc) or 3 * rng < y.value)):
                    # "منذ 2003 إلى 4471 جنديا": a year and a count, no range ("نشر 1500 إلى 2000
                    # جندي" is one: ends of one size, no word of time before)
                    rng = None
        if rng is not None:
            mn = NumberMention(
                value=rng, low=rng, high=y.value, qualifier="range", start=0, end=0, text="",
                norm_start=x.start, norm_end=y.end, words=x.words or y.words,
                parts=((x.start, x.end), (y.start, y.end)),
            )
            # the whole construction (بين X و Y) is the mention's context, the span is X..Y
            _attach_after(t, mn, voc)
            out.append(mn)
            i += 2
            continue
        if x.vague:
            mn = NumberMention(
                value=x.low, low=x.low, high=x.high, qualifier="vague", start=0, end=0, text="",
                norm_start=x.start, norm_end=x.end, words=True,
            )
        else:
            mn = NumberMention(
                value=x.value, low=x.value, high=x.value, qualifier="exact", start=0, end=0, text="",
                norm_start=x.start, norm_end=x.end, ordinal=x.ordinal, words=x.words,
            )
            if not x.ordinal:
                _attach_qualifier(t, mn, voc)
        _attach_after(t, mn, voc)
        out.append(mn)
        i += 1
    return out


def _looks_like_year(t: str, x: _Expr) -> bool:
    return not x.words and x.end - x.start == 4 and 1900 <= x.value <= 2100


def _year_led(before: str, voc: _Vocab) -> bool:
    """Does the text before a number end with a word after which a four-digit number is a year?"""
    m = re.search(f"([{ARABIC_LETTER}]+)\\W*$", before)
    if m is None:
        return False
    w = m.group(1)
    return any(w.startswith(p) and w[len(p):] in voc.year_lead for p in ("", "و", "ف", "ب", "ل", "ال", "وال", "بال"))


def _change_before(t: str, start: int, voc: _Vocab) -> bool:
    """A verb of change shortly before: "خفض عدد القوات من 5200 إلى 3000"."""
    window = t[max(0, start - 80):start]
    for w in re.findall(f"[{ARABIC_LETTER}]+", window)[-8:]:  # "زيادة عدد أفراد بعثته في العراق من 500"
        # (with the future particle too: "سيرتفع عدد أفراد البعثة من 500 إلى 4000")
        for p in ("", "و", "ف", "ب", "ل", "ال", "وال", "بال", "س", "وس", "فس"):
            if w.startswith(p) and w[len(p):] in voc.change_verbs:
                return True
    return False


def _attach_qualifier(t: str, mn: NumberMention, voc: _Vocab) -> None:
    # a number set off by brackets or slashes keeps its qualifier: "نحو (450) جنديا"
    before = t[max(0, mn.norm_start - 40):mn.norm_start].rstrip(" (/")
    # "تجاوز الآن 2000": an adverb of time between the qualifier and the number
    m = voc.fillers.search(before) if before.rstrip().endswith(voc.filler_ends) else None
    if m is not None:
        before = before[:m.start()]
    if not before.rstrip().endswith(voc.qual_before_ends):
        return  # no qualifier phrase can end the text (the searches below would find none)
    for name, rx in voc.qual_before:
        if rx.search(before):
            _set_qualifier(mn, name)
            return


def _set_qualifier(mn: NumberMention, name: str) -> None:
    mn.qualifier = name
    if name == "at_least":
        mn.low, mn.high = mn.value, None
    elif name == "at_most":
        mn.low, mn.high = None, mn.value
    else:
        mn.low = mn.high = mn.value


_WORD = re.compile(rf"\s*([{ARABIC_LETTER}]+)")


_COMPARATIVES = frozenset({"اكثر", "اقل", "واكثر", "واقل", "فاكثر", "فاقل"})  # (normalized)


def _attach_after(t: str, mn: NumberMention, voc: _Vocab) -> None:
    """Percent units and qualifiers written after the number (3 جنود على الأقل)."""
    end = mn.norm_end
    if voc.percent_after.match(t, end):
        mn.unit = "percent"
        return
    if mn.qualifier not in ("exact",):
        return
    pos = end
    qualifier = voc.qual_after_any
    for _ in range(4):
        if qualifier is not None:
            q = qualifier.match(t, pos)  # the first of qual_after that matches, as a loop over them would find
            if q is not None:
                if q.group(0).split()[-1] in _COMPARATIVES and t[q.end():q.end() + 4].lstrip().startswith("من "):
                    return  # "1218 قتيلا وأكثر من 7 آلاف جريح": the comparative of the next number
                _set_qualifier(mn, q.lastgroup)
                return
        m = _WORD.match(t, pos)
        if m is None:
            return
        w = m.group(1)
        if w in voc.words or w in voc.range_or:
            return
        pos = m.end()
