"""share_links: every link form per item type, table-driven, and how many metadata reads it costs."""

from __future__ import annotations

import shlex

import pytest

from colab_panel.drive.items import DriveItem
from colab_panel.errors import DriveLinkError, PanelError
from colab_panel.share.links import LARGE_FILE_BYTES, download_note, links_for_item, share_links

FID = "1AbCdEfGhIjKlMnOpQrStUvWxYz012345"
DOC = "application/vnd.google-apps.document"
SHEET = "application/vnd.google-apps.spreadsheet"
SLIDES = "application/vnd.google-apps.presentation"
FOLDER = "application/vnd.google-apps.folder"


class CountingDrive:
    """Stands in for `Drive.get` and counts calls (share_links must read at most once)."""

    def __init__(self, item: dict) -> None:
        self.item = item
        self.calls: list[str] = []

    def get(self, id_or_link: str) -> dict:
        self.calls.append(id_or_link)
        return self.item


@pytest.mark.parametrize("mime, expected", [
    ("text/csv", {
        "view": f"https://drive.google.com/file/d/{FID}/view",
        "open": f"https://drive.google.com/open?id={FID}",
        "download": f"https://drive.google.com/uc?export=download&id={FID}",
        "download_large": f"https://drive.usercontent.google.com/download?id={FID}&export=download&confirm=t",
        "preview": f"https://drive.google.com/file/d/{FID}/preview",
        "gdown": f"gdown 'https://drive.google.com/uc?id={FID}' -O 'my data.csv'",
        "wget": f"wget -O 'my data.csv' 'https://drive.usercontent.google.com/download?id={FID}&export=download&confirm=t'",
        "curl": f"curl -L -o 'my data.csv' 'https://drive.usercontent.google.com/download?id={FID}&export=download&confirm=t'",
        "markdown": f"[my data.csv](https://drive.google.com/file/d/{FID}/view)",
        "html": f'<a href="https://drive.google.com/file/d/{FID}/view">my data.csv</a>',
    }),
    (FOLDER, {
        "folder": f"https://drive.google.com/drive/folders/{FID}",
        "open": f"https://drive.google.com/open?id={FID}",
        "preview": f"https://drive.google.com/embeddedfolderview?id={FID}#list",
        "gdown": f"gdown --folder https://drive.google.com/drive/folders/{FID}",
        "markdown": f"[my data.csv](https://drive.google.com/drive/folders/{FID})",
    }),
    (DOC, {
        "edit": f"https://docs.google.com/document/d/{FID}/edit",
        "export_pdf": f"https://docs.google.com/document/d/{FID}/export?format=pdf",
        "export_docx": f"https://docs.google.com/document/d/{FID}/export?format=docx",
        "export_txt": f"https://docs.google.com/document/d/{FID}/export?format=txt",
        "preview": f"https://docs.google.com/document/d/{FID}/preview",
    }),
    (SHEET, {
        "export_xlsx": f"https://docs.google.com/spreadsheets/d/{FID}/export?format=xlsx",
        "export_csv": f"https://docs.google.com/spreadsheets/d/{FID}/export?format=csv",
        "export_pdf": f"https://docs.google.com/spreadsheets/d/{FID}/export?format=pdf",
    }),
    (SLIDES, {
        "export_pptx": f"https://docs.google.com/presentation/d/{FID}/export?format=pptx",
        "export_pdf": f"https://docs.google.com/presentation/d/{FID}/export?format=pdf",
    }),
])
def test_links_per_type(mime, expected):
    links = links_for_item({"id": FID, "title": "my data.csv", "mimeType": mime})
    for key, value in expected.items():
        assert links[key] == value, key


@pytest.mark.parametrize("mime, absent", [
    ("text/csv", {"folder", "edit", "export_pdf", "markdown_image"}),
    (FOLDER, {"view", "download", "download_large", "wget", "curl", "edit"}),
    (DOC, {"view", "download", "download_large", "export_xlsx", "export_csv", "export_pptx"}),
    (SHEET, {"export_docx", "export_pptx", "download"}),
    (SLIDES, {"export_docx", "export_xlsx", "export_csv"}),
])
def test_links_that_do_not_apply_are_absent(mime, absent):
    assert not absent & set(links_for_item({"id": FID, "title": "t", "mimeType": mime}))


