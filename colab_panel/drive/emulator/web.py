"""The anonymous side of Drive: what a visitor with no Google account gets from a shared link.

These are web pages and downloads, not API calls, so no bearer token is needed or read:

    GET /uc?export=download&id=ID[&resourcekey=K]   303 to drive.usercontent's /download, as Google does
    GET /download?id=ID&export=download[&confirm=t] the file, or an HTML page instead of it (scan, quota)
    GET /file/d/ID/view, /drive/folders/ID, /open?id=ID   the item's page
    GET /accounts/ServiceLogin                       where private items send a visitor

Shapes follow what Google serves and what download tools (gdown, curl scripts) rely on:
a file comes with `Content-Disposition: attachment; filename*=UTF-8''NAME`; a file too large
to scan comes as a page holding `<form id="download-form" action=".../download">`; a file over
its download quota as a page whose `<p class="uc-error-subcaption">` says "Too many users have
viewed or downloaded this file recently"; a private item as a 302 to the sign-in page; a missing
or trashed item as a 404 page. An older link-shared item opened without its resource key is
treated like a private one (Drive admits nothing to a visitor who lacks the key).

Tests script the rest: `emu.web.exceed_download_quota(ID)` (also makes the API's own media
downloads of that ID answer 403 downloadQuotaExceeded, as Drive does) and
`emu.web.virus_scan_bytes` (Google's threshold is about 100 MB; tests lower it).
"""

from __future__ import annotations

import html
import re
import secrets
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from colab_panel.drive.emulator.access import access_for
from colab_panel.drive.emulator.media import file_media
from colab_panel.drive.emulator.store import Item, Store
from colab_panel.drive.emulator.wire import ApiResponse

if TYPE_CHECKING:
    from colab_panel.drive.emulator.faults import Faults, RequestInfo

__all__ = ["WebSide", "is_web_path", "QUOTA_SENTENCE", "SCAN_SENTENCE"]

QUOTA_SENTENCE = ("Too many users have viewed or downloaded this file recently. Please try accessing the file "
                  "again later. If the file you are trying to access is particularly large or is shared with "
                  "many people, it may take up to 24 hours to be able to view or download the file.")
SCAN_SENTENCE = "Google Drive can't scan this file for viruses."
_ANONYMOUS = ""  # no account: only 'anyone' grants reach this visitor

_VIEW_RE = re.compile(r"^/(?:file/d|drive/folders)/([^/]+)(?:/[a-z]*)?$")


def is_web_path(path: str) -> bool:
    """True for the anonymous pages this module answers (never an API path)."""
    return path in ("/uc", "/download", "/open", "/accounts/ServiceLogin") or bool(_VIEW_RE.match(path))


@dataclass
class _Visit:
    query: dict[str, str]
    base_url: str  # "https://127.0.0.1:PORT/"


