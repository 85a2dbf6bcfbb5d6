"""Find a front-end source: `colab_panel/static/` in an installed wheel, `js/` in a checkout;
and join an ES module with the parts it imports, for anywidget (one file per widget)."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

_PACKAGE_STATIC = Path(__file__).resolve().parent.parent / "static"
_CHECKOUT_JS = Path(__file__).resolve().parent.parent.parent / "js"


def static_path(name: str) -> Path:
    for folder in (_PACKAGE_STATIC, _CHECKOUT_JS):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"front-end file {name!r} is missing from {_PACKAGE_STATIC} and {_CHECKOUT_JS}")


# `import { a, b } from "./part.js";` -- the one form of import the joined sources use
_IMPORT = re.compile(r'^import \{[^}]*\} from "(\.\.?/[\w./-]+\.js)";\s*$')
_EXPORT = re.compile(r"^export (?=(async function|function|class|const|let) )")


def joined_module(name: str) -> str:
    """The ES module `name` with the parts it imports joined in, as one module's text: anywidget
    loads a widget's `_esm` from a single string (a blob URL, where `./part.js` resolves to
    nothing). Each part comes once, before what imports it; its `import {...} from "./x.js"`
    lines and `export` keywords go (the parts share one scope, so their top-level names must
    differ: a clash is a SyntaxError). Only the `name` module keeps `export default`."""
    done: list[str] = []
    pieces: list[str] = []

    def add(relative: str, entry: bool) -> None:
        if relative in done:
            return
        done.append(relative)
        lines = []
        for line in static_path(relative).read_text(encoding="utf-8").splitlines():
            imported = _IMPORT.match(line)
            if imported:
                add(posixpath.normpath(posixpath.join(posixpath.dirname(relative), imported[1])), False)
                continue
            if line.startswith("import ") or (line.startswith("export ") and not _EXPORT.match(line)
                                               and not (entry and line.startswith("export default "))):
                raise ValueError(f"{relative}: cannot join this line (use `import {{...}} from \"./x.js\";` "
                                 f"and `export function|class|const ...`): {line}")
            lines.append(_EXPORT.sub("", line))
        pieces.append(f"// ---- {relative} ----\n" + "\n".join(lines))

    add(name, True)
    return "\n\n".join(pieces) + "\n"
