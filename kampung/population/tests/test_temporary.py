"""Buku Penduduk Sementara: the services' rules, who may write, the pages, exports and bad input."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_A2
from kampung.core.errors import KampungError, NotPermitted
from kampung.population.checks import mask_nik
from kampung.population.models import Sex, TemporaryResident
from kampung.population.services_temporary import (
    temporary_resident_create,
    temporary_resident_depart,
    temporary_resident_update,
)
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

PASSPORT = "C01X00T47"
NIK = "3578014505990003"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 15, 3, 0, tzinfo=dt.UTC), tick=False):
        yield


def values(**overrides):
    base = {
        "name": "Andi Mahasiswa",
        "sex": Sex.MALE,
        "nik": NIK,
        "birth_place": "Surabaya",
        "birth_date": dt.date(1999, 5, 5),
        "occupation": 3,
        "nationality": "Indonesia",
        "origin": "Jl. Darmo 5, Surabaya",
        "purpose": "KKN mahasiswa",
        "host": "Bapak Sutrisno, RT 001/RW 001",
        "dusun": "Krajan",
        "rw": "001",
        "rt": "001",
        "arrival_date": dt.date(2026, 10, 1),
        "notes": "",
    }
    base.update(overrides)
    return base


@pytest.fixture
def village():
    return Region.objects.get(code=VILLAGE_A1)


@pytest.fixture
def andi(world, village):
    return temporary_resident_create(
        actor=world.user(Role.OPERATOR, VILLAGE_A1), village=village, values=values()
    )


# -- services -----------------------------------------------------------------------------


def test_create_update_depart_with_audit(world, village, andi):
    op = world.user(Role.SECRETARY, VILLAGE_A1)
    assert andi.pk and andi.village_id == VILLAGE_A1 and andi.departure_date is None
    entry = AuditEntry.objects.get(act="population.temporary.create", object_id=str(andi.pk))
    assert entry.region_code == VILLAGE_A1
    assert NIK not in str(entry.after) and mask_nik(NIK) in str(entry.after)

    updated = temporary_resident_update(actor=op, person=andi, changes={"purpose": "Penelitian", "rt": "002"})
    assert (updated.purpose, updated.rt) == ("Penelitian", "002")
    assert AuditEntry.objects.get(act="population.temporary.update").after == {"fields": ["purpose", "rt"]}

    gone = temporary_resident_depart(
        actor=op, person=andi, departure_date=dt.date(2026, 11, 10), note="Kembali"
    )
    assert gone.departure_date == dt.date(2026, 11, 10) and "Kembali" in gone.notes
    assert AuditEntry.objects.filter(act="population.temporary.depart", object_id=str(andi.pk)).exists()


def test_departure_before_arrival_is_refused_and_changes_nothing(world, andi):
    op = world.user(Role.OPERATOR, VILLAGE_A1)
    with pytest.raises(KampungError, match="sebelum tanggal datang"):
        temporary_resident_depart(actor=op, person=andi, departure_date=dt.date(2026, 9, 30))
    andi.refresh_from_db()
    assert andi.departure_date is None
    assert not AuditEntry.objects.filter(act="population.temporary.depart").exists()


def test_departure_rules(world, andi):
    op = world.user(Role.OPERATOR, VILLAGE_A1)
    with pytest.raises(KampungError, match="masa depan"):
        temporary_resident_depart(actor=op, person=andi, departure_date=dt.date(2026, 12, 1))
    temporary_resident_depart(actor=op, person=andi, departure_date=dt.date(2026, 10, 1))  # same day is fine
    with pytest.raises(KampungError, match="sudah dicatat"):
        temporary_resident_depart(actor=op, person=andi, departure_date=dt.date(2026, 11, 1))
    # moving the arrival after the recorded departure is refused too
    with pytest.raises(KampungError, match="sesudah tanggal pergi"):
        temporary_resident_update(actor=op, person=andi, changes={"arrival_date": dt.date(2026, 10, 5)})
    andi.refresh_from_db()
    assert andi.arrival_date == dt.date(2026, 10, 1)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "  "}, "Nama"),
        ({"origin": ""}, "Asal"),
        ({"purpose": ""}, "Maksud"),
        ({"arrival_date": None}, "Tanggal datang"),
        ({"arrival_date": dt.date(2026, 12, 1)}, "masa depan"),
        ({"birth_date": dt.date(2027, 1, 1)}, "masa depan"),
        ({"birth_date": dt.date(2026, 10, 2)}, "sebelum tanggal lahir"),
        ({"sex": 7}, "Jenis kelamin"),
        ({"nik": "12 34; DROP"}, "huruf dan angka"),
        ({"name": "x" * 151}, "terlalu panjang"),
    ],
)
def test_create_validation(world, village, overrides, message):
    with pytest.raises(KampungError, match=message):
        temporary_resident_create(
            actor=world.user(Role.OPERATOR, VILLAGE_A1), village=village, values=values(**overrides)
        )
    assert not TemporaryResident.objects.exists()


def test_foreigner_with_passport_number(world, village):
    person = temporary_resident_create(
        actor=world.user(Role.HEAD, VILLAGE_A1),
        village=village,
        values=values(nik=PASSPORT, nationality="Jerman", name="Hans Müller"),
    )
    assert person.nik == PASSPORT and person.nationality == "Jerman"


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.OPERATOR, VILLAGE_A2),
        (Role.TREASURER, VILLAGE_A1),
        (Role.FIELD_OFFICER, VILLAGE_A1),
        (Role.BPD, VILLAGE_A1),
        (Role.RESIDENT, VILLAGE_A1),
        (Role.CAMAT, DISTRICT_A),
        (Role.ADMIN, REGENCY),
    ],
)
def test_only_the_village_writers_may_write(world, village, andi, role, home):
    user = world.user(role, home)
    with pytest.raises(NotPermitted):
        temporary_resident_create(actor=user, village=village, values=values(name="Lain"))
    with pytest.raises(NotPermitted):
        temporary_resident_update(actor=user, person=andi, changes={"purpose": "x"})
    with pytest.raises(NotPermitted):
        temporary_resident_depart(actor=user, person=andi, departure_date=dt.date(2026, 11, 1))
    assert TemporaryResident.objects.count() == 1


# -- pages --------------------------------------------------------------------------------


def test_list_add_edit_depart_over_http(client, world, andi):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    list_url = reverse("population:temporary_list", args=[VILLAGE_A1])
    html = client.get(list_url).content.decode()
    assert "Andi Mahasiswa" in html and NIK in html and "Catat pergi" in html

    form = {
        k: ("" if v is None else v) for k, v in values(name="Budi Pekerja", nik="", occupation="").items()
    }
    form["arrival_date"] = "2026-11-01"
    form["birth_date"] = ""
    response = client.post(reverse("population:temporary_add", args=[VILLAGE_A1]), form)
    assert response.status_code == 302
    budi = TemporaryResident.objects.get(name="Budi Pekerja")
    assert budi.occupation is None and budi.birth_date is None

    edit = {**form, "purpose": "Kerja musiman"}
    response = client.post(reverse("population:temporary_edit", args=[VILLAGE_A1, budi.pk]), edit)
    assert response.status_code == 302
    budi.refresh_from_db()
    assert budi.purpose == "Kerja musiman"

    depart_url = reverse("population:temporary_depart", args=[VILLAGE_A1, budi.pk])
    response = client.post(depart_url, {"departure_date": "2026-10-31", "note": ""})
    assert response.status_code == 200
    assert "sebelum tanggal datang" in response.content.decode()
    budi.refresh_from_db()
    assert budi.departure_date is None
    assert client.post(depart_url, {"departure_date": "2026-11-14", "note": "Pulang"}).status_code == 302
    budi.refresh_from_db()
    assert budi.departure_date == dt.date(2026, 11, 14)

    present = [r.name for r in client.get(list_url).context["rows"]]
    assert present == ["Andi Mahasiswa"]
    everyone = [r.name for r in client.get(list_url, {"status": "semua"}).context["rows"]]
    assert sorted(everyone) == ["Andi Mahasiswa", "Budi Pekerja"]
    found = [r.name for r in client.get(list_url, {"status": "semua", "q": "budi"}).context["rows"]]
    assert found == ["Budi Pekerja"]


def test_edit_with_nothing_changed_shows_the_message(client, world, andi):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    form = {k: ("" if v is None else v) for k, v in values().items()}
    form["arrival_date"], form["birth_date"] = "2026-10-01", "1999-05-05"
    response = client.post(reverse("population:temporary_edit", args=[VILLAGE_A1, andi.pk]), form)
    assert response.status_code == 200 and "Tidak ada data yang berubah" in response.content.decode()


@pytest.mark.parametrize(
    "junk",
    [
        {},
        {"name": "A", "sex": "9", "arrival_date": "kemarin", "origin": "x", "purpose": "y"},
        {
            "name": "A",
            "sex": "1",
            "arrival_date": "2099-01-01",
            "origin": "x",
            "purpose": "y",
            "nationality": "ID",
        },
        {
            "name": "A",
            "sex": "1",
            "arrival_date": "2026-01-01",
            "origin": "x",
            "purpose": "y",
            "nationality": "ID",
            "occupation": "999999",
        },
    ],
)
def test_junk_posts_give_form_errors_not_500(client, world, junk):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    response = client.post(reverse("population:temporary_add", args=[VILLAGE_A1]), junk)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not TemporaryResident.objects.exists()


def test_junk_departure_date(client, world, andi):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    url = reverse("population:temporary_depart", args=[VILLAGE_A1, andi.pk])
    for junk in ({}, {"departure_date": "31-31-2026"}, {"departure_date": "2099-01-01"}):
        assert client.post(url, junk).status_code == 200
    andi.refresh_from_db()
    assert andi.departure_date is None


def test_readers_see_masked_list_but_cannot_write(client, world, andi):
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    html = client.get(reverse("population:temporary_list", args=[VILLAGE_A1])).content.decode()
    assert "Andi Mahasiswa" in html and NIK not in html and mask_nik(NIK) in html
    assert "Catat pergi" not in html and "Tambah penduduk sementara</a>" not in html
    assert client.get(reverse("population:temporary_add", args=[VILLAGE_A1])).status_code == 404
    assert client.get(reverse("population:temporary_edit", args=[VILLAGE_A1, andi.pk])).status_code == 404
    assert (
        client.post(
            reverse("population:temporary_depart", args=[VILLAGE_A1, andi.pk]),
            {"departure_date": "2026-11-01"},
        ).status_code
        == 404
    )
    andi.refresh_from_db()
    assert andi.departure_date is None


def test_other_village_is_not_found(client, world, andi):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A2))
    assert client.get(reverse("population:temporary_list", args=[VILLAGE_A1])).status_code == 404
    assert client.get(reverse("population:temporary_edit", args=[VILLAGE_A1, andi.pk])).status_code == 404
    # the record through the operator's own village URL is not found either
    assert client.get(reverse("population:temporary_edit", args=[VILLAGE_A2, andi.pk])).status_code == 404
    assert (
        client.post(
            reverse("population:temporary_depart", args=[VILLAGE_A2, andi.pk]),
            {"departure_date": "2026-11-01"},
        ).status_code
        == 404
    )


def test_register_pdf_and_excel(client, world, andi):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    pdf = client.get(reverse("population:register_temporary_pdf", args=[VILLAGE_A1]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    import shutil
    import subprocess

    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        # narrow table columns wrap, so look for the words
        assert "BUKU PENDUDUK SEMENTARA" in text
        assert {"Andi", "Mahasiswa", "KKN", "3578014505990003", "01-10-2026"} <= set(text.split())
    xlsx = client.get(reverse("population:register_temporary_xlsx", args=[VILLAGE_A1]))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    header = rows[3]
    andi_row = rows[4]
    assert andi_row[header.index("Nama lengkap")] == "Andi Mahasiswa"
    assert andi_row[header.index("Nomor identitas")] == NIK
    assert andi_row[header.index("Datang dari")] == "Jl. Darmo 5, Surabaya"
