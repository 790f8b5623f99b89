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


def test_jobs_dask_and_warm_cache_give_identical_bytes(tmp_path, capsys, monkeypatch):
    from troopwatch import pipeline

    monkeypatch.setattr(pipeline, "POOL_MIN_CHARS", 0)  # worker processes even for ten short articles
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


# ---------------------------------------------------------------- bounded memory


def test_extraction_goes_block_by_block_and_keeps_compact_rows_only(tmp_path, monkeypatch):
    """The cache is read and written a block at a time, workers get a block at a time, and what is kept
    of an article is the tuples of its rows (no dicts), so memory follows the tables, not the results."""
    from troopwatch import cache as tw_cache, pipeline

    folder = _corpus(tmp_path)
    whole = _tables(folder)
    monkeypatch.setattr(pipeline, "BLOCK", 3)
    batches = {"get": [], "put": [], "run": []}
    get_many, put_many, run = tw_cache.ResultStore.get_many, tw_cache.ResultStore.put_many, pipeline._Workers.map

    def spy_get(self, keys, parts=None):
        batches["get"].append(len(keys))
        return get_many(self, keys, parts)

    def spy_put(self, items):
        items = list(items)
        batches["put"].append(len(items))
        assert all(isinstance(record, tuple) and len(record) == len(pipeline.PARTS) for _, record in items)
        return put_many(self, items)

    def spy_run(self, rows):
        batches["run"].append(len(rows))
        return run(self, rows)

    kept = []
    add = pipeline._Collector.add

    def spy_add(self, record):
        kept.append(record)
        return add(self, record)

    monkeypatch.setattr(tw_cache.ResultStore, "get_many", spy_get)
    monkeypatch.setattr(tw_cache.ResultStore, "put_many", spy_put)
    monkeypatch.setattr(pipeline._Workers, "map", spy_run)
    monkeypatch.setattr(pipeline._Collector, "add", spy_add)
    assert _tables(folder, cache=tmp_path / "cache") == whole
    assert batches["get"] == [3, 3, 3, 1] and batches["put"] == [3, 3, 3, 1] and batches["run"] == [3, 3, 3, 1]
    rows = [row for record in kept for part in record[1:4] + record[5:] for row in part]
    assert rows and all(type(row) is tuple for row in rows)
    assert not any(isinstance(v, dict) for row in rows for v in row)
    batches = {"get": [], "put": [], "run": []}
    assert _tables(folder, cache=tmp_path / "cache") == whole  # warm: read back in blocks, nothing computed
    assert batches["get"] == [3, 3, 3, 1] and batches["put"] == [] and not any(batches["run"])


def test_only_the_tables_asked_for_are_built_and_their_rows_kept(tmp_path):
    from troopwatch import pipeline

    folder = _corpus(tmp_path)
    full = pipeline.extract(str(folder))
    framing = pipeline.extract(str(folder), tables=["framing"])
    assert [name for name, _ in framing.items()] == ["framing"]
    assert framing.evidence is None and framing.claims is None
    assert framing.framing.equals(full.framing)
    collector = pipeline._Collector(["framing"])
    record = pipeline._extract_row(full.articles.iloc[0].to_dict())
    assert record[5]  # the article has evidence rows ...
    collector.add(record)
    assert collector.rows["evidence"] == [] and collector.rows["claims"] == []  # ... which are not kept
    assert len(collector.rows["framing"]) == 1
    no_text = pipeline.extract(str(folder), tables=["articles"], text=False)
    assert "text" not in no_text.articles.columns
    assert no_text.articles.equals(full.articles.drop(columns=["text"]))
    with pytest.raises(ValueError, match="no table named"):
        pipeline.extract(str(folder), tables=["claim"])


