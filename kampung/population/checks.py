"""Structural checks of NIK and KK numbers, and the normalised form of names.

NIK (16 digits) = ``PPKKCC DDMMYY SSSS``: the district where the person was first
registered, the birth date with 40 added to the day for women, a serial from 0001. A KK
number = ``PPKKCC DDMMYY SSSS``: the issuing district, the registration date, a serial from
0001 (domain.md §5.4; UU 23/2006 jo. UU 24/2013, Permendagri 109/2019).

A structural error (wrong length, an impossible date, serial 0000, a province that does not
exist) refuses the number. A district code that is not in today's national list, or a NIK
whose date or sex disagrees with the record, is only flagged for review: districts were
split and renumbered over the years and an old NIK is never reissued.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from kampung.population.models import Sex
from kampung.regions.services import iter_region_rows

WOMEN_DAY_OFFSET = 40
NAME_TOKEN_MAX = 40
MIN_NAME_PREFIX = 3


@dataclass
class CheckResult:
    """``errors`` refuse the number; ``flags`` let it in but mark the record for review."""

    errors: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def extend(self, other: CheckResult) -> None:
        self.errors.extend(other.errors)
        self.flags.extend(other.flags)


@cache
def national_codes() -> tuple[frozenset[str], frozenset[str]]:
    """Province codes (``35``) and district codes (``351001``) of all Indonesia, read once."""
    provinces: set[str] = set()
    districts: set[str] = set()
    for code, _name in iter_region_rows():
        parts = code.split(".")
        if len(parts) == 1:
            provinces.add(code)
        elif len(parts) == 3:
            districts.add("".join(parts))
    return frozenset(provinces), frozenset(districts)


def resolve_century(day: int, month: int, yy: int, *, today: dt.date | None = None) -> dt.date | None:
    """The date in 20YY if that is not in the future, else in 19YY; None if no such day."""
    today = today or dt.date.today()  # noqa: DTZ011 - a calendar date, the local day is meant
    for century in (2000, 1900):
        try:
            candidate = dt.date(century + yy, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def _digits(number: str, label: str, result: CheckResult) -> bool:
    if len(number) != 16 or not number.isdigit():
        result.errors.append(f"{label} harus 16 angka (tertulis {len(number)} karakter: {number!r}).")
        return False
    return True


def _region_part(number: str, label: str, result: CheckResult) -> None:
    provinces, districts = national_codes()
    if number[:2] not in provinces:
        result.errors.append(f"Digit 1–2 {label} (kode provinsi) tidak sah: {number[:2]}.")
    elif number[:6] not in districts:
        result.flags.append(
            f"Digit 1–6 {label} (kode kecamatan) {number[:6]} tidak ada dalam daftar wilayah Kemendagri "
            "saat ini; periksa (kecamatan mungkin sudah dimekarkan)."
        )


def nik_check(
    nik: str,
    *,
    birth_date: dt.date | None = None,
    sex: int | None = None,
    today: dt.date | None = None,
) -> CheckResult:
    """Check a NIK's structure and, when given, that it agrees with the birth date and sex."""
    result = CheckResult()
    nik = nik.strip()
    if not _digits(nik, "NIK", result):
        return result
    _region_part(nik, "NIK", result)
    day, month, yy, serial = int(nik[6:8]), int(nik[8:10]), int(nik[10:12]), nik[12:]
    nik_sex = Sex.FEMALE if day > WOMEN_DAY_OFFSET else Sex.MALE
    real_day = day - WOMEN_DAY_OFFSET if nik_sex == Sex.FEMALE else day
    day_ok = 1 <= day <= 31 or WOMEN_DAY_OFFSET + 1 <= day <= WOMEN_DAY_OFFSET + 31
    month_ok = 1 <= month <= 12
    if not day_ok:
        result.errors.append(f"Digit 7–8 NIK (tanggal lahir) tidak sah: {nik[6:8]} (01–31, perempuan 41–71).")
    if not month_ok:
        result.errors.append(f"Digit 9–10 NIK (bulan lahir) tidak sah: {nik[8:10]} (01–12).")
    nik_date = None
    if day_ok and month_ok:
        nik_date = resolve_century(real_day, month, yy, today=today)
        if nik_date is None:
            result.errors.append(
                f"Digit 7–12 NIK (tanggal lahir) tidak sah: {nik[6:12]} bukan tanggal yang ada."
            )
    if serial == "0000":
        result.errors.append("Digit 13–16 NIK (nomor urut) tidak sah: 0000.")
    if result.errors:
        return result
    if sex is not None and int(sex) != nik_sex:
        result.flags.append(
            f"Jenis kelamin dalam NIK ({Sex(nik_sex).label}) berbeda dengan data ({Sex(int(sex)).label})."
        )
    if birth_date is not None and nik_date is not None:
        same = (nik_date.day, nik_date.month, nik_date.year % 100) == (
            birth_date.day,
            birth_date.month,
            birth_date.year % 100,
        )
        if not same:
            result.flags.append(
                f"Tanggal lahir dalam NIK ({nik[6:12]}) berbeda dengan tanggal lahir {birth_date:%d-%m-%Y}."
            )
    return result


def kk_check(kk_number: str, *, today: dt.date | None = None) -> CheckResult:
    """Check a KK number: issuing district, registration date (DDMMYY), serial not 0000."""
    result = CheckResult()
    kk_number = kk_number.strip()
    if not _digits(kk_number, "Nomor KK", result):
        return result
    _region_part(kk_number, "nomor KK", result)
    day, month, yy = int(kk_number[6:8]), int(kk_number[8:10]), int(kk_number[10:12])
    if not 1 <= day <= 31:
        result.errors.append(f"Digit 7–8 nomor KK (tanggal terbit) tidak sah: {kk_number[6:8]}.")
    if not 1 <= month <= 12:
        result.errors.append(f"Digit 9–10 nomor KK (bulan terbit) tidak sah: {kk_number[8:10]} (01–12).")
    if not result.errors and resolve_century(day, month, yy, today=today) is None:
        result.errors.append(
            f"Digit 7–12 nomor KK (tanggal terbit) tidak sah: {kk_number[6:12]} bukan tanggal yang ada."
        )
    if kk_number[12:] == "0000":
        result.errors.append("Digit 13–16 nomor KK (nomor urut) tidak sah: 0000.")
    return result


# -- names ---------------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"['’`ʼ]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def name_tokens(name: str) -> list[str]:
    """Lowercase, accents removed, apostrophes dropped (Ma'ruf -> maruf), split into words."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = _APOSTROPHES.sub("", plain)
    return [t[:NAME_TOKEN_MAX] for t in _NON_WORD.split(plain) if t]


def name_key(name: str) -> str:
    """The normalised name (words in their order), used to spot possible duplicates."""
    return " ".join(name_tokens(name))[:150]


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string above every string starting with ``prefix`` (tokens are [a-z0-9])."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def mask_nik(number: str) -> str:
    """``3510012101900001`` -> ``3510********0001`` (NIK or KK number); short input is hidden."""
    if len(number) != 16:
        return "*" * len(number)
    return f"{number[:4]}{'*' * 8}{number[12:]}"
