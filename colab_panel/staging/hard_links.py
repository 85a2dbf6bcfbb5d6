"""Tar hard links: extracted when honest, refused when they could reach anything else.

Datasets packed by `tar` hold hard links whenever two names share a file (deduplicated
images, `cp -l` trees); CPython's `data` filter extracts them. Ours is narrower: a hard link
is extracted only when its target is a regular file *this archive* already wrote (not a
file the user has in dest, not a symlink, not a name through a symlink), so it can only
ever alias bytes that came from the archive. It is made with link(2) inside the staging
folder (the merge moves both names), or, where the filesystem refuses hard links, as a copy.
"""

from __future__ import annotations

import errno
import os
import shutil

from colab_panel.errors import UnsafeArchiveError
from colab_panel.staging.safety import LinkSet, Parts, check_not_through_links, member_parts


def hard_link_target(parts: Parts, linkname: str, regular: set[Parts], links: LinkSet, name: str) -> Parts:
    """The parts of the earlier regular member that `name` (at `parts`) may hard-link to; else refuse."""
    try:
        target = member_parts(linkname, backslash_is_separator=False)
    except UnsafeArchiveError:
        raise UnsafeArchiveError(f"Archive member {name!r} is a hard link to {linkname!r}, which is outside "
                                 "the destination; refusing to extract.") from None
    check_not_through_links(target, links, name, include_self=True)
    if target == parts or target not in regular:
        raise UnsafeArchiveError(
            f"Archive member {name!r} is a hard link to {linkname!r}, which is not a file this archive wrote "
            "before it; hard links may only join two names from the same archive, so refusing to extract.")
    return target


def make_hard_link(source: str, path: str) -> None:
    """Hard-link `path` to `source`; copy instead where the filesystem has no hard links."""
    try:
        os.link(source, path, follow_symlinks=False)
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.EMLINK, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        shutil.copyfile(source, path, follow_symlinks=False)
