"""A folder's files as a table, and batch sharing that is all or nothing, over real HTTPS."""

from __future__ import annotations

import csv
import io

import pytest

from colab_panel.errors import ConfirmationRequired
from colab_panel.share import (BatchShareFailed, ShareHistory, export_table, folder_table, revoke_last,
                               share_batch, table_csv, table_markdown)


@pytest.fixture
def history() -> ShareHistory:
    return ShareHistory()


def _anyone(grants, ids):
    return {file_id: grants(file_id).get(("anyone", "", True)) for file_id in ids}


def test_folder_table_lists_every_file_with_its_link(drive, known, tmp_path):
    rows = folder_table(f"https://drive.google.com/drive/folders/{known.folder_id}", drive=drive)
    assert [r.name for r in rows] == [f"part{i}.csv" for i in range(known.batch)]
    assert all(r.link == f"https://drive.google.com/file/d/{r.id}/view" for r in rows)
    parsed = list(csv.DictReader(io.StringIO(table_csv(rows))))
    assert [(p["name"], p["id"], p["link"]) for p in parsed] == [(r.name, r.id, r.link) for r in rows]
    markdown = table_markdown(rows)
    assert markdown.splitlines()[0] == "| Name | ID | Link | Direct download |" and len(markdown.splitlines()) == 2 + known.batch
    written = export_table(rows, tmp_path / "links.md")
    assert written.read_text() == markdown
    assert [p.name for p in tmp_path.iterdir()] == ["links.md"]  # no temp file left


def test_batch_without_confirm_changes_nothing(drive, emulator, known, grants, history):
    rows = folder_table(known.folder_id, drive=drive)
    posts = emulator.requests.count(method="POST")
    with pytest.raises(ConfirmationRequired, match=f"widen access to {known.batch} item"):
        share_batch(rows, anyone="reader", drive=drive, history=history)
    assert emulator.requests.count(method="POST") == posts
    assert set(_anyone(grants, [r.id for r in rows]).values()) == {None}


def test_batch_applies_to_all_and_one_undo_revokes_all(drive, known, grants, history):
    rows = folder_table(known.folder_id, drive=drive)
    report = share_batch(rows, anyone="reader", confirm=True, drive=drive, history=history)
    assert report.ok and [r.file_id for r in report.changed] == [r.id for r in rows]
    assert set(_anyone(grants, [r.id for r in rows]).values()) == {"reader"}
    again = share_batch(rows, anyone="reader", confirm=True, drive=drive, history=history)
    assert again.changed == () and again.unchanged == tuple(r.id for r in rows)
    revoke_last(history=history, drive=drive)
    assert set(_anyone(grants, [r.id for r in rows]).values()) == {None}


def test_failure_mid_batch_rolls_back_and_reports_exactly(drive, emulator, known, grants, history):
    rows = folder_table(known.folder_id, drive=drive)
    ids = [r.id for r in rows]
    emulator.faults.fail(status=403, reason="insufficientFilePermissions", method="POST",
                         path=f"/files/{ids[2]}/permissions", message="The user does not have sufficient permissions")
    with pytest.raises(BatchShareFailed) as caught:
        share_batch(rows, anyone="reader", confirm=True, drive=drive, history=history)
    report = caught.value.report
    assert report.failed is not None and report.failed[0] == ids[2]
    assert "no right to change who can open part2.csv" in report.failed[1]
    assert report.rolled_back == (ids[1], ids[0])
    assert report.not_attempted == (ids[3],)
    assert report.changed == ()  # nothing left exposed
    assert set(_anyone(grants, ids).values()) == {None}
    assert f"Not touched: {ids[3]}" in str(caught.value)
    assert len(history) == 0


def test_a_rollback_that_fails_is_named_in_the_report(drive, emulator, known, grants, history, nth_call):
    rows = folder_table(known.folder_id, drive=drive)
    ids = [r.id for r in rows]
    emulator.faults.fail(status=404, reason="notFound", method="POST", path=f"/files/{ids[2]}/permissions")
    # The rollback of the first file is refused too (not retried: a 403 that is not a rate limit).
    emulator.faults.fail(status=403, reason="insufficientFilePermissions", method="DELETE",
                         path=f"/files/{ids[0]}/permissions/anyoneWithLink")
    with pytest.raises(BatchShareFailed) as caught:
        share_batch(rows, anyone="reader", confirm=True, drive=drive, history=history)
    report = caught.value.report
    assert not emulator.faults.pending
    assert report.rolled_back == (ids[1],)
    assert [r.file_id for r in report.changed] == [ids[0]]
    assert "Still changed (could not be put back): part0.csv (anyone with the link" in report.describe()
    assert _anyone(grants, ids) == {ids[0]: "reader", ids[1]: None, ids[2]: None, ids[3]: None}


def test_batch_rate_limits_are_retried(drive, emulator, known, grants, history):
    rows = folder_table(known.folder_id, drive=drive)
    emulator.faults.fail(status=403, reason="sharingRateLimitExceeded", method="POST", path="/permissions", times=3)
    report = share_batch(rows, people=[("bob@example.com", "reader", False)], confirm=True, drive=drive, history=history)
    assert report.ok and not emulator.faults.pending
    assert all(grants(r.id) == {("user", "bob@example.com", True): "reader"} for r in rows)


def test_folder_table_has_a_direct_download_link_and_a_dash_for_folders(drive, known):
    from colab_panel.drive.parse import parse_drive_link
    from colab_panel.views.share_html import batch_html

    rows = folder_table(known.folder_id, include_folders=True, drive=drive)
    files = [r for r in rows if r.kind != "folder"]
    assert files and all("export=download" in r.download for r in files)
    # Drive's own webContentLink when the API gives it, and the link parses back to the item.
    assert all(parse_drive_link(r.download).id == r.id for r in files)
    parsed = list(csv.DictReader(io.StringIO(table_csv(rows))))
    assert [p["download"] for p in parsed] == [r.download for r in rows]
    assert "| Direct download |" in table_markdown(rows).splitlines()[0]
    page = batch_html(rows)
    assert "<th>Direct download</th>" in page
    for row in files:
        assert row.download.replace("&", "&amp;") in page


def test_folder_rows_have_no_download_link(drive, known):
    from colab_panel.views.share_html import batch_html

    rows = folder_table(drive.get(known.folder_id).parents[0], include_folders=True, drive=drive)
    folders = [r for r in rows if r.kind == "folder"]
    assert folders and all(r.download == "" for r in folders)
    assert '<td class="cp-share-none">—</td>' in batch_html(folders)
