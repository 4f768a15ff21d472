"""Dashboard tables, shown on the page and downloaded as Excel from the same rows.

A :class:`Table` holds raw values (numbers as numbers, money as :class:`Decimal`, rates as
fractions); the page shows them formatted the Indonesian way ("Rp 1.250.000", "12,5 %") and
:func:`workbook` writes them as numbers with a matching number format, so the workbook's
rows are exactly the page's.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from kampung.core.formatting import number_id, rupiah, tanggal

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT, INT, MONEY, PCT, DEC, DATE = "text", "int", "money", "pct", "dec", "date"
FORMATS = {INT: "#,##0", MONEY: '"Rp" #,##0', PCT: "0.0%", DEC: "0.0", DATE: "DD-MM-YYYY"}
EMPTY = "–"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBE4")


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT

    @property
    def numeric(self) -> bool:
        return self.kind in (INT, MONEY, PCT, DEC)


@dataclass
class Row:
    values: list[Any]
    link: str = ""  # where the first cell leads (a child's own page)
    css: dict[int, str] = field(default_factory=dict)  # column index -> class


def display(value: Any, kind: str) -> str:
    """A value as the page writes it."""
    if value is None or value == "":
        return EMPTY
    if kind == MONEY:
        return rupiah(value)
    if kind == INT:
        return number_id(value)
    if kind == PCT:
        return _one_decimal(Decimal(str(value)) * 100) + " %"
    if kind == DEC:
        return _one_decimal(Decimal(str(value)))
    if kind == DATE and isinstance(value, dt.date):
        return tanggal(value)
    return str(value)


def _one_decimal(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}".replace(".", ",")


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    total: list[Any] | None = None
    empty: str = "Belum ada data."
    note: str = ""

    def add(self, *values: Any, link: str = "", css: dict[int, str] | None = None) -> None:
        self.rows.append(Row(list(values), link, css or {}))

    @property
    def testid(self) -> str:
        return f"table-{self.key}"

    def body(self) -> list[dict[str, Any]]:
        return [
            {
                "link": row.link,
                "cells": [
                    (display(v, c.kind), ("num " if c.numeric else "") + row.css.get(i, ""))
                    for i, (v, c) in enumerate(zip(row.values, self.columns, strict=True))
                ],
            }
            for row in self.rows
        ]

    def body_html(self) -> SafeString:
        """The ``<tbody>`` rows as markup, built here rather than in a template loop: a
        regency table has hundreds of rows and this keeps the page fast."""
        parts: list[str] = []
        for row in self.body():
            cells = []
            for i, (text, css) in enumerate(row["cells"]):
                attr = f' class="{escape(css.strip())}"' if css.strip() else ""
                content: str = escape(text)
                if i == 0:
                    if row["link"]:
                        content = f'<a href="{escape(row["link"])}">{content}</a>'
                    cells.append(f'<th scope="row"{attr}>{content}</th>')
                else:
                    cells.append(f"<td{attr}>{content}</td>")
            parts.append(f"<tr>{''.join(cells)}</tr>")
        # Every text and link above was escaped.
        return mark_safe("\n".join(parts))  # noqa: S308

    def foot(self) -> list[tuple[str, str]]:
        if self.total is None:
            return []
        return [
            ("" if v == "" else display(v, c.kind), "num" if c.numeric else "")
            for v, c in zip(self.total, self.columns, strict=True)
        ]


def _cell_value(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if kind == MONEY:
        amount = Decimal(value)
        return int(amount) if amount == amount.to_integral_value() else float(amount)
    if kind == INT:
        return int(value)
    if kind in (PCT, DEC):
        return float(value)
    if kind == DATE:
        return value
    return str(value)


def workbook(table: Table, heading: Sequence[str]) -> bytes:
    """The table as a workbook: ``heading`` lines, a blank line, the header row, the rows and
    the total row (bold)."""
    wb = Workbook()
    ws: Any = wb.active
    ws.title = re.sub(r"[\\/?*\[\]:]", "-", table.title)[:31] or "Tabel"
    for r, text in enumerate(heading, start=1):
        ws.cell(row=r, column=1, value=text)
    ws["A1"].font = BOLD
    header_row = len(heading) + 2
    for col, column in enumerate(table.columns, start=1):
        cell = ws.cell(row=header_row, column=col, value=column.label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = 28 if col == 1 else 16
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    lines = [row.values for row in table.rows]
    if table.total is not None:
        lines.append(table.total)
    for r, values in enumerate(lines, start=header_row + 1):
        for col, (value, column) in enumerate(zip(values, table.columns, strict=True), start=1):
            cell = ws.cell(row=r, column=col, value=_cell_value(value, column.kind))
            if column.kind in FORMATS:
                cell.number_format = FORMATS[column.kind]
            if table.total is not None and values is table.total:
                cell.font = BOLD
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
