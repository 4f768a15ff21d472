"""The lounge display (``/layar/``): its figures equal the monitoring roll-ups (summed here
independently), today's counters, the ranking, a fixed number of queries, junk input, no
personal data, and the cache."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.assistance.tests.factories import programmes
from kampung.conftest import (
    DISTRICT_A,
    DISTRICT_B,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_B1,
    _make_user,
    make_other_regency,
)
from kampung.core.formatting import number_id
from kampung.kiosk.models import QueueService, QueueTicket, TicketStatus
from kampung.kiosk.selectors_lounge import lounge
from kampung.kiosk.views_lounge import rotate_seconds
from kampung.letters.models import LetterType
from kampung.letters.models_requests import Channel, RequestEvent, RequestStatus
from kampung.letters.tests.requests_support import DOMISILI, letters_env, person
from kampung.monitoring.models import (
    FinanceFigure,
    FinanceKind,
    LetterMonth,
    LetterOpen,
    PopulationVillage,
    ProgrammeFigure,
)
from kampung.monitoring.tests.rollup_factories import fill
from kampung.regions.models import Kind, Level, Region

pytestmark = pytest.mark.django_db
__all__ = ["letters_env"]  # a fixture used below

TODAY = timezone.localdate()
YEAR = TODAY.year
FEW = (VILLAGE_A1, VILLAGE_B1)


def desa_per_district(limit: int) -> list[str]:
    """One desa in each of the first ``limit`` districts of the regency (its real tree)."""
    found: dict[str, str] = {}
    for code in (
        Region.objects.filter(code__startswith=REGENCY + ".", level=Level.VILLAGE, kind=Kind.DESA)
        .order_by("code")
        .values_list("code", flat=True)
    ):
        found.setdefault(code[:8], code)
    return sorted(found.values())[:limit]


@pytest.fixture
def served(db: Any) -> Any:
    """The regency is served (someone holds a role in it)."""
    return _make_user(Role.ADMIN, REGENCY)


def fill_villages(codes: list[str] | tuple[str, ...], seed: int = 5) -> None:
    for code in codes:
        fill(code, YEAR, seed=seed, today=TODAY, desa=code[9] != "1")


def url(code: str | None = None, query: str = "") -> str:
    base = reverse("lounge:region", args=[code]) if code else reverse("lounge:home")
    return base + query


# -- figures equal the roll-ups ---------------------------------------------------------------


def _expected(prefix: str) -> dict[str, Any]:
    """The same figures summed straight from the roll-up tables."""
    rows = {"village__code__startswith": prefix}
    spending = FinanceFigure.objects.filter(**rows, year=YEAR)
    budget = spending.filter(kind=FinanceKind.BUDGET_SPENDING, month=0).aggregate(n=Sum("amount"))["n"]
    spent = spending.filter(kind=FinanceKind.SPENDING, month__gte=1, month__lte=12).aggregate(
        n=Sum("amount")
    )["n"]
    blt = 0
    for counts in ProgrammeFigure.objects.filter(**rows, year=YEAR, programme="blt").values_list(
        "counts", flat=True
    ):
        blt += sum(counts.get(s, 0) for s in ("dibayar", "dikerjakan", "selesai"))
    return {
        "residents": PopulationVillage.objects.filter(**rows).aggregate(n=Sum("residents"))["n"],
        "families": PopulationVillage.objects.filter(**rows).aggregate(n=Sum("families"))["n"],
        "letters": LetterMonth.objects.filter(**rows, year=YEAR).aggregate(n=Sum("issued"))["n"],
        "absorption": float(spent / budget),
        "spent": spent,
        "budget": budget,
        "rtlh": ProgrammeFigure.objects.filter(**rows, year=YEAR, programme="rtlh").aggregate(
            n=Sum("finished")
        )["n"],
        "blt": blt,
        "overdue": LetterOpen.objects.filter(
            **rows, due_on__lt=TODAY, status__in=("diajukan", "diverifikasi", "ditandatangani")
        ).aggregate(n=Sum("count"))["n"]
        or 0,
    }


@pytest.mark.parametrize("code", [REGENCY, DISTRICT_A, VILLAGE_B1])
def test_figures_equal_the_rollups(served: Any, code: str) -> None:
    programmes(YEAR)
    fill_villages((*FEW, "35.10.01.2002", "35.10.15.2005", "35.10.15.1002"))
    region = Region.objects.get(code=code)
    data = lounge(region, TODAY)
    want = _expected(code if len(code) == 13 else code + ".")
    assert data.residents == want["residents"]
    assert data.families == want["families"]
    assert data.letters_issued == want["letters"]
    assert data.absorption == pytest.approx(want["absorption"])
    assert (data.spent, data.budget) == (want["spent"], want["budget"])
    assert data.rtlh_finished == want["rtlh"]
    assert data.blt_paid == want["blt"]
    assert data.service.overdue == want["overdue"]
    villages = Region.objects.filter(level=Level.VILLAGE)
    villages = villages.filter(code=code) if len(code) == 13 else villages.filter(code__startswith=code + ".")
    assert data.villages == villages.count()
    assert data.kelurahan == villages.filter(kind=Kind.KELURAHAN).count()

    html = Client().get(url(code)).content.decode()
    for value in (want["residents"], want["families"], want["letters"], want["rtlh"], want["blt"]):
        assert number_id(value) in html
    assert f"{want['absorption'] * 100:.1f}".replace(".", ",") + "%" in html


def test_ranking_top_ten_and_bottom_five(served: Any) -> None:
    codes = desa_per_district(17)
    assert len(codes) == 17
    fill_villages(codes, seed=11)
    data = lounge(Region.objects.get(code=REGENCY), TODAY)
    budget: dict[str, Decimal] = defaultdict(Decimal)
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for row in FinanceFigure.objects.filter(year=YEAR, kind=FinanceKind.BUDGET_SPENDING, month=0):
        budget[row.district_code] += row.amount
    for row in FinanceFigure.objects.filter(year=YEAR, kind=FinanceKind.SPENDING, month__gte=1):
        spent[row.district_code] += row.amount
    order = sorted(budget, key=lambda d: -(spent[d] / budget[d]))
    assert [r.code for r in data.top] == order[:10]
    assert [r.code for r in data.bottom] == list(reversed(order[-5:]))
    assert data.top[0].absorption == pytest.approx(float(spent[order[0]] / budget[order[0]]))
    html = Client().get(url(REGENCY)).content.decode()
    assert "10 tertinggi" in html and "5 terendah" in html
    assert html.count('class="bar s0"') >= 15


def test_district_ranks_its_desa_and_a_village_has_no_ranking(served: Any) -> None:
    fill_villages(("35.10.01.2001", "35.10.01.2002", "35.10.01.2004"))
    data = lounge(Region.objects.get(code=DISTRICT_A), TODAY)
    assert {r.code for r in data.top} == {"35.10.01.2001", "35.10.01.2002", "35.10.01.2004"}
    assert data.bottom == []
    assert data.child_label == "Desa"
    village = Client().get(url(VILLAGE_A1)).content.decode()
    assert 'id="panel-ranking"' not in village and 'id="panel-kpi"' in village


def test_empty_regency_shows_friendly_empty_states(served: Any) -> None:
    html = Client().get(url()).content.decode()
    assert "Belum ada APBDes" in html
    assert "Belum ada kasus program bantuan" in html
    assert "Belum ada pengumuman" in html


# -- today ------------------------------------------------------------------------------------


def _tickets(village: str, letter: str, statuses: list[str], day: dt.date) -> None:
    service, _ = QueueService.objects.get_or_create(
        village_id=village, letter=letter, defaults={"name": "Surat"}
    )
    start = QueueTicket.objects.filter(service=service, day=day).count()
    for i, status in enumerate(statuses, start=start + 1):
        QueueTicket.objects.create(
            service=service, village_id=village, day=day, number=i, status=status, taken_at=timezone.now()
        )


def test_today_counts(world: Any, letters_env: Any) -> None:
    from kampung.letters import services_requests as svc

    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    village = Region.objects.get(code=VILLAGE_A1)
    people = [person(world, name=n) for n in ("Siti Aminah", "Budi Santoso", "Wahyu Lestari")]
    made = [
        svc.request_submit(
            actor=operator,
            village=village,
            channel=Channel.COUNTER,
            data=svc.RequestInput(
                letter_type=LetterType.objects.get(slug=DOMISILI), requester=p, purpose="Kerja"
            ),
        )
        for p in people
    ]
    made[2].submitted_at = timezone.now() - dt.timedelta(days=1)  # yesterday's
    made[2].save(update_fields=["submitted_at"])
    now = timezone.now()
    # The issue step's history rows (the whole issue flow is the letters app's own tests).
    RequestEvent.objects.create(
        request=made[0], at=now, status_from="ditandatangani", status_to=RequestStatus.ISSUED
    )
    RequestEvent.objects.create(
        request=made[1],
        at=now - dt.timedelta(days=1),
        status_from="ditandatangani",
        status_to=RequestStatus.ISSUED,
    )
    _tickets(
        VILLAGE_A1,
        "A",
        [TicketStatus.DONE, TicketStatus.DONE, TicketStatus.CALLED, TicketStatus.WAITING],
        TODAY,
    )
    _tickets(VILLAGE_A1, "B", [TicketStatus.SKIPPED], TODAY)
    _tickets(VILLAGE_A1, "A", [TicketStatus.DONE] * 3, TODAY - dt.timedelta(days=1))
    _tickets(VILLAGE_B1, "A", [TicketStatus.DONE, TicketStatus.WAITING], TODAY)

    regency = lounge(Region.objects.get(code=REGENCY), TODAY).service
    assert (regency.submitted, regency.issued) == (2, 1)
    assert (regency.tickets_taken, regency.tickets_served, regency.tickets_waiting) == (7, 3, 3)
    district = lounge(Region.objects.get(code=DISTRICT_A), TODAY).service
    assert (district.tickets_taken, district.tickets_served) == (5, 2)
    other = lounge(Region.objects.get(code=DISTRICT_B), TODAY).service
    assert (other.submitted, other.issued, other.tickets_taken, other.tickets_served) == (0, 0, 2, 1)
    tomorrow = lounge(Region.objects.get(code=REGENCY), TODAY + dt.timedelta(days=1)).service
    assert (tomorrow.submitted, tomorrow.issued, tomorrow.tickets_taken) == (0, 0, 0)

    html = Client().get(url(VILLAGE_A1)).content.decode()
    assert 'data-testid="today-submitted">2<' in html
    assert 'data-testid="today-taken">5<' in html
    # No personal data: names, NIK, KK numbers never appear.
    for p in people:
        assert p.name not in html
        assert p.nik not in html
        assert p.family.kk_number not in html
    for r in made:
        assert r.code not in html


# -- cost -------------------------------------------------------------------------------------


def _queries(client: Client, address: str) -> int:
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_villages(served: Any) -> None:
    programmes(YEAR)
    client = Client()
    pages = [url(), url(REGENCY), url(DISTRICT_A), url(VILLAGE_A1)]
    fill_villages(FEW)
    few = [_queries(client, p) for p in pages]
    fill_villages([c for c in desa_per_district(20) if c not in FEW], seed=8)
    fill_villages(("35.10.01.2002", "35.10.01.2004", "35.10.15.1002"), seed=9)
    many = [_queries(client, p) for p in pages]
    assert few == many
    assert max(many) <= 25


def test_served_from_the_cache_for_a_minute(served: Any) -> None:
    client = Client()
    first = client.get(url(REGENCY))
    assert first["Cache-Control"] == "public, max-age=60"
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url(REGENCY))
    assert again.content == first.content and len(captured.captured_queries) == 0
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert not first.cookies


# -- home, choosing, junk ---------------------------------------------------------------------


def test_home_shows_the_served_regency(served: Any) -> None:
    html = Client().get(url()).content.decode()
    assert (
        "Kabupaten Banyuwangi" in html.replace("KABUPATEN BANYUWANGI", "Kabupaten Banyuwangi")
        or "Banyuwangi" in html
    )
    assert 'id="panel-kpi"' in html


def test_home_chooses_between_regencies(served: Any) -> None:
    make_other_regency()
    html = Client().get(url()).content.decode()
    assert reverse("lounge:region", args=[REGENCY]) in html
    assert reverse("lounge:region", args=["35.09"]) in html
    assert 'id="panel-kpi"' not in html


def test_home_without_any_served_regency_is_friendly(db: Any) -> None:
    response = Client().get(url())
    assert response.status_code == 200
    assert "belum siap" in response.content.decode()


@pytest.mark.parametrize(
    "raw,seconds",
    [
        ("", 15),
        ("abc", 15),
        ("\x00", 15),
        ("3", 5),
        ("5", 5),
        ("30", 30),
        ("999999", 15),
        ("121", 120),
        ("-5", 15),
        ("١٥", 15),
    ],
)
def test_rotate_seconds(raw: str, seconds: int) -> None:
    assert rotate_seconds(raw) == seconds


@pytest.mark.parametrize(
    "query", ["?detik=abc", "?detik=%00", "?detik=" + "9" * 500, "?detik=7&detik=8", "?x=%ff"]
)
def test_junk_queries(served: Any, query: str) -> None:
    response = Client().get(url(REGENCY, query))
    assert response.status_code == 200
    assert 'data-rotate="' in response.content.decode()


@pytest.mark.parametrize("code", ["99.99", "35.09", "abc", "35.10.01.2001%00", "9" * 300, "35.10.99", "35"])
def test_unknown_codes_are_not_found(served: Any, code: str) -> None:
    assert Client().get(f"/layar/{code}/").status_code == 404


def test_wrong_methods(served: Any) -> None:
    client = Client()
    assert client.post(url(REGENCY)).status_code == 405
    assert client.put(url()).status_code == 405
