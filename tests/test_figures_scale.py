"""The notebooks' work at scale: the same results as the plain, row-by-row way, in bounded time and memory."""
from __future__ import annotations

from collections import Counter, defaultdict

from troopwatch import distinctive
from troopwatch.text import DROPPED_CHARACTERS, normalize

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
                surfaces[group][stem][DROPPED_CHARACTERS.sub("", form)] += n
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


# ---------------------------------------------------------------- figures at scale

def _claims(n: int, months: int = 12):
    import pandas as pd

    from tests.test_plots import claim

    rows = []
    for i in range(n):
        kind = ("exact", "approx", "range", "at_least")[i % 4]
        value = None if kind == "range" else 1000 + 37 * i % 4000
        date = (f"2021-{1 + i % months:02d}-{1 + i % 28:02d}" if i % 3 else f"2021-{1 + i % months:02d}"
                if i % 2 else "2022")
        rows.append(claim(f"a{1 + i % 3}", "troops", value, kind, ("US", "coalition")[i % 2], date,
                          low=900 + i if kind == "range" else None, high=1900 + i if kind == "range" else None,
                          window_start="2020-10" if i % 7 == 0 else None, start=i))
    return pd.DataFrame(rows)


def test_placements_column_wise_equal_the_row_by_row_reading():
    from tests.test_plots import ARTICLES
    from troopwatch import plots

    rows = plots.troops_chart(_claims(60), ARTICLES).rows
    rows.loc[3, "date_first"] = None  # no day written: read from the date as shown
    placed = plots._placements(rows)
    for k, row in enumerate(rows.to_dict("records")):
        first, last, mid = plots._row_x(row)
        assert (placed["first"].iloc[k].date(), placed["last"].iloc[k].date(), placed["mid"].iloc[k].date()) == \
               (first, last, mid)
        assert placed["month"].iloc[k] == f"{mid.year:04d}-{mid.month:02d}"
        assert placed["y"].iloc[k] == plots._plotted_value(row)
        assert (placed["lo"].iloc[k], placed["hi"].iloc[k]) == plots._bounds(row)


def test_monthly_summary_and_band_equal_the_claims_counted_one_by_one():
    import statistics

    from tests.test_plots import ARTICLES
    from troopwatch import plots

    rows = plots.troops_chart(_claims(90), ARTICLES).rows
    summary = plots.monthly_summary(rows)
    band = plots.monthly_band(rows)
    by_month: dict = {}
    for row in rows.to_dict("records"):
        mid = plots._row_x(row)[2]
        by_month.setdefault((row["panel"], f"{mid.year:04d}-{mid.month:02d}"), []).append(plots._plotted_value(row))
    assert summary.groupby(["panel", "month"])["claims"].sum().to_dict() == {k: len(v) for k, v in by_month.items()}
    for r in band.itertuples():
        values = by_month[(r.panel, r.month)]
        assert r.claims == len(values) and r.median == statistics.median(values)
        assert min(values) <= r.q25 <= r.median <= r.q75 <= max(values)


def test_a_large_interactive_figure_shows_the_monthly_summary_not_every_claim(monkeypatch):
    from tests.test_plots import ARTICLES
    from troopwatch import plots

    chart = plots.troops_chart(_claims(120), ARTICLES)
    points = lambda fig: sum(len(t.x or ()) for t in fig.data if t.mode == "markers")  # noqa: E731
    every = plots.claims_interactive(chart)
    assert points(every) == len(chart.rows)  # below the limit: one marker per claim, its sentence on hover
    monkeypatch.setattr(plots, "INTERACTIVE_AGGREGATE_AT", 30)
    summary = plots.claims_interactive(chart)
    monthly = plots.monthly_summary(chart.rows, plots.outlet_groups(chart.rows, chart.colours)[0])
    assert points(summary) == len(monthly) < len(chart.rows)  # one marker per month and outlet group
    hover = " ".join(str(t.hovertemplate) for t in summary.data)
    assert "claims: median" in hover and "%{customdata[5]}" in hover
    assert not any("للولايات" in str(t.customdata) for t in summary.data)  # no sentence: they are in the CSV


