"""tests/support/polling.py: the one way the suite waits for another thread or process."""

from support.polling import poll_until


def test_returns_the_first_truthy_value_as_soon_as_there_is_one():
    answers = iter([0, None, "", [], ["ready"], ["later"]])
    assert poll_until(lambda: next(answers), every_s=0) == ["ready"]
    assert next(answers) == ["later"]  # not asked again once it held


def test_returns_the_last_falsy_value_when_the_time_is_up():
    calls = []
    assert poll_until(lambda: calls.append(1) or len(calls) > 10**9, timeout_s=0.05, every_s=0.01) is False
    assert len(calls) >= 2  # asked more than once before giving up