def test_tables_from_compact_rows_equal_tables_from_row_dicts():
    """The tuples give the frames pandas builds from the dicts extract_article returns, dtypes included."""
    import pandas as pd

    from troopwatch.article import Article
    from troopwatch.claims import claims_frame
    from troopwatch.corpus import load_corpus
    from troopwatch.dates import dates_frame
    from troopwatch.events import events_frame
    from troopwatch.framing import EVIDENCE_COLUMNS, table_columns
    from troopwatch.pipeline import assemble, extract_article
    from troopwatch.timeline import CLAIM_TIME_COLUMNS

    corpus = load_corpus(RAW)
    results = [extract_article(Article.from_text(r["text"], r["id"], r)) for r in corpus.to_dict("records")]
    # a row lacking a column (pandas reads it as missing) and one holding None
    results[0]["framing"] = {k: v for k, v in results[0]["framing"].items() if k != "stance_votes"}
    results[1]["framing"]["stance"] = None
    tables = assemble(corpus, results)
    expected = {
        "dates": dates_frame([d for r in results for d in r["dates"]]),
        "mentions": claims_frame([c for r in results for c in r["claims"]], extra=tuple(CLAIM_TIME_COLUMNS)),
        "events": events_frame([e for r in results for e in r["events"]]),
        "framing": pd.DataFrame([r["framing"] for r in results], columns=table_columns()),
        "evidence": pd.DataFrame([e for r in results for e in r["evidence"]], columns=EVIDENCE_COLUMNS),
    }
    for name, df in expected.items():
        got = getattr(tables, name)
        assert len(df) > 0 and list(got.dtypes) == list(df.dtypes), name
        pd.testing.assert_frame_equal(got, df, check_exact=True)
        assert got.to_csv(index=False) == df.to_csv(index=False)
    assert tables.framing["stance_votes"].isna().iloc[0]


def test_cached_records_keep_repeated_strings_shared(tmp_path):
    from troopwatch.article import Article
    from troopwatch.cache import ResultStore
    from troopwatch.pipeline import PARTS, compact, extract_article

    text = "قال مصدر إن 300 جندي أمريكي وصلوا إلى قاعدة عين الأسد.\nوأكد أن 300 جندي أمريكي وصلوا.\n"
    record = compact(extract_article(Article.from_text(text, "a1", {"id": "a1", "text": text})))
    store = ResultStore(tmp_path)
    store.put_many([("k", record)])
    [back] = store.get_many(["k"])
    store.close()
    assert back == record
    ids = {part: [row[0] for row in back[PARTS.index(part)]] for part in ("dates", "claims", "evidence")}
    assert len(ids["claims"]) > 1 and sum(map(len, ids.values())) > 2
    for part_ids in ids.values():  # within a part, one string object for the article id, not one per row
        assert all(i == "a1" for i in part_ids) and len({id(i) for i in part_ids}) <= 1


def test_the_store_reads_only_the_parts_asked_for(tmp_path, monkeypatch):
    """A command building one table decodes only the parts that table is built from; a damaged part is
    computed again; a store of an earlier format (another table in the same file) is not read."""
    import sqlite3

    from troopwatch import cache as tw_cache
    from troopwatch.article import Article
    from troopwatch.cache import ResultStore
    from troopwatch.pipeline import PARTS, compact, extract_article

    assert tw_cache.PARTS == PARTS
    text = "قال مصدر إن 300 جندي أمريكي وصلوا إلى قاعدة عين الأسد في 5 آذار 2020.\n"
    record = compact(extract_article(Article.from_text(text, "a1", {"id": "a1", "text": text})))
    store = ResultStore(tmp_path)
    store.put_many([("k", record), ("j", record)])
    decoded = []
    load = tw_cache._load
    monkeypatch.setattr(tw_cache, "_load", lambda blob: decoded.append(blob) or load(blob))
    [claims, missing] = store.get_many(["k", "x"], parts={"claims"})
    assert missing is None and len(decoded) == 1
    assert claims == tuple(record[k] if part == "claims" else None for k, part in enumerate(PARTS))
    assert store.get_many(["j"], parts=["framing", "published"])[0][0] == record[0]
    with pytest.raises(ValueError, match="no part named"):
        store.get_many(["k"], parts=["claim"])
    store.close()
    with sqlite3.connect(tmp_path / "results.sqlite") as db:
        db.execute(f"UPDATE {tw_cache.TABLE} SET claims = ? WHERE key = 'k'", (b"not a record",))
    db.close()
    store = ResultStore(tmp_path)
    assert store.get_many(["k", "j"], parts=["framing"])[0] == tuple(record[4] if p == "framing" else None
                                                                      for p in PARTS)
    assert store.get_many(["k", "j"], parts=["claims"]) == [None, tuple(record[2] if p == "claims" else None
                                                                        for p in PARTS)]
    store.close()


