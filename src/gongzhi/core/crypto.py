"""Personal data at rest: encryption, blind indexes and masking.

Phone and ID numbers are stored encrypted (Fernet: AES-128-CBC with an
HMAC-SHA256 tag) and found through a blind index, a keyed HMAC of the
normalized value, so an equality lookup never needs the plaintext. Both keys
are derived from ``settings.GONGZHI_DATA_KEY`` with HKDF, each for one
purpose, so the index key cannot decrypt and the encryption key cannot be
used to test guesses against the index.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(master: str, purpose: bytes) -> bytes:
    raw = base64.urlsafe_b64decode(master.encode() + b"=" * (-len(master) % 4))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        raw
    )


@lru_cache(maxsize=4)
def _fernet(master: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(master, b"gongzhi:encrypt")))


@lru_cache(maxsize=4)
def _index_key(master: str) -> bytes:
    return _derive(master, b"gongzhi:blind-index")


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet(settings.GONGZHI_DATA_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(settings.GONGZHI_DATA_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong key must fail loudly, not show junk
        raise ValueError("personal data cannot be decrypted with this key") from exc


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash of ``value`` for equality lookups; ``purpose`` separates
    kinds of data so equal strings of different kinds do not match."""
    key = _index_key(settings.GONGZHI_DATA_KEY)
    message = f"{purpose}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(number: str) -> str:
    """110101199003071234 -> 110***********1234."""
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
