"""The exception hierarchy: every mistake a user can make or fix is one of these, with a message in words.

Controllers catch `PanelError` and show `str(error)` in the panel; anything else is a bug.
"""

from __future__ import annotations

from typing import Any


class PanelError(Exception):
    """Base of every error colab_panel raises on purpose. `str(e)` is the sentence a user sees."""

    # A sharing change (or an undo) failed and putting things back failed too: what is still in effect
    # (share.Change, or share.FileRecord from an undo). On the base because sharing re-raises Drive's
    # errors with their own types.
    still_changed: tuple[Any, ...] = ()


# --- Drive -----------------------------------------------------------------------------------


class DriveError(PanelError):
    """A Drive call failed. `reason` is Google's error reason when there is one (e.g. 'notFound')."""

    def __init__(self, message: str, *, reason: str | None = None, status: int | None = None):
        super().__init__(message)
        self.reason = reason
        self.status = status


class DriveLinkError(DriveError, ValueError):
    """Pasted text is not a Drive ID or link; the message says which forms work.

    Also a `ValueError`, so code written when the parser raised a bare `ValueError` keeps working.
    """


class DriveAuthError(DriveError):
    """No usable credentials, or they were refused."""


class DriveSignInNeedsCell(DriveAuthError):
    """Colab asks for sign-in only from a running cell; the message says what to run."""


class DriveMountNeedsCell(DriveSignInNeedsCell):
    """Colab asks for Drive access (to mount it) only from a running cell; the message says what to run."""


class DriveMountUnavailable(DriveError):
    """Drive cannot be mounted here (not Colab, Colab in VS Code) or Colab refused; says what to do."""


class DriveNotFound(DriveError):
    """The file or folder does not exist, or this account cannot see it."""


class DrivePermissionDenied(DriveError):
    """The account can see the item but may not do this to it."""


class ResourceKeyRequired(DriveNotFound):
    """An older link-shared item that needs the `resourcekey` from its link."""


class DriveQuotaExceeded(DriveError):
    """Rate limit or download quota still exceeded after retries."""


# --- Staging ---------------------------------------------------------------------------------


class StagingError(PanelError):
    """Staging a dataset failed; nothing half-written was left under the destination."""


class KaggleTokenError(StagingError):
    """A kaggle.json that is not a Kaggle API token, too big, or could not be stored; never quotes the key."""


class UnsafeArchiveError(StagingError):
    """An archive member would land outside the destination, or is a link/device we refuse."""


class InsufficientSpace(StagingError):
    """The destination's disk cannot hold what would be written."""


class ChecksumMismatch(StagingError):
    """Downloaded bytes do not match the expected hash."""


class StagingCancelled(StagingError):
    """The user cancelled; partial files were removed."""


class JobBusy(StagingError):
    """Another run (thread or process, `.pid`) is staging into this destination or pushing to this
    Drive folder right now; this one did nothing."""

    def __init__(self, message: str, *, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid  # the other run's process, None when its lock file does not say


# --- Share -----------------------------------------------------------------------------------


class ShareError(PanelError):
    """A sharing change was refused or is malformed. `reason`, `status`: Drive's, when Drive refused it;
    `record` (a `share.ShareRecord`): what an undo did before it stopped."""

    def __init__(self, message: str, *, reason: str | None = None, status: int | None = None,
                 record: object = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status
        self.record = record


class ConfirmationRequired(ShareError):
    """A change would widen access and was not explicitly confirmed. What would change rides along:
    `plan` (a `share.SharePlan`; `plans`, all of them, for a batch), or `record` for an undo that
    would give access back."""

    def __init__(self, message: str, *, plan: object = None, plans: tuple[object, ...] = (),
                 record: object = None) -> None:
        super().__init__(message, record=record)
        self.plan = plan
        self.plans = plans


class BatchShareFailed(ShareError):
    """A batch stopped on one item; `.report` (a `share.BatchReport`) says exactly what is in effect."""

    def __init__(self, message: str, report: object) -> None:
        super().__init__(message)
        self.report = report


class LinkCheckError(ShareError):
    """A link could not be checked at all (not a Drive link, or Drive's web unreachable)."""


# --- Monitor ---------------------------------------------------------------------------------


class MonitorError(PanelError):
    """The monitor could not start or read something it needs."""


class GpuUnavailable(MonitorError):
    """No NVIDIA GPU can be read; the message says why (no driver, no library, lost...)."""


# --- Transfers between the user's computer and the runtime -----------------------------------


class TransferError(PanelError):
    """An upload from or download to the user's computer was refused or failed; no half-written
    file was left under its name. `status` is the HTTP status the endpoint answers with."""

    status = 400


class UploadOffsetMismatch(TransferError):
    """A chunk did not start where the committed bytes end (out of order, or sent twice);
    `committed_bytes` says where to continue."""

    status = 409

    def __init__(self, message: str, committed_bytes: int) -> None:
        super().__init__(message)
        self.committed_bytes = committed_bytes
