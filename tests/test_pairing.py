"""An English wire story and its Arabic rendition (tests/fixtures/pair/): what pairing finds, as expected.yml says."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from troopwatch.pairing import PAIR_COLUMNS, find_pairs, name_key, pairs_table
from troopwatch.pipeline import extract

PAIR = Path(__file__).resolve().parent / "fixtures" / "pair"
EXPECTED = yaml.safe_load((PAIR / "expected.yml").read_text(encoding="utf-8"))


def _corpus() -> pd.DataFrame:
    df = pd.read_csv(PAIR / "articles.csv", dtype=str, keep_default_na=False)
    df["id"] = df["file"]
    df["text"] = [(PAIR / f).read_text(encoding="utf-8") for f in df["file"]]
    return df


@pytest.fixture(scope="module")
def tables():
    return extract(_corpus())


@pytest.fixture(scope="module")
def pair(tables):
    pairs = find_pairs(tables.articles, tables.claims, tables.framing)
    assert len(pairs) == 1
    return pairs[0]


def test_the_pair_is_found(pair):
    want = EXPECTED["pair"]
    assert (pair.source, pair.rendition) == (want["source"], want["rendition"])
    assert (pair.source_published, pair.rendition_published) == (want["source_published"], want["rendition_published"])


@pytest.mark.parametrize("status", ["kept", "changed", "added", "dropped"])
def test_figures(pair, status):
    want = EXPECTED["figures"][status]
    got = pair.figures[status]
    assert len(got) == len(want), got
    for w in want:
        # every field expected.yml gives, exactly; one figure of ours per expected figure
        hits = [g for g in got if all(g.get(k) == v for k, v in w.items())]
        assert len(hits) == 1, (w, got)


@pytest.mark.parametrize("status", ["kept", "dropped"])
def test_sources(pair, status):
    want = EXPECTED["sources"][status]
    got = pair.sources[status]
    assert len(got) == len(want), got
    for w in want:
        assert sum(all(g.get(k) == v for k, v in w.items()) for g in got) == 1, (w, got)


def test_frame_scores_side_by_side(pair, tables):
    framing = tables.framing.set_index("article")
    assert pair.frames, "no frame scores"
    for frame, (en, ar) in pair.frames.items():
        assert en == framing.loc[pair.source, f"frame_{frame}"]
        assert ar == framing.loc[pair.rendition, f"frame_{frame}"]


def test_english_dates(tables):
    got = tables.dates[tables.dates["article"] == EXPECTED["pair"]["source"]]
    assert sorted(zip(got["mention"], got["value"])) == sorted((d["mention"], d["value"]) for d in EXPECTED["dates"]["en"])


def test_arabic_dates(tables):
    got = tables.dates[tables.dates["article"] == EXPECTED["pair"]["rendition"]]
    found = list(zip(got["mention"], got["value"]))
    for d in EXPECTED["dates"]["ar"]:
        # the Arabic mention keeps the word before it ("يوم الخميس ...", "منذ مطلع ..."): the expected text is inside it
        assert any(d["mention"] in m for m, _ in found), (d, found)
    misread = [d for d in EXPECTED["dates"]["ar"] if not any(d["mention"] in m and v == d["value"] for m, v in found)]
    assert not misread, (misread, found)


def test_pairs_table_has_one_row_per_item(tables, pair):
    table = pairs_table(tables)
    assert list(table.columns) == PAIR_COLUMNS
    figures = table[table["section"] == "figure"]
    assert len(figures) == sum(len(v) for v in EXPECTED["figures"].values())
    changed = figures[figures["status"] == "changed"].iloc[0]
    assert (changed["en_value"], changed["ar_value"], changed["how"]) == (37, 40, "rounded")
    assert set(table.loc[table["section"] == "frame", "frame"]) == set(pair.frames)


def test_names_compare_across_scripts():
    assert name_key("Daniel Hurst") == name_key("دانيال هيرست")
    assert name_key("Karim al-Saadi") != name_key("دانيال هيرست")


def test_no_pair_without_a_shared_figure(tables):
    articles = tables.articles.copy()
    claims = tables.claims[tables.claims["article"] != EXPECTED["pair"]["rendition"]]
    assert find_pairs(articles, claims, tables.framing) == []


def test_no_pair_more_than_two_days_apart(tables):
    articles = tables.articles.copy()
    articles.loc[articles["id"] == EXPECTED["pair"]["rendition"], "published"] = "2024-03-20"
    assert find_pairs(articles, tables.claims, tables.framing) == []


def test_pair_figures_and_their_csv_twins(tables, tmp_path):
    from troopwatch.pairing_plots import pair_figures_data, pair_figures_figure, pair_frames_data, pair_frames_figure
    from troopwatch.plots import save_figure

    table = pairs_table(tables)
    data = pair_figures_data(table)
    assert len(data) == len(table[table["section"] == "figure"])
    assert "نحو 40" in " ".join(data["label"])
    saved = save_figure("pair_figures", data, tmp_path, figure=pair_figures_figure(table), formats=["png"])
    assert (tmp_path / "pair_figures.png").stat().st_size > 0
    assert pd.read_csv(tmp_path / "pair_figures.csv")["status"].tolist() == data["status"].tolist()
    frames = pair_frames_data(table)
    assert len(frames) == len(table[table["section"] == "frame"])
    save_figure("pair_frames", frames, tmp_path, figure=pair_frames_figure(table), formats=["png"])
    assert saved.rows == len(data)
