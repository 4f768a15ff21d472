"""Village pages of area A over HTTP: the programme page, registration with the family search,
the case page, the survey with photos, the photo file, ranking (with Excel), the Musdes form
and cancellation; every page of another village is "not found"."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from kampung.accounts.roles import Role
from kampung.assistance.models import CasePhoto, CaseStatus, PhotoKind
from kampung.assistance.tests.factories import household, make_case, programmes, rtlh_answers
from kampung.assistance.tests.test_cases_helpers import (
    add_survey_photos,
    jpeg,
    registered_case,
    surveyed_case,
)
from kampung.conftest import VILLAGE_A1, VILLAGE_B1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _june_2026(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC), tick=False):
        yield


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _village_url(village: str = VILLAGE_A1, suffix: str = "") -> str:
    return f"/bantuan/desa/{village}/rtlh/2026/{suffix}"


def test_village_page_shows_stage_tabs_with_counts_and_searches(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    rtlh, _ = programmes()
    for status, name in [
        (CaseStatus.ELIGIBLE, "Budi Santoso"),
        (CaseStatus.ELIGIBLE, "Siti Aminah"),
        (CaseStatus.REGISTERED, "Joko Susilo"),
    ]:
        family, head = household(world, VILLAGE_A1, name=name)
        make_case(rtlh, family, head, status=status, score=60)
    client = _client(world.user(Role.SECRETARY, VILLAGE_A1))
    client.get(_village_url())  # warm the session and scope caches
    with django_assert_max_num_queries(14):
        response = client.get(_village_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'Layak <span class="n">2</span>' in html
    assert 'Menunggu survei <span class="n">1</span>' in html
    assert "/keputusan/" in html and "Daftarkan keluarga" in html
    layak = client.get(_village_url(), {"tahap": "layak"}).content.decode()
    assert "Budi Santoso" in layak and "Joko Susilo" not in layak
    assert "Siti Aminah" in client.get(_village_url(), {"q": "siti"}).content.decode()
    sheet_response = client.get(_village_url(), {"tahap": "layak", "format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(sheet_response.content)).active
    assert sorted(sheet.cell(row=r, column=3).value for r in (4, 5)) == ["Budi Santoso", "Siti Aminah"]
    assert sheet.cell(row=6, column=3).value is None
    empty = client.get(_village_url(), {"q": "tidakada"}).content.decode()
    assert "Tidak ada kasus yang cocok" in empty


def test_other_villages_pages_are_not_found(world: Any) -> None:
    programmes()
    case = registered_case(world, VILLAGE_A1)
    outsider = _client(world.user(Role.SECRETARY, VILLAGE_B1))
    for url in [
        _village_url(),
        _village_url(suffix="daftar/"),
        _village_url(suffix="peringkat/"),
        _village_url(suffix="musdes/"),
        f"/bantuan/kasus/{case.pk}/",
        f"/bantuan/kasus/{case.pk}/survei/",
        f"/bantuan/cari-keluarga/{VILLAGE_A1}/?q=kepala",
    ]:
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"/bantuan/kasus/{case.pk}/batal/", {"reason": "x"}).status_code == 404


def test_register_by_search_pick_and_post(world: Any) -> None:
    programmes()
    family, head = household(world, VILLAGE_A1, name="Paimin Sukardi", members=1)
    client = _client(world.user(Role.OPERATOR, VILLAGE_A1))
    found = client.get(_village_url(suffix="daftar/"), {"q": "paimin"})
    assert found.status_code == 200
    assert family.kk_number in found.content.decode()
    picked = client.get(_village_url(suffix="daftar/"), {"keluarga": family.pk})
    assert "Paimin Sukardi (kepala keluarga)" in picked.content.decode()
    posted = client.post(
        _village_url(suffix="daftar/"),
        {"family": family.pk, "beneficiary": head.pk, "registered_on": "2026-06-15", "reason": "Atap jebol"},
    )
    assert posted.status_code == 302
    from kampung.assistance.models import Case

    case = Case.objects.get(family=family)
    assert posted["Location"] == f"/bantuan/kasus/{case.pk}/"
    again = client.post(
        _village_url(suffix="daftar/"), {"family": family.pk, "registered_on": "2026-06-15", "reason": ""}
    )
    assert again.status_code == 400
    assert case.number in again.content.decode()
    json = client.get(f"/bantuan/cari-keluarga/{VILLAGE_A1}/", {"q": "paimin"}).json()
    assert json["results"][0]["id"] == family.pk


def test_register_page_is_not_for_the_treasurer(world: Any) -> None:
    programmes()
    client = _client(world.user(Role.TREASURER, VILLAGE_A1))
    assert client.get(_village_url(suffix="daftar/")).status_code == 404
    assert client.get(_village_url()).status_code == 200


def _survey_post(
    answers: dict[str, Any], submit: bool = True, photos: dict[str, bytes] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {"surveyed_on": "2026-06-12", "notes": "Rumah di belakang masjid"}
    data.update({k: ("" if v is None else v) for k, v in answers.items()})
    data["submit" if submit else "draft"] = "1"
    for kind, content in (photos or {}).items():
        upload = io.BytesIO(content)
        upload.name = f"{kind}.jpg"
        data[f"photo_{kind}"] = upload
    return data


def test_survey_form_with_four_photos_makes_the_case_eligible(world: Any) -> None:
    case = registered_case(world, VILLAGE_A1)
    client = _client(world.user(Role.FIELD_OFFICER, VILLAGE_A1))
    page = client.get(f"/bantuan/kasus/{case.pk}/survei/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    assert "core/geolocate.js" in html and "<script>" not in html
    photos = {
        kind: jpeg(color=(i * 40, 50, 60)) for i, kind in enumerate(["atap", "dinding", "lantai", "jamban"])
    }
    response = client.post(f"/bantuan/kasus/{case.pk}/survei/", _survey_post(rtlh_answers(), photos=photos))
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.status == CaseStatus.ELIGIBLE
    assert CasePhoto.objects.filter(case=case).count() == 4
    detail = client.get(f"/bantuan/kasus/{case.pk}/").content.decode()
    assert "Layak, menunggu musyawarah desa" in detail
    assert "openstreetmap.org/?mlat=-8.553428" in detail
    assert "RTLH-R01" in detail and "100 dari 100" in detail
    assert "Survei dikirim" in detail


def test_survey_errors_show_inline_and_photos_are_kept(world: Any) -> None:
    case = registered_case(world, VILLAGE_A1)
    client = _client(world.user(Role.FIELD_OFFICER, VILLAGE_A1))
    answers = rtlh_answers(jumlah_penghuni="", kondisi_atap="emas")
    response = client.post(
        f"/bantuan/kasus/{case.pk}/survei/", _survey_post(answers, photos={"atap": jpeg()})
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Jumlah penghuni wajib diisi" in html and "pilihan “emas” tidak dikenal" in html
    assert CasePhoto.objects.filter(case=case, kind=PhotoKind.ROOF).exists()
    assert 'data-testid="have-atap"' in html
    # Submitting valid answers without the other three photos: refused, named.
    missing = client.post(f"/bantuan/kasus/{case.pk}/survei/", _survey_post(rtlh_answers()))
    assert missing.status_code == 400
    assert "dinding, lantai, jamban" in missing.content.decode()
    bad_photo = client.post(
        f"/bantuan/kasus/{case.pk}/survei/",
        _survey_post({}, submit=False, photos={"dinding": b"not an image"}),
    )
    assert bad_photo.status_code == 400 and "bukan foto" in bad_photo.content.decode()
    draft = client.post(
        f"/bantuan/kasus/{case.pk}/survei/", _survey_post({"luas_lantai": "30"}, submit=False)
    )
    assert draft.status_code == 302


def test_survey_page_is_for_surveyors_only_and_closes_after_submission(world: Any) -> None:
    case = registered_case(world, VILLAGE_A1)
    assert (
        _client(world.user(Role.TREASURER, VILLAGE_A1)).get(f"/bantuan/kasus/{case.pk}/survei/").status_code
        == 404
    )
    done = surveyed_case(world, VILLAGE_A1)
    response = _client(world.user(Role.FIELD_OFFICER, VILLAGE_A1)).get(f"/bantuan/kasus/{done.pk}/survei/")
    assert response.status_code == 302


def test_refused_case_shows_its_reason(world: Any) -> None:
    case = surveyed_case(world, VILLAGE_A1, answers=rtlh_answers(status_tanah="sewa"))
    html = _client(world.user(Role.HEAD, VILLAGE_A1)).get(f"/bantuan/kasus/{case.pk}/").content.decode()
    assert 'data-testid="refusal"' in html and "tanah milik sendiri" in html


def test_photo_file_is_served_to_the_village_only(world: Any) -> None:
    case = registered_case(world, VILLAGE_A1)
    add_survey_photos(world, case, kinds=[PhotoKind.ROOF])
    photo = CasePhoto.objects.get(case=case)
    response = _client(world.user(Role.BPD, VILLAGE_A1)).get(f"/bantuan/foto/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _client(world.user(Role.OPERATOR, VILLAGE_B1)).get(f"/bantuan/foto/{photo.pk}/").status_code == 404
    assert _client(world.user(Role.CAMAT, "35.10.01")).get(f"/bantuan/foto/{photo.pk}/").status_code == 200
    assert (
        _client(world.user(Role.BPD, VILLAGE_A1)).post(f"/bantuan/foto/{photo.pk}/hapus/").status_code == 404
    )
    officer = _client(world.user(Role.FIELD_OFFICER, VILLAGE_A1))
    assert officer.post(f"/bantuan/foto/{photo.pk}/hapus/").status_code == 302
    assert not CasePhoto.objects.filter(pk=photo.pk).exists()


def test_ranking_page_and_excel(world: Any) -> None:
    rtlh, _ = programmes()
    for score, name in [(70, "Budi"), (90, "Siti")]:
        family, head = household(world, VILLAGE_A1, name=f"{name} Rahayu")
        make_case(rtlh, family, head, status=CaseStatus.ELIGIBLE, score=score)
    client = _client(world.user(Role.SECRETARY, VILLAGE_A1))
    html = client.get(_village_url(suffix="peringkat/")).content.decode()
    assert html.index("Siti Rahayu") < html.index("Budi Rahayu")
    response = client.get(_village_url(suffix="peringkat/"), {"format": "xlsx"})
    assert response.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [sheet.cell(row=r, column=3).value for r in (4, 5)] == ["Siti Rahayu", "Budi Rahayu"]
    empty = _client(world.user(Role.SECRETARY, VILLAGE_A1)).get(
        "/bantuan/desa/35.10.01.2001/blt/2026/peringkat/"
    )
    assert "Belum ada keluarga yang dinyatakan layak" in empty.content.decode()


def test_musdes_form_records_the_order(world: Any) -> None:
    rtlh, _ = programmes()
    cases = []
    for score in (70, 90, 80):
        family, head = household(world, VILLAGE_A1)
        cases.append(make_case(rtlh, family, head, status=CaseStatus.ELIGIBLE, score=score))
    client = _client(world.user(Role.SECRETARY, VILLAGE_A1))
    page = client.get(_village_url(suffix="musdes/"))
    assert page.status_code == 200 and f'name="urutan_{cases[1].pk}" value="1"' in page.content.decode()
    data = {
        "kind": "musdes",
        "held_on": "2026-06-10",
        "place": "Balai Desa",
        "minutes_number": "BA/7/2026",
        "attendees": "40",
        "chair_name": "Ketua BPD",
        "notes": "",
        f"urutan_{cases[0].pk}": "1",
        f"urutan_{cases[1].pk}": "2",
        f"urutan_{cases[2].pk}": "",
    }
    duplicate = client.post(_village_url(suffix="musdes/"), {**data, f"urutan_{cases[1].pk}": "1"})
    assert duplicate.status_code == 400 and "lebih dari sekali" in duplicate.content.decode()
    assert client.post(_village_url(suffix="musdes/"), data).status_code == 302
    for case in cases:
        case.refresh_from_db()
    assert [(c.status, c.priority) for c in cases] == [
        (CaseStatus.PRIORITISED, 1),
        (CaseStatus.PRIORITISED, 2),
        (CaseStatus.ELIGIBLE, None),
    ]
    assert (
        _client(world.user(Role.FIELD_OFFICER, VILLAGE_A1)).get(_village_url(suffix="musdes/")).status_code
        == 404
    )


def test_cancel_over_http(world: Any) -> None:
    case = registered_case(world, VILLAGE_A1)
    client = _client(world.user(Role.OPERATOR, VILLAGE_A1))
    assert client.post(f"/bantuan/kasus/{case.pk}/batal/", {"reason": ""}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED
    client.post(f"/bantuan/kasus/{case.pk}/batal/", {"reason": "Keluarga menolak"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CANCELLED
    assert (
        _client(world.user(Role.TREASURER, VILLAGE_A1))
        .post(f"/bantuan/kasus/{case.pk}/batal/", {"reason": "x"})
        .status_code
        == 404
    )


def test_case_page_carries_the_execution_and_blt_panels(world: Any) -> None:
    rtlh, blt = programmes()
    family, head = household(world, VILLAGE_A1)
    decided = make_case(rtlh, family, head, status=CaseStatus.DECIDED, amount=17_500_000)
    client = _client(world.user(Role.SECRETARY, VILLAGE_A1))
    response = client.get(f"/bantuan/kasus/{decided.pk}/")
    assert response.status_code == 200
    assert 'data-testid="execution-panel"' in response.content.decode()
    family2, head2 = household(world, VILLAGE_A1)
    cash = make_case(blt, family2, head2, status=CaseStatus.DECIDED, amount=3_600_000)
    response = client.get(f"/bantuan/kasus/{cash.pk}/")
    assert response.status_code == 200
    assert 'data-testid="blt-panel"' in response.content.decode()
