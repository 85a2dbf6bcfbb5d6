"""Run the Drive emulator by hand: ``python -m colab_panel.drive.emulator --root DIR [--port N]``.

Prints the root folder ID, base URL, CA certificate path and bearer token, then serves
until Ctrl-C. Point a client at it with `colab_panel.drive.emulator.client.build_service`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from colab_panel.drive.emulator.server import DriveEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m colab_panel.drive.emulator", description="A loopback Google Drive API v2 emulator.")
    parser.add_argument("--root", type=Path, help="directory whose tree becomes My Drive")
    parser.add_argument("--manifest", type=Path, help="JSON manifest of items, accounts and permissions")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (default) picks a free port")
    parser.add_argument("--token", help="bearer token to accept (default: a random one, printed)")
    parser.add_argument("--page-size", type=int, default=7, help="largest page files.list returns (default 7, Drive's is 1000)")
    parser.add_argument("--idle-timeout", type=float, default=30.0, help="seconds a keep-alive connection may sit idle before it is closed (default 30)")
    args = parser.parse_args(argv)
    if args.root is None and args.manifest is None:
        parser.error("give --root DIR and/or --manifest FILE")

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with DriveEmulator(root=args.root, manifest=args.manifest, host=args.host, port=args.port, token=args.token, max_page_size=args.page_size, idle_timeout_s=args.idle_timeout) as emu:
        print(f"root folder ID: {emu.root_id}")
        print(f"base URL:       {emu.base_url}")
        print(f"API endpoint:   {emu.api_endpoint}")
        print(f"CA cert:        {emu.ca_cert_path}")
        print(f"token:          {emu.token}")
        print("serving; Ctrl-C to stop", flush=True)
        while not stop.wait(0.5):
            pass
    print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
