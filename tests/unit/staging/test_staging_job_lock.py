"""job_lock: one holder per target across threads; a second waits briefly, then is refused in words."""

from __future__ import annotations

import os
import threading
import time

import pytest

from colab_panel.errors import JobBusy, StagingError
from colab_panel.staging.job_lock import job_lock


def test_a_second_run_waits_for_a_first_that_ends_soon() -> None:
    entered = threading.Event()

    def first() -> None:
        with job_lock("stage", "/data/x", "'x'", "staged"):
            entered.set()
            time.sleep(0.2)

    holder = threading.Thread(target=first)
    holder.start()
    entered.wait(5)
    started = time.monotonic()
    with job_lock("stage", "/data/x", "'x'", "staged", wait_s=5):
        waited = time.monotonic() - started
    holder.join()
    assert 0.05 < waited < 3


def test_a_second_run_is_refused_with_the_holders_pid_and_nothing_else_is_blocked() -> None:
    with job_lock("push", "FOLDER1", "The Drive folder 'runs'", "pushed to"):
        errors: list[BaseException] = []

        def second() -> None:
            try:
                with job_lock("push", "FOLDER1", "The Drive folder 'runs'", "pushed to", wait_s=0.1):
                    pass
            except BaseException as e:  # judged below
                errors.append(e)

        t = threading.Thread(target=second, name="push-now")
        t.start()
        t.join(10)
        [error] = errors
        assert isinstance(error, JobBusy) and isinstance(error, StagingError) and error.pid == os.getpid()
        assert str(error).startswith(f"The Drive folder 'runs' is already being pushed to by another run in "
                                     f"this process (pid {os.getpid()}")
        with job_lock("push", "FOLDER2", "another folder", "pushed to", wait_s=0):
            pass  # another target is free
        with job_lock("stage", "FOLDER1", "same key, other kind", "staged", wait_s=0):
            pass


def test_the_lock_is_released_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError):
        with job_lock("stage", "/data/y", "'y'", "staged"):
            raise RuntimeError("boom")
    with job_lock("stage", "/data/y", "'y'", "staged", wait_s=0):
        pass
