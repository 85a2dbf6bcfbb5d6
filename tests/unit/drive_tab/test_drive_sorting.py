"""How the Drive tab orders a listing and what each row says: folders first, then by the column
chosen; unknown sizes and dates last whichever way; names never cut."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from colab_panel.controllers.drive import sort_items
from colab_panel.drive.items import FOLDER_MIME, DriveItem, DriveUser
from colab_panel.views.drive import error_html
from colab_panel.views.drive_rows import icon_kind, table_row


def item(title: str, size: int | None = None, day: int | None = None, owner: str = "", mime: str = "text/plain") -> DriveItem:
    return DriveItem(id=f"id-{title}", title=title, mime_type=mime, size_bytes=size,
                     modified=datetime(2026, 1, day, tzinfo=timezone.utc) if day else None,
                     owners=(DriveUser(owner, f"{owner}@x"),) if owner else ())


ITEMS = [item("b.txt", 10, 3, "Zoe"), item("A.csv", 300, 1, "ada"), item("docs", mime=FOLDER_MIME),
         item("c.bin", None, None, "Bob"), item("Data", mime=FOLDER_MIME)]


@pytest.mark.parametrize(("key", "descending", "expected"), [
    ("name", False, ["Data", "docs", "A.csv", "b.txt", "c.bin"]),
    ("name", True, ["docs", "Data", "c.bin", "b.txt", "A.csv"]),
    ("size", False, ["Data", "docs", "b.txt", "A.csv", "c.bin"]),
    ("size", True, ["Data", "docs", "A.csv", "b.txt", "c.bin"]),  # unknown size last both ways
    ("modified", True, ["Data", "docs", "b.txt", "A.csv", "c.bin"]),
    ("owner", False, ["Data", "docs", "A.csv", "c.bin", "b.txt"]),
])
def test_sort_keeps_folders_first(key: str, descending: bool, expected: list[str]) -> None:
    assert [i.title for i in sort_items(ITEMS, key, descending)] == expected


def test_rows_carry_the_whole_name_and_an_icon_kind() -> None:
    long = "a-very-long-dataset-name-that-a-list-box-cut-at-31-characters-v2.tar.gz"
    row = table_row(item(long, 5, 2, "Ada"))
    assert row[2] == long and row[1] == "archive" and row[3] == 5 and row[5] == "Ada" and row[6] == 0
    assert table_row(ITEMS[2])[1:] == ["folder", "docs", None, None, "", 1]
    assert icon_kind(item("Notes", mime="application/vnd.google-apps.document")) == "doc"
    assert icon_kind(item("photo", mime="image/png")) == "image"


def test_errors_are_one_short_line_with_the_detail_a_click_away() -> None:
    short = error_html("Paste a Drive link or ID first.")
    assert "<details>" not in short and "Paste a Drive link" in short
    long = error_html("No Google Drive credentials are available. In Colab, run the panel in a Colab notebook and "
                      "allow Drive access when asked. In local Jupyter, run connect(...).")
    assert long.startswith("<details><summary>No Google Drive credentials are available.</summary>")
    assert "In local Jupyter" in long.split("</summary>")[1]
    assert "&lt;b&gt;" in error_html("<b>not html</b>")
