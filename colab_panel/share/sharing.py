"""Read and change who can open a Drive item, never widening access without confirmation.

    state = sharing("https://drive.google.com/file/d/ID/view")      # SharingState
    plan = plan_share(ID, anyone="reader", people=[("bob@x.org", "writer", False)])
    print(plan.describe())                                          # before -> after, in words
    share(ID, anyone="reader")               # raises ConfirmationRequired: it widens access
    share(ID, anyone="reader", confirm=True) # applied; recorded for undo
    revoke_last()                            # puts the last applied change back

Arguments of `plan_share`/`share`: ``anyone`` and ``domain`` take a role ("reader",
"commenter", "writer") to set link sharing, None to turn it off, or are left out (no change).
``domain`` alone means the signed-in account's own domain; ``domain=("example.com", "reader")``
names one. ``people`` is ``[(email, role, notify)]``; a role of None removes that person.

Applying is all-or-nothing per call: changes that narrow access go first, and if Drive
refuses a step, the steps already done are undone before the error is raised (its message
says so; if an undo step also fails, it names exactly what is still changed).
`apply_plan(plan)` applies a plan shown earlier, after checking nobody changed the sharing
in between; each change is re-based on the sharing read then, so whether it widens access is
decided by Drive's state, never by what a (possibly hand-built) plan claims. Every applied call
is pushed on a `ShareHistory` (one per process by default) so `revoke_last()` can put it back;
so is what a failed call left in effect when its own undo failed, so "last" is always the
change in effect. Undoing a removal gives access back, so it needs `confirm`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from colab_panel.drive.parse import parse_drive_link
from colab_panel.errors import ConfirmationRequired, DriveError, PanelError, ShareError
from colab_panel.inputs import shown
from colab_panel.share.model import (Change, FileRecord, Grant, SharePlan, ShareRecord,
                                     SharingState, role_words)
from colab_panel.share.rules import check_domain, check_role, parse_people

__all__ = ["KEEP", "ShareHistory", "SharingDrive", "apply_plan", "plan_share", "revoke_last",
           "share", "sharing", "default_history", "apply_changes", "resolve_drive", "roll_back",
           "explain", "plan_for_state", "rebase", "require_confirmation", "wanted", "Wanted"]


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()  # "leave this as it is" for `anyone` / `domain`


class SharingDrive(Protocol):
    """The Drive backend calls sharing needs (`colab_panel.drive.client.Drive` has them)."""

    def get(self, id_or_link: Any) -> Any: ...

    def permissions(self, id_or_link: Any) -> list[Any]: ...

    def insert_permission(self, id_or_link: Any, *, type: str, role: str,  # noqa: A002
                          email: str | None = None, domain: str | None = None,
                          with_link: bool = False, send_notification: bool = False) -> Any: ...

    def delete_permission(self, id_or_link: Any, permission_id: str) -> None: ...

    def about(self) -> Any: ...


# --- reading ----------------------------------------------------------------------------------


def sharing(file: Any, *, drive: SharingDrive | None = None) -> SharingState:
    """Who can open `file` (an ID, any Drive link, or a `DriveItem`): owner, link sharing, people."""
    drive = resolve_drive(drive)
    item = file if hasattr(file, "mime_type") else drive.get(_checked_ref(file))
    return _state(drive, item)


def _state(drive: SharingDrive, item: Any) -> SharingState:
    grants = [Grant.from_permission(perm) for perm in drive.permissions(item.id)]
    owner = next((g for g in grants if g.role == "owner"), None)
    return SharingState(file_id=item.id, title=item.title, mime_type=item.mime_type, owner=owner,
                        grants=tuple(g for g in grants if g.role != "owner"),
                        resource_key=getattr(item, "resource_key", None))


# --- planning ---------------------------------------------------------------------------------


def plan_share(file: Any, *, anyone: Any = KEEP, domain: Any = KEEP,
               people: Iterable[Any] | None = None, drive: SharingDrive | None = None) -> SharePlan:
    """What `share(...)` with the same arguments would change (reads, changes nothing)."""
    drive = resolve_drive(drive)
    wanted = _wanted(anyone, domain, people, drive)  # bad input fails before any read
    return plan_for_state(sharing(file, drive=drive), wanted)


@dataclass(frozen=True)
class Wanted:
    """Checked arguments of a sharing call, independent of any one item."""

    anyone: Any  # role, None, or KEEP
    domain: tuple[str, Any] | Any  # (domain, role|None) or KEEP
    people: tuple[tuple[str, str | None, bool], ...]


def _wanted(anyone: Any, domain: Any, people: Iterable[Any] | None, drive: SharingDrive) -> Wanted:
    if anyone is not KEEP and anyone is not None:
        anyone = check_role(anyone, who="anyone with the link")
    if domain is not KEEP:
        if isinstance(domain, (tuple, list)) and len(domain) == 2:
            name, role = check_domain(domain[0]), domain[1]
        else:
            name, role = _account_domain(drive), domain
        if role is not None:
            role = check_role(role, who=f"people in {name}")
        domain = (name, role)
    return Wanted(anyone, domain, tuple(parse_people(people)))


def wanted(anyone: Any = KEEP, domain: Any = KEEP, people: Iterable[Any] | None = None, *,
           drive: SharingDrive | None = None) -> Wanted:
    """Check sharing arguments once (batch calls plan many items with them)."""
    return _wanted(anyone, domain, people, resolve_drive(drive))


def plan_for_state(before: SharingState, wanted: Wanted) -> SharePlan:
    changes: list[Change] = []
    if wanted.anyone is not KEEP:
        current = [g for g in before.grants if g.type == "anyone"]
        changes += _set_role(current, Grant("anyone", wanted.anyone or "reader"), wanted.anyone)
    if wanted.domain is not KEEP:
        name, role = wanted.domain
        current = [g for g in before.grants if g.type == "domain" and (g.domain or "").lower() == name]
        changes += _set_role(current, Grant("domain", role or "reader", domain=name), role)
    for email, role, notify in wanted.people:
        if before.owner is not None and (before.owner.email or "").lower() == email.lower():
            raise ShareError(f"{email} owns {before.title or before.file_id}; the owner's access cannot be changed here.")
        current = [g for g in before.people if (g.email or "").lower() == email.lower()]
        kind = current[0].type if current else "user"
        changes += _set_role(current, Grant(kind, role or "reader", email=email), role, notify)
    after = _after(before, changes)
    return SharePlan(before, after, tuple(changes), tuple(_warnings(before, changes)))


def _set_role(current: list[Grant], template: Grant, role: str | None, notify: bool = False) -> list[Change]:
    if role is None:
        return [Change(g, before=g.role, after=None) for g in current]
    if not current:
        return [Change(template, before=None, after=role, notify=notify)]
    # Keep the grant's own shape (with_link, group vs user); only its role moves.
    return [Change(replace(g, role=role), before=g.role, after=role, notify=notify)
            for g in current if g.role != role]


def _after(before: SharingState, changes: Sequence[Change]) -> SharingState:
    grants = {g.key: g for g in before.grants}
    for change in changes:
        if change.after is None:
            grants.pop(change.grant.key, None)
        else:
            grants[change.grant.key] = replace(change.grant, role=change.after)
    return replace(before, grants=tuple(grants.values()))


def _warnings(before: SharingState, changes: Sequence[Change]) -> list[str]:
    name = before.title or before.file_id
    out = []
    for change in changes:
        if not (change.widens and before.is_folder):
            continue
        if change.grant.type in ("anyone", "domain"):
            out.append(f"{name} is a folder: {change.grant.who()} will reach everything inside it, "
                       "including files added later.")
        else:
            out.append(f"{name} is a folder: {change.grant.who()} gets the same access to everything inside it.")
    return out


# --- applying ---------------------------------------------------------------------------------


def share(file: Any, *, anyone: Any = KEEP, domain: Any = KEEP, people: Iterable[Any] | None = None,
          confirm: bool = False, drive: SharingDrive | None = None,
          history: ShareHistory | None = None) -> ShareRecord:
    """Change who can open `file`. Widening access needs ``confirm=True`` (else `ConfirmationRequired`,
    whose message and `.plan` say what would change). Returns what was applied (also kept for undo)."""
    drive = resolve_drive(drive)
    plan = plan_share(file, anyone=anyone, domain=domain, people=people, drive=drive)
    return _apply(plan, confirm=confirm, drive=drive, history=history)


def apply_plan(plan: SharePlan, *, confirm: bool = False, drive: SharingDrive | None = None,
               history: ShareHistory | None = None) -> ShareRecord:
    """Apply a plan made earlier (shown to the user), if the item's sharing is still what it saw.

    The plan's own claims are not trusted: each change is re-based on the sharing read from
    Drive now (`rebase`), so a plan built by hand cannot pass a widening off as a narrowing, nor
    remove a grant through another grant's permission ID. Widening needs ``confirm=True``.
    """
    if not isinstance(plan, SharePlan):
        raise ShareError(f"apply_plan takes the plan plan_share() returned, not {shown(plan)}.")
    drive = resolve_drive(drive)
    require_confirmation(plan, confirm)
    return _apply(rebase(drive, plan), confirm=confirm, drive=drive, history=history)


def rebase(drive: SharingDrive, plan: SharePlan) -> SharePlan:
    """`plan` with every change's `before` and permission ID taken from the item's sharing now.

    Raises ShareError (nothing applied) if the sharing is not what the plan saw. A change that is
    already in effect is dropped; a removal of a grant that is not there is dropped too.
    """
    now = _state(drive, _Named(plan.before))
    if _roles(now) != _roles(plan.before):
        raise ShareError(f"The sharing of {plan.before.title or plan.file_id} changed since this plan was made "
                         "(someone else edited it). Nothing was applied: review the new state and try again.")
    changes: list[Change] = []
    for change in plan.changes:
        current = now.grant_for(change.grant.key)
        role_now = current.role if current is not None else None
        if role_now == change.after:
            continue
        grant = replace(change.grant, permission_id=current.permission_id if current is not None else None)
        changes.append(replace(change, grant=grant, before=role_now))
    return SharePlan(now, _after(now, changes), tuple(changes), plan.warnings)


def require_confirmation(plan: SharePlan, confirm: bool) -> None:
    if plan.widens and confirm is not True:
        raise ConfirmationRequired(
            "Not applied: this would widen access and needs confirmation (confirm=True).\n" + plan.describe(),
            plan=plan)


def _apply(plan: SharePlan, *, confirm: bool, drive: SharingDrive, history: ShareHistory | None) -> ShareRecord:
    require_confirmation(plan, confirm)
    history = history if history is not None else default_history()
    try:
        applied = apply_changes(drive, plan.before, plan.changes)
    except PanelError as exc:
        left = exc.still_changed
        if left:  # the undo of the failed call failed too: what is still in effect is the last change
            history.push(ShareRecord((FileRecord(plan.file_id, plan.before.title, left),)), drive)
        raise
    record = ShareRecord((FileRecord(plan.file_id, plan.before.title, applied),))
    if applied:
        history.push(record, drive)
    return record


def apply_changes(drive: SharingDrive, state: SharingState, changes: Sequence[Change]) -> tuple[Change, ...]:
    """Apply `changes` to one item, narrowing ones first; on a refusal undo what was done and raise.

    The raised error keeps its type (DriveNotFound, DrivePermissionDenied, ShareError...) and its
    message says whether the item was left exactly as before.
    """
    ordered = sorted(changes, key=lambda c: c.widens)  # stable: narrowing first
    done: list[Change] = []
    for change in ordered:
        try:
            done.append(_apply_one(drive, state.file_id, change))
        except PanelError as exc:
            leftover = roll_back(drive, state.file_id, done)
            raise _reworded(exc, state, change, done, leftover) from exc
    return tuple(done)


def _apply_one(drive: SharingDrive, file_id: str, change: Change) -> Change:
    if change.after is None:
        if change.grant.permission_id is None:
            raise ShareError(f"Drive gave no permission ID for {change.grant.who()}; cannot remove it.")
        drive.delete_permission(file_id, change.grant.permission_id)
        return change
    grant = replace(change.grant, role=change.after)
    notify = change.notify and grant.type in ("user", "group")
    made = drive.insert_permission(file_id, **grant.insert_arguments(), send_notification=notify)
    made_id = getattr(made, "id", None)
    return replace(change, grant=replace(grant, permission_id=made_id or grant.permission_id))


def roll_back(drive: SharingDrive, file_id: str, done: Sequence[Change]) -> list[Change]:
    """Undo `done` in reverse; return the changes that could not be undone (still in effect)."""
    leftover = []
    for change in reversed(done):
        try:
            _apply_one(drive, file_id, change.inverse())
        except PanelError:
            leftover.append(change)
    return leftover


def _reworded(exc: PanelError, state: SharingState, failed: Change, done: Sequence[Change],
              leftover: Sequence[Change]) -> PanelError:
    name = state.title or state.file_id
    cause = explain(exc, name)
    if not done:
        outcome = "Nothing was changed."
    elif not leftover:
        outcome = f"The {len(done)} change(s) made before it were undone: the sharing is as it was."
    else:
        outcome = ("These changes could NOT be undone and are still in effect: "
                   + "; ".join(c.describe() for c in leftover) + ".")
    message = f"Could not set {failed.describe()} on {name}: {cause} {outcome}"
    error: PanelError
    if isinstance(exc, (DriveError, ShareError)) and exc.reason == "invalidSharingRequest":
        # Drive's rules or the account's policy refused the grant itself: a sharing error.
        error = ShareError(message, reason=exc.reason, status=exc.status)
    elif isinstance(exc, DriveError):
        error = type(exc)(message, reason=exc.reason, status=exc.status)
    else:
        error = type(exc)(message)
    error.still_changed = tuple(leftover)
    return error


def explain(exc: PanelError, name: str) -> str:
    """The Drive failure in sharing words (domain policy and 403 get their own sentences)."""
    reason = getattr(exc, "reason", None)
    status = getattr(exc, "status", None)
    if reason == "invalidSharingRequest":
        return ("Drive refused this sharing request: sharing outside your organisation (or with this "
                f"domain) is not available for this account ({_drive_words(exc)}).")
    if status == 403 or reason in ("insufficientFilePermissions", "forbidden", "cannotRemoveOwner"):
        return (f"this account has no right to change who can open {name} (only its owner and editors "
                f"can share it; Drive said {reason or 'forbidden'}).")
    return str(exc)


def _drive_words(exc: PanelError) -> str:
    text = str(exc)
    start = text.find('User message: "')
    if start >= 0:
        return text[start + 15:].split('"')[0]
    return text


# --- undo -------------------------------------------------------------------------------------


class ShareHistory:
    """Applied sharing calls, newest last, each with the Drive it was made through."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[tuple[ShareRecord, SharingDrive]] = []

    def push(self, record: ShareRecord, drive: SharingDrive) -> None:
        with self._lock:
            self._entries.append((record, drive))

    def last(self) -> ShareRecord | None:
        with self._lock:
            return self._entries[-1][0] if self._entries else None

    def _peek(self) -> tuple[ShareRecord, SharingDrive] | None:
        with self._lock:
            return self._entries[-1] if self._entries else None

    def _drop(self, record: ShareRecord) -> None:
        with self._lock:
            if self._entries and self._entries[-1][0] is record:
                self._entries.pop()

    def _replace(self, record: ShareRecord, by: ShareRecord) -> None:
        with self._lock:
            if self._entries and self._entries[-1][0] is record:
                self._entries[-1] = (by, self._entries[-1][1])

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


