"""``troopwatch run`` under hostile conditions: Ctrl-C, SIGTERM, a failing notebook, two runs at once,
bad parameters, and inputs that try to become markup or spreadsheet formulas.

The runs are real: ``python -m troopwatch run`` in a scratch project holding the real
notebooks, on the small fixture corpus, one or two notebooks each (``--only``) and PNG only.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import FIXTURE_CORPUS, tree_digests
from nbformat.v4 import new_code_cell

from troopwatch import io as tw_io
from troopwatch import pipeline, plots, runner

FIXTURE_IDS = {"a1_pentagon", "a2_talks", "a3_opinion"}


def notebook_started(process, timeout: float = 90) -> None:
    """Wait until the run ``process`` has started a notebook's kernel."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if kernels_of(process.pid):
            return
        time.sleep(0.05)
    raise AssertionError(f"the run never started a notebook (exit {process.poll()})")


def kernels_of(pid: int) -> list[int]:
    """Kernel processes started by the runner ``pid`` (jupyter_client sets JPY_PARENT_PID in their env)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            env = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"JPY_PARENT_PID={pid}".encode() in env:
            found.append(int(proc.name))
    return found


def previous_outputs(folder: Path) -> None:
    """Outputs of an earlier run, which a stopped or failed run must leave byte for byte."""
    for name in ("figures/events_timeline.png", "figures/events_timeline.csv", "processed/events.csv"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(f"previous {name}\n".encode())


# ---------------------------------------------------------------- interruption

@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_run_publishes_nothing_and_stops_its_kernels(scratch_project, start_run, sig, code):
    outputs = scratch_project / "build" / "corpora" / "corpus"
    previous_outputs(outputs)
    before = tree_digests(outputs / "figures"), tree_digests(outputs / "processed")
    process = start_run(scratch_project, "-p", "corpus_dir", FIXTURE_CORPUS.as_posix(), "--only", "03",
                        "-p", "formats", "png")
    notebook_started(process)
    time.sleep(0.5)  # mid-notebook: the kernel is starting or running cells
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # one line, no traceback
    assert lines[0].startswith(f"troopwatch: interrupted by {signal.Signals(sig).name} while running "
                               "03_events_timeline; nothing was published")
    assert (tree_digests(outputs / "figures"), tree_digests(outputs / "processed")) == before
    assert not list((outputs / "runs").iterdir())  # no staging left
    assert not list(outputs.rglob(".*.tw-*"))  # no half-published file
    deadline = time.monotonic() + 10
    while kernels_of(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert kernels_of(process.pid) == []


# ---------------------------------------------------------------- failure

def test_a_failing_notebook_publishes_nothing_and_names_the_notebook_and_cell(scratch_project, start_run):
    path = scratch_project / "notebooks" / "03_events_timeline.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.insert(3, new_code_cell("raise RuntimeError('made to fail\\nfor the test')"))
    nbformat.write(nb, str(path))
    outputs = scratch_project / "build" / "corpora" / "corpus"
    previous_outputs(outputs)
    before = tree_digests(outputs)
    process = start_run(scratch_project, "-p", "corpus_dir", FIXTURE_CORPUS.as_posix(), "--only", "1",
                        "--only", "3", "-p", "formats", "png")
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("troopwatch: error: notebooks/03_events_timeline.ipynb: cell 4 of ")
    assert "failed with RuntimeError: made to fail for the test" in lines[0]
    assert "Nothing was published" in lines[0]
    after = tree_digests(outputs)
    assert {k: v for k, v in after.items() if not k.startswith(("failed/", ".troopwatch"))} == before
    assert "made to fail" in (outputs / "failed" / "03_events_timeline.ipynb").read_text(encoding="utf-8")
    assert not list((outputs / "runs").iterdir())
    assert not (scratch_project / "figures").exists() and not (scratch_project / "data").exists()


# ---------------------------------------------------------------- two runs at once

def manifest_check(root: Path, folders: list[str]) -> dict:
    """Every output file is in the manifest with its bytes; returns the manifest."""
    manifest = json.loads((root / runner.MANIFEST_NAME).read_text(encoding="utf-8"))
    for folder in folders:
        for path in sorted((root / folder).iterdir()):
            key = f"{folder}/{path.name}"
            assert manifest["files"][key]["sha256"] == tree_digests(root / folder)[path.name], key
    return manifest


def test_a_second_run_refuses_or_waits_and_the_outputs_come_from_one_run(scratch_project, start_run, tmp_path):
    other = tmp_path / "other_corpus"  # a second corpus: the fixture without one article
    shutil.copytree(FIXTURE_CORPUS, other)
    (other / "a2_talks.txt").unlink()
    out = ["-p", "figures_dir", "out/figures", "-p", "processed_dir", "out/processed",
           "--only", "01", "--only", "03", "-p", "formats", "png"]
    first = start_run(scratch_project, "-p", "corpus_dir", FIXTURE_CORPUS.as_posix(), *out)
    notebook_started(first)
    waiting = start_run(scratch_project, "-p", "corpus_dir", other.as_posix(), "--wait", *out)
    refused = start_run(scratch_project, "-p", "corpus_dir", other.as_posix(), *out)
    _, refused_err = refused.communicate(timeout=60)
    assert first.poll() is None, "the refusal must come at once, while the first run holds the lock"
    assert list((scratch_project / "build" / "runs").iterdir()), "the refused run left the first run's staging"
    assert refused.returncode == 75
    assert refused_err.strip().splitlines() == [
        f"troopwatch: error: another troopwatch run (pid {first.pid}, started "
        + refused_err.split("started ", 1)[1].split(")", 1)[0]
        + ") is writing these outputs (lock out/.troopwatch.lock); wait for it to finish, or use --wait"]
    _, first_err = first.communicate(timeout=120)
    assert first.returncode == 0, first_err
    _, waiting_err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, waiting_err
    assert f"waiting for the run that holds out/.troopwatch.lock (pid {first.pid}" in waiting_err

    root = scratch_project / "out"
    manifest = manifest_check(root, ["figures", "processed"])
    runs = {entry["run"] for entry in manifest["files"].values()}
    assert runs == {manifest["latest_run"]}  # every file, twins and tables alike, from the last run
    assert manifest["latest_run"] in waiting_err
    twin = pd.read_csv(root / "figures" / "events_timeline.csv")
    table = pd.read_csv(root / "processed" / "events.csv")
    assert set(twin["article"]) <= set(table["article"]) <= FIXTURE_IDS - {"a2_talks"}
    for png in (root / "figures").glob("*.png"):
        csv = png.with_suffix(".csv")
        assert manifest["files"][f"figures/{png.name}"]["run"] == manifest["files"][f"figures/{csv.name}"]["run"]


def test_the_lock_names_its_holder_and_is_released(tmp_path):
    lock = runner.RunLock(tmp_path / runner.LOCK_NAME)
    lock.acquire()
    other = runner.RunLock(tmp_path / runner.LOCK_NAME)
    with pytest.raises(runner.RunLocked, match=rf"another troopwatch run \(pid {os.getpid()}, started "):
        other.acquire()
    lock.release()
    other.acquire()
    other.release()


# ---------------------------------------------------------------- publishing

def test_a_publish_stopped_half_way_is_rolled_forward_by_the_next_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = runner.OutputPlan([Path("out/figures")], Path("out"), Path("build"))
    layout = runner._Layout(plan.state)
    old = {"a.csv": b"old a\n", "b.png": b"old b\n"}
    for name, data in old.items():
        tw_io.write_bytes(Path("out/figures") / name, data)
    run_dir = layout.runs / f"{runner._run_dir_prefix(plan)}-RUN1"
    entries = []
    for name in old:  # the run prepared both files beside their targets, then replaced only the first
        target = Path("out/figures") / name
        incoming = runner._incoming(target, "RUN1")
        incoming.write_bytes(f"new {name}\n".encode())
        entries.append([incoming.as_posix(), target.as_posix()])
    os.replace(entries[0][0], entries[0][1])
    run_dir.mkdir(parents=True)
    (run_dir / runner.JOURNAL_NAME).write_text(json.dumps({"run": "RUN1", "state": "committing",
                                                          "entries": entries}), encoding="utf-8")
    assert runner.recover(plan, layout) == [
        "finished publishing run RUN1, which was stopped while publishing (2 files)"]
    assert {n: (Path("out/figures") / n).read_bytes() for n in old} == {"a.csv": b"new a.csv\n",
                                                                         "b.png": b"new b.png\n"}
    assert not run_dir.exists() and not list(Path("out").rglob(".*.tw-*"))

    # stopped while preparing: nothing was renamed yet, the prepared copies are removed
    incoming = runner._incoming(Path("out/figures/a.csv"), "RUN2")
    incoming.write_bytes(b"half")
    run_dir = layout.runs / f"{runner._run_dir_prefix(plan)}-RUN2"
    run_dir.mkdir()
    (run_dir / runner.JOURNAL_NAME).write_text(json.dumps({
        "run": "RUN2", "state": "preparing", "entries": [[incoming.as_posix(), "out/figures/a.csv"]]}),
        encoding="utf-8")
    assert runner.recover(plan, layout) == ["undid the unfinished publish of run RUN2; its outputs were not used"]
    assert Path("out/figures/a.csv").read_bytes() == b"new a.csv\n" and not incoming.exists()


# ---------------------------------------------------------------- parameters

@pytest.fixture
def project_with_outputs(scratch_project, monkeypatch):
    monkeypatch.chdir(scratch_project)
    previous_outputs(scratch_project / "build" / "corpora" / "corpus")
    for name in ("figures/troops_over_time.png", "data/processed/claims.csv"):
        (scratch_project / name).parent.mkdir(parents=True, exist_ok=True)
        (scratch_project / name).write_text("committed\n", encoding="utf-8")
    return scratch_project


@pytest.mark.parametrize("given, message", [
    ({"start": "2023-13"}, "-p start '2023-13': not a valid date (month must be in 1..12)"),
    ({"end": "March 2021"}, "-p end 'March 2021': not an ISO date; write YYYY-MM-DD, YYYY-MM or YYYY"),
    ({"start": "2024", "end": "2021"}, "-p start 2024 is after -p end 2021"),
    ({"formats": "png,gif"}, "-p formats: unknown format 'gif'; choose from png, svg, html"),
    ({"corpus_dir": "no/such/folder"}, "-p corpus_dir no/such/folder: no such folder"),
    ({"corpus_dir": "notebooks"}, "-p corpus_dir notebooks: no article could be loaded; it holds no .txt"),
    ({"outlets": "Nobody News"}, "-p outlets: no article in {corpus} is from Nobody News; the outlets are: "),
    ({"figures_dir": "pyproject.toml"}, "-p figures_dir pyproject.toml: a file, not a folder"),
    ({"processed_dir": "{corpus}/tables"}, "-p processed_dir {corpus}/tables: overlaps the corpus folder"),
    ({"limit": "3"}, "-p limit: no selected notebook has this parameter"),
])
def test_bad_parameters_are_refused_before_any_output_changes(project_with_outputs, given, message):
    corpus = FIXTURE_CORPUS.as_posix()
    given = {"corpus_dir": corpus, **{k: v.format(corpus=corpus) for k, v in given.items()}}
    before = tree_digests(project_with_outputs)
    with pytest.raises(ValueError) as raised:
        runner.run_notebooks(given, [], progress=False)
    assert str(raised.value).startswith(message.format(corpus=corpus))
    assert "\n" not in str(raised.value)
    assert tree_digests(project_with_outputs) == before
    assert not (project_with_outputs / "build" / "corpora" / "corpus" / "runs").exists()


def test_the_cli_refuses_a_bad_date_in_one_line(scratch_project, start_run):
    process = start_run(scratch_project, "-p", "corpus_dir", FIXTURE_CORPUS.as_posix(), "-p", "start", "2023-13")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert err == "troopwatch: error: -p start '2023-13': not a valid date (month must be in 1..12)\n"
    assert not (scratch_project / "build").exists()


def test_another_corpus_writes_to_a_folder_named_after_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    notebooks = runner.discover_notebooks(runner.Path(__file__).resolve().parents[1] / "notebooks")
    values = runner.resolve_parameters(notebooks, {"corpus_dir": "elsewhere/my articles"})
    plan = runner.plan_outputs(notebooks, values, ["corpus_dir"])
    assert {v["figures_dir"] for v in values.values()} == {"build/corpora/my_articles/figures"}
    assert {v["processed_dir"] for v in values.values()} == {"build/corpora/my_articles/processed"}
    assert plan.root == plan.state == Path("build/corpora/my_articles")
    assert plan.lock_file == Path("build/corpora/my_articles/.troopwatch.lock")

    # the default corpus, named or not, keeps the committed folders; folders given are kept
    for given in ({}, {"corpus_dir": "data/raw"}, {"corpus_dir": "./data/raw/"}):
        values = runner.resolve_parameters(notebooks, given)
        plan = runner.plan_outputs(notebooks, values, list(given))
        assert {(v["figures_dir"], v["processed_dir"]) for v in values.values()} == {("figures", "data/processed")}
        assert (plan.root, plan.state) == (Path("."), Path("build"))
    values = runner.resolve_parameters(notebooks, {"corpus_dir": "mine", "figures_dir": "figs"})
    runner.plan_outputs(notebooks, values, ["corpus_dir", "figures_dir"])
    assert {(v["figures_dir"], v["processed_dir"]) for v in values.values()} == {
        ("figs", "build/corpora/mine/processed")}


def test_the_summary_lists_every_skipped_file(tmp_path, monkeypatch, capsys):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 10)
    skipped = runner.check_parameters({"01_corpus": {"corpus_dir": corpus.as_posix()}})
    reasons = dict(skipped[corpus.as_posix()])
    assert sorted(Path(p).name for p in reasons) == ["binary.txt", "empty.txt"]
    runner._print_skipped(skipped)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"troopwatch: 2 file(s) of {corpus.as_posix()} skipped:"
    assert len(err) == 3 and all(": " in line for line in err[1:])


# ---------------------------------------------------------------- figures

def claims_with_windows() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two attack counts: one 'since October 2023', one with no window."""
    articles = pd.DataFrame({"id": ["a", "b"], "outlet": ["<a href=x>", "Plain & Simple"]})
    base = {"kind": "attacks", "low": None, "high": None, "qualifier": "at_least", "actor": "militia",
            "refers_to_precision": "day", "mention": "150", "start": 0, "end": 3}
    claims = pd.DataFrame([
        {**base, "article": "a", "value": 150, "refers_to": "2024-01-29", "window_start": "2023-10",
         "sentence": "<script>alert(1)</script> أكثر من 150 هجوما"},
        {**base, "article": "b", "value": 20, "refers_to": "2024-02-05", "window_start": None,
         "sentence": "20 هجوما"},
    ])
    return claims, articles


