"""The two column layouts a resident import may use, and the national code lists.

``kampung``: our own template, Indonesian headers, coded columns as names or codes.
``opensid``: the columns of OpenSID's resident import sheet (``data/opensid_impor_penduduk_kolom.csv``),
coded columns as the national codes of ``data/kode_data_kependudukan.csv``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CODES_FILE = DATA_DIR / "kode_data_kependudukan.csv"
OPENSID_COLUMNS_FILE = DATA_DIR / "opensid_impor_penduduk_kolom.csv"

KAMPUNG = "kampung"
OPENSID = "opensid"
LAYOUT_LABELS = {KAMPUNG: "Templat Kampung", OPENSID: "Format impor OpenSID"}


@dataclass(frozen=True)
class Column:
    """One field of a resident row: where it goes, how it is read, whether it must be filled."""

    key: str  # the field the value goes to (see ``validation``)
    label: str  # the header in our template
    kind: str  # "nik", "kk", "text", "date", "code", "area"
    required: bool = False
    codes: str = ""  # the code list (``daftar``) for kind "code"
    max_length: int = 0
    hint: str = ""  # what to write, for the template's instructions


# Our template, in order. Keys are the import's own field names.
KAMPUNG_COLUMNS: tuple[Column, ...] = (
    Column("nik", "NIK", "nik", True, hint="16 angka, tanpa spasi"),
    Column("name", "Nama", "text", True, max_length=150, hint="Nama lengkap sesuai KK"),
    Column(
        "kk_number", "Nomor KK", "kk", True, hint="16 angka; anggota satu keluarga memakai nomor KK yang sama"
    ),
    Column(
        "family_relation",
        "Hubungan dalam keluarga",
        "code",
        True,
        codes="kk_level",
        hint="Tiap KK tepat satu KEPALA KELUARGA",
    ),
    Column("sex", "Jenis kelamin", "code", True, codes="sex", hint="L atau P (atau LAKI-LAKI / PEREMPUAN)"),
    Column("birth_place", "Tempat lahir", "text", max_length=100),
    Column("birth_date", "Tanggal lahir", "date", True, hint="Contoh: 21-01-1990 atau 1990-01-21"),
    Column("religion", "Agama", "code", True, codes="agama_id"),
    Column("marital_status", "Status perkawinan", "code", True, codes="status_kawin"),
    Column(
        "education",
        "Pendidikan dalam KK",
        "code",
        codes="pendidikan_kk_id",
        hint="Kosong = TIDAK / BELUM SEKOLAH",
    ),
    Column("occupation", "Pekerjaan", "code", codes="pekerjaan_id", hint="Kosong = BELUM/TIDAK BEKERJA"),
    Column("citizenship", "Kewarganegaraan", "code", codes="warganegara_id", hint="Kosong = WNI"),
    Column("blood_type", "Golongan darah", "code", codes="golongan_darah_id", hint="Kosong = TIDAK TAHU"),
    Column("disability", "Cacat", "code", codes="cacat_id", hint="Boleh kosong"),
    Column(
        "address",
        "Alamat",
        "text",
        max_length=255,
        hint="Alamat keluarga (diambil dari baris kepala keluarga)",
    ),
    Column("dusun", "Dusun", "text", max_length=60),
    Column("rw", "RW", "area", hint="Angka, misalnya 1 atau 001"),
    Column("rt", "RT", "area", hint="Angka, misalnya 3 atau 003"),
    Column("phone", "Telepon", "text", max_length=30),
)

# OpenSID column name -> the field it fills. OpenSID columns not named here are not kept by
# Kampung (parents' names, documents, contraception, coordinates...) and are ignored.
OPENSID_FIELDS: dict[str, Column] = {
    "alamat": Column("address", "alamat", "text", max_length=255),
    "dusun": Column("dusun", "dusun", "text", max_length=60),
    "rw": Column("rw", "rw", "area"),
    "rt": Column("rt", "rt", "area"),
    "nama": Column("name", "nama", "text", True, max_length=150),
    "no_kk": Column("kk_number", "no_kk", "kk", True),
    "nik": Column("nik", "nik", "nik", True),
    "sex": Column("sex", "sex", "code", True, codes="sex"),
    "tempatlahir": Column("birth_place", "tempatlahir", "text", max_length=100),
    "tanggallahir": Column("birth_date", "tanggallahir", "date", True),
    "agama_id": Column("religion", "agama_id", "code", True, codes="agama_id"),
    "pendidikan_kk_id": Column("education", "pendidikan_kk_id", "code", codes="pendidikan_kk_id"),
    "pekerjaan_id": Column("occupation", "pekerjaan_id", "code", codes="pekerjaan_id"),
    "status_kawin": Column("marital_status", "status_kawin", "code", True, codes="status_kawin"),
    "kk_level": Column("family_relation", "kk_level", "code", True, codes="kk_level"),
    "warganegara_id": Column("citizenship", "warganegara_id", "code", codes="warganegara_id"),
    "golongan_darah_id": Column("blood_type", "golongan_darah_id", "code", codes="golongan_darah_id"),
    "cacat_id": Column("disability", "cacat_id", "code", codes="cacat_id"),
    "status_dasar": Column("basic_status", "status_dasar", "code", codes="status_dasar"),
}

# Values used when an optional coded column is empty (the model's defaults).
DEFAULTS: dict[str, int | None] = {
    "education": 1,
    "occupation": 1,
    "citizenship": 1,
    "blood_type": 13,
    "disability": None,
    "basic_status": 1,
}

# Short forms people write in our template.
SEX_ALIASES = {
    "L": 1,
    "LK": 1,
    "LAKILAKI": 1,
    "LAKI-LAKI": 1,
    "PRIA": 1,
    "P": 2,
    "PR": 2,
    "PEREMPUAN": 2,
    "WANITA": 2,
}

LIST_LABELS = {
    "sex": "Jenis kelamin",
    "agama_id": "Agama",
    "pendidikan_kk_id": "Pendidikan dalam KK",
    "pekerjaan_id": "Pekerjaan",
    "status_kawin": "Status perkawinan",
    "kk_level": "Hubungan dalam keluarga",
    "warganegara_id": "Kewarganegaraan",
    "golongan_darah_id": "Golongan darah",
    "cacat_id": "Cacat",
    "status_dasar": "Status dasar",
}

# Spaces and dots are dropped, but not "+" and "-": blood types "O", "O+" and "O-" differ.
_IGNORED = re.compile(r"[^A-Z0-9+\-/()]+")


def plain(value: str) -> str:
    """``Tamat SD / Sederajat`` -> ``TAMATSD/SEDERAJAT``: how names in the code lists are matched."""
    return _IGNORED.sub("", value.upper())


@cache
def code_lists() -> dict[str, dict[int, str]]:
    """``daftar`` -> {code: name}, from the national lists shipped with the app."""
    lists: dict[str, dict[int, str]] = {}
    with open(CODES_FILE, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            lists.setdefault(row["daftar"], {})[int(row["id"])] = row["nama"].strip()
    return lists


@cache
def names_to_codes() -> dict[str, dict[str, int]]:
    """``daftar`` -> {plain name: code}, for values written as names in our template."""
    return {
        daftar: {plain(name): code for code, name in codes.items()} for daftar, codes in code_lists().items()
    }


@cache
def opensid_columns() -> tuple[str, ...]:
    """The columns of OpenSID's resident import sheet, in their order."""
    with open(OPENSID_COLUMNS_FILE, encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: int(r["urutan"]))
    return tuple(r["kolom"] for r in rows)


