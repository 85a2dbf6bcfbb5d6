"""Sharing against the emulator over real HTTPS: set, list, revoke, and never widen unconfirmed."""

from __future__ import annotations

import pytest

from colab_panel.errors import ConfirmationRequired, DriveNotFound, DrivePermissionDenied, ShareError
from colab_panel.share import ShareHistory, apply_plan, plan_share, revoke_last, share, sharing


@pytest.fixture
def history() -> ShareHistory:
    return ShareHistory()


def test_sharing_reads_owner_link_and_people(drive, known):
    state = sharing(known.readonly_id, drive=drive)
    assert state.owner is not None and state.owner.email == "alice@example.com"
    assert [(g.email, g.role) for g in state.people] == [("me@example.com", "reader")]
    assert state.anyone is None
    assert "link sharing: off" in state.describe()


def test_widening_without_confirm_is_refused_and_changes_nothing(drive, emulator, known, grants, history):
    before = grants(known.file_id)
    posts = emulator.requests.count(method="POST")
    with pytest.raises(ConfirmationRequired) as caught:
        share(known.file_id, anyone="reader", people=[("bob@example.com", "writer", False)],
              drive=drive, history=history)
    message = str(caught.value)
    assert "anyone with the link: no access → can view" in message
    assert "bob@example.com: no access → can edit" in message
    assert caught.value.plan.widens
    assert grants(known.file_id) == before
    assert emulator.requests.count(method="POST") == posts
    with pytest.raises(ConfirmationRequired):
        share(known.file_id, anyone="reader", confirm="yes", drive=drive, history=history)  # only True confirms
    assert grants(known.file_id) == before and len(history) == 0


def test_confirmed_share_is_really_set_listed_and_revoked(drive, known, grants, history):
    record = share(known.file_id, anyone="commenter", people=[("bob@example.com", "writer", False)],
                   confirm=True, drive=drive, history=history)
    assert grants(known.file_id) == {("anyone", "", True): "commenter", ("user", "bob@example.com", True): "writer"}
    state = sharing(known.file_id, drive=drive)
    assert state.anyone is not None and (state.anyone.role, state.anyone.with_link) == ("commenter", True)
    assert [(g.email, g.role) for g in state.people] == [("bob@example.com", "writer")]
    assert len(record.files[0].applied) == 2 and history.last() is record

    undone = revoke_last(history=history, drive=drive)
    assert grants(known.file_id) == {}
    assert len(undone.files[0].applied) == 2 and len(history) == 0
    with pytest.raises(ShareError, match="Nothing to undo"):
        revoke_last(history=history, drive=drive)


def test_narrowing_needs_no_confirmation_but_undoing_it_does(drive, known, grants, history):
    share(known.file_id, anyone="writer", confirm=True, drive=drive, history=history)
    share(known.file_id, anyone="reader", drive=drive, history=history)  # lower: no confirm needed
    assert grants(known.file_id) == {("anyone", "", True): "reader"}
    with pytest.raises(ConfirmationRequired, match="give access back"):
        revoke_last(history=history, drive=drive)
    assert grants(known.file_id) == {("anyone", "", True): "reader"}
    revoke_last(confirm=True, history=history, drive=drive)
    assert grants(known.file_id) == {("anyone", "", True): "writer"}
    share(known.file_id, anyone=None, drive=drive, history=history)
    assert grants(known.file_id) == {}


def test_folder_plan_warns_that_everything_inside_becomes_reachable(drive, known):
    plan = plan_share(known.folder_id, anyone="reader", drive=drive)
    assert plan.widens and plan.before.is_folder
    assert any("everything inside it" in w for w in plan.warnings)
    assert "everything inside it" in plan.describe()


def test_apply_plan_refuses_when_sharing_changed_meanwhile(drive, emulator, known, grants, history):
    plan = plan_share(known.file_id, anyone="reader", drive=drive)
    other = emulator.build_service()
    other.permissions().insert(fileId=known.file_id, body={"type": "user", "role": "reader",
                                                           "value": "alice@example.com"}).execute()
    with pytest.raises(ShareError, match="changed since this plan was made"):
        apply_plan(plan, confirm=True, drive=drive, history=history)
    assert grants(known.file_id) == {("user", "alice@example.com", True): "reader"}


