"""The real notebooks, run by papermill on a small fixture corpus with non-default parameters.

nbval (``make test``) re-runs the committed notebooks on the default corpus and
compares their outputs; it knows nothing of parameters.  These tests cover the
other half: a user's corpus, an outlet filter, a period and fewer formats reach
every notebook, and what the notebooks write is what was asked for.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from troopwatch import plots, report, runner

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "corpus"
OUTLETS = "fixture-news.example,وكالة الاختبار (Test Agency)"  # leaves out a3_opinion (outlet not stated)
START, END = "2021-01", "2024-12"
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|tmp|root|home)/")


def digests(*folders: Path) -> dict[str, str]:
    return {
        p.relative_to(folder.parent).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    """Run every notebook once on the fixture corpus; yield the output folders."""
    out = tmp_path_factory.mktemp("run")
    parameters = {
        "corpus_dir": FIXTURE.relative_to(REPO).as_posix(),
        "processed_dir": (out / "processed").as_posix(),
        "figures_dir": (out / "figures").as_posix(),
        "outlets": OUTLETS,
        "start": START,
        "end": END,
        "formats": "png,html",
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        code = runner.run_notebooks(parameters, [], jobs=2, build_dir=out / "build", progress=False)
    assert code == 0, "a notebook failed on the fixture corpus; see the executed copies under build/"
    return {"out": out, "parameters": parameters}


def test_corpus_notebook_writes_the_selected_articles_without_text(fixture_run):
    articles = pd.read_csv(fixture_run["out"] / "processed" / "articles.csv")
    assert sorted(articles["id"]) == ["a1_pentagon", "a2_talks"]
    assert "text" not in articles.columns
    assert {"outlet", "published", "sha256"} <= set(articles.columns)


def test_claims_notebook_plots_exactly_the_claims_it_wrote(fixture_run):
    out = fixture_run["out"]
    claims = pd.read_csv(out / "processed" / "claims.csv", dtype={"refers_to": str})
    assert set(claims["article"]) <= {"a1_pentagon", "a2_talks"}
    troops = pd.read_csv(out / "figures" / "troops_over_time.csv", dtype={"date": str})
    attacks = pd.read_csv(out / "figures" / "attacks_over_time.csv", dtype={"date": str})
    assert list(troops.columns[:8]) == plots.TWIN_COLUMNS
    assert len(troops) >= 1, "the fixture's troop numbers should be plotted"
    # the tables hold the whole extraction; the period limits what the figures show
    in_period = report.within_period(claims, "refers_to", START, END)
    plotted = in_period[(in_period["kind"] == "troops") & in_period["actor"].isin(["US", "coalition", "other_country"])
                        & in_period["refers_to"].notna()]
    assert sorted(zip(troops["article"], troops["date"], troops["qualifier"])) == \
        sorted(zip(plotted["article"], plotted["refers_to"], plotted["qualifier"]))
    assert set(attacks["article"]) <= set(claims.loc[claims["kind"] == "attacks", "article"])
    for date in list(troops["date"]) + list(attacks["date"]):
        first, last = plots.period_bounds(date)
        assert last >= plots.period_bounds(START)[0] and first <= plots.period_bounds(END)[1]


def test_only_the_formats_asked_for_are_written(fixture_run):
    figures = fixture_run["out"] / "figures"
    names = {p.name for p in figures.iterdir()}
    for figure in ("troops_over_time", "attacks_over_time", "events_timeline"):
        assert {f"{figure}.png", f"{figure}.html", f"{figure}.csv"} <= names
    assert not any(n.endswith(".svg") for n in names)
    assert "plotly.min.js" in names
    page = (figures / "troops_over_time.html").read_text(encoding="utf-8")
    assert 'src="plotly.min.js"' in page and "cdn.plot.ly" not in page


def test_events_notebook_writes_its_table_and_timeline(fixture_run):
    out = fixture_run["out"]
    events = pd.read_csv(out / "processed" / "events.csv", dtype={"date": str})
    timeline = pd.read_csv(out / "figures" / "events_timeline.csv", dtype={"date": str})
    assert set(events["article"]) <= {"a1_pentagon", "a2_talks"}
    in_period = report.within_period(events, "date", START, END)  # the table is whole; the figure is the period
    assert sorted(timeline["date"]) == sorted(d for d in in_period["date"] if isinstance(d, str))


def test_executed_copies_and_html_name_the_parameters(fixture_run):
    build = fixture_run["out"] / "build"
    for nb in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        executed = json.loads((build / "notebooks" / nb.name).read_text(encoding="utf-8"))
        injected = [c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
        assert injected and "a2_talks" not in "".join(injected[0]["source"])
        assert OUTLETS.split(",")[0] in "".join(injected[0]["source"])
        assert (build / "html" / f"{nb.stem}.html").stat().st_size > 10_000


def test_a_second_run_gives_byte_identical_files(fixture_run, tmp_path):
    out = fixture_run["out"]
    first = digests(out / "processed", out / "figures")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        code = runner.run_notebooks(fixture_run["parameters"], [], jobs=2, build_dir=tmp_path / "build",
                                    force=True, progress=False)
    assert code == 0
    assert digests(out / "processed", out / "figures") == first


def test_an_empty_corpus_is_refused_before_it_touches_the_previous_figures(fixture_run, tmp_path):
    # (a notebook that fails mid-run is tested in test_hostile_runs.py)
    out = fixture_run["out"]
    before = digests(out / "processed", out / "figures")
    empty = tmp_path / "no_articles"
    empty.mkdir()
    parameters = {**fixture_run["parameters"], "corpus_dir": empty.as_posix()}
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        with pytest.raises(ValueError, match="-p corpus_dir .*no_articles: no article could be loaded"):
            runner.run_notebooks(parameters, ["02"], jobs=2, build_dir=tmp_path / "build", progress=False)
    assert digests(out / "processed", out / "figures") == before


def test_committed_notebooks_hold_no_machine_paths_and_are_executed():
    for nb in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        data = json.loads(nb.read_text(encoding="utf-8"))
        text = json.dumps([c.get("outputs", []) for c in data["cells"]], ensure_ascii=False)
        assert not MACHINE_PATH.search(text), f"{nb.name}: a machine path in the outputs"
        code = [c for c in data["cells"] if c["cell_type"] == "code"]
        assert all(c.get("execution_count") for c in code), f"{nb.name}: commit it executed (python -m troopwatch.runner --refresh)"
        assert data["metadata"]["kernelspec"]["name"] == "python3"
        assert "papermill" not in data["metadata"], f"{nb.name}: commit the source, not a papermill copy"


# ---------------------------------------------------------------- the notebooks' helpers (troopwatch.report)

def test_parameter_helpers_accept_papermill_values_and_strings():
    from troopwatch import report

    assert report.as_list("png, svg,") == ["png", "svg"]
    assert report.as_list(["png", "html"]) == ["png", "html"]
    assert report.as_list(None) == [] and report.as_list("") == []
    assert report.as_date("", "start") is None
    assert report.as_date("2021-03", "start") == "2021-03"
    with pytest.raises(ValueError, match="parameter end '2021-13': not a valid date"):
        report.as_date("2021-13", "end")
    with pytest.raises(ValueError, match="parameter start 'March 2021': not an ISO date"):
        report.as_date("March 2021", "start")
    with pytest.raises(ValueError, match="unknown format.*pdf"):
        report.as_formats("png,pdf")


def test_load_articles_filters_by_outlet_and_names_the_outlets_when_none_match(monkeypatch):
    from troopwatch import report

    monkeypatch.chdir(REPO)
    corpus = FIXTURE.relative_to(REPO).as_posix()
    assert sorted(report.load_articles(corpus, "fixture-news.example")["id"]) == ["a1_pentagon"]
    assert sorted(report.load_articles(corpus, ["unknown"])["id"]) == ["a3_opinion"]
    assert len(report.load_articles(corpus, [])) == 3
    with pytest.raises(ValueError, match="no article .* is from Nowhere Daily; the outlets are: fixture-news"):
        report.load_articles(corpus, "Nowhere Daily")


def test_within_period_keeps_overlapping_and_undated_rows():
    from troopwatch import report

    df = pd.DataFrame({"refers_to": ["2020", "2021-03-23", "2024-01", None]})
    kept = report.within_period(df, "refers_to", "2020-06", "2021-12")
    assert kept["refers_to"].iloc[:2].tolist() == ["2020", "2021-03-23"]
    assert len(kept) == 3 and pd.isna(kept["refers_to"].iloc[2])
    assert report.within_period(df, "refers_to", None, None) is df


def test_project_paths_resolve_from_notebooks_without_moving(monkeypatch):
    """From notebooks/ (JupyterLab, nbval) the default folders are the project's; the working folder stays."""
    from troopwatch import report

    monkeypatch.chdir(REPO / "notebooks")
    project = report.project("data/raw", "data/processed", "figures")
    assert project.root == REPO
    assert project.path("data/raw") == REPO / "data" / "raw"
    assert project.show(REPO / "figures" / "a.png") == "figures/a.png"
    assert Path.cwd() == REPO / "notebooks"
    paths = project.load().articles["path"]
    assert paths.str.startswith("data/raw/").all(), "article paths are shown relative to the project"


def test_the_other_notebooks_read_the_extraction_instead_of_running_stages():
    """One extraction step: only 01_corpus writes tables; the others read the same extraction."""
    for nb in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        data = json.loads(nb.read_text(encoding="utf-8"))
        code = "".join("".join(c["source"]) for c in data["cells"] if c["cell_type"] == "code")
        assert "pipeline." not in code and "framing_analysis" not in code, f"{nb.name} re-runs a stage"
        assert "project.load(" in code
        assert ("write_tables" in code) == nb.name.startswith("01_"), nb.name
