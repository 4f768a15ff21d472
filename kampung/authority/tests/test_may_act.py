import pytest

from kampung.accounts.roles import Role
from kampung.authority.acts import all_acts, get_act, register_act
from kampung.authority.services import may_act
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1

register_act("uji.tandatangan", holder_role=Role.HEAD, description="Tanda tangan (uji)")
register_act("uji.kecamatan", holder_role=Role.CAMAT, description="Evaluasi kecamatan (uji)")


def test_registry():
    assert get_act("uji.tandatangan").holder_level == 4
    assert "uji.tandatangan" in [a.code for a in all_acts()]
    with pytest.raises(ValueError):
        register_act("uji.tandatangan", holder_role=Role.SECRETARY, description="lain")
    with pytest.raises(ValueError):
        register_act("uji.tak-dikenal", holder_role="raja", description="x")


def test_default_holder_may_act_on_attribution(world):
    decision = may_act(world.user(Role.HEAD, VILLAGE_A1), "uji.tandatangan", VILLAGE_A1)
    assert decision.allowed and decision.basis == "atribusi" and decision.role == Role.HEAD
    assert may_act(world.user(Role.HEAD, "35.10.15.1002"), "uji.tandatangan", "35.10.15.1002")


@pytest.mark.parametrize(
    ("role", "region", "target"),
    [
        (Role.HEAD, VILLAGE_A1, VILLAGE_A2),
        (Role.SECRETARY, VILLAGE_A1, VILLAGE_A1),
        (Role.BUPATI, REGENCY, VILLAGE_A1),
        (Role.CAMAT, DISTRICT_A, VILLAGE_A1),
    ],
)
def test_others_are_refused_with_a_reason(world, role, region, target):
    decision = may_act(world.user(role, region), "uji.tandatangan", target)
    assert not decision.allowed
    assert decision.reason


def test_district_holder_covers_its_villages_only(world):
    camat = world.user(Role.CAMAT, DISTRICT_A)
    assert may_act(camat, "uji.kecamatan", VILLAGE_A1)
    assert not may_act(camat, "uji.kecamatan", VILLAGE_B1)


def test_unknown_act_and_missing_region_are_refused(world):
    head = world.user(Role.HEAD, VILLAGE_A1)
    assert not may_act(head, "tidak.ada", VILLAGE_A1)
    assert not may_act(head, "uji.tandatangan", None)
    assert not may_act(None, "uji.tandatangan", VILLAGE_A1)


def test_co_holders_act_in_the_holders_office_only(world):
    """The operator checks letter requests beside the secretary, in their own village only."""
    act = "letters.verify.surat-keterangan-usaha"
    assert get_act(act).co_holders == (Role.OPERATOR,)
    decision = may_act(world.user(Role.OPERATOR, VILLAGE_A1), act, VILLAGE_A1)
    assert decision.allowed and decision.basis == "atribusi" and decision.role == Role.OPERATOR
    assert may_act(world.user(Role.SECRETARY, VILLAGE_A1), act, VILLAGE_A1)
    assert not may_act(world.user(Role.OPERATOR, VILLAGE_A1), act, VILLAGE_A2)
    assert not may_act(
        world.user(Role.OPERATOR, VILLAGE_A1), "letters.sign.surat-keterangan-usaha", VILLAGE_A1
    )
    with pytest.raises(ValueError):
        register_act("uji.pembantu", holder_role=Role.HEAD, description="x", co_holders=("raja",))
