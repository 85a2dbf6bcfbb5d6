"""The emulator's `q` parser: the subset of Drive's search language clients send, and 400s for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from colab_panel.drive.emulator.access import access_for
from colab_panel.drive.emulator.errors import ApiError
from colab_panel.drive.emulator.query import QueryContext, compile_query
from colab_panel.drive.emulator.store import FOLDER_MIME, Item, Permission, Store


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Store, dict[str, Item]]:
    store = Store(tmp_path)
    root = store.root_id
    items = {
        "data": Item(id="1data", title="data", mime_type=FOLDER_MIME, parents=[root], owner="me@example.com"),
        "hello": Item(id="1hello", title="Hello World.txt", mime_type="text/plain", parents=[root], owner="me@example.com"),
        "hw": Item(id="1hw", title="HelloWorld.csv", mime_type="text/csv", parents=["1data"], owner="me@example.com"),
        "quote": Item(id="1quote", title="it's here", mime_type="text/plain", parents=["1data"], owner="me@example.com", starred=True),
        "old": Item(id="1old", title="old.bin", mime_type="application/octet-stream", parents=["1data"], owner="me@example.com", explicitly_trashed=True),
        "shared": Item(
            id="1shared",
            title="from alice",
            mime_type="application/vnd.google-apps.document",
            parents=["elsewhere"],
            owner="alice@example.com",
            permissions=[Permission(id="1", type="user", role="writer", email="me@example.com")],
            native_text="quarterly numbers",
        ),
    }
    for item in items.values():
        store.add(item)
    store.add_account("alice@example.com")
    return store, items


def run(store: Store, items: dict[str, Item], q: str) -> set[str]:
    context = QueryContext(
        email="me@example.com",
        root_id=store.root_id,
        is_trashed=store.is_trashed,  # type: ignore[arg-type]
        role_of=lambda item, email: access_for(store, item, email).role,  # type: ignore[arg-type]
    )
    predicate = compile_query(q)
    return {name for name, item in items.items() if predicate(item, context)}


CASES = [
    ("'root' in parents", {"data", "hello"}),
    ("'1data' in parents", {"hw", "quote", "old"}),
    ("'1data' in parents and trashed = false", {"hw", "quote"}),
    ("'1data' in parents and trashed=true", {"old"}),
    ("trashed != true and '1data' in parents", {"hw", "quote"}),
    ("title = 'data'", {"data"}),
    ("title != 'data' and 'root' in parents", {"hello"}),
    ("title contains 'hello'", {"hello", "hw"}),
    ("title contains 'world'", {"hello"}),  # word prefix: 'HelloWorld' does not match
    ("title contains 'it\\'s'", {"quote"}),
    ("mimeType = 'application/vnd.google-apps.folder'", {"data"}),
    ("mimeType != 'application/vnd.google-apps.folder' and 'root' in parents", {"hello"}),
    ("'root' in parents or '1data' in parents", {"data", "hello", "hw", "quote", "old"}),
    ("not 'root' in parents and not '1data' in parents", {"shared"}),
    ("('root' in parents or '1data' in parents) and (mimeType = 'text/csv' or starred = true)", {"hw", "quote"}),
    ("'1data' in parents AND NOT (title = 'old.bin')", {"hw", "quote"}),
    ("sharedWithMe", {"shared"}),
    ("'alice@example.com' in owners", {"shared"}),
    ("'me' in writers and title contains 'from'", {"shared"}),
    ("fullText contains 'QUARTERLY'", {"shared"}),
    ("modifiedDate > '2000-01-01T00:00:00Z' and title = 'data'", {"data"}),
    ("modifiedDate < '2000-01-01T00:00:00' and title = 'data'", set()),
    ("", {"data", "hello", "hw", "quote", "old", "shared"}),
]


@pytest.mark.parametrize(("q", "expected"), CASES)
def test_query_selects_exactly(tree: tuple[Store, dict[str, Item]], q: str, expected: set[str]) -> None:
    store, items = tree
    assert run(store, items, q) == expected


def test_trashing_a_folder_trashes_what_is_inside(tree: tuple[Store, dict[str, Item]]) -> None:
    store, items = tree
    items["data"].explicitly_trashed = True
    assert run(store, items, "trashed = true") == {"data", "hw", "quote", "old"}


@pytest.mark.parametrize(
    "q",
    [
        "title = ",
        "title = data",
        "'x' in",
        "'x' in children",
        "size > '3'",
        "(title = 'a'",
        "title = 'a')",
        "title = 'a' and",
        "trashed = 'yes'",
        "title contains true",
        "fullText = 'x'",
        "modifiedDate > 'yesterday'",
        "title = 'unterminated",
        "title ~ 'a'",
        "'a' = title",
    ],
)
def test_malformed_queries_are_400_invalid_on_q(q: str) -> None:
    with pytest.raises(ApiError) as caught:
        compile_query(q)
    error = caught.value
    assert (error.status, error.reason, error.location) == (400, "invalid", "q")
    body = error.to_json()["error"]
    assert body["code"] == 400 and body["errors"][0]["reason"] == "invalid"
