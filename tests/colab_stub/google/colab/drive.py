"""Stub of `google.colab.drive`: `mount` links `<mountpoint>/MyDrive` to $COLAB_STUB_DRIVE_DIR."""

import os
import tempfile

from google.colab._log import record


def mount(mountpoint, force_remount=False, timeout_ms=120000, readonly=False):
    record("drive.mount", mountpoint=mountpoint, force_remount=force_remount, readonly=readonly)
    if " " in mountpoint:
        raise ValueError("Mountpoint must not contain a space.")  # Colab's own rule
    target = os.environ.get("COLAB_STUB_DRIVE_DIR") or tempfile.mkdtemp(prefix="colab-stub-drive-")
    os.makedirs(mountpoint, exist_ok=True)
    link = os.path.join(mountpoint, "MyDrive")
    if os.path.islink(link) and force_remount:
        os.unlink(link)
    if not os.path.lexists(link):
        os.symlink(target, link)
    print(f"Mounted at {mountpoint}")


def flush_and_unmount(timeout_ms=24 * 60 * 60 * 1000):
    record("drive.flush_and_unmount")
