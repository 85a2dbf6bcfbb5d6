"""Append each stub call to $COLAB_STUB_LOG as a JSON line, so tests can see what was called."""

import json
import os
import time


def record(name: str, **kwargs) -> None:
    path = os.environ.get("COLAB_STUB_LOG")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"call": name, "args": kwargs, "t": time.time()}, default=str) + "\n")
