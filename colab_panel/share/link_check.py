"""Will this link work for someone else? Fetch it as an anonymous visitor and answer in words.

    verdict = check_link("https://drive.google.com/file/d/ID/view")
    verdict.outcome    # "downloads" | "opens" | "virus_scan" | "needs_sign_in" | "needs_resource_key"
                       # | "over_quota" | "gone"
    print(verdict.describe())
    if verdict.fix is not None:                    # the one sharing change that would fix it
        apply_plan(verdict.fix, confirm=True)      # widening: only with the usual confirm

The visitor's side decides the outcome (a page, a redirect to sign-in, a file); the owner's side
(the signed-in `drive`, when there is one) only explains it and plans the fix: a visitor cannot
tell "private" from "missing its resource key", the owner can. Without a drive the verdict says
what a visitor sees and what the usual causes are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from colab_panel.errors import DriveNotFound, LinkCheckError, PanelError
from colab_panel.share.model import SharePlan
from colab_panel.share.web_fetch import Fetch, WebAnswer, WebFetcher

__all__ = ["OUTCOMES", "LinkVerdict", "check_link", "classify"]

OUTCOMES = ("downloads", "opens", "virus_scan", "needs_sign_in", "needs_resource_key", "over_quota", "gone")
_WORKS = frozenset({"downloads", "opens", "virus_scan"})
_SCAN_RE = re.compile(r'id="download-form"|href="/uc\?export=download[^"]*confirm=')
_ERROR_RE = re.compile(r'<p class="uc-error-subcaption">(.*?)</p>', re.S)
_QUOTA_WORDS = "too many users have viewed or downloaded"
_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_REDIRECTS = 5


def _is_sign_in(location: str) -> bool:
    parts = urlsplit(location)
    return (parts.hostname or "") == "accounts.google.com" or "servicelogin" in parts.path.lower()


@dataclass(frozen=True)
class LinkVerdict:
    """The answer for one link: what a visitor gets, why, and the one change that would fix it."""

    link: str
    file_id: str
    outcome: str  # one of OUTCOMES
    words: str  # what a visitor gets and why, in a sentence or two
    fix_words: str = ""  # what would make it work ("" when it works)
    fix: SharePlan | None = None  # the sharing change that fixes it, through plan -> confirm -> apply
    working_link: str = ""  # a link that works as it is (e.g. with the resource key), if there is one
    title: str = ""

    @property
    def works(self) -> bool:
        return self.outcome in _WORKS

    def describe(self) -> str:
        head = "Works for others: " if self.works else "Does not work for others: "
        lines = [head + self.words]
        if self.fix_words:
            lines.append("Fix: " + self.fix_words)
        if self.working_link and self.working_link != self.link:
            lines.append("Working link: " + self.working_link)
        return "\n".join(lines)


def check_link(link: Any, *, drive: Any = None, fetch: Fetch | None = None, explain: bool = True) -> LinkVerdict:
    """Fetch `link` (any Drive link or ID) as a visitor with no Google account and say what they get.

    `drive` (a signed-in `Drive`) lets the answer name the cause and plan the fix; with
    `explain=False` or no drive, only the visitor's side is used. `fetch` is the transport
    (default: the real web, `WebFetcher()`). Raises `LinkCheckError` when the link is not a Drive
    link or Drive's web cannot be reached at all.
    """
    from colab_panel.drive.parse import parse_drive_link

    text = link.strip() if isinstance(link, str) else link
    if not isinstance(text, str) or not text:
        raise LinkCheckError(f"Paste a Drive link or ID to check (got {link!r}).")
    try:
        ref = parse_drive_link(text)
    except ValueError as exc:
        raise LinkCheckError(str(exc)) from None
    fetch = fetch or WebFetcher()
    answer = _visit(fetch, ref.id, ref.resource_key, ref.kind)
    verdict = classify(answer, link=text, file_id=ref.id, key_in_link=bool(ref.resource_key))
    if verdict.outcome == "over_quota" or (explain and drive is not None and not verdict.works):
        verdict = _with_owner_view(verdict, ref, drive if explain else None)
    return verdict


def _visit(fetch: Fetch, file_id: str, key: str | None, kind: str) -> WebAnswer:
    params = {"export": "download", "id": file_id, **({"resourcekey": key} if key else {})}
    first = (f"https://drive.google.com/uc?{urlencode(params)}" if kind in ("file", "unknown")
             else f"https://drive.google.com/file/d/{file_id}/view"
             + (f"?{urlencode({'resourcekey': key})}" if key else ""))
    try:
        answer = fetch(first)
        # Google answers /uc with a redirect to drive.usercontent.google.com (the file or the scan
        # page), a folder or Google Doc with one to its page: follow those as a browser would, but
        # stop at the sign-in page, which is itself the answer.
        for _ in range(_MAX_REDIRECTS):
            if answer.status not in _REDIRECTS or not answer.location or _is_sign_in(answer.location):
                break
            answer = fetch(urljoin(answer.url, answer.location))
        return answer
    except OSError as exc:
        raise LinkCheckError(f"Could not reach Google Drive to check the link ({exc}). "
                             "Check the runtime's internet connection and try again.") from None


def classify(answer: WebAnswer, *, link: str, file_id: str, key_in_link: bool = False) -> LinkVerdict:
    """The visitor's outcome from one answer (pure: no I/O)."""

    def verdict(outcome: str, words: str, fix_words: str = "") -> LinkVerdict:
        return LinkVerdict(link=link, file_id=file_id, outcome=outcome, words=words, fix_words=fix_words)

    status, text = answer.status, answer.text
    if status == 200 and "content-disposition" in answer.headers:
        return verdict("downloads", "the file downloads directly, with no sign-in.")
    if status in _REDIRECTS and _is_sign_in(answer.location):
        if key_in_link:
            return verdict("needs_sign_in", "Google asks the visitor to sign in: the item is not shared "
                           "with 'Anyone with the link'.",
                           "turn on 'Anyone with the link' (viewer) for it, or add the people by email.")
        return verdict("needs_sign_in", "Google asks the visitor to sign in: the item is not shared with "
                       "'Anyone with the link', or it is an older item whose link must carry its resource key.",
                       "turn on 'Anyone with the link' (viewer); if it already is, share the link that "
                       "includes '?resourcekey=' (the Share tab's links do).")
    if status == 404:
        return verdict("gone", "Google says the file does not exist: it was deleted or trashed, or the ID "
                       "in the link is wrong.",
                       "share a new link to the item (or restore it from the owner's trash).")
    if status == 200:
        error = _ERROR_RE.search(text)
        if error is not None and _QUOTA_WORDS in error.group(1).lower():
            return verdict("over_quota", "Google refuses the download for now: too many people downloaded "
                           "this file recently (its download quota resets within 24 hours).",
                           "each user can 'Copy to my Drive' (or Drive.copy) and download their own copy, "
                           "or wait up to a day.")
        if error is not None:
            return verdict("gone", "Google refuses the download: " + _plain(error.group(1)))
        if _SCAN_RE.search(text):
            return verdict("virus_scan", "it downloads, after Google's page saying the file is too large "
                           "to scan for viruses: browsers show 'Download anyway', gdown gets through, but "
                           "a plain wget/curl of the /uc link saves that page instead of the file.",
                           "none needed; for wget/curl use the drive.usercontent.google.com link with "
                           "confirm=t (the Share tab's 'download_large').")
        return verdict("opens", "the item's page opens with no sign-in (a folder or a Google Docs file: "
                       "it opens, its files download from there).")
    raise_words = f"Google Drive answered HTTP {status}"
    raise LinkCheckError(f"{raise_words} for the link, which says nothing about who can open it; "
                         "try again in a minute.")