_DEFAULT_HISTORY = ShareHistory()


def default_history() -> ShareHistory:
    return _DEFAULT_HISTORY


def revoke_last(*, confirm: bool = False, history: ShareHistory | None = None,
                drive: SharingDrive | None = None) -> ShareRecord:
    """Undo the last applied `share`/`share_batch` call; return what the undo applied.

    "Last" includes what a failed call left in effect when its own undo failed: that is undone
    first, never an older change. A grantee whose role was changed again by someone else since
    is left alone (and not counted). Undoing a removal gives access back: that needs
    ``confirm=True``. Each step is tried even if another fails; if any fails, ShareError names
    what is still in effect, and that stays the last change (the next undo tries it again).
    """
    history = history if history is not None else default_history()
    entry = history._peek()
    if entry is None:
        raise ShareError("Nothing to undo: no sharing change was applied in this session.")
    record, used_drive = entry
    drive = drive or used_drive
    if record.undo_widens and confirm is not True:
        raise ConfirmationRequired("Not undone: undoing would give access back and needs confirmation "
                                   "(confirm=True).\n" + record.describe(), record=record)
    undone: list[FileRecord] = []
    still: list[FileRecord] = []
    reasons: list[str] = []
    for file_record in reversed(record.files):
        done, failed, why = _undo_file(drive, file_record)
        undone.append(FileRecord(file_record.file_id, file_record.title, done))
        if failed:
            still.append(FileRecord(file_record.file_id, file_record.title, failed))
            reasons.append(why)
    result = ShareRecord(tuple(undone))
    if still:
        history._replace(record, ShareRecord(tuple(reversed(still))))
        lines = "; ".join(f"{r.title or r.file_id}: {c.grant.who()} still {role_words(c.after)}"
                          for r in still for c in r.applied)
        failure = ShareError(f"These sharing changes could NOT be undone and are still in effect: {lines}. "
                             f"{' '.join(dict.fromkeys(reasons))} Run the undo again to retry them."
                             + (f" Undone: {result.describe()}" if any(r.applied for r in undone) else ""),
                             record=result)
        failure.still_changed = tuple(still)
        raise failure
    history._drop(record)
    return result


