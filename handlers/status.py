"""Status (查询) and urging (催单): only ever the resident's own tickets."""

from __future__ import annotations

import re

from handlers.common import local
from handlers.effects import NotifyStaff, UrgeTicket
from handlers.facts import NeedMyTickets, NeedTicket, TicketFacts
from handlers.types import Context, Incoming, Outcome
from nlu import Analysis, Intent

STATUS_TEXT = {
    "new": "已受理，等待派单",
    "assigned": "已派单",
    "in_progress": "处理中",
    "paused": "暂停处理",
    "reopened": "重新处理中",
    "resolved": "已处理完成，等待您确认",
    "closed": "已完结",
    "cancelled": "已取消",
}
KIND_TEXT = {"repair": "报修", "complaint": "投诉", "consult": "咨询"}
ACTION_TEXT = {
    "created": "提交",
    "assigned": "派单",
    "claimed": "接单",
    "started": "开始处理",
    "resolved": "处理完成",
    "closed": "完结",
    "cancelled": "取消",
    "urged": "催办",
    "reopened": "重新处理",
    "paused": "暂停",
    "resumed": "恢复",
    "replied": "客服回复",
}
URGE = re.compile(
    r"怎么还没|还没(?:人)?来|催一下|催催|快点|等了(?:好)?(?:半天|很久|一天|两天|几天)|什么时候(?:能)?来|到底来不来"
)


def is_urge(text: str) -> bool:
    return bool(URGE.search(text))


def show(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome:
    number = _number(analysis)
    if number is not None:
        return _one(number, ctx)
    need = NeedMyTickets()
    if not ctx.facts.has(need):
        return Outcome(reply=None, needs=(need,))
    mine = [t for t in ctx.facts.my_tickets or () if t.open]
    if not mine:
        return Outcome(
            reply="您目前没有进行中的工单。需要报修、投诉或咨询，直接告诉我就行。",
            intent=Intent.STATUS,
        )
    lines = [f"您有 {len(mine)} 个进行中的工单："]
    lines += [_line(t) for t in mine[:5]]
    lines.append("回复工单号（如 #1024）可查看处理记录。")
    return Outcome(reply="\n".join(lines), intent=Intent.STATUS)


def urge(incoming: Incoming, analysis: Analysis, ctx: Context) -> Outcome | None:
    """Record an urge on the resident's newest open ticket; None when they have none."""
    need = NeedMyTickets()
    if not ctx.facts.has(need):
        return Outcome(reply=None, needs=(need,))
    number = _number(analysis)
    mine = [t for t in ctx.facts.my_tickets or () if t.open]
    target = next((t for t in mine if t.number == number), mine[0] if mine else None)
    if target is None:
        return None
    due = target.response_due_at if target.status == "new" else target.resolve_due_at
    promise = f"，按规定应在 {local(due)} 前处理" if due else ""
    reply = (
        f"已帮您催办工单 #{target.number}（{STATUS_TEXT.get(target.status, target.status)}"
        f"{promise}），我们会尽快跟进。给您添麻烦了。"
    )
    effects = (
        UrgeTicket(target.number, note=incoming.text.strip()[:200]),
        NotifyStaff(
            group="repair" if target.kind == "repair" else "service",
            event="urge",
            text=f"住户催办工单 #{target.number}：{incoming.text.strip()[:60]}",
            ticket=target.number,
        ),
    )
    return Outcome(reply=reply, effects=effects, intent="urge")


def _one(number: int, ctx: Context) -> Outcome:
    need = NeedTicket(number)
    if not ctx.facts.has(need):
        return Outcome(reply=None, needs=(need,))
    ticket = ctx.facts.tickets[number]
    if ticket is None:
        # Not found and not theirs read the same: nobody learns about others' tickets.
        return Outcome(
            reply=f"没有找到您名下的工单 #{number}，请核对一下单号。", intent=Intent.STATUS
        )
    lines = [_line(ticket)]
    for event in ticket.events[-6:]:
        action = ACTION_TEXT.get(event.action, event.action)
        note = f"：{event.note}" if event.note and event.action == "replied" else ""
        lines.append(f"· {local(event.created_at)} {action}{note}")
    return Outcome(reply="\n".join(lines), intent=Intent.STATUS)


def _line(ticket: TicketFacts) -> str:
    kind = KIND_TEXT.get(ticket.kind, ticket.kind)
    state = STATUS_TEXT.get(ticket.status, ticket.status)
    who = f"，{ticket.assignee}负责" if ticket.assignee else ""
    return f"#{ticket.number} {kind}：{ticket.description[:20]}（{state}{who}）"


def _number(analysis: Analysis) -> int | None:
    raw = analysis.slots.get("ticket_no")
    return int(raw) if isinstance(raw, str) and raw.isdigit() else None
