"""Handlers for `permissions`: insert, list, get, delete, and getIdForEmail.

Validation answers as Drive does: 400 `invalid` for a bad role/type/email, 400
`invalidSharingRequest` for a grant the account's policy or Drive's rules refuse, and 403
`insufficientFilePermissions` when the caller cannot share the item.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from colab_panel.drive.emulator.access import ROLE_RANK, readable, writable
from colab_panel.drive.emulator.errors import ApiError, invalid
from colab_panel.drive.emulator.resources import all_permissions, permission_json
from colab_panel.drive.emulator.store import Permission, permission_id_for
from colab_panel.drive.emulator.wire import ApiRequest, ApiResponse, empty_response, json_response

if TYPE_CHECKING:
    from colab_panel.drive.emulator.api import DriveApi

TYPES = ("user", "group", "domain", "anyone")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_DOMAIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def _sharing_refused(detail: str) -> ApiError:
    return ApiError(400, "invalidSharingRequest", f'Bad Request. User message: "{detail}"')


def list_permissions(api: DriveApi, req: ApiRequest, file_id: str) -> ApiResponse:
    with api.store.lock:
        item, _ = readable(api.store, file_id, req.email, req.resource_keys)
        items = [permission_json(req.base_url, item, perm) for perm in all_permissions(api.store, item)]
    return json_response(req, {"kind": "drive#permissionList", "etag": f'"{item.id}-perms"', "items": items})


def get_permission(api: DriveApi, req: ApiRequest, file_id: str, permission_id: str) -> ApiResponse:
    with api.store.lock:
        item, _ = readable(api.store, file_id, req.email, req.resource_keys)
        for perm in all_permissions(api.store, item):
            if perm.id == permission_id:
                return json_response(req, permission_json(req.base_url, item, perm))
    raise ApiError(404, "notFound", f"Permission not found: {permission_id}.", location="permissionId")


def delete_permission(api: DriveApi, req: ApiRequest, file_id: str, permission_id: str) -> ApiResponse:
    with api.store.lock:
        item, _ = writable(api.store, file_id, req.email, req.resource_keys)
        if permission_id == api.store.account(item.owner).permission_id:
            raise ApiError(403, "cannotRemoveOwner", "The owner of a file cannot be removed.")
        kept = [perm for perm in item.permissions if perm.id != permission_id]
        if len(kept) == len(item.permissions):
            raise ApiError(404, "notFound", f"Permission not found: {permission_id}.", location="permissionId")
        item.permissions = kept
    return empty_response(204)


def insert_permission(api: DriveApi, req: ApiRequest, file_id: str) -> ApiResponse:
    body = req.json_body()
    store = api.store
    with store.lock:
        item, _ = writable(store, file_id, req.email, req.resource_keys)
        perm = _validated(body)
        account = store.account(req.email)
        _check_policy(account.domain_sharing_policy, account.domain, perm)
        if perm.role == "owner":
            if store.account(req.email).email.lower() != item.owner.lower():
                raise ApiError(403, "insufficientFilePermissions", "Only the owner can transfer ownership.")
            previous = store.account(item.owner)
            item.owner = store.account(perm.email or "").email
            perm = Permission(id=previous.permission_id, type="user", role="writer", email=previous.email, name=previous.display_name)
        # One grant per grantee: sharing again changes the role, as Drive does.
        item.permissions = [existing for existing in item.permissions if existing.id != perm.id]
        if not (perm.type == "user" and (perm.email or "").lower() == item.owner.lower()):
            item.permissions.append(perm)
        return json_response(req, permission_json(req.base_url, item, perm))


def permission_id_for_email(api: DriveApi, req: ApiRequest, email: str) -> ApiResponse:
    if not _EMAIL_RE.match(email):
        raise invalid("Invalid email address", "email")
    return json_response(req, {"kind": "drive#permissionId", "id": permission_id_for(email)})


def _validated(body: dict[str, object]) -> Permission:
    kind = body.get("type")
    role = body.get("role")
    if kind not in TYPES:
        raise invalid(f"Invalid permission type: {kind!r}. Valid types are {', '.join(TYPES)}.", "permission.type")
    if role not in ROLE_RANK:
        raise invalid(f"Invalid permission role: {role!r}. Valid roles are {', '.join(ROLE_RANK)}.", "permission.role")
    additional = body.get("additionalRoles") or []
    if role == "reader" and isinstance(additional, list) and "commenter" in additional:
        role = "commenter"
    with_link = bool(body.get("withLink", False))
    value = body.get("value") or body.get("emailAddress")
    if kind in ("user", "group"):
        email = str(value or "")
        if not _EMAIL_RE.match(email):
            raise invalid("Invalid email or User ID", "permission.value")
        if role in ("organizer", "fileOrganizer"):
            raise _sharing_refused("The organizer and fileOrganizer roles only exist in shared drives.")
        return Permission(id=permission_id_for(email), type=str(kind), role=str(role), email=email)
    if role in ("owner", "organizer", "fileOrganizer"):
        raise _sharing_refused(f"The {role} role can only be given to a user or group.")
    if kind == "domain":
        domain = str(body.get("domain") or body.get("value") or "")
        if not _DOMAIN_RE.match(domain):
            raise invalid("Invalid domain", "permission.value")
        return Permission(
            id=permission_id_for("domain:" + domain.lower()) + ("k" if with_link else ""),
            type="domain",
            role=str(role),
            domain=domain.lower(),
            with_link=with_link,
        )
    return Permission(id="anyoneWithLink" if with_link else "anyone", type="anyone", role=str(role), with_link=with_link)


def _check_policy(policy: str, own_domain: str, perm: Permission) -> None:
    """An account whose admin disallows outside sharing may not share with anyone or other domains."""
    if policy not in ("disallowed", "incomingOnly"):
        return
    target_domain = perm.domain or (perm.email or "").rpartition("@")[2].lower()
    if perm.type == "anyone" or target_domain != own_domain:
        raise _sharing_refused(
            f"Sharing outside {own_domain} is not allowed by your administrator (domainSharingPolicy={policy})."
        )
