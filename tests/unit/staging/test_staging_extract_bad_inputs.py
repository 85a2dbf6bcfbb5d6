"""Wrong arguments to extract_archive / extract_tar_stream: always a StagingError in words,
never a raw TypeError/OSError/AttributeError, and never a message that quotes a huge input."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colab_panel.errors import StagingError, UnsafeArchiveError
from colab_panel.staging import extract_archive, extract_tar_stream
from staging_archives import write_zip

MAX_MESSAGE = 400


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_zip(tmp_path / "g.zip", [("a.txt", b"a")])


ARCHIVE_CASES = {
    "a folder": lambda t, g: extract_archive(t, t / "d"),
    "missing": lambda t, g: extract_archive(t / "nope.zip", t / "d"),
    "a 10 MB name": lambda t, g: extract_archive("x" * 10_000_000, t / "d"),
    "None": lambda t, g: extract_archive(None, t / "d"),
    "empty": lambda t, g: extract_archive("", t / "d"),
    "NUL": lambda t, g: extract_archive("a\x00b", t / "d"),
    "not an archive": lambda t, g: extract_archive(t / "d.txt", t / "d"),
    "dest None": lambda t, g: extract_archive(g, None),
    "dest empty": lambda t, g: extract_archive(g, ""),
    "dest a 10 MB name": lambda t, g: extract_archive(g, "y" * 10_000_000),
    "dest NUL": lambda t, g: extract_archive(g, "a\x00b"),
    "dest a file": lambda t, g: extract_archive(g, t / "d.txt"),
    "dest under a file": lambda t, g: extract_archive(g, t / "d.txt" / "sub"),
    "workers 0": lambda t, g: extract_archive(g, t / "d", workers=0),
    "workers text": lambda t, g: extract_archive(g, t / "d", workers="4"),
    "max_bytes -1": lambda t, g: extract_archive(g, t / "d", max_bytes=-1),
    "max_bytes text": lambda t, g: extract_archive(g, t / "d", max_bytes="1"),
    "max_ratio nan": lambda t, g: extract_archive(g, t / "d", max_ratio=float("nan")),
    "max_ratio 0": lambda t, g: extract_archive(g, t / "d", max_ratio=0),
    "progress text": lambda t, g: extract_archive(g, t / "d", progress="bar"),
    "cancel text": lambda t, g: extract_archive(g, t / "d", cancel="yes"),
    "stream text": lambda t, g: extract_tar_stream("not a file", t / "d"),
    "stream None": lambda t, g: extract_tar_stream(None, t / "d"),
    "stream of str": lambda t, g: extract_tar_stream(io.StringIO("abc"), t / "d"),
    "stream empty": lambda t, g: extract_tar_stream(io.BytesIO(b""), t / "d"),
    "stream garbage": lambda t, g: extract_tar_stream(io.BytesIO(b"x" * 1000), t / "d"),
    "stream compression": lambda t, g: extract_tar_stream(io.BytesIO(b""), t / "d", compression="rar"),
    "stream bytes_total": lambda t, g: extract_tar_stream(io.BytesIO(b""), t / "d", bytes_total=-5),
    "stream verify": lambda t, g: extract_tar_stream(io.BytesIO(b""), t / "d", verify="yes"),
    "stream dest empty": lambda t, g: extract_tar_stream(io.BytesIO(b""), ""),
}


@pytest.mark.parametrize("case", ARCHIVE_CASES, ids=list(ARCHIVE_CASES))
def test_bad_argument_is_a_staging_error_in_words(tmp_path: Path, good: Path, case: str) -> None:
    (tmp_path / "d.txt").write_text("not an archive")
    with pytest.raises(StagingError) as err:
        ARCHIVE_CASES[case](tmp_path, good)
    assert 0 < len(str(err.value)) <= MAX_MESSAGE
    assert not (tmp_path / "d").exists()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(archive=st.one_of(st.text(max_size=300), st.binary(max_size=50), st.integers(), st.none()),
       workers=st.one_of(st.none(), st.integers(-3, 3), st.floats(), st.text(max_size=3)),
       max_ratio=st.one_of(st.none(), st.floats(), st.integers(-2, 2)))
def test_any_argument_gives_a_result_or_a_bounded_staging_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                archive, workers, max_ratio) -> None:
    monkeypatch.chdir(tmp_path)  # relative names land here, never in the repository
    try:
        extract_archive(archive, tmp_path / "out", workers=workers, max_ratio=max_ratio)
    except StagingError as e:
        assert 0 < len(str(e)) <= MAX_MESSAGE


def test_a_threading_event_is_still_a_fine_cancel(tmp_path: Path, good: Path) -> None:
    assert extract_archive(good, tmp_path / "d", cancel=threading.Event(), workers=1, max_ratio=2.5)


@pytest.mark.parametrize("fmt", ["tar", "zip"])
def test_a_huge_member_name_is_not_quoted_in_full(tmp_path: Path, fmt: str) -> None:
    name = "a" * 20_000 + "/../../evil.txt"
    if fmt == "tar":
        from staging_archives import tar_member, write_tar
        archive = write_tar(tmp_path / "a.tar", [tar_member(name, b"x")])
    else:
        archive = write_zip(tmp_path / "a.zip", [(name, b"x")])
    with pytest.raises(UnsafeArchiveError) as err:
        extract_archive(archive, tmp_path / "d")
    assert len(str(err.value)) <= 1000 and "climb out" in str(err.value)
