"""Where each zip member's bytes are, checked against the central directory before any is written.

A zip has two descriptions of every member: the central directory at the end (what `zipfile`
lists) and a local header just before the member's data. Overlap bombs ("A better zip bomb",
D. Fifield, 2019) point many central entries at one shared compressed body, so a 15 KB file
inflates to 150+ MB while every member's own size looks honest. Here every member must:

- have a local header that agrees with its central entry: name, compression method, and
  (unless a data descriptor follows the data, flag bit 3) CRC-32 and both sizes;
- own its bytes: local header plus data may not overlap another member's, nor run into the
  central directory.

Nothing is inflated here: one small read per member, done once, and the workers reuse the
data offsets found (they used to read each local header themselves).
"""

from __future__ import annotations

import os
import struct
import zipfile

from colab_panel.errors import UnsafeArchiveError

_LOCAL = struct.Struct("<4sHHHHHIIIHH")  # signature ... name length, extra length: 30 bytes
_ZIP64_EXTRA = 0x0001
_MASK32 = 0xFFFFFFFF
_DESCRIPTOR_FOLLOWS = 0x08
_SLACK = 256  # read this much past the name in the same call: most extra fields fit


def member_data_offsets(fd: int, infos: list[zipfile.ZipInfo], central_start: int) -> list[int]:
    """Each member's data offset, in `infos` order; UnsafeArchiveError on a mismatch or an overlap."""
    offsets = [_check_local_header(fd, info) for info in infos]
    spans = sorted((info.header_offset, data_at + info.compress_size, info.filename)
                   for info, data_at in zip(infos, offsets))
    for (start, end, name), (next_start, _, next_name) in zip(spans, spans[1:]):
        if end > next_start:
            raise UnsafeArchiveError(
                f"Archive members {name!r} and {next_name!r} overlap in the zip file (the trick of zip bombs "
                "that reuse one compressed body for many files); refusing to extract.")
    if spans and spans[-1][1] > central_start:
        raise UnsafeArchiveError(f"Archive member {spans[-1][2]!r} overlaps the zip's central directory "
                                 "(a corrupt or hostile zip); refusing to extract.")
    return offsets


def _mismatch(info: zipfile.ZipInfo, what: str) -> UnsafeArchiveError:
    return UnsafeArchiveError(f"Archive member {info.filename!r}: its local header disagrees with the zip's "
                              f"central directory ({what}); refusing to extract a zip that says two things.")


def _check_local_header(fd: int, info: zipfile.ZipInfo) -> int:
    raw_name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437", "surrogateescape")
    want = _LOCAL.size + len(raw_name) + _SLACK
    head = os.pread(fd, want, info.header_offset)
    if len(head) < _LOCAL.size:
        raise UnsafeArchiveError(f"Archive member {info.filename!r} starts past the end of the zip; "
                                 "refusing to extract.")
    (signature, _version, flags, method, _time, _date, crc, csize, usize,
     name_len, extra_len) = _LOCAL.unpack_from(head)
    if signature != b"PK\x03\x04":
        raise UnsafeArchiveError(f"Archive member {info.filename!r} has no local header where the central "
                                 "directory says; refusing to extract.")
    end = _LOCAL.size + name_len + extra_len
    if len(head) < end:
        head = os.pread(fd, end, info.header_offset)
        if len(head) < end:
            raise UnsafeArchiveError(f"Archive member {info.filename!r} is cut short; refusing to extract.")
    if head[_LOCAL.size:_LOCAL.size + name_len] != raw_name:
        raise _mismatch(info, "name")
    if method != info.compress_type:
        raise _mismatch(info, "compression method")
    extra = head[_LOCAL.size + name_len:end]
    if csize == _MASK32 or usize == _MASK32:
        usize, csize = _zip64_sizes(extra, usize, csize)
    descriptor = bool((flags | info.flag_bits) & _DESCRIPTOR_FOLLOWS)
    for what, local, central in (("CRC-32", crc, info.CRC), ("compressed size", csize, info.compress_size),
                                 ("size", usize, info.file_size)):
        if local != central and not (descriptor and local == 0):
            raise _mismatch(info, what)
    return info.header_offset + end


def _zip64_sizes(extra: bytes, usize: int, csize: int) -> tuple[int, int]:
    """The 64-bit sizes a local header's zip64 extra field holds in place of 0xFFFFFFFF."""
    at = 0
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, at)
        if tag == _ZIP64_EXTRA:
            field = extra[at + 4:at + 4 + size]
            values = [struct.unpack_from("<Q", field, i)[0] for i in range(0, len(field) - 7, 8)]
            if usize == _MASK32 and values:
                usize = values.pop(0)
            if csize == _MASK32 and values:
                csize = values.pop(0)
            break
        at += 4 + size
    return usize, csize
