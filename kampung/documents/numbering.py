"""Document numbers: the pattern language, and gap-free allocation inside a transaction.

A pattern is text with tokens in square brackets, as OpenSID writes them (domain.md §5.3)::

    [klasifikasi]/[nomor:03]/[kode_desa]/[bulan_romawi]/[tahun]  ->  400.12.3.1/007/3510012001/IV/2025

Allocation (:func:`number_allocate`) must run inside the caller's transaction (the one that
signs): the counter row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the
project opens every transaction with ``BEGIN IMMEDIATE``, so writers queue), and a rollback
of the caller returns the number with everything else — no gap, no duplicate.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kampung.core.errors import KampungError
from kampung.core.formatting import bulan_romawi
from kampung.documents.models import DEFAULT_PATTERNS, NumberCounter, NumberSeries, SeriesKind
from kampung.regions.models import Region

TOKENS = ("klasifikasi", "nomor", "kode_desa", "bulan_romawi", "bulan", "tahun")
MAX_WIDTH = 6
MAX_NUMBER_LENGTH = 120
_TOKEN_RE = re.compile(r"\[([^\[\]]*)\]")
_CLASSIFICATION_RE = re.compile(r"^\d{3}(\.\d{1,3})*$")


class PatternError(KampungError):
    code = "pola_tidak_sah"


@dataclass(frozen=True)
class Token:
    name: str
    width: int = 0


def pattern_parse(pattern: str) -> list[str | Token]:
    """The pattern as literal text and tokens; :class:`PatternError` says what is wrong."""
    text = (pattern or "").strip()
    if not text:
        raise PatternError("Pola nomor wajib diisi, misalnya " + DEFAULT_PATTERNS[SeriesKind.SERVICE_LETTER])
    parts: list[str | Token] = []
    position = 0
    for match in _TOKEN_RE.finditer(text):
        literal = text[position : match.start()]
        if "[" in literal or "]" in literal:
            raise PatternError("Tanda kurung siku pada pola tidak berpasangan.")
        if literal:
            parts.append(literal)
        parts.append(_token(match.group(1)))
        position = match.end()
    rest = text[position:]
    if "[" in rest or "]" in rest:
        raise PatternError("Tanda kurung siku pada pola tidak berpasangan.")
    if rest:
        parts.append(rest)
    names = [p.name for p in parts if isinstance(p, Token)]
    if "nomor" not in names:
        raise PatternError("Pola harus memuat [nomor] (nomor urut), misalnya [nomor:03].")
    if names.count("nomor") > 1:
        raise PatternError("[nomor] hanya boleh muncul satu kali dalam pola.")
    if "tahun" not in names:
        raise PatternError(
            "Pola harus memuat [tahun]: nomor urut dimulai lagi dari 1 setiap tahun, "
            "jadi tanpa tahun nomor akan terulang."
        )
    return parts


def _token(raw: str) -> Token:
    name, _, width_text = raw.strip().partition(":")
    name = name.strip().lower()
    known = ", ".join(f"[{t}]" for t in TOKENS)
    if name not in TOKENS:
        raise PatternError(f"Penanda [{raw}] tidak dikenal. Penanda yang dapat dipakai: {known}.")
    if not width_text:
        return Token(name)
    if name != "nomor":
        raise PatternError(f"Lebar angka hanya untuk [nomor], bukan [{raw}].")
    if not width_text.strip().isdigit() or not 1 <= int(width_text) <= MAX_WIDTH:
        raise PatternError(
            f"Lebar [nomor:{width_text}] harus angka 1 sampai {MAX_WIDTH}, misalnya [nomor:03]."
        )
    return Token(name, int(width_text))


def pattern_validate(pattern: str) -> str:
    """The pattern, stripped, if it is valid (for forms and the series service)."""
    pattern_parse(pattern)
    return pattern.strip()


def classification_validate(code: str) -> str:
    code = (code or "").strip()
    if code and not _CLASSIFICATION_RE.match(code):
        raise KampungError(
            f"Kode klasifikasi '{code}' tidak sah. Tulis angka bertitik, misalnya 400.12.2.1 atau 470."
        )
    return code


def number_format(pattern: str, *, sequence: int, classification: str, village_code: str, on: dt.date) -> str:
    """Fill the pattern in. A pattern that needs a classification refuses an empty one."""
    out: list[str] = []
    for part in pattern_parse(pattern):
        if isinstance(part, str):
            out.append(part)
        elif part.name == "nomor":
            out.append(str(sequence).zfill(part.width) if part.width else str(sequence))
        elif part.name == "klasifikasi":
            if not classification:
                raise KampungError("Kode klasifikasi wajib diisi untuk pola nomor ini.")
            out.append(classification)
        elif part.name == "kode_desa":
            out.append(village_code)
        elif part.name == "bulan_romawi":
            out.append(bulan_romawi(on.month))
        elif part.name == "bulan":
            out.append(f"{on.month:02d}")
        else:
            out.append(str(on.year))
    number = "".join(out)
    if len(number) > MAX_NUMBER_LENGTH:
        raise KampungError(
            f"Nomor terlalu panjang (lebih dari {MAX_NUMBER_LENGTH} huruf); perpendek polanya."
        )
    return number


def local_date(at: dt.datetime, village: Region) -> dt.date:
    """The date at the village (its regency's time zone): the year a number belongs to."""
    tz_name = (
        Region.objects.filter(code=village.regency_code).values_list("timezone", flat=True).first()
        or settings.TIME_ZONE
    )
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return at.astimezone(zoneinfo.ZoneInfo(tz_name)).date()


def series_get(*, village: Region, kind: str) -> NumberSeries:
    """The village's series for ``kind``, made with the default pattern on first use."""
    if kind not in SeriesKind.values:
        raise KampungError(f"Jenis seri nomor '{kind}' tidak dikenal.")
    series, _ = NumberSeries.objects.get_or_create(
        village=village, kind=kind, defaults={"pattern": DEFAULT_PATTERNS[kind]}
    )
    return series


@dataclass(frozen=True)
class Allocation:
    series: NumberSeries
    year: int
    sequence: int
    number: str
    on: dt.date


@transaction.atomic
def sequence_next(*, series: NumberSeries, year: int) -> int:
    """The next running number of ``series`` in ``year``; the counter row stays locked until
    the caller's transaction ends (so two signers can never read the same value)."""
    NumberCounter.objects.bulk_create(
        [NumberCounter(series=series, year=year, last=0)], ignore_conflicts=True
    )
    counter = NumberCounter.objects.select_for_update().get(series=series, year=year)
    counter.last += 1
    NumberCounter.objects.filter(pk=counter.pk).update(last=counter.last)
    return counter.last


def number_allocate(*, village: Region, kind: str, classification: str, at: dt.datetime) -> Allocation:
    """Give the next number of the village's ``kind`` series for the year of ``at``.

    Call it inside the transaction that signs or records the document: if that transaction
    rolls back, so does the number. Outside any transaction it is refused, because the number
    would be committed before the document that carries it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_allocate must run inside the caller's transaction.atomic() block")
    classification = classification_validate(classification)
    on = local_date(at, village)
    series = series_get(village=village, kind=kind)
    sequence = sequence_next(series=series, year=on.year)
    number = number_format(
        series.pattern,
        sequence=sequence,
        classification=classification,
        village_code=series.code_on_number,
        on=on,
    )
    return Allocation(series=series, year=on.year, sequence=sequence, number=number, on=on)
