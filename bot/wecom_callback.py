"""WeCom callbacks: the smart robot (group @mentions, encrypted JSON) and the self-built app
(1:1 messages, encrypted XML). Pure crypto and parsing; the aiohttp routes live elsewhere.

Both use Tencent's WXBizMsgCrypt scheme: AES-256-CBC with the EncodingAESKey (IV = first 16
key bytes), plaintext = 16 random bytes + 4-byte big-endian length + message + receive id,
PKCS#7 padded to 32 bytes; `msg_signature = sha1(sorted(token, timestamp, nonce, ciphertext))`.
The receive id is the corp id for the app and "" for the smart robot.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

import xmltodict
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.wechat_crypto import strip_illegal

_BLOCK = 32  # WeCom pads to 32 bytes, not AES's 16
_RANDOM = 16
# WeCom puts a mention's name, then a space (often U+2005, which `\s` covers), before the text.
_LEADING_MENTIONS = re.compile(r"^\s*(?:@\S+(?:\s+|$))+")


class WeComForbidden(Exception):
    """The signature does not match: not from WeCom (or the wrong token). Answer 403."""


class WeComBadRequest(Exception):
    """A body we cannot open or read: not JSON/XML, no ciphertext, wrong key or receive id."""


def _sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 (WeCom's scheme)


class WeComCrypto:
    """Signature check and AES envelope for one token, EncodingAESKey and receive id."""

    def __init__(self, token: str, aes_key: str, receive_id: str) -> None:
        try:
            key = base64.b64decode(aes_key + "=", validate=True)
        except binascii.Error:
            key = b""
        if len(aes_key) != 43 or len(key) != 32:
            raise ValueError("EncodingAESKey must be 43 base64 characters")
        self._token = token
        self._key = key
        self._receive_id = receive_id.encode()

    def __repr__(self) -> str:
        # Never show the token or key, whatever gets printed.
        return f"WeComCrypto(receive_id={self._receive_id.decode()!r})"

    # -- public API -------------------------------------------------------------------------

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """The plaintext to answer WeCom's `GET` URL check with."""
        # Base64 has no spaces: a space here is a '+' that query parsing decoded as one
        # (Tencent's own sample URL sends the echostr's '+' unescaped).
        echostr = echostr.replace(" ", "+")
        self._check(msg_signature, timestamp, nonce, echostr)
        return self._decrypt(echostr)

    def decrypt_json(
        self, body: bytes, msg_signature: str, timestamp: str, nonce: str
    ) -> dict[str, Any]:
        """Open a smart-robot callback body `{"encrypt": "..."}` into its JSON message."""
        try:
            envelope = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise WeComBadRequest("body is not JSON") from None
        encrypt = envelope.get("encrypt") if isinstance(envelope, dict) else None
        if not isinstance(encrypt, str) or not encrypt:
            raise WeComBadRequest("no encrypt field")
        self._check(msg_signature, timestamp, nonce, encrypt)
        try:
            message = json.loads(self._decrypt(encrypt))
        except ValueError:
            raise WeComBadRequest("decrypted message is not JSON") from None
        if not isinstance(message, dict):
            raise WeComBadRequest("decrypted message is not a JSON object")
        return message

    def decrypt_xml(self, body: str, msg_signature: str, timestamp: str, nonce: str) -> str:
        """Open a self-built app callback envelope (`<xml><Encrypt>...`) into message XML."""
        try:
            # xmltodict refuses entity declarations, so XXE and billion-laughs bodies fail here.
            fields = xmltodict.parse(strip_illegal(body)).get("xml")
        except Exception:  # expat and xmltodict raise several unrelated types
            raise WeComBadRequest("body is not XML") from None
        encrypt = fields.get("Encrypt") if isinstance(fields, dict) else None
        if not isinstance(encrypt, str) or not encrypt:
            raise WeComBadRequest("no Encrypt element")
        self._check(msg_signature, timestamp, nonce, encrypt)
        return self._decrypt(encrypt)

    def encrypt_json(
        self, payload: dict[str, Any], nonce: str, timestamp: str | int
    ) -> dict[str, Any]:
        """A passive smart-robot reply: the payload encrypted and signed."""
        plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        encrypt = self._encrypt(plain)
        return {
            "encrypt": encrypt,
            "msgsignature": _sign(self._token, str(timestamp), nonce, encrypt),
            # Tencent's reply format has the timestamp as a number.
            "timestamp": int(timestamp),
            "nonce": nonce,
        }

    # -- internals --------------------------------------------------------------------------

    def _check(self, given: str, timestamp: str, nonce: str, encrypt: str) -> None:
        expected = _sign(self._token, timestamp, nonce, encrypt)
        # Bytes, not str: compare_digest raises TypeError on non-ASCII str input.
        if not given or not hmac.compare_digest(expected.encode(), given.lower().encode()):
            raise WeComForbidden("signature mismatch")

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def _encrypt(self, text: str) -> str:
        message = text.encode()
        plain = secrets.token_bytes(_RANDOM) + len(message).to_bytes(4, "big")
        plain += message + self._receive_id
        pad = _BLOCK - len(plain) % _BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def _decrypt(self, encrypt: str) -> str:
        try:
            data = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError):
            raise WeComBadRequest("ciphertext is not base64") from None
        if not data or len(data) % 16:
            raise WeComBadRequest("ciphertext has a wrong length")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        # The signature was checked first, so these checks are no padding oracle; a wrong key
        # or a body for another corp fails one of them.
        pad = plain[-1]
        if not 1 <= pad <= _BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise WeComBadRequest("bad padding")
        body = plain[_RANDOM:-pad]
        size = int.from_bytes(body[:4], "big") if len(body) >= 4 else -1
        if size < 0 or 4 + size > len(body):
            raise WeComBadRequest("bad message length")
        if not hmac.compare_digest(body[4 + size :], self._receive_id):
            raise WeComBadRequest("message is for another receive id")
        try:
            return body[4 : 4 + size].decode()
        except UnicodeDecodeError:
            raise WeComBadRequest("message is not UTF-8") from None


