"""Table-driven tests for `colab_panel.drive.parse`: every link form users paste, and junk refused in words."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colab_panel.drive.parse import DriveRef, parse_drive_id, parse_drive_link
from colab_panel.errors import DriveError, DriveLinkError, PanelError

FID = "1AbCdEfGhIjKlMnOpQrStUvWxYz012345"  # 33 chars, the shape of a modern file ID
DOC = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"  # 44 chars, a Sheets ID
SHARED_ROOT = "0ABcdEfGhIjKlUk9PVA"  # 19 chars, a shared drive root
KEY = "0-AbCdEfGhIjKlMnOpQrStUv"

ACCEPTED = [
    # (pasted text, id, resource_key, kind)
    (FID, FID, None, "unknown"),
    (f"  {FID}\n", FID, None, "unknown"),
    (SHARED_ROOT, SHARED_ROOT, None, "unknown"),
    (f"https://drive.google.com/open?id={FID}", FID, None, "unknown"),
    (f"drive.google.com/open?id={FID}&authuser=0", FID, None, "unknown"),
    (f"http://drive.google.com/open?id={FID}", FID, None, "unknown"),
    (f"https://drive.google.com/file/d/{FID}/view?usp=sharing", FID, None, "file"),
    (f"https://drive.google.com/file/d/{FID}/edit", FID, None, "file"),
    (f"https://drive.google.com/file/d/{FID}/preview", FID, None, "file"),
    (f"https://drive.google.com/file/d/{FID}", FID, None, "file"),
    (f"https://drive.google.com/file/d/{FID}/", FID, None, "file"),
    (f"https://drive.google.com/file/u/1/d/{FID}/view", FID, None, "file"),
    (f"https://drive.google.com/file/d/{FID}/view?usp=drive_link&resourcekey={KEY}", FID, KEY, "file"),
    (f"https://drive.google.com/uc?id={FID}&export=download", FID, None, "file"),
    (f"https://drive.google.com/uc?export=download&id={FID}", FID, None, "file"),
    (f"https://drive.google.com/uc?export=download&confirm=t&id={FID}&resourcekey={KEY}", FID, KEY, "file"),
    (f"https://drive.usercontent.google.com/download?id={FID}&export=download&authuser=0", FID, None, "file"),
    (f"https://drive.usercontent.google.com/u/0/uc?id={FID}&export=download", FID, None, "file"),
    (f"https://drive.google.com/drive/folders/{FID}", FID, None, "folder"),
    (f"https://drive.google.com/drive/folders/{FID}?usp=sharing", FID, None, "folder"),
    (f"https://drive.google.com/drive/u/0/folders/{FID}", FID, None, "folder"),
    (f"https://drive.google.com/drive/u/2/folders/{FID}?resourcekey={KEY}", FID, KEY, "folder"),
    (f"https://drive.google.com/drive/mobile/folders/{FID}?usp=sharing", FID, None, "folder"),
    (f"https://drive.google.com/drive/u/0/mobile/folders/{FID}", FID, None, "folder"),
    (f"https://drive.google.com/drive/folders/{SHARED_ROOT}", SHARED_ROOT, None, "folder"),
    (f"https://drive.google.com/folderview?id={FID}", FID, None, "folder"),
    (f"https://drive.google.com/a/example.com/open?id={FID}", FID, None, "unknown"),
    (f"https://drive.google.com/a/example.com/file/d/{FID}/view", FID, None, "file"),
    (f"https://docs.google.com/document/d/{DOC}/edit", DOC, None, "document"),
    (f"https://docs.google.com/document/d/{DOC}/edit?usp=sharing&resourcekey={KEY}", DOC, KEY, "document"),
    (f"https://docs.google.com/document/u/0/d/{DOC}/edit", DOC, None, "document"),
    (f"https://docs.google.com/spreadsheets/d/{DOC}/edit#gid=0", DOC, None, "spreadsheet"),
    (f"https://docs.google.com/spreadsheets/d/{DOC}", DOC, None, "spreadsheet"),
    (f"https://docs.google.com/presentation/d/{DOC}/edit#slide=id.p", DOC, None, "presentation"),
    (f"https://docs.google.com/a/example.com/presentation/d/{DOC}/pub", DOC, None, "presentation"),
    (f"https://docs.google.com/uc?id={FID}&export=download", FID, None, "file"),
    (f"https://colab.research.google.com/drive/{FID}", FID, None, "colab"),
    (f"https://colab.research.google.com/drive/{FID}#scrollTo=abc", FID, None, "colab"),
    (f"colab.research.google.com/drive/{FID}?usp=sharing", FID, None, "colab"),
    (f"https://www.drive.google.com/file/d/{FID}/view", FID, None, "file"),
    (f"HTTPS://DRIVE.GOOGLE.COM/file/d/{FID}/view", FID, None, "file"),
]


@pytest.mark.parametrize(("text", "ident", "key", "kind"), ACCEPTED)
def test_accepted_forms(text: str, ident: str, key: str | None, kind: str) -> None:
    assert parse_drive_link(text) == DriveRef(id=ident, resource_key=key, kind=kind)
    assert parse_drive_id(text) == ident


REFUSED = [
    # (pasted text, a phrase the message must contain)
    ("", "empty"),
    ("   \t ", "empty"),
    ("dataset", "too short"),
    ("1AbCdEfGh", "too short"),
    ("x" * 129, "too long"),
    (FID[:-1] + "!", "characters"),
    (FID + " " + FID, "characters"),
    (f"https://example.com/file/d/{FID}/view", "not a Google Drive"),
    (f"https://drive.google.com.evil.com/file/d/{FID}/view", "not a Google Drive"),
    (f"ftp://drive.google.com/file/d/{FID}", "not a web link"),
    ("https://drive.google.com/drive/my-drive", "not one to a file or folder"),
    ("https://drive.google.com/open", "no 'id='"),
    ("https://drive.google.com/uc?export=download", "no 'id='"),
    (f"https://drive.google.com/open?id={FID}&id={DOC}", "more than one"),
    ("https://drive.google.com/file/d/short/view", "too short"),
    (f"https://drive.google.com/file/d/{FID}/view?resourcekey=bad%20key", "resourcekey"),
    ("https://colab.research.google.com/github/user/repo/blob/main/x.ipynb", "not to a notebook"),
    ("https://[drive.google.com/file", "not a valid link"),
]


@pytest.mark.parametrize(("text", "phrase"), REFUSED)
def test_refused_forms_say_what_was_wrong_and_what_works(text: str, phrase: str) -> None:
    with pytest.raises(DriveLinkError) as caught:
        parse_drive_link(text)
    # one class a user's mistake is caught by, whichever way the caller catches it
    assert isinstance(caught.value, PanelError) and isinstance(caught.value, DriveError)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert phrase in message
    assert "drive.google.com/file/d/ID/view" in message or phrase == "resourcekey" or phrase == "more than one"


@pytest.mark.parametrize("value", [None, 12345, b"1AbCdEfGhIjKlMnOpQrStUvWxYz012345", ["x"], float("nan")])
def test_non_string_is_refused_in_words(value: object) -> None:
    with pytest.raises(DriveLinkError, match="expected a Drive ID or link"):
        parse_drive_link(value)  # type: ignore[arg-type]


def test_the_link_error_is_exported_from_the_package() -> None:
    import colab_panel

    assert "DriveLinkError" in colab_panel.__all__
    assert colab_panel.DriveLinkError is DriveLinkError


def test_long_junk_is_shortened_in_the_message() -> None:
    with pytest.raises(ValueError) as caught:
        parse_drive_id("https://example.com/" + "a" * 500)
    assert len(str(caught.value)) < 700


_URL_ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789-_/?&=#.:%@[] \t\n") + ["://", "drive.google.com", "id=", "/d/", "folders", "u/0"]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(_URL_ALPHABET, max_size=30).map("".join)))
def test_junk_only_ever_raises_value_error(text: str) -> None:
    try:
        ref = parse_drive_link(text)
    except DriveLinkError:
        return
    # Anything accepted must really be an ID-shaped string.
    assert 19 <= len(ref.id) <= 128
    assert all(c.isascii() and (c.isalnum() or c in "-_") for c in ref.id)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=19, max_size=60))
def test_every_id_shaped_string_round_trips_through_every_link_form(ident: str) -> None:
    for template in (
        "{}",
        "https://drive.google.com/file/d/{}/view",
        "https://drive.google.com/open?id={}",
        "https://drive.google.com/drive/u/0/folders/{}",
        "https://docs.google.com/document/d/{}/edit",
    ):
        assert parse_drive_id(template.format(ident)) == ident
