"""Framing figures: each has a title, axis labels, a source note, and draws its data twin."""
from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest
from matplotlib.figure import Figure

from troopwatch import framing_plots as fp
from troopwatch.corpus import load_corpus
from troopwatch.framing import distinctive_terms, frame_names, framing_table

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus([RAW])


@pytest.fixture(scope="module")
def table(corpus):
    return framing_table(corpus)


def _texts(fig: Figure) -> str:
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def _check(fig: Figure) -> None:
    assert isinstance(fig, Figure)
    texts = _texts(fig)
    assert "Source: troopwatch" in texts
    for t in fig.findobj(matplotlib.text.Text):
        if t.get_text():
            assert t.get_fontstyle() == "normal"  # DejaVu Sans Oblique has no Arabic glyphs


def test_frames_heatmap(table):
    data = fp.frames_heatmap_data(table)
    assert list(data.columns[3:]) == list(frame_names())
    # articles with no outlet form one group "unknown", not one row each
    unknown = int(table["outlet"].isna().sum() + (table["outlet"].astype(str).str.strip() == "").sum())
    assert unknown >= 2
    assert len(data) == len(table) - unknown + 1 and data["articles"].sum() == len(table)
    assert data.loc[data["group"] == "unknown", "articles"].item() == unknown
    fig = fp.frames_heatmap_figure(table)
    _check(fig)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    plain = [re.sub("[\u2066-\u2069]", "", t) for t in ticks]
    assert [t.rsplit("  (", 1)[0] for t in plain] == list(data["group"])
    assert len(ticks) == len(data)
    assert any(t.endswith(f"({unknown} articles)") for t in ticks)


def test_attribution_profile(table):
    data = fp.attribution_profile_data(table)
    # one row per outlet group, each the words-weighted mean of its articles
    detail = fp.article_detail(table)
    for group, part in detail.groupby("group"):
        expected = (part["sources_anonymous_per_1000"] * part["words"]).sum() / part["words"].sum()
        assert data.loc[data["group"] == group, "anonymous"].item() == pytest.approx(expected, abs=0.01)
    fig = fp.attribution_profile_figure(table)
    _check(fig)
    assert fig.axes[0].get_xlabel() == "mentions per 1,000 words"


def test_actor_salience(table):
    data = fp.actor_salience_data(table)
    assert (data["us"] > 0).all()
    _check(fp.actor_salience_figure(table))


def test_distinctive_terms_figure_uses_arabic_labels(corpus):
    terms = distinctive_terms(corpus, top=8)
    data = fp.distinctive_terms_data(terms, top=5)
    assert data.groupby("group").size().max() <= 5
    fig = fp.distinctive_terms_figure(terms, top=5, n_articles=len(corpus))
    _check(fig)
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert any("\u0600" <= ch <= "\u06ff" for label in labels for ch in label)


def test_stance_table(table, tmp_path):
    data = fp.stance_table_data(table)
    assert len(data) == 5 and data["deciding_sentence"].str.len().gt(10).all()
    fig = fp.stance_table_figure(table)
    _check(fig)
    fig.savefig(tmp_path / "stance.png", dpi=50)
    assert (tmp_path / "stance.png").stat().st_size > 1000


def test_groups_can_be_any_article_column_and_detail_keeps_full_ids(table, corpus):
    articles = corpus.rename(columns={"article": "id"}) if "id" not in corpus.columns else corpus
    articles = articles.assign(language="ar")
    data = fp.frames_heatmap_data(table, "language", articles)
    assert list(data["group"]) == ["ar"] and data["articles"].item() == len(table)
    with pytest.raises(KeyError, match="no article column 'nope'"):
        fp.frames_heatmap_data(table, "nope", articles)
    detail = fp.article_detail(table, articles)
    assert sorted(detail["article"]) == sorted(table["article"].astype(str))
    assert len(set(detail["article"])) == len(detail)  # full ids: no two articles share a label


def test_source_colours_are_colour_blind_safe():
    # no red next to green (the old palette had #55a868 beside #c44e52)
    assert set(fp.SOURCE_COLOURS.values()) <= {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"}
    assert not {"#009E73", "#D55E00"} <= set(fp.SOURCE_COLOURS.values())