def _undo_file(drive: SharingDrive, file_record: FileRecord) -> tuple[tuple[Change, ...], tuple[Change, ...], str]:
    """Undo one item's changes, each on its own; (undone inverses, changes still in effect, why in words)."""
    name = file_record.title or file_record.file_id
    try:
        now = _state(drive, _Named(SharingState(file_record.file_id, file_record.title, "", None, ())))
    except PanelError as exc:
        return (), file_record.applied, explain(exc, name)
    pending = [c for c in reversed(file_record.applied) if _still_as_applied(now, c)]
    pending.sort(key=lambda c: c.inverse().widens)  # narrowing first, as when applying
    done: list[Change] = []
    failed: list[Change] = []
    why = ""
    for change in pending:
        inverse = change.inverse()
        inverse = replace(inverse, grant=_with_current_id(now, inverse.grant))
        try:
            done.append(_apply_one(drive, file_record.file_id, inverse))
        except PanelError as exc:
            failed.append(change)
            why = explain(exc, name)
    return tuple(done), tuple(failed), why


def _still_as_applied(now: SharingState, change: Change) -> bool:
    current = now.grant_for(change.grant.key)
    return (current.role if current else None) == change.after


def _with_current_id(now: SharingState, grant: Grant) -> Grant:
    current = now.grant_for(grant.key)
    return replace(grant, permission_id=current.permission_id) if current else grant


