"""Where an upload's time goes (issue 14): variants of the upload path in one process, alternated, curl -T after each.

    flock /tmp/bench.lock python benchmarks/upload_costs.py 5 main mine        # 5 rounds of each variant
    variants: mine (this tree), main (no writeback per chunk, the state file by a new file and a
    rename per chunk, as before), nofsync, nostate, blk8 (md5 read in 8 MiB blocks), nice19, idle
    (md5 thread at nice 19 / SCHED_IDLE), nomd5 (no md5: leaves followers open, which slowed the
    uploads after it in every run here, cause not found: do not mix it with the others)
"""
import os
import sys
import time
import shutil
import statistics
import tempfile
import json
from pathlib import Path
sys.path.insert(0, os.getcwd())
from benchmarks import bench_transfers as bt
from colab_panel.transfers import upload as up
from colab_panel.transfers.routes import TransferService
from colab_panel.endpoint.server import TOKEN_HEADER
from colab_panel.transfers import md5_follower as mf
real_lower = mf._lower_this_threads_priority
def idle_lower(by=10):
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))

SIZE = bt.SIZE
real = dict(fsync=os.fsync, commit=up._commit_state, wb=up.start_writeback, adv=up.Md5Follower.advance)
acc = {"fsync": 0.0}


def t_fsync(fd):
    t = time.perf_counter()
    real["fsync"](fd)
    acc["fsync"] += time.perf_counter() - t

def old_commit_state(fd, committed, size):  # main's per-chunk state write: a new file, then rename
    path = Path(f"/proc/self/fd/{fd}").resolve()
    fresh = path.with_suffix(".json.new")
    fresh.write_text(json.dumps({"name": "x", "size_bytes": size, "committed_bytes": committed}))
    os.replace(fresh, path)
def threads():
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            comm = open(f"/proc/self/task/{tid}/comm").read().strip()
            f = open(f"/proc/self/task/{tid}/stat").read().rsplit(")", 1)[1].split()
            out[(tid, comm)] = (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return out
def variant(name):
    mf._BLOCK_BYTES = 8 * 1024 * 1024 if "blk8" in name else 1024 * 1024
    mf._lower_this_threads_priority = (lambda by=10: real_lower(19)) if "nice19" in name else idle_lower if "idle" in name else real_lower
    os.fsync = t_fsync if "nofsync" not in name else (lambda fd: None)
    up._commit_state = old_commit_state if name == "main" else (lambda *a: None) if "nostate" in name else real["commit"]
    up.start_writeback = (lambda *a: False) if name == "main" else real["wb"]
    up.Md5Follower.advance = real["adv"] if "nomd5" not in name else (lambda self, c: None)

work = Path(tempfile.mkdtemp(prefix="upprof-", dir="/tmp"))
src = work / "big.bin"
with open(src, "wb") as h:
    h.truncate(SIZE)
digests = bt._client_digests(src)
svc = TransferService(default_dest=work / "in")
svc.endpoint.route("PUT", "/bench/raw", bt._raw_sink(work))
variants = sys.argv[2:] or ["mine"]
res = {v: [] for v in variants}
res["curl"] = []
print(open("/proc/loadavg").read().strip())
try:
    for i in range(int(sys.argv[1])):
        for v in (variants if i % 2 == 0 else variants[::-1]):
            variant(v)
            shutil.rmtree(work / "in", ignore_errors=True)
            acc.update(fsync=0.0)
            cpu = time.process_time()
            th0 = threads()
            s, _, uid = bt._upload(svc, src, work / "in", digests)
            th1 = threads()
            if os.environ.get("THREADS"):
                print(v, round(SIZE/s/1e6), {k[1]: round(c - th0.get(k, 0), 2) for k, c in th1.items() if c - th0.get(k, 0) > 0.02})
            res[v].append((SIZE / s / 1e6, acc["fsync"], time.process_time() - cpu))
            t = time.perf_counter()
            if "nomd5" not in v:
                svc.store.wait_for_md5(uid, 600)
            res[v][-1] += (time.perf_counter() - t,)
            c = bt._curl("-T", str(src), "-H", f"{TOKEN_HEADER}: {svc.endpoint.token}", f"{svc.endpoint.url}bench/raw")
            res["curl"].append((SIZE / c / 1e6, 0, 0))
finally:
    svc.close()
    shutil.rmtree(work, ignore_errors=True)
print(open("/proc/loadavg").read().strip())
for v, rows in res.items():
    def med(k, rows=rows):
        return statistics.median(r[k] for r in rows)
    print(f"{v:10s} MB/s {med(0):7.1f} (all {[round(r[0]) for r in rows]}) fsync {med(1)*1000:5.0f} ms cpu {med(2):.2f}s md5 after {med(3) if len(rows[0]) > 3 else 0:.2f}s")