def test_a_crowded_timeline_draws_one_dot_per_outlet_and_event(monkeypatch):
    import pandas as pd

    from tests.test_plots import ARTICLES
    from troopwatch import plots

    events = pd.DataFrame([{"article": f"a{1 + i % 3}", "date": f"2020-0{1 + i % 4}", "precision": "month",
                            "event": f"حدث {i % 4}", "sentence": "جملة", "start": i, "end": i + 1} for i in range(60)])
    chart = plots.events_chart(events, ARTICLES)
    dots = lambda fig: sum(1 for line in fig.axes[0].lines if line.get_marker() == "o")  # noqa: E731
    assert dots(plots.events_figure(chart)) == 60  # one per mention
    monkeypatch.setattr(plots, "MAX_EVENT_DOTS", 20)
    assert dots(plots.events_figure(chart)) == 4 * 3  # four events, three outlets each
    html = plots.events_interactive(chart)
    assert sum(len(t.x) for t in html.data) == 12
    assert sum(int(c[1]) for t in html.data for c in t.customdata) == 60  # every mention counted on hover


def test_large_tables_are_streamed_in_chunks_with_the_same_bytes(tmp_path, monkeypatch):
    import os

    import numpy as np
    import pandas as pd

    from troopwatch import io as tw_io

    df = pd.DataFrame({"a": pd.array([1, None, 3, 4, 5, 6, 7], dtype="Int64"),
                       "b": ["x", None, "=ج", "d,e", 'f"', "-1", "@g"],
                       "c": [0.1, float("nan"), 2.0, 3.5, 1e20, -0.0, np.float64(7)]})
    whole = tw_io.write_csv(df, tmp_path / "whole.csv", jsonl_twin=True)
    monkeypatch.setattr(tw_io, "CHUNK_ROWS", 3)
    chunked = tw_io.write_csv(df, tmp_path / "chunked.csv", jsonl_twin=True)
    for suffix in (".csv", ".jsonl"):
        assert whole.with_suffix(suffix).read_bytes() == chunked.with_suffix(suffix).read_bytes()
    assert "'=ج" in chunked.read_text(encoding="utf-8")  # each chunk is made safe for spreadsheets
    before = os.stat(chunked).st_mtime_ns
    os.utime(chunked, ns=(before - 10**9, before - 10**9))
    tw_io.write_csv(df, chunked)  # the same bytes: the file is left as it is
    assert os.stat(chunked).st_mtime_ns == before - 10**9
    tw_io.write_csv(df.iloc[:5], chunked)
    assert chunked.read_bytes() == df.iloc[:5].pipe(tw_io.spreadsheet_safe).to_csv(
        index=False, lineterminator="\n").encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chunked.csv", "chunked.jsonl", "whole.csv", "whole.jsonl"]


def test_one_kernel_at_a_time_reads_and_fills_the_extraction_cache(tmp_path):
    import threading
    import time

    from troopwatch import report

    order = []

    def second():
        with report.extraction_lock(tmp_path / "cache"):
            order.append("second")

    with report.extraction_lock(tmp_path / "cache"):
        other = threading.Thread(target=second)
        other.start()
        time.sleep(0.2)
        order.append("first done")
    other.join(5)
    assert order == ["first done", "second"]
    with report.extraction_lock(None):  # no cache, nothing to hold
        pass


def test_unchanged_input_files_are_not_read_again_but_any_change_is_seen(tmp_path, monkeypatch):
    import hashlib
    import json
    import os
    import time

    from troopwatch import runner

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_text(f"نص {name}", encoding="utf-8")
    known = tmp_path / "build" / runner.HASHES_NAME
    monkeypatch.setattr(runner, "STAT_TRUST_NS", 0)  # files written just now count as settled

    def digest() -> str:
        h = hashlib.sha256()
        runner._hash_tree(h, corpus, "corpus")
        return h.hexdigest()

    with runner._hash_once(known):
        first = digest()
    saved = json.loads(known.read_text(encoding="utf-8"))
    assert sorted(os.path.basename(p) for p in saved["files"]) == ["a.txt", "b.txt"]
    # a recorded hash is used as it is while the file's size, times and inode are unchanged ...
    path_a = str(corpus / "a.txt")
    saved["files"][path_a][4] = "00" * 32
    known.write_text(json.dumps(saved), encoding="utf-8")
    with runner._hash_once(known):
        assert digest() != first
    # ... and any write to the file (same size, its modification time put back) reads it again
    st = os.stat(path_a)
    time.sleep(0.05)  # past the clock tick of the last write: the change time moves
    (corpus / "a.txt").write_text("نص x.txt", encoding="utf-8")
    os.utime(path_a, ns=(st.st_atime_ns, st.st_mtime_ns))
    (corpus / "a.txt").write_text("نص a.txt", encoding="utf-8")
    os.utime(path_a, ns=(st.st_atime_ns, st.st_mtime_ns))
    with runner._hash_once(known):
        assert digest() == first
    assert digest() == first  # without the record: every file read
