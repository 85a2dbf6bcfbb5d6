"""kaggle: sources up to the API call, with a fake KAGGLE_CONFIG_DIR and no network.

The API object is replaced at the network boundary only (`kaggle_api=` factory); credential
discovery, the 0600 fix, the zip's safe extraction and the cache rules are the real code.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest

from colab_panel.errors import StagingError, UnsafeArchiveError
from colab_panel.staging import stage
from colab_panel.staging.kaggle_source import find_credentials, parse_kaggle

SECRET = "s3cr3t-kaggle-key-value"


@pytest.fixture
def kaggle_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "kaggle-config"
    folder.mkdir()
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(folder))
    for name in ("KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return folder


class FakeApi:
    """Writes what Kaggle would send: `<slug>.zip` in the requested folder."""

    def __init__(self, members: dict[str, bytes]) -> None:
        self.members = members
        self.calls: list[tuple[str, str]] = []

    def dataset_download_files(self, ref: str, path: str, **kwargs: Any) -> None:
        self.calls.append((ref, path))
        print(f"Dataset URL: https://www.kaggle.com/datasets/{ref}")  # the real one prints; we must swallow it
        with zipfile.ZipFile(Path(path) / f"{ref.split('/')[1]}.zip", "w") as zf:
            for name, data in self.members.items():
                zf.writestr(name, data)


@pytest.mark.parametrize("text, ref, version", [
    ("kaggle:zynicide/wine-reviews", "zynicide/wine-reviews", None),
    ("  kaggle:owner/data.set_1/versions/3 ", "owner/data.set_1/versions/3", 3),
    ("kaggle:https://www.kaggle.com/datasets/owner/ds", "owner/ds", None),
])
def test_parse(text: str, ref: str, version: int | None) -> None:
    parsed = parse_kaggle(text)
    assert (parsed.ref, parsed.version) == (ref, version)


@pytest.mark.parametrize("text", ["kaggle:", "kaggle:just-a-name", "kaggle:a/b/c", "kaggle:../x/y z"])
def test_parse_refuses_in_words(text: str) -> None:
    with pytest.raises(ValueError, match="write kaggle:owner/dataset-name"):  # stage() raises it as StagingError
        parse_kaggle(text)


def test_no_credentials_is_one_clear_sentence(kaggle_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(StagingError, match="No Kaggle credentials found") as err:
        stage("kaggle:owner/ds", tmp_path / "out", progress=None, kaggle_api=FakeApi({}))
    assert str(kaggle_dir) in str(err.value)
    assert not (tmp_path / "out" / "ds").exists()


def test_loose_kaggle_json_is_made_0600_and_never_printed(kaggle_dir: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str],
                                                          caplog: pytest.LogCaptureFixture) -> None:
    key = kaggle_dir / "kaggle.json"
    key.write_text('{"username": "me", "key": "%s"}' % SECRET)
    key.chmod(0o644)
    api = FakeApi({"wine/a.csv": b"x,y\n1,2\n"})
    result = stage("kaggle:zynicide/wine", tmp_path / "wine", progress=None, kaggle_api=lambda creds: api)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert any("mode is now 0600" in n for n in result.notes)
    assert (tmp_path / "wine" / "wine" / "a.csv").read_bytes() == b"x,y\n1,2\n"
    assert result.files == 1 and api.calls[0][0] == "zynicide/wine"
    assert not (tmp_path / "wine" / ".colab_panel-download").exists()  # the zip is gone
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err + caplog.text + repr(result)
    assert "Dataset URL" not in out.out  # the package's chatter is captured


def test_credentials_from_the_environment_need_no_file(kaggle_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAGGLE_USERNAME", "me")
    monkeypatch.setenv("KAGGLE_KEY", SECRET)
    found = find_credentials()
    assert "KAGGLE_USERNAME" in found.source and SECRET not in repr(found)


def test_pinned_version_is_a_cache_hit_latest_is_fetched_again(kaggle_dir: Path, tmp_path: Path) -> None:
    (kaggle_dir / "kaggle.json").write_text('{"username": "me", "key": "k"}')
    (kaggle_dir / "kaggle.json").chmod(0o600)
    api = FakeApi({"a.txt": b"a"})
    stage("kaggle:o/ds/versions/2", tmp_path / "p", progress=None, kaggle_api=lambda c: api)
    again = stage("kaggle:o/ds/versions/2", tmp_path / "p", progress=None, kaggle_api=lambda c: api)
    assert again.cached and len(api.calls) == 1
    stage("kaggle:o/ds", tmp_path / "l", progress=None, kaggle_api=lambda c: api)
    latest = stage("kaggle:o/ds", tmp_path / "l", progress=None, kaggle_api=lambda c: api)
    assert not latest.cached and len(api.calls) == 3


def test_a_hostile_zip_from_kaggle_is_refused(kaggle_dir: Path, tmp_path: Path) -> None:
    (kaggle_dir / "kaggle.json").write_text('{"username": "me", "key": "k"}')
    with pytest.raises(UnsafeArchiveError):
        stage("kaggle:o/evil", tmp_path / "e", progress=None, kaggle_api=lambda c: FakeApi({"../escape.txt": b"x"}))
    assert not (tmp_path / "escape.txt").exists()


def test_the_real_kaggle_package_without_credentials_says_so(kaggle_dir: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The real KaggleApi (no fake) stops at authentication: no network is touched."""
    (kaggle_dir / "credentials.json").write_text("{}")  # looks like OAuth, but holds nothing usable
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(StagingError, match="No Kaggle credentials found"):
        stage("kaggle:o/ds", tmp_path / "x", progress=None)


def test_stage_reports_a_bad_kaggle_ref_as_a_staging_error(tmp_path: Path) -> None:
    with pytest.raises(StagingError, match="write kaggle:owner/dataset-name"):
        stage("kaggle:bad", tmp_path / "x", progress=None)


def test_without_the_kaggle_package_it_says_how_to_install_it(kaggle_dir: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAGGLE_USERNAME", "someone")
    monkeypatch.setenv("KAGGLE_KEY", SECRET)
    import sys

    for name in [m for m in sys.modules if m == "kaggle" or m.startswith("kaggle.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "kaggle", None)  # what Python does for a package that is not installed
    with pytest.raises(StagingError) as caught:
        stage("kaggle:owner/some-data", tmp_path / "data", progress=None)
    message = str(caught.value)
    assert "pip install kaggle" in message and SECRET not in message
    assert caught.value.__cause__ is None  # no ModuleNotFoundError traceback chained under it
