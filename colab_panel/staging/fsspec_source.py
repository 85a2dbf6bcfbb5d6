"""fsspec sources for `stage()`: one object, or every object under a prefix, of any fsspec store.

    stage("s3://bucket/imagenette.tgz")          # s3fs: credentials by boto's own discovery
    stage("gs://bucket/shards/")                 # gcsfs: a prefix is staged like a Drive folder
    stage("hf://datasets/org/name/data.zip")     # huggingface_hub's filesystem
    stage("s3://bucket/x.zip", storage_options={"anon": True})

Nothing store-specific is done here beyond reading a checksum out of the listing: the store's
package (s3fs, gcsfs, huggingface_hub, ...) finds credentials and endpoints as it always does,
and `storage_options` are passed to it unchanged.

One object is a `FsspecFileSource` and goes through the same engine as a URL or a Drive file
(`file_engine.stage_source`): a tar is extracted while it downloads, anything else lands in a
resumable `.part`, a large file comes as parallel byte ranges (`read_range`), and the bytes are
checked against the store's md5 where it has one (`md5_from_info`), else their size.

A prefix is listed once (`fs.find`) and fetched by `remote_folder.fetch_folder`, as a Drive
folder is: parallel, each object md5- or size-checked, resumable per file, a cache hit when the
listing is unchanged. Keys become safe relative paths (`safe_relpaths`): a key such as
"a/../b" cannot land outside the destination.

Small objects are read with one ranged GET (`cat_file`) rather than through a file object,
which would first ask the store for the object's details: half the requests on a prefix of
many small files. On an async store (s3fs, gcsfs) a prefix's small objects go first through
`fsspec_batch`: GETs as tasks on the store's loop, no thread or `.part` sidecar each, as many
in flight (up to 64) as the store answers without slowing; `fetch_folder` then does whatever
that left.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import posixpath
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from colab_panel.errors import StagingError
from colab_panel.staging.manifest import Manifest
from colab_panel.staging.pacing import AdaptiveLimit
from colab_panel.staging.parallel_ranges import DEFAULT_RANGES
from colab_panel.staging.file_engine import stage_source
from colab_panel.staging.fsspec_batch import IN_FLIGHT, batchable, fetch_small_objects
from colab_panel.staging.job import StageJob
from colab_panel.staging.progress import ProgressTracker
from colab_panel.staging.remote_folder import (DEFAULT_WORKERS, RemoteEntry, check_no_conflicts, discard_downloads,
                                               fetch_listing, not_done, safe_relpaths)
from colab_panel.staging.space import check_space, disk_footprint
from colab_panel.staging.staged import StagedDataset, destination_lock

__all__ = ["FsspecFileSource", "is_fsspec_url", "md5_from_info", "stage_fsspec"]

SMALL_OBJECT_BYTES = 8 * 1024 * 1024  # read whole with one GET; larger ones stream through a file object
_PROTOCOL = re.compile(r"^([a-z][a-z0-9+.\-]*)(::[a-z][a-z0-9+.\-]*)*://", re.IGNORECASE)
_NOT_FSSPEC = ("http", "https", "drive")  # the stager's own sources
_HEX_MD5 = re.compile(r"^[0-9a-f]{32}$")
_INSTALL = "Staging from object stores needs fsspec: run `pip install 'colab-panel[fsspec]'`."


def is_fsspec_url(text: str) -> bool:
    """`proto://...` for any protocol but http(s) (the stager's own URL source)."""
    match = _PROTOCOL.match(text.strip())
    return match is not None and match.group(1).lower() not in _NOT_FSSPEC


def md5_from_info(info: dict[str, Any]) -> str | None:
    """The object's md5 (hex) if the store's listing carries one, else None (then size is checked).

    S3: the ETag of an object uploaded in one part, unencrypted or SSE-S3, is its md5; a multipart
    ETag ("...-N") and an SSE-KMS/SSE-C ETag are not. GCS: `md5Hash`, base64 (composite objects
    have none).
    """
    if info.get("md5Hash"):
        try:
            return base64.b64decode(info["md5Hash"], validate=True).hex()
        except (binascii.Error, ValueError, TypeError):
            return None
    etag = str(info.get("ETag") or info.get("etag") or "").strip('"').lower()
    encryption = str(info.get("ServerSideEncryption") or "").lower()
    customer_key = info.get("SSECustomerAlgorithm")
    if _HEX_MD5.match(etag) and "kms" not in encryption and not customer_key:
        return etag
    return None


def _version_of(info: dict[str, Any]) -> dict[str, Any]:
    """What changes when the object does, as far as the listing tells (for cache identity)."""
    keys = ("ETag", "etag", "md5Hash", "crc32c", "generation", "VersionId", "sha", "blob_id", "last_commit",
            "LastModified", "mtime", "updated", "created")
    found = {k: info[k] for k in keys if info.get(k) is not None}
    lfs = info.get("lfs")
    if isinstance(lfs, dict) and lfs.get("sha256"):
        found["sha256"] = lfs["sha256"]
    return {k: v if isinstance(v, (str, int, float, bool)) else str(v) for k, v in found.items()}


class FsspecFileSource:
    """One object of an fsspec store as a `Source` (with `read_range` for parallel ranges)."""

    def __init__(self, fs: Any, path: str, info: dict[str, Any], url: str | None = None) -> None:
        self.fs = fs
        self.path = path
        self.info = info
        self.url = url or path
        self.name = posixpath.basename(path.rstrip("/")) or "download"
        self._size = info.get("size")

    def identity(self) -> dict[str, Any]:
        return {"kind": "fsspec", "url": self.url, "size": self._size, **_version_of(self.info)}

    def size(self) -> int | None:
        return int(self._size) if self._size is not None else None

    def expected_hash(self) -> tuple[str, str] | None:
        md5 = md5_from_info(self.info)
        if md5:
            return ("md5", md5)
        lfs = self.info.get("lfs")  # Hugging Face: LFS files carry their sha256
        if isinstance(lfs, dict) and isinstance(lfs.get("sha256"), str) and lfs.get("size") == self._size:
            return ("sha256", lfs["sha256"].lower())
        return None

    def open_range(self, start: int) -> tuple[BinaryIO, int]:
        size = self.size()
        if size is not None and start >= size:
            return io.BytesIO(b""), start  # nothing left; a store answers an empty range with 416
        if size is not None and size - start <= SMALL_OBJECT_BYTES:
            return io.BytesIO(self.fs.cat_file(self.path, start=start or None, end=size)), start
        stream = self.fs.open(self.path, "rb")
        if start:
            stream.seek(start)
        return stream, start

    def read_range(self, start: int, length: int) -> bytes:
        return bytes(self.fs.cat_file(self.path, start=start, end=start + length))


def open_store(url: str, storage_options: dict[str, Any] | None) -> tuple[Any, str]:
    """The store's filesystem and the path within it, or a StagingError in words."""
    try:
        from fsspec.core import url_to_fs
    except ImportError as error:
        raise StagingError(_INSTALL) from error
    try:
        fs, path = url_to_fs(url, **(storage_options or {}))
        # fsspec reuses one instance per set of options, listings cached: a rerun must see the
        # store as it is now (a changed object is a new download, not a stale cache hit)
        fs.invalidate_cache()
        return fs, path
    except ImportError as error:  # fsspec knows the protocol, its package is missing: fsspec says which
        raise StagingError(f"Cannot open {url}: {error}") from None
    except ValueError as error:  # "Protocol not known"
        raise StagingError(f"Cannot open {url}: {error}.") from None


def _pooled(url: str, options: dict[str, Any] | None, connections: int) -> dict[str, Any]:
    """S3: a connection pool as large as the requests we keep in flight.

    s3fs keeps botocore's default of 10 connections; with 16 workers (plus a large file's
    ranges) the rest would queue for a connection, and over a real network each waits a round
    trip more. A pool the caller set in `config_kwargs` is left as it is.
    """
    options = dict(options or {})
    if url.lower().startswith(("s3://", "s3a://")):
        config = dict(options.get("config_kwargs") or {})
        config.setdefault("max_pool_connections", connections)
        options["config_kwargs"] = config
    return options


def _describe(fs: Any, path: str, url: str) -> dict[str, Any]:
    try:
        return fs.info(path)
    except FileNotFoundError:
        raise StagingError(f"{url} does not exist (or these credentials cannot see it).") from None
    except PermissionError as error:
        raise StagingError(f"{url}: access was refused ({error}). The store's own credentials are used; "
                           "check them, or pass storage_options.") from None
    except Exception as error:  # noqa: BLE001 - stores raise their own types (no credentials, no endpoint)
        raise StagingError(f"Could not read {url}: {type(error).__name__}: {error}") from None


def stage_fsspec(job: StageJob, url: str) -> StagedDataset:
    """The fsspec strategy: stage the object or prefix `url` names (see the module docstring)."""
    in_flight = job.workers or IN_FLIGHT  # a prefix's small objects (fsspec_batch); the rest: `workers` threads
    workers = job.workers or DEFAULT_WORKERS
    fs, path = open_store(url, _pooled(url, job.storage_options, max(workers + DEFAULT_RANGES, in_flight)))
    info = _describe(fs, path, url)
    if info.get("type") == "directory":
        if job.expected is not None:
            raise StagingError("expected_hash applies to one file; a prefix is checked object by object.")
        dest = job.target(posixpath.basename(path.rstrip("/")) or "dataset")
        # "s3://b/p/" and "s3://b/p" are one prefix: one identity, one cache
        with destination_lock(dest):  # one run at a time into `dest`, as for every source
            return _stage_prefix(replace(job, label=url.rstrip("/"), workers=workers), fs, path, dest, in_flight)
    source = FsspecFileSource(fs, path, info, url)
    return stage_source(replace(job, expected=job.expected or source.expected_hash()), source)


def _stage_prefix(job: StageJob, fs: Any, prefix: str, dest: Path, in_flight: int = IN_FLIGHT) -> StagedDataset:
    url = job.label
    tracker = ProgressTracker(job.callback, phase="list")
    tracker.emit(force=True)
    try:
        listing: dict[str, dict[str, Any]] = fs.find(prefix, detail=True)
    except Exception as error:  # noqa: BLE001 - the store's own error types
        raise StagingError(f"Could not list {url}: {type(error).__name__}: {error}") from None
    base = prefix.rstrip("/") + "/"
    objects = sorted((p, i) for p, i in listing.items()
                     if i.get("type", "file") != "directory" and p.startswith(base) and not p.endswith("/"))
    relpaths = safe_relpaths([tuple(p[len(base):].split("/")) for p, _ in objects], [_short_id(p) for p, _ in objects])
    check_no_conflicts(relpaths)
    entries_meta = [(rel, p, i, md5_from_info(i)) for rel, (p, i) in zip(relpaths, objects)]
    nbytes = sum(int(i.get("size") or 0) for _, i in objects)
    identity = {"kind": "fsspec-prefix", "url": url, "files": len(objects), "bytes": nbytes,
                "listing": _listing_digest(entries_meta)}
    hit = job.cache_hit(dest, identity)
    if hit is not None:
        return hit
    manifest = Manifest(dest, identity)
    previous = Manifest.load(dest)
    if previous is not None and previous.source.get("url") == url:
        manifest.files = previous.files  # entries carry size (and md5): still valid where they match
    elif previous is not None:
        discard_downloads(dest)
    entries = [RemoteEntry(rel, int(i.get("size") or 0), md5, FsspecFileSource(fs, p, i, f"{url}/{rel}"))
               for rel, p, i, md5 in entries_meta]
    todo = not_done(entries, manifest)
    check_space(dest, disk_footprint(e.size for e in todo))
    small = [e for e in todo if batchable(fs, e, dest)]  # many in flight on the store's own loop

    def small_first(tracker: ProgressTracker) -> set[str]:
        return fetch_small_objects(fs, small, dest, manifest, tracker=tracker, cancel=job.cancel,
                                   in_flight=in_flight) if small else set()

    fetch_listing(job, entries, dest, manifest, AdaptiveLimit(job.workers or DEFAULT_WORKERS),
                  posixpath.basename(prefix.rstrip("/")) or url, first_pass=small_first)
    return job.staged(dest, len(entries), nbytes)


def _short_id(path: str) -> str:
    # appended to a key that collides with another after cleaning (see safe_relpaths)
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _listing_digest(entries: list[tuple[str, str, dict[str, Any], str | None]]) -> str:
    h = hashlib.sha256()
    for rel, path, info, md5 in sorted(entries, key=lambda e: e[0]):
        version = sorted(_version_of(info).items())
        h.update(f"{rel}\0{path}\0{info.get('size')}\0{md5}\0{version}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()
