"""The claims stage's shortcuts give what the full reading gives (written sentences, paraphrased)."""
from __future__ import annotations

from troopwatch import claims, numbers
from troopwatch.article import Article

TEXTS = [
    # sentences with and without actors' names, with clitics on the names, across paragraphs
    "قال مسؤول إن نحو 2500 جندي أمريكي ما زالوا في العراق. وتحدث الوزير عن الطقس في المدينة.\n"
    "وأضاف أن الحكومة تدرس الأمر. وبالولايات المتحدة تجري نقاشات. ولم يعلق أحد على ذلك حتى الآن.",
    "أصيب ثلاثة جنود في هجوم. وتبنت فصائل مسلحة الهجوم.\nوقال مصدر إن الوضع هادئ. وكان الجو باردا.",
    "وصلت القوات الأمريكية إلى القاعدة أمس. وكان الجو باردا. ولم يعلق أحد. وقال مصدر إن 300 جندي وصلوا.\n"
    "وتحدث الوزير عن الطقس. وذكر أن 40 جنديا غادروا.",
    "وقال المتحدث: لا تعليق. وذكر أن 5 من القوات البريطانية وصلوا. وأشار إلى أن الاجتماع انتهى.",
    # one long line with no sentence end: cut by length, at spaces
    " ".join(["تحدث المسؤول عن الاجتماع الطويل دون نتيجة"] * 60 + ["وقتل جندي أميركي"]
             + ["ثم عاد الحديث إلى الطقس والمطر"] * 60),
]


def test_sentences_skipped_for_actors_name_none():
    lex = claims._lex()
    skipped = 0
    for text in TEXTS:
        record = Article.from_text(text, "t")
        flags = claims._actor_sentences(record, lex)
        assert len(flags) == len(record.sentences)
        for k, (na, nb) in enumerate(record.sentences):
            actors = claims._Sentence(record.norm.text[na:nb], lex).actors
            if not flags[k]:
                skipped += 1
                assert actors == [], record.norm.text[na:nb]
    assert skipped >= 5  # the shortcut is taken


def test_actor_context_same_with_and_without_the_shortcut(monkeypatch):
    lex = claims._lex()
    got = [[c.row() for c in claims.extract_claims(Article.from_text(t, "t"))] for t in TEXTS]
    monkeypatch.setattr(claims, "_actor_sentences", lambda record, lex: [True] * len(record.sentences))
    want = [[c.row() for c in claims.extract_claims(Article.from_text(t, "t"))] for t in TEXTS]
    assert got == want
    assert any(c["actor_basis"] != "sentence" for rows in got for c in rows)  # the context was read


def test_qualifier_end_words_never_hide_a_match():
    """A text the end-word test rejects is one where no qualifier or filler pattern matches."""
    from troopwatch.lexicons import load_lexicon
    from troopwatch.text import normalize_term

    voc = numbers._vocab()
    lex = load_lexicon("numbers")
    phrases = [normalize_term(t) for spec in lex["qualifiers"].values() for t in (spec or {}).get("before") or []]
    phrases += [normalize_term(t) for t in lex.get("qualifier_fillers") or []]
    assert phrases
    cases = []
    for p in phrases:
        for lead in ("", "قال إن ", "و", "وب", "ال"):
            for tail in ("", " ", "  ", " جدا", "ة"):
                cases.append(lead + p + tail)
                if " " in p:
                    cases.append(lead + p.replace(" ", "  ") + tail)
    kept = 0
    for text in cases:
        qual = any(rx.search(text) for _name, rx in voc.qual_before)
        if qual:
            assert text.rstrip().endswith(voc.qual_before_ends), text
            kept += 1
        if voc.fillers.search(text):
            assert text.rstrip().endswith(voc.filler_ends), text
        if not text.rstrip().endswith(voc.qual_before_ends):
            assert not qual
    assert kept >= len(phrases)  # the cases do hold matches


def test_sentence_view_offsets_read_in_place():
    """The claims stage's sentence view maps every span as Article.sentence_view does."""
    text = ("قُتِلَ جنديـان أمريكيان. وأصيب ٣ آخرون بـ«جروح» طفيفة!\n"
            "وقالت الـقوات إن ٢٥٠٠ جندي\u200f باقون؟ نعم.")
    record = Article.from_text(text, "t")
    assert not isinstance(record.norm.offsets, range)  # the map is an array here
    for k in range(len(record.sentences)):
        want, got = record.sentence_view(k), claims._sentence_view(record, k)
        assert (got.original, got.text) == (want.original, want.text)
        n = len(want.text)
        assert [got.offsets[i] for i in range(n + 1)] == list(want.offsets)
        for i in range(n + 1):
            for j in range(i, n + 1):
                assert got.to_original(i, j) == want.to_original(i, j)


