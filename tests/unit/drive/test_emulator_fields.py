"""The emulator's `fields=` selectors: which fields a partial-response spec asks for."""

from __future__ import annotations

import pytest

from colab_panel.drive.emulator.fields import apply_fields, parse_fields, selects


@pytest.mark.parametrize(
    ("spec", "path", "expected"),
    [
        (None, ("permissions",), False),
        ("", ("permissions",), False),
        ("permissions", ("permissions",), True),
        ("id,title", ("permissions",), False),
        ("*", ("permissions",), True),
        ("items(id,permissions/role)", ("items", "permissions"), True),
        ("items(id,title)", ("items", "permissions"), False),
        ("items", ("items", "permissions"), True),  # a parent taken whole brings all its fields
        ("items/*", ("items", "permissions"), True),
        ("nextPageToken", ("items", "permissions"), False),
    ],
)
def test_selects(spec: str | None, path: tuple[str, ...], expected: bool) -> None:
    assert selects(spec, *path) is expected


def test_apply_fields_keeps_selected_parts_of_list_elements() -> None:
    value = {"items": [{"id": "a", "title": "t", "labels": {"starred": True, "trashed": False}}], "etag": "e"}
    assert apply_fields(value, parse_fields("items(id,labels/starred)")) == {"items": [{"id": "a", "labels": {"starred": True}}]}
