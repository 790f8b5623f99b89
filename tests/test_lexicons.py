"""The lexicon layer: which folder is read, how a broken file is reported."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from troopwatch import lexicons
from troopwatch.lexicons import LexiconError, lexicon_key, load_lexicon


def test_lexicon_key_follows_the_environment(monkeypatch, tmp_path):
    default = lexicon_key()
    monkeypatch.setenv("TROOPWATCH_LEXICONS", str(tmp_path))
    assert lexicon_key() == str(tmp_path)
    monkeypatch.setenv("TROOPWATCH_LEXICONS", str(tmp_path / "other"))
    assert lexicon_key() == str(tmp_path / "other")
    monkeypatch.setenv("TROOPWATCH_LEXICONS", "")
    assert lexicon_key() == default  # an empty value means the default folder
    monkeypatch.delenv("TROOPWATCH_LEXICONS")
    assert lexicon_key() == default


def test_a_broken_lexicon_names_its_file_and_line(monkeypatch, tmp_path):
    (tmp_path / "broken.yml").write_text("words:\n  - one\n  - [two, three\nnext: 1\n", encoding="utf-8")
    monkeypatch.setenv("TROOPWATCH_LEXICONS", str(tmp_path))
    with pytest.raises(LexiconError) as err:
        load_lexicon("broken")
    message = str(err.value)
    assert str(tmp_path / "broken.yml") in message and "line 4" in message and "not valid YAML" in message


def test_every_shipped_lexicon_reads_the_same_with_either_yaml_loader():
    files = sorted(Path(lexicons._default_dir()).rglob("*.yml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=lexicons._LOADER) == yaml.load(text, Loader=yaml.SafeLoader), path
