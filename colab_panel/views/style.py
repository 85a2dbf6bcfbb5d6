"""The panel's CSS, shipped once in an HTML widget so it works in every front end (Colab included)."""

from __future__ import annotations

PANEL_CSS = """
<style>
.cp-panel { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 1100px; }
.cp-header { display: flex; flex-wrap: nowrap; gap: 6px; align-items: flex-start; padding: 6px 0; }
.cp-header .cp-facts { flex: 1 1 auto; min-width: 0; overflow: hidden; }
.cp-header .cp-fact { max-width: 100%; overflow: hidden; text-overflow: ellipsis; box-sizing: border-box; }
.cp-header .cp-facts > .widget-html-content { display: block; width: 100%; }
.cp-header-mount { flex: 0 0 auto; }
.cp-facts-row { display: flex; flex-wrap: wrap; gap: 6px; }
.cp-fact { display: inline-block; padding: 3px 9px; border-radius: 12px; font-size: 12px;
           line-height: 18px; background: #eef2f7; color: #1f2937; white-space: nowrap; }
.cp-fact b { font-weight: 600; }
.cp-fact.cp-ok { background: #e6f4ea; color: #0d652d; }
.cp-fact.cp-warn { background: #fef7e0; color: #8a5300; }
.cp-fact.cp-bad { background: #fce8e6; color: #a50e0e; }
.cp-error { color: #a50e0e; font-size: 13px; }
.cp-ok { color: #0d652d; font-size: 13px; }
.cp-fact.cp-fact-mount { white-space: normal; max-width: 100%; }
.cp-fact.cp-fact-mount.cp-error { background: #fce8e6; }
.cp-checkpoints-warn { background: #fef7e0; color: #8a5300; border-radius: 6px; padding: 4px 8px;
                       font-size: 13px; line-height: 1.45; margin: 2px 0; }
.cp-kaggle-outcome > .widget-html-content, .cp-kaggle-status > .widget-html-content,
.cp-checkpoints-status > .widget-html-content, .cp-checkpoints-outcome > .widget-html-content {
  line-height: 1.45; padding: 3px 0; }
/* the Staging tab's smaller sections (Kaggle token, Checkpoints) */
.cp-section-h { font-size: 13px; font-weight: 600; color: var(--jp-ui-font-color1, #1f2937); margin: 14px 0 4px;
                padding-top: 8px; border-top: 1px solid #e5e7eb; }
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
/* the header's row: facts and refresh (views/header.py), then the notification bell */
.cp-header-row { align-items: flex-start; }
.cp-notifier { flex: 0 0 auto; margin: 6px 0 0 6px; }
.cp-notifier-bell { display: inline-flex; align-items: center; gap: 5px; height: 28px; padding: 0 10px;
  font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #374151;
  background: #eef2f7; border: 0; border-radius: 4px; cursor: pointer; white-space: nowrap; }
.cp-notifier-bell:hover { background: #e2e8f0; }
.cp-notifier-bell.cp-notifier-on { background: #e8f0fe; color: #1a73e8; }
/* why the last kernel stopped (views/last_exit.py) */
.cp-last-exit { background: #fef7e0; border-radius: 6px; padding: 4px 8px; margin: 4px 0; }
.cp-last-exit-words { line-height: 1.45; font-size: 13px; }
/* a tab not built yet (tabs/slots.py): the line is CSS, not one more widget to create */
.cp-tab-loading:empty::before { content: "Loading this tab…"; color: #6b7280; font-size: 12px; }
</style>
"""
