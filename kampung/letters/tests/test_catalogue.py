"""The catalogue's reference data, its editing by the regency admin, and villages' own settings."""

from __future__ import annotations

import csv
import re

import pytest
from django.test import Client
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.core.errors import KampungError, NotPermitted
from kampung.letters import selectors, services
from kampung.letters.catalogue_data import DATA_DIR, parse_extra_fields, parse_subject_rules
from kampung.letters.models import (
    ClassificationCode,
    LetterType,
    RequirementDocument,
    Scheme,
    VillageLetterSetting,
    add_duration,
)
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_all_42_types_loaded_with_unique_slugs_and_valid_codes() -> None:
    with (DATA_DIR / "jenis_surat.csv").open(encoding="utf-8") as handle:
        slugs = [row["slug"] for row in csv.DictReader(handle)]
    types = list(LetterType.objects.select_related("classification", "classification_old"))
    assert len(types) == 42
    assert sorted(t.slug for t in types) == sorted(slugs)
    assert len({t.slug for t in types}) == 42
    for t in types:
        assert t.classification.scheme == Scheme.P83_2022
        assert ClassificationCode.objects.filter(scheme=Scheme.P83_2022, code=t.classification.code).exists()
        assert t.classification_old is not None and t.classification_old.scheme == Scheme.P78_2012
        assert t.body_template.strip(), t.slug
        assert t.sla_days == 1 and t.fee == 0 and t.signing_level == "desa"
    # OpenSID's codes are not unique; the slug is the key.
    assert LetterType.objects.filter(kode_opensid="S-41").count() == 2


def test_population_letters_sit_under_400_12() -> None:
    domisili = LetterType.objects.get(slug="surat-keterangan-domisili")
    kematian = LetterType.objects.get(slug="surat-keterangan-kematian")
    pindah = LetterType.objects.get(slug="surat-keterangan-pindah-penduduk")
    assert domisili.classification.code == "400.12.2.1"
    assert kematian.classification.code == "400.12.3.1"
    assert pindah.classification.code == "400.12.2.2"
    assert LetterType.objects.get(slug="surat-keterangan-usaha").classification_old.code == "500"


def test_reference_tables_loaded() -> None:
    assert ClassificationCode.objects.filter(scheme=Scheme.P83_2022).count() == 2110
    assert ClassificationCode.objects.filter(scheme=Scheme.P78_2012).count() == 2161
    assert RequirementDocument.objects.count() == 12
    pindah = LetterType.objects.get(slug="surat-keterangan-pindah-penduduk")
    assert sorted(pindah.requirements.values_list("opensid_id", flat=True)) == [1, 2, 3]


def test_subjects_validity_paper_and_self_service_from_the_csv() -> None:
    kematian = LetterType.objects.get(slug="surat-keterangan-kematian")
    assert kematian.subject_label == "Jenazah"
    assert kematian.subject_rules["status_dasar"] == ["MATI"]
    assert kematian.allowed_basic_statuses() == [2]
    assert [p["key"] for p in kematian.other_parties] == ["pelapor", "saksi_1", "saksi_2"]
    sktm = LetterType.objects.get(slug="surat-keterangan-kurang-mampu")
    assert sktm.subject_rules["hubungan_kk"] == ["KEPALA KELUARGA"] and sktm.self_service
    pindah = LetterType.objects.get(slug="surat-keterangan-pindah-penduduk")
    assert pindah.validity == "P1D" and not pindah.self_service and pindah.paper_size == "F4"
    import datetime as dt

    assert add_duration(dt.date(2026, 1, 31), "P1M") == dt.date(2026, 2, 28)
    assert pindah.validity_end(dt.date(2026, 3, 1)) == dt.date(2026, 3, 2)


def test_extra_fields_parsed_with_required_flags_and_types() -> None:
    fields = parse_extra_fields(
        "Barang: Jenis Barang*; Tanggal Pindah*; Penghasilan Ayah; Keterangan; Jumlah Pengikut*"
    )
    assert [f["key"] for f in fields] == [
        "barang_jenis_barang",
        "tanggal_pindah",
        "penghasilan_ayah",
        "keterangan",
        "jumlah_pengikut",
    ]
    assert [f["required"] for f in fields] == [True, True, False, False, True]
    assert [f["type"] for f in fields] == ["teks", "tanggal", "uang", "paragraf", "angka"]
    assert fields[0]["group"] == "Barang"
    assert parse_subject_rules(
        "sumber=penduduk desa|penduduk luar desa (lengkap); sertakan_data_orang_tua"
    ) == {
        "sumber": ["penduduk desa", "penduduk luar desa (lengkap)"],
        "sertakan_data_orang_tua": True,
    }
    for t in LetterType.objects.all():
        keys = [f["key"] for f in t.extra_fields]
        assert len(keys) == len(set(keys))
        assert all(re.match(r"^[a-z][a-z0-9_]*$", k) for k in keys)


