"""Fixtures for share tests: an emulator seeded with items to share, and real `Drive` clients.

Accounts: me@example.com (the default token, owns most items), alice (owns a file shared
with me as reader only: I may not share it), carol@corp.example (her admin disallows sharing
outside corp.example). Retries are made fast (a 429 costs milliseconds, not seconds).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.drive.retry import RetryPolicy

FILE_ID = "1ReportReportReportReportReport00"
DOC_ID = "1ShareDocShareDocShareDocShareD00"
FOLDER_ID = "1FolderFolderFolderFolderFolder00"
READONLY_ID = "1ReadOnlyReadOnlyReadOnlyReadOn00"
CAROL_FILE_ID = "1CarolCarolCarolCarolCarolCarol00"
KEYED_ID = "1KeyedShareKeyedShareKeyedShare00"
KEYED_KEY = "0-ShareKey123"
BATCH = 4
CAROL_TOKEN = "carol-token"


def _manifest() -> dict[str, Any]:
    return {
        "accounts": [
            {"email": "alice@example.com", "name": "Alice", "token": "alice-token"},
            {"email": "bob@example.com", "name": "Bob", "token": "bob-token"},
            {"email": "carol@corp.example", "name": "Carol", "token": CAROL_TOKEN,
             "domainSharingPolicy": "disallowed"},
        ],
        "items": [
            {"title": "report.txt", "id": FILE_ID, "content": "numbers\n"},
            {"title": "Plan", "id": DOC_ID, "mimeType": "application/vnd.google-apps.document",
             "content": "the plan\n"},
            {"title": "datasets", "id": FOLDER_ID, "children": [
                {"title": f"part{i}.csv", "id": f"1Part{i}Part{i}Part{i}Part{i}Part{i}Part{i}P00"[:33],
                 "content": f"{i}\n"} for i in range(BATCH)]},
            {"title": "alice-readonly.txt", "id": READONLY_ID, "owner": "alice@example.com",
             "content": "look, don't share\n",
             "permissions": [{"type": "user", "role": "reader", "emailAddress": "me@example.com"}]},
            {"title": "carol.txt", "id": CAROL_FILE_ID, "owner": "carol@corp.example", "content": "c\n"},
            {"title": "keyed.bin", "id": KEYED_ID, "content": "k", "resourceKey": KEYED_KEY},
        ],
    }


def _fast_retry() -> RetryPolicy:
    return RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05, max_total_s=5)


@pytest.fixture
def emulator() -> Iterator[DriveEmulator]:
    with DriveEmulator(manifest=_manifest(), max_page_size=7) as emu:
        yield emu


@pytest.fixture
def drive(emulator: DriveEmulator) -> Iterator[Drive]:
    with Drive.for_emulator(emulator.base_url, emulator.token, emulator.ca_cert_path, retry=_fast_retry()) as drive:
        yield drive


@pytest.fixture
def carol_drive(emulator: DriveEmulator) -> Iterator[Drive]:
    with Drive.for_emulator(emulator.base_url, CAROL_TOKEN, emulator.ca_cert_path, retry=_fast_retry()) as drive:
        yield drive


@pytest.fixture
def known() -> SimpleNamespace:
    return SimpleNamespace(file_id=FILE_ID, doc_id=DOC_ID, folder_id=FOLDER_ID, readonly_id=READONLY_ID,
                           carol_file_id=CAROL_FILE_ID, keyed_id=KEYED_ID, keyed_key=KEYED_KEY, batch=BATCH)


@pytest.fixture
def grants(emulator: DriveEmulator):
    """grants(file_id) -> {(type, who, with_link): role} straight from the emulator's store
    (with_link is True for people: it only means something for anyone/domain grants)."""

    def read(file_id: str) -> dict[tuple[str, str, bool], str]:
        with emulator.store.lock:
            item = emulator.store.get(file_id)
            return {(p.type, (p.email or p.domain or "").lower(), p.with_link or p.type in ("user", "group")): p.role
                    for p in item.permissions}

    return read


@pytest.fixture
def nth_call():
    """nth_call(n, suffix): a fault `path` matcher true only for the n-th request whose path ends so."""

    def make(n: int, suffix: str):
        seen = [0]

        def matches(info) -> bool:
            if not info.path.endswith(suffix):
                return False
            seen[0] += 1
            return seen[0] == n

        return matches

    return make