# --- helpers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Named:
    """A stand-in item for re-reading permissions of a state we already know (no metadata read)."""

    state: SharingState

    @property
    def id(self) -> str:
        return self.state.file_id

    @property
    def title(self) -> str:
        return self.state.title

    @property
    def mime_type(self) -> str:
        return self.state.mime_type

    @property
    def resource_key(self) -> str | None:
        return self.state.resource_key


def _roles(state: SharingState) -> dict[tuple[str, ...], str]:
    return {g.key: g.role for g in state.grants}


def _checked_ref(file: Any) -> str:
    """The ID or link as given (the backend keeps a link's resource key); malformed ones refused in words."""
    try:
        parse_drive_link(file)
    except (TypeError, ValueError) as exc:
        raise ShareError(str(exc)) from None
    return str(file).strip()


def _account_domain(drive: SharingDrive) -> str:
    email = str(drive.about().user_email or "")
    if "@" not in email:
        raise ShareError("Cannot tell this account's domain; name it: domain=('example.com', 'reader').")
    return email.rpartition("@")[2].lower()


def resolve_drive(drive: SharingDrive | None) -> SharingDrive:
    if drive is not None:
        return drive
    from colab_panel.drive.default import default_drive

    session_drive: SharingDrive = default_drive()
    return session_drive


