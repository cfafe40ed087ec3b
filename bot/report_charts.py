"""Charts of the month's figures, as PNG bytes for the notice-board page.

Drawn with matplotlib's Agg renderer on Figure objects (no pyplot, so no global figure
state and no GUI backend). Chinese labels need a CJK font that a server may not have:
without one, the images carry English labels and the page around them stays Chinese.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage.report import Report

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

# (Chinese, English) for every word drawn inside an image.
KIND_LABELS = {
    "repair": ("报修", "Repair"),
    "complaint": ("投诉", "Complaint"),
    "consult": ("咨询", "Enquiry"),
}
CATEGORY_LABELS = {
    "water": ("给水", "Water"),
    "drain": ("排水", "Drain"),
    "electric": ("电路", "Electric"),
    "gas": ("燃气", "Gas"),
    "door_window": ("门窗", "Door/window"),
    "lift": ("电梯", "Lift"),
    "network": ("网络", "Network"),
    "wall_ceiling": ("墙面吊顶", "Wall/ceiling"),
    "heating": ("供暖", "Heating"),
    "public_facility": ("公共设施", "Public facility"),
    "other": ("其他", "Other"),
}
# Families known to cover simplified Chinese, best first (Linux servers, then desktops).
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
)
# Font files by name, for a font installed after matplotlib cached its font list.
_CJK_FILES = ("notosanscjk", "notosanssc", "sourcehansans", "wqy", "droidsansfallback")
_BLUE, _ORANGE, _GREEN, _GREY = "#3b6ea5", "#e08a3c", "#4a9a5b", "#9aa5b1"


@dataclass(frozen=True)
class Chart:
    key: str
    png: bytes


@functools.cache
def find_cjk_font() -> str | None:
    """The family name of an installed font that can draw Chinese, or None."""
    from matplotlib import font_manager

    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    for path in font_manager.findSystemFonts():
        flat = path.lower().replace("-", "").replace("_", "")
        if any(name in flat for name in _CJK_FILES):
            try:
                font_manager.fontManager.addfont(path)
                name: str = font_manager.FontProperties(fname=path).get_name()
            except (OSError, RuntimeError, ValueError):
                continue  # unreadable or a format this FreeType cannot open: try the next
            return name
    return None


class _Words:
    """Picks the Chinese or the English word, and keeps English images ASCII-only."""

    def __init__(self, chinese: bool) -> None:
        self.chinese = chinese

    def __call__(self, zh: str, en: str) -> str:
        return zh if self.chinese else en

    def of(self, table: dict[str, tuple[str, str]], code: str) -> str:
        zh, en = table.get(code, (code, code))
        # A code outside the table may be Chinese; without a CJK font it would draw as
        # boxes (and make matplotlib warn), so non-ASCII letters become "?".
        return zh if self.chinese else en.encode("ascii", "replace").decode()


def make_charts(report: Report, font: str | None) -> list[Chart]:
    """Every chart that has data to show; Chinese labels when `font` is a CJK family."""
    words = _Words(font is not None)
    charts: list[Chart] = []
    with _style(font):
        if report.by_kind:
            charts.append(Chart("kinds", _kinds(report, words)))
        if report.by_category:
            charts.append(Chart("categories", _categories(report, words)))
        if report.daily:
            charts.append(Chart("daily", _daily(report, words)))
        if report.response_minutes_by_kind or report.resolution_hours_by_kind:
            charts.append(Chart("times", _times(report, words)))
        if any(v is not None for rates in report.on_time_by_kind.values() for v in rates.values()):
            charts.append(Chart("on_time", _on_time(report, words)))
        if any(report.rating_counts.values()):
            charts.append(Chart("ratings", _ratings(report, words)))
    return charts


@contextmanager
def _style(font: str | None) -> Iterator[None]:
    import matplotlib

    # DejaVu Sans (shipped with matplotlib) after the CJK font covers any glyph it lacks.
    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    with matplotlib.rc_context(
        {
            "font.family": "sans-serif",
            "font.sans-serif": families,
            "axes.unicode_minus": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
        }
    ):
        yield


def _figure(width: float = 6.4, height: float = 3.2) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _counts() -> MaxNLocator:
    """Ticks for counts: whole numbers only."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return buffer.getvalue()


def _kinds(report: Report, words: _Words) -> bytes:
    figure = _figure(5.0, 3.0)
    axes = figure.add_subplot()
    bars = axes.bar(
        [words.of(KIND_LABELS, k) for k in report.by_kind],
        list(report.by_kind.values()),
        color=_BLUE,
    )
    axes.bar_label(bars, padding=2)
    axes.margins(y=0.12)
    axes.set_title(words("各类诉求件数", "Requests by kind"))
    axes.set_ylabel(words("件", "requests"))
    axes.yaxis.set_major_locator(_counts())
    return _png(figure)


