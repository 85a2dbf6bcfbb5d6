"""Bad input to every public call: only `PanelError`s escape, and their messages stay short.

The calls are those of `colab_panel.__all__` that take user input (plus the `Drive` methods
`connect()` returns and `colab_panel.share.share`), each argument in turn given something wrong:
empty or blank text, a 10 MB string, NUL bytes, lone surrogates, nan/inf/negative/huge numbers,
wrong types, paths that are a folder, missing, unwritable or too long, and a URL answered by an
HTML page. `test_every_call_with_every_curated_value` runs the whole table; the hypothesis test
adds generated text, numbers and bytes on top.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import colab_panel
from colab_panel.errors import PanelError

MESSAGE_LIMIT = 500
HUGE = "A" * (10 * 1024 * 1024)


class _Odd:
    def __repr__(self) -> str:
        return "<odd object>"


TEXTS: list[Any] = ["", "   ", "\t\n", HUGE, "a\x00b", "\ud800", "caf\udce9.zip", "nan", "-1",
                    "../../../../etc/passwd", "%s{0}%n", "\u202egnp.exe", "drive:", "kaggle:", "http://", "https://",
                    "\x1f\x08" * 200, "\U0001b2fc" * 100]  # quoted, each of these is 4 or 10 characters
NON_TEXT: list[Any] = [None, 0, -1, math.nan, math.inf, -math.inf, 10**100, b"bytes", b"\xff\xfe", [], {}, _Odd()]
CURATED = TEXTS + NON_TEXT


def _calls(g) -> dict[str, Callable[[Any], Any]]:
    """name -> a call with the bad value in one argument (the other arguments are right)."""
    from colab_panel.share import share

    dest = str(g.tmp / "dest")
    drive = g.drive

    def periodic(*args: Any, **kwargs: Any) -> None:
        colab_panel.PeriodicSync(*args, start=False, **kwargs).close()

    def panel(**kwargs: Any) -> None:
        colab_panel.Panel(**kwargs).close()

    return {
        "parse_drive_id(text)": lambda v: colab_panel.parse_drive_id(v),
        "parse_drive_link(text)": lambda v: colab_panel.parse_drive_link(v),
        "share_links(link)": lambda v: colab_panel.share_links(v),
        "share_links(item=)": lambda v: colab_panel.share_links(g.file_id, item=v),
        "qr_svg(text)": lambda v: colab_panel.qr_svg(v),
        "qr_svg(scale=)": lambda v: colab_panel.qr_svg("https://example.com", scale=v),
        "qr_svg(dark=)": lambda v: colab_panel.qr_svg("https://example.com", dark=v),
        "stage(source)": lambda v: colab_panel.stage(v, dest, progress=None),
        "stage(dest)": lambda v: colab_panel.stage(str(g.archive), v, progress=None),
        "stage(expected_hash=)": lambda v: colab_panel.stage(str(g.archive), dest, expected_hash=v, progress=None),
        "stage(progress=)": lambda v: colab_panel.stage(str(g.archive), dest, progress=v),
        "stage(workers=)": lambda v: colab_panel.stage(f"drive:{g.folder_id}", dest, workers=v, progress=None),
        "extract_archive(archive)": lambda v: colab_panel.extract_archive(v, dest),
        "extract_archive(dest)": lambda v: colab_panel.extract_archive(str(g.archive), v),
        "extract_archive(max_bytes=)": lambda v: colab_panel.extract_archive(str(g.archive), dest, max_bytes=v),
        "extract_archive(workers=)": lambda v: colab_panel.extract_archive(str(g.archive), dest, workers=v),
        "push(local)": lambda v: colab_panel.push(v, g.folder_id, progress=None),
        "push(drive_folder)": lambda v: colab_panel.push(str(g.local_dir), v, progress=None),
        "push(workers=)": lambda v: colab_panel.push(str(g.local_dir), g.folder_id, workers=v, progress=None),
        "PeriodicSync(local)": lambda v: periodic(v, g.folder_id, 60),
        "PeriodicSync(drive_folder)": lambda v: periodic(str(g.local_dir), v, 60),
        "PeriodicSync(interval_s)": lambda v: periodic(str(g.local_dir), g.folder_id, v),
        "connect(auth)": lambda v: colab_panel.connect(v),
        "connect(key_file=)": lambda v: colab_panel.connect("service_account", key_file=v),
        "connect(client_secrets=)": lambda v: colab_panel.connect("client_secrets", client_secrets=v),
        "sign_in(auth)": lambda v: colab_panel.sign_in(v),
        "Drive.get(item)": lambda v: drive.get(v),
        "Drive.list(folder)": lambda v: drive.list(v),
        "Drive.walk(folder)": lambda v: list(drive.walk(v)),
        "Drive.resolve(item)": lambda v: drive.resolve(v),
        "Drive.download(path)": lambda v: drive.download(g.file_id, v),
        "Drive.upload(path)": lambda v: drive.upload(v),
        "Drive.upload(parent=)": lambda v: drive.upload(str(g.local_file), v),
        "Drive.send_file(path)": lambda v: drive.send_file(v, parent="root"),
        "Drive.send_file(replace=)": lambda v: drive.send_file(str(g.local_file), replace=v),
        "sharing(file)": lambda v: colab_panel.sharing(v),
        "plan_share(file)": lambda v: colab_panel.plan_share(v, anyone="reader"),
        "plan_share(anyone=)": lambda v: colab_panel.plan_share(g.file_id, anyone=v),
        "plan_share(domain=)": lambda v: colab_panel.plan_share(g.file_id, domain=v),
        "plan_share(people=)": lambda v: colab_panel.plan_share(g.file_id, people=v),
        "plan_share(people=[x])": lambda v: colab_panel.plan_share(g.file_id, people=[v]),
        "share(file)": lambda v: share(v, anyone="reader"),
        "share(anyone=)": lambda v: share(g.file_id, anyone=v),
        "share_batch(files)": lambda v: colab_panel.share_batch(v, anyone="reader"),
        "share_batch([file])": lambda v: colab_panel.share_batch([v], anyone="reader"),
        "apply_plan(plan)": lambda v: colab_panel.apply_plan(v),
        "folder_table(folder)": lambda v: colab_panel.folder_table(v),
        "export_table(path)": lambda v: colab_panel.export_table(g.rows, v),
        "export_table(rows)": lambda v: colab_panel.export_table(v, str(g.tmp / "table.csv")),
        "read_host(staging_dir)": lambda v: colab_panel.read_host(v),
        "read_runtime_facts(staging_dir)": lambda v: colab_panel.read_runtime_facts(v),
        "gpu_status(samples)": lambda v: colab_panel.gpu_status(v),
        "Panel(staging_dir=)": lambda v: panel(staging_dir=v),
        "Panel(refresh_s=)": lambda v: panel(refresh_s=v),
    }


CALL_NAMES = list(_calls(SimpleNamespace(tmp=Path("."), drive=None)))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_only_panel_errors(call: Callable[[Any], Any], name: str, value: Any) -> None:
    """The call either works or raises a PanelError whose message is bounded; nothing else."""
    try:
        try:
            call(value)
        finally:
            try:
                os.getcwd()
            except FileNotFoundError:
                raise AssertionError(f"{name} with {_shown(value)} removed the current directory") from None
    except PanelError as error:
        message = str(error)
        assert len(message) <= MESSAGE_LIMIT, f"{name} with {_shown(value)}: a {len(message)}-character message"
    except BaseException as error:  # noqa: BLE001 - exactly what this test looks for
        raise AssertionError(f"{name} with {_shown(value)} leaked {type(error).__name__}: {str(error)[:300]}") from error


@pytest.mark.parametrize("name", CALL_NAMES)
def test_every_call_with_every_curated_value(ground, name: str) -> None:
    call = _calls(ground)[name]
    leaks = []
    for value in CURATED + ground.awkward_paths() + [ground.page_url]:
        try:
            check_only_panel_errors(call, name, value)
        except AssertionError as failure:
            leaks.append(str(failure))
    assert not leaks, "\n".join(leaks)


_GENERATED = st.one_of(st.text(max_size=40), st.floats(), st.integers(), st.binary(max_size=40),
                       st.sampled_from(CURATED), st.lists(st.text(max_size=5), max_size=3))


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(name=st.sampled_from(CALL_NAMES), value=_GENERATED)
def test_generated_bad_input_only_raises_panel_errors(ground, name: str, value: Any) -> None:
    check_only_panel_errors(_calls(ground)[name], name, value)


def test_a_page_url_is_not_staged_as_a_dataset(ground) -> None:
    with pytest.raises(colab_panel.StagingError, match="web page"):
        colab_panel.stage(ground.page_url, str(ground.tmp / "page"), progress=None)
