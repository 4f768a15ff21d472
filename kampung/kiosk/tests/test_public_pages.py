"""The public pages' routes: what answers 200, what is 404 or 405, junk input, the cache
headers, no session cookie and no CSRF token in public HTML, announcements in force only,
the beneficiaries list only when published (names and hamlet, never NIK/KK)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kampung.conftest import DISTRICT_A, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.kiosk.models import Announcement
from kampung.kiosk.public_cache import public_cache_bump
from kampung.kiosk.selectors_public import today
from kampung.monitoring.tests import rollup_factories as rf

pytestmark = pytest.mark.django_db

VILLAGE_PAGES = ("region", "population", "budget", "projects", "programmes", "services", "announcements")
AREA_PAGES = ("region", "villages", "services", "announcements")


@pytest.fixture
def filled(world: Any) -> Any:
    year = today().year
    for code in (VILLAGE_A1, VILLAGE_A2, VILLAGE_B1):
        rf.fill(code, year, seed=7, today=today())
    rf.fill(KELURAHAN_B, year, seed=7, today=today(), desa=False)
    return world


def url(name: str, code: str, **kw: Any) -> str:
    return reverse(f"public:{name}", kwargs={"code": code, **kw})


def test_home_redirects_to_the_one_served_regency(world: Any, client: Client) -> None:
    response = client.get(reverse("public:home"))
    assert response.status_code == 302
    assert response["Location"] == url("region", REGENCY)


def test_home_without_any_served_regency_is_a_friendly_page(db: Any, client: Client) -> None:
    response = client.get(reverse("public:home"))
    assert response.status_code == 200
    assert "Belum ada kabupaten" in response.content.decode()


@pytest.mark.parametrize("name", AREA_PAGES)
@pytest.mark.parametrize("code", [REGENCY, DISTRICT_A])
def test_regency_and_district_pages(filled: Any, client: Client, name: str, code: str) -> None:
    response = client.get(url(name, code))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1 and '<html lang="id">' in html
    assert "<title>" in html


@pytest.mark.parametrize("name", VILLAGE_PAGES)
def test_village_pages(filled: Any, client: Client, name: str) -> None:
    response = client.get(url(name, VILLAGE_A1))
    assert response.status_code == 200, name
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'aria-current="page"' in html  # the breadcrumb or the sub-menu marks where we are


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("budget", KELURAHAN_B),  # kelurahan keep no APBDes
        ("projects", KELURAHAN_B),
        ("population", DISTRICT_A),  # village pages only
        ("budget", REGENCY),
        ("villages", VILLAGE_A1),
        ("region", "35.09"),  # Jember: not served here
        ("region", "99.99.99.9999"),
        ("region", "x" * 500),
        ("services", "35.10.01.9999"),
    ],
)
def test_pages_that_do_not_apply_are_404(filled: Any, client: Client, name: str, code: str) -> None:
    assert client.get(url(name, code)).status_code == 404


def test_kelurahan_says_it_keeps_no_apbdes(filled: Any, client: Client) -> None:
    html = client.get(url("region", KELURAHAN_B)).content.decode()
    assert "tidak mengelola APBDes" in html
    assert url("budget", KELURAHAN_B) not in html


@pytest.mark.parametrize("name", [*VILLAGE_PAGES])
def test_post_is_405(filled: Any, client: Client, name: str) -> None:
    response = client.post(url(name, VILLAGE_A1), {"x": "1"})
    assert response.status_code == 405
    assert "GET" in response["Allow"]


@pytest.mark.parametrize(
    "query",
    [
        {"q": "Sa\x00rong"},
        {"q": "x" * 5000},
        {"page": "abc"},
        {"page": "99999999999999999999"},
        {"page": "-1"},
        {"tahun": "zzz"},
        {"tahun": "99999999999"},
        {"tahun": "\x00"},
        {"kecamatan": "'; drop table x;--"},
        {"program": "\x00"},
    ],
)
@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("villages", REGENCY),
        ("budget", VILLAGE_A1),
        ("projects", VILLAGE_A1),
        ("announcements", VILLAGE_A1),
        ("programmes", VILLAGE_A1),
    ],
)
def test_junk_input_never_500(
    filled: Any, client: Client, query: dict[str, str], name: str, code: str
) -> None:
    assert client.get(url(name, code), query).status_code == 200


def test_junk_announcement_and_programme_ids(filled: Any, client: Client) -> None:
    assert client.get("/publik/pengumuman/99999999999999999999/").status_code == 404
    assert client.get("/publik/pengumuman/0/").status_code == 404
    assert client.get(f"/publik/{VILLAGE_A1}/bantuan/99999999999999999999/penerima/").status_code == 404


def test_village_search_and_district_filter(filled: Any, client: Client) -> None:
    html = client.get(url("villages", REGENCY), {"q": "sarong"}).content.decode()
    assert "Sarongan" in html and "Kemiren" not in html
    html = client.get(url("villages", REGENCY), {"kecamatan": "35.10.15"}).content.decode()
    assert "Kemiren" in html and "Sarongan" not in html


def test_cached_page_headers_no_cookie_no_csrf(filled: Any, client: Client) -> None:
    for name in VILLAGE_PAGES:
        response = client.get(url(name, VILLAGE_A1))
        assert response["Cache-Control"].startswith("public, max-age=")
        assert not response.cookies, f"{name} sets a cookie"
        html = response.content.decode()
        assert "csrfmiddlewaretoken" not in html
        assert not re.search(r"\b\d{16}\b", html), f"{name} shows a 16-digit number"


def test_second_get_is_served_from_the_cache(
    filled: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    first = client.get(url("region", VILLAGE_A1))
    # The whole page is in the cache; the only query left is the roll-up middleware's check
    # for pending marks, if any (measured: 0).
    with django_assert_max_num_queries(0):
        second = client.get(url("region", VILLAGE_A1))
    assert second.content == first.content


def _announce(
    region: str, title: str, *, start: dt.date, until: dt.date | None = None, pinned: bool = False
) -> Announcement:
    found = Announcement.objects.create(
        region_id=region,
        title=title,
        body="Baris satu\n<script>x</script>",
        publish_from=start,
        publish_until=until,
        pinned=pinned,
    )
    public_cache_bump()
    return found


def test_announcements_in_force_only(filled: Any, client: Client) -> None:
    day = today()
    shown = _announce(VILLAGE_A1, "Kerja bakti", start=day - dt.timedelta(days=1))
    regency = _announce(REGENCY, "Vaksinasi kabupaten", start=day, until=day, pinned=True)
    _announce(VILLAGE_A1, "Sudah lewat", start=day - dt.timedelta(days=9), until=day - dt.timedelta(days=1))
    _announce(VILLAGE_A1, "Belum mulai", start=day + dt.timedelta(days=1))
    _announce(VILLAGE_A2, "Desa tetangga", start=day)
    _announce(DISTRICT_A, "Pengumuman camat", start=day)
    html = client.get(url("announcements", VILLAGE_A1)).content.decode()
    assert "Kerja bakti" in html and "Vaksinasi kabupaten" in html
    assert html.index("Vaksinasi kabupaten") < html.index("Kerja bakti")  # pinned first
    for hidden in ("Sudah lewat", "Belum mulai", "Desa tetangga", "Pengumuman camat"):
        assert hidden not in html
    assert "&lt;script&gt;" in html and "<script>x" not in html
    assert "Baris satu<br>" in html
    assert client.get(reverse("public:announcement", kwargs={"pk": shown.pk})).status_code == 200
    assert client.get(reverse("public:announcement", kwargs={"pk": regency.pk})).status_code == 200
    gone = Announcement.objects.get(title="Sudah lewat")
    assert client.get(reverse("public:announcement", kwargs={"pk": gone.pk})).status_code == 404


def test_announcement_of_a_regency_not_served_is_404(filled: Any, client: Client) -> None:
    from kampung.regions.services import regions_load

    regions_load(prefix="35.09")
    other = _announce("35.09", "Jember", start=today())
    assert client.get(reverse("public:announcement", kwargs={"pk": other.pk})).status_code == 404


def test_new_announcement_shows_after_bump(filled: Any, client: Client) -> None:
    before = client.get(url("region", VILLAGE_A1)).content.decode()
    assert "Rapat desa" not in before
    _announce(VILLAGE_A1, "Rapat desa", start=today())
    assert "Rapat desa" in client.get(url("region", VILLAGE_A1)).content.decode()
    cache.clear()
