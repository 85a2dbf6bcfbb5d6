"""Staging meets Drive's download quota: say so, and stage from a server-side copy when asked.

"Too many users have viewed or downloaded this file recently" blocks a shared file for up to a
day. A copy in the user's own Drive has its own quota, and Drive makes it without any bytes
passing through the runtime, so `stage(source, via_copy=True)` copies first and stages the copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from colab_panel.errors import DriveQuotaExceeded, StagingError

__all__ = ["DownloadQuotaBlocked", "VIA_COPY_HINT", "is_download_quota", "quota_in_words", "staged_from_copy"]

VIA_COPY_HINT = "via_copy=True"  # every DownloadQuotaBlocked message names it; the Staging tab looks for it

_DAILY = frozenset({"downloadQuotaExceeded", "dailyLimitExceeded", "quotaExceeded"})


class DownloadQuotaBlocked(StagingError):
    """A shared Drive file is over its download quota; the message names the call that stages a copy."""


def is_download_quota(exc: BaseException | None) -> bool:
    """True if `exc`, or any error it was raised from, is Drive's per-file download quota."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DriveQuotaExceeded) and exc.reason in _DAILY:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


@contextmanager
def quota_in_words(source_text: str, title: str) -> Iterator[None]:
    """Turn a download-quota failure into words that offer the copy, naming the exact call."""
    try:
        yield
    except Exception as exc:
        if not is_download_quota(exc):
            raise
        raise DownloadQuotaBlocked(
            f"'{title}' is over Drive's download quota: too many people downloaded this shared file recently "
            "(it resets within 24 hours). Stage it from a copy in your own Drive instead: "
            f"stage({source_text!r}, {VIA_COPY_HINT}), or `colab-panel stage --via-copy {source_text}` "
            "(Drive copies it server-side; nothing extra passes through the runtime).") from exc


def staged_from_copy(drive: Any, item: Any) -> tuple[Any, str]:
    """Copy `item` into the user's Drive (reusing an earlier copy) and return (copy, a note in words)."""
    from colab_panel.drive.copying import copy_to_my_drive

    report = copy_to_my_drive(item, drive=drive)
    note = (f"Staged from a copy in your Drive ({report.copy.title}, {report.copy.id}): "
            + ("reused the copy made earlier." if report.files_reused and not report.files_copied
               else "Drive copied it server-side."))
    return report.copy, note
