"""`stage()`: put a dataset (local file or folder, mounted path, http(s) URL, any `Source`) on local disk.

(The module is `stager`, not `stage`, so the re-exported function does not shadow it.)

Steps: identify the source; if the destination's manifest says this same source was staged
completely, return at once (cache hit). Otherwise check free space, then
- a tar from a remote source is extracted *while it downloads* (reconnecting with Range on
  a dropped connection, hashed on the fly when a hash is expected);
- anything else remote is downloaded into a resumable `.part` (kept on a network failure, so
  a rerun continues), verified, then extracted (zip) or moved into place (plain file); a large
  file from a source with exact ranged reads (Drive) comes as parallel ranges (`parallel_ranges`);
- a local archive is extracted straight from where it is; a local folder is copied in parallel.
Every step is all-or-nothing under `dest` (see `extract` and `atomic`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

from colab_panel.drive.parse import parse_drive_link
from colab_panel.errors import ChecksumMismatch, DriveError, PanelError, StagingCancelled, StagingError
from colab_panel.staging.arguments import require_given
from colab_panel.inputs import shorten, shown, user_folder, user_number, user_path
from colab_panel.runtime.frontend import in_colab
from colab_panel.disk.atomic import PartFile, parse_expected_hash, part_path
from colab_panel.staging.extract import errors_in_words, extract_archive, extract_tar_stream
from colab_panel.staging.formats import detect_format
from colab_panel.staging.fsspec_source import is_fsspec_url
from colab_panel.staging.kaggle_source import KaggleRef, download_dataset, is_kaggle, parse_kaggle
from colab_panel.staging.local_copy import copy_tree, list_tree
from colab_panel.staging.manifest import MANIFEST_NAME, Manifest
from colab_panel.staging.parallel_ranges import RangedFile, download_ranges, use_parallel
from colab_panel.staging.prefetch import Prefetcher
from colab_panel.staging.progress import ProgressArg, ProgressCallback, ProgressTracker, resolve_progress
from colab_panel.staging.sources import (NETWORK_ERRORS, DownloadInterrupted, LocalFileSource, ResumingReader, Source, UrlSource,
                                         dataset_name, looks_like_tar_name)
from colab_panel.staging.remote_size import remote_expanded_size
from colab_panel.staging.space import check_space, disk_footprint
from colab_panel.staging.staged import StagedDataset, cache_hit, destination_lock
from colab_panel.disk import writing

from colab_panel.staging.remote_folder import DOWNLOAD_DIR, remove_empty_dirs
from colab_panel.units import human_bytes

SPACE_PROBE_MIN_BYTES = 1_000_000  # below this, reading an archive's directory first isn't worth a request


def default_dest(name: str) -> Path:
    """`/content/data/<name>` in Colab (fast local disk, outside the Drive mount), else `./data/<name>`."""
    base = Path("/content/data") if in_colab() else Path.cwd() / "data"
    return base / name


def stage(source: str | os.PathLike[str] | Source, dest: str | os.PathLike[str] | None = None, *,
          expected_hash: str | None = None, progress: ProgressArg = "tqdm",
          cancel: threading.Event | None = None, extract: bool = True, drive: Any = None,
          workers: int | None = None, kaggle_api: Any = None,
          storage_options: dict[str, Any] | None = None, via_copy: bool = False) -> StagedDataset:
    """Stage `source` into `dest` (default `default_dest(<name>)`) and describe the result.

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
    message names this call).
    """
    started = time.monotonic()
    require_given(source, "source", "a path, an http(s) URL, a Drive link or ID, or kaggle:owner/dataset")
    if dest is not None:
        require_given(dest, "destination", "a folder path, or leave it out for the default")
    expected = _checked_arguments(source, dest, expected_hash, workers)
    callback, close = resolve_progress(progress, "stage")
    try:
        label = str(source) if not isinstance(source, Source) else source.name
        if isinstance(source, (str, os.PathLike)):
            text = os.fspath(source).strip()
            kind = classify(text)
            if via_copy and kind != "drive":
                raise StagingError(f"via_copy=True copies a Drive file into your Drive first; {text!r} is not a "
                                   "Drive link or ID, so there is nothing to copy.")
            if kind == "kaggle":
                try:
                    ref = parse_kaggle(text)
                except ValueError as e:
                    raise StagingError(str(e)) from None
                target = Path(dest) if dest is not None else default_dest(ref.slug)
                return _stage_kaggle(ref, target, text, callback, cancel, started, kaggle_api)
            if kind == "drive":
                from colab_panel.staging.drive_source import stage_drive  # lazy: Drive backend

                return stage_drive(text, dest, drive=drive, callback=callback, cancel=cancel, started=started,
                                   extract=extract, workers=workers, stage_file=_stage_file,
                                   default_dest=default_dest, via_copy=via_copy)
            if kind == "fsspec":
                from colab_panel.staging.fsspec_source import stage_fsspec  # lazy: fsspec

                return stage_fsspec(text, dest, storage_options=storage_options,
                                    expected=parse_expected_hash(expected_hash), callback=callback, cancel=cancel,
                                    started=started, extract=extract, workers=workers, stage_file=_stage_file,
                                    default_dest=default_dest)
            if kind == "url":
                source = UrlSource(text)
            else:
                path = user_path(text, "The source", StagingError, allow_empty=True).expanduser()
                if path.is_dir():
                    target = Path(dest) if dest is not None else default_dest(path.name)
                    return _stage_folder(path, target, callback, cancel, started)
                if not path.exists():
                    raise StagingError(f"{path} does not exist.")
                source = LocalFileSource(path)
        target = Path(dest) if dest is not None else default_dest(dataset_name(source.name))
        return _stage_file(source, target, label, expected, callback, cancel, extract, started)
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


def classify(text: str) -> str:
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


def _stage_kaggle(ref: KaggleRef, dest: Path, label: str, callback: ProgressCallback | None,
                  cancel: threading.Event | None, started: float, api_factory: Any) -> StagedDataset:
    """Download the dataset's zip with the `kaggle` package, then extract it safely into `dest`.

    Only a pinned version (`.../versions/N`) can be a cache hit: "latest" may have changed.
    """
    dest = Path(os.path.abspath(dest))
    with destination_lock(dest):
        return _stage_kaggle_locked(ref, dest, label, callback, cancel, started, api_factory)


def _stage_kaggle_locked(ref: KaggleRef, dest: Path, label: str, callback: ProgressCallback | None,
                         cancel: threading.Event | None, started: float, api_factory: Any) -> StagedDataset:
    identity = {"kind": "kaggle", "dataset": ref.ref}
    if ref.version is not None:
        hit = cache_hit(dest, identity, label, started)
        if hit is not None:
            return hit
    if cancel is not None and cancel.is_set():
        raise StagingCancelled("Staging was cancelled before the download started.")
    downloads = dest / DOWNLOAD_DIR
    Manifest(dest, identity).save()
    try:
        tracker = ProgressTracker(callback, phase="download")
        tracker.emit(force=True)
        archive, notes = download_dataset(ref, downloads / "kaggle", api_factory=api_factory)
        if cancel is not None and cancel.is_set():
            raise StagingCancelled("Staging was cancelled; the downloaded archive was removed.")
        paths = extract_archive(archive, dest, progress=callback, cancel=cancel)
    finally:
        shutil.rmtree(downloads, ignore_errors=True)
    nbytes = sum(p.lstat().st_size for p in paths)
    Manifest(dest, identity).mark_complete(len(paths), nbytes)
    return StagedDataset(dest, len(paths), nbytes, label, False, time.monotonic() - started, tuple(notes))


def _stage_file(source: Source, dest: Path, label: str, expected: tuple[str, str] | None,
                callback: ProgressCallback | None, cancel: threading.Event | None, extract: bool,
                started: float) -> StagedDataset:
    dest = Path(os.path.abspath(dest))
    with destination_lock(dest):
        return _stage_file_locked(source, dest, label, expected, callback, cancel, extract, started)


def _stage_file_locked(source: Source, dest: Path, label: str, expected: tuple[str, str] | None,
                       callback: ProgressCallback | None, cancel: threading.Event | None, extract: bool,
                       started: float) -> StagedDataset:
    identity = source.identity()
    if expected:
        identity["expected_hash"] = f"{expected[0]}:{expected[1]}"
    identity["extract"] = extract
    hit = cache_hit(dest, identity, label, started)
    if hit is not None:
        return hit
    previous = Manifest.load(dest)
    if previous is not None and not previous.matches(identity):
        shutil.rmtree(dest / DOWNLOAD_DIR, ignore_errors=True)  # a .part of another source is useless
    if isinstance(source, LocalFileSource):
        paths = _stage_local_file(source, dest, expected, callback, cancel, extract)
    else:
        size = source.size()
        if size is not None:
            check_space(dest, _space_needed(source, size, extract))
        if extract and looks_like_tar_name(source.name):
            paths = _stream_tar(source, dest, identity, expected, callback, cancel, size)
        else:
            paths = _download_then_place(source, dest, identity, expected, callback, cancel, extract, size)
    nbytes = sum(p.lstat().st_size for p in paths)
    Manifest(dest, identity).mark_complete(len(paths), nbytes)
    return StagedDataset(dest, len(paths), nbytes, label, False, time.monotonic() - started)


def _space_needed(source: Source, size: int, extract: bool) -> int:
    """Download plus declared expanded size (a zip is kept until extracted); tar streams need no download copy."""
    # Probed only where a small exact range is cheap (`read_range`: Drive) and the name looks
    # like an archive: a URL stream can't be cut short without wasting a connection.
    if (not extract or size < SPACE_PROBE_MIN_BYTES or not hasattr(source, "read_range")
            or dataset_name(source.name) == source.name):
        return size
    try:
        expanded, kind = remote_expanded_size(source, size)
    except (PanelError, *NETWORK_ERRORS):
        return size  # the probe is an optimisation: the download itself will say what is wrong
    if expanded is None:
        return size
    return expanded if kind == "tar" else size + expanded


def _stage_local_file(source: LocalFileSource, dest: Path, expected: tuple[str, str] | None,
                      callback: ProgressCallback | None, cancel: threading.Event | None,
                      extract: bool) -> list[Path]:
    if extract and detect_format(source.path) is not None:
        if expected is not None:
            _check_file_hash(source.path, expected, cancel)
        return extract_archive(source.path, dest, progress=callback, cancel=cancel)
    size = source.path.stat().st_size
    check_space(dest, size)
    final = dest / source.name
    tracker = ProgressTracker(callback, phase="copy", bytes_total=size, files_total=1)
    with errors_in_words(source.name, dest), open(source.path, "rb") as f:
        _copy_stream(f, PartFile(final, expected_size=size, expected_hash=expected, hash_name=None), tracker, cancel)
    return [final]


def _check_file_hash(path: Path, expected: tuple[str, str], cancel: threading.Event | None) -> None:
    digest = hashlib.new(expected[0])
    with errors_in_words(path.name, path.parent), open(path, "rb") as f:
        while chunk := f.read(writing.COPY_CHUNK):
            writing.check_stop(cancel)
            digest.update(chunk)
    if digest.hexdigest() != expected[1]:
        raise ChecksumMismatch(f"{path.name} does not match its expected {expected[0]}; nothing was extracted.")


def _copy_stream(stream: BinaryIO, part: PartFile, tracker: ProgressTracker, cancel: threading.Event | None,
                 resume: ResumingReader | None = None) -> PartFile:
    with part:
        if resume is not None and resume.position != part.offset:
            part.restart()
        tracker.add(part.offset)
        while True:
            writing.check_stop(cancel)
            chunk = stream.read(writing.COPY_CHUNK)
            if not chunk:
                break
            part.write(chunk)
            tracker.add(len(chunk))
            tracker.emit()
    tracker.emit(force=True)
    return part


def _download_then_place(source: Source, dest: Path, identity: dict[str, Any], expected: tuple[str, str] | None,
                         callback: ProgressCallback | None, cancel: threading.Event | None, extract: bool,
                         size: int | None) -> list[Path]:
    downloads = dest / DOWNLOAD_DIR
    Manifest(dest, identity).save()  # so a rerun knows whose .part this is
    file = downloads / source.name
    tracker = ProgressTracker(callback, phase="download", bytes_total=size, files_total=1)
    if size is not None and use_parallel(source, size):
        try:
            with errors_in_words(source.name, dest):
                download_ranges(RangedFile(source, file, size, expected), tracker=tracker, cancel=cancel)
        finally:
            remove_empty_dirs(downloads)  # after a cancel: no empty download folder left behind
        return _place(file, dest, source.name, downloads, callback, cancel, extract)
    part = PartFile(file, expected_size=size, expected_hash=expected, hash_name=None, resume=True,
                    keep_on=(DownloadInterrupted, DriveError, writing.Cancelled))  # retries ran out; a cancel pauses
    existing = part_path(file)
    offset = existing.stat().st_size if existing.exists() else 0  # a .part kept by an interrupted run
    reader = ResumingReader(source, offset, cancel=cancel)
    try:
        with errors_in_words(source.name, dest):
            _copy_stream(reader, part, tracker, cancel, reader)
    except DriveError as e:  # the backend's retries ran out: the bytes so far stay for a rerun
        kept = existing.stat().st_size if existing.exists() else 0
        raise DownloadInterrupted(f"{e} {human_bytes(kept)} of {source.name} are kept in {downloads}: "
                                  "run it again to resume from there.") from e
    finally:
        reader.close()
        remove_empty_dirs(downloads)  # after a cancel: no empty download folder left behind
    return _place(file, dest, source.name, downloads, callback, cancel, extract)


def _place(file: Path, dest: Path, name: str, downloads: Path, callback: ProgressCallback | None,
           cancel: threading.Event | None, extract: bool) -> list[Path]:
    """A verified download: extracted into `dest` (an archive) or moved there (a plain file)."""
    try:
        if extract and detect_format(file) is not None:
            return extract_archive(file, dest, progress=callback, cancel=cancel)
        final = dest / name
        os.replace(file, final)
        return [final]
    finally:
        shutil.rmtree(downloads, ignore_errors=True)


def _stream_tar(source: Source, dest: Path, identity: dict[str, Any], expected: tuple[str, str] | None,
                callback: ProgressCallback | None, cancel: threading.Event | None, size: int | None) -> list[Path]:
    """Extract while downloading; the bytes read are kept in a `.part` (`kept_stream`), so a run that
    stops (network, cancel, kill -9) is resumed by replaying them and fetching only the rest."""
    from colab_panel.staging.kept_stream import KeptStream

    downloads = dest / DOWNLOAD_DIR
    Manifest(dest, identity).save()  # so a rerun knows whose .part this is
    kept = KeptStream(source, downloads / source.name, cancel=cancel)
    # Read ahead in a thread so the network and the extractor work at the same time.
    ahead = Prefetcher(kept)
    hashing = _HashingReader(ahead, expected[0] if expected else None)

    def verify() -> None:
        while hashing.read(writing.COPY_CHUNK):  # the hash must cover every byte, padding included
            pass
        if expected is not None and hashing.hexdigest() != expected[1]:
            raise ChecksumMismatch(f"{source.name} does not match its expected {expected[0]} "
                                   f"({hashing.hexdigest()}); nothing was extracted.")

    keep = False
    try:
        return extract_tar_stream(hashing, dest, progress=callback, cancel=cancel, bytes_total=size, verify=verify)
    except (DownloadInterrupted, DriveError, StagingCancelled, *NETWORK_ERRORS):
        keep = True  # the bytes so far are good: a rerun replays them (a corrupt or refused archive is not kept)
        raise
    finally:
        ahead.close()
        kept.close(keep=keep)
        remove_empty_dirs(downloads)


class _HashingReader:
    def __init__(self, raw: Any, algorithm: str | None) -> None:
        self._raw = raw
        self._hash = hashlib.new(algorithm) if algorithm else None

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if self._hash is not None:
            self._hash.update(data)
        return data

    def hexdigest(self) -> str:
        return self._hash.hexdigest() if self._hash else ""


def _stage_folder(src: Path, dest: Path, callback: ProgressCallback | None, cancel: threading.Event | None,
                  started: float) -> StagedDataset:
    dest = Path(os.path.abspath(dest))
    with destination_lock(dest):
        return _stage_folder_locked(src, dest, callback, cancel, started)


def _stage_folder_locked(src: Path, dest: Path, callback: ProgressCallback | None, cancel: threading.Event | None,
                         started: float) -> StagedDataset:
    files = list_tree(src)
    identity = {"kind": "folder", "path": str(src.resolve()), "files": len(files),
                "bytes": sum(f[1] for f in files), "mtime_ns": max((f[2] for f in files), default=0)}
    hit = cache_hit(dest, identity, str(src), started)
    if hit is not None:
        return hit
    manifest = Manifest(dest, identity)
    previous = Manifest.load(dest)
    if previous is not None and previous.source.get("path") == identity["path"]:
        manifest.files = previous.files  # per-file entries carry size+mtime: still valid where they match
    check_space(dest, disk_footprint(size for rel, size, _ in files if not manifest.is_done(rel, size)))
    tracker = ProgressTracker(callback, phase="copy", bytes_total=identity["bytes"], files_total=len(files))
    dest.mkdir(parents=True, exist_ok=True)
    with errors_in_words(src.name, dest):
        copy_tree(src, dest, [f for f in files if f[0] != MANIFEST_NAME], manifest, tracker=tracker, cancel=cancel)
    tracker.emit(force=True)
    manifest.mark_complete(len(files), identity["bytes"])
    return StagedDataset(dest, len(files), identity["bytes"], str(src), False, time.monotonic() - started)
