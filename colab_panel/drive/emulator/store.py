"""The emulator's in-memory file tree: items, their bytes on disk, accounts, and the lock guarding them.

Content is never held in memory for long: every file's bytes live in a file on disk (the
seed directory's own file, or a blob written under the emulator's temp dir for uploads and
manifest contents), so Range downloads of large files read only what they send.
Blobs are immutable: an upload of new content writes a new blob, a copy shares the old one.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

FOLDER_MIME = "application/vnd.google-apps.folder"
SHORTCUT_MIME = "application/vnd.google-apps.shortcut"
NATIVE_PREFIX = "application/vnd.google-apps."

_ID_ALPHABET = string.ascii_letters + string.digits + "-_"


def now() -> datetime:
    return datetime.now(timezone.utc)


def new_file_id() -> str:
    """33 characters starting with '1', the shape of a modern Drive file ID."""
    return "1" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(32))


def new_root_id() -> str:
    """19 characters starting with '0A', the shape of a My Drive / shared drive root ID."""
    return "0A" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12)) + "Uk9PVA"


def permission_id_for(email: str) -> str:
    """A stable numeric-looking ID per account, as Google gives each user one ('0483...')."""
    digest = hashlib.sha256(email.lower().encode()).hexdigest()
    return str(int(digest[:16], 16)).rjust(20, "0")[:20]


@dataclass
class Permission:
    """One grant on an item. `role` is the v2 role, plus 'commenter' (shown as reader + additionalRoles)."""

    id: str
    type: str  # user | group | domain | anyone
    role: str  # owner | organizer | fileOrganizer | writer | commenter | reader
    email: str | None = None
    domain: str | None = None
    with_link: bool = False
    name: str | None = None


@dataclass
class Account:
    """A user the emulator knows: who a bearer token stands for."""

    email: str
    display_name: str
    root_id: str
    domain_sharing_policy: str = "allowed"  # v2 About values: allowed | allowedWithWarning | incomingOnly | disallowed
    quota_bytes_total: int = 15 * 1024**3

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()

    @property
    def permission_id(self) -> str:
        return permission_id_for(self.email)


@dataclass(frozen=True)
class Revision:
    """One stored version of an item's content (its blob is immutable, so old ones stay readable)."""

    id: str
    modified: datetime
    user: str  # who wrote it
    mime_type: str
    blob: Path | None = None
    size: int = 0
    md5: str | None = None
    original_filename: str = ""


@dataclass
class SharedDrive:
    """A shared drive: its root folder has the drive's ID; members' roles reach every item in it."""

    id: str
    name: str
    members: dict[str, str] = field(default_factory=dict)  # email (lower case) -> organizer | fileOrganizer | writer | commenter | reader
    created: datetime = field(default_factory=now)


@dataclass
class Item:
    """A file, folder, shortcut or Google-native doc. Trash state of ancestors is computed by the store."""

    id: str
    title: str
    mime_type: str
    parents: list[str]
    owner: str
    created: datetime = field(default_factory=now)
    modified: datetime = field(default_factory=now)
    description: str = ""
    starred: bool = False
    explicitly_trashed: bool = False
    blob: Path | None = None
    size: int = 0
    md5: str | None = None
    resource_key: str | None = None
    requires_resource_key: bool = False
    shortcut_target: str | None = None
    native_text: str = ""  # what exports of a Google-native doc are made from
    permissions: list[Permission] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)  # oldest first; see Store.revisions
    version: int = 1
    last_modifying_user: str | None = None
    is_root: bool = False
    drive_id: str | None = None  # the shared drive it lives in; None in someone's My Drive

    @property
    def is_folder(self) -> bool:
        return self.mime_type == FOLDER_MIME

    @property
    def is_native(self) -> bool:
        """Google-native (Docs, Sheets, folders, shortcuts...): no bytes of its own to download."""
        return self.mime_type.startswith(NATIVE_PREFIX)


