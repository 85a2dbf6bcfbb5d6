"""Who may do what: the requesting account's effective role on an item, and resource-key checks.

Roles come from the item's own permissions and those of every folder above it (sharing a
folder shares its contents). The owner of a folder may edit what others put inside it. In a
shared drive, a member's drive role (organizer ... reader) holds on every item in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from colab_panel.drive.emulator.errors import insufficient_permissions, not_found
from colab_panel.drive.emulator.store import Item, Store

ROLE_RANK = {"reader": 1, "commenter": 2, "writer": 3, "fileOrganizer": 4, "organizer": 5, "owner": 6}
WRITE_ROLES = frozenset({"writer", "fileOrganizer", "organizer", "owner"})


@dataclass(frozen=True)
class Access:
    """The best role `email` has on an item, and whether it comes only from link sharing ('anyone')."""

    role: str | None
    link_only: bool = False

    @property
    def can_read(self) -> bool:
        return self.role is not None

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES


def access_for(store: Store, item: Item, email: str) -> Access:
    email = email.lower()
    domain = email.rpartition("@")[2]
    best: str | None = None
    best_is_link = False

    def offer(role: str, via_link: bool) -> None:
        nonlocal best, best_is_link
        if best is None or ROLE_RANK[role] > ROLE_RANK[best] or (ROLE_RANK[role] == ROLE_RANK[best] and not via_link):
            best, best_is_link = role, via_link

    if item.drive_id is not None:
        # In a shared drive nobody owns items: members hold their drive role on all of them.
        drive = store.drives.get(item.drive_id)
        role = drive.members.get(email) if drive is not None else None
        if role is not None:
            offer(role, False)
    elif item.owner.lower() == email:
        offer("owner", False)
    for index, holder in enumerate([item, *store.ancestors(item)]):
        if index > 0 and holder.drive_id is None and holder.owner.lower() == email:
            offer("writer", False)
        for perm in holder.permissions:
            if perm.type in ("user", "group") and (perm.email or "").lower() == email:
                offer(perm.role if index == 0 or perm.role != "owner" else "writer", False)
            elif perm.type == "domain" and (perm.domain or "").lower() == domain:
                offer(perm.role, False)
            elif perm.type == "anyone":
                offer(perm.role, True)
    return Access(best, best_is_link and best is not None)


def check_resource_key(item: Item, access: Access, keys: dict[str, str]) -> None:
    """Older link-shared items answer 404 to link-only visitors who do not send the item's key."""
    if item.requires_resource_key and access.link_only and keys.get(item.id) != item.resource_key:
        raise not_found(item.id)


def readable(store: Store, file_id: str, email: str, keys: dict[str, str]) -> tuple[Item, Access]:
    """The item if `email` may see it, else Google's 404 (Drive never admits an item exists)."""
    item = store.get(file_id)
    if item is None:
        raise not_found(file_id)
    access = access_for(store, item, email)
    if not access.can_read:
        raise not_found(file_id)
    check_resource_key(item, access, keys)
    return item, access


def writable(store: Store, file_id: str, email: str, keys: dict[str, str]) -> tuple[Item, Access]:
    item, access = readable(store, file_id, email, keys)
    if not access.can_write:
        raise insufficient_permissions()
    return item, access


def parse_resource_keys(header: str | None) -> dict[str, str]:
    """`X-Goog-Drive-Resource-Keys: id1/key1,id2/key2` -> {id1: key1, id2: key2}."""
    keys: dict[str, str] = {}
    for entry in (header or "").split(","):
        ident, sep, key = entry.strip().partition("/")
        if sep and ident and key:
            keys[ident] = key
    return keys