def test_resource_key_is_on_every_url():
    links = share_links(f"https://drive.google.com/file/d/{FID}/view?resourcekey=0-Key_9",
                        item={"id": FID, "title": "a.bin", "mimeType": "application/zip"})
    for key in ("view", "open", "download", "download_large", "preview", "embed", "gdown", "wget",
                "curl", "markdown", "html"):
        assert "resourcekey=0-Key_9" in links[key], key


def test_export_links_follow_what_drive_offers():
    offered = {"application/pdf": "x", "text/plain": "y"}
    links = links_for_item({"id": FID, "title": "Notes", "mimeType": DOC, "exportLinks": offered})
    assert {k for k in links if k.startswith("export_")} == {"export_pdf", "export_txt"}
    assert links["gdown"] == f"gdown 'https://docs.google.com/document/d/{FID}/export?format=pdf' -O Notes.pdf"


def test_drive_item_metadata_is_understood():
    item = DriveItem(id=FID, title="cat.png", mime_type="image/png", resource_key="0-k", size_bytes=10)
    links = links_for_item(item)
    assert links["view"] == f"https://drive.google.com/file/d/{FID}/view?resourcekey=0-k"
    assert links["markdown_image"].startswith("![cat.png](https://drive.google.com/thumbnail?id=")


def test_shortcut_links_reach_the_target():
    target = "1TargetTargetTargetTargetTarget00"
    links = links_for_item({"id": FID, "title": "to notes", "mimeType": "application/vnd.google-apps.shortcut",
                            "shortcutDetails": {"targetId": target, "targetMimeType": DOC}})
    assert links["edit"] == f"https://docs.google.com/document/d/{target}/edit"


def test_titles_are_quoted_for_shells_and_escaped_for_markup():
    title = "it's <b>[x]</b>; rm -rf ~.txt"
    links = links_for_item({"id": FID, "title": title, "mimeType": "text/plain"})
    assert shlex.split(links["wget"])[2] == title
    assert "<b>" not in links["html"] and "&lt;b&gt;" in links["html"]
    assert links["markdown"].startswith("[it's <b>\\[x\\]</b>; rm -rf ~.txt](")


@pytest.mark.parametrize("link, reads", [
    (f"https://drive.google.com/file/d/{FID}/view", 0),
    (f"https://drive.google.com/drive/folders/{FID}", 0),
    (f"https://docs.google.com/spreadsheets/d/{FID}/edit#gid=0", 0),
    (FID, 1),
    (f"https://drive.google.com/open?id={FID}", 1),
])
def test_at_most_one_metadata_read(link, reads):
    drive = CountingDrive({"id": FID, "title": "x.zip", "mimeType": "application/zip"})
    links = share_links(link, drive=drive)
    assert len(drive.calls) == reads
    assert "open" in links


def test_with_metadata_given_nothing_is_read_and_a_mismatch_is_refused():
    drive = CountingDrive({})
    share_links(FID, item={"id": FID, "mimeType": "text/plain", "title": "a"}, drive=drive)
    assert drive.calls == []
    with pytest.raises(DriveLinkError, match="not for"):
        share_links(FID, item={"id": "1OtherOtherOtherOtherOtherOther00", "mimeType": "text/plain"})


def test_without_a_title_commands_keep_the_server_file_name():
    links = share_links(f"https://drive.google.com/file/d/{FID}/view")
    assert links["wget"].startswith("wget --content-disposition ")
    assert links["curl"].startswith("curl -L -OJ ")
    assert links["gdown"] == f"gdown 'https://drive.google.com/uc?id={FID}'"


@pytest.mark.parametrize("bad", ["", "not a link", "https://example.com/file/d/x", "abc"])
def test_bad_input_is_refused_in_words(bad):
    with pytest.raises(DriveLinkError, match=r"Drive|ID|link|empty") as caught:
        share_links(bad)
    assert isinstance(caught.value, PanelError) and isinstance(caught.value, ValueError)


def test_download_note_mentions_the_virus_scan_page_and_the_size():
    assert "virus" in download_note()
    assert "200 MB" in download_note({"id": FID, "fileSize": str(200 * 1024 * 1024)})
    assert "MB:" not in download_note({"id": FID, "fileSize": str(LARGE_FILE_BYTES - 1)})
