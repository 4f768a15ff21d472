import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.population import selectors
from kampung.population.models import Sex
from kampung.population.tests.factories import make_family, make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    family = make_family(world, VILLAGE_A1, dusun="Krajan", rw="001", rt="002")
    return {
        "slamet": make_resident(world, VILLAGE_A1, name="Ahmad Slamet", family=family),
        "siti": make_resident(
            world, VILLAGE_A1, name="Sîti Nurhaliza", sex=Sex.FEMALE, birth=dt.date(2010, 5, 4)
        ),
        "sulastri": make_resident(world, VILLAGE_A2, name="Sulastri", sex=Sex.FEMALE),
        "budi": make_resident(world, VILLAGE_B1, name="Budi Slamet Santoso", birth=dt.date(1960, 2, 2)),
    }


def names(qs):
    return sorted(r.name for r in qs)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("sla", ["Ahmad Slamet"]),
        ("SLAMET ahm", ["Ahmad Slamet"]),
        ("slamet ahmad", ["Ahmad Slamet"]),
        ("siti", ["Sîti Nurhaliza"]),
        ("nurh sit", ["Sîti Nurhaliza"]),
        ("lamet", []),  # prefix of a word, not any substring
        ("sl", []),  # too short
        ("ahmad budi", []),
    ],
)
def test_name_search_for_village_operator(people, world, q, expected):
    assert names(selectors.resident_search(actor=world.user(Role.OPERATOR, VILLAGE_A1), q=q)) == expected


def test_search_by_nik_and_kk(people, world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    slamet = people["slamet"]
    assert list(selectors.resident_search(actor=operator, q=slamet.nik)) == [slamet]
    assert list(selectors.resident_search(actor=operator, q=slamet.family.kk_number)) == [slamet]
    assert list(selectors.resident_search(actor=operator, q=people["budi"].nik)) == []  # other village
    assert list(selectors.resident_search(actor=operator, q="3510")) == []


def test_scope_of_search(people, world):
    camat = world.user(Role.CAMAT, DISTRICT_A)
    admin = world.user(Role.ADMIN, REGENCY)
    assert names(selectors.resident_search(actor=camat, q="slamet")) == ["Ahmad Slamet"]
    assert names(selectors.resident_search(actor=admin, q="slamet")) == [
        "Ahmad Slamet",
        "Budi Slamet Santoso",
    ]
    # A resident's account or a BPD member does not search the register.
    assert list(selectors.resident_search(actor=world.user(Role.RESIDENT, VILLAGE_A1), q="slamet")) == []
    assert list(selectors.resident_search(actor=world.user(Role.BPD, VILLAGE_A1), q="slamet")) == []


def test_filters_and_sort(people, world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    search = selectors.resident_search
    assert names(search(actor=operator, sex=Sex.FEMALE)) == ["Sîti Nurhaliza"]
    assert names(search(actor=operator, dusun="Krajan", rw="001", rt="002")) == ["Ahmad Slamet"]
    assert names(search(actor=operator, age_max=17)) == ["Sîti Nurhaliza"]
    assert names(search(actor=operator, age_min=18)) == ["Ahmad Slamet"]
    assert names(search(actor=operator, status=2)) == []
    admin = world.user(Role.ADMIN, REGENCY)
    assert [r.name for r in search(actor=admin, sort="-umur")][0] == "Budi Slamet Santoso"
    assert [r.name for r in search(actor=admin, sort="nama")][0] == "Ahmad Slamet"


def test_search_query_count_is_bounded(people, world):
    admin = world.user(Role.ADMIN, REGENCY)
    for i in range(5):
        make_resident(world, VILLAGE_B1, name=f"Slamet Nomor{i}")
    selectors.resident_search(actor=admin, q="x")  # scope computed and cached on the user
    with CaptureQueriesContext(connection) as ctx:
        rows = list(selectors.resident_search(actor=admin, q="slam"))
        for row in rows:
            _ = (row.village.name, row.family)
    assert len(rows) == 7
    assert len(ctx.captured_queries) <= 1


def test_resident_get_audits_and_404s_outside_scope(people, world):
    slamet = people["slamet"]
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    assert selectors.resident_get(actor=operator, pk=slamet.pk) == slamet
    entry = AuditEntry.objects.filter(act="view", object_id=str(slamet.pk)).get()
    assert entry.actor == operator and entry.region_code == VILLAGE_A1
    assert entry.after == {"what": "data pribadi penduduk"}
    for outsider in (
        world.user(Role.OPERATOR, VILLAGE_A2),
        world.user(Role.CAMAT, "35.10.15"),
        world.user(Role.RESIDENT, VILLAGE_A1),
    ):
        with pytest.raises(Http404):
            selectors.resident_get(actor=outsider, pk=slamet.pk)
    assert AuditEntry.objects.filter(act="view").count() == 1


def test_who_sees_full_numbers(people, world):
    nik = people["slamet"].nik
    masked = nik[:4] + "********" + nik[12:]
    assert selectors.shown_number(world.user(Role.OPERATOR, VILLAGE_A1), VILLAGE_A1, nik) == nik
    assert selectors.shown_number(world.user(Role.HEAD, VILLAGE_A1), VILLAGE_A1, nik) == nik
    assert selectors.shown_number(world.user(Role.OPERATOR, VILLAGE_A2), VILLAGE_A1, nik) == masked
    assert selectors.shown_number(world.user(Role.CAMAT, DISTRICT_A), VILLAGE_A1, nik) == masked
    assert selectors.shown_number(world.user(Role.ADMIN, REGENCY), VILLAGE_A1, nik) == masked
    assert selectors.shown_number(world.user(Role.BPD, VILLAGE_A1), VILLAGE_A1, nik) == masked
    assert selectors.mask_nik("3510012101900001") == "3510********0001"


def test_name_search_intersects_words_keeps_order_and_scope(people, world):
    admin = world.user(Role.ADMIN, REGENCY)
    make_resident(world, VILLAGE_B1, name="Slamet Budiono")
    search = selectors.resident_search
    assert names(search(actor=admin, q="slamet bud")) == ["Budi Slamet Santoso", "Slamet Budiono"]
    assert [r.name for r in search(actor=admin, q="slamet", sort="-nama")] == [
        "Slamet Budiono",
        "Budi Slamet Santoso",
        "Ahmad Slamet",
    ]
    assert names(search(actor=admin, q="slamet bud", village=VILLAGE_A1)) == []
    camat = world.user(Role.CAMAT, DISTRICT_A)
    assert names(search(actor=camat, q="slamet bud")) == []


def test_kk_search_lists_every_member_and_takes_filters(people, world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    family = people["slamet"].family
    wife = make_resident(
        world, VILLAGE_A1, name="Siti Aminah", sex=Sex.FEMALE, birth=dt.date(1992, 3, 4), family=family
    )
    search = selectors.resident_search
    assert names(search(actor=operator, q=family.kk_number)) == ["Ahmad Slamet", "Siti Aminah"]
    assert list(search(actor=operator, q=family.kk_number, sex=Sex.FEMALE)) == [wife]
    assert list(search(actor=operator, q=f"{wife.nik[:8]} {wife.nik[8:]}")) == [wife]
