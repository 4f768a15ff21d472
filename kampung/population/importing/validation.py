"""Checking every row of an import with the register's rules, collecting all problems.

The rules are those of ``population.services`` (``checks.nik_check``/``kk_check``, one
living person per NIK, the KK's village, the code lists), plus what only a whole file can
break: a NIK twice in the file, and each KK needing exactly one head. Nothing is written
here; a row with a problem is reported (spreadsheet row, column, what is wrong) and the
checking goes on, so the user gets every problem of the file at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kampung.population.checks import kk_check, mask_nik, name_key, nik_check
from kampung.population.importing import layouts
from kampung.population.importing.layouts import Column
from kampung.population.importing.reading import Table
from kampung.population.models import BasicStatus, Family, Resident

RELATION_HEAD = 1
MAX_ROWS = 250_000
CHUNK = 900  # values per IN (...) query, under every SQLite build's variable limit
EXCEL_EPOCH = dt.date(1899, 12, 30)
OLDEST = dt.date(1880, 1, 1)
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
_AREA = re.compile(r"^\d{1,3}$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file: its spreadsheet row (1 = the header row), the column as
    headed in the file, and what is wrong, in Indonesian."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"baris {self.row}" + (f", kolom {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ResidentRow:
    row: int
    values: dict[str, Any]
    flags: list[str] = field(default_factory=list)

    @property
    def nik(self) -> str:
        return str(self.values["nik"])

    @property
    def kk_number(self) -> str:
        return str(self.values["kk_number"])

    @property
    def living(self) -> bool:
        return bool(self.values.get("basic_status", BasicStatus.LIVING) == BasicStatus.LIVING)


@dataclass
class FamilyPlan:
    """A KK of the file: a new family, or one already registered in the village."""

    kk_number: str
    rows: list[ResidentRow] = field(default_factory=list)
    existing_id: int | None = None
    existing_head_id: int | None = None
    existing_area: tuple[str, str, str] = ("", "", "")
    flags: list[str] = field(default_factory=list)

    @property
    def head(self) -> ResidentRow | None:
        return next((r for r in self.rows if r.values.get("family_relation") == RELATION_HEAD), None)

    @property
    def is_new(self) -> bool:
        return self.existing_id is None


@dataclass
class Checked:
    layout: str
    rows: list[ResidentRow] = field(default_factory=list)
    families: dict[str, FamilyPlan] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _RowReader:
    """Turns one row's cells into typed values, adding a Problem per bad cell."""

    def __init__(self, layout: str, positions: dict[int, Column], headers: list[Any], today: dt.date) -> None:
        self.layout = layout
        self.positions = positions
        self.labels = {c.key: str(headers[i]).strip() for i, c in positions.items()}
        self.today = today
        self.lists = layouts.code_lists()
        self.names = layouts.names_to_codes()
        self.kk_index = next((i for i, c in positions.items() if c.key == "kk_number"), None)
        # KKs with a row that could not be read: their head may be on that row.
        self.unreadable_kks: set[str] = set()

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def read(self, number: int, cells: list[Any], problems: list[Problem]) -> ResidentRow | None:
        values: dict[str, Any] = {}
        ok = True
        for index, column in self.positions.items():
            raw = cells[index] if index < len(cells) else None
            try:
                values[column.key] = self._value(column, raw)
            except ValueError as exc:
                problems.append(Problem(number, self.label(column.key), str(exc)))
                ok = False
        for key, default in layouts.DEFAULTS.items():
            if values.get(key) is None:
                values[key] = default
        if not ok:
            self.unreadable_kks.add(
                str(values.get("kk_number") or _number_text_or_blank(cells, self.kk_index))
            )
            return None
        row = ResidentRow(number, values)
        return row if self._identity(row, problems) else None

    def _identity(self, row: ResidentRow, problems: list[Problem]) -> bool:
        """NIK against the birth date and sex (as ``services`` does): errors refuse the row,
        disagreements are flags for review."""
        values = row.values
        if values["birth_date"] > self.today:
            problems.append(
                Problem(row.row, self.label("birth_date"), "Tanggal lahir tidak boleh di masa depan.")
            )
            return False
        check = nik_check(values["nik"], birth_date=values["birth_date"], sex=values["sex"], today=self.today)
        for error in check.errors:
            problems.append(Problem(row.row, self.label("nik"), error))
        row.flags.extend(check.flags)
        return check.ok

    def _value(self, column: Column, raw: Any) -> Any:
        kind = column.kind
        if kind == "date":
            value: Any = _date(raw, self.today)
        elif kind in ("nik", "kk"):
            value = _number_text(raw)
        elif kind == "code":
            value = self._code(column, raw)
        elif kind == "area":
            value = _area(raw)
        else:
            value = _text(raw)
            if column.max_length and len(value) > column.max_length:
                raise ValueError(
                    f"Terlalu panjang: {len(value)} karakter, paling banyak {column.max_length}."
                )
        if column.required and value in ("", None):
            raise ValueError("Wajib diisi.")
        if column.key == "name" and not name_key(value):
            raise ValueError("Nama harus berisi huruf.")
        return value

    def _code(self, column: Column, raw: Any) -> int | None:
        text = _text(raw)
        if not text:
            return None
        codes = self.lists[column.codes]
        list_label = layouts.LIST_LABELS.get(column.codes, column.codes)
        number = text[:-2] if text.endswith(".0") else text
        if number.isdigit():
            if int(number) in codes:
                return int(number)
            raise ValueError(
                f"Kode {number} tidak ada dalam daftar {list_label} (kode yang sah: "
                f"{_code_range(codes)}; lihat lembar Kode Data pada templat)."
            )
        if column.codes == "sex" and layouts.plain(text) in layouts.SEX_ALIASES:
            return layouts.SEX_ALIASES[layouts.plain(text)]
        code = self.names[column.codes].get(layouts.plain(text))
        if code is None:
            raise ValueError(
                f"{text!r} tidak ada dalam daftar {list_label}. Tulis kode atau nama persis seperti pada "
                "lembar Kode Data templat."
            )
        return code


