"""Alerts: what needs attention in a village, computed from the roll-up tables only, kept as
:class:`Alert` rows by a stable ``key``, and sent once through the notification outbox.

:func:`alerts_refresh` (the daily job, after the roll-ups are refreshed) computes the alerts
that hold ``today`` and reconciles the table:

- a key not seen before opens a new alert;
- an open alert still holding gets its title, detail, link and ``last_seen_at`` updated;
- an open alert no longer holding is resolved (``resolved_at``);
- a resolved alert that holds again is **re-opened on the same key**: ``resolved_at`` is
  cleared, ``first_seen_at`` set to now and ``notified_at`` cleared, so it counts as opened
  and is sent again (a problem that comes back is news again).

Kinds, keys and when each holds (``today`` is the regency's day):

- ``laporan_terlambat:<desa>:<year>:semester1|lpj`` — for the budget years ``today.year − 1``
  and ``today.year`` with an APBDes in force: the semester I report or the LPJ not sent and
  ``today`` later than its due date in the regency's calendar (``laporan_semester``, ``lpj``);
- ``apbdes_terlambat:<desa>:<year>`` — a desa that keeps its books in Kampung (it has a
  ``FinanceYear`` row for this or last year) with no APBDes in force for ``today.year`` and
  ``today`` later than ``apbdes_ditetapkan``;
- ``surat_terlambat:<desa>`` — letter requests still submitted, verified or signed whose due
  date is before ``today`` (one alert per village, with the count);
- ``kegiatan_macet:<desa>:<year>:<kegiatan>`` — a physical kegiatan of ``today.year`` behind
  schedule or without a visit (:mod:`kampung.monitoring.selectors.field`);
- ``panjar_terbuka:<desa>:<year>`` — advances paid and not accounted for (SPJ) whose SPJ due
  date is before ``today`` (budget years ``today.year − 1`` and ``today.year``);
- ``belanja_tak_wajar:<desa>:<year>:<month>`` — in ``today.year``, a month whose spending is
  above ``spending_factor`` × the average of the village's other months with spending and
  above ``spending_floor``;
- ``bantuan_macet:<desa>:<programme>:<year>`` — a programme year (``today.year − 1`` or
  later) with stalled cases.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.core.formatting import tanggal
from kampung.finance.models.ref import CalendarEvent
from kampung.finance.selectors.calendar import deadlines_for
from kampung.monitoring.models import (
    Alert,
    AlertKind,
    FinanceFigure,
    FinanceKind,
    FinanceYear,
    LetterOpen,
    ProgrammeFigure,
    ProjectFigure,
)
from kampung.monitoring.selectors.alerts import ROLE_KINDS
from kampung.monitoring.selectors.field import BEHIND, NO_VISIT, figure_row
from kampung.monitoring.services.settings import settings_for
from kampung.regions.models import Region

logger = logging.getLogger(__name__)

OVERDUE_LETTER_STATUSES = ("diajukan", "diverifikasi", "ditandatangani")
# Who receives the digest of new alerts, and at which level of region they hold the role.
NOTIFY_ROLES: tuple[str, ...] = (Role.SECRETARY, Role.HEAD, Role.CAMAT, Role.DPMD)
_CHUNK = 500


@dataclass
class AlertReport:
    opened: int = 0
    still_open: int = 0
    resolved: int = 0

    def __str__(self) -> str:
        return f"{self.opened} baru, {self.still_open} masih terbuka, {self.resolved} selesai"


@dataclass(frozen=True)
class Found:
    key: str
    kind: str
    village: str
    title: str
    detail: str
    link: str


def _money(value: Decimal) -> str:
    from kampung.core.formatting import rupiah

    return rupiah(value)


def _chunks(items: list[Any], size: int = _CHUNK) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class _Calendar:
    """The regency calendars asked for, one query per (regency, year)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], dict[str, dt.date]] = {}

    def due(self, village_code: str, year: int, event: str) -> dt.date:
        key = (village_code[:5], year)
        if key not in self._cache:
            self._cache[key] = deadlines_for(regency_code=key[0], year=year)
        return self._cache[key][str(event)]


# -- finance ---------------------------------------------------------------------------------


def _advances_due(advances: Any, today: dt.date) -> tuple[int, Decimal]:
    count, total = 0, Decimal(0)
    for item in advances or []:
        try:
            due_text, amount = item[0], item[1]
            due = dt.date.fromisoformat(str(due_text)) if due_text else None
            value = Decimal(str(amount))
        except (TypeError, ValueError, IndexError, InvalidOperation):
            continue
        if due is not None and due < today:
            count += 1
            total += value
    return count, total


