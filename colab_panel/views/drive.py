"""`DriveTab`: the Drive tab's widgets, bound to a `DriveController` (no state of its own).

Top to bottom: places (My Drive, Shared with me, Shared drives, Starred, Trash) and a search
box; "Paste a Drive link or ID" + Open / Up / Refresh; a Sign-in row while not signed in;
breadcrumbs; a filter; the file table (`FileTable`: icon, name, size, modified, owner; sortable
headers; Shift/Ctrl multi-select; double-click or Enter opens, Backspace goes up, Delete asks
to trash) beside the details of the one selected item (ID and link with copy buttons, size,
owner, md5, who can open it); actions on the selection (download, move, trash, delete, restore
in the Trash, share and stage in the other tabs, copy to My Drive); new folder, rename, upload;
progress and status.

Confirmations are asked in the table itself, with the focus on the answer, so the keyboard
alone can trash three files. An error shows next to the control that caused it, in one short
line; the whole message is one click away ("details").
"""

from __future__ import annotations

import html
import re
from typing import Any

import ipywidgets as widgets

from colab_panel.controllers.drive import PLACES, DriveController, sign_in_choices
from colab_panel.controllers.drive_details import main_link
from colab_panel.drive.items import DriveItem
from colab_panel.share.links import LINK_LABELS
from colab_panel.units import human_bytes
from colab_panel.views.drive_rows import table_row
from colab_panel.widgets.copy_button import CopyButton
from colab_panel.widgets.file_table import FileTable

__all__ = ["DriveTab", "error_html"]

DRIVE_CSS = """
<style>
.cp-drive { min-width: 0; }
.cp-drive-crumbs .widget-button { width: auto; min-width: 0; padding: 0 6px; background: none;
  color: var(--cp-accent); box-shadow: none; }
.cp-drive-crumbs .cp-drive-crumb-sep { color: var(--cp-fg-muted); padding: 0 2px; }
.cp-drive-places { flex-wrap: wrap; align-items: center; gap: 2px; }
.cp-drive-places .cp-drive-place { width: auto; }
.cp-drive .cp-drive-places .cp-drive-place.cp-drive-place-current { font-weight: 600;
  box-shadow: inset 0 -3px 0 var(--cp-accent); }
.cp-drive-details { font-size: 12.5px; line-height: 1.45; padding: 0 8px; }
.cp-drive-details table { border-collapse: collapse; border: none; margin: 4px 0 0; }
.cp-drive-details table tr, .cp-drive-details table td { border: none; background: none; }
.cp-drive-details table td { padding: 1px 8px 1px 0; text-align: left; vertical-align: top; }
.cp-drive-details table td:first-child { color: var(--cp-fg-muted); white-space: nowrap; }
.cp-drive-details td { overflow-wrap: anywhere; }
.cp-drive-details a { color: var(--cp-accent); }
.cp-drive-details code { font-size: 11.5px; word-break: break-all; }
.cp-drive-hint { font-size: 12px; color: var(--cp-fg); }
.cp-drive-status { font-size: 12.5px; color: var(--cp-fg); }
.cp-drive-copy-row { align-items: center; gap: 4px; padding: 0 8px; box-sizing: border-box; }
.cp-drive-copy-row .cp-copy { flex: 0 0 auto; }
.cp-drive-copy-row .widget-text input { min-width: 0; }
.cp-drive-copy-row .cp-drive-copy-value, .cp-drive-copy-row .cp-drive-copy-value .widget-html-content {
  min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 12.5px; }
/* theme text marked by an error-coloured edge: no --jp-* red reads at 4.5:1 on both themes' background */
.cp-drive-err { font-size: 12.5px; color: var(--cp-fg); margin: 2px 0 4px 2px; padding-left: 6px;
  border-left: 3px solid var(--cp-bad); }
.cp-drive-err summary { cursor: pointer; }
.cp-drive-err summary::marker { color: var(--cp-fg-muted); }
.cp-drive-err .cp-drive-err-more { color: var(--cp-fg); margin: 2px 0 0 14px;
  overflow-wrap: anywhere; }
.cp-drive-signin { align-items: center; flex-wrap: wrap; gap: 4px; padding: 6px 8px; border-radius: 6px;
  background: var(--cp-surface); }
.cp-drive-signin-title { font-weight: 600; }
.cp-drive-main { flex-wrap: wrap; gap: 8px; width: 100%; }
.cp-drive-actions { flex-wrap: wrap; align-items: center; }
</style>
"""

