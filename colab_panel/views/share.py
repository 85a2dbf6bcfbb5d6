"""`ShareTab`: the Share tab's widgets, bound to a `ShareController` (no state of its own).

Top to bottom: the ID/link box; the item's links, each with a copy button, and a QR toggle;
who can open it; controls to change that (anyone with the link, the domain, one person), a
confirm bar showing the change before/after (nothing is applied before Confirm); Undo; the
batch section (a folder's files as a table, export, share all); the last error or result.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from colab_panel.controllers.share import LINK_CHOICES, PERSON_CHOICES, ShareController
from colab_panel.share.links import LINK_LABELS
from colab_panel.share.qr import qr_svg
from colab_panel.views.share_html import SHARE_CSS, batch_html, before_after_html, sharing_html
from colab_panel.views.share_link_check import LinkCheckRow
from colab_panel.widgets.copy_button import CopyButton

__all__ = ["ShareTab"]

_LINK_OPTIONS = [("Off", "off"), ("Viewer", "reader"), ("Commenter", "commenter"), ("Editor", "writer")]
_PERSON_OPTIONS = [("Viewer", "reader"), ("Commenter", "commenter"), ("Editor", "writer"), ("Remove", "remove")]
assert [v for _, v in _LINK_OPTIONS] == list(LINK_CHOICES)
assert [v for _, v in _PERSON_OPTIONS] == list(PERSON_CHOICES)


def _h(text: str) -> widgets.HTML:
    return widgets.HTML(f'<div class="cp-share-h">{html.escape(text)}</div>')


class ShareTab(widgets.VBox):
    def __init__(self, controller: ShareController) -> None:
        self.controller = controller
        self.target = widgets.Text(placeholder="Drive file or folder ID, or any Drive link",
                                   layout=widgets.Layout(width="520px")).add_class("cp-share-target")
        self.show_button = widgets.Button(description="Show links", icon="link", button_style="primary"
                                          ).add_class("cp-share-show")
        self.use_selection = widgets.Button(icon="hand-o-right", layout=widgets.Layout(width="auto")
                                            ).add_class("cp-share-use-selection")
        self.title = widgets.HTML().add_class("cp-share-title")
        self.links_box = widgets.VBox().add_class("cp-share-links")
        self.copy_buttons: dict[str, CopyButton] = {}
        self._link_rows: dict[str, widgets.HBox] = {}
        self.qr_toggle = widgets.ToggleButton(description="QR code", icon="qrcode",
                                              tooltip="Show a QR code of the main link",
                                              layout=widgets.Layout(width="auto", min_width="100px",
                                                                    flex="0 0 auto")).add_class("cp-share-qr-toggle")
        self.qr = widgets.HTML().add_class("cp-share-qr")
        self.note = widgets.HTML().add_class("cp-share-note")
        self.links_section = widgets.VBox([_h("Links"), self.links_box,
                                           widgets.HBox([self.qr_toggle, self.note],
                                                        layout=widgets.Layout(align_items="center")),
                                           self.qr])

        self.sharing = widgets.HTML().add_class("cp-share-sharing")
        self.anyone = widgets.Dropdown(options=_LINK_OPTIONS, description="Anyone with the link",
                                       style={"description_width": "140px"},
                                       layout=widgets.Layout(width="280px")).add_class("cp-share-anyone")
        self.domain = widgets.Dropdown(options=_LINK_OPTIONS, description="People in your domain",
                                       style={"description_width": "150px"},
                                       layout=widgets.Layout(width="290px")).add_class("cp-share-domain")
        self.email = widgets.Text(placeholder="name@example.com", description="Person",
                                  style={"description_width": "50px"},
                                  layout=widgets.Layout(width="280px")).add_class("cp-share-email")
        self.person_role = widgets.Dropdown(options=_PERSON_OPTIONS, layout=widgets.Layout(width="120px")
                                            ).add_class("cp-share-person-role")
        self.notify = widgets.Checkbox(description="email them", indent=False,
                                       layout=widgets.Layout(width="110px")).add_class("cp-share-notify")
        self.review_button = widgets.Button(description="Review change", icon="eye",
                                            tooltip="Show what would change; nothing is applied yet"
                                            ).add_class("cp-share-review")
        self.plan = widgets.HTML().add_class("cp-share-plan-view")
        self.confirm_button = widgets.Button(description="Confirm", icon="check").add_class("cp-share-confirm-button")
        self.cancel_button = widgets.Button(description="Cancel", icon="times").add_class("cp-share-cancel")
        self.confirm_bar = widgets.VBox([self.plan, widgets.HBox([self.confirm_button, self.cancel_button])]
                                        ).add_class("cp-share-confirm")
        # The bar shows next to what was reviewed: under the sharing controls, or in the batch section.
        self.confirm_slot = widgets.VBox()
        self.batch_confirm_slot = widgets.VBox()
        self.undo_button = widgets.Button(description="Undo last change", icon="undo",
                                          tooltip="Put the last applied sharing change back").add_class("cp-share-undo")
        self.undo_text = widgets.HTML().add_class("cp-share-undo-text")
        self.sharing_section = widgets.VBox([
            _h("Who can open it"), self.sharing,
            _h("Change sharing"),
            widgets.HBox([self.anyone, self.domain], layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox([self.email, self.person_role, self.notify, self.review_button],
                         layout=widgets.Layout(flex_flow="row wrap", align_items="center")),
        ])

        self.folder = widgets.Text(placeholder="Folder ID or link", layout=widgets.Layout(width="420px")
                                   ).add_class("cp-share-folder")
        self.recursive = widgets.Checkbox(description="include subfolders", indent=False,
                                          layout=widgets.Layout(width="150px")).add_class("cp-share-recursive")
        self.list_button = widgets.Button(description="List files", icon="list").add_class("cp-share-list")
        self.batch_table = widgets.HTML().add_class("cp-share-batch-table")
        self.export_path = widgets.Text(value="links.csv", placeholder="links.csv or links.md",
                                        layout=widgets.Layout(width="200px")).add_class("cp-share-export-path")
        self.export_button = widgets.Button(description="Export", icon="download",
                                            tooltip="Save the table as CSV (.csv) or Markdown (.md)"
                                            ).add_class("cp-share-export")
        self.batch_role = widgets.Dropdown(options=_LINK_OPTIONS, description="Link sharing for all",
                                           style={"description_width": "130px"},
                                           layout=widgets.Layout(width="260px")).add_class("cp-share-batch-role")
        self.batch_review = widgets.Button(description="Review for all", icon="eye").add_class("cp-share-batch-review")
        self.batch_section = widgets.VBox([
            _h("Every file of a folder"),
            widgets.HBox([self.folder, self.recursive, self.list_button],
                         layout=widgets.Layout(flex_flow="row wrap", align_items="center")),
            self.batch_table,
            widgets.HBox([self.export_path, self.export_button, self.batch_role, self.batch_review],
                         layout=widgets.Layout(flex_flow="row wrap", align_items="center")),
            self.batch_confirm_slot,
        ])
        self.error = widgets.HTML().add_class("cp-share-error")
        self.message = widgets.HTML().add_class("cp-share-message")
        self.link_check = LinkCheckRow(controller)  # "Will this link work for someone else?"
        super().__init__([
            widgets.HTML(SHARE_CSS),
            widgets.HBox([self.target, self.show_button, self.use_selection],
                         layout=widgets.Layout(align_items="center", flex_flow="row wrap")),
            self.title, self.error, self.link_check, self.links_section, self.sharing_section, self.confirm_slot,
            widgets.HBox([self.undo_button, self.undo_text], layout=widgets.Layout(align_items="center")),
            self.message, self.batch_section,
        ])
        self.add_class("cp-share")
        self._bind()

    # --- binding -------------------------------------------------------------------------------

    def _bind(self) -> None:
        c = self.controller
        self.show_button.on_click(lambda _: c.load(self.target.value))
        self.review_button.on_click(lambda _: self._review())
        self.use_selection.on_click(lambda _: c.load_suggestion())
        self.confirm_button.on_click(lambda _: c.confirm())
        self.cancel_button.on_click(lambda _: c.cancel())
        self.undo_button.on_click(lambda _: c.undo())
        self.list_button.on_click(lambda _: self._list())
        self.export_button.on_click(lambda _: c.export_batch(self.export_path.value))
        self.batch_review.on_click(lambda _: self._review_batch())
        self.qr_toggle.observe(lambda _: self._show_qr(), names="value")
        c.observe(self._show_links, names=["links"])
        c.observe(self._show_title, names=["links", "title", "note", "is_folder"])
        c.observe(self._show_sharing, names=["state", "sharing_error", "anyone_role", "domain_role"])
        c.observe(self._show_plan, names=["pending", "pending_kind", "plan_text", "plan_before", "plan_after",
                                          "pending_widens"])
        c.observe(self._show_undo, names=["can_undo", "undo_text"])
        c.observe(self._show_batch, names=["batch_rows"])
        c.observe(self._show_messages, names=["error", "message"])
        c.observe(self._show_busy, names=["busy", "pending"])
        c.observe(self._show_person, names=["person_email"])
        c.observe(self._show_suggestion, names=["suggestion", "target"])
        for button in (self.show_button, self.review_button, self.confirm_button, self.cancel_button,
                       self.undo_button, self.list_button, self.export_button, self.batch_review):
            button.layout.width = "auto"
            button.layout.min_width = "90px"
        self.batch_role.value = c.batch_role
        self.notify.value = c.person_notify
        for show in (self._show_links, self._show_title, self._show_sharing, self._show_plan, self._show_undo, self._show_batch,
                     self._show_messages, self._show_busy, self._show_suggestion):
            show()

    def _review(self) -> None:
        c = self.controller
        c.anyone_role, c.domain_role = self.anyone.value, self.domain.value
        c.person_email, c.person_role, c.person_notify = self.email.value, self.person_role.value, self.notify.value
        c.propose()

    def _list(self) -> None:
        self.controller.batch_recursive = self.recursive.value
        self.controller.list_batch(self.folder.value)

    def _review_batch(self) -> None:
        self.controller.batch_role = self.batch_role.value
        self.controller.propose_batch()

    # --- showing -------------------------------------------------------------------------------

    def _show_links(self, _change: Any = None) -> None:
        """One row per link. Rows (and their copy buttons) are kept per key and updated in place:
        closing a button the page is still rendering leaves a broken view there."""
        c = self.controller
        rows = []
        for key, value in c.links.items():
            row = self._link_rows.get(key)
            if row is None:
                button = CopyButton(value, hint=f"Copy the {LINK_LABELS.get(key, key).lower()}").add_class(
                    f"cp-share-copy-{key}")
                label = widgets.HTML(html.escape(LINK_LABELS.get(key, key)),
                                     layout=widgets.Layout(width="120px", flex="0 0 auto")
                                     ).add_class("cp-share-link-label")
                text = widgets.HTML(layout=widgets.Layout(flex="1 1 auto", width="auto")).add_class("cp-share-link-value")
                row = widgets.HBox([label, text, button]).add_class("cp-share-link-row").add_class(f"cp-share-link-{key}")
                self._link_rows[key] = row
                self.copy_buttons[key] = button
            row.children[1].value = f'<code title="{html.escape(value)}">{html.escape(value)}</code>'
            self.copy_buttons[key].text = value
            rows.append(row)
        self.links_box.children = rows
        for key in [k for k in self._link_rows if k not in c.links]:
            self.copy_buttons.pop(key).close()
            row = self._link_rows.pop(key)
            for child in row.children:
                child.close()
            row.close()
        self.links_section.layout.display = "" if rows else "none"
        self._show_qr()

    def _show_title(self, _change: Any = None) -> None:
        c = self.controller
        kind = "folder" if c.is_folder else "file"
        self.title.value = (f"<b>{html.escape(c.title)}</b> <span class='cp-muted'>({kind})</span>"
                            if c.title and c.links else "")
        self.note.value = f'<span class="cp-muted cp-share-note-text">{html.escape(c.note)}</span>' if c.note else ""

    def _show_qr(self) -> None:
        link = self.controller.primary_link
        self.qr.value = (f"<div>{qr_svg(link)}<span class='cp-muted'>{html.escape(link)}</span></div>"
                         if self.qr_toggle.value and link else "")

    def _show_sharing(self, _change: Any = None) -> None:
        c = self.controller
        self.sharing.value = sharing_html(c.state, c.sharing_error)
        self.sharing_section.layout.display = "" if (c.state is not None or c.sharing_error) else "none"
        self.anyone.value, self.domain.value = c.anyone_role, c.domain_role

    def _show_plan(self, _change: Any = None) -> None:
        c = self.controller
        self.confirm_bar.layout.display = "" if c.pending else "none"
        in_batch = c.pending and c.pending_kind == "batch"
        self.confirm_slot.children = () if in_batch else (self.confirm_bar,)
        self.batch_confirm_slot.children = (self.confirm_bar,) if in_batch else ()
        self.plan.value = before_after_html(c.plan_text, c.plan_before, c.plan_after) if c.pending else ""
        self.confirm_button.button_style = "danger" if c.pending_widens else "primary"
        self.confirm_button.description = "Confirm: widen access" if c.pending_widens else "Confirm"
        if c.pending_widens:
            self.confirm_bar.remove_class("cp-share-narrow")
        else:
            self.confirm_bar.add_class("cp-share-narrow")

    def _show_undo(self, _change: Any = None) -> None:
        c = self.controller
        self.undo_button.disabled = not c.can_undo or c.busy
        text = c.undo_text.splitlines()
        self.undo_text.value = (f'<span class="cp-muted" title="{html.escape(c.undo_text)}">'
                                f'{html.escape(" ".join(line.strip() for line in text[:3]))}</span>') if text else ""

    def _show_batch(self, _change: Any = None) -> None:
        self.batch_table.value = batch_html(self.controller.batch_rows)

    def _show_messages(self, _change: Any = None) -> None:
        c = self.controller
        self.error.value = (f'<div class="cp-error cp-share-msg">{html.escape(c.error)}</div>'
                            if c.error else "")
        self.message.value = (f'<div class="cp-muted cp-share-msg">{html.escape(c.message)}</div>'
                              if c.message else "")

    def _show_busy(self, _change: Any = None) -> None:
        c = self.controller
        for button in (self.show_button, self.review_button, self.list_button, self.export_button,
                       self.batch_review, self.confirm_button, self.cancel_button):
            button.disabled = c.busy
        self._show_undo()

    def _show_suggestion(self, _change: Any = None) -> None:
        item = self.controller.suggestion
        self.target.value = self.controller.target
        if item is None:
            self.use_selection.layout.display = "none"
            return
        self.use_selection.layout.display = ""
        self.use_selection.description = f"Use the Drive tab's selection: {item.title[:40]}"
        self.use_selection.tooltip = f"{item.title} ({item.id})"

    def _show_person(self, _change: Any = None) -> None:
        self.email.value = self.controller.person_email
