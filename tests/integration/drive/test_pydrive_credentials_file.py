"""A PyDrive credentials file (the tutorials' `mycreds.txt`) signs `connect()` in, over real HTTPS.

The file is what oauth2client's `OAuth2Credentials.to_json()` writes (PyDrive's
`SaveCredentialsFile`); its `token_uri` names the emulator's token endpoint, which trades the
refresh token for a new access token as Google's does.
"""

from __future__ import annotations

import datetime
import json
import os
import stat
from pathlib import Path

import pytest

from colab_panel.drive import auth
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.errors import DriveAuthError

CLIENT_ID = "123-test.apps.googleusercontent.com"
CLIENT_SECRET = "not-a-real-client-secret"


def _mycreds(emulator: DriveEmulator, path: Path, *, access_token: str | None, expired: bool,
             refresh_token: str | None = None) -> Path:
    from oauth2client.client import OAuth2Credentials

    expiry = datetime.datetime.utcnow() + datetime.timedelta(hours=-2 if expired else 1)
    credentials = OAuth2Credentials(access_token, CLIENT_ID, CLIENT_SECRET, refresh_token, expiry,
                                    emulator.token_uri, "colab-panel-test",
                                    scopes=["https://www.googleapis.com/auth/drive"])
    path.write_text(credentials.to_json())  # exactly what gauth.SaveCredentialsFile("mycreds.txt") writes
    path.chmod(0o600)
    return path


def _drive(emulator: DriveEmulator, path: Path):
    return auth.emulator_drive(emulator.base_url, "", emulator.ca_cert_path,
                               credentials=auth.load_pydrive_credentials(path))


def test_a_valid_access_token_in_mycreds_is_used_as_is(emulator: DriveEmulator, tmp_path: Path) -> None:
    path = _mycreds(emulator, tmp_path / "mycreds.txt", access_token=emulator.token, expired=False)
    drive = _drive(emulator, path)
    assert [item.title for item in drive.list()]  # a real listing of My Drive
    assert emulator.requests.count(method="POST", path="/token") == 0


def test_an_expired_token_is_refreshed_with_the_files_refresh_token(emulator: DriveEmulator, tmp_path: Path) -> None:
    refresh = emulator.add_refresh_token("me@example.com", CLIENT_ID, CLIENT_SECRET)
    path = _mycreds(emulator, tmp_path / "mycreds.txt", access_token="ya29.stale", expired=True, refresh_token=refresh)
    drive = _drive(emulator, path)
    assert [item.title for item in drive.list()]
    assert emulator.requests.count(method="POST", path="/token", status=200) == 1


def test_a_refresh_token_the_server_does_not_know_is_refused(emulator: DriveEmulator, tmp_path: Path) -> None:
    path = _mycreds(emulator, tmp_path / "mycreds.txt", access_token="ya29.stale", expired=True,
                    refresh_token="1//forged")
    drive = _drive(emulator, path)
    with pytest.raises(DriveAuthError, match="refused the Drive credentials") as caught:
        drive.list()
    assert "1//forged" not in str(caught.value)


def test_connect_picks_up_mycreds_from_the_working_directory(emulator: DriveEmulator, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _mycreds(emulator, tmp_path / "mycreds.txt", access_token=emulator.token, expired=False)
    monkeypatch.chdir(tmp_path)
    assert auth.pydrive_credentials_file() == tmp_path / "mycreds.txt"
    (tmp_path / "mycreds.txt").unlink()
    assert auth.pydrive_credentials_file() is None


@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602])
def test_a_file_others_could_write_is_refused_in_words(emulator: DriveEmulator, tmp_path: Path, mode: int) -> None:
    path = _mycreds(emulator, tmp_path / "mycreds.txt", access_token=emulator.token, expired=False)
    path.chmod(mode)
    with pytest.raises(DriveAuthError, match="writable") as caught:
        auth.connect(credentials_file=path)
    assert emulator.token not in str(caught.value)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def _emulator_env(emulator: DriveEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.ENV_EMULATOR, emulator.base_url)
    monkeypatch.setenv(auth.ENV_EMULATOR_TOKEN, emulator.token)
    monkeypatch.setenv(auth.ENV_EMULATOR_CA, str(emulator.ca_cert_path))


def test_connect_with_credentials_file_signs_in_as_the_files_account(emulator: DriveEmulator, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    bob = emulator.add_user("bob2@example.com")
    path = _mycreds(emulator, tmp_path / "mycreds.txt", access_token=bob, expired=False)
    path.chmod(0o644)  # only readable by others: no one could have changed it, so tightened and used
    _emulator_env(emulator, monkeypatch)  # the emulator stands in for Google: the file's token, not the env's
    drive = auth.connect(credentials_file=path)
    assert drive.about().user_email == "bob2@example.com"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert bob not in repr(drive)


def test_connect_auto_uses_mycreds_in_the_working_directory(emulator: DriveEmulator, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (auth.ENV_EMULATOR, auth.ENV_SERVICE_ACCOUNT):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no saved sign-in
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DriveAuthError):
        auth.connect()
    _mycreds(emulator, tmp_path / "mycreds.txt", access_token="ya29.x", expired=False)
    drive = auth.connect()  # built without a request: Google's endpoint is not reached in this test
    assert "mycreds.txt" in drive.description
    drive.close()


@pytest.mark.parametrize(("text", "words"), [
    ("not json", "not a PyDrive credentials file"),
    ('{"type": "service_account"}', "not a PyDrive credentials file"),
    ('{"_class": "OAuth2Credentials", "client_id": "x"}', "has neither"),
])
def test_other_files_are_refused_in_words(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "mycreds.txt"
    path.write_text(text)
    path.chmod(0o600)
    with pytest.raises(DriveAuthError, match=words):
        auth.load_pydrive_credentials(path)


def test_a_missing_file_is_refused_in_words(tmp_path: Path) -> None:
    with pytest.raises(DriveAuthError, match="No PyDrive credentials file"):
        auth.connect(credentials_file=tmp_path / "nope.txt")
    assert os.listdir(tmp_path) == []


def test_the_file_json_is_what_oauth2client_writes(emulator: DriveEmulator, tmp_path: Path) -> None:
    data = json.loads(_mycreds(emulator, tmp_path / "m.txt", access_token="a", expired=False).read_text())
    assert data["_class"] == "OAuth2Credentials" and data["_module"] == "oauth2client.client"
