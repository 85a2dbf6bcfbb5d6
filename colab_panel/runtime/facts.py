"""One snapshot of the checks people paste at the top of every notebook.

`read_runtime_facts()` answers: where does this kernel run, which Python, is there a GPU,
is torch there and does it see CUDA, how much RAM and disk is left, is Drive mounted, and
(in Colab) how close the runtime is to its 12-hour limit. Each reading that fails is None.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from colab_panel.runtime.frontend import Frontend, detect_frontend
from colab_panel.runtime.paths import default_staging_root, drive_mounted

COLAB_MAX_SESSION_S = 12 * 3600


@dataclass(frozen=True)
class RuntimeFacts:
    frontend: Frontend
    python_version: str  # "3.12.4"
    gpu_present: bool
    gpu_summary: str  # a sentence: names and driver, or why there is no GPU
    torch_summary: str | None  # None when torch is not installed
    ram_used_bytes: int | None
    ram_total_bytes: int | None
    cwd: Path
    cwd_free_bytes: int | None
    staging_dir: Path
    staging_free_bytes: int | None
    drive_mounted: bool
    colab_session_age_s: float | None  # None outside Colab
    read_at: float  # time.time() of this snapshot
    # True when `cwd` and `staging_dir` lie on one filesystem (one free-space figure serves both);
    # None when either could not be looked at.
    staging_on_cwd_disk: bool | None = None


def read_runtime_facts(staging_dir: Path | None = None) -> RuntimeFacts:
    from colab_panel.monitor.gpu import gpu_status, read_gpus
    from colab_panel.monitor.host import read_host

    from colab_panel.errors import PanelError
    from colab_panel.inputs import user_path

    frontend = detect_frontend()
    staging = user_path(staging_dir, "staging_dir", PanelError) if staging_dir is not None else default_staging_root()
    host = read_host()
    gpus = read_gpus()  # [] when there is no GPU; gpu_status says why
    return RuntimeFacts(
        frontend=frontend,
        python_version=platform.python_version(),
        gpu_present=bool(gpus),
        gpu_summary=gpu_status(gpus),  # from the same reading: NVML is asked once per refresh
        torch_summary=torch_summary(),
        ram_used_bytes=host.ram_used_bytes,
        ram_total_bytes=host.ram_total_bytes,
        cwd=Path.cwd(),
        cwd_free_bytes=free_bytes(Path.cwd()),
        staging_dir=staging,
        staging_free_bytes=free_bytes(staging),
        staging_on_cwd_disk=same_filesystem(Path.cwd(), staging),
        drive_mounted=drive_mounted(),
        colab_session_age_s=colab_session_age_s() if frontend in (Frontend.COLAB, Frontend.COLAB_VSCODE) else None,
        read_at=time.time(),
    )


def torch_summary() -> str | None:
    """torch's version and CUDA state, importing nothing: `import torch` takes seconds.

    Only when the user's code has already imported torch do we ask it about CUDA.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            cuda = torch.cuda.is_available()
            cuda_version = getattr(torch.version, "cuda", None)
        except Exception as exc:  # a broken CUDA install raises here; say so
            return f"torch {torch.__version__}: CUDA check failed ({exc})"
        if cuda:
            return f"torch {torch.__version__}, CUDA {cuda_version} available"
        return f"torch {torch.__version__}, CUDA not available"
    if importlib.util.find_spec("torch") is None:
        return None
    try:
        version = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    return f"torch {version} installed (not imported yet)"


def _nearest_existing(path: Path) -> Path:
    probe = Path(path).absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def free_bytes(path: Path) -> int | None:
    """Free bytes on the filesystem that holds `path` (or its nearest existing parent)."""
    try:
        return shutil.disk_usage(_nearest_existing(path)).free
    except OSError:
        return None


def same_filesystem(a: Path, b: Path) -> bool | None:
    """Whether `a` and `b` (or their nearest existing parents) lie on one filesystem; None if unknown."""
    try:
        return _nearest_existing(a).stat().st_dev == _nearest_existing(b).stat().st_dev
    except OSError:
        return None


def colab_session_age_s() -> float | None:
    """Seconds since this runtime's container started: its PID 1 starts with the Colab VM session."""
    try:
        import psutil

        return max(0.0, time.time() - float(psutil.Process(1).create_time()))
    except Exception:  # psutil may lack rights to PID 1 in some sandboxes
        return None
