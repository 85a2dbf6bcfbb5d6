"""`CheckpointsSection`: the Staging tab's Checkpoints section, bound to a `CheckpointsController`.

Top to bottom: the watched folder, the Drive folder, keep last N and the pattern; Start / Stop;
the running watcher's status line; the notice near the runtime's limit; Restore latest (into
a folder, default the watched one); the outcome or error in words.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import traitlets

from colab_panel.controllers.checkpoints import CheckpointsController

__all__ = ["CheckpointsSection"]

_WRAP = widgets.Layout(flex_flow="row wrap")  # narrow outputs: the row wraps rather than hides its buttons


class CheckpointsSection(widgets.VBox):
    def __init__(self, controller: CheckpointsController) -> None:
        self.controller = c = controller
        self.local_dir = widgets.Text(placeholder="e.g. /content/ckpt", description="Watch",
                                      layout=widgets.Layout(width="320px")).add_class("cp-checkpoints-local")
        self.drive_folder = widgets.Text(placeholder="Drive folder link or ID", description="keep on",
                                         layout=widgets.Layout(width="320px")).add_class("cp-checkpoints-folder")
        self.keep_last = widgets.BoundedIntText(min=0, max=1000, description="keep last",
                                                layout=widgets.Layout(width="150px")).add_class("cp-checkpoints-keep")
        self.pattern = widgets.Text(placeholder="all files, or e.g. epoch-*.pt", description="pattern",
                                    layout=widgets.Layout(width="300px")).add_class("cp-checkpoints-pattern")
        self.start_button = widgets.Button(description="Start watcher", icon="eye",
                                           tooltip="Push each finished checkpoint to Drive, md5-verified, until stopped"
                                           ).add_class("cp-checkpoints-start")
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True,
                                          tooltip="Push what is pending, then stop").add_class("cp-checkpoints-stop")
        self.status = widgets.HTML().add_class("cp-checkpoints-status")
        self.notice = widgets.HTML().add_class("cp-checkpoints-notice")
        self.restore_dir = widgets.Text(placeholder="default: the watched folder", description="into",
                                        layout=widgets.Layout(width="320px")).add_class("cp-checkpoints-restore-dir")
        self.restore_button = widgets.Button(description="Restore latest", icon="history",
                                             tooltip="Put the newest complete checkpoint of the Drive folder back "
                                                     "on local disk, md5-verified").add_class("cp-checkpoints-restore")
        self.outcome = widgets.HTML().add_class("cp-checkpoints-outcome")
        super().__init__([
            widgets.HTML('<div class="cp-section-h">Checkpoints</div>'),
            widgets.HBox([self.local_dir, self.drive_folder], layout=_WRAP),
            widgets.HBox([self.keep_last, self.pattern, self.start_button, self.stop_button], layout=_WRAP),
            self.status, self.notice,
            widgets.HBox([self.restore_button, self.restore_dir], layout=_WRAP),
            self.outcome,
        ])
        self.add_class("cp-checkpoints")
        for name in ("local_dir", "drive_folder", "keep_last", "pattern", "restore_dir"):
            traitlets.link((c, name), (getattr(self, name), "value"))
        self.start_button.on_click(lambda _: c.start())
        self.stop_button.on_click(lambda _: c.stop())
        self.restore_button.on_click(lambda _: c.restore())
        c.observe(self._show, names=["running", "restoring", "status", "notice", "message", "error"])
        self._show()

    def _show(self, _change: Any = None) -> None:
        c = self.controller
        self.start_button.disabled = c.running
        self.stop_button.disabled = not c.running
        for field in (self.local_dir, self.drive_folder, self.keep_last, self.pattern):
            field.disabled = c.running
        self.restore_button.disabled = c.restoring
        self.status.value = f'<span class="cp-muted">{html.escape(c.status)}</span>' if c.status else ""
        self.notice.value = f'<div class="cp-checkpoints-warn">{html.escape(c.notice)}</div>' if c.notice else ""
        parts = []
        if c.message:
            parts.append(f'<span class="cp-muted">{html.escape(c.message)}</span>')
        if c.error:
            parts.append(f'<span class="cp-error">{html.escape(c.error)}</span>')
        self.outcome.value = "<br>".join(parts)
