"""The demo's Drive: a small sample tree served by the built-in emulator (no Google account needed).

    with demo_drive(workdir) as emu:      # a running DriveEmulator seeded with the tree below
        env.update(emulator_env(emu))     # the Voila kernel connects to it (colab_panel.drive.auth)

My Drive/
    datasets/  cats-vs-dogs-mini.zip, iris.tar.gz, README.txt
    images/    sample-1.png ... sample-3.png
    tables/    iris.csv, results.csv
    Project notes (Google Doc), Training log (Google Sheet, starred), "Shortcut to datasets"
Shared with me: "Lab protocol" (Alice's Doc). Shared drives: "Team datasets". Trash: old-results.csv.

The archives and images are generated at start-up (a few KB) under `workdir`.
"""

from __future__ import annotations

import csv
import io
import random
import struct
import tarfile
import zipfile
import zlib
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from colab_panel.drive.auth import ENV_EMULATOR, ENV_EMULATOR_CA, ENV_EMULATOR_TOKEN

__all__ = ["DATASETS_ID", "demo_drive", "emulator_env", "sample_manifest"]

DATASETS_ID = "1DemoDatasetsFolderDemoDatasets00"
PAGE_SIZE = 100


def _png(width: int, height: int, color: tuple[int, int, int]) -> bytes:
    """A tiny valid PNG of a gradient (stdlib only)."""
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (color[0] * x // width, color[1] * y // height, color[2]))
        for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _iris_csv(rows: int = 60) -> str:
    rng = random.Random(7)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sepal_length", "sepal_width", "petal_length", "petal_width", "species"])
    for index in range(rows):
        species = ("setosa", "versicolor", "virginica")[index % 3]
        writer.writerow([round(rng.uniform(4, 8), 1), round(rng.uniform(2, 4.5), 1),
                         round(rng.uniform(1, 7), 1), round(rng.uniform(0.1, 2.5), 1), species])
    return out.getvalue()


def write_sample_files(directory: Path) -> dict[str, Path]:
    """Generate the sample files under `directory`; returns {name: path}."""
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for index, color in enumerate([(255, 120, 40), (40, 160, 255), (120, 220, 90)], start=1):
        path = directory / f"sample-{index}.png"
        path.write_bytes(_png(64, 48, color))
        files[path.name] = path
    iris = _iris_csv()
    (directory / "iris.csv").write_text(iris)
    files["iris.csv"] = directory / "iris.csv"
    results = directory / "results.csv"
    results.write_text("epoch,loss,accuracy\n" + "".join(f"{e},{1.5 / e:.3f},{1 - 0.5 / e:.3f}\n" for e in range(1, 11)))
    files["results.csv"] = results
    archive = directory / "cats-vs-dogs-mini.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for label in ("cats", "dogs"):
            for index in range(3):
                zf.writestr(f"cats-vs-dogs-mini/{label}/{label[:-1]}-{index}.png", _png(16, 16, (index * 80, 90, 200)))
    files[archive.name] = archive
    tgz = directory / "iris.tar.gz"
    with tarfile.open(tgz, "w:gz") as tf:
        data = iris.encode()
        info = tarfile.TarInfo("iris/iris.csv")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    files[tgz.name] = tgz
    return files


def sample_manifest(files: dict[str, Path]) -> dict[str, Any]:
    def source(name: str) -> dict[str, Any]:
        return {"title": name, "sourcePath": str(files[name])}

    return {
        "items": [
            {"title": "datasets", "folder": True, "id": DATASETS_ID, "children": [
                source("cats-vs-dogs-mini.zip"), source("iris.tar.gz"),
                {"title": "README.txt", "content": "Small datasets for trying the Staging tab.\n"},
            ]},
            {"title": "images", "folder": True, "children": [source(f"sample-{i}.png") for i in (1, 2, 3)]},
            {"title": "tables", "folder": True, "children": [source("iris.csv"), source("results.csv")]},
            {"title": "Project notes", "mimeType": "application/vnd.google-apps.document",
             "content": "Ideas: try a bigger batch size; stage datasets to /content/data.\n"},
            {"title": "Training log", "mimeType": "application/vnd.google-apps.spreadsheet", "starred": True,
             "content": "epoch,loss\n1,1.5\n2,0.75\n"},
            {"title": "Shortcut to datasets", "shortcutTo": DATASETS_ID},
            {"title": "old-results.csv", "trashed": True, "content": "epoch,loss\n1,2.0\n"},
            {"title": "Lab protocol", "owner": "alice@example.com", "mimeType": "application/vnd.google-apps.document",
             "content": "Step 1: stage the data.\n",
             "permissions": [{"type": "user", "role": "reader", "emailAddress": "me@example.com"}]},
        ],
        "accounts": [{"email": "alice@example.com", "name": "Alice"}],
        "sharedDrives": [{"name": "Team datasets", "members": [{"email": "me@example.com", "role": "organizer"}],
                          "children": [{"title": "shared-notes.txt", "content": "Notes the whole team can edit.\n"}]}],
    }


@contextmanager
def demo_drive(workdir: Path) -> Iterator[Any]:
    """A running `DriveEmulator` with the sample tree; closed (and its temp files removed) on exit."""
    from colab_panel.drive.emulator import DriveEmulator

    files = write_sample_files(workdir / "drive-sample")
    with DriveEmulator(manifest=sample_manifest(files), max_page_size=PAGE_SIZE, user_name="Demo User",
                       user_email="demo@example.com") as emulator:
        yield emulator


def emulator_env(emulator: Any) -> dict[str, str]:
    """Environment variables that make `colab_panel.drive.connect()` use `emulator`."""
    return {ENV_EMULATOR: emulator.base_url, ENV_EMULATOR_TOKEN: emulator.token,
            ENV_EMULATOR_CA: str(emulator.ca_cert_path)}