def _categories(report: Report, words: _Words) -> bytes:
    items = list(report.by_category.items())[::-1]  # largest on top
    figure = _figure(6.4, 0.8 + 0.32 * len(items))
    axes = figure.add_subplot()
    bars = axes.barh(
        [words.of(CATEGORY_LABELS, k) for k, _ in items], [n for _, n in items], color=_BLUE
    )
    axes.bar_label(bars, padding=2)
    axes.margins(x=0.1)
    axes.set_title(words("按类别", "Requests by category"))
    axes.xaxis.set_major_locator(_counts())
    return _png(figure)


def _daily(report: Report, words: _Words) -> bytes:
    figure = _figure(6.4, 2.8)
    axes = figure.add_subplot()
    days = list(report.daily)
    axes.plot(range(len(days)), list(report.daily.values()), marker="o", markersize=3)
    step = max(1, len(days) // 8)
    axes.set_xticks(range(0, len(days), step), [d[5:] for d in days[::step]])
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(_counts())
    axes.set_title(words("每日受理量", "Requests per day"))
    axes.grid(axis="y", alpha=0.3)
    return _png(figure)


def _paired_bars(
    axes: Axes,
    groups: list[tuple[str, float | None, float | None]],
    series: tuple[tuple[str, str], tuple[str, str]],
    fmt: str,
    none: str,
) -> None:
    """Two bars per group, each labelled with its value; a missing value is labelled `none`."""
    for offset, (label, color) in enumerate(series):
        values = [group[1 + offset] for group in groups]
        bars = axes.bar(
            [i + (offset - 0.5) * 0.38 for i in range(len(groups))],
            [value or 0.0 for value in values],
            width=0.38,
            label=label,
            color=color,
        )
        shown = [none if value is None else fmt.format(value) for value in values]
        axes.bar_label(bars, labels=shown, padding=2, fontsize=8)
    axes.set_xticks(range(len(groups)), [group[0] for group in groups])
    axes.margins(y=0.15)


def _times(report: Report, words: _Words) -> bytes:
    figure = _figure(7.2, 3.2)
    panels = (
        (report.response_minutes_by_kind, words("首次响应（分钟）", "First response (min)")),
        (report.resolution_hours_by_kind, words("办结用时（小时）", "Resolution (hours)")),
    )
    series = ((words("中位数", "median"), _BLUE), (words("90% 分位", "90th percentile"), _ORANGE))
    for index, (spread, title) in enumerate(panels, start=1):
        axes = figure.add_subplot(1, 2, index)
        groups = [
            (words.of(KIND_LABELS, kind), values.get("median"), values.get("p90"))
            for kind, values in spread.items()
        ]
        _paired_bars(axes, groups, series, "{:g}", words("无", "n/a"))
        axes.set_title(title)
    figure.legend(
        *axes.get_legend_handles_labels(), loc="outside lower center", ncols=2, frameon=False
    )
    return _png(figure)


def _on_time(report: Report, words: _Words) -> bytes:
    figure = _figure(6.4, 3.2)
    axes = figure.add_subplot()
    groups = [
        (words("全部", "All"), report.response_on_time, report.resolution_on_time),
        *(
            (words.of(KIND_LABELS, kind), rates.get("respond"), rates.get("resolve"))
            for kind, rates in report.on_time_by_kind.items()
        ),
    ]
    percent = [(name, _percent(a), _percent(b)) for name, a, b in groups]
    series = (
        (words("响应按时", "Responded in time"), _BLUE),
        (words("办结按时", "Resolved in time"), _GREEN),
    )
    _paired_bars(axes, percent, series, "{:.0f}%", words("无", "n/a"))
    axes.set_ylim(0, 115)
    axes.set_ylabel("%")
    axes.set_title(words("时限达标率", "Within the time limit"))
    figure.legend(loc="outside lower center", ncols=2, frameon=False)
    return _png(figure)


def _percent(share: float | None) -> float | None:
    return None if share is None else share * 100


def _ratings(report: Report, words: _Words) -> bytes:
    figure = _figure(5.0, 3.0)
    axes = figure.add_subplot()
    scores = list(report.rating_counts)
    counts = [report.rating_counts[s] for s in scores]
    colors = [_GREEN if s >= 4 else _GREY if s == 3 else _ORANGE for s in scores]
    bars = axes.bar([words(f"{s} 分", f"{s}") for s in scores], counts, color=colors)
    axes.bar_label(bars, padding=2)
    axes.margins(y=0.12)
    axes.set_title(words("满意度评分分布", "Ratings (1-5)"))
    axes.set_ylabel(words("条", "ratings"))
    axes.yaxis.set_major_locator(_counts())
    return _png(figure)
