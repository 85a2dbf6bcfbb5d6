"""Checks on the paths and links a user passes to `stage()` and `push()`, before anything is touched.

A blank string is the one argument that looks harmless and is not: `Path("")` is the current
directory, so `stage("")` would copy the working directory (in Colab: with the Drive mount
inside it) and `push("")` would upload it. Blank means "not given", and is refused in words.
"""

from __future__ import annotations

import os
from typing import Any

from colab_panel.errors import StagingError


def require_given(value: Any, what: str, example: str) -> None:
    """Raise StagingError if `value` is a blank string (or a path-like whose text is blank)."""
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        if isinstance(text, bytes):
            text = text.decode("utf-8", "surrogateescape")
        if not text.strip():
            raise StagingError(f"The {what} is empty: give {example}. An empty path would mean the current "
                               "directory, so nothing was done.")
