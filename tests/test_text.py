"""Normalization: the matching form, and the offset map back to the original text."""
from hypothesis import example, given, settings, strategies as st

from troopwatch.text import is_hard_wrapped, normalize, normalize_term, paragraph_spans, sentence_spans

# A sentence of the corpus (article 002), written here with diacritics, tatweel and Eastern digits.
SENTENCE = "للولايات المتحدة ٢٥٠٠ جُنديٍّ في العـــراق"


def test_folds_alef_hamza_yeh_and_digits():
    assert normalize("أإآٱ").text == "اااا"
    assert normalize("مسؤول مسئول").text == "مسءول مسءول"
    assert normalize("مستشفى").text == "مستشفي"
    assert normalize("اسماعیل قاآنی کرکوک").text == "اسماعيل قااني كركوك"
    assert normalize("٢٥٠٠ و۱۲۳").text == "2500 و123"
    assert normalize("2٬500 و1٫5").text == "2,500 و1.5"


def test_drops_diacritics_tatweel_and_bidi_marks():
    assert normalize("جُنْدِيٌّ").text == "جندي"
    assert normalize("العـــراق").text == "العراق"
    assert normalize("\u200fبغداد\u2067 2020\u2069").text == "بغداد 2020"


def test_presentation_forms_expand_to_letters():
    # ﻻ (lam-alef ligature) is one character that stands for two letters
    folded = normalize("ﻻ")
    assert folded.text == "لا"
    assert folded.to_original(0, 1) == (0, 1)
    assert folded.to_original(1, 2) == (0, 1)


def test_span_maps_back_to_the_exact_original_words():
    folded = normalize(SENTENCE)
    start = folded.text.index("2500 جندي")
    a, b = folded.to_original(start, start + len("2500 جندي"))
    # the original span keeps the Eastern digits and the diacritics on the last letter
    assert SENTENCE[a:b] == "٢٥٠٠ جُنديٍّ"
    city = folded.text.index("العراق")
    assert folded.original_slice(city, city + len("العراق")) == "العـــراق"


def test_unchanged_text_takes_the_identity_map():
    folded = normalize("plain ascii text")
    assert folded.text == "plain ascii text"
    assert folded.to_original(6, 11) == (6, 11)


def test_out_of_range_span_is_refused():
    folded = normalize("abc")
    try:
        folded.to_original(2, 9)
    except ValueError as exc:
        assert "outside" in str(exc)
    else:
        raise AssertionError("a span past the end must raise")


def test_normalize_term_collapses_space():
    assert normalize_term("  القوات   الأمريكية ") == "القوات الامريكية"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60), st.data())
def test_offset_map_property_on_arbitrary_unicode(original, data):
    folded = normalize(original)
    n = len(folded.text)
    assert len(folded.offsets) == n + 1
    assert list(folded.offsets) == sorted(folded.offsets)
    assert all(0 <= o <= len(original) for o in folded.offsets)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    a, b = folded.to_original(start, end)
    assert 0 <= a <= b <= len(original)
    if start < end:
        # the original span normalizes back to (a superset starting and ending with) the same text
        assert normalize(original[a:b]).text.startswith(folded.text[start:end][:1])
        renormalized = normalize(original[a:b]).text
        assert folded.text[start:end] in renormalized


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("جنديُّـٌ٢٥0 أإىیک\u200f\ufefbﻻ.،")), max_size=40), st.data())
def test_offset_map_is_exact_on_arabic_like_text(original, data):
    folded = normalize(original)
    n = len(folded.text)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    a, b = folded.to_original(start, end)
    piece = normalize(original[a:b]).text
    # exact unless a ligature was split by the span
    if "\ufefb" not in original and "ﻻ" not in original:
        assert piece == folded.text[start:end]


def test_sentences_split_on_arabic_and_latin_stops_but_not_numbers_or_domains():
    text = "وبحسب موقع amwaj.media فإن 2.500 جندي بقوا. هل ينسحبون؟ لا!\nفقرة ثانية"
    pieces = [text[a:b] for a, b in sentence_spans(text)]
    assert pieces == [
        "وبحسب موقع amwaj.media فإن 2.500 جندي بقوا.",
        "هل ينسحبون؟",
        "لا!",
        "فقرة ثانية",
    ]


