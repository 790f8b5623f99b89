"""The notebooks' work at scale: the same results as the plain, row-by-row way, in bounded time and memory."""
from __future__ import annotations

from collections import Counter, defaultdict

from troopwatch import distinctive
from troopwatch.text import _DROPPED, normalize

# Written for this test: diacritics, tatweel, alef and hamza variants, Eastern digits, a Latin
# name and a domain, an invisible mark inside a word, a presentation form and a dot hidden in a word.
TEXTS = [
    "قالَ المُتحدِّثُ إنّ القوّات الأمريكيّة ستغادر قاعدة عين الأسد خلال ٣ أشهر.",
    "وأكّد مسؤولٌ أنّ الانسحاب سيكتمل، ونقلت وكالة Reuters عن مسئول آخر أن القـــوات باقية.",
    "أعلنت الحكومة إنهاء مهمة التحالف؛ وذكر موقع example.com أن 2,500 جندي ما زالوا في البلاد.",
    "الق\u200fوات الأجنبية في إربيل وأربيل، والمستشارون الأميركيون يغادرون القاعدة.",
    "ﻻ يزال الجنود في القاعدة",  # a presentation form: read token by token
    "هجوم على قاعدة حرير أسفر عن إصـ.ـابة جنديين",  # a dot hidden in a word: read token by token
    "The coalition said the advisers would stay in Erbil, officials said.",
]


def _plain(texts, groups):
    counts, surfaces = defaultdict(Counter), defaultdict(lambda: defaultdict(Counter))
    for text, group in zip(texts, groups):
        c, s = distinctive._stems(normalize(text))
        counts[group].update(c)
        for stem, forms in s.items():
            for form, n in forms.items():
                surfaces[group][stem][_DROPPED.sub("", form)] += n
    return counts, surfaces


def test_stems_counted_over_written_tokens_equal_the_token_by_token_reading():
    groups = ["a", "b", "a", "b", "a", "b", "c"]
    fast_counts, fast_surfaces = distinctive._group_counts(TEXTS, groups)
    plain_counts, plain_surfaces = _plain(TEXTS, groups)
    assert dict(fast_counts) == dict(plain_counts)
    assert {g: {s: dict(f) for s, f in d.items()} for g, d in fast_surfaces.items()} == \
           {g: {s: dict(f) for s, f in d.items()} for g, d in plain_surfaces.items()}
    # the written form is shown, diacritics dropped: القوّات counts under the stem of القوات
    assert fast_surfaces["a"][distinctive.light_stem("القوات")]["القوات"] >= 1


def test_surface_tokens_line_up_with_the_normalized_tokens():
    from troopwatch.words import TOKEN_RE

    for text in TEXTS:
        written = distinctive._surface_tokens(text)
        if written is None:
            continue
        folded = [normalize(w).text for w in written]
        assert folded == TOKEN_RE.findall(normalize(text).text)


def test_jsonl_written_column_by_column_equals_json_dumps_of_each_row():
    import datetime as dt

    import numpy as np
    import pandas as pd

    from troopwatch import io as tw_io

    df = pd.DataFrame({
        "number": [1, None, 3.5, float("inf")],
        "text": ['a "quoted" word', None, "=HYPERLINK(1)", "\u200fعربي\nسطر"],
        "numpy": [np.int64(3), np.float32(2.5), pd.NA, pd.NaT],
        "objects": [[1, 2], {"k": "v"}, dt.date(2020, 1, 2), pd.Timestamp("2021-01-01")],
        "flags": [True, False, np.bool_(True), None],
        "nullable": pd.array([1, None, 3, 4], dtype="Int64"),
        "floats": [-0.0, 1e20, 1 / 3, -5],
    })
    assert tw_io.jsonl_text(df) == tw_io._jsonl_rows(df)
    assert tw_io.jsonl_text(df.iloc[:0]) == tw_io._jsonl_rows(df.iloc[:0]) == ""
    twice = pd.DataFrame([[1, 2]], columns=["a", "a"])
    assert tw_io.jsonl_text(twice) == tw_io._jsonl_rows(twice) == '{"a": 2}\n'
