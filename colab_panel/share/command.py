"""What `colab-panel share ...` does (the argparse wiring lives in `colab_panel/cli.py`).

    colab-panel share links ITEM [--only download] [--json]
    colab-panel share show ITEM
    colab-panel share set ITEM... [--anyone ROLE|off] [--domain ROLE|off] [--person EMAIL=ROLE] [--notify] [--yes]
    colab-panel share table FOLDER [-r] [--format csv|md] [-o FILE]

`set` prints the plan; a change that widens access is applied only with ``--yes`` (exit code 2
otherwise, nothing changed). After a change it prints the command that puts it back: undo
history does not outlive the process.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from typing import Any

from colab_panel.errors import ConfirmationRequired, ShareError
from colab_panel.inputs import shown
from colab_panel.share.batch import export_table, folder_table, plan_batch, apply_batch, table_csv, table_markdown
from colab_panel.share.links import LINK_LABELS, download_note, share_links
from colab_panel.share.model import ShareRecord
from colab_panel.share.sharing import KEEP, ShareHistory, sharing

__all__ = ["run_share_command", "undo_command"]

EXIT_NEEDS_CONFIRMATION = 2


def run_share_command(args: argparse.Namespace, out: Any = None) -> int:
    out = out or sys.stdout
    from colab_panel.drive.auth import connect

    if args.share_command == "links" and _type_is_in_link(args.item):
        return _print_links(args, share_links(args.item), out)  # no sign-in needed
    with connect(args.auth) as drive:
        if args.share_command == "links":
            item = drive.get(args.item)
            links = share_links(args.item, item=item)
            code = _print_links(args, links, out)
            if not args.only and not args.json and not item.is_folder and not item.is_native:
                print(f"\nnote: {download_note(item)}", file=out)
            return code
        if args.share_command == "show":
            print(sharing(args.item, drive=drive).describe(), file=out)
            return 0
        if args.share_command == "table":
            rows = folder_table(args.folder, recursive=args.recursive, drive=drive)
            if args.output:
                print(f"wrote {len(rows)} rows to {export_table(rows, args.output)}", file=out)
            else:
                out.write(table_csv(rows) if args.format == "csv" else table_markdown(rows))
            return 0
        return _set(args, drive, out)


def _type_is_in_link(item: str) -> bool:
    from colab_panel.drive.parse import parse_drive_link

    try:
        return parse_drive_link(item).kind not in ("unknown",)
    except ValueError:
        return False


def _print_links(args: argparse.Namespace, links: dict[str, str], out: Any) -> int:
    if args.only:
        if args.only not in links:
            raise ShareError(f"No {shown(args.only)} link for this item; it has: {', '.join(links)}.")
        print(links[args.only], file=out)
    elif args.json:
        print(json.dumps(links, indent=2), file=out)
    else:
        width = max(len(LINK_LABELS.get(k, k)) for k in links)
        for key, value in links.items():
            print(f"{LINK_LABELS.get(key, key):<{width}}  {value}", file=out)
    return 0


def _set(args: argparse.Namespace, drive: Any, out: Any) -> int:
    anyone = _link_role(args.anyone)
    domain = _link_role(args.domain)
    people = [_person(text, args.notify) for text in args.person]
    if anyone is KEEP and domain is KEEP and not people:
        raise ShareError("Nothing to change: give --anyone, --domain or --person.")
    plans = plan_batch(args.items, anyone=anyone, domain=domain, people=people, drive=drive)
    for plan in plans:
        print(plan.describe(), file=out)
    if all(plan.is_empty for plan in plans):
        return 0
    history = ShareHistory()
    try:
        report = apply_batch(plans, confirm=args.yes, drive=drive, history=history)
    except ConfirmationRequired:
        print("\nNot applied: this widens access. Run again with --yes to confirm.", file=out)
        return EXIT_NEEDS_CONFIRMATION
    print("\nApplied. " + report.describe(), file=out)
    record = history.last()
    if record is not None:
        print(f"To undo: {undo_command(record)}", file=out)
    return 0


def _link_role(value: str | None) -> Any:
    if value is None:
        return KEEP
    return None if value.strip().lower() in ("off", "none") else value


def _person(text: str, notify: bool) -> tuple[str, str | None, bool]:
    email, sep, role = text.partition("=")
    if not sep:
        raise ShareError(f"--person {shown(text)}: write it as EMAIL=ROLE, e.g. bob@example.com=reader.")
    return email, None if role.strip().lower() in ("none", "off", "remove") else role, notify


def undo_command(record: ShareRecord) -> str:
    """The `colab-panel share set ...` lines that put `record` back (one per item)."""
    commands = []
    for file_record in record.files:
        flags: list[str] = []
        for change in file_record.applied:
            back = change.inverse()
            role = back.after or "off"
            if back.grant.type == "anyone":
                flags += ["--anyone", role]
            elif back.grant.type == "domain":
                flags += ["--domain", role]
            else:
                flags += ["--person", f"{back.grant.email}={back.after or 'none'}"]
        yes = " --yes" if any(c.inverse().widens for c in file_record.applied) else ""
        commands.append(f"colab-panel share set {shlex.quote(file_record.file_id)} {shlex.join(flags)}{yes}")
    return " && ".join(commands)
