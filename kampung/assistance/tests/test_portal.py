"""A resident applies online for their own household and follows their case; never another's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from kampung.accounts.roles import Role
from kampung.assistance.models import Case, CaseStatus, Channel
from kampung.assistance.tests.factories import household, make_case, programmes, rtlh_answers
from kampung.assistance.tests.test_cases_helpers import surveyed_case
from kampung.conftest import VILLAGE_A1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _june_2026(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC), tick=False):
        yield


def _resident_client(world: Any, head: Any) -> Client:
    from kampung.population.portal import account_activate

    account, _ = account_activate(actor=world.user(Role.OPERATOR, VILLAGE_A1), resident=head)
    account.user.must_change_password = False  # the first-login PIN change is not under test
    account.user.save()
    client = Client()
    client.force_login(account.user)
    return client


def test_resident_applies_and_follows_the_case(world: Any) -> None:
    programmes()
    family, head = household(world, VILLAGE_A1, members=2)
    client = _resident_client(world, head)
    listing = client.get("/warga/bantuan/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "/warga/bantuan/ajukan/rtlh/" in html and "belum pernah mengajukan" in html
    missing = client.post("/warga/bantuan/ajukan/rtlh/", {"reason": "Atap bocor"})
    assert missing.status_code == 400
    response = client.post("/warga/bantuan/ajukan/rtlh/", {"reason": "Atap bocor parah", "agree": "on"})
    case = Case.objects.get(family=family)
    assert response.status_code == 302 and response["Location"] == f"/warga/bantuan/{case.pk}/"
    assert case.channel == Channel.ONLINE and case.reason == "Atap bocor parah" and case.year == 2026
    page = client.get(f"/warga/bantuan/{case.pk}/").content.decode()
    assert "Terdaftar, menunggu survei" in page
    # Applied: the programme is no longer offered this year; applying again is refused with the case.
    assert "/warga/bantuan/ajukan/rtlh/" not in client.get("/warga/bantuan/").content.decode()
    again = client.post("/warga/bantuan/ajukan/rtlh/", {"reason": "lagi", "agree": "on"})
    assert again.status_code == 400 and case.number in again.content.decode()
    # Withdraw while waiting for the survey.
    client.post(f"/warga/bantuan/{case.pk}/", {"reason": "Sudah dibantu tetangga"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CANCELLED


def test_resident_sees_the_refusal_reason_of_a_case_the_village_registered(world: Any) -> None:
    case = surveyed_case(world, VILLAGE_A1, answers=rtlh_answers(status_tanah="numpang"))
    client = _resident_client(world, case.beneficiary)
    html = client.get(f"/warga/bantuan/{case.pk}/").content.decode()
    assert 'data-testid="portal-refusal"' in html and "tanah milik sendiri" in html
    # Staff notes and names are not shown on the household's page.
    assert "Uji petugas_lapangan" not in html


def test_resident_never_sees_another_household(world: Any) -> None:
    rtlh, _ = programmes()
    family, head = household(world, VILLAGE_A1)
    neighbour_family, neighbour = household(world, VILLAGE_A1)
    theirs = make_case(rtlh, neighbour_family, neighbour)
    client = _resident_client(world, head)
    assert client.get(f"/warga/bantuan/{theirs.pk}/").status_code == 404
    assert client.post(f"/warga/bantuan/{theirs.pk}/", {"reason": "x"}).status_code == 404
    assert theirs.number not in client.get("/warga/bantuan/").content.decode()
    # Staff pages are not for residents.
    assert client.get(f"/bantuan/kasus/{theirs.pk}/").status_code == 404


def test_staff_without_resident_account_get_not_found(world: Any) -> None:
    client = Client()
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    assert client.get("/warga/bantuan/").status_code == 404
    anonymous = Client().get("/warga/bantuan/")
    assert anonymous.status_code == 302 and "/warga/" in anonymous["Location"]
