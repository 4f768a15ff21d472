"""Every figure on a dashboard equals the same figure computed directly from the source
records, for a generated regency (:mod:`.generated_regency`).

The dashboards read only the roll-up tables, kept by the real mechanism (audit entries →
marks → :func:`rollup_work`). Here each table of each section (Ringkasan, Keuangan, Layanan,
Program, Penduduk) is downloaded as Excel — the workbook holds exactly the page's rows — at
the regency, at each district and at a desa and the kelurahan, for the year and for the first
semester, and compared with figures the test computes itself with the ORM over the source
records (journal lines, budgets, SPP, report submissions; letter requests and their history;
cases and payments; residents and life events). Finance's own selector
:func:`~kampung.finance.selectors.realisation.lra` is checked against the test's sums first, so
the definitions agree with finance's.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.assistance.models import Case, CaseStatus, Decision, DecisionStatus, MonthlyPayment, Programme
from kampung.finance.models import (
    BANK,
    CASH,
    Apbdes,
    Book,
    BudgetLine,
    FundSource,
    JournalLine,
    ReportKind,
    ReportSubmission,
    RevenueLine,
    Spp,
)
from kampung.finance.models.ref import CalendarEvent
from kampung.finance.selectors.calendar import deadline_state, deadlines_for
from kampung.finance.selectors.ledger import IN_FORCE
from kampung.finance.selectors.realisation import lra, regency_realisation
from kampung.letters.models import LetterType
from kampung.letters.models_requests import OPEN_STATUSES, LetterRequest, RequestEvent, RequestStatus
from kampung.monitoring import histogram
from kampung.monitoring.models import AGE_BANDS
from kampung.monitoring.periods import Period
from kampung.monitoring.selectors.dash_finance import SPP_STATUS_NAMES, STATE_NAMES
from kampung.monitoring.tests.generated_regency import (
    DISTRICT_A,
    DISTRICT_B,
    KELURAHAN,
    NOW,
    REGENCY,
    TODAY,
    VILLAGE_A1,
    VILLAGE_B1,
    VILLAGES,
    YEAR,
    Regency,
    regency_for_module,
)
from kampung.population.models import BasicStatus, LifeEvent, Resident
from kampung.regions.models import Kind, Level, Region

pytestmark = pytest.mark.django_db

ZERO = Decimal(0)
DESA = (Kind.DESA, Kind.DESA_ADAT)
# Where each section is looked at: the regency, both districts, a desa and the kelurahan.
LEVELS = (REGENCY, DISTRICT_A, DISTRICT_B, VILLAGE_A1, VILLAGE_B1, KELURAHAN)
PERIODS = ("tahun", "s1")
# Open requests still waiting on the village count as overdue past their due date; a letter
# issued and waiting for pick-up does not (the service's definition of "late").
WAITING = (RequestStatus.SUBMITTED, RequestStatus.VERIFIED, RequestStatus.SIGNED)
APBDES_DATES = (
    (CalendarEvent.APBDES_AGREED, "bpd_agreed_on", "Disepakati bersama BPD"),
    (CalendarEvent.APBDES_SUBMITTED, "submitted_on", "Dikirim ke camat untuk evaluasi"),
    (CalendarEvent.APBDES_ENACTED, "perdes_date", "Ditetapkan (Perdes APBDes)"),
)
REPORT_KINDS = (
    (CalendarEvent.SEMESTER_REPORT, ReportKind.SEMESTER, "Laporan semester I"),
    (CalendarEvent.LPJ, ReportKind.LPJ, "LPJ realisasi APBDes"),
)
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
EVENT_KINDS = (
    ("lahir", "Kelahiran"),
    ("mati", "Kematian"),
    ("datang", "Pindah datang"),
    ("pindah", "Pindah keluar"),
)
STAGES = (
    CaseStatus.REGISTERED,
    CaseStatus.ELIGIBLE,
    CaseStatus.PRIORITISED,
    CaseStatus.PROPOSED,
    CaseStatus.DECIDED,
    CaseStatus.PAID,
    CaseStatus.IN_PROGRESS,
    CaseStatus.DONE,
    CaseStatus.REFUSED,
    CaseStatus.CANCELLED,
)
AIDED = (CaseStatus.DECIDED, CaseStatus.PAID, CaseStatus.IN_PROGRESS, CaseStatus.DONE)
PAID = (CaseStatus.PAID, CaseStatus.IN_PROGRESS, CaseStatus.DONE)


@pytest.fixture(scope="module")
def regency(django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Regency]:
    with regency_for_module(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


@pytest.fixture(autouse=True)
def _frozen(db: Any) -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def dpmd(regency: Regency) -> Client:
    client = Client()
    client.force_login(regency.user(Role.DPMD, REGENCY))
    return client


# -- reading the dashboards ------------------------------------------------------------------

Rows = dict[Any, dict[str, Any]]


def excel_table(client: Client, name: str, code: str, period: str, key: str, keys: int = 1) -> Rows:
    """The table ``key`` of the page as its workbook holds it: {row label: {column: value}};
    the total row under "Jumlah". ``keys``: how many leading columns name a row."""
    response = client.get(reverse(name, args=[code]), {"tahun": YEAR, "periode": period, "unduh": key})
    assert response.status_code == 200, (name, code, key, response.status_code)
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)]
    head = [str(h) for h in lines[0]]
    out: Rows = {}
    for line in lines[1:]:
        label = line[0] if keys == 1 else tuple(line[:keys])
        assert label not in out, f"{key}: row {label!r} twice"
        out[label] = dict(zip(head[keys:], line[keys:], strict=True))
    return out


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        return round(float(value), 6)
    return value


def assert_rows(shown: Rows, expected: Rows, what: str, *, drop_zero: bool = False) -> None:
    """Every expected row is shown with the expected value in each expected column, and no
    other row is shown (``drop_zero``: rows whose compared values are all zero or empty do not
    count on either side). The message lists every difference."""

    def zero(row: dict[str, Any], columns: Iterable[str]) -> bool:
        return all(not _norm(row.get(c)) for c in columns)

    problems: list[str] = []
    columns_of = {label: list(cols) for label, cols in expected.items()}
    for label, cols in expected.items():
        if drop_zero and zero(cols, cols):
            continue
        if label not in shown:
            problems.append(f"missing row {label!r}: expected {cols}")
            continue
        for column, value in cols.items():
            if column not in shown[label]:
                problems.append(f"{label!r}: no column {column!r}")
            elif _norm(shown[label][column]) != _norm(value):
                problems.append(f"{label!r} / {column}: shown {shown[label][column]!r}, source {value!r}")
    any_columns = next(iter(columns_of.values()), [])
    for label, row in shown.items():
        if label in expected:
            continue
        if drop_zero and zero(row, any_columns):
            continue
        problems.append(f"unexpected row {label!r}: {row}")
    assert not problems, f"{what}: {len(problems)} differences\n" + "\n".join(problems[:40])


# -- the area a page shows -------------------------------------------------------------------


@dataclass
class Child:
    code: str
    name: str
    villages: list[str]  # codes of every village under it
    desa: list[str]


def children_of(code: str) -> list[Child]:
    """The rows of a page: districts under the regency, villages under a district, the
    village itself on a village's page."""
    region = Region.objects.get(code=code)
    if region.level == Level.VILLAGE:
        return [Child(code, region.name, [code], [code] if region.kind in DESA else [])]
    villages = list(
        Region.objects.filter(code__startswith=code + ".", level=Level.VILLAGE).values_list("code", "kind")
    )
    if region.level == Level.DISTRICT:
        names = dict(Region.objects.filter(code__in=[v for v, _ in villages]).values_list("code", "name"))
        return [Child(v, names[v], [v], [v] if kind in DESA else []) for v, kind in sorted(villages)]
    districts = Region.objects.filter(code__startswith=code + ".", level=Level.DISTRICT).order_by("code")
    return [
        Child(
            d.code,
            d.name,
            [v for v, _ in villages if v.startswith(d.code + ".")],
            [v for v, kind in villages if v.startswith(d.code + ".") and kind in DESA],
        )
        for d in districts
    ]


