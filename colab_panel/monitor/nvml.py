"""The one choke point between colab_panel and NVML (the `pynvml` bindings of nvidia-ml-py).

Everything else in the monitor asks NVML through `query()`, which turns "this driver or device
cannot tell you that" into `None`, so one unsupported metric never costs the others. (The
sampler's per-second readings are the one exception, for speed: `gpu._FastTier` prepares those
calls once and gives their errors the same meaning.) Three facts shape this module:

- `import pynvml` works without a GPU; the shared library loads at `nvmlInit()`. Both happen
  lazily here, on the first reading, so `import colab_panel` stays fast and GPU-free.
- NVML is initialised once per process and never shut down: shutting down while another
  thread holds a device handle would invalidate it, and re-initialising costs milliseconds.
  A failed init is remembered with a sentence (`init_failure()`), not retried every second.
- A GPU can fall off the bus mid-run (`GpuIsLost`). `query()` raises `GpuLost` for that one
  case so the caller can mark that device lost and keep reading the others.
"""

from __future__ import annotations

import sys
import threading
from types import ModuleType
from typing import Any, Callable, TypeVar

T = TypeVar("T")

__all__ = ["GpuLost", "init_failure", "pynvml_module", "query"]


class GpuLost(Exception):
    """The device answered "GPU is lost" / "reset required": it is gone until a reset."""


_lock = threading.Lock()
_initialised = False
_module: ModuleType | None = None
_failure: str | None = None


def pynvml_module() -> ModuleType | None:
    """The initialised `pynvml` module, or None when NVML cannot be used (see `init_failure()`).

    Thread-safe; the first caller pays for the import and `nvmlInit()`, later callers get the
    remembered outcome.
    """
    global _initialised, _module, _failure
    if _initialised:  # fast path without the lock: both fields are written before this flag
        return _module
    with _lock:
        if not _initialised:
            _module, _failure = _initialise()
            _initialised = True
    return _module


def init_failure() -> str | None:
    """Why NVML cannot be used on this machine, in one sentence; None when it initialised."""
    pynvml_module()
    return _failure


_NO_LIBRARY = "NVML library not found: no NVIDIA driver is installed on this machine"


def _initialise() -> tuple[ModuleType | None, str | None]:
    # No library: say so without importing pynvml (~20 ms of the panel's first paint, whose
    # header reads the GPU). A pynvml already imported (the user's, a test's) is asked instead.
    if "pynvml" not in sys.modules and not _library_loads():
        return None, _NO_LIBRARY
    try:
        import pynvml
    except ImportError:
        return None, "nvidia-ml-py is not installed, so GPUs cannot be read (pip install nvidia-ml-py)"
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as error:
        return None, _init_sentence(pynvml, error)
    except OSError as error:  # a broken library file that ctypes cannot load at all
        return None, f"The NVIDIA library could not be loaded: {error}"
    return pynvml, None


def _library_loads() -> bool:
    """Whether Linux's loader finds `libnvidia-ml.so.1`, the one name pynvml loads there (a
    failed dlopen takes microseconds). Elsewhere pynvml's own search decides: True."""
    if not sys.platform.startswith("linux"):
        return True
    import ctypes

    try:
        ctypes.CDLL("libnvidia-ml.so.1")
    except OSError:
        return False
    return True


def _init_sentence(pynvml: ModuleType, error: Exception) -> str:
    """Turn an nvmlInit failure into the sentence a user sees."""
    sentences = {
        "NVMLError_LibraryNotFound": _NO_LIBRARY,
        "NVMLError_DriverNotLoaded": "No NVIDIA driver is loaded on this machine",
        "NVMLError_NoPermission": "Not allowed to talk to the NVIDIA driver (insufficient permissions)",
        "NVMLError_LibRmVersionMismatch":
            "The NVIDIA driver and its NVML library have different versions; a reboot usually fixes it",
    }
    for class_name, sentence in sentences.items():
        error_class = getattr(pynvml, class_name, None)
        if error_class is not None and isinstance(error, error_class):
            return sentence
    return f"NVML could not start: {error}"


def query(fn: Callable[..., T] | str, *args: Any, default: T | None = None) -> T | None:
    """Call one NVML function; return `default` when the reading is not available.

    `fn` is a pynvml function or its name; a name the installed bindings lack (older
    nvidia-ml-py) also gives `default`. Every NVML error except a lost GPU means "this metric
    is not available here" (NotSupported, FunctionNotFound on older drivers, NoPermission,
    version mismatch, ...) and gives `default`. A lost GPU raises `GpuLost`.
    """
    pynvml = pynvml_module()
    if pynvml is None:
        return default
    call = getattr(pynvml, fn, None) if isinstance(fn, str) else fn
    if call is None:
        return default
    # Newer bindings raise NVMLLibraryMismatchError (not an NVMLError) when an unversioned
    # function is missing from an older driver: that, too, is just "not available here".
    mismatch = getattr(pynvml, "NVMLLibraryMismatchError", pynvml.NVMLError)
    try:
        return call(*args)
    except mismatch:
        return default
    except pynvml.NVMLError as error:
        if _is_lost(pynvml, error):
            raise GpuLost(str(error)) from error
        return default


def _is_lost(pynvml: ModuleType, error: Exception) -> bool:
    lost_codes = {getattr(pynvml, "NVML_ERROR_GPU_IS_LOST", 15),
                  getattr(pynvml, "NVML_ERROR_RESET_REQUIRED", 16)}
    return getattr(error, "value", None) in lost_codes
