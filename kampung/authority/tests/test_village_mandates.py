import datetime as dt

import pytest
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.authority.models import Delegation, DelegationKind, InstrumentKind, TargetScope
from kampung.authority.register import DelegationInput, delegation_create, instrument_create
from kampung.authority.services import may_act, signature_block
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_A2
from kampung.regions.models import Region

RTLH = "assistance.rtlh.decide"


def url(code=VILLAGE_A1):
    return reverse("authority:village_mandates", args=[code])


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


def test_head_gives_the_secretary_a_mandat_to_sign_letters(client, world):
    head = world.user(Role.HEAD, VILLAGE_A1)
    client.force_login(head)
    assert "letters.sign.*" in client.get(url()).content.decode()
    response = client.post(url(), form())
    assert response.status_code == 302
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    decision = may_act(secretary, "letters.sign.keterangan-usaha", VILLAGE_A1)
    assert decision.basis == "mandat"
    assert signature_block(decision=decision, signer=secretary).lines == [
        "a.n. Kepala Desa Sarongan",
        "Sekretaris Desa Sarongan",
    ]
    assert "Berlaku" in client.get(url()).content.decode()
    # The secretary of the next village is not covered.
    assert not may_act(world.user(Role.SECRETARY, VILLAGE_A2), "letters.sign.keterangan-usaha", VILLAGE_A2)


def test_a_delegated_power_is_passed_on_under_its_instrument(client, world):
    admin = world.user(Role.ADMIN, REGENCY)
    regency = Region.objects.get(code=REGENCY)
    perbup = instrument_create(
        actor=admin,
        regency=regency,
        kind=InstrumentKind.PERBUP,
        number="12",
        date=dt.date(2017, 4, 8),
        title="Pelimpahan",
    )
    delegation = delegation_create(
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
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    response = client.post(url(), form(acts=["letters.sign.*", "assistance.*.decide"]))
    assert response.status_code == 200  # the head does not hold every programme's decision
    assert "hanya yang Anda pegang sendiri" in response.content.decode()
    assert not Delegation.objects.filter(from_role=Role.HEAD).exists()
    response = client.post(url(), form(acts=["letters.sign.*"], number="1"))
    assert response.status_code == 302
    from kampung.authority.register import village_mandate_give

    made = village_mandate_give(
        actor=world.user(Role.HEAD, VILLAGE_A1),
        village=Region.objects.get(code=VILLAGE_A1),
        number="2",
        date=dt.date(2026, 1, 6),
        title="Mandat RTLH",
        to_role=Role.SECRETARY,
        acts=[RTLH],
        valid_from=dt.date(2026, 1, 6),
    )
    assert made[0].parent_id == delegation.pk
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    block = signature_block(decision=may_act(secretary, RTLH, VILLAGE_A1), signer=secretary)
    assert block.lines[0] == "a.n. Kepala Desa Sarongan"
    assert block.basis_note == "berdasarkan Peraturan Bupati Banyuwangi Nomor 12 Tahun 2017"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"to_role": Role.HEAD}, "Pilih perangkat dari daftar."),
        ({"acts": []}, "Pilih paling sedikit satu tindakan."),
        ({"valid_from": "2026-02-01", "valid_until": "2026-01-01"}, "tidak boleh sebelum"),
        ({"number": ""}, "Wajib diisi."),
        ({"valid_from": "bukan tanggal"}, "tanggal"),
    ],
)
def test_bad_input_changes_nothing(client, world, overrides, message):
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    response = client.post(url(), form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Delegation.objects.exists()


@pytest.mark.parametrize(
    ("role", "region"),
    [(Role.SECRETARY, VILLAGE_A1), (Role.HEAD, VILLAGE_A2), (Role.CAMAT, DISTRICT_A), (Role.ADMIN, REGENCY)],
)
def test_only_the_head_of_the_village_sees_the_page(client, world, role, region):
    client.force_login(world.user(role, region))
    assert client.get(url()).status_code == 404
    assert client.post(url(), form()).status_code == 404


def test_revoke(client, world):
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    client.post(url(), form())
    mandat = Delegation.objects.get(from_role=Role.HEAD)
    revoke = reverse("authority:village_mandate_revoke", args=[VILLAGE_A1, mandat.pk])
    assert client.post(revoke, {"revoked_on": "2026-01-04", "reason": "x"}).status_code == 200  # before start
    assert (
        client.post(revoke, {"revoked_on": "2026-06-01", "reason": "Sekdes pindah tugas"}).status_code == 302
    )
    mandat.refresh_from_db()
    assert mandat.revoked_on == dt.date(2026, 6, 1)
    assert reverse("authority:village_mandates", args=[VILLAGE_A1])
    other = reverse("authority:village_mandate_revoke", args=[VILLAGE_A2, mandat.pk])
    assert client.get(other).status_code == 404
