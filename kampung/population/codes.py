"""Code -> label and form choices for the coded resident attributes.

The codes are the national population-register lists in ``data/kode_data_kependudukan.csv``
(columns ``daftar,id,nama``). Each coded field of :class:`~kampung.population.models.Resident`
names the list it uses in :data:`FIELD_LISTS`.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

CODES_FILE = Path(__file__).resolve().parent / "data" / "kode_data_kependudukan.csv"

# Resident field -> code list in the CSV.
FIELD_LISTS: dict[str, str] = {
    "sex": "sex",
    "religion": "agama_id",
    "marital_status": "status_kawin",
    "family_relation": "kk_level",
    "education": "pendidikan_kk_id",
    "occupation": "pekerjaan_id",
    "citizenship": "warganegara_id",
    "blood_type": "golongan_darah_id",
    "disability": "cacat_id",
    "basic_status": "status_dasar",
}

# Lists of abbreviations (WNI, AB+) stay as written; the others read better in sentence case,
# with the abbreviations inside them kept in capitals.
_AS_WRITTEN = frozenset({"golongan_darah_id", "warganegara_id"})
_ACRONYMS = frozenset(
    {"PNS", "TNI", "POLRI", "RI", "DPR", "DPRD", "DPD", "BPK", "SD", "SLTP", "SLTA", "TK", "SLB", "YME"}
    | {"KB", "BPJS", "KTP", "KTP-EL", "D-1", "D-2", "D-3", "S-1", "S-2", "S-3", "I", "II", "III", "IV"}
)
_WORD = re.compile(r"[A-Za-z0-9+\-]+")


def _sentence_case(name: str) -> str:
    text = name.capitalize()

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.upper() in _ACRONYMS:
            return word.upper()
        return "Indonesia" if word == "indonesia" else word

    return _WORD.sub(fix, text)


@cache
def _lists() -> dict[str, tuple[tuple[int, str], ...]]:
    lists: dict[str, list[tuple[int, str]]] = {}
    with CODES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["id"].strip().isdigit():
                continue
            name = " ".join(row["nama"].split())
            if name.isupper() and not (row["daftar"] in _AS_WRITTEN and len(name) <= 3):
                name = _sentence_case(name)
            lists.setdefault(row["daftar"], []).append((int(row["id"]), name))
    return {key: tuple(items) for key, items in lists.items()}


@cache
def _maps() -> dict[str, dict[int, str]]:
    return {key: dict(items) for key, items in _lists().items()}


def choices(code_list: str) -> list[tuple[int, str]]:
    """``[(1, "Islam"), (2, "Kristen"), ...]`` for a form select."""
    return list(_lists().get(code_list, ()))


def label(code_list: str, value: int | None) -> str:
    """``label("agama_id", 1)`` -> ``"Islam"``; an unknown code shows its number, None is ""."""
    if value is None:
        return ""
    names = _maps().get(code_list, {})
    return names.get(int(value), str(value))


def field_label(field: str, value: int | None) -> str:
    """The label of a resident's coded field value (``field_label("religion", 1)``)."""
    return label(FIELD_LISTS[field], value)
