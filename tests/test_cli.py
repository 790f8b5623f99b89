"""The command line prints the same tables the notebooks use."""
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from troopwatch.cli import main

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_articles_jsonl_lists_every_article_with_metadata(capsys):
    code, out, _ = run_cli(capsys, "articles", str(RAW), "--format", "jsonl")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == sorted(p.stem for p in RAW.glob("*.txt"))
    by_id = {r["id"]: r for r in rows}
    assert by_id["004_d2ec3006b3035329"]["published"] == "2021-03-23"
    assert by_id["004_d2ec3006b3035329"]["published_basis"] == "metadata"
    assert "text" not in rows[0]
    for row in rows:
        assert {"published", "published_window", "published_basis", "sha256", "encoding"} <= set(row)
    # Arabic is written as Arabic, not as \\u escapes
    assert "مباحثات سرية" in out


def test_articles_csv_round_trips(capsys):
    code, out, _ = run_cli(capsys, "articles", str(RAW / "002_19a3caf8993365fc.txt"), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1
    assert rows[0]["title"] == "الولايات المتحدة والعراق يبدآن محادثات بشأن إنهاء التحالف العسكري"


def test_bad_article_is_reported_and_the_rest_still_print(tmp_path, capsys):
    (tmp_path / "good.txt").write_text((RAW / "002_19a3caf8993365fc.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02\x03" * 50)
    code, out, err = run_cli(capsys, "articles", str(tmp_path))
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["good"]
    assert "bad.txt" in err and "skipped" in err


def test_missing_path_exits_2_with_a_message(tmp_path, capsys):
    code, out, err = run_cli(capsys, "articles", str(tmp_path / "missing"))
    assert code == 2
    assert out == ""
    assert "missing" in err and "no such file or folder" in err


def test_installed_console_script_runs():
    exe = Path(sys.executable).with_name("troopwatch")
    if not exe.exists():
        pytest.skip("console script not installed in this interpreter's environment")
    result = subprocess.run([str(exe), "articles", str(RAW / "000_6d420342642e164b.txt")],
                            capture_output=True, text=True, encoding="utf-8", check=True)
    assert json.loads(result.stdout)["id"] == "000_6d420342642e164b"


def test_claims_prints_the_ledger_and_mentions_every_mention(tmp_path, capsys):
    art = tmp_path / "a.txt"
    art.write_text("نحو 2500 جندي أمريكي في العراق\n\nوتنشر الولايات المتحدة نحو 2500 جندي أمريكي في العراق.\n",
                   encoding="utf-8")
    code, out, _ = run_cli(capsys, "claims", str(art))
    assert code == 0
    ledger = [json.loads(line) for line in out.splitlines()]
    code, out, _ = run_cli(capsys, "claims", str(art), "--mentions")
    assert code == 0
    mentions = [json.loads(line) for line in out.splitlines()]
    assert len(mentions) == 2 and len(ledger) == 1
    assert ledger[0]["mentions"] == 2 and ledger[0]["start"] == mentions[0]["start"]
    assert "mentions" not in mentions[0]


def test_run_takes_force():
    from troopwatch.cli import build_parser

    assert build_parser().parse_args(["run", "--force"]).force is True
    assert build_parser().parse_args(["run"]).force is False
