"""Permissions through the emulator: insert/list/get/delete, validation errors, roles and policy."""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError
from pydrive2.files import ApiRequestError

from colab_panel.drive.emulator import DriveEmulator
from colab_panel.drive.emulator.store import permission_id_for


def reason_of(error: HttpError) -> str:
    return error.error_details[0]["reason"]  # type: ignore[no-any-return]


def test_pydrive2_share_list_and_unshare(emulator: DriveEmulator, drive: Any, child: Any) -> None:
    a = child(emulator.root_id, "a.txt")
    handle = drive.CreateFile({"id": a.id})
    anyone = handle.InsertPermission({"type": "anyone", "role": "reader", "withLink": True})
    friend = handle.InsertPermission({"type": "user", "role": "writer", "value": "friend@example.com"})
    assert anyone["id"] == "anyoneWithLink" and anyone["withLink"] is True
    assert friend["id"] == permission_id_for("friend@example.com") and friend["id"].isdigit()

    listed = {(p["type"], p["role"], p.get("emailAddress")) for p in handle.GetPermissions()}
    assert listed == {("user", "owner", "me@example.com"), ("anyone", "reader", None), ("user", "writer", "friend@example.com")}

    handle.DeletePermission("anyoneWithLink")
    assert {p["id"] for p in handle.GetPermissions()} == {permission_id_for("me@example.com"), friend["id"]}


def test_permissions_list_in_drives_order(emulator: DriveEmulator, service: Any, child: Any) -> None:
    """Audiences first (anyone, then domain), then the owner, then other people, each in grant order."""
    a = child(emulator.root_id, "a.txt")
    for body in [{"type": "user", "role": "reader", "value": "zed@example.com"},
                 {"type": "domain", "role": "reader", "value": "example.com"},
                 {"type": "user", "role": "writer", "value": "amy@example.com"},
                 {"type": "anyone", "role": "reader", "withLink": True}]:
        service.permissions().insert(fileId=a.id, body=body).execute()
    listed = service.permissions().list(fileId=a.id).execute()["items"]
    assert [(p["type"], p.get("emailAddress")) for p in listed] == [
        ("anyone", None), ("domain", None), ("user", "me@example.com"), ("user", "zed@example.com"), ("user", "amy@example.com"),
    ]
    assert listed[2]["role"] == "owner"


def test_file_permissions_only_when_fields_ask(emulator: DriveEmulator, service: Any, child: Any, known: Any) -> None:
    a = child(emulator.root_id, "a.txt")
    service.permissions().insert(fileId=a.id, body={"type": "anyone", "role": "reader"}).execute()
    assert "permissions" not in service.files().get(fileId=a.id).execute()
    asked = service.files().get(fileId=a.id, fields="permissions").execute()
    assert [p["type"] for p in asked["permissions"]] == ["anyone", "user"]
    everything = service.files().get(fileId=a.id, fields="*").execute()
    assert {"permissions", "hasThumbnail", "thumbnailVersion", "userPermission"} <= set(everything)
    listed = service.files().list(q=f"'{emulator.root_id}' in parents and title = 'a.txt'",
                                  fields="items(id,permissions(id,role))").execute()["items"]
    assert listed == [{"id": a.id, "permissions": [{"id": "anyone", "role": "reader"}, {"id": permission_id_for("me@example.com"), "role": "owner"}]}]
    # Only someone who may share sees the grants: a reader asking gets none.
    reader = emulator.build_service(known.bob_token)
    alice_file = reader.files().get(fileId=known.alice_file_id, fields="id,permissions").execute()
    assert alice_file == {"id": known.alice_file_id}


