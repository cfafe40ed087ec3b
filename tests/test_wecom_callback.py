"""WeCom callback crypto and parsing: Tencent's own vector, the smart robot's JSON, forgeries."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.wecom_callback import (
    StaffMessage,
    WeComBadRequest,
    WeComCrypto,
    WeComForbidden,
    parse_app_message,
    parse_robot_message,
    strip_mentions,
)
from tests.conftest import SAMPLES

WECOM = SAMPLES / "wecom"
# From official_vector_README.txt (Tencent's WXBizMsgCrypt sample).
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wx5823bf96d3bd56c7"
ECHOSTR = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
GET_QUERY = ("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780")
POST_QUERY = ("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149")


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


@pytest.fixture
def app_crypto() -> WeComCrypto:
    return WeComCrypto(TOKEN, AES_KEY, CORP_ID)


@pytest.fixture
def robot_crypto() -> WeComCrypto:
    return WeComCrypto(TOKEN, AES_KEY, "")


def robot_sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((WECOM / "smart_robot_text_group.json").read_text())
    return data


def sealed(crypto: WeComCrypto, payload: dict[str, Any]) -> tuple[bytes, tuple[str, str, str]]:
    """A smart-robot callback as WeCom would POST it: body and (msg_signature, ts, nonce)."""
    reply = crypto.encrypt_json(payload, nonce="1372623149", timestamp="1409659813")
    body = json.dumps({"encrypt": reply["encrypt"]}).encode()
    return body, (reply["msgsignature"], str(reply["timestamp"]), reply["nonce"])


# -- Tencent's official vector (self-built app) ----------------------------------------------


def test_official_url_verification(app_crypto: WeComCrypto) -> None:
    assert app_crypto.verify_url(*GET_QUERY, ECHOSTR) == "1616140317555161061"


def test_url_verification_survives_plus_decoded_as_space(app_crypto: WeComCrypto) -> None:
    # Tencent sends the echostr's '+' unescaped; form-style query parsing turns it into ' '.
    assert app_crypto.verify_url(*GET_QUERY, ECHOSTR.replace("+", " ")) == "1616140317555161061"


def test_official_message_push(app_crypto: WeComCrypto) -> None:
    body = (WECOM / "official_vector_encrypted.xml").read_text(encoding="utf-8")
    xml = app_crypto.decrypt_xml(body, *POST_QUERY)
    assert xml == (WECOM / "official_vector_decrypted.xml").read_text(encoding="utf-8").strip()
    assert parse_app_message(xml) == StaffMessage(
        userid="mycreate",
        chatid=None,
        chattype="single",
        text="hello",
        response_url=None,
        msgid="4561255354251345929",
    )


def test_the_official_push_is_not_for_another_corp() -> None:
    body = (WECOM / "official_vector_encrypted.xml").read_text(encoding="utf-8")
    with pytest.raises(WeComBadRequest):
        WeComCrypto(TOKEN, AES_KEY, "wwsomeothercorp").decrypt_xml(body, *POST_QUERY)


# -- smart robot -----------------------------------------------------------------------------


def test_smart_robot_round_trip(robot_crypto: WeComCrypto) -> None:
    payload = robot_sample()
    body, query = sealed(robot_crypto, payload)
    data = robot_crypto.decrypt_json(body, *query)
    assert data == payload
    assert parse_robot_message(data) == StaffMessage(
        userid="USERID",
        chatid="CHATID",
        chattype="group",
        text="hello robot",
        response_url="RESPONSEURL",
        msgid="CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=",
    )


def test_passive_reply_shape(robot_crypto: WeComCrypto) -> None:
    answer = {"msgtype": "markdown", "markdown": {"content": "工单 #1001 已派给张师傅"}}
    reply = robot_crypto.encrypt_json(answer, nonce="n0nce", timestamp=1409659813)
    assert set(reply) == {"encrypt", "msgsignature", "timestamp", "nonce"}
    assert reply["timestamp"] == 1409659813 and reply["nonce"] == "n0nce"
    assert reply["msgsignature"] == sign(TOKEN, "1409659813", "n0nce", reply["encrypt"])
    body = json.dumps({"encrypt": reply["encrypt"]}).encode()
    assert robot_crypto.decrypt_json(body, reply["msgsignature"], "1409659813", "n0nce") == answer


def test_the_robot_and_the_app_do_not_open_each_others_messages(
    robot_crypto: WeComCrypto, app_crypto: WeComCrypto
) -> None:
    body, query = sealed(app_crypto, robot_sample())
    with pytest.raises(WeComBadRequest):
        robot_crypto.decrypt_json(body, *query)


# -- forgeries and garbage -------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    ["", "0" * 40, "水" * 40, POST_QUERY[0], "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd"],
)
def test_forged_signatures_are_refused(robot_crypto: WeComCrypto, signature: str) -> None:
    body, (_, timestamp, nonce) = sealed(robot_crypto, robot_sample())
    with pytest.raises(WeComForbidden):
        robot_crypto.decrypt_json(body, signature, timestamp, nonce)


def test_signature_binds_timestamp_nonce_and_token(robot_crypto: WeComCrypto) -> None:
    body, (signature, timestamp, nonce) = sealed(robot_crypto, robot_sample())
    with pytest.raises(WeComForbidden):
        robot_crypto.decrypt_json(body, signature, str(int(timestamp) + 1), nonce)
    with pytest.raises(WeComForbidden):
        robot_crypto.decrypt_json(body, signature, timestamp, nonce + "1")
    with pytest.raises(WeComForbidden):
        WeComCrypto("other-token", AES_KEY, "").decrypt_json(body, signature, timestamp, nonce)
    with pytest.raises(WeComForbidden):
        WeComCrypto(TOKEN, AES_KEY, CORP_ID).verify_url("0" * 40, *GET_QUERY[1:], ECHOSTR)


def test_signature_case_does_not_matter(robot_crypto: WeComCrypto) -> None:
    body, (signature, timestamp, nonce) = sealed(robot_crypto, robot_sample())
    assert robot_crypto.decrypt_json(body, signature.upper(), timestamp, nonce)


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"\xff\xfe", b"[]", b"{}", b'{"encrypt": 5}', b'{"encrypt": ""}'],
)
def test_garbage_json_bodies(robot_crypto: WeComCrypto, body: bytes) -> None:
    with pytest.raises(WeComBadRequest):
        robot_crypto.decrypt_json(body, "0" * 40, "1", "2")


def _random_blocks(size: int) -> str:
    return base64.b64encode(secrets.token_bytes(size)).decode()


@pytest.mark.parametrize(
    "encrypt",
    [
        "not base64!",
        base64.b64encode(b"short").decode(),  # not whole AES blocks
        _random_blocks(64),  # whole blocks, wrong padding/length/receive id
        _random_blocks(32),
    ],
)
def test_correctly_signed_garbage_ciphertext(robot_crypto: WeComCrypto, encrypt: str) -> None:
    # Only someone with the token can sign, but their garbage must still fail cleanly.
    body = json.dumps({"encrypt": encrypt}).encode()
    with pytest.raises(WeComBadRequest):
        robot_crypto.decrypt_json(body, sign(TOKEN, "1", "2", encrypt), "1", "2")


def seal_raw(message: bytes, receive_id: bytes = b"") -> str:
    """Tencent's envelope written out independently: random, length, message, receive id."""
    key = base64.b64decode(AES_KEY + "=")
    plain = secrets.token_bytes(16) + len(message).to_bytes(4, "big") + message + receive_id
    pad = 32 - len(plain) % 32
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(
        encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()
    ).decode()


