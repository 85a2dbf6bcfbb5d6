"""Undo undoes exactly the last change, even after a batch whose rollback failed; and a plan built by
hand cannot widen access without confirm (its claims are checked against Drive, not trusted)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from colab_panel.errors import ConfirmationRequired, PanelError
from colab_panel.share import (BatchShareFailed, ShareHistory, folder_table, plan_share, revoke_last, share,
                               share_batch, sharing)
from colab_panel.share.batch import apply_batch
from colab_panel.share.model import Change, Grant, SharePlan
from colab_panel.share.sharing import apply_plan

ANYONE = ("anyone", "", True)
BOB = ("user", "bob@example.com", True)


@pytest.fixture
def history() -> ShareHistory:
    return ShareHistory()


def _failed_batch_leaving_part0_public(drive, emulator, known, history) -> list[str]:
    ids = [r.id for r in folder_table(known.folder_id, drive=drive)]
    emulator.faults.fail(status=404, reason="notFound", method="POST", path=f"/files/{ids[2]}/permissions")
    emulator.faults.fail(status=403, reason="insufficientFilePermissions", method="DELETE",
                         path=f"/files/{ids[0]}/permissions/anyoneWithLink")  # its rollback is refused
    with pytest.raises(BatchShareFailed) as caught:
        share_batch(ids, anyone="reader", confirm=True, drive=drive, history=history)
    assert [r.file_id for r in caught.value.report.changed] == [ids[0]]
    assert not emulator.faults.pending
    return ids


def test_undo_after_a_batch_whose_rollback_failed_removes_the_leftover_not_an_older_change(
        drive, emulator, known, grants, history):
    share(known.file_id, people=[("bob@example.com", "reader", False)], confirm=True, drive=drive, history=history)
    ids = _failed_batch_leaving_part0_public(drive, emulator, known, history)
    assert grants(ids[0]) == {ANYONE: "reader"}
    undone = revoke_last(history=history, drive=drive)
    assert [(r.file_id, len(r.applied)) for r in undone.files] == [(ids[0], 1)]
    assert grants(ids[0]) == {}  # the leftover is no longer public
    assert grants(known.file_id) == {BOB: "reader"}  # the older, unrelated change is untouched
    assert len(history) == 1  # and it is still there to undo next
    revoke_last(history=history, drive=drive)
    assert grants(known.file_id) == {}


def test_an_undo_that_fails_says_what_is_still_in_effect_and_stays_next_in_line(
        drive, emulator, known, grants, history):
    share(known.file_id, people=[("bob@example.com", "reader", False)], confirm=True, drive=drive, history=history)
    ids = _failed_batch_leaving_part0_public(drive, emulator, known, history)
    emulator.faults.fail(status=403, reason="insufficientFilePermissions", method="DELETE",
                         path=f"/files/{ids[0]}/permissions/anyoneWithLink")
    with pytest.raises(PanelError, match=r"could NOT be undone.*part0\.csv.*anyone with the link") as caught:
        revoke_last(history=history, drive=drive)
    assert "Traceback" not in str(caught.value)
    assert grants(ids[0]) == {ANYONE: "reader"} and grants(known.file_id) == {BOB: "reader"}
    assert len(history) == 2  # the leftover is still the last change: the next undo tries it again
    revoke_last(history=history, drive=drive)
    assert grants(ids[0]) == {} and grants(known.file_id) == {BOB: "reader"}


def _lying_plan(drive, file_id) -> SharePlan:
    """A plan that claims 'anyone' goes from writer down to reader (narrowing) on an item nobody can open."""
    before = sharing(file_id, drive=drive)
    change = Change(Grant("anyone", "reader"), before="writer", after="reader")
    assert not change.widens
    return SharePlan(before, before, (change,))


def test_a_hand_built_plan_cannot_widen_access_without_confirm(drive, emulator, known, grants, history):
    plan = _lying_plan(drive, known.file_id)
    posts = emulator.requests.count(method="POST")
    with pytest.raises(ConfirmationRequired, match="widen"):
        apply_plan(plan, drive=drive, history=history)
    assert grants(known.file_id) == {} and emulator.requests.count(method="POST") == posts
    with pytest.raises(ConfirmationRequired, match="widen"):
        apply_batch([plan], drive=drive, history=history)
    assert grants(known.file_id) == {}
    record = apply_plan(plan, confirm=True, drive=drive, history=history)
    assert grants(known.file_id) == {ANYONE: "reader"}
    assert record.files[0].applied[0].before is None  # recorded as it really was, so undo removes it
    revoke_last(history=history, drive=drive)
    assert grants(known.file_id) == {}


def test_an_honest_plan_shown_earlier_still_applies(drive, known, grants, history):
    plan = plan_share(known.file_id, people=[("bob@example.com", "writer", False)], drive=drive)
    apply_plan(plan, confirm=True, drive=drive, history=history)
    assert grants(known.file_id) == {BOB: "writer"}
    narrowing = plan_share(known.file_id, people=[("bob@example.com", "reader", False)], drive=drive)
    apply_plan(narrowing, drive=drive, history=history)  # narrowing needs no confirm
    assert grants(known.file_id) == {BOB: "reader"}


def test_a_hand_built_removal_cannot_delete_another_grant(drive, emulator, known, grants, history):
    share(known.file_id, people=[("bob@example.com", "reader", False)], confirm=True, drive=drive, history=history)
    share(known.file_id, anyone="reader", confirm=True, drive=drive, history=history)
    state = sharing(known.file_id, drive=drive)
    bob = next(g for g in state.grants if g.type == "user")
    anyone = next(g for g in state.grants if g.type == "anyone")
    # "remove anyone", but carrying bob's permission ID: only the anyone grant may go.
    change = Change(replace(anyone, permission_id=bob.permission_id), before="reader", after=None)
    apply_plan(SharePlan(state, state, (change,)), drive=drive, history=history)
    assert grants(known.file_id) == {BOB: "reader"}


def test_undo_after_a_single_share_whose_rollback_failed_removes_its_leftover(
        drive, emulator, known, grants, history, nth_call):
    share(known.doc_id, people=[("bob@example.com", "reader", False)], confirm=True, drive=drive, history=history)
    # anyone goes in, then adding bob fails, and taking anyone back out is refused too.
    emulator.faults.fail(status=404, reason="notFound", method="POST", path=nth_call(2, f"/files/{known.file_id}/permissions"))
    emulator.faults.fail(status=403, reason="insufficientFilePermissions", method="DELETE",
                         path=f"/files/{known.file_id}/permissions/anyoneWithLink")
    with pytest.raises(PanelError, match="could NOT be undone"):
        share(known.file_id, anyone="reader", people=[("bob@example.com", "reader", False)], confirm=True,
              drive=drive, history=history)
    assert grants(known.file_id) == {ANYONE: "reader"}
    revoke_last(history=history, drive=drive)
    assert grants(known.file_id) == {} and grants(known.doc_id) == {BOB: "reader"}
