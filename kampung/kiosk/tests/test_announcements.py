"""Announcements: who may post where, validation, audit, the public cache, ``in_force``'s
date rules, escaping, and junk input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kampung.accounts.navigation import nav_items
from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.core.errors import KampungError, NotPermitted
from kampung.kiosk.models import Announcement
from kampung.kiosk.selectors_announcements import in_force, managed_list
from kampung.kiosk.services_announcements import announcement_delete, announcement_save
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

D = dt.date
XSS = "<script>alert('x')</script>"


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def post(actor: Any, code: str, title: str = "Kerja bakti Minggu pagi", **kw: Any) -> Announcement:
    return announcement_save(
        actor=actor,
        region=region(code),
        title=title,
        body=kw.pop("body", "Warga diundang kerja bakti di balai desa."),
        publish_from=kw.pop("publish_from", timezone.localdate()),
        **kw,
    )


def form(code: str, title: str = "Posyandu bulan ini", **kw: Any) -> dict[str, Any]:
    data = {
        "region": code,
        "title": title,
        "body": "Posyandu balita di balai dusun Krajan.",
        "publish_from": timezone.localdate().isoformat(),
        "publish_until": "",
    }
    data.update(kw)
    return data


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


# -- in_force ---------------------------------------------------------------------------------


def _make(
    code: str, title: str, start: dt.date, end: dt.date | None = None, pinned: bool = False
) -> Announcement:
    return Announcement.objects.create(
        region_id=code, title=title, body="isi", publish_from=start, publish_until=end, pinned=pinned
    )


def test_in_force_dates_regions_and_order() -> None:
    today = D(2026, 5, 20)
    _make(VILLAGE_A1, "lama", D(2026, 5, 1), D(2026, 5, 19))  # ended yesterday
    _make(VILLAGE_A1, "besok", D(2026, 5, 21))  # starts tomorrow
    last_day = _make(VILLAGE_A1, "hari terakhir", D(2026, 5, 10), D(2026, 5, 20))
    first_day = _make(VILLAGE_A1, "hari pertama", D(2026, 5, 20))
    open_ended = _make(REGENCY, "kabupaten", D(2026, 1, 1))
    pinned = _make(REGENCY, "disematkan", D(2025, 1, 1), pinned=True)
    _make(VILLAGE_A2, "desa lain", D(2026, 5, 1))
    _make(DISTRICT_A, "kecamatan", D(2026, 5, 1))  # not the village's nor its regency's

    shown = list(in_force(region(VILLAGE_A1), today))
    assert shown == [pinned, first_day, last_day, open_ended]
    assert list(in_force(VILLAGE_A1, today, limit=2)) == [pinned, first_day]
    assert list(in_force(region(REGENCY), today)) == [pinned, open_ended]
    assert [a.title for a in in_force(region(VILLAGE_A1), D(2026, 5, 19))][-1] == "kabupaten"
    assert "lama" in {a.title for a in in_force(region(VILLAGE_A1), D(2026, 5, 19))}
    assert hasattr(in_force(region(VILLAGE_A1), today), "filter")  # a QuerySet


# -- who may post -----------------------------------------------------------------------------


def test_admin_posts_for_the_regency_and_any_village(world: Any) -> None:
    admin = world.user(Role.ADMIN, REGENCY)
    for code in (REGENCY, VILLAGE_A1, VILLAGE_B1, KELURAHAN_B):
        assert post(admin, code).region_id == code
    with pytest.raises(NotPermitted):
        post(admin, DISTRICT_A)  # districts post nothing
    assert Announcement.objects.count() == 4


@pytest.mark.parametrize("role", [Role.HEAD, Role.SECRETARY, Role.OPERATOR])
def test_village_staff_post_only_for_their_village(world: Any, role: str) -> None:
    user = world.user(role, VILLAGE_A1)
    assert post(user, VILLAGE_A1).created_by == user
    for code in (REGENCY, VILLAGE_A2, VILLAGE_B1):
        with pytest.raises(NotPermitted):
            post(user, code)
    other = post(world.user(Role.HEAD, VILLAGE_A2), VILLAGE_A2)
    with pytest.raises(NotPermitted):
        announcement_delete(actor=user, announcement=other)
    with pytest.raises(NotPermitted):
        post(user, VILLAGE_A1, announcement=other)  # moving another village's notice
    assert Announcement.objects.count() == 2


@pytest.mark.parametrize(
    "role,code",
    [
        (Role.RESIDENT, VILLAGE_A1),
        (Role.CAMAT, DISTRICT_A),
        (Role.DISTRICT_OFFICER, DISTRICT_A),
        (Role.TREASURER, VILLAGE_A1),
        (Role.BPD, VILLAGE_A1),
        (Role.DPMD, REGENCY),
        (Role.BUPATI, REGENCY),
    ],
)
def test_others_may_not_post_nor_see_the_pages(client: Client, world: Any, role: str, code: str) -> None:
    user = world.user(role, code)
    with pytest.raises(NotPermitted):
        post(user, VILLAGE_A1)
    theirs = post(world.user(Role.ADMIN, REGENCY), VILLAGE_A1)
    login(client, user)
    assert client.get(reverse("announcements:list")).status_code == 404
    assert client.get(reverse("announcements:add")).status_code == 404
    assert client.post(reverse("announcements:add"), form(VILLAGE_A1)).status_code == 404
    assert client.get(reverse("announcements:edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("announcements:delete", args=[theirs.pk])).status_code == 404
    assert Announcement.objects.count() == 1
    assert "announcements" not in {i.key for i in nav_items(scope_for(user))}


def test_menu_item_for_those_who_post(world: Any) -> None:
    for role, code in ((Role.ADMIN, REGENCY), (Role.HEAD, VILLAGE_A1), (Role.OPERATOR, VILLAGE_B1)):
        assert "announcements" in {i.key for i in nav_items(scope_for(world.user(role, code)))}


def test_anonymous_goes_to_login(client: Client) -> None:
    response = client.get(reverse("announcements:list"))
    assert response.status_code == 302 and "masuk" in response["Location"]


def test_other_villages_announcement_is_not_found(client: Client, world: Any) -> None:
    theirs = post(world.user(Role.HEAD, VILLAGE_A2), VILLAGE_A2, title="Rapat desa Pesanggaran")
    login(client, world.user(Role.HEAD, VILLAGE_A1))
    assert client.get(reverse("announcements:edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("announcements:delete", args=[theirs.pk])).status_code == 404
    assert "Rapat desa Pesanggaran" not in client.get(reverse("announcements:list")).content.decode()
    assert Announcement.objects.filter(pk=theirs.pk).exists()


def test_list_shows_what_the_user_manages(world: Any) -> None:
    admin = world.user(Role.ADMIN, REGENCY)
    head = world.user(Role.HEAD, VILLAGE_A1)
    mine = post(head, VILLAGE_A1)
    regency_wide = post(admin, REGENCY)
    other = post(admin, VILLAGE_B1)
    today = timezone.localdate()
    assert set(managed_list(actor=head, today=today)) == {mine}
    assert set(managed_list(actor=admin, today=today)) == {mine, regency_wide, other}
    assert set(managed_list(actor=admin, today=today, region=VILLAGE_B1)) == {other}


# -- pages ------------------------------------------------------------------------------------


def test_add_edit_delete_through_the_pages_with_audit(client: Client, world: Any) -> None:
    head = world.user(Role.HEAD, VILLAGE_A1)
    login(client, head)
    page = client.get(reverse("announcements:add"))
    assert page.status_code == 200 and "Tulis pengumuman" in page.content.decode()
    response = client.post(reverse("announcements:add"), form(VILLAGE_A1, pinned="on"))
    assert response.status_code == 302
    a = Announcement.objects.get()
    assert (a.title, a.pinned, a.region_id, a.created_by) == ("Posyandu bulan ini", True, VILLAGE_A1, head)
    added = AuditEntry.objects.get(act="kiosk.announcement.add")
    assert (added.actor, added.region_code, added.object_id) == (head, VILLAGE_A1, str(a.pk))

    listing = client.get(reverse("announcements:list")).content.decode()
    assert "Posyandu bulan ini" in listing and "Sedang tampil" in listing

    until = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.post(
        reverse("announcements:edit", args=[a.pk]), form(VILLAGE_A1, "Posyandu diundur", publish_until=until)
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.title == "Posyandu diundur" and a.publish_until.isoformat() == until and not a.pinned
    edited = AuditEntry.objects.get(act="kiosk.announcement.edit")
    assert edited.before["title"] == "Posyandu bulan ini" and edited.after["title"] == "Posyandu diundur"

    confirm = client.get(reverse("announcements:delete", args=[a.pk]))
    assert confirm.status_code == 200 and "Ya, hapus pengumuman" in confirm.content.decode()
    assert Announcement.objects.filter(pk=a.pk).exists()  # GET only asks
    assert client.post(reverse("announcements:delete", args=[a.pk])).status_code == 302
    assert not Announcement.objects.exists()
    assert AuditEntry.objects.get(act="kiosk.announcement.delete").before["title"] == "Posyandu diundur"


@pytest.mark.parametrize(
    "data,message",
    [
        ({"title": "Abc"}, "Judul paling sedikit 5 karakter."),
        ({"title": "x" * 201}, "Judul paling banyak 200 karakter."),
        ({"title": ""}, "Judul wajib diisi."),
        ({"body": "y" * 5001}, "Isi paling banyak 5000 karakter."),
        ({"body": ""}, "Isi pengumuman wajib diisi."),
        ({"publish_from": ""}, "Tanggal mulai tampil wajib diisi."),
        ({"publish_from": "kemarin"}, "Tanggal tidak sah."),
        ({"publish_from": "2026-05-10", "publish_until": "2026-05-09"}, "tidak boleh sebelum"),
        ({"region": REGENCY}, "Pilih wilayah yang boleh Anda umumkan."),
        ({"region": VILLAGE_A2}, "Pilih wilayah yang boleh Anda umumkan."),
        ({"region": "35.10.01.2001\x00"}, "Pilih wilayah yang boleh Anda umumkan."),
        ({"title": "Judul\x00dengan NUL"}, "Karakter null tidak diizinkan."),
        ({"publish_from": "2026-13-45"}, "Tanggal tidak sah."),
    ],
)
def test_validation_messages_and_nothing_written(
    client: Client, world: Any, data: dict[str, str], message: str
) -> None:
    login(client, world.user(Role.OPERATOR, VILLAGE_A1))
    response = client.post(reverse("announcements:add"), form(VILLAGE_A1, **data))
    assert response.status_code == 200
    assert message.replace("'", "&#x27;") in response.content.decode() or message in str(
        response.context["form"].errors
    )
    assert not Announcement.objects.exists()
    assert not AuditEntry.objects.filter(act__startswith="kiosk.announcement").exists()


def test_service_checks_its_own_input(world: Any) -> None:
    admin = world.user(Role.ADMIN, REGENCY)
    with pytest.raises(KampungError, match="Judul"):
        post(admin, REGENCY, title="  a  ")
    with pytest.raises(KampungError, match="sebelum"):
        post(admin, REGENCY, publish_from=D(2026, 5, 2), publish_until=D(2026, 5, 1))
    with pytest.raises(KampungError, match="NUL"):
        post(admin, REGENCY, body="isi\x00")
    with pytest.raises(KampungError, match="5000"):
        post(admin, REGENCY, body="z" * 5001)
    assert not Announcement.objects.exists()


def test_same_day_range_is_accepted(world: Any) -> None:
    day = D(2026, 8, 17)
    a = post(world.user(Role.ADMIN, REGENCY), REGENCY, publish_from=day, publish_until=day)
    assert list(in_force(REGENCY, day)) == [a]


# -- the public cache -------------------------------------------------------------------------


def test_a_cached_public_page_changes_at_once(
    client: Client, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    public = Client()
    url = reverse("lounge:region", args=[VILLAGE_A1])
    assert "Belum ada pengumuman" in public.get(url).content.decode()
    assert "Belum ada pengumuman" in public.get(url).content.decode()  # now from the cache
    login(client, world.user(Role.SECRETARY, VILLAGE_A1))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("announcements:add"), form(VILLAGE_A1, "Pemadaman listrik Kamis"))
    assert "Pemadaman listrik Kamis" in public.get(url).content.decode()
    a = Announcement.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("announcements:delete", args=[a.pk]))
    assert "Pemadaman listrik Kamis" not in public.get(url).content.decode()


# -- escaping and junk ------------------------------------------------------------------------


def test_stored_script_is_escaped_everywhere(client: Client, world: Any) -> None:
    admin = world.user(Role.ADMIN, REGENCY)
    a = post(admin, REGENCY, title=f"Awas {XSS}", body=f"Isi {XSS}\nbaris dua")
    login(client, admin)
    pages = [
        client.get(reverse("announcements:list")),
        client.get(reverse("announcements:edit", args=[a.pk])),
        client.get(reverse("announcements:delete", args=[a.pk])),
        Client().get(reverse("lounge:region", args=[VILLAGE_B1])),
        Client().get(reverse("lounge:region", args=[REGENCY])),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc",
        "?page=999999",
        "?page=-1",
        "?status=%00",
        "?status=" + "x" * 5000,
        "?wilayah=35.10.01.2001%00",
        "?wilayah=99.99",
        "?q=" + "%00" * 50,
        "?q=" + "a" * 10000,
    ],
)
def test_junk_list_queries_never_fail(client: Client, world: Any, query: str) -> None:
    login(client, world.user(Role.ADMIN, REGENCY))
    post(world.user(Role.ADMIN, REGENCY), REGENCY)
    assert client.get(reverse("announcements:list") + query).status_code == 200


def test_junk_urls_and_methods(client: Client, world: Any) -> None:
    login(client, world.user(Role.ADMIN, REGENCY))
    assert client.get("/pengumuman/abc/ubah/").status_code == 404
    assert client.get(reverse("announcements:edit", args=[999999])).status_code == 404
    assert client.get("/pengumuman/99999999999999999999/hapus/").status_code == 404
    assert client.put(reverse("announcements:add")).status_code == 405
    assert client.delete(reverse("announcements:list")).status_code == 405
    assert client.post(reverse("announcements:list")).status_code == 405
    response = client.post(reverse("announcements:add"), {"region": ["a", "b"], "title": ["x"] * 3})
    assert response.status_code == 200
    assert not Announcement.objects.exists()


def test_list_filters_and_pagination(client: Client, world: Any) -> None:
    admin = world.user(Role.ADMIN, REGENCY)
    today = timezone.localdate()
    for i in range(30):
        post(admin, VILLAGE_A1, title=f"Pengumuman nomor {i:02d}")
    post(
        admin,
        VILLAGE_B1,
        title="Sudah lewat",
        publish_from=today - dt.timedelta(days=9),
        publish_until=today - dt.timedelta(days=1),
    )
    post(admin, REGENCY, title="Akan datang", publish_from=today + dt.timedelta(days=3))
    login(client, admin)
    url = reverse("announcements:list")
    first = client.get(url).content.decode()
    assert "Halaman 1 dari 2" in first
    assert "Sudah lewat" in client.get(url + "?status=lewat").content.decode()
    assert "Pengumuman nomor" not in client.get(url + "?status=lewat").content.decode()
    assert "Akan datang" in client.get(url + "?status=mendatang").content.decode()
    assert "Belum tampil" in client.get(url + "?status=mendatang").content.decode()
    found = client.get(url + "?q=nomor+07").content.decode()
    assert "Pengumuman nomor 07" in found and "Pengumuman nomor 08" not in found
    assert "Sudah lewat" in client.get(url + f"?wilayah={VILLAGE_B1}").content.decode()
    assert "Tidak ada pengumuman yang cocok" in client.get(url + "?q=tidakada").content.decode()
