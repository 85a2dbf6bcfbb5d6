"""Delete a folder tree with no recursion and no descriptor held per level.

`shutil.rmtree` recurses once per folder level (and, before Python 3.13, holds a descriptor
per level): a 1,000-level chain from a hostile archive made it raise RecursionError and leave
the tree behind. This walks with an explicit list instead, so depth costs memory, not stack.
"""

from __future__ import annotations

import os


def remove_tree(path: str | os.PathLike[str]) -> bool:
    """Delete `path` (a folder, a file or a link) and everything under it; True when it is gone.

    Best effort: an entry that cannot be removed is skipped, never raised, because this runs
    while another error is on its way to the user and must not replace it.
    """
    path = os.fspath(path)
    try:
        os.rmdir(path)  # the common cleanup: an emptied or empty folder
        return True
    except FileNotFoundError:
        return True
    except NotADirectoryError:
        return _unlink(path)
    except OSError:
        pass
    folders = [path]  # every folder found, parents before children
    i = 0
    while i < len(folders):
        try:
            with os.scandir(folders[i]) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    else:
                        _unlink(entry.path)
        except OSError:
            pass
        i += 1
    for folder in reversed(folders):  # children before parents
        try:
            os.rmdir(folder)
        except FileNotFoundError:
            pass
        except OSError:
            continue
    return not os.path.lexists(path)


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True