def _finance(today: dt.date, cal: _Calendar) -> list[Found]:
    years = (today.year - 1, today.year)
    rows = list(
        FinanceYear.objects.filter(year__in=years).values_list(
            "village_id", "year", "in_force", "semester_on", "lpj_on", "advances"
        )
    )
    found: list[Found] = []
    keeps_books: set[str] = set()
    in_force_now: set[str] = set()
    for village, year, in_force, semester_on, lpj_on, advances in rows:
        keeps_books.add(village)
        if year == today.year and in_force:
            in_force_now.add(village)
        if in_force:
            reports = (
                (CalendarEvent.SEMESTER_REPORT, "semester1", semester_on, "Laporan semester I"),
                (CalendarEvent.LPJ, "lpj", lpj_on, "LPJ realisasi APBDes"),
            )
            for event, slug, sent_on, label in reports:
                due = cal.due(village, year, event)
                if sent_on is None and today > due:
                    found.append(
                        Found(
                            key=f"{AlertKind.REPORT_LATE}:{village}:{year}:{slug}",
                            kind=AlertKind.REPORT_LATE,
                            village=village,
                            title=f"{label} {year} belum disampaikan",
                            detail=f"Batas waktu {tanggal(due)}; sudah lewat {(today - due).days} hari.",
                            link=reverse("finance:reports_index", args=[village, year]),
                        )
                    )
        count, total = _advances_due(advances, today)
        if count:
            found.append(
                Found(
                    key=f"{AlertKind.ADVANCE_OPEN}:{village}:{year}",
                    kind=AlertKind.ADVANCE_OPEN,
                    village=village,
                    title=f"{count} panjar {year} belum dipertanggungjawabkan lewat batas SPJ",
                    detail=f"Jumlah panjar yang lewat batas: {_money(total)}.",
                    link=reverse("finance:spp_advances", args=[village, year]),
                )
            )
    for village in sorted(keeps_books - in_force_now):
        due = cal.due(village, today.year, CalendarEvent.APBDES_ENACTED)
        if today > due:
            found.append(
                Found(
                    key=f"{AlertKind.APBDES_LATE}:{village}:{today.year}",
                    kind=AlertKind.APBDES_LATE,
                    village=village,
                    title=f"APBDes {today.year} belum ditetapkan",
                    detail=f"Batas penetapan Perdes APBDes {tanggal(due)}; sudah lewat {(today - due).days} hari.",
                    link=reverse("finance:village", args=[village]),
                )
            )
    return found


def _spending(today: dt.date, setting_of: Any) -> list[Found]:
    from kampung.finance.ledger import month_name

    rows = (
        FinanceFigure.objects.filter(kind=FinanceKind.SPENDING, year=today.year, month__gte=1, month__lte=12)
        .values("village_id", "month")
        .annotate(total=Sum("amount"))
        .order_by("village_id", "month")
    )
    months: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for row in rows:
        if row["total"] and row["total"] > 0:
            months[row["village_id"]][row["month"]] = row["total"]
    found: list[Found] = []
    for village, spent in sorted(months.items()):
        setting = setting_of(village)
        factor, floor = Decimal(setting.spending_factor), Decimal(setting.spending_floor)
        for month, amount in sorted(spent.items()):
            others = [v for m, v in spent.items() if m != month]
            if not others:
                continue
            average = sum(others, Decimal(0)) / len(others)
            if amount > factor * average and amount > floor:
                found.append(
                    Found(
                        key=f"{AlertKind.SPENDING_PATTERN}:{village}:{today.year}:{month:02d}",
                        kind=AlertKind.SPENDING_PATTERN,
                        village=village,
                        title=f"Belanja {month_name(month)} {today.year} jauh di atas biasanya",
                        detail=(
                            f"Belanja bulan itu {_money(amount)}, lebih dari {factor} × rata-rata "
                            f"bulan lain ({_money(average.quantize(Decimal(1)))})."
                        ),
                        link=reverse("finance:report_lra", args=[village, today.year]),
                    )
                )
    return found


# -- letters, kegiatan, programmes ------------------------------------------------------------


def _letters(today: dt.date) -> list[Found]:
    rows = (
        LetterOpen.objects.filter(due_on__lt=today, status__in=OVERDUE_LETTER_STATUSES)
        .values("village_id")
        .annotate(n=Sum("count"))
        .order_by("village_id")
    )
    found = []
    queue = reverse("letters:queue")
    for row in rows:
        if not row["n"]:
            continue
        village = row["village_id"]
        found.append(
            Found(
                key=f"{AlertKind.LETTERS_OVERDUE}:{village}",
                kind=AlertKind.LETTERS_OVERDUE,
                village=village,
                title=f"{row['n']} permohonan surat melewati target waktu",
                detail="Permohonan yang masih diajukan, diverifikasi atau ditandatangani lewat tanggal targetnya.",
                link=f"{queue}?desa={village}&terlambat=1",
            )
        )
    return found


