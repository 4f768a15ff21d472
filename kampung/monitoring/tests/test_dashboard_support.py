"""Helpers of the dashboard tests: read a table of a page by its ``data-testid`` and format
expected figures the way the page writes them."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from typing import Any

from kampung.core.formatting import number_id, rupiah


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, Any]] = {}
        self.texts: dict[str, str] = {}
        self._table: dict[str, Any] | None = None
        self._part = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._testid_stack: list[tuple[str, str | None]] = []
        self._text_id: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        testid = attributes.get("data-testid")
        if tag == "table" and testid:
            self._table = self.tables[testid] = {"head": [], "rows": [], "foot": []}
        elif self._table is not None and tag in ("thead", "tbody", "tfoot"):
            self._part = tag
        elif self._table is not None and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []
        elif tag in ("dd", "span") and testid:
            self._text_id, self._text = testid, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            key = {"thead": "head", "tbody": "rows", "tfoot": "foot"}[self._part]
            if key == "rows":
                self._table[key].append(self._row)
            else:
                self._table[key] = self._row
            self._row = None
        elif tag in ("dd", "span") and self._text_id:
            self.texts[self._text_id] = " ".join("".join(self._text).split())
            self._text_id = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._text_id:
            self._text.append(data)


def page_tables(html: str) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Every table with a ``data-testid`` (head, body rows and foot as cell texts), and the
    text of every ``dd``/``span`` with one."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables, parser.texts


def by_name(table: dict[str, Any]) -> dict[str, list[str]]:
    return {row[0]: row for row in table["rows"]}


def pct(part: Decimal | int, whole: Decimal | int) -> str:
    """A share as the page writes it: "12,3 %", "–" without a whole."""
    if not whole:
        return "–"
    value = (Decimal(part) * 1000 / Decimal(whole)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{value / 10:.1f}".replace(".", ",") + " %"


def rp(value: Decimal | int) -> str:
    return rupiah(value)


def n(value: int) -> str:
    return number_id(value)


def nearest_rank(values: list[int], q: float) -> int | None:
    """The k-th smallest of ``values`` with k = ceil(q × n) (q as a decimal fraction)."""
    if not values:
        return None
    ordered = sorted(values)
    k = max(1, math.ceil(Decimal(str(q)) * len(ordered)))
    return ordered[k - 1]
