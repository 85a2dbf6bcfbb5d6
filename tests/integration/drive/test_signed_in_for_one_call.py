"""`stage()`, `push()` and `restore_latest()` called without `drive=` sign in for themselves (here:
the emulator named by the environment) and close that connection before they return: a notebook
that stages or pushes in a loop must not pile up open TLS sockets. After each call (and a
collection) this process holds no connection to the emulator, and Python gave no ResourceWarning
for a socket collected unclosed.
"""

from __future__ import annotations

import gc
import warnings

import psutil
from support.sockets import connections

from colab_panel.checkpoints.restore import restore_latest
from colab_panel.staging import stage
from colab_panel.staging.sync import push


def _left_open(emulator, call) -> list[str]:
    """What `call()` left behind: its unclosed sockets to `emulator`, open or collected (earlier
    tests' garbage is collected first, and other servers' sockets do not count)."""
    port = emulator.port
    gc.collect()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ResourceWarning)
        call()
        gc.collect()
    return ([f"open: {c.laddr} -> {c.raddr}" for c in connections()
             if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED]
            + [f"collected: {w.message}" for w in seen if issubclass(w.category, ResourceWarning)
               and "socket" in str(w.message).lower() and f", {port})" in str(w.message)])


def test_each_call_closes_the_connection_it_opened(emulator_env, child, seed_dir, tmp_path):
    emu = emulator_env
    big, sub = child(emu.root_id, "big.bin"), child(emu.root_id, "sub")
    local = tmp_path / "results"
    local.mkdir()
    (local / "metrics.json").write_text("{}")

    assert _left_open(emu, lambda: stage(f"drive:{big.id}", str(tmp_path / "staged"), progress=None)) == []
    assert (tmp_path / "staged" / "big.bin").read_bytes() == (seed_dir / "big.bin").read_bytes()
    assert _left_open(emu, lambda: push(str(local), sub.id, progress=None)) == []
    assert "metrics.json" in [item.title for item in emu.store.children(sub.id)]
    assert _left_open(emu, lambda: restore_latest(sub.id, str(tmp_path / "restored"))) == []
