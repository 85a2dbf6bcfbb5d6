"""HTML pieces of the Share tab: pure functions of controller values (escaped, stable classes)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from colab_panel.share.model import SharingState, role_words

__all__ = ["SHARE_CSS", "batch_html", "before_after_html", "sharing_html"]

SHARE_CSS = """
<style>
.cp-share-h { font-size: 13px; font-weight: 600; margin: 12px 0 4px; color: var(--cp-fg); }
.cp-share-title { font-size: 13px; margin: 4px 0; }
.cp-share-link-row { align-items: center; gap: 6px; min-height: 30px; border-bottom: 1px solid var(--cp-border-soft); }
.cp-share-link-label { font-size: 12px; white-space: nowrap; color: var(--cp-fg); }
/* one line per link at any width: the value shrinks (ellipsis, whole link in its tooltip), the
   label and the copy button keep their size, so the button is never pushed out of the row */
.cp-panel .cp-share-link-row { flex-wrap: nowrap; }
.cp-share-link-row > .cp-copy { flex: 0 0 auto; }
.cp-share-link-value, .cp-share-link-value .widget-html-content { min-width: 0; overflow: hidden; }
.cp-share-link-value code { max-width: 100%; }
.cp-share-link-value code { display: block; font-size: 11.5px; white-space: nowrap; overflow: hidden;
                            text-overflow: ellipsis; color: var(--cp-fg); background: var(--cp-surface);
                            padding: 3px 6px; border-radius: 4px; }
.cp-share-state { font-size: 13px; line-height: 1.55; }
.cp-share-state .cp-share-role { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 11.5px;
                                 background: var(--cp-surface); color: var(--cp-fg); margin-left: 6px; }
.cp-share-state .cp-share-public { background: var(--cp-warn-bg); color: var(--cp-warn); }
.cp-share-confirm { border: 1px solid var(--cp-warn-hue); background: var(--cp-warn-bg); border-radius: 8px; padding: 8px 12px;
                    margin: 8px 0; }
.cp-share-confirm.cp-share-narrow { border-color: var(--cp-border); background: var(--cp-surface); }
.cp-share-plan { font-size: 13px; white-space: pre-wrap; margin: 0 0 6px; }
.cp-share-ba { display: flex; gap: 16px; flex-wrap: wrap; }
.cp-share-ba > div { flex: 1 1 300px; }
.cp-share-ba .cp-share-before, .cp-share-ba .cp-share-after {
                   font-size: 12px; white-space: pre-wrap; background: var(--cp-bg); border: 1px solid var(--cp-border-soft);
                   border-radius: 6px; padding: 6px 8px; margin: 2px 0; }
.cp-share-msg { white-space: pre-wrap; margin: 4px 0; }
/* ipywidgets gives HTML widgets a 28px line height (one control row); text blocks need less */
.cp-share-plan, .cp-share-before, .cp-share-after, .cp-share-msg, .cp-share-state,
.cp-share-note-text, .cp-share-undo-text span { line-height: 1.45; }
.cp-share-note-text { display: block; font-size: 12px; padding: 4px 0; }
.cp-share-table-wrap { max-height: 260px; overflow: auto; }
.cp-share-table { border-collapse: collapse; font-size: 12px; }
.cp-share-table th { text-align: left; font-weight: 600; color: var(--cp-fg); padding: 3px 12px 3px 0;
                     border-bottom: 1px solid var(--cp-border-soft); position: sticky; top: 0; background: var(--cp-bg); }
.cp-share-table td { padding: 3px 12px 3px 0; border-bottom: 1px solid var(--cp-border-soft); white-space: nowrap; }
.cp-share-table td.cp-share-none { color: var(--cp-fg-muted); }
.cp-share-qr svg { display: block; margin: 4px 0; }
</style>
"""


def _role_chip(role: str, public: bool = False) -> str:
    extra = " cp-share-public" if public else ""
    return f'<span class="cp-share-role{extra}">{html.escape(role_words(role))}</span>'


def sharing_html(state: SharingState | None, problem: str = "") -> str:
    if problem:
        return f'<div class="cp-share-state cp-error">{html.escape(problem)}</div>'
    if state is None:
        return '<div class="cp-share-state cp-muted">Show an item to see who can open it.</div>'
    rows = []
    if state.owner is not None:
        rows.append(f"<div>Owner: <b>{html.escape(state.owner.email or '')}</b></div>")
    if state.link_sharing:
        for grant in state.link_sharing:
            rows.append(f'<div class="cp-share-link-state">Link sharing: {html.escape(grant.who())}'
                        f'{_role_chip(grant.role, public=grant.type == "anyone")}</div>')
    else:
        rows.append('<div class="cp-share-link-state">Link sharing: <b>off</b> '
                    '<span class="cp-muted">(only the people listed can open it)</span></div>')
    for grant in state.people:
        rows.append(f'<div class="cp-share-person">{html.escape(grant.who())}{_role_chip(grant.role)}</div>')
    if not state.people:
        rows.append('<div class="cp-muted">No people or groups added.</div>')
    return f'<div class="cp-share-state">{"".join(rows)}</div>'


def before_after_html(text: str, before: str, after: str) -> str:
    parts = [f'<div class="cp-share-plan">{html.escape(text)}</div>']
    if before or after:
        parts.append('<div class="cp-share-ba">'
                     f'<div><b>Now</b><div class="cp-share-before">{html.escape(before)}</div></div>'
                     f'<div><b>After Confirm</b><div class="cp-share-after">{html.escape(after)}</div></div>'
                     '</div>')
    return "".join(parts)


def batch_html(rows: Sequence[Any]) -> str:
    if not rows:
        return ""
    body = "".join(
        f"<tr><td>{html.escape(row.path or row.name)}</td><td><code>{html.escape(row.id)}</code></td>"
        f"<td>{_anchor(row.link)}</td>"
        + (f"<td>{_anchor(row.download)}</td>" if row.download else '<td class="cp-share-none">—</td>')
        + "</tr>"
        for row in rows)
    return ('<div class="cp-share-table-wrap"><table class="cp-share-table"><thead><tr><th>Name</th><th>ID</th>'
            f"<th>Link</th><th>Direct download</th></tr></thead><tbody>{body}</tbody></table></div>")


def _anchor(link: str) -> str:
    return f'<a href="{html.escape(link)}" target="_blank" rel="noopener">{html.escape(link)}</a>'

