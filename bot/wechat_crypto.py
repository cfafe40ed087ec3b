"""Official Account request security: signatures, replay window, AES envelopes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto


class Forbidden(Exception):
    """The request is not from WeChat (bad signature) or is a replay; answer 403."""


class BadEnvelope(Exception):
    """The body is not a WeChat envelope we can open; answer `success` so WeChat stops."""


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 (WeChat's scheme)


def check_signature(expected_parts: tuple[str, ...], given: str) -> None:
    if not given or not hmac.compare_digest(sign(*expected_parts), given.lower()):
        raise Forbidden("signature mismatch")


def check_timestamp(timestamp: str, *, window_seconds: int, now: float | None = None) -> None:
    try:
        sent = int(timestamp)
    except ValueError:
        raise Forbidden("timestamp is not a number") from None
    current = time.time() if now is None else now
    if abs(current - sent) > window_seconds:
        raise Forbidden("timestamp outside the replay window")


@dataclass(frozen=True, slots=True)
class Opened:
    """A verified request body as plain message XML, and whether to encrypt the reply."""

    xml: str
    encrypted: bool


class Envelope:
    """Verifies and opens `POST /wechat` bodies in plain, compatible and safe modes."""

    def __init__(self, *, token: str, aes_key: str, appid: str) -> None:
        self._token = token
        self._appid = appid
        self._crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None
        self._prp = PrpCrypto(self._crypto.key) if self._crypto else None

    def verify_url(self, signature: str, timestamp: str, nonce: str) -> None:
        check_signature((self._token, timestamp, nonce), signature)

    def open(self, body: str, query: dict[str, str]) -> Opened:
        timestamp = query.get("timestamp", "")
        nonce = query.get("nonce", "")
        if query.get("encrypt_type", "raw") != "aes":
            check_signature((self._token, timestamp, nonce), query.get("signature", ""))
            return Opened(xml=body, encrypted=False)
        try:
            fields = xmltodict.parse(body).get("xml") or {}
        except Exception as exc:  # expat and xmltodict raise several unrelated types
            raise BadEnvelope(f"unparsable envelope: {type(exc).__name__}") from None
        encrypt = fields.get("Encrypt") if isinstance(fields, dict) else None
        if not isinstance(encrypt, str):
            raise BadEnvelope("no Encrypt element")
        # Safe mode signs the ciphertext: msg_signature, not signature (wechatpy issue 739).
        check_signature((self._token, timestamp, nonce, encrypt), query.get("msg_signature", ""))
        if self._prp is None:
            raise BadEnvelope("encrypted message but WECHAT_AES_KEY is not set")
        try:
            plain = self._prp.decrypt(encrypt, self._appid)
        except Exception as exc:  # wrong key, padding or appid all mean "not for us"
            raise BadEnvelope(f"cannot decrypt: {type(exc).__name__}") from None
        return Opened(xml=plain if isinstance(plain, str) else plain.decode(), encrypted=True)

    def seal(self, reply_xml: str) -> str:
        """Encrypt a reply the way WeChat expects in safe mode."""
        assert self._crypto is not None
        nonce = str(secrets.randbelow(10**10))
        result: str = self._crypto.encrypt_message(reply_xml, nonce, str(int(time.time())))
        return result


# Characters XML 1.0 forbids; WeChat passes them through from user text and expat rejects them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def strip_illegal(xml: str) -> str:
    return _XML_ILLEGAL.sub("", xml)
