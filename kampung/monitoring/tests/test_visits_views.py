"""Field monitoring pages: the region's kegiatan (counts, filters, search, pages, Excel,
scope), one kegiatan with its timeline and the visit form, the visit photos; out-of-scope
users get 404 and junk input never a 500."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, DISTRICT_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.monitoring.models import FieldVisit, FieldVisitPhoto
from kampung.monitoring.services.visits import visit_record
from kampung.monitoring.tests.test_visits_support import NOW, ROAD, enacted, figure, jpeg, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _june_2026(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def projects_url(code: str, **query: str) -> str:
    from urllib.parse import urlencode

    return reverse("monitoring:projects", args=[code]) + ("?" + urlencode(query) if query else "")


def project_url(village: str = VILLAGE_A1, year: int = 2026, code: str = ROAD) -> str:
    return reverse("monitoring:project", args=[village, year, code])


@pytest.fixture
def figures(world: Any) -> None:
    """15 June 2026: A1 road (never visited, behind), A2 drainage (fine), B1 bridge (spending
    ahead of the physical progress, visited)."""
    figure(VILLAGE_A1, physical_percent=Decimal(5))
    figure(
        VILLAGE_A2,
        code="02.03.11",
        name="Saluran drainase",
        location="RT 02",
        start_month=5,
        end_month=9,
        physical_percent=Decimal(20),
        spent=Decimal(100_000_000),
        last_visit_on=dt.date(2026, 6, 1),
        visits=1,
    )
    figure(
        VILLAGE_B1,
        code="02.03.12",
        name="Jembatan desa",
        start_month=1,
        end_month=12,
        physical_percent=Decimal(40),
        budget=Decimal(100_000_000),
        spent=Decimal(90_000_000),
        last_visit_on=dt.date(2026, 6, 10),
        visits=3,
    )


def test_regency_sees_every_kegiatan_with_its_problems(world: Any, figures: None) -> None:
    response = client_for(world.user(Role.DPMD, REGENCY)).get(projects_url(REGENCY))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["counts"].total == 3
    assert response.context["counts"].no_visit == 1
    assert response.context["counts"].behind == 1
    assert response.context["counts"].ahead == 1
    assert html.count('data-testid="project-row"') == 3
    rows = {r.figure.activity_code: r for r in response.context["rows"]}
    assert rows[ROAD].flags == ["tanpa-kunjungan", "tertinggal"]
    assert rows["02.03.11"].flags == []
    assert rows["02.03.12"].flags == ["belanja-mendahului"]
    assert rows["02.03.12"].spent_pct == Decimal("90.00")
    assert 'aria-current="page" class="active" data-testid="tab-lapangan"' in html


@pytest.mark.parametrize(
    ("show", "codes"),
    [
        ("tanpa-kunjungan", {ROAD}),
        ("tertinggal", {ROAD}),
        ("belanja-mendahului", {"02.03.12"}),
        ("semua", {ROAD, "02.03.11", "02.03.12"}),
        ("<script>", {ROAD, "02.03.11", "02.03.12"}),
    ],
)
def test_filters_by_problem(world: Any, figures: None, show: str, codes: set[str]) -> None:
    response = client_for(world.user(Role.DPMD, REGENCY)).get(projects_url(REGENCY, tampil=show))
    assert response.status_code == 200
    assert {r.figure.activity_code for r in response.context["rows"]} == codes


def test_search_by_kegiatan_or_village_name(world: Any, figures: None) -> None:
    client = client_for(world.user(Role.DPMD, REGENCY))
    by_name = client.get(projects_url(REGENCY, q="drainase"))
    assert [r.figure.activity_code for r in by_name.context["rows"]] == ["02.03.11"]
    by_village = client.get(projects_url(REGENCY, q="sarongan"))
    assert [r.figure.village_id for r in by_village.context["rows"]] == [VILLAGE_A1]
    nothing = client.get(projects_url(REGENCY, q="tidak ada"))
    assert 'data-testid="project-empty"' in nothing.content.decode()


def test_camat_sees_the_district_and_not_another(world: Any, figures: None) -> None:
    camat = client_for(world.user(Role.CAMAT, DISTRICT_A))
    response = camat.get(projects_url(DISTRICT_A))
    assert {r.figure.village_id for r in response.context["rows"]} == {VILLAGE_A1, VILLAGE_A2}
    assert camat.get(projects_url(DISTRICT_B)).status_code == 404
    assert camat.get(projects_url(VILLAGE_B1)).status_code == 404
    assert camat.get(projects_url(REGENCY)).status_code == 404
    village = client_for(world.user(Role.SECRETARY, VILLAGE_A2)).get(projects_url(VILLAGE_A2))
    assert [r.figure.village_id for r in village.context["rows"]] == [VILLAGE_A2]


@pytest.mark.parametrize(
    ("role", "region"), [(Role.RESIDENT, VILLAGE_A1), (Role.OPERATOR, VILLAGE_B1), (Role.CAMAT, DISTRICT_B)]
)
def test_residents_and_other_scopes_get_404(world: Any, figures: None, role: str, region: str) -> None:
    client = client_for(world.user(role, region))
    assert client.get(projects_url(VILLAGE_A1)).status_code == 404
    assert client.get(project_url()).status_code == 404


def test_excel_export_follows_the_filter(world: Any, figures: None) -> None:
    from openpyxl import load_workbook

    response = client_for(world.user(Role.DPMD, REGENCY)).get(
        projects_url(REGENCY, tampil="tertinggal", unduh="proyek")
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "kegiatan-fisik-3510-2026.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 1 and rows[0][0] == VILLAGE_A1 and rows[0][2] == ROAD
    assert "Tertinggal jadwal" in rows[0][14]


def test_pages_and_a_bounded_number_of_queries(world: Any) -> None:
    client = client_for(world.user(Role.DPMD, REGENCY))
    figure(VILLAGE_A1, code="02.01.01")
    client.get(projects_url(REGENCY))
    with CaptureQueriesContext(connection) as few:
        client.get(projects_url(REGENCY))
    for n in range(60):
        figure(VILLAGE_A2 if n % 2 else VILLAGE_B1, code=f"02.09.{n:02d}")
    with CaptureQueriesContext(connection) as many:
        first = client.get(projects_url(REGENCY))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(first.context["rows"]) == 50
    second = client.get(projects_url(REGENCY, page="2"))
    assert len(second.context["rows"]) == 11
    assert client.get(projects_url(REGENCY, page="abc")).status_code == 200
    assert client.get(projects_url(REGENCY, page="999")).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"tahun": "99999"},
        {"tahun": "abc", "periode": "x"},
        {"q": "a\x00b"},
        {"q": "%" * 300},
        {"unduh": "lain"},
    ],
)
def test_junk_query_never_500(world: Any, figures: None, query: dict[str, str]) -> None:
    response = client_for(world.user(Role.DPMD, REGENCY)).get(projects_url(REGENCY, **query))
    assert response.status_code == 200


@pytest.mark.parametrize("code", ["35.10.99", "abc", "35.10.01.2001\x00", "35"])
def test_unknown_or_bad_region_code_is_404(world: Any, code: str) -> None:
    client = client_for(world.user(Role.DPMD, REGENCY))
    assert client.get(f"/pemantauan/{code}/lapangan/").status_code == 404


# -- one kegiatan ----------------------------------------------------------------------------


def _report(village: str, percent: str, day: dt.date, notes: str = "") -> Any:
    from kampung.finance.models import Book, BudgetActivity, ProgressReport

    activity = BudgetActivity.objects.get(
        apbdes__village_id=village, apbdes__year=2026, activity_code__code=ROAD
    )
    book, _ = Book.objects.get_or_create(village_id=village, year=2026)
    return ProgressReport.objects.create(
        activity=activity, book=book, activity_code=ROAD, date=day, percent=Decimal(percent), notes=notes
    )


def test_project_page_merges_reports_and_visits_newest_first(world: Any) -> None:
    enacted(VILLAGE_A1)
    figure(VILLAGE_A1, physical_percent=Decimal(45), last_visit_on=dt.date(2026, 6, 12), visits=1)
    _report(VILLAGE_A1, "20", dt.date(2026, 5, 1), "Galian selesai")
    _report(VILLAGE_A1, "40", dt.date(2026, 6, 5), "Pengecoran berjalan")
    visit_record(
        actor=world.user(Role.DISTRICT_OFFICER, DISTRICT_A),
        village=VILLAGE_A1,
        year=2026,
        activity_code=ROAD,
        visited_on=dt.date(2026, 6, 12),
        percent="45",
        notes="Dicek bersama TPK.",
        findings="Papan informasi belum dipasang.",
        photos=[upload()],
    )
    response = client_for(world.user(Role.SECRETARY, VILLAGE_A1)).get(project_url())
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [(e.kind, e.date) for e in entries] == [
        ("kunjungan", dt.date(2026, 6, 12)),
        ("laporan", dt.date(2026, 6, 5)),
        ("laporan", dt.date(2026, 5, 1)),
    ]
    html = response.content.decode()
    assert "Papan informasi belum dipasang." in html and "Galian selesai" in html
    photo = FieldVisitPhoto.objects.get()
    assert reverse("monitoring:visit_photo", args=[photo.pk]) in html
    assert "-8.553428" in html
    assert not response.context["can_record"] and 'data-testid="visit-form"' not in html
    officer = client_for(world.user(Role.DISTRICT_OFFICER, DISTRICT_A)).get(project_url())
    assert officer.context["can_record"] and 'data-testid="visit-form"' in officer.content.decode()
    assert "core/geolocate.js" in officer.content.decode() and "<script>" not in officer.content.decode()


def test_project_page_without_a_rollup_row_reads_the_apbdes(world: Any) -> None:
    enacted(VILLAGE_A1)
    response = client_for(world.user(Role.CAMAT, DISTRICT_A)).get(project_url())
    assert response.status_code == 200 and response.context["figure"] is None
    assert response.context["activity"].budget == Decimal(462_000_000)
    assert 'data-testid="timeline-empty"' in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/pemantauan/desa/35.10.01.2001/kegiatan/2026/02.99.99/",
        "/pemantauan/desa/35.10.01.2001/kegiatan/1999/02.03.10/",
        "/pemantauan/desa/35.10.01.2001/kegiatan/2026/abc/",
        "/pemantauan/desa/35.10.01/kegiatan/2026/02.03.10/",
        "/pemantauan/desa/zz/kegiatan/2026/02.03.10/",
    ],
)
def test_unknown_kegiatan_is_404(world: Any, url: str) -> None:
    enacted(VILLAGE_A1)
    assert client_for(world.user(Role.DPMD, REGENCY)).get(url).status_code == 404


def _post(client: Client, photos: list[Any] | None = None, **fields: Any) -> Any:
    data: dict[str, Any] = {
        "visited_on": "2026-06-14",
        "percent": "47,5" if fields.pop("comma", False) else "47.5",
        "notes": "Lapisan kedua.",
        "findings": "",
        "latitude": "",
        "longitude": "",
        "photos": photos if photos is not None else [upload()],
    }
    data.update(fields)
    return client.post(reverse("monitoring:visit_add", args=[VILLAGE_A1, 2026, ROAD]), data)


def test_officer_records_a_visit_through_the_form(world: Any) -> None:
    enacted(VILLAGE_A1)
    response = _post(client_for(world.user(Role.DISTRICT_OFFICER, DISTRICT_A)))
    visit = FieldVisit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == project_url() + f"#kunjungan-{visit.pk}"
    assert visit.percent == Decimal("47.50") and visit.photos.count() == 1
    # The audit entry's roll-up mark was applied after the request: the kegiatan's figures
    # now carry the visit.
    from kampung.monitoring.models import ProjectFigure, RollupMark

    row = ProjectFigure.objects.get(village_id=VILLAGE_A1, year=2026, activity_code=ROAD)
    assert (row.visits, row.last_visit_on, row.physical_percent) == (
        1,
        dt.date(2026, 6, 14),
        Decimal("47.50"),
    )
    assert not RollupMark.objects.filter(region_code=VILLAGE_A1).exists()


@pytest.mark.parametrize(
    ("fields", "photos", "message"),
    [
        ({}, [], "paling sedikit satu foto"),
        ({"percent": "abc"}, None, "Kemajuan fisik harus angka"),
        ({"percent": "150"}, None, "antara 0 dan 100"),
        ({"visited_on": "2026-06-16"}, None, "setelah hari ini"),
        ({"visited_on": "kemarin"}, None, "Tanggal kunjungan tidak sah"),
        ({}, [upload(b"MZ\x90\x00 not an image", name="foto.jpg")], "bukan foto"),
        ({"latitude": "x\x00", "longitude": "1"}, [upload(jpeg(gps=None))], "Koordinat"),
    ],
)
def test_bad_visit_input_shows_a_message_and_writes_nothing(
    world: Any, fields: dict[str, Any], photos: list[Any] | None, message: str
) -> None:
    enacted(VILLAGE_A1)
    response = _post(client_for(world.user(Role.DISTRICT_OFFICER, DISTRICT_A)), photos, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FieldVisit.objects.exists()


@pytest.mark.parametrize(
    ("role", "region"),
    [
        (Role.DISTRICT_OFFICER, DISTRICT_B),
        (Role.HEAD, VILLAGE_A1),
        (Role.RESIDENT, VILLAGE_A1),
        (Role.BUPATI, REGENCY),
    ],
)
def test_visit_post_by_others_is_404(world: Any, role: str, region: str) -> None:
    enacted(VILLAGE_A1)
    assert _post(client_for(world.user(role, region))).status_code == 404
    assert not FieldVisit.objects.exists()


def test_visit_add_refuses_get(world: Any) -> None:
    enacted(VILLAGE_A1)
    client = client_for(world.user(Role.DISTRICT_OFFICER, DISTRICT_A))
    assert client.get(reverse("monitoring:visit_add", args=[VILLAGE_A1, 2026, ROAD])).status_code == 405


# -- photos ----------------------------------------------------------------------------------


def test_visit_photo_is_served_only_within_scope(world: Any) -> None:
    enacted(VILLAGE_A1)
    visit = visit_record(
        actor=world.user(Role.DISTRICT_OFFICER, DISTRICT_A),
        village=VILLAGE_A1,
        year=2026,
        activity_code=ROAD,
        visited_on=dt.date(2026, 6, 12),
        percent="45",
        notes="",
        findings="",
        photos=[upload()],
    )
    photo = visit.photos.get()
    url = reverse("monitoring:visit_photo", args=[photo.pk])
    for role, region in ((Role.SECRETARY, VILLAGE_A1), (Role.CAMAT, DISTRICT_A), (Role.BUPATI, REGENCY)):
        response = client_for(world.user(role, region)).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline;")
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    for role, region in ((Role.CAMAT, DISTRICT_B), (Role.RESIDENT, VILLAGE_A1), (Role.OPERATOR, VILLAGE_A2)):
        assert client_for(world.user(role, region)).get(url).status_code == 404
    assert (
        client_for(world.user(Role.DPMD, REGENCY)).get("/pemantauan/foto-kunjungan/999999/").status_code
        == 404
    )
    assert Client().get(url).status_code == 302  # to the login page
