import datetime as dt

import pytest

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.core.errors import KampungError, NotPermitted
from kampung.population import services
from kampung.population.models import BasicStatus, LifeEvent, LifeEventKind, Resident, ResidentNameToken, Sex
from kampung.population.tests.factories import make_family, make_resident, nik_for
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db


def test_create_stores_tokens_and_audits(world):
    family = make_family(world, VILLAGE_A1)
    resident = make_resident(world, VILLAGE_A1, name="Siti Nur'aini", sex=Sex.FEMALE, family=family)
    assert resident.name_key == "siti nuraini"
    assert resident.dusun == family.dusun
    assert sorted(ResidentNameToken.objects.filter(resident=resident).values_list("token", flat=True)) == [
        "nuraini",
        "siti",
    ]
    entry = AuditEntry.objects.get(act="population.resident.create", object_id=str(resident.pk))
    assert entry.region_code == VILLAGE_A1
    assert entry.role == Role.OPERATOR
    assert "*" in entry.after["nik"]  # the audit trail keeps the number masked


def test_structural_error_refused_with_the_part(world):
    with pytest.raises(KampungError, match="Digit 7–8 NIK"):
        make_resident(world, VILLAGE_A1, nik="3510013201900001")
    assert not Resident.objects.exists()


def test_mismatch_and_unknown_district_flagged(world):
    resident = make_resident(world, VILLAGE_A1, nik="3510992201900001", birth=dt.date(1990, 1, 21))
    assert resident.needs_review
    assert "351099" in resident.review_notes
    assert "Tanggal lahir dalam NIK" in resident.review_notes


def test_nik_refused_while_living_anywhere_in_regency(world):
    nik = nik_for(VILLAGE_A1, dt.date(1990, 1, 21), Sex.MALE)
    make_resident(world, VILLAGE_A1, nik=nik)
    with pytest.raises(KampungError, match="desa/kelurahan lain") as err:
        make_resident(world, VILLAGE_B1, nik=nik)
    assert err.value.code == "nik_terdaftar"
    with pytest.raises(KampungError, match="di desa ini"):
        make_resident(world, VILLAGE_A1, nik=nik, name="Orang Lain")


def test_nik_free_again_after_death(world):
    resident = make_resident(world, VILLAGE_A1)
    services.death_record(
        actor=world.user(Role.SECRETARY, VILLAGE_A1), resident=resident, death_date=dt.date(2024, 5, 1)
    )
    again = make_resident(world, VILLAGE_A2, nik=resident.nik)
    assert again.basic_status == BasicStatus.LIVING


def test_possible_duplicate_is_flagged_not_merged(world):
    first = make_resident(world, VILLAGE_A1, name="Ahmad Slamet")
    second = make_resident(world, VILLAGE_B1, name="AHMAD  Slamét")
    assert not first.needs_review
    assert second.needs_review
    assert f"#{first.pk}" in second.review_notes
    assert Resident.objects.count() == 2


@pytest.mark.parametrize(
    ("role", "village", "allowed"),
    [
        (Role.OPERATOR, VILLAGE_A1, True),
        (Role.SECRETARY, VILLAGE_A1, True),
        (Role.HEAD, VILLAGE_A1, True),
        (Role.TREASURER, VILLAGE_A1, False),
        (Role.BPD, VILLAGE_A1, False),
        (Role.RESIDENT, VILLAGE_A1, False),
        (Role.OPERATOR, VILLAGE_A2, False),
        (Role.CAMAT, "35.10.01", False),
        (Role.ADMIN, "35.10", False),
    ],
)
def test_who_may_register(world, role, village, allowed):
    kwargs = {
        "actor": world.user(role, village),
        "village": Region.objects.get(code=VILLAGE_A1),
        "nik": nik_for(VILLAGE_A1, dt.date(1990, 1, 21), Sex.MALE),
        "name": "Budi",
        "birth_date": dt.date(1990, 1, 21),
        "sex": Sex.MALE,
    }
    if allowed:
        assert services.resident_create(**kwargs).pk
    else:
        with pytest.raises(NotPermitted):
            services.resident_create(**kwargs)


def test_family_kk_checked_and_unique(world):
    with pytest.raises(KampungError, match="Digit 13–16 nomor KK"):
        make_family(world, VILLAGE_A1, kk_number="3510010101150000")
    family = make_family(world, VILLAGE_A1, kk_number="3510010101150001")
    with pytest.raises(KampungError, match="sudah terdaftar"):
        make_family(world, VILLAGE_A2, kk_number=family.kk_number)
    flagged = make_family(world, VILLAGE_A1, kk_number="3510990101150001")
    assert flagged.needs_review


