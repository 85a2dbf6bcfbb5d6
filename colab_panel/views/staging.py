"""`StagingTab`: the Staging tab's widgets, bound to a `StagingController` (no state of its own).

Top to bottom: the source box and destination; Stage / Cancel; the progress bar with bytes,
files, rate and ETA; the result (path, file count, size, a one-line snippet to use it); the
"results back to Drive" row (local folder, Drive folder, Push) and the periodic push (every N
minutes, Start/Stop, what the last push did); messages and errors in words; then the sections
the tab builder adds (Kaggle token, Checkpoints). Above the source,
when the Drive tab has a selection: one click makes it the source (a folder: or the push target).
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import traitlets

from colab_panel.controllers.staging import MAX_SYNC_MINUTES, StagingController, usage_snippet
from colab_panel.units import human_bytes

__all__ = ["StagingTab"]

SOURCE_PLACEHOLDER = "Drive link/ID, URL, kaggle:owner/dataset or path"
_WIDE = widgets.Layout(width="100%", max_width="520px")


class StagingTab(widgets.VBox):
    def __init__(self, controller: StagingController, *, default_dest_hint: str = "",
                 sections: tuple[widgets.Widget, ...] = ()) -> None:
        self.controller = controller
        self.source = widgets.Text(placeholder=SOURCE_PLACEHOLDER, description="Source",
                                   layout=_WIDE).add_class("cp-staging-source")
        self.dest = widgets.Text(placeholder=default_dest_hint or "default: /content/data/<name> (Colab), ./data/<name>",
                                 description="Into", layout=_WIDE).add_class("cp-staging-dest")
        self.stage_button = widgets.Button(description="Stage", icon="download", button_style="primary",
                                           tooltip="Fetch, verify and extract onto local disk"
                                           ).add_class("cp-staging-stage")
        self.cancel_button = widgets.Button(description="Cancel", icon="stop", disabled=True,
                                            tooltip="Stop; nothing half-written is kept"
                                            ).add_class("cp-staging-cancel")
        # shown only while staging runs: an empty bar before anything ran says nothing
        self.bar = widgets.FloatProgress(min=0.0, max=1.0, layout=widgets.Layout(width="100%", max_width="520px",
                                                                                 display="none")
                                         ).add_class("cp-staging-bar")
        self.progress = widgets.HTML().add_class("cp-staging-progress")
        self.result = widgets.HTML().add_class("cp-staging-result")
        self.push_local = widgets.Text(placeholder="local folder, e.g. /content/checkpoints", description="Push",
                                       layout=widgets.Layout(flex="1 1 260px", max_width="340px")).add_class("cp-staging-push-local")
        self.push_folder = widgets.Text(placeholder="Drive folder link or ID", description="to",
                                        layout=widgets.Layout(flex="1 1 260px", max_width="340px")).add_class("cp-staging-push-folder")
        self.push_button = widgets.Button(description="Push", icon="upload",
                                          tooltip="Upload new or changed files, verified"
                                          ).add_class("cp-staging-push")
        self.sync_minutes = widgets.BoundedFloatText(min=0.1, max=MAX_SYNC_MINUTES, step=1, description="every",
                                                     layout=widgets.Layout(width="150px", flex="0 0 auto")
                                                     ).add_class("cp-staging-sync-minutes")
        self.sync_start = widgets.Button(description="Start periodic push", icon="refresh",
                                         layout=widgets.Layout(width="auto"),  # the default width cut its label
                                         tooltip="Push now, then every N minutes until stopped or the panel closes"
                                         ).add_class("cp-staging-sync-start")
        self.sync_stop = widgets.Button(description="Stop", icon="stop", disabled=True,
                                        tooltip="Stop the periodic push").add_class("cp-staging-sync-stop")
        self.sync_status = widgets.HTML().add_class("cp-staging-sync-status")
        self.use_selection = widgets.Button(description="Use the Drive tab's selection", icon="hand-o-right",
                                            layout=widgets.Layout(display="none", width="auto")
                                            ).add_class("cp-staging-use-selection")
        self.push_to_selection = widgets.Button(description="Push into it", icon="upload",
                                                layout=widgets.Layout(display="none", width="auto"),
                                                tooltip="Make the selected Drive folder the push target"
                                                ).add_class("cp-staging-push-to-selection")
        self.via_copy_button = widgets.Button(
            description="Stage from a copy in my Drive", icon="copy", layout=widgets.Layout(display="none"),
            tooltip="Copy it into your Drive on Google's side (no download) and stage the copy: "
                    "the way past 'too many users have downloaded this file'").add_class("cp-staging-via-copy")
        self.message = widgets.HTML().add_class("cp-staging-message")
        self.error = widgets.HTML().add_class("cp-staging-error")
        super().__init__([
            widgets.HTML('<div class="cp-section-h">Stage a dataset onto local disk</div>'),
            widgets.HBox([self.use_selection, self.push_to_selection]),
            self.source, self.dest,
            widgets.HBox([self.stage_button, self.cancel_button, self.via_copy_button]),
            self.bar, self.progress, self.result,
            widgets.HTML('<div class="cp-section-h">Results back to Drive</div>'),
            widgets.HBox([self.push_local, self.push_folder, self.push_button]),
            widgets.HBox([self.sync_minutes, widgets.HTML('<span class="cp-staging-min">min</span>'),
                          self.sync_start, self.sync_stop]),
            self.sync_status,
            self.message, self.error,
            *sections,  # the Kaggle token row, Checkpoints (views/kaggle_token.py, views/checkpoints.py)
        ])
        self.add_class("cp-staging")
        self._bind()

    def _show_via_copy(self, _change: Any = None) -> None:
        self.via_copy_button.layout.display = None if self.controller.quota_blocked else "none"

    def _bind(self) -> None:
        c = self.controller
        for name in ("source", "dest", "push_local", "push_folder"):
            traitlets.link((c, name), (getattr(self, name), "value"))
        traitlets.dlink((c, "fraction"), (self.bar, "value"))
        traitlets.link((c, "sync_minutes"), (self.sync_minutes, "value"))
        self.sync_start.on_click(lambda _: c.start_sync())
        self.sync_stop.on_click(lambda _: c.stop_sync())
        self.use_selection.on_click(lambda _: c.use_suggestion())
        self.push_to_selection.on_click(lambda _: c.use_suggestion("push"))
        c.observe(self._show_sync, names=["syncing", "sync_status", "sync_error"])
        c.observe(self._show_suggestion, names="suggestion")
        self.stage_button.on_click(lambda _: c.stage())
        self.via_copy_button.on_click(lambda _: c.stage_via_copy())
        c.observe(self._show_via_copy, names="quota_blocked")
        self.cancel_button.on_click(lambda _: c.cancel())
        self.push_button.on_click(lambda _: c.push())
        c.observe(self._show_busy, names="busy")
        c.observe(self._show_progress, names=["progress_text", "busy"])
        c.observe(self._show_result, names=["result", "push_result"])
        c.observe(self._show_messages, names=["error", "message"])
        for show in (self._show_busy, self._show_progress, self._show_result, self._show_messages, self._show_sync,
                     self._show_suggestion):
            show()

    def _show_sync(self, _change: Any = None) -> None:
        c = self.controller
        self.sync_start.disabled = c.syncing
        self.sync_stop.disabled = not c.syncing
        self.sync_minutes.disabled = c.syncing
        parts = [f'<span class="cp-muted">{html.escape(c.sync_status)}</span>'] if c.sync_status else []
        if c.sync_error:
            parts.append(f'<span class="cp-error">{html.escape(c.sync_error)}</span>')
        self.sync_status.value = "<br>".join(parts)

    def _show_suggestion(self, _change: Any = None) -> None:
        item = self.controller.suggestion
        self.use_selection.layout.display = "none" if item is None else ""
        self.push_to_selection.layout.display = "" if item is not None and item.is_folder else "none"
        if item is not None:
            self.use_selection.description = f"Use the Drive tab's selection: {item.title[:40]}"
            self.use_selection.tooltip = f"{item.title} ({item.id})"

    def _show_busy(self, _change: Any = None) -> None:
        busy = self.controller.busy
        self.stage_button.disabled = busy
        self.push_button.disabled = busy
        self.cancel_button.disabled = not busy
        self.bar.bar_style = "info" if busy else ""
        if busy:
            self.bar.layout.display = None  # stays after a run, showing how far it got

    def _show_progress(self, _change: Any = None) -> None:
        text = self.controller.progress_text
        self.progress.value = f'<span class="cp-muted">{html.escape(text)}</span>' if text else ""

    def _show_result(self, _change: Any = None) -> None:
        r = self.controller.result
        if r is None:
            self.result.value = ""
            return
        snippet = html.escape(usage_snippet(r.path))
        cached = " <span class='cp-muted'>(already staged, nothing fetched)</span>" if r.cached else ""
        self.result.value = (
            f'<div class="cp-staging-result-box"><b>Path:</b> <code class="cp-staging-path">'
            f'{html.escape(str(r.path))}</code>{cached}<br>'
            f'<b>Files:</b> {r.files:,} · <b>Size:</b> {html.escape(human_bytes(r.bytes))}<br>'
            f'<b>Use it:</b> <code class="cp-staging-snippet">{snippet}</code></div>')

    def _show_messages(self, _change: Any = None) -> None:
        c = self.controller
        self.error.value = f'<span class="cp-error">{html.escape(c.error)}</span>' if c.error else ""
        self.message.value = f'<span class="cp-muted">{html.escape(c.message)}</span>' if c.message else ""
