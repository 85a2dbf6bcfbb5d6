"""`kaggle:owner/dataset` sources, through the official `kaggle` package (imported lazily).

    stage("kaggle:zynicide/wine-reviews")            # latest version: fetched again every time
    stage("kaggle:zynicide/wine-reviews/versions/4") # a pinned version: a rerun is a cache hit

Credentials are the `kaggle` package's own (we never read the key's value, never print it):
`KAGGLE_USERNAME`+`KAGGLE_KEY` or `KAGGLE_API_TOKEN` in the environment, or `kaggle.json` /
`access_token` / `credentials.json` (OAuth, from `kaggle auth login`) in the config folder
(`KAGGLE_CONFIG_DIR`, else `~/.kaggle`, else `~/.config/kaggle`). A `kaggle.json` readable by
others is switched to mode 0600 before the package reads it, and the fix is reported.

We do not `import kaggle`: that authenticates at import and prints a page of help when there
are no credentials. `KaggleApi` is built and authenticated here, with its stdout captured.
The dataset's zip goes to `dest/.colab_panel-download/` and is extracted by our safe extractor
(never `kaggle`'s `unzip=True`, which is `ZipFile.extractall`).
`stage_kaggle` is `stage()`'s strategy for these sources.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from colab_panel.errors import StagingCancelled, StagingError
from colab_panel.staging.extract import extract_archive
from colab_panel.staging.job import StageJob
from colab_panel.staging.manifest import Manifest
from colab_panel.staging.progress import ProgressTracker
from colab_panel.staging.remote_folder import DOWNLOAD_DIR
from colab_panel.staging.staged import StagedDataset, destination_lock

log = logging.getLogger(__name__)

PREFIX = "kaggle:"
_REF = re.compile(r"^(?P<owner>[A-Za-z0-9_.-]+)/(?P<slug>[A-Za-z0-9_.-]+)(?:/versions/(?P<version>\d+))?$")
NO_CREDENTIALS = (
    "No Kaggle credentials found. Create an API token at https://www.kaggle.com/settings/api and "
    "either save kaggle.json to {config_dir} (it is kept at mode 0600) or set KAGGLE_USERNAME and "
    "KAGGLE_KEY (or KAGGLE_API_TOKEN) in the environment; in Colab, add them as notebook secrets. The "
    "Staging tab's 'Upload kaggle.json…' button (or colab_panel.save_kaggle_token(path)) stores the file for you.")


@dataclass(frozen=True)
class KaggleRef:
    owner: str
    slug: str
    version: int | None = None

    @property
    def ref(self) -> str:
        base = f"{self.owner}/{self.slug}"
        return f"{base}/versions/{self.version}" if self.version is not None else base


def is_kaggle(text: str) -> bool:
    return text.strip().lower().startswith(PREFIX)


def parse_kaggle(text: str) -> KaggleRef:
    """`"kaggle:owner/dataset[/versions/N]"` -> KaggleRef; ValueError in words otherwise."""
    body = text.strip()[len(PREFIX):].strip().strip("/")
    body = re.sub(r"^(https?://)?(www\.)?kaggle\.com/datasets/", "", body)  # a pasted dataset URL
    match = _REF.match(body)
    if match is None:
        shown = text.strip() if len(text.strip()) <= 60 else text.strip()[:57] + "..."
        raise ValueError(f"{shown!r} is not a Kaggle dataset: write kaggle:owner/dataset-name "
                         "(optionally kaggle:owner/dataset-name/versions/N).")
    version = match.group("version")
    return KaggleRef(match.group("owner"), match.group("slug"), int(version) if version else None)


def config_dir() -> Path:
    """Where the `kaggle` package looks for its files (same rule as `KaggleApi`)."""
    configured = os.environ.get("KAGGLE_CONFIG_DIR")
    if configured:
        return Path(configured).expanduser()
    legacy = Path.home() / ".kaggle"
    if legacy.exists():
        return legacy
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "kaggle"


@dataclass
class KaggleCredentials:
    """Where the credentials come from (a description, never their value) and what we fixed."""

    source: str
    config_dir: Path
    notes: list[str] = field(default_factory=list)


def find_credentials() -> KaggleCredentials:
    """Locate credentials and tighten `kaggle.json`'s mode; StagingError in words if there are none."""
    folder = config_dir()
    notes: list[str] = []
    key_file = folder / "kaggle.json"
    if key_file.is_file():
        mode = stat.S_IMODE(key_file.stat().st_mode)
        if mode & 0o077:
            try:
                key_file.chmod(0o600)
                notes.append(f"{key_file} was readable by other users (mode {mode:04o}); "
                             "its mode is now 0600.")
            except OSError as e:
                notes.append(f"{key_file} is readable by other users (mode {mode:04o}) and its mode "
                             f"could not be changed ({e.strerror}); run: chmod 600 {key_file}")
        for note in notes:
            log.warning(note)
    if os.environ.get("KAGGLE_USERNAME") and os.environ.get("KAGGLE_KEY"):
        return KaggleCredentials("the KAGGLE_USERNAME and KAGGLE_KEY environment variables", folder, notes)
    if os.environ.get("KAGGLE_API_TOKEN"):
        return KaggleCredentials("the KAGGLE_API_TOKEN environment variable", folder, notes)
    for name in ("kaggle.json", "access_token", "access_token.txt", "credentials.json"):
        if (folder / name).is_file():
            return KaggleCredentials(str(folder / name), folder, notes)
    raise StagingError(NO_CREDENTIALS.format(config_dir=folder))


