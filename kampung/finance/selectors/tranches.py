"""Dana Desa tranches: the yearly rules and each village's readiness for its next tranche.

Reading of domain.md §3.2 (PMK 145/2023, PMK 108/2024), as implemented here:

- Dana Desa has a non-earmarked part and an earmarked part. The non-earmarked part goes by the
  village's status: a Desa Mandiri (``VillageStatus`` of the year) follows the ``mandiri`` rows
  of the table, every other desa (and a desa without a status) the ``reguler`` rows; the
  earmarked part follows the ``earmark`` rows.
- The base of each part: the earmarked part is the Dana Desa (DDS) budget, in the APBDes in
  force, of the kegiatan the year's earmark rules (``EarmarkRule``) name; the non-earmarked part
  is the village's DDS ceiling (``Ceiling``) minus that. A tranche's amount is its percent of
  the base (whole rupiah; the last tranche of a part takes the rounding rest).
- Received: receipts (TBP) on 4.2.1.01 that name the tranche and whose journal entry was not
  reversed; ``earmarked`` receipts count for the earmarked part.
- Conditions of a tranche (each shown met or missing, in words):
  * ``requires_apbdes``: the Perdes APBDes of the year is enacted (an APBDes in force);
  * ``requires_previous_year_report``: the report on the realisation and output of the previous
    year's Dana Desa. We read it as the LPJ of year − 1 submitted to the regency
    (``ReportSubmission`` kind ``lpj`` of the previous year's book); the semester-I report of the
    current year is due in July, after tranche II opens in April, so it is not required;
  * ``min_absorption``: Dana Desa spending realised this year (5.x lines with source DDS, net
    of corrections) ÷ Dana Desa received this year (4.2.1.01, net) ≥ the threshold;
  * ``min_output``: the average progress percent of the kegiatan with DDS lines in the APBDes
    in force (the latest ``ProgressReport`` of each; no report counts 0 %) ≥ the threshold;
  * ``earliest_month``: the month has been reached;
  * for tranche n > 1, tranche n − 1 of the same part has been received.
- The "next" tranche of a part is its first tranche not yet fully received.

:func:`readiness_for` computes many villages with a fixed number of queries (the regency page
lists 189 desa); :func:`tranche_readiness` is the same for one village.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from kampung.core.formatting import MONTHS_ID, rupiah
from kampung.finance.models import (
    Apbdes,
    BudgetLine,
    Ceiling,
    DesaStatus,
    EarmarkRule,
    JournalLine,
    ProgressReport,
    Receipt,
    ReportKind,
    ReportSubmission,
    TranchePart,
    TrancheRule,
    VillageStatus,
)
from kampung.finance.selectors.ledger import IN_FORCE
from kampung.regions.models import Kind, Level, Region

ZERO = Decimal("0")
HUNDRED = Decimal("100")
RUPIAH = Decimal("1")
DD_ACCOUNT = "4.2.1.01"
DD_SOURCE = "DDS"
NON_EARMARK_PARTS = (TranchePart.REGULAR, TranchePart.INDEPENDENT)


def month_label(month: int | None) -> str:
    return MONTHS_ID[month - 1] if month and 1 <= month <= 12 else ""


def rules_by_part(year: int) -> dict[str, list[TrancheRule]]:
    out: dict[str, list[TrancheRule]] = {part: [] for part in TranchePart.values}
    for rule in TrancheRule.objects.filter(year=year).order_by("part", "tranche"):
        out.setdefault(rule.part, []).append(rule)
    return out


def part_problems(rules: Sequence[TrancheRule]) -> list[str]:
    """Why a year's table is not usable (a part whose percents do not add up to 100)."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for rule in rules:
        totals[rule.part] += rule.percent
    labels = dict(TranchePart.choices)
    return [
        f"Jumlah persentase bagian “{labels.get(part, part)}” {total.normalize():f}%, seharusnya 100%."
        for part, total in sorted(totals.items())
        if total != HUNDRED
    ]


