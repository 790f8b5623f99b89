"""English claims: the same :class:`~troopwatch.claims.Claim` records as the Arabic reader.

A number (:func:`troopwatch.numbers_en.find_numbers_en`) is a claim when the
sentence around it counts troops, attacks or casualties:

* the counted noun follows it, maybe after modifiers ("2,500 U.S. troops",
  "a dozen drone and rocket attacks", "dozens of Danish instructors");
* a casualty word goes with the counted people ("three soldiers were killed",
  "killing six U.S. soldiers", "more than 40 wounded");
* an attack word before "N times" ("attacked U.S. forces 170 times");
* it shares the noun of the claim before it ("2,500 troops in Iraq and 900 in
  Syria") or of a head noun it is linked to ("its force from 2,500 to 2,000").

The actor is the nationality or group in the counted noun phrase, else (troops,
attacks) the one before the number in the same clause; for attacks never the
target.  The kinds are those of ``data/lexicons/claims.yml`` (rule and label);
their English words, the actors and places are in ``data/lexicons/en/claims.yml``.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Iterable, Optional

from .article import Article
from .claims import Claim, claim_kinds
from .lexicons import LexiconError, lexicon_path, load_lexicon, per_lexicons
from .numbers_en import PhraseIndex, english_spans, find_numbers_en, lower, tokens

__all__ = ["extract_claims_en", "sentence_claims_en"]


@dataclass(frozen=True)
class _Lex:
    kind_of_rule: dict  # rule -> kind name
    nouns: PhraseIndex  # label: kind name (or "casualty" nouns under the casualty kind)
    people: PhraseIndex
    repeat: PhraseIndex
    attack_cues: frozenset
    heads: PhraseIndex
    count_heads: PhraseIndex
    inherit_before: PhraseIndex
    actor_links: frozenset
    nouns_casualty: PhraseIndex
    cas_after: PhraseIndex
    cas_before: PhraseIndex
    blockers: PhraseIndex
    modifiers: frozenset
    not_after: frozenset
    elided_after: PhraseIndex
    head_links: PhraseIndex
    clause_breaks: frozenset
    passive: frozenset
    target_markers: frozenset
    attacker_markers: frozenset
    actors: PhraseIndex
    before_only: frozenset
    actor_blockers: frozenset
    places: PhraseIndex
    both_joiners: frozenset
    unit_nouns: frozenset
    part_openers: PhraseIndex


def _words(lex: dict, key: str) -> frozenset:
    return frozenset(w for p in (lex.get(key) or []) for w in [" ".join(_t(p))])


def _t(p) -> list[str]:
    return [t for _, _, t in tokens(lower(str(p)))]


def _possessives(actors: dict) -> PhraseIndex:
    """The actors, each also in its possessive ("the Pentagon's 2,500 troops", "Britain's contingent")."""
    index = PhraseIndex(actors)
    for label, phrases in actors.items():
        for p in phrases or []:
            toks = _t(p)
            if toks and toks[-1][-1:].isalpha():
                for mark in ("'s", "’s"):
                    index.add(" ".join(toks[:-1] + [toks[-1] + mark]), label)
    return index


@per_lexicons
def _lex() -> _Lex:
    path = lexicon_path("en/claims")
    lex = load_lexicon("en/claims")
    if not isinstance(lex, dict) or not isinstance(lex.get("kinds"), dict):
        raise LexiconError(f"{path}: needs 'kinds' with the English words of each kind in claims.yml")
    kinds = claim_kinds()
    unknown = set(lex["kinds"]) - set(kinds)
    if unknown:
        raise LexiconError(f"{path}: kinds {sorted(unknown)} are not in claims.yml; add them there first")
    rule_kind = {spec["rule"]: name for name, spec in kinds.items() if spec["rule"] != "count"}
    nouns, people, repeat, heads = PhraseIndex(), PhraseIndex(), PhraseIndex(), PhraseIndex()
    cas_after, cas_before, blockers = PhraseIndex(), PhraseIndex(), PhraseIndex()
    cues: set = set()
    for name, spec in lex["kinds"].items():
        spec = spec or {}
        for n in spec.get("nouns") or []:
            nouns.add(n, name)
        for n in spec.get("heads") or []:
            heads.add(n, name)
        for n in spec.get("repeat_nouns") or []:
            repeat.add(n, name)
        cues.update(" ".join(_t(c)) for c in spec.get("cues") or [])
        if kinds[name]["rule"] == "casualty":
            for n in spec.get("people") or []:
                people.add(n, name)
            for n in spec.get("cues_after") or []:
                cas_after.add(n, name)
            for n in spec.get("cues_before") or []:
                cas_before.add(n, name)
            for n in spec.get("blockers") or []:
                blockers.add(n, name)
    return _Lex(
        kind_of_rule=rule_kind, nouns=nouns, people=people, repeat=repeat, attack_cues=frozenset(cues),
        heads=heads, inherit_before=PhraseIndex(lex.get("inherit_before") or []),
        actor_links=_words(lex, "actor_links"), count_heads=PhraseIndex(lex.get("count_heads") or {}),
        nouns_casualty=PhraseIndex([n for name, spec in lex["kinds"].items() if kinds[name]["rule"] == "casualty"
                                    for n in (spec or {}).get("nouns") or []]),
        cas_after=cas_after, cas_before=cas_before, blockers=blockers,
        modifiers=_words(lex, "modifiers"), not_after=_words(lex, "not_after"),
        elided_after=PhraseIndex(lex.get("elided_after") or []), head_links=PhraseIndex(lex.get("head_links") or []),
        clause_breaks=_words(lex, "clause_breaks"), passive=_words(lex, "passive"),
        target_markers=_words(lex, "target_markers"), attacker_markers=_words(lex, "attacker_markers"),
        actors=_possessives(lex.get("actors") or {}), before_only=_words(lex, "before_only"),
        actor_blockers=_words(lex, "actor_blockers"), places=PhraseIndex(lex.get("places") or {}),
        both_joiners=_words(lex, "both_joiners"), unit_nouns=_words(lex, "unit_nouns"),
        part_openers=PhraseIndex(lex.get("part_openers") or []),
    )


class _Sent:
    def __init__(self, text: str, lex: _Lex):
        self.text = text
        self.toks = tokens(lower(text))
        self.words = [t for _, _, t in self.toks]
        self.lex = lex
        self.starts = [a for a, _, _ in self.toks]

    def index_at(self, pos: int) -> int:
        import bisect
        return bisect.bisect_left(self.starts, pos)

    def any(self, index: PhraseIndex, lo: int, hi: int) -> Optional[int]:
        for k in range(max(0, lo), min(hi, len(self.words))):
            if index.match(self.words, k) is not None:
                return k
        return None


_PUNCT_BREAK = {".", ";", ":", "!", "?", "(", ")"}


def _noun_after(s: _Sent, j: int, limit: int = 7) -> tuple[Optional[str], Optional[int], int]:
    """(kind or 'people', index of the noun, index after it) of the counted noun after word ``j``."""
    lex = s.lex
    k = j
    while k < len(s.words) and k < j + limit:
        w = s.words[k]
        got = lex.nouns.match(s.words, k)
        if got is not None:
            if k + got[1] < len(s.words) and s.words[k + got[1]] in lex.unit_nouns:
                return "not", k, k + got[1] + 1  # "several Marine units", "five Army brigades"
            return str(got[0]), k, k + got[1]
        got = lex.people.match(s.words, k)
        if got is not None:
            return "people", k, k + got[1]
        got = lex.repeat.match(s.words, k)
        if got is not None:
            return "repeat", k, k + got[1]
        if w in lex.not_after:
            return "not", k, k + 1
        capitalized = k > 0 and s.text[s.toks[k][0]:s.toks[k][0] + 1].isupper()
        if w in lex.modifiers or w in ('"', "“", "”") or capitalized or lex.actors.match(s.words, k) is not None:
            got = lex.actors.match(s.words, k)
            k += got[1] if got is not None else 1
            continue
        break
    return None, None, j


def _casualty_after(s: _Sent, k: int, limit: int = 12) -> bool:
    for m in range(k, min(len(s.words), k + limit)):
        if s.words[m] in _PUNCT_BREAK or s.words[m] in s.lex.clause_breaks:
            return False
        if s.lex.cas_after.match(s.words, m) is not None:
            return True
    return False


def _casualty_before(s: _Sent, i: int, limit: int = 4) -> bool:
    """A casualty word within ``limit`` words before word ``i`` (no stop between)."""
    for m in range(i - 1, max(-1, i - 1 - limit), -1):
        if s.words[m] in _PUNCT_BREAK:
            return False
        if s.lex.cas_before.match(s.words, m) is not None:
            return True
    return False


def _attack_cue_before(s: _Sent, i: int) -> bool:
    """An attack verb before the count of places it hit ("attacked three U.S. bases"), not one attack
    that hit them ("a rocket attack targeting two bases")."""
    for m in range(i - 1, max(-1, i - 12), -1):
        if s.words[m] in _PUNCT_BREAK:
            return False
        if s.words[m] in s.lex.attack_cues:
            one = m > 0 and s.lex.nouns.match(s.words, m - 1) is not None \
                and s.lex.nouns.match(s.words, m - 1)[0] == s.lex.kind_of_rule.get("event") \
                and s.words[m - 1] not in ("strikes", "attacks", "raids", "airstrikes")
            return not one
    return False


def _head_before(s: _Sent, i: int) -> Optional[str]:
    """The kind of a head noun the number is linked to ("its force ... from 2,500", "attacks ... to fewer than 10")."""
    if i == 0 or s.lex.head_links.match_ending(s.words, i) is None:
        return None
    found = None
    for m in range(i - 2, max(-1, i - 12), -1):
        if s.words[m] in _PUNCT_BREAK:
            break
        got = s.lex.heads.match(s.words, m)
        if got is not None:
            found = str(got[0])  # the first head of the clause: its subject ("attacks on U.S. troops ... to 10")
    return found


def _count_head(s: _Sent, i0: int, i1: int) -> Optional[tuple[str, Optional[str]]]:
    """(kind, actor) when the number is the value of a count ("the number of U.S. troops killed ... to 12",
    "pushed to 117 the number of American soldiers killed")."""
    lex = s.lex
    windows = []
    for m in range(i0 - 1, max(-1, i0 - 20), -1):
        if s.words[m] in _PUNCT_BREAK:
            break
        head = lex.count_heads.match(s.words, m)
        if head is not None:
            if head[0] != "any":
                return str(head[0]), _actor_in(s, m, i0)
            windows.append((m, i0))
            break
    got = lex.count_heads.match(s.words, i1) or (lex.count_heads.match(s.words, i1 + 1) if i1 + 1 < len(s.words) else None)
    if got is not None:
        end = i1
        while end < len(s.words) and end < i1 + 14 and s.words[end] not in _PUNCT_BREAK and s.words[end] != ",":
            end += 1
        windows.append((i1, end))
    for lo, hi in windows:
        kind = None
        if s.any(lex.cas_after, lo, hi) is not None or s.any(lex.nouns_casualty, lo, hi) is not None:
            kind = lex.kind_of_rule.get("casualty")
        else:
            for k in range(lo, hi):
                g = lex.nouns.match(s.words, k)
                if g is not None:
                    kind = str(g[0])
                    break
        if kind is not None:
            return kind, _actor_in(s, lo, hi)
    return None


def _actor_in(s: _Sent, lo: int, hi: int) -> Optional[str]:
    k = lo
    while k < hi:
        got = s.lex.actors.match(s.words, k)
        if got is not None:
            word = " ".join(s.words[k:k + got[1]])
            if word not in s.lex.before_only and not _us_pronoun(s, k):
                return str(got[0])
            k += got[1]
        else:
            k += 1
    return None


def _us_pronoun(s: _Sent, k: int) -> bool:
    """'us' the pronoun, not 'US' the country (the original is not upper case)."""
    if s.words[k] != "us":
        return False
    a, b, _ = s.toks[k]
    return s.text[a:b] != "US"


def _actor_before(s: _Sent, i: int, attacks: bool) -> Optional[str]:
    """The nearest actor before word ``i`` in its clause (for attacks: not a target, not a passive subject)."""
    lex = s.lex
    k = i - 1
    passive = False
    # "U.S. forces in Iraq and Syria attacked 23 times": a participle right before the count
    # with forces as its subject is a reduced passive (the forces are the target)
    reduced = attacks and k >= 0 and s.words[k] in lex.attack_cues and s.words[k].endswith("ed")
    while k >= 0:
        w = s.words[k]
        if w in _PUNCT_BREAK or w in lex.clause_breaks:
            return None
        if w in lex.passive:
            passive = True
        if w in lex.actor_blockers:
            return None
        got = None
        for length in (4, 3, 2, 1):
            if k - length + 1 < 0:
                continue
            g = lex.actors.match(s.words, k - length + 1)
            if g is not None and g[1] == length:
                got = (g[0], k - length + 1)
                break
        if got is not None and not _us_pronoun(s, got[1]):
            label, a = got
            if attacks:
                # back over the target's noun phrase ("attacked U.S. and coalition forces"): a target marker before it?
                t = a - 1
                while t >= 0 and (s.words[t] in lex.modifiers or s.words[t] in ("the", "a", ",")
                                  or lex.actors.match(s.words, t) is not None):
                    t -= 1
                target = t >= 0 and s.words[t] in lex.target_markers
                if reduced and not target:
                    e = a
                    while e < i and (lex.actors.match(s.words, e) is not None or s.words[e] in lex.modifiers):
                        e += (lex.actors.match(s.words, e) or (None, 1))[1]
                    got_noun = lex.nouns.match(s.words, e) if e < i else None
                    passive = passive or (got_noun is not None and got_noun[0] == lex.kind_of_rule.get("presence"))
                if passive or target:
                    # the whole target phrase ("U.S. and coalition forces have been attacked") is passed over
                    k = t if target else _phrase_start(s, a) - 1
                    passive = False
                    continue
            return str(label)
        k -= 1
    return None


def _phrase_start(s: _Sent, a: int) -> int:
    """The first word of the coordinated noun phrase whose actor starts at word ``a`` ("U.S. and coalition")."""
    lex = s.lex
    t = a
    while t > 0:
        w = s.words[t - 1]
        if w in lex.modifiers or w in (",",) or lex.actors.match(s.words, t - 1) is not None:
            t -= 1
            continue
        got = next((length for length in (4, 3, 2) if t - length >= 0
                    and (lex.actors.match(s.words, t - length) or (None, 0))[1] == length), None)
        if got is None:
            break
        t -= got
    return t


def _place(s: _Sent, i: int, hi: int) -> Optional[str]:
    """The first place after the number (up to the next number), else the nearest one before it."""
    found = []
    k = 0
    while k < len(s.words):
        got = s.lex.places.match(s.words, k)
        if got is not None:
            found.append((k, str(got[0]), k + got[1]))
            k += got[1]
        else:
            k += 1
    if not found:
        return None
    after = [f for f in found if i <= f[0] < hi]
    pick = after[0] if after else None
    if pick is None:
        before = [f for f in found if f[0] < i]
        pick = before[-1] if before else None
    if pick is None:
        return None
    # "in Iraq and Syria"
    for other in found:
        if other is pick:
            continue
        gap = s.words[min(pick[2], other[2]):max(pick[0], other[0])]
        if {pick[1], other[1]} == {"Iraq", "Syria"} and len(gap) <= 2 and all(g in s.lex.both_joiners for g in gap):
            return "both"
    return pick[1]


def sentence_claims_en(sent: str, a: int, b: int, article: str = "") -> list[Claim]:
    """The claims of one English sentence ``sent`` that stands at [a, b) in its article (read alone)."""
    return [c for c, _open in _sentence_claims(sent, a, b, article)]


_OPEN = "open"  # a troop or casualty count whose sentence names no owner: read from the sentences around it
_OPEN_ARMY = "army"  # the same for soldiers, troops, service members: no armed group owns them


def _sentence_claims(sent: str, a: int, b: int, article: str = "",
                     before: Optional[tuple[str, str, Optional[str]]] = None) -> list[tuple[Claim, Optional[str]]]:
    """(claim, open mark) of each claim of ``sent``; ``before``: (kind, actor, open mark) of the last claim
    of the sentence before, shared when this one opens with a part of it ("Of those, 30 were in Iraq")."""
    lex = _lex()
    mentions = find_numbers_en(sent)
    if not mentions:
        return []
    s = _Sent(sent, lex)
    if s.any(lex.blockers, 0, len(s.words)) is not None:
        blocked = True
    else:
        blocked = False
    casualty = lex.kind_of_rule.get("casualty")
    presence = lex.kind_of_rule.get("presence")
    event = lex.kind_of_rule.get("event")
    out: list[tuple[Claim, Optional[str]]] = []
    prev: Optional[tuple[str, str, Optional[str]]] = None  # kind, actor, open mark of the claim before
    if before is not None and lex.part_openers.match(s.words, 0) is not None:
        prev = before
    from .dates_en import find_dates_en

    dates = [(d.start, d.end) for d in find_dates_en(sent)]
    mentions = [m for m in mentions if not any(a0 < m.end and m.start < b0 for a0, b0 in dates)]
    # numbers inside a place name ("Tower 22") are no figures
    k, inside = 0, []
    while k < len(s.words):
        got = lex.places.match(s.words, k)
        if got is not None and got[1] > 1:
            inside.append((s.toks[k][0], s.toks[k + got[1] - 1][1]))
        k += got[1] if got is not None else 1
    mentions = [m for m in mentions if not any(a0 <= m.start and m.end <= b0 for a0, b0 in inside)]
    bounds = [(s.index_at(m.start), s.index_at(m.end)) for m in mentions]
    for n, mn in enumerate(mentions):
        i0, i1 = bounds[n]
        nxt = bounds[n + 1][0] if n + 1 < len(bounds) else len(s.words)
        if mn.unit in ("percent", "money"):
            prev = None
            continue
        first = s.text[mn.start:mn.end]
        if not mn.words and mn.qualifier == "exact" and 1900 <= mn.value <= 2100 and "," not in first \
                and float(mn.value).is_integer() and not mn.ordinal:
            continue  # a year
        kind_word, noun, after = _noun_after(s, i1)
        kind = None
        if mn.ordinal:
            if kind_word == event:
                kind = event
            else:
                continue
        elif kind_word == "not":
            prev = None
            continue
        elif kind_word == casualty:
            kind = casualty
        elif kind_word in (presence, "people"):
            if _casualty_after(s, after) or _casualty_before(s, i0):
                kind = casualty
            elif kind_word == presence:
                kind = presence
        elif kind_word == "repeat":
            if _attack_cue_before(s, i0):
                kind = event
        elif kind_word is not None:
            kind = kind_word
        inherited = None
        count = _count_head(s, i0, i1) if kind is None and kind_word in (None, "people") else None
        if count is not None:
            kind, count_actor = count
            inherited = count_actor
        if (kind is None or (kind == presence and kind_word == presence)) and prev is not None \
                and prev[0] == casualty and lex.inherit_before.match_ending(s.words, i0):
            kind = casualty  # "killed 22 people, including 14 U.S. soldiers"
        if kind_word in (presence, "people") and kind != casualty and prev is not None and prev[0] == casualty \
                and i0 > 0 and s.words[i0 - 1] == "and" and _casualty_before(s, i0, limit=12):
            kind = casualty  # "wounded four U.S. service members and two Iraqi security force members"
        if kind is None and kind_word is None and i1 < len(s.words) and lex.cas_after.match(s.words, i1) is not None:
            kind = casualty  # "at least 1,062 died"
        if kind is None and kind_word is None:
            head = _head_before(s, i0)
            if head is not None:
                kind = head
            elif prev is not None and (i1 >= len(s.words) or lex.elided_after.match(s.words, i1) is not None):
                kind, inherited = prev[0], prev[1]
            elif _casualty_before(s, i0) and (i1 >= len(s.words) or lex.elided_after.match(s.words, i1) is not None):
                kind = casualty
        if kind is None or (kind == casualty and blocked):
            continue
        if noun is not None and kind_word in (presence, "people") and lex.people.match(s.words, noun) is not None \
                and s.words[noun] == "others" and prev is not None:
            inherited = prev[1]
        # the places hit ("three U.S. bases") name the target, not the attacker
        actor = _actor_in(s, i1, after if noun is not None else i1) if kind_word != "repeat" else None
        if actor is None and noun is None and i1 < len(s.words) and s.words[i1] in lex.actor_links:
            actor = _actor_in(s, i1 + 1, min(len(s.words), i1 + 4))  # "250,000 American troops, 45,000 from the U.K."
        if actor is None and i0 > 0 and s.words[i0 - 1] in ("of",):
            actor = None
        if actor is None and noun is not None and kind in (presence, casualty) and after < len(s.words) \
                and s.words[after] in lex.actor_links:
            actor = _actor_in(s, after + 1, min(len(s.words), after + 3))  # "soldiers from the U.S. 4th Infantry Division"
        if actor is None and kind == casualty and kind_word == casualty and prev is not None and prev[0] == casualty:
            inherited = prev[1]  # "18 fighters had been killed and more than 50 wounded"
        inherit_open = prev[2] if prev is not None and inherited is not None and inherited == prev[1] else None
        if actor is None and inherited is not None:
            actor = inherited
        if actor is None and kind == event and noun is not None:
            # "attacks by militias"
            if after < len(s.words) and s.words[after] in lex.attacker_markers:
                actor = _actor_in(s, after + 1, min(len(s.words), after + 5))
        if actor is None and kind == casualty and noun is not None and after < len(s.words) and s.words[after] == "among":
            actor = _actor_in(s, after + 1, min(len(s.words), after + 4))
        if actor is None and kind in (presence, event):
            actor = _actor_before(s, i0, attacks=kind == event)
        if actor is None and kind == casualty and _casualty_before(s, i0):
            # "the death toll among U.S. forces ... reached 4,000"
            for m in range(i0 - 1, max(-1, i0 - 10), -1):
                if s.words[m] == "among":
                    actor = _actor_in(s, m + 1, min(i0, m + 4))
                    break
        if actor is None and kind == casualty and kind_word == presence:
            actor = _actor_before(s, i0, attacks=False)  # "U.S. troops in Iraq suffered 949 combat casualties"
        opened = None
        if actor is None and kind in (presence, casualty) and kind_word != "people":
            opened = _OPEN_ARMY if kind_word == presence else _OPEN
        elif actor == "unknown" and inherit_open is not None:
            opened = inherit_open  # the claim it shares its noun with takes its owner from around the sentence
        actor = actor or "unknown"
        place = _place(s, i0, nxt)
        prev = (kind, actor, opened)
        out.append((Claim(
            article=article, kind=kind, value=int(mn.value), low=None if mn.low is None else int(mn.low),
            high=None if mn.high is None else int(mn.high), qualifier=mn.qualifier, actor=actor, place=place,
            mention=mn.text, sentence=sent, sentence_start=a, sentence_end=b, start=a + mn.start, end=a + mn.end,
        ), opened))
    return out


def _named(text: str, lex: _Lex) -> list[str]:
    """The actors a sentence names, in order (not 'us' the pronoun)."""
    s = _Sent(text, lex)
    out, k = [], 0
    while k < len(s.words):
        got = lex.actors.match(s.words, k)
        if got is None:
            k += 1
            continue
        if not _us_pronoun(s, k):
            out.append(str(got[0]))
        k += got[1]
    return out


def _most_named(named: list[list[str]], scope: Iterable[int], i: int, exclude: frozenset) -> Optional[str]:
    """The label named most often in the sentences ``scope`` other than ``i`` (ties: the first named)."""
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for k in scope:
        if k == i:
            continue
        for label in named[k]:
            if label not in exclude:
                counts[label] = counts.get(label, 0) + 1
                first.setdefault(label, k)
    if not counts:
        return None
    return min(counts, key=lambda x: (-counts[x], first[x]))


def extract_claims_en(article: Article, sentences: Optional[list[int]] = None) -> list[Claim]:
    """The claims of an English article (or of its sentences ``sentences``, by index).

    A troop or casualty count whose sentence names no owner ("One soldier was
    killed", "the strike left 34 other service members wounded") takes it from
    the sentence before, else the actor named most in its paragraph, then in the
    article (``actor_basis`` previous_sentence, paragraph, article), as the Arabic
    reader does; soldiers are never given to an armed group that way.  Attacks
    and counts of people ("1,200 people") take no owner from around them.
    """
    lex = _lex()
    out: list[Claim] = []
    ids = range(len(article.original_sentences)) if sentences is None else sentences
    spans = english_spans(article.original, [article.original_sentences[k] for k in ids])
    named: Optional[list[list[str]]] = None
    paras = article.paragraphs
    last: Optional[tuple[str, str, Optional[str]]] = None
    for i, (a, b) in enumerate(spans):
        found = _sentence_claims(article.original[a:b], a, b, article.id, last)
        last = (found[-1][0].kind, found[-1][0].actor, found[-1][1]) if found else None
        for c, opened in found:
            if opened is not None and c.actor == "unknown":
                if named is None:
                    named = [_named(article.original[x:y], lex) for x, y in spans]
                    starts = [pa for pa, _pb in paras]  # sorted and disjoint
                    para_of = []
                    for x, _y in spans:
                        q = bisect.bisect_right(starts, x) - 1
                        para_of.append(q if q >= 0 and x < paras[q][1] else -1)
                    members: dict[int, list[int]] = {}
                    for k, q in enumerate(para_of):
                        members.setdefault(q, []).append(k)
                exclude = frozenset({"militia"}) if opened == _OPEN_ARMY else frozenset()
                prev = [x for x in named[i - 1] if x not in exclude] if i > 0 else []
                got = (prev[0], "previous_sentence") if prev else None
                if got is None and para_of[i] >= 0:
                    label = _most_named(named, members[para_of[i]], i, exclude)
                    got = (label, "paragraph") if label is not None else None
                if got is None:
                    label = _most_named(named, range(len(spans)), i, exclude)
                    got = (label, "article") if label is not None else None
                if got is not None:
                    c.actor, c.actor_basis = got
            out.append(c)
    return out


def extract_claims_by_language(article: Article) -> list[Claim]:
    """The claims of an article, each sentence read by its own language (Arabic as before, English here)."""
    from .claims import extract_claims

    english = article.sentences_in("en")
    if not english:
        return extract_claims(article)
    out = extract_claims_en(article, english)
    if any(lang == "ar" for lang in article.sentence_languages):
        spans = [article.original_sentences[k] for k in english]
        out += [c for c in extract_claims(article) if not any(a <= c.start < b for a, b in spans)]
    return sorted(out, key=lambda c: c.start)
