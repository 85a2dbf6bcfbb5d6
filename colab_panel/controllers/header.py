"""State of the runtime header: the latest `RuntimeFacts`, whether reading them failed, and mounting Drive."""

from __future__ import annotations

import traitlets

from colab_panel.controllers.base import Controller
from colab_panel.errors import PanelError
from colab_panel.runtime.facts import RuntimeFacts, read_runtime_facts


class HeaderController(Controller):
    """`busy` (reading the facts) and `error` (why they could not be read) come from `Controller`."""

    facts = traitlets.Instance(RuntimeFacts, allow_none=True)
    mount_message = traitlets.Unicode("")  # what the last mount did, in words
    mount_error = traitlets.Unicode("")  # why it did not (the call to run from a cell, what to do elsewhere)

    def __init__(self, staging_dir=None, **kwargs):
        super().__init__(**kwargs)
        self._staging_dir = staging_dir

    def refresh(self) -> None:
        """Read the facts again. A failure becomes `error` in words; the last facts stay shown."""
        self.busy = True
        try:
            self.facts = read_runtime_facts(self._staging_dir)
            self.error = ""
        except PanelError as exc:
            self.error = str(exc)
        except Exception as exc:  # the header must never take the panel down
            self.error = f"Could not read the runtime facts: {exc}"
        finally:
            self.busy = False

    def mount_drive(self, force_remount: bool = False) -> None:
        """Mount (or remount) Drive at /content/drive; the answer goes to `mount_message` or `mount_error`."""
        from colab_panel.drive import mounting

        self.mount_message = self.mount_error = ""
        try:
            self.mount_message = mounting.mount_drive(mounting.DRIVE_MOUNT, force_remount=force_remount)
        except PanelError as exc:
            self.mount_error = str(exc)
        except Exception as exc:  # never a traceback from a header button
            self.mount_error = f"Mounting Drive failed: {type(exc).__name__}: {exc}"
        self.refresh()
