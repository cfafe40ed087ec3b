"""Phrases several handlers share; residents read these, so they are short and plain."""

from __future__ import annotations

MENU = (
    "我是小区物业的智能客服，可以帮您：\n"
    "1. 报修：直接说哪里出了问题，如“厨房水管漏水”\n"
    "2. 投诉建议：说说发生了什么\n"
    "3. 咨询：物业费、门禁卡、停车、装修等\n"
    "4. 访客登记\n"
    "5. 查询工单进度\n"
    "遇到燃气泄漏、困梯、大量漏水等紧急情况，请直接发消息，我们会马上处理。"
)

WELCOME = "您好，欢迎关注！" + MENU

NOT_UNDERSTOOD = "抱歉，我没太明白您的意思。" + MENU

CANCELLED = "好的，已取消。还有其他需要随时找我。"

VOICE_UNHEARD = "抱歉，这条语音我没能听清，麻烦您用文字再说一下。"

# Appended when the NLU is unsure a message is an emergency (`Analysis.urgent_doubt`).
URGENT_DOUBT = (
    "如果现在有危险（燃气味、冒烟起火、水漫出来、有人受伤或被困），请直接回复“紧急”，我们马上派人。"
)
