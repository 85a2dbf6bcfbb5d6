"""Partial responses: apply a `fields=` selector like ``items(id,title,parents/id),nextPageToken``.

Grammar: a comma-separated list of selectors; a selector is a path ``a/b/c`` optionally followed
by ``(sub,selectors)`` applying to the last step; ``*`` selects everything at its level.
Lists are filtered element by element, as Google does.
"""

from __future__ import annotations

from typing import Any

from colab_panel.drive.emulator.errors import ApiError

# A parsed selector tree: field name -> subtree, or None meaning "the whole value".
Tree = dict[str, "Tree | None"]


def _invalid(spec: str) -> ApiError:
    return ApiError(400, "invalidParameter", f"Invalid field selection {spec}", location="fields")


def parse_fields(spec: str) -> Tree:
    tree, pos = _parse_list(spec, 0)
    if pos != len(spec):
        raise _invalid(spec)
    return tree


def _parse_list(spec: str, pos: int) -> tuple[Tree, int]:
    tree: Tree = {}
    while True:
        pos = _parse_selector(spec, pos, tree)
        if pos < len(spec) and spec[pos] == ",":
            pos += 1
            continue
        return tree, pos


def _parse_selector(spec: str, pos: int, tree: Tree) -> int:
    start = pos
    while pos < len(spec) and spec[pos] not in ",()":
        pos += 1
    path = spec[start:pos].strip()
    if not path or any(not step for step in path.split("/")):
        raise _invalid(spec)
    subtree: Tree | None = None
    if pos < len(spec) and spec[pos] == "(":
        subtree, pos = _parse_list(spec, pos + 1)
        if pos >= len(spec) or spec[pos] != ")":
            raise _invalid(spec)
        pos += 1
    steps = path.split("/")
    node = tree
    for step in steps[:-1]:
        existing = node.get(step, {})
        if existing is None:  # already selecting the whole value
            return pos
        node[step] = existing
        node = existing
    last = steps[-1]
    if subtree is None or node.get(last, {}) is None:
        node[last] = None
    else:
        merged = node.get(last) or {}
        merged.update(subtree)
        node[last] = merged
    return pos


def selects(spec: str | None, *path: str) -> bool:
    """Whether a `fields=` selector asks for the field at `path`, by name, by `*`, or by taking
    a parent whole (`items` selects every field of each item). Without a selector: False."""
    if not spec:
        return False
    node: Tree | None = parse_fields(spec)
    for step in path:
        if node is None or "*" in node:
            return True
        if step not in node:
            return False
        node = node[step]
    return True


def apply_fields(value: Any, tree: Tree | None) -> Any:
    """Keep only the selected parts of a JSON value."""
    if tree is None:
        return value
    if isinstance(value, list):
        return [apply_fields(element, tree) for element in value]
    if not isinstance(value, dict):
        return value
    if "*" in tree:
        return value
    out: dict[str, Any] = {}
    for name, subtree in tree.items():
        if name in value:
            out[name] = apply_fields(value[name], subtree)
    return out