def _number_text_or_blank(cells: list[Any], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    try:
        return _number_text(cells[index])
    except ValueError:
        return ""


def _code_range(codes: dict[int, str]) -> str:
    ordered = sorted(codes)
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}–{ordered[-1]}"
    return ", ".join(str(c) for c in ordered)


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    return " ".join(str(raw).split())


def _number_text(raw: Any) -> str:
    """A NIK/KK cell: Excel may hold it as a number, or as text with a leading apostrophe."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if isinstance(raw, float) and not raw.is_integer():
            raise ValueError(f"Harus 16 angka, tertulis {raw!r}. Format sel sebagai Teks di Excel.")
        return str(int(raw))
    text = "".join(_text(raw).split()).lstrip("'")
    return text


def _date(raw: Any, today: dt.date) -> dt.date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value: dt.date | None = None
    if isinstance(raw, dt.datetime):
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        if not 1 <= raw < 2_958_466:
            raise ValueError(f"Tanggal tidak dapat dibaca: {raw!r}.")
        value = EXCEL_EPOCH + dt.timedelta(days=int(raw))
    else:
        text = str(raw).strip()
        if len(text) > 10 and text[10] in " T":  # "1990-01-21 00:00:00"
            text = text[:10]
        for fmt in DATE_FORMATS:
            try:
                value = dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
                break
            except ValueError:
                continue
        if value is None:
            raise ValueError(
                f"Tanggal tidak dapat dibaca: {text!r}. Tulis seperti 21-01-1990 atau 1990-01-21."
            )
    if value < OLDEST:
        raise ValueError(f"Tanggal {value:%d-%m-%Y} terlalu lampau; periksa tahunnya.")
    return value


def _area(raw: Any) -> str:
    text = _text(raw)
    if not text:
        return ""
    if not _AREA.match(text) or int(text) == 0:
        raise ValueError(f"Harus angka 1–999, tertulis {text!r}.")
    return f"{int(text):03d}"


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


# -- the whole file ------------------------------------------------------------------------


def check_table(table: Table, *, village_code: str, layout: str | None = None) -> Checked:
    """Every problem of the file, or the rows and families ready to write."""
    detected = layouts.detect(table.headers)
    chosen = layout or detected
    if chosen is None:
        shown = ", ".join(str(h).strip() for h in table.headers if str(h or "").strip())[:200]
        checked = Checked(layout="")
        checked.problems.append(
            Problem(
                1,
                "",
                f"Judul kolom tidak dikenali ({shown}). Pakai templat Kampung atau format impor OpenSID, "
                "dengan judul kolom di baris pertama.",
            )
        )
        return checked
    checked = Checked(layout=chosen)
    positions, missing, ignored = layouts.columns_for(chosen, table.headers)
    checked.ignored_columns = ignored
    for column in missing:
        checked.problems.append(Problem(1, column.label, "Kolom wajib ini tidak ada di baris judul."))
    if layout and detected and layout != detected:
        checked.problems.append(
            Problem(
                1,
                "",
                f"Judul kolom berkas ini sesuai {layouts.LAYOUT_LABELS[detected]}, bukan "
                f"{layouts.LAYOUT_LABELS[layout]} yang dipilih.",
            )
        )
    if len(table.rows) > MAX_ROWS:
        checked.problems.append(
            Problem(1, "", f"Berkas berisi {len(table.rows):,} baris; paling banyak {MAX_ROWS:,} per impor.")
        )
    if not table.rows:
        checked.problems.append(Problem(2, "", "Tidak ada baris data di bawah baris judul."))
    if checked.problems:
        return checked
    reader = _RowReader(chosen, positions, table.headers, timezone.localdate())
    for number, cells in table.rows:
        row = reader.read(number, cells, checked.problems)
        if row is not None:
            checked.rows.append(row)
    _check_niks(checked, reader, village_code)
    _check_families(checked, reader, village_code)
    _flag_possible_duplicates(checked)
    return checked


def _check_niks(checked: Checked, reader: _RowReader, village_code: str) -> None:
    """One living person per NIK: within the file, and against every living resident."""
    first_row: dict[str, int] = {}
    for row in checked.rows:
        if not row.living:
            continue
        earlier = first_row.setdefault(row.nik, row.row)
        if earlier != row.row:
            checked.problems.append(
                Problem(
                    row.row,
                    reader.label("nik"),
                    f"NIK sama dengan baris {earlier}: satu NIK hanya untuk satu orang.",
                )
            )
    taken: dict[str, str] = {}
    for chunk in _chunks(sorted(first_row)):
        living = Resident.objects.filter(nik__in=chunk, basic_status=BasicStatus.LIVING)
        taken.update(living.values_list("nik", "village_id"))
    for row in checked.rows:
        if row.living and row.nik in taken:
            where = "di desa ini" if taken[row.nik] == village_code else "di desa/kelurahan lain"
            checked.problems.append(
                Problem(
                    row.row,
                    reader.label("nik"),
                    f"NIK sudah terdaftar atas penduduk yang masih hidup {where}. Satu NIK hanya untuk satu "
                    "orang: hapus baris ini, atau catat dulu kematian/kepindahan pada data yang lama.",
                )
            )


def _check_families(checked: Checked, reader: _RowReader, village_code: str) -> None:
    """Each KK: a sound number, registered in no other village, with exactly one head."""
    label_kk, label_relation = reader.label("kk_number"), reader.label("family_relation")
    families: dict[str, FamilyPlan] = {}
    for row in checked.rows:
        families.setdefault(row.kk_number, FamilyPlan(row.kk_number)).rows.append(row)
    today = reader.today
    refused: set[str] = set()
    for kk, plan in families.items():
        check = kk_check(kk, today=today)
        if check.errors:
            refused.add(kk)
            for row in plan.rows:
                checked.problems.extend(Problem(row.row, label_kk, error) for error in check.errors)
        plan.flags.extend(check.flags)
    for chunk in _chunks(sorted(families)):
        rows = Family.objects.filter(kk_number__in=chunk).values_list(
            "kk_number", "pk", "village_id", "head_id", "dusun", "rw", "rt"
        )
        for kk, pk, village_id, head_id, dusun, rw, rt in rows:
            plan = families[kk]
            if village_id != village_code:
                refused.add(kk)
                for row in plan.rows:
                    checked.problems.append(
                        Problem(
                            row.row,
                            label_kk,
                            "Nomor KK ini sudah terdaftar di desa/kelurahan lain; keluarga hanya dapat "
                            "diimpor ke desa/kelurahan tempat KK-nya terdaftar.",
                        )
                    )
                continue
            plan.existing_id, plan.existing_head_id, plan.existing_area = pk, head_id, (dusun, rw, rt)
    for kk, plan in families.items():
        if kk in refused:
            continue
        heads = [r for r in plan.rows if r.values["family_relation"] == RELATION_HEAD]
        if plan.existing_head_id is not None:
            for row in heads:
                checked.problems.append(
                    Problem(
                        row.row,
                        label_relation,
                        f"Keluarga dengan nomor KK {kk} sudah terdaftar dengan kepala keluarga; baris ini "
                        "tidak dapat menjadi kepala keluarga kedua.",
                    )
                )
            continue
        if not heads and plan.is_new and kk not in reader.unreadable_kks:
            checked.problems.append(
                Problem(
                    plan.rows[0].row,
                    label_relation,
                    f"Keluarga dengan nomor KK {kk} tidak punya kepala keluarga: tepat satu anggotanya "
                    "harus berhubungan KEPALA KELUARGA.",
                )
            )
        for row in heads[1:]:
            checked.problems.append(
                Problem(
                    row.row,
                    label_relation,
                    f"Keluarga dengan nomor KK {kk} sudah punya kepala keluarga di baris {heads[0].row}.",
                )
            )
    checked.families = families


def _flag_possible_duplicates(checked: Checked) -> None:
    """Same normalised name and birth date as another row or a registered resident: imported,
    but marked for review (as ``services`` does); never merged automatically."""
    by_person: dict[tuple[str, dt.date], list[ResidentRow]] = defaultdict(list)
    for row in checked.rows:
        row.values["name_key"] = name_key(row.values["name"])
        by_person[(row.values["name_key"], row.values["birth_date"])].append(row)
    for group in by_person.values():
        if len(group) < 2:
            continue
        for row in group:
            for other in group:
                if other is not row:
                    row.flags.append(
                        f"Kemungkinan data ganda: nama dan tanggal lahir sama dengan baris {other.row} "
                        f"(NIK {mask_nik(other.nik)}); periksa, jangan digabung otomatis."
                    )
    keys = sorted({key for key, _ in by_person})
    for chunk in _chunks(keys):
        same = (
            Resident.objects.filter(name_key__in=chunk)
            .exclude(basic_status=BasicStatus.INVALID)
            .order_by("pk")
            .values_list("name_key", "birth_date", "pk", "nik")
        )
        for key, birth_date, pk, nik in same:
            for row in by_person.get((key, birth_date), ()):
                row.flags.append(
                    f"Kemungkinan data ganda: nama dan tanggal lahir sama dengan penduduk #{pk} "
                    f"(NIK {mask_nik(nik)}); periksa, jangan digabung otomatis."
                )
