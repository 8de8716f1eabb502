"""A printable HTML roster: one table per month, Chinese headings, a page per month on paper."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from itertools import groupby

from rosters.exports.rows import DRAFT, HEADINGS, RosterRow

_STYLE = """
body { font-family: "SimSun", "Songti SC", serif; margin: 2em; }
h1 { text-align: center; font-size: 20pt; margin-bottom: 0.2em; }
p.meta { text-align: center; margin-top: 0; }
h2 { font-size: 14pt; margin: 1.2em 0 0.4em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #000; padding: 4px 6px; text-align: center; font-size: 11pt; }
tr.rest td { background: #f2f2f2; }
tr.holiday td { background: #fde9e7; }
td.gap { color: #c00; font-weight: bold; }
td.draft { color: #c00; }
p.draft { text-align: center; color: #c00; }
@media print { section { page-break-after: always; } section:last-child { page-break-after: auto; } }
"""


def to_html(rows: Sequence[RosterRow], title: str, handover: dt.time, phone: str = "") -> str:
    meta = f"交接班时间：每日 {handover.strftime('%H:%M')}"
    if phone:
        meta += f"　　值班电话：{escape(phone)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{meta}</p>',
    ]
    if any(r.status == DRAFT for r in rows):
        parts.append(f'<p class="draft">标「{DRAFT}」的日期尚未发布，安排可能调整，以发布的值班表为准。</p>')
    for (year, month), month_rows in groupby(rows, key=lambda r: (r.day.date.year, r.day.date.month)):
        parts.append(f"<section><h2>{year}年{month}月</h2><table>")
        parts.append("<thead><tr>" + "".join(f"<th>{h}</th>" for h in HEADINGS) + "</tr></thead><tbody>")
        for row in month_rows:
            css = {"holiday": "holiday", "weekend": "rest"}.get(row.day.kind.value, "")
            cells = []
            for index, value in enumerate(row.cells()):
                gap = index in (3, 5) and value == "（未排）"
                draft = index == len(HEADINGS) - 1 and value == DRAFT
                style = ' class="gap"' if gap else ' class="draft"' if draft else ""
                cells.append(f"<td{style}>{escape(value)}</td>")
            parts.append(f'<tr class="{css}">' + "".join(cells) + "</tr>" if css else "<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
