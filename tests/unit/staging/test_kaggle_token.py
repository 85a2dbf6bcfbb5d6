"""`save_kaggle_token`: a kaggle.json from the user's computer stored where the official client looks,
mode 0600 in a 0700 folder, written whole or not at all, and its key never in a message or a log."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest

from colab_panel.errors import KaggleTokenError, StagingError
from colab_panel.staging.kaggle_source import find_credentials
from colab_panel.staging.kaggle_token import MAX_TOKEN_BYTES, save_kaggle_token

KEY = "0123456789abcdef0123456789abcdef"
TOKEN = json.dumps({"username": "alice", "key": KEY}).encode()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KAGGLE_CONFIG_DIR", raising=False)
    for name in ("KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_bytes_are_stored_0600_in_a_0700_folder_where_kaggle_looks(home, caplog):
    caplog.set_level(logging.DEBUG)
    saved = save_kaggle_token(TOKEN)
    assert saved.path == home / ".kaggle" / "kaggle.json"
    assert json.loads(saved.path.read_bytes()) == {"username": "alice", "key": KEY}
    assert _mode(saved.path) == 0o600 and _mode(saved.path.parent) == 0o700
    assert saved.username == "alice" and str(saved.path) in saved.message and "0600" in saved.message
    assert KEY not in saved.message and KEY not in repr(saved) and KEY not in caplog.text
    assert find_credentials().source == str(saved.path)  # the staging source finds it
    assert sorted(os.listdir(saved.path.parent)) == ["kaggle.json"]  # no temporary file left


def test_kaggle_config_dir_wins_and_a_path_is_read(home, tmp_path, monkeypatch):
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "cfg"))
    source = tmp_path / "Downloads" / "kaggle.json"
    source.parent.mkdir()
    source.write_bytes(TOKEN)
    saved = save_kaggle_token(source)
    assert saved.path == tmp_path / "cfg" / "kaggle.json" and _mode(saved.path) == 0o600
    assert _mode(tmp_path / "cfg") == 0o700


def test_an_existing_token_is_replaced_whole_and_a_loose_folder_tightened(home):
    folder = home / ".kaggle"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    (folder / "kaggle.json").write_text('{"username": "old", "key": "old"}')
    (folder / "kaggle.json").chmod(0o644)
    saved = save_kaggle_token(TOKEN)
    assert json.loads(saved.path.read_text())["username"] == "alice"
    assert _mode(saved.path) == 0o600 and _mode(folder) == 0o700
    assert "replaced" in saved.message


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"\xff\xfe not text", "not a Kaggle token"),
    (b"username=alice key=" + KEY.encode(), "not a Kaggle token"),
    (b"[1, 2]", "not a Kaggle token"),
    (json.dumps({"username": "alice"}).encode(), "\"key\""),
    (json.dumps({"key": KEY}).encode(), "\"username\""),
    (json.dumps({"username": "alice", "key": 12345}).encode(), "\"key\""),
    (json.dumps({"username": "", "key": KEY}).encode(), "\"username\""),
    (json.dumps({"username": "alice", "key": "a b\n"}).encode(), "\"key\""),
    (json.dumps({"installed": {"client_id": "x"}}).encode(), "\"username\""),
])
def test_anything_else_is_refused_in_words_and_nothing_is_written(home, data, words):
    with pytest.raises(KaggleTokenError, match=words) as caught:
        save_kaggle_token(data)
    assert KEY not in str(caught.value)
    assert "kaggle.com/settings" in str(caught.value)
    assert not (home / ".kaggle" / "kaggle.json").exists()
    assert isinstance(caught.value, StagingError)


def test_a_big_file_is_refused_in_words_without_reading_it_whole(home, tmp_path):
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_TOKEN_BYTES + 1))
    with pytest.raises(KaggleTokenError, match="64 KB"):
        save_kaggle_token(big)
    with pytest.raises(KaggleTokenError, match="64 KB"):
        save_kaggle_token(b"x" * (MAX_TOKEN_BYTES + 1))
    assert not (home / ".kaggle").exists()


def test_a_missing_file_and_a_wrong_type_are_refused_in_words(home, tmp_path):
    with pytest.raises(KaggleTokenError, match="no file"):
        save_kaggle_token(tmp_path / "nope.json")
    with pytest.raises(KaggleTokenError, match="kaggle.json"):
        save_kaggle_token(12)  # type: ignore[arg-type]


def test_a_failed_write_leaves_the_old_token_and_no_temporary_file(home, monkeypatch):
    folder = home / ".kaggle"
    folder.mkdir(mode=0o700)
    (folder / "kaggle.json").write_text('{"username": "old", "key": "old"}')

    def broken_replace(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("colab_panel.staging.kaggle_token.os.replace", broken_replace)
    with pytest.raises(KaggleTokenError, match="No space left"):
        save_kaggle_token(TOKEN)
    assert json.loads((folder / "kaggle.json").read_text())["username"] == "old"
    assert os.listdir(folder) == ["kaggle.json"]
