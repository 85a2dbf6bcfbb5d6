"""`FileTable`'s kernel side: the first rows travel with the table, the rest in blocks on request,
and a click made on rows that have moved since (a stale version) is dropped, not misapplied."""

from __future__ import annotations

from dataclasses import dataclass

from colab_panel.widgets.file_table import HEAD_ROWS, MAX_BLOCK, FileTable


@dataclass(frozen=True)
class Thing:
    id: str
    title: str


def row_of(item: Thing) -> list:
    return [item.id, "file", item.title, None, None, "", 0]


def make(n: int) -> tuple[FileTable, list[Thing], list[dict]]:
    table = FileTable()
    sent: list[dict] = []
    table.send = sent.append  # what would go to the page
    things = [Thing(f"id{i}", f"name {i}") for i in range(n)]
    table.show(things, row_of)
    return table, things, sent


def page_says(table: FileTable, content: dict) -> None:
    table._on_page_msg(table, content, [])


def test_only_the_head_travels_with_the_table_and_blocks_follow_on_request() -> None:
    table, _, sent = make(10_000)
    assert table.row_count == 10_000 and len(table.head) == HEAD_ROWS
    page_says(table, {"type": "rows", "version": table.version, "start": 9_900, "count": 200})
    assert sent[-1]["start"] == 9_900 and [r[0] for r in sent[-1]["rows"]] == [f"id{i}" for i in range(9_900, 10_000)]
    page_says(table, {"type": "rows", "version": table.version, "start": 0, "count": 10_000})
    assert len(sent[-1]["rows"]) == MAX_BLOCK  # one answer stays small


def test_a_request_for_an_old_version_is_not_answered() -> None:
    table, things, sent = make(300)
    old = table.version
    table.show(things[::-1], row_of)
    page_says(table, {"type": "rows", "version": old, "start": 200, "count": 100})
    assert sent == []


def test_selection_by_ranges_reports_ids_and_survives_a_resort() -> None:
    table, things, _ = make(50)
    picked: list[list[str]] = []
    table.on_select(picked.append)
    page_says(table, {"type": "select", "version": table.version, "ranges": [[2, 4], [10, 11]], "cursor": 10})
    assert picked == [["id2", "id3", "id10"]] and table.cursor_id == "id10"
    table.show(things[::-1], row_of, selected_ids=picked[-1], cursor_id="id10")  # re-sorted
    assert table.selected_ranges == [[39, 40], [46, 48]] and table.cursor == 39
    page_says(table, {"type": "select", "version": table.version - 1, "ranges": [[0, 1]], "cursor": 0})
    assert len(picked) == 1  # stale: dropped


def test_open_up_action_and_answer_reach_their_callbacks() -> None:
    table, _, _ = make(3)
    heard: list[tuple] = []
    table.on_open(lambda i: heard.append(("open", i)))
    table.on_up(lambda: heard.append(("up",)))
    table.on_action(lambda name: heard.append(("action", name)))
    table.on_answer(lambda yes: heard.append(("answer", yes)))
    table.ask("Trash 3 items?", "Move to trash")
    for content in ({"type": "open", "id": "id1"}, {"type": "up"}, {"type": "action", "name": "trash"},
                    {"type": "answer", "yes": True}, {"type": "open", "id": 5}, "garbage"):
        page_says(table, content)  # type: ignore[arg-type]
    assert heard == [("open", "id1"), ("up",), ("action", "trash"), ("answer", True)]
    assert table.prompt == ""  # answered: the question goes away


def test_the_page_hears_which_of_its_selections_was_applied() -> None:
    table, _, _ = make(10)
    page_says(table, {"type": "select", "version": table.version, "ranges": [[0, 1]], "cursor": 0, "seq": 7})
    assert table.page_seq == 7 and table.selected_ranges == [[0, 1]]
    table.mark(["id3"], "id3")  # a selection made by the kernel keeps the number
    assert table.page_seq == 7 and table.selected_ranges == [[3, 4]]
