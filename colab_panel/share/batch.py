"""Many items at once: a folder's files as a table of links, and one sharing change for all of them.

    rows = folder_table(folder_link)                   # [TableRow(name, id, kind, link, path, download)]
    table_markdown(rows); table_csv(rows); export_table(rows, "links.csv")
    report = share_batch(rows, anyone="reader", confirm=True)

`share_batch` is all or nothing. Every item is planned (read) before anything is changed, so a
missing item or a bad argument fails with nothing applied. Items are then changed one after the
other; if Drive refuses one (a rate limit is retried by the backend first), the items already
changed are put back as they were, and `BatchShareFailed` is raised. Its `.report` says exactly
which item failed and why, which were rolled back, and — only if a rollback step itself failed —
which items are still changed and how. Nothing is ever left widened without being named.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from colab_panel.errors import BatchShareFailed, ConfirmationRequired, PanelError, ShareError
from colab_panel.inputs import os_error_in_words, shown, user_path
from colab_panel.share.links import links_for_item
from colab_panel.share.model import Change, FileRecord, SharePlan, ShareRecord
from colab_panel.share.sharing import (KEEP, ShareHistory, SharingDrive, roll_back, apply_changes,
                                       default_history, explain, plan_for_state, rebase,
                                       resolve_drive, sharing, wanted)

__all__ = ["BatchReport", "BatchShareFailed", "TableRow", "export_table", "folder_table",
           "plan_batch", "share_batch", "table_csv", "table_markdown"]

_LINK_KEYS = ("view", "edit", "folder")  # the link a person opens, by item type


@dataclass(frozen=True)
class TableRow:
    name: str
    id: str
    kind: str  # folder, file, document, spreadsheet, ...
    link: str
    path: str = ""  # relative path inside the listed folder (recursive listings)
    download: str = ""  # direct-download link; "" for folders and Google Docs (they have none)
    item: Any = field(default=None, compare=False, repr=False)  # the DriveItem, for sharing it


def folder_table(folder: Any, *, recursive: bool = False, include_folders: bool = False,
                 drive: SharingDrive | None = None) -> list[TableRow]:
    """Every file of `folder` (ID, link or DriveItem) with its link; sorted by path."""
    drive = resolve_drive(drive)
    if recursive:
        entries = list(drive.walk(folder))  # type: ignore[attr-defined]
    else:
        entries = [(item.title, item) for item in drive.list(folder)]  # type: ignore[attr-defined]
    rows = [row_for_item(item, path) for path, item in entries if include_folders or not item.is_folder]
    return sorted(rows, key=lambda row: (row.path.lower(), row.id))


def row_for_item(item: Any, path: str = "") -> TableRow:
    """One DriveItem as a row (the Drive tab hands its selection over as these)."""
    links = links_for_item(item)
    link = next((links[k] for k in _LINK_KEYS if k in links), links.get("open", ""))
    # Drive's own webContentLink when the listing gave one, else the link built from the ID.
    download = (getattr(item, "web_content_link", None) or links.get("download", "")) if "download" in links else ""
    return TableRow(item.title, item.id, item.kind, link, path or item.title, download, item)


def table_csv(rows: Iterable[TableRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "id", "kind", "link", "path", "download"])
    for row in rows:
        writer.writerow([row.name, row.id, row.kind, row.link, row.path, row.download])
    return out.getvalue()


def table_markdown(rows: Iterable[TableRow]) -> str:
    def cell(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    lines = ["| Name | ID | Link | Direct download |", "| --- | --- | --- | --- |"]
    lines += [f"| {cell(row.path or row.name)} | `{row.id}` | [open]({row.link}) | "
              f"{f'[download]({row.download})' if row.download else '—'} |" for row in rows]
    return "\n".join(lines) + "\n"


def export_table(rows: Sequence[TableRow], path: str | os.PathLike[str]) -> Path:
    """Write the table as CSV (``.csv``) or Markdown (``.md``); written whole or not at all."""
    target = user_path(path, "The table's file", ShareError).expanduser()
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".md", ".markdown"):
        raise ShareError(f"Cannot tell the format of {shown(str(path))}: name it .csv or .md.")
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable) or not all(isinstance(r, TableRow) for r in rows):
        raise ShareError(f"rows must be the list folder_table() returns, not {shown(rows)}.")
    text = table_csv(rows) if suffix == ".csv" else table_markdown(rows)
    if not target.parent.is_dir():
        raise ShareError(f"The folder {shown(str(target.parent))} does not exist.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise ShareError(os_error_in_words(exc, f"Cannot write the table to {shown(str(target))}")) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ShareError(os_error_in_words(exc, f"Cannot write the table to {shown(str(target))}")) from None
        raise
    return target


# --- sharing many items ------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchReport:
    """Exactly what a batch did. On success `changed` lists every item with its changes."""

    changed: tuple[FileRecord, ...] = ()  # in effect now
    unchanged: tuple[str, ...] = ()  # IDs already shared that way (nothing to do)
    failed: tuple[str, str] | None = None  # (ID, why) of the item Drive refused
    rolled_back: tuple[str, ...] = ()  # IDs changed, then put back as they were
    not_attempted: tuple[str, ...] = ()  # IDs after the failure, never touched

    @property
    def ok(self) -> bool:
        return self.failed is None

    def describe(self) -> str:
        lines = []
        if self.failed:
            lines.append(f"Failed on {self.failed[0]}: {self.failed[1]}")
        if self.rolled_back:
            lines.append(f"Put back as they were: {', '.join(self.rolled_back)}")
        if self.not_attempted:
            lines.append(f"Not touched: {', '.join(self.not_attempted)}")
        if self.changed:
            label = "Still changed (could not be put back)" if self.failed else "Changed"
            lines.append(f"{label}: " + "; ".join(
                f"{r.title or r.file_id} ({', '.join(c.describe() for c in r.applied)})" for r in self.changed))
        if self.unchanged:
            lines.append(f"Already shared that way: {', '.join(self.unchanged)}")
        return "\n".join(lines) or "Nothing to do."


def plan_batch(files: Iterable[Any], *, anyone: Any = KEEP, domain: Any = KEEP,
               people: Iterable[Any] | None = None, drive: SharingDrive | None = None) -> list[SharePlan]:
    """One plan per item (IDs, links, DriveItems or `TableRow`s); reads only, changes nothing."""
    drive = resolve_drive(drive)
    want = wanted(anyone, domain, people, drive=drive)
    if isinstance(files, (str, bytes, Mapping)) or not isinstance(files, Iterable):
        raise ShareError(f"files must be a list of Drive links, IDs or items, not {shown(files)}.")
    targets = [row.item if isinstance(row, TableRow) and row.item is not None else
               (row.id if isinstance(row, TableRow) else row) for row in files]
    if not targets:
        raise ShareError("No items to share: the list is empty.")
    return [plan_for_state(sharing(target, drive=drive), want) for target in targets]


def share_batch(files: Iterable[Any], *, anyone: Any = KEEP, domain: Any = KEEP,
                people: Iterable[Any] | None = None, confirm: bool = False,
                drive: SharingDrive | None = None, history: ShareHistory | None = None) -> BatchReport:
    """Apply one sharing change to every item, all or nothing (see the module docstring)."""
    drive = resolve_drive(drive)
    plans = plan_batch(files, anyone=anyone, domain=domain, people=people, drive=drive)
    return _apply_planned(plans, confirm=confirm, drive=drive, history=history)


def apply_batch(plans: Sequence[SharePlan], *, confirm: bool = False, drive: SharingDrive | None = None,
                history: ShareHistory | None = None) -> BatchReport:
    """Apply plans made earlier, all or nothing. Like `apply_plan`, each plan is re-based on the
    item's sharing read now (`rebase`): a plan's own claims never decide whether it widens access."""
    drive = resolve_drive(drive)
    _require_batch_confirmation(plans, confirm)  # what the plans say: refuse before any read
    plans = [rebase(drive, plan) for plan in plans]
    return _apply_planned(plans, confirm=confirm, drive=drive, history=history)


def _apply_planned(plans: Sequence[SharePlan], *, confirm: bool, drive: SharingDrive,
                   history: ShareHistory | None) -> BatchReport:
    """Apply plans just made from the items' sharing as read (or re-based on it)."""
    _require_batch_confirmation(plans, confirm)
    done: list[tuple[SharePlan, tuple[Change, ...]]] = []
    unchanged = tuple(p.file_id for p in plans if p.is_empty)
    todo = [p for p in plans if not p.is_empty]
    for index, plan in enumerate(todo):
        try:
            done.append((plan, apply_changes(drive, plan.before, plan.changes)))
        except PanelError as exc:
            # apply_changes already put this item back (or says what it could not).
            report = _rolled_back_report(drive, done, plan, exc, [p.file_id for p in todo[index + 1:]], unchanged)
            if report.changed:  # what could not be put back is the last change in effect: undo takes it first
                (history if history is not None else default_history()).push(ShareRecord(report.changed), drive)
            raise BatchShareFailed("Sharing the batch stopped. " + report.describe(), report) from exc
    records = tuple(FileRecord(p.file_id, p.before.title, applied) for p, applied in done)
    if records:
        (history if history is not None else default_history()).push(ShareRecord(records), drive)
    return BatchReport(changed=records, unchanged=unchanged)