def default_api_factory(credentials: KaggleCredentials) -> Any:
    """An authenticated `KaggleApi` reading its files from `credentials.config_dir`."""
    with contextlib.redirect_stdout(io.StringIO()):  # the package prints help/warnings on stdout
        try:
            # lazy: heavy, optional. Importing it runs `kaggle/__init__`, which authenticates at
            # once; kaggle 2.0.2 (Colab's) then calls exit(1) when that fails, later ones do not.
            from kaggle.api.kaggle_api_extended import KaggleApi

            api = KaggleApi()
            # KaggleApi fixes its config folder when the module is imported; point this instance
            # at the folder we checked (KAGGLE_CONFIG_DIR may have been set since).
            api.config_dir = str(credentials.config_dir)
            api.config = str(credentials.config_dir / "kaggle.json")
            api.authenticate()
        except ImportError:
            raise StagingError(
                "Staging from Kaggle needs the kaggle package, which is not installed here. Install it "
                "with: pip install kaggle (or pip install 'colab-panel[kaggle]'), then run this again.") from None
        except SystemExit:  # what it does when no method works
            raise StagingError(NO_CREDENTIALS.format(config_dir=credentials.config_dir)) from None
    return api


ApiFactory = Callable[[KaggleCredentials], Any]


def download_dataset(ref: KaggleRef, folder: Path, *, api_factory: ApiFactory | None = None) -> tuple[Path, list[str]]:
    """Download the dataset's zip into `folder`; return (zip path, notes for the user)."""
    credentials = find_credentials()
    api = (api_factory or default_api_factory)(credentials)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            api.dataset_download_files(ref.ref, path=str(folder), force=True, quiet=True, unzip=False)
    except StagingError:
        raise
    except Exception as e:  # requests/kagglesdk errors: say what it means, without any header or key
        raise StagingError(_in_words(ref, e)) from None
    archive = folder / f"{ref.slug}.zip"
    if not archive.is_file():
        found = sorted(folder.glob("*.zip"))
        if not found:
            raise StagingError(f"Kaggle sent nothing for {ref.ref}.")
        archive = found[0]
    return archive, credentials.notes


def _in_words(ref: KaggleRef, error: Exception) -> str:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(error, "status", None)
    if status in (401,):
        return "Kaggle refused the credentials (401): create a new API token and replace the old one."
    if status == 403:
        return (f"Kaggle refused {ref.ref} (403): open the dataset page on kaggle.com and accept its rules "
                "or license with this account first.")
    if status == 404:
        return f"Kaggle has no dataset {ref.ref} (404), or it is private to another account."
    if isinstance(error, (ConnectionError, OSError)) or "Connection" in type(error).__name__:
        return f"Could not reach Kaggle to download {ref.ref}: {type(error).__name__}."
    return f"Downloading {ref.ref} from Kaggle failed: {type(error).__name__}: {error}"


def stage_kaggle(job: StageJob, text: str) -> StagedDataset:
    """The Kaggle strategy: download the dataset's zip with the `kaggle` package, then extract it
    safely into the job's destination. Only a pinned version (`.../versions/N`) can be a cache hit:
    "latest" may have changed."""
    try:
        ref = parse_kaggle(text)
    except ValueError as e:
        raise StagingError(str(e)) from None
    dest = job.target(ref.slug)
    with destination_lock(dest):
        return _stage_locked(job, ref, dest)


def _stage_locked(job: StageJob, ref: KaggleRef, dest: Path) -> StagedDataset:
    identity = {"kind": "kaggle", "dataset": ref.ref}
    if ref.version is not None:
        hit = job.cache_hit(dest, identity)
        if hit is not None:
            return hit
    if job.cancelled():
        raise StagingCancelled("Staging was cancelled before the download started.")
    downloads = dest / DOWNLOAD_DIR
    Manifest(dest, identity).save()
    try:
        tracker = ProgressTracker(job.callback, phase="download")
        tracker.emit(force=True)
        archive, notes = download_dataset(ref, downloads / "kaggle", api_factory=job.kaggle_api)
        if job.cancelled():
            raise StagingCancelled("Staging was cancelled; the downloaded archive was removed.")
        paths = extract_archive(archive, dest, progress=job.callback, cancel=job.cancel)
    finally:
        shutil.rmtree(downloads, ignore_errors=True)
    nbytes = sum(p.lstat().st_size for p in paths)
    Manifest(dest, identity).mark_complete(len(paths), nbytes)
    return job.staged(dest, len(paths), nbytes, notes)
