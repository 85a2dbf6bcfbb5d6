"""`stage()`: put a dataset (local file or folder, mounted path, http(s) URL, Drive file or folder,
Kaggle dataset, fsspec object or prefix, any `Source`) on local disk.

(The module is `stager`, not `stage`, so the re-exported function does not shadow it.)

`stage()` checks its arguments, makes them one `StageJob`, and hands it to the strategy of the
source's kind (`STRATEGIES`, chosen by `classify`); every strategy first checks for a cache
hit (the destination's manifest says this same source was staged completely), then free space:
- a path: a local archive is extracted straight from where it is, a plain file copied, a
  folder copied in parallel (`local_copy`);
- a URL or any `Source`: `file_engine` (a tar is extracted while it downloads; anything else
  goes through a resumable, verified `.part`);
- a Drive file or folder: `drive_source`; an fsspec object or prefix: `fsspec_source`; a
  Kaggle dataset: `kaggle_source`. A remote folder's files come through `remote_folder`.
Every step is all-or-nothing under `dest` (see `extract` and `atomic`).
"""

from __future__ import annotations

import functools

import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from colab_panel.disk.atomic import parse_expected_hash
from colab_panel.drive.parse import parse_drive_link
from colab_panel.errors import StagingError
from colab_panel.inputs import shorten, shown, user_folder, user_number, user_path
from colab_panel.drive.interface import DriveSource
from colab_panel.runtime.paths import default_staging_root
from colab_panel.staging.arguments import require_given
from colab_panel.staging.extract import errors_in_words
from colab_panel.staging.file_engine import stage_source
from colab_panel.staging.fsspec_source import is_fsspec_url, stage_fsspec
from colab_panel.staging.job import StageJob
from colab_panel.staging.kaggle_source import is_kaggle, stage_kaggle
from colab_panel.staging.local_copy import copy_tree, list_tree
from colab_panel.staging.manifest import MANIFEST_NAME, Manifest
from colab_panel.staging.progress import ProgressArg, ProgressTracker, resolve_progress
from colab_panel.staging.sources import LocalFileSource, Source, UrlSource
from colab_panel.staging.space import check_space, disk_footprint
from colab_panel.staging.staged import StagedDataset, destination_lock

SourceKind = Literal["kaggle", "drive", "url", "fsspec", "path"]


def default_dest(name: str, root: str | os.PathLike[str] | None = None) -> Path:
    """`<root>/<name>`; without `root`, under `default_staging_root()`: `$COLAB_PANEL_DATA`, else
    `/content/data` in Colab (fast local disk, outside the Drive mount), else `./data`."""
    return (Path(root) if root is not None else default_staging_root()) / name


def stage(source: str | os.PathLike[str] | Source, dest: str | os.PathLike[str] | None = None, *,
          expected_hash: str | None = None, progress: ProgressArg = "tqdm",
          cancel: threading.Event | None = None, extract: bool = True, drive: DriveSource | None = None,
          workers: int | None = None, kaggle_api: Any = None,
          storage_options: dict[str, Any] | None = None, via_copy: bool = False,
          staging_root: str | os.PathLike[str] | None = None) -> StagedDataset:
    """Stage `source` into `dest` (default `default_dest(<name>, staging_root)`) and describe the result.

    `source`: a local/mounted path (file or folder, e.g. under /content/drive), an http(s) URL,
    `"drive:ID"`, a bare Drive ID or any Drive link (file or folder; see `drive_source`),
    `"kaggle:owner/dataset"` (see `kaggle_source`), any fsspec URL (`s3://`, `gs://`, `hf://`, ...:
    an object or a whole prefix; see `fsspec_source`), or a `Source` object.
    `expected_hash`: "sha256:<hex>" or "md5:<hex>" of the downloaded file; mismatch raises
    ChecksumMismatch and keeps nothing (Drive files are always checked against their md5).
    `progress`: "tqdm" (default), None, or a callback. `cancel`: a threading.Event; setting it
    raises StagingCancelled within about half a second at any transfer rate (requests are sized
    to the measured rate). Cancel is a pause: whole verified files stay in `dest` and partial
    downloads stay in its download folder, so staging the same source again resumes them; the
    message counts what `dest` holds (files, bytes, partial downloads). `extract=False` keeps an
    archive as a file. `drive`: a `colab_panel.drive.Drive`, a factory returning one, or None to connect
    on first need. `workers`: parallel downloads for a Drive folder. `kaggle_api`: a factory
    for a `KaggleApi`-like object (tests). `storage_options`: passed to an fsspec store as they
    are (e.g. `{"anon": True}`); by default the store finds its own credentials. `via_copy`: for
    a Drive source, copy it into your own Drive first (server-side) and stage the copy: the way
    past a shared file's download quota (a quota failure raises `DownloadQuotaBlocked`, whose
    message names this call). `staging_root`: where datasets go without a `dest` (default
    `default_staging_root()`; the panel passes its `staging_dir`).
    """
    require_given(source, "source", "a path, an http(s) URL, a Drive link or ID, or kaggle:owner/dataset")
    if dest is not None:
        require_given(dest, "destination", "a folder path, or leave it out for the default")
    expected = _checked_arguments(source, dest, expected_hash, workers)
    if staging_root is not None:
        user_path(staging_root, "staging_root", StagingError)
    callback, close = resolve_progress(progress, "stage")
    try:
        label = str(source) if not isinstance(source, Source) else source.name
        job = StageJob(label, dest, functools.partial(default_dest, root=staging_root), callback, cancel, extract=extract, workers=workers,
                       expected=expected, drive=drive, kaggle_api=kaggle_api, storage_options=storage_options,
                       via_copy=via_copy)
        if isinstance(source, Source):
            return stage_source(job, source)
        text = os.fspath(source).strip()
        kind = classify(text)
        if via_copy and kind != "drive":
            raise StagingError(f"via_copy=True copies a Drive file into your Drive first; {text!r} is not a "
                               "Drive link or ID, so there is nothing to copy.")
        if kind in ("drive", "kaggle", "fsspec"):
            job = replace(job, label=text)  # named without surrounding blanks (a path or URL: as given)
        return STRATEGIES[kind](job, text)
    finally:
        close()


