"""The panel's CSS, shipped once in an HTML widget so it works in every front end (Colab included)."""

from __future__ import annotations

PANEL_CSS = """
<style>
.cp-panel { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 1100px; }
.cp-header { display: flex; flex-wrap: nowrap; gap: 6px; align-items: flex-start; padding: 6px 0; }
.cp-header .cp-facts { flex: 1 1 auto; min-width: 0; }
.cp-facts-row { display: flex; flex-wrap: wrap; gap: 6px; }
.cp-fact { display: inline-block; padding: 3px 9px; border-radius: 12px; font-size: 12px;
           line-height: 18px; background: #eef2f7; color: #1f2937; white-space: nowrap; }
.cp-fact b { font-weight: 600; }
.cp-fact.cp-ok { background: #e6f4ea; color: #0d652d; }
.cp-fact.cp-warn { background: #fef7e0; color: #8a5300; }
.cp-fact.cp-bad { background: #fce8e6; color: #a50e0e; }
.cp-error { color: #a50e0e; font-size: 13px; }
.cp-muted { color: #6b7280; font-size: 12px; }
/* a tab not built yet (tabs/slots.py): the line is CSS, not one more widget to create */
.cp-tab-loading:empty::before { content: "Loading this tab…"; color: #6b7280; font-size: 12px; }
</style>
"""