def all_villages(code: str) -> list[str]:
    return [v for c in children_of(code) for v in c.villages]


def ratio(part: Decimal | int, whole: Decimal | int) -> float | None:
    return float(Decimal(part) / Decimal(whole)) if whole else None


def month_span(period: str) -> tuple[int, int]:
    p = Period(YEAR, period)
    return p.first_month, p.last_month


# -- finance from the books ------------------------------------------------------------------


@dataclass
class Money:
    revenue_budget: Decimal = ZERO
    revenue_ytd: Decimal = ZERO
    spending_budget: Decimal = ZERO
    spending_ytd: Decimal = ZERO
    cash: Decimal = ZERO

    def add(self, other: Money) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _in_force(codes: list[str]) -> dict[str, int]:
    """The APBDes in force of each desa: its latest enacted or elaborated revision."""
    chosen: dict[str, tuple[int, int]] = {}
    for village, revision, pk in Apbdes.objects.filter(
        village_id__in=codes, year=YEAR, status__in=IN_FORCE
    ).values_list("village_id", "revision", "id"):
        if village not in chosen or revision > chosen[village][0]:
            chosen[village] = (revision, pk)
    return {v: pk for v, (_, pk) in chosen.items()}


def _signed(lines: Any, prefix: str) -> Decimal:
    total = ZERO
    for debit, credit in lines.filter(account_code__startswith=prefix).values_list("debit", "credit"):
        total += (credit - debit) if prefix == "4" else (debit - credit)
    return total


