"""The fastest installed inflate, gzip reader and CRC-32: zlib-ng or ISA-L where their wheels are, else zlib.

Measured here (`python -m benchmarks.run extract`, rows in benchmarks/README.md):

- CRC-32: zlib-ng (or ISA-L, as fast) ~4x the standard `zlib` on 64 MB;
- raw deflate of zip members: zlib-ng inflates 10 KB members ~1.5x faster than `zlib`. ISA-L
  is not used for it: its decompressobj keeps unread input inside instead of handing it back
  as `unconsumed_tail`, and the bounded streaming decoder in `zip_decoders` relies on that;
- gzip streams (.tar.gz): ISA-L's reader ~3x the `gzip` module and faster than zlib-ng's.

Both are drop-in: same signatures, same bytes out, the same `gzip.BadGzipFile` messages. A
missing wheel only costs speed: the next choice serves, down to the standard modules.
Nothing is imported until first use, so `import colab_panel` pays nothing.
"""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, BinaryIO

RAW_DEFLATE = -15  # wbits for a deflate stream with no zlib/gzip wrapper, as zip stores members


@dataclass(frozen=True)
class Codecs:
    """One choice of implementation per job; each callable has the standard module's signature."""

    inflate_name: str  # "zlib-ng" or "zlib"
    crc_name: str  # "zlib-ng", "isal" or "zlib"
    gzip_name: str  # "isal", "zlib-ng" or "gzip"
    crc32: Callable[..., int]  # zlib.crc32
    decompress: Callable[..., bytes]  # zlib.decompress
    decompressobj: Callable[..., Any]  # zlib.decompressobj
    gzip_reader: Callable[[BinaryIO], BinaryIO]  # gzip.GzipFile(fileobj=raw, mode="rb")
    errors: tuple[type[BaseException], ...]  # what these raise for corrupt data (zlib.error's kin)


_chosen: Codecs | None = None
_only_stdlib = False


def codecs() -> Codecs:
    """The implementations to use, picked (and imported) on the first call."""
    global _chosen
    if _chosen is None:
        _chosen = _stdlib() if _only_stdlib else _pick()
    return _chosen


def use_stdlib(only: bool = True) -> None:
    """Force the standard `zlib` and `gzip` (True) or pick the fastest again (False).

    For the benchmarks' side-by-side "before" rows and for tests; not needed in normal use.
    """
    global _chosen, _only_stdlib
    _only_stdlib = only
    _chosen = None


def loaded_errors() -> tuple[type[BaseException], ...]:
    """The corrupt-data errors of the implementations in use: for turning them into words."""
    return _chosen.errors if _chosen is not None else (zlib.error,)


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:  # the wheel is missing (or broken): fall back, slower but the same bytes
        return None


def _stdlib() -> Codecs:
    import gzip

    return Codecs("zlib", "zlib", "gzip", zlib.crc32, zlib.decompress, zlib.decompressobj,
                  lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"), (zlib.error,))  # type: ignore[arg-type,return-value]


def _pick() -> Codecs:
    base = _stdlib()
    ng = _optional("zlib_ng.zlib_ng")
    isal = _optional("isal.isal_zlib")
    errors = base.errors + tuple(m.error for m in (ng, isal) if m is not None)
    inflate: ModuleType = ng or zlib
    crc_module, crc_name = (ng, "zlib-ng") if ng else (isal, "isal") if isal else (zlib, "zlib")
    gzip_name, gzip_reader = base.gzip_name, base.gzip_reader
    igzip = _optional("isal.igzip") if isal else None
    if igzip is not None:
        gzip_name, gzip_reader = "isal", lambda raw: igzip.IGzipFile(fileobj=raw, mode="rb")
    elif ng is not None:
        gzip_ng = _optional("zlib_ng.gzip_ng")
        if gzip_ng is not None:
            gzip_name, gzip_reader = "zlib-ng", lambda raw: gzip_ng.GzipNGFile(fileobj=raw, mode="rb")
    return Codecs("zlib-ng" if ng else "zlib", crc_name, gzip_name, crc_module.crc32,
                  inflate.decompress, inflate.decompressobj, gzip_reader, errors)
