"""What the Drive tab's details pane says about sharing, and which link it offers to copy.

    sharing_phrase(state, me="me@example.com")  -> "Anyone with the link can view; shared with 3 people"
    main_link(links_for_item(item))             -> the item's view/folder/edit page

`state` is the Share backend's `SharingState` (`colab_panel.share.sharing(item)`): this module
only words it in one short line, it reads nothing itself.
"""

from __future__ import annotations

from typing import Any

from colab_panel.share.model import role_words

__all__ = ["MAIN_LINK_KEYS", "main_link", "sharing_phrase"]

# The page a person opens: a file's viewer, a folder, the Docs editor; `open` works for anything.
MAIN_LINK_KEYS = ("view", "folder", "edit", "open")


def main_link(links: dict[str, str]) -> tuple[str, str]:
    """(key, url) of the link worth copying first, or ("", "") when there is none."""
    for key in MAIN_LINK_KEYS:
        if links.get(key):
            return key, links[key]
    return "", ""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {'people' if word == 'person' else word + 's'}"


def sharing_phrase(state: Any, me: str | None = None) -> str:
    """One line: who can open the item besides its owner ("Private to you" when nobody)."""
    parts: list[str] = []
    for grant in state.link_sharing:
        if grant.type == "anyone":
            who = "Anyone with the link" if grant.with_link else "Anyone on the internet"
        else:
            who = f"Anyone at {grant.domain}" + (" with the link" if grant.with_link else "")
        parts.append(f"{who} {role_words(grant.role)}")
    people = [g for g in state.people if g.type == "user"]
    groups = [g for g in state.people if g.type == "group"]
    shared = [_plural(len(people), "person")] if people else []
    shared += [_plural(len(groups), "group")] if groups else []
    if shared:
        parts.append(("shared with " if parts else "Shared with ") + " and ".join(shared))
    if parts:
        return "; ".join(parts)
    owner = getattr(state.owner, "email", None) if state.owner is not None else None
    if owner and me and owner.lower() != me.lower():
        # someone else's item that we can open is shared with us, through the item or a folder
        # above it, even when its own grants list no one (a reader may not see who else)
        return f"Shared with you by its owner, {owner} (only its owner and editors see who else can open it)"
    return "Private to you"
