"""Where an archive member may land: the path checks every extractor runs on every member.

Policy (the same for zip and tar):

- A member name becomes a tuple of path parts relative to the destination. Absolute names,
  `..` parts, Windows drive letters (`C:`) and NUL bytes are refused. Backslashes are treated
  as separators for the check, so `..\\evil` is refused in both formats; zip names are also
  *converted* to `/` (what `unzip` does with archives made by Windows tools).
- Hard links are refused, always: a dataset never needs them and they are the usual way to
  alias a file outside the destination.
- Symbolic links are allowed only when relative and pointing inside the destination. The
  target is checked lexically here and again, resolved through the destination as it will be
  after the merge (existing links included), before anything is moved (see `merged_view`).
  No member may be written *through* a symlink (`link/x`), nor replace one, so a link can
  never redirect a later write.
- Devices, FIFOs and sockets are refused.

Nothing here touches the disk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from colab_panel.errors import UnsafeArchiveError

Parts = tuple[str, ...]

_DRIVE = re.compile(r"^[A-Za-z]:")


class LinkSet(set[Parts]):
    """The symlinks an archive made, and the lengths they come in (for prefix checks)."""

    def __init__(self, items: Iterable[Parts] = ()) -> None:
        super().__init__(items)
        self.lengths = {len(p) for p in self}

    def add(self, parts: Parts) -> None:
        super().add(parts)
        self.lengths.add(len(parts))


def member_parts(name: str, *, backslash_is_separator: bool) -> Parts:
    """The safe relative parts of member `name`; `()` for the archive root itself (`./`).

    Raises UnsafeArchiveError naming the member if it would land outside the destination.
    """
    if "\x00" in name:
        raise UnsafeArchiveError(f"Archive member {name!r} has a NUL byte in its name; refusing to extract.")
    checked = name.replace("\\", "/")
    if checked.startswith("/"):
        raise UnsafeArchiveError(f"Archive member {name!r} has an absolute path; refusing to extract.")
    parts = [p for p in checked.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise UnsafeArchiveError(
            f"Archive member {name!r} uses '..' to climb out of the destination; refusing to extract.")
    if parts and _DRIVE.match(parts[0]):
        raise UnsafeArchiveError(f"Archive member {name!r} names a Windows drive; refusing to extract.")
    if backslash_is_separator:
        return tuple(parts)
    # Tar: a backslash is an ordinary filename character on POSIX; keep it, the check above
    # already refused any name that would be traversal were it read as a separator.
    return tuple(p for p in name.split("/") if p not in ("", "."))


def check_link_target(link: Parts, target: str, member_name: str) -> None:
    """Refuse a symlink at `link` whose `target` is absolute or resolves outside the destination."""
    if not target or "\x00" in target:
        raise UnsafeArchiveError(f"Archive member {member_name!r} is a symbolic link with an empty or invalid target.")
    t = target.replace("\\", "/")
    if t.startswith("/") or _DRIVE.match(t):
        raise UnsafeArchiveError(
            f"Archive member {member_name!r} is a symbolic link to the absolute path {target!r}; refusing to extract.")
    stack = list(link[:-1])
    for part in t.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not stack:
                raise UnsafeArchiveError(
                    f"Archive member {member_name!r} is a symbolic link to {target!r}, "
                    "which points outside the destination; refusing to extract.")
            stack.pop()
        else:
            stack.append(part)


def check_not_through_links(parts: Parts, links: LinkSet, member_name: str, *, include_self: bool) -> None:
    """Refuse a member whose path goes through (or, with include_self, is) an earlier symlink."""
    end = len(parts) if include_self else len(parts) - 1
    for i in links.lengths:  # only prefixes as long as some link: a deep path is not a quadratic walk
        if i <= end and parts[:i] in links:
            via = "/".join(parts[:i])
            raise UnsafeArchiveError(
                f"Archive member {member_name!r} would be written through the symbolic link {via!r} "
                "from the same archive; refusing to extract.")
