"""Google Drive backend: link parsing (`parse`) and a loopback Drive API v2 emulator (`emulator`).

Kept import-light on purpose: `import colab_panel.drive` must not pull in PyDrive2,
googleapiclient or cryptography; the modules that need them import them lazily.
"""

from __future__ import annotations
