"""The emulator's request log: a clear() is not undone by an answer that was still going out.

A client can hold an answer's last byte before the server thread logs that answer; a test that
clears the log between two runs must not see the first run's request appear in the second.
"""

import threading
import time

from colab_panel.drive.emulator.requestlog import RequestLog, RequestRecord


def _record() -> RequestRecord:
    return RequestRecord(method="GET", path="/download/drive/v2/files/x", query={}, status=206, media=True,
                         headers={"range": "bytes=0-9"}, body_bytes=10)


def test_clear_waits_for_the_answers_still_being_logged() -> None:
    log = RequestLog()
    log.started()  # the server is answering; the client already has every byte

    def server_logs_late() -> None:
        time.sleep(0.3)
        log.add(_record())

    late = threading.Thread(target=server_logs_late)
    late.start()
    log.clear()
    late.join()
    assert log.records == []


def test_clear_gives_up_waiting_on_an_answer_that_never_ends() -> None:
    log = RequestLog()
    log.started()  # e.g. a response the faults stall for good
    log.clear(settle_s=0.05)
    assert log.records == []
    log.add(_record())
    assert len(log) == 1
