"""colab_panel: one notebook panel for Drive, dataset staging, sharing and a live GPU monitor."""
__version__ = "0.1.0"
