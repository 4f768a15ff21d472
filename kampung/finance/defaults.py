"""Defaults the regency may change: the budget calendar and the Dana Desa earmark rules.

The calendar follows domain.md §1.7 (N = budget year). The earmark rules follow the yearly
PMK as summarised in domain.md §3.3 (secondary sources, [S]); the kegiatan each rule counts are
this project's reading of where villages book that spending [U] — the regency admin edits
both on the calendar and earmark pages.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kampung.finance.models.ref import CalendarEvent, RuleKind


def default_calendar(year: int) -> dict[str, dt.date]:
    """Deadlines for budget year ``year`` (the RPJMDes deadline depends on each head's
    inauguration, so it is computed per plan, not listed here)."""
    before = year - 1
    return {
        CalendarEvent.RKPDES_START: dt.date(before, 7, 1),
        CalendarEvent.RKPDES_PERDES: dt.date(before, 9, 30),
        CalendarEvent.APBDES_AGREED: dt.date(before, 10, 31),
        CalendarEvent.APBDES_SUBMITTED: dt.date(before, 11, 3),
        CalendarEvent.APBDES_ENACTED: dt.date(before, 12, 31),
        CalendarEvent.SEMESTER_REPORT: dt.date(year, 7, 14),
        CalendarEvent.APBDES_REVISION: dt.date(year, 9, 30),
        CalendarEvent.UNFINISHED_REPORT: dt.date(year, 12, 15),
        CalendarEvent.LPJ: dt.date(year + 1, 3, 31),
    }


# (year, label, kind, percent, activity prefixes, basis)
EARMARK_DEFAULTS: list[tuple[int, str, str, Decimal, str, str]] = [
    (2024, "BLT Dana Desa", RuleKind.MAXIMUM, Decimal("25"), "05.03", "PMK 145/2023"),
    (2024, "Ketahanan pangan dan hewani", RuleKind.MINIMUM, Decimal("20"), "04.02", "PMK 145/2023"),
    (2025, "BLT Dana Desa", RuleKind.MAXIMUM, Decimal("15"), "05.03", "PMK 108/2024"),
    (2025, "Ketahanan pangan dan hewani", RuleKind.MINIMUM, Decimal("20"), "04.02", "PMK 108/2024"),
    (2025, "Operasional pemerintah desa", RuleKind.MAXIMUM, Decimal("3"), "01.01.04", "PMK 108/2024"),
    (2026, "BLT Dana Desa", RuleKind.MAXIMUM, Decimal("15"), "05.03", "mengikuti 2025 (konfirmasi PMK 2026)"),
    (
        2026,
        "Ketahanan pangan dan hewani",
        RuleKind.MINIMUM,
        Decimal("20"),
        "04.02",
        "mengikuti 2025 (konfirmasi PMK 2026)",
    ),
    (
        2026,
        "Operasional pemerintah desa",
        RuleKind.MAXIMUM,
        Decimal("3"),
        "01.01.04",
        "mengikuti 2025 (konfirmasi PMK 2026)",
    ),
    (2027, "BLT Dana Desa", RuleKind.MAXIMUM, Decimal("15"), "05.03", "mengikuti 2025 (konfirmasi PMK 2027)"),
    (
        2027,
        "Ketahanan pangan dan hewani",
        RuleKind.MINIMUM,
        Decimal("20"),
        "04.02",
        "mengikuti 2025 (konfirmasi PMK 2027)",
    ),
    (
        2027,
        "Operasional pemerintah desa",
        RuleKind.MAXIMUM,
        Decimal("3"),
        "01.01.04",
        "mengikuti 2025 (konfirmasi PMK 2027)",
    ),
]

# Spending on sub-bidang 01.01 kegiatan 01–07 (siltap, allowances, operations of the village
# government and BPD, RT/RW incentives) is at most this share of all spending (PP 43/2014
# Pasal 100 as amended by PP 11/2019; domain.md §1.8).
PERSONNEL_CAP_PERCENT = Decimal("30")
PERSONNEL_CAP_PREFIXES = tuple(f"01.01.0{i}" for i in range(1, 8))

# Working days the evaluator has before silence counts as approval (Pasal 35 ayat 4), and the
# days the village has to send the agreed draft (Pasal 34).
EVALUATION_WORKING_DAYS = 20
SUBMIT_DAYS_AFTER_AGREEMENT = 3
# One APBDes Perubahan a year, more only in an extraordinary event (Pasal 40).
REVISIONS_PER_YEAR = 1

# -- execution (finance II) ---------------------------------------------------------------

# Tax rates withheld or collected by the village treasurer (domain.md §1.4). Rates change by
# regulation, so each is dated; the regency admin edits them and adds regional taxes.
# (code, name, kind, rate %, rate without NPWP %, threshold, MAP/KJS, valid_from, valid_to, basis, notes)
TAX_RATE_DEFAULTS: list[
    tuple[str, str, str, Decimal, Decimal | None, Decimal, str, dt.date, dt.date | None, str, str]
] = [
    (
        "PPH21",
        "PPh Pasal 21",
        "pph",
        Decimal("5"),
        Decimal("6"),
        Decimal("0"),
        "411121-100",
        dt.date(2009, 1, 1),
        None,
        "UU PPh Pasal 21; PMK 168/2023",
        "Honorarium/upah bukan pegawai: tarif Pasal 17 atas 50% bruto; periksa per kasus [U]",
    ),
    (
        "PPH22",
        "PPh Pasal 22",
        "pph",
        Decimal("1.5"),
        Decimal("3"),
        Decimal("2000000"),
        "411122-910",
        dt.date(2009, 1, 1),
        None,
        "PMK 34/2017",
        "Pembelian barang di atas Rp2.000.000",
    ),
    (
        "PPH23",
        "PPh Pasal 23",
        "pph",
        Decimal("2"),
        Decimal("4"),
        Decimal("0"),
        "411124-104",
        dt.date(2009, 1, 1),
        None,
        "UU 36/2008 Pasal 23",
        "Jasa dan sewa selain tanah/bangunan",
    ),
    (
        "PPH4_2K",
        "PPh Pasal 4 ayat (2) jasa konstruksi",
        "pph",
        Decimal("1.75"),
        None,
        Decimal("0"),
        "411128-409",
        dt.date(2022, 2, 21),
        None,
        "PP 9/2022",
        "Pelaksana konstruksi kualifikasi kecil/perseorangan bersertifikat [U]",
    ),
    (
        "PPH4_2S",
        "PPh Pasal 4 ayat (2) sewa tanah/bangunan",
        "pph",
        Decimal("10"),
        None,
        Decimal("0"),
        "411128-403",
        dt.date(2017, 1, 1),
        None,
        "PP 34/2017",
        "",
    ),
    (
        "PPN",
        "PPN",
        "ppn",
        Decimal("10"),
        None,
        Decimal("2000000"),
        "411211-920",
        dt.date(2010, 1, 1),
        dt.date(2022, 3, 31),
        "UU 42/2009",
        "Dipungut atas pembelian di atas Rp2.000.000 [U]",
    ),
    (
        "PPN",
        "PPN",
        "ppn",
        Decimal("11"),
        None,
        Decimal("2000000"),
        "411211-920",
        dt.date(2022, 4, 1),
        None,
        "UU 7/2021 (HPP)",
        "Dipungut atas pembelian di atas Rp2.000.000 [U]",
    ),
]

# Dana Desa tranches (domain.md §3.2): (year, part, tranche, percent, earliest month, latest
# month, requires APBDes, requires last year's report, min absorption, min output, basis).
_TRANCHE_2024 = [
    ("reguler", 1, Decimal("40"), None, 6, True, False, None, None),
    ("reguler", 2, Decimal("60"), 4, None, False, True, Decimal("60"), Decimal("40")),
    ("mandiri", 1, Decimal("60"), None, 6, True, False, None, None),
    ("mandiri", 2, Decimal("40"), 4, None, False, True, Decimal("60"), Decimal("40")),
    ("earmark", 1, Decimal("60"), None, 6, True, False, None, None),
    ("earmark", 2, Decimal("40"), 4, None, False, True, Decimal("60"), Decimal("40")),
]
TRANCHE_DEFAULTS: list[
    tuple[int, str, int, Decimal, int | None, int | None, bool, bool, Decimal | None, Decimal | None, str]
] = [
    (year, *row, basis)
    for year, basis in (
        (2024, "PMK 145/2023"),
        (2025, "PMK 108/2024"),
        (2026, "mengikuti 2025 (konfirmasi PMK 2026)"),
        (2027, "mengikuti 2025 (konfirmasi PMK 2027)"),
    )
    for row in _TRANCHE_2024
]

# Working days an executor has to account for an advance (Pasal 55) unless the regency's
# setting says otherwise.
ADVANCE_WORKING_DAYS = 10
