"""No public page shows a NIK or a KK number from the demo data.

Builds the demo regency (as ``make demo`` does, with its announcements, the BLT programme
publishing names and a morning's queue), then crawls everything a visitor can reach without
logging in: the public site from ``/publik/``, the lounge display, the kiosk's information
pages and the waiting-room displays, following every link (and every page of a paginated
list). Every village gets its profile page; the demo desa and kelurahan get every page.
No page may contain a resident's NIK or a family's KK number, and every page must answer.
"""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.test import Client

from kampung.demo.cast import DEMO_VILLAGE_CODES, VILLAGE_SET_CODES
from kampung.demo.services import demo_build
from kampung.monitoring.tests.test_robustness import links_of
from kampung.population.models import Family, Resident

pytestmark = pytest.mark.django_db

PUBLIC_PREFIXES = ("/publik/", "/layar/", "/antrian/")
DIGITS16 = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")
CODE = re.compile(r"/(\d{2}\.\d{2}\.\d{2}\.\d{4})/")
LIMIT = 3000


def _public(url: str) -> bool:
    path = url.split("?", 1)[0]
    if path.startswith("/anjungan/"):
        return "/info/" in path  # the kiosk's information pages; its forms are not pages
    if path.startswith("/antrian/"):
        return path.endswith("/layar/") or path.endswith("/layar/data/")
    return path.startswith(PUBLIC_PREFIXES)


def _worth_visiting(url: str) -> bool:
    """Every page of the demo villages; only the profile page of the other 200-odd villages."""
    found = CODE.search(url)
    if found is None or found.group(1) in DEMO_VILLAGE_CODES:
        return True
    path = url.split("?", 1)[0]
    return path.endswith(f"/{found.group(1)}/") or path.endswith(f"/{found.group(1)}/info/")


def test_no_public_page_shows_a_nik_or_kk_number_from_the_demo() -> None:
    built = demo_build(seed=2018)
    # The demo's own kiosk records: announcements, BLT names published, a morning's queue.
    assert built.kiosk.announcements == 11 and built.kiosk.published == ["blt"]
    assert built.kiosk.tickets == 9 * len(VILLAGE_SET_CODES)
    numbers = set(Resident.objects.values_list("nik", flat=True))
    numbers |= set(Family.objects.values_list("kk_number", flat=True))
    assert len(numbers) > 1000
    client = Client(SERVER_NAME="127.0.0.1")
    starts = ["/publik/", "/layar/", "/anjungan/35.10/info/"]
    for code in DEMO_VILLAGE_CODES:
        starts += [f"/anjungan/{code}/info/", f"/antrian/{code}/layar/", f"/antrian/{code}/layar/data/"]
    queue, seen = deque(starts), set(starts)
    visited: dict[str, int] = {}
    leaks: dict[str, set[str]] = {}
    while queue and len(visited) < LIMIT:
        url = queue.popleft()
        response = client.get(url, follow=True)
        visited[url] = response.status_code
        body = response.content.decode()
        found = {n for n in DIGITS16.findall(body) if n in numbers}
        if found:
            leaks[url] = found
        if "html" not in response.get("Content-Type", ""):
            continue
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        for link in links_of(final, body):
            if link not in seen and _public(link) and _worth_visiting(link):
                seen.add(link)
                queue.append(link)
    assert not leaks, f"NIK/KK numbers on public pages: {leaks}"
    assert len(visited) < LIMIT, "the crawl did not finish; raise LIMIT"
    broken = {u: s for u, s in visited.items() if s != 200}
    assert not broken, f"public links that do not answer 200: {broken}"
    # The crawl reached every kind of page, including the published BLT beneficiaries.
    kinds = (
        "/penduduk/",
        "/apbdes/",
        "/pembangunan/",
        "/bantuan/",
        "/penerima/",
        "/layanan/",
        "/pengumuman/",
    )
    for kind in kinds:
        assert any(kind in u for u in visited), f"no {kind} page reached"
    assert any(u.startswith("/layar/") for u in visited)
    assert sum(1 for u in visited if "/info/" in u) > 10
