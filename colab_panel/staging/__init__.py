"""Staging engine: get a dataset onto fast local disk, verified, extracted, resumable.

No widgets here (a backend layer); the Staging tab's controller drives these calls.
"""

from __future__ import annotations

from colab_panel.staging.extract import extract_archive, extract_tar_stream
from colab_panel.staging.progress import Progress
from colab_panel.staging.space import check_space, declared_size
from colab_panel.staging.units import human_bytes

__all__ = ["Progress", "check_space", "declared_size", "extract_archive", "extract_tar_stream", "human_bytes"]
