"""The report's look and the small formatting helpers every part of it uses."""

from __future__ import annotations

import datetime as dt
import re
from html import escape

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
FALLBACK_COLOR = "#757575"
RATING_COLORS = {
    "supported": "#2e7d32",
    "contradicted": "#c62828",
    "unverifiable": "#757575",
    "misleading": "#ef6c00",
}

STYLE = """
:root{--ink:#1b1b1b;--muted:#5f6368;--rule:#dadce0;--paper:#fff}
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:var(--ink);font:15px/1.55 system-ui,-apple-system,
"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",sans-serif}
main{display:flex;flex-direction:column;gap:18px;max-width:1000px;margin:0 auto;padding:24px}
main>*{background:var(--paper);border:1px solid var(--rule);border-radius:6px;padding:18px 22px}
.head{order:0}.summary{order:1}.agreement{order:2}.doc{order:3}.foot{order:4;font-size:12px;
color:var(--muted)}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:0 0 6px}
h3{font-size:15px;margin:16px 0 6px}
.meta{color:var(--muted);font-size:13px;margin:0}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
th,td{border-bottom:1px solid var(--rule);padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f8f9fa;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.text{white-space:pre-wrap;overflow-wrap:anywhere;unicode-bidi:plaintext;border-left:3px solid
var(--rule);padding:6px 12px;margin:8px 0;
font-family:Georgia,"Noto Serif","Noto Naskh Arabic",serif}
mark{padding:0 1px;border-radius:2px;color:inherit}
mark sup{font:600 10px system-ui,sans-serif;color:var(--muted);margin-right:1px}
.legend span,.chip{display:inline-block;margin:0 10px 4px 0;font-size:13px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;
vertical-align:-1px}
.score{font-size:22px;font-weight:600}.figures{display:flex;flex-wrap:wrap;gap:8px 28px}
.figures div{min-width:120px}.figures small{display:block;color:var(--muted);font-size:12px}
.rating{font-weight:600}.nowrap{white-space:nowrap}.quote{unicode-bidi:plaintext}
.none{color:var(--muted);font-style:italic}
.dispute{border:1px solid var(--rule);border-radius:4px;padding:6px 10px;margin:8px 0}
.chart{display:block;max-width:100%;height:auto;font:12px system-ui,sans-serif}
.chart .chart-title{font-weight:600}.chart .chart-none{fill:var(--muted);font-style:italic}
a{color:#1a57b5}
@media print{body{background:#fff;font-size:11pt}main{max-width:none;padding:0;gap:0}
main>*{border:0;border-radius:0;padding:0 0 12pt}.doc{break-before:page}
a{color:inherit;text-decoration:none}table,.dispute,.chart{break-inside:avoid}
mark{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def link(url: str, text: str) -> str:
    if is_http(url):
        return f'<a href="{escape(url)}" rel="noreferrer">{escape(text)}</a>'
    return escape(text)


def is_http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def color(value: str) -> str:
    return value if _HEX.match(value) else FALLBACK_COLOR


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
