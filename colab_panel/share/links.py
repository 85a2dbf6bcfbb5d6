"""Every useful link and command for one Drive item, computed without touching Drive.

    share_links("https://drive.google.com/file/d/ID/view")        # one metadata read at most
    share_links("ID", item={"id": "ID", "mimeType": "text/csv", "title": "a.csv"})  # no read

Keys of the returned dict (only those that make sense for the item's type are present):

==================  ===========================================================================
``view``            ``https://drive.google.com/file/d/ID/view`` (files)
``open``            ``https://drive.google.com/open?id=ID`` (any item)
``folder``          ``https://drive.google.com/drive/folders/ID`` (folders)
``edit``            ``https://docs.google.com/document/d/ID/edit`` (Docs, Sheets, Slides, Drawings)
``download``        ``https://drive.google.com/uc?export=download&id=ID`` (stored files)
``download_large``  the same download past Drive's virus-scan page (``drive.usercontent``,
                    ``confirm=t``); see `download_note`
``export_<fmt>``    Docs/Sheets/Slides/Drawings export: pdf, docx, xlsx, pptx, csv, txt, png
``preview``         the page an ``<iframe>`` can show; ``embed`` is the ready iframe snippet
``gdown``           ``gdown`` command (``--folder`` for folders)
``wget``/``curl``   download commands (not for folders: Drive has no folder download URL)
``markdown``        ``[title](view link)``; ``html`` is the ``<a href>``; ``markdown_image``
                    for images
==================  ===========================================================================

Every URL carries ``resourcekey=KEY`` when the item has one (older link-shared items open
only with it). Only standard-library imports: this runs at panel start-up.
"""

from __future__ import annotations

import html
import shlex
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from colab_panel.drive.parse import parse_drive_link
from colab_panel.errors import DriveLinkError, ShareError

__all__ = ["LINK_LABELS", "MetadataSource", "download_note", "links_for_item", "share_links",
           "LARGE_FILE_BYTES", "FOLDER_MIME", "item_fields"]

FOLDER_MIME = "application/vnd.google-apps.folder"
SHORTCUT_MIME = "application/vnd.google-apps.shortcut"
_DOCUMENT = "application/vnd.google-apps.document"
_SPREADSHEET = "application/vnd.google-apps.spreadsheet"
_PRESENTATION = "application/vnd.google-apps.presentation"
_DRAWING = "application/vnd.google-apps.drawing"
_NATIVE_PREFIX = "application/vnd.google-apps."

# Drive shows "can't scan this file for viruses" instead of the bytes above roughly this size.
LARGE_FILE_BYTES = 100 * 1024 * 1024

