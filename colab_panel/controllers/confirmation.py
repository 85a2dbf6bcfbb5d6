"""`Confirmation`: a change that waits for the user's yes (`confirm()`) or no (`cancel()`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Confirmation"]


@dataclass(frozen=True)
class Confirmation:
    kind: str  # what confirm() does: "trash", "delete", "empty_trash" (Drive); "share", "batch", "undo" (Share)
    question: str  # what the user is asked, in words
    subject: Any = None  # what it acts on: the selected items, a sharing plan, the change to undo
    widens: bool = False  # it gives someone access they do not have now