def _projects(today: dt.date, setting_of: Any) -> list[Found]:
    found = []
    for figure in ProjectFigure.objects.filter(year=today.year).order_by("village_id", "activity_code"):
        row = figure_row(figure, setting_of(figure.village_id), today)
        problems = []
        if BEHIND in row.flags:
            problems.append(
                f"tertinggal jadwal: fisik {figure.physical_percent}% dari seharusnya {row.expected}%"
            )
        if NO_VISIT in row.flags:
            problems.append(
                "belum pernah dikunjungi"
                if figure.last_visit_on is None
                else f"kunjungan terakhir {tanggal(figure.last_visit_on)}"
            )
        if not problems:
            continue
        found.append(
            Found(
                key=f"{AlertKind.PROJECT_STALLED}:{figure.village_id}:{figure.year}:{figure.activity_code}",
                kind=AlertKind.PROJECT_STALLED,
                village=figure.village_id,
                title=f"Kegiatan {figure.activity_code} {figure.name}"[:250],
                detail="; ".join(problems).capitalize() + ".",
                link=reverse(
                    "monitoring:project", args=[figure.village_id, figure.year, figure.activity_code]
                ),
            )
        )
    return found


def _programmes(today: dt.date) -> list[Found]:
    from kampung.assistance.models import Programme

    rows = list(
        ProgrammeFigure.objects.filter(stalled__gt=0, year__gte=today.year - 1)
        .values_list("village_id", "programme", "year", "stalled")
        .order_by("village_id", "programme", "year")
    )
    names = dict(Programme.objects.filter(code__in=sorted({r[1] for r in rows})).values_list("code", "name"))
    return [
        Found(
            key=f"{AlertKind.CASES_STALLED}:{village}:{programme}:{year}",
            kind=AlertKind.CASES_STALLED,
            village=village,
            title=f"{stalled} kasus {names.get(programme, programme)} {year} tidak bergerak",
            detail="Kasus yang lama tidak berpindah tahap; periksa dan tindak lanjuti.",
            link=reverse("assistance:village", args=[village, programme, year]),
        )
        for village, programme, year, stalled in rows
    ]


def alerts_current(*, today: dt.date) -> dict[str, Found]:
    """Every alert that holds ``today``, by key, from the roll-up tables (a fixed number of
    queries: one per source table, the settings, and one calendar per regency and year)."""
    codes: set[str] = set(
        ProjectFigure.objects.filter(year=today.year).values_list("district_code", flat=True).distinct()
    )
    codes.update(
        FinanceFigure.objects.filter(kind=FinanceKind.SPENDING, year=today.year)
        .values_list("district_code", flat=True)
        .distinct()
    )
    settings_by_regency = settings_for({c[:5] for c in codes})

    def setting_of(village: str) -> Any:
        return settings_by_regency[village[:5]]

    cal = _Calendar()
    found = [
        *_finance(today, cal),
        *_spending(today, setting_of),
        *_letters(today),
        *_projects(today, setting_of),
        *_programmes(today),
    ]
    names = _village_names({f.village for f in found})
    result: dict[str, Found] = {}
    for item in found:
        place = names.get(item.village, item.village)
        result[item.key] = Found(
            key=item.key[:120],
            kind=str(item.kind),
            village=item.village,
            title=f"{place}: {item.title}"[:300],
            detail=item.detail,
            link=item.link[:300],
        )
    return result


