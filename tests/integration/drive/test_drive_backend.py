"""`Drive` against the emulator over real HTTPS: PyDrive2 and googleapiclient unmodified.

Each test uses the function-scoped `emulator` (conftest.py): a seed tree (a.txt, big.bin,
empty.bin, many/ with 20 files, sub/deeper/) plus the manifest's Doc, Sheet, shortcut and
Alice's link-shared file that needs a resource key.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import pytest

from colab_panel.drive.client import Drive
from colab_panel.drive.read_sizing import FIRST_BYTES
from colab_panel.drive.retry import RetryPolicy
from colab_panel.errors import ChecksumMismatch, DriveError, DriveNotFound, ResourceKeyRequired


@pytest.fixture
def backend(emulator):
    drive = Drive.for_emulator(emulator.base_url, emulator.token, emulator.ca_cert_path,
                               retry=RetryPolicy(sleep=lambda s: None))
    yield drive
    drive.close()


def _by_title(items, title):
    matches = [item for item in items if item.title == title]
    assert len(matches) == 1, [item.title for item in items]
    return matches[0]


def test_list_reads_every_page_and_only_untrashed_children(emulator, backend, child, known):
    many = child(emulator.root_id, "many")
    emulator.store.get(child(many.id, "f00.txt").id).explicitly_trashed = True
    emulator.requests.clear()
    items = backend.list(many.id)
    assert sorted(item.title for item in items) == [f"f{i:02d}.txt" for i in range(1, known.many)]
    # the emulator serves at most 7 per page: every page was fetched, each once
    assert emulator.requests.count(method="GET", path="/drive/v2/files") == math.ceil((known.many - 1) / 7)
    list_query = emulator.requests.records[0].query
    assert list_query["q"] == f"'{many.id}' in parents and trashed=false"
    assert list_query["supportsAllDrives"] == "true" and list_query["includeItemsFromAllDrives"] == "true"
    assert "items(" in list_query["fields"]


def test_get_by_link_gives_typed_metadata(emulator, backend, child, seed_dir):
    big = child(emulator.root_id, "big.bin")
    item = backend.get(f"https://drive.google.com/file/d/{big.id}/view?usp=sharing")
    assert item.id == big.id and item.title == "big.bin"
    assert item.size_bytes == 300_000
    assert item.md5 == hashlib.md5((seed_dir / "big.bin").read_bytes()).hexdigest()
    assert not item.is_folder and not item.is_native and item.can_edit and item.can_share
    assert item.parents == (emulator.root_id,)
    assert item.owners[0].email == "me@example.com"
    folder = backend.get(f"https://drive.google.com/drive/u/1/folders/{child(emulator.root_id, 'sub').id}")
    assert folder.is_folder and folder.size_bytes is None


def test_walk_yields_relative_paths_with_few_requests(emulator, backend, child):
    emulator.requests.clear()
    paths = {path for path, _ in backend.walk("root")}
    assert {"a.txt", "many/f19.txt", "sub", "sub/deeper", "sub/nested.txt", "Notes", "to notes"} <= paths
    sub = child(emulator.root_id, "sub")
    assert {path for path, _ in backend.walk(sub.id)} == {"deeper", "nested.txt"}
    # root level, then all its subfolders in one query, then sub/deeper: one request per page per level
    assert emulator.requests.count(method="GET", path="/drive/v2/files") <= 1 + 1 + 4 + 1 + 1 + 2


def test_download_verifies_md5_and_leaves_no_part(emulator, backend, child, seed_dir, tmp_path):
    backend.chunk_size = 64 * 1024
    big = child(emulator.root_id, "big.bin")
    seen = []
    path = backend.download(big.id, tmp_path, progress=lambda done, total: seen.append((done, total)))
    assert path == tmp_path / "big.bin"
    assert path.read_bytes() == (seed_dir / "big.bin").read_bytes()
    assert not list(tmp_path.glob("*.part"))
    assert seen[-1] == (300_000, 300_000)
    assert emulator.requests.count(media=True) == math.ceil(300_000 / (64 * 1024))
    empty = backend.download(child(emulator.root_id, "empty.bin").id, tmp_path / "e.bin")
    assert empty.read_bytes() == b""


def test_download_with_wrong_md5_keeps_nothing(emulator, backend, child, seed_dir, tmp_path):
    big = child(emulator.root_id, "big.bin")
    backend.get(big.id)  # md5 computed from the original bytes
    (seed_dir / "big.bin").write_bytes(b"\0" * 300_000)  # same size, other bytes
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ChecksumMismatch, match="big.bin"):
        backend.download(big.id, out / "big.bin")
    assert list(out.iterdir()) == []


def test_download_resumes_an_existing_part_file(emulator, backend, child, seed_dir, tmp_path):
    data = (seed_dir / "big.bin").read_bytes()
    (tmp_path / "big.bin.part").write_bytes(data[:100_000])
    emulator.requests.clear()
    path = backend.download(child(emulator.root_id, "big.bin").id, tmp_path / "big.bin")
    assert path.read_bytes() == data
    ranges = [r.headers.get("range") for r in emulator.requests.records if r.media]
    # One request from the part's end: the first is FIRST_BYTES long (the rate is not known yet),
    # and the 200 KB left fit in it.
    assert ranges == [f"bytes=100000-{100_000 + FIRST_BYTES - 1}"]


def test_open_range_reads_from_an_offset(emulator, backend, child, seed_dir):
    data = (seed_dir / "big.bin").read_bytes()
    with backend.open_range(child(emulator.root_id, "big.bin").id, start=250_000, chunk_size=10_000) as stream:
        assert stream.offset == 250_000 and stream.size == 300_000
        assert stream.read() == data[250_000:]
        assert stream.read(10) == b""


def test_missing_id_is_drive_not_found_naming_it(backend):
    missing = "1MissingMissingMissingMissing0000"
    with pytest.raises(DriveNotFound) as info:
        backend.get(missing)
    assert missing in str(info.value) and info.value.status == 404
    assert not isinstance(info.value, ResourceKeyRequired)


def test_bad_link_is_a_drive_error_in_words(backend):
    with pytest.raises(DriveError, match="Paste a bare file/folder ID") as info:
        backend.get("https://example.com/nothing")
    assert info.value.reason == "invalidId"


def test_resource_key_from_the_link_is_sent(emulator, backend, known, tmp_path):
    with pytest.raises(DriveNotFound):
        backend.get(known.keyed_id)  # link-only access without the key: Drive answers 404
    link = f"https://drive.google.com/file/d/{known.keyed_id}/view?resourcekey={known.keyed_key}"
    assert backend.get(link).title == "link-shared.txt"
    assert backend.download(link, tmp_path).read_bytes() == b"only with the key\n"
    sent = [r.headers.get("x-goog-drive-resource-keys") for r in emulator.requests.records if r.media]
    assert sent == [f"{known.keyed_id}/{known.keyed_key}"]


def test_a_wrong_resource_key_is_resource_key_required(backend, known):
    with pytest.raises(ResourceKeyRequired, match="resource key"):
        backend.get(f"https://drive.google.com/file/d/{known.keyed_id}/view?resourcekey=0-wrongwrong")


def test_shortcuts_resolve_and_native_files_export(backend, known, tmp_path):
    shortcut = backend.get(known.shortcut_id)
    assert shortcut.is_shortcut and shortcut.shortcut_target_id == known.doc_id
    doc = backend.resolve(known.shortcut_id)
    assert doc.id == known.doc_id and doc.is_native and doc.size_bytes is None and doc.md5 is None
    assert {"pdf", "docx", "txt"} <= set(doc.export_formats)
    with pytest.raises(DriveError, match="Export it instead"):
        backend.download(known.shortcut_id, tmp_path)
    out = backend.export(known.shortcut_id, "txt", tmp_path)
    assert out.name == "Notes.txt" and b"meeting notes" in out.read_bytes()
    with pytest.raises(DriveError, match="cannot be exported as 'mp3'"):
        backend.export(doc, "mp3", tmp_path)


def test_upload_small_and_resumable(emulator, backend, child, tmp_path):
    sub = child(emulator.root_id, "sub")
    small = tmp_path / "notes.csv"
    small.write_text("a,b\n1,2\n")
    item = backend.upload(small, sub.id)
    assert item.title == "notes.csv" and item.parents == (sub.id,) and item.mime_type == "text/csv"
    assert item.md5 == hashlib.md5(small.read_bytes()).hexdigest()
    big = tmp_path / "weights.bin"
    big.write_bytes(bytes(range(256)) * (6 * 1024 * 1024 // 256 + 7))  # over the 5 MiB threshold
    progress: list[tuple[int, int | None]] = []
    backend.upload_chunk_size = 1024 * 1024
    emulator.requests.clear()
    uploaded = backend.upload(big, sub.id, title="model.bin", progress=lambda d, t: progress.append((d, t)))
    assert uploaded.title == "model.bin" and uploaded.size_bytes == big.stat().st_size
    assert uploaded.md5 == hashlib.md5(big.read_bytes()).hexdigest()
    assert emulator.requests.records[0].query.get("uploadType") == "resumable"
    assert progress[-1] == (big.stat().st_size, big.stat().st_size) and len(progress) >= 6
    with pytest.raises(DriveError, match="no file at"):
        backend.upload(tmp_path / "nope.bin", sub.id)


def test_mkdir_rename_move_copy_trash_untrash_delete(emulator, backend, child):
    a = child(emulator.root_id, "a.txt")
    folder = backend.mkdir("runs")
    assert folder.is_folder and backend.path_of(folder) == "My Drive/runs"
    renamed = backend.rename(a.id, "b.txt")
    assert renamed.title == "b.txt"
    moved = backend.move(renamed, folder.id)
    assert moved.parents == (folder.id,)
    assert backend.path_of(moved.id) == "My Drive/runs/b.txt"
    copied = backend.copy(moved, title="c.txt", parent="root")
    assert copied.parents == (emulator.root_id,) and copied.id != moved.id
    assert backend.trash(moved).trashed
    assert [item.title for item in backend.list(folder)] == []
    assert not backend.untrash(moved).trashed
    backend.delete(moved)
    with pytest.raises(DriveNotFound):
        backend.get(moved.id)
    with pytest.raises(DriveError, match="cannot be empty"):
        backend.mkdir("  ")


def test_permissions_list_insert_delete(emulator, backend, child):
    a = child(emulator.root_id, "a.txt")
    assert [(p.type, p.role) for p in backend.permissions(a.id)] == [("user", "owner")]
    granted = backend.insert_permission(a.id, type="user", role="commenter", email="bob@example.com")
    assert granted.role == "commenter" and granted.email == "bob@example.com"
    link = backend.insert_permission(a.id, type="anyone", role="reader", with_link=True)
    assert link.with_link
    assert {p.id for p in backend.permissions(a.id)} >= {granted.id, link.id}
    backend.delete_permission(a.id, link.id)
    assert link.id not in {p.id for p in backend.permissions(a.id)}
    with pytest.raises(DriveError, match="needs an email"):
        backend.insert_permission(a.id, type="user", role="reader")


def test_about_names_the_account(backend, emulator):
    about = backend.about()
    assert about.user_email == "me@example.com" and about.root_folder_id == emulator.root_id


def test_pydrive2_objects_work_through_the_same_auth(backend, emulator, child):
    a = child(emulator.root_id, "a.txt")
    file = backend.pydrive.CreateFile({"id": a.id})
    file.FetchMetadata()
    assert file["title"] == "a.txt"
    assert file.GetContentString() == "hello drive\n"


def test_target_folder_keeps_the_drive_title(backend, emulator, child, tmp_path: Path):
    path = backend.download(child(emulator.root_id, "a.txt").id, tmp_path)
    assert path == tmp_path / "a.txt"


def test_walk_over_many_folders_survives_googleapiclient_long_url_rewrite(emulator, backend):
    """40 folders in one listing query pass 2,048 URL characters: googleapiclient then sends a
    POST with X-HTTP-Method-Override: GET and the query in the body, as Google's servers accept."""
    parent = backend.mkdir("wide", "root")
    for i in range(40):
        backend.mkdir(f"d{i:02d}", parent.id)
    emulator.requests.clear()
    paths = {path for path, _ in backend.walk(parent.id)}
    assert paths == {f"d{i:02d}" for i in range(40)}
    overridden = [r for r in emulator.requests.records if r.headers.get("x-http-method-override")]
    assert overridden, "the long query should have gone out as a POST with a method override"
