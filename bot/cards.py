"""What staff see in their group chats: ticket cards in WeCom markdown."""

from __future__ import annotations

from datetime import datetime

from handlers.sla import SHANGHAI
from storage.households import mask_phones
from storage.models import Attachment, Ticket
from storage.ticket_status import STATUS_NAMES

KINDS = {"repair": "报修", "complaint": "投诉", "consult": "咨询"}
EVENTS = {
    "new_ticket": "新工单",
    "urgent": "紧急工单",
    "urge": "住户催办",
    "cancelled": "住户取消",
    "visitor": "访客预约",
    "undeliverable": "消息未送达",
    "assigned": "已派单",
    "resolved": "已完成",
    "reopened": "重新打开",
    "rated": "住户评价",
    "escalated": "超时升级",
    "reminder": "时限提醒",
    "digest": "每日汇总",
}


def _time(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if moment else "—"


def ticket_card(ticket: Ticket, *, event: str, note: str, attachments: list[Attachment]) -> str:
    """A markdown card; the resident's phone number never appears (masked if typed in)."""
    title = EVENTS.get(event, "工单动态")
    urgent = ticket.priority == "urgent"
    head = f"### {title} #{ticket.id}"
    if urgent:
        head = f'### <font color="warning">【紧急】{title} #{ticket.id}</font>'
    lines = [
        head,
        f"> 类型：{KINDS.get(ticket.kind, ticket.kind)}"
        + (f"（{ticket.category}）" if ticket.category else ""),
        f"> 位置：{mask_phones(ticket.location or '待确认')}",
        f"> 描述：{mask_phones(ticket.description)[:300]}",
    ]
    if event not in ("new_ticket", "urgent") and note:
        lines.append(f"> 动态：{mask_phones(note)[:200]}")
    if ticket.preferred_time:
        lines.append(f"> 上门时间：{mask_phones(ticket.preferred_time)}")
    if ticket.repeated:
        lines.append('> <font color="warning">重复投诉</font>')
    for index, attachment in enumerate(attachments[:5], start=1):
        if attachment.url:
            lines.append(f"> [照片{index}]({attachment.url})")
    lines.append(f"> 提交：{_time(ticket.created_at)}  响应时限：{_time(ticket.response_due_at)}")
    lines.append(f"回复 @机器人 接单 {ticket.id}")
    return "\n".join(lines)


def plain_card(event: str, text: str) -> str:
    title = EVENTS.get(event, "通知")
    lines = mask_phones(text)[:1500].splitlines()[:30] or [""]
    return "\n".join([f"### {title}", *(f"> {line}" for line in lines)])


def ticket_line(ticket: Ticket) -> str:
    """One ticket in a listing (待办, 超时, the daily digest)."""
    status = STATUS_NAMES.get(ticket.status, ticket.status)
    return f"#{ticket.id} {status} {mask_phones(ticket.description)[:20]}"
