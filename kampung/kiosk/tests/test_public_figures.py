"""The public pages' figures equal the source records, on the generated regency of the
monitoring tests (residents, budgets, books, projects, RTLH and BLT cases made through the real
services, roll-ups applied by the real mechanism); no NIK or KK number appears on any public or
kiosk information page; the beneficiaries' list exists only when the programme publishes it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from kampung.assistance.models import AIDED_STATUSES, Case, Programme
from kampung.assistance.selectors.overview import programme_figures
from kampung.core.formatting import number_id, rupiah
from kampung.finance.selectors.public import apbdes_public_summary
from kampung.kiosk.views_public import menu_pages
from kampung.monitoring.models import FinanceFigure, FinanceKind, ProjectFigure
from kampung.monitoring.tests.generated_regency import (
    DISTRICT_A,
    KELURAHAN,
    NOW,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_B1,
    VILLAGES,
    YEAR,
    Regency,
    regency_for_module,
)
from kampung.population.models import BasicStatus, Family, Resident
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def regency(django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Regency]:
    with regency_for_module(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


@pytest.fixture(autouse=True)
def _frozen(db: Any) -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def get(client: Client, name: str, code: str, **kw: Any) -> str:
    response = client.get(reverse(f"public:{name}", kwargs={"code": code, **kw}))
    assert response.status_code == 200, (name, code)
    return response.content.decode()


def test_population_equals_the_register(regency: Regency, client: Client) -> None:
    living = Resident.objects.filter(village_id=VILLAGE_A1, basic_status=BasicStatus.LIVING)
    residents = living.count()
    male = living.filter(sex=1).count()
    assert residents > 100
    html = get(client, "population", VILLAGE_A1)
    assert f'<span class="p-value">{number_id(residents)}</span> <span class="p-label">penduduk' in html
    assert f'<span class="p-value">{number_id(male)}</span> <span class="p-label">laki-laki' in html
    assert "<svg" in html and "chart-pyramid" in html
    families = living.exclude(family=None).values("family").distinct().count()
    assert f'{number_id(families)}</span> <span class="p-label">keluarga' in html
    # The regency page adds every village up.
    total = Resident.objects.filter(village_id__in=VILLAGES, basic_status=BasicStatus.LIVING).count()
    assert f'{number_id(total)}</span> <span class="p-label">penduduk' in get(client, "region", REGENCY)
    assert Family.objects.exists()


def test_budget_equals_the_enacted_apbdes_and_the_books(regency: Regency, client: Client) -> None:
    summary = apbdes_public_summary(village_code=VILLAGE_A1, year=YEAR)
    assert summary is not None
    html = get(client, "budget", VILLAGE_A1)
    assert rupiah(summary["revenue"]["total"]) in html
    assert rupiah(summary["spending"]["total"]) in html
    for source in summary["revenue"]["by_source"]:
        assert rupiah(source["amount"]) in html
    for bidang in summary["spending"]["by_bidang"]:
        assert f'<th scope="row">{bidang["name"]}</th><td class="num">{rupiah(bidang["amount"])}</td>' in html
    spent = FinanceFigure.objects.filter(
        village_id=VILLAGE_A1, year=YEAR, kind=FinanceKind.SPENDING, month__gte=1, month__lte=12
    ).aggregate(s=Sum("amount"))["s"]
    assert spent and rupiah(spent) in html
    assert html.count("<svg") == 3


def test_budget_of_a_year_without_apbdes_is_an_empty_state(regency: Regency, client: Client) -> None:
    html = client.get(
        reverse("public:budget", kwargs={"code": VILLAGE_A1}), {"tahun": "2011"}
    ).content.decode()
    assert "Belum ada data APBDes 2011" in html


def test_projects_equal_the_rollup(regency: Regency, client: Client) -> None:
    rows = list(ProjectFigure.objects.filter(village_id=VILLAGE_A1, year=YEAR))
    assert rows
    html = get(client, "projects", VILLAGE_A1)
    for row in rows:
        assert row.name in html
        assert rupiah(row.budget) in html


def test_programme_figures_equal_the_cases(regency: Regency, client: Client) -> None:
    html = get(client, "programmes", VILLAGE_B1)
    for programme in Programme.objects.filter(regency_id=REGENCY):
        figures = programme_figures(village_codes=[VILLAGE_B1], programme=programme, year=YEAR, now=NOW)[
            VILLAGE_B1
        ]
        assert programme.name in html
        block = html[html.index(f">{programme.name}</h2>") :]
        block = block[: block.index("</section>")]
        assert f'Rumah tangga terdaftar</th><td class="num">{number_id(figures.total)}<' in block
        assert f'Ditetapkan sebagai penerima</th><td class="num">{number_id(figures.decided)}<' in block
        assert rupiah(figures.paid) in block and rupiah(figures.committed) in block


def test_beneficiaries_only_when_published(regency: Regency, client: Client) -> None:
    cases = Case.objects.filter(village_id=VILLAGE_B1, year=YEAR, status__in=AIDED_STATUSES)
    case = cases.select_related("programme").first()
    assert case is not None, "the generated regency has decided cases"
    programme = case.programme
    url = reverse("public:beneficiaries", kwargs={"code": VILLAGE_B1, "programme_pk": programme.pk})
    assert client.get(url).status_code == 404
    assert url not in get(client, "programmes", VILLAGE_B1)
    Programme.objects.filter(pk=programme.pk).update(publish_names=True)
    from kampung.kiosk.public_cache import public_cache_bump

    public_cache_bump()
    assert url in get(client, "programmes", VILLAGE_B1)
    html = client.get(url).content.decode()
    shown = cases.filter(programme=programme).order_by("dusun", "name", "pk")[:25]
    for c in shown:
        assert c.name in html
        if c.dusun:
            assert c.dusun in html
        assert c.nik not in html and c.kk_number not in html
    # Another programme stays closed; a programme of another village's list is by village.
    other = Programme.objects.filter(regency_id=REGENCY).exclude(pk=programme.pk).first()
    if other is not None:
        assert (
            client.get(
                reverse("public:beneficiaries", kwargs={"code": VILLAGE_B1, "programme_pk": other.pk})
            ).status_code
            == 404
        )


def _pages(code: str) -> list[str]:
    region = Region.objects.get(code=code)
    names = {
        "profil": "region",
        "desa": "villages",
        "penduduk": "population",
        "apbdes": "budget",
        "pembangunan": "projects",
        "bantuan": "programmes",
        "layanan": "services",
        "pengumuman": "announcements",
    }
    return (
        [reverse(f"public:{names[p]}", kwargs={"code": code}) for p in menu_pages(region)]
        + [reverse("kiosk:info_home", kwargs={"code": code})]
        + [reverse("kiosk:info", kwargs={"code": code, "page": p}) for p in menu_pages(region)]
    )


def test_no_nik_or_kk_number_on_any_public_page(regency: Regency, client: Client) -> None:
    Programme.objects.filter(regency_id=REGENCY).update(publish_names=True)
    numbers = set(Resident.objects.values_list("nik", flat=True)) | set(
        Family.objects.values_list("kk_number", flat=True)
    )
    urls = [u for code in (REGENCY, DISTRICT_A, VILLAGE_A1, VILLAGE_B1, KELURAHAN) for u in _pages(code)]
    urls += [
        reverse("public:beneficiaries", kwargs={"code": VILLAGE_B1, "programme_pk": p.pk})
        for p in Programme.objects.filter(regency_id=REGENCY)
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        found = set(re.findall(r"\d{16}", html)) & numbers
        assert not found, f"{url} shows {found}"


def test_kiosk_info_pages_reuse_the_fragment_with_kiosk_links(regency: Regency, client: Client) -> None:
    html = client.get(reverse("kiosk:info_home", kwargs={"code": VILLAGE_A1})).content.decode()
    assert "k-btn" in html and reverse("kiosk:info", kwargs={"code": VILLAGE_A1, "page": "apbdes"}) in html
    assert "/publik/" not in html.split('<div class="k-info-body">')[1]
    html = client.get(reverse("kiosk:info", kwargs={"code": REGENCY, "page": "desa"})).content.decode()
    assert 'class="k-tile" href="/anjungan/35.10.01.2001/info/"' in html
    assert client.get(reverse("kiosk:info", kwargs={"code": KELURAHAN, "page": "apbdes"})).status_code == 404
    assert (
        client.get(reverse("kiosk:info", kwargs={"code": VILLAGE_A1, "page": "tidak-ada"})).status_code == 404
    )
    assert (
        client.post(reverse("kiosk:info", kwargs={"code": VILLAGE_A1, "page": "layanan"})).status_code == 405
    )
