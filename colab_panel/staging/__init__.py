"""Staging engine: get a dataset onto fast local disk, verified, extracted, resumable.

No widgets here (a backend layer); the Staging tab's controller drives these calls.
Heavy or optional imports (zstandard, tqdm) happen inside the functions that need them.
"""

from __future__ import annotations

from colab_panel.staging.extract import extract_archive, extract_tar_stream
from colab_panel.staging.progress import Progress
from colab_panel.staging.sources import LocalFileSource, Source, UrlSource
from colab_panel.staging.space import check_space, declared_size
from colab_panel.staging.staged import StagedDataset
from colab_panel.staging.stager import default_dest, stage
from colab_panel.units import human_bytes

__all__ = ["LocalFileSource", "Progress", "Source", "StagedDataset", "UrlSource", "check_space", "declared_size",
           "default_dest", "extract_archive", "extract_tar_stream", "human_bytes", "stage"]
