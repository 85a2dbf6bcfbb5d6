"""StagingController with the real stage() on real archives, and StagingTab driven by button.click()."""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path
from typing import Any


from colab_panel.controllers.staging import StagingController, progress_line
from colab_panel.errors import StagingError
from colab_panel.staging.progress import Progress
from colab_panel.staging.sync import SyncReport
from colab_panel.views.staging import StagingTab


def _zip(path: Path, n: int = 20) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(n):
            zf.writestr(f"set/{i:02d}.txt", f"item {i}\n")
    return path


def test_stage_in_a_worker_then_result_in_words(tmp_path: Path) -> None:
    c = StagingController(live=True)
    c.source = f"  {_zip(tmp_path / 'set.zip')}  "
    c.dest = str(tmp_path / "out")
    assert c.stage()
    assert c.busy
    assert c.wait(timeout=30)
    assert not c.busy and c.error == ""
    assert c.result is not None and c.result.files == 20 and c.result.path == tmp_path / "out"
    assert "Staged 20 files" in c.message and c.fraction == 1.0
    assert (tmp_path / "out" / "set" / "07.txt").read_text() == "item 7\n"


def test_bad_input_becomes_error_not_exception(tmp_path: Path) -> None:
    c = StagingController(live=True)
    assert not c.stage()
    assert "Paste a Drive link or ID" in c.error
    c.source = str(tmp_path / "missing.zip")
    assert c.stage() and c.wait(timeout=30)
    assert "does not exist" in c.error and c.result is None and not c.busy
    c.source = "kaggle:not a dataset"
    assert c.stage() and c.wait(timeout=30)
    assert "write kaggle:owner/dataset-name" in c.error


def test_cancel_stops_the_worker_and_keeps_nothing(tmp_path: Path) -> None:
    started = threading.Event()

    def slow_stage(source: str, dest: Any, *, progress: Any, cancel: threading.Event, drive: Any) -> Any:
        started.set()
        progress(Progress(10, 100, 1, 10, "download"))
        if not cancel.wait(20):
            raise AssertionError("never cancelled")
        from colab_panel.errors import StagingCancelled
        raise StagingCancelled("Staging was cancelled; nothing half-written was kept.")

    c = StagingController(stage_fn=slow_stage, live=True)
    c.source = "drive:1AbCdEfGhIjKlMnOpQrStUvWx"
    c.stage()
    assert started.wait(10)
    c.cancel()
    assert c.wait(timeout=10)
    assert "cancelled" in c.error and not c.busy


def test_without_live_updates_traits_change_only_on_poll(tmp_path: Path) -> None:
    """Colab mode: the worker never touches traits; the panel tick (poll) applies its state."""
    c = StagingController(live=False)
    c.source = str(_zip(tmp_path / "a.zip", 3))
    c.dest = str(tmp_path / "o")
    changes: list[str] = []
    main = threading.get_ident()
    c.observe(lambda ch: changes.append(threading.get_ident() == main), names=["result", "busy", "progress_text"])
    c.stage()
    c._thread.join(30)  # the worker finished; nothing applied yet
    assert c.busy and c.result is None
    c.poll()
    assert not c.busy and c.result is not None and c.result.files == 3
    assert changes and all(changes)  # every trait change happened in this (the kernel's) thread


def test_progress_line_in_words() -> None:
    line = progress_line(Progress(12_000_000, 40_000_000, 120, 400, "download"), 8_100_000, 3.4)
    assert line == "Downloading 11.4 MB of 38.1 MB · 120 / 400 files · 7.7 MB/s · 3 s left"


def test_view_buttons_drive_the_controller(tmp_path: Path) -> None:
    c = StagingController(live=True)
    tab = StagingTab(c)
    assert "kaggle:owner/dataset" in tab.source.placeholder
    tab.source.value = str(_zip(tab_path := tmp_path / "x.zip"))
    tab.dest.value = str(tmp_path / "x")
    assert c.source == str(tab_path)
    tab.stage_button.click()
    assert c.wait(timeout=30)
    assert "cp-staging-path" in tab.result.value and str(tmp_path / "x") in tab.result.value
    assert f'DATA = Path(&quot;{tmp_path / "x"}&quot;)' in tab.result.value
    assert "Files:</b> 20" in tab.result.value
    assert not tab.stage_button.disabled and tab.cancel_button.disabled
    tab.source.value = ""
    tab.stage_button.click()
    assert "Paste a Drive link" in tab.error.value


def test_view_push_row_and_cancel_button(tmp_path: Path) -> None:
    calls: list[tuple[str, str]] = []
    gate = threading.Event()

    def fake_push(local: str, folder: str, *, drive: Any, progress: Any, cancel: threading.Event) -> SyncReport:
        calls.append((local, folder))
        gate.wait(10)
        return SyncReport(folder, ("a.pt",), (), 3, 100, 0.1)

    c = StagingController(push_fn=fake_push, live=True)
    tab = StagingTab(c)
    tab.push_button.click()
    assert "Give both a local folder" in tab.error.value
    tab.push_local.value, tab.push_folder.value = str(tmp_path), "1AbCdEfGhIjKlMnOpQrStUvWx"
    tab.push_button.click()
    assert tab.stage_button.disabled and tab.push_button.disabled and not tab.cancel_button.disabled
    gate.set()
    assert c.wait(timeout=10)
    assert calls == [(str(tmp_path), "1AbCdEfGhIjKlMnOpQrStUvWx")]
    assert "Pushed 1 files" in tab.message.value and c.push_result is not None


def test_a_bug_in_the_backend_never_leaves_the_tab_busy() -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    c = StagingController(stage_fn=broken, live=True)
    c.source = "x"
    c.stage()
    assert c.wait(timeout=10)
    assert not c.busy and "Unexpected failure: RuntimeError: boom" in c.error


def test_close_cancels_a_running_job() -> None:
    def waits(source: str, dest: Any, *, progress: Any, cancel: threading.Event, drive: Any) -> Any:
        if cancel.wait(20):
            raise StagingError("cancelled")
        raise AssertionError("not cancelled")

    c = StagingController(stage_fn=waits, live=True)
    c.source = "x"
    c.stage()
    c.close()
    assert c._thread is not None and not c._thread.is_alive()
