"""Stage one file-like `Source` (a URL, a Drive file, a store's object, a local file): the engine every file strategy shares.

A cache hit returns at once. Otherwise, after a free-space check:
- a tar from a remote source is extracted *while it downloads* (the archive-stream strategy:
  reconnecting with Range on a dropped connection, hashed on the fly when a hash is expected);
- anything else remote is downloaded into a resumable `.part` (kept on a network failure, so
  a rerun continues), verified, then extracted (zip) or moved into place (plain file); a large
  file from a source with exact ranged reads (Drive, fsspec) comes as parallel ranges
  (`parallel_ranges`);
- a local archive is extracted straight from where it is.
Every step is all-or-nothing under the destination (see `extract` and `atomic`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from pathlib import Path
from typing import Any, BinaryIO

from colab_panel.disk import writing
from colab_panel.disk.atomic import PartFile, part_path
from colab_panel.errors import ChecksumMismatch, DriveError, PanelError, StagingCancelled
from colab_panel.staging.extract import errors_in_words, extract_archive, extract_tar_stream
from colab_panel.staging.formats import detect_format
from colab_panel.staging.job import StageJob
from colab_panel.staging.manifest import Manifest
from colab_panel.staging.parallel_ranges import RangedFile, download_ranges, use_parallel
from colab_panel.staging.prefetch import Prefetcher
from colab_panel.staging.progress import ProgressTracker
from colab_panel.staging.remote_folder import DOWNLOAD_DIR, remove_empty_dirs
from colab_panel.staging.remote_size import remote_expanded_size
from colab_panel.staging.sources import (NETWORK_ERRORS, DownloadInterrupted, LocalFileSource, ResumingReader, Source,
                                         dataset_name, looks_like_tar_name)
from colab_panel.staging.space import check_space
from colab_panel.staging.staged import StagedDataset, destination_lock
from colab_panel.units import human_bytes

SPACE_PROBE_MIN_BYTES = 1_000_000  # below this, reading an archive's directory first isn't worth a request
_PROBE_ERRORS: tuple[type[BaseException], ...] = (PanelError, *NETWORK_ERRORS)
_KEEP_STREAM_ON: tuple[type[BaseException], ...] = (DownloadInterrupted, DriveError, StagingCancelled, *NETWORK_ERRORS)


def stage_source(job: StageJob, source: Source) -> StagedDataset:
    """Stage `source` into `job.target(<its dataset name>)`, checked against `job.expected`."""
    dest = job.target(dataset_name(source.name))
    with destination_lock(dest):
        return _stage_locked(job, source, dest)


def _stage_locked(job: StageJob, source: Source, dest: Path) -> StagedDataset:
    identity = source.identity()
    if job.expected:
        identity["expected_hash"] = f"{job.expected[0]}:{job.expected[1]}"
    identity["extract"] = job.extract
    hit = job.cache_hit(dest, identity)
    if hit is not None:
        return hit
    previous = Manifest.load(dest)
    if previous is not None and not previous.matches(identity):
        shutil.rmtree(dest / DOWNLOAD_DIR, ignore_errors=True)  # a .part of another source is useless
    if isinstance(source, LocalFileSource):
        paths = _stage_local_file(job, source, dest)
    else:
        size = source.size()
        if size is not None:
            check_space(dest, _space_needed(source, size, job.extract))
        Manifest(dest, identity).save()  # so a rerun knows whose .part this is
        if job.extract and looks_like_tar_name(source.name):
            paths = _stream_tar(job, source, dest, size)
        else:
            paths = _download_then_place(job, source, dest, size)
    nbytes = sum(p.lstat().st_size for p in paths)
    Manifest(dest, identity).mark_complete(len(paths), nbytes)
    return job.staged(dest, len(paths), nbytes)


def _space_needed(source: Source, size: int, extract: bool) -> int:
    """Download plus declared expanded size (a zip is kept until extracted); tar streams need no download copy."""
    # Probed only where a small exact range is cheap (`read_range`: Drive) and the name looks
    # like an archive: a URL stream can't be cut short without wasting a connection.
    if (not extract or size < SPACE_PROBE_MIN_BYTES or not hasattr(source, "read_range")
            or dataset_name(source.name) == source.name):
        return size
    try:
        expanded, kind = remote_expanded_size(source, size)
    except _PROBE_ERRORS:
        return size  # the probe is an optimisation: the download itself will say what is wrong
    if expanded is None:
        return size
    return expanded if kind == "tar" else size + expanded


def _stage_local_file(job: StageJob, source: LocalFileSource, dest: Path) -> list[Path]:
    if job.extract and detect_format(source.path) is not None:
        if job.expected is not None:
            _check_file_hash(source.path, job.expected, job.cancel)
        return extract_archive(source.path, dest, progress=job.callback, cancel=job.cancel)
    size = source.path.stat().st_size
    check_space(dest, size)
    final = dest / source.name
    tracker = ProgressTracker(job.callback, phase="copy", bytes_total=size, files_total=1)
    with errors_in_words(source.name, dest), open(source.path, "rb") as f:
        _copy_stream(f, PartFile(final, expected_size=size, expected_hash=job.expected, hash_name=None), tracker,
                     job.cancel)
    return [final]


def _check_file_hash(path: Path, expected: tuple[str, str], cancel: threading.Event | None) -> None:
    digest = hashlib.new(expected[0])
    with errors_in_words(path.name, path.parent), open(path, "rb") as f:
        while chunk := f.read(writing.COPY_CHUNK):
            writing.check_stop(cancel)
            digest.update(chunk)
    if digest.hexdigest() != expected[1]:
        raise ChecksumMismatch(f"{path.name} does not match its expected {expected[0]}; nothing was extracted.")


def _copy_stream(stream: BinaryIO | ResumingReader, part: PartFile, tracker: ProgressTracker,
                 cancel: threading.Event | None, resume: ResumingReader | None = None) -> PartFile:
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


def _download_then_place(job: StageJob, source: Source, dest: Path, size: int | None) -> list[Path]:
    downloads = dest / DOWNLOAD_DIR
    file = downloads / source.name
    tracker = ProgressTracker(job.callback, phase="download", bytes_total=size, files_total=1)
    if size is not None and use_parallel(source, size):
        try:
            with errors_in_words(source.name, dest):
                download_ranges(RangedFile(source, file, size, job.expected), tracker=tracker, cancel=job.cancel)
        finally:
            remove_empty_dirs(downloads)  # after a cancel: no empty download folder left behind
        return _place(job, file, dest, source.name)
    part = PartFile(file, expected_size=size, expected_hash=job.expected, hash_name=None, resume=True,
                    keep_on=(DownloadInterrupted, DriveError, writing.Cancelled))  # retries ran out; a cancel pauses
    existing = part_path(file)
    offset = existing.stat().st_size if existing.exists() else 0  # a .part kept by an interrupted run
    reader = ResumingReader(source, offset, cancel=job.cancel)
    try:
        with errors_in_words(source.name, dest):
            _copy_stream(reader, part, tracker, job.cancel, reader)
    except DriveError as e:  # the backend's retries ran out: the bytes so far stay for a rerun
        kept = existing.stat().st_size if existing.exists() else 0
        raise DownloadInterrupted(f"{e} {human_bytes(kept)} of {source.name} are kept in {downloads}: "
                                  "run it again to resume from there.") from e
    finally:
        reader.close()
        remove_empty_dirs(downloads)  # after a cancel: no empty download folder left behind
    return _place(job, file, dest, source.name)


def _place(job: StageJob, file: Path, dest: Path, name: str) -> list[Path]:
    """A verified download in `dest/DOWNLOAD_DIR`: extracted into `dest` (an archive) or moved there (a plain file)."""
    try:
        if job.extract and detect_format(file) is not None:
            return extract_archive(file, dest, progress=job.callback, cancel=job.cancel)
        final = dest / name
        os.replace(file, final)
        return [final]
    finally:
        shutil.rmtree(dest / DOWNLOAD_DIR, ignore_errors=True)


def _stream_tar(job: StageJob, source: Source, dest: Path, size: int | None) -> list[Path]:
    """Extract while downloading; the bytes read are kept in a `.part` (`kept_stream`), so a run that
    stops (network, cancel, kill -9) is resumed by replaying them and fetching only the rest."""
    from colab_panel.staging.kept_stream import KeptStream

    downloads = dest / DOWNLOAD_DIR
    expected = job.expected
    kept = KeptStream(source, downloads / source.name, cancel=job.cancel)
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
        return extract_tar_stream(hashing, dest, progress=job.callback, cancel=job.cancel,
                                  bytes_total=size, verify=verify)
    except _KEEP_STREAM_ON:
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