def test_googleapiclient_permission_get_domain_and_commenter(emulator: DriveEmulator, service: Any, child: Any) -> None:
    a = child(emulator.root_id, "a.txt")
    domain = service.permissions().insert(fileId=a.id, body={"type": "domain", "role": "reader", "value": "example.com"}).execute()
    commenter = service.permissions().insert(
        fileId=a.id, body={"type": "user", "role": "commenter", "value": "c@example.com"}, sendNotificationEmails=False
    ).execute()
    assert domain["domain"] == "example.com"
    assert (commenter["role"], commenter["additionalRoles"]) == ("reader", ["commenter"])
    fetched = service.permissions().get(fileId=a.id, permissionId=commenter["id"]).execute()
    assert fetched["emailAddress"] == "c@example.com"
    assert service.files().get(fileId=a.id).execute()["shared"] is True
    with pytest.raises(HttpError) as caught:
        service.permissions().get(fileId=a.id, permissionId="12345").execute()
    assert (caught.value.status_code, reason_of(caught.value)) == (404, "notFound")


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"type": "user", "role": "reader", "value": "not-an-email"}, 400, "invalid"),
        ({"type": "user", "role": "boss", "value": "x@example.com"}, 400, "invalid"),
        ({"type": "robot", "role": "reader"}, 400, "invalid"),
        ({"type": "domain", "role": "reader", "value": "no_dots"}, 400, "invalid"),
        ({"type": "anyone", "role": "owner"}, 400, "invalidSharingRequest"),
        ({"type": "user", "role": "organizer", "value": "x@example.com"}, 400, "invalidSharingRequest"),
    ],
)
def test_bad_permissions_get_google_shaped_400s(
    emulator: DriveEmulator, service: Any, child: Any, body: dict[str, Any], status: int, reason: str
) -> None:
    a = child(emulator.root_id, "a.txt")
    with pytest.raises(HttpError) as caught:
        service.permissions().insert(fileId=a.id, body=body).execute()
    assert (caught.value.status_code, reason_of(caught.value)) == (status, reason)


def test_a_reader_cannot_share_or_modify(emulator: DriveEmulator, known: Any) -> None:
    bob = emulator.build_service(known.bob_token)
    assert bob.files().get(fileId=known.alice_file_id).execute()["userPermission"]["role"] == "reader"
    with pytest.raises(HttpError) as caught:
        bob.permissions().insert(fileId=known.alice_file_id, body={"type": "anyone", "role": "reader"}).execute()
    assert (caught.value.status_code, reason_of(caught.value)) == (403, "insufficientFilePermissions")
    with pytest.raises(HttpError) as caught:
        bob.files().patch(fileId=known.alice_file_id, body={"title": "mine now"}).execute()
    assert reason_of(caught.value) == "insufficientFilePermissions"
    # and an item nobody shared with bob does not exist for him
    with pytest.raises(HttpError) as caught:
        bob.files().get(fileId=emulator.root_id).execute()
    assert caught.value.status_code == 404


def test_a_writer_may_edit_but_not_delete(emulator: DriveEmulator, drive: Any, service: Any, known: Any) -> None:
    renamed = service.files().patch(fileId=known.alice_file_id, body={"title": "edited"}).execute()
    assert renamed["title"] == "edited"
    with pytest.raises(ApiRequestError) as caught:
        drive.CreateFile({"id": known.alice_file_id}).Delete()
    assert caught.value.GetField("reason") == "insufficientFilePermissions"


def test_domain_policy_refuses_outside_sharing(emulator: DriveEmulator, known: Any) -> None:
    carol = emulator.build_service(known.carol_token)
    assert carol.about().get().execute()["domainSharingPolicy"] == "disallowed"
    created = carol.files().insert(body={"title": "internal.txt"}).execute()
    inside = carol.permissions().insert(fileId=created["id"], body={"type": "user", "role": "reader", "value": "dave@corp.example"}).execute()
    assert inside["emailAddress"] == "dave@corp.example"
    for body in ({"type": "anyone", "role": "reader", "withLink": True}, {"type": "user", "role": "reader", "value": "x@gmail.com"}):
        with pytest.raises(HttpError) as caught:
            carol.permissions().insert(fileId=created["id"], body=body).execute()
        assert (caught.value.status_code, reason_of(caught.value)) == (400, "invalidSharingRequest")
