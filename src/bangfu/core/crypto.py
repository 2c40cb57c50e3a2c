"""Personal data at rest: authenticated encryption plus a keyed hash for look-ups.

The key comes from settings.FIELD_KEY (environment or a key file outside the database).
Two independent sub-keys are derived from it, one for AES-GCM and one for HMAC-SHA256, so a
look-up hash reveals nothing about the ciphertext key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = b"\x01"


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[AESGCM, bytes]:
    root = master.encode()
    enc = hmac.new(root, b"bangfu/encrypt/v1", hashlib.sha256).digest()
    mac = hmac.new(root, b"bangfu/lookup/v1", hashlib.sha256).digest()
    return AESGCM(enc), mac


def encrypt(plain: str) -> str:
    aes, _ = _keys(settings.FIELD_KEY)
    nonce = os.urandom(12)
    sealed = aes.encrypt(nonce, plain.encode(), _VERSION)
    return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode()


def decrypt(token: str) -> str:
    aes, _ = _keys(settings.FIELD_KEY)
    raw = base64.urlsafe_b64decode(token.encode())
    version, nonce, sealed = raw[:1], raw[1:13], raw[13:]
    return aes.decrypt(nonce, sealed, version).decode()


def lookup_hash(plain: str) -> str:
    _, mac = _keys(settings.FIELD_KEY)
    return hmac.new(mac, plain.encode(), hashlib.sha256).hexdigest()
