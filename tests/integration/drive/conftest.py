"""Fixtures for emulator integration tests: a seed tree, a manifest, a running emulator, real clients.

Every emulator is function-scoped (fault scripts and request counts must not leak between
tests) and closed at teardown; they bind 127.0.0.1 port 0.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from colab_panel.drive.emulator import DriveEmulator

DOC_ID = "1DocDocDocDocDocDocDocDocDocDoc00"
SHEET_ID = "1SheetSheetSheetSheetSheetSheet00"
KEYED_ID = "1KeyedKeyedKeyedKeyedKeyedKeyed00"
KEYED_KEY = "0-KeyedResourceKey12345"
ALICE_FILE_ID = "1AliceAliceAliceAliceAliceAlice00"
SHORTCUT_ID = "1ShortShortShortShortShortShort00"
BOB_TOKEN = "bob-token"
CAROL_TOKEN = "carol-token"
MANY = 20  # files in many/: three pages of at most 7


def _payload(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    root = tmp_path / "seed"
    (root / "many").mkdir(parents=True)
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"hello drive\n")
    (root / "big.bin").write_bytes(_payload(300_000, 1))
    (root / "empty.bin").write_bytes(b"")
    (root / "sub" / "nested.txt").write_bytes(b"nested\n")
    for index in range(MANY):
        (root / "many" / f"f{index:02d}.txt").write_bytes(f"file {index}\n".encode())
    return root


@pytest.fixture
def manifest() -> dict[str, Any]:
    return {
        "accounts": [
            {"email": "alice@example.com", "name": "Alice", "token": "alice-token"},
            {"email": "bob@example.com", "name": "Bob", "token": BOB_TOKEN},
            {"email": "carol@corp.example", "name": "Carol", "token": CAROL_TOKEN, "domainSharingPolicy": "disallowed"},
        ],
        "items": [
            {"title": "Notes", "id": DOC_ID, "mimeType": "application/vnd.google-apps.document", "content": "meeting notes\n"},
            {"title": "Budget", "id": SHEET_ID, "mimeType": "application/vnd.google-apps.spreadsheet", "content": "a,b\n1,2\n"},
            {"title": "to notes", "id": SHORTCUT_ID, "shortcutTo": DOC_ID},
            {
                "title": "link-shared.txt",
                "id": KEYED_ID,
                "owner": "alice@example.com",
                "content": "only with the key\n",
                "resourceKey": KEYED_KEY,
                "requiresResourceKey": True,
                "permissions": [{"type": "anyone", "role": "reader", "withLink": True}],
            },
            {
                "title": "alice-shares-with-everyone.txt",
                "id": ALICE_FILE_ID,
                "owner": "alice@example.com",
                "content": "alice's\n",
                "permissions": [
                    {"type": "user", "role": "reader", "emailAddress": "bob@example.com"},
                    {"type": "user", "role": "writer", "emailAddress": "me@example.com"},
                ],
            },
        ],
    }


@pytest.fixture
def emulator(seed_dir: Path, manifest: dict[str, Any]) -> Iterator[DriveEmulator]:
    with DriveEmulator(root=seed_dir, manifest=manifest, max_page_size=7) as emu:
        yield emu


@pytest.fixture
def service(emulator: DriveEmulator) -> Any:
    return emulator.build_service()


@pytest.fixture
def drive(emulator: DriveEmulator) -> Any:
    return emulator.pydrive2_drive()


@pytest.fixture
def known() -> SimpleNamespace:
    """The manifest's fixed IDs and tokens (a fixture, not an import: test modules are importlib-safe)."""
    return SimpleNamespace(
        doc_id=DOC_ID,
        sheet_id=SHEET_ID,
        keyed_id=KEYED_ID,
        keyed_key=KEYED_KEY,
        alice_file_id=ALICE_FILE_ID,
        shortcut_id=SHORTCUT_ID,
        bob_token=BOB_TOKEN,
        carol_token=CAROL_TOKEN,
        many=MANY,
    )


@pytest.fixture
def emulator_env(emulator: DriveEmulator, monkeypatch: pytest.MonkeyPatch) -> DriveEmulator:
    """`emulator`, named by the environment: `colab_panel.drive.connect()` (and every call that
    signs in for itself) uses it."""
    from colab_panel.demo.drive_sample import emulator_env as variables

    for name, value in variables(emulator).items():
        monkeypatch.setenv(name, value)
    return emulator


@pytest.fixture
def child(emulator: DriveEmulator) -> Callable[[str, str], Any]:
    """child(parent_id, title): the store item titled `title` under `parent_id` (setup shortcut, not a client call)."""

    def find(parent_id: str, title: str) -> Any:
        matches = [item for item in emulator.store.children(parent_id) if item.title == title]
        assert len(matches) == 1, f"expected one {title!r} under {parent_id}, found {len(matches)}"
        return matches[0]

    return find
