import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kampung.accounts.models import RoleAssignment
from kampung.accounts.roles import Role
from kampung.authority.models import (
    ActRecord,
    Delegation,
    DelegationKind,
    Instrument,
    InstrumentKind,
    TargetScope,
)
from kampung.authority.register import (
    DelegationInput,
    delegation_create,
    instrument_create,
    village_mandate_give,
)
from kampung.authority.services import may_act, signature_block
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_A2
from kampung.core.errors import KampungError
from kampung.regions.models import Region

RTLH = "assistance.rtlh.decide"


def url(code=VILLAGE_A1):
    return reverse("authority:village_mandates", args=[code])


def create_url(code=VILLAGE_A1):
    return reverse("authority:village_mandate_create", args=[code])


def form(**overrides):
    data = {
        "number": "141/07/2026",
        "date": "2026-01-05",
        "title": "Pemberian mandat",
        "to_role": Role.SECRETARY,
        "acts": ["letters.sign.*"],
        "valid_from": "2026-01-05",
        "valid_until": "",
    }
    data.update(overrides)
    return data


def perbup_to_heads(world):
    """A Perbup delegating (delegasi) RTLH decisions from the bupati to every village head."""
    admin = world.user(Role.ADMIN, REGENCY)
    regency = Region.objects.get(code=REGENCY)
    perbup = instrument_create(
        actor=admin,
        regency=regency,
        kind=InstrumentKind.PERBUP,
        number="12",
        date=dt.date(2017, 4, 8),
        title="Pelimpahan sebagian kewenangan Bupati kepada Kepala Desa",
    )
    return delegation_create(
        actor=admin,
        instrument=perbup,
        data=DelegationInput(
            kind=DelegationKind.DELEGASI,
            from_role=Role.BUPATI,
            from_region=regency,
            to_role=Role.HEAD,
            to_region=regency,
            to_scope=TargetScope.VILLAGES_UNDER,
            acts=[RTLH],
            valid_from=dt.date(2017, 5, 1),
        ),
    )


def test_head_gives_the_secretary_a_mandat_to_sign_letters(client, world):
    head = world.user(Role.HEAD, VILLAGE_A1)
    client.force_login(head)
    page = client.get(create_url()).content.decode()
    assert "letters.sign.*" in page
    assert "finance.spp.approve" in page
    assert "letters.verify.*" not in page  # the secretary's own power, not the head's
    assert "finance.apbdes.evaluate" not in page  # the bupati's
    response = client.post(create_url(), form())
    assert response.status_code == 302
    assert response.url == url()
    mandat = Delegation.objects.get(from_role=Role.HEAD, from_region=VILLAGE_A1)
    assert mandat.kind == DelegationKind.MANDAT
    assert (mandat.to_role, mandat.to_region_id, mandat.to_scope) == (Role.SECRETARY, VILLAGE_A1, "wilayah")
    assert mandat.parent is None
    assert mandat.instrument.kind == InstrumentKind.SK_KADES
    assert mandat.instrument.regency_id == REGENCY
    assert mandat.instrument.issuer_name == "Kepala Desa Sarongan"
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    decision = may_act(secretary, "letters.sign.keterangan-usaha", VILLAGE_A1)
    assert decision.basis == "mandat"
    assert signature_block(decision=decision, signer=secretary).lines == [
        "a.n. Kepala Desa Sarongan",
        "Sekretaris Desa Sarongan",
    ]
    # The secretary of the next village is not covered.
    assert not may_act(world.user(Role.SECRETARY, VILLAGE_A2), "letters.sign.keterangan-usaha", VILLAGE_A2)
    # The list shows the SK, the recipient, the status and the decisions taken under it.
    ActRecord.objects.create(
        act="letters.sign.keterangan-usaha",
        region_id=VILLAGE_A1,
        actor=secretary,
        role=Role.SECRETARY,
        basis="mandat",
        delegation=mandat,
        at=dt.datetime(2026, 1, 10, tzinfo=dt.UTC),
    )
    listing = client.get(url()).content.decode()
    assert "Keputusan Kepala Desa Nomor 141/07/2026 Tahun 2026" in listing
    assert "Sekretaris Desa Sarongan" in listing
    assert "Berlaku" in listing
    assert '<td class="num">1</td>' in listing