GATE_TEXTS = TEXTS + [
    # counts written in words only (no digit), at the start and the end of sentences and lines
    "ثلاثة جنود أصيبوا في الهجوم. وقتل خمسة من الجنود الأمريكيين\nعشرة هجمات استهدفت القاعدة",
    "أصيب جنديان. وقال مسؤول إن عشرات الجنود غادروا؛ ثم وصل مئتا جندي!",
    # a line with no white space at all, cut by length inside its words
    "قتلثلاثةجنود" * 400 + " وأصيب خمسة جنود أمريكيين",
    # sentences glued to their neighbours by punctuation, no space after the stop
    "قتل ثلاثة جنود.وأصيب أربعة آخرون.ووصل ألفا جندي أمريكي",
]


def test_sentence_gate_same_with_and_without_the_per_sentence_search(monkeypatch):
    """A sentence with no digit is read when a number word starts in it: the per-sentence search
    (no match of the number words can hold white space) finds what the matches of the whole text say."""
    lex = claims._lex()
    assert claims._SPACELESS.get(lex.number_word_prefilter.pattern) is True  # the shortcut is taken
    got = [[c.row() for c in claims.extract_claims(Article.from_text(t, "t"))] for t in GATE_TEXTS]
    monkeypatch.setattr(claims, "_SPACELESS", {})
    want = [[c.row() for c in claims.extract_claims(Article.from_text(t, "t"))] for t in GATE_TEXTS]
    assert got == want
    assert sum(len(rows) for rows in got) >= 8
    assert any(not any(ch.isdigit() for ch in c["mention"]) for rows in got for c in rows)  # counts in words


def test_number_sentences_as_the_matches_of_the_whole_text_say(monkeypatch):
    """Each sentence is marked as the number-word matches of the whole article (and its digits) say,
    whether its edges fall at white space or inside a word (sentences cut by length)."""
    import random

    lex = claims._lex()
    rng = random.Random(3)
    pieces = ["ثلاثة", "وخمسة", "عشرات", "جنود", "قتل", "الهجوم", "مئتا", "12", "،", ".", "؟", "\n", "ألفا"]
    texts = list(GATE_TEXTS)
    for _ in range(40):
        glue = rng.choice(["", " ", " ", "\n"])
        texts.append(glue.join(rng.choice(pieces) for _ in range(rng.randint(50, 900))))
    # a line with no white space, cut by length inside a number word (the cut's place found below)
    line = "كلمة،" * 1000
    cut_at = Article.from_text(line, "t").original_sentences[0][1]
    for shift in range(1, 6):
        texts.append("ك" * (cut_at - shift - 1) + "،ثلاثة،" + line)
    marked = cut = 0
    for text in texts:
        record = Article.from_text(text, "t")
        spans = record.original_sentences
        got = claims._number_sentences(text, spans, lex)
        starts = [m.start() for m in lex.number_word_prefilter.finditer(text)]
        want = [claims._ANY_DIGIT.search(text, a, b) is not None or any(a <= x < b for x in starts) for a, b in spans]
        assert got == want
        marked += sum(got)
        cut += sum(1 for a, b in spans if 0 < b < len(text) and not text[b].isspace() and not text[b - 1].isspace())
        with monkeypatch.context() as m:
            m.setattr(claims, "_SPACELESS", {})
            assert claims._number_sentences(text, spans, lex) == want
    assert marked >= 20 and cut >= 1  # both ways were taken


def test_english_lower_and_tokens_as_read_one_character_at_a_time():
    """numbers_en.lower is str.lower one character for one (İ and a final Σ kept as they are), and
    numbers_en.tokens are the matches of its token pattern."""
    from troopwatch import numbers_en

    def by_character(text: str) -> str:
        return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)

    texts = ["Some 2,500 U.S. troops remain in Iraq.", "İstanbul ΟΔΟΣ Σ ΣΑ aΣ", "The soldier’s unit; 1,000.5",
             "", "   ", "ÉCOLE ẞ DŽ ǅ", "x" * 50 + "\nİ\tΣ"]
    for text in texts:
        low = numbers_en.lower(text)
        assert low == by_character(text)
        assert len(low) == len(text)
        for t in (text, low):
            assert numbers_en.tokens(t) == [(m.start(), m.end(), m.group()) for m in numbers_en._TOKEN.finditer(t)]
    assert numbers_en.lower("ΟΔΟΣ") == "οδοσ" != "ΟΔΟΣ".lower()  # (str.lower ends a word with ς)


def test_date_like_matches_hold_a_hyphen_or_a_slash():
    """find_numbers_normalized searches for date-like digits only in a text with a hyphen or a slash."""
    import random

    rng = random.Random(7)
    found = 0
    for _ in range(3000):
        text = "".join(rng.choice("0123456789012345-/. ") for _ in range(rng.randint(1, 14)))
        for m in numbers._DATE_LIKE.finditer(text):
            found += 1
            assert "-" in m.group() or "/" in m.group(), text
    assert found >= 20
    assert [m.value for m in numbers.find_numbers("قتل 3 جنود في 2022-05-14 و5 آخرون")] == [3.0, 5.0]