def test_admin_updates_a_type_with_audit(world) -> None:
    admin = world.user(Role.ADMIN, REGENCY)
    usaha = LetterType.objects.get(slug="surat-keterangan-usaha")
    services.letter_type_update(
        actor=admin,
        letter_type=usaha,
        name="Keterangan Usaha",
        classification_code="500.2.2.1",
        classification_old_code="517",
        requirement_ids=[RequirementDocument.objects.get(opensid_id=3).pk],
        extra_fields=services.fields_from_text("nama_usaha | Nama Usaha | teks | wajib"),
        sla_days=2,
        fee=5000,
        validity="P3M",
        signing_level="desa",
        paper_size="A4",
        self_service=True,
        active=True,
    )
    usaha.refresh_from_db()
    assert usaha.classification.code == "500.2.2.1" and usaha.fee == 5000 and usaha.paper_size == "A4"
    entry = AuditEntry.objects.get(act="letters.type.update", object_id=usaha.slug)
    assert entry.before["sla_days"] == 1 and entry.after["sla_days"] == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"classification_code": "999.9"}, "tidak ada dalam daftar Permendagri 83/2022"),
        ({"classification_old_code": "400.12.2.1"}, "78/2012"),
        ({"validity": "sebulan"}, "P1M"),
        ({"sla_days": 0}, "1 sampai 60"),
        ({"fee": -1}, "negatif"),
        ({"paper_size": "A3"}, "A4 atau F4"),
    ],
)
def test_admin_update_refuses_bad_values(world, change, message) -> None:
    admin = world.user(Role.ADMIN, REGENCY)
    usaha = LetterType.objects.get(slug="surat-keterangan-usaha")
    values = {
        "name": "Keterangan Usaha",
        "classification_code": "500.2.2.4",
        "validity": "P1M",
        "sla_days": 1,
        "fee": 0,
        "paper_size": "F4",
    } | change
    with pytest.raises(KampungError, match=message):
        services.letter_type_update(actor=admin, letter_type=usaha, **values)
    usaha.refresh_from_db()
    assert usaha.classification.code == "500.2.2.4" and usaha.paper_size == "F4"


def test_field_lines_are_checked() -> None:
    with pytest.raises(KampungError, match="baris 2"):
        services.fields_from_text("a | A | teks\nBad Key | B | teks")
    with pytest.raises(KampungError, match="tipe 'warna'"):
        services.fields_from_text("a | A | warna")
    fields = services.fields_from_text("jk | Jenis Kelamin | pilihan | wajib | Laki-laki, Perempuan")
    assert fields[0]["options"] == ["Laki-laki", "Perempuan"] and fields[0]["required"]
    assert services.fields_from_text(services.fields_to_text(fields)) == fields


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.HEAD, Role.SECRETARY, Role.RESIDENT])
def test_only_the_admin_edits_the_catalogue(world, role) -> None:
    user = world.user(role, VILLAGE_A1)
    usaha = LetterType.objects.get(slug="surat-keterangan-usaha")
    with pytest.raises(NotPermitted):
        services.letter_type_update(actor=user, letter_type=usaha, name="X", classification_code="500.2.2.4")
    with pytest.raises(NotPermitted):
        services.letter_template_save(actor=user, letter_type=usaha, source="<p>x</p>")
    client = _client(user)
    for name in ("letters:catalogue",):
        assert client.get(reverse(name)).status_code == 404
    for name in ("letters:type_edit", "letters:template_edit", "letters:template_pdf"):
        assert client.get(reverse(name, kwargs={"slug": usaha.slug})).status_code == 404
    response = client.post(reverse("letters:type_edit", kwargs={"slug": usaha.slug}), {"name": "X"})
    assert response.status_code == 404
    response = client.post(reverse("letters:template_preview", kwargs={"slug": usaha.slug}), {"body": "x"})
    assert response.status_code == 404
    usaha.refresh_from_db()
    assert usaha.name == "Keterangan Usaha"


def test_district_and_dpmd_cannot_edit_catalogue(world) -> None:
    for user in (world.user(Role.CAMAT, "35.10.01"), world.user(Role.DPMD, REGENCY)):
        assert _client(user).get(reverse("letters:catalogue")).status_code == 404


