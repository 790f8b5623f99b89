"""Framing figures: each has a title, axis labels, a source note, and draws its data twin."""
from __future__ import annotations

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
    # five articles, all with distinct outlets or unknown: five rows
    assert len(data) == 5 and data["articles"].sum() == 5
    fig = fp.frames_heatmap_figure(table)
    _check(fig)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_yticklabels()] == list(data["group"])


def test_attribution_profile(table):
    data = fp.attribution_profile_data(table)
    assert list(data["anonymous"]) == list(table["sources_anonymous_per_1000"])
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
