"""The notebook runner: parameters, order, change detection, staging, failures, the kernel it starts.

The end-to-end tests run tiny notebooks written into a temporary folder (never
under tests/, where nbval would collect them).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from troopwatch import runner


def write_notebook(path: Path, parameters: str, *cells: str, needs: list[str] | None = None) -> Path:
    nb = new_notebook()
    params = new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if needs:
        nb.metadata["troopwatch"] = {"needs": needs}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def notebook(path: str, parameters: dict, needs=None) -> runner.Notebook:
    return runner.Notebook(Path(path), {k: runner.Parameter(k, type(v).__name__, v) for k, v in parameters.items()},
                           needs or [])


# ---------------------------------------------------------------- units

def test_read_parameters_takes_types_from_annotations_or_defaults():
    nb = {"cells": [
        {"cell_type": "code", "metadata": {}, "source": "x = 1"},
        {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": [
            'corpus_dir = "data/raw"  # the articles\n',
            "formats = ['png', 'svg']\n",
            "limit: int = 3\n",
            "start: str | None = None\n",
            "import os  # not a parameter\n",
        ]},
    ]}
    found = runner.read_parameters(nb)
    assert list(found) == ["corpus_dir", "formats", "limit", "start"]
    assert found["corpus_dir"] == runner.Parameter("corpus_dir", "str", "data/raw")
    assert found["formats"].type_name == "list" and found["formats"].default == ["png", "svg"]
    assert found["limit"].type_name == "int"
    assert found["start"].type_name == "str | None"


def test_read_parameters_names_the_notebook_for_a_computed_default():
    nb = {"cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "x = os.getcwd()"}]}
    with pytest.raises(ValueError, match=r"notebooks/09_x.ipynb: parameter x must have a literal default"):
        runner.read_parameters(nb, "notebooks/09_x.ipynb")


@pytest.mark.parametrize("raw, type_name, expected", [
    ("figures", "str", "figures"),
    ("3", "int", 3),
    ("0.5", "float", 0.5),
    ("yes", "bool", True),
    ("False", "bool", False),
    ("png, svg", "list", ["png", "svg"]),
    ('["a,b", "c"]', "list", ["a,b", "c"]),
    ("", "list", []),
    ("none", "str | None", None),
    ("2021-03", "str | None", "2021-03"),
])
def test_cast_parameter_to_the_declared_type(raw, type_name, expected):
    assert runner.cast_parameter(raw, runner.Parameter("p", type_name, None)) == expected


def test_cast_parameter_error_names_the_parameter():
    with pytest.raises(ValueError, match=r"-p limit 'ten': not a valid int"):
        runner.cast_parameter("ten", runner.Parameter("limit", "int", 3))
    with pytest.raises(ValueError, match=r"-p draft 'maybe'"):
        runner.cast_parameter("maybe", runner.Parameter("draft", "bool", False))


def test_select_notebooks_by_number_or_name():
    nbs = [notebook("notebooks/01_corpus.ipynb", {}), notebook("notebooks/02_claims_over_time.ipynb", {})]
    for key in ("2", "02", "02_claims_over_time", "claims_over_time", "notebooks/02_claims_over_time.ipynb"):
        assert [nb.name for nb in runner.select_notebooks(nbs, [key])] == ["02_claims_over_time"]
    assert len(runner.select_notebooks(nbs, [])) == 2
    with pytest.raises(ValueError, match="--only 7: no such notebook; the notebooks are 01_corpus, 02_claims"):
        runner.select_notebooks(nbs, ["7"])


def test_execution_order_puts_needed_notebooks_first_and_refuses_cycles():
    a = notebook("n/01_a.ipynb", {}, needs=["03_c"])
    b = notebook("n/02_b.ipynb", {})
    c = notebook("n/03_c.ipynb", {})
    assert [nb.name for nb in runner.execution_order([a, b, c])] == ["03_c", "01_a", "02_b"]
    c.needs = ["01_a"]
    with pytest.raises(ValueError, match="cycle: 01_a -> 03_c -> 01_a"):
        runner.execution_order([a, b, c])


def test_resolve_parameters_gives_each_notebook_only_what_it_declares():
    a = notebook("n/01_a.ipynb", {"corpus_dir": "data/raw", "limit": 3})
    b = notebook("n/02_b.ipynb", {"corpus_dir": "data/raw"})
    resolved = runner.resolve_parameters([a, b], {"limit": "5", "corpus_dir": "mine"})
    assert resolved == {"01_a": {"corpus_dir": "mine", "limit": 5}, "02_b": {"corpus_dir": "mine"}}
    with pytest.raises(ValueError, match="-p colour: no selected notebook has this parameter; the parameters are "
                                         "corpus_dir, limit"):
        runner.resolve_parameters([a, b], {"colour": "red"})


def test_input_digest_changes_with_notebook_corpus_and_parameters(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("نص", encoding="utf-8")
    path = write_notebook(tmp_path / "01_a.ipynb", f'corpus_dir = "{corpus.as_posix()}"')
    nb = runner.discover_notebooks(tmp_path)[0]
    values = {"corpus_dir": corpus.as_posix()}
    first = runner.input_digest(nb, values)
    assert runner.input_digest(nb, dict(values)) == first
    (corpus / "a.txt").write_text("نص آخر", encoding="utf-8")
    second = runner.input_digest(nb, values)
    assert second != first
    assert runner.input_digest(nb, {**values, "extra": 1}) != second
    path.write_text(path.read_text(encoding="utf-8").replace("corpus_dir", "corpus_dir ", 1), encoding="utf-8")
    assert runner.input_digest(nb, values) != second


def test_the_python3_kernel_is_this_environment():
    runner.check_kernel("python3")  # raises when another interpreter would run the notebooks


# ---------------------------------------------------------------- end to end

WRITER = 'figures_dir = "out/figures"\nword = "old"'
WRITE = (
    "import pathlib, sys\n"
    "folder = pathlib.Path(figures_dir)\n"
    "folder.mkdir(parents=True, exist_ok=True)\n"
    "(folder / 'word.txt').write_text(word)\n"
    "(folder / 'python.txt').write_text(sys.executable)"
)
READER = 'figures_dir = "out/figures"\nupstream = "out/figures/word.txt"'
READ = (
    "import pathlib\n"
    "pathlib.Path(figures_dir).mkdir(parents=True, exist_ok=True)\n"
    "(pathlib.Path(figures_dir) / 'seen.txt').write_text(pathlib.Path(upstream).read_text())"
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_notebook(tmp_path / "notebooks" / "01_writer.ipynb", WRITER, WRITE)
    # 02 reads what 01 published, so it must start only after 01 has finished
    write_notebook(tmp_path / "notebooks" / "02_reader.ipynb", READER, READ, needs=["01_writer"])
    return tmp_path


def test_run_publishes_outputs_keeps_copies_and_skips_when_nothing_changed(project, capsys):
    assert runner.run_notebooks({}, [], jobs=2, progress=False) == 0
    figures = project / "out" / "figures"
    assert (figures / "word.txt").read_text() == "old"
    assert (figures / "seen.txt").read_text() == "old"  # 02 read what 01 staged in the same run
    assert Path((figures / "python.txt").read_text()) == Path(sys.executable)  # the venv's kernel
    for name in ("01_writer", "02_reader"):
        assert (project / "build" / "notebooks" / f"{name}.ipynb").is_file()
        assert "<html" in (project / "build" / "html" / f"{name}.html").read_text(encoding="utf-8")
    executed = (project / "build" / "notebooks" / "01_writer.ipynb").read_text(encoding="utf-8")
    assert "build/runs" not in executed and "out/figures" in executed
    assert not any((project / "build" / "runs").iterdir())  # no staging left

    before = (project / "build" / "notebooks" / "01_writer.ipynb").stat().st_mtime_ns
    capsys.readouterr()
    assert runner.run_notebooks({}, [], jobs=2, progress=False) == 0
    assert "2 notebook(s) up to date, nothing to run" in capsys.readouterr().err
    assert (project / "build" / "notebooks" / "01_writer.ipynb").stat().st_mtime_ns == before

    # a deleted output is noticed; a new parameter value reruns with the value cast
    (figures / "word.txt").unlink()
    assert runner.run_notebooks({"word": "new"}, ["01"], jobs=1, progress=False) == 0
    assert (figures / "word.txt").read_text() == "new"


def test_a_failing_notebook_stops_the_run_and_leaves_previous_outputs(project, capsys):
    assert runner.run_notebooks({}, ["01"], progress=False) == 0
    figures = project / "out" / "figures"
    assert (figures / "word.txt").read_text() == "old"
    write_notebook(project / "notebooks" / "01_writer.ipynb", WRITER.replace("old", "new"), WRITE,
                   "raise RuntimeError('the corpus is empty')")
    capsys.readouterr()
    assert runner.run_notebooks({}, [], jobs=2, progress=False) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line
    assert "notebooks/01_writer.ipynb: cell 3 of 3" in err
    assert "RuntimeError: the corpus is empty" in err
    assert "not run because of the failure: 02_reader" in err
    assert "Nothing was published" in err
    assert (figures / "word.txt").read_text() == "old"  # the new value never reached figures/
    assert not (figures / "seen.txt").exists()
    assert "the corpus is empty" in (project / "build" / "failed" / "01_writer.ipynb").read_text(encoding="utf-8")
    assert "the corpus is empty" not in (project / "build" / "notebooks" / "01_writer.ipynb").read_text(
        encoding="utf-8")  # the published executed copy is still the last good run's
    assert not any((project / "build" / "runs").iterdir())


def test_bad_parameters_are_refused_before_anything_runs(project):
    with pytest.raises(ValueError, match="-p colour: no selected notebook has this parameter"):
        runner.run_notebooks({"colour": "red"}, [], progress=False)
    with pytest.raises(ValueError, match="--jobs 0"):
        runner.run_notebooks({}, [], jobs=0, progress=False)
    assert not (project / "build").exists()


def test_run_fingerprint_changes_with_a_lexicon_a_corpus_file_or_a_parameter(tmp_path, monkeypatch):
    import shutil

    lexicons = tmp_path / "lexicons"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "lexicons", lexicons)
    monkeypatch.setenv("TROOPWATCH_LEXICONS", str(lexicons))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("نص", encoding="utf-8")
    write_notebook(tmp_path / "nb" / "01_a.ipynb", f'corpus_dir = "{corpus.as_posix()}"\nword = "x"')
    notebooks = runner.discover_notebooks(tmp_path / "nb")
    values = {"01_a": {"corpus_dir": corpus.as_posix(), "word": "x"}}
    first = runner.run_fingerprint(notebooks, values)
    assert runner.run_fingerprint(notebooks, values) == first
    claims = lexicons / "claims.yml"
    claims.write_text(claims.read_text(encoding="utf-8") + "\n# one more line\n", encoding="utf-8")
    second = runner.run_fingerprint(notebooks, values)
    assert second != first
    (corpus / "a.txt").write_text("نص آخر", encoding="utf-8")
    third = runner.run_fingerprint(notebooks, values)
    assert third != second
    (corpus / "b.txt").write_text("نص", encoding="utf-8")
    assert runner.run_fingerprint(notebooks, values) != third
    assert runner.run_fingerprint(notebooks, {"01_a": {**values["01_a"], "word": "y"}}) != runner.run_fingerprint(
        notebooks, values)


def test_a_run_with_nothing_changed_is_up_to_date_without_loading_the_corpus(project, capsys, monkeypatch):
    assert runner.run_notebooks({}, [], jobs=2, progress=False) == 0
    assert runner.run_notebooks({}, [], jobs=2, progress=False) == 0  # 02's input is 01's output: now it exists
    figures = project / "out" / "figures"
    manifest = figures / runner.MANIFEST_NAME  # in the output root: the folder holding every output folder
    before = manifest.read_bytes()
    stamp = (figures / "word.txt").stat().st_mtime_ns
    capsys.readouterr()

    def no_corpus(*args):
        raise AssertionError("the corpus was loaded")

    monkeypatch.setattr(runner, "_load_corpus_once", no_corpus)
    monkeypatch.setattr(runner, "check_parameters", no_corpus)
    assert runner.run_notebooks({}, [], jobs=2, progress=False) == 0
    err = capsys.readouterr().err
    assert "up to date: nothing changed since run" in err and "--force" in err
    assert manifest.read_bytes() == before and (figures / "word.txt").stat().st_mtime_ns == stamp
    run = json.loads(before)["latest_run"]
    assert json.loads(before)["runs"][run]["fingerprint"]
    monkeypatch.undo()
    monkeypatch.chdir(project)

    # --force runs anyway
    assert runner.run_notebooks({}, [], jobs=2, progress=False, force=True) == 0
    assert "ran 2 notebook(s)" in capsys.readouterr().err
    # an output changed by hand is noticed, and so is a parameter
    (figures / "word.txt").write_text("edited")
    assert runner.run_notebooks({}, [], jobs=2, progress=False) == 0
    assert "up to date: nothing changed" not in capsys.readouterr().err
    assert (figures / "word.txt").read_text() == "old"
    assert runner.run_notebooks({"word": "new"}, [], jobs=2, progress=False) == 0
    assert "up to date: nothing changed" not in capsys.readouterr().err
    assert (figures / "word.txt").read_text() == "new"


# ---------------------------------------------------------------- one extraction shared by the notebooks

READS_CORPUS = 'corpus_dir = "corpus"\nfigures_dir = "out/{name}"'
LOADS = (
    "import json, os, pathlib\n"
    "from troopwatch import report\n"
    "tables = report.project(corpus_dir).load(tables=['claims'], text=False)\n"
    "pathlib.Path(figures_dir).mkdir(parents=True, exist_ok=True)\n"
    "(pathlib.Path(figures_dir) / 'seen.json').write_text(json.dumps({'stats': tables.stats, 'claims': "
    "len(tables.claims), 'shared': bool(os.environ.get(report.SNAPSHOT_ENV)), 'text': 'text' in "
    "tables.articles.columns}))"
)


def test_the_notebooks_of_a_run_read_one_extraction_of_the_corpus(tmp_path, monkeypatch):
    import shutil

    from troopwatch import report
    from troopwatch.pipeline import extract

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(report.SNAPSHOT_ENV, raising=False)
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "raw", tmp_path / "corpus")
    write_notebook(tmp_path / "notebooks" / "01_first.ipynb", READS_CORPUS.format(name="01_first"), LOADS)
    write_notebook(tmp_path / "notebooks" / "02_second.ipynb", READS_CORPUS.format(name="02_second"), LOADS,
                   "import time\ntime.sleep(3)")  # ends after 01
    # papermill's process-wide working folder left elsewhere (by an earlier run of this process): the two
    # notebooks run at once must still read and write their staged files here
    from papermill.iorw import papermill_io

    (tmp_path / "elsewhere").mkdir()
    papermill_io.get_handler("local").cwd(str(tmp_path / "elsewhere"))
    assert runner.run_notebooks({}, [], jobs=2, progress=False) == 0
    seen = [json.loads((tmp_path / "out" / name / "seen.json").read_text()) for name in ("01_first", "02_second")]
    expected = len(extract(str(tmp_path / "corpus"), tables=["claims"]).claims)
    assert expected > 0
    for one in seen:
        assert one["shared"] and one["claims"] == expected and not one["text"]
        # the run's helper extracted every article once (an empty cache); no kernel read the cache again
        assert one["stats"] == {"articles": 5, "computed": 5, "from_cache": 0}
    assert report.SNAPSHOT_ENV not in __import__("os").environ  # the run leaves the environment as it was
    assert not any((tmp_path / "build" / "runs").iterdir())


def test_the_shared_tables_are_the_tables_a_notebook_would_extract(tmp_path, monkeypatch):
    from troopwatch import report
    from troopwatch.pipeline import TABLE_NAMES

    raw = Path(__file__).resolve().parents[1] / "data" / "raw"
    cache, folder = tmp_path / "cache", tmp_path / "shared"
    monkeypatch.delenv(report.SNAPSHOT_ENV, raising=False)
    assert report.read_snapshot(raw, cache) is None  # outside a run
    report.write_snapshot(raw, folder, cache)
    monkeypatch.setenv(report.SNAPSHOT_ENV, str(folder))
    for wanted, text in ((None, False), (["claims", "framing"], False), (["events"], False), (["framing"], True)):
        shared = report.load_tables(raw, cache=cache, tables=wanted, text=text)
        monkeypatch.delenv(report.SNAPSHOT_ENV)
        alone = report.load_tables(raw, cache=cache, tables=wanted, text=text)
        monkeypatch.setenv(report.SNAPSHOT_ENV, str(folder))
        for name in TABLE_NAMES:
            a, b = getattr(shared, name), getattr(alone, name)
            assert (a is None) == (b is None), name
            if a is not None:
                assert a.equals(b) and list(a.columns) == list(b.columns) and a.attrs == b.attrs, name
                assert list(a.dtypes) == list(b.dtypes), name
    # another corpus, another cache or a damaged folder: not these tables
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("نص قصير", encoding="utf-8")
    assert report.read_snapshot(other, cache) is None
    assert report.read_snapshot(raw, tmp_path / "another-cache") is None
    (folder / "claims.pickle").unlink()
    assert report.read_snapshot(raw, cache, ["claims"]) is None