# The links the pane shows (the Share tab has them all, with commands and QR codes).
DETAIL_LINKS = ("view", "folder", "edit", "download", "preview")
SHORT_ERROR = 110  # characters of an error shown before "details"


def _button(description: str, css: str, *, icon: str = "", tooltip: str = "", style: str = "") -> widgets.Button:
    return widgets.Button(description=description, icon=icon, tooltip=tooltip or description, button_style=style,
                          layout=widgets.Layout(width="auto")).add_class(css)


def _text(placeholder: str, css: str, width: str = "260px", value: str = "") -> widgets.Text:
    return widgets.Text(value=value, placeholder=placeholder, layout=widgets.Layout(width=width, max_width="100%")
                        ).add_class(css)


def error_html(message: str) -> str:
    """The first sentence in one short line; the whole message behind "details" when longer."""
    if not message:
        return ""
    first = re.split(r"(?<=[.!?])\s", message, maxsplit=1)[0]
    short = first if len(first) <= SHORT_ERROR else first[:SHORT_ERROR - 1].rstrip() + "…"
    if short == message:
        return f'<span class="cp-drive-err-short">{html.escape(message, quote=False)}</span>'
    return (f'<details><summary>{html.escape(short, quote=False)}</summary>'
            f'<div class="cp-drive-err-more">{html.escape(message, quote=False)}</div></details>')


