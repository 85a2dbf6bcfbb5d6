"""Judge links against the destination as it will be after the merge, not the staging folder.

An extraction is built in a private folder and then merged into `dest`, where the user's own
files stay. A link that is harmless in the staging folder can point outside once merged:
with `dest/ext -> ../outside` already there, an archive link `x -> ext/flag` resolved to
nothing in the staging folder and to `outside/flag` in `dest`. So every link is resolved
here through an overlay: an entry the archive wrote wins (the merge replaces files and links
and merges folders), anything else is what `dest` holds now, existing links included.

The resolution is iterative and gives up after `MAX_LINKS` links, as the kernel does (ELOOP
at 40), so a chain of thousands of links is refused, not a RecursionError.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable

from colab_panel.errors import UnsafeArchiveError

MAX_LINKS = 40

Parts = tuple[str, ...]


def check_links_inside_after_merge(dest: str | os.PathLike[str], stage: str | os.PathLike[str],
                                   links: Iterable[Parts]) -> None:
    """Refuse (naming it) any archive link under `stage` that, once merged into `dest`, resolves outside."""
    dest_real = os.path.realpath(dest)
    for parts in links:
        resolved = resolve_after_merge(dest_real, os.fspath(stage), parts)
        if resolved is None:
            raise UnsafeArchiveError(
                f"Archive member {'/'.join(parts)!r} is a symbolic link that goes through more than "
                f"{MAX_LINKS} links (a loop?); refusing to extract.")
        if resolved != dest_real and not resolved.startswith(dest_real.rstrip(os.sep) + os.sep):
            raise UnsafeArchiveError(
                f"Archive member {'/'.join(parts)!r} is a symbolic link that resolves outside the destination "
                f"once merged with what {dest} already holds (to {resolved}); refusing to extract.")


def resolve_after_merge(dest_real: str, stage: str, parts: Parts) -> str | None:
    """The absolute path `dest_real/parts` would resolve to after the merge; None past MAX_LINKS links.

    Like `os.path.realpath(strict=False)`: a missing component is kept as it is.
    """
    dest_parts = _split(dest_real)
    current = list(dest_parts)
    todo = list(reversed(parts))  # components still to walk, next one last
    followed = 0
    while todo:
        name = todo.pop()
        if name in ("", "."):
            continue
        if name == "..":
            if current:
                current.pop()
            continue
        current.append(name)
        target = _link_target(current, dest_parts, stage)
        if target is None:
            continue
        followed += 1
        if followed > MAX_LINKS:
            return None
        current.pop()
        if target.startswith("/"):
            current = []
        todo.extend(reversed(target.split("/")))
    return "/" + "/".join(current)


def _split(path: str) -> list[str]:
    return [p for p in path.split("/") if p]


def _link_target(current: list[str], dest_parts: list[str], stage: str) -> str | None:
    """The target if `current` is a symlink in the merged view, else None (folder, file or absent)."""
    n = len(dest_parts)
    if len(current) > n and current[:n] == dest_parts:
        staged = os.path.join(stage, *current[n:])
        st = _lstat(staged)
        if st is not None:  # else not written by the archive: dest decides
            return os.readlink(staged) if stat.S_ISLNK(st.st_mode) else None
    real = "/" + "/".join(current)
    st = _lstat(real)
    return os.readlink(real) if st is not None and stat.S_ISLNK(st.st_mode) else None


def _lstat(path: str) -> os.stat_result | None:
    """lstat, None when nothing is there. Any other failure (ENAMETOOLONG, EACCES) refuses: a
    resolver that skips what it cannot see is how CVE-2025-4517 slipped past realpath."""
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        raise UnsafeArchiveError(f"A symbolic link in the archive cannot be checked ({e.strerror} at "
                                 f"{path[:200]!r}...); refusing to extract.") from None
