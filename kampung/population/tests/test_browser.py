"""Browser test of the register's pages: Playwright drives Debian's Chromium against the live server."""

import datetime as dt

import pytest
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.conftest import PASSWORD, VILLAGE_A1
from kampung.population.models import LifeEvent, LifeEventKind, Resident, Sex
from kampung.population.tests.factories import make_family, make_resident, nik_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_finds_a_resident_and_records_a_birth_in_the_family(page, live_server, world):
    family = make_family(world, VILLAGE_A1, dusun="Krajan", rw="001", rt="002")
    make_resident(world, VILLAGE_A1, name="Slamet Riyadi", family=family, attributes={"family_relation": 1})
    make_resident(
        world,
        VILLAGE_A1,
        name="Siti Aminah",
        birth=dt.date(1992, 3, 5),
        sex=Sex.FEMALE,
        family=family,
        attributes={"family_relation": 3},
    )
    make_resident(world, VILLAGE_A1, name="Joko Susilo", birth=dt.date(1970, 8, 1))
    operator = world.user(Role.OPERATOR, VILLAGE_A1)

    page.goto(f"{live_server.url}/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(operator.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/wilayah/**")

    # Find him by part of his name.
    page.goto(f"{live_server.url}/penduduk/")
    page.get_by_role("searchbox", name="Cari NIK, nomor KK atau nama").fill("riya")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.wait_for_url("**/penduduk/?q=riya*")
    results = page.locator("table tbody tr")
    assert results.count() == 1
    page.get_by_role("link", name="Slamet Riyadi").click()
    page.wait_for_url("**/penduduk/*/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Slamet Riyadi")
    assert page.get_by_text("Kepala keluarga").first.is_visible()

    # Open his family and record a birth into it.
    page.get_by_role("link", name=family.kk_number).first.click()
    page.wait_for_url(f"**/penduduk/keluarga/{family.pk}/")
    page.get_by_role("link", name="Catat kelahiran").click()
    page.wait_for_url(f"**/penduduk/keluarga/{family.pk}/lahir/")
    born = timezone.localdate() - dt.timedelta(days=7)
    page.get_by_label("NIK bayi").fill(nik_for(VILLAGE_A1, born, Sex.FEMALE))
    page.get_by_label("Nama bayi").fill("Putri Ayu Lestari")
    page.get_by_label("Jenis kelamin").select_option(label="Perempuan")
    page.get_by_label("Tanggal lahir").fill(born.isoformat())
    page.get_by_label("Tempat lahir").fill("Banyuwangi")
    page.get_by_label("Pelapor (penduduk)").select_option(label="Siti Aminah")
    page.get_by_role("button", name="Catat kelahiran").click()

    # Back on the family page: the message and the baby among the members.
    page.wait_for_url(f"**/penduduk/keluarga/{family.pk}/")
    assert page.get_by_role("status").filter(has_text="Kelahiran Putri Ayu Lestari dicatat").is_visible()
    members = page.locator("table tbody")
    assert members.get_by_role("link", name="Putri Ayu Lestari").is_visible()
    baby_row = members.locator("tr", has_text="Putri Ayu Lestari")
    assert "Anak" in baby_row.inner_text() and "Perempuan" in baby_row.inner_text()

    baby = Resident.objects.get(name="Putri Ayu Lestari")
    assert baby.family_id == family.pk
    event = LifeEvent.objects.get(resident=baby)
    assert event.kind == LifeEventKind.BIRTH and event.reporter_name == "Siti Aminah"
