"""Every execution page is reachable from the pages officials start at, and each link shown
to a user opens for that user."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1
from kampung.finance.tests.exec_factories import bank_receipt, make_executable

pytestmark = pytest.mark.django_db
HREF = re.compile(r'href="(/keuangan/[^"#?]*)')


def _links(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return set(HREF.findall(response.content.decode()))


@pytest.mark.parametrize(
    "role, region, start",
    [
        (Role.DPMD, "35.10", "finance:ref_home"),
        (Role.ADMIN, "35.10", "finance:ref_home"),
        (Role.DPMD, "35.10", "finance:summary"),
        (Role.CAMAT, "35.10.01", "finance:summary"),
    ],
)
def test_regency_and_district_links_open(world, client, role, region, start):
    client.force_login(world.user(role, region))
    links = _links(client, reverse(start))
    if start == "finance:summary":
        assert reverse("finance:regency_realisation") in links
        assert reverse("finance:tranche_readiness") in links
    else:
        assert reverse("finance:tranche_rules") in links
    for href in links:
        if href.endswith((".xlsx", ".pdf")):
            continue
        assert client.get(href, follow=True).status_code == 200, href


@pytest.mark.parametrize("role", [Role.TREASURER, Role.EXECUTOR, Role.SECRETARY, Role.HEAD, Role.BPD])
def test_every_link_of_the_execution_hub_opens(world, client, role):
    make_executable(VILLAGE_A1, 2026)
    bank_receipt(VILLAGE_A1, 2026, 50_000_000)
    client.force_login(world.user(role, VILLAGE_A1))
    links = _links(client, reverse("finance:exec_hub", args=[VILLAGE_A1, 2026]))
    assert len(links) > 15
    for href in links:
        if href.endswith((".xlsx", ".pdf")) or "/unduh/" in href:
            continue
        assert client.get(href, follow=True).status_code == 200, href


JUNK = [
    {},
    {"date": "kemarin", "amount": "satu juta", "month": "13", "method": "emas", "kind": "XX"},
    {
        "date": "2026-02-30",
        "amount": "-5",
        "account_code": "9.9.9.99",
        "source_code": "ZZZ",
        "tax_code": "<b>",
    },
    {"date": "2026-03-01", "amount": "1e309", "number": "x" * 500, "reason": "", "direction": "?"},
]


@pytest.mark.parametrize("role", [Role.TREASURER, Role.EXECUTOR, Role.SECRETARY, Role.HEAD])
def test_junk_posted_to_any_execution_page_never_gives_a_server_error(world, client, role):
    """Every page linked from the hub (and the SPP pages linked from the SPP list) answers junk
    with a message or a refusal, never a 500, and junk changes nothing in the books."""
    from kampung.finance.models import JournalEntry

    make_executable(VILLAGE_A1, 2026)
    bank_receipt(VILLAGE_A1, 2026, 50_000_000)
    client.force_login(world.user(role, VILLAGE_A1))
    hub = reverse("finance:exec_hub", args=[VILLAGE_A1, 2026])
    links = _links(client, hub) | {hub}
    before = JournalEntry.objects.count()
    for href in sorted(links):
        if href.endswith((".xlsx", ".pdf")):
            continue
        for data in JUNK:
            response = client.post(href, data)
            assert response.status_code < 500, (href, data, response.status_code)
    assert JournalEntry.objects.count() == before
