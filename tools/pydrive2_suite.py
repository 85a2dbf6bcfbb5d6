"""Run PyDrive2's own test suite, unmodified, against the Drive emulator.

    .venv/bin/python tools/pydrive2_suite.py            # upstream CI's selection: -m "not manual"
    .venv/bin/python tools/pydrive2_suite.py -k Permission -x   # extra arguments go to pytest

The tests are not kept in this repository: they come from the sdist on PyPI of the PyDrive2
version installed here (`pip download --no-binary :all:`; the wheel lacks their settings
files), kept in .cache/pydrive2-suite/ (git-ignored) for later runs. Each run extracts its
`pydrive2/test/` folder and `pytest.ini` into a fresh temporary folder. The pytest run uses
upstream's own pytest.ini and the plugin tests/support/pydrive2_upstream.py, which starts the
emulator and aims PyDrive2 at it. Exits with pytest's status.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "pydrive2-suite"
PER_TEST_TIMEOUT_S = 120


def fetch_sdist(pydrive2_version: str) -> Path:
    """The PyDrive2 sdist for `pydrive2_version`, downloaded once into the cache."""
    cached = CACHE / f"pydrive2-{pydrive2_version}.tar.gz"
    if cached.is_file():
        return cached
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pydrive2-sdist-", dir=CACHE) as download:
        fetched = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
             f"PyDrive2=={pydrive2_version}", "--dest", download],
        )
        if fetched.returncode != 0:
            raise SystemExit(f"Could not download the PyDrive2 {pydrive2_version} sdist from PyPI (offline?). "
                             f"Put pydrive2-{pydrive2_version}.tar.gz into {CACHE} and run again.")
        [sdist] = Path(download).glob("*.tar.gz")
        sdist.rename(cached)  # whole or not at all: an interrupted download is never mistaken for the sdist
    return cached


def _extract_tests(sdist: Path, dest: Path) -> None:
    with tarfile.open(sdist) as archive:
        members = []
        for member in archive.getmembers():
            _, _, inner = member.name.partition("/")  # drop the sdist's top folder
            if inner == "pytest.ini" or inner == "pydrive2/__init__.py" or inner.startswith("pydrive2/test/"):
                member.name = inner
                members.append(member)
        if not any(m.name == "pydrive2/test/__init__.py" for m in members):
            raise SystemExit(f"{sdist.name} has no pydrive2/test/ package")
        # filter="data" refuses links and paths leaving dest (Python 3.10.12+/3.11.4+ have it)
        archive.extractall(dest, members=members, filter="data")


def main(argv: list[str]) -> int:
    sdist = fetch_sdist(version("PyDrive2"))
    # A fresh copy per run, as upstream's CI gets from a fresh checkout: the tests write saved
    # credentials (naming this run's emulator port) and scratch files into their own folder.
    with tempfile.TemporaryDirectory(prefix="pydrive2-suite-") as workdir:
        suite = Path(workdir)
        _extract_tests(sdist, suite)
        return _run_pytest(suite, argv)


def _run_pytest(suite: Path, argv: list[str]) -> int:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "tests"), os.environ.get("PYTHONPATH")])))
    command = [
        sys.executable, "-m", "pytest",
        "--rootdir", str(suite), "-c", str(suite / "pytest.ini"),
        "-p", "support.pydrive2_upstream", "--pydrive2-tests", str(suite),
        "-p", "no:cacheprovider",
        "--timeout", str(PER_TEST_TIMEOUT_S),
        "-m", "not manual",
        "-ra",
        str(suite / "pydrive2" / "test"),
        *argv,
    ]
    return subprocess.run(command, env=env, cwd=REPO).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
