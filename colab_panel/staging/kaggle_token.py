"""Store a Kaggle API token (`kaggle.json`) where the official client looks, readable by you alone.

    save_kaggle_token("/content/kaggle.json")       # a path, or the file's bytes (the panel's upload)

The file must be JSON with non-empty `username` and `key` strings, and at most 64 KB (a real
one is under 100 bytes); anything else is refused in words that never quote the file. It goes to
`$KAGGLE_CONFIG_DIR/kaggle.json`, else `~/.kaggle/kaggle.json` (every `kaggle` version reads
that folder once it exists), 0600 from its first byte in a 0700 folder, through a temporary
file renamed into place (`temp_files.replace_with_text`): an earlier token stays whole until
the new one is complete.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from colab_panel.errors import KaggleTokenError
from colab_panel.inputs import os_error_in_words, shown, user_path
from colab_panel.staging.temp_files import remove_orphaned_temps, replace_with_text

__all__ = ["MAX_TOKEN_BYTES", "SavedKaggleToken", "save_kaggle_token", "token_folder"]

MAX_TOKEN_BYTES = 64 * 1024
_GET_ONE = "Create one at https://www.kaggle.com/settings (API → Create New Token) and choose that kaggle.json."


@dataclass(frozen=True)
class SavedKaggleToken:
    path: Path
    username: str
    replaced: bool  # an earlier kaggle.json was there
    key: str = field(repr=False, compare=False, default="")  # kept out of repr, never put in a message

    @property
    def message(self) -> str:
        verb = "replaced the earlier token at" if self.replaced else "saved to"
        return (f"Kaggle token for user {self.username!r} {verb} {self.path} (mode 0600, readable by you "
                "only). Stage kaggle:owner/dataset now.")


def token_folder() -> Path:
    """`$KAGGLE_CONFIG_DIR`, else `~/.kaggle`: where `kaggle` finds kaggle.json."""
    configured = os.environ.get("KAGGLE_CONFIG_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".kaggle"


def save_kaggle_token(source: str | os.PathLike[str] | bytes) -> SavedKaggleToken:
    """Check `source` (a path or the file's bytes) and store it 0600 as kaggle.json; see the module doc."""
    data = _read(source)
    username, key = _checked(data)
    folder = token_folder()
    target = folder / "kaggle.json"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not folder.is_dir():
            raise KaggleTokenError(f"{folder} is not a folder, so kaggle.json cannot be stored in it.")
        os.chmod(folder, 0o700)  # a folder made 0755 by hand: the token's name is nobody else's business either
        replaced = target.exists()
    except OSError as exc:
        raise KaggleTokenError(os_error_in_words(exc, f"Cannot store the Kaggle token in {folder}")) from None
    remove_orphaned_temps(target)  # a temp copy of a token an earlier process died writing
    try:
        # 0600 from the first byte; `_checked` decoded it as UTF-8, so the text is the same bytes
        replace_with_text(target, data.decode("utf-8"), fsync=True, mode=0o600)
    except OSError as exc:
        raise KaggleTokenError(os_error_in_words(exc, f"Cannot store the Kaggle token at {target}")) from None
    return SavedKaggleToken(target, username, replaced, key)


def _read(source: str | os.PathLike[str] | bytes) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = user_path(source, "The kaggle.json path", KaggleTokenError).expanduser()
        if not path.is_file():
            raise KaggleTokenError(f"There is no file at {shown(str(path))}: give the path of the kaggle.json "
                                   f"Kaggle gave you. {_GET_ONE}")
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_TOKEN_BYTES + 1)
        except OSError as exc:
            raise KaggleTokenError(os_error_in_words(exc, "Cannot read the kaggle.json")) from None
    else:
        raise KaggleTokenError(f"Give the kaggle.json as a path or its bytes, not {shown(source)}.")
    if len(data) > MAX_TOKEN_BYTES:
        raise KaggleTokenError(f"That file is over 64 KB; a Kaggle token (kaggle.json) is under 1 KB, so it is "
                               f"not one. {_GET_ONE}")
    if not data.strip():
        raise KaggleTokenError(f"That file is empty; a Kaggle token (kaggle.json) holds a username and a key. {_GET_ONE}")
    return data


def _checked(data: bytes) -> tuple[str, str]:
    """(username, key) from a token's bytes, or KaggleTokenError naming what is wrong, never the values."""
    try:
        token = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        token = None
    if not isinstance(token, dict):
        raise KaggleTokenError("That file is not a Kaggle token: kaggle.json is JSON like "
                               f'{{"username": "...", "key": "..."}}. {_GET_ONE}')
    for name in ("username", "key"):
        value = token.get(name)
        if not isinstance(value, str) or not value.strip() or any(ch.isspace() for ch in value):
            problem = "has no" if name not in token else "has an unusable"
            raise KaggleTokenError(f'That file is not a Kaggle token: it {problem} "{name}" (a non-empty text '
                                   f"without spaces). {_GET_ONE}")
    return token["username"], token["key"]
