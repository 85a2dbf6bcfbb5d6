"""Only `colab_panel.drive` builds Drive API requests: every other module goes through the client
(`DriveClient`), never googleapiclient, PyDrive2 or the modules under `Drive` that build requests."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "colab_panel"
REQUEST_BUILDERS = ("googleapiclient", "pydrive2", "colab_panel.drive.upload", "colab_panel.drive.create_once",
                    "colab_panel.drive.transfers", "colab_panel.drive.connection")
DRIVE_PRIVATES = ("_files", "_add_key_header", "_seen", "_seen_page", "_http")


def _outside_drive() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] != "drive")


def _offences(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        found += [f"imports {n}" for n in names if n.startswith(REQUEST_BUILDERS)]
        if isinstance(node, ast.Attribute) and node.attr in DRIVE_PRIVATES:
            found.append(f"uses Drive.{node.attr} (line {node.lineno})")
    return found


def test_the_checker_sees_an_import_and_a_private_call(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f(drive):\n    from colab_panel.drive.upload import send_file\n    return drive._files()\n")
    assert _offences(module) == ["imports colab_panel.drive.upload", "uses Drive._files (line 3)"]


def test_no_module_outside_the_drive_package_builds_drive_requests() -> None:
    offences = {str(p.relative_to(PACKAGE)): o for p in _outside_drive() if (o := _offences(p))}
    assert offences == {}
