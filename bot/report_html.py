"""The month's figures as one self-contained HTML page for the notice board (信息公示).

Everything is inside the file (CSS inline, charts as base64 PNG), so it can be mailed,
printed or put on a screen without a network. Only public figures go on it: the per-staff
table and residents' comments stay in the internal text/JSON output.
"""

from __future__ import annotations

import base64
from datetime import date, timedelta
from html import escape
from pathlib import Path

from bot.report_charts import CATEGORY_LABELS, KIND_LABELS, Chart, find_cjk_font, make_charts
from storage.report import Report
from storage.ticket_status import STATUS_NAMES

CAPTIONS = {
    "kinds": "各类诉求件数",
    "categories": "按类别统计",
    "daily": "每日受理量",
    "times": "首次响应与办结用时（中位数、90% 分位）",
    "on_time": "时限达标率",
    "ratings": "满意度评分分布（1-5 分）",
}

_CSS = """
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei",
  sans-serif; color: #222; margin: 0 auto; max-width: 920px; padding: 24px; line-height: 1.5; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.15em; border-bottom: 2px solid #3b6ea5; padding-bottom: 2px; margin-top: 28px; }
.period { color: #555; margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; }
.card { border: 1px solid #ccd; border-radius: 6px; padding: 8px 12px; }
.card .label { color: #555; font-size: 0.9em; }
.card .value { font-size: 1.5em; font-weight: bold; }
.card .note { color: #666; font-size: 0.85em; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid #ccd; padding: 4px 8px; text-align: left; }
th { background: #eef2f7; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; }
figure { margin: 0; break-inside: avoid; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; text-align: center; }
footer { color: #666; font-size: 0.85em; margin-top: 28px; border-top: 1px solid #ccd; }
section { break-inside: avoid; }
@media print {
  body { padding: 0; max-width: none; }
  .charts { grid-template-columns: 1fr 1fr; }
  h2 { break-after: avoid; }
}
@page { size: A4; margin: 15mm; }
"""


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def num(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:g} {unit}"


def kind_name(code: str) -> str:
    return KIND_LABELS.get(code, (code, code))[0]


def category_name(code: str) -> str:
    return CATEGORY_LABELS.get(code, (code, code))[0]


def period_label(report: Report) -> str:
    first, last = report.start.date(), (report.end - timedelta(microseconds=1)).date()
    if first.day == 1 and (last + timedelta(days=1)).day == 1 and first.month == last.month:
        return f"{first.year} 年 {first.month} 月"
    return f"{first.isoformat()} 至 {last.isoformat()}"


def render_html(
    report: Report,
    *,
    title: str = "物业服务情况公示",
    generated: date | None = None,
    chinese_charts: bool | None = None,
) -> str:
    """The page. `chinese_charts`: None finds a CJK font, False forces English chart labels."""
    font = find_cjk_font() if chinese_charts is not False else None
    charts = make_charts(report, font)
    period = period_label(report)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)} {escape(period)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="period">统计期间：{escape(period)}'
        + (f"　·　生成日期：{generated.isoformat()}" if generated else "")
        + "</p>",
        _headline(report),
        _kind_table(report),
        _category_table(report),
        _repeated(report),
        _places(report),
        _charts(charts),
        "<footer><p>说明：响应、办结用时从业主提交诉求起计算；按时率只统计已办结或已超时的诉求；"
        "满意率为 4-5 分评价所占比例，评价率为已办结诉求中业主给出评价的比例。"
        "本页不含业主姓名、房号和电话。</p></footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def write_html(
    report: Report, path: Path, *, generated: date | None = None, chinese_charts: bool | None = None
) -> None:
    """Render and write the page (UTF-8); CPU-bound, so callers run it off the event loop."""
    page = render_html(report, generated=generated, chinese_charts=chinese_charts)
    path.write_text(page, encoding="utf-8")


def _card(label: str, value: str, note: str = "") -> str:
    note_html = f'<div class="note">{escape(note)}</div>' if note else ""
    return (
        f'<div class="card"><div class="label">{escape(label)}</div>'
        f'<div class="value">{escape(value)}</div>{note_html}</div>'
    )


