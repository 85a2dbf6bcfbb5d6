"""Plans in words, widening rules, and the checks on what a user asked for (no Drive needed)."""

from __future__ import annotations

import pytest

from colab_panel.errors import ConfirmationRequired, ShareError
from colab_panel.share.model import Change, Grant, SharingState
from colab_panel.share.rules import check_email, check_role, parse_people
from colab_panel.share.sharing import KEEP, Wanted, plan_for_state, require_confirmation

OWNER = Grant("user", "owner", email="me@example.com")


def _state(*grants: Grant, folder: bool = False) -> SharingState:
    mime = "application/vnd.google-apps.folder" if folder else "text/plain"
    return SharingState("1FileFileFileFileFileFileFile00", "data", mime, OWNER, tuple(grants))


@pytest.mark.parametrize("before, after, widens", [
    (None, "reader", True), ("reader", "writer", True), ("reader", "commenter", True),
    ("writer", "reader", False), ("commenter", "reader", False), ("reader", None, False),
    ("reader", "reader", False),
])
def test_what_widens(before, after, widens):
    assert Change(Grant("anyone", after or "reader"), before, after).widens is widens


def test_plan_keeps_unmentioned_grants_and_describes_the_change():
    bob = Grant("user", "reader", email="bob@example.com", permission_id="p1")
    plan = plan_for_state(_state(bob), Wanted(anyone="reader", domain=KEEP,
                                              people=(("bob@example.com", "writer", True),)))
    assert [(c.grant.who(), c.before, c.after) for c in plan.changes] == [
        ("anyone with the link", None, "reader"), ("bob@example.com", "reader", "writer")]
    assert plan.changes[1].grant.permission_id == "p1"
    text = plan.describe()
    assert "bob@example.com: can view → can edit (widens access), with an email" in text
    assert {g.key for g in plan.after.grants} == {("anyone", "True"), ("user", "bob@example.com")}


def test_plan_with_nothing_to_do_is_empty():
    plan = plan_for_state(_state(Grant("anyone", "reader")), Wanted("reader", KEEP, ()))
    assert plan.is_empty and "already shared that way" in plan.describe()
    require_confirmation(plan, False)  # nothing to confirm


def test_confirmation_is_required_only_for_widening_and_only_true_counts():
    widening = plan_for_state(_state(), Wanted("writer", KEEP, ()))
    for confirm in (False, "yes", 1):
        with pytest.raises(ConfirmationRequired, match="would widen access"):
            require_confirmation(widening, confirm)  # type: ignore[arg-type]
    require_confirmation(widening, True)
    narrowing = plan_for_state(_state(Grant("anyone", "writer")), Wanted("reader", KEEP, ()))
    require_confirmation(narrowing, False)


def test_a_public_folder_warns_about_its_contents():
    plan = plan_for_state(_state(folder=True), Wanted("reader", KEEP, ()))
    assert plan.warnings and "everything inside it, including files added later" in plan.warnings[0]


def test_the_owner_cannot_be_changed():
    with pytest.raises(ShareError, match="owns data"):
        plan_for_state(_state(), Wanted(KEEP, KEEP, (("ME@example.com", "reader", False),)))


@pytest.mark.parametrize("role, expected", [("viewer", "reader"), ("Editor", "writer"), ("comment", "commenter")])
def test_role_aliases(role, expected):
    assert check_role(role, who="x") == expected


@pytest.mark.parametrize("email", ["bob", "bob@", "@example.com", "bob@example", "bob @example.com", None, 3])
def test_malformed_emails(email):
    with pytest.raises(ShareError, match="is not an email address"):
        check_email(email)


def test_people_entries():
    assert parse_people([("a@b.co", "reader")]) == [("a@b.co", "reader", True)]
    assert parse_people([("a@b.co", None, False)]) == [("a@b.co", None, False)]
    with pytest.raises(ShareError, match=r"\(email, role\)"):
        parse_people(["a@b.co"])


def test_undo_of_a_change_is_its_inverse():
    change = Change(Grant("user", "writer", email="b@x.org", permission_id="p"), "reader", "writer")
    back = change.inverse()
    assert (back.before, back.after, back.grant.role, back.widens) == ("writer", "reader", "reader", False)
