"""Which version of a remote file a kept `.part` holds: a sidecar `<name>.part.source` (JSON).

A folder stage that stops (network gone, another file failed, the kernel restarted) keeps each
unfinished file's `.part` so the rerun fetches only the rest. If the file changed on Drive in
between, those bytes belong to the old version: resuming them ends in ChecksumMismatch (or, for
a file that grew, in a mix). So before a download starts, the identity of what it fetches (the
listing's md5 and size, and the source's own identity: Drive ID) is written next to the part;
the next run resumes only a part whose recorded identity is the same, and otherwise starts that
file again. A part with no record (left by an older colab_panel) is not trusted either.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from colab_panel.disk.atomic import part_path

SUFFIX = ".source"
_RANGES_SUFFIX = ".ranges"  # parallel_ranges' sidecar of finished ranges


def sidecar_path(staged: Path) -> Path:
    part = part_path(staged)
    return part.with_name(part.name + SUFFIX)


def identity_of(entry: Any) -> dict[str, Any]:
    """What names one version of a listed remote file (a `remote_folder.RemoteEntry`)."""
    ident: dict[str, Any] = {"md5": entry.md5, "size": entry.size}
    identity = getattr(entry.source, "identity", None)
    if callable(identity):
        try:
            ident["source"] = identity()
        except Exception:  # an identity we cannot read is no identity: md5 and size still count
            pass
    return json.loads(json.dumps(ident, default=str))  # as it will read back from disk


def prepare(staged: Path, ident: dict[str, Any]) -> bool:
    """Keep a `.part` of `staged` only if it holds this version; record `ident` for the part to come.

    Returns True if a kept part was thrown away (it held another version, or nobody knows which).
    """
    part, sidecar = part_path(staged), sidecar_path(staged)
    ranges = part.with_name(part.name + _RANGES_SUFFIX)
    dropped = False
    if part.exists() and _recorded(sidecar) != ident:
        for path in (part, ranges):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
        dropped = True
    part.parent.mkdir(parents=True, exist_ok=True)
    tmp = sidecar.with_name(sidecar.name + ".tmp")
    tmp.write_text(json.dumps(ident, sort_keys=True), encoding="utf-8")
    os.replace(tmp, sidecar)
    return dropped


def forget(staged: Path) -> None:
    """Remove the record once its part is gone (finished and renamed, or discarded)."""
    if not part_path(staged).exists():
        try:
            sidecar_path(staged).unlink()
        except FileNotFoundError:
            pass


def _recorded(sidecar: Path) -> Any:
    try:
        return json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
