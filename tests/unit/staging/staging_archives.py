"""Builders for real archives on disk (benign and hostile) and a snapshot of a folder tree.

Imported by the staging unit tests (pytest puts this folder on sys.path; the basename is unique).
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import tarfile
import zipfile
from pathlib import Path


def snapshot(root: Path) -> dict[str, tuple]:
    """Everything under `root` (and root's siblings' names): type, size, content hash, link target."""
    out: dict[str, tuple] = {"..": tuple(sorted(os.listdir(root.parent)))}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir",)
            else:
                out[rel] = ("file", st.st_size, hashlib.md5(Path(path).read_bytes()).hexdigest())
    return out


def make_dest(tmp_path: Path) -> Path:
    """A destination that already holds a file and a folder: a failed extraction must keep them."""
    dest = tmp_path / "dest"
    (dest / "keep").mkdir(parents=True)
    (dest / "keep" / "mine.txt").write_text("precious")
    (dest / "notes.txt").write_text("mine too")
    return dest


def write_zip(path: Path, entries: list[tuple[str, bytes]], *, method: int = zipfile.ZIP_DEFLATED,
              modes: dict[str, int] | None = None) -> Path:
    """A zip with `entries` (name, data); `modes` sets a unix st_mode (e.g. S_IFLNK | 0o777) per name."""
    modes = modes or {}
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            info.create_system = 3
            info.external_attr = modes.get(name, stat.S_IFREG | 0o644) << 16
            zf.writestr(info, data)
    return path


def patch_zip_sizes(path: Path, member: str, *, file_size: int | None = None,
                    compress_size: int | None = None) -> None:
    """Make a zip lie: rewrite a member's sizes in both its local header and the central directory."""
    blob = bytearray(path.read_bytes())
    name = member.encode()
    for sig, size_at in ((b"PK\x03\x04", 18), (b"PK\x01\x02", 20)):
        start = 0
        while (i := blob.find(sig, start)) >= 0:
            start = i + 4
            name_at = i + (30 if sig == b"PK\x03\x04" else 46)
            if blob[name_at:name_at + len(name)] != name:
                continue
            if compress_size is not None:
                struct.pack_into("<I", blob, i + size_at, compress_size)
            if file_size is not None:
                struct.pack_into("<I", blob, i + size_at + 4, file_size)
    path.write_bytes(bytes(blob))


def tar_member(name: str, data: bytes = b"", *, type: bytes = tarfile.REGTYPE, linkname: str = "",
               mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = type
    info.linkname = linkname
    info.mode = mode
    info.size = len(data) if type in (tarfile.REGTYPE, tarfile.AREGTYPE) else 0
    return info, data


def write_tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes]], *, mode: str = "w",
              format: int = tarfile.PAX_FORMAT) -> Path:
    """A tar built member by member (so hostile TarInfos go in exactly as written)."""
    if mode == "w:zst":
        buf = io.BytesIO()
        write_tar_to(buf, members, "w", format)
        import zstandard
        path.write_bytes(zstandard.ZstdCompressor().compress(buf.getvalue()))
        return path
    with open(path, "wb") as f:
        write_tar_to(f, members, mode, format)
    return path


def write_tar_to(f, members, mode: str, format: int) -> None:
    with tarfile.open(fileobj=f, mode=mode, format=format) as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if info.isreg() else None)


def tar_with_lying_member(path: Path) -> Path:
    """A tar whose second member's header claims 100 bytes but 2,048 bytes of data follow."""
    good = tar_member("good.txt", b"fine")
    liar = tar_member("liar.bin", os.urandom(2048))
    buf = io.BytesIO()
    write_tar_to(buf, [good, liar], "w", tarfile.USTAR_FORMAT)
    blob = bytearray(buf.getvalue())
    header_at = blob.find(b"liar.bin")
    header = bytearray(blob[header_at:header_at + 512])
    header[124:136] = b"%011o\x00" % 100
    header[148:156] = b"        "
    header[148:156] = b"%06o\x00 " % sum(header)
    blob[header_at:header_at + 512] = header
    path.write_bytes(bytes(blob))
    return path