def _with_owner_view(verdict: LinkVerdict, ref: Any, drive: Any) -> LinkVerdict:
    """Name the cause and plan the fix from what the signed-in account sees of the item."""
    from dataclasses import replace

    from colab_panel.share.links import share_links
    from colab_panel.share.sharing import plan_share, sharing

    if verdict.outcome == "over_quota":
        call = f"Drive.copy('{ref.id}') or `colab-panel drive copy {ref.id}`"
        return replace(verdict, fix_words=f"copy it into your own Drive ({call}) and download the copy: a copy "
                       "has its own quota and costs no bytes through the runtime.")
    if drive is None:
        return verdict
    try:
        item = drive.get(ref.id if not ref.resource_key else f"https://drive.google.com/open?"
                         f"{urlencode({'id': ref.id, 'resourcekey': ref.resource_key})}")
    except DriveNotFound:
        if verdict.outcome == "gone":
            return replace(verdict, words=verdict.words + " Your account cannot see it either.")
        return replace(verdict, fix_words="ask its owner to turn on 'Anyone with the link': your account "
                       "cannot see the item, so it cannot change its sharing.")
    except PanelError as exc:
        return replace(verdict, fix_words=verdict.fix_words + f" (Could not read it as you: {exc})")
    title = getattr(item, "title", "") or ref.id
    if verdict.outcome == "gone":
        return replace(verdict, title=title, words=f"Google says {title} does not exist for a visitor, although "
                       "your account can see it: it may be in the trash.",
                       fix_words="restore it from the trash, then check again.")
    try:
        state = sharing(item, drive=drive)
    except PanelError as exc:
        return replace(verdict, title=title, fix_words=f"ask the owner to share it with 'Anyone with the link' "
                       f"(you cannot read its sharing: {exc}).")
    anyone = state.anyone
    key = getattr(item, "resource_key", None)
    if anyone is not None and anyone.with_link and key and not ref.resource_key:
        good = share_links(ref.id, item=item)
        working = good.get("view") or good.get("folder") or good.get("edit") or ""
        return replace(verdict, outcome="needs_resource_key", title=title,
                       words=f"{title} is shared with 'Anyone with the link', but it is an older item whose "
                       "link must carry its resource key, and this link does not.",
                       fix_words="share the link that includes '?resourcekey=' (no sharing change needed).",
                       working_link=working)
    owner = state.owner.email if state.owner is not None else "its owner"
    who = "; ".join(g.who() for g in state.link_sharing) or "only the people it is shared with"
    words = (f"Google asks the visitor to sign in: {title} is open to {who}, not to anyone with the link.")
    if getattr(item, "can_share", True) is False:
        return replace(verdict, title=title, words=words,
                       fix_words=f"ask {owner} to turn on 'Anyone with the link' (viewer): your account may "
                       "not change who can open it.")
    try:
        plan = plan_share(item, anyone="reader", drive=drive)
    except PanelError as exc:
        return replace(verdict, title=title, fix_words=f"ask {owner} to turn on 'Anyone with the link' ({exc}).")
    return replace(verdict, title=title, fix=plan, words=words,
                   fix_words="turn on 'Anyone with the link' as viewer (review and confirm: it widens access).")


def _plain(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment).strip()