def test_paragraphs_are_non_blank_lines():
    text = "عنوان\n\n  فقرة أولى  \r\nفقرة ثانية\n"
    assert [text[a:b] for a, b in paragraph_spans(text)] == ["عنوان", "فقرة أولى", "فقرة ثانية"]


def test_a_dot_hidden_inside_a_word_beside_a_tatweel_is_dropped_and_ends_no_sentence():
    # written as some pages do to slip past keyword filters: the words read as themselves
    text = "أسفر القصف عن مقـ.تل جنديين وإصـ.ـابة ثلاثة آخرين. وقال مصدر"
    norm = normalize(text)
    assert "مقتل جنديين واصابة ثلاثة" in norm.text
    start = norm.text.index("مقتل")
    assert norm.original_slice(start, start + len("مقتل")) == "مقـ.تل"
    assert [text[a:b] for a, b in sentence_spans(text)] == [text[: text.index(". ") + 1], "وقال مصدر"]
    # a full stop with its space missing still ends the sentence, and keeps its dot
    glued = "اكتمل الخفض تقريبا.وقال الضابط"
    assert [glued[a:b] for a, b in sentence_spans(glued)] == ["اكتمل الخفض تقريبا.", "وقال الضابط"]
    assert "." in normalize(glued).text


WRAPPED = (
    "قال مصدر أمني إن هجوما\n"
    "بطائرة مسيرة استهدف قاعدة\n"
    "عسكرية غرب البلاد وأسفر عن\n"
    "مقتل ثلاثة جنود.\n"
    "وأضاف المصدر أن الهجوم\n"
    "هو الرابع هذا الشهر"
)


def test_hard_wrapped_lines_are_joined_into_paragraphs_up_to_a_closed_line():
    assert is_hard_wrapped(WRAPPED)
    paragraphs = [WRAPPED[a:b] for a, b in paragraph_spans(WRAPPED)]
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("قال مصدر") and paragraphs[0].endswith("ثلاثة جنود.")
    sentences = [WRAPPED[a:b] for a, b in sentence_spans(WRAPPED)]
    assert len(sentences) == 2 and "\n" in sentences[0]
    # a blank line still ends a paragraph
    assert len(paragraph_spans(WRAPPED.replace("عسكرية غرب", "\nعسكرية غرب"))) == 3


def test_one_paragraph_per_line_stays_as_it_is():
    text = "عنوان الخبر بلا نقطة\nالفقرة الأولى تنتهي هنا.\nالفقرة الثانية تنتهي هنا.\nوالثالثة أيضا.\nوالرابعة."
    assert not is_hard_wrapped(text)
    assert len(paragraph_spans(text)) == 5


def _fold_one_by_one(original: str) -> tuple[str, list[int]]:
    """The definition of normalize: each character folded on its own (a dot hidden in a word dropped)."""
    import re

    from troopwatch.text import _OBFUSCATING_DOT, fold_char

    hidden = {m.start() for m in re.finditer(_OBFUSCATING_DOT, original)}
    out, offsets = [], []
    for i, ch in enumerate(original):
        folded = "" if i in hidden else fold_char(ch)
        out.append(folded)
        offsets += [i] * len(folded)
    return "".join(out), offsets + [len(original)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("جندي ُّـٌ٢٥0.أإآىیکھ٬\u200f\u2069\u0301\ufefbﻻ\u00ab\u2014\u00a0ab\n")), max_size=50))
@example("قتل لمقـ.تل جُنديٍّ في العـــراق")
@example("إصـ.ـابة ٢٥٠٠ جندي.ـ")
@example("ﻻ أحد ﷲ ٢٥ جُندي")
def test_normalize_is_the_character_by_character_folding(original):
    folded = normalize(original)
    text, offsets = _fold_one_by_one(original)
    assert folded.text == text
    assert list(folded.offsets) == offsets
