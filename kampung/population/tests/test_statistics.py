"""Population statistics: figures on a small known population, the pages, the Excel export,
scope and bad input."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, browser_login
from kampung.population import services, statistics
from kampung.population.models import Sex
from kampung.population.tests.factories import make_family, make_resident
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 15)


@pytest.fixture(autouse=True)
def frozen(request):
    if request.node.get_closest_marker("browser"):  # the live server runs on the real clock
        yield
        return
    with time_machine.travel(dt.datetime(2026, 11, 15, 3, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def people(world):
    """Sarongan (A1): two families and one person without a KK; one death; one resident in A2.

    Ages on 15-11-2026: Budi 46 (45–49), Siti 44 (40–44), Ani 11 (10–14), Mbah Sumi 76 (75+),
    Joko 26 (25–29), Dewi turns 5 today (5–9), Tono turns 5 tomorrow (0–4)."""
    f1 = make_family(world, VILLAGE_A1, dusun="Krajan", rt="001", rw="001")
    f2 = make_family(world, VILLAGE_A1, dusun="Sumberayu", rt="002", rw="001")
    r = {}
    r["budi"] = make_resident(
        world,
        VILLAGE_A1,
        "Budi Santoso",
        dt.date(1980, 5, 10),
        Sex.MALE,
        family=f1,
        attributes={
            "family_relation": 1,
            "religion": 1,
            "education": 5,
            "occupation": 9,
            "marital_status": 2,
        },
    )
    r["siti"] = make_resident(
        world,
        VILLAGE_A1,
        "Siti Aminah",
        dt.date(1982, 2, 1),
        Sex.FEMALE,
        family=f1,
        attributes={
            "family_relation": 3,
            "religion": 1,
            "education": 4,
            "occupation": 2,
            "marital_status": 2,
        },
    )
    r["ani"] = make_resident(
        world,
        VILLAGE_A1,
        "Ani Lestari",
        dt.date(2015, 7, 7),
        Sex.FEMALE,
        family=f1,
        attributes={"family_relation": 4, "religion": 1, "education": 2, "occupation": 3},
    )
    r["sumi"] = make_resident(
        world,
        VILLAGE_A1,
        "Sumi",
        dt.date(1950, 1, 1),
        Sex.FEMALE,
        family=f2,
        attributes={
            "family_relation": 1,
            "religion": 4,
            "education": 1,
            "occupation": 1,
            "marital_status": 4,
        },
    )
    r["dewi"] = make_resident(
        world,
        VILLAGE_A1,
        "Dewi Kecil",
        dt.date(2021, 11, 15),
        Sex.FEMALE,
        family=f2,
        attributes={"family_relation": 6, "religion": 4, "occupation": 3},
    )
    r["tono"] = make_resident(
        world,
        VILLAGE_A1,
        "Tono Kecil",
        dt.date(2021, 11, 16),
        Sex.MALE,
        family=f2,
        attributes={"family_relation": 6, "religion": 4, "occupation": 3},
    )
    r["joko"] = make_resident(
        world,
        VILLAGE_A1,
        "Joko Susilo",
        dt.date(2000, 3, 3),
        Sex.MALE,
        attributes={"religion": 2, "education": 8, "occupation": 15, "citizenship": 2},
    )
    dead = make_resident(world, VILLAGE_A1, "Karto Almarhum", dt.date(1940, 4, 4), Sex.MALE, family=f2)
    services.death_record(
        actor=world.user(Role.OPERATOR, VILLAGE_A1), resident=dead, death_date=dt.date(2026, 10, 1)
    )
    r["other"] = make_resident(
        world, VILLAGE_A2, "Warga Pesanggaran", dt.date(1990, 6, 6), Sex.MALE, attributes={"religion": 1}
    )
    return r


def band(stats_bands, label):
    return next(b for b in stats_bands if b.label == label)


def test_age_pyramid_bands_and_boundaries(people):
    bands = statistics.age_pyramid([VILLAGE_A1], today=TODAY)
    assert [b.label for b in bands][:3] == ["0–4", "5–9", "10–14"]
    assert bands[-1].label == "75+"
    assert len(bands) == 16
    assert (band(bands, "0–4").male, band(bands, "0–4").female) == (1, 0)  # Tono, 5 tomorrow
    assert (band(bands, "5–9").male, band(bands, "5–9").female) == (0, 1)  # Dewi, 5 today
    assert band(bands, "10–14").female == 1
    assert band(bands, "25–29").male == 1
    assert band(bands, "40–44").female == 1
    assert band(bands, "45–49").male == 1
    assert (band(bands, "75+").male, band(bands, "75+").female) == (0, 1)  # the dead man (86) is out
    assert sum(b.total for b in bands) == 7


def test_distributions_count_living_by_sex(people):
    religion = statistics.distribution([VILLAGE_A1], "religion")
    by_code = {row.code: row for row in religion.rows}
    assert (by_code[1].male, by_code[1].female) == (1, 2)
    assert (by_code[4].male, by_code[4].female) == (1, 2)
    assert (by_code[2].male, by_code[2].female) == (1, 0)
    assert by_code[1].label == "Islam" and by_code[4].label == "Hindu"
    assert religion.total == 7
    marital = {r.code: r.total for r in statistics.distribution([VILLAGE_A1], "marital_status").rows}
    assert marital == {1: 4, 2: 2, 4: 1}
    occupation = statistics.distribution([VILLAGE_A1], "occupation")
    assert occupation.rows[0].code == 3 and occupation.rows[0].total == 3  # the largest first
    citizenship = {r.label: r.total for r in statistics.distribution([VILLAGE_A1], "citizenship").rows}
    assert citizenship == {"WNI": 6, "WNA": 1}


def test_distribution_top_sums_the_rest():
    dist = statistics.Distribution(
        key="x",
        title="X",
        rows=tuple(statistics.SexCount(str(i), i, 1, code=i) for i in range(1, 6)),
    )
    top = dist.top(3)
    assert [r.label for r in top] == ["5", "4", "Lainnya"]
    assert top[-1].male == 1 + 2 + 3 and top[-1].female == 3
    assert sum(r.total for r in top) == dist.total


def test_family_summary(people):
    fam = statistics.family_summary([VILLAGE_A1])
    assert fam.families == 2
    assert fam.members == 6
    assert fam.average_size == 3.0
    assert fam.male_headed == 1 and fam.female_headed == 1
    assert fam.female_headed_share == 50.0
    assert fam.without_head == 0
    assert fam.without_family == 1


def test_region_levels_add_up(people):
    village = statistics.population_statistics(Region.objects.get(code=VILLAGE_A1), today=TODAY)
    district = statistics.population_statistics(Region.objects.get(code=DISTRICT_A), today=TODAY)
    regency = statistics.population_statistics(Region.objects.get(code=REGENCY), today=TODAY)
    assert (village.total.male, village.total.female) == (3, 4)
    assert district.total.total == 8 == regency.total.total
    assert district.villages == Region.objects.filter(code__startswith=DISTRICT_A + ".", level=4).count()
    assert sum(b.total for b in district.pyramid) == 8
    assert statistics.population_statistics(Region.objects.get(code=VILLAGE_B1)).total.total == 0


def test_statistics_use_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    region = Region.objects.get(code=REGENCY)
    with django_assert_max_num_queries(3):
        statistics.population_statistics(region)


# -- pages --------------------------------------------------------------------------------


def test_page_defaults_to_own_village_with_svg_and_tables(client, world, people):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    response = client.get(reverse("population:statistics"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Statistik penduduk Desa Sarongan" in html
    assert html.count("<svg") == 6  # pyramid and five distributions
    assert '<title id="chart-umur-title">' in html and "<desc" in html
    assert 'role="img"' in html
    assert "style=" not in html
    assert "<script" not in html
    # numbers beside the charts: 75+ row has 0 men, 1 woman
    assert re.search(r"<td>75\+</td><td class=\"num\">0</td><td class=\"num\">1</td>", html)
    # coordinates use a dot, never a localised decimal comma
    assert not re.search(r'width="\d+,\d', html)
    # picker offers only the user's village
    assert f'value="{VILLAGE_A1}"' in html and f'value="{VILLAGE_A2}"' not in html


def test_district_user_sees_district_by_default_and_may_pick_villages(client, world, people):
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    html = client.get(reverse("population:statistics")).content.decode()
    assert "Kecamatan Pesanggaran" in html
    assert f'value="{VILLAGE_A2}"' in html and f'value="{VILLAGE_B1}"' not in html
    response = client.get(reverse("population:statistics"), {"wilayah": VILLAGE_A2})
    assert response.status_code == 200
    assert response.context["stats"].total.total == 1


@pytest.mark.parametrize(
    ("role", "home", "asked"),
    [
        (Role.OPERATOR, VILLAGE_A1, VILLAGE_A2),
        (Role.OPERATOR, VILLAGE_A1, DISTRICT_A),
        (Role.CAMAT, DISTRICT_A, VILLAGE_B1),
        (Role.CAMAT, DISTRICT_A, REGENCY),
        (Role.RESIDENT, VILLAGE_A1, VILLAGE_A1),
        (Role.BPD, VILLAGE_A1, VILLAGE_A1),
    ],
)
def test_out_of_scope_is_not_found(client, world, people, role, home, asked):
    client.force_login(world.user(role, home))
    assert client.get(reverse("population:statistics"), {"wilayah": asked}).status_code == 404
    assert client.get(reverse("population:statistics_export"), {"wilayah": asked}).status_code == 404


@pytest.mark.parametrize("junk", ["x", "35.10.01.2001' OR 1=1", "9" * 40, "35.10.99.9999", ""])
def test_junk_region_is_never_a_500(client, world, people, junk):
    client.force_login(world.user(Role.ADMIN, REGENCY))
    response = client.get(reverse("population:statistics"), {"wilayah": junk})
    assert response.status_code in (200, 404)


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("population:statistics"))
    assert response.status_code == 302


def test_excel_export_holds_the_figures(client, world, people):
    client.force_login(world.user(Role.ADMIN, REGENCY))
    response = client.get(reverse("population:statistics_export"), {"wilayah": VILLAGE_A1})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert "Kelompok umur" in wb.sheetnames and "Agama" in wb.sheetnames
    summary = {row[0]: row[1] for row in wb["Ringkasan"].iter_rows(min_row=4, values_only=True) if row[0]}
    assert summary["Jumlah penduduk"] == 7
    assert summary["KK dikepalai perempuan"] == 1
    ages = {row[0]: row[1:] for row in wb["Kelompok umur"].iter_rows(min_row=2, values_only=True)}
    assert ages["75+"] == (0, 1, 1)
    assert ages["Jumlah"] == (3, 4, 7)
    religion = {row[0]: row[3] for row in wb["Agama"].iter_rows(min_row=2, values_only=True)}
    assert religion["Hindu"] == 3


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_charts_render_in_the_browser(page, live_server, world, people):
    """The SVG bars are drawn with the colours from kampung.css, and the picker changes region."""
    user = world.user(Role.CAMAT, DISTRICT_A)
    browser_login(page, live_server.url, user)
    page.goto(f"{live_server.url}{reverse('population:statistics')}")
    assert page.locator("svg.chart").count() == 6
    assert page.get_by_role("img", name="Piramida umur penduduk").is_visible()
    female_bars = page.locator("svg.chart-pyramid rect.chart-female")
    widths = [female_bars.nth(i).bounding_box()["width"] for i in range(female_bars.count())]
    assert max(widths) > 50 and min(widths) == 0
    fill = page.locator("svg.chart-pyramid rect.chart-male").first.evaluate("e => getComputedStyle(e).fill")
    assert fill == "rgb(31, 111, 178)"
    page.get_by_label("Wilayah").select_option(VILLAGE_A2)
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_load_state()
    assert "Statistik penduduk Desa Pesanggaran" in page.locator("h1").inner_text()


def test_wide_areas_are_cached_and_warmed(world, people, monkeypatch):
    from kampung.population import statistics as st

    monkeypatch.setattr(st, "CACHE_ABOVE_VILLAGES", 1)
    regency = Region.objects.get(code=REGENCY)
    first = st.population_statistics_cached(regency)
    assert first.computed_at is not None
    make_resident(world, VILLAGE_A1, name="Pendatang Baru", birth=dt.date(1990, 1, 1))
    # Within the cache period the page shows the figures as counted (with their time).
    assert st.population_statistics_cached(regency).total.total == first.total.total
    warmed = st.statistics_warm()
    assert REGENCY in [s.region_code for s in warmed]
    assert st.population_statistics_cached(regency).total.total == first.total.total + 1
    # One village is always counted live.
    village = Region.objects.get(code=VILLAGE_A1)
    before = st.population_statistics_cached(village).total.total
    make_resident(world, VILLAGE_A1, name="Pendatang Kedua", birth=dt.date(1991, 1, 1))
    assert st.population_statistics_cached(village).total.total == before + 1


def test_warm_command_prints_the_recounted_regions(world, people, monkeypatch):
    from django.core.management import call_command

    from kampung.population import statistics as st

    monkeypatch.setattr(st, "CACHE_ABOVE_VILLAGES", 1)
    out = io.StringIO()
    call_command("population", "statistics-warm", stdout=out)
    assert f"{REGENCY} " in out.getvalue() and "penduduk" in out.getvalue()
