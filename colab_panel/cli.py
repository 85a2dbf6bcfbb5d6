"""The `colab-panel` command: `demo`, `stage`, `push`, `drive`, `share`, `monitor`, `exporter`."""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from typing import NoReturn

from colab_panel.errors import PanelError
from colab_panel.inputs import shorten

EXIT_FAILED = 1  # the command ran and failed; stderr says why in words
EXIT_USAGE = 2  # the arguments were refused before anything was done (argparse's own code)
EXIT_BUG = 70  # an unexpected exception: a bug in colab_panel (EX_SOFTWARE)


class _Parser(argparse.ArgumentParser):
    """argparse that never echoes a huge argument back whole in its error line."""

    def error(self, message: str) -> NoReturn:
        super().error(shorten(" ".join(message.split()), 300))


def _whole_number(low: int, high: int, what: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number from {low} to {high}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be from {low} to {high}, not {value}")
        return value
    parse.__name__ = what  # argparse names the type in some messages
    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("seconds must be a number, e.g. 1 or 0.5") from None
    if not math.isfinite(value) or not 0.05 <= value <= 86400:
        raise argparse.ArgumentTypeError(f"seconds must be from 0.05 to 86400 (a day), not {value:g}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="colab-panel", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="serve a demo notebook with the panel on 127.0.0.1")
    demo.add_argument("--port", type=_whole_number(1, 65535, "port"), default=None,
                      help="port to serve on (default: a free one)")
    demo.add_argument("--no-browser", action="store_true", help="print the URL, do not open a browser")
    demo.set_defaults(handler=_run_demo)
    _add_staging_commands(sub)
    _add_drive_commands(sub)
    _add_share_commands(sub)
    _add_monitor_command(sub)
    _add_exporter_command(sub)
    _add_last_exit_command(sub)
    return parser


# --- monitor (issue 7): `monitor`, a line per sample like `nvidia-smi -l` -----------------------


def _add_monitor_command(sub: argparse._SubParsersAction[_Parser]) -> None:
    monitor = sub.add_parser("monitor", help="print GPU and host readings, one line per sample")
    monitor.add_argument("--interval", type=_seconds, default=1.0, help="seconds between samples (default 1)")
    monitor.add_argument("--count", type=_whole_number(0, 10**9, "count"), default=0,
                         help="stop after N samples (default: until Ctrl-C)")
    monitor.set_defaults(handler=_run_monitor)


def _run_monitor(args: argparse.Namespace) -> int:
    import time

    from colab_panel.monitor import gpu_status, read_gpus, read_host

    print(f"GPU: {gpu_status()}", flush=True)
    read_host()  # the first CPU reading needs an interval behind it
    taken = 0
    while not args.count or taken < args.count:
        time.sleep(args.interval)
        print(monitor_line(time.strftime("%H:%M:%S"), read_host(), read_gpus()), flush=True)
        taken += 1
    return 0


def monitor_line(clock: str, host, gpus) -> str:
    """'12:00:01  CPU 12%  RAM 1.5 GB/23.5 GB  GPU0 45% 3.2 GB/15.0 GB 61°C 70 W' (n/a when unsupported)."""
    from colab_panel.units import human_bytes

    def number(value, unit: str) -> str:
        return "n/a" if value is None else f"{value:.0f}{unit}"

    parts = [clock, f"CPU {number(host.cpu_percent, '%')}",
             f"RAM {human_bytes(host.ram_used_bytes)}/{human_bytes(host.ram_total_bytes)}"]
    for gpu in gpus:
        if gpu.lost:
            parts.append(f"GPU{gpu.index} lost")
            continue
        parts.append(f"GPU{gpu.index} {number(gpu.utilization_gpu_percent, '%')} "
                     f"{human_bytes(gpu.memory_used_bytes)}/{human_bytes(gpu.memory_total_bytes)} "
                     f"{number(gpu.temperature_c, '°C')} {number(gpu.power_w, ' W')}")
    return "  ".join(parts)


# --- exporter (issue 15): `exporter`, /metrics for Prometheus ---------------------------------


def _add_exporter_command(sub: argparse._SubParsersAction[_Parser]) -> None:
    exporter = sub.add_parser("exporter", help="serve GPU and host readings at /metrics for Prometheus",
                              description="GPU series as NVIDIA's DCGM exporter names them, host series as "
                                          "node_exporter does. Loopback only unless --allow-remote.")
    exporter.add_argument("--port", type=int, default=9400, help="port to listen on (default 9400, 0: any free)")
    exporter.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    exporter.add_argument("--allow-remote", action="store_true",
                          help="allow a non-loopback --bind; every request then needs the printed bearer token")
    exporter.add_argument("--interval", type=float, default=1.0, help="seconds between samples (default 1)")
    exporter.set_defaults(handler=_run_exporter)


def _run_exporter(args: argparse.Namespace) -> int:
    from colab_panel.monitor import exporter as exporter_module

    if not exporter_module.is_loopback(args.bind) and not args.allow_remote:
        raise PanelError(f"--bind {args.bind} is not a loopback address: add --allow-remote to serve there "
                         "(requests then need a bearer token, printed once at start).")
    sampler = exporter_module.get_sampler()
    try:
        sampler.interval_s = args.interval
    except ValueError as error:
        raise PanelError(f"--interval: {error}") from None
    exporter = exporter_module.MetricsExporter(sampler, host=args.bind, port=args.port,
                                               allow_remote=args.allow_remote)
    try:
        print(f"Serving {exporter.url} (Ctrl-C stops)", flush=True)
        if exporter.token:
            print(f"Every request needs the header 'Authorization: Bearer {exporter.token}' "
                  "(this token is shown once and stored nowhere).", flush=True)
        exporter_module.serve_until_interrupted(exporter)
    finally:
        exporter.close()
    return 0
# --- last-exit (issue 19): why did the previous kernel die? --------------------------------------


def _add_last_exit_command(sub: argparse._SubParsersAction[_Parser]) -> None:
    last = sub.add_parser("last-exit", help="why the previous kernel died, from the trail the panel keeps "
                                            "(the panel itself still shows it once)")
    last.add_argument("--state-dir", default=None, help="where the trail is (default: the package's state dir)")
    last.add_argument("--svg", default=None, metavar="FILE", help="also write the chart of its last minutes")
    last.set_defaults(handler=_run_last_exit)


def _run_last_exit(args: argparse.Namespace) -> int:
    from colab_panel.monitor.last_exit import explain_last_exit

    exit_ = explain_last_exit(args.state_dir, mark_explained=False)
    if exit_ is None:
        print("No kernel died here: every recorded kernel closed cleanly (or none was recorded yet).")
        return 0
    print(exit_.words)
    if args.svg:
        from pathlib import Path

        Path(args.svg).write_text(exit_.chart_svg())
        print(f"chart: {args.svg}")
    return 0


# --- staging (issue 5): `stage` and `push` -----------------------------------------------------


def _add_staging_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    stage = sub.add_parser("stage", help="put a dataset on local disk: verified, extracted, resumable",
                           description="SOURCE: a Drive link or ID (drive:ID), an http(s) URL, "
                                       "kaggle:owner/dataset, or a local/mounted path.")
    stage.add_argument("source")
    stage.add_argument("dest", nargs="?", default=None,
                       help="destination folder (default: /content/data/<name> in Colab, ./data/<name>)")
    stage.add_argument("--expected-hash", default=None, help='"sha256:<hex>" or "md5:<hex>" of a downloaded file')
    stage.add_argument("--no-extract", action="store_true", help="keep an archive as a file")
    stage.add_argument("--workers", type=_whole_number(1, 64, "workers"), default=None,
                       help="parallel downloads for a Drive folder")
    stage.add_argument("--via-copy", action="store_true",
                       help="Drive source: copy it into your Drive first (server-side) and stage the copy, "
                            "past a shared file's download quota")
    stage.set_defaults(handler=_run_stage)
    push = sub.add_parser("push", help="upload new or changed files of a local folder to a Drive folder, verified")
    push.add_argument("local")
    push.add_argument("drive_folder", help="Drive folder link or ID")
    push.set_defaults(handler=_run_push)
    restore = sub.add_parser("restore", help="put the newest complete checkpoint of a Drive folder back on local "
                                             "disk, md5-verified (the first cell of the next runtime)")
    restore.add_argument("drive_folder", help="Drive folder link or ID the checkpoints were kept in")
    restore.add_argument("local", nargs="?", default=".", help="where to put it (default: the current folder)")
    restore.add_argument("--pattern", default=None,
                         help="which top-level files or folders are checkpoints, e.g. 'epoch-*.pt' (default: all)")
    restore.set_defaults(handler=_run_restore)


def _run_stage(args: argparse.Namespace) -> int:
    from colab_panel.staging import stage
    from colab_panel.units import human_bytes

    result = stage(args.source, args.dest, expected_hash=args.expected_hash, progress="tqdm",
                   extract=not args.no_extract, workers=args.workers, via_copy=args.via_copy)
    note = " (already staged: nothing fetched)" if result.cached else ""
    print(f"{result.path}: {result.files} files, {human_bytes(result.bytes)}{note}")
    for line in result.notes:
        print(f"note: {line}")
    return 0


def _run_push(args: argparse.Namespace) -> int:
    from colab_panel.staging.sync import push

    print(push(args.local, args.drive_folder, progress="tqdm").summary())
    return 0


def _run_restore(args: argparse.Namespace) -> int:
    from colab_panel.checkpoints.restore import restore_latest

    print(f"restored {restore_latest(args.drive_folder, args.local, pattern=args.pattern)}")
    return 0


# --- drive (issue 4): `drive ls|get|download|upload` -------------------------------------------


def _add_drive_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    drive = sub.add_parser("drive", help="list, inspect, download and upload Google Drive files",
                           description="Any Drive ID or link works where an ID is asked for.")
    drive.add_argument("--auth", default="auto",
                       help="auto (default), colab, saved, service_account, client_secrets, emulator")
    drive.add_argument("--key-file", default=None, help="service-account key (with --auth service_account)")
    drive.add_argument("--client-secrets", default=None, help="OAuth client file (with --auth client_secrets)")
    verbs = drive.add_subparsers(dest="drive_command", required=True)
    ls = verbs.add_parser("ls", help="list a folder (default: My Drive)")
    ls.add_argument("folder", nargs="?", default="root")
    ls.add_argument("-r", "--recursive", action="store_true", help="everything below, as relative paths")
    get = verbs.add_parser("get", help="show an item's metadata")
    get.add_argument("item")
    get.add_argument("--json", action="store_true", help="print JSON")
    download = verbs.add_parser("download", help="download a file (md5-verified, resumable), or export a Google Doc")
    download.add_argument("item")
    download.add_argument("dest", nargs="?", default=".", help="file path or existing folder (default: .)")
    download.add_argument("--export", default="pdf", help="format for Google Docs/Sheets/Slides (default: pdf)")
    upload = verbs.add_parser("upload", help="upload a local file")
    upload.add_argument("path")
    upload.add_argument("--parent", default="root", help="Drive folder ID or link (default: My Drive)")
    _add_copy_verbs(verbs)
    drive.set_defaults(handler=_run_drive)


def _run_drive(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from colab_panel.drive.auth import connect
    from colab_panel.units import human_bytes

    def row(item) -> str:
        size = "-" if item.size_bytes is None else human_bytes(item.size_bytes)
        when = item.modified.strftime("%Y-%m-%d %H:%M") if item.modified else ""
        return f"{item.id}  {item.kind:<12} {size:>10}  {when:<16}  {item.title}"

    with connect(args.auth, key_file=args.key_file, client_secrets=args.client_secrets) as drive:
        if args.drive_command == "ls":
            if args.recursive:
                for path, item in drive.walk(args.folder):
                    print(f"{item.id}  {item.kind:<12} {path}{'/' if item.is_folder else ''}")
            else:
                for item in drive.list(args.folder):
                    print(row(item))
        elif args.drive_command == "get":
            item = drive.get(args.item)
            if args.json:
                print(json.dumps(asdict(item), default=str, indent=2))
            else:
                for name, value in asdict(item).items():
                    print(f"{name}: {value}")
        elif args.drive_command == "download":
            item = drive.resolve(args.item)
            if item.is_native:
                saved = drive.export(item, args.export, args.dest)
            else:
                saved = drive.download(item, args.dest)
            print(f"{saved} ({human_bytes(saved.stat().st_size)})")
        elif args.drive_command == "upload":
            item = drive.upload(args.path, args.parent)
            print(f"uploaded {item.title} as {item.id} ({human_bytes(item.size_bytes)})")
        else:
            _run_copy_verb(args, drive)
    return 0


# --- drive copy|shortcut (issue 19): copy instead of download -----------------------------------


def _add_copy_verbs(verbs: argparse._SubParsersAction[_Parser]) -> None:
    copy = verbs.add_parser("copy", help="'Copy to my Drive': copy a file or folder server-side (no download); "
                                         "rerun to finish an interrupted copy")
    copy.add_argument("item")
    copy.add_argument("--parent", default="root", help="Drive folder ID or link (default: My Drive)")
    copy.add_argument("--title", default=None, help="name of the copy (default: the original's)")
    shortcut = verbs.add_parser("shortcut", help="'Add to My Drive': a shortcut to a shared file or folder")
    shortcut.add_argument("item")
    shortcut.add_argument("--parent", default="root", help="Drive folder ID or link (default: My Drive)")


def _run_copy_verb(args: argparse.Namespace, drive) -> None:
    from colab_panel.drive.copying import add_shortcut, copy_to_my_drive

    if args.drive_command == "copy":
        print(copy_to_my_drive(args.item, parent=args.parent, title=args.title, drive=drive).describe())
    elif args.drive_command == "shortcut":
        item = add_shortcut(args.item, parent=args.parent, drive=drive)
        print(f"added a shortcut to {item.title} as {item.id}")


# --- share (issue 6): `share links|show|set|table` ---------------------------------------------


def _add_share_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    share = sub.add_parser("share", help="share links, and who can open a Drive item (changes need --yes)",
                           description="Any Drive ID or link works where an item is asked for. A change that "
                                       "widens access is only printed unless --yes is given.")
    share.add_argument("--auth", default="auto",
                       help="auto (default), colab, saved, service_account, client_secrets, emulator")
    verbs = share.add_subparsers(dest="share_command", required=True)
    links = verbs.add_parser("links", help="view/download/export links, gdown/wget/curl, embed, Markdown")
    links.add_argument("item")
    links.add_argument("--only", default=None, help="print just this link (e.g. download, gdown, markdown)")
    links.add_argument("--json", action="store_true", help="print JSON")
    show = verbs.add_parser("show", help="who can open it: owner, link sharing, people")
    show.add_argument("item")
    change = verbs.add_parser("set", help="change sharing of one or more items (all or nothing)")
    change.add_argument("items", nargs="+")
    change.add_argument("--anyone", default=None, metavar="ROLE", help="anyone with the link: reader, commenter, writer, or off")
    change.add_argument("--domain", default=None, metavar="ROLE", help="people in your domain: reader, commenter, writer, or off")
    change.add_argument("--person", action="append", default=[], metavar="EMAIL=ROLE",
                        help="a person or group and a role (none removes them); repeatable")
    change.add_argument("--notify", action="store_true", help="email the people added")
    change.add_argument("--yes", action="store_true", help="confirm: apply even though access widens")
    table = verbs.add_parser("table", help="every file of a folder with its link, as CSV or Markdown")
    table.add_argument("folder")
    table.add_argument("-r", "--recursive", action="store_true")
    table.add_argument("--format", choices=("csv", "md"), default="md")
    table.add_argument("-o", "--output", default=None, help="write to this .csv/.md file instead of printing")
    _add_link_check_verb(verbs)
    share.set_defaults(handler=_run_share)


def _run_share(args: argparse.Namespace) -> int:
    from colab_panel.share.command import run_share_command

    if args.share_command == "check":
        return _run_link_check(args)
    return run_share_command(args)


# --- share check (issue 19): will this link work for someone else? ------------------------------

EXIT_LINK_BROKEN = 3


def _add_link_check_verb(verbs: argparse._SubParsersAction[_Parser]) -> None:
    check = verbs.add_parser("check", help="will this link work for someone else? Opens it as a visitor with "
                                           "no Google account (exit 3 if it does not work)")
    check.add_argument("link")
    check.add_argument("--no-sign-in", action="store_true",
                       help="only the visitor's side: do not sign in to name the cause or plan the fix")
    check.add_argument("--fix", action="store_true", help="apply the sharing fix (needs --yes: it widens access)")
    check.add_argument("--yes", action="store_true", help="confirm the fix")


def _run_link_check(args: argparse.Namespace) -> int:
    from colab_panel.drive.auth import connect
    from colab_panel.share.link_check import check_link
    from colab_panel.share.web_fetch import WebFetcher

    fetch = WebFetcher.from_environment()
    if args.no_sign_in:
        verdict = check_link(args.link, fetch=fetch)
        print(verdict.describe())
        return 0 if verdict.works else EXIT_LINK_BROKEN
    with connect(args.auth) as drive:
        verdict = check_link(args.link, drive=drive, fetch=fetch)
        print(verdict.describe())
        if verdict.fix is None or not args.fix:
            if verdict.fix is not None:
                print("Run again with --fix --yes to apply:\n" + verdict.fix.describe())
            return 0 if verdict.works else EXIT_LINK_BROKEN
        if not args.yes:
            print(verdict.fix.describe() + "\nThis widens access: nothing was changed. Add --yes to apply it.")
            return 2
        from colab_panel.share.sharing import apply_plan

        record = apply_plan(verdict.fix, confirm=True, drive=drive)
        print("Applied. " + record.describe())
        after = check_link(args.link, fetch=fetch)
        print(after.describe())
        return 0 if after.works else EXIT_LINK_BROKEN


def _run_demo(args: argparse.Namespace) -> int:
    from colab_panel.demo.server import serve_demo

    serve_demo(port=args.port, open_browser=not args.no_browser)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command. Exit codes: 0 done, 1 failed (said in words), 2 arguments refused,
    130 Ctrl-C, 70 a bug (one line, no traceback unless COLAB_PANEL_DEBUG is set)."""
    _tolerate_unprintable_text()
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except PanelError as exc:
        print(f"colab-panel: {_one_paragraph(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so in one line; the traceback is for whoever debugs it
        if os.environ.get("COLAB_PANEL_DEBUG"):
            raise
        print(f"colab-panel: internal error ({type(exc).__name__}: {shorten(str(exc), 200)}). This is a bug in "
              "colab_panel; run again with COLAB_PANEL_DEBUG=1 to see where, and report it.", file=sys.stderr)
        return EXIT_BUG


def _one_paragraph(message: str) -> str:
    return shorten(re.sub(r"\n\s*\n", "\n", message.strip()), 1500)


def _tolerate_unprintable_text() -> None:
    """File names from Drive or argv (undecodable bytes arrive as surrogates) must not crash a print."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a stream that cannot change now: leave it
                pass


if __name__ == "__main__":
    raise SystemExit(main())
