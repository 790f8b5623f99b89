"""Number mentions: every written form, qualifiers, ranges, and spans in the original text."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from troopwatch.numbers import QUALIFIERS, find_numbers


def one(text):
    found = find_numbers(text)
    assert len(found) == 1, [(m.text, m.value) for m in found]
    return found[0]


@pytest.mark.parametrize(
    "text, mention, value",
    [
        ("للولايات المتحدة 2500 جندي", "2500", 2500),
        ("نشر ٢٥٠٠ جندي", "٢٥٠٠", 2500),
        ("نشر ۲۵۰۰ جندي", "۲۵۰۰", 2500),
        ("نشر 2,500 جندي", "2,500", 2500),
        ("نشر 2.500 جندي", "2.500", 2500),
        ("نشر ٢٬٥٠٠ جندي", "٢٬٥٠٠", 2500),
        ("نشر 50 ألف جندي", "50 ألف", 50000),
        ("نشر 1.5 مليون", "1.5 مليون", 1500000),
        ("نشر ٢٫٥ ألف جندي", "٢٫٥ ألف", 2500),
        ("قتل ثلاثة جنود", "ثلاثة", 3),
        ("نشر عشرة آلاف جندي", "عشرة آلاف", 10000),
        ("نشر ثلاثة عشر جنديا", "ثلاثة عشر", 13),
        ("نشر أحد عشر جنديا", "أحد عشر", 11),
        ("نشر مئة وعشرين جنديا", "مئة وعشرين", 120),
        ("نشر مائة وعشرون جنديا", "مائة وعشرون", 120),
        ("نشر خمسمائة جندي", "خمسمائة", 500),
        ("نشر خمسمئة جندي", "خمسمئة", 500),
        ("نشر ثلاث مئة جندي", "ثلاث مئة", 300),
        ("نشر مئتي جندي", "مئتي", 200),
        ("نشر ألفين وخمسمائة عسكري", "ألفين وخمسمائة", 2500),
        ("وصل ألفا جندي", "ألفا", 2000),
        ("نشر ألفا وخمسمائة جندي", "ألفا وخمسمائة", 1500),
        ("نشر ألفا و500 جندي", "ألفا و500", 1500),
        ("وصل خمسون ألفا", "خمسون ألفا", 50000),
        ("تحتفظ بأكثر من ألفي جندي", "ألفي", 2000),
        ("تضم أربعة آلاف و464 عسكريا", "أربعة آلاف و464", 4464),
        ("خمسة وعشرون جنديا", "خمسة وعشرون", 25),
        ("مئة وخمسة وعشرون جنديا", "مئة وخمسة وعشرون", 125),
        ("مليون و200 ألف", "مليون و200 ألف", 1200000),
        ("ثلاثـــة جنود", "ثلاثـــة", 3),
        ("جُنُودٌ ثَلَاثَةٌ", "ثَلَاثَةٌ", 3),
        ("الثماني مئة والثمانيين جنديا", "ثماني مئة والثمانيين", 880),
    ],
)
def test_values_of_every_written_form(text, mention, value):
    m = one(text)
    assert m.text == mention
    assert m.value == value
    assert text[m.start:m.end] == mention


@pytest.mark.parametrize(
    "text, value",
    [("شن لـ150 هجوما", 150), ("سحب ال3870 جنديا", 3870), ("أربعة و464", None), ("بلغ عددهم و464 عسكريا", 464)],
)
def test_glued_clitics_are_not_part_of_the_mention(text, value):
    found = find_numbers(text)
    if value is None:
        assert [m.value for m in found] == [4, 464]  # units and digits joined by و are two numbers
        return
    (m,) = found
    assert m.value == value and m.text == str(value)


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("عشرات الجنود", 20, 99),
        ("مئات الجنود", 200, 999),
        ("آلاف الجنود", 2000, 9999),
        ("الآلاف من الجنود", 2000, 9999),
        ("عشرات الآلاف من المقاتلين", 20000, 99999),
        ("مئات الآلاف من الجنود", 200000, 999999),
        ("بضعة آلاف من الجنود", 3000, 9999),
        ("عدة آلاف من الجنود", 3000, 9999),
        ("بضعة جنود", 3, 9),
        ("بضع مئات من الجنود", 300, 999),
        ("عدة عشرات من المستشارين", 30, 99),
        ("عدة مئات الآلاف من اللاجئين", 300000, 999999),
    ],
)
def test_vague_quantities_have_bounds(text, low, high):
    m = one(text)
    assert (m.qualifier, m.low, m.high, m.value) == ("vague", low, high, low)


def test_several_alone_is_no_number():
    assert find_numbers("ستستغرق المحادثات عدة أشهر") == []


@pytest.mark.parametrize(
    "text, low, high, mention",
    [
        ("بين 2000 و3000 جندي", 2000, 3000, "2000 و3000"),
        ("ما بين 800 و900 جندي", 800, 900, "800 و900"),
        ("من 500 إلى 700 جندي", 500, 700, "500 إلى 700"),
        ("ثلاثة أو أربعة جنود", 3, 4, "ثلاثة أو أربعة"),
        ("بين ثلاثة وأربعة آلاف جندي", 3000, 4000, "ثلاثة وأربعة آلاف"),
        ("بين 60 و100 ألف مقاتل", 60000, 100000, "60 و100 ألف"),
        ("3000-5000 جندي", 3000, 5000, "3000-5000"),
        # an end in the years' range is a count beside an end of its size
        ("نشر 1500 إلى 2000 جندي", 1500, 2000, "1500 إلى 2000"),
        ("سيرسل 2000 الى 2500 عسكري", 2000, 2500, "2000 الى 2500"),
        ("بقاء 1900 أو 2400 جندي", 1900, 2400, "1900 أو 2400"),
    ],
)
def test_ranges(text, low, high, mention):
    m = one(text)
    assert (m.qualifier, m.low, m.high, m.text) == ("range", low, high, mention)


@pytest.mark.parametrize("text", ["منذ 2003 إلى 4471 جنديا", "ومنذ عام 2003 الى 4471 جنديا", "وصل إلى 500 حتى 2007",
                                  "في 2010 إلى 2400 جندي"])
def test_a_year_beside_a_count_is_no_range(text):
    assert all(m.qualifier != "range" for m in find_numbers(text))


def test_change_is_two_numbers_not_a_range():
    found = find_numbers("خفض عدد القوات من 5200 إلى 3000 جندي")
    assert [(m.value, m.qualifier) for m in found] == [(5200, "exact"), (3000, "exact")]


@pytest.mark.parametrize(
    "text, qualifier, low, high",
    [
        ("نحو 5000 جندي", "approx", 5000, 5000),
        ("حوالي 5000 جندي", "approx", 5000, 5000),
        ("قرابة 5000 جندي", "approx", 5000, 5000),
        ("ما يقارب 5000 جندي", "approx", 5000, 5000),
        ("زهاء 5000 جندي", "approx", 5000, 5000),
        ("بنحو 5000 جندي", "approx", 5000, 5000),
        ("أكثر من 5000 جندي", "at_least", 5000, None),
        ("ما لا يقل عن 5000 جندي", "at_least", 5000, None),
        ("تجاوز 5000 جندي", "at_least", 5000, None),
        ("يفوق 5000 جندي", "at_least", 5000, None),
        ("فوق 5000 جندي", "at_least", 5000, None),
        ("5000 جندي على الأقل", "at_least", 5000, None),
        ("أقل من 5000 جندي", "at_most", None, 5000),
        ("ما يصل إلى 5000 جندي", "at_most", None, 5000),
        ("لا يتجاوز 5000 جندي", "at_most", None, 5000),
        ("5000 جندي تقريبا", "approx", 5000, 5000),
        ("وصل 5000 جندي", "exact", 5000, 5000),
    ],
)
def test_qualifiers(text, qualifier, low, high):
    m = one(text)
    assert (m.qualifier, m.low, m.high) == (qualifier, low, high)
    assert m.qualifier in QUALIFIERS


def test_ordinals_are_flagged():
    m = one("الهجوم الثاني والعشرين")
    assert m.ordinal and m.value == 22
    m = one("الهجوم الحادي عشر")
    assert m.ordinal and m.value == 11


@pytest.mark.parametrize("text", ["بنسبة 30%", "بنسبة 30 ٪", "40 بالمئة", "40 في المئة"])
def test_percentages_are_marked(text):
    m = one(text)
    assert m.unit == "percent"


@pytest.mark.parametrize(
    "text",
    ["يوم الاثنين المقبل", "يوم الأحد", "طائرات F16", "قاذفات B-52", "ستقوم القوات", "أحد المسؤولين", "إحدى القواعد"],
)
def test_words_that_only_look_like_numbers(text):
    assert find_numbers(text) == []


def test_percent_word_is_not_a_hundred():
    assert [m.value for m in find_numbers("ارتفعت 40 في المئة")] == [40]


def test_percent_word_after_a_line_break_is_not_a_hundred():
    # a wrapped line: "في" ends one line and "المائة" starts the next
    assert [(m.value, m.unit) for m in find_numbers("وقعت 35 في\nالمائة من الهجمات")] == [(35, "percent")]
    assert find_numbers("في\nالمائة من الهجمات") == []


@pytest.mark.parametrize("text", ["", " ", "0" * 40, "9" * 5000, "٬٫,.-" * 50, "\u0640" * 30, "ألف " * 3000])
def test_odd_inputs(text):
    for m in find_numbers(text):
        assert 0 <= m.start <= m.end <= len(text)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(list("0123456789٠١٢٣٤٥٦٧٨٩۱۲,.-٬٫ ـً\n%")
                                + ["ألف", "آلاف", "ثلاثة", "عشر", "و", "بين", "من", "إلى", "أو", "مئة",
                                   "نحو", "أكثر", "لا يتجاوز", "الـ", "لـ", "عشرات", "الثاني", "جندي"]),
                max_size=60).map("".join))
def test_random_number_text_keeps_spans_inside(text):
    for m in find_numbers(text):
        assert 0 <= m.start <= m.end <= len(text)
        assert m.qualifier in QUALIFIERS
        assert m.low is None or m.high is None or m.low <= m.high


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=200))
def test_random_unicode(text):
    for m in find_numbers(text):
        assert 0 <= m.start <= m.end <= len(text)


def _flat_candidate():
    """The candidate regex written as one flat alternation (longest spelling first): the reference."""
    import re

    from troopwatch.numbers import _vocab
    from troopwatch.text import ARABIC_LETTER

    voc = _vocab()
    letter = f"[{ARABIC_LETTER}]"
    pre = "|".join(re.escape(p) for p in voc.prefixes)
    words = "|".join(re.escape(w) for w in sorted(voc.words, key=len, reverse=True))
    return re.compile(rf"[0-9]|(?<!{letter})(?:{pre})?(?:{words})(?!{letter})"), voc


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_where_a_number_may_start_is_found_as_a_flat_alternation_would(data):
    flat, voc = _flat_candidate()
    pieces = sorted(voc.words)[:60] + list(voc.prefixes) + ["جندي", "قوات", "ال", "7", "2500", "ـ", " ", "، ", "\n", "x"]
    text = "".join(data.draw(st.lists(st.sampled_from(pieces), max_size=25)))
    assert [m.span() for m in voc.candidate.finditer(text)] == [m.span() for m in flat.finditer(text)]


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_qualifiers_before_a_number_are_found_where_a_flat_alternation_finds_them(data):
    import re

    from troopwatch.lexicons import load_lexicon
    from troopwatch.numbers import _vocab
    from troopwatch.text import ARABIC_LETTER, normalize_term
    from troopwatch.words import proclitic_regex

    lex = load_lexicon("numbers")
    voc = _vocab()

    def flat(terms):
        alts = sorted({normalize_term(t) for t in terms if normalize_term(t)}, key=len, reverse=True)
        body = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in alts)
        return re.compile(rf"(?<![{ARABIC_LETTER}]){proclitic_regex()}(?:{body})\s*$")

    pairs = [(voc.fillers, flat(lex["qualifier_fillers"])), (voc.range_open, flat(lex["range_open"])),
             (voc.range_from, flat(lex["range_from"]))]
    pairs += [(rx, flat(lex["qualifiers"][name]["before"])) for name, rx in voc.qual_before]
    phrases = [normalize_term(t) for t in lex["qualifier_fillers"] + lex["range_open"] + lex["range_from"]]
    phrases += [normalize_term(t) for spec in lex["qualifiers"].values() for t in spec.get("before") or []]
    pieces = phrases + ["و", "ب", "ل", "ف", "ال", "قوات", " ", "  ", "، ", "\n", "ـ"]
    text = "".join(data.draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=8)))
    for trie, reference in pairs:
        got, want = trie.search(text), reference.search(text)
        assert (got and got.span()) == (want and want.span()), (text, trie.pattern[:80])


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789-/ ab", max_size=30))
def test_dates_written_with_digits_are_found_as_the_plain_pattern_finds_them(text):
    import re

    from troopwatch.numbers import _DATE_LIKE

    plain = re.compile(r"(?<![0-9])(?:[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}|[0-9]{1,2}[-/][0-9]{1,2}[-/][0-9]{2,4}"
                       r"|[0-9]{4}-[0-9]{2}|0[1-9]-[0-9]{2}|[0-9]{2}-0[1-9])(?![0-9])")
    assert [m.span() for m in _DATE_LIKE.finditer(text)] == [m.span() for m in plain.finditer(text)]
