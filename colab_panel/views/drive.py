"""`DriveTab`: the Drive tab's widgets, bound to a `DriveController` (no state of its own).

Top to bottom: "Paste a Drive link or ID" + Open / Up / Refresh; breadcrumbs (buttons);
filter and sort; the file list (type, name, size, modified) beside the details of the
selection (ID and view link, each with a copy button; size, type, modified, owner, md5, who can
open it, links; export formats for Google Docs); actions (download to a
runtime path, upload from one, new folder, rename, move, trash, delete); a confirm bar for
destructive actions; progress, status and errors in words.

The list is a `Select` of at most `page_rows` rows plus "Show more": a 10,000-item folder
paints its first screen at once and stays responsive while the controller reads the rest.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from colab_panel.controllers.drive import SORT_KEYS, DriveController
from colab_panel.controllers.drive_details import main_link
from colab_panel.drive.items import DriveItem
from colab_panel.share.links import LINK_LABELS
from colab_panel.units import human_bytes
from colab_panel.widgets.copy_button import CopyButton

__all__ = ["DriveTab", "row_label", "type_word"]

DRIVE_CSS = """
<style>
.cp-drive-list select { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.cp-drive-crumbs .widget-button { width: auto; min-width: 0; padding: 0 6px; background: none;
  color: var(--cp-accent); box-shadow: none; }
.cp-drive-crumbs .cp-drive-crumb-sep { color: var(--cp-fg-muted); padding: 0 2px; }
.cp-drive-details { font-size: 12.5px; line-height: 1.45; padding: 0 8px; }
.cp-drive-details table { border-collapse: collapse; border: none; margin: 4px 0 0; }
.cp-drive-details table tr, .cp-drive-details table td { border: none; background: none; }
.cp-drive-details table td { padding: 1px 8px 1px 0; text-align: left; vertical-align: top; }
.cp-drive-details table td:first-child { color: var(--cp-fg-muted); white-space: nowrap; }
.cp-drive-details a { color: var(--cp-accent); }
.cp-drive-details code { font-size: 11.5px; word-break: break-all; }
.cp-drive-confirm { background: var(--cp-warn-bg); border: 1px solid var(--cp-warn-hue); border-radius: 6px; padding: 4px 8px;
  align-items: center; }
.cp-drive-status { font-size: 12.5px; color: var(--cp-fg); }
.cp-drive-copy-row { align-items: center; gap: 4px; padding: 0 8px; box-sizing: border-box; }
.cp-drive-copy-row .cp-copy { flex: 0 0 auto; }
.cp-drive-copy-row .widget-text input { min-width: 0; }
.cp-drive-copy-row .cp-drive-copy-value, .cp-drive-copy-row .cp-drive-copy-value .widget-html-content {
  min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 12.5px; }
</style>
"""

# A short type word per row: emoji icons render as empty boxes where no emoji font is installed.
_TYPE_WORDS = {"folder": "folder", "shortcut": "link", "document": "doc", "spreadsheet": "sheet",
               "presentation": "slides", "drawing": "drawing", "form": "form"}


def type_word(item: DriveItem) -> str:
    """`folder`, `doc`, `sheet`, `link` (shortcut), or the file's extension (`zip`, `csv`, ...)."""
    if item.kind in _TYPE_WORDS:
        return _TYPE_WORDS[item.kind]
    if item.kind != "file":
        return item.kind[:7]
    stem, dot, extension = item.title.rpartition(".")
    return extension.lower()[:7] if dot and stem and extension else "file"


def row_label(item: DriveItem) -> str:
    """One list row: type, name, size, modified day (fixed widths for a monospace list).

    About 62 characters: the row fits beside the details pane in a notebook's output area
    (the time of day is in the details pane).
    """
    name = item.title if len(item.title) <= 31 else item.title[:30] + "…"
    if item.is_folder:
        name += "/"
    size = "" if item.size_bytes is None else human_bytes(item.size_bytes)
    modified = item.modified.strftime("%Y-%m-%d") if item.modified else ""
    return f"{type_word(item):<7} {name:<32} {size:>9}  {modified}"


def _button(description: str, css: str, *, icon: str = "", tooltip: str = "", style: str = "") -> widgets.Button:
    return widgets.Button(description=description, icon=icon, tooltip=tooltip or description, button_style=style,
                          layout=widgets.Layout(width="auto")).add_class(css)


def _text(placeholder: str, css: str, width: str = "260px", value: str = "") -> widgets.Text:
    return widgets.Text(value=value, placeholder=placeholder, layout=widgets.Layout(width=width)).add_class(css)


class DriveTab(widgets.VBox):
    def __init__(self, controller: DriveController, *, page_rows: int = 500) -> None:
        self.controller = c = controller
        self.page_rows = page_rows
        self._limit = page_rows
        self._syncing = False
        self.link = _text("Paste a Drive link or ID", "cp-drive-link", "420px")
        self.open_button = _button("Open", "cp-drive-open", icon="folder-open", style="primary")
        self.up_button = _button("Up", "cp-drive-up", icon="arrow-up", tooltip="Open the parent folder")
        self.refresh_button = _button("", "cp-drive-refresh", icon="refresh", tooltip="List the folder again")
        self.crumbs = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap")).add_class("cp-drive-crumbs")
        self.filter = _text("Filter by name", "cp-drive-filter", "220px")
        self.sort = widgets.Dropdown(options=[(f"Sort by {k}", k) for k in SORT_KEYS], value=c.sort_by,
                                     layout=widgets.Layout(width="160px")).add_class("cp-drive-sort")
        # No side margins: ipywidgets' default 2px ones plus width 100% pushed the list's right
        # border under the details pane.
        self.list = widgets.Select(options=[], rows=16, layout=widgets.Layout(width="100%", margin="2px 0")
                                   ).add_class("cp-drive-list")
        self.more_button = _button("Show more", "cp-drive-more", icon="angle-down")
        self.more_note = widgets.HTML().add_class("cp-muted")
        self.open_selected = _button("Open folder", "cp-drive-open-selected", icon="folder-open")
        self.details = widgets.HTML().add_class("cp-drive-details")
        self.item_id = widgets.Text(description="ID", layout=widgets.Layout(flex="1 1 0%", width="auto", min_width="0"),
                                    style={"description_width": "24px"}).add_class("cp-drive-item-id")
        self.copy_id = CopyButton(label="Copy ID", hint="Copy the ID of the selected item").add_class("cp-drive-copy-id")
        self.view_link = widgets.HTML(layout=widgets.Layout(flex="1 1 0%", width="auto", min_width="0")).add_class(
            "cp-drive-copy-value")
        self.copy_link = CopyButton(label="Copy link", hint="Copy the link to open it in Drive").add_class(
            "cp-drive-copy-link")
        # Rows no wider than the pane: the value shrinks (ellipsis), the copy button never does.
        row = dict(width="100%", overflow="hidden")
        self.id_row = widgets.HBox([self.item_id, self.copy_id], layout=widgets.Layout(**row)).add_class("cp-drive-copy-row")
        self.link_row = widgets.HBox([self.view_link, self.copy_link], layout=widgets.Layout(**row)).add_class(
            "cp-drive-copy-row")
        self.export_format = widgets.Dropdown(description="Export as", layout=widgets.Layout(width="220px"),
                                              style={"description_width": "64px"}).add_class("cp-drive-export-format")
        self.dest = _text("Download to (runtime folder)", "cp-drive-dest", value=str(c.default_dest))
        self.download_button = _button("Download", "cp-drive-download", icon="download")
        self.copy_mine_button = _button("Copy to my Drive", "cp-drive-copy-mine", icon="copy",
                                        tooltip="Copy it into My Drive on Google's side (no download); "
                                                "the way past 'too many users have downloaded this file'")
        self.shortcut_button = _button("Add to My Drive", "cp-drive-add-shortcut", icon="external-link",
                                       tooltip="Put a shortcut to it in My Drive")
        self.upload_path = _text("Upload from (runtime path)", "cp-drive-upload-path")
        self.upload_button = _button("Upload here", "cp-drive-upload", icon="upload")
        self.name = _text("Name", "cp-drive-name", "200px")
        self.mkdir_button = _button("New folder", "cp-drive-mkdir", icon="plus")
        self.rename_button = _button("Rename", "cp-drive-rename", icon="pencil")
        self.move_to = _text("Move to (folder link or ID)", "cp-drive-move-to", "240px")
        self.move_button = _button("Move", "cp-drive-move", icon="share")
        self.trash_button = _button("Trash", "cp-drive-trash", icon="trash", style="warning")
        self.delete_button = _button("Delete forever", "cp-drive-delete", icon="times", style="danger")
        self.confirm_text = widgets.HTML().add_class("cp-drive-confirm-text")
        self.confirm_button = _button("Yes, do it", "cp-drive-confirm-yes", style="danger")
        self.cancel_button = _button("Cancel", "cp-drive-confirm-no")
        self.confirm_bar = widgets.HBox([self.confirm_text, self.confirm_button, self.cancel_button],
                                        layout=widgets.Layout(display="none")).add_class("cp-drive-confirm")
        self.progress = widgets.FloatProgress(min=0, max=1, layout=widgets.Layout(width="300px", display="none")
                                              ).add_class("cp-drive-progress")
        self.status = widgets.HTML().add_class("cp-drive-status")
        self.error = widgets.HTML().add_class("cp-drive-error")

        side = widgets.VBox([self.open_selected, self.id_row, self.link_row, self.export_format, self.details],
                            layout=widgets.Layout(flex="0 0 330px", width="330px", margin="0 0 0 8px"))
        super().__init__([
            widgets.HTML(DRIVE_CSS),
            widgets.HBox([self.link, self.open_button, self.up_button, self.refresh_button]),
            self.crumbs,
            widgets.HBox([self.filter, self.sort]),
            widgets.HBox([widgets.VBox([self.list, widgets.HBox([self.more_button, self.more_note])],
                                       layout=widgets.Layout(flex="1 1 0%", min_width="0")), side],
                         layout=widgets.Layout(width="100%")),
            widgets.HBox([self.dest, self.download_button, self.copy_mine_button, self.shortcut_button,
                          self.upload_path, self.upload_button],
                         layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox([self.name, self.mkdir_button, self.rename_button, self.move_to, self.move_button,
                          self.trash_button, self.delete_button], layout=widgets.Layout(flex_flow="row wrap")),
            self.confirm_bar,
            widgets.HBox([self.progress, self.status]),
            self.error,
        ])
        self.add_class("cp-drive")
        self._bind()
        self._render_all()

    # --- binding ------------------------------------------------------------------------------

    def _bind(self) -> None:
        c = self.controller
        widgets.link((c, "filter_text"), (self.filter, "value"))
        widgets.link((c, "sort_by"), (self.sort, "value"))
        self.open_button.on_click(lambda _: c.open(self.link.value))
        self.up_button.on_click(lambda _: c.up())
        self.refresh_button.on_click(lambda _: c.refresh())
        self.more_button.on_click(self._show_more)
        self.open_selected.on_click(lambda _: c.selection and c.open_item(c.selection.id))
        self.list.observe(self._on_list_value, "value")
        self.export_format.observe(self._on_export_format, "value")
        self.download_button.on_click(lambda _: c.download(dest=self.dest.value.strip() or None))
        self.upload_button.on_click(lambda _: c.upload(self.upload_path.value.strip()))
        self.copy_mine_button.on_click(lambda _: c.copy_to_my_drive())
        self.shortcut_button.on_click(lambda _: c.add_to_my_drive())
        self.mkdir_button.on_click(lambda _: c.mkdir(self.name.value))
        self.rename_button.on_click(lambda _: c.rename(self.name.value))
        self.move_button.on_click(lambda _: c.move(self.move_to.value))
        self.trash_button.on_click(lambda _: c.trash())
        self.delete_button.on_click(lambda _: c.delete())
        self.confirm_button.on_click(lambda _: c.confirm())
        self.cancel_button.on_click(lambda _: c.cancel())
        c.observe(lambda _: self._render_list(), ["visible", "listing"])
        c.observe(lambda _: self._render_selection(), ["selection", "sharing", "links"])
        c.observe(lambda _: self._render_crumbs(), "breadcrumbs")
        c.observe(lambda _: self._render_state(), ["busy", "error", "status", "progress", "pending",
                                                   "confirm_message", "connected"])
        c.observe(self._on_folder, "folder_id")

    def _on_folder(self, change: Any) -> None:
        self._limit = self.page_rows

    def _on_list_value(self, change: Any) -> None:
        if not self._syncing:
            self.controller.select(change["new"])

    def _on_export_format(self, change: Any) -> None:
        if not self._syncing and change["new"]:
            self.controller.export_format = change["new"]

    def _show_more(self, _: Any = None) -> None:
        self._limit += self.page_rows
        self._render_list()

    # --- rendering ----------------------------------------------------------------------------

    def _render_all(self) -> None:
        self._render_crumbs()
        self._render_list()
        self._render_selection()
        self._render_state()

    def _render_list(self) -> None:
        c = self.controller
        shown = c.visible[: self._limit]
        self._syncing = True
        try:
            self.list.options = [(row_label(item), item.id) for item in shown]
            self.list.value = c.selection.id if c.selection and any(i.id == c.selection.id for i in shown) else None
        finally:
            self._syncing = False
        hidden = len(c.visible) - len(shown)
        self.more_button.layout.display = None if hidden > 0 else "none"
        filtered = len(c.items) - len(c.visible)
        notes = []
        if hidden > 0:
            notes.append(f"{hidden:,} more not shown (type in the filter to narrow).")
        if c.listing:
            notes.append("Reading the rest of the folder...")
        if filtered > 0:
            notes.append(f"{filtered:,} hidden by the filter.")
        self.more_note.value = " ".join(notes)

    def _render_crumbs(self) -> None:
        children: list[widgets.Widget] = []
        for index, (folder_id, title) in enumerate(self.controller.breadcrumbs):
            if index:
                children.append(widgets.HTML('<span class="cp-drive-crumb-sep">›</span>'))
            button = _button(title, "cp-drive-crumb", tooltip=f"Open {title}")
            button.on_click(lambda _, fid=folder_id: self.controller.open_item(fid))
            children.append(button)
        self.crumbs.children = children

    def _render_selection(self) -> None:
        item = self.controller.selection
        self._syncing = True
        try:
            if item is not None and self.list.value != item.id and item.id in {v for _, v in self.list.options}:
                self.list.value = item.id
            if item is not None and item.is_native and item.export_formats:
                self.export_format.options = list(item.export_formats)
                self.export_format.value = self.controller.export_format or None
                self.export_format.layout.display = None
            else:
                self.export_format.layout.display = "none"
        finally:
            self._syncing = False
        opens = item is not None and (item.is_folder or (item.is_shortcut and item.shortcut_target_mime ==
                                                            "application/vnd.google-apps.folder"))
        self.open_selected.layout.display = None if opens else "none"
        c = self.controller
        self.item_id.value = self.copy_id.text = item.id if item else ""
        key, url = main_link(c.links) if item else ("", "")
        self.copy_link.text = url
        self.copy_link.hint = f"Copy the {LINK_LABELS.get(key, 'link').lower()} link" if url else ""
        self.view_link.value = _anchor(url, html.escape(url.removeprefix("https://"))) if url else ""
        self.id_row.layout.display = None if item else "none"
        self.link_row.layout.display = None if url else "none"
        self.details.value = _details_html(item, c.sharing, c.links) if item else (
            '<span class="cp-muted">Select an item to see its details.</span>')
        for button in (self.download_button, self.rename_button, self.move_button, self.trash_button, self.delete_button,
                       self.copy_mine_button, self.shortcut_button):
            button.disabled = item is None

    def _render_state(self) -> None:
        c = self.controller
        self.status.value = html.escape(c.status, quote=False) if c.status else ""
        self.error.value = f'<span class="cp-error">{html.escape(c.error, quote=False)}</span>' if c.error else ""
        self.progress.layout.display = None if c.progress >= 0 else "none"
        self.progress.value = max(0.0, c.progress)
        self.confirm_text.value = html.escape(c.confirm_message, quote=False)
        self.confirm_bar.layout.display = None if c.pending else "none"
        for button in (self.open_button, self.up_button, self.refresh_button, self.upload_button, self.mkdir_button):
            button.disabled = c.busy


# The links the pane shows (the Share tab has them all, with commands and QR codes).
DETAIL_LINKS = ("view", "folder", "edit", "download", "preview")


def _anchor(url: str, text: str) -> str:
    return f'<a href="{html.escape(url)}" target="_blank" rel="noopener">{text}</a>'


def _details_html(item: DriveItem, sharing: str, links: dict[str, str]) -> str:
    rows = [("Name", html.escape(item.title)), ("Type", html.escape(item.kind if item.kind != "file" else item.mime_type))]
    if item.size_bytes is not None:
        rows.append(("Size", f"{human_bytes(item.size_bytes)} ({item.size_bytes:,} bytes)"))
    if item.modified:
        rows.append(("Modified", item.modified.strftime("%Y-%m-%d %H:%M %Z")))
    if item.owners:
        rows.append(("Owner", html.escape(", ".join(o.name or o.email for o in item.owners))))
    if item.md5:
        rows.append(("md5", f"<code>{item.md5}</code>"))
    rows.append(("Sharing", html.escape(sharing or ("shared" if item.shared else "private"))))
    if item.is_shortcut:
        rows.append(("Points to", html.escape(item.shortcut_target_id or "nothing (target deleted)")))
    if item.is_native and item.export_formats:
        rows.append(("Exports", html.escape(", ".join(item.export_formats))))
    shown = " · ".join(_anchor(links[k], LINK_LABELS.get(k, k)) for k in DETAIL_LINKS if links.get(k))
    if shown:
        rows.append(("Links", shown))
    body = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"