def header_key(value: object) -> str:
    """A header cell as compared: lowercase, no ``*``, single spaces."""
    text = "" if value is None else str(value)
    return " ".join(text.replace("*", " ").strip().lower().split())


_KAMPUNG_ALIASES = {
    "no kk": "kk_number",
    "no. kk": "kk_number",
    "nomor kartu keluarga": "kk_number",
    "hubungan keluarga": "family_relation",
    "shdk": "family_relation",
    "pendidikan": "education",
    "status kawin": "marital_status",
    "golongan darah (gol. darah)": "blood_type",
    "no. telepon": "phone",
    "nomor telepon": "phone",
    "l/p": "sex",
}


@cache
def kampung_headers() -> dict[str, Column]:
    by_key = {c.key: c for c in KAMPUNG_COLUMNS}
    headers = {header_key(c.label): c for c in KAMPUNG_COLUMNS}
    headers.update({alias: by_key[key] for alias, key in _KAMPUNG_ALIASES.items()})
    return headers


def detect(headers: Iterable[object]) -> str | None:
    """Which layout a header row belongs to, or None when neither fits."""
    keys = {header_key(h) for h in headers}
    opensid_required = {name for name, column in OPENSID_FIELDS.items() if column.required}
    if opensid_required <= keys:
        return OPENSID
    known = kampung_headers()
    ours = {known[k].key for k in keys if k in known}
    if {c.key for c in KAMPUNG_COLUMNS if c.required} <= ours:
        return KAMPUNG
    # Partly filled headers: the layout most of them belong to (its missing columns are reported).
    opensid_hits = len(keys & set(opensid_columns()))
    if max(opensid_hits, len(ours)) < 3:
        return None
    return OPENSID if opensid_hits > len(ours) else KAMPUNG


def columns_for(layout: str, headers: list[object]) -> tuple[dict[int, Column], list[Column], list[str]]:
    """For a header row: {position: column} of the fields read, the required columns missing,
    and the headers ignored."""
    positions: dict[int, Column] = {}
    ignored: list[str] = []
    known: dict[str, Column] = dict(OPENSID_FIELDS) if layout == OPENSID else kampung_headers()
    seen: set[str] = set()
    for index, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue
        column = known.get(key)
        if column is None or column.key in seen:
            ignored.append(str(header).strip())
            continue
        seen.add(column.key)
        positions[index] = column
    expected = OPENSID_FIELDS.values() if layout == OPENSID else KAMPUNG_COLUMNS
    missing = [c for c in expected if c.required and c.key not in seen]
    return positions, missing, ignored
