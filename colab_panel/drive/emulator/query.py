"""A parser and evaluator for the Drive API v2 `q` search language (the subset clients send).

Grammar (keywords case-insensitive):

    expr     := and_expr ("or" and_expr)*
    and_expr := unary ("and" unary)*
    unary    := "not" unary | "(" expr ")" | term
    term     := STRING "in" ("parents" | "owners" | "writers" | "readers")
              | FIELD OP VALUE            FIELD: title mimeType trashed starred hidden
                                                 modifiedDate createdDate fullText
              | "sharedWithMe"
    OP       := "=" | "!=" | "<" | "<=" | ">" | ">=" | "contains"
    VALUE    := 'single quoted, \\' and \\\\ escaped' | true | false

Like Drive, `title contains 'x'` matches a prefix of the title or of any word in it
("Hello World" matches 'wor', "HelloWorld" does not) case-insensitively, and
`fullText contains` is a case-insensitive substring search over title, description and
native text. Anything else is a 400 `invalid` error on `q`, as Google answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from colab_panel.drive.emulator.errors import ApiError
from colab_panel.drive.emulator.store import Item

__all__ = ["QueryContext", "compile_query", "Predicate"]


@dataclass
class QueryContext:
    """What evaluating a term needs besides the item: the caller and tree lookups."""

    email: str
    root_id: str
    is_trashed: Callable[[Item], bool]
    role_of: Callable[[Item, str], str | None]  # (item, email) -> best role or None
    # (item, email) -> True when the role comes only from "anyone with the link": such items are
    # not "shared with me" until opened, which the emulator does not track
    link_only: Callable[[Item, str], bool] = lambda item, email: False


Predicate = Callable[[Item, QueryContext], bool]

_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^'\\]|\\.)*')
      | (?P<op>!=|<=|>=|=|<|>)
      | (?P<paren>[()])
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)

_IN_FIELDS = {"parents", "owners", "writers", "readers"}
_COMPARE_FIELDS = {"title", "mimeType", "trashed", "starred", "hidden", "modifiedDate", "createdDate", "fullText"}


def _fail(q: str, detail: str) -> ApiError:
    # Google says only "Invalid query"; the detail helps whoever is debugging a client.
    return ApiError(400, "invalid", f"Invalid query: {detail}", location="q", location_type="parameter")


@dataclass
class _Token:
    kind: str  # string | op | paren | word | end
    text: str


def _tokenize(q: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(q):
        if q[pos:].strip() == "":
            break
        match = _TOKEN_RE.match(q, pos)
        if match is None or match.end() == pos:
            raise _fail(q, f"unexpected text at {pos}: {q[pos:pos + 20]!r}")
        kind = match.lastgroup or ""
        text = match.group(kind)
        if kind == "string":
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        tokens.append(_Token(kind, text))
        pos = match.end()
    tokens.append(_Token("end", ""))
    return tokens


class _Parser:
    def __init__(self, q: str) -> None:
        self.q = q
        self.tokens = _tokenize(q)
        self.pos = 0

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def is_keyword(self, word: str) -> bool:
        token = self.peek()
        return token.kind == "word" and token.text.lower() == word

    def parse(self) -> Predicate:
        predicate = self.expr()
        if self.peek().kind != "end":
            raise _fail(self.q, f"unexpected {self.peek().text!r}")
        return predicate

    def expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.is_keyword("or"):
            self.take()
            parts.append(self.and_expr())
        if len(parts) == 1:
            return parts[0]
        return lambda item, ctx: any(part(item, ctx) for part in parts)

    def and_expr(self) -> Predicate:
        parts = [self.unary()]
        while self.is_keyword("and"):
            self.take()
            parts.append(self.unary())
        if len(parts) == 1:
            return parts[0]
        return lambda item, ctx: all(part(item, ctx) for part in parts)

    def unary(self) -> Predicate:
        if self.is_keyword("not"):
            self.take()
            inner = self.unary()
            return lambda item, ctx: not inner(item, ctx)
        token = self.peek()
        if token.kind == "paren" and token.text == "(":
            self.take()
            inner = self.expr()
            closing = self.take()
            if closing.kind != "paren" or closing.text != ")":
                raise _fail(self.q, "missing ')'")
            return inner
        return self.term()

    def term(self) -> Predicate:
        first = self.take()
        if first.kind == "string":
            if not self.is_keyword("in"):
                raise _fail(self.q, f"expected 'in' after {first.text!r}")
            self.take()
            field = self.take()
            if field.kind != "word" or field.text not in _IN_FIELDS:
                raise _fail(self.q, f"cannot search 'in' {field.text!r}")
            return _in_term(first.text, field.text)
        if first.kind == "word" and first.text == "sharedWithMe":
            return lambda item, ctx: (getattr(item, "drive_id", None) is None and item.owner.lower() != ctx.email.lower()
                                      and ctx.role_of(item, ctx.email) is not None and not ctx.link_only(item, ctx.email))
        if first.kind != "word" or first.text not in _COMPARE_FIELDS:
            raise _fail(self.q, f"unknown field {first.text!r}")
        op = self.take()
        if op.kind == "word" and op.text.lower() == "contains":
            op = _Token("op", "contains")
        if op.kind != "op":
            raise _fail(self.q, f"expected an operator after {first.text!r}")
        value = self.take()
        if value.kind == "word" and value.text.lower() in ("true", "false"):
            literal: str | bool = value.text.lower() == "true"
        elif value.kind == "string":
            literal = value.text
        else:
            raise _fail(self.q, f"expected a quoted value or true/false after {first.text} {op.text}")
        return _compare_term(self.q, first.text, op.text, literal)


def _in_term(value: str, field: str) -> Predicate:
    if field == "parents":
        return lambda item, ctx: (ctx.root_id if value == "root" else value) in item.parents
    roles = {"owners": {"owner"}, "writers": {"owner", "organizer", "fileOrganizer", "writer"}}.get(field)

    def holds(item: Item, ctx: QueryContext) -> bool:
        email = ctx.email if value == "me" else value
        role = ctx.role_of(item, email)
        return role is not None and (roles is None or role in roles)

    return holds


def _word_prefix_match(text: str, needle: str) -> bool:
    text, needle = text.lower(), needle.lower()
    start = text.find(needle)
    while start != -1:
        if start == 0 or not text[start - 1].isalnum():
            return True
        start = text.find(needle, start + 1)
    return False


def _parse_date(q: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _fail(q, f"{value!r} is not an RFC 3339 date") from None
    # Drive reads a date without an offset as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _compare_term(q: str, field: str, op: str, literal: str | bool) -> Predicate:
    boolean_fields = {"trashed", "starred", "hidden"}
    if field in boolean_fields:
        if not isinstance(literal, bool) or op not in ("=", "!="):
            raise _fail(q, f"{field} takes = or != with true/false")
        getters: dict[str, Callable[[Item, QueryContext], bool]] = {
            "trashed": lambda item, ctx: ctx.is_trashed(item),
            "starred": lambda item, ctx: item.starred,
            "hidden": lambda item, ctx: False,
        }
        getter = getters[field]
        return (lambda item, ctx: getter(item, ctx) == literal) if op == "=" else (lambda item, ctx: getter(item, ctx) != literal)
    if not isinstance(literal, str):
        raise _fail(q, f"{field} takes a quoted value")
    if field in ("modifiedDate", "createdDate"):
        if op == "contains":
            raise _fail(q, f"{field} cannot use contains")
        when = _parse_date(q, literal)
        attribute = "modified" if field == "modifiedDate" else "created"
        compare = {
            "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
        }[op]
        return lambda item, ctx: compare(getattr(item, attribute), when)
    if field == "fullText":
        if op != "contains":
            raise _fail(q, "fullText only supports contains")
        needle = literal.lower()
        return lambda item, ctx: needle in f"{item.title}\n{item.description}\n{item.native_text}".lower()
    attribute = "title" if field == "title" else "mime_type"
    if op == "=":
        return lambda item, ctx: getattr(item, attribute) == literal
    if op == "!=":
        return lambda item, ctx: getattr(item, attribute) != literal
    if op == "contains":
        if field == "title":
            return lambda item, ctx: _word_prefix_match(item.title, literal)
        return lambda item, ctx: literal in item.mime_type
    raise _fail(q, f"{field} does not support {op}")


def compile_query(q: str | None) -> Predicate:
    """Parse `q` once; the result is called per item. An empty query matches everything."""
    if q is None or not q.strip():
        return lambda item, ctx: True
    return _Parser(q).parse()
