"""Progress 0/50/100 % with dated, geotagged photos, in order and only once the money is
paid for 50 and 100; the handover closes the case; the pages and the berita acara PDF."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.assistance.models import Case, CaseEvent, CasePhoto, CaseStatus, Handover, ProgressReport
from kampung.assistance.selectors.execution import case_panel
from kampung.assistance.services.progress import ProgressPhoto, handover_record, progress_report
from kampung.assistance.tests.factories import YEAR, household, make_case, programmes
from kampung.assistance.tests.test_decisions_support import jpeg, signing_ready
from kampung.conftest import VILLAGE_A1, VILLAGE_B1
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    signing_ready(settings, tmp_path)
    with time_machine.travel(dt.datetime(YEAR, 9, 15, 9, 0), tick=False):
        yield


@pytest.fixture
def rtlh(world):
    programme, _blt = programmes()
    return programme


def a_case(world, rtlh, status=CaseStatus.DECIDED, village=VILLAGE_A1):
    family, head = household(world, village, members=2)
    case = make_case(rtlh, family, head, status=status, amount=17_500_000)
    if status != CaseStatus.DECIDED:
        Case.objects.filter(pk=case.pk).update(paid_on=D(YEAR, 6, 10))
        case.refresh_from_db()
    return case


def report(world, case, percent, day, **kw):
    kw.setdefault("photos", [jpeg()])
    return progress_report(
        actor=world.user(Role.EXECUTOR, VILLAGE_A1), case=case, percent=percent, reported_on=day, **kw
    )


def test_progress_in_order_with_geotagged_photos(world, rtlh):
    case = a_case(world, rtlh)
    zero = report(world, case, 0, D(YEAR, 6, 5), note="Rumah sebelum dikerjakan")
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and case.progress == 0
    photo = CasePhoto.objects.get(progress=zero)
    assert photo.kind == "kemajuan" and photo.location_source == "exif"
    assert str(photo.latitude) == "-8.583333" and photo.taken_at is not None
    # 50 % before the money is paid: refused.
    with pytest.raises(InvalidTransition, match="SPP dibayar"):
        report(world, case, 50, D(YEAR, 6, 20))
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.PAID, paid_on=D(YEAR, 6, 10))
    case.refresh_from_db()
    with pytest.raises(KampungError, match="Laporkan dahulu kemajuan 50%"):
        report(world, case, 100, D(YEAR, 7, 1))
    report(world, case, 50, D(YEAR, 7, 1), photos=[jpeg(), jpeg(name="b.jpg")])
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.progress == 50
    report(world, case, 100, D(YEAR, 8, 1))
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.progress == 100
    assert list(ProgressReport.objects.filter(case=case).values_list("percent", flat=True)) == [0, 50, 100]
    assert CasePhoto.objects.filter(case=case, kind="kemajuan").count() == 4
    events = list(
        CaseEvent.objects.filter(case=case, act="assistance.case.progress").values_list("target", flat=True)
    )
    assert events == ["ditetapkan", "dikerjakan", "dikerjakan"]
    with pytest.raises(KampungError, match="100% sudah dilaporkan"):
        report(world, case, 100, D(YEAR, 8, 2))


def test_a_photo_without_place_or_no_photo_is_refused_and_nothing_is_kept(world, rtlh):
    case = a_case(world, rtlh)
    with pytest.raises(KampungError, match="paling sedikit satu foto"):
        report(world, case, 0, D(YEAR, 6, 5), photos=[])
    with pytest.raises(KampungError, match="tidak memuat lokasi"):
        report(world, case, 0, D(YEAR, 6, 5), photos=[jpeg(), jpeg(gps=False)])
    assert not ProgressReport.objects.filter(case=case).exists()
    assert not CasePhoto.objects.filter(case=case).exists()
    # The browser's coordinates stand in for a photo without GPS.
    zero = report(
        world,
        case,
        0,
        D(YEAR, 6, 5),
        photos=[ProgressPhoto(upload=jpeg(gps=False), latitude="-8.5901", longitude="114.0123")],
    )
    photo = CasePhoto.objects.get(progress=zero)
    assert photo.location_source == "peramban" and str(photo.longitude) == "114.012300"


def test_progress_rules_roles_dates_and_percent(world, rtlh):
    case = a_case(world, rtlh, status=CaseStatus.PAID)
    with pytest.raises(NotPermitted):
        progress_report(
            actor=world.user(Role.TREASURER, VILLAGE_A1),
            case=case,
            percent=0,
            reported_on=D(YEAR, 6, 5),
            photos=[jpeg()],
        )
    with pytest.raises(NotPermitted):
        progress_report(
            actor=world.user(Role.EXECUTOR, VILLAGE_B1),
            case=case,
            percent=0,
            reported_on=D(YEAR, 6, 5),
            photos=[jpeg()],
        )
    with pytest.raises(KampungError, match="0, 50 dan 100"):
        report(world, case, 30, D(YEAR, 6, 5))
    with pytest.raises(KampungError, match="sesudah hari ini"):
        report(world, case, 0, D(YEAR, 12, 1))
    report(world, case, 0, D(YEAR, 7, 5))
    with pytest.raises(KampungError, match="sebelum laporan 0%"):
        report(world, case, 50, D(YEAR, 7, 1))
    prioritised = a_case(world, rtlh, status=CaseStatus.PRIORITISED)
    with pytest.raises(InvalidTransition):
        report(world, prioritised, 0, D(YEAR, 6, 5))


def test_handover_needs_100_percent_and_closes_the_case(world, rtlh):
    case = a_case(world, rtlh, status=CaseStatus.PAID)
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    fields = {
        "number": "01/BAST-RTLH/2026",
        "held_on": D(YEAR, 8, 10),
        "place": "Balai Desa Sarongan",
        "handed_by": "Ketua TPK",
        "received_by": case.name,
        "witnesses": "Ketua RT 001\nKetua RW 002",
    }
    with pytest.raises(InvalidTransition, match="100%"):
        handover_record(actor=secretary, case=case, **fields)
    for percent, day in ((0, D(YEAR, 6, 12)), (50, D(YEAR, 7, 1)), (100, D(YEAR, 8, 1))):
        report(world, case, percent, day)
    with pytest.raises(NotPermitted):
        handover_record(actor=world.user(Role.EXECUTOR, VILLAGE_A1), case=case, **fields)
    with pytest.raises(KampungError, match="Lengkapi: tempat"):
        handover_record(actor=secretary, case=case, **{**fields, "place": " "})
    with pytest.raises(KampungError, match="sebelum laporan 100%"):
        handover_record(actor=secretary, case=case, **{**fields, "held_on": D(YEAR, 7, 20)})
    handover = handover_record(actor=secretary, case=case, **fields)
    case.refresh_from_db()
    assert case.status == CaseStatus.DONE and case.done_on == D(YEAR, 8, 10) and case.closed_at
    assert handover.recorded_by == secretary
    assert CaseEvent.objects.filter(case=case, act="assistance.case.handover", target="selesai").exists()
    with pytest.raises(KampungError, match="sudah dicatat"):
        handover_record(actor=secretary, case=case, **fields)
    panel = case_panel(actor=secretary, case=case)
    assert panel["handover"] == handover and not panel["can_handover"] and panel["next_percent"] is None


def test_progress_and_handover_pages(client, world, rtlh):
    case = a_case(world, rtlh, status=CaseStatus.PAID)
    url = reverse("assistance:progress", args=[case.pk])
    client.force_login(world.user(Role.FIELD_OFFICER, VILLAGE_A1))
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and 'capture="environment"' in body and "data-geo" in body
    assert "core/geolocate.js" in body
    bad = client.post(url, {"percent": "0", "reported_on": "2026-06-12", "photos": [jpeg(gps=False)]})
    assert bad.status_code == 400 and "tidak memuat lokasi" in bad.content.decode()
    ok = client.post(
        url,
        {
            "percent": "0",
            "reported_on": "2026-06-12",
            "photos": [jpeg(gps=False)],
            "latitude": "-8.59",
            "longitude": "114.01",
        },
    )
    assert ok.status_code == 302 and ok["Location"] == reverse("assistance:case", args=[case.pk])
    for percent, day in (("50", "2026-07-01"), ("100", "2026-08-01")):
        assert (
            client.post(url, {"percent": percent, "reported_on": day, "photos": [jpeg()]}).status_code == 302
        )
    case.refresh_from_db()
    assert case.progress == 100
    hurl = reverse("assistance:handover", args=[case.pk])
    assert client.get(hurl).status_code == 404  # the field officer does not sign the minutes
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    assert client.post(hurl, {"number": ""}).status_code == 400
    response = client.post(
        hurl,
        {
            "number": "02/BAST/2026",
            "held_on": "2026-08-10",
            "place": "Rumah penerima",
            "handed_by": "Ketua TPK",
            "received_by": case.name,
            "witnesses": "Ketua RT",
        },
    )
    assert response.status_code == 302
    assert Handover.objects.get(case=case).number == "02/BAST/2026"
    pdf = client.get(reverse("assistance:handover_pdf", args=[case.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(world.user(Role.HEAD, VILLAGE_B1))
    assert client.get(reverse("assistance:handover_pdf", args=[case.pk])).status_code == 404
    assert client.get(url).status_code == 404
