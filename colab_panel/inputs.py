"""Checks for what a user passes to a public call: paths, counts and seconds, refused in words.

Each check raises the caller's own `PanelError` subclass (a staging call says StagingError, a
Drive call DriveError), with the bad value quoted short: a 10 MB string is never echoed whole.
Only the standard library here: every layer may use it.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from colab_panel.errors import PanelError

# Linux limits (PATH_MAX, NAME_MAX): longer paths fail inside the OS with the whole path echoed.
MAX_PATH_BYTES = 4096
MAX_NAME_BYTES = 255


def shown(value: Any, limit: int = 60) -> str:
    """`value` quoted for a message, cut to about `limit` characters."""
    text = value if isinstance(value, str) else os.fsdecode(value) if isinstance(value, bytes) else None
    if text is None:
        return f"a {type(value).__name__}"
    return quoted_short(text, limit)


def quoted_short(text: str, limit: int = 60) -> str:
    """repr(text) of at most about `limit` characters: escapes (a control character is 4, an
    astral one 10) count, so the quoted form is what is bounded, not the raw text."""
    if len(text) <= limit and len(repr(text)) <= limit + 2:
        return repr(text)
    keep = min(len(text), limit)
    while keep > 0 and len(repr(text[:keep])) > limit - 1:
        keep = keep * 3 // 4
    return repr(text[:keep] + "...")


def shorten(message: str, limit: int = 500) -> str:
    """A message cut to `limit` characters (the end marked), for text that quotes user input."""
    return message if len(message) <= limit else message[: limit - 3] + "..."


def user_path(value: Any, what: str, error: type[PanelError], *, allow_empty: bool = False) -> Path:
    """`value` as a Path, or `error` saying why it cannot name a file here.

    Refused: anything but a str or os.PathLike of str; blank text (unless `allow_empty`: some calls
    give "" a meaning, or refuse it themselves); NUL bytes; characters the file system cannot
    encode (lone surrogates); names and paths longer than the OS allows.
    """
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise error(f"{what} must be a path (text), not {shown(value)}.")
    if not value.strip() and not (allow_empty and value == ""):
        raise error(f"{what} is empty: give the path of a file or folder.")
    if "\x00" in value:
        raise error(f"{what} {shown(value)} contains a NUL character, which no path can hold.")
    try:
        encoded = os.fsencode(value)
    except UnicodeError:
        raise error(f"{what} {shown(value)} has characters the file system cannot store "
                    "(a lone surrogate or undecodable byte).") from None
    if len(encoded) > MAX_PATH_BYTES or any(len(part) > MAX_NAME_BYTES for part in encoded.split(b"/")):
        raise error(f"{what} {shown(value)} is too long for a path here ({len(encoded)} bytes; at most "
                    f"{MAX_PATH_BYTES}, and {MAX_NAME_BYTES} per name).")
    return Path(value)


def user_folder(value: Any, what: str, error: type[PanelError]) -> Path:
    """Like `user_path`, for a folder to write into: it may be missing, but not be something else."""
    path = user_path(value, what, error)
    try:
        if path.exists() and not path.is_dir():
            raise error(f"{what} {shown(str(path))} is a file, not a folder: give a folder to write into.")
    except OSError as exc:  # e.g. a parent that is a file, or no permission to look
        raise error(f"{what} {shown(str(path))} cannot be used: {exc.strerror or exc}.") from None
    return path


def user_text(value: Any, what: str, error: type[PanelError], *, max_length: int = 100_000) -> str:
    """`value` as non-blank text of bounded length, or `error` in words."""
    if not isinstance(value, str):
        raise error(f"{what} must be text, not {shown(value)}.")
    if not value.strip():
        raise error(f"{what} is empty.")
    if len(value) > max_length:
        raise error(f"{what} {shown(value)} is too long ({len(value)} characters, at most {max_length}).")
    return value


def user_number(value: Any, what: str, error: type[PanelError], *, minimum: float, maximum: float,
                integer: bool = False) -> Any:
    """A finite number in [minimum, maximum] (an int when `integer`), or `error` in words."""
    kind = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        raise error(f"{what} must be {kind}, not {shown(value)}.")
    if isinstance(value, float) and not math.isfinite(value):
        raise error(f"{what} must be a finite number, not {value}.")
    if not minimum <= value <= maximum:
        shown_value = value if abs(value) < 1e15 else f"{value:.3g}"
        raise error(f"{what} must be between {minimum:g} and {maximum:g}, not {shown_value}.")
    return value


def os_error_in_words(exc: OSError, what: str) -> str:
    """A sentence for an OSError about `what` (its file name shortened, never echoed whole)."""
    reason = exc.strerror or type(exc).__name__
    name = f" ({shown(exc.filename)})" if isinstance(exc.filename, (str, bytes)) else ""
    return f"{what}: {reason}{name}."