@dataclass
class Condition:
    label: str
    met: bool
    detail: str = ""


@dataclass
class TrancheState:
    part: str
    tranche: int
    percent: Decimal
    amount: Decimal
    received: Decimal
    earliest_month: int | None
    latest_month: int | None
    conditions: list[Condition] = field(default_factory=list)
    late: bool = False

    @property
    def part_label(self) -> str:
        return str(dict(TranchePart.choices).get(self.part, self.part))

    @property
    def done(self) -> bool:
        return self.received > 0 and self.received >= self.amount

    @property
    def ready(self) -> bool:
        return all(c.met for c in self.conditions)

    @property
    def missing(self) -> list[Condition]:
        return [c for c in self.conditions if not c.met]

    @property
    def window(self) -> str:
        parts = []
        if self.earliest_month:
            parts.append(f"paling cepat {month_label(self.earliest_month)}")
        if self.latest_month:
            parts.append(f"paling lambat {month_label(self.latest_month)}")
        return ", ".join(parts)


@dataclass
class Readiness:
    village: Region
    year: int
    status: str
    ceiling: Decimal | None
    earmark_base: Decimal
    non_earmark_part: str
    received_dd: Decimal
    spent_dd: Decimal
    absorption: Decimal | None
    output: Decimal | None
    apbdes: Apbdes | None
    tranches: list[TrancheState] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return (
            str(dict(DesaStatus.choices).get(self.status, "belum ditetapkan"))
            if self.status
            else "belum ditetapkan"
        )

    @property
    def non_earmark_base(self) -> Decimal:
        return max((self.ceiling or ZERO) - self.earmark_base, ZERO)

    def of_part(self, part: str) -> list[TrancheState]:
        return [t for t in self.tranches if t.part == part]

    def next_of(self, part: str) -> TrancheState | None:
        return next((t for t in self.of_part(part) if not t.done), None)

    @property
    def next_non_earmark(self) -> TrancheState | None:
        return self.next_of(self.non_earmark_part)

    @property
    def next_earmark(self) -> TrancheState | None:
        return self.next_of(TranchePart.EARMARKED)


def _split(base: Decimal, rules: Sequence[TrancheRule]) -> list[Decimal]:
    amounts = [(base * rule.percent / HUNDRED).quantize(RUPIAH, rounding=ROUND_DOWN) for rule in rules]
    if amounts and sum((r.percent for r in rules), ZERO) == HUNDRED:
        amounts[-1] = base - sum(amounts[:-1], ZERO)
    return amounts


def _pct(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value.quantize(Decimal('0.1'))}%".replace(".", ",")


def _earmarked(code: str, prefixes: Sequence[str]) -> bool:
    return any(code == p or code.startswith(p + ".") for p in prefixes)


