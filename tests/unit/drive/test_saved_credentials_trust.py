"""Saved Drive credentials are trusted only when no one else could have written them."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from colab_panel.drive.auth import load_saved_credentials
from colab_panel.errors import DriveAuthError

TOKEN = {"type": "authorized_user", "client_id": "id.apps.googleusercontent.com",
         "client_secret": "not-a-real-secret", "refresh_token": "1//not-a-real-refresh-token"}


def _saved(tmp_path: Path, mode: int) -> Path:
    path = tmp_path / "drive_credentials.json"
    path.write_text(json.dumps(TOKEN))
    path.chmod(mode)
    return path


def test_a_private_file_is_loaded(tmp_path: Path) -> None:
    credentials = load_saved_credentials(_saved(tmp_path, 0o600))
    assert credentials.refresh_token == TOKEN["refresh_token"]


@pytest.mark.parametrize(("mode", "who"), [(0o666, "anyone"), (0o602, "anyone"), (0o620, "group"),
                                           (0o660, "group"), (0o777, "anyone")])
def test_a_file_others_could_write_is_refused_and_left_as_it_was(tmp_path: Path, mode: int, who: str) -> None:
    path = _saved(tmp_path, mode)
    with pytest.raises(DriveAuthError) as caught:
        load_saved_credentials(path)
    message = str(caught.value)
    assert str(path) in message and "writable" in message and who in message
    assert "delete" in message and "sign in again" in message  # what to do, in words
    assert stat.S_IMODE(path.stat().st_mode) == mode  # not quietly "repaired" and then trusted
    assert TOKEN["refresh_token"] not in message


@pytest.mark.skipif(not hasattr(os, "chown") or os.geteuid() != 0, reason="giving a file away needs root")
def test_a_file_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    path = _saved(tmp_path, 0o600)
    os.chown(path, 65534, 65534)  # nobody
    with pytest.raises(DriveAuthError, match="owned by another user"):
        load_saved_credentials(path)


def test_a_file_only_readable_by_others_is_made_private_and_used(tmp_path: Path) -> None:
    path = _saved(tmp_path, 0o644)  # no one else could have changed it: tighten, then trust
    assert load_saved_credentials(path).refresh_token == TOKEN["refresh_token"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_directory_in_its_place_is_refused_in_words(tmp_path: Path) -> None:
    (tmp_path / "drive_credentials.json").mkdir()
    with pytest.raises(DriveAuthError, match="No saved Drive credentials"):
        load_saved_credentials(tmp_path / "drive_credentials.json")
