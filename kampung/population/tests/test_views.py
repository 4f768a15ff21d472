"""The population register's staff pages: scope, masking, search, the event forms, export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.population import views
from kampung.population.checks import mask_nik
from kampung.population.models import BasicStatus, Family, LifeEvent, LifeEventKind, Resident, Sex
from kampung.population.tests.factories import make_family, make_resident, nik_for

pytestmark = pytest.mark.django_db

LIST = reverse("population:resident_list")
EXPORT = reverse("population:resident_export")


def _today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def household(world: Any) -> dict[str, Any]:
    """A family in Sarongan (A1): father (head), mother, a son; one man in B1."""
    family = make_family(world, VILLAGE_A1, dusun="Krajan", rw="001", rt="002", address="Jl. Pantai 3")
    father = make_resident(
        world,
        VILLAGE_A1,
        name="Slamet Riyadi",
        family=family,
        attributes={"family_relation": 1, "occupation": 9},
    )
    mother = make_resident(
        world,
        VILLAGE_A1,
        name="Siti Aminah",
        birth=dt.date(1992, 3, 5),
        sex=Sex.FEMALE,
        family=family,
        attributes={"family_relation": 3},
    )
    son = make_resident(
        world,
        VILLAGE_A1,
        name="Bagus Slamet",
        birth=dt.date(2015, 7, 9),
        family=family,
        attributes={"family_relation": 4},
    )
    other = make_resident(world, VILLAGE_B1, name="Slamet Widodo", birth=dt.date(1980, 2, 2))
    family.refresh_from_db()
    return {"family": family, "father": father, "mother": mother, "son": son, "other": other}


def _login(client: Any, world: Any, role: str, code: str) -> Any:
    user = world.user(role, code)
    client.force_login(user)
    return user


def _names(response: Any) -> list[str]:
    return [row.resident.name for row in response.context["rows"]]


def _event_post(**extra: Any) -> dict[str, Any]:
    return {"reported_date": _today().isoformat(), "reporter_name": "Pak RT", **extra}


# -- scope and roles -------------------------------------------------------------------------


def test_other_village_is_not_found(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_B1)
    family, father = household["family"], household["father"]
    for url in (
        reverse("population:resident_detail", args=[father.pk]),
        reverse("population:family_detail", args=[family.pk]),
        reverse("population:birth_record", args=[family.pk]),
        reverse("population:resident_create", args=[family.pk]),
        reverse("population:resident_correct", args=[father.pk]),
        reverse("population:death_record", args=[father.pk]),
        reverse("population:move_out", args=[father.pk]),
        reverse("population:family_change", args=[father.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("population:death_record", args=[father.pk]), _event_post(death_date="2024-01-01")
    )
    assert response.status_code == 404
    father.refresh_from_db()
    assert father.basic_status == BasicStatus.LIVING
    # Searching by name does not reach another village either.
    response = client.get(LIST, {"q": "slamet"})
    assert _names(response) == ["Slamet Widodo"]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.BPD])
def test_residents_and_bpd_are_refused(client, world, household, role):
    _login(client, world, role, VILLAGE_A1)
    assert client.get(LIST).status_code == 404
    assert client.get(reverse("population:resident_detail", args=[household["father"].pk])).status_code == 404
    assert client.get(EXPORT, {"q": "slamet"}).status_code == 404
    assert client.get(reverse("population:move_in")).status_code == 404


def test_anonymous_is_sent_to_login(client, household):
    response = client.get(LIST)
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_reader_sees_record_but_no_forms(client, world, household):
    """A camat reads the district's records but may not write: the forms are "not found"."""
    _login(client, world, Role.CAMAT, DISTRICT_A)
    father = household["father"]
    response = client.get(reverse("population:resident_detail", args=[father.pk]))
    assert response.status_code == 200
    assert not response.context["can_write"]
    assert reverse("population:death_record", args=[father.pk]).encode() not in response.content
    assert client.get(reverse("population:death_record", args=[father.pk])).status_code == 404
    assert client.get(reverse("population:family_create")).status_code == 404