def test_admin_catalogue_list_search_and_edit_page(world, django_assert_max_num_queries) -> None:
    client = _client(world.user(Role.ADMIN, REGENCY))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("letters:catalogue"))
    assert response.status_code == 200
    assert "Keterangan Domisili" in response.content.decode()
    response = client.get(reverse("letters:catalogue"), {"q": "kematian"})
    body = response.content.decode()
    assert "Keterangan Kematian" in body and "Keterangan Domisili" not in body
    assert (
        client.get(reverse("letters:catalogue"), {"q": "zzz-tidak-ada"})
        .content.decode()
        .count("Tidak ada jenis surat")
        == 1
    )
    assert client.get(reverse("letters:catalogue"), {"page": "abc"}).status_code == 200
    url = reverse("letters:type_edit", kwargs={"slug": "surat-keterangan-domisili"})
    assert client.get(url).status_code == 200
    data = {
        "name": "Keterangan Domisili",
        "classification_code": "400.12.2.1",
        "classification_old_code": "471.1",
        "extra_fields_text": "keperluan | Keperluan | paragraf | wajib",
        "sla_days": "3",
        "fee": "0",
        "validity": "P1M",
        "signing_level": "desa",
        "paper_size": "F4",
        "active": "on",
        "self_service": "on",
    }
    assert client.post(url, data).status_code == 302
    assert LetterType.objects.get(slug="surat-keterangan-domisili").sla_days == 3
    # Bad input: a message on the form, nothing saved, no 500.
    response = client.post(url, data | {"classification_code": "123.456", "sla_days": "5"})
    assert response.status_code == 200
    assert "tidak ada dalam daftar Permendagri 83/2022" in response.content.decode()
    assert LetterType.objects.get(slug="surat-keterangan-domisili").sla_days == 3
    response = client.post(url, data | {"extra_fields_text": "Kunci Salah | x | teks"})
    assert response.status_code == 200 and "Isian baris 1" in response.content.decode()
    response = client.post(url, {"name": "", "sla_days": "abc", "fee": "-5", "paper_size": "<x>"})
    assert response.status_code == 200
    assert client.get(reverse("letters:type_edit", kwargs={"slug": "tidak-ada"})).status_code == 404


def test_village_head_switches_type_off_and_sets_sla_with_audit(world) -> None:
    village = Region.objects.get(code=VILLAGE_A1)
    head = world.user(Role.HEAD, VILLAGE_A1)
    domisili = LetterType.objects.get(slug="surat-keterangan-domisili")
    services.village_letter_setting_save(
        actor=head, village=village, letter_type=domisili, enabled=False, sla_days=None
    )
    assert domisili not in selectors.letter_types_offered(village=village)
    assert domisili in selectors.letter_types_offered(village=Region.objects.get(code=VILLAGE_A2))
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    services.village_letter_setting_save(
        actor=secretary, village=village, letter_type=domisili, enabled=True, sla_days=3
    )
    assert selectors.effective_sla_days(village=village, letter_type=domisili) == 3
    assert (
        selectors.effective_sla_days(village=Region.objects.get(code=VILLAGE_A2), letter_type=domisili) == 1
    )
    entries = AuditEntry.objects.filter(
        act="letters.village_setting.update", region_code=VILLAGE_A1
    ).order_by("seq")
    assert [(e.role, e.after["enabled"], e.after["sla_days"]) for e in entries] == [
        (Role.HEAD, False, None),
        (Role.SECRETARY, True, 3),
    ]


@pytest.mark.parametrize(
    ("role", "code"),
    [(Role.OPERATOR, VILLAGE_A1), (Role.HEAD, VILLAGE_B1), (Role.ADMIN, REGENCY), (Role.CAMAT, "35.10.01")],
)
def test_others_cannot_change_village_settings(world, role, code) -> None:
    village = Region.objects.get(code=VILLAGE_A1)
    domisili = LetterType.objects.get(slug="surat-keterangan-domisili")
    with pytest.raises(NotPermitted):
        services.village_letter_setting_save(
            actor=world.user(role, code), village=village, letter_type=domisili, enabled=False, sla_days=None
        )
    assert not VillageLetterSetting.objects.filter(village=village).exists()


def test_village_settings_pages(world) -> None:
    url = reverse("letters:village_settings", kwargs={"code": VILLAGE_A1})
    save = reverse(
        "letters:village_setting_save", kwargs={"code": VILLAGE_A1, "slug": "surat-keterangan-domisili"}
    )
    head = _client(world.user(Role.HEAD, VILLAGE_A1))
    page = head.get(url)
    assert page.status_code == 200 and 'name="sla_days"' in page.content.decode()
    assert head.post(save, {"sla_days": "4"}).status_code == 302
    setting = VillageLetterSetting.objects.get(
        village_id=VILLAGE_A1, letter_type__slug="surat-keterangan-domisili"
    )
    assert setting.enabled is False and setting.sla_days == 4
    # Junk input: a message, nothing changed, no 500.
    response = head.post(save, {"enabled": "on", "sla_days": "banyak"}, follow=True)
    assert response.status_code == 200 and "1 sampai 60" in response.content.decode()
    setting.refresh_from_db()
    assert setting.enabled is False
    assert (
        head.post(
            reverse("letters:village_setting_save", kwargs={"code": VILLAGE_A1, "slug": "tidak-ada"}), {}
        ).status_code
        == 404
    )
    # The operator reads, but cannot save; another village's staff: not found.
    operator = _client(world.user(Role.OPERATOR, VILLAGE_A1))
    assert (
        operator.get(url).status_code == 200 and 'name="sla_days"' not in operator.get(url).content.decode()
    )
    assert operator.post(save, {"enabled": "on"}).status_code == 404
    other = _client(world.user(Role.HEAD, VILLAGE_B1))
    assert other.get(url).status_code == 404
    assert other.post(save, {"enabled": "on"}).status_code == 404
    setting.refresh_from_db()
    assert setting.enabled is False
