"""fsspec_batch.Window: how many small-object GETs may be in flight, found from how fast they come back."""

from __future__ import annotations

from colab_panel.staging.fsspec_batch import FIRST_WINDOW, Window


def test_the_first_request_goes_alone_and_its_answer_opens_the_window():
    window = Window(cap=64)
    assert window.size == 1
    assert window.answered(0.1) == FIRST_WINDOW - 1 and window.size == FIRST_WINDOW


def test_answers_as_fast_as_the_fastest_grow_it_by_one_each_up_to_the_cap():
    window = Window(cap=20)
    window.answered(0.1)
    grown = [window.answered(0.15) for _ in range(10)]
    assert grown == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0] and window.size == 20


def test_answers_slower_than_twice_the_fastest_leave_it_as_it_is():
    window = Window(cap=64)
    window.answered(0.004)  # alone: the server's own time
    assert [window.answered(0.03) for _ in range(5)] == [0] * 5 and window.size == FIRST_WINDOW


def test_a_cap_below_the_first_window_is_kept():
    window = Window(cap=3)
    assert window.answered(0.1) == 2 and window.answered(0.1) == 0 and window.size == 3