def _headline(report: Report) -> str:
    response, resolution = report.response_minutes, report.resolution_hours
    kinds = "，".join(f"{kind_name(k)} {n}" for k, n in report.by_kind.items())
    cards = [
        _card("受理诉求", f"{report.total} 件", kinds or "本期无诉求"),
        _card("完成率", pct(report.completion_rate)),
        _card("满意率（4-5 分）", pct(report.satisfaction_rate)),
        _card("评价率", pct(report.rating_response_rate)),
        _card(
            "首次响应（中位）",
            num(response.get("median"), "分钟"),
            f"90% 在 {num(response.get('p90'), '分钟')}内",
        ),
        _card(
            "办结用时（中位）",
            num(resolution.get("median"), "小时"),
            f"90% 在 {num(resolution.get('p90'), '小时')}内",
        ),
        _card("响应按时率", pct(report.response_on_time)),
        _card("到场按时率", pct(report.arrival_on_time)),
        _card("办结按时率", pct(report.resolution_on_time)),
        _card("紧急诉求", f"{report.urgent} 件"),
        _card("重复投诉", f"{report.repeated_complaints} 件"),
    ]
    return '<section><h2>主要指标</h2><div class="cards">' + "".join(cards) + "</div></section>"


def _table(headers: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(cell)}</td>'
            if i >= numeric_from
            else f"<td>{escape(cell)}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _kind_table(report: Report) -> str:
    if not report.by_kind:
        return "<section><h2>分类型情况</h2><p>本期无诉求。</p></section>"
    rows = []
    for kind, count in report.by_kind.items():
        response = report.response_minutes_by_kind.get(kind, {})
        resolution = report.resolution_hours_by_kind.get(kind, {})
        on_time = report.on_time_by_kind.get(kind, {})
        rows.append(
            [
                kind_name(kind),
                str(count),
                f"{num(response.get('median'), '分钟')} / {num(response.get('p90'), '分钟')}",
                f"{num(resolution.get('median'), '小时')} / {num(resolution.get('p90'), '小时')}",
                pct(on_time.get("respond")),
                pct(on_time.get("arrive")),
                pct(on_time.get("resolve")),
            ]
        )
    headers = [
        "类型",
        "件数",
        "响应 中位/90%",
        "办结 中位/90%",
        "响应按时率",
        "到场按时率",
        "办结按时率",
    ]
    return "<section><h2>分类型情况</h2>" + _table(headers, rows) + "</section>"


def _category_table(report: Report) -> str:
    if not report.by_category:
        return ""
    rows = [[category_name(code), str(count)] for code, count in report.by_category.items()]
    return "<section><h2>按类别</h2>" + _table(["类别", "件数"], rows) + "</section>"


def _repeated(report: Report) -> str:
    if not report.repeated_complaints:
        return "<section><h2>重复投诉</h2><p>本期无重复投诉。</p></section>"
    rows = [[STATUS_NAMES.get(s, s), str(n)] for s, n in report.repeated_by_status.items()]
    intro = f"<p>本期重复投诉 {report.repeated_complaints} 件，处理情况如下：</p>"
    return "<section><h2>重复投诉</h2>" + intro + _table(["处理状态", "件数"], rows) + "</section>"


def _places(report: Report) -> str:
    if not report.top_places:
        return ""
    rows = [[place, str(count)] for place, count in report.top_places]
    return "<section><h2>诉求较多的公共区域</h2>" + _table(["区域", "件数"], rows) + "</section>"


def _charts(charts: list[Chart]) -> str:
    figures = []
    for chart in charts:
        caption = escape(CAPTIONS.get(chart.key, chart.key))
        data = base64.b64encode(chart.png).decode("ascii")
        figures.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{caption}">'
            f"<figcaption>{caption}</figcaption></figure>"
        )
    if not figures:
        return ""
    return '<section><h2>图表</h2><div class="charts">' + "".join(figures) + "</div></section>"
