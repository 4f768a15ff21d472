"""The content of the printed budget documents, shared by the PDF and Excel builders.

Every figure comes from :func:`kampung.finance.budget.budget_snapshot` and
:func:`kampung.finance.budget.budget_totals` (or, for the RAB lines themselves, the line rows
those are summed from), so the Lampiran Perdes, the Penjabaran, the RAB and the RAK can
never disagree with the budget lines or with each other.

- Lampiran Perdes APBDes (Permendagri 20/2018 Lampiran): PENDAPATAN down to jenis (level 3),
  BELANJA by bidang → sub-bidang → kegiatan, PEMBIAYAAN 6.1/6.2/netto, surplus and SiLPA.
- Penjabaran APBDes (Perkades): the same down to obyek (level 4), with each kegiatan's
  spending by jenis and obyek and its RAB lines (volume, unit, unit price).
- RAB per kegiatan; RAK Desa (lines x 12 months with quarter totals).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from kampung.accounts.models import Official
from kampung.core.formatting import MONTHS_ID
from kampung.finance.budget import (
    FINANCING,
    REVENUE,
    SPENDING,
    ZERO,
    Snapshot,
    Totals,
    budget_snapshot,
    budget_totals,
)
from kampung.finance.models import Account, ActivityCode, Apbdes, BudgetActivity, BudgetLine
from kampung.regions.models import Region, VillageProfile

MONTHS = 12
QUARTERS = ("Tw I", "Tw II", "Tw III", "Tw IV")

# Row kinds (the templates style them; the Excel builder bolds the headings and totals).
HEAD, GROUP, ITEM, DETAIL, RAB, TOTAL = "head", "group", "item", "detail", "rab", "total"

TOTAL_KEYS = {
    "revenue": "JUMLAH PENDAPATAN",
    "spending": "JUMLAH BELANJA",
    "surplus": "SURPLUS/(DEFISIT)",
    "financing_in": "JUMLAH PENERIMAAN PEMBIAYAAN",
    "financing_out": "JUMLAH PENGELUARAN PEMBIAYAAN",
    "net_financing": "PEMBIAYAAN NETTO",
    "remaining": "SISA LEBIH/(KURANG) PEMBIAYAAN ANGGARAN TAHUN BERJALAN",
}


@dataclass(frozen=True)
class Row:
    kind: str
    code: str
    name: str
    amount: Decimal | None
    source: str = ""
    volume: Decimal | None = None
    unit: str = ""
    unit_price: Decimal | None = None
    key: str = ""  # for totals: a key of TOTAL_KEYS
    depth: int = 0


@dataclass
class Signer:
    title: str
    name: str = ""
    staff_number: str = ""


@dataclass
class Document:
    apbdes: Apbdes
    village: Region
    title: str
    subtitle: str
    rows: list[Row]
    totals: Totals
    kop: dict[str, str]
    signers: list[Signer] = field(default_factory=list)
    place_date: str = ""


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _account_names(village: Region, codes: set[str]) -> dict[str, str]:
    wanted = {c for code in codes for c in _ancestors(code)}
    names: dict[str, str] = {}
    rows = Account.objects.filter(code__in=wanted).filter(
        Q(regency__isnull=True) | Q(regency_id=village.regency_code)
    )
    for code, name, lampiran, regency in rows.values_list("code", "name", "lampiran_name", "regency_id"):
        if code not in names or regency:  # a regency's own name wins
            names[code] = lampiran or name
    return names


def _activity_names(village: Region, codes: set[str]) -> dict[str, str]:
    wanted = {c for code in codes for c in (code[:2], code[:5], code)}
    names: dict[str, str] = {}
    rows = ActivityCode.objects.filter(code__in=wanted).filter(
        Q(regency__isnull=True) | Q(regency_id=village.regency_code)
    )
    for code, name, regency in rows.values_list("code", "name", "regency_id"):
        if code not in names or regency:
            names[code] = name
    return names


def _sum_prefix(amounts: dict[str, Decimal], prefix: str) -> Decimal:
    return sum((v for k, v in amounts.items() if k == prefix or k.startswith(prefix + ".")), ZERO)


def _sources(lines: list[Any]) -> str:
    return ", ".join(sorted({line.source_code for line in lines if line.source_code}))


def _prefixed(word: str, name: str) -> str:
    """ "Bidang Pelaksanaan …" once, whether or not the reference name already says so."""
    return name if name.lower().startswith(word.lower()) else f"{word} {name}"


def kop_for(village: Region) -> dict[str, str]:
    district = village.parent
    regency = district.parent if district is not None else None
    profile = VillageProfile.objects.filter(village=village).first()
    address = ""
    if profile is not None:
        address = ", ".join(p for p in (profile.address, profile.phone and f"Telp. {profile.phone}") if p)
    return {
        "regency": regency.name if regency is not None else "",
        "district": district.name if district is not None else "",
        "title": f"Pemerintah Desa {village.name}",
        "address": address,
    }


def _official(village: Region, *words: str) -> tuple[str, str]:
    for word in words:
        found = (
            Official.objects.filter(village=village, active=True, position__icontains=word)
            .order_by("order", "pk")
            .values_list("name", "staff_number")
            .first()
        )
        if found:
            return found[0], found[1]
    return "", ""


def head_signer(village: Region) -> Signer:
    name, number = _official(village, "kepala desa")
    if not name:
        profile = VillageProfile.objects.filter(village=village).first()
        name = profile.head_name if profile else ""
    return Signer(f"Kepala Desa {village.name}", name, number)


def secretary_signer(village: Region) -> Signer:
    name, number = _official(village, "sekretaris desa", "sekretaris")
    return Signer("Sekretaris Desa", name, number)


def _revenue_rows(snapshot: Snapshot, totals: Totals, names: dict[str, str], *, detail: bool) -> list[Row]:
    rows = [Row(HEAD, "4", names.get("4", "PENDAPATAN").upper(), totals.revenue)]
    lines = snapshot.of(REVENUE)
    by_account = totals.revenue_by_account
    kelompok = sorted({code.rsplit(".", 2)[0] for code in by_account})
    for k in kelompok:
        rows.append(Row(GROUP, k, names.get(k, k), _sum_prefix(by_account, k), depth=1))
        for j in sorted({code.rsplit(".", 1)[0] for code in by_account if code.startswith(k + ".")}):
            own = [line for line in lines if line.account_code.startswith(j + ".")]
            rows.append(Row(ITEM, j, names.get(j, j), _sum_prefix(by_account, j), _sources(own), depth=2))
            if detail:
                for code in sorted(c for c in by_account if c.startswith(j + ".")):
                    these = [line for line in own if line.account_code == code]
                    rows.append(
                        Row(DETAIL, code, names.get(code, code), by_account[code], _sources(these), depth=3)
                    )
    rows.append(Row(TOTAL, "", TOTAL_KEYS["revenue"], totals.revenue, key="revenue"))
    return rows


def _spending_rows(
    apbdes: Apbdes,
    snapshot: Snapshot,
    totals: Totals,
    names: dict[str, str],
    activity_names: dict[str, str],
    *,
    detail: bool,
) -> list[Row]:
    rows = [Row(HEAD, "5", names.get("5", "BELANJA").upper(), totals.spending)]
    activities = list(
        BudgetActivity.objects.filter(apbdes=apbdes)
        .select_related("activity_code")
        .order_by("activity_code__code", "pk")
    )
    spending = snapshot.of(SPENDING)
    by_activity: dict[int, list[Any]] = defaultdict(list)
    for line in spending:
        by_activity[line.activity_id or 0].append(line)
    rab: dict[int, list[BudgetLine]] = defaultdict(list)
    if detail:
        for row in (
            BudgetLine.objects.filter(activity__apbdes=apbdes)
            .select_related("account")
            .order_by("account__code", "pk")
        ):
            rab[row.activity_id].append(row)
    bidang_seen: set[str] = set()
    sub_seen: set[str] = set()
    for activity in activities:
        code = activity.activity_code.code
        bidang, sub = code[:2], code[:5]
        if bidang not in bidang_seen:
            bidang_seen.add(bidang)
            rows.append(
                Row(
                    GROUP,
                    bidang,
                    _prefixed("Bidang", activity_names.get(bidang, bidang)),
                    totals.spending_by_bidang.get(bidang, ZERO),
                    depth=1,
                )
            )
        if sub not in sub_seen:
            sub_seen.add(sub)
            rows.append(
                Row(
                    GROUP,
                    sub,
                    _prefixed("Sub Bidang", activity_names.get(sub, sub)),
                    totals.spending_by_sub_bidang.get(sub, ZERO),
                    depth=2,
                )
            )
        own = by_activity.get(activity.pk, [])
        rows.append(
            Row(
                ITEM,
                code,
                activity.name,
                totals.spending_by_activity.get(activity.pk, ZERO),
                _sources(own),
                depth=3,
            )
        )
        if not detail:
            continue
        by_account: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in own:
            by_account[line.account_code] += line.amount
        for jenis in sorted({c.rsplit(".", 1)[0] for c in by_account}):
            rows.append(Row(DETAIL, jenis, names.get(jenis, jenis), _sum_prefix(by_account, jenis), depth=4))
            for obyek in sorted(c for c in by_account if c.startswith(jenis + ".")):
                these = [line for line in own if line.account_code == obyek]
                rows.append(
                    Row(DETAIL, obyek, names.get(obyek, obyek), by_account[obyek], _sources(these), depth=5)
                )
                for rab_line in rab.get(activity.pk, []):
                    if rab_line.account.code == obyek:
                        rows.append(
                            Row(
                                RAB,
                                "",
                                rab_line.description,
                                rab_line.amount,
                                rab_line.source_id,
                                volume=rab_line.volume,
                                unit=rab_line.unit,
                                unit_price=rab_line.unit_price,
                                depth=6,
                            )
                        )
    rows.append(Row(TOTAL, "", TOTAL_KEYS["spending"], totals.spending, key="spending"))
    rows.append(Row(TOTAL, "", TOTAL_KEYS["surplus"], totals.surplus, key="surplus"))
    return rows


def _financing_rows(snapshot: Snapshot, totals: Totals, names: dict[str, str], *, detail: bool) -> list[Row]:
    rows = [Row(HEAD, "6", names.get("6", "PEMBIAYAAN").upper(), None)]
    lines = snapshot.of(FINANCING)
    by_account = totals.financing_by_account
    for kelompok, key, amount in (
        ("6.1", "financing_in", totals.financing_in),
        ("6.2", "financing_out", totals.financing_out),
    ):
        rows.append(Row(GROUP, kelompok, names.get(kelompok, kelompok), amount, depth=1))
        for j in sorted({c.rsplit(".", 1)[0] for c in by_account if c.startswith(kelompok + ".")}):
            own = [line for line in lines if line.account_code.startswith(j + ".")]
            rows.append(Row(ITEM, j, names.get(j, j), _sum_prefix(by_account, j), _sources(own), depth=2))
            if detail:
                for code in sorted(c for c in by_account if c.startswith(j + ".")):
                    these = [line for line in own if line.account_code == code]
                    rows.append(
                        Row(DETAIL, code, names.get(code, code), by_account[code], _sources(these), depth=3)
                    )
        rows.append(Row(TOTAL, "", TOTAL_KEYS[key], amount, key=key))
    rows.append(Row(TOTAL, "", TOTAL_KEYS["net_financing"], totals.net_financing, key="net_financing"))
    rows.append(Row(TOTAL, "", TOTAL_KEYS["remaining"], totals.remaining, key="remaining"))
    return rows


def budget_document(apbdes: Apbdes, *, detail: bool) -> Document:
    """The Lampiran Perdes (``detail=False``) or the Penjabaran (``detail=True``)."""
    village = Region.objects.select_related("parent__parent").get(code=apbdes.village_id)
    snapshot = budget_snapshot(apbdes)
    totals = budget_totals(snapshot)
    codes = {line.account_code for line in snapshot.lines} | {"4", "5", "6", "6.1", "6.2"}
    names = _account_names(village, codes)
    activity_codes = set(
        BudgetActivity.objects.filter(apbdes=apbdes).values_list("activity_code__code", flat=True)
    )
    activity_names = _activity_names(village, activity_codes)
    rows = [
        *_revenue_rows(snapshot, totals, names, detail=detail),
        *_spending_rows(apbdes, snapshot, totals, names, activity_names, detail=detail),
        *_financing_rows(snapshot, totals, names, detail=detail),
    ]
    version = "Perubahan " if apbdes.revision else ""
    if detail:
        title = f"Penjabaran Anggaran Pendapatan dan Belanja Desa {version}Tahun Anggaran {apbdes.year}"
        basis = (
            f"Lampiran Peraturan Kepala Desa Nomor {apbdes.penjabaran_number}"
            if apbdes.penjabaran_number
            else "Lampiran Peraturan Kepala Desa tentang Penjabaran APBDes"
        )
    else:
        title = f"Anggaran Pendapatan dan Belanja Desa {version}Tahun Anggaran {apbdes.year}"
        basis = (
            f"Lampiran Peraturan Desa Nomor {apbdes.perdes_number}"
            if apbdes.perdes_number
            else "Lampiran Rancangan Peraturan Desa tentang APBDes"
        )
    return Document(
        apbdes=apbdes,
        village=village,
        title=title,
        subtitle=f"{basis} — Desa {village.name}",
        rows=rows,
        totals=totals,
        kop=kop_for(village),
        signers=[head_signer(village)],
    )


@dataclass
class RabDocument:
    apbdes: Apbdes
    activity: BudgetActivity
    village: Region
    lines: list[BudgetLine]
    total: Decimal
    kop: dict[str, str]
    executor: Signer
    secretary: Signer
    head: Signer
    sources: str


def rab_document(activity: BudgetActivity) -> RabDocument:
    apbdes = activity.apbdes
    village = Region.objects.select_related("parent__parent").get(code=apbdes.village_id)
    totals = budget_totals(budget_snapshot(apbdes))
    lines = list(
        BudgetLine.objects.filter(activity=activity)
        .select_related("account", "source")
        .order_by("account__code", "pk")
    )
    executor_name = activity.executor_name
    if not executor_name and activity.executor is not None:
        executor_name = getattr(activity.executor, "display_name", "") or str(activity.executor)
    return RabDocument(
        apbdes=apbdes,
        activity=activity,
        village=village,
        lines=lines,
        total=totals.spending_by_activity.get(activity.pk, ZERO),
        kop=kop_for(village),
        executor=Signer("Pelaksana Kegiatan", executor_name),
        secretary=secretary_signer(village),
        head=head_signer(village),
        sources=", ".join(sorted({line.source_id for line in lines})),
    )


@dataclass(frozen=True)
class RakRow:
    line: BudgetLine
    months: list[Decimal]
    quarters: list[Decimal]
    total: Decimal
    problem: str


@dataclass
class RakGrid:
    apbdes: Apbdes
    rows: list[RakRow]
    month_totals: list[Decimal]
    quarter_totals: list[Decimal]
    budget_total: Decimal
    planned_total: Decimal
    month_names: tuple[str, ...] = MONTHS_ID

    @property
    def balanced(self) -> bool:
        return not any(row.problem for row in self.rows)


def quarters_of(months: list[Decimal]) -> list[Decimal]:
    return [sum(months[q * 3 : q * 3 + 3], ZERO) for q in range(4)]


def rak_grid(apbdes: Apbdes, months: dict[int, list[Decimal]] | None = None) -> RakGrid:
    """The RAK of an APBDes version: saved months (or ``months`` given, e.g. a refused form)."""
    from kampung.finance.services.execution import rak_line_problem, rak_months

    saved = rak_months(apbdes) if months is None else months
    totals = budget_totals(budget_snapshot(apbdes))
    lines = list(
        BudgetLine.objects.filter(activity__apbdes=apbdes)
        .select_related("activity", "activity__activity_code", "account")
        .order_by("activity__activity_code__code", "activity_id", "account__code", "pk")
    )
    rows = []
    month_totals = [ZERO] * MONTHS
    for line in lines:
        values = list(saved.get(line.pk, [ZERO] * MONTHS))
        for i, value in enumerate(values[:MONTHS]):
            month_totals[i] += value
        rows.append(
            RakRow(line, values, quarters_of(values), sum(values, ZERO), rak_line_problem(line, values))
        )
    return RakGrid(
        apbdes=apbdes,
        rows=rows,
        month_totals=month_totals,
        quarter_totals=quarters_of(month_totals),
        budget_total=totals.spending,
        planned_total=sum(month_totals, ZERO),
    )


def treasurer_signer(village: Region) -> Signer:
    name, number = _official(village, "kaur keuangan", "bendahara")
    return Signer("Kaur Keuangan", name, number)
