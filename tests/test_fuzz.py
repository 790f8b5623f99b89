"""Fuzzing: every extractor and the command line on generated text, failing on any exception.

In CI these run a derandomized handful of examples (see conftest.py); ``make fuzz`` runs them with
thousands of random examples (``HYPOTHESIS_PROFILE=fuzz``).  Inputs mix random Unicode with the
things that broke extractors before: huge numbers, Eastern and superscript digits, combining marks
inside numbers, month names and relative dates against extreme publication dates.
"""
from __future__ import annotations

from hypothesis import given, strategies as st

from troopwatch import cli
from troopwatch.article import Article
from troopwatch.dates import find_dates, resolve_dates
from troopwatch.numbers import find_numbers
from troopwatch.pipeline import extract_article

_PIECES = list("0123456789٠١٢٣٤٥٦٧٨٩۱۲¹²³⁴,.-/ ") + [
    "\u0300", "\u0651", "\u0640", "\u200f", "\n", "جندي", "جنود", "ألف", "آلاف", "مليون", "عام", "يناير",
    "كانون الثاني", "الماضي", "المقبل", "منذ", "قتل", "هجوما", "نحو", "بين", "و", "الـ", "99999999999999999999",
]
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(_PIECES), max_size=60).map("".join),
)
PUBLISHED = st.sampled_from([None, "0001-01-01", "9999-12-31", "2020-02-29", "2024", "2024-01"])


@given(TEXTS, PUBLISHED)
def test_every_extractor_survives_any_text(text, published):
    for m in find_numbers(text):
        assert 0 <= m.start <= m.end <= len(text)
    for m in resolve_dates(find_dates(text), published):
        assert 0 <= m.start <= m.end <= len(text)
    result = extract_article(Article.from_text(text, "fuzz", {"id": "fuzz", "text": text, "published": published}))
    for claim in result["claims"]:
        assert 0 <= claim["start"] <= claim["end"] <= len(text)
        assert text[claim["start"]:claim["end"]] == claim["mention"]


@given(st.lists(TEXTS, min_size=1, max_size=3))
def test_the_command_line_survives_any_corpus(tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("fuzz_corpus")
    for i, text in enumerate(texts):
        (folder / f"a{i}.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
    for command in ("articles", "claims", "dates", "framing"):
        code = cli.main([command, str(folder), "--format", "csv"])
        assert code in (0, 2)  # 2: nothing readable in the corpus, said in one line
