"""check_link's reading of Google's answers, table-driven, with a scripted transport (no network).

The shapes are those download tools rely on: a file comes with Content-Disposition; /uc is sent on
to drive.usercontent.google.com; the scan page holds a download-form; the quota page a
uc-error-subcaption; a private item redirects to accounts.google.com.
"""

from __future__ import annotations

import pytest

from colab_panel.errors import LinkCheckError
from colab_panel.share.link_check import check_link, classify
from colab_panel.share.web_fetch import WebAnswer

ID = "1AbCdEfGhIjKlMnOpQrStUvWxYz012345"
UC = f"https://drive.google.com/uc?export=download&id={ID}"
UC_KEY = f"https://drive.google.com/uc?export=download&id={ID}&resourcekey=0-k"
USERCONTENT = f"https://drive.usercontent.google.com/download?id={ID}&export=download"
VIEW = f"https://drive.google.com/file/d/{ID}/view"
SIGN_IN = "https://accounts.google.com/ServiceLogin?service=wise&continue=https://drive.google.com/"
FILE = WebAnswer(USERCONTENT, 200, {"content-disposition": "attachment; filename*=UTF-8''a.zip",
                                    "content-type": "application/zip"})
SCAN = WebAnswer(USERCONTENT, 200, {"content-type": "text/html"},
                 '<form id="download-form" action="https://drive.usercontent.google.com/download" method="get">')
QUOTA = WebAnswer(USERCONTENT, 200, {"content-type": "text/html"},
                  '<p class="uc-error-subcaption">Too many users have viewed or downloaded this file recently. '
                  "Please try accessing the file again later.</p>")
OTHER_ERROR = WebAnswer(USERCONTENT, 200, {"content-type": "text/html"},
                        '<p class="uc-error-subcaption">This file is in the owner\'s trash.</p>')


def _script(answers: dict[str, WebAnswer]):
    asked = []

    def fetch(url: str) -> WebAnswer:
        asked.append(url)
        return answers[url]

    fetch.asked = asked  # type: ignore[attr-defined]
    return fetch


def _moved(url: str, to: str, status: int = 303) -> WebAnswer:
    return WebAnswer(url, status, {"location": to})


@pytest.mark.parametrize("link, answers, outcome", [
    (ID, {UC: _moved(UC, USERCONTENT), USERCONTENT: FILE}, "downloads"),
    (VIEW, {UC: _moved(UC, USERCONTENT), USERCONTENT: SCAN}, "virus_scan"),
    (f"https://drive.google.com/open?id={ID}", {UC: _moved(UC, USERCONTENT), USERCONTENT: QUOTA}, "over_quota"),
    (ID, {UC: _moved(UC, USERCONTENT), USERCONTENT: OTHER_ERROR}, "gone"),
    (ID, {UC: _moved(UC, SIGN_IN, 302)}, "needs_sign_in"),
    (f"{VIEW}?resourcekey=0-k", {UC_KEY: _moved(UC_KEY, SIGN_IN, 302)}, "needs_sign_in"),
    (ID, {UC: WebAnswer(UC, 404, {"content-type": "text/html"}, "<title>Page Not Found</title>")}, "gone"),
    (f"https://drive.google.com/drive/folders/{ID}", {VIEW: WebAnswer(VIEW, 200, {"content-type": "text/html"})},
     "opens"),
    (ID, {UC: _moved(UC, f"/file/d/{ID}/view", 302),
          VIEW: WebAnswer(VIEW, 200, {"content-type": "text/html"}, "<title>Notes - Google Docs</title>")}, "opens"),
])
def test_outcomes(link, answers, outcome):
    fetch = _script(answers)
    verdict = check_link(link, fetch=fetch)
    assert verdict.outcome == outcome, verdict
    assert verdict.file_id == ID and verdict.words
    assert all(not url.startswith("https://accounts.google.com") for url in fetch.asked)  # never followed


def test_redirect_loops_end_in_words():
    fetch = _script({UC: _moved(UC, UC)})
    with pytest.raises(LinkCheckError, match="HTTP 303"):
        check_link(ID, fetch=fetch)
    assert len(fetch.asked) == 6


def test_server_errors_say_nothing_about_sharing():
    with pytest.raises(LinkCheckError, match="HTTP 503.*says nothing about who can open it"):
        check_link(ID, fetch=_script({UC: WebAnswer(UC, 503)}))


def test_the_resource_key_words_depend_on_the_link():
    sign_in = _moved(UC, SIGN_IN, 302)
    without = classify(sign_in, link=ID, file_id=ID, key_in_link=False)
    with_key = classify(sign_in, link=ID, file_id=ID, key_in_link=True)
    assert "resource key" in without.words and "resource key" not in with_key.words
    assert without.describe().startswith("Does not work for others: ")


@pytest.mark.parametrize("bad", ["", "   ", None, 42, "https://example.com/file.zip", "not a link at all !"])
def test_bad_input_is_a_link_check_error(bad):
    with pytest.raises(LinkCheckError):
        check_link(bad, fetch=_script({}))
