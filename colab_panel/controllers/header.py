"""State of the runtime header: the latest `RuntimeFacts` and whether reading them failed."""

from __future__ import annotations

import traitlets

from colab_panel.errors import PanelError
from colab_panel.runtime.facts import RuntimeFacts, read_runtime_facts


class HeaderController(traitlets.HasTraits):
    facts = traitlets.Instance(RuntimeFacts, allow_none=True)
    error = traitlets.Unicode("")
    busy = traitlets.Bool(False)

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