def test_an_independently_sealed_message_opens(robot_crypto: WeComCrypto) -> None:
    encrypt = seal_raw(json.dumps(robot_sample()).encode())
    body = json.dumps({"encrypt": encrypt}).encode()
    assert (
        robot_crypto.decrypt_json(body, sign(TOKEN, "1", "2", encrypt), "1", "2") == robot_sample()
    )


@pytest.mark.parametrize(
    ("message", "reason"),
    [(b"[1, 2]", "object"), (b"hello", "not JSON"), (b"\xff\xfe", "UTF-8")],
)
def test_correctly_signed_message_that_is_not_a_json_object(
    robot_crypto: WeComCrypto, message: bytes, reason: str
) -> None:
    encrypt = seal_raw(message)
    body = json.dumps({"encrypt": encrypt}).encode()
    with pytest.raises(WeComBadRequest, match=reason):
        robot_crypto.decrypt_json(body, sign(TOKEN, "1", "2", encrypt), "1", "2")


@pytest.mark.parametrize(
    "body",
    [
        "",
        "not xml",
        "<xml></xml>",
        "<xml><Encrypt></Encrypt></xml>",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<xml><Encrypt>&e;</Encrypt></xml>",
    ],
)
def test_garbage_xml_bodies(app_crypto: WeComCrypto, body: str) -> None:
    with pytest.raises(WeComBadRequest):
        app_crypto.decrypt_xml(body, *POST_QUERY)