# Google-native type -> (path segment on docs.google.com, [(format, mime type)]) in menu order.
_NATIVE: dict[str, tuple[str, list[tuple[str, str]]]] = {
    _DOCUMENT: ("document", [
        ("pdf", "application/pdf"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("txt", "text/plain"),
    ]),
    _SPREADSHEET: ("spreadsheets", [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv"),
        ("pdf", "application/pdf"),
    ]),
    _PRESENTATION: ("presentation", [
        ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("pdf", "application/pdf"),
    ]),
    _DRAWING: ("drawings", [("png", "image/png"), ("pdf", "application/pdf")]),
}
# A link's shape already tells these types: no metadata read needed for them.
_KIND_TO_MIME = {"folder": FOLDER_MIME, "document": _DOCUMENT, "spreadsheet": _SPREADSHEET,
                 "presentation": _PRESENTATION, "drawing": _DRAWING,
                 "colab": "application/vnd.google.colaboratory", "file": "application/octet-stream"}

# Short human labels for the keys, in the order a table shows them.
LINK_LABELS: dict[str, str] = {
    "view": "View page", "open": "Open link", "folder": "Folder", "edit": "Edit (Docs editor)",
    "download": "Direct download", "download_large": "Download (large files)",
    "export_pdf": "Export PDF", "export_docx": "Export Word", "export_xlsx": "Export Excel",
    "export_pptx": "Export PowerPoint", "export_csv": "Export CSV", "export_txt": "Export text",
    "export_png": "Export PNG", "preview": "Preview page", "embed": "Embed (iframe)",
    "gdown": "gdown", "wget": "wget", "curl": "curl", "markdown": "Markdown",
    "html": "HTML", "markdown_image": "Markdown image",
}


class MetadataSource(Protocol):
    """What `share_links` needs to read an item's type: the Drive backend's `get`."""

    def get(self, id_or_link: str) -> Any: ...


def share_links(file_id_or_link: str, *, item: Any = None,
                drive: MetadataSource | None = None) -> dict[str, str]:
    """Links and commands for a Drive item (see the module docstring for the keys).

    `item` is the item's metadata (a Drive v2 file resource: id, title, mimeType, resourceKey,
    exportLinks, fileSize) when the caller has it: then nothing is read. Otherwise a link that
    tells the type (``/drive/folders/``, ``/document/d/``, ``/file/d/``...) is enough, and only
    a bare ID or ``open?id=`` link costs one metadata read through `drive` (the default
    `Drive` when None). Nothing on Drive is changed. A malformed ID or link raises
    `DriveLinkError` (a `PanelError`, and a `ValueError`).
    """
    ref = parse_drive_link(file_id_or_link)
    if item is None:
        if ref.kind in _KIND_TO_MIME:
            item = {"id": ref.id, "mimeType": _KIND_TO_MIME[ref.kind]}
        else:
            item = item_fields(_default_drive(drive).get(file_id_or_link.strip()))
    else:
        item = item_fields(item)
    if item.get("id") not in (None, ref.id):
        raise DriveLinkError(f"the metadata given is for {str(item.get('id'))[:80]!r}, not for {ref.id!r}")
    merged = dict(item)
    merged.setdefault("id", ref.id)
    if ref.resource_key and not merged.get("resourceKey"):
        merged["resourceKey"] = ref.resource_key
    return links_for_item(merged)


def links_for_item(item: Any) -> dict[str, str]:
    """The links for an item whose metadata is known (pure: no I/O). See `share_links`.

    `item` is a Drive v2 file resource (dict) or a `colab_panel.drive.items.DriveItem`.
    """
    item = item_fields(item)
    file_id = str(item["id"])
    mime = str(item.get("mimeType") or "application/octet-stream")
    if mime == SHORTCUT_MIME and item.get("shortcutDetails"):
        # A shortcut's links should reach what it points at, not the shortcut itself.
        details = item["shortcutDetails"]
        target = {"id": details.get("targetId"), "mimeType": details.get("targetMimeType"),
                  "resourceKey": details.get("targetResourceKey"), "title": item.get("title")}
        return links_for_item(target)
    key = item.get("resourceKey") or None
    known_title = str(item.get("title") or item.get("name") or "")
    title = known_title or file_id
    links: dict[str, str] = {}

    def url(base: str, **params: str) -> str:
        if key:
            params["resourcekey"] = key
        return base + ("?" + urlencode(params, quote_via=quote) if params else "")

    open_link = url("https://drive.google.com/open", id=file_id)
    if mime == FOLDER_MIME:
        links["folder"] = url(f"https://drive.google.com/drive/folders/{file_id}")
        links["open"] = open_link
        preview = url("https://drive.google.com/embeddedfolderview", id=file_id) + "#list"
        links["preview"] = preview
        links["embed"] = _iframe(preview, title)
        links["gdown"] = f"gdown --folder {shlex.quote(links['folder'])}"
        links["markdown"] = f"[{_md_text(title)}]({links['folder']})"
        links["html"] = f'<a href="{html.escape(links["folder"])}">{html.escape(title)}</a>'
        return links

    if mime in _NATIVE:
        segment, formats = _NATIVE[mime]
        base = f"https://docs.google.com/{segment}/d/{file_id}"
        view = url(f"{base}/edit")
        links["edit"] = view
        links["open"] = open_link
        offered = item.get("exportLinks")
        for fmt, fmt_mime in formats:
            if isinstance(offered, Mapping) and offered and fmt_mime not in offered:
                continue  # Drive says this item cannot be exported so
            links[f"export_{fmt}"] = url(f"{base}/export", format=fmt)
        preview = url(f"{base}/preview")
        fetch, fetch_name = _first_export(links, title)
    else:
        view = url(f"https://drive.google.com/file/d/{file_id}/view")
        links["view"] = view
        links["open"] = open_link
        links["download"] = url("https://drive.google.com/uc", export="download", id=file_id)
        links["download_large"] = url("https://drive.usercontent.google.com/download", id=file_id,
                                      export="download", confirm="t")
        preview = url(f"https://drive.google.com/file/d/{file_id}/preview")
        # drive.usercontent with confirm=t skips the virus-scan page that would otherwise be
        # saved in place of a large file by a plain HTTP client.
        fetch, fetch_name = links["download_large"], title
    links["preview"] = preview
    links["embed"] = _iframe(preview, title)
    if fetch:
        gdown_source = fetch if mime in _NATIVE else url("https://drive.google.com/uc", id=file_id)
        if known_title:
            links["gdown"] = f"gdown {shlex.quote(gdown_source)} -O {shlex.quote(fetch_name)}"
            links["wget"] = f"wget -O {shlex.quote(fetch_name)} {shlex.quote(fetch)}"
            links["curl"] = f"curl -L -o {shlex.quote(fetch_name)} {shlex.quote(fetch)}"
        else:  # name unknown without a metadata read: let the server's file name win
            links["gdown"] = f"gdown {shlex.quote(gdown_source)}"
            links["wget"] = f"wget --content-disposition {shlex.quote(fetch)}"
            links["curl"] = f"curl -L -OJ {shlex.quote(fetch)}"
    links["markdown"] = f"[{_md_text(title)}]({view})"
    links["html"] = f'<a href="{html.escape(view)}">{html.escape(title)}</a>'
    if mime.startswith("image/"):
        links["markdown_image"] = f"![{_md_text(title)}]({url('https://drive.google.com/thumbnail', id=file_id, sz='w1000')})"
    return links


def download_note(item: Any = None) -> str:
    """A sentence about Drive's virus-scan page, sharper when the item is known to be large."""
    general = ("Drive answers files it cannot scan for viruses (over about 100 MB) with a warning "
               "page instead of the bytes: a plain `download` link then saves that HTML page. "
               "Use `download_large` (it confirms the warning) or `gdown`, which handles it.")
    size = _size(item_fields(item) if item is not None else None)
    if size is not None and size >= LARGE_FILE_BYTES:
        return f"This file is {size / 1024**2:.0f} MB: too large for Drive's virus scan. " + general
    return general


def _first_export(links: dict[str, str], title: str) -> tuple[str | None, str]:
    for name, link in links.items():
        if name.startswith("export_"):
            return link, f"{title}.{name.removeprefix('export_')}"
    return None, title


def _iframe(src: str, title: str) -> str:
    return (f'<iframe src="{html.escape(src)}" title="{html.escape(title)}" width="640" '
            f'height="480" frameborder="0" allow="autoplay" allowfullscreen></iframe>')


def _md_text(title: str) -> str:
    return "".join("\\" + ch if ch in "[]\\" else ch for ch in title)


def _size(item: Mapping[str, Any] | None) -> int | None:
    try:
        return int(item["fileSize"]) if item and item.get("fileSize") is not None else None
    except (TypeError, ValueError):
        return None


def item_fields(meta: Any) -> dict[str, Any]:
    """The v2 fields links need, from a v2 file resource (dict) or a `DriveItem`."""
    if isinstance(meta, Mapping):
        return dict(meta)
    if not hasattr(meta, "mime_type"):
        raise ShareError(f"cannot read Drive metadata from a {type(meta).__name__}: give a Drive v2 file "
                         "resource (dict) or a DriveItem")
    fields: dict[str, Any] = {"id": meta.id, "title": meta.title, "mimeType": meta.mime_type,
                              "resourceKey": getattr(meta, "resource_key", None),
                              "fileSize": getattr(meta, "size_bytes", None)}
    exports = getattr(meta, "export_formats", None)
    if exports:
        fields["exportLinks"] = {mime: "" for mime in exports.values()}
    if getattr(meta, "shortcut_target_id", None):
        fields["shortcutDetails"] = {"targetId": meta.shortcut_target_id,
                                     "targetMimeType": getattr(meta, "shortcut_target_mime", None)}
    return fields


def _default_drive(drive: MetadataSource | None) -> MetadataSource:
    if drive is not None:
        return drive
    from colab_panel.drive.default import default_drive

    session_drive: MetadataSource = default_drive()
    return session_drive
