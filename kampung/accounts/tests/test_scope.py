"""Every role at every level sees exactly its own subtree of villages."""

import datetime as dt

import pytest
from django.http import Http404

from kampung.accounts.models import RoleAssignment
from kampung.accounts.roles import ROLE_LEVEL, Role
from kampung.accounts.scope import (
    filter_by_village,
    forget_scope,
    get_in_scope_or_404,
    region_in_scope_or_404,
    scope_for,
)
from kampung.conftest import DISTRICT_A, DISTRICT_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.population.models import Family
from kampung.regions.models import Level, Region


def expected_villages(region_code: str) -> set[str]:
    if region_code.count(".") == 3:
        return {region_code}
    return set(
        Region.objects.filter(level=Level.VILLAGE, code__startswith=region_code + ".").values_list(
            "code", flat=True
        )
    )


def test_every_role_sees_exactly_its_subtree(world):
    assert len(world.users) > 20
    for (role, region_code), user in world.users.items():
        scope = scope_for(user)
        assert scope.roles == {role}
        assert set(scope.village_codes()) == expected_villages(region_code), (role, region_code)
    assert len(scope_for(world.user(Role.BUPATI, REGENCY)).village_codes()) == 217
    assert len(scope_for(world.user(Role.CAMAT, DISTRICT_A)).village_codes()) == 5
    assert len(scope_for(world.user(Role.CAMAT, DISTRICT_B)).village_codes()) == 10


def test_every_role_exists_in_the_test_world(world):
    assert {role for role, _ in world.users} == set(ROLE_LEVEL)


def test_regions_in_scope_and_404_outside(world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    assert region_in_scope_or_404(operator, VILLAGE_A1).code == VILLAGE_A1
    for other in (VILLAGE_A2, VILLAGE_B1, DISTRICT_A, REGENCY, "35.10.99.9999"):
        with pytest.raises(Http404):
            region_in_scope_or_404(operator, other)
    camat = world.user(Role.CAMAT, DISTRICT_A)
    assert region_in_scope_or_404(camat, DISTRICT_A).code == DISTRICT_A
    assert region_in_scope_or_404(camat, VILLAGE_A2).code == VILLAGE_A2
    for other in (VILLAGE_B1, DISTRICT_B, REGENCY):
        with pytest.raises(Http404):
            region_in_scope_or_404(camat, other)
    # Restricting to a role the user does not hold finds nothing.
    with pytest.raises(Http404):
        region_in_scope_or_404(operator, VILLAGE_A1, Role.HEAD)


def test_village_owned_objects_filter_by_scope(world):
    fam_a = Family.objects.create(kk_number="3510010101200001", village_id=VILLAGE_A1)
    fam_b = Family.objects.create(kk_number="3510150101200001", village_id=VILLAGE_B1)
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    assert list(filter_by_village(Family.objects.all(), operator)) == [fam_a]
    assert get_in_scope_or_404(Family.objects.all(), operator, pk=fam_a.pk) == fam_a
    with pytest.raises(Http404):
        get_in_scope_or_404(Family.objects.all(), operator, pk=fam_b.pk)
    dpmd = world.user(Role.DPMD, REGENCY)
    assert set(filter_by_village(Family.objects.all(), dpmd)) == {fam_a, fam_b}


def test_expired_and_future_assignments_give_no_scope(world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    RoleAssignment.objects.filter(user=operator).update(valid_until=dt.date(2021, 1, 1))
    forget_scope(operator)
    assert scope_for(operator).is_empty
    RoleAssignment.objects.filter(user=operator).update(valid_from=dt.date(2099, 1, 1), valid_until=None)
    forget_scope(operator)
    assert scope_for(operator).is_empty


def test_inactive_user_has_no_scope(world):
    head = world.user(Role.HEAD, VILLAGE_B1)
    head.is_active = False
    assert scope_for(head).is_empty


def test_a_user_with_two_roles_acts_as_each_only_where_held(world):
    from kampung.accounts.services import assignment_add

    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    assignment_add(
        actor=None,
        user=secretary,
        role=Role.HEAD,
        region=Region.objects.get(code=VILLAGE_A2),
        appointment="plt",
        valid_from=dt.date(2020, 1, 1),
    )
    scope = scope_for(secretary)
    assert scope.roles_at(VILLAGE_A1) == {Role.SECRETARY}
    assert scope.roles_at(VILLAGE_A2) == {Role.HEAD}
    assert scope.village_codes(Role.HEAD) == {VILLAGE_A2}
