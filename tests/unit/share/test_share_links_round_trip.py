"""Every link the panel emits parses back to the item it was made for.

The table is generated from `links_for_item`'s own output for every item type, with and without a
resource key, so a new link form added to `share/links.py` is covered the day it is added.
"""

from __future__ import annotations

import html
import re

import pytest

from colab_panel.drive.parse import parse_drive_link
from colab_panel.share.links import links_for_item

FID = "1AbCdEfGhIjKlMnOpQrStUvWxYz012345"
KEY = "0-AbCdEfGhIjKlMnOpQrStUv"
MIMES = [
    "application/vnd.google-apps.folder",
    "application/vnd.google-apps.document",
    "application/vnd.google-apps.spreadsheet",
    "application/vnd.google-apps.presentation",
    "application/vnd.google-apps.drawing",
    "application/vnd.google.colaboratory",
    "image/png",
    "text/csv",
    "application/zip",
]
# Any http(s) URL inside a link, a shell command, an <iframe>/<a> snippet or Markdown.
_URL_IN_TEXT = re.compile(r"https?://[^\s'\"()<>]+")


def _emitted_urls() -> list[tuple[str, str, str | None, str]]:
    cases = []
    for mime in MIMES:
        for key in (None, KEY):
            item = {"id": FID, "mimeType": mime, "title": "data set.bin", "resourceKey": key}
            for name, text in links_for_item(item).items():
                for url in _URL_IN_TEXT.findall(html.unescape(text)):
                    cases.append((f"{mime.rsplit('/', 1)[-1]}-{name}-{'key' if key else 'nokey'}", url, key, mime))
    return cases


CASES = _emitted_urls()


def test_the_table_covers_the_forms_that_were_refused_before() -> None:
    urls = " ".join(url for _, url, _, _ in CASES)
    assert "embeddedfolderview?id=" in urls and "thumbnail?id=" in urls
    assert len(CASES) > 100


@pytest.mark.parametrize(("url", "key", "mime"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_every_emitted_link_parses_to_its_item(url: str, key: str | None, mime: str) -> None:
    ref = parse_drive_link(url)
    assert ref.id == FID
    assert ref.resource_key == key
    if mime.endswith(".folder") and ref.kind != "unknown":
        assert ref.kind == "folder"
