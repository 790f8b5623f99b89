"""The official troop-level series drawn behind the claims is cited row by row."""
import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERIES = ROOT / "data" / "reference" / "us_troops_iraq.csv"
README = ROOT / "data" / "reference" / "README.md"


def rows():
    with SERIES.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_figure_names_its_document_and_a_page_that_reports_it():
    figures = [r for r in rows() if r["troops"]]
    assert figures
    for r in figures:
        assert r["source"] and r["document"] and r["source_date"], r["date"]
        assert re.match(r"https?://[^\s/]+\.[^\s/]+/\S+$", r["checked_against"]), r["date"]


def test_a_gap_row_carries_no_figure_and_no_source():
    gaps = [r for r in rows() if not r["troops"]]
    assert gaps and all(not r["source"] and not r["checked_against"] for r in gaps)


def test_the_readme_table_states_the_same_figures_as_the_series():
    table = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*(\d{4}-\d{2}(?:-\d{2})?)\s*\|\s*([\d,]+|\(none\))\s*\|", line)
        if m:
            table[m.group(1)] = "" if m.group(2) == "(none)" else m.group(2).replace(",", "")
    assert table == {r["date"]: r["troops"] for r in rows()}