def test_opening_a_record_is_audited(client, world, household):
    user = _login(client, world, Role.OPERATOR, VILLAGE_A1)
    father = household["father"]
    client.get(reverse("population:resident_detail", args=[father.pk]))
    client.get(reverse("population:family_detail", args=[household["family"].pk]))
    views_of = AuditEntry.objects.filter(actor=user, act="view")
    assert views_of.filter(object_type="population.Resident", object_id=str(father.pk)).count() == 1
    assert (
        views_of.filter(object_type="population.Family", object_id=str(household["family"].pk)).count() == 1
    )


# -- masking ---------------------------------------------------------------------------------


def test_district_user_sees_masked_numbers(client, world, household):
    _login(client, world, Role.CAMAT, DISTRICT_A)
    father, family = household["father"], household["family"]
    response = client.get(LIST, {"q": "slamet riyadi"})
    body = response.content.decode()
    assert mask_nik(father.nik) in body and father.nik not in body
    assert mask_nik(family.kk_number) in body and family.kk_number not in body
    detail = client.get(reverse("population:resident_detail", args=[father.pk])).content.decode()
    assert mask_nik(father.nik) in detail and father.nik not in detail
    assert family.kk_number not in detail
    fam = client.get(reverse("population:family_detail", args=[family.pk])).content.decode()
    assert family.kk_number not in fam and household["son"].nik not in fam


