"""Test stand-in for Colab's `google.colab` package (see tests/colab_stub/README.md)."""

from google.colab import auth, drive, output  # noqa: F401  (Colab exposes these as attributes)

__version__ = "0.0.1a2-stub"
