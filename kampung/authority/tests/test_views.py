"""The delegation register's pages: register and timeline, village powers, expiring soon,
decisions under a delegation, "Kewenangan saya", and the queue of routed matters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.authority import register
from kampung.authority.acts import register_act
from kampung.authority.models import ActRecord, Delegation, Instrument, MatterStatus
from kampung.authority.services import act_record, matter_route, may_act
from kampung.conftest import (
    DISTRICT_A,
    DISTRICT_B,
    KELURAHAN_B,
    OTHER_REGENCY,
    OTHER_VILLAGE,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    make_other_regency,
)
from kampung.regions.models import Level, Region

RTLH = "assistance.uji-rtlh.decide"
register_act(RTLH, holder_role=Role.BUPATI, description="Memutuskan penerima bantuan RTLH (uji)")

TODAY = dt.date(2025, 3, 3)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen_day():
    """Deadlines and status depend on the day: every test runs on a Monday in March 2025."""
    with time_machine.travel(dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin(world):
    return world.user(Role.ADMIN, REGENCY)


@pytest.fixture
def regency(db):
    return Region.objects.get(code=REGENCY)


def _instrument(admin, regency, number="12", date=dt.date(2024, 1, 2), **extra):
    return register.instrument_create(
        actor=admin,
        regency=regency,
        kind=extra.pop("kind", "perbup"),
        number=number,
        date=date,
        title=extra.pop("title", "Pelimpahan sebagian kewenangan Bupati kepada Kepala Desa"),
        **extra,
    )


def _delegate(admin, instrument, **overrides):
    data = {
        "kind": "delegasi",
        "from_role": Role.BUPATI,
        "from_region": Region.objects.get(code=REGENCY),
        "to_role": Role.HEAD,
        "to_region": Region.objects.get(code=REGENCY),
        "to_scope": "desa_di_bawah",
        "acts": [RTLH],
        "valid_from": dt.date(2024, 1, 2),
    }
    data.update(overrides)
    return register.delegation_create(
        actor=admin, instrument=instrument, data=register.DelegationInput(**data)
    )


def _other_regency_admin():
    return make_other_regency()[0]


def _errors(response) -> str:
    form = response.context["form"]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- Who gets the register pages -----------------------------------------------------------


@pytest.fixture
def recorded(admin, regency):
    instrument = _instrument(admin, regency)
    delegation = _delegate(admin, instrument)
    return instrument, delegation


def _read_pages(instrument, delegation):
    return [
        reverse("authority:register"),
        reverse("authority:instrument_detail", args=[instrument.pk]),
        reverse("authority:delegation_detail", args=[delegation.pk]),
        reverse("authority:expiring"),
        reverse("authority:village_powers"),
    ]


def _manage_pages(instrument, delegation):
    return [
        reverse("authority:instrument_create"),
        reverse("authority:delegation_create", args=[instrument.pk]),
        reverse("authority:delegation_revoke", args=[delegation.pk]),
    ]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DPMD, Role.BUPATI])
def test_regency_readers_see_every_register_page(client, world, recorded, role):
    client.force_login(world.user(role, REGENCY))
    for url in _read_pages(*recorded):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("authority:register")).content.decode()
    assert "Peraturan Bupati" in page and "Nomor 12 Tahun 2024" in page
    assert ("Catat instrumen baru" in page) == (role == Role.ADMIN)


@pytest.mark.parametrize("role", [Role.DPMD, Role.BUPATI])
def test_readers_cannot_write_the_register(client, world, recorded, role):
    instrument, delegation = recorded
    client.force_login(world.user(role, REGENCY))
    for url in _manage_pages(instrument, delegation):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x", "revoked_on": "2025-03-03"}).status_code == 404, url
    delegation.refresh_from_db()
    assert delegation.revoked_on is None
    assert Instrument.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "region"),
    [
        (Role.HEAD, VILLAGE_A1),
        (Role.OPERATOR, VILLAGE_A2),
        (Role.CAMAT, DISTRICT_A),
        (Role.RESIDENT, VILLAGE_B1),
    ],
)
def test_others_get_not_found_on_the_register(client, world, recorded, role, region):
    client.force_login(world.user(role, region))
    instrument, delegation = recorded
    for url in _read_pages(instrument, delegation) + _manage_pages(instrument, delegation):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("authority:instrument_file", args=[instrument.pk])).status_code == 404


def test_another_regencys_admin_finds_nothing_of_ours(client, recorded):
    instrument, delegation = recorded
    client.force_login(_other_regency_admin())
    for url in [*_read_pages(instrument, delegation)[1:3], *_manage_pages(instrument, delegation)[1:]]:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("authority:register") + f"?kabupaten={REGENCY}").status_code == 404
    page = client.get(reverse("authority:register"))
    assert page.status_code == 200
    assert page.context["rows"] == []
    response = client.post(
        reverse("authority:delegation_revoke", args=[delegation.pk]),
        {"revoked_on": "2025-03-03", "reason": "coba"},
    )
    assert response.status_code == 404
    delegation.refresh_from_db()
    assert delegation.revoked_on is None


def test_anonymous_is_sent_to_login(client, recorded):
    response = client.get(reverse("authority:register"))
    assert response.status_code == 302 and "/akun/" in response["Location"]


# --- Register list: filters, timeline, query bound -------------------------------------------


def test_register_filters_by_status_and_search(client, admin, regency):
    current = _instrument(admin, regency, number="12")
    _delegate(admin, current)
    old = _instrument(
        admin, regency, number="3", date=dt.date(2019, 5, 1), title="Evaluasi APBDes oleh Camat"
    )
    _delegate(
        admin,
        old,
        to_role=Role.CAMAT,
        to_scope="kecamatan_di_bawah",
        acts=["finance.apbdes.evaluate"],
        valid_from=dt.date(2019, 5, 1),
        valid_until=dt.date(2023, 12, 31),
    )
    revoked = _delegate(
        admin, current, acts=["finance.apbdes.evaluate"], to_role=Role.CAMAT, to_scope="kecamatan_di_bawah"
    )
    register.delegation_revoke(
        actor=admin, delegation=revoked, revoked_on=dt.date(2025, 1, 1), reason="Diganti"
    )
    client.force_login(admin)
    url = reverse("authority:register")

    def numbers(query):
        response = client.get(url, query)
        assert response.status_code == 200
        return sorted(r.instrument.number for r in response.context["rows"])

    assert numbers({}) == ["12", "3"]
    assert numbers({"status": "berakhir"}) == ["3"]
    assert numbers({"status": "dicabut"}) == ["12"]
    assert numbers({"status": "berlaku"}) == ["12"]
    assert numbers({"q": "APBDes oleh"}) == ["3"]
    assert numbers({"q": "uji-rtlh"}) == ["12"]
    assert numbers({"status": "tidak-ada"}) == ["12", "3"]  # a bad filter is not applied
    rows = client.get(url, {"status": "dicabut"}).context["rows"]
    assert [r.status for r in rows[0].delegations] == ["dicabut"]
    page = client.get(url).content.decode()
    assert "Dicabut" in page and "Berakhir" in page and 'class="bar' in page


def test_register_list_has_a_query_bound(client, admin, regency, django_assert_max_num_queries):
    client.force_login(admin)
    for n in range(12):
        instrument = _instrument(admin, regency, number=str(100 + n))
        for _ in range(3):
            _delegate(admin, instrument)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("authority:register"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 12


# --- Instruments ---------------------------------------------------------------------------


def _instrument_payload(**overrides):
    data = {
        "kind": "perbup",
        "number": "7",
        "date": "2025-02-10",
        "title": "Pelimpahan kewenangan RTLH",
        "issuer_name": "Bupati Banyuwangi",
    }
    data.update(overrides)
    return data


def test_admin_records_an_instrument_with_its_pdf(client, world, admin):
    client.force_login(admin)
    upload = SimpleUploadedFile("perbup 7 tahun 2025 (final) ttd.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("authority:instrument_create"), {**_instrument_payload(), "file": upload})
    instrument = Instrument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("authority:instrument_detail", args=[instrument.pk])
    assert instrument.regency_id == REGENCY and instrument.file.name.endswith(".pdf")
    client.force_login(world.user(Role.DPMD, REGENCY))
    download = client.get(reverse("authority:instrument_file", args=[instrument.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("payload", "upload", "message"),
    [
        ({}, SimpleUploadedFile("surat.pdf", b"MZ\x90\x00 not a pdf"), "Berkas harus PDF"),
        ({}, SimpleUploadedFile("besar.pdf", PDF + b"0" * (5 * 1024 * 1024)), "Berkas terlalu besar"),
        ({"number": ""}, None, "Wajib diisi"),
        ({"kind": "piagam"}, None, "Pilih jenis instrumen dari daftar"),
        ({"date": "31-02-2025"}, None, "Tulis tanggal yang sah"),
        ({"date": "20250-01-01"}, None, "Tulis tanggal yang sah"),
        ({"date": "1900-01-01"}, None, "antara tahun 1950 dan 2100"),
        ({"title": "x" * 300}, None, "paling panjang 255"),
    ],
)
def test_instrument_form_says_what_to_fix(client, admin, payload, upload, message):
    client.force_login(admin)
    data = _instrument_payload(**payload)
    if upload is not None:
        data["file"] = upload
    response = client.post(reverse("authority:instrument_create"), data)
    assert response.status_code == 200
    assert message in _errors(response)
    assert not Instrument.objects.exists()


def test_duplicate_instrument_is_refused_on_the_form(client, admin, regency):
    _instrument(admin, regency, number="7", date=dt.date(2025, 2, 10))
    client.force_login(admin)
    response = client.post(reverse("authority:instrument_create"), _instrument_payload())
    assert response.status_code == 200
    assert "sudah tercatat" in _errors(response)
    assert Instrument.objects.count() == 1


def test_instrument_without_file_has_no_download(client, admin, recorded):
    client.force_login(admin)
    assert client.get(reverse("authority:instrument_file", args=[recorded[0].pk])).status_code == 404


# --- Delegations ---------------------------------------------------------------------------


def _delegation_payload(**overrides):
    data = {
        "kind": "delegasi",
        "from_role": Role.BUPATI,
        "from_region": REGENCY,
        "to_role": Role.HEAD,
        "to_region": REGENCY,
        "to_scope": "desa_di_bawah",
        "acts": [RTLH, "letters.sign.*"],
        "amount_ceiling": "Rp 25.000.000",
        "valid_from": "2025-01-01",
        "valid_until": "2027-12-31",
        "parent": "",
    }
    data.update(overrides)
    return data


def test_admin_records_a_delegation(client, admin, regency):
    instrument = _instrument(admin, regency)
    client.force_login(admin)
    url = reverse("authority:delegation_create", args=[instrument.pk])
    form_page = client.get(url).content.decode()
    assert "Memutuskan penerima bantuan RTLH (uji)" in form_page and "letters.sign.*" in form_page
    response = client.post(url, _delegation_payload(acts=[RTLH]))
    delegation = Delegation.objects.get()
    assert response.status_code == 302
    assert delegation.amount_ceiling == Decimal("25000000")
    assert delegation.acts == [RTLH] and delegation.to_scope == "desa_di_bawah"
    assert delegation.valid_until == dt.date(2027, 12, 31)
    detail = client.get(reverse("authority:delegation_detail", args=[delegation.pk])).content.decode()
    assert "Kepala desa di setiap desa/kelurahan di Kabupaten Banyuwangi" in detail
    assert "Rp 25.000.000" in detail and "Cabut pelimpahan" in detail


def test_a_chain_mandat_to_the_secretary_under_the_perbup(client, admin, regency):
    perbup = _instrument(admin, regency)
    parent = _delegate(admin, perbup)
    sk = _instrument(admin, regency, number="141/3/2025", kind="sk_kades", date=dt.date(2025, 1, 5))
    client.force_login(admin)
    response = client.post(
        reverse("authority:delegation_create", args=[sk.pk]),
        _delegation_payload(
            kind="mandat",
            from_role=Role.HEAD,
            from_region=VILLAGE_A1,
            to_role=Role.SECRETARY,
            to_region=VILLAGE_A1,
            to_scope="wilayah",
            acts=[RTLH],
            amount_ceiling="",
            valid_until="",
            parent=str(parent.pk),
        ),
    )
    assert response.status_code == 302, _errors(response)
    child = Delegation.objects.get(parent=parent)
    assert child.kind == "mandat" and child.valid_until is None
    detail = client.get(reverse("authority:delegation_detail", args=[parent.pk])).content.decode()
    assert "Diteruskan lebih lanjut" in detail and "Sekretaris Desa Sarongan" in detail


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"from_region": "35.99"}, "Kode wilayah '35.99' tidak dikenal"),
        ({"to_region": OTHER_VILLAGE}, "tidak dikenal di Kabupaten Banyuwangi"),
        ({"to_region": ""}, "Wajib diisi"),
        ({"acts": []}, "Pilih paling sedikit satu tindakan"),
        ({"acts": ["tidak.ada"]}, "Tindakan 'tidak.ada' tidak dikenal"),
        ({"valid_until": "2024-12-31"}, "Tanggal akhir tidak boleh sebelum tanggal mulai"),
        ({"valid_from": ""}, "Wajib diisi"),
        ({"amount_ceiling": "dua juta"}, "Tulis nilai dalam Rupiah"),
        ({"amount_ceiling": "0"}, "harus lebih dari nol"),
        ({"amount_ceiling": "1" * 20}, "Tulis nilai dalam Rupiah"),
        ({"to_role": "raja"}, "Pilih peran dari daftar"),
        ({"kind": "kuasa"}, "Pilih delegasi atau mandat"),
        ({"parent": "999999"}, "Pilih pelimpahan asal dari daftar"),
        # Rules the register service enforces, shown on the form too:
        ({"from_role": Role.CAMAT}, "Camat tidak berkedudukan di Kabupaten Banyuwangi"),
        ({"to_scope": "wilayah"}, "tidak berkedudukan pada cakupan yang dipilih"),
        (
            {
                "from_role": Role.HEAD,
                "from_region": VILLAGE_A1,
                "to_role": Role.SECRETARY,
                "to_region": VILLAGE_A2,
                "to_scope": "wilayah",
            },
            "wilayah pemberi",
        ),
        ({"acts": ["finance.spp.pay"]}, "Bupati bukan pemegang kewenangan 'finance.spp.pay'"),
    ],
)
def test_delegation_form_says_what_to_fix(client, admin, regency, overrides, message):
    _other_regency_admin()
    instrument = _instrument(admin, regency)
    client.force_login(admin)
    response = client.post(
        reverse("authority:delegation_create", args=[instrument.pk]), _delegation_payload(**overrides)
    )
    assert response.status_code == 200
    assert message in _errors(response)
    assert not Delegation.objects.exists()


def test_a_mandat_cannot_be_passed_on_as_a_delegasi(client, admin, regency):
    instrument = _instrument(admin, regency)
    mandat = _delegate(
        admin,
        instrument,
        kind="mandat",
        to_role=Role.CAMAT,
        to_scope="kecamatan_di_bawah",
        acts=["finance.apbdes.evaluate"],
    )
    client.force_login(admin)
    response = client.post(
        reverse("authority:delegation_create", args=[instrument.pk]),
        _delegation_payload(
            from_role=Role.CAMAT,
            from_region=DISTRICT_A,
            to_role=Role.HEAD,
            to_region=VILLAGE_A1,
            to_scope="wilayah",
            acts=["finance.apbdes.evaluate"],
            amount_ceiling="",
            parent=str(mandat.pk),
        ),
    )
    assert response.status_code == 200
    assert "Mandat tidak dapat dilimpahkan lebih lanjut" in _errors(response)
    assert Delegation.objects.count() == 1


# --- Revocation ---------------------------------------------------------------------------


def test_revoke_flow(client, world, admin, regency, recorded):
    instrument, delegation = recorded
    head = world.user(Role.HEAD, VILLAGE_A1)
    assert may_act(head, RTLH, VILLAGE_A1).basis == "delegasi"
    revoking = _instrument(admin, regency, number="30", date=dt.date(2025, 2, 28), title="Pencabutan")
    client.force_login(admin)
    url = reverse("authority:delegation_revoke", args=[delegation.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"revoked_on": "2025-03-01", "reason": "Dievaluasi ulang", "revoking_instrument": revoking.pk}
    )
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_on == dt.date(2025, 3, 1)
    assert delegation.revoking_instrument == revoking
    detail = client.get(reverse("authority:delegation_detail", args=[delegation.pk])).content.decode()
    assert "Dicabut" in detail and "Dievaluasi ulang" in detail and "Cabut pelimpahan" not in detail
    assert not may_act(head, RTLH, VILLAGE_A1)
    # Revoking again is refused on the form, and nothing changes.
    response = client.post(url, {"revoked_on": "2025-03-02", "reason": "lagi"})
    assert response.status_code == 200 and "sudah dicabut" in _errors(response)
    delegation.refresh_from_db()
    assert delegation.revoked_on == dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"revoked_on": "2025-03-03", "reason": ""}, "Alasan pencabutan wajib diisi"),
        ({"revoked_on": "2023-12-31", "reason": "x"}, "tidak boleh sebelum pelimpahan berlaku"),
        ({"revoked_on": "kemarin", "reason": "x"}, "Tulis tanggal yang sah"),
        (
            {"revoked_on": "2025-03-03", "reason": "x", "revoking_instrument": "99999"},
            "Pilih instrumen dari daftar",
        ),
    ],
)
def test_revoke_form_says_what_to_fix(client, admin, recorded, data, message):
    client.force_login(admin)
    delegation = recorded[1]
    response = client.post(reverse("authority:delegation_revoke", args=[delegation.pk]), data)
    assert response.status_code == 200
    assert message in _errors(response)
    delegation.refresh_from_db()
    assert delegation.revoked_on is None


def test_an_instrument_of_another_regency_cannot_revoke(client, admin, recorded):
    other_admin = _other_regency_admin()
    foreign = register.instrument_create(
        actor=other_admin,
        regency=Region.objects.get(code=OTHER_REGENCY),
        kind="perbup",
        number="1",
        date=dt.date(2025, 1, 1),
        title="Jember",
    )
    client.force_login(admin)
    response = client.post(
        reverse("authority:delegation_revoke", args=[recorded[1].pk]),
        {"revoked_on": "2025-03-03", "reason": "x", "revoking_instrument": foreign.pk},
    )
    assert response.status_code == 200 and "Pilih instrumen dari daftar" in _errors(response)


# --- Expiring soon ------------------------------------------------------------------------


def test_expiring_soon_on_the_register_and_its_own_page(client, admin, regency):
    instrument = _instrument(admin, regency)
    soon = _delegate(admin, instrument, valid_until=TODAY + dt.timedelta(days=20))
    later = _delegate(admin, instrument, valid_until=TODAY + dt.timedelta(days=90))
    scheduled = _delegate(admin, instrument)
    register.delegation_revoke(
        actor=admin,
        delegation=scheduled,
        revoked_on=TODAY + dt.timedelta(days=10),
        reason="Diganti Perbup baru",
    )
    _delegate(admin, instrument, valid_until=TODAY - dt.timedelta(days=1))  # already ended
    _delegate(admin, instrument)  # no end
    client.force_login(admin)
    response = client.get(reverse("authority:expiring"))
    assert [r.delegation.pk for r in response.context["rows"]] == [scheduled.pk, soon.pk]
    assert response.context["rows"][0].end == TODAY + dt.timedelta(days=9)
    response = client.get(reverse("authority:expiring"), {"hari": "120"})
    assert [r.delegation.pk for r in response.context["rows"]] == [scheduled.pk, soon.pk, later.pk]
    for bad in ("abc", "-5", "99999999999999999999"):
        assert client.get(reverse("authority:expiring"), {"hari": bad}).status_code == 200
    register_page = client.get(reverse("authority:register"))
    assert [r.delegation.pk for r in register_page.context["expiring"]] == [scheduled.pk, soon.pk]
    assert "Segera berakhir (60 hari ke depan)" in register_page.content.decode()


# --- Which villages hold which powers -------------------------------------------------------


def test_village_powers_table(client, world, admin, regency):
    instrument = _instrument(admin, regency)
    _delegate(admin, instrument, amount_ceiling=Decimal("20000000"))
    expired = _delegate(
        admin,
        instrument,
        acts=["finance.apbdes.evaluate"],
        to_role=Role.CAMAT,
        to_scope="kecamatan_di_bawah",
        valid_until=dt.date(2024, 12, 31),
    )
    assert expired
    client.force_login(world.user(Role.BUPATI, REGENCY))
    response = client.get(reverse("authority:village_powers"))
    assert response.status_code == 200
    table = response.context["table"]
    assert [c.code for c in table.columns] == [RTLH]  # camat powers and expired ones are not village powers
    villages = [v.code for v, _ in table.rows]
    assert VILLAGE_A1 in villages and len(villages) == 50
    assert (
        response.context["page_obj"].paginator.count
        == Region.objects.filter(level=Level.VILLAGE, code__startswith=REGENCY + ".").count()
    )
    cells = next(cells for v, cells in table.rows if v.code == VILLAGE_A1)
    assert cells[0][0].kind == "Delegasi" and cells[0][0].ceiling == Decimal("20000000")
    page = response.content.decode()
    assert "Rp 20.000.000" in page
    by_district = client.get(reverse("authority:village_powers"), {"kecamatan": DISTRICT_B}).context["table"]
    assert {v.code[:8] for v, _ in by_district.rows} == {DISTRICT_B}
    kelurahan = next(cells for v, cells in by_district.rows if v.code == KELURAHAN_B)
    assert kelurahan[0][0].role == "Lurah"
    # A district of another regency is ignored, not an error.
    assert (
        client.get(reverse("authority:village_powers"), {"kecamatan": "35.09.01", "page": "x"}).status_code
        == 200
    )


def test_village_powers_shows_the_secretarys_mandat(client, admin, regency):
    perbup = _instrument(admin, regency)
    parent = _delegate(admin, perbup)
    sk = _instrument(admin, regency, number="141/1", kind="sk_kades")
    _delegate(
        admin,
        sk,
        kind="mandat",
        from_role=Role.HEAD,
        from_region=Region.objects.get(code=VILLAGE_A1),
        to_role=Role.SECRETARY,
        to_region=Region.objects.get(code=VILLAGE_A1),
        to_scope="wilayah",
        parent=parent,
    )
    client.force_login(admin)
    table = client.get(reverse("authority:village_powers"), {"kecamatan": DISTRICT_A}).context["table"]
    cells = next(cells for v, cells in table.rows if v.code == VILLAGE_A1)
    assert sorted((c.role, c.kind) for c in cells[0]) == [
        ("Kepala desa", "Delegasi"),
        ("Sekretaris desa", "Mandat"),
    ]
    other = next(cells for v, cells in table.rows if v.code == VILLAGE_A2)
    assert [(c.role, c.kind) for c in other[0]] == [("Kepala desa", "Delegasi")]


def test_village_powers_query_bound_does_not_grow_with_delegations(
    client, admin, regency, django_assert_max_num_queries
):
    client.force_login(admin)
    for n in range(6):
        instrument = _instrument(admin, regency, number=f"P{n}")
        if n % 2:
            _delegate(admin, instrument, to_region=Region.objects.get(code=DISTRICT_A))
        else:
            _delegate(admin, instrument, to_scope="wilayah", to_region=Region.objects.get(code=VILLAGE_A1))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("authority:village_powers"))
    assert response.status_code == 200
    assert len(response.context["table"].rows) == 50


# --- Decisions under a delegation ----------------------------------------------------------


def test_decisions_under_a_delegation_by_village(
    client, world, admin, recorded, django_assert_max_num_queries
):
    _, delegation = recorded
    for village, count in ((VILLAGE_A1, 3), (VILLAGE_B1, 2)):
        head = world.user(Role.HEAD, village)
        decision = may_act(head, RTLH, village, Decimal("15000000"))
        assert decision.delegation_id == delegation.pk
        for n in range(count):
            act_record(
                decision=decision,
                actor=head,
                act=RTLH,
                region=village,
                object_type="assistance.Case",
                object_id=f"{village}-{n}",
                amount=Decimal("15000000"),
            )
    # A decision by law (atribusi) is not under the delegation.
    bupati = world.user(Role.BUPATI, REGENCY)
    act_record(decision=may_act(bupati, RTLH, VILLAGE_A2), actor=bupati, act=RTLH, region=VILLAGE_A2)
    client.force_login(world.user(Role.DPMD, REGENCY))
    url = reverse("authority:delegation_detail", args=[delegation.pk])
    with django_assert_max_num_queries(14):
        response = client.get(url)
    decisions = response.context["decisions"]
    assert [(v.code, v.count) for v in decisions.by_village] == [(VILLAGE_A1, 3), (VILLAGE_B1, 2)]
    assert decisions.total == 5
    assert response.context["page_obj"].paginator.count == 5
    page = response.content.decode()
    assert "Desa Sarongan" in page and "Rp 15.000.000" in page


def test_decision_records_paginate_with_a_query_bound(
    client, world, admin, recorded, django_assert_max_num_queries
):
    _, delegation = recorded
    head = world.user(Role.HEAD, VILLAGE_A1)
    decision = may_act(head, RTLH, VILLAGE_A1)
    ActRecord.objects.bulk_create(
        ActRecord(
            act=RTLH,
            region_id=VILLAGE_A1,
            actor=head,
            role=decision.role,
            basis=decision.basis,
            delegation_id=delegation.pk,
            object_id=str(n),
            at=timezone.now(),
        )
        for n in range(120)
    )
    client.force_login(admin)
    url = reverse("authority:delegation_detail", args=[delegation.pk])
    with django_assert_max_num_queries(14):
        response = client.get(url, {"page": "3"})
    assert response.context["page_obj"].number == 3
    assert len(response.context["page_obj"].object_list) == 20
    assert client.get(url, {"page": "abc"}).status_code == 200


# --- Kewenangan saya ------------------------------------------------------------------------


def _lines(response, role):
    group = next(g for g in response.context["groups"] if g.role == role)
    return {line.act.code: line for line in group.allowed}, {line.act.code: line for line in group.refused}


def test_head_sees_attribution_for_letters_and_delegation_after_a_perbup(client, world, admin, regency):
    head = world.user(Role.HEAD, VILLAGE_A1)
    client.force_login(head)
    url = reverse("authority:my_powers")
    response = client.get(url)
    assert response.status_code == 200
    allowed, refused = _lines(response, Role.HEAD)
    assert allowed["letters.sign.*"].decision.basis == "atribusi"
    assert allowed["letters.sign.*"].signature_lines == ["Kepala Desa Sarongan"]
    assert RTLH in refused and "Bupati Banyuwangi" in refused[RTLH].holder_text
    assert "finance.apbdes.evaluate" in refused

    perbup = _instrument(admin, regency, number="9", date=dt.date(2024, 6, 1))
    _delegate(
        admin,
        perbup,
        acts=[RTLH],
        amount_ceiling=Decimal("20000000"),
        valid_from=dt.date(2024, 6, 1),
        valid_until=dt.date(2026, 5, 31),
    )
    client.force_login(head)  # a fresh request, a fresh scope
    response = client.get(url)
    allowed, refused = _lines(response, Role.HEAD)
    line = allowed[RTLH]
    assert line.decision.basis == "delegasi"
    assert line.decision.instrument == "Peraturan Bupati Banyuwangi Nomor 9 Tahun 2024"
    assert line.ceiling == Decimal("20000000") and line.end == dt.date(2026, 5, 31)
    assert line.signature_lines == ["Kepala Desa Sarongan"]
    assert line.signature_note == "berdasarkan Peraturan Bupati Banyuwangi Nomor 9 Tahun 2024"
    page = response.content.decode()
    assert "Delegasi" in page and "Atribusi" in page
    assert "Rp 20.000.000" in page and "31 Mei 2026" in page
    assert "berdasarkan Peraturan Bupati Banyuwangi Nomor 9 Tahun 2024" in page


def test_secretary_sees_the_mandat_formula(client, world, admin, regency):
    sk = _instrument(admin, regency, number="141/2", kind="sk_kades", date=dt.date(2025, 1, 2))
    _delegate(
        admin,
        sk,
        kind="mandat",
        from_role=Role.HEAD,
        from_region=Region.objects.get(code=VILLAGE_A1),
        to_role=Role.SECRETARY,
        to_region=Region.objects.get(code=VILLAGE_A1),
        to_scope="wilayah",
        acts=["letters.sign.*"],
        valid_from=dt.date(2025, 1, 2),
    )
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    allowed, _ = _lines(client.get(reverse("authority:my_powers")), Role.SECRETARY)
    line = allowed["letters.sign.*"]
    assert line.decision.basis == "mandat"
    assert line.signature_lines == ["a.n. Kepala Desa Sarongan", "Sekretaris Desa Sarongan"]
    # The secretary of another village has no such mandat.
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A2))
    allowed, _ = _lines(client.get(reverse("authority:my_powers")), Role.SECRETARY)
    assert "letters.sign.*" not in allowed


def test_camat_sees_the_delegated_evaluation(client, world, admin, regency):
    perbup = _instrument(admin, regency, number="4")
    _delegate(
        admin, perbup, to_role=Role.CAMAT, to_scope="kecamatan_di_bawah", acts=["finance.apbdes.evaluate"]
    )
    client.force_login(world.user(Role.CAMAT, DISTRICT_B))
    allowed, refused = _lines(client.get(reverse("authority:my_powers")), Role.CAMAT)
    assert allowed["finance.apbdes.evaluate"].decision.basis == "delegasi"
    assert allowed["finance.apbdes.evaluate"].signature_lines == ["Camat Glagah"]
    assert "tiap desa/kelurahan" in refused["letters.sign.*"].holder_text


def test_my_powers_is_not_found_for_a_resident(client, world):
    client.force_login(world.user(Role.RESIDENT, VILLAGE_A1))
    assert client.get(reverse("authority:my_powers")).status_code == 404


# --- Routed matters -------------------------------------------------------------------------


@pytest.fixture
def routed(world):
    head = world.user(Role.HEAD, VILLAGE_A1)
    matter = matter_route(
        actor=head,
        act="finance.apbdes.evaluate",
        region=Region.objects.get(code=VILLAGE_A1),
        object_type="finance.Apbdes",
        object_id="2025-1",
        title="Evaluasi Rancangan APBDes Sarongan 2025",
        amount=Decimal("1250000000"),
    )
    return head, matter


def test_queue_approve_flow(client, world, routed):
    head, matter = routed
    client.force_login(head)
    sent = client.get(reverse("authority:matter_sent"))
    assert sent.status_code == 200
    (row,) = sent.context["rows"]
    assert row.waits_at == "Bupati Banyuwangi" and row.matter.status == MatterStatus.WAITING
    assert "Menunggu" in sent.content.decode()

    bupati = world.user(Role.BUPATI, REGENCY)
    client.force_login(bupati)
    queue = client.get(reverse("authority:matter_queue"))
    assert [m.pk for m, _ in queue.context["rows"]] == [matter.pk]
    assert "Evaluasi Rancangan APBDes Sarongan 2025" in queue.content.decode()
    response = client.post(
        reverse("authority:matter_decide", args=[matter.pk]), {"decision": "setujui", "note": "Sesuai"}
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.status == MatterStatus.DONE and matter.decided_by == bupati and matter.basis == "atribusi"
    record = ActRecord.objects.get(act="finance.apbdes.evaluate")
    assert record.region_id == VILLAGE_A1 and record.basis == "atribusi"
    followed = client.get(response["Location"])
    assert "ditandatangani sebagai Bupati Banyuwangi" in followed.content.decode()
    assert followed.context["rows"] == []
    # Deciding it again says so, and changes nothing.
    again = client.post(
        reverse("authority:matter_decide", args=[matter.pk]),
        {"decision": "kembalikan", "note": "x"},
        follow=True,
    )
    assert "sudah diputuskan" in again.content.decode()
    matter.refresh_from_db()
    assert matter.status == MatterStatus.DONE

    client.force_login(head)
    (row,) = client.get(reverse("authority:matter_sent"), {"status": "selesai"}).context["rows"]
    assert row.matter.status == MatterStatus.DONE
    assert client.get(reverse("authority:matter_sent"), {"status": "menunggu"}).context["rows"] == []


def test_queue_return_needs_a_reason(client, world, routed):
    head, matter = routed
    client.force_login(world.user(Role.BUPATI, REGENCY))
    url = reverse("authority:matter_decide", args=[matter.pk])
    response = client.post(url, {"decision": "kembalikan", "note": "  "}, follow=True)
    assert "Tuliskan alasan pengembalian" in response.content.decode()
    matter.refresh_from_db()
    assert matter.status == MatterStatus.WAITING
    response = client.post(url, {"decision": "hapus"}, follow=True)
    assert "Pilih Setujui atau Kembalikan" in response.content.decode()
    client.post(url, {"decision": "kembalikan", "note": "Lengkapi lampiran RAB"})
    matter.refresh_from_db()
    assert matter.status == MatterStatus.RETURNED and matter.note == "Lengkapi lampiran RAB"
    assert not ActRecord.objects.exists()
    client.force_login(head)
    page = client.get(reverse("authority:matter_sent")).content.decode()
    assert "Dikembalikan" in page and "Lengkapi lampiran RAB" in page


def test_queue_goes_to_the_delegated_camat_and_no_one_else(client, world, admin, regency):
    perbup = _instrument(admin, regency, number="4")
    _delegate(
        admin, perbup, to_role=Role.CAMAT, to_scope="kecamatan_di_bawah", acts=["finance.apbdes.evaluate"]
    )
    head = world.user(Role.HEAD, VILLAGE_B1)
    matter = matter_route(
        actor=head,
        act="finance.apbdes.evaluate",
        region=Region.objects.get(code=VILLAGE_B1),
        object_type="finance.Apbdes",
        object_id="b1",
        title="Evaluasi APBDes",
    )
    assert (matter.holder_role, matter.holder_region_id) == (Role.CAMAT, DISTRICT_B)
    client.force_login(head)
    assert client.get(reverse("authority:matter_sent")).context["rows"][0].waits_at == "Camat Glagah"
    for outsider in (
        world.user(Role.CAMAT, DISTRICT_A),
        world.user(Role.HEAD, VILLAGE_B1),
        world.user(Role.DPMD, REGENCY),
    ):
        client.force_login(outsider)
        assert client.get(reverse("authority:matter_queue")).context["rows"] == []
        assert (
            client.post(
                reverse("authority:matter_decide", args=[matter.pk]), {"decision": "setujui"}
            ).status_code
            == 404
        )
    client.force_login(_other_regency_admin())
    assert (
        client.post(reverse("authority:matter_decide", args=[matter.pk]), {"decision": "setujui"}).status_code
        == 404
    )
    camat = world.user(Role.CAMAT, DISTRICT_B)
    client.force_login(camat)
    assert [m.pk for m, _ in client.get(reverse("authority:matter_queue")).context["rows"]] == [matter.pk]
    followed = client.post(
        reverse("authority:matter_decide", args=[matter.pk]), {"decision": "setujui"}, follow=True
    )
    assert "berdasarkan Peraturan Bupati Banyuwangi Nomor 4 Tahun 2024" in followed.content.decode()
    matter.refresh_from_db()
    assert matter.status == MatterStatus.DONE and matter.basis == "delegasi"


def test_decide_is_post_only_and_unknown_matter_is_not_found(client, world, routed):
    client.force_login(world.user(Role.BUPATI, REGENCY))
    assert client.get(reverse("authority:matter_decide", args=[routed[1].pk])).status_code == 405
    assert (
        client.post(reverse("authority:matter_decide", args=[999999]), {"decision": "setujui"}).status_code
        == 404
    )


def test_sent_list_shows_only_ones_own_matters(client, world, routed):
    client.force_login(world.user(Role.HEAD, VILLAGE_A2))
    assert client.get(reverse("authority:matter_sent")).context["rows"] == []
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    assert client.get(reverse("authority:matter_sent")).context["rows"] == []


def test_matter_lists_have_a_query_bound(client, world, django_assert_max_num_queries):
    head = world.user(Role.HEAD, VILLAGE_A1)
    village = Region.objects.get(code=VILLAGE_A1)
    for n in range(15):
        matter_route(
            actor=head,
            act="finance.apbdes.evaluate",
            region=village,
            object_type="finance.Apbdes",
            object_id=str(n),
            title=f"Perkara {n}",
        )
    client.force_login(head)
    with django_assert_max_num_queries(10):
        assert len(client.get(reverse("authority:matter_sent")).context["rows"]) == 15
    client.force_login(world.user(Role.BUPATI, REGENCY))
    with django_assert_max_num_queries(10):
        assert len(client.get(reverse("authority:matter_queue")).context["rows"]) == 15


# --- Families with a wildcard inside the code ---------------------------------------------


def test_a_delegated_family_with_an_inner_wildcard_covers_its_members(world, admin, regency):
    perbup = _instrument(admin, regency)
    _delegate(admin, perbup, acts=["assistance.*.decide"])
    assert may_act(world.user(Role.HEAD, VILLAGE_A1), RTLH, VILLAGE_A1).basis == "delegasi"
