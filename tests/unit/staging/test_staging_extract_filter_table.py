"""The cases CPython's tarfile extraction filters (`data`) are tested against, and the ways the
2025 tarfile CVEs got past them, as one table over tar and zip. Our policy is the same or
stricter: where `data` would rewrite a member (strip a leading "/"), we refuse the archive.

Each row: the members after a harmless first one, and the words the refusal must contain
(None: it must extract). Archives are built here, never copied from another project.
"""

from __future__ import annotations

import os
import stat
import tarfile
from pathlib import Path

import pytest

from colab_panel.errors import UnsafeArchiveError
from colab_panel.staging import extract_archive
from staging_archives import make_dest, snapshot, tar_member, write_tar, write_zip

SYM, HARD, DIR = tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.DIRTYPE


def f(name: str, data: bytes = b"x", mode: int = 0o644):
    return ("file", name, data, mode)


def sym(name: str, target: str):
    return ("symlink", name, target, 0o777)


def hard(name: str, target: str):
    return ("hardlink", name, target, 0o644)


def d(name: str, mode: int = 0o755):
    return ("dir", name, b"", mode)


def special(name: str, kind: bytes):
    return ("special", name, kind, 0o644)


LONG = "d" * 200
ROWS: dict[str, tuple[list, str | None]] = {
    "absolute path": ([f("/abs.txt")], "absolute path"),
    "dotdot": ([f("../evil.txt")], "climb out"),
    "dotdot inside a path": ([f("a/../../evil.txt")], "climb out"),
    "file with no name": ([f("./")], "no usable file name"),
    "windows drive": ([f("C:/evil.txt")], "Windows drive"),
    "symlink to absolute": ([sym("l", "/etc/passwd")], "absolute path"),
    "symlink to parent": ([sym("l", "../outside")], "outside the destination"),
    "symlink to dotdot inside path": ([sym("l", "sub/../../outside")], "outside the destination"),
    "symlink climbing through a link": ([d("sub"), sym("sub/up", ".."), sym("x", "sub/up/..")],
                                        "'x'"),
    "symlink to itself": ([sym("loop", "loop")], "more than 40 links"),
    "symlink loop of two": ([sym("a1", "a2"), sym("a2", "a1")], "more than 40 links"),
    "file through a symlink": ([d("sub"), sym("l", "sub"), f("l/x")], "symbolic link 'l'"),
    "folder through a symlink": ([d("sub"), sym("l", "sub"), d("l/x")], "symbolic link 'l'"),
    "file replacing a symlink": ([sym("l", "aaa.txt"), f("l")], "symbolic link 'l'"),
    "symlink inside": ([d("sub"), f("sub/x", b"in"), sym("l", "sub/x")], None),
    "hardlink to parent": ([hard("h", "../outside/flag")], "hard link"),
    "hardlink to absolute": ([hard("h", "/etc/passwd")], "hard link"),
    "hardlink to earlier member": ([hard("h", "aaa.txt")], None),
    "character device": ([special("dev", tarfile.CHRTYPE)], "'dev'"),
    "block device": ([special("dev", tarfile.BLKTYPE)], "'dev'"),
    "fifo": ([special("dev", tarfile.FIFOTYPE)], "'dev'"),
    "setuid, setgid, sticky bits": ([f("suid", b"#!", 0o7755)], None),
    "folder without permissions": ([d("locked", 0o000), f("locked/x")], None),
    "long names then an escape": ([d(LONG), d(f"{LONG}/{LONG}"), sym("s", f"{LONG}/{LONG}"),
                                   sym("x", "s/../../../outside")], "outside the destination"),
}
ZIP_CANNOT = {"hardlink to parent", "hardlink to absolute", "hardlink to earlier member", "block device",
              "fifo", "file with no name"}  # no hard links in zip; one device row stands for all
ZIP_EXPECTS = {"file replacing a symlink": None}  # in zip a later entry of a name replaces the earlier


def build(tmp_path: Path, fmt: str, rows: list) -> Path:
    entries = [f("aaa.txt", b"first")] + rows
    if fmt == "tar":
        members = []
        for kind, name, payload, mode in entries:
            if kind == "file":
                members.append(tar_member(name, payload, mode=mode))
            elif kind == "dir":
                members.append(tar_member(name, type=DIR, mode=mode))
            elif kind == "special":
                info, _ = tar_member(name, type=payload)
                info.devmajor, info.devminor = 1, 3
                members.append((info, b""))
            else:
                members.append(tar_member(name, type=SYM if kind == "symlink" else HARD, linkname=payload))
        return write_tar(tmp_path / "a.tar", members)
    kinds = {"file": stat.S_IFREG, "dir": stat.S_IFDIR, "symlink": stat.S_IFLNK, "special": stat.S_IFCHR}
    zipped, modes = [], {}
    for kind, name, payload, mode in entries:
        name = name + "/" if kind == "dir" else name
        zipped.append((name, payload.encode() if isinstance(payload, str) else (payload if kind != "special" else b"")))
        modes[name] = kinds[kind] | mode
    return write_zip(tmp_path / "a.zip", zipped, modes=modes)


@pytest.mark.filterwarnings("ignore:Duplicate name")  # zipfile, writing "file replacing a symlink"
@pytest.mark.parametrize("fmt", ["tar", "zip"])
@pytest.mark.parametrize("row", ROWS, ids=list(ROWS))
def test_extraction_filter_case(tmp_path: Path, fmt: str, row: str) -> None:
    rows, refusal = ROWS[row]
    if fmt == "zip" and row in ZIP_CANNOT:
        pytest.skip("zip cannot express this member")
    if fmt == "zip":
        refusal = ZIP_EXPECTS.get(row, refusal)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "flag").write_text("secret")
    dest = make_dest(tmp_path)
    archive = build(tmp_path, fmt, rows)
    before, outside_before = snapshot(dest), snapshot(outside)
    if refusal is not None:
        with pytest.raises(UnsafeArchiveError, match=refusal.replace("(", r"\(")):
            extract_archive(archive, dest)
        assert snapshot(dest) == before
    else:
        extract_archive(archive, dest)
        for dirpath, _, files in os.walk(dest):
            for name in files:
                st = os.lstat(os.path.join(dirpath, name))
                assert not st.st_mode & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX), name
    assert snapshot(outside) == outside_before
    assert sorted(os.listdir(tmp_path)) == sorted(["a." + fmt, "dest", "outside"])


def test_member_with_a_negative_size_is_refused_not_looped(tmp_path: Path) -> None:
    # CVE-2025-8194: a base-256 negative size sent tarfile's offset backwards, looping forever.
    archive = write_tar(tmp_path / "a.tar", [tar_member("aaa.txt", b"first"), tar_member("neg", b"y" * 10)],
                        format=tarfile.GNU_FORMAT)
    blob = bytearray(archive.read_bytes())
    at = blob.find(b"neg\x00")
    blob[at + 124:at + 136] = b"\xff" * 11 + b"\x00"  # size = -256 in base-256
    blob[at + 148:at + 156] = b"        "
    blob[at + 148:at + 156] = b"%06o\x00 " % sum(blob[at:at + 512])
    archive.write_bytes(bytes(blob))
    dest = make_dest(tmp_path)
    before = snapshot(dest)
    with pytest.raises(UnsafeArchiveError, match="negative size"):
        extract_archive(archive, dest)
    assert snapshot(dest) == before