def test_village_operator_sees_full_numbers(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    father, family = household["father"], household["family"]
    body = client.get(LIST, {"q": "riyadi"}).content.decode()
    assert father.nik in body and family.kk_number in body
    detail = client.get(reverse("population:resident_detail", args=[father.pk])).content.decode()
    assert father.nik in detail and family.kk_number in detail


# -- search, filters, sorting ----------------------------------------------------------------


def test_village_staff_see_their_village_without_a_query(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    response = client.get(LIST)
    assert sorted(_names(response)) == ["Bagus Slamet", "Siti Aminah", "Slamet Riyadi"]
    assert response.context["total"] == 3 and not response.context["capped"]


def test_regency_user_is_asked_for_a_query_first(client, world, household):
    _login(client, world, Role.ADMIN, REGENCY)
    response = client.get(LIST)
    assert response.context["search"].needs_prompt
    assert response.context["rows"] == []
    assert "Ketik nama, NIK atau nomor KK" in response.content.decode()
    response = client.get(LIST, {"q": "slam"})
    assert sorted(_names(response)) == ["Bagus Slamet", "Slamet Riyadi", "Slamet Widodo"]
    # The village filter alone also lists, and is a select of villages in scope.
    response = client.get(LIST, {"desa": VILLAGE_B1})
    assert _names(response) == ["Slamet Widodo"]
    choices = [c for c, _label in response.context["form"].fields["desa"].choices]
    assert VILLAGE_A1 in choices and VILLAGE_B1 in choices


def test_search_by_partial_name_in_any_order(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    assert _names(client.get(LIST, {"q": "sla"})) == ["Bagus Slamet", "Slamet Riyadi"]
    assert _names(client.get(LIST, {"q": "riy sla"})) == ["Slamet Riyadi"]
    assert _names(client.get(LIST, {"q": "AMINAH"})) == ["Siti Aminah"]
    response = client.get(LIST, {"q": "tidakada"})
    assert _names(response) == []
    assert "Tidak ada penduduk yang cocok" in response.content.decode()


def test_search_by_nik_and_by_kk(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    assert _names(client.get(LIST, {"q": household["mother"].nik})) == ["Siti Aminah"]
    kk = household["family"].kk_number
    spaced = f"{kk[:6]} {kk[6:12]} {kk[12:]}"
    assert sorted(_names(client.get(LIST, {"q": spaced}))) == ["Bagus Slamet", "Siti Aminah", "Slamet Riyadi"]


def test_too_short_queries_are_explained(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    response = client.get(LIST, {"q": "sl"})
    assert _names(response) == []
    assert "paling sedikit 3 huruf" in response.context["search"].problem
    assert 'data-testid="query-problem"' in response.content.decode()
    response = client.get(LIST, {"q": "351001210190"})
    assert _names(response) == []
    assert (
        "16 angka" in response.context["search"].problem and "12 angka" in response.context["search"].problem
    )
    # A short word beside a usable one is left out, and the page says so.
    response = client.get(LIST, {"q": "sl riyadi"})
    assert _names(response) == ["Slamet Riyadi"]
    assert response.context["search"].ignored == ["sl"]


def test_filters(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    assert _names(client.get(LIST, {"jk": Sex.FEMALE})) == ["Siti Aminah"]
    assert _names(client.get(LIST, {"umur_max": 17})) == ["Bagus Slamet"]
    assert sorted(_names(client.get(LIST, {"umur_min": 18}))) == ["Siti Aminah", "Slamet Riyadi"]
    assert sorted(_names(client.get(LIST, {"dusun": "Krajan", "rw": "001", "rt": "002"}))) == [
        "Bagus Slamet",
        "Siti Aminah",
        "Slamet Riyadi",
    ]
    assert _names(client.get(LIST, {"rt": "009"})) == []
    flagged = make_resident(world, VILLAGE_A1, name="Dewi Ganda", nik="3599992101900001")  # unknown district
    assert flagged.needs_review
    assert _names(client.get(LIST, {"periksa": "on"})) == ["Dewi Ganda"]
    from kampung.population import services

    services.death_record(
        actor=world.user(Role.OPERATOR, VILLAGE_A1),
        resident=household["father"],
        death_date=dt.date(2024, 1, 1),
    )
    assert _names(client.get(LIST, {"status": BasicStatus.DEAD})) == ["Slamet Riyadi"]


def test_sorting(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    assert _names(client.get(LIST, {"sort": "nama"})) == ["Bagus Slamet", "Siti Aminah", "Slamet Riyadi"]
    assert _names(client.get(LIST, {"sort": "-nama"})) == ["Slamet Riyadi", "Siti Aminah", "Bagus Slamet"]
    assert _names(client.get(LIST, {"sort": "umur"})) == ["Bagus Slamet", "Siti Aminah", "Slamet Riyadi"]
    assert _names(client.get(LIST, {"sort": "-umur"})) == ["Slamet Riyadi", "Siti Aminah", "Bagus Slamet"]


def test_pagination_fetches_one_extra_row_and_caps_the_count(client, world, monkeypatch):
    for i in range(7):
        make_resident(world, VILLAGE_A1, name=f"Warga Contoh {chr(65 + i)}", birth=dt.date(1990, 1, 1 + i))
    make_resident(world, VILLAGE_A2, name="Warga Tetangga", birth=dt.date(1991, 1, 1))
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    monkeypatch.setattr(views, "COUNT_CAP", 5)
    _login(client, world, Role.ADMIN, REGENCY)
    first = client.get(LIST, {"q": "warga"})
    assert len(first.context["rows"]) == 3 and first.context["has_next"] and not first.context["has_previous"]
    # Regency-wide name search: the count stops at the cap ("more than 5").
    assert first.context["capped"] and first.context["total"] == 5
    assert "Lebih dari 5 penduduk" in first.content.decode()
    last = client.get(LIST, {"q": "warga", "page": 3})
    assert len(last.context["rows"]) == 2 and not last.context["has_next"] and last.context["has_previous"]
    beyond = client.get(LIST, {"q": "warga", "page": 9})
    assert beyond.context["rows"] == [] and "Halaman ini kosong" in beyond.content.decode()
    # Within one village the count is exact.
    one = client.get(LIST, {"q": "warga", "desa": VILLAGE_A1})
    assert one.context["total"] == 7 and not one.context["capped"]


def test_list_query_count_is_bounded(client, world, household, django_assert_max_num_queries):
    for i in range(10):
        make_resident(world, VILLAGE_A1, name=f"Warga Contoh {chr(65 + i)}", birth=dt.date(1990, 1, 1 + i))
    _login(client, world, Role.CAMAT, DISTRICT_A)
    with django_assert_max_num_queries(12):
        response = client.get(LIST, {"q": "warga"})
    assert len(response.context["rows"]) == 10


def test_junk_parameters_never_fail(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    junk = {
        "umur_min": "abc",
        "umur_max": "-5",
        "page": "zzz",
        "sort": "x",
        "jk": "7",
        "status": "banyak",
        "desa": "99.99",
        "q": "x" * 500,
    }
    response = client.get(LIST, junk)
    assert response.status_code == 200
    response = client.get(LIST, {"umur_min": "abc", "page": "zzz", "sort": "x"})
    assert response.status_code == 200
    assert sorted(_names(response)) == ["Bagus Slamet", "Siti Aminah", "Slamet Riyadi"]
    assert client.get(LIST, {"page": "-3"}).status_code == 200
    assert client.get(LIST, {"page": "99999999999999999999"}).status_code == 200
    assert client.get(LIST, {"umur_min": 40, "umur_max": 10}).status_code == 200
    assert client.get(EXPORT, junk).status_code in (200, 302)


# -- life events and forms -------------------------------------------------------------------


def test_family_create_with_head(client, world):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    data = {
        "desa": VILLAGE_A1,
        "kk_number": "3510010203200007",
        "address": "Jl. Kebun 1",
        "dusun": "Krajan",
        "rw": "002",
        "rt": "001",
        "nik": nik_for(VILLAGE_A1, dt.date(1985, 6, 12), Sex.MALE),
        "name": "Hadi Santoso",
        "birth_date": "1985-06-12",
        "sex": Sex.MALE,
        "religion": 1,
        "marital_status": 2,
        "family_relation": 1,
        "education": 5,
        "occupation": 9,
        "citizenship": 1,
        "blood_type": 13,
    }
    response = client.post(reverse("population:family_create"), data)
    family = Family.objects.get(kk_number="3510010203200007")
    assert response.status_code == 302 and response["Location"] == reverse(
        "population:family_detail", args=[family.pk]
    )
    head = Resident.objects.get(name="Hadi Santoso")
    assert family.head == head and head.family == family and head.dusun == "Krajan"
    page = client.get(response["Location"]).content.decode()
    assert "Keluarga Hadi Santoso" in page


def test_family_create_refused_keeps_nothing(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    base = {
        "desa": VILLAGE_A1,
        "nik": household["father"].nik,  # already held by a living person: the head is refused
        "name": "Hadi Santoso",
        "birth_date": "1990-01-21",
        "sex": Sex.MALE,
        "religion": 1,
        "marital_status": 2,
        "family_relation": 1,
        "education": 5,
        "occupation": 9,
        "citizenship": 1,
        "blood_type": 13,
    }
    families = Family.objects.count()
    response = client.post(reverse("population:family_create"), {**base, "kk_number": "3510010203200008"})
    assert response.status_code == 200
    assert "sudah terdaftar" in " ".join(response.context["form"].non_field_errors())
    assert Family.objects.count() == families  # the KK was not kept without its head
    response = client.post(reverse("population:family_create"), {**base, "kk_number": "3510010113200008"})
    assert "tidak sah" in " ".join(response.context["form"].non_field_errors())
    response = client.post(reverse("population:family_create"), {**base, "kk_number": "12345"})
    assert "16 angka" in " ".join(response.context["form"].errors["kk_number"])
    assert Family.objects.count() == families


def test_resident_create_into_family(client, world, household):
    _login(client, world, Role.SECRETARY, VILLAGE_A1)
    family = household["family"]
    url = reverse("population:resident_create", args=[family.pk])
    data = {
        "nik": nik_for(VILLAGE_A1, dt.date(1950, 4, 4), Sex.FEMALE),
        "name": "Mbah Sumi",
        "birth_date": "1950-04-04",
        "sex": Sex.FEMALE,
        "religion": 1,
        "marital_status": 4,
        "family_relation": 7,
        "education": 1,
        "occupation": 1,
        "citizenship": 1,
        "blood_type": 13,
    }
    response = client.post(url, data)
    sumi = Resident.objects.get(name="Mbah Sumi")
    assert response["Location"] == reverse("population:resident_detail", args=[sumi.pk])
    assert sumi.family == family and sumi.family_relation == 7 and sumi.rt == family.rt
    count = Resident.objects.count()
    response = client.post(url, {**data, "name": "Orang Lain"})  # same NIK again
    assert response.status_code == 200 and "sudah terdaftar" in response.content.decode()
    assert Resident.objects.count() == count


def test_birth_record_happy_and_refused(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    family, mother = household["family"], household["mother"]
    born = _today() - dt.timedelta(days=10)
    url = reverse("population:birth_record", args=[family.pk])
    data = {
        "nik": nik_for(VILLAGE_A1, born, Sex.FEMALE),
        "name": "Putri Ayu",
        "sex": Sex.FEMALE,
        "birth_date": born.isoformat(),
        "birth_place": "Banyuwangi",
        "family_relation": 4,
        "religion": 1,
        "blood_type": 13,
        "reported_date": _today().isoformat(),
        "reporter": mother.pk,
    }
    response = client.post(url, data)
    assert response["Location"] == reverse("population:family_detail", args=[family.pk])
    baby = Resident.objects.get(name="Putri Ayu")
    event = LifeEvent.objects.get(resident=baby)
    assert (
        event.kind == LifeEventKind.BIRTH
        and event.reporter == mother
        and event.reporter_name == "Siti Aminah"
    )
    assert baby.family == family and baby.family_relation == 4
    page = client.get(response["Location"]).content.decode()
    assert "Putri Ayu" in page and "Kelahiran Putri Ayu dicatat" in page

    count = Resident.objects.count()
    future = _today() + dt.timedelta(days=3)
    response = client.post(
        url,
        {
            **data,
            "name": "Bayi Lain",
            "birth_date": future.isoformat(),
            "nik": nik_for(VILLAGE_A1, future, Sex.MALE),
        },
    )
    assert response.status_code == 200
    assert Resident.objects.count() == count
    # No reporter at all is refused by the form.
    response = client.post(
        url, {**data, "name": "Bayi Lain", "reporter": "", "nik": nik_for(VILLAGE_A1, born, Sex.FEMALE)}
    )
    assert "Pilih pelapor" in response.content.decode()
    assert Resident.objects.count() == count


def test_move_in_happy_and_refused(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    family = household["family"]
    moved = _today() - dt.timedelta(days=5)
    data = _event_post(
        desa=VILLAGE_A1,
        move_date=moved.isoformat(),
        origin="Jl. Merdeka 5, Jember",
        kk_number=family.kk_number,
        nik=nik_for(VILLAGE_A1, dt.date(1999, 9, 9), Sex.MALE),
        name="Rudi Pendatang",
        birth_date="1999-09-09",
        sex=Sex.MALE,
        religion=1,
        marital_status=1,
        family_relation=9,
        education=5,
        occupation=1,
        citizenship=1,
        blood_type=13,
    )
    response = client.post(reverse("population:move_in"), data)
    rudi = Resident.objects.get(name="Rudi Pendatang")
    assert response["Location"] == reverse("population:resident_detail", args=[rudi.pk])
    assert rudi.family == family
    event = LifeEvent.objects.get(resident=rudi)
    assert event.kind == LifeEventKind.MOVE_IN and event.details["origin"] == "Jl. Merdeka 5, Jember"
    count = Resident.objects.count()
    # Someone still living in another village must first be moved out there.
    response = client.post(
        reverse("population:move_in"), {**data, "nik": household["other"].nik, "name": "Slamet Widodo"}
    )
    assert "desa/kelurahan lain" in response.content.decode()
    # An unknown KK number is a form error.
    response = client.post(
        reverse("population:move_in"),
        {**data, "kk_number": "3510010101159999", "nik": nik_for(VILLAGE_A1, dt.date(1999, 9, 9), Sex.MALE)},
    )
    assert "Tidak ada KK dengan nomor itu" in response.content.decode()
    assert Resident.objects.count() == count


def test_correction_happy_and_refused(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    son = household["son"]
    url = reverse("population:resident_correct", args=[son.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        name="Bagus Slamet Riyadi",
        occupation=3,
        reason="Salah ketik, sesuai KK",
        event_date=_today().isoformat(),
        reported_date=_today().isoformat(),
        reporter=household["father"].pk,
    )
    data["birth_date"] = son.birth_date.isoformat()
    response = client.post(url, data)
    assert response["Location"] == reverse("population:resident_detail", args=[son.pk])
    son.refresh_from_db()
    assert son.name == "Bagus Slamet Riyadi" and son.occupation == 3
    event = LifeEvent.objects.get(resident=son, kind=LifeEventKind.CORRECTION)
    assert event.details["before"] == {"name": "Bagus Slamet", "occupation": 1}
    page = client.get(response["Location"]).content.decode()
    assert "Pembetulan data" in page and "Belum/tidak bekerja → Pelajar/mahasiswa" in page
    # Nothing changed: refused, no new event.
    response = client.post(url, data)
    assert "Tidak ada data yang berubah" in response.content.decode()
    response = client.post(url, {**data, "name": "Nama Baru", "nik": "3510013201900001"})
    assert "ditolak" in response.content.decode()
    son.refresh_from_db()
    assert son.name == "Bagus Slamet Riyadi"
    assert LifeEvent.objects.filter(resident=son).count() == 1


def test_death_happy_and_refused(client, world, household):
    _login(client, world, Role.HEAD, VILLAGE_A1)
    father = household["father"]
    url = reverse("population:death_record", args=[father.pk])
    response = client.post(url, _event_post(death_date="1980-01-01"))  # before he was born
    assert "sebelum tanggal lahir" in response.content.decode()
    father.refresh_from_db()
    assert father.basic_status == BasicStatus.LIVING
    response = client.post(
        url,
        _event_post(death_date=(_today() - dt.timedelta(days=2)).isoformat(), place="Rumah", cause="Sakit"),
    )
    assert response["Location"] == reverse("population:resident_detail", args=[father.pk])
    father.refresh_from_db()
    assert father.basic_status == BasicStatus.DEAD
    event = LifeEvent.objects.get(resident=father, kind=LifeEventKind.DEATH)
    assert event.details == {"place": "Rumah", "cause": "Sakit"} and event.reporter_name == "Pak RT"
    page = client.get(response["Location"])
    assert reverse("population:death_record", args=[father.pk]).encode() not in page.content
    assert "Mati" in page.content.decode()
    response = client.post(url, _event_post(death_date=_today().isoformat()))
    assert "hanya untuk penduduk berstatus hidup" in response.content.decode()
    assert LifeEvent.objects.filter(resident=father, kind=LifeEventKind.DEATH).count() == 1


def test_move_out_happy_and_refused(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    mother = household["mother"]
    url = reverse("population:move_out", args=[mother.pk])
    response = client.post(url, _event_post(move_date=_today().isoformat(), destination=""))
    assert response.status_code == 200 and "destination" in response.context["form"].errors
    late = _today() - dt.timedelta(days=1)
    response = client.post(
        url,
        _event_post(move_date=_today().isoformat(), destination="Surabaya", reported_date=late.isoformat()),
    )
    assert "Tanggal lapor tidak boleh sebelum" in response.content.decode()
    mother.refresh_from_db()
    assert mother.basic_status == BasicStatus.LIVING
    response = client.post(
        url, _event_post(move_date=late.isoformat(), destination="Surabaya", reason="Bekerja")
    )
    assert response.status_code == 302
    mother.refresh_from_db()
    assert mother.basic_status == BasicStatus.MOVED
    assert LifeEvent.objects.get(resident=mother).details == {"destination": "Surabaya", "reason": "Bekerja"}


def test_family_change_happy_and_refused(client, world, household):
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    son, old = household["son"], household["family"]
    new = make_family(world, VILLAGE_A1, dusun="Kulon", rw="003", rt="004")
    url = reverse("population:family_change", args=[son.pk])
    other_village = make_family(world, VILLAGE_A2)
    response = client.post(
        url, _event_post(kk_number=other_village.kk_number, relation=1, change_date=_today().isoformat())
    )
    assert "Tidak ada KK dengan nomor itu" in response.content.decode()
    son.refresh_from_db()
    assert son.family == old
    response = client.post(
        url,
        _event_post(kk_number=new.kk_number, relation=1, change_date=_today().isoformat(), reason="Menikah"),
    )
    assert response.status_code == 302
    son.refresh_from_db()
    new.refresh_from_db()
    assert son.family == new and son.family_relation == 1 and son.dusun == "Kulon" and new.head == son
    page = client.get(reverse("population:resident_detail", args=[son.pk])).content.decode()
    assert "Perubahan keluarga" in page and f"{old.kk_number} → {new.kk_number}" in page


# -- export ----------------------------------------------------------------------------------


def _sheet(response: Any) -> list[tuple[Any, ...]]:
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    return list(wb["Penduduk"].iter_rows(values_only=True))


def test_export_for_operator_has_full_numbers_and_is_audited(client, world, household):
    user = _login(client, world, Role.OPERATOR, VILLAGE_A1)
    response = client.get(EXPORT, {"jk": Sex.MALE, "sort": "nama"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(response)
    assert rows[0][:3] == ("NIK", "Nomor KK", "Nama")
    assert [r[2] for r in rows[1:]] == ["Bagus Slamet", "Slamet Riyadi"]
    father_row = rows[2]
    assert father_row[0] == household["father"].nik and father_row[1] == household["family"].kk_number
    assert father_row[11] == "Petani/pekebun" and father_row[9] == "Kepala keluarga"
    entry = AuditEntry.objects.get(act="population.resident.export", actor=user)
    assert entry.region_code == VILLAGE_A1 and entry.role == Role.OPERATOR
    assert entry.after["rows"] == 2 and entry.after["filter"]["sex"] == Sex.MALE
    assert entry.after["full_numbers"] is True


def test_export_for_district_user_is_masked(client, world, household):
    user = _login(client, world, Role.DISTRICT_OFFICER, DISTRICT_A)
    rows = _sheet(client.get(EXPORT, {"q": "slamet"}))
    assert {r[2] for r in rows[1:]} == {"Bagus Slamet", "Slamet Riyadi"}
    niks = {r.name: r.nik for r in (household["father"], household["son"])}
    kk = household["family"].kk_number
    assert all(r[0] == mask_nik(niks[r[2]]) and r[1] == mask_nik(kk) for r in rows[1:])
    entry = AuditEntry.objects.get(act="population.resident.export", actor=user)
    assert entry.region_code == DISTRICT_A and entry.after["filter"]["q"] == "slamet"
    assert entry.after["full_numbers"] is False


def test_export_refuses_too_many_rows_and_unscoped_requests(client, world, household, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_MAX_ROWS", 2)
    _login(client, world, Role.OPERATOR, VILLAGE_A1)
    response = client.get(EXPORT, {"sort": "nama"}, follow=True)
    assert "Hasil lebih dari 2 orang" in response.content.decode()
    assert response.redirect_chain[-1][0].startswith(LIST)
    assert not AuditEntry.objects.filter(act="population.resident.export").exists()
    client.force_login(world.user(Role.ADMIN, REGENCY))
    response = client.get(EXPORT, follow=True)
    assert "Pilih desa/kelurahan atau ketik nama" in response.content.decode()
    response = client.get(EXPORT, {"q": "sl"}, follow=True)
    assert "paling sedikit 3 huruf" in response.content.decode()
    assert not AuditEntry.objects.filter(act="population.resident.export").exists()


def test_code_labels_and_choices():
    from kampung.population import codes

    assert codes.field_label("religion", 1) == "Islam"
    assert codes.field_label("family_relation", 4) == "Anak"
    assert codes.field_label("occupation", 5) == "Pegawai negeri sipil (PNS)"
    assert codes.field_label("blood_type", 9) == "AB+" and codes.field_label("citizenship", 1) == "WNI"
    assert codes.field_label("basic_status", 9) == "Tidak valid"
    assert codes.label("agama_id", 99) == "99" and codes.label("agama_id", None) == ""
    assert [c for c, _ in codes.choices("status_dasar")] == [1, 2, 3, 4, 6, 9]
