"""Residents' phone numbers under 个人信息保护法: stored encrypted (AES-GCM), found by a keyed
hash (HMAC-SHA256), shown masked (138****1234). Both keys are derived from the app's secret key
with HKDF, each for its own purpose, so neither the ciphertext nor the hash helps with the other."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from yishi.config import load_settings
from yishi.core.errors import DomainError
from yishi.core.i18n import _
from yishi.core.text import typed

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
LANDLINE_RE = re.compile(r"^0\d{9,11}$", re.ASCII)  # area code + number, dashes removed


def normalise_phone(text: str) -> str:
    """'138 0013-8000', '+86 13800138000', '028-83912345' -> digits only; '' when left blank."""
    raw = typed(text)  # full-width digits, brackets and dashes as ASCII ones
    if not raw:
        return ""
    digits = re.sub(r"[\s\-()]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not (MOBILE_RE.match(digits) or LANDLINE_RE.match(digits)):
        raise DomainError(_("联系电话格式不对：请填写 11 位手机号，或带区号的固定电话（如 028-83912345）。"))
    return digits


def mask_phone(phone: str) -> str:
    """13812341234 -> 138****1234; 02883912345 -> 028*****345 (first three, last four kept)."""
    if not phone:
        return ""
    keep_tail = 4 if len(phone) >= 11 else 3
    return phone[:3] + "*" * (len(phone) - 3 - keep_tail) + phone[-keep_tail:]


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"yishi.suggestions", info=purpose).derive(
        secret.encode()
    )


class PhoneVault:
    def __init__(self, secret_key: str) -> None:
        self._aead = AESGCM(_derive(secret_key, b"phone-encryption-v1"))
        self._hash_key = _derive(secret_key, b"phone-lookup-v1")

    def encrypt(self, phone: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, phone.encode(), b"phone")
        return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        if not token.startswith("v1:"):
            raise ValueError("unknown phone cipher version")
        blob = base64.urlsafe_b64decode(token[3:].encode())
        return self._aead.decrypt(blob[:12], blob[12:], b"phone").decode()

    def lookup_hash(self, phone: str) -> str:
        return hmac.new(self._hash_key, phone.encode(), hashlib.sha256).hexdigest()

    def seal(self, raw: str) -> dict[str, str]:
        """The three stored columns for what a resident typed (all empty for no phone)."""
        phone = normalise_phone(raw)
        if not phone:
            return {"phone_cipher": "", "phone_hash": "", "phone_masked": ""}
        return {"phone_cipher": self.encrypt(phone), "phone_hash": self.lookup_hash(phone),
                "phone_masked": mask_phone(phone)}


_configured: PhoneVault | None = None


def configure(secret_key: str) -> None:
    """Called by create_app with its settings; otherwise the vault reads the settings itself."""
    global _configured
    _configured = PhoneVault(secret_key)


@lru_cache(maxsize=1)
def _from_settings() -> PhoneVault:
    return PhoneVault(load_settings().secret_key)


def vault() -> PhoneVault:
    return _configured or _from_settings()


def mask_name(name: str) -> str:
    """For exports that leave the office: 王秀英 -> 王**."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""
