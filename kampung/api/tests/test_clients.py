"""Integration clients: the services' rules, the regency admin's pages, and the console."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.api.models import ApiClient, ApiClientToken
from kampung.api.scopes import FAMILIES_READ, RESIDENTS_READ
from kampung.api.services import (
    MAX_CLIENT_TOKEN_DAYS,
    api_client_create,
    api_client_set_active,
    api_client_token_create,
    api_client_token_revoke,
    api_client_update,
)
from kampung.api.tests.conftest import bearer, client_token, make_client
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, OTHER_REGENCY, REGENCY, VILLAGE_A1, make_other_regency
from kampung.core.errors import KampungError
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db


def _region(code):
    return Region.objects.get(code=code)


def _issue(client, actor=None, **kw):
    kw.setdefault("name", "server")
    kw.setdefault("scopes", [RESIDENTS_READ])
    kw.setdefault("expires_on", timezone.localdate() + dt.timedelta(days=30))
    return api_client_token_create(actor=actor, client=client, **kw)


# -- services -------------------------------------------------------------------------------


def test_client_rules(world):
    admin = world.user(Role.ADMIN, REGENCY)
    base = {
        "name": "Dasbor Dinkes",
        "organisation": "Dinas Kesehatan",
        "contact": "Budi 0812",
        "purpose": "Sasaran imunisasi",
        "region": _region(DISTRICT_A),
    }
    regency = _region(REGENCY)
    client = api_client_create(actor=admin, regency=regency, **base)
    assert client.region_id == DISTRICT_A and client.is_active and client.created_by == admin
    with pytest.raises(KampungError, match="sudah ada"):
        api_client_create(actor=admin, regency=regency, **{**base, "name": "dasbor  DINKES"})
    with pytest.raises(KampungError, match="Nama aplikasi wajib"):
        api_client_create(actor=admin, regency=regency, **{**base, "name": "  "})
    with pytest.raises(KampungError, match="Keperluan wajib"):
        api_client_create(actor=admin, regency=regency, **{**base, "name": "Lain", "purpose": ""})
    make_other_regency()
    with pytest.raises(KampungError, match="Wilayah yang boleh dibaca"):
        api_client_create(
            actor=admin, regency=regency, **{**base, "name": "Lain", "region": _region(OTHER_REGENCY)}
        )
    with pytest.raises(KampungError, match="Hanya admin kabupaten"):
        api_client_create(actor=world.user(Role.DPMD, REGENCY), regency=regency, **{**base, "name": "Lain"})
    with pytest.raises(KampungError, match="Hanya admin kabupaten"):
        api_client_update(actor=world.user(Role.CAMAT, DISTRICT_A), client=client, **{**base, "name": "X"})
    assert ApiClient.objects.count() == 1
    api_client_update(actor=admin, client=client, **{**base, "region": _region(VILLAGE_A1)})
    client.refresh_from_db()
    assert client.region_id == VILLAGE_A1
    acts = list(AuditEntry.objects.filter(object_type="api.ApiClient").values_list("act", "actor"))
    assert acts == [("api.client.create", admin.pk), ("api.client.update", admin.pk)]


def test_token_rules_and_hash_only(world):
    admin = world.user(Role.ADMIN, REGENCY)
    client = make_client(actor=admin)
    today = timezone.localdate()
    for kw, message in [
        ({"scopes": []}, "paling sedikit satu izin"),
        ({"scopes": ["penduduk:tulis"]}, "Izin tidak dikenal"),
        ({"expires_on": today}, "setelah hari ini"),
        ({"expires_on": today + dt.timedelta(days=MAX_CLIENT_TOKEN_DAYS + 1)}, "paling lama"),
        ({"name": " "}, "Keterangan token wajib"),
    ]:
        with pytest.raises(KampungError, match=message):
            _issue(client, admin, **kw)
    issued = _issue(client, admin, scopes=[FAMILIES_READ, RESIDENTS_READ, RESIDENTS_READ])
    stored = ApiClientToken.objects.get()
    assert issued.plain.startswith(f"kmpk_{stored.prefix}_")
    assert issued.plain not in str(stored.__dict__) and len(stored.secret_hash) == 64
    assert stored.scopes == [FAMILIES_READ, RESIDENTS_READ]
    # Valid through the chosen day, local time.
    assert timezone.localtime(stored.expires_at).date() == today + dt.timedelta(days=31)
    assert _issue(client, admin, expires_on=today + dt.timedelta(days=MAX_CLIENT_TOKEN_DAYS)).token.pk
    with pytest.raises(KampungError, match="Hanya admin"):
        _issue(client, world.user(Role.DPMD, REGENCY))
    api_client_token_revoke(actor=admin, token=stored)
    with pytest.raises(KampungError, match="sudah dicabut"):
        api_client_token_revoke(actor=admin, token=stored)
    api_client_set_active(actor=admin, client=client, active=False)
    with pytest.raises(KampungError, match="nonaktif"):
        _issue(client, admin)
    with pytest.raises(KampungError, match="sudah nonaktif"):
        api_client_set_active(actor=admin, client=client, active=False)
    acts = set(
        AuditEntry.objects.filter(actor=admin, act__startswith="api.client").values_list("act", flat=True)
    )
    assert acts == {
        "api.client.create",
        "api.client.token.create",
        "api.client.token.revoke",
        "api.client.deactivate",
    }


def test_last_use_is_recorded(client, world, register):
    app = make_client(VILLAGE_A1)
    plain = client_token(app)
    token = ApiClientToken.objects.get(client=app)
    assert token.last_used_at is None
    assert client.get("/api/v1/penduduk", **bearer(plain)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_region_change_applies_to_existing_tokens(client, world, register):
    app = make_client(VILLAGE_A1)
    plain = client_token(app)
    url = f"/api/v1/penduduk/{register.a2_resident.pk}"
    assert client.get(url, **bearer(plain)).status_code == 404
    api_client_update(
        actor=None,
        client=app,
        name=app.name,
        organisation=app.organisation,
        contact=app.contact,
        purpose=app.purpose,
        region=_region(DISTRICT_A),
    )
    assert client.get(url, **bearer(plain)).status_code == 200


# -- the admin's pages ----------------------------------------------------------------------


def _urls(app, token=None):
    token_pk = token.pk if token else 1
    return {
        "get": [
            reverse("api_clients:list"),
            reverse("api_clients:create"),
            reverse("api_clients:detail", args=[app.pk]),
            reverse("api_clients:edit", args=[app.pk]),
        ],
        "post": [
            reverse("api_clients:edit", args=[app.pk]),
            reverse("api_clients:set_active", args=[app.pk]),
            reverse("api_clients:token_create", args=[app.pk]),
            reverse("api_clients:token_revoke", args=[app.pk, token_pk]),
        ],
    }


def test_only_the_regency_admin_gets_the_pages(client, world):
    app = make_client()
    token = _issue(app).token
    for role, region in [
        (Role.DPMD, REGENCY),
        (Role.BUPATI, REGENCY),
        (Role.CAMAT, DISTRICT_A),
        (Role.OPERATOR, VILLAGE_A1),
        (Role.RESIDENT, VILLAGE_A1),
    ]:
        client.force_login(world.user(role, region))
        urls = _urls(app, token)
        for url in urls["get"]:
            assert client.get(url).status_code == 404, (role, url)
        for url in urls["post"]:
            assert client.post(url, {"aktif": "0", "name": "x"}).status_code == 404, (role, url)
    app.refresh_from_db()
    token.refresh_from_db()
    assert app.is_active and token.revoked_at is None
    client.logout()
    assert client.get(reverse("api_clients:list")).status_code == 302  # to the login page


def test_another_regencys_client_is_not_found(client, world):
    other_admin, _ = make_other_regency()
    theirs = make_client(OTHER_REGENCY, regency=OTHER_REGENCY, name="Klien Jember")
    their_token = _issue(theirs).token
    client.force_login(world.user(Role.ADMIN, REGENCY))
    urls = _urls(theirs, their_token)
    for url in urls["get"][2:]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"aktif": "0"}).status_code == 404, url
    assert "Klien Jember" not in client.get(reverse("api_clients:list")).content.decode()
    their_token.refresh_from_db()
    assert their_token.revoked_at is None
    # The other regency's admin sees it, and cannot give it a region outside Jember.
    client.force_login(other_admin)
    assert client.get(reverse("api_clients:detail", args=[theirs.pk])).status_code == 200
    response = client.post(
        reverse("api_clients:edit", args=[theirs.pk]),
        {"name": "X", "organisation": "Y", "contact": "Z", "purpose": "P", "region": VILLAGE_A1},
    )
    assert response.status_code == 200 and "Pilih wilayah dari daftar" in response.content.decode()


def test_admin_lists_searches_and_pages(client, world, django_assert_max_num_queries):
    admin = world.user(Role.ADMIN, REGENCY)
    client.force_login(admin)
    empty = client.get(reverse("api_clients:list")).content.decode()
    assert "Belum ada klien API" in empty
    for i in range(30):
        make_client(name=f"Aplikasi {i:02d}")
    soon = make_client(VILLAGE_A1, name="Posyandu Digital")
    _issue(soon, expires_on=timezone.localdate() + dt.timedelta(days=3))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("api_clients:list")).content.decode()
    assert "Aplikasi 00" in page and "Halaman 1 dari 2" in page
    found = client.get(reverse("api_clients:list"), {"q": "posyandu"}).content.decode()
    assert "Posyandu Digital" in found and "Aplikasi 00" not in found
    assert "Segera berakhir" in found
    none = client.get(reverse("api_clients:list"), {"q": "tidak ada"}).content.decode()
    assert "Tidak ada klien yang cocok" in none
    assert client.get(reverse("api_clients:list"), {"page": "zz"}).status_code == 200


def test_admin_registers_a_client_and_issues_a_token_shown_once(client, world, register):
    api = Client()  # the other system: no session, only the token
    admin = world.user(Role.ADMIN, REGENCY)
    client.force_login(admin)
    invalid = client.post(reverse("api_clients:create"), {"name": "", "region": "99.99"})
    assert invalid.status_code == 200
    body = invalid.content.decode()
    assert "Nama aplikasi wajib diisi." in body and "Pilih wilayah dari daftar." in body
    assert not ApiClient.objects.exists()
    response = client.post(
        reverse("api_clients:create"),
        {
            "name": "Dasbor Posyandu",
            "organisation": "Puskesmas Pesanggaran",
            "contact": "Rina, 0812",
            "purpose": "Data balita",
            "region": VILLAGE_A1,
        },
    )
    app = ApiClient.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "api_clients:detail", args=[app.pk]
    )
    detail = client.get(response["Location"]).content.decode()
    assert "Dasbor Posyandu" in detail and "belum punya token" in detail

    bad = client.post(
        reverse("api_clients:token_create", args=[app.pk]),
        {"name": "server", "expires_on": (timezone.localdate() + dt.timedelta(days=400)).isoformat()},
    )
    assert bad.status_code == 200 and "Pilih paling sedikit satu izin." in bad.content.decode()
    assert f"Paling lama {MAX_CLIENT_TOKEN_DAYS} hari" in bad.content.decode()
    assert not ApiClientToken.objects.exists()

    shown = client.post(
        reverse("api_clients:token_create", args=[app.pk]),
        {
            "name": "server",
            "scopes": [RESIDENTS_READ],
            "expires_on": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        },
    )
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]
    token = ApiClientToken.objects.get()
    html = shown.content.decode()
    start = html.index(f"kmpk_{token.prefix}_")
    plain = html[start : html.index("<", start)]
    assert api.get("/api/v1/penduduk", **bearer(plain)).status_code == 200
    assert api.get("/api/v1/keluarga", **bearer(plain)).status_code == 403
    # Never shown again: the detail page names the prefix only.
    detail = client.get(reverse("api_clients:detail", args=[app.pk])).content.decode()
    assert plain not in detail and token.prefix in detail and "Belum pernah" not in detail.split("Token")[-1]

    revoke = client.post(reverse("api_clients:token_revoke", args=[app.pk, token.pk]))
    assert revoke.status_code == 302
    assert api.get("/api/v1/penduduk", **bearer(plain)).status_code == 401
    again = client.post(reverse("api_clients:token_revoke", args=[app.pk, token.pk]), follow=True)
    assert "sudah dicabut" in again.content.decode()
    assert client.get(reverse("api_clients:token_revoke", args=[app.pk, token.pk])).status_code == 405

    edit = client.post(
        reverse("api_clients:edit", args=[app.pk]),
        {
            "name": "Dasbor Posyandu 2",
            "organisation": "P",
            "contact": "C",
            "purpose": "U",
            "region": DISTRICT_A,
        },
    )
    assert edit.status_code == 302
    app.refresh_from_db()
    assert app.name == "Dasbor Posyandu 2" and app.region_id == DISTRICT_A
    assert client.post(reverse("api_clients:set_active", args=[app.pk]), {"aktif": "x"}).status_code == 302
    app.refresh_from_db()
    assert app.is_active
    client.post(reverse("api_clients:set_active", args=[app.pk]), {"aktif": "0"})
    app.refresh_from_db()
    assert not app.is_active
    acts = list(
        AuditEntry.objects.filter(actor=admin, act__startswith="api.client")
        .order_by("pk")
        .values_list("act", flat=True)
    )
    assert acts == [
        "api.client.create",
        "api.client.token.create",
        "api.client.token.revoke",
        "api.client.update",
        "api.client.deactivate",
    ]


def test_admin_nav_has_the_item(client, world):
    client.force_login(world.user(Role.ADMIN, REGENCY))
    assert reverse("api_clients:list") in client.get(reverse("accounts:home")).content.decode()
    client.force_login(world.user(Role.DPMD, REGENCY))
    assert reverse("api_clients:list") not in client.get(reverse("accounts:home")).content.decode()


# -- console --------------------------------------------------------------------------------


def test_client_commands(world, capsys):
    call_command(
        "api",
        "client",
        "create",
        "--region",
        DISTRICT_A,
        "--name",
        "BPS",
        "--organisation",
        "BPS Kabupaten",
        "--contact",
        "bps@example.org",
        "--purpose",
        "Statistik",
    )
    app = ApiClient.objects.get()
    assert app.regency_id == REGENCY and app.region_id == DISTRICT_A
    capsys.readouterr()
    call_command(
        "api", "client", "token", str(app.pk), "--name", "prod", "--scope", RESIDENTS_READ, "--days", "30"
    )
    plain = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiClientToken.objects.get()
    assert plain.startswith(f"kmpk_{token.prefix}_") and token.scopes == [RESIDENTS_READ]
    call_command("api", "client", "list")
    out = capsys.readouterr().out
    assert "BPS" in out and token.prefix in out and plain not in out
    call_command("api", "client", "revoke", token.prefix)
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(CommandError, match="1 sampai 365"):
        call_command(
            "api", "client", "token", str(app.pk), "--name", "x", "--scope", RESIDENTS_READ, "--days", "400"
        )
    with pytest.raises(CommandError, match="tidak ada"):
        call_command("api", "client", "token", "999", "--name", "x", "--scope", RESIDENTS_READ, "--days", "3")
    with pytest.raises(CommandError, match="harus milik sebuah kabupaten"):
        call_command(
            "api", "client", "create", "--region", "35", "--name", "x", "--organisation", "o",
            "--contact", "c", "--purpose", "p",
        )  # fmt: skip


def test_a_clients_views_are_audited(client, world, register):
    plain = client_token(make_client(VILLAGE_A1))
    client.get(f"/api/v1/penduduk/{register.a_resident.pk}", **bearer(plain))
    client.get(f"/api/v1/keluarga/{register.a_family.pk}", **bearer(plain))
    client.get(f"/api/v1/penduduk/{register.b_resident.pk}", **bearer(plain))  # out of region: none
    views = AuditEntry.objects.filter(act="view", actor=None, region_code=VILLAGE_A1)
    assert sorted(views.values_list("object_type", flat=True)) == ["population.Family", "population.Resident"]
