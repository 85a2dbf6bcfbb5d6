"""The panel's CSS, shipped once in an HTML widget so it works in every front end (Colab included).

Colours come only from the theme variables of js/theme.css (the host's --jp-* or --colab-* colours).
"""

from __future__ import annotations

from colab_panel.widgets.static import static_path

THEME_CSS = static_path("theme.css").read_text(encoding="utf-8")

PANEL_CSS = "<style>\n" + THEME_CSS + """
.cp-panel { font-family: var(--cp-font); max-width: 1100px; min-width: 0; box-sizing: border-box; }
.cp-panel * { box-sizing: border-box; }
/* ipywidgets' labels and buttons take their colours from --jp-widgets-*; where a host defines
   none (Colab), these give them the panel's */
.cp-panel .widget-label, .cp-panel .widget-html, .cp-panel .widget-inline-hbox .widget-label { color: var(--cp-fg); }
/* Narrow outputs (Colab's, a split screen): boxes may shrink below their content's natural width
   and rows wrap instead of pushing a button out of view. */
.cp-panel .widget-box { min-width: 0; }
.cp-panel .widget-hbox { flex-wrap: wrap; row-gap: 4px; }
.cp-panel .widget-text, .cp-panel .widget-dropdown { min-width: 0; max-width: calc(100% - 4px); } /* 2 px margins */
.cp-panel .widget-label { overflow: visible; }
/* a button is as wide as its words ("Start periodic push", "Undo last change"), never cut to
   ipywidgets' fixed 148 px; a width set in its Layout still wins (inline style) */
.cp-panel .jupyter-button { width: auto; max-width: 100%; flex-shrink: 0; }
/* the header: the title, the chips (wrapping when narrow), refresh and the bell at the end */
.cp-header-row { display: flex; flex-wrap: nowrap !important; align-items: center; gap: 6px;
  border-bottom: 1px solid var(--cp-border-soft); padding: 2px 0 6px; }
.cp-header { display: flex; flex-wrap: nowrap !important; gap: 6px; align-items: center; min-width: 0; }
.cp-header .cp-facts { flex: 1 1 auto; min-width: 0; }
.cp-facts-row { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; line-height: 1.4; }
.cp-title { font-weight: 600; font-size: 14px; margin-right: 6px; white-space: nowrap; color: var(--cp-fg); }
.cp-fact { display: inline-block; padding: 2px 9px; border-radius: 12px; font-size: 12px;
           line-height: 18px; background: var(--cp-surface); color: var(--cp-fg); white-space: nowrap;
           max-width: 100%; overflow: hidden; text-overflow: ellipsis; }
.cp-fact[title] { cursor: help; }
.cp-fact b { font-weight: 600; }
.cp-fact.cp-ok { background: var(--cp-ok-bg); color: var(--cp-ok); }
.cp-fact.cp-warn { background: var(--cp-warn-bg); color: var(--cp-warn); }
.cp-fact.cp-bad { background: var(--cp-bad-bg); color: var(--cp-bad); }
.cp-error { color: var(--cp-bad); font-size: 13px; }
.cp-muted { color: var(--cp-fg-muted); font-size: 12px; }
.cp-ok { color: var(--cp-ok); font-size: 13px; }
.cp-header-mount { flex: 0 0 auto; }
.cp-fact.cp-fact-mount { white-space: normal; max-width: 100%; }
.cp-fact.cp-fact-mount.cp-error { background: var(--cp-bad-bg); }
.cp-checkpoints-warn { background: var(--cp-warn-bg); color: var(--cp-warn); border-radius: 6px; padding: 4px 8px;
                       font-size: 13px; line-height: 1.45; margin: 2px 0; }
.cp-kaggle-outcome > .widget-html-content, .cp-kaggle-status > .widget-html-content,
.cp-checkpoints-status > .widget-html-content, .cp-checkpoints-outcome > .widget-html-content {
  line-height: 1.45; padding: 3px 0; }
/* the Staging tab's smaller sections (Kaggle token, Checkpoints, Your computer) */
.cp-section-h { font-size: 13px; font-weight: 600; color: var(--cp-fg); margin: 14px 0 4px;
                padding-top: 8px; border-top: 1px solid var(--cp-border-soft); }
/* ipywidgets' coloured buttons put white on a mid hue (warning: 2.7:1); the theme's pairs instead */
.cp-panel .jupyter-widgets.jupyter-button.mod-warning, .cp-panel .jupyter-button.mod-warning {
  background: var(--cp-warn-bg); color: var(--cp-warn); }
.cp-panel .jupyter-widgets.jupyter-button.mod-success, .cp-panel .jupyter-button.mod-success {
  background: var(--cp-ok-bg); color: var(--cp-ok); }
.cp-panel .jupyter-widgets.jupyter-button.mod-info, .cp-panel .jupyter-button.mod-info {
  background: var(--cp-accent-bg); color: var(--cp-accent); }
/* primary too: ipywidgets' white on md-blue-500 is 3.1:1 (Colab's manager uses that blue) */
.cp-panel .jupyter-widgets.jupyter-button.mod-primary, .cp-panel .jupyter-button.mod-primary {
  background: var(--cp-accent); color: var(--cp-bg); }
/* danger too: ipywidgets' white-on-red stays bright red when disabled, so "Delete forever" looked
   ready with nothing selected while "Trash" beside it looked (and was) disabled */
.cp-panel .jupyter-widgets.jupyter-button.mod-danger, .cp-panel .jupyter-button.mod-danger {
  background: var(--cp-bad-bg); color: var(--cp-bad); }
/* the tab bar (widgets/tab_bar.py, js/tab_bar.js): the page shows one page at a time */
.cp-tabs > .cp-tab-page:not(.cp-tab-shown) { display: none; }
.cp-tabbar { display: flex; flex-wrap: wrap; border-bottom: 1px solid var(--cp-border); margin: 4px 0 8px; }
.cp-tab-button { font: 500 13px var(--cp-font);
  color: var(--cp-fg-muted); background: none; border: 0; border-bottom: 2px solid transparent;
  margin: 0 2px -1px 0; padding: 6px 14px; cursor: pointer; }
.cp-tab-button:hover { color: var(--cp-fg); background: var(--cp-surface); }
.cp-tab-button.cp-tab-current { color: var(--cp-accent); border-bottom-color: var(--cp-accent); }
.cp-tab-button:focus-visible { outline: 2px solid var(--cp-accent); outline-offset: -2px; }
.cp-notifier { flex: 0 0 auto; }
.cp-notifier-bell { display: inline-flex; align-items: center; gap: 5px; height: 28px; padding: 0 10px;
  font: 12px var(--cp-font); color: var(--cp-fg);
  background: var(--cp-surface); border: 0; border-radius: 4px; cursor: pointer; white-space: nowrap; }
.cp-notifier-bell:hover { background: var(--cp-surface-hover); }
.cp-notifier-bell.cp-notifier-on { background: var(--cp-accent-bg); color: var(--cp-accent); }
/* why the last kernel stopped (views/last_exit.py) */
.cp-last-exit { background: var(--cp-warn-bg); border: 1px solid var(--cp-warn-hue); border-radius: 6px;
  padding: 4px 8px; margin: 4px 0; }
.cp-last-exit-words { line-height: 1.45; font-size: 13px; }
/* a tab's section headings, and long paths or code that must wrap rather than widen the panel */
.cp-section-h { font-size: 13px; font-weight: 600; margin: 8px 0 2px; color: var(--cp-fg); line-height: 1.4; }
.cp-staging-result-box { line-height: 1.5; font-size: 13px; padding: 6px 10px; margin: 4px 0;
  border-left: 3px solid var(--cp-ok-hue); background: var(--cp-surface); }
.cp-staging-result-box code { overflow-wrap: anywhere; }
.cp-staging-min { padding: 0 4px; }
/* the full-width fields: no side margins, so that 100% is the row's width, not 4 px more */
.cp-staging > .widget-text, .cp-staging > .widget-hprogress { margin-left: 0; margin-right: 0; }
/* a tab not built yet (tabs/slots.py): the line is CSS, not one more widget to create */
.cp-tab-loading:empty::before { content: "Loading this tab…"; color: var(--cp-fg-muted); font-size: 12px; }
</style>
"""
