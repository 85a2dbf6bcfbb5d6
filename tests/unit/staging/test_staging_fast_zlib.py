"""fast_zlib: zlib-ng / ISA-L when their wheels import, the standard modules when not, same bytes either way.

The fallback runs in a fresh interpreter where the wheels' imports are made to fail
(`sys.modules[name] = None`), as on a machine that never installed them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from colab_panel.errors import StagingError
from colab_panel.staging import extract_archive, fast_zlib
from staging_archives import snapshot, tar_member, write_tar, write_zip

pytest.importorskip("zlib_ng.zlib_ng")
pytest.importorskip("isal.isal_zlib")

ROOT = Path(__file__).resolve().parents[3]
TEXT = b"the quick brown fox jumps over the lazy dog " * 4000  # 176 KB that deflate shrinks ~500x
FILES = [
    ("small/a.txt", b"alpha\n" * 1000),  # one-shot inflate
    ("small/random.bin", os.urandom(20_000)),
    ("mid/text.bin", os.urandom(150_000) + TEXT),  # compressed > 64 KB: the bounded decompressobj path
    ("big/stream.bin", os.urandom(3 << 20) + TEXT * 8),  # > 4 MB: streamed chunk by chunk
    ("empty.txt", b""),
]

# Extract the archives given as arguments (archive, dest, ...) with the wheels named in
# BLOCK unimportable; print which implementations were picked, or the error in words.
CHILD = """
import json, os, sys
for name in os.environ["BLOCK"].split():
    sys.modules[name] = None
from colab_panel.errors import StagingError
from colab_panel.staging import extract_archive, fast_zlib
results = []
args = sys.argv[1:]
for archive, dest in zip(args[::2], args[1::2]):
    try:
        extract_archive(archive, dest)
        results.append("ok")
    except StagingError as e:
        results.append(type(e).__name__ + ": " + str(e))
c = fast_zlib.codecs()
print(json.dumps({"names": [c.inflate_name, c.crc_name, c.gzip_name], "results": results}))
"""


def _archives(tmp_path: Path) -> list[Path]:
    zipped = write_zip(tmp_path / "a.zip", FILES, method=zipfile.ZIP_DEFLATED)
    stored = write_zip(tmp_path / "s.zip", FILES, method=zipfile.ZIP_STORED)
    tgz = write_tar(tmp_path / "a.tgz", [tar_member(n, d) for n, d in FILES], mode="w:gz")
    corrupt_zip = tmp_path / "bad.zip"
    blob = bytearray(zipped.read_bytes())
    at = blob.find(b"big/stream.bin") + 200  # inside that member's deflate data
    blob[at:at + 40] = bytes(b ^ 0x55 for b in blob[at:at + 40])
    corrupt_zip.write_bytes(bytes(blob))
    corrupt_tgz = tmp_path / "bad.tgz"
    blob = bytearray(tgz.read_bytes())
    blob[len(blob) // 2:len(blob) // 2 + 40] = bytes(40)
    corrupt_tgz.write_bytes(bytes(blob))
    return [zipped, stored, tgz, corrupt_zip, corrupt_tgz]


def _in_child(archives: list[Path], out: Path, block: tuple[str, ...]) -> dict:
    args = []
    for a in archives:
        args += [str(a), str(out / a.name)]
    env = dict(os.environ, BLOCK=" ".join(block),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", CHILD, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def _here(archives: list[Path], out: Path) -> list[str]:
    results = []
    for a in archives:
        try:
            extract_archive(a, out / a.name)
            results.append("ok")
        except StagingError as e:
            results.append(type(e).__name__ + ": " + str(e))
    return results


def test_the_wheels_are_picked_when_installed() -> None:
    fast_zlib.use_stdlib(False)
    c = fast_zlib.codecs()
    assert (c.inflate_name, c.crc_name, c.gzip_name) == ("zlib-ng", "zlib-ng", "isal")


@pytest.mark.parametrize("block, names", [
    (("zlib_ng", "isal"), ["zlib", "zlib", "gzip"]),  # neither wheel: the standard modules
    (("zlib_ng",), ["zlib", "isal", "isal"]),
    (("isal",), ["zlib-ng", "zlib-ng", "zlib-ng"]),
])
def test_without_a_wheel_the_output_and_the_errors_are_the_same(tmp_path: Path, block: tuple[str, ...],
                                                               names: list[str]) -> None:
    archives = _archives(tmp_path)
    fast_zlib.use_stdlib(False)
    here = _here(archives, tmp_path / "fast")
    assert here[:3] == ["ok", "ok", "ok"]
    assert all(r.startswith("StagingError") for r in here[3:]), here  # corrupt, in words: not a wheel's own error
    child = _in_child(archives, tmp_path / "fallback", block)
    assert child["names"] == names
    assert [r.split(" (")[0] for r in child["results"]] == [r.split(" (")[0] for r in here]  # same sentence
    for a in archives[:3]:
        assert snapshot(tmp_path / "fallback" / a.name) == snapshot(tmp_path / "fast" / a.name)
    assert (tmp_path / "fast" / "a.zip" / "big" / "stream.bin").read_bytes() == FILES[3][1]


def test_use_stdlib_switches_in_process(tmp_path: Path) -> None:
    archives = _archives(tmp_path)[:3]
    fast_zlib.use_stdlib(True)
    try:
        assert fast_zlib.codecs().gzip_name == "gzip"
        _here(archives, tmp_path / "stdlib")
    finally:
        fast_zlib.use_stdlib(False)
    assert fast_zlib.codecs().gzip_name == "isal"
    _here(archives, tmp_path / "fast")
    for a in archives:
        assert snapshot(tmp_path / "stdlib" / a.name) == snapshot(tmp_path / "fast" / a.name)


def test_import_colab_panel_does_not_import_the_wheels() -> None:
    code = ("import sys, colab_panel, colab_panel.staging.fast_zlib\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('isal', 'zlib_ng')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
