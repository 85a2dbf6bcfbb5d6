"""The Drive tab's one-line sharing summary in the details pane."""

from __future__ import annotations

from colab_panel.controllers.drive_details import sharing_phrase
from colab_panel.share.model import Grant, SharingState

ALICE = Grant(type="user", role="owner", email="alice@example.com")
ME = Grant(type="user", role="owner", email="me@example.com")


def _state(owner: Grant, *grants: Grant) -> SharingState:
    return SharingState(file_id="1x", title="paper.pdf", mime_type="application/pdf", owner=owner, grants=grants)


def test_someone_elses_item_with_no_visible_grants_is_shared_with_me_not_private():
    # seen in the browser: a file in a folder Alice shared read "Private to its owner" to its viewer
    phrase = sharing_phrase(_state(ALICE), "me@example.com")
    assert phrase.startswith("Shared with you by its owner, alice@example.com")
    assert "Private" not in phrase


def test_my_own_item_with_no_grants_is_private_to_me():
    assert sharing_phrase(_state(ME), "me@example.com") == "Private to you"


def test_a_link_grant_is_named():
    link = Grant(type="anyone", role="reader", with_link=True)
    assert sharing_phrase(_state(ALICE, link), "me@example.com").startswith("Anyone with the link")