class DriveTab(widgets.VBox):
    def __init__(self, controller: DriveController, *, page_rows: int | None = None) -> None:
        # page_rows: accepted for callers of the list box this table replaced; the table pages itself
        self.controller = c = controller
        self.places = {name: _button(title, "cp-drive-place").add_class(f"cp-drive-place-{name}")
                       for name, title in PLACES}
        self.search_box = _text("Search Drive by name", "cp-drive-search", "200px")
        self.search_button = _button("", "cp-drive-search-go", icon="search", tooltip="Search all of Drive by name")
        self.empty_trash_button = _button("Empty trash", "cp-drive-empty-trash", icon="trash", style="danger")
        self.link = _text("Paste a Drive link or ID", "cp-drive-link", "380px")
        self.open_button = _button("Open", "cp-drive-open", icon="folder-open", style="primary")
        self.up_button = _button("Up", "cp-drive-up", icon="arrow-up", tooltip="Open the parent folder (Backspace)")
        self.refresh_button = _button("", "cp-drive-refresh", icon="refresh", tooltip="List it again")
        self.sign_in_choice = widgets.Dropdown(layout=widgets.Layout(width="220px")).add_class("cp-drive-signin-choice")
        self.sign_in_path = _text("Path of the JSON file", "cp-drive-signin-path", "240px")
        self.sign_in_button = _button("Sign in", "cp-drive-signin-go", icon="sign-in", style="primary")
        self.crumbs = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap")).add_class("cp-drive-crumbs")
        self.filter = _text("Filter this list by name", "cp-drive-filter", "220px")
        self.table = FileTable(empty_text="Nothing here.").add_class("cp-drive-table")
        self.open_selected = _button("Open folder", "cp-drive-open-selected", icon="folder-open")
        self.details = widgets.HTML().add_class("cp-drive-details")
        self.item_id = widgets.Text(description="ID", layout=widgets.Layout(flex="1 1 0%", width="auto", min_width="0"),
                                    style={"description_width": "24px"}).add_class("cp-drive-item-id")
        self.copy_id = CopyButton(label="Copy ID", hint="Copy the ID of the selected item").add_class("cp-drive-copy-id")
        self.view_link = widgets.HTML(layout=widgets.Layout(flex="1 1 0%", width="auto", min_width="0")).add_class(
            "cp-drive-copy-value")
        self.copy_link = CopyButton(label="Copy link", hint="Copy the link to open it in Drive").add_class(
            "cp-drive-copy-link")
        row = dict(width="100%", overflow="hidden")  # the value shrinks (ellipsis), the copy button never does
        self.id_row = widgets.HBox([self.item_id, self.copy_id], layout=widgets.Layout(**row)).add_class("cp-drive-copy-row")
        self.link_row = widgets.HBox([self.view_link, self.copy_link], layout=widgets.Layout(**row)).add_class(
            "cp-drive-copy-row")
        self.export_format = widgets.Dropdown(description="Export as", layout=widgets.Layout(width="220px"),
                                              style={"description_width": "64px"}).add_class("cp-drive-export-format")
        self.dest = _text("Download to (runtime folder)", "cp-drive-dest", value=str(c.default_dest))
        self.download_button = _button("Download to", "cp-drive-download", icon="download",
                                       tooltip="Copy the selection into the runtime folder named on the right")
        self.share_button = _button("Share…", "cp-drive-share", icon="share-alt",
                                    tooltip="Open the selection in the Share tab")
        self.stage_button = _button("Stage…", "cp-drive-stage", icon="hdd-o",
                                    tooltip="Put the selection in the Staging tab, to copy it onto this runtime's disk")
        self.copy_mine_button = _button("Copy to my Drive", "cp-drive-copy-mine", icon="copy",
                                        tooltip="Copy it into My Drive on Google's side (no download); "
                                                "the way past 'too many users have downloaded this file'")
        self.shortcut_button = _button("Add to My Drive", "cp-drive-add-shortcut", icon="external-link",
                                       tooltip="Put a shortcut to it in My Drive")
        self.move_to = _text("Move to (folder link or ID)", "cp-drive-move-to", "220px")
        self.move_button = _button("Move", "cp-drive-move", icon="share")
        self.trash_button = _button("Trash", "cp-drive-trash", icon="trash", style="warning", tooltip="Move to the trash (Delete)")
        self.delete_button = _button("Delete forever", "cp-drive-delete", icon="times", style="danger")
        self.restore_button = _button("Restore", "cp-drive-restore", icon="undo", tooltip="Take it out of the trash")
        self.upload_path = _text("Upload from (runtime path)", "cp-drive-upload-path")
        self.upload_button = _button("Upload here", "cp-drive-upload", icon="upload")
        self.name = _text("Name", "cp-drive-name", "200px")
        self.mkdir_button = _button("New folder", "cp-drive-mkdir", icon="plus")
        self.rename_button = _button("Rename", "cp-drive-rename", icon="pencil")
        self.progress = widgets.FloatProgress(min=0, max=1, layout=widgets.Layout(width="300px", display="none")
                                              ).add_class("cp-drive-progress")
        self.status = widgets.HTML().add_class("cp-drive-status")
        # one error line per group of controls, shown under that group
        self.errors = {where: widgets.HTML(layout=widgets.Layout(display="none")).add_class("cp-drive-err")
                       .add_class(f"cp-drive-err-{where}")
                       for where in ("search", "link", "sign_in", "list", "selection", "name")}
        self.error = self.errors["list"]  # where errors without a control of their own go

        self.sign_in_row = widgets.HBox([
            widgets.HTML('<span class="cp-drive-signin-title">Sign in to Google Drive</span>'),
            self.sign_in_choice, self.sign_in_path, self.sign_in_button], layout=widgets.Layout(display="none")
        ).add_class("cp-drive-signin")
        side = widgets.VBox([self.open_selected, self.id_row, self.link_row, self.export_format, self.details],
                            layout=widgets.Layout(flex="1 1 280px", min_width="0", max_width="420px"))
        self.selection_actions = widgets.HBox([
            self.download_button, self.dest, self.move_to, self.move_button, self.trash_button, self.restore_button,
            self.delete_button, self.share_button, self.stage_button, self.copy_mine_button, self.shortcut_button,
        ], layout=widgets.Layout(flex_flow="row wrap")).add_class("cp-drive-actions")
        super().__init__([
            widgets.HTML(DRIVE_CSS),
            widgets.HBox([*self.places.values(), self.search_box, self.search_button, self.empty_trash_button],
                         layout=widgets.Layout(flex_flow="row wrap")).add_class("cp-drive-places"),
            self.errors["search"],
            widgets.HBox([self.link, self.open_button, self.up_button, self.refresh_button],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.errors["link"],
            self.sign_in_row,
            self.errors["sign_in"],
            self.crumbs,
            self.filter,
            self.errors["list"],
            widgets.HBox([widgets.Box([self.table], layout=widgets.Layout(flex="3 1 420px", min_width="0")), side],
                         layout=widgets.Layout(flex_flow="row wrap")).add_class("cp-drive-main"),
            self.selection_actions,
            self.errors["selection"],
            widgets.HBox([self.name, self.mkdir_button, self.rename_button, self.upload_path, self.upload_button],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.errors["name"],
            widgets.HBox([self.progress, self.status]),
        ])
        self.add_class("cp-drive")
        self._syncing = False
        self._bind()
        self._render_all()

    # --- binding ------------------------------------------------------------------------------

    def _bind(self) -> None:
        c = self.controller
        t = self.table
        widgets.link((c, "filter_text"), (self.filter, "value"))
        widgets.link((c, "sort_by"), (t, "sort_by"))
        widgets.link((c, "sort_descending"), (t, "sort_descending"))
        for name, button in self.places.items():
            button.on_click(lambda _, n=name: c.open_place(n))
        self.search_button.on_click(lambda _: c.search(self.search_box.value))
        _on_enter(self.search_box, lambda: c.search(self.search_box.value))
        self.empty_trash_button.on_click(lambda _: c.empty_trash())
        self.open_button.on_click(lambda _: c.open(self.link.value))
        _on_enter(self.link, lambda: c.open(self.link.value))
        self.up_button.on_click(lambda _: c.up())
        self.refresh_button.on_click(lambda _: c.refresh())
        self.sign_in_button.on_click(lambda _: c.sign_in(self.sign_in_choice.value or "", self.sign_in_path.value))
        self.sign_in_choice.observe(lambda _: self._render_sign_in(), "value")
        self.open_selected.on_click(lambda _: c.open_item(c.selection.id) if c.selection else None)
        t.on_open(c.open_item)
        t.on_up(c.up)
        t.on_select(self._on_table_select)
        t.on_action(self._on_table_action)
        t.on_answer(lambda yes: c.confirm() if yes else c.cancel())
        self.export_format.observe(self._on_export_format, "value")
        self.download_button.on_click(lambda _: c.download(dest=self.dest.value.strip() or None))
        self.share_button.on_click(lambda _: c.hand_to("share"))
        self.stage_button.on_click(lambda _: c.hand_to("staging"))
        self.upload_button.on_click(lambda _: c.upload(self.upload_path.value.strip()))
        self.copy_mine_button.on_click(lambda _: c.copy_to_my_drive())
        self.shortcut_button.on_click(lambda _: c.add_to_my_drive())
        self.mkdir_button.on_click(lambda _: c.mkdir(self.name.value))
        self.rename_button.on_click(lambda _: c.rename(self.name.value))
        self.move_button.on_click(lambda _: c.move(self.move_to.value))
        self.trash_button.on_click(lambda _: c.trash())
        self.delete_button.on_click(lambda _: c.delete())
        self.restore_button.on_click(lambda _: c.restore())
        c.observe(lambda _: self._render_table(), "visible")
        c.observe(lambda _: self._render_marks(), "selected_ids")
        c.observe(lambda _: self._render_selection(), ["selection", "selected_ids", "sharing", "links"])
        c.observe(self._on_breadcrumbs, "breadcrumbs")
        c.observe(lambda _: self._render_place(), "place")
        c.observe(lambda _: self._render_state(), ["busy", "error", "error_at", "message", "progress", "pending",
                                                   "confirm_message", "connected", "listing"])
        c.observe(self._on_sign_in_state, ["show_sign_in", "connected"])

    def _on_table_select(self, ids: list[str]) -> None:
        self._syncing = True
        try:
            self.controller.select_ids(ids)
        finally:
            self._syncing = False

    def _on_table_action(self, name: str) -> None:
        c = self.controller
        if name == "trash":
            c.delete() if c.place == "trash" else c.trash()

    def _on_breadcrumbs(self, _change: Any) -> None:
        self._render_crumbs()
        self._render_place()

    def _on_sign_in_state(self, _change: Any) -> None:
        self._render_sign_in()
        self._render_place()

    def _on_export_format(self, change: Any) -> None:
        if not self._syncing and change["new"]:
            self.controller.export_format = change["new"]

    # --- rendering ----------------------------------------------------------------------------

    def _render_all(self) -> None:
        self._render_crumbs()
        self._render_table()
        self._render_place()
        self._render_selection()
        self._render_state()
        self._render_sign_in()

    def _render_table(self) -> None:
        c = self.controller
        self.table.show(c.visible, table_row, c.selected_ids, self.table.cursor_id or (c.selected_ids[-1] if c.selected_ids else None))

    def _render_marks(self) -> None:
        if self._syncing:
            return  # the table sent this selection: it shows it already
        ids = self.controller.selected_ids
        self.table.mark(ids, ids[-1] if ids else None)

    def _render_place(self) -> None:
        c = self.controller
        current = c.place or ("mydrive" if c.breadcrumbs and c.breadcrumbs[0][1] == "My Drive" else "")
        for name, button in self.places.items():
            if name == current:
                button.add_class("cp-drive-place-current")
            else:
                button.remove_class("cp-drive-place-current")
        in_trash = c.place == "trash"
        self.empty_trash_button.layout.display = None if in_trash else "none"
        self.restore_button.layout.display = None if in_trash else "none"
        self.trash_button.layout.display = "none" if in_trash else None
        self.table.empty_text = {"trash": "The trash is empty.", "starred": "Nothing is starred.",
                                 "shared": "Nothing is shared with you.", "drives": "You are in no shared drives.",
                                 "search": "Nothing has that name."}.get(c.place, "This folder is empty.")
        if not c.connected:
            self.table.empty_text = "Not signed in to Google Drive yet."

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
        c = self.controller
        item = c.selection
        many = len(c.selected_ids) > 1
        self._syncing = True
        try:
            if item is not None and item.is_native and item.export_formats:
                self.export_format.options = list(item.export_formats)
                self.export_format.value = c.export_format or None
                self.export_format.layout.display = None
            else:
                self.export_format.layout.display = "none"
        finally:
            self._syncing = False
        opens = item is not None and (item.is_folder or (item.is_shortcut and item.shortcut_target_mime ==
                                                            "application/vnd.google-apps.folder"))
        self.open_selected.layout.display = None if opens else "none"
        self.item_id.value = self.copy_id.text = item.id if item else ""
        key, url = main_link(c.links) if item else ("", "")
        self.copy_link.text = url
        self.copy_link.hint = f"Copy the {LINK_LABELS.get(key, 'link').lower()} link" if url else ""
        self.view_link.value = _anchor(url, html.escape(url.removeprefix("https://"))) if url else ""
        self.id_row.layout.display = None if item else "none"
        self.link_row.layout.display = None if url else "none"
        if item is not None:
            self.details.value = _details_html(item, c.sharing, c.links)
        elif many:
            count, size = len(c.selected_ids), c.selected_bytes
            self.details.value = (f"<b>{count:,} items selected</b>" + (f" · {human_bytes(size)}" if size else "") +
                                  '<br><span class="cp-drive-hint">Shift or Ctrl/⌘ + click (or Shift + arrows) '
                                  "changes the selection.</span>")
        else:
            self.details.value = '<span class="cp-drive-hint">Select an item to see its details.</span>'
        anything = item is not None or many
        for button in (self.download_button, self.move_button, self.trash_button, self.delete_button,
                       self.restore_button, self.share_button, self.stage_button):
            button.disabled = not anything
        for button in (self.rename_button, self.copy_mine_button, self.shortcut_button):
            button.disabled = item is None

    def _render_state(self) -> None:
        c = self.controller
        self.status.value = html.escape(c.message, quote=False) if c.message else ""
        where = c.error_at if c.error_at in self.errors else "list"
        for name, box in self.errors.items():
            shown = bool(c.error) and name == where
            box.value = error_html(c.error) if shown else ""
            box.layout.display = None if shown else "none"
        self.progress.layout.display = None if c.progress >= 0 else "none"
        self.progress.value = max(0.0, c.progress)
        if c.pending:
            yes = {"trash": "Move to trash", "delete": "Delete forever", "empty_trash": "Empty trash"}.get(c.pending, "Yes")
            self.table.ask(c.confirm_message, yes)
        else:
            self.table.prompt = ""
        for button in (self.open_button, self.up_button, self.refresh_button, self.upload_button, self.mkdir_button,
                       self.search_button, self.sign_in_button):
            button.disabled = c.busy

    def _render_sign_in(self) -> None:
        c = self.controller
        show = c.show_sign_in and not c.connected
        self.sign_in_row.layout.display = None if show else "none"
        if not show:
            return
        choices = sign_in_choices()
        options = [(choice.label, choice.auth) for choice in choices]
        if list(self.sign_in_choice.options) != options:
            self.sign_in_choice.options = options
        chosen = next((ch for ch in choices if ch.auth == self.sign_in_choice.value), None)
        self.sign_in_path.layout.display = None if chosen is not None and chosen.needs_path else "none"
        if chosen is not None and chosen.needs_path:
            self.sign_in_path.placeholder = f"Path of the {chosen.path_hint}"


def _on_enter(text: widgets.Text, action: Any) -> None:
    """Run `action` when Enter is pressed in `text` (ipywidgets 7 and 8: `continuous_update=False`
    makes `value` change on Enter or blur; on_submit is deprecated in 8 and missing nowhere yet)."""
    submit = getattr(text, "on_submit", None)
    if submit is not None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            submit(lambda _: action())


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
