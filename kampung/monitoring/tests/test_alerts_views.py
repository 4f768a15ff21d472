"""Alert lists: the user's own (scope and role kinds), the region's (header tabs), kind
filter, pages, Excel, empty state; out of scope 404, junk never 500."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, DISTRICT_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.monitoring.models import Alert, AlertKind

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def alert(village: str, kind: str, suffix: str = "", resolved: bool = False) -> Alert:
    from django.utils import timezone

    return Alert.objects.create(
        key=f"{kind}:{village}{suffix}",
        kind=kind,
        village_id=village,
        district_code=village[:8],
        title=f"{kind} di {village}{suffix}",
        detail="Rincian",
        link="/keuangan/",
        resolved_at=timezone.now() if resolved else None,
    )


@pytest.fixture
def alerts(world: Any) -> None:
    alert(VILLAGE_A1, AlertKind.REPORT_LATE)
    alert(VILLAGE_A1, AlertKind.LETTERS_OVERDUE)
    alert(VILLAGE_A1, AlertKind.PROJECT_STALLED)
    alert(VILLAGE_A1, AlertKind.ADVANCE_OPEN, resolved=True)
    alert(VILLAGE_A2, AlertKind.CASES_STALLED)
    alert(VILLAGE_B1, AlertKind.SPENDING_PATTERN)


def keys(response: Any) -> set[str]:
    return {a.key for a in response.context["alerts"]}


MINE = reverse("monitoring:alerts")


@pytest.mark.parametrize(
    ("role", "region", "expected"),
    [
        (Role.SECRETARY, VILLAGE_A1, {"laporan_terlambat:A1", "surat_terlambat:A1", "kegiatan_macet:A1"}),
        (Role.HEAD, VILLAGE_A1, {"laporan_terlambat:A1", "surat_terlambat:A1", "kegiatan_macet:A1"}),
        (Role.TREASURER, VILLAGE_A1, {"laporan_terlambat:A1"}),
        (Role.OPERATOR, VILLAGE_A1, {"surat_terlambat:A1"}),
        (Role.EXECUTOR, VILLAGE_A1, {"kegiatan_macet:A1"}),
        (Role.BPD, VILLAGE_A1, {"laporan_terlambat:A1", "kegiatan_macet:A1"}),
        (Role.FIELD_OFFICER, VILLAGE_A2, {"bantuan_macet:A2"}),
        (
            Role.CAMAT,
            DISTRICT_A,
            {"laporan_terlambat:A1", "surat_terlambat:A1", "kegiatan_macet:A1", "bantuan_macet:A2"},
        ),
        (Role.DISTRICT_OFFICER, DISTRICT_B, {"belanja_tak_wajar:B1"}),
        (
            Role.BUPATI,
            REGENCY,
            {
                "laporan_terlambat:A1",
                "surat_terlambat:A1",
                "kegiatan_macet:A1",
                "bantuan_macet:A2",
                "belanja_tak_wajar:B1",
            },
        ),
    ],
)
def test_own_list_by_scope_and_role(
    world: Any, alerts: None, role: str, region: str, expected: set[str]
) -> None:
    short = {VILLAGE_A1: "A1", VILLAGE_A2: "A2", VILLAGE_B1: "B1"}
    response = client_for(world.user(role, region)).get(MINE)
    assert response.status_code == 200
    got = {f"{a.kind}:{short[a.village_id]}" for a in response.context["alerts"]}
    assert got == expected


def test_resident_has_no_list(world: Any, alerts: None) -> None:
    assert client_for(world.user(Role.RESIDENT, VILLAGE_A1)).get(MINE).status_code == 404


def test_filter_by_kind_excel_and_empty_state(world: Any, alerts: None) -> None:
    from openpyxl import load_workbook

    client = client_for(world.user(Role.CAMAT, DISTRICT_A))
    response = client.get(MINE, {"jenis": AlertKind.LETTERS_OVERDUE})
    assert keys(response) == {f"surat_terlambat:{VILLAGE_A1}"}
    html = response.content.decode()
    assert 'data-testid="kind-count-laporan_terlambat">1<' in html
    assert client.get(MINE, {"jenis": "bukan-jenis\x00"}).status_code == 200
    assert len(keys(client.get(MINE, {"jenis": "<b>"}))) == 4
    export = client.get(MINE, {"jenis": AlertKind.CASES_STALLED, "unduh": "peringatan"})
    assert export.status_code == 200 and "peringatan-saya.xlsx" in export["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 1 and rows[0][1] == "Pesanggaran" and rows[0][2] == "Pesanggaran"
    empty = client.get(MINE, {"jenis": AlertKind.APBDES_LATE})
    assert 'data-testid="alert-empty"' in empty.content.decode()


def test_pages(world: Any) -> None:
    for n in range(55):
        alert(VILLAGE_A1, AlertKind.PROJECT_STALLED, suffix=f":{n}")
    client = client_for(world.user(Role.DPMD, REGENCY))
    assert len(client.get(MINE).context["alerts"]) == 50
    assert len(client.get(MINE, {"page": "2"}).context["alerts"]) == 5
    assert client.get(MINE, {"page": "x"}).status_code == 200


def test_lists_run_a_bounded_number_of_queries(world: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.user(Role.CAMAT, DISTRICT_A))
    alert(VILLAGE_A1, AlertKind.PROJECT_STALLED)
    urls = [MINE, reverse("monitoring:region_alerts", args=[DISTRICT_A])]
    few = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        few.append(len(queries.captured_queries))
    for n in range(30):
        alert(VILLAGE_A1 if n % 2 else VILLAGE_A2, AlertKind.LETTERS_OVERDUE, suffix=f":{n}")
    for url, before in zip(urls, few, strict=True):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(url).context["alerts"]) == 31
        assert len(queries.captured_queries) == before


def test_region_page_shows_the_regions_open_alerts_with_tabs(world: Any, alerts: None) -> None:
    camat = client_for(world.user(Role.CAMAT, DISTRICT_A))
    response = camat.get(reverse("monitoring:region_alerts", args=[DISTRICT_A]))
    assert response.status_code == 200
    assert {a.village_id for a in response.context["alerts"]} == {VILLAGE_A1, VILLAGE_A2}
    assert 'aria-current="page" class="active" data-testid="tab-peringatan"' in response.content.decode()
    village = camat.get(
        reverse("monitoring:region_alerts", args=[VILLAGE_A2]), {"jenis": AlertKind.CASES_STALLED}
    )
    assert keys(village) == {f"bantuan_macet:{VILLAGE_A2}"}
    assert camat.get(reverse("monitoring:region_alerts", args=[DISTRICT_B])).status_code == 404
    assert camat.get(reverse("monitoring:region_alerts", args=[VILLAGE_B1])).status_code == 404
    # The region page is the region's picture: the BPD sees letters too.
    bpd = client_for(world.user(Role.BPD, VILLAGE_A1)).get(
        reverse("monitoring:region_alerts", args=[VILLAGE_A1])
    )
    assert len(keys(bpd)) == 3
    export = camat.get(reverse("monitoring:region_alerts", args=[DISTRICT_A]), {"unduh": "peringatan"})
    assert "peringatan-351001.xlsx" in export["Content-Disposition"]
    resident = client_for(world.user(Role.RESIDENT, VILLAGE_A1))
    assert resident.get(reverse("monitoring:region_alerts", args=[VILLAGE_A1])).status_code == 404
    assert camat.get("/pemantauan/35.10.01%00/peringatan/").status_code == 404
