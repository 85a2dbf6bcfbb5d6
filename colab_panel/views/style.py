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
/* the tab bar (widgets/tab_bar.py, js/tab_bar.js): the page shows one page at a time */
.cp-tabs > .cp-tab-page:not(.cp-tab-shown) { display: none; }
.cp-tabbar { display: flex; flex-wrap: wrap; border-bottom: 1px solid #d1d5db; margin: 4px 0 8px; }
.cp-tab-button { font: 500 13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #4b5563; background: none; border: 0; border-bottom: 2px solid transparent;
  margin: 0 2px -1px 0; padding: 6px 14px; cursor: pointer; }
.cp-tab-button:hover { color: #1f2937; background: rgba(26,115,232,0.06); }
.cp-tab-button.cp-tab-current { color: #1a73e8; border-bottom-color: #1a73e8; }
.cp-tab-button:focus-visible { outline: 2px solid #1a73e8; outline-offset: -2px; }
/* a tab not built yet (tabs/slots.py): the line is CSS, not one more widget to create */
.cp-tab-loading:empty::before { content: "Loading this tab…"; color: #6b7280; font-size: 12px; }
</style>
"""