def test_undo_leaves_alone_what_someone_changed_since(drive, emulator, known, grants, history):
    share(known.file_id, people=[("bob@example.com", "reader", False)], confirm=True, drive=drive, history=history)
    other = emulator.build_service()
    other.permissions().insert(fileId=known.file_id, body={"type": "user", "role": "writer",
                                                           "value": "bob@example.com"}).execute()
    undone = revoke_last(history=history, drive=drive)
    assert undone.files[0].applied == ()
    assert grants(known.file_id) == {("user", "bob@example.com", True): "writer"}


def test_domain_sharing_with_own_domain_and_named_domain(drive, known, grants, history):
    share(known.file_id, domain="reader", confirm=True, drive=drive, history=history)
    assert grants(known.file_id) == {("domain", "example.com", True): "reader"}
    share(known.file_id, domain=None, drive=drive, history=history)
    assert grants(known.file_id) == {}


# --- bad input answers in words ---------------------------------------------------------------


@pytest.mark.parametrize("kwargs, words", [
    ({"people": [("bob@", "reader")]}, "'bob@' is not an email address"),
    ({"people": [("bob@example.com", "boss")]}, "'boss' is not a sharing role"),
    ({"anyone": "owner"}, "Ownership cannot be given from here"),
    ({"people": [("a@example.com", "reader"), ("A@example.com", "writer")]}, "listed twice"),
    ({"domain": ("not a domain", "reader")}, "is not a domain name"),
])
def test_bad_arguments_are_refused_before_any_request(drive, emulator, known, kwargs, words):
    count = len(emulator.requests)
    with pytest.raises(ShareError, match=words):
        share(known.file_id, confirm=True, drive=drive, **kwargs)
    assert len(emulator.requests) == count


def test_not_found_is_said_in_words(drive, history):
    with pytest.raises(DriveNotFound, match="No Drive file or folder with ID"):
        share("1NoSuchNoSuchNoSuchNoSuchNoSuch00", anyone="reader", confirm=True, drive=drive, history=history)
    with pytest.raises(ShareError, match="too short for a Drive ID"):
        sharing("abc", drive=drive)


def test_no_right_to_share_is_a_403_in_words(drive, known, grants, history):
    before = grants(known.readonly_id)
    with pytest.raises(DrivePermissionDenied, match="no right to change who can open alice-readonly.txt") as caught:
        share(known.readonly_id, anyone="reader", confirm=True, drive=drive, history=history)
    assert "Nothing was changed" in str(caught.value)
    assert grants(known.readonly_id) == before and len(history) == 0


def test_domain_policy_refusal_is_said_in_words(carol_drive, known, grants, history):
    with pytest.raises(ShareError, match="not available for this account") as caught:
        share(known.carol_file_id, anyone="reader", confirm=True, drive=carol_drive, history=history)
    assert "domainSharingPolicy=disallowed" in str(caught.value)
    assert grants(known.carol_file_id) == {}


def test_failure_mid_change_undoes_the_steps_already_done(drive, emulator, known, grants, history, nth_call):
    share(known.file_id, people=[("alice@example.com", "writer", False)], confirm=True, drive=drive, history=history)
    # Narrowing runs first (alice: writer -> reader is applied), then Drive refuses the widening step.
    emulator.faults.fail(status=400, reason="invalidSharingRequest", method="POST",
                         path=nth_call(2, "/permissions"), message='Bad Request. User message: "not today"')
    with pytest.raises(ShareError, match="sharing is as it was") as caught:
        share(known.file_id, anyone="reader", people=[("alice@example.com", "reader", False)],
              confirm=True, drive=drive, history=history)
    assert not emulator.faults.pending
    assert "not today" in str(caught.value)
    assert grants(known.file_id) == {("user", "alice@example.com", True): "writer"}
    assert len(history) == 1


def test_rate_limits_are_retried_by_the_backend(drive, emulator, known, grants, history):
    emulator.faults.fail(status=429, method="POST", path="/permissions", times=2)
    share(known.file_id, anyone="reader", confirm=True, drive=drive, history=history)
    assert not emulator.faults.pending
    assert grants(known.file_id) == {("anyone", "", True): "reader"}
