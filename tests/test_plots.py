"""Figures: the rows each chart plots, what it leaves out, and reproducible, complete files."""
from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from troopwatch import plots

ARTICLES = pd.DataFrame({
    "id": ["a1", "a2", "a3"],
    "outlet": ["الترا عراق (Ultra Iraq)", None, "gulfnews24.net"],
})


def claim(article, kind, value, qualifier, actor, refers_to, *, low=None, high=None, window_start=None, start=0,
          sentence="للولايات المتحدة 2500 جندي في العراق"):
    precision = None if refers_to is None else {1: "year", 2: "month", 3: "day"}[len(refers_to.split("-"))]
    return {
        "article": article, "kind": kind, "value": value, "low": low, "high": high, "qualifier": qualifier,
        "actor": actor, "place": "العراق", "refers_to": refers_to, "refers_to_precision": precision,
        "window_start": window_start, "refers_to_basis": "test", "mention": "2500 جندي", "sentence": sentence,
        "sentence_start": 0, "sentence_end": len(sentence), "start": start, "end": start + 4,
        "extractor_version": "test",
    }


CLAIMS = pd.DataFrame([
    claim("a2", "troops", 2500, "exact", "US", "2024-01", start=40),
    claim("a1", "troops", 2500, "approx", "US", "2021-03-23", start=10),
    claim("a1", "troops", None, "range", "coalition", "2020", low=3000, high=3500, start=90),
    claim("a2", "troops", None, "vague", "other_country", "2024-01", low=200, high=900, start=80),
    claim("a3", "troops", 5000, "approx", "US", None, start=5),  # no date: cannot be placed
    claim("a3", "troops", 100000, "exact", "iraqi", "2021", start=60),  # not foreign forces
    claim("a3", "attacks", 150, "at_least", "militia", "2024-01-31", low=150, window_start="2023-10", start=7),
    claim("a2", "attacks", 150, "approx", "militia", "2024-01", window_start="2023-10", start=3),
    claim("a1", "casualties", 3, "exact", "US", "2024-01-28", start=30),
])

EVENTS = pd.DataFrame([
    {"article": "a3", "date": "2024-01-24", "precision": "day", "event": "اجتماع السفيرة مع وزير الخارجية",
     "sentence": "في اجتماع عُقد في 24 كانون الثاني/يناير", "start": 50, "end": 60},
    {"article": "a1", "date": "2020-01", "precision": "month", "event": "الغارة الجوية الأمريكية",
     "sentence": "الغارة الجوية الأمريكية في كانون الثاني/يناير 2020", "start": 5, "end": 9},
    {"article": "a2", "date": None, "precision": None, "event": "زيارة", "sentence": "زيارة", "start": 1, "end": 2},
    {"article": "zz", "date": "2020", "precision": "year", "event": "not selected", "sentence": "-", "start": 0,
     "end": 1},
])


