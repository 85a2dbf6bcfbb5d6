"""The runtime header: a title, then chips (front end, Python, GPU, torch, RAM, disk, Drive, Colab age)."""

from __future__ import annotations

import html
import sys

import ipywidgets as widgets

from colab_panel.controllers.header import HeaderController
from colab_panel.runtime.facts import COLAB_MAX_SESSION_S, RuntimeFacts
from colab_panel.units import human_bytes, human_duration


class HeaderView(widgets.HBox):
    def __init__(self, controller: HeaderController):
        self.controller = controller
        self.facts_html = widgets.HTML(layout=widgets.Layout(flex="1 1 auto", min_width="0")).add_class("cp-facts")
        self.refresh_button = widgets.Button(
            icon="refresh", tooltip="Read the runtime facts again",
            layout=widgets.Layout(width="36px", height="28px", padding="0", flex="0 0 auto"),
        ).add_class("cp-header-refresh")
        self.refresh_button.on_click(lambda _: controller.refresh())
        # Mounts when Drive is not mounted, remounts when it is (files changed on Drive not showing).
        self.mount_button = widgets.Button(
            description="Mount Drive", tooltip="Mount Google Drive at /content/drive (Colab)",
            layout=widgets.Layout(width="auto", height="28px", flex="0 0 auto"),
        ).add_class("cp-header-mount")
        self.mount_button.on_click(lambda _: controller.mount_drive(force_remount=self._mounted()))
        super().__init__([self.facts_html, self.mount_button, self.refresh_button],
                         layout=widgets.Layout(align_items="center"))
        self.add_class("cp-header")
        controller.observe(self._render, names=["facts", "error", "busy", "mount_message", "mount_error"])
        self._render()

    def _render(self, _change=None) -> None:
        c = self.controller
        self.refresh_button.disabled = self.mount_button.disabled = c.busy
        self.mount_button.description = "Remount Drive" if self._mounted() else "Mount Drive"
        parts = [] if c.facts is None else render_fact_chips(c.facts)
        if c.error:
            parts.append(f'<span class="cp-error">{html.escape(c.error)}</span>')
        if c.mount_error or c.mount_message:
            level = "cp-error" if c.mount_error else "cp-ok"
            parts.append(f'<span class="cp-fact cp-fact-mount {level}">{html.escape(c.mount_error or c.mount_message)}</span>')
        body = "".join(parts) or '<span class="cp-muted">reading runtime…</span>'
        read_at = "" if c.facts is None else f"{c.facts.read_at:.3f}"
        self.facts_html.value = (f'<span class="cp-facts-row" data-read-at="{read_at}">'
                                 f'<span class="cp-title">Colab Panel</span>{body}</span>')

    def _mounted(self) -> bool:
        return bool(self.controller.facts and self.controller.facts.drive_mounted)


def _chip(key: str, text: str, level: str = "", title: str = "") -> str:
    cls = f"cp-fact cp-fact-{key}" + (f" cp-{level}" if level else "")
    tip = f' title="{html.escape(title)}"' if title else ""
    return f'<span class="{cls}"{tip}>{text}</span>'


def _used_level(used: int | None, total: int | None) -> str:
    if not used or not total:
        return ""
    share = used / total
    return "bad" if share > 0.92 else "warn" if share > 0.8 else ""


def _free_level(free: int | None) -> str:
    if free is None:
        return ""
    return "bad" if free < 2 * 1024**3 else "warn" if free < 10 * 1024**3 else ""


def render_fact_chips(f: RuntimeFacts) -> list[str]:
    """Short words on each chip; the long form (why there is no GPU, which path) in its tooltip."""
    e = html.escape
    chips = [
        _chip("frontend", f"<b>{e(f.frontend.value)}</b>", title="Where this kernel runs"),
        _chip("python", f"Python {e(f.python_version)}", title=sys.executable),
    ]
    if f.gpu_present:
        chips.append(_chip("gpu", f"GPU: {e(f.gpu_summary)}", "ok", title=f.gpu_summary))
    else:
        chips.append(_chip("gpu", "No GPU", "warn", title=f.gpu_summary))
    if f.torch_summary:
        chips.append(_chip("torch", e(f.torch_summary), title=f.torch_summary))
    chips.append(_chip("ram", f"RAM {human_bytes(f.ram_used_bytes)} / {human_bytes(f.ram_total_bytes)}",
                       _used_level(f.ram_used_bytes, f.ram_total_bytes), title="Memory used / total"))
    same_place = f.staging_dir.absolute() == f.cwd.absolute()
    if same_place or f.staging_on_cwd_disk:
        # one filesystem: one figure, both places named in the tooltip
        chips.append(_chip("disk", f"Disk {human_bytes(f.cwd_free_bytes)} free",
                           _free_level(min(_known(f.cwd_free_bytes, f.staging_free_bytes), default=None)),
                           title=f"Free on the disk that holds {f.cwd} (working directory)"
                                 + ("" if same_place else f" and {f.staging_dir} (staging)")))
    else:
        chips.append(_chip("disk", f"Disk {human_bytes(f.cwd_free_bytes)} free here",
                           _free_level(f.cwd_free_bytes), title=f"Free at {f.cwd} (working directory)"))
        chips.append(_chip("staging-disk", f"Staging disk {human_bytes(f.staging_free_bytes)} free",
                           _free_level(f.staging_free_bytes),
                           title=f"Free at {f.staging_dir}, where datasets are staged"))
    chips.append(_chip("drive", "Drive mounted" if f.drive_mounted else "Drive not mounted",
                       "ok" if f.drive_mounted else "",
                       title="Google Drive at /content/drive" if f.drive_mounted
                       else "Google Drive is not mounted in this runtime's file system"))
    if f.colab_session_age_s is not None:
        left = COLAB_MAX_SESSION_S - f.colab_session_age_s
        level = "bad" if left < 3600 else "warn" if left < 3 * 3600 else ""
        # 12 h is the free tier's limit; paid tiers run longer, so it is said in the tooltip
        # and the colour, not claimed as this runtime's end.
        chips.append(_chip("session", f"Runtime up {human_duration(f.colab_session_age_s)}", level,
                           title="Colab's free tier ends a runtime after at most 12 h; "
                                 "paid tiers allow longer runtimes."))
    return chips


def _known(*values: int | None) -> list[int]:
    return [v for v in values if v is not None]