def _village_names(codes: set[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for chunk in _chunks(sorted(codes), 900):
        for region in Region.objects.filter(code__in=chunk).only("code", "name", "kind"):
            names[region.code] = f"{region.get_kind_display()} {region.name}"
    return names


@transaction.atomic
def alerts_refresh(*, today: dt.date) -> AlertReport:
    """Reconcile the :class:`Alert` table with the alerts that hold ``today`` (see the module
    docs for the kinds and for re-opening). Reads only roll-up tables, regions, settings,
    calendars and programme names."""
    now = timezone.now()
    current = alerts_current(today=today)
    report = AlertReport()
    existing: dict[str, Alert] = {}
    for chunk in _chunks(sorted(current)):
        for row in Alert.objects.select_for_update().filter(key__in=chunk):
            existing[row.key] = row
    create: list[Alert] = []
    update: list[Alert] = []
    for key, item in current.items():
        alert = existing.get(key)
        if alert is None:
            create.append(
                Alert(
                    key=key,
                    kind=item.kind,
                    village_id=item.village,
                    district_code=item.village[:8],
                    title=item.title,
                    detail=item.detail,
                    link=item.link,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
            report.opened += 1
            continue
        if alert.resolved_at is not None:
            alert.resolved_at = None
            alert.first_seen_at = now
            alert.notified_at = None
            report.opened += 1
        else:
            report.still_open += 1
        alert.title, alert.detail, alert.link, alert.last_seen_at = item.title, item.detail, item.link, now
        update.append(alert)
    Alert.objects.bulk_create(create, batch_size=_CHUNK)
    Alert.objects.bulk_update(
        update,
        ["title", "detail", "link", "last_seen_at", "resolved_at", "first_seen_at", "notified_at"],
        batch_size=_CHUNK,
    )
    gone = [
        pk
        for pk, key in Alert.objects.filter(resolved_at__isnull=True).values_list("pk", "key")
        if key not in current
    ]
    for chunk in _chunks(gone):
        Alert.objects.filter(pk__in=chunk).update(resolved_at=now)
    report.resolved = len(gone)
    return report


# -- notification ----------------------------------------------------------------------------


# A digest names at most this many alerts (a WhatsApp or SMS must stay readable); the rest
# are counted and the link to the full list follows.
DIGEST_ITEMS = 20


def _digest_body(name: str, alerts: list[Alert]) -> str:
    base = str(getattr(settings, "PUBLIC_BASE_URL", "")).rstrip("/")
    lines = [f"Yth. {name},", "", f"Ada {len(alerts)} hal baru yang perlu perhatian:", ""]
    for alert in alerts[:DIGEST_ITEMS]:
        lines.append(f"- {alert.title}")
        if alert.detail:
            lines.append(f"  {alert.detail}")
        if alert.link:
            lines.append(f"  {base}{alert.link}")
    if len(alerts) > DIGEST_ITEMS:
        lines.append(f"- dan {len(alerts) - DIGEST_ITEMS} lainnya")
    lines += ["", "Daftar lengkap: " + base + reverse("monitoring:alerts"), "", "Kampung"]
    return "\n".join(lines)


@transaction.atomic
def alerts_notify(*, now: dt.datetime | None = None) -> int:
    """Send the alerts opened and not yet notified: ONE digest per recipient through the
    notification outbox, then mark them notified. Recipients are the users with an active
    role of sekretaris desa or kepala desa of the alert's village, camat of its district, or
    DPMD of its regency, each listing the new alerts of the kinds their role sees
    (:data:`kampung.monitoring.selectors.alerts.ROLE_KINDS`). Returns the number of digests
    queued. A second call finds nothing pending and queues nothing."""
    from kampung.accounts.models import RoleAssignment
    from kampung.notifications.services import message_queue

    now = now or timezone.now()
    pending = list(
        Alert.objects.select_for_update()
        .filter(resolved_at__isnull=True, notified_at__isnull=True)
        .order_by("district_code", "village_id", "kind", "key")
    )
    if not pending:
        return 0
    villages = sorted({a.village_id for a in pending})
    districts = sorted({a.district_code for a in pending})
    regencies = sorted({a.village_id[:5] for a in pending})
    assignments = (
        RoleAssignment.objects.active_on(timezone.localdate(now))
        .filter(
            Q(role__in=[Role.SECRETARY, Role.HEAD], region_id__in=villages)
            | Q(role=Role.CAMAT, region_id__in=districts)
            | Q(role=Role.DPMD, region_id__in=regencies),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id", "region_id", "role")
    )
    # user -> (user, [(region code, kinds)])
    by_user: dict[int, tuple[Any, list[tuple[str, tuple[str, ...]]]]] = {}
    for assignment in assignments:
        user, grants = by_user.setdefault(assignment.user_id, (assignment.user, []))
        grants.append((assignment.region_id, ROLE_KINDS.get(assignment.role, ())))
    sent = 0
    for user, grants in by_user.values():
        mine = [
            a
            for a in pending
            if any(
                a.kind in kinds and (a.village_id == code or a.village_id.startswith(code + "."))
                for code, kinds in grants
            )
        ]
        if not mine:
            continue
        name = user.display_name
        rows = message_queue(
            recipient_name=name,
            email=user.email or "",
            phone=user.phone or "",
            subject=f"Kampung: {len(mine)} peringatan baru",
            body=_digest_body(name, mine),
        )
        if rows:
            sent += 1
    for chunk in _chunks([a.pk for a in pending]):
        Alert.objects.filter(pk__in=chunk).update(notified_at=now)
    return sent
