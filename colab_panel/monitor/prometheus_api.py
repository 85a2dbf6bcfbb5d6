"""A small client for Prometheus's HTTP API: `query` and `query_range`, errors in words.

    api = PrometheusApi("http://prometheus:9090", token=None)
    api.query_range("avg(DCGM_FI_DEV_GPU_UTIL)", start, end, step_s=15)  # -> [RangeSeries]

Only the standard library: a fleet view must not need a Prometheus package the runtime lacks.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from colab_panel.errors import MonitorError

__all__ = ["InstantValue", "PrometheusApi", "RangeSeries"]

MAX_POINTS = 11_000  # Prometheus refuses a range query over 11,000 points per series


@dataclass(frozen=True)
class RangeSeries:
    """One series of a range query: its labels and (t, value) points; NaN/Inf values are None."""

    labels: dict[str, str]
    t: tuple[float, ...]
    values: tuple[float | None, ...]

    @property
    def latest(self) -> float | None:
        for value in reversed(self.values):
            if value is not None:
                return value
        return None


@dataclass(frozen=True)
class InstantValue:
    labels: dict[str, str]
    value: float | None


class PrometheusApi:
    """GET /api/v1/query and /api/v1/query_range on `url` (optionally with a bearer token)."""

    def __init__(self, url: str, *, token: str | None = None, timeout_s: float = 10.0) -> None:
        url = url.strip().rstrip("/")
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise MonitorError(f"{url!r} is not a Prometheus address; give one like http://prometheus:9090.")
        self.url = url
        self.token = token
        self.timeout_s = timeout_s

    def query(self, promql: str, at: float | None = None) -> list[InstantValue]:
        params = {"query": promql, **({"time": f"{at:.3f}"} if at is not None else {})}
        data = self._get("/api/v1/query", params)
        if data.get("resultType") != "vector":
            raise MonitorError(f"Prometheus answered {promql!r} with a {data.get('resultType')}, not a vector.")
        return [InstantValue(dict(r["metric"]), _number(r["value"][1])) for r in data["result"]]

    def query_range(self, promql: str, start: float, end: float, step_s: float) -> list[RangeSeries]:
        step_s = max(step_s, (end - start) / MAX_POINTS, 0.001)
        data = self._get("/api/v1/query_range", {"query": promql, "start": f"{start:.3f}", "end": f"{end:.3f}",
                                                  "step": f"{step_s:g}"})
        return [RangeSeries(dict(r["metric"]), tuple(float(t) for t, _ in r["values"]),
                            tuple(_number(v) for _, v in r["values"])) for r in data["result"]]

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        request = urllib.request.Request(f"{self.url}{path}?{urllib.parse.urlencode(params)}",
                                         headers={"Authorization": f"Bearer {self.token}"} if self.token else {})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as error:
            detail = _error_text(error)
            if error.code in (401, 403):
                raise MonitorError(f"Prometheus at {self.url} refused the request ({error.code}): check the "
                                   "token.") from None
            raise MonitorError(f"Prometheus at {self.url} answered {error.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise MonitorError(f"Could not reach Prometheus at {self.url}: {reason}.") from None
        except ValueError:
            raise MonitorError(f"{self.url} did not answer like Prometheus (no JSON).") from None
        if body.get("status") != "success":
            raise MonitorError(f"Prometheus at {self.url}: {body.get('error') or body}")
        data: dict[str, Any] = body["data"]
        return data


def _number(text: Any) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def _error_text(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read()).get("error") or error.reason)
    except (ValueError, OSError):
        return str(error.reason)