def test_the_link_from_my_powers(client, world):
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    assert url() in client.get(reverse("authority:my_powers")).content.decode()
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    assert url() not in client.get(reverse("authority:my_powers")).content.decode()


def test_a_delegated_power_is_passed_on_under_its_instrument(client, world):
    delegation = perbup_to_heads(world)
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    assert RTLH in client.get(create_url()).content.decode()
    # The family as a whole is still the bupati's: the head holds RTLH only.
    response = client.post(create_url(), form(acts=["letters.sign.*", "assistance.*.decide"]))
    assert response.status_code == 200
    assert "hanya yang Anda pegang sendiri" in response.content.decode()
    assert not Delegation.objects.filter(from_role=Role.HEAD).exists()
    response = client.post(create_url(), form(acts=["letters.sign.*", RTLH], number="2"))
    assert response.status_code == 302
    made = {d.parent_id: d for d in Delegation.objects.filter(from_role=Role.HEAD)}
    assert made.keys() == {None, delegation.pk}
    assert made[None].acts == ["letters.sign.*"]
    assert made[delegation.pk].acts == [RTLH]
    assert made[None].instrument_id == made[delegation.pk].instrument_id  # one SK
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    decision = may_act(secretary, RTLH, VILLAGE_A1)
    assert decision.basis == "mandat"
    block = signature_block(decision=decision, signer=secretary)
    assert block.lines[0] == "a.n. Kepala Desa Sarongan"
    assert block.basis_note == "berdasarkan Peraturan Bupati Banyuwangi Nomor 12 Tahun 2017"
    assert "berdasarkan Peraturan Bupati Banyuwangi Nomor 12 Tahun 2017" in client.get(url()).content.decode()


def test_an_acting_head_may_give_a_mandat(client, world):
    head = world.user(Role.HEAD, VILLAGE_A1)
    RoleAssignment.objects.filter(user=head).update(appointment="plt")
    client.force_login(head)
    assert client.get(url()).status_code == 200
    assert client.post(create_url(), form()).status_code == 302
    assert Delegation.objects.filter(from_role=Role.HEAD, to_role=Role.SECRETARY).exists()


