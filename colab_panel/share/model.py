"""The sharing vocabulary: a grant, the sharing state of an item, a planned change and its record.

A `Grant` is one Drive permission in our terms: who (`type` + `email`/`domain`), with which
role. Drive API v2 has no 'commenter' role (it is reader + additionalRoles=['commenter']);
here it is a role like any other (the Drive backend folds it in).

A `Change` moves one grantee from a role (`before`, None = no access) to another (`after`,
None = removed). It *widens* access when it gives a grantee access they did not have or a
higher role; only widening changes need confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

__all__ = ["ROLES", "ROLE_RANK", "Change", "Grant", "ShareRecord", "SharePlan", "SharingState",
           "FileRecord", "role_words"]

ROLES = ("reader", "commenter", "writer")  # the roles this module gives out
ROLE_RANK = {"reader": 1, "commenter": 2, "writer": 3, "fileOrganizer": 4, "organizer": 5,
             "owner": 6}
_ROLE_WORDS = {"reader": "can view", "commenter": "can comment", "writer": "can edit",
               "owner": "owner", "fileOrganizer": "can organize", "organizer": "manager"}


def role_words(role: str | None) -> str:
    return "no access" if role is None else _ROLE_WORDS.get(role, role)


@dataclass(frozen=True)
class Grant:
    """One permission on an item. `permission_id` is Drive's ID (None until Drive made it)."""

    type: str  # "user" | "group" | "domain" | "anyone"
    role: str  # "reader" | "commenter" | "writer" | "owner" | ...
    email: str | None = None
    domain: str | None = None
    name: str | None = None
    with_link: bool = True  # anyone/domain: True = whoever has the link; False = findable too
    permission_id: str | None = None

    @property
    def key(self) -> tuple[str, ...]:
        """Who the grant is for, independent of role: what a change is keyed by."""
        if self.type in ("user", "group"):
            return (self.type, (self.email or "").lower())
        if self.type == "domain":
            return ("domain", (self.domain or "").lower(), str(self.with_link))
        return ("anyone", str(self.with_link))

    def who(self) -> str:
        """'anyone with the link', 'people in example.com with the link', 'bob@example.com (group)'."""
        if self.type == "anyone":
            return "anyone with the link" if self.with_link else "anyone on the internet (findable)"
        if self.type == "domain":
            return f"people in {self.domain} with the link" if self.with_link else f"everyone in {self.domain}"
        suffix = " (group)" if self.type == "group" else ""
        return f"{self.email}{suffix}"

    @classmethod
    def from_permission(cls, perm: Any) -> Grant:
        """From the Drive backend's `DrivePermission` (role already folds commenter in)."""
        kind = str(perm.type)
        return cls(type=kind, role=str(perm.role),
                   email=perm.email if kind in ("user", "group") else None,
                   domain=perm.domain if kind == "domain" else None,
                   name=perm.name,
                   with_link=bool(perm.with_link) if kind in ("anyone", "domain") else True,
                   permission_id=perm.id or None)

    def insert_arguments(self) -> dict[str, Any]:
        """Keyword arguments of `Drive.insert_permission` that grant this."""
        args: dict[str, Any] = {"type": self.type, "role": self.role}
        if self.type in ("user", "group"):
            args["email"] = self.email
        else:
            args["with_link"] = self.with_link
            if self.type == "domain":
                args["domain"] = self.domain
        return args


@dataclass(frozen=True)
class SharingState:
    """Who can open an item now: its owner and every grant on the item itself."""

    file_id: str
    title: str
    mime_type: str
    owner: Grant | None
    grants: tuple[Grant, ...]  # not the owner's
    resource_key: str | None = None

    @property
    def is_folder(self) -> bool:
        return self.mime_type == "application/vnd.google-apps.folder"

    @property
    def link_sharing(self) -> tuple[Grant, ...]:
        return tuple(g for g in self.grants if g.type in ("anyone", "domain"))

    @property
    def anyone(self) -> Grant | None:
        return next((g for g in self.grants if g.type == "anyone"), None)

    @property
    def domains(self) -> tuple[Grant, ...]:
        return tuple(g for g in self.grants if g.type == "domain")

    @property
    def people(self) -> tuple[Grant, ...]:
        return tuple(g for g in self.grants if g.type in ("user", "group"))

    def grant_for(self, key: tuple[str, ...]) -> Grant | None:
        return next((g for g in self.grants if g.key == key), None)

    def describe(self) -> str:
        """Several lines in words, as the tab and the CLI show them."""
        lines = [f"{self.title or self.file_id} ({'folder' if self.is_folder else 'file'} {self.file_id})"]
        if self.owner is not None:
            lines.append(f"  owner: {self.owner.email}")
        link = self.link_sharing
        if not link:
            lines.append("  link sharing: off (only the people below can open it)")
        for grant in link:
            lines.append(f"  link sharing: {grant.who()} {role_words(grant.role)}")
        for grant in self.people:
            lines.append(f"  {grant.who()}: {role_words(grant.role)}")
        if not self.people:
            lines.append("  no people or groups added")
        return "\n".join(lines)


@dataclass(frozen=True)
class Change:
    """One grantee from role `before` to role `after` (None: no access)."""

    grant: Grant  # the grantee; its role is `after` (or `before` for a removal)
    before: str | None
    after: str | None
    notify: bool = False  # email the person (user/group grants only)

    @property
    def widens(self) -> bool:
        if self.after is None:
            return False
        return self.before is None or ROLE_RANK.get(self.after, 0) > ROLE_RANK.get(self.before, 0)

    def describe(self) -> str:
        arrow = f"{role_words(self.before)} → {role_words(self.after)}"
        mark = " (widens access)" if self.widens else ""
        mail = ", with an email" if self.notify and self.after and self.grant.type in ("user", "group") else ""
        return f"{self.grant.who()}: {arrow}{mark}{mail}"

    def inverse(self) -> Change:
        """The change that puts this grantee back where it was."""
        role = self.before or self.grant.role
        return Change(replace(self.grant, role=role), before=self.after, after=self.before)


@dataclass(frozen=True)
class SharePlan:
    """What `share(...)` would do to one item: state before and after, the changes, warnings."""

    before: SharingState
    after: SharingState
    changes: tuple[Change, ...]
    warnings: tuple[str, ...] = ()

    @property
    def file_id(self) -> str:
        return self.before.file_id

    @property
    def widens(self) -> bool:
        return any(change.widens for change in self.changes)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def describe(self) -> str:
        name = self.before.title or self.file_id
        if not self.changes:
            return f"No change for {name}: it is already shared that way."
        lines = [f"Sharing changes for {name}:"]
        lines += [f"  - {change.describe()}" for change in self.changes]
        lines += [f"  ! {warning}" for warning in self.warnings]
        return "\n".join(lines)


@dataclass(frozen=True)
class FileRecord:
    """The changes really applied to one item (with Drive's permission IDs), in order."""

    file_id: str
    title: str
    applied: tuple[Change, ...]


@dataclass(frozen=True)
class ShareRecord:
    """One applied `share`/`share_batch` call: what `revoke_last()` undoes."""

    files: tuple[FileRecord, ...]
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def undo_widens(self) -> bool:
        """Undoing gives back access that was taken away (so it needs confirming too)."""
        return any(change.inverse().widens for record in self.files for change in record.applied)

    def describe(self) -> str:
        lines = []
        for record in self.files:
            lines.append(f"{record.title or record.file_id}:")
            lines += [f"  - {change.describe()}" for change in record.applied]
        return "\n".join(lines)