def test_default_jobs_use_every_core_but_no_more_than_the_articles(monkeypatch):
    from troopwatch import cli, pipeline

    monkeypatch.setattr(cli.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert cli.default_jobs(10_000) == 2 and cli.default_jobs(1) == 1
    assert not pipeline._worth_a_pool([{"text": "x" * 10}] * 5)  # a few short articles: one process
    assert pipeline._worth_a_pool([{"text": "x" * 5000}] * 50)
    assert not pipeline._worth_a_pool([{"text": "x" * 10_000_000}])  # one article: nothing to share


def test_the_table_commands_share_the_cache(tmp_path, capsys, monkeypatch):
    """The second command on a corpus reads every article from the cache; by default it is build/cache."""
    folder = _corpus(tmp_path)
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    (project / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(project)
    assert main(["claims", str(folder), "--jobs", "1"]) == 0
    assert "0 from cache, 10 computed" in capsys.readouterr().err
    assert (project / "build" / "cache" / "results.sqlite").is_file()
    for command in ("dates", "framing", "articles"):
        assert main([command, str(folder), "--jobs", "1"]) == 0
        assert "10 from cache, 0 computed" in capsys.readouterr().err
    assert main(["dates", str(folder), "--jobs", "1", "--no-cache"]) == 0
    assert "0 from cache, 10 computed" in capsys.readouterr().err


def test_large_tables_are_written_in_chunks_with_the_same_bytes(monkeypatch):
    import pandas as pd

    from troopwatch import cli

    df = pd.DataFrame({"a": pd.array([1, None, 3, 4, 5], dtype="Int64"), "b": ["x", None, "ج", "d,e", 'f"'],
                       "c": [0.1, float("nan"), 2.0, 3.5, 1e20]})
    whole = {}
    for fmt in ("csv", "jsonl"):
        out = io.StringIO()
        cli._emit(df, fmt, out)
        whole[fmt] = out.getvalue()
    monkeypatch.setattr(cli, "EMIT_CHUNK", 2)
    for fmt in ("csv", "jsonl"):
        out = io.StringIO()
        cli._emit(df, fmt, out)
        assert out.getvalue() == whole[fmt]
    assert whole["csv"].count("\n") == 6 and whole["jsonl"].count("\n") == 5


def test_the_cache_key_ignores_only_modules_extraction_never_imports():
    import subprocess
    import sys

    from troopwatch.cache import NOT_EXTRACTION, READING

    code = ("import sys\n"
            "from troopwatch.article import Article\n"
            "from troopwatch.pipeline import extract, extract_article\n"
            "text = 'قال مصدر إن 300 جندي أمريكي وصلوا إلى بغداد في 5 آذار 2020.'\n"
            "extract_article(Article.from_text(text, 'a', {'id': 'a', 'text': text}))\n"
            f"extract({str(RAW)!r})\n"
            "print(' '.join(sorted(m.split('.')[-1] + '.py' for m in sys.modules if m.startswith('troopwatch.'))))\n")
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT / "lib")}
    imported = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                  check=True).stdout.split())
    assert "claims.py" in imported and "framing.py" in imported
    assert not (imported & NOT_EXTRACTION), imported & NOT_EXTRACTION
    assert all((ROOT / "lib" / "troopwatch" / name).is_file() for name in NOT_EXTRACTION | READING)
    # the reading modules are imported only to load paths (pipeline.extract), never by a stage
    import ast

    for name in imported - READING - {"pipeline.py"}:
        tree = ast.parse((ROOT / "lib" / "troopwatch" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                assert f"{node.module}.py" not in READING, (name, node.module)


def test_a_long_line_without_full_stops_is_cut_into_bounded_sentences_and_cached(tmp_path, capsys):
    from troopwatch.article import Article
    from troopwatch.text import MAX_SENTENCE

    # written sentences of a news report, their full stops dropped, on one line
    pieces = ["قال مسؤول عسكري إن نحو 2500 جندي أمريكي ما زالوا في العراق",
              "وأكد المتحدث أن الحكومة ملتزمة بجدول زمني لانسحاب قوات التحالف الدولي",
              "وتعرضت قاعدة عين الأسد لهجوم بثلاثة صواريخ مساء الثلاثاء 5 آذار 2024 دون إصابات"]
    line = " ".join(pieces[i % 3] for i in range(600))  # about 40,000 characters
    article = Article.from_text(line, "long", {"id": "long", "text": line})
    spans = article.original_sentences
    assert len(spans) > len(line) // MAX_SENTENCE
    assert max(b - a for a, b in spans) <= MAX_SENTENCE
    assert spans[0][0] == 0 and spans[-1][1] >= len(line.rstrip())
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:]))
    folder = tmp_path / "long"
    folder.mkdir()
    (folder / "long.txt").write_text(line + "\n", encoding="utf-8")
    cache = tmp_path / "cache"
    assert main(["claims", str(folder), "--cache", str(cache), "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert out.count("\n") >= 3 and "0 from cache, 1 computed" in err  # the ledger: each figure once
    for command in ("dates", "framing", "articles"):
        assert main([command, str(folder), "--cache", str(cache), "--format", "csv"]) == 0
        assert "1 from cache, 0 computed" in capsys.readouterr().err


def test_chart_counts_count_the_articles_of_conflicting_pairs():
    """A large corpus has conflicting figures: their rows name two articles each (article_a, article_b)."""
    import pandas as pd

    from troopwatch import report
    from troopwatch.plots import CONFLICT_COLUMNS

    class Chart:
        name = "conflicting_claims"
        rows = pd.DataFrame([dict.fromkeys(CONFLICT_COLUMNS), dict.fromkeys(CONFLICT_COLUMNS)])

        def note_line(self):
            return ""

    Chart.rows["article_a"] = ["a1", "a2"]
    Chart.rows["article_b"] = ["a3", "a1"]
    counts = report.chart_counts([Chart()])
    assert counts["articles"].tolist() == [3] and counts["rows plotted"].tolist() == [2]


def test_extraction_pauses_the_cycle_collector_and_leaves_no_cycles_behind():
    """The collector is off during an article's extraction, back as it was after it (an error included), and an
    extraction leaves no reference cycles for it to find (what makes pausing it safe)."""
    import gc

    from troopwatch import pipeline
    from troopwatch.article import Article
    from troopwatch.corpus import load_corpus

    seen = []
    real = pipeline._extract_stages
    rows = load_corpus(RAW).to_dict("records")[:4]
    pipeline._extract_row(rows[0])  # lexicons loaded and compiled first
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            pipeline._extract_stages = lambda article: seen.append(gc.isenabled()) or real(article)
            gc.collect()
            for row in rows:
                pipeline._extract_row(row)
                pipeline.extract_article(Article.from_text(row["text"], row["id"], row))
            assert gc.collect() == 0  # no cyclic garbage left
            assert gc.isenabled() is enabled
            pipeline._extract_stages = lambda article: 1 / 0
            with pytest.raises(ZeroDivisionError):
                pipeline._extract_row(rows[0])
            assert gc.isenabled() is enabled
    finally:
        pipeline._extract_stages = real
        (gc.enable if was else gc.disable)()
    assert seen and not any(seen)


def test_the_cache_key_follows_every_field_the_stages_read_and_nothing_else():
    from troopwatch.cache import KEY_FIELDS, article_key

    row = {"id": "a1", "text": "قال مصدر إن 300 جندي وصلوا.", "outlet": "ina.iq", "url": None, "language": "ar",
           "published": "2024-01-25", "cited_sources": float("nan"), "title": "قال مصدر", "path": "x/a1.txt"}
    key = article_key(row, "v1")
    assert key == article_key(dict(row), "v1") and len(key) == 64
    assert article_key({**row, "path": "y/a1.txt", "sha256": "0"}, "v1") == key  # not read by any stage
    assert article_key(row, "v2") != key  # another extractor
    assert article_key({**row, "url": float("nan"), "cited_sources": None}, "v1") == key  # missing is missing
    keys = {key}
    for name in KEY_FIELDS:
        for value in ("", "x", None, 5):
            if value != row.get(name) and not (value is None and row.get(name) != row.get(name)):
                keys.add(article_key({**row, name: value}, "v1"))
    assert len(keys) == 1 + sum(len([v for v in ("", "x", None, 5) if v != row.get(n) and
                                     not (v is None and row.get(n) != row.get(n))]) for n in KEY_FIELDS)
    # a value is not confused with its neighbours': the fields are delimited
    assert article_key({**row, "outlet": "ina.iqar", "language": None}, "v1") != \
        article_key({**row, "outlet": "ina.iq", "language": "ar"}, "v1")