def money_of(village: str, last_month: int) -> Money:
    """One desa's budget in force and its books up to the period's last month."""
    m = Money()
    apbdes = _in_force([village]).get(village)
    if apbdes is not None:
        m.revenue_budget = sum(
            RevenueLine.objects.filter(apbdes_id=apbdes).values_list("amount", flat=True), ZERO
        )
        m.spending_budget = sum(
            BudgetLine.objects.filter(activity__apbdes_id=apbdes).values_list("amount", flat=True), ZERO
        )
    lines = JournalLine.objects.filter(book__village_id=village, book__year=YEAR)
    ytd = lines.filter(month__gte=1, month__lte=last_month)
    m.revenue_ytd = _signed(ytd, "4")
    m.spending_ytd = _signed(ytd, "5")
    for debit, credit in lines.filter(account_code__in=[CASH, BANK], month__lte=last_month).values_list(
        "debit", "credit"
    ):
        m.cash += debit - credit
    return m


def money_cells(m: Money) -> dict[str, Any]:
    return {
        "Anggaran pendapatan": m.revenue_budget,
        "Realisasi pendapatan s.d. periode": m.revenue_ytd,
        "% pendapatan": ratio(m.revenue_ytd, m.revenue_budget),
        "Anggaran belanja": m.spending_budget,
        "Realisasi belanja s.d. periode": m.spending_ytd,
        "Penyerapan belanja": ratio(m.spending_ytd, m.spending_budget),
        "Saldo kas akhir periode": m.cash,
    }


def test_the_test_sums_agree_with_finance_selectors(regency: Regency) -> None:
    """The budget and realisation summed here are finance's own: the LRA of each desa (year
    and semester I) and the regency realisation list."""
    desa = [v for v in VILLAGES if v != KELURAHAN]
    for village in desa:
        for last in (6, 12):
            mine = money_of(village, last)
            report = lra(village, YEAR, through_month=last)
            assert (mine.revenue_budget, mine.revenue_ytd) == (
                report.revenue.budget,
                report.revenue.realised,
            ), village
            assert (mine.spending_budget, mine.spending_ytd) == (
                report.spending.budget,
                report.spending.realised,
            ), village
    rows = {r.code: r for r in regency_realisation(REGENCY, YEAR, today=TODAY).villages}
    for village in desa:
        mine = money_of(village, 12)
        assert (rows[village].revenue.budget, rows[village].revenue.realised) == (
            mine.revenue_budget,
            mine.revenue_ytd,
        )
        assert (rows[village].spending.budget, rows[village].spending.realised) == (
            mine.spending_budget,
            mine.spending_ytd,
        )
        assert rows[village].cash_bank == mine.cash, village
    assert sum(m.spending_ytd for m in (money_of(v, 12) for v in desa)) > 0, "the books have spending"


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("code", LEVELS)
def test_finance_absorption_and_cash(regency: Regency, dpmd: Client, code: str, period: str) -> None:
    _, last = month_span(period)
    wide = Region.objects.get(code=code).level == Level.REGENCY
    expected: Rows = {}
    total = Money()
    for child in children_of(code):
        if not child.desa:
            continue  # a kelurahan keeps no village budget
        m = Money()
        for village in child.desa:
            m.add(money_of(village, last))
        total.add(m)
        expected[child.name] = {**({"Desa": len(child.desa)} if wide else {}), **money_cells(m)}
    if expected:
        n_desa = sum(len(c.desa) for c in children_of(code))
        expected["Jumlah"] = {**({"Desa": n_desa} if wide else {}), **money_cells(total)}
    if not (total.spending_budget or total.revenue_budget or total.spending_ytd):
        expected = {}  # nothing budgeted: the table says so instead
    shown = excel_table(dpmd, "monitoring:finance", code, period, "serapan")
    assert_rows(shown, expected, f"serapan {code} {period}")