def test_birth_death_and_moves_make_the_status(world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    family = make_family(world, VILLAGE_A1)
    father = make_resident(world, VILLAGE_A1, family=family, attributes={"family_relation": 1})
    baby = services.birth_record(
        actor=operator,
        family=family,
        nik=nik_for(VILLAGE_A1, dt.date(2024, 3, 9), Sex.FEMALE),
        name="Putri",
        birth_date=dt.date(2024, 3, 9),
        sex=Sex.FEMALE,
        reporter=father,
    )
    assert baby.family == family and baby.family_relation == services.RELATION_CHILD
    birth = LifeEvent.objects.get(resident=baby)
    assert birth.kind == LifeEventKind.BIRTH and birth.reporter_name == father.name

    services.move_out_record(
        actor=operator, resident=baby, move_date=dt.date(2024, 6, 1), destination="Jember"
    )
    baby.refresh_from_db()
    assert baby.basic_status == BasicStatus.MOVED
    with pytest.raises(KampungError, match="berstatus hidup"):
        services.death_record(actor=operator, resident=baby, death_date=dt.date(2024, 7, 1))

    services.death_record(actor=operator, resident=father, death_date=dt.date(2025, 1, 2), cause="sakit")
    father.refresh_from_db()
    assert father.basic_status == BasicStatus.DEAD
    assert Resident.objects.filter(pk=father.pk).exists()  # stays in the register
    kinds = list(LifeEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [LifeEventKind.BIRTH, LifeEventKind.MOVE_OUT, LifeEventKind.DEATH]


def test_move_in_needs_move_out_elsewhere_first(world):
    resident = make_resident(world, VILLAGE_A1)
    operator_b = world.user(Role.OPERATOR, VILLAGE_B1)
    kwargs = {
        "actor": operator_b,
        "village": Region.objects.get(code=VILLAGE_B1),
        "nik": resident.nik,
        "name": resident.name,
        "birth_date": resident.birth_date,
        "sex": resident.sex,
        "move_date": dt.date(2025, 2, 1),
        "origin": "Sarongan",
    }
    with pytest.raises(KampungError, match="nik|NIK"):
        services.move_in_record(**kwargs)
    services.move_out_record(
        actor=world.user(Role.OPERATOR, VILLAGE_A1),
        resident=resident,
        move_date=dt.date(2025, 2, 1),
        destination="Glagah",
    )
    moved_in = services.move_in_record(**kwargs)
    assert moved_in.village_id == VILLAGE_B1
    assert LifeEvent.objects.get(resident=moved_in).kind == LifeEventKind.MOVE_IN


def test_family_change_and_head(world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    old, new = make_family(world, VILLAGE_A1), make_family(world, VILLAGE_A1, dusun="Krajan")
    son = make_resident(world, VILLAGE_A1, family=old, attributes={"family_relation": 4})
    services.family_change(
        actor=operator, resident=son, family=new, relation=1, change_date=dt.date(2025, 1, 1)
    )
    son.refresh_from_db()
    new.refresh_from_db()
    assert son.family == new and son.dusun == "Krajan" and new.head == son
    event = LifeEvent.objects.get(resident=son, kind=LifeEventKind.FAMILY_CHANGE)
    assert event.details["before"] == {"family": old.pk, "relation": 4}
    other = make_family(world, VILLAGE_B1)
    with pytest.raises(KampungError, match="desa lain"):
        services.family_change(
            actor=operator, resident=son, family=other, relation=4, change_date=dt.date(2025, 1, 1)
        )


def test_correction_keeps_before_and_after(world):
    resident = make_resident(world, VILLAGE_A1, name="Slamet")
    services.resident_update(
        actor=world.user(Role.HEAD, VILLAGE_A1),
        resident=resident,
        changes={"name": "Slamet Hariyadi", "occupation": 9},
        reason="Salah ketik pada pendataan",
    )
    resident.refresh_from_db()
    assert resident.name_key == "slamet hariyadi"
    assert set(ResidentNameToken.objects.filter(resident=resident).values_list("token", flat=True)) == {
        "slamet",
        "hariyadi",
    }
    event = LifeEvent.objects.get(resident=resident, kind=LifeEventKind.CORRECTION)
    assert event.details["before"] == {"name": "Slamet", "occupation": 1}
    assert event.details["after"] == {"name": "Slamet Hariyadi", "occupation": 9}
    entry = AuditEntry.objects.get(act="population.resident.correct")
    assert entry.after["fields"] == ["name", "occupation"]
    with pytest.raises(KampungError, match="Digit 9–10"):
        services.resident_update(
            actor=world.user(Role.HEAD, VILLAGE_A1),
            resident=resident,
            changes={"nik": "3510012113900001"},
            reason="x",
        )


def test_history_is_append_only(world):
    family = make_family(world, VILLAGE_A1)
    baby = services.birth_record(
        actor=world.user(Role.OPERATOR, VILLAGE_A1),
        family=family,
        nik=nik_for(VILLAGE_A1, dt.date(2024, 3, 9), Sex.MALE),
        name="Bayu",
        birth_date=dt.date(2024, 3, 9),
        sex=Sex.MALE,
    )
    event = LifeEvent.objects.get(resident=baby)
    event.reporter_name = "x"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        LifeEvent.objects.all().update(reporter_name="x")
    with pytest.raises(TypeError):
        LifeEvent.objects.all().delete()
