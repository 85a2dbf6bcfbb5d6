"""The cancel message is counted on disk: verified files (in the manifest, size matching), partial
downloads a rerun resumes, and other files, each with its bytes; "nothing was written" only
when nothing is there."""

from __future__ import annotations

from pathlib import Path

from colab_panel.staging.kept import cancelled_in_words, kept_files
from colab_panel.staging.manifest import Manifest
from colab_panel.units import human_bytes


def test_an_empty_or_missing_destination_says_nothing_was_written(tmp_path: Path) -> None:
    assert cancelled_in_words(tmp_path / "absent") == f"Cancelled; nothing was written to {tmp_path / 'absent'}."
    Manifest(tmp_path / "d", {"kind": "x"}).save()  # our bookkeeping alone is not "written"
    (tmp_path / "d" / ".colab_panel-download").mkdir()
    (tmp_path / "d" / ".colab_panel-download" / "a.bin.part.ranges").write_text("{}")
    assert "nothing was written" in cancelled_in_words(tmp_path / "d")


def test_each_kind_is_counted_and_said(tmp_path: Path) -> None:
    dest = tmp_path / "x"
    (dest / "sub").mkdir(parents=True)
    (dest / "a.bin").write_bytes(b"a" * 1000)
    (dest / "sub" / "b.bin").write_bytes(b"b" * 3000)
    (dest / "stale.bin").write_bytes(b"s" * 10)  # recorded with another size: not verified
    (dest / "mine.txt").write_bytes(b"m" * 5)  # never recorded
    manifest = Manifest(dest, {"kind": "x"})
    manifest.record("a.bin", 1000)
    manifest.record("sub/b.bin", 3000)
    manifest.record("stale.bin", 99)
    manifest.save()
    downloads = dest / ".colab_panel-download" / "sub"
    downloads.mkdir(parents=True)
    (downloads / "c.bin.part").write_bytes(b"c" * 700)

    kept = kept_files(dest)
    assert (kept.verified_files, kept.verified_bytes) == (2, 4000)
    assert (kept.partial_files, kept.partial_bytes) == (1, 700)
    assert (kept.other_files, kept.other_bytes) == (2, 15)
    assert cancelled_in_words(dest) == (
        f"Cancelled. Kept 2 verified files ({human_bytes(4000)}), 1 partial download ({human_bytes(700)}, "
        f"resumed next time) and 2 files ({human_bytes(15)}) this run did not check in {dest}; "
        "nothing else was written.")