def _source_label(code: str, names: dict[str, str]) -> str:
    if not code:
        return "Tanpa sumber dana"
    name = names.get(code, code)
    return f"{code} — {name}" if name != code else name


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("code", (REGENCY, DISTRICT_B, VILLAGE_A1))
def test_finance_by_source_bidang_and_month(regency: Regency, dpmd: Client, code: str, period: str) -> None:
    first, last = month_span(period)
    desa = [v for c in children_of(code) for v in c.desa]
    apbdes = list(_in_force(desa).values())
    lines = JournalLine.objects.filter(book__village_id__in=desa, book__year=YEAR)
    ytd = lines.filter(month__gte=1, month__lte=last)
    # per source: [revenue budget, revenue ytd, spending budget, spending ytd]
    sources: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * 4)
    bidang: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * 2)
    for source, amount in RevenueLine.objects.filter(apbdes_id__in=apbdes).values_list("source_id", "amount"):
        sources[source or ""][0] += amount
    for source, activity, amount in BudgetLine.objects.filter(activity__apbdes_id__in=apbdes).values_list(
        "source_id", "activity__activity_code__code", "amount"
    ):
        sources[source or ""][2] += amount
        bidang[activity[:2]][0] += amount
    for account, source, activity, debit, credit in ytd.filter(
        Q(account_code__startswith="4") | Q(account_code__startswith="5")
    ).values_list("account_code", "source_code", "activity_code", "debit", "credit"):
        if account.startswith("4"):
            sources[source or ""][1] += credit - debit
        else:
            sources[source or ""][3] += debit - credit
            bidang[(activity or "")[:2]][1] += debit - credit
    names = dict(FundSource.objects.values_list("code", "name"))
    expected = {
        _source_label(s, names): {
            "Anggaran pendapatan": v[0],
            "Realisasi pendapatan": v[1],
            "Anggaran belanja": v[2],
            "Realisasi belanja": v[3],
        }
        for s, v in sources.items()
    }
    if any(any(v) for v in sources.values()):
        expected["Jumlah"] = {
            "Anggaran pendapatan": sum((v[0] for v in sources.values()), ZERO),
            "Realisasi pendapatan": sum((v[1] for v in sources.values()), ZERO),
            "Anggaran belanja": sum((v[2] for v in sources.values()), ZERO),
            "Realisasi belanja": sum((v[3] for v in sources.values()), ZERO),
        }
    shown = excel_table(dpmd, "monitoring:finance", code, period, "sumber")
    assert_rows(shown, expected, f"sumber {code} {period}", drop_zero=True)

    shown_bidang = {
        str(label).split(" ", 1)[0]: row
        for label, row in excel_table(dpmd, "monitoring:finance", code, period, "bidang").items()
    }
    expected_bidang: Rows = {
        b: {"Anggaran": v[0], "Realisasi s.d. periode": v[1], "Penyerapan": ratio(v[1], v[0])}
        for b, v in bidang.items()
    }
    if bidang:
        budget = sum((v[0] for v in bidang.values()), ZERO)
        spent = sum((v[1] for v in bidang.values()), ZERO)
        expected_bidang["Jumlah"] = {
            "Anggaran": budget,
            "Realisasi s.d. periode": spent,
            "Penyerapan": ratio(spent, budget),
        }
    assert_rows(shown_bidang, expected_bidang, f"bidang {code} {period}", drop_zero=True)

    # Realisation per month: the whole year, whatever the period.
    months: Rows = {name: {"Pendapatan": ZERO, "Belanja": ZERO} for name in MONTHS}
    for month, account, debit, credit in lines.filter(
        Q(account_code__startswith="4") | Q(account_code__startswith="5"), month__gte=1
    ).values_list("month", "account_code", "debit", "credit"):
        if account.startswith("4"):
            months[MONTHS[month - 1]]["Pendapatan"] += credit - debit
        else:
            months[MONTHS[month - 1]]["Belanja"] += debit - credit
    months["Jumlah"] = {
        "Pendapatan": sum((r["Pendapatan"] for r in months.values()), ZERO),
        "Belanja": sum((r["Belanja"] for r in months.values()), ZERO),
    }
    assert first >= 1
    assert_rows(excel_table(dpmd, "monitoring:finance", code, period, "bulan"), months, f"bulan {code}")


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("code", (REGENCY, DISTRICT_A, VILLAGE_B1))
def test_finance_spp_by_status(regency: Regency, dpmd: Client, code: str, period: str) -> None:
    first, last = month_span(period)
    desa = [v for c in children_of(code) for v in c.desa]
    counted: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, ZERO])
    for kind, status, amount, date in Spp.objects.filter(
        book__village_id__in=desa, book__year=YEAR
    ).values_list("kind", "status", "amount", "date"):
        if date.year == YEAR and first <= date.month <= last:
            counted[(kind, SPP_STATUS_NAMES.get(status, status))][0] += 1
            counted[(kind, SPP_STATUS_NAMES.get(status, status))][1] += amount
    expected: Rows = {key: {"Jumlah SPP": n, "Nilai": amount} for key, (n, amount) in counted.items()}
    if counted:
        expected[("Jumlah", None)] = {
            "Jumlah SPP": sum(n for n, _ in counted.values()),
            "Nilai": sum((a for _, a in counted.values()), ZERO),
        }
    shown = excel_table(dpmd, "monitoring:finance", code, period, "spp", keys=2)
    assert_rows(shown, expected, f"spp {code} {period}")
    if code == REGENCY:
        assert len(counted) >= 2, "the generated books have SPP in more than one status"