@dataclass(frozen=True)
class StaffMessage:
    """A text a staff member sent us, from a group @mention or a 1:1 app chat."""

    userid: str
    chatid: str | None
    chattype: str  # "group" or "single"
    text: str
    response_url: str | None
    msgid: str


def strip_mentions(content: str) -> str:
    """'@物业助手 @张三 3号楼电梯修好了' -> '3号楼电梯修好了'."""
    return _LEADING_MENTIONS.sub("", content).strip()


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_robot_message(data: dict[str, Any]) -> StaffMessage | None:
    """A smart-robot text message; None for other kinds (images, events) or unknown shapes."""
    sender, text = data.get("from"), data.get("text")
    if data.get("msgtype") != "text" or not isinstance(sender, dict) or not isinstance(text, dict):
        return None
    userid, msgid = _str(sender.get("userid")), _str(data.get("msgid"))
    content = text.get("content")
    if userid is None or msgid is None or not isinstance(content, str):
        return None
    return StaffMessage(
        userid=userid,
        chatid=_str(data.get("chatid")),
        chattype=_str(data.get("chattype")) or "single",
        text=strip_mentions(content),
        response_url=_str(data.get("response_url")),
        msgid=msgid,
    )


def parse_app_message(xml: str) -> StaffMessage | None:
    """A self-built app text message (1:1 with a staff member); None for events and other kinds.

    Raises WeComBadRequest when `xml` is not XML at all.
    """
    try:
        fields = xmltodict.parse(strip_illegal(xml)).get("xml")
    except Exception:  # expat and xmltodict raise several unrelated types
        raise WeComBadRequest("message is not XML") from None
    if not isinstance(fields, dict) or fields.get("MsgType") != "text":
        return None
    userid, msgid = _str(fields.get("FromUserName")), _str(fields.get("MsgId"))
    content = fields.get("Content")
    if userid is None or msgid is None:
        return None
    return StaffMessage(
        userid=userid,
        chatid=None,
        chattype="single",
        text=content.strip() if isinstance(content, str) else "",
        response_url=None,
        msgid=msgid,
    )
