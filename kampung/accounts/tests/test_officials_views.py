"""A village's officials (perangkat desa): who sees them, who keeps them, and other villages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampung.accounts.models import Official
from kampung.accounts.roles import Role
from kampung.accounts.services import official_save
from kampung.conftest import DISTRICT_A, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.regions.models import Region


def _list(code: str) -> str:
    return reverse("regions:officials:list", kwargs={"code": code})


def _add(code: str) -> str:
    return reverse("regions:officials:add", kwargs={"code": code})


def _edit(code: str, pk: int) -> str:
    return reverse("regions:officials:edit", kwargs={"code": code, "pk": pk})


def _official(code: str, name: str = "Slamet", position: str = "Kasi Pemerintahan", **kwargs) -> Official:
    return official_save(
        actor=None, village=Region.objects.get(code=code), name=name, position=position, **kwargs
    )


PAYLOAD = {
    "name": "Sri Wahyuni",
    "position": "Kaur Umum",
    "staff_number": "1234",
    "order": "20",
    "active": "on",
}


def test_urls_sit_under_the_village():
    assert _list(VILLAGE_A1) == f"/wilayah/{VILLAGE_A1}/perangkat/"
    assert _edit(VILLAGE_A1, 7) == f"/wilayah/{VILLAGE_A1}/perangkat/7/ubah/"


@pytest.mark.parametrize(
    ("role", "region"), [(Role.SECRETARY, VILLAGE_A1), (Role.HEAD, VILLAGE_A1), (Role.ADMIN, REGENCY)]
)
def test_editors_add_and_edit(client, world, role, region):
    client.force_login(world.user(role, region))
    assert client.get(_add(VILLAGE_A1)).status_code == 200
    response = client.post(_add(VILLAGE_A1), PAYLOAD)
    assert response.status_code == 302
    assert response["Location"] == _list(VILLAGE_A1)
    official = Official.objects.get(village_id=VILLAGE_A1, name="Sri Wahyuni")
    assert (official.position, official.staff_number, official.order, official.active) == (
        "Kaur Umum",
        "1234",
        20,
        True,
    )
    response = client.post(
        _edit(VILLAGE_A1, official.pk), {**PAYLOAD, "position": "Sekretaris Desa", "active": ""}
    )
    assert response.status_code == 302
    official.refresh_from_db()
    assert official.position == "Sekretaris Desa"
    assert not official.active
    html = client.get(_list(VILLAGE_A1)).content.decode()
    assert "Sekretaris Desa" in html and "Tidak menjabat" in html


@pytest.mark.parametrize(
    ("role", "region", "visible"),
    [
        (Role.OPERATOR, VILLAGE_A1, [VILLAGE_A1]),
        (Role.BPD, VILLAGE_A1, [VILLAGE_A1]),
        (Role.CAMAT, DISTRICT_A, [VILLAGE_A1, VILLAGE_A2]),
        (Role.DPMD, REGENCY, [VILLAGE_A1, VILLAGE_B1]),
    ],
)
def test_readers_see_the_list_but_cannot_edit(client, world, role, region, visible):
    official = _official(VILLAGE_A1)
    client.force_login(world.user(role, region))
    for code in visible:
        response = client.get(_list(code))
        assert response.status_code == 200
        assert not response.context["can_edit"]
        assert "Tambah perangkat" not in response.content.decode()
    assert client.get(_add(VILLAGE_A1)).status_code == 404
    assert client.post(_add(VILLAGE_A1), PAYLOAD).status_code == 404
    assert client.post(_edit(VILLAGE_A1, official.pk), PAYLOAD).status_code == 404
    official.refresh_from_db()
    assert official.name == "Slamet"
    assert not Official.objects.filter(name="Sri Wahyuni").exists()


@pytest.mark.parametrize(
    ("role", "region", "other"),
    [
        (Role.HEAD, VILLAGE_A1, VILLAGE_A2),
        (Role.SECRETARY, VILLAGE_A1, VILLAGE_B1),
        (Role.OPERATOR, VILLAGE_B1, VILLAGE_A1),
        (Role.CAMAT, DISTRICT_A, VILLAGE_B1),
        (Role.HEAD, KELURAHAN_B, VILLAGE_B1),
    ],
)
def test_another_village_is_not_found(client, world, role, region, other):
    official = _official(other)
    client.force_login(world.user(role, region))
    assert client.get(_list(other)).status_code == 404
    assert client.get(_add(other)).status_code == 404
    assert client.post(_add(other), PAYLOAD).status_code == 404
    assert client.get(_edit(other, official.pk)).status_code == 404
    assert client.post(_edit(other, official.pk), PAYLOAD).status_code == 404
    official.refresh_from_db()
    assert official.name == "Slamet"


def test_an_official_of_another_village_through_our_url_is_not_found(client, world):
    theirs = _official(VILLAGE_A2, name="Milik A2")
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    assert client.get(_edit(VILLAGE_A1, theirs.pk)).status_code == 404
    assert client.post(_edit(VILLAGE_A1, theirs.pk), PAYLOAD).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Milik A2"
    # Even the admin, who may edit both villages, must use the official's own village.
    client.force_login(world.user(Role.ADMIN, REGENCY))
    assert client.get(_edit(VILLAGE_A1, theirs.pk)).status_code == 404
    assert client.get(_edit(VILLAGE_A2, theirs.pk)).status_code == 200


def test_not_a_village_and_unknown_codes_are_not_found(client, world):
    client.force_login(world.user(Role.ADMIN, REGENCY))
    for code in (DISTRICT_A, REGENCY, "35.10.99.9999", "bukan-kode"):
        assert client.get(_list(code)).status_code == 404
    assert client.get(_edit(VILLAGE_A1, 999999)).status_code == 404


def test_list_shows_active_and_inactive_in_order(client, world):
    _official(VILLAGE_A1, name="Kedua", order=20)
    _official(VILLAGE_A1, name="Pertama", order=1, staff_number="19800101")
    _official(VILLAGE_A1, name="Lama", order=0, active=False)
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    response = client.get(_list(VILLAGE_A1))
    assert [o.name for o in response.context["officials"]] == ["Pertama", "Kedua", "Lama"]
    html = response.content.decode()
    assert "19800101" in html and "Tidak menjabat" in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "tidak boleh kosong"),
        ({"position": "   "}, "tidak boleh kosong"),
        ({"order": "-1"}, "paling kecil 0"),
        ({"order": "100000"}, "paling besar 999"),
        ({"order": "abc"}, "bilangan bulat"),
        ({"staff_number": "12<script>"}, "NIP/NIPD hanya berisi angka"),
        ({"name": "x" * 151}, "paling banyak 150 karakter"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(client, world, overrides, message):
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    response = client.post(_add(VILLAGE_A1), {**PAYLOAD, **overrides})
    assert response.status_code == 200
    errors = " ".join(str(e) for errs in response.context["form"].errors.values() for e in errs)
    assert message.lower() in errors.lower()
    assert not Official.objects.filter(village_id=VILLAGE_A1).exists()


def test_an_official_may_be_linked_only_to_an_account_of_the_village(client, world):
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    ours = world.user(Role.TREASURER, VILLAGE_A1)
    theirs = world.user(Role.TREASURER, VILLAGE_A2)
    response = client.post(_add(VILLAGE_A1), {**PAYLOAD, "user": theirs.pk})
    assert response.status_code == 200
    assert "Pilih akun yang memegang peran di desa ini." in response.content.decode()
    assert theirs.username not in response.content.decode()
    response = client.post(_add(VILLAGE_A1), {**PAYLOAD, "user": ours.pk})
    assert response.status_code == 302
    assert Official.objects.get(village_id=VILLAGE_A1).user == ours


def test_saving_is_audited(client, world):
    from kampung.audit.models import AuditEntry

    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    client.post(_add(VILLAGE_A1), PAYLOAD)
    entry = AuditEntry.objects.filter(act="accounts.official.save").latest("at")
    assert entry.region_code == VILLAGE_A1
    assert entry.after["name"] == "Sri Wahyuni"


def test_list_query_count_is_bounded(client, world, django_assert_max_num_queries):
    for i in range(30):
        _official(VILLAGE_A1, name=f"Perangkat {i}", order=i)
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    with django_assert_max_num_queries(10):
        response = client.get(_list(VILLAGE_A1))
    assert len(response.context["officials"]) == 30
