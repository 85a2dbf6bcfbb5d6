"""`import colab_panel` vs `import ipywidgets`: median wall time of fresh interpreters (goal <= 1.3x).

The package loads its heavy libraries lazily, so importing it should cost about what the widget
library it is built on costs — here it costs less, since it does not even load ipywidgets.
"""

from __future__ import annotations

from benchmarks.harness import Row, fresh_process_time

GOAL = 1.3


def run() -> list[Row]:
    fresh_process_time("pass", repeat=2)  # warm the OS file cache for both
    ours = fresh_process_time("import colab_panel", repeat=9)
    baseline = fresh_process_time("import ipywidgets", repeat=9)
    empty = fresh_process_time("pass", repeat=9)
    rows = [Row("import colab_panel vs import ipywidgets (fresh process)", ours, baseline, "s",
                f"<= {GOAL}x", ours / baseline, ours / baseline <= GOAL)]
    # the same with the interpreter's own start-up taken out of both sides
    net_ours, net_base = max(ours - empty, 1e-6), max(baseline - empty, 1e-6)
    rows.append(Row("  same, interpreter start-up subtracted", net_ours, net_base, "s",
                    f"<= {GOAL}x", net_ours / net_base, net_ours / net_base <= GOAL))
    return rows