def test_a_bad_aes_key_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="43"):
        WeComCrypto(TOKEN, AES_KEY[:-1], "")
    with pytest.raises(ValueError, match="43"):
        WeComCrypto(TOKEN, "!" * 43, "")


def test_repr_shows_no_secret(app_crypto: WeComCrypto) -> None:
    assert TOKEN not in repr(app_crypto) and AES_KEY not in repr(app_crypto)


# -- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "text"),
    [
        ("@RobotA hello robot", "hello robot"),
        ("@物业助手\u20053号楼电梯修好了", "3号楼电梯修好了"),
        ("@物业助手 @张三  #1001 已完成 ", "#1001 已完成"),
        ("@物业助手", ""),
        ("请 @物业助手 看一下", "请 @物业助手 看一下"),
        ("#1001 接单", "#1001 接单"),
    ],
)
def test_leading_mentions_are_stripped(content: str, text: str) -> None:
    assert strip_mentions(content) == text
    data = robot_sample() | {"text": {"content": content}}
    message = parse_robot_message(data)
    assert message is not None and message.text == text


def test_a_one_to_one_robot_chat_has_no_chatid() -> None:
    data = robot_sample() | {"chattype": "single"}
    del data["chatid"]
    message = parse_robot_message(data)
    assert message is not None and message.chatid is None and message.chattype == "single"


@pytest.mark.parametrize(
    "change",
    [
        {"msgtype": "image", "image": {"url": "https://x"}},
        {"msgtype": "event"},
        {"from": {}},
        {"from": "USERID"},
        {"text": "hello"},
        {"text": {"content": 5}},
        {"msgid": None},
    ],
)
def test_other_robot_messages_are_not_staff_text(change: dict[str, Any]) -> None:
    assert parse_robot_message(robot_sample() | change) is None


def test_app_events_and_other_kinds_are_not_staff_text() -> None:
    event = (
        "<xml><ToUserName>wx5823bf96d3bd56c7</ToUserName><FromUserName>mycreate</FromUserName>"
        "<MsgType>event</MsgType><Event>enter_agent</Event><AgentID>218</AgentID></xml>"
    )
    assert parse_app_message(event) is None
    assert parse_app_message("<xml><MsgType>text</MsgType><Content>hi</Content></xml>") is None
    with pytest.raises(WeComBadRequest):
        parse_app_message("not xml")


def test_app_text_with_control_characters_still_parses() -> None:
    xml = (
        "<xml><FromUserName><![CDATA[lisi]]></FromUserName><MsgType>text</MsgType>"
        "<Content><![CDATA[  3号楼\x08漏水 ]]></Content><MsgId>42</MsgId></xml>"
    )
    message = parse_app_message(xml)
    assert message is not None and (message.userid, message.text) == ("lisi", "3号楼漏水")