def _require_batch_confirmation(plans: Sequence[SharePlan], confirm: bool) -> None:
    widening = [p for p in plans if p.widens]
    if not widening or confirm is True:
        return
    summary = "\n".join(p.describe() for p in widening)
    raise ConfirmationRequired(f"Not applied: this would widen access to {len(widening)} item(s) and needs "
                               f"confirmation (confirm=True).\n{summary}", plan=widening[0], plans=tuple(widening))


def _rolled_back_report(drive: SharingDrive, done: list[tuple[SharePlan, tuple[Change, ...]]],
                        failed: SharePlan, exc: PanelError, not_attempted: list[str],
                        unchanged: tuple[str, ...]) -> BatchReport:
    rolled_back: list[str] = []
    still: list[FileRecord] = []
    partial = exc.still_changed
    if partial:  # the failing item itself could not be fully put back
        still.append(FileRecord(failed.file_id, failed.before.title, tuple(partial)))
    for plan, applied in reversed(done):
        leftover = roll_back(drive, plan.file_id, applied)
        if leftover:
            still.append(FileRecord(plan.file_id, plan.before.title, tuple(leftover)))
        else:
            rolled_back.append(plan.file_id)
    why = explain(exc, failed.before.title or failed.file_id) if not str(exc).startswith("Could not set") else str(exc)
    return BatchReport(changed=tuple(still), unchanged=unchanged, failed=(failed.file_id, why),
                       rolled_back=tuple(rolled_back), not_attempted=tuple(not_attempted))