def readiness_for(villages: Iterable[Region], year: int, *, today: dt.date | None = None) -> list[Readiness]:
    """The readiness of each of ``villages`` (desa) for every Dana Desa tranche of ``year``."""
    villages = list(villages)
    codes = [v.code for v in villages]
    today = today or timezone.localdate()
    if not codes:
        return []
    rules = rules_by_part(year)
    statuses = dict(
        VillageStatus.objects.filter(year=year, village_id__in=codes).values_list("village_id", "status")
    )
    ceilings = dict(
        Ceiling.objects.filter(year=year, source_id=DD_SOURCE, village_id__in=codes).values_list(
            "village_id", "amount"
        )
    )
    budgets: dict[str, Apbdes] = {}
    for version in Apbdes.objects.filter(year=year, village_id__in=codes, status__in=IN_FORCE).order_by(
        "village_id", "revision"
    ):
        budgets[version.village_id] = version  # the latest enacted revision wins
    prefixes = [p for rule in EarmarkRule.objects.filter(year=year) for p in rule.prefixes()]
    dd_activities: dict[int, set[str]] = defaultdict(set)
    earmark_base: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for apbdes_id, activity_code, amount in BudgetLine.objects.filter(
        activity__apbdes_id__in=[a.pk for a in budgets.values()], source_id=DD_SOURCE
    ).values_list("activity__apbdes_id", "activity__activity_code__code", "amount"):
        dd_activities[apbdes_id].add(activity_code)
        if prefixes and _earmarked(activity_code, prefixes):
            earmark_base[apbdes_id] += amount
    received: dict[tuple[str, int, bool], Decimal] = defaultdict(lambda: ZERO)
    for village_id, tranche, earmarked, amount in (
        Receipt.objects.filter(
            book__year=year,
            book__village_id__in=codes,
            account_code=DD_ACCOUNT,
            tranche__isnull=False,
            entry__reversed_by__isnull=True,
        )
        .values_list("book__village_id", "tranche", "earmarked")
        .annotate(total=Sum("amount"))
    ):
        received[(village_id, tranche, earmarked)] += amount
    dd_in: dict[str, Decimal] = defaultdict(lambda: ZERO)
    dd_out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for village_id, account, debit, credit in (
        JournalLine.objects.filter(book__year=year, book__village_id__in=codes)
        .filter(Q(account_code=DD_ACCOUNT) | Q(account_code__startswith="5.", source_code=DD_SOURCE))
        .values_list("book__village_id", "account_code")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    ):
        if account == DD_ACCOUNT:
            dd_in[village_id] += (credit or ZERO) - (debit or ZERO)
        else:
            dd_out[village_id] += (debit or ZERO) - (credit or ZERO)
    lpj_before = dict(
        ReportSubmission.objects.filter(
            book__year=year - 1, book__village_id__in=codes, kind=ReportKind.LPJ
        ).values_list("book__village_id", "submitted_on")
    )
    progress: dict[tuple[str, str], Decimal] = {}
    for village_id, code, percent in (
        ProgressReport.objects.filter(book__year=year, book__village_id__in=codes)
        .order_by("date", "pk")
        .values_list("book__village_id", "activity_code", "percent")
    ):
        progress[(village_id, code)] = percent  # the latest report wins

    out = []
    for village in villages:
        code = village.code
        status = statuses.get(code, "")
        part = TranchePart.INDEPENDENT if status == DesaStatus.INDEPENDENT else TranchePart.REGULAR
        apbdes = budgets.get(code)
        ceiling = ceilings.get(code)
        earmark = earmark_base[apbdes.pk] if apbdes else ZERO
        activities = sorted(dd_activities[apbdes.pk]) if apbdes else []
        output = (
            sum((progress.get((code, a), ZERO) for a in activities), ZERO) / len(activities)
            if activities
            else None
        )
        absorption = dd_out[code] / dd_in[code] * HUNDRED if dd_in[code] > 0 else None
        readiness = Readiness(
            village=village,
            year=year,
            status=status,
            ceiling=ceiling,
            earmark_base=earmark,
            non_earmark_part=part,
            received_dd=dd_in[code],
            spent_dd=dd_out[code],
            absorption=absorption,
            output=output,
            apbdes=apbdes,
        )
        if ceiling is None:
            readiness.notes.append(
                f"Pagu Dana Desa {year} desa ini belum ditetapkan; nilai tahap dihitung nol."
            )
        if apbdes is None:
            readiness.notes.append("Pagu earmark dihitung dari APBDes yang berlaku; APBDes belum ditetapkan.")
        for this_part, base in ((part, readiness.non_earmark_base), (TranchePart.EARMARKED, earmark)):
            part_rules = rules.get(this_part, [])
            if not part_rules:
                readiness.notes.append(
                    f"Aturan tahap {dict(TranchePart.choices)[this_part]} tahun {year} belum diisi."
                )
            amounts = _split(base, part_rules)
            previous: TrancheState | None = None
            for rule, amount in zip(part_rules, amounts, strict=True):
                state = TrancheState(
                    part=this_part,
                    tranche=rule.tranche,
                    percent=rule.percent,
                    amount=amount,
                    received=received[(code, rule.tranche, this_part == TranchePart.EARMARKED)],
                    earliest_month=rule.earliest_month,
                    latest_month=rule.latest_month,
                )
                state.conditions = _conditions(
                    rule, readiness, previous, lpj_before.get(code), year, today, len(activities)
                )
                if rule.latest_month and not state.done:
                    state.late = (year, rule.latest_month) < (today.year, today.month)
                readiness.tranches.append(state)
                previous = state
        out.append(readiness)
    return out