def _checked_arguments(source: Any, dest: Any, expected_hash: Any, workers: Any) -> tuple[str, str] | None:
    """Refuse malformed arguments in words before anything is read or written; the parsed hash."""
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if isinstance(source, str):
        # Only text no source can be: "" is for the source rules below, and path rules (name
        # lengths) only for a path, since a signed URL may be long.
        if "\x00" in source or len(source) > 65536:
            raise StagingError(f"The source {shown(source)} is not a path, URL, Drive link or Kaggle dataset.")
        try:
            source.encode("utf-8", "surrogateescape")
        except UnicodeError:
            raise StagingError(f"The source {shown(source)} has characters no path or URL can hold "
                               "(a lone surrogate).") from None
    elif not isinstance(source, Source):
        raise StagingError(f"Cannot stage {shown(source)}: give a path, an http(s) URL, a Drive link or ID, "
                           "kaggle:owner/dataset, or a Source.")
    if dest is not None:
        user_folder(dest, "The destination", StagingError)
    if workers is not None:
        user_number(workers, "workers", StagingError, minimum=1, maximum=64, integer=True)
    try:
        return parse_expected_hash(expected_hash)
    except ValueError as e:
        raise StagingError(shorten(str(e))) from None


def classify(text: str) -> SourceKind:
    """What a source string names: "kaggle", "drive", "url", "fsspec" (s3://, gs://, ...) or "path".

    A bare Drive ID counts as Drive only when no local path of that name exists.
    """
    lower = text.lower()
    if is_kaggle(text):
        return "kaggle"
    if lower.startswith("drive:"):
        return "drive"
    if lower.startswith(("http://", "https://")) or "://" not in text:
        try:
            parse_drive_link(text)
        except ValueError:
            pass
        else:
            if lower.startswith(("http", "drive.google.com", "docs.google.com")) or not Path(text).expanduser().exists():
                return "drive"
    if lower.startswith(("http://", "https://")):
        return "url"
    if is_fsspec_url(text):
        return "fsspec"
    return "path"


def _stage_drive(job: StageJob, text: str) -> StagedDataset:
    from colab_panel.staging.drive_source import stage_drive  # lazy: the Drive backend

    return stage_drive(job, text)


def _stage_url(job: StageJob, text: str) -> StagedDataset:
    return stage_source(job, UrlSource(text))


def _stage_path(job: StageJob, text: str) -> StagedDataset:
    """A local or mounted path: a folder is copied in parallel, a file goes through `file_engine`."""
    path = user_path(text, "The source", StagingError, allow_empty=True).expanduser()
    if path.is_dir():
        dest = job.target(path.name)
        with destination_lock(dest):
            return _stage_folder_locked(replace(job, label=str(path)), path, dest)
    if not path.exists():
        raise StagingError(f"{path} does not exist.")
    return stage_source(job, LocalFileSource(path))


def _stage_folder_locked(job: StageJob, src: Path, dest: Path) -> StagedDataset:
    try:
        files = list_tree(src)
    except OSError as error:  # a folder under it that cannot be read (e.g. /proc/1/fdinfo under /)
        where = f" ({error.filename})" if error.filename else ""
        raise StagingError(f"Cannot read the folder {src}: {error.strerror or error}{where}. "
                           "Stage a folder this user can read.") from None
    nbytes = sum(f[1] for f in files)
    identity = {"kind": "folder", "path": str(src.resolve()), "files": len(files),
                "bytes": nbytes, "mtime_ns": max((f[2] for f in files), default=0)}
    hit = job.cache_hit(dest, identity)
    if hit is not None:
        return hit
    manifest = Manifest(dest, identity)
    previous = Manifest.load(dest)
    if previous is not None and previous.source.get("path") == identity["path"]:
        manifest.files = previous.files  # per-file entries carry size+mtime: still valid where they match
    check_space(dest, disk_footprint(size for rel, size, _ in files if not manifest.is_done(rel, size)))
    tracker = ProgressTracker(job.callback, phase="copy", bytes_total=nbytes, files_total=len(files))
    dest.mkdir(parents=True, exist_ok=True)
    with errors_in_words(src.name, dest):
        copy_tree(src, dest, [f for f in files if f[0] != MANIFEST_NAME], manifest, tracker=tracker,
                  cancel=job.cancel)
    tracker.emit(force=True)
    manifest.mark_complete(len(files), nbytes)
    return job.staged(dest, len(files), nbytes)


STRATEGIES: dict[SourceKind, Callable[[StageJob, str], StagedDataset]] = {
    "kaggle": stage_kaggle, "drive": _stage_drive, "fsspec": stage_fsspec, "url": _stage_url, "path": _stage_path}
"""One strategy per kind of source string (`classify`); a `Source` object goes to `file_engine.stage_source`."""
