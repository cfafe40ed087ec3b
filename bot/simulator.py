"""Build WeChat callback requests exactly as WeChat does: signed, and encrypted in safe mode.

`propbot chat` and the tests both use this, so what they send is what WeChat would send.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import xmltodict
from wechatpy.crypto import WeChatCrypto

from bot.wechat_crypto import sign

ACCOUNT_ID = "gh_propbot_demo"


@dataclass(frozen=True, slots=True)
class SignedRequest:
    query: dict[str, str]
    body: str


class RequestFactory:
    def __init__(self, *, token: str, aes_key: str = "", appid: str = "wxpropbotdemo") -> None:
        self.token = token
        self.appid = appid
        self._crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None
        self._next_msg_id = secrets.randbelow(10**15) + 10**16

    @property
    def encrypted(self) -> bool:
        return self._crypto is not None

    def message_xml(
        self,
        openid: str,
        msg_type: str,
        fields: dict[str, Any],
        *,
        create_time: int | None = None,
        msg_id: int | None = None,
    ) -> str:
        created = int(time.time()) if create_time is None else create_time
        parts = [
            f"<ToUserName><![CDATA[{ACCOUNT_ID}]]></ToUserName>",
            f"<FromUserName><![CDATA[{escape(openid)}]]></FromUserName>",
            f"<CreateTime>{created}</CreateTime>",
            f"<MsgType><![CDATA[{msg_type}]]></MsgType>",
        ]
        for name, value in fields.items():
            parts.append(f"<{name}>{_cdata(str(value))}</{name}>")
        if msg_type != "event":
            if msg_id is None:
                msg_id = self._next_msg_id
                self._next_msg_id += 1
            parts.append(f"<MsgId>{msg_id}</MsgId>")
        return "<xml>" + "".join(parts) + "</xml>"

    def text(self, openid: str, content: str, **kwargs: Any) -> str:
        return self.message_xml(openid, "text", {"Content": content}, **kwargs)

    def event(self, openid: str, event: str, key: str | None = None, **kwargs: Any) -> str:
        fields = {"Event": event}
        if key is not None:
            fields["EventKey"] = key
        return self.message_xml(openid, "event", fields, **kwargs)

    def wrap(
        self, xml: str, *, timestamp: int | None = None, nonce: str | None = None
    ) -> SignedRequest:
        """Sign (and in safe mode encrypt) a message body as WeChat's servers do."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or str(secrets.randbelow(10**9))
        query = {
            "signature": sign(self.token, stamp, nonce),
            "timestamp": stamp,
            "nonce": nonce,
            "openid": _openid_of(xml),
        }
        if self._crypto is None:
            return SignedRequest(query=query, body=xml)
        envelope = self._crypto.encrypt_message(xml, nonce, stamp)
        encrypt = xmltodict.parse(envelope)["xml"]["Encrypt"]
        body = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT_ID}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        )
        query["encrypt_type"] = "aes"
        query["msg_signature"] = sign(self.token, stamp, nonce, encrypt)
        return SignedRequest(query=query, body=body)

    def read_reply(self, body: str, query: dict[str, str]) -> str | None:
        """The text of a passive reply (decrypted in safe mode); None for `success`/empty."""
        if not body or body == "success":
            return None
        if self._crypto is not None:
            fields = xmltodict.parse(body)["xml"]
            body = self._crypto.decrypt_message(
                body, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
            )
        content = xmltodict.parse(body)["xml"].get("Content")
        return str(content) if content is not None else None


def _cdata(value: str) -> str:
    # "]]>" inside text would end the section early; split it across two sections.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _openid_of(xml: str) -> str:
    start = xml.find("<FromUserName><![CDATA[")
    if start < 0:
        return ""
    start += len("<FromUserName><![CDATA[")
    return xml[start : xml.find("]]>", start)]
