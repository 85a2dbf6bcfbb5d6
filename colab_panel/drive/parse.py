"""Turn whatever a user pastes (a bare ID or any Drive/Docs/Colab link) into a Drive file ID.

`parse_drive_id(text)` returns just the ID; `parse_drive_link(text)` also keeps the
`resourcekey` (older link-shared items need it, sent as `X-Goog-Drive-Resource-Keys`)
and a hint of what kind of item the link was for.

What counts as an ID: 19 to 128 characters of ``[A-Za-z0-9_-]``. The lower bound is the
length of the shortest real IDs, shared drive roots (e.g. ``0ABcdEfGhIjKlUk9PVA``, 19
characters); ordinary file IDs are 28 (old ``0B...``) or 33 characters, Docs up to 44.
A word like ``dataset`` or a truncated paste is refused rather than sent to the API.

Only standard library imports here: this module is imported at panel start-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from colab_panel.errors import DriveLinkError
from colab_panel.inputs import quoted_short

__all__ = ["DriveRef", "LinkKind", "parse_drive_id", "parse_drive_link", "MIN_ID_LENGTH", "MAX_ID_LENGTH"]

MIN_ID_LENGTH = 19
MAX_ID_LENGTH = 128

_ID_RE = re.compile(rf"[A-Za-z0-9_-]{{{MIN_ID_LENGTH},{MAX_ID_LENGTH}}}")
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")
_USER_INDEX_RE = re.compile(r"\d{1,3}")

_DRIVE_HOSTS = {"drive.google.com", "docs.google.com", "drive.usercontent.google.com"}
_COLAB_HOST = "colab.research.google.com"
LinkKind = Literal["file", "folder", "document", "spreadsheet", "presentation", "drawing", "colab", "unknown"]
_DOCS_KINDS: dict[str, LinkKind] = {
    "document": "document",
    "spreadsheets": "spreadsheet",
    "presentation": "presentation",
    "drawings": "drawing",
}

_FORMS_HELP = (
    "Paste a bare file/folder ID (19+ letters, digits, '-' or '_') or a link such as "
    "https://drive.google.com/file/d/ID/view, https://drive.google.com/drive/folders/ID, "
    "https://drive.google.com/open?id=ID, "
    "https://docs.google.com/document/d/ID/edit (also spreadsheets/presentation), "
    "or https://colab.research.google.com/drive/ID."
)


@dataclass(frozen=True)
class DriveRef:
    """What a pasted link points at.

    `kind` is a hint taken from the link's shape, not from Drive (a `LinkKind`); "unknown" for bare
    IDs and `open?id=` links, which say nothing about the item.
    """

    id: str
    resource_key: str | None = None
    kind: LinkKind = "unknown"


def parse_drive_id(text: str) -> str:
    """Return the Drive ID in `text` (bare ID or link); raise `DriveLinkError` saying what forms work.

    `DriveLinkError` is a `PanelError` (like every user mistake) and also a `ValueError`.
    """
    return parse_drive_link(text).id


def parse_drive_link(text: str) -> DriveRef:
    """Parse a bare ID or any Drive/Docs/Colab link into a `DriveRef`; `DriveLinkError` if it is neither."""
    if not isinstance(text, str):
        raise DriveLinkError(f"expected a Drive ID or link as text (str), got {type(text).__name__}. {_FORMS_HELP}")
    stripped = text.strip()
    if not stripped:
        raise DriveLinkError(f"Nothing to open: the text is empty. {_FORMS_HELP}")
    if "/" not in stripped and "?" not in stripped and "." not in stripped:
        return DriveRef(id=_check_id(stripped, what="this ID"))
    return _parse_url(stripped)


def _parse_url(text: str) -> DriveRef:
    candidate = text if "://" in text else "https://" + text
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").lower()
    except ValueError as error:  # e.g. an unbalanced '[' in the host part
        raise DriveLinkError(f"{_show(text)} is not a valid link ({error}). {_FORMS_HELP}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise DriveLinkError(f"{_show(text)} is not a web link (scheme {_show(parts.scheme)}). {_FORMS_HELP}")
    if host.startswith("www."):
        host = host[4:]
    query = parse_qs(parts.query, keep_blank_values=True)
    segments = [s for s in parts.path.split("/") if s]

    if host == _COLAB_HOST:
        return _parse_colab(text, segments, query)
    if host not in _DRIVE_HOSTS:
        raise DriveLinkError(f"{_show(text)} is not a Google Drive, Docs or Colab link (host {_show(host)}). {_FORMS_HELP}")
    return _parse_drive_path(text, _drop_account_prefixes(segments), query)


def _drop_account_prefixes(segments: list[str]) -> list[str]:
    """Remove `/a/DOMAIN/`, `/u/N/` and `/mobile/` segments: they select an account or layout, not an item."""
    out: list[str] = []
    i = 0
    while i < len(segments):
        seg = segments[i]
        if seg == "a" and i + 1 < len(segments) and "." in segments[i + 1] and not out:
            i += 2
            continue
        if seg == "u" and i + 1 < len(segments) and _USER_INDEX_RE.fullmatch(segments[i + 1]):
            i += 2
            continue
        if seg == "mobile":
            i += 1
            continue
        out.append(seg)
        i += 1
    return out


def _parse_drive_path(text: str, segments: list[str], query: dict[str, list[str]]) -> DriveRef:
    key = _resource_key(text, query)
    path = "/".join(segments)
    # /open?id=ID, /uc?id=ID&export=download, usercontent /download?id=ID, old /folderview?id=ID,
    # and the panel's own embed and image links: /embeddedfolderview?id=ID, /thumbnail?id=ID
    if path in ("open", "uc", "download", "folderview", "file/view", "embeddedfolderview", "thumbnail"):
        ident = _single(text, query, "id")
        by_path: dict[str, LinkKind] = {"open": "unknown", "folderview": "folder", "embeddedfolderview": "folder"}
        kind = by_path.get(path, "file")
        return DriveRef(_check_id(ident, what=f"the id= in {_show(text)}"), key, kind)
    if len(segments) >= 3 and segments[0] == "file" and segments[1] == "d":
        # /file/d/ID, /file/d/ID/view|edit|preview
        return DriveRef(_check_id(segments[2], what=f"the ID in {_show(text)}"), key, "file")
    if len(segments) >= 3 and segments[0] == "drive" and segments[1] == "folders":
        return DriveRef(_check_id(segments[2], what=f"the folder ID in {_show(text)}"), key, "folder")
    if len(segments) >= 2 and segments[0] == "folders":
        return DriveRef(_check_id(segments[1], what=f"the folder ID in {_show(text)}"), key, "folder")
    if len(segments) >= 3 and segments[0] in _DOCS_KINDS and segments[1] == "d":
        kind = _DOCS_KINDS[segments[0]]
        return DriveRef(_check_id(segments[2], what=f"the ID in {_show(text)}"), key, kind)
    raise DriveLinkError(f"{_show(text)} is a Google link, but not one to a file or folder. {_FORMS_HELP}")


def _parse_colab(text: str, segments: list[str], query: dict[str, list[str]]) -> DriveRef:
    if len(segments) >= 2 and segments[0] == "drive":
        return DriveRef(_check_id(segments[1], what=f"the notebook ID in {_show(text)}"), _resource_key(text, query), "colab")
    raise DriveLinkError(
        f"{_show(text)} is a Colab link but not to a notebook stored on Drive "
        f"(expected colab.research.google.com/drive/ID). {_FORMS_HELP}"
    )


def _single(text: str, query: dict[str, list[str]], name: str) -> str:
    values = query.get(name, [])
    if not values:
        raise DriveLinkError(f"{_show(text)} has no '{name}=' parameter naming the file. {_FORMS_HELP}")
    if len(set(values)) > 1:
        raise DriveLinkError(f"{_show(text)} names more than one file ({name}= appears with different values).")
    return values[0]


def _resource_key(text: str, query: dict[str, list[str]]) -> str | None:
    values = query.get("resourcekey", []) or query.get("resourceKey", [])
    if not values or values[0] == "":
        return None
    if not _KEY_RE.fullmatch(values[0]):
        raise DriveLinkError(
            f"The resourcekey in {_show(text)} is malformed: it should be letters, digits, '-' or '_'."
        )
    return values[0]


def _check_id(candidate: str, *, what: str) -> str:
    if _ID_RE.fullmatch(candidate):
        return candidate
    bad = sorted({c for c in candidate if not (c.isascii() and (c.isalnum() or c in "-_"))})
    if bad:
        problem = f"contains characters a Drive ID never has ({quoted_short(''.join(bad[:10]), 40)})"
    elif len(candidate) < MIN_ID_LENGTH:
        problem = f"is too short for a Drive ID ({len(candidate)} characters, at least {MIN_ID_LENGTH} needed)"
    else:
        problem = f"is too long for a Drive ID ({len(candidate)} characters, at most {MAX_ID_LENGTH})"
    if what == "this ID":
        what = f"{_show(candidate)}"
    raise DriveLinkError(f"{what[0].upper() + what[1:]} {problem}. {_FORMS_HELP}")


def _show(text: str) -> str:
    """Quote user text in a message, shortened so a pasted paragraph does not flood the panel."""
    return quoted_short(text, 60)
