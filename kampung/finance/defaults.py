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
