"""One extraction however it runs: worker processes, a Dask cluster or the cache give the same bytes."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from troopwatch.cli import main

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"


def _corpus(tmp_path: Path) -> Path:
    """The shipped articles, each twice under another id (ten articles, so two workers share them)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in sorted(RAW.glob("*.txt")):
        for copy in ("a", "b"):
            shutil.copy(path, folder / f"{copy}_{path.name}")
    return folder


def _tables(folder: Path, **options) -> dict[str, str]:
    """Every table of one extraction, as the CLI writes it in CSV."""
    from troopwatch.cli import _emit
    from troopwatch.pipeline import extract

    tables = extract(str(folder), **options)
    out = {}
    for name, df in tables.items():
        buffer = io.StringIO()
        _emit(df.drop(columns=["text"]) if name == "articles" else df, "csv", buffer)
        out[name] = buffer.getvalue()
    return out


def test_jobs_dask_and_warm_cache_give_identical_bytes(tmp_path, capsys):
    folder = _corpus(tmp_path)
    one = _tables(folder, jobs=1)
    assert one["claims"].count("\n") > 2 and one["dates"].count("\n") > 2
    assert _tables(folder, jobs=2) == one
    cache = tmp_path / "cache"
    assert _tables(folder, jobs=2, cache=cache) == one  # cold: fills the cache
    assert (cache / "results.sqlite").is_file()
    assert _tables(folder, jobs=1, cache=cache) == one  # warm: read back
    # the command line prints the same bytes, whatever its options
    for options, commands in ((["--jobs", "2", "--no-cache"], ["claims"]),
                              (["--jobs", "1", "--cache", str(cache)], ["articles", "claims", "dates", "framing"])):
        for command in commands:
            assert main([command, str(folder), "--format", "csv", "--quiet", *options]) == 0
            out, err = capsys.readouterr()
            assert err == ""  # --quiet: nothing on stderr
            assert out == one[command]
    dask = pytest.importorskip("dask.distributed")
    with dask.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        assert _tables(folder, engine="dask", scheduler=cluster.scheduler_address) == one


def test_summary_line_when_stderr_is_not_a_terminal(tmp_path, capsys):
    folder = _corpus(tmp_path)
    cache = tmp_path / "cache"
    assert main(["claims", str(folder), "--jobs", "1", "--cache", str(cache)]) == 0
    _, err = capsys.readouterr()
    assert "10 articles" in err and "MB/s" in err and "0 from cache, 10 computed" in err
    (folder / "a_000_6d420342642e164b.txt").write_text("نص جديد عن القوات الأمريكية\nقال مصدر إن 300 جندي وصلوا.\n",
                                                      encoding="utf-8")
    assert main(["claims", str(folder), "--jobs", "1", "--cache", str(cache)]) == 0
    _, err = capsys.readouterr()
    assert "9 from cache, 1 computed" in err


def test_partitions_cover_every_row_once():
    from troopwatch.distributed import partitions

    for n in (0, 1, 7, 100, 1001):
        for workers in (1, 2, 5):
            ranges = partitions(n, workers)
            covered = [i for start, stop in ranges for i in range(start, stop)]
            assert covered == list(range(n))


def test_scheduler_without_dask_engine_is_an_error(tmp_path, capsys):
    assert main(["claims", str(RAW), "--scheduler", "tcp://127.0.0.1:1", "--no-cache"]) == 2
    assert "--engine dask" in capsys.readouterr().err


def test_bad_jobs_is_an_error(capsys):
    assert main(["claims", str(RAW), "--jobs", "0", "--no-cache"]) == 2
    assert "--jobs" in capsys.readouterr().err


def test_event_cues_skipped_only_when_they_cannot_match():
    """A cue is not searched when its words are absent; every match of a cue holds those words."""
    from troopwatch.events import _REQUIRED, _events_lexicon, _present

    known, generic = _events_lexicon()
    patterns = [rx for ev in known for all_, _any, _n in ev.cue_sets for rx in all_] + [rx for _, rx in generic]
    assert patterns and all(rx.pattern in _REQUIRED for rx in patterns)
    for rx in patterns:
        words = _REQUIRED[rx.pattern]
        assert words
        # the term itself, with a conjunction, a preposition and the article glued on
        term = " ".join(words)
        for text in (term, "و" + term, "بال" + term, "ولل" + term, "قال " + "وال" + term + " أمس"):
            for m in rx.finditer(text):
                assert all(w in m.group() for w in words), (rx.pattern, text)
        assert _present(term)(rx)
        assert not _present("نص لا يذكر شيئا")(rx) or rx.search("نص لا يذكر شيئا")


def test_office_holders_skipped_only_when_no_name_is_there():
    from troopwatch.published import _NAME_WORDS, _office_lexicon

    _, _, _, people = _office_lexicon()
    assert people and all(rx.pattern in _NAME_WORDS for _, rx, _ in people)
    from troopwatch.text import normalize_term
    from troopwatch.lexicons import load_lexicon

    for person in load_lexicon("office_holders")["people"]:
        for name in person["names"]:
            folded = normalize_term(name)
            rx = next(rx for n, rx, _ in people if n == person["name"])
            found = list(rx.finditer("قال " + folded + " أمس"))
            assert found, (person["name"], name)
            for m in found:
                assert any(w in m.group() for w in _NAME_WORDS[rx.pattern])
