"""State and verbs of the Share tab: links for one item, its sharing, changes, undo and batches.

    share = ShareController(drive=drive)           # drive: None = sign in on first use
    share.target = "https://drive.google.com/file/d/ID/view"; share.load()
    share.links["download"]; share.state.describe()
    share.anyone_role = "reader"; share.propose()  # nothing applied: `plan_text` shows before/after
    share.confirm()                                # applied only now; share.undo() puts it back
    share.batch_folder = FOLDER_ID; share.list_batch(); share.export_batch("links.csv")
    share.batch_role = "reader"; share.propose_batch(); share.confirm()

Every change goes through a plan waiting as the `Confirmation` in `asking` (shown by the
`pending*` and `plan_*` traits) that only `confirm()` applies; `cancel()` drops it. Undo that
would give access back is itself a pending plan. Failures land in `error` as words
(`Controller.action`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import traitlets

from colab_panel.controllers.base import Controller
from colab_panel.controllers.confirmation import Confirmation
from colab_panel.errors import PanelError, ShareError
from colab_panel.drive.default import default_drive
from colab_panel.share.batch import BatchShareFailed, TableRow, apply_batch, export_table, folder_table, plan_batch
from colab_panel.share.link_check import check_link
from colab_panel.share.links import download_note, share_links
from colab_panel.share.model import ROLES, SharingState
from colab_panel.share.web_fetch import Fetch
from colab_panel.share.sharing import KEEP, ShareHistory, apply_plan, default_history, plan_share, revoke_last, sharing

__all__ = ["ShareController", "LINK_CHOICES", "PERSON_CHOICES"]

_log = logging.getLogger(__name__)

LINK_CHOICES = ("off", *ROLES)  # link sharing (anyone / domain): off or a role
PERSON_CHOICES = (*ROLES, "remove")
PRIMARY_LINKS = ("view", "edit", "folder", "open")  # the one a QR code carries


class ShareController(Controller):
    """The Share tab's state; `busy`, `error`, `message` and `asking` come from `Controller`.
    Safe to use without widgets (tests, scripts)."""

    target = traitlets.Unicode("")  # an ID or any Drive link
    title = traitlets.Unicode("")
    is_folder = traitlets.Bool(False)
    links = traitlets.Dict()  # share_links() of the loaded item
    note = traitlets.Unicode("")  # the download note (virus-scan page)
    state = traitlets.Any(None)  # SharingState or None
    sharing_error = traitlets.Unicode("")  # why the sharing could not be read (links still work)
    suggestion = traitlets.Any(None)  # the item selected in the Drive tab (a DriveItem), offered to load

    anyone_role = traitlets.Enum(LINK_CHOICES, default_value="off")
    domain_role = traitlets.Enum(LINK_CHOICES, default_value="off")
    person_email = traitlets.Unicode("")
    person_role = traitlets.Enum(PERSON_CHOICES, default_value="reader")
    person_notify = traitlets.Bool(False)  # emailing people is opt-in in the tab

    # what `asking` holds, for the view
    pending = traitlets.Bool(False)  # a plan waits for confirm()
    pending_kind = traitlets.Unicode("")  # "share" | "batch" | "undo"
    pending_widens = traitlets.Bool(False)
    plan_text = traitlets.Unicode("")  # the changes, in words
    plan_before = traitlets.Unicode("")  # sharing now (a "share" plan)
    plan_after = traitlets.Unicode("")  # sharing after confirm() (a "share" plan)
    can_undo = traitlets.Bool(False)
    undo_text = traitlets.Unicode("")

    batch_folder = traitlets.Unicode("")
    batch_recursive = traitlets.Bool(False)
    batch_rows: traitlets.List[TableRow] = traitlets.List()
    batch_role = traitlets.Enum(LINK_CHOICES, default_value="reader")

    link_verdict = traitlets.Any(None)  # LinkVerdict of the last check_link()
    link_check_text = traitlets.Unicode("")
    can_fix_link = traitlets.Bool(False)  # the verdict carries a sharing fix to review

    def __init__(self, *, drive: Any = None, drive_factory: Callable[[], Any] | None = None,
                 history: ShareHistory | None = None, fetch: Fetch | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._fetch = fetch  # the anonymous visitor's transport (None: the real web)
        self._drive = drive
        self._drive_factory = drive_factory or default_drive
        self.history = history if history is not None else default_history()
        self._loaded_id = ""
        self._show_undo()

    # --- input checks ------------------------------------------------------------------------

    @traitlets.validate("target", "batch_folder", "person_email")
    def _validate_text(self, proposal: dict[str, Any]) -> str:
        return str(proposal["value"]).strip()

    # --- verbs -------------------------------------------------------------------------------

    def load(self, target: Any = None) -> None:
        """Compute the links of `target` (an ID, a link or a `DriveItem`; default `self.target`)
        and read its sharing. A DriveItem costs no metadata read."""
        known = target if hasattr(target, "mime_type") else None
        if known is not None:
            self.target = known.id
        elif target is not None:
            self.target = target
        with self.action():
            self._drop_plan()
            self.links, self.state, self.sharing_error = {}, None, ""
            if not self.target:
                raise ShareError("Paste a Drive file or folder ID or link first.")
            drive = self.drive
            item = known if known is not None else drive.get(self.target)
            self.links = share_links(self.target, item=item)
            self.note = "" if item.is_folder or item.is_native else download_note(item)
            self.title, self.is_folder, self._loaded_id = item.title, item.is_folder, item.id
            try:
                self._show_state(sharing(item, drive=drive))
            except PanelError as exc:  # e.g. a file shared with us by link: links work, sharing does not
                self.sharing_error = f"Cannot show who has access: {exc}"
            self.message = f"Links for {item.title}."

    def suggest(self, item: Any) -> None:
        """Offer `item` (the Drive tab's selection) for loading; the view shows a button for it."""
        self.suggestion = item if hasattr(item, "mime_type") else None

    def take_items(self, items: list[Any]) -> None:
        """Items handed over by the Drive tab: one is loaded (links, sharing); several become the
        batch table, ready for one link-sharing change for all of them."""
        if len(items) == 1:
            self.load(items[0])
            return
        from colab_panel.share.batch import row_for_item

        with self.action():
            self._drop_plan()
            self.batch_folder = ""
            self.batch_rows = [row_for_item(item) for item in items]
            self.message = f"{len(items)} items from the Drive tab: choose who can open them with the link below."

    def load_suggestion(self) -> None:
        if self.suggestion is None:
            with self.action():
                raise ShareError("Nothing is selected in the Drive tab.")
            return
        self.load(self.suggestion)

    def propose(self) -> None:
        """Plan the change the form describes; nothing is applied until `confirm()`."""
        with self.action():
            self._require_loaded()
            state = self.state
            anyone = self._link_arg(self.anyone_role, state.anyone.role if state and state.anyone else None)
            current_domain = state.domains[0] if state and state.domains else None
            domain: Any = self._link_arg(self.domain_role, current_domain.role if current_domain else None)
            if domain is not KEEP and current_domain is not None:
                domain = (current_domain.domain, domain)
            people = []
            if self.person_email:
                role = None if self.person_role == "remove" else self.person_role
                people.append((self.person_email, role, self.person_notify))
            plan = plan_share(self._loaded_id, anyone=anyone, domain=domain, people=people, drive=self.drive)
            if plan.is_empty:
                self.message = plan.describe()
                return
            self._set_plan("share", plan, plan.describe(), plan.widens)

    def confirm(self) -> None:
        """Apply the pending plan (the only way a change reaches Drive from the tab)."""
        with self.action():
            asked = self.take_asked()
            if asked is None:
                raise ShareError("There is nothing to confirm: review a change first.")
            kind, plan = asked.kind, asked.subject
            if kind == "share":
                record = apply_plan(plan, confirm=True, drive=self.drive, history=self.history)
                self.message = "Applied. " + record.describe()
            elif kind == "batch":
                try:
                    report = apply_batch(plan, confirm=True, drive=self.drive, history=self.history)
                except BatchShareFailed as exc:
                    raise ShareError(str(exc)) from exc
                self.message = "Batch applied. " + report.describe()
            else:
                undone = revoke_last(confirm=True, history=self.history, drive=self.drive)
                self.message = "Undone. " + (undone.describe() or "(nothing left to put back)")
            self._after_change()

    def cancel(self) -> None:
        self._drop_plan()
        self.message = "Cancelled: nothing was changed."

    def undo(self) -> None:
        """Put the last applied change back; giving access back waits for `confirm()` like any widening."""
        with self.action():
            self._drop_plan()
            record = self.history.last()
            if record is None:
                raise ShareError("Nothing to undo: no sharing change was applied in this session.")
            if record.undo_widens:
                text = "Undo gives back access that the last change removed:\n" + record.describe()
                self._set_plan("undo", record, text, True)
                return
            undone = revoke_last(history=self.history, drive=self.drive)
            self.message = "Undone. " + (undone.describe() or "(nothing left to put back)")
            self._after_change()

    def list_batch(self, folder: str | None = None) -> None:
        """Every file of `batch_folder` (a folder ID/link) with its link, into `batch_rows`."""
        if folder is not None:
            self.batch_folder = folder
        with self.action():
            self.batch_rows = []
            if not self.batch_folder:
                raise ShareError("Paste a folder ID or link to list its files.")
            self.batch_rows = folder_table(self.batch_folder, recursive=self.batch_recursive, drive=self.drive)
            self.message = f"{len(self.batch_rows)} file(s) in the folder."

    def export_batch(self, path: str) -> None:
        with self.action():
            if not self.batch_rows:
                raise ShareError("List a folder's files first: the table is empty.")
            written = export_table(self.batch_rows, path)
            self.message = f"Saved {len(self.batch_rows)} row(s) to {written}."

    def propose_batch(self) -> None:
        """Plan link sharing (`batch_role`) for every listed file; applied only by `confirm()`."""
        with self.action():
            if not self.batch_rows:
                raise ShareError("List a folder's files first: there is nothing to share.")
            anyone = None if self.batch_role == "off" else self.batch_role
            plans = plan_batch(self.batch_rows, anyone=anyone, drive=self.drive)
            changing = [p for p in plans if not p.is_empty]
            if not changing:
                self.message = "No change: every file is already shared that way."
                return
            text = _batch_summary(changing)
            if len(changing) < len(plans):
                text += f"\n({len(plans) - len(changing)} file(s) already shared that way are left as they are.)"
            self._set_plan("batch", plans, text, any(p.widens for p in plans))

    # --- will this link work for someone else? ------------------------------------------------

    def check_link(self, link: str | None = None) -> None:
        """Fetch `link` (default: the loaded item's main link, else `target`) as a visitor with no
        account; the answer lands in `link_check_text`, a sharing fix in `propose_link_fix()`."""
        with self.action():
            self.link_verdict, self.link_check_text, self.can_fix_link = None, "", False
            chosen = link or self.primary_link or self.target
            if not chosen:
                raise ShareError("Paste a Drive link or ID first, then check it.")
            # The visitor's side needs no account: sign-in is not forced just to check. With a Drive
            # already connected (an item was shown), the answer also names the cause and the fix.
            verdict = check_link(chosen, drive=self._drive, fetch=self._fetch)
            self.link_verdict, self.link_check_text = verdict, verdict.describe()
            self.can_fix_link = verdict.fix is not None and not verdict.fix.is_empty

    def propose_link_fix(self) -> None:
        """Put the checked link's fix up for review; like every change, only `confirm()` applies it."""
        with self.action():
            verdict = self.link_verdict
            if verdict is None or verdict.fix is None:
                raise ShareError("No sharing change to review: check a link that does not work first.")
            plan = verdict.fix
            if not self._loaded_id or self._loaded_id != plan.file_id:
                self.load(plan.file_id)
            self._set_plan("share", plan, plan.describe(), plan.widens)

    # --- helpers -----------------------------------------------------------------------------

    @property
    def drive(self) -> Any:
        if self._drive is None:
            self._drive = self._drive_factory()
        return self._drive

    @property
    def primary_link(self) -> str:
        return next((self.links[k] for k in PRIMARY_LINKS if k in self.links), "")

    def _require_loaded(self) -> None:
        if not self._loaded_id:
            raise ShareError("Show an item first: paste its ID or link and press Show.")

    def _show_state(self, state: SharingState) -> None:
        self.state = state
        self.anyone_role = state.anyone.role if state.anyone and state.anyone.role in ROLES else "off"
        self.domain_role = state.domains[0].role if state.domains and state.domains[0].role in ROLES else "off"

    @staticmethod
    def _link_arg(chosen: str, current: str | None) -> Any:
        wanted = None if chosen == "off" else chosen
        return KEEP if wanted == current else wanted

    def _set_plan(self, kind: str, plan: Any, text: str, widens: bool) -> None:
        self.asking = Confirmation(kind, text, plan, widens)
        self.message = "Review the change, then Confirm (or Cancel)."

    def _drop_plan(self) -> None:
        self.asking = None

    @traitlets.observe("asking")
    def _on_asking_change(self, change: Any) -> None:
        asked: Confirmation | None = change["new"]
        if asked is None:
            self.pending = False
            self.pending_kind, self.pending_widens = "", False
            self.plan_text = self.plan_before = self.plan_after = ""
            return
        self.plan_text = asked.question
        share = asked.kind == "share"  # a plan of one item: its sharing now and after
        self.plan_before = asked.subject.before.describe() if share else ""
        self.plan_after = asked.subject.after.describe() if share else ""
        self.pending_kind, self.pending_widens = asked.kind, asked.widens
        self.pending = True

    def _after_change(self) -> None:
        self.person_email = ""
        self._show_undo()
        if self._loaded_id:
            try:
                self._show_state(sharing(self._loaded_id, drive=self.drive))
            except PanelError as exc:
                self.sharing_error = f"Cannot show who has access: {exc}"

    def _show_undo(self) -> None:
        record = self.history.last()
        self.can_undo = record is not None
        self.undo_text = f"Undo: {record.describe()}" if record is not None else ""

    def tick(self) -> None:
        """Called every few seconds by the panel: a `share()` made in a cell can be undone here too."""
        if not self.busy:
            self._show_undo()

    def close(self) -> None:
        """Nothing to stop (no threads); here so the panel can close every tab the same way."""
        self._drop_plan()




def _batch_summary(plans: list[Any]) -> str:
    """Changes grouped by what they do: '3 files — anyone with the link: ... : a.csv, b.csv, c.csv'."""
    groups: dict[str, list[str]] = {}
    for plan in plans:
        key = "; ".join(change.describe() for change in plan.changes)
        groups.setdefault(key, []).append(plan.before.title or plan.file_id)
    lines = [f"Sharing changes for {len(plans)} file(s):"]
    for change, names in groups.items():
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        lines.append(f"  - {change}\n      {len(names)} file(s): {shown}")
    return "\n".join(lines)