class Store:
    """All items and accounts. Hold `store.lock` around any read-modify-write sequence."""

    def __init__(self, blob_dir: Path, owner_email: str = "me@example.com", owner_name: str = "Emulated User") -> None:
        self.lock = threading.RLock()
        self.items: dict[str, Item] = {}
        self.accounts: dict[str, Account] = {}
        self.drives: dict[str, SharedDrive] = {}
        self.generated_ids: dict[str, str] = {}  # files.generateIds: ID -> the account it was made for
        self.blob_dir = blob_dir
        self.default_account = self.add_account(owner_email, owner_name)

    # --- accounts ---------------------------------------------------------------------------

    def add_account(self, email: str, display_name: str | None = None) -> Account:
        """Create a user with an empty My Drive (idempotent per email)."""
        with self.lock:
            existing = self.accounts.get(email.lower())
            if existing is not None:
                return existing
            root = Item(id=new_root_id(), title="My Drive", mime_type=FOLDER_MIME, parents=[], owner=email, is_root=True)
            self.items[root.id] = root
            account = Account(email=email, display_name=display_name or email.partition("@")[0].title(), root_id=root.id)
            self.accounts[email.lower()] = account
            return account

    def add_shared_drive(self, name: str, members: dict[str, str], drive_id: str | None = None) -> SharedDrive:
        """A shared drive with `members` ({email: role}); its root is an item with the drive's ID."""
        with self.lock:
            drive = SharedDrive(id=drive_id or new_root_id(), name=name,
                                members={email.lower(): role for email, role in members.items()})
            self.drives[drive.id] = drive
            # A shared drive's items have no owner on Drive; the emulator records the first
            # organizer so "who may delete" keeps one answer (organizers, see access.py).
            organizer = next((e for e, r in drive.members.items() if r == "organizer"), next(iter(drive.members), ""))
            self.items[drive.id] = Item(id=drive.id, title=name, mime_type=FOLDER_MIME, parents=[], owner=organizer,
                                        is_root=True, drive_id=drive.id)
            return drive

    def account(self, email: str) -> Account:
        return self.accounts.get(email.lower()) or self.add_account(email)

    @property
    def root_id(self) -> str:
        return self.default_account.root_id

    # --- blobs ------------------------------------------------------------------------------

    def write_blob(self, data: bytes) -> tuple[Path, int, str]:
        """Store bytes as a new immutable blob; return (path, size, md5)."""
        path = self.blob_dir / secrets.token_hex(16)
        path.write_bytes(data)
        return path, len(data), hashlib.md5(data).hexdigest()

    def md5_of(self, item: Item) -> str | None:
        """md5Checksum, computed on first use for seeded files (hashing a large tree at start would be slow)."""
        if item.is_native or item.blob is None:
            return None
        if item.md5 is None:
            digest = hashlib.md5()
            with open(item.blob, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            item.md5 = digest.hexdigest()
        return item.md5

    # --- revisions --------------------------------------------------------------------------

    def revisions(self, item: Item) -> list[Revision]:
        """The item's content history, oldest first; the last is the head revision.

        Every file has at least one: a seeded item gets its first when first asked.
        Folders and shortcuts have none (they have no content).
        """
        if item.is_folder or item.mime_type == SHORTCUT_MIME:
            return []
        with self.lock:
            if not item.revisions:
                self.record_revision(item, when=item.modified)
            return item.revisions

    def record_revision(self, item: Item, when: datetime | None = None) -> Revision | None:
        """Keep the item's current content as its new head revision (None for folders and shortcuts)."""
        if item.is_folder or item.mime_type == SHORTCUT_MIME:
            return None
        with self.lock:
            if item.is_native:
                ident = str(len(item.revisions) + 1)  # Docs editors number their revisions
            else:
                ident = "0B" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(42))
            revision = Revision(
                id=ident,
                modified=when or now(),
                user=item.last_modifying_user or item.owner,
                mime_type=item.mime_type,
                blob=item.blob,
                size=item.size,
                md5=self.md5_of(item),
                original_filename=item.title,
            )
            item.revisions.append(revision)
            return revision

    # --- tree -------------------------------------------------------------------------------

    def add(self, item: Item) -> Item:
        with self.lock:
            self.items[item.id] = item
            return item

    def get(self, file_id: str) -> Item | None:
        return self.items.get(file_id)

    def children(self, folder_id: str) -> list[Item]:
        with self.lock:
            return [item for item in self.items.values() if folder_id in item.parents]

    def ancestors(self, item: Item) -> list[Item]:
        """Every folder above `item` (all parent chains), nearest first, each once."""
        seen: set[str] = set()
        out: list[Item] = []
        queue = list(item.parents)
        while queue:
            parent_id = queue.pop(0)
            if parent_id in seen:
                continue
            seen.add(parent_id)
            parent = self.items.get(parent_id)
            if parent is not None:
                out.append(parent)
                queue.extend(parent.parents)
        return out

    def descendants(self, folder_id: str) -> list[Item]:
        out: list[Item] = []
        queue = [folder_id]
        seen = {folder_id}
        while queue:
            current = queue.pop()
            for child in self.children(current):
                if child.id not in seen:
                    seen.add(child.id)
                    out.append(child)
                    queue.append(child.id)
        return out

    def is_trashed(self, item: Item) -> bool:
        """Trashing a folder trashes everything under it (explicitlyTrashed stays False on those)."""
        return item.explicitly_trashed or any(parent.explicitly_trashed for parent in self.ancestors(item))

    def remove(self, file_id: str) -> list[str]:
        """Delete an item and everything under it for good; return the removed IDs."""
        with self.lock:
            doomed = [file_id] + [child.id for child in self.descendants(file_id)]
            for ident in doomed:
                self.items.pop(ident, None)
            return doomed

    def bytes_used(self, owner: str) -> int:
        with self.lock:
            return sum(item.size for item in self.items.values() if item.owner.lower() == owner.lower() and not item.is_native)