@pytest.mark.parametrize("code", (REGENCY, DISTRICT_A, DISTRICT_B, VILLAGE_A1))
def test_finance_apbdes_against_the_calendar_and_reports_sent(
    regency: Regency, dpmd: Client, code: str
) -> None:
    desa = [v for c in children_of(code) for v in c.desa]
    due = deadlines_for(regency_code=REGENCY, year=YEAR)
    original = {a.village_id: a for a in Apbdes.objects.filter(village_id__in=desa, year=YEAR, revision=0)}
    expected: Rows = {}
    for event, date_field, label in APBDES_DATES:
        states = Counter(
            deadline_state(
                due=due[str(event)],
                done_on=getattr(original[v], date_field) if v in original else None,
                today=TODAY,
            )
            for v in desa
        )
        expected[label] = {name: states.get(state, 0) for state, name in STATE_NAMES.items()}
    shown = excel_table(dpmd, "monitoring:finance", code, "tahun", "apbdes")
    for row in shown.values():
        row.pop("Batas waktu")
    assert_rows(shown, expected, f"apbdes {code}")

    # Reports sent: desa with a budget year, expected (past due or sent), sent, on time.
    with_year = set(
        Apbdes.objects.filter(village_id__in=desa, year=YEAR).values_list("village_id", flat=True)
    ) | set(Book.objects.filter(village_id__in=desa, year=YEAR).values_list("village_id", flat=True))
    sent: dict[tuple[str, str], dt.date] = {
        (v, kind): on
        for v, kind, on in ReportSubmission.objects.filter(
            book__village_id__in=desa, book__year=YEAR
        ).values_list("book__village_id", "kind", "submitted_on")
    }
    reports: Rows = {}
    for event, kind, label in REPORT_KINDS:
        due_on = due[str(event)]
        expected_n = sum(1 for v in with_year if (v, kind) in sent or TODAY > due_on)
        submitted = sum(1 for v in with_year if (v, kind) in sent)
        on_time = sum(1 for v in with_year if (v, kind) in sent and sent[(v, kind)] <= due_on)
        reports[label] = {
            "Desa beranggaran": len(with_year),
            "Diharapkan": expected_n,
            "Disampaikan": submitted,
            "Tingkat pelaporan": ratio(submitted, expected_n),
            "Tepat waktu": on_time,
            "Tingkat tepat waktu": ratio(on_time, expected_n),
        }
    if not with_year:
        reports = {}
    assert_rows(excel_table(dpmd, "monitoring:finance", code, "tahun", "laporan"), reports, f"laporan {code}")
    if code == REGENCY:
        assert any(r["Disampaikan"] for r in reports.values()), "the books sent a report"


# -- letters from the requests and their history --------------------------------------------


@dataclass
class Letters:
    submitted: int = 0
    issued: int = 0
    rejected: int = 0
    hours: list[float] = field(default_factory=list)
    open: int = 0
    overdue: int = 0

    def add(self, other: Letters) -> None:
        self.submitted += other.submitted
        self.issued += other.issued
        self.rejected += other.rejected
        self.hours += other.hours
        self.open += other.open
        self.overdue += other.overdue

    def bucket(self, q: float) -> str:
        """The bucket of the k-th shortest time to issue (nearest rank), from the raw hours."""
        if not self.hours:
            return ""
        ordered = sorted(self.hours)
        k = max(1, math.ceil(Decimal(str(q)) * len(ordered)))
        return histogram.bucket_label(histogram.bucket_of(ordered[k - 1]))

    def cells(self) -> dict[str, Any]:
        return {
            "Diajukan": self.submitted,
            "Diterbitkan": self.issued,
            "Ditolak": self.rejected,
            "Median waktu terbit": self.bucket(0.5) or None,
            "Persentil ke-90": self.bucket(0.9) or None,
            "Masih terbuka": self.open,
            "Lewat target": self.overdue,
        }


