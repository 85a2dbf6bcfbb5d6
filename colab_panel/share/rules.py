"""Checks on what a user asked for, answered in words before anything is sent to Drive."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from colab_panel.errors import ShareError
from colab_panel.inputs import shown
from colab_panel.share.model import ROLES

__all__ = ["check_email", "check_domain", "check_role", "parse_people", "Person"]

# Deliberately close to what Drive accepts: local@host.tld with no spaces or angle brackets.
_EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_DOMAIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_ROLE_ALIASES = {"viewer": "reader", "view": "reader", "read": "reader", "comment": "commenter",
                 "editor": "writer", "edit": "writer", "write": "writer"}

Person = tuple[str, "str | None", bool]  # (email, role or None to remove, notify)


def check_role(role: Any, *, who: str) -> str:
    """'reader'/'commenter'/'writer' (also viewer/editor); anything else is refused in words."""
    if isinstance(role, str):
        name = _ROLE_ALIASES.get(role.strip().lower(), role.strip().lower())
        if name in ROLES:
            return name
        if name == "owner":
            raise ShareError(f"Ownership cannot be given from here ({who}): transfer it in Drive itself. "
                             f"Roles that can be shared: {', '.join(ROLES)}.")
    raise ShareError(f"{shown(role)} is not a sharing role for {who}. Use one of: {', '.join(ROLES)} "
                     "(viewer = reader, editor = writer), or None to remove access.")


def check_email(email: Any) -> str:
    text = email.strip() if isinstance(email, str) else ""
    if not _EMAIL_RE.match(text):
        raise ShareError(f"{shown(email)} is not an email address (expected something like name@example.com).")
    return text


def check_domain(domain: Any) -> str:
    text = domain.strip().lower() if isinstance(domain, str) else ""
    if not _DOMAIN_RE.match(text):
        raise ShareError(f"{shown(domain)} is not a domain name (expected something like example.com).")
    return text


def parse_people(people: Iterable[Any] | None) -> list[Person]:
    """[(email, role, notify)] from tuples of 2 or 3 items (notify defaults to True, as in Drive)."""
    out: list[Person] = []
    seen: set[str] = set()
    if people is not None and (isinstance(people, (str, bytes, Mapping)) or not isinstance(people, Iterable)):
        raise ShareError(f"people must be a list of (email, role) pairs, not {shown(people)}.")
    for entry in people or ():
        if isinstance(entry, str) or not isinstance(entry, (tuple, list)) or len(entry) not in (2, 3):
            raise ShareError(f"Each person is (email, role) or (email, role, notify), not {shown(repr(entry))}.")
        email = check_email(entry[0])
        role = None if entry[1] in (None, "none", "remove") else check_role(entry[1], who=email)
        notify = bool(entry[2]) if len(entry) == 3 else True
        if email.lower() in seen:
            raise ShareError(f"{email} is listed twice; give each person one role.")
        seen.add(email.lower())
        out.append((email, role, notify))
    return out
