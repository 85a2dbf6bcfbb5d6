"""The arguments of `extract_archive` / `extract_tar_stream`, checked before any work: a wrong
one is a StagingError in words, never a raw TypeError/OSError/AttributeError from deep inside,
and no message quotes more than `SHOWN_CHARS` of what the caller passed (a 10 MB "path" once
came back as a 10 MB error message).
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path
from typing import Any

from colab_panel.errors import StagingError
from colab_panel.inputs import user_path

SHOWN_CHARS = 200
MESSAGE_CHARS = 1000  # an error naming a 20,000-character member name is cut to this
COMPRESSIONS = ("auto", None, "gz", "bz2", "xz", "zst")


def shown(value: Any) -> str:
    """`value` for a message: its repr for non-paths, cut to SHOWN_CHARS with the length said."""
    text = os.fspath(value) if isinstance(value, (str, os.PathLike)) else repr(value)
    text = text if isinstance(text, str) else repr(text)
    if len(text) <= SHOWN_CHARS:
        return text
    return f"{text[:SHOWN_CHARS]}... ({len(text):,} characters)"


def bounded(error: StagingError) -> StagingError:
    """`error`, or one of its class with the middle of an over-long message cut out."""
    text = str(error)
    if len(text) <= MESSAGE_CHARS:
        return error
    keep = MESSAGE_CHARS // 2 - 20
    return type(error)(f"{text[:keep]} [... {len(text) - 2 * keep:,} characters ...] {text[-keep:]}")


def _path(value: Any, what: str) -> str:
    """The text of a path argument, refused in words (inputs.user_path) when it cannot be one."""
    if isinstance(value, os.PathLike) and isinstance(os.fspath(value), bytes):
        value = os.fsdecode(os.fspath(value))
    return str(user_path(value, f"The {what}", StagingError))


def archive_file(value: Any) -> Path:
    """The archive to extract: an existing regular file."""
    path = Path(_path(value, "archive"))
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise StagingError(f"The archive {shown(path)} does not exist.") from None
    except OSError as e:
        raise StagingError(f"The archive {shown(path)} cannot be read: {e.strerror}.") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise StagingError(f"The archive {shown(path)} is {kind}; give the archive file itself.")
    return path


def destination(value: Any) -> Path:
    """Where to extract: an absolute path (it need not exist yet)."""
    return Path(os.path.abspath(_path(value, "destination")))


def check_options(*, workers: Any = None, max_bytes: Any = None, max_ratio: Any = None,
                  progress: Any = None, cancel: Any = None) -> None:
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise StagingError(f"workers must be a whole number of threads, 1 or more (or None), not {shown(workers)}.")
    if max_bytes is not None and (isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0):
        raise StagingError(f"max_bytes must be a number of bytes, 0 or more (or None), not {shown(max_bytes)}.")
    if max_ratio is not None and (isinstance(max_ratio, bool) or not isinstance(max_ratio, (int, float))
                                  or not math.isfinite(max_ratio) or max_ratio <= 0):
        raise StagingError(f"max_ratio must be a number above 0 (or None for no ratio cap), not {shown(max_ratio)}.")
    if not (progress is None or (isinstance(progress, str) and progress == "tqdm") or callable(progress)):
        raise StagingError(f"progress must be None, 'tqdm' or a callable, not {shown(progress)}.")
    if cancel is not None and not callable(getattr(cancel, "is_set", None)):
        raise StagingError(f"cancel must be a threading.Event (or None), not {type(cancel).__name__}.")


def check_stream(fileobj: Any, compression: Any, bytes_total: Any, verify: Any) -> None:
    if not callable(getattr(fileobj, "read", None)):
        raise StagingError(f"The tar stream must be a binary file object with read(), not {type(fileobj).__name__}.")
    if compression not in COMPRESSIONS or (compression is not None and not isinstance(compression, str)):
        raise StagingError(f"compression must be one of {', '.join(map(repr, COMPRESSIONS))}, "
                           f"not {shown(compression)}.")
    if bytes_total is not None and (isinstance(bytes_total, bool) or not isinstance(bytes_total, int)
                                    or bytes_total < 0):
        raise StagingError(f"bytes_total must be a number of bytes, 0 or more (or None), not {shown(bytes_total)}.")
    if verify is not None and not callable(verify):
        raise StagingError(f"verify must be a callable (or None), not {type(verify).__name__}.")
