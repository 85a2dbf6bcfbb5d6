"""colab_panel: one notebook panel for Drive, dataset staging, sharing and a live GPU monitor.

    from colab_panel import Panel
    Panel()

Everything the panel does is also a plain call (see `__all__`; the sharing call itself is
`colab_panel.share.share`, since `colab_panel.share` is its package). Names load on first use, so
`import colab_panel` stays fast: ipywidgets, PyDrive2, plotly and NVML load only when needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "Panel": "colab_panel.panel",
    "read_runtime_facts": "colab_panel.runtime.facts",
    "parse_drive_id": "colab_panel.drive.parse",
    "parse_drive_link": "colab_panel.drive.parse",
    "DriveRef": "colab_panel.drive.parse",
    "connect": "colab_panel.drive",
    "sign_in": "colab_panel.drive.auth",
    "mount_drive": "colab_panel.drive.mounting",
    "Drive": "colab_panel.drive",
    "DriveItem": "colab_panel.drive",
    "copy_to_my_drive": "colab_panel.drive.copying",
    "add_shortcut": "colab_panel.drive.copying",
    "share_links": "colab_panel.share",
    "sharing": "colab_panel.share",
    "plan_share": "colab_panel.share",
    "apply_plan": "colab_panel.share",
    "revoke_last": "colab_panel.share",
    "share_batch": "colab_panel.share",
    "folder_table": "colab_panel.share",
    "export_table": "colab_panel.share",
    "qr_svg": "colab_panel.share",
    "check_link": "colab_panel.share.link_check",
    "LinkVerdict": "colab_panel.share.link_check",
    "push": "colab_panel.staging.sync",
    "PeriodicSync": "colab_panel.staging.sync",
    "keep_on_drive": "colab_panel.checkpoints.watcher",
    "KeepOnDrive": "colab_panel.checkpoints.watcher",
    "restore_latest": "colab_panel.checkpoints.restore",
    "extract_archive": "colab_panel.staging",
    "stage": "colab_panel.staging",
    "save_kaggle_token": "colab_panel.staging.kaggle_token",
    "StagedDataset": "colab_panel.staging",
    "read_gpus": "colab_panel.monitor",
    "read_host": "colab_panel.monitor",
    "read_gpu_processes": "colab_panel.monitor",
    "gpu_status": "colab_panel.monitor",
    "explain_last_exit": "colab_panel.monitor.last_exit",
    "LastExit": "colab_panel.monitor.last_exit",
    "GpuSample": "colab_panel.monitor",
    "HostSample": "colab_panel.monitor",
    "GpuProcess": "colab_panel.monitor",
    "PanelError": "colab_panel.errors",
    "DriveError": "colab_panel.errors",
    "DriveAuthError": "colab_panel.errors",
    "DriveLinkError": "colab_panel.errors",
    "DriveSignInNeedsCell": "colab_panel.errors",
    "DriveMountNeedsCell": "colab_panel.errors",
    "DriveMountUnavailable": "colab_panel.errors",
    "DriveNotFound": "colab_panel.errors",
    "DrivePermissionDenied": "colab_panel.errors",
    "ResourceKeyRequired": "colab_panel.errors",
    "DriveQuotaExceeded": "colab_panel.errors",
    "StagingError": "colab_panel.errors",
    "UnsafeArchiveError": "colab_panel.errors",
    "KaggleTokenError": "colab_panel.errors",
    "InsufficientSpace": "colab_panel.errors",
    "ChecksumMismatch": "colab_panel.errors",
    "StagingCancelled": "colab_panel.errors",
    "JobBusy": "colab_panel.errors",
    "ShareError": "colab_panel.errors",
    "ConfirmationRequired": "colab_panel.errors",
    "BatchShareFailed": "colab_panel.errors",
    "LinkCheckError": "colab_panel.errors",
    "MonitorError": "colab_panel.errors",
    "GpuUnavailable": "colab_panel.errors",
    "TransferError": "colab_panel.errors",
    "download_to_browser": "colab_panel.widgets.download_link",
}

# spelled out, so that readers and tools see the surface without running code; a unit test keeps
# it equal to _EXPORTS' keys
__all__ = [
    "BatchShareFailed", "ChecksumMismatch", "ConfirmationRequired", "Drive", "DriveAuthError",
    "DriveError", "DriveItem", "DriveLinkError", "DriveMountNeedsCell", "DriveMountUnavailable",
    "DriveNotFound", "DrivePermissionDenied", "DriveQuotaExceeded", "DriveRef",
    "DriveSignInNeedsCell", "GpuProcess", "GpuSample", "GpuUnavailable", "HostSample",
    "InsufficientSpace", "JobBusy", "KaggleTokenError", "KeepOnDrive", "LastExit",
    "LinkCheckError", "LinkVerdict", "MonitorError", "Panel", "PanelError", "PeriodicSync",
    "ResourceKeyRequired", "ShareError", "StagedDataset", "StagingCancelled", "StagingError",
    "TransferError", "UnsafeArchiveError", "add_shortcut", "apply_plan", "check_link",
    "connect", "copy_to_my_drive", "download_to_browser", "explain_last_exit", "export_table",
    "extract_archive", "folder_table", "gpu_status", "keep_on_drive", "mount_drive",
    "parse_drive_id", "parse_drive_link", "plan_share", "push", "qr_svg", "read_gpu_processes",
    "read_gpus", "read_host", "read_runtime_facts", "restore_latest", "revoke_last",
    "save_kaggle_token", "share_batch", "share_links", "sharing", "sign_in", "stage",
]

if TYPE_CHECKING:  # let editors and type checkers see the lazy names
    from colab_panel.checkpoints.restore import restore_latest
    from colab_panel.checkpoints.watcher import KeepOnDrive, keep_on_drive
    from colab_panel.drive import Drive, DriveItem, connect
    from colab_panel.drive.auth import sign_in
    from colab_panel.drive.copying import add_shortcut, copy_to_my_drive
    from colab_panel.drive.mounting import mount_drive
    from colab_panel.drive.parse import DriveRef, parse_drive_id, parse_drive_link
    from colab_panel.errors import (PanelError, DriveError, DriveAuthError, DriveLinkError,
                                    DriveSignInNeedsCell, DriveNotFound, DrivePermissionDenied,
                                    ResourceKeyRequired, DriveQuotaExceeded, StagingError,
                                    UnsafeArchiveError, InsufficientSpace, ChecksumMismatch,
                                    StagingCancelled, JobBusy, ShareError, ConfirmationRequired,
                                    BatchShareFailed, LinkCheckError, MonitorError, GpuUnavailable)
    from colab_panel.monitor import (GpuProcess, GpuSample, HostSample, gpu_status,
                                     read_gpu_processes, read_gpus, read_host)
    from colab_panel.monitor.last_exit import LastExit, explain_last_exit
    from colab_panel.panel import Panel
    from colab_panel.share import (apply_plan, export_table, folder_table, plan_share, qr_svg,
                                   revoke_last, share_batch, share_links, sharing)
    from colab_panel.share.link_check import LinkVerdict, check_link
    from colab_panel.staging import StagedDataset, extract_archive, stage
    from colab_panel.staging.kaggle_token import save_kaggle_token
    from colab_panel.staging.sync import PeriodicSync, push
    from colab_panel.runtime.facts import read_runtime_facts
    from colab_panel.widgets.download_link import download_to_browser


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'colab_panel' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
