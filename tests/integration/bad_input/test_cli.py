"""Bad input to every `colab-panel` subcommand: an exit code and one short paragraph, no traceback.

Arguments refused before anything runs exit 2 (argparse's usage code), a command that ran and
failed exits 1; both say why on stderr in one paragraph (no blank line) that never echoes a
10 MB argument. Output goes through a strict UTF-8 stream, like a real terminal's, so a name
with undecodable bytes cannot crash a print unnoticed.
"""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colab_panel.cli import build_parser, main

HUGE = "A" * (10 * 1024 * 1024)
BAD_WORDS = ["", "   ", HUGE, "a\x00b", "\udcff\udcfe", "nan", "inf", "-1", "0", "70000", "1e300", "-", "--",
             "../../../../etc/passwd", "http://", "drive:", "kaggle:"]


def _argv_templates(g) -> dict[str, list[str]]:
    """name -> argv with one "{}" where the bad word goes (everything else is right)."""
    ok_zip, dest, folder, file = str(g.archive), str(g.tmp / "cli-dest"), g.folder_id, g.file_id
    return {
        "demo --port": ["demo", "--no-browser", "--port", "{}"],
        "monitor --interval": ["monitor", "--count", "1", "--interval", "{}"],
        "monitor --count": ["monitor", "--interval", "0.05", "--count", "{}"],
        "stage SOURCE": ["stage", "{}", dest],
        "stage DEST": ["stage", ok_zip, "{}"],
        "stage --expected-hash": ["stage", ok_zip, dest, "--expected-hash", "{}"],
        "stage --workers": ["stage", ok_zip, dest, "--workers", "{}"],
        "push LOCAL": ["push", "{}", folder],
        "push DRIVE_FOLDER": ["push", str(g.local_dir), "{}"],
        "drive --auth": ["drive", "--auth", "{}", "ls"],
        "drive ls": ["drive", "ls", "{}"],
        "drive get": ["drive", "get", "{}"],
        "drive download ITEM": ["drive", "download", "{}", dest],
        "drive download DEST": ["drive", "download", file, "{}"],
        "drive download --export": ["drive", "download", file, dest, "--export", "{}"],
        "drive upload PATH": ["drive", "upload", "{}"],
        "drive upload --parent": ["drive", "upload", str(g.local_file), "--parent", "{}"],
        "share links": ["share", "links", "{}"],
        "share links --only": ["share", "links", file, "--only", "{}"],
        "share show": ["share", "show", "{}"],
        "share set ITEM": ["share", "set", "{}", "--anyone", "reader"],
        "share set --anyone": ["share", "set", file, "--anyone", "{}"],
        "share set --person": ["share", "set", file, "--person", "{}"],
        "share table": ["share", "table", "{}"],
        "share table -o": ["share", "table", folder, "-o", "{}"],
        "share table --format": ["share", "table", folder, "--format", "{}"],
    }


TEMPLATE_NAMES = list(_argv_templates(type("G", (), {"archive": "", "tmp": Path("."), "folder_id": "",
                                                     "file_id": "", "local_dir": "", "local_file": ""})()))


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="strict", write_through=True)
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse's way out
            code = exit_.code if isinstance(exit_.code, int) else 1
    return code, out_bytes.getvalue().decode("utf-8", "replace"), err_bytes.getvalue().decode("utf-8", "replace")


def _would_run_for_long(argv: list[str]) -> bool:
    """`monitor` and `demo` with values they accept run until stopped: only refusals are run here."""
    if argv[0] not in ("monitor", "demo"):
        return False
    try:
        with redirect_stderr(io.StringIO()):
            build_parser().parse_args(argv)
    except SystemExit:
        return False
    return True


def check_refused_in_words(argv: list[str], label: str) -> None:
    if _would_run_for_long(argv):
        return
    try:
        code, _out, err = run_cli(argv)
    except BaseException as error:  # noqa: BLE001 - what escapes is what this test looks for
        raise AssertionError(f"{label}: {type(error).__name__} escaped main(): {str(error)[:200]}") from error
    shown = err[:300]
    assert code in (0, 1, 2), f"{label}: exit {code}: {shown}"
    if code == 0:
        return  # the value was acceptable after all (e.g. a path that exists)
    assert "Traceback" not in err, f"{label}: {shown}"
    assert err.strip(), f"{label}: exit {code} with nothing on stderr"
    assert "\n\n" not in err.strip(), f"{label}: more than one paragraph: {shown}"
    assert len(err) <= 1500, f"{label}: {len(err)} characters on stderr: {shown}"


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_every_subcommand_with_every_bad_word(ground, name: str) -> None:
    template = _argv_templates(ground)[name]
    failures = []
    for word in BAD_WORDS + ground.awkward_paths() + [ground.page_url]:
        argv = [word if part == "{}" else part for part in template]
        try:
            check_refused_in_words(argv, f"{name} {word[:40]!r}")
        except AssertionError as failure:
            failures.append(str(failure))
    assert not failures, "\n".join(failures)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(name=st.sampled_from(TEMPLATE_NAMES), word=st.one_of(st.text(max_size=30), st.sampled_from(BAD_WORDS)))
def test_generated_words_never_escape(ground, name: str, word: str) -> None:
    argv = [word if part == "{}" else part for part in _argv_templates(ground)[name]]
    check_refused_in_words(argv, f"{name} {word[:40]!r}")


def test_download_into_a_folder_named_with_a_slash(ground, capsys) -> None:
    target = ground.tmp / "fresh-folder"
    assert main(["drive", "download", ground.file_id, str(target) + "/"]) == 0
    assert target.is_dir() and (target / "a.txt").read_bytes() == b"a\n"  # never a file named fresh-folder
    assert main(["drive", "download", ground.file_id, str(target)]) == 0  # an existing folder, no slash
    assert (target / "a.txt").read_bytes() == b"a\n"


@pytest.mark.parametrize("argv", [["monitor", "--interval", "nan"], ["demo", "--port", "70000"]])
def test_as_a_real_process_bad_numbers_are_usage_errors(argv: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "colab_panel.cli", *argv], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "must be" in done.stderr
