"""Which archive a file or stream is, from its first bytes (the extension is only a hint).

`ArchiveFormat("zip")`, `ArchiveFormat("tar", "gz")`, ... or None for "not an archive we
extract" (a plain file, or a lone `data.csv.gz`, which staging copies as it is).
"""

from __future__ import annotations

import bz2
import lzma
import os
import tarfile
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Literal

from colab_panel.staging import fast_zlib

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
COMPRESSION_MAGICS = {
    "gz": b"\x1f\x8b",
    "bz2": b"BZh",
    "xz": b"\xfd7zXZ\x00",
    "zst": b"\x28\xb5\x2f\xfd",
}
HEAD_BYTES = 512  # one tar header block: enough to tell every format apart


@dataclass(frozen=True)
class ArchiveFormat:
    kind: Literal["zip", "tar"]
    compression: str | None = None  # for tar: None, "gz", "bz2", "xz" or "zst"

    @property
    def label(self) -> str:
        return self.kind if self.compression is None else f"{self.kind}.{self.compression}"


def compression_of(head: bytes) -> str | None:
    """The stream compression named by magic bytes, or None."""
    for name, magic in COMPRESSION_MAGICS.items():
        if head.startswith(magic):
            return name
    return None


def is_tar_header(block: bytes) -> bool:
    """Whether `block` (the first 512 decompressed bytes) parses as a tar header, checksum included."""
    if len(block) < tarfile.BLOCKSIZE:
        return False
    try:
        tarfile.TarInfo.frombuf(block[: tarfile.BLOCKSIZE], "utf-8", "surrogateescape")
        return True
    except tarfile.HeaderError:
        return False


def detect_format(path: str | os.PathLike[str]) -> ArchiveFormat | None:
    """Identify an archive file by content. Zips with a prefix (self-extracting) count as zip."""
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    if head.startswith(ZIP_MAGICS):
        return ArchiveFormat("zip")
    compression = compression_of(head)
    if compression is None:
        if is_tar_header(head):
            return ArchiveFormat("tar")
        return ArchiveFormat("zip") if zipfile.is_zipfile(path) else None
    inner = _decompressed_head(path, compression)
    # A stream too corrupt to show its first block counts as a tar, so that extracting it
    # says "corrupt" rather than "not an archive".
    return ArchiveFormat("tar", compression) if inner is None or is_tar_header(inner) else None


def _decompressed_head(path: str | os.PathLike[str], compression: str) -> bytes | None:
    try:
        with open(path, "rb") as raw, open_decompressed(raw, compression) as f:
            return f.read(HEAD_BYTES)
    except Exception:  # noqa: BLE001 - every decompressor has its own error class
        return None


def open_decompressed(raw: BinaryIO, compression: str | None) -> BinaryIO:
    """A sequential reader of `raw`'s decompressed bytes (raw itself when uncompressed)."""
    if compression is None:
        return raw
    if compression == "gz":
        return fast_zlib.codecs().gzip_reader(raw)
    if compression == "bz2":
        return bz2.BZ2File(raw, "rb")  # type: ignore[return-value]
    if compression == "xz":
        return lzma.LZMAFile(raw, "rb")  # type: ignore[return-value]
    if compression == "zst":
        import zstandard  # lazy: only tar.zst needs it

        # read_across_frames: `zstd` and `pzstd` may write several frames for one file.
        return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True, closefd=False)
    raise ValueError(f"unknown compression {compression!r}")
