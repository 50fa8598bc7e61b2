"""Personal data sealed with 国密 algorithms: SM4-GCM for values, HMAC-SM3 for blind indexes.

A sealed value reads `sm4gcm:<key id>:<base64 of nonce | ciphertext | tag>`. The key id lets
old rows be read while a rotation re-seals them with the current key. Each value is bound
to its purpose (the column it belongs in) as GCM associated data, so a ciphertext copied
into another column does not open. The blind index is a keyed hash of the normalised value:
exact lookups (a caller's phone) without the value itself in the database.
"""

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PREFIX = "sm4gcm"
KEY_BYTES = 16  # SM4 is a 128-bit block cipher with a 128-bit key
INDEX_KEY_BYTES = 32
_NONCE = 12
_TAG = 16


class SealError(ValueError):
    """A sealed value that cannot be opened: unknown key, tampered or malformed."""


@dataclass(frozen=True)
class Keyring:
    """The data keys by id, the one new values are sealed with, and the blind-index key."""

    current: str
    keys: Mapping[str, bytes]
    index_key: bytes

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ValueError("the current key id has no key")
        for key_id, key in self.keys.items():
            if len(key) != KEY_BYTES or not key_id.isalnum():
                raise ValueError(f"data key {key_id!r}: need an alphanumeric id and 16 bytes")
        if len(self.index_key) < 16:
            raise ValueError("the blind-index key needs at least 16 bytes")

    def seal(self, plaintext: str, purpose: str) -> str:
        """`plaintext` encrypted with the current key, bound to `purpose`."""
        nonce = os.urandom(_NONCE)
        encryptor = Cipher(algorithms.SM4(self.keys[self.current]), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(purpose.encode())
        body = encryptor.update(plaintext.encode("utf-8", "surrogatepass")) + encryptor.finalize()
        blob = base64.b64encode(nonce + body + encryptor.tag).decode("ascii")
        return f"{PREFIX}:{self.current}:{blob}"

    def open(self, sealed: str, purpose: str) -> str:
        """The plaintext of a sealed value; SealError if it cannot be opened."""
        prefix, key_id, blob = (sealed.split(":", 2) + ["", ""])[:3]
        key = self.keys.get(key_id)
        if prefix != PREFIX or key is None:
            raise SealError(f"no key {key_id!r} for a sealed value")
        try:
            raw = base64.b64decode(blob, validate=True)
        except binascii.Error as exc:
            raise SealError("malformed sealed value") from exc
        if len(raw) < _NONCE + _TAG:
            raise SealError("malformed sealed value")
        nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(purpose.encode())
        try:
            plain = decryptor.update(body) + decryptor.finalize()
        except InvalidTag as exc:
            raise SealError("a sealed value failed its integrity check") from exc
        return plain.decode("utf-8", "surrogatepass")

    def blind_index(self, value: str, purpose: str) -> str:
        """HMAC-SM3 of `value` for exact lookups (hex, 64 characters)."""
        mac = hmac.HMAC(self.index_key, hashes.SM3())
        mac.update(purpose.encode() + b"\0" + value.encode("utf-8", "surrogatepass"))
        return mac.finalize().hex()


def is_sealed(value: str | None) -> bool:
    """Whether a stored value is sealed (not legacy plaintext)."""
    return bool(value) and value.startswith(PREFIX + ":")


def key_id_of(sealed: str) -> str:
    """The id of the key a sealed value was sealed with."""
    return sealed.split(":", 2)[1]


def new_key() -> bytes:
    """A fresh random SM4 key."""
    return os.urandom(KEY_BYTES)


def new_index_key() -> bytes:
    """A fresh random blind-index key."""
    return os.urandom(INDEX_KEY_BYTES)
