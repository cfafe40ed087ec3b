"""The outbox sender: delivers queued messages to residents (WeChat) and staff (WeCom).

Runs inside `propbot serve` and as `propbot worker`. Each message is leased before it is
sent (see `storage/outbox.py`), retried with exponential backoff, and every attempt's
result is recorded on the row. Delivery is at-least-once: a process killed between WeChat
accepting a message and the row being marked sent would send it again after the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.cards import plain_card, ticket_card
from bot.estate import EstateConfig
from bot.settings import Settings
from bot.wechat_api import ErrorKind, WeChatApi, WeChatApiError
from bot.wecom_robot import GroupRobot, WeComError
from storage.db import Database
from storage.messages import enqueue
from storage.models import Attachment, OutboxMessage, Ticket
from storage.outbox import claim_due, mark_given_up, mark_retry, mark_sent, service_window

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=90)
MAX_BACKOFF = timedelta(minutes=10)
# WeChat allows this many customer-service messages per resident message (48-hour window).
WINDOW_BUDGET = 5


@dataclass(frozen=True, slots=True)
class Delivery:
    status: str  # sent | retry | failed | undeliverable
    error: str = ""


class OutboxSender:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        wechat: WeChatApi | None,
        robot: GroupRobot | None,
        estate: EstateConfig,
        batch: int = 20,
    ) -> None:
        self._db = db
        self._settings = settings
        self._wechat = wechat
        self._robot = robot
        self._estate = estate
        self._batch = batch
        channels = []
        if wechat is not None:
            channels.append("wechat_cs")
        if robot is not None:
            channels.append("wecom_group")
        # Channels without credentials stay queued (visible to `propbot chat`), not failed.
        self.channels = tuple(channels)

    async def run_once(self, now: datetime | None = None) -> int:
        """Send what is due; returns how many messages were attempted."""
        if not self.channels:
            return 0
        now = now or datetime.now(UTC)
        async with self._db.write() as session:
            rows = await claim_due(
                session, now=now, limit=self._batch, lease=LEASE, channels=self.channels
            )
            claimed = [
                (row.id, row.channel, row.recipient, dict(row.payload), row.attempts)
                for row in rows
            ]
        for row_id, channel, recipient, payload, attempts in claimed:
            delivery = await self._deliver(channel, recipient, payload)
            await self._record(row_id, delivery, attempts, payload)
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except Exception:  # a database hiccup must not end the sender
                log.exception("outbox sender pass failed")
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._settings.outbox_poll_seconds)

    async def _deliver(self, channel: str, recipient: str, payload: dict[str, object]) -> Delivery:
        if channel == "wechat_cs":
            return await self._to_resident(recipient, str(payload.get("text", "")))
        return await self._to_group(recipient, payload)

    async def _to_resident(self, openid: str, text: str) -> Delivery:
        assert self._wechat is not None
        async with self._db.read() as session:
            opened, sent = await service_window(session, openid, now=datetime.now(UTC))
        if opened is None:
            return await self._by_template(openid, text, "超过 48 小时未互动")
        if sent >= WINDOW_BUDGET:
            return await self._by_template(openid, text, "本轮客服消息条数已用完")
        try:
            await self._wechat.send_text(openid, text)
        except WeChatApiError as exc:
            if exc.kind in (ErrorKind.WINDOW_CLOSED, ErrorKind.OVER_LIMIT):
                return await self._by_template(openid, text, f"微信拒收 {exc.errcode}")
            status = "retry" if exc.retryable or exc.kind is ErrorKind.TOKEN else "failed"
            return Delivery(status, f"{exc.errcode} {exc.errmsg}")
        return Delivery("sent")

    async def _by_template(self, openid: str, text: str, reason: str) -> Delivery:
        template = self._settings.wechat_template_id
        if not template or self._wechat is None:
            return Delivery("undeliverable", reason)
        field = self._settings.wechat_template_field
        try:
            # Template fields are short (thing: 20 characters); the full text is in the ticket.
            await self._wechat.send_template(openid, template, {field: text[:20]})
        except WeChatApiError as exc:
            status = "retry" if exc.retryable else "undeliverable"
            return Delivery(status, f"{reason}; 模板消息 {exc.errcode} {exc.errmsg}")
        return Delivery("sent")

    async def _to_group(self, group: str, payload: dict[str, object]) -> Delivery:
        assert self._robot is not None
        url = self._estate.webhook_for(group)
        if url is None:
            return Delivery("undeliverable", f"群 {group} 没有配置机器人")
        content = await self._card(payload)
        try:
            await self._robot.send_markdown(url, content)
            number = payload.get("ticket")
            mention = payload.get("mention")
            # Markdown cannot mention anyone; a text message right after the card can.
            if payload.get("event") == "urgent":
                await self._robot.send_text(
                    url, f"紧急工单 #{number}，请值班人员立即处理！", mentioned=["@all"]
                )
            elif isinstance(mention, list) and mention:
                await self._robot.send_text(
                    url,
                    f"工单 #{number}：{payload.get('text', '')}",
                    mentioned=[str(userid) for userid in mention],
                )
        except WeComError as exc:
            return Delivery("retry" if exc.retryable else "failed", f"{exc.errcode} {exc.errmsg}")
        return Delivery("sent")

    async def _card(self, payload: dict[str, object]) -> str:
        event = str(payload.get("event", ""))
        text = str(payload.get("text", ""))
        number = payload.get("ticket")
        if isinstance(number, int):
            async with self._db.read() as session:
                ticket = await session.get(Ticket, number)
                attachments = list(
                    await session.scalars(select(Attachment).where(Attachment.ticket_id == number))
                )
            if ticket is not None:
                return ticket_card(ticket, event=event, note=text, attachments=attachments)
        return plain_card(event, text)

    async def _record(
        self, row_id: int, delivery: Delivery, attempts: int, payload: dict[str, object]
    ) -> None:
        now = datetime.now(UTC)
        async with self._db.write() as session:
            row = await session.get(OutboxMessage, row_id)
            if row is None:
                return
            if delivery.status == "sent":
                mark_sent(row, now=now)
            elif delivery.status == "retry" and attempts < self._settings.outbox_max_attempts:
                delay = min(timedelta(seconds=2**attempts), MAX_BACKOFF)
                mark_retry(row, now=now, error=delivery.error, delay=delay)
            else:
                status = "undeliverable" if delivery.status == "undeliverable" else "failed"
                mark_given_up(row, status=status, error=delivery.error or "重试次数用完")
                if row.channel == "wechat_cs":
                    # 事事有回应: staff learn the resident did not get the message.
                    note = f"住户消息未送达（{row.last_error}）：{payload.get('text', '')}"
                    await enqueue(
                        session,
                        idem_key=f"undeliverable:{row.id}",
                        channel="wecom_group",
                        recipient="service",
                        payload={"event": "undeliverable", "text": note},
                        now=now,
                    )
        if delivery.status != "sent":
            log.warning("outbox %s: %s %s", row_id, delivery.status, delivery.error)
