"""The `colab-panel` command: `demo` now; each tab's issue adds its own subcommand."""

from __future__ import annotations

import argparse
import sys

from colab_panel.errors import PanelError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="colab-panel", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="serve a demo notebook with the panel on 127.0.0.1")
    demo.add_argument("--port", type=int, default=None, help="port to serve on (default: a free one)")
    demo.add_argument("--no-browser", action="store_true", help="print the URL, do not open a browser")
    demo.set_defaults(handler=_run_demo)
    return parser


def _run_demo(args: argparse.Namespace) -> int:
    from colab_panel.demo.server import serve_demo

    serve_demo(port=args.port, open_browser=not args.no_browser)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except PanelError as exc:
        print(f"colab-panel: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
