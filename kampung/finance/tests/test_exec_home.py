"""Where finance users land: the treasurer and executors at the year's execution page."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-05-04 09:00 +0700")
@pytest.mark.parametrize("role", [Role.TREASURER, Role.EXECUTOR])
def test_treasurer_and_executor_land_on_the_execution_page(world, client, role):
    client.force_login(world.user(role, VILLAGE_A1))
    response = client.get(reverse("finance:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("finance:exec_hub", args=[VILLAGE_A1, 2026])


def test_secretary_lands_on_the_village_finance_page_which_links_the_execution(world, client):
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    response = client.get(reverse("finance:home"), follow=True)
    assert response.request["PATH_INFO"] == reverse("finance:village", args=[VILLAGE_A1])
    assert "Pelaksanaan APBDes" in response.content.decode()
