"""Mark an extraction's private folder as the top of a folder tree (`chattr +T`), so its folders spread out.

On ext4, a new file's inode is taken from its folder's block group, and ext4 without a journal
(this project's machines, some cloud disks) steps over every inode freed in the last minute,
one by one, before it hands out a free one: where many files were just deleted (earlier runs,
/tmp churn) each create costs 60-450 us of kernel time instead of ~10. ext4 normally puts a
subfolder next to its parent; under a folder flagged "top of directory hierarchy" (FS_TOPDIR_FL)
it places each subfolder in a lightly used group instead, away from the churn. Measured on this
machine: 20,000 creates in 50 folders, 3.0-3.3 s of kernel time plain vs 0.8-0.9 s flagged.

Best effort: other filesystems (tmpfs, overlayfs lower layers, btrfs, xfs) refuse the flag and
nothing changes. The flag is cleared before the folder becomes the user's destination.
"""

from __future__ import annotations

import os
import struct

_GETFLAGS = 0x80086601  # FS_IOC_GETFLAGS (linux/fs.h): _IOR('f', 1, long)
_SETFLAGS = 0x40086602  # FS_IOC_SETFLAGS: _IOW('f', 2, long)
TOPDIR_FLAG = 0x00020000  # FS_TOPDIR_FL, `chattr +T`


def folder_flags(path: str | os.PathLike[str]) -> int | None:
    """The folder's inode flags (`lsattr`), or None where the filesystem has none to give."""
    try:
        import fcntl  # lazy and POSIX-only
    except ImportError:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        return int(struct.unpack("l", fcntl.ioctl(fd, _GETFLAGS, struct.pack("l", 0)))[0])
    except OSError:
        return None
    finally:
        os.close(fd)


def set_top_of_tree(path: str | os.PathLike[str], on: bool = True) -> bool:
    """Set (or clear) the folder's FS_TOPDIR_FL; return whether the flag now reads as asked."""
    flags = folder_flags(path)
    if flags is None:
        return False
    wanted = flags | TOPDIR_FLAG if on else flags & ~TOPDIR_FLAG
    if wanted != flags:
        import fcntl

        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return False
        try:
            fcntl.ioctl(fd, _SETFLAGS, struct.pack("l", wanted))
        except OSError:  # EOPNOTSUPP, ENOTTY, EPERM: this filesystem keeps its own placement
            return False
        finally:
            os.close(fd)
    return True