def _conditions(
    rule: TrancheRule,
    r: Readiness,
    previous: TrancheState | None,
    lpj_on: dt.date | None,
    year: int,
    today: dt.date,
    dd_activity_count: int,
) -> list[Condition]:
    out = []
    if previous is not None:
        out.append(
            Condition(
                f"Tahap {previous.tranche} sudah diterima",
                previous.done,
                f"diterima {rupiah(previous.received)} dari {rupiah(previous.amount)}"
                if not previous.done
                else f"diterima {rupiah(previous.received)}",
            )
        )
    if rule.requires_apbdes:
        a = r.apbdes
        out.append(
            Condition(
                f"Perdes APBDes {year} ditetapkan",
                a is not None,
                (
                    f"Perdes No. {a.perdes_number}"
                    + (f" tanggal {a.perdes_date:%d-%m-%Y}" if a.perdes_date else "")
                )
                if a is not None
                else f"APBDes {year} belum ditetapkan",
            )
        )
    if rule.requires_previous_year_report:
        out.append(
            Condition(
                f"Laporan realisasi dan keluaran Dana Desa {year - 1} (LPJ {year - 1}) disampaikan",
                lpj_on is not None,
                f"disampaikan {lpj_on:%d-%m-%Y}"
                if lpj_on
                else f"LPJ {year - 1} belum disampaikan ke kabupaten",
            )
        )
    if rule.min_absorption is not None:
        met = r.absorption is not None and r.absorption >= rule.min_absorption
        detail = (
            f"penyerapan {_pct(r.absorption)} ({rupiah(r.spent_dd)} dari {rupiah(r.received_dd)} diterima)"
            if r.absorption is not None
            else "belum ada Dana Desa yang diterima tahun ini"
        )
        out.append(Condition(f"Penyerapan Dana Desa paling sedikit {_pct(rule.min_absorption)}", met, detail))
    if rule.min_output is not None:
        met = r.output is not None and r.output >= rule.min_output
        detail = (
            f"rata-rata kemajuan {_pct(r.output)} dari {dd_activity_count} kegiatan Dana Desa"
            if r.output is not None
            else "tidak ada kegiatan Dana Desa dalam APBDes yang berlaku"
        )
        out.append(
            Condition(f"Capaian keluaran rata-rata paling sedikit {_pct(rule.min_output)}", met, detail)
        )
    if rule.earliest_month:
        reached = (today.year, today.month) >= (year, rule.earliest_month)
        out.append(
            Condition(
                f"Sudah memasuki bulan {month_label(rule.earliest_month)} {year}",
                reached,
                "" if reached else f"paling cepat disalurkan bulan {month_label(rule.earliest_month)} {year}",
            )
        )
    return out


def tranche_readiness(village_code: str, year: int, *, today: dt.date | None = None) -> Readiness:
    """The readiness of one desa for each Dana Desa tranche of ``year``."""
    village = Region.objects.select_related("parent").get(code=village_code)
    return readiness_for([village], year, today=today)[0]


def desa_under(region_code: str, *, within: Iterable[str] | None = None) -> list[Region]:
    """The desa (no kelurahan) under a regency or district, optionally only those in ``within``."""
    qs = Region.objects.filter(
        level=Level.VILLAGE, code__startswith=region_code + ".", kind__in=(Kind.DESA, Kind.DESA_ADAT)
    ).select_related("parent")
    if within is not None:
        qs = qs.filter(code__in=sorted(set(within)))
    return list(qs.order_by("code"))