def test_the_register_refuses_a_recipient_outside_the_office(world):
    head = world.user(Role.HEAD, VILLAGE_A1)
    village = Region.objects.get(code=VILLAGE_A1)
    with pytest.raises(KampungError, match="perangkat di kantor desa yang sama"):
        village_mandate_give(
            actor=head,
            village=village,
            number="3",
            date=dt.date(2026, 1, 5),
            title="Mandat",
            to_role=Role.BPD,
            acts=["letters.sign.*"],
            valid_from=dt.date(2026, 1, 5),
        )
    sk = instrument_create(
        actor=head,
        regency=Region.objects.get(code=REGENCY),
        kind=InstrumentKind.SK_KADES,
        number="4",
        date=dt.date(2026, 1, 5),
        title="Mandat",
        for_region=village,
    )
    with pytest.raises(KampungError, match="wilayah pemberi"):
        delegation_create(
            actor=head,
            instrument=sk,
            data=DelegationInput(
                kind=DelegationKind.MANDAT,
                from_role=Role.HEAD,
                from_region=village,
                to_role=Role.SECRETARY,
                to_region=Region.objects.get(code=VILLAGE_A2),
                to_scope=TargetScope.REGION,
                acts=["letters.sign.*"],
                valid_from=dt.date(2026, 1, 5),
            ),
        )
    # Nor may the head give what is not theirs, or act at another village.
    with pytest.raises(KampungError, match="tidak memegang kewenangan"):
        village_mandate_give(
            actor=head,
            village=village,
            number="5",
            date=dt.date(2026, 1, 5),
            title="Mandat",
            to_role=Role.SECRETARY,
            acts=[RTLH],
            valid_from=dt.date(2026, 1, 5),
        )
    with pytest.raises(KampungError):
        village_mandate_give(
            actor=head,
            village=Region.objects.get(code=VILLAGE_A2),
            number="6",
            date=dt.date(2026, 1, 5),
            title="Mandat",
            to_role=Role.SECRETARY,
            acts=["letters.sign.*"],
            valid_from=dt.date(2026, 1, 5),
        )
    assert not Delegation.objects.exists()
    assert list(Instrument.objects.values_list("number", flat=True)) == ["4"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"to_role": Role.HEAD}, "Pilih perangkat dari daftar."),
        ({"to_role": Role.BPD}, "Pilih perangkat dari daftar."),
        ({"to_role": ""}, "Wajib diisi."),
        ({"acts": []}, "Pilih paling sedikit satu tindakan."),
        ({"acts": ["letters.verify.*"]}, "hanya yang Anda pegang sendiri"),
        ({"acts": ["bukan.tindakan"]}, "hanya yang Anda pegang sendiri"),
        ({"valid_from": "2026-02-01", "valid_until": "2026-01-01"}, "tidak boleh sebelum"),
        ({"number": ""}, "Wajib diisi."),
        ({"number": "x" * 61}, "paling panjang 60"),
        ({"title": "x" * 300}, "paling panjang 255"),
        ({"date": "31-31-2026"}, "Tulis tanggal yang sah"),
        ({"valid_from": "bukan tanggal"}, "Tulis tanggal yang sah"),
        ({"valid_from": "3026-01-01"}, "antara tahun 1950 dan 2100"),
    ],
)
def test_bad_input_changes_nothing(client, world, overrides, message):
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    response = client.post(create_url(), form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Delegation.objects.exists()
    assert not Instrument.objects.exists()


def test_the_file_must_be_a_pdf(client, world):
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    fake = SimpleUploadedFile("sk.pdf", b"<html>bukan pdf</html>", content_type="application/pdf")
    response = client.post(create_url(), {**form(), "file": fake})
    assert response.status_code == 200
    assert "Berkas harus PDF" in response.content.decode()
    assert not Instrument.objects.exists()


def test_a_duplicate_sk_is_refused_and_nothing_is_half_written(client, world):
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    assert client.post(create_url(), form()).status_code == 302
    response = client.post(create_url(), form(to_role=Role.TREASURER))
    assert response.status_code == 200
    assert "sudah tercatat" in response.content.decode()
    assert Delegation.objects.count() == 1
    # A mandat dated before the head held the power: the SK is rolled back with it.
    perbup_to_heads(world)
    response = client.post(create_url(), form(number="9", acts=[RTLH], valid_from="2017-01-01"))
    assert response.status_code == 200
    assert "tidak memegang kewenangan" in response.content.decode()
    assert not Instrument.objects.filter(number="9").exists()


@pytest.mark.parametrize(
    ("role", "region"),
    [
        (Role.SECRETARY, VILLAGE_A1),
        (Role.OPERATOR, VILLAGE_A1),
        (Role.HEAD, VILLAGE_A2),
        (Role.CAMAT, DISTRICT_A),
        (Role.ADMIN, REGENCY),
        (Role.BUPATI, REGENCY),
    ],
)
def test_only_the_head_of_the_village_sees_the_pages(client, world, role, region):
    head = world.user(Role.HEAD, VILLAGE_A1)
    sk = village_mandate_give(
        actor=head,
        village=Region.objects.get(code=VILLAGE_A1),
        number="1",
        date=dt.date(2026, 1, 5),
        title="Mandat",
        to_role=Role.SECRETARY,
        acts=["letters.sign.*"],
        valid_from=dt.date(2026, 1, 5),
    )
    revoke = reverse("authority:village_mandate_revoke", args=[VILLAGE_A1, sk[0].pk])
    client.force_login(world.user(role, region))
    for page in (url(), create_url(), revoke):
        assert client.get(page).status_code == 404
    assert client.post(create_url(), form(number="2")).status_code == 404
    assert client.post(revoke, {"revoked_on": "2026-06-01", "reason": "x"}).status_code == 404
    assert Delegation.objects.get().revoked_on is None


@pytest.mark.parametrize("code", [DISTRICT_A, REGENCY, "99.99.99.9999", "x" * 40, "35.10.01.2001%"])
def test_not_a_village_of_the_head_is_not_found(client, world, code):
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    assert client.get(url(code)).status_code == 404
    assert client.get(create_url(code)).status_code == 404


def test_revoke(client, world):
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    client.post(create_url(), form())
    mandat = Delegation.objects.get(from_role=Role.HEAD)
    revoke = reverse("authority:village_mandate_revoke", args=[VILLAGE_A1, mandat.pk])
    assert f'href="{revoke}"' in client.get(url()).content.decode()
    assert client.get(revoke).status_code == 200
    response = client.post(revoke, {"revoked_on": "2026-01-04", "reason": "x"})  # before it started
    assert response.status_code == 200
    assert "tidak boleh sebelum pelimpahan berlaku" in response.content.decode()
    response = client.post(revoke, {"revoked_on": "2026-06-01", "reason": ""})
    assert "Alasan pencabutan wajib diisi." in response.content.decode()
    response = client.post(revoke, {"revoked_on": "kemarin", "reason": "x"})
    assert "Tulis tanggal yang sah" in response.content.decode()
    mandat.refresh_from_db()
    assert mandat.revoked_on is None
    response = client.post(revoke, {"revoked_on": "2026-01-20", "reason": "Sekdes pindah tugas"})
    assert response.status_code == 302
    mandat.refresh_from_db()
    assert mandat.revoked_on == dt.date(2026, 1, 20)
    assert mandat.revoke_reason == "Sekdes pindah tugas"
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    assert may_act(secretary, "letters.sign.keterangan-usaha", VILLAGE_A1, at=dt.date(2026, 1, 19))
    assert not may_act(secretary, "letters.sign.keterangan-usaha", VILLAGE_A1, at=dt.date(2026, 1, 20))
    listing = client.get(url()).content.decode()
    assert "Dicabut" in listing
    assert f'href="{revoke}"' not in listing
    response = client.post(revoke, {"revoked_on": "2026-02-01", "reason": "lagi"})
    assert response.status_code == 200
    assert "sudah dicabut" in response.content.decode()
    # Another village's path does not reach it.
    other = reverse("authority:village_mandate_revoke", args=[VILLAGE_A2, mandat.pk])
    assert client.get(other).status_code == 404


def test_a_mandat_recorded_by_the_regency_is_listed_but_not_revoked_by_the_head(client, world):
    admin = world.user(Role.ADMIN, REGENCY)
    village = Region.objects.get(code=VILLAGE_A1)
    kepbup = instrument_create(
        actor=admin,
        regency=Region.objects.get(code=REGENCY),
        kind=InstrumentKind.KEPBUP,
        number="77",
        date=dt.date(2026, 1, 2),
        title="Penetapan",
    )
    mandat = delegation_create(
        actor=admin,
        instrument=kepbup,
        data=DelegationInput(
            kind=DelegationKind.MANDAT,
            from_role=Role.HEAD,
            from_region=village,
            to_role=Role.TREASURER,
            to_region=village,
            to_scope=TargetScope.REGION,
            acts=["finance.spp.approve"],
            valid_from=dt.date(2026, 1, 2),
            valid_until=dt.date(2026, 1, 31),
        ),
    )
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    listing = client.get(url()).content.decode()
    assert "Nomor 77" in listing
    assert "Berakhir" in listing
    revoke = reverse("authority:village_mandate_revoke", args=[VILLAGE_A1, mandat.pk])
    assert revoke not in listing
    assert client.get(revoke).status_code == 404
