"""What one Drive item looks like in the Drive tab's table: an icon kind and the row the page draws.

    table_row(item) -> [id, "sheet", "results.csv", 1234, 1764412800, "Ada", 0]

The row is `js/file_table.js`'s format: id, icon kind, name, size in bytes (None for folders and
Google Docs), modified as epoch seconds (None when unknown), owner's name, 1 if it opens as a folder.
"""

from __future__ import annotations

from colab_panel.drive.items import FOLDER_MIME, DriveItem

__all__ = ["icon_kind", "table_row"]

_NATIVE_KINDS = {"document": "doc", "spreadsheet": "sheet", "presentation": "slides", "form": "form",
                 "drawing": "drawing", "shortcut": "link", "folder": "folder"}
_EXTENSION_KINDS = {
    **dict.fromkeys(("zip", "tar", "gz", "tgz", "bz2", "xz", "7z", "rar", "zst"), "archive"),
    **dict.fromkeys(("png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "svg"), "image"),
    **dict.fromkeys(("mp4", "mov", "avi", "mkv", "webm"), "video"),
    **dict.fromkeys(("mp3", "wav", "flac", "ogg", "m4a"), "audio"),
    **dict.fromkeys(("py", "ipynb", "js", "ts", "sh", "json", "yaml", "yml", "toml", "c", "cpp", "h", "rs", "go"), "code"),
    **dict.fromkeys(("txt", "md", "csv", "tsv", "log", "rst"), "text"),
    **dict.fromkeys(("doc", "docx", "odt", "rtf"), "doc"),
    **dict.fromkeys(("xls", "xlsx", "ods", "parquet"), "sheet"),
    **dict.fromkeys(("ppt", "pptx", "odp"), "slides"),
    "pdf": "pdf",
}
_MIME_PREFIXES = (("image/", "image"), ("video/", "video"), ("audio/", "audio"), ("text/", "text"))


def icon_kind(item: DriveItem) -> str:
    """folder, link (shortcut), doc, sheet, slides, pdf, image, video, audio, archive, code, text or file."""
    kind = item.kind
    if kind in _NATIVE_KINDS:
        return _NATIVE_KINDS[kind]
    if kind != "file":
        return "file"  # other Google-native types (sites, maps, ...)
    stem, dot, extension = item.title.rpartition(".")
    if dot and stem and extension.lower() in _EXTENSION_KINDS:
        return _EXTENSION_KINDS[extension.lower()]
    if item.mime_type == "application/pdf":
        return "pdf"
    return next((k for prefix, k in _MIME_PREFIXES if item.mime_type.startswith(prefix)), "file")


def table_row(item: DriveItem) -> list:
    owner = item.owners[0] if item.owners else None
    opens = item.is_folder or (item.is_shortcut and item.shortcut_target_mime == FOLDER_MIME)
    return [item.id, icon_kind(item), item.title, item.size_bytes,
            int(item.modified.timestamp()) if item.modified else None,
            (owner.name or owner.email) if owner else "", 1 if opens else 0]