def test_period_bounds_cover_day_month_and_year():
    import datetime as dt

    assert plots.period_bounds("2021-03-23") == (dt.date(2021, 3, 23), dt.date(2021, 3, 23))
    assert plots.period_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert plots.period_bounds("2023-12") == (dt.date(2023, 12, 1), dt.date(2023, 12, 31))
    assert plots.period_bounds("2020") == (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    with pytest.raises(ValueError, match="not an ISO date"):
        plots.period_bounds("March 2021")


def test_value_labels_say_how_the_number_is_put():
    assert plots.value_label({"qualifier": "exact", "value": 2500.0}) == "2,500"
    assert plots.value_label({"qualifier": "approx", "value": 5000}) == "~5,000"
    assert plots.value_label({"qualifier": "at_least", "value": None, "low": 150}) == "≥150"
    assert plots.value_label({"qualifier": "at_most", "value": 40}) == "≤40"
    assert plots.value_label({"qualifier": "range", "value": None, "low": 3000, "high": 3500}) == "3,000–3,500"
    assert plots.value_label({"qualifier": "vague", "value": None, "low": 200, "high": 900}) == "200–900 (vague)"


def test_only_arabic_mixed_with_latin_or_digits_is_isolated():
    assert plots.isolate_rtl("الترا عراق (Ultra Iraq)") == "\u2067الترا عراق (Ultra Iraq)\u2069"
    assert plots.isolate_rtl("للولايات المتحدة 2500 جندي") == "\u2067للولايات المتحدة 2500 جندي\u2069"
    assert plots.isolate_rtl("القوات الأمريكية") == "القوات الأمريكية"
    assert plots.isolate_rtl("gulfnews24.net") == "gulfnews24.net"


def test_human_dates():
    assert plots.human_date("2023-10") == "Oct 2023"
    assert plots.human_date("2021-03-23") == "23 Mar 2021"
    assert plots.human_date("2020") == "2020"


def test_troops_chart_plots_dated_foreign_troop_claims_and_says_what_it_leaves_out():
    chart = plots.troops_chart(CLAIMS, ARTICLES, corpus="data/raw")
    rows = chart.rows
    assert list(rows.columns[: len(plots.TWIN_COLUMNS)]) == plots.TWIN_COLUMNS
    assert set(rows["actor"]) == {"US", "coalition", "other_country"}
    assert len(rows) == 4
    assert set(rows["panel"]) == {"US troops", "Other foreign troops (coalition, other countries)"}
    # the article without an outlet is labelled, never left blank
    assert rows.loc[rows["article"] == "a2", "outlet"].unique().tolist() == [plots.UNKNOWN_OUTLET]
    assert rows.loc[rows["article"] == "a1", "outlet"].unique().tolist() == ["الترا عراق (Ultra Iraq)"]
    assert any("1 claim with no date" in note for note in chart.left_out)
    assert any("Iraqi, militia or unattributed" in note for note in chart.left_out)
    # sorted: panel, then date
    us = rows[rows["panel"] == "US troops"]
    assert us["date"].tolist() == sorted(us["date"])


def test_troops_chart_period_filter_keeps_overlapping_dates():
    chart = plots.troops_chart(CLAIMS, ARTICLES, start="2021-01", end="2023-12")
    assert chart.rows["date"].tolist() == ["2021-03-23"]
    assert any("outside the period" in note for note in chart.left_out)
    # a year-precision date overlaps a period that starts inside that year
    chart = plots.troops_chart(CLAIMS, ARTICLES, start="2020-06", end="2020-07")
    assert chart.rows["date"].tolist() == ["2020"]


def test_attacks_chart_keeps_the_window_of_cumulative_counts():
    chart = plots.attacks_chart(CLAIMS, ARTICLES)
    assert len(chart.rows) == 2
    assert set(chart.rows["window_start"]) == {"2023-10"}
    assert chart.rows["date"].tolist() == ["2024-01", "2024-01-31"]


def test_events_chart_is_in_date_order_and_only_for_selected_articles():
    chart = plots.events_chart(EVENTS, ARTICLES)
    assert chart.rows["date"].tolist() == ["2020-01", "2024-01-24"]
    assert "not selected" not in set(chart.rows["event"])
    assert chart.left_out == ["Not shown: 1 event with no date."]


def test_outlet_colours_are_stable_and_grey_for_unknown():
    first = plots.outlet_colours(["b", "a", None])
    second = plots.outlet_colours(["a", None, "b", "a"])
    assert first == second
    assert first[plots.UNKNOWN_OUTLET] == plots.UNKNOWN_COLOUR
    assert first["a"] != first["b"]


def test_arabic_is_drawn_with_upright_dejavu_sans():
    from matplotlib import font_manager

    with plots.figure_style():
        import matplotlib

        props = font_manager.FontProperties(family=matplotlib.rcParams["font.family"],
                                            style=matplotlib.rcParams["font.style"])
        path = font_manager.findfont(props, fallback_to_default=False)
    assert path.endswith("DejaVuSans.ttf"), path


def _save_all(folder, formats=plots.FORMATS):
    saved = []
    for chart, draw, interactive in [
        (plots.troops_chart(CLAIMS, ARTICLES), plots.troops_figure, plots.troops_interactive),
        (plots.attacks_chart(CLAIMS, ARTICLES), plots.attacks_figure, plots.attacks_interactive),
        (plots.events_chart(EVENTS, ARTICLES), plots.events_figure, plots.events_interactive),
    ]:
        saved.append(plots.save_figure(chart.name, chart.rows, folder, figure=draw(chart),
                                       interactive=interactive(chart), formats=formats))
    return saved


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_saved_figures_are_complete_and_byte_reproducible(tmp_path):
    saved = _save_all(tmp_path / "one")
    _save_all(tmp_path / "two")
    one, two = _digests(tmp_path / "one"), _digests(tmp_path / "two")
    assert one == two
    for name in ("troops_over_time", "attacks_over_time", "events_timeline"):
        assert {f"{name}.{ext}" for ext in ("png", "svg", "html", "csv")} <= set(one)
    assert "plotly.min.js" in one
    png = (tmp_path / "one" / "troops_over_time.png").read_bytes()
    assert png.startswith(b"\x89PNG") and b"Matplotlib version" not in png
    svg = (tmp_path / "one" / "troops_over_time.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "<title>How many foreign troops" in svg
    page = (tmp_path / "one" / "troops_over_time.html").read_text(encoding="utf-8")
    assert '<script charset="utf-8" src="plotly.min.js"></script>' in page
    assert "cdn.plot.ly" not in page and 'id="troops_over_time"' in page
    # the hover text keeps mixed Arabic/Latin sentences in order
    assert json.dumps("\u2067للولايات المتحدة 2500 جندي في العراق\u2069")[1:-1] in page
    assert repr(saved[0]).startswith("troops_over_time: 4 rows plotted -> ")


def test_csv_twin_holds_exactly_the_plotted_rows(tmp_path):
    chart = plots.troops_chart(CLAIMS, ARTICLES)
    plots.save_figure(chart.name, chart.rows, tmp_path, figure=plots.troops_figure(chart), formats=["png"])
    twin = pd.read_csv(tmp_path / "troops_over_time.csv", dtype={"article": str, "date": str})
    assert twin[plots.TWIN_COLUMNS[:3]].values.tolist() == chart.rows[plots.TWIN_COLUMNS[:3]].values.tolist()
    assert twin["value"].tolist()[2:] == [2500.0, 2500.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["troops_over_time.csv", "troops_over_time.png"]


def test_save_figure_rejects_unknown_formats_and_names(tmp_path):
    chart = plots.attacks_chart(CLAIMS, ARTICLES)
    with pytest.raises(ValueError, match="unknown figure format.*pdf"):
        plots.save_figure(chart.name, chart.rows, tmp_path, figure=plots.attacks_figure(chart), formats=["pdf"])
    with pytest.raises(ValueError, match="figure name"):
        plots.save_figure("../escape", chart.rows, tmp_path, formats=["png"])
    assert not any(tmp_path.iterdir())


def test_empty_charts_still_draw_a_titled_figure(tmp_path):
    none = CLAIMS.iloc[0:0]
    chart = plots.troops_chart(none, ARTICLES)
    saved = plots.save_figure(chart.name, chart.rows, tmp_path, figure=plots.troops_figure(chart),
                              interactive=plots.troops_interactive(chart))
    assert saved.rows == 0 and saved.png.startswith(b"\x89PNG")
    assert pd.read_csv(tmp_path / "troops_over_time.csv").empty


# ---------------------------------------------------------------- every claim placed, any size

WINDOWED = pd.DataFrame([
    {**claim("a1", "troops", 2500, "exact", "US", None, start=1), "refers_to_window": "2023-10-07/2024-08-31"},
    {**claim("a2", "attacks", 150, "at_least", "militia", None, start=2, window_start="2023-10"),
     "refers_to_window": "2024-01-01/2024-02-15"},
    {**claim("a3", "troops", 5000, "approx", "US", None, start=3), "refers_to_window": None},
])


def test_a_claim_dated_only_to_a_window_is_drawn_across_it_and_only_the_unplaceable_are_counted():
    troops = plots.troops_chart(WINDOWED, ARTICLES)
    assert troops.rows["date"].tolist() == ["2023-10-07/2024-08-31"]
    row = troops.rows.iloc[0]
    assert (row["date_first"], row["date_last"], bool(row["date_uncertain"])) == ("2023-10-07", "2024-08-31", True)
    assert troops.left_out == ["Not shown: 1 claim with no date it refers to and no publication window to place "
                               "it in."]
    # "since October" with no date of its own: from the window's start to the end of the publication window
    attacks = plots.attacks_chart(WINDOWED, ARTICLES)
    assert attacks.rows[["date_first", "date_last"]].values.tolist() == [["2023-10-01", "2024-02-15"]]
    assert attacks.left_out == []


def test_each_kind_of_claims_yml_gets_a_figure_named_there():
    from troopwatch.claims import claim_kinds

    charts = plots.kind_charts(CLAIMS, ARTICLES)
    assert [c.name for c in charts] == [spec["figure"] for spec in claim_kinds().values()]
    casualties = next(c for c in charts if c.kind == "casualties")
    assert len(casualties.rows) == 1 and casualties.panels == ["US forces"]
    # a kind added to the lexicon (rule: count) is drawn with no code change, split by actor
    spec = {"rule": "count", "label": {"en": "Bases", "ar": "القواعد"}, "figure": "bases_over_time", "nouns": ["قاعدة"]}
    bases = CLAIMS.assign(kind="bases").iloc[:3]
    chart = plots.claims_chart(bases, ARTICLES, "bases", spec=spec)
    assert chart.name == "bases_over_time" and len(chart.rows) == 3
    assert "Bases" in chart.title and set(chart.panels) == {"US forces", "Other foreign forces"}
    fig = plots.claims_figure(chart)
    assert [ax.get_title(loc="left") for ax in fig.axes] == chart.panels


def test_value_labels_do_not_collide_and_large_charts_aggregate_per_month():
    import numpy as np

    rng = np.random.default_rng(1)
    n = 400
    many = pd.DataFrame([claim(f"a{1 + i % 3}", "troops", int(rng.integers(2000, 6000)), "exact", "US",
                               f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}", start=i) for i in range(n)])
    chart = plots.troops_chart(many, ARTICLES)
    assert len(chart.rows) == n  # the CSV twin keeps every claim
    fig = plots.claims_figure(chart)
    us = fig.axes[0]
    assert len(us.texts) == 0  # no value labels on an aggregate view
    summary = plots.monthly_summary(chart.rows)
    assert summary["claims"].sum() == n and (summary["lowest"] <= summary["median"]).all()
    assert (summary["median"] <= summary["highest"]).all()
    # few claims: labels only where they do not overlap one another
    few = plots.troops_chart(pd.DataFrame([claim("a1", "troops", 2500 + k, "exact", "US", "2021-03-23", start=k)
                                            for k in range(5)]), ARTICLES)
    ax = plots.claims_figure(few).axes[0]
    assert 1 <= len(ax.texts) < 5


def test_the_record_is_a_step_line_that_breaks_where_the_series_has_no_figure(tmp_path):
    import datetime as dt

    ref = plots.reference_series()
    assert ref is not None and set(plots.REFERENCE_COLUMNS) <= set(ref.columns)
    assert (ref["source"].str.len() > 0).sum() == ref["troops"].notna().sum()  # every figure is cited
    segments = plots._reference_steps(ref, dt.date(2007, 1, 1), dt.date(2024, 12, 31))
    assert len(segments) == 2  # 2007-2011, then 2019 on: no line through the gap
    assert segments[-1][1][-1] == 2500


def test_conflicting_figures_name_both_sources_and_sentences():
    rows = pd.DataFrame([
        claim("a1", "troops", 2500, "exact", "US", "2021-03-23", sentence="أ 2500"),
        claim("a3", "troops", 5000, "approx", "US", "2021-03", sentence="ب 5000"),
        claim("a2", "troops", 2400, "approx", "US", "2021-03-02", low=2000, high=3000, sentence="ج"),
        claim("a3", "troops", 9000, "exact", "iraqi", "2021-04-01"),
    ])
    chart = plots.conflicts_chart(rows, ARTICLES)
    assert len(chart.rows) == 1
    row = chart.rows.iloc[0]
    assert (row["month"], row["actor"], row["claims"]) == ("2021-03", "US", 3)
    assert {row["outlet_a"], row["outlet_b"]} == {"الترا عراق (Ultra Iraq)", "gulfnews24.net"}
    assert row["sentence_b"] == "ب 5000" and row["high_a"] < row["low_b"]
    agreeing = rows.iloc[[0, 2]]
    assert plots.conflicts_chart(agreeing, ARTICLES).rows.empty


def test_outlets_come_from_the_sidecar_then_the_url_then_the_credit_line():
    articles = pd.DataFrame({"id": ["x", "y", "z", "w"], "outlet": ["Sidecar", None, None, None],
                             "url": ["https://www.a.example/1", "https://www.news.example/p?q=1", None, None]})
    framing = pd.DataFrame({"article": ["z", "w"], "outlet": ["Credit Line", None]})
    assert plots.resolve_outlets(articles, framing) == {"x": "Sidecar", "y": "news.example", "z": "Credit Line",
                                                        "w": plots.UNKNOWN_OUTLET}


def test_a_byline_names_an_author_not_an_outlet():
    articles = pd.DataFrame({"id": ["a", "b"], "outlet": [None, None], "url": [None, None]})
    framing = pd.DataFrame({"article": ["a", "b"], "outlet": ["أحمد علي", "الترا عراق"],
                            "outlet_basis": ["byline", "dateline"]})
    resolved = plots.resolve_outlets(articles, framing)
    assert resolved == {"a": f"أحمد علي {plots.BYLINE_MARK}", "b": "الترا عراق"}


def test_mixed_labels_keep_their_order_and_auto_labels_drop_clitics():
    assert plots.bidi("withdrawal (السحب) 12 Apr 2020") == "withdrawal (\u2068السحب\u2069) 12 Apr 2020"
    assert plots.bidi("للولايات المتحدة 2500 جندي") == "\u2067للولايات المتحدة 2500 جندي\u2069"
    assert plots.bidi("plain text") == "plain text"
    assert plots.event_display("announcement (وأعلنت)") == "announcement (أعلنت)"
    assert plots.event_display("US strike kills Qassem Soleimani") == "US strike kills Qassem Soleimani"
    short = plots._shorten("Drone attack kills three US soldiers at Tower 22 in Jordan", 40)
    assert short.endswith("…") and "Drone attack kills three US soldiers at Tower 22 in Jordan".startswith(short[:-1])
    assert short[:-1].split()[-1] in "Drone attack kills three US soldiers at Tower 22 in Jordan".split()


def test_user_strings_are_html_escaped_in_interactive_figures():
    articles = pd.DataFrame({"id": ["a1"], "outlet": ["<script>alert(1)</script>"]})
    rows = pd.DataFrame([claim("a1", "troops", 2500, "exact", "US", "2021-03-23", sentence="<b>x</b> & y")])
    page = plots.claims_interactive(plots.troops_chart(rows, articles)).to_json()
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "&lt;b&gt;x" in page


def test_a_long_timeline_draws_the_most_mentioned_events_and_says_so():
    rows = [{"article": f"a{1 + k % 3}", "date": f"20{10 + k % 14}-0{1 + k % 9}", "precision": "month",
             "event": f"event {k}", "sentence": "-", "start": k, "end": k + 1} for k in range(plots.MAX_EVENT_ROWS + 20)]
    rows += [{"article": a, "date": "2020-01-03", "precision": "day", "event": "shared", "sentence": "-",
              "start": 0, "end": 1} for a in ("a1", "a2", "a3")]
    chart = plots.events_chart(pd.DataFrame(rows), ARTICLES)
    assert len(chart.rows) == len(rows)  # the CSV twin keeps every mention
    fig = plots.events_figure(chart)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == plots.MAX_EVENT_ROWS and any(label.startswith("shared") for label in labels)
    assert any("Shown: the 40 events mentioned by the most articles, of 61" in t.get_text() for t in fig.texts)