class WebSide:
    """Answers anonymous requests from the store; holds the web-only state tests script."""

    def __init__(self, store: Store, faults: Faults) -> None:
        self.store = store
        self._faults = faults
        self._lock = threading.Lock()
        self._over_quota: set[str] = set()
        self.virus_scan_bytes = 100 * 1024 * 1024

    def exceed_download_quota(self, file_id: str) -> None:
        """From now on `file_id` is over its download quota, on the web and through the API."""
        with self._lock:
            self._over_quota.add(file_id)

        def this_file(info: RequestInfo) -> bool:
            return f"/files/{file_id}" in info.path

        self._faults.fail(403, "downloadQuotaExceeded", times=None, media=True, path=this_file,
                          message="The download quota for this file has been exceeded.")

    def over_quota(self, file_id: str) -> bool:
        with self._lock:
            return file_id in self._over_quota

    # --- routing ------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], base_url: str) -> ApiResponse:
        visit = _Visit(query, base_url)
        if method not in ("GET", "HEAD"):
            return _page(405, "Method Not Allowed", "<p>Only GET is served here.</p>")
        if path == "/accounts/ServiceLogin":
            return _page(200, "Sign in - Google Accounts", "<p>Sign in to continue to Google Drive</p>")
        if path == "/uc":
            return self._uc(visit)
        if path == "/download":
            return self._download(visit, scanned=query.get("confirm", "") not in ("", "0"))
        view = _VIEW_RE.match(path)
        file_id = view.group(1) if view else query.get("id", "")
        return self._view(visit, file_id)

    # --- pages --------------------------------------------------------------------------------

    def _visible(self, visit: _Visit, file_id: str) -> tuple[Item | None, ApiResponse | None]:
        """(item, None) if an anonymous visitor may open it, else (None, the page they get)."""
        with self.store.lock:
            item = self.store.get(file_id) if file_id else None
            if item is None or self.store.is_trashed(item):
                return None, _gone()
            if not access_for(self.store, item, _ANONYMOUS).can_read:
                return None, _sign_in(visit)
            key = visit.query.get("resourcekey", "")
            if item.requires_resource_key and key != item.resource_key:
                return None, _sign_in(visit)
            return item, None

    def _view(self, visit: _Visit, file_id: str) -> ApiResponse:
        item, refusal = self._visible(visit, file_id)
        if item is None:
            assert refusal is not None
            return refusal
        kind = "folder" if item.is_folder else "file"
        return _page(200, f"{html.escape(item.title)} - Google Drive",
                     f'<div class="drive-viewer" data-kind="{kind}" data-id="{html.escape(item.id)}">'
                     f"{html.escape(item.title)}</div>")

    def _uc(self, visit: _Visit) -> ApiResponse:
        """drive.google.com/uc: a visitor who may see the file is sent on to drive.usercontent's
        /download (which serves it or the scan page); anyone else gets what /download would say."""
        item, refusal = self._visible(visit, visit.query.get("id", ""))
        if item is None or item.is_native or item.blob is None:
            return self._download(visit, scanned=False)
        params = {"id": item.id, "export": "download"}
        for name in ("resourcekey", "confirm"):
            if visit.query.get(name):
                params[name] = visit.query[name]
        target = f"{visit.base_url}download?{urlencode(params)}"
        return ApiResponse(303, {"Location": target, "Content-Type": "text/html; charset=utf-8"}, b"")

    def _download(self, visit: _Visit, *, scanned: bool) -> ApiResponse:
        file_id = visit.query.get("id", "")
        item, refusal = self._visible(visit, file_id)
        if item is None:
            assert refusal is not None
            return refusal
        if item.is_native or item.blob is None:
            # Folders and Google Docs have no bytes: Drive sends the visitor to the item's page.
            target = f"{visit.base_url}file/d/{quote(item.id)}/view" + _key_suffix(visit)
            return ApiResponse(302, {"Location": target, "Content-Type": "text/html; charset=utf-8"}, b"")
        if self.over_quota(item.id):
            return _page(200, "Google Drive - Quota exceeded",
                         '<p class="uc-error-caption">Sorry, you can\'t view or download this file at this time.</p>'
                         f'<p class="uc-error-subcaption">{QUOTA_SENTENCE}</p>')
        if item.size > self.virus_scan_bytes and not scanned:
            return self._scan_page(visit, item)
        response = file_media(item.blob, item.size, item.mime_type or "application/octet-stream", None)
        response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item.title, safe='')}"
        return response

    def _scan_page(self, visit: _Visit, item: Item) -> ApiResponse:
        fields = {"id": item.id, "export": "download", "confirm": "t", "uuid": secrets.token_hex(8)}
        if visit.query.get("resourcekey"):
            fields["resourcekey"] = visit.query["resourcekey"]
        inputs = "".join(f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
                         for name, value in fields.items())
        size_mb = item.size / 1e6
        return _page(200, "Google Drive - Virus scan warning",
                     f'<p class="uc-warning-caption">{SCAN_SENTENCE}</p>'
                     f'<p class="uc-warning-subcaption"><span class="uc-name-size"><a href="/open?id='
                     f'{html.escape(item.id)}">{html.escape(item.title)}</a> ({size_mb:.0f}M)</span> is too '
                     "large for Google to scan for viruses. Would you still like to download this file?</p>"
                     f'<form id="download-form" action="{visit.base_url}download" method="get">'
                     f'<input type="submit" id="uc-download-link" value="Download anyway">{inputs}</form>')


def _key_suffix(visit: _Visit) -> str:
    key = visit.query.get("resourcekey")
    return "?" + urlencode({"resourcekey": key}) if key else ""


def _sign_in(visit: _Visit) -> ApiResponse:
    # Private items never say they exist: the visitor is sent to sign in and come back.
    target = f"{visit.base_url}accounts/ServiceLogin?" + urlencode({"service": "wise", "continue": visit.base_url})
    return ApiResponse(302, {"Location": target, "Content-Type": "text/html; charset=utf-8"}, b"")


def _gone() -> ApiResponse:
    return _page(404, "Google Drive - Page Not Found",
                 '<p class="errorMessage">Sorry, the file you have requested does not exist.</p>')


def _page(status: int, title: str, body: str) -> ApiResponse:
    text = f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>"
    return ApiResponse(status, {"Content-Type": "text/html; charset=utf-8"}, text.encode())
