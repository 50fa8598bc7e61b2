"""Where the data keys come from, and the column type that seals personal data at rest.

Keys come from the environment (`HOTLINE_DATA_KEYS`, the key file's JSON itself, for a
secret store) or from a key file outside the database (`DATA_KEY_FILE`, by default
`instance/data_keys.json`, created 0600 on first start). The file holds every data key by
id, the current one, and the blind-index key:

    {"current": "k20261128", "keys": {"k20261128": "<32 hex>"}, "index_key": "<64 hex>"}

Losing the file loses every caller's phone, name and address: back it up apart from the
database (docs/SECURITY.md).
"""

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from hotline.core import crypto

EXTENSION_KEY = "hotline.keyring"
# The keyring of the last app created: for code that runs outside an app context.
_last: crypto.Keyring | None = None


def keyring_from_json(text: str) -> crypto.Keyring:
    """A keyring from the key file's JSON."""
    data = json.loads(text)
    return crypto.Keyring(
        current=data["current"],
        keys={key_id: bytes.fromhex(key) for key_id, key in data["keys"].items()},
        index_key=bytes.fromhex(data["index_key"]),
    )


def keyring_to_json(keyring: crypto.Keyring) -> str:
    """The key file's JSON for a keyring."""
    keys = {key_id: key.hex() for key_id, key in keyring.keys.items()}
    data = {"current": keyring.current, "keys": keys, "index_key": keyring.index_key.hex()}
    return json.dumps(data, indent=1)


def new_key_id(now: datetime, taken) -> str:
    """A key id from the date, unique among `taken`."""
    base = "k" + now.astimezone(UTC).strftime("%Y%m%d")
    key_id, n = base, 1
    while key_id in taken:
        n += 1
        key_id = f"{base}n{n}"
    return key_id


def write_private(path: Path, text: str, *, replace: bool = True) -> None:
    """Write a whole file readable by its owner only (created 0600, never widened first).

    The text goes to a temporary file that then takes the name at once, so nobody reads
    half a file. `replace=False`: if the file exists already it is kept (several
    processes starting at once all end up with the first one's file).
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            with contextlib.suppress(FileExistsError):  # the name is taken: keep that file
                os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def load_keyring(config) -> crypto.Keyring:
    """The keyring from the environment's keys, or the key file (made on first start)."""
    given = config.get("DATA_KEYS")
    if given:
        return keyring_from_json(given)
    path = Path(config["DATA_KEY_FILE"])
    if not path.exists():
        now = datetime.now(UTC)
        key_id = new_key_id(now, ())
        fresh = crypto.Keyring(key_id, {key_id: crypto.new_key()}, crypto.new_index_key())
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(path, keyring_to_json(fresh), replace=False)
    return keyring_from_json(path.read_text(encoding="utf-8"))


def install(app, keyring: crypto.Keyring) -> None:
    """Make `keyring` the one this app seals and opens with."""
    global _last
    app.extensions[EXTENSION_KEY] = keyring
    _last = keyring


def keyring() -> crypto.Keyring:
    """The current app's keyring."""
    if has_app_context() and EXTENSION_KEY in current_app.extensions:
        return current_app.extensions[EXTENSION_KEY]
    if _last is None:
        raise RuntimeError("no data keys installed: create the app first")
    return _last


def seal(value: str | None, purpose: str) -> str | None:
    """`value` sealed for storage (None and the empty string are stored as they are)."""
    if not value:
        return value
    return keyring().seal(value, purpose)


def unseal(value: str | None, purpose: str) -> str | None:
    """A stored value opened (legacy plaintext, before the migration sealed it, as it is).

    A value sealed with a key this process does not know yet (another process rotated the
    key file) makes it read the key file again, once.
    """
    if not crypto.is_sealed(value):
        return value
    ring = keyring()
    if crypto.key_id_of(value) not in ring.keys and _reload():
        ring = keyring()
    return ring.open(value, purpose)


def _reload() -> bool:
    """Read the key file again (after a rotation elsewhere); False without one."""
    if not has_app_context() or current_app.config.get("DATA_KEYS"):
        return False
    install(current_app._get_current_object(), load_keyring(current_app.config))
    return True


PHONE_INDEX = "phone"


def phone_index(number: str | None) -> str | None:
    """The blind index of a normalised phone number, for exact lookups."""
    return keyring().blind_index(number, PHONE_INDEX) if number else None


class Sealed(TypeDecorator):
    """Text sealed with SM4-GCM on the way in and opened on the way out.

    Equality on such a column never matches (each seal has its own nonce): look values up
    through their blind index instead.
    """

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return seal(value, self.purpose)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return unseal(value, self.purpose)
