"""Emulator pieces that need no server: seeding, Range parsing, multipart parsing, partial responses."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from colab_panel.drive.emulator.errors import ApiError
from colab_panel.drive.emulator.fields import apply_fields, parse_fields
from colab_panel.drive.emulator.media import parse_range
from colab_panel.drive.emulator.seed import seed_directory, seed_manifest
from colab_panel.drive.emulator.store import FOLDER_MIME, SHORTCUT_MIME, Store
from colab_panel.drive.emulator.uploads import parse_multipart


def test_directory_seed_mirrors_the_tree_and_serves_original_bytes(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "nested" / "deeper").mkdir(parents=True)
    (source / "a.txt").write_bytes(b"alpha")
    (source / "nested" / "deeper" / "z.bin").write_bytes(bytes(range(256)) * 10)
    (source / "loop").symlink_to(source)  # must be skipped, not followed
    store = Store(tmp_path / "blobs")
    (tmp_path / "blobs").mkdir()

    assert seed_directory(store, source) == 4

    top = {item.title: item for item in store.children(store.root_id)}
    assert set(top) == {"a.txt", "nested"}
    assert top["nested"].mime_type == FOLDER_MIME
    assert top["a.txt"].blob == (source / "a.txt").resolve()
    assert store.md5_of(top["a.txt"]) == hashlib.md5(b"alpha").hexdigest()
    deeper = store.children(top["nested"].id)[0]
    z = store.children(deeper.id)[0]
    assert (z.title, z.size) == ("z.bin", 2560)
    assert [parent.title for parent in store.ancestors(z)] == ["deeper", "nested", "My Drive"]


def test_manifest_seed_declares_natives_shortcuts_keys_owners_and_tokens(tmp_path: Path) -> None:
    store = Store(tmp_path)
    tokens = seed_manifest(
        store,
        {
            "accounts": [{"email": "alice@example.com", "name": "Alice", "token": "alice-token"}],
            "items": [
                {
                    "title": "data",
                    "id": "1DataFolderIdDataFolderId00000000",
                    "children": [
                        {"title": "a.txt", "content": "hi"},
                        {"title": "Notes", "mimeType": "application/vnd.google-apps.document", "content": "text"},
                        {"title": "link", "shortcutTo": "1DataFolderIdDataFolderId00000000"},
                    ],
                },
                {
                    "title": "keyed",
                    "owner": "alice@example.com",
                    "resourceKey": "0-key",
                    "requiresResourceKey": True,
                    "contentBase64": "AAEC",
                    "permissions": [{"type": "anyone", "role": "reader", "withLink": True}],
                },
            ],
        },
    )
    assert tokens == {"alice-token": "alice@example.com"}
    children = {item.title: item for item in store.children("1DataFolderIdDataFolderId00000000")}
    assert children["a.txt"].blob is not None and children["a.txt"].blob.read_bytes() == b"hi"
    assert children["Notes"].is_native and children["Notes"].native_text == "text" and children["Notes"].blob is None
    assert children["link"].mime_type == SHORTCUT_MIME
    assert children["link"].shortcut_target == "1DataFolderIdDataFolderId00000000"
    keyed = store.children(store.account("alice@example.com").root_id)[0]
    assert (keyed.owner, keyed.resource_key, keyed.requires_resource_key, keyed.size) == ("alice@example.com", "0-key", True, 3)
    assert keyed.permissions[0].id == "anyoneWithLink"


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 10, None),
        ("bytes=0-3", 10, (0, 3)),
        ("bytes=4-", 10, (4, 9)),
        ("bytes=-3", 10, (7, 9)),
        ("bytes=-30", 10, (0, 9)),
        ("bytes=5-100", 10, (5, 9)),
        ("bytes=9-9", 10, (9, 9)),
        ("bytes=3-1", 10, None),  # invalid: ignored, whole body
        ("bytes=0-1,4-5", 10, None),  # multi-range: ignored
        ("items=0-1", 10, None),
    ],
)
def test_range_parsing(header: str | None, size: int, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize(("header", "size"), [("bytes=10-", 10), ("bytes=0-", 0), ("bytes=-0", 10), ("bytes=-5", 0)])
def test_unsatisfiable_range_is_416_with_content_range(header: str, size: int) -> None:
    with pytest.raises(ApiError) as caught:
        parse_range(header, size)
    assert caught.value.status == 416
    assert caught.value.headers["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_multipart_related_keeps_binary_media_intact(newline: bytes) -> None:
    media = b"line1\nline2\r\n--not-a-boundary\r\x00\xff"
    body = newline.join(
        [
            b"--BOUND",
            b"Content-Type: application/json",
            b"",
            b'{"title": "x.bin"}',
            b"--BOUND",
            b"Content-Type: application/octet-stream",
            b"Content-Transfer-Encoding: binary",
            b"",
            media,
            b"--BOUND--",
            b"",
        ]
    )
    metadata, content, mime = parse_multipart('multipart/related; boundary="BOUND"', body)
    assert metadata == {"title": "x.bin"}
    assert content == media
    assert mime == "application/octet-stream"


def test_multipart_without_two_parts_is_refused() -> None:
    with pytest.raises(ApiError) as caught:
        parse_multipart("multipart/related; boundary=B", b"--B\n\n{}\n--B--\n")
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("id", {"id": "1"}),
        ("id,title", {"id": "1", "title": "t"}),
        ("items(id)", {"items": [{"id": "a"}, {"id": "b"}]}),
        ("items/id,nextPageToken", {"items": [{"id": "a"}, {"id": "b"}], "nextPageToken": "n"}),
        ("parents(id),labels/trashed", {"parents": [{"id": "p"}], "labels": {"trashed": False}}),
        ("*", None),
        ("missing", {}),
    ],
)
def test_partial_responses(spec: str, expected: object) -> None:
    value = {
        "id": "1",
        "title": "t",
        "items": [{"id": "a", "title": "x"}, {"id": "b", "title": "y"}],
        "nextPageToken": "n",
        "parents": [{"id": "p", "isRoot": True}],
        "labels": {"trashed": False, "starred": True},
    }
    assert apply_fields(value, parse_fields(spec)) == (value if expected is None else expected)


@pytest.mark.parametrize("spec", ["items(id", "a,,b", "a//b", ")"])
def test_malformed_field_selectors_are_400(spec: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_fields(spec)
    assert caught.value.status == 400