def test_the_attack_figure_draws_a_count_with_a_window_beside_one_without():
    claims, articles = claims_with_windows()
    chart = plots.attacks_chart(claims, articles)
    assert list(chart.rows["window_start"]) == ["2023-10", None]
    figure = plots.attacks_figure(chart)  # raised "nan is not an ISO date" before
    interactive = plots.attacks_interactive(chart)
    bands = [t for t in interactive.data if t.mode == "lines"]
    assert len(bands) == 1 and bands[0].x[0] == "2023-10-01"
    assert any("since Oct 2023" in t.get_text() for t in figure.axes[0].texts)


def test_user_strings_are_escaped_in_the_html_figures(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    sidecar = (corpus / "articles.csv").read_text(encoding="utf-8")
    (corpus / "articles.csv").write_text(sidecar.replace("fixture-news.example", '"<a href=x>"'), encoding="utf-8")
    articles = pipeline.articles_table(corpus)
    assert "<a href=x>" in set(articles["outlet"])
    claims = pipeline.claims_table(articles)
    events = pipeline.events_table(articles)
    troops = plots.troops_chart(claims, articles)
    timeline = plots.events_chart(events, articles)
    chosen, _ = claims_with_windows()
    attacks = plots.attacks_chart(chosen, chosen.assign(id=chosen["article"]).rename(
        columns={"article": "_"}).assign(outlet=["<a href=x>", "<b>bold</b>"]))
    pages = {
        "troops": plots._html_bytes(plots.troops_interactive(troops), "troops").decode(),
        "events": plots._html_bytes(plots.events_interactive(timeline), "events").decode(),
        "attacks": plots._html_bytes(plots.attacks_interactive(attacks), "attacks").decode(),
    }
    for name, page in pages.items():
        assert "<a href=x>" not in page and "\\u003ca href=x\\u003e" not in page, name
        assert "&lt;a href=x&gt;" in page, name
    assert "<b>bold</b>" not in pages["attacks"] and "\\u003cb\\u003ebold" not in pages["attacks"]
    assert "\\u003cscript\\u003e" not in pages["attacks"]  # the evidence sentence, escaped too
    saved = plots.save_figure("troops_over_time", troops.rows, tmp_path / "figures",
                              interactive=plots.troops_interactive(troops), formats=["html"])
    assert any(p.endswith(".html") for p in saved.paths)


def test_a_run_on_another_corpus_leaves_the_committed_outputs_and_lists_skipped_files(scratch_project, start_run,
                                                                                       tmp_path):
    corpus = tmp_path / "my articles"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    (corpus / "empty.txt").write_bytes(b"")
    for name in ("figures/troops_over_time.png", "data/processed/articles.csv"):
        (scratch_project / name).parent.mkdir(parents=True, exist_ok=True)
        (scratch_project / name).write_text("committed\n", encoding="utf-8")
    committed = tree_digests(scratch_project / "figures"), tree_digests(scratch_project / "data")
    process = start_run(scratch_project, "-p", "corpus_dir", corpus.as_posix(), "--only", "01")
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert (tree_digests(scratch_project / "figures"), tree_digests(scratch_project / "data")) == committed
    root = scratch_project / "build" / "corpora" / "my_articles"
    articles = pd.read_csv(root / "processed" / "articles.csv")
    assert set(articles["id"]) == FIXTURE_IDS
    assert len((root / "processed" / "articles.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    assert (root / "notebooks" / "01_corpus.ipynb").is_file() and (root / "html" / "01_corpus.html").is_file()
    manifest = manifest_check(root, ["processed"])
    from troopwatch.pipeline import TABLE_NAMES  # 01_corpus is the extraction step: every table, CSV and JSONL

    assert set(manifest["files"]) == {f"processed/{f}" for name in TABLE_NAMES.values()
                                      for f in (name, name.replace(".csv", ".jsonl"))}
    lines = err.splitlines()
    assert "build/corpora/my_articles/processed/" in lines[0]
    assert lines[1:] == [f"troopwatch: 1 file(s) of {corpus.as_posix()} skipped:",
                         f"troopwatch:   {(corpus / 'empty.txt').as_posix()}: the file is empty"]
