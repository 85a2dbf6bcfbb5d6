"""Scripted fault injection: what goes wrong for the next requests, set per test.

    emu.faults.fail(status=403, reason="userRateLimitExceeded", times=2, media=True)
    emu.faults.fail(status=503, times=1, method="GET", path="/drive/v2/files")
    emu.faults.fail(status=429, times=None, media=True, share=0.03)   # 3 % of downloads, at random (seeded)
    emu.faults.reset(after_bytes=1000, media=True)    # headers + 1000 body bytes, then close
    emu.faults.lose_answer(method="POST", times=1)     # carry the request out, then close unanswered
    emu.faults.delay(0.2, times=3)                     # latency before answering
    emu.faults.stall(after_bytes=1000, seconds=30, media=True)  # 1000 body bytes, then silence, then the rest
    emu.faults.bandwidth(256 * 1024)                   # cap media bodies at 256 KiB/s
    emu.faults.clear()

A rule matches a request by `method`, `path` (substring of the URL path, or a callable
taking the RequestInfo), and `media` (True: only downloads/exports, False: only others).
`times=None` means forever. `share` (0..1) makes a rule match only that share of the requests
it would match, drawn from a random generator seeded with `seed`, so a run can be repeated. Delay rules all add up; of the failure/reset rules, the first
matching one with uses left is spent.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass

from colab_panel.drive.emulator.errors import ApiError, rate_limit, server_error


@dataclass(frozen=True)
class RequestInfo:
    """What a fault rule can look at."""

    method: str
    path: str
    query: dict[str, str]
    media: bool


@dataclass
class Rule:
    kind: str  # "error" | "reset" | "lose" | "delay" | "stall"
    times: int | None
    method: str | None = None
    path: str | Callable[[RequestInfo], bool] | None = None
    media: bool | None = None
    error: ApiError | None = None
    after_bytes: int | None = None
    seconds: float = 0.0
    used: int = 0
    share: float | None = None  # match only this share of the requests, drawn at random
    rng: random.Random | None = None

    def matches(self, info: RequestInfo) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if not self._selects(info):
            return False
        return self.share is None or (self.rng or random).random() < self.share

    def _selects(self, info: RequestInfo) -> bool:
        if self.method is not None and self.method.upper() != info.method:
            return False
        if self.media is not None and self.media != info.media:
            return False
        if callable(self.path):
            return bool(self.path(info))
        return self.path is None or self.path in info.path

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.used >= self.times


@dataclass(frozen=True)
class Plan:
    """What the server must do for one request, decided when it arrives."""

    delay: float = 0.0
    error: ApiError | None = None
    reset_after: int | None = None  # close the connection after this many body bytes
    reset_before_response: bool = False
    stall_after: int | None = None  # send this many body bytes, then nothing for `stall_s`, then the rest
    stall_s: float = 0.0
    lose_answer: bool = False  # handle the request (its change is stored), then close without answering


class Faults:
    """The fault script of one emulator. Thread-safe; rules are consumed as requests arrive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self._bandwidth: int | None = None

    def fail(
        self,
        status: int = 503,
        reason: str | None = None,
        *,
        times: int | None = 1,
        method: str | None = None,
        path: str | Callable[[RequestInfo], bool] | None = None,
        media: bool | None = None,
        message: str | None = None,
        retry_after: int | None = None,
        share: float | None = None,
        seed: int = 0,
    ) -> Rule:
        """Answer matching requests with a Google-shaped error. Reason defaults by status.

        `share`: only that share of matching requests (seeded by `seed`), e.g. 0.03 for 3 %."""
        if reason is None:
            reason = {403: "userRateLimitExceeded", 429: "rateLimitExceeded"}.get(status)
        if reason in ("userRateLimitExceeded", "rateLimitExceeded", "sharingRateLimitExceeded", "downloadQuotaExceeded"):
            error = rate_limit(status, reason)
        elif reason is None:
            error = server_error(status)
        else:
            error = ApiError(status, reason, message or reason)
        if message:
            error.message = message
        if retry_after is not None:
            error.headers["Retry-After"] = str(retry_after)
        if share is not None and not 0.0 <= share <= 1.0:
            raise ValueError("share must be between 0 and 1")
        return self._add(Rule("error", times, method, path, media, error=error, share=share,
                              rng=random.Random(seed) if share is not None else None))

    def reset(
        self,
        *,
        after_bytes: int | None = 0,
        times: int | None = 1,
        method: str | None = None,
        path: str | Callable[[RequestInfo], bool] | None = None,
        media: bool | None = None,
    ) -> Rule:
        """Drop the connection: after the headers and `after_bytes` of body, or before any response if None."""
        return self._add(Rule("reset", times, method, path, media, after_bytes=after_bytes))

    def lose_answer(
        self,
        *,
        times: int | None = 1,
        method: str | None = None,
        path: str | Callable[[RequestInfo], bool] | None = None,
        media: bool | None = None,
    ) -> Rule:
        """Carry the request out (a file or folder is created, an upload completed), then drop the
        connection before any byte of the answer: the client cannot tell this from a request that
        never arrived (a create must look before it tries again)."""
        return self._add(Rule("lose", times, method, path, media))

    def stall(
        self,
        *,
        after_bytes: int = 0,
        seconds: float,
        times: int | None = 1,
        method: str | None = None,
        path: str | Callable[[RequestInfo], bool] | None = None,
        media: bool | None = None,
    ) -> Rule:
        """Send the headers and `after_bytes` of the body, then nothing for `seconds` (the connection
        stays open, as a stalled front end's does), then the rest if the client is still there."""
        return self._add(Rule("stall", times, method, path, media, after_bytes=after_bytes, seconds=seconds))

    def delay(
        self,
        seconds: float,
        *,
        times: int | None = None,
        method: str | None = None,
        path: str | Callable[[RequestInfo], bool] | None = None,
        media: bool | None = None,
    ) -> Rule:
        """Wait `seconds` before answering matching requests."""
        return self._add(Rule("delay", times, method, path, media, seconds=seconds))

    def bandwidth(self, bytes_per_second: int | None) -> None:
        """Cap the speed of media response bodies (None: no cap)."""
        with self._lock:
            self._bandwidth = bytes_per_second

    @property
    def bytes_per_second(self) -> int | None:
        return self._bandwidth

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._bandwidth = None

    @property
    def pending(self) -> list[Rule]:
        """Rules with uses left (tests assert a scripted fault really fired: `not emu.faults.pending`)."""
        with self._lock:
            return [rule for rule in self._rules if not rule.exhausted]

    def _add(self, rule: Rule) -> Rule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def plan_for(self, info: RequestInfo) -> Plan:
        with self._lock:
            delay = 0.0
            for rule in self._rules:
                if rule.kind == "delay" and rule.matches(info):
                    rule.used += 1
                    delay += rule.seconds
            for rule in self._rules:
                if rule.kind != "delay" and rule.matches(info):
                    rule.used += 1
                    if rule.kind == "error":
                        return Plan(delay=delay, error=rule.error)
                    if rule.kind == "lose":
                        return Plan(delay=delay, lose_answer=True)
                    if rule.kind == "stall":
                        return Plan(delay=delay, stall_after=rule.after_bytes or 0, stall_s=rule.seconds)
                    if rule.after_bytes is None:
                        return Plan(delay=delay, reset_before_response=True)
                    return Plan(delay=delay, reset_after=rule.after_bytes)
            return Plan(delay=delay)
