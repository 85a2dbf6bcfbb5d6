"""One Drive interface: `Drive` has every call of `DriveClient`, and `LazyDrive` is the one lazy,
shared connection (one sign-in however many ask at once; closes only what it made)."""

from __future__ import annotations

import inspect
import threading
from typing import Any

import pytest

from colab_panel.drive.client import Drive
from colab_panel.drive.interface import DriveClient
from colab_panel.drive.lazy import LazyDrive, drive_from
from colab_panel.errors import DriveError



def _members() -> list[str]:
    return sorted(name for name in vars(DriveClient) if not name.startswith("_") and callable(vars(DriveClient)[name]))


@pytest.mark.parametrize("name", _members())
def test_the_backend_has_every_call_of_the_interface_with_its_parameters(name: str) -> None:
    wanted = inspect.signature(getattr(DriveClient, name)).parameters
    have = inspect.signature(getattr(Drive, name)).parameters
    assert [(p.name, p.kind) for p in wanted.values()] == [(p.name, p.kind) for p in have.values()]
    assert [p.default is inspect.Parameter.empty for p in wanted.values()] == \
           [p.default is inspect.Parameter.empty for p in have.values()]


def test_the_interface_names_what_the_panel_calls() -> None:
    assert {"get", "resolve", "list", "walk", "open_range", "download", "send_file", "mkdir",
            "permissions", "close"} <= set(_members())


class Client:
    """A test double: a client is anything with the calls a test makes, and is never callable."""

    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_drive_from_takes_a_client_as_it_is_and_calls_a_factory() -> None:
    client = Client()
    assert drive_from(client) is client  # type: ignore[arg-type]
    assert drive_from(lambda: client) is client  # type: ignore[arg-type,return-value]
    assert drive_from(LazyDrive(lambda: client)) is client  # type: ignore[arg-type,return-value]


def test_a_given_client_is_used_as_it_is_never_replaced_and_never_closed() -> None:
    client = Client()
    lazy = LazyDrive(client)  # type: ignore[arg-type]
    assert lazy.given and lazy.current is client and lazy() is client
    with pytest.raises(DriveError, match="cannot sign in again"):
        lazy.switch(Client)  # type: ignore[arg-type]
    lazy.close()
    assert client.closed == 0 and lazy() is client


def test_one_sign_in_however_many_ask_at_once() -> None:
    made: list[Client] = []
    release = threading.Event()

    def connect() -> Any:
        release.wait(10)  # a slow sign-in: every caller arrives while it runs
        made.append(Client())
        return made[-1]

    lazy = LazyDrive(connect)
    assert not lazy.given and lazy.current is None  # nothing happens until asked
    got: list[Any] = []
    threads = [threading.Thread(target=lambda: got.append(lazy())) for _ in range(8)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(made) == 1 and got == made * 8 and lazy.current is made[0]
    lazy.close()
    lazy.close()
    assert made[0].closed == 1


def test_a_failed_sign_in_is_tried_again_on_the_next_call() -> None:
    attempts: list[int] = []

    def connect() -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise DriveError("Sign in first.")
        return Client()

    lazy = LazyDrive(connect)
    with pytest.raises(DriveError, match="Sign in first"):
        lazy()
    assert isinstance(lazy(), Client) and len(attempts) == 2


def test_switch_signs_in_the_other_way_next_and_closes_the_old_connection() -> None:
    first, second = Client(), Client()
    lazy = LazyDrive(lambda: first)
    assert lazy() is first
    lazy.switch(lambda: second)  # type: ignore[arg-type,return-value]
    assert first.closed == 1 and lazy.current is None
    assert lazy() is second


def test_of_shares_a_lazy_drive_instead_of_wrapping_it() -> None:
    lazy = LazyDrive(Client)  # type: ignore[arg-type]
    assert LazyDrive.of(lazy) is lazy
    assert LazyDrive.of(Client()).given  # type: ignore[arg-type]


def test_close_does_not_wait_for_a_sign_in_under_way_and_closes_what_it_makes() -> None:
    # A panel replaced while its Drive tab is still signing in must close at once: the cell that
    # makes the new panel waited on this sign-in before (seen in CI: the cell ran over 60 s).
    started, release = threading.Event(), threading.Event()
    made: list[Any] = []

    class Client:
        closed = False

        def close(self) -> None:
            self.closed = True

    def slow_sign_in() -> Any:
        started.set()
        release.wait(30)
        made.append(Client())
        return made[-1]

    lazy = LazyDrive(slow_sign_in)
    outcome: list[BaseException | Any] = []
    worker = threading.Thread(target=lambda: outcome.append(_call(lazy)))
    worker.start()
    assert started.wait(10)
    closer = threading.Thread(target=lazy.close)
    closer.start()
    closer.join(5)
    assert not closer.is_alive(), "close() waited for the sign-in under way"
    release.set()
    worker.join(10)
    assert made and made[0].closed  # the late connection is closed, not left open
    assert isinstance(outcome[0], DriveError)


def _call(lazy: LazyDrive) -> Any:
    try:
        return lazy()
    except DriveError as error:
        return error