def _local(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def letters_by(villages: list[str], period: str, key: str) -> dict[str, Letters]:
    """Letter figures of the villages for the period, grouped by ``key`` ("village" or
    "type"): submitted, issued and rejected in the period (local time), the hours from
    submission to issue, what is open now and overdue today."""
    first, last = month_span(period)

    def within(day: dt.date) -> bool:
        return day.year == YEAR and first <= day.month <= last

    out: dict[str, Letters] = defaultdict(Letters)
    requests = LetterRequest.objects.filter(village_id__in=villages)
    for village, slug, submitted_at, status, due_on in requests.values_list(
        "village_id", "letter_type__slug", "submitted_at", "status", "due_on"
    ):
        f = out[village if key == "village" else slug]
        if within(_local(submitted_at)):
            f.submitted += 1
        if status in OPEN_STATUSES:
            f.open += 1
            if status in WAITING and due_on < TODAY:
                f.overdue += 1
    for village, slug, status_to, at, submitted_at in RequestEvent.objects.filter(
        request__village_id__in=villages,
        status_to__in=[RequestStatus.ISSUED, RequestStatus.REJECTED],
    ).values_list(
        "request__village_id", "request__letter_type__slug", "status_to", "at", "request__submitted_at"
    ):
        if not within(_local(at)):
            continue
        f = out[village if key == "village" else slug]
        if status_to == RequestStatus.ISSUED:
            f.issued += 1
            f.hours.append((at - submitted_at).total_seconds() / 3600)
        else:
            f.rejected += 1
    return out


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("code", LEVELS)
def test_letters_per_child_with_median_p90_overdue_and_open(
    regency: Regency, dpmd: Client, code: str, period: str
) -> None:
    per_village = letters_by(all_villages(code), period, "village")
    expected: Rows = {}
    total = Letters()
    for child in children_of(code):
        f = Letters()
        for village in child.villages:
            f.add(per_village.get(village, Letters()))
        total.add(f)
        expected[child.name] = f.cells()
    expected["Jumlah"] = total.cells()
    shown = excel_table(dpmd, "monitoring:letters", code, period, "wilayah")
    assert_rows(shown, expected, f"layanan wilayah {code} {period}")
    if code == REGENCY:
        assert total.issued > 100 and total.overdue > 0 and total.open > total.overdue

    # The time-to-issue histogram of the period, bucketed from the raw hours.
    buckets: Rows = {}
    if total.issued:
        counts = histogram.histogram(total.hours)
        buckets = {histogram.bucket_label(i): {"Surat diterbitkan": n} for i, n in enumerate(counts)}
        buckets["Jumlah"] = {"Surat diterbitkan": total.issued}
    assert_rows(excel_table(dpmd, "monitoring:letters", code, period, "waktu"), buckets, f"waktu {code}")


@pytest.mark.parametrize("code", (REGENCY, DISTRICT_B, VILLAGE_A1, KELURAHAN))
def test_letters_per_type_and_month(regency: Regency, dpmd: Client, code: str) -> None:
    villages = all_villages(code)
    names = dict(LetterType.objects.values_list("slug", "name"))
    by_type = letters_by(villages, "s1", "type")
    expected: Rows = {names[slug]: f.cells() for slug, f in by_type.items()}
    if expected:
        total = Letters()
        for f in by_type.values():
            total.add(f)
        expected["Jumlah"] = total.cells()
    shown = excel_table(dpmd, "monitoring:letters", code, "s1", "jenis")
    assert_rows(shown, expected, f"jenis {code}", drop_zero=True)

    months: Rows = {}
    for month in range(1, 13):
        f = Letters()
        for figures in letters_by(villages, str(month), "village").values():
            f.add(figures)
        months[MONTHS[month - 1]] = {"Diajukan": f.submitted, "Diterbitkan": f.issued}
    months["Jumlah"] = {
        "Diajukan": sum(r["Diajukan"] for r in months.values()),
        "Diterbitkan": sum(r["Diterbitkan"] for r in months.values()),
    }
    assert_rows(
        excel_table(dpmd, "monitoring:letters", code, "tahun", "bulan"), months, f"surat bulan {code}"
    )


# -- programmes from the cases ---------------------------------------------------------------


@dataclass
class Cases:
    stages: Counter[str] = field(default_factory=Counter)
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    decisions: int = 0

    def add(self, other: Cases) -> None:
        self.stages.update(other.stages)
        self.committed += other.committed
        self.paid += other.paid
        self.decisions += other.decisions


def cases_of(programme: Programme, villages: list[str]) -> dict[str, Cases]:
    out: dict[str, Cases] = defaultdict(Cases)
    for village, status, amount in Case.objects.filter(
        programme=programme, year=YEAR, village_id__in=villages
    ).values_list("village_id", "status", "amount"):
        f = out[village]
        f.stages[status] += 1
        if status in AIDED:
            f.committed += amount or ZERO
        if not programme.is_monthly and status in PAID:
            f.paid += amount or ZERO
    if programme.is_monthly:
        for village, amount in MonthlyPayment.objects.filter(
            case__programme=programme, case__year=YEAR, case__village_id__in=villages, collected=True
        ).values_list("case__village_id", "amount"):
            out[village].paid += amount
    for village in Decision.objects.filter(
        programme=programme, year=YEAR, village_id__in=villages, status=DecisionStatus.ISSUED
    ).values_list("village_id", flat=True):
        out[village].decisions += 1
    return out


def _case_cells(f: Cases, housing: bool) -> dict[str, Any]:
    return {
        "Kasus": sum(f.stages.values()),
        "Penerima ditetapkan": sum(f.stages[s] for s in AIDED),
        "Nilai ditetapkan": f.committed,
        "Disalurkan": f.paid,
        **({"Rumah selesai": f.stages[CaseStatus.DONE]} if housing else {}),
        "Keputusan terbit": f.decisions,
    }


@pytest.mark.parametrize("code", LEVELS)
def test_programme_cases_by_stage_committed_paid_finished(regency: Regency, dpmd: Client, code: str) -> None:
    villages = all_villages(code)
    summary: Rows = {}
    for programme in Programme.objects.filter(regency_id=REGENCY):
        housing = programme.kind == "rtlh"
        per_village = cases_of(programme, villages)
        total = Cases()
        expected: Rows = {}
        for child in children_of(code):
            f = Cases()
            for village in child.villages:
                f.add(per_village.get(village, Cases()))
            total.add(f)
            expected[child.name] = _case_cells(f, housing)
        expected["Jumlah"] = _case_cells(total, housing)
        shown = excel_table(dpmd, "monitoring:programmes", code, "tahun", f"p-{programme.code}")
        assert_rows(shown, expected, f"{programme.code} {code}")
        summary[programme.name] = {
            **{stage.value.capitalize(): total.stages[stage] for stage in STAGES},
            "Nilai ditetapkan": total.committed,
            "Disalurkan": total.paid,
            "Rumah selesai": total.stages[CaseStatus.DONE] if housing else None,
            "Keputusan terbit": total.decisions,
        }
        if code == REGENCY:
            assert sum(total.stages.values()) > 20 and total.committed > 0
    assert_rows(
        excel_table(dpmd, "monitoring:programmes", code, "tahun", "program"), summary, f"program {code}"
    )


# -- population from the register ------------------------------------------------------------


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _band(age: int) -> str:
    return next(label for label, low, high in AGE_BANDS if low <= age <= high)


@dataclass
class People:
    residents: int = 0
    families: set[int] = field(default_factory=set)
    male: int = 0
    female: int = 0
    events: Counter[str] = field(default_factory=Counter)

    def add(self, other: People) -> None:
        self.residents += other.residents
        self.families |= other.families
        self.male += other.male
        self.female += other.female
        self.events.update(other.events)

    def cells(self) -> dict[str, Any]:
        return {
            "Penduduk": self.residents,
            "Keluarga": len(self.families),
            "Laki-laki": self.male,
            "Perempuan": self.female,
            "Rasio jenis kelamin": self.male * 100 / self.female if self.female else None,
            **{f"{name} (periode)": self.events[k] for k, name in EVENT_KINDS},
        }


def people_of(villages: list[str], period: str) -> dict[str, People]:
    first, last = month_span(period)
    out: dict[str, People] = defaultdict(People)
    for village, family, sex in Resident.objects.filter(
        village_id__in=villages, basic_status=BasicStatus.LIVING
    ).values_list("village_id", "family_id", "sex"):
        p = out[village]
        p.residents += 1
        if family is not None:
            p.families.add(family)
        p.male += sex == 1
        p.female += sex == 2
    for village, kind, on in LifeEvent.objects.filter(village_id__in=villages).values_list(
        "village_id", "kind", "event_date"
    ):
        if on.year == YEAR and first <= on.month <= last:
            out[village].events[kind] += 1
    return out


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("code", LEVELS)
def test_population_residents_families_and_events(
    regency: Regency, dpmd: Client, code: str, period: str
) -> None:
    villages = all_villages(code)
    per_village = people_of(villages, period)
    expected: Rows = {}
    total = People()
    for child in children_of(code):
        p = People()
        for village in child.villages:
            p.add(per_village.get(village, People()))
        total.add(p)
        expected[child.name] = p.cells()
    expected["Jumlah"] = total.cells()
    assert_rows(
        excel_table(dpmd, "monitoring:population", code, period, "wilayah"), expected, f"penduduk {code}"
    )
    if code == REGENCY:
        assert total.residents > 500 and total.events["lahir"] and total.events["mati"]

    # Age bands on the frozen day, and births/deaths/moves per month of the year.
    bands: dict[str, list[int]] = {label: [0, 0] for label, _, _ in AGE_BANDS}
    for sex, birth in Resident.objects.filter(
        village_id__in=villages, basic_status=BasicStatus.LIVING
    ).values_list("sex", "birth_date"):
        bands[_band(_age(birth, TODAY))][sex - 1] += 1
    ages: Rows = {}
    if total.residents:
        ages = {b: {"Laki-laki": m, "Perempuan": f, "Jumlah": m + f} for b, (m, f) in bands.items()}
        ages["Jumlah"] = {"Laki-laki": total.male, "Perempuan": total.female, "Jumlah": total.residents}
    assert_rows(excel_table(dpmd, "monitoring:population", code, period, "umur"), ages, f"umur {code}")
    months: Rows = {name: {n: 0 for _, n in EVENT_KINDS} for name in MONTHS}
    for kind, on in LifeEvent.objects.filter(village_id__in=villages, event_date__year=YEAR).values_list(
        "kind", "event_date"
    ):
        label = dict(EVENT_KINDS).get(kind)
        if label:
            months[MONTHS[on.month - 1]][label] += 1
    months["Jumlah"] = {n: sum(r[n] for r in months.values()) for _, n in EVENT_KINDS}
    assert_rows(
        excel_table(dpmd, "monitoring:population", code, period, "bulan"), months, f"peristiwa {code}"
    )


# -- the overview ----------------------------------------------------------------------------


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("code", LEVELS)
def test_overview_row_per_child(regency: Regency, dpmd: Client, code: str, period: str) -> None:
    _, last = month_span(period)
    villages = all_villages(code)
    letters = letters_by(villages, period, "village")
    people = people_of(villages, period)
    programmes = list(Programme.objects.filter(regency_id=REGENCY))
    cases = {p.code: cases_of(p, villages) for p in programmes}
    enacted = set(
        Apbdes.objects.filter(
            village_id__in=villages, year=YEAR, revision=0, perdes_date__isnull=False
        ).values_list("village_id", flat=True)
    )

    def cells(child_villages: list[str], desa: list[str], *, total: bool = False) -> dict[str, Any]:
        m = Money()
        for v in desa:
            m.add(money_of(v, last))
        f, p = Letters(), People()
        for v in child_villages:
            f.add(letters.get(v, Letters()))
            p.add(people.get(v, People()))
        row: dict[str, Any] = {
            # A child without desa (a kelurahan) has no finance cells; the total row always has.
            "Penyerapan belanja": ratio(m.spending_ytd, m.spending_budget),
            "APBDes ditetapkan": sum(1 for v in desa if v in enacted) if desa or total else None,
            "Surat diterbitkan": f.issued,
            "Median waktu terbit": f.bucket(0.5) or None,
            "Surat lewat target": f.overdue,
            "Penduduk": p.residents,
        }
        for programme in programmes:
            c = Cases()
            for v in child_villages:
                c.add(cases[programme.code].get(v, Cases()))
            if programme.kind == "rtlh":
                row[f"{programme.name}: rumah selesai"] = c.stages[CaseStatus.DONE]
            else:
                row[f"{programme.name}: disalurkan"] = c.paid
        return row

    children = children_of(code)
    expected = {c.name: cells(c.villages, c.desa) for c in children}
    expected["Jumlah"] = cells(villages, [v for c in children for v in c.desa], total=True)
    assert_rows(
        excel_table(dpmd, "monitoring:region", code, period, "wilayah"), expected, f"ringkasan {code}"
    )


def test_district_pages_add_up_to_the_regency(regency: Regency, dpmd: Client) -> None:
    """A district's total row is the regency's row of that district, on every section."""
    for name, key in (
        ("monitoring:region", "wilayah"),
        ("monitoring:finance", "serapan"),
        ("monitoring:letters", "wilayah"),
        ("monitoring:population", "wilayah"),
    ):
        top = excel_table(dpmd, name, REGENCY, "s1", key)
        for district in (DISTRICT_A, DISTRICT_B):
            own = excel_table(dpmd, name, district, "s1", key)["Jumlah"]
            row = dict(top[Region.objects.get(code=district).name])
            row.pop("Desa", None)
            assert {k: _norm(v) for k, v in row.items()} == {k: _norm(v) for k, v in own.items()}, (
                name,
                district,
            )
