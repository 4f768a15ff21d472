"""Reading the catalogue's reference CSVs (``kampung/letters/data/``) into plain values.

Pure functions, no database: the loader (and its data migration) turn these into rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

_NUMBER_HINTS = (
    "jumlah",
    "luas",
    "masa kontrak",
    "tahun pembuatan",
    "sejak tahun",
    "isi silinder",
    "lama kandungan",
    "anak ke",
    "istri ke",
    "istrike",
    "perkawinan ke",
)
_LONG_HINTS = ("keterangan", "rincian", "alasan", "sebab", "alamat", "maksud", "perbedaan", "keperluan")


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def field_key(text: str) -> str:
    """``"Identitas Kedua: Tanggal Lahir"`` -> ``identitas_kedua_tanggal_lahir`` (a template name)."""
    key = re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")
    if not key or key[0].isdigit():
        key = f"isian_{key}"
    return key[:60]


def infer_field_type(label: str) -> tuple[str, list[str]]:
    """The input type a label asks for, and its options when it is a choice."""
    lower = label.lower().strip()
    if lower.startswith("tanggal") or " tanggal " in f" {lower} ":
        return "tanggal", []
    if lower.startswith("jam"):
        return "jam", []
    if lower == "jenis kelamin":
        return "pilihan", ["Laki-laki", "Perempuan"]
    if "penghasilan" in lower:
        return "uang", []
    if any(hint in lower for hint in _NUMBER_HINTS):
        return "angka", []
    if any(lower.startswith(hint) or f" {hint}" in lower for hint in _LONG_HINTS):
        return "paragraf", []
    return "teks", []


def parse_extra_fields(text: str) -> list[dict[str, Any]]:
    """``"Barang: Jenis Barang*; Keperluan"`` -> field dicts (``*`` = required)."""
    fields: list[dict[str, Any]] = []
    seen: set[str] = set()
    for raw in (part.strip() for part in (text or "").split(";")):
        if not raw:
            continue
        required = raw.endswith("*")
        raw = raw.rstrip("*").strip()
        group, _, label = raw.rpartition(": ")
        group = group.replace("_", " ").strip()
        label = label.strip()
        key = field_key(f"{group} {label}" if group else label)
        base, n = key, 2
        while key in seen:
            key, n = f"{base}_{n}", n + 1
        seen.add(key)
        kind, options = infer_field_type(label)
        fields.append(
            {
                "key": key,
                "label": label[:1].upper() + label[1:],
                "type": kind,
                "required": required,
                "group": group,
                "options": options,
            }
        )
    return fields


def _values(text: str) -> list[str]:
    return [v.strip() for v in text.split("|") if v.strip()]


def parse_subject_rules(text: str) -> dict[str, Any]:
    """``"sumber=penduduk desa; status_dasar=HIDUP; sertakan_data_orang_tua"`` -> a dict."""
    rules: dict[str, Any] = {}
    for part in (p.strip() for p in (text or "").split(";")):
        if not part:
            continue
        name, has_value, value = part.partition("=")
        rules[name.strip()] = _values(value) if has_value else True
    return rules


def parse_other_parties(text: str) -> list[dict[str, Any]]:
    """``"Barang (data isian); Pembeli (penduduk desa|penduduk luar desa (lengkap))"``."""
    parties: list[dict[str, Any]] = []
    for part in (p.strip() for p in (text or "").split(";")):
        if not part:
            continue
        match = re.match(r"^(.*?) \((.*)\)$", part)
        label, sources = (match.group(1), match.group(2)) if match else (part, "")
        parties.append({"key": field_key(label), "label": label.strip(), "sumber": _values(sources)})
    return parties


@dataclass(frozen=True)
class LetterTypeRow:
    slug: str
    kode_opensid: str
    name: str
    validity: str
    classification: str
    classification_old: str
    subject_label: str
    subject_rules: dict[str, Any]
    other_parties: list[dict[str, Any]]
    extra_fields: list[dict[str, Any]]
    attached_forms: str
    self_service: bool
    paper_size: str
    requirement_ids: list[int] = field(default_factory=list)


def letter_type_rows() -> list[LetterTypeRow]:
    codes = {r["slug"]: r for r in _rows("klasifikasi_jenis_surat.csv")}
    result = []
    for row in _rows("jenis_surat.csv"):
        mapping = codes[row["slug"]]
        result.append(
            LetterTypeRow(
                slug=row["slug"],
                kode_opensid=row["kode_opensid"],
                name=row["nama"],
                validity=row["masa_berlaku_iso"] or "P1M",
                classification=mapping["klasifikasi_83_2022"],
                classification_old=row["klasifikasi_78_2012"] or mapping["klasifikasi_78_2012"],
                subject_label=row["subjek"] or "Pemohon",
                subject_rules=parse_subject_rules(row["subjek_syarat"]),
                other_parties=parse_other_parties(row["pihak_lain"]),
                extra_fields=parse_extra_fields(row["extra_fields"]),
                attached_forms=row["lampiran_formulir"].replace(";", ", "),
                self_service=row["layanan_mandiri"] == "ya",
                paper_size=row["ukuran_kertas"] or "F4",
                requirement_ids=[int(i) for i in row["syarat_ids"].split(";") if i.strip()],
            )
        )
    return result


def requirement_rows() -> list[tuple[int, str]]:
    return [(int(r["id"]), r["nama"].strip()) for r in _rows("syarat_surat.csv")]


@cache
def classification_rows() -> tuple[tuple[str, str, str, str, str, str], ...]:
    """(scheme, code, name, level, parent, note) for both regulations."""
    rows: list[tuple[str, str, str, str, str, str]] = []
    for r in _rows("klasifikasi_surat_83_2022.csv"):
        note = "; ".join(x for x in (r["verifikasi"], r["catatan"]) if x)
        rows.append(("83/2022", r["kode"], r["nama"], r["level"], r["parent"], note))
    for r in _rows("klasifikasi_surat_78_2012.csv"):
        rows.append(("78/2012", r["kode"], r["nama"], r["level"], r["parent"], r["uraian"]))
    return tuple(rows)
