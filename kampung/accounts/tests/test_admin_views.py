"""The regency admin's user-management pages: list, export, create, detail, roles, status."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from kampung.accounts.models import RoleAssignment
from kampung.accounts.roles import Role
from kampung.accounts.services import user_create
from kampung.conftest import (
    DISTRICT_A,
    DISTRICT_B,
    PASSWORD,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    make_other_regency,
)
from kampung.regions.models import Region

User = get_user_model()

ADMIN_PAGES = [
    ("accounts:user_list", False),
    ("accounts:user_export", False),
    ("accounts:user_create", False),
    ("accounts:user_import", False),
    ("accounts:user_import_template", False),
    ("accounts:user_detail", True),
    ("accounts:user_edit", True),
]
ADMIN_POSTS = [
    "accounts:user_set_active",
    "accounts:user_reset_password",
    "accounts:assignment_add",
]


_other_regency_admin = make_other_regency


def _url(name: str, user=None) -> str:
    return reverse(name, kwargs={"pk": user.pk}) if user is not None else reverse(name)


def _errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _create_payload(**overrides):
    data = {
        "username": "Operator.Baru",
        "full_name": "Operator Baru",
        "email": "baru@example.org",
        "phone": "0812 3456 7890",
        "position_title": "Operator Desa",
        "staff_number": "",
        "role": Role.OPERATOR,
        "region": VILLAGE_A1,
        "valid_from": "2025-01-02",
        "appointment": "definitif",
        "decree": "SK 141/1/2025",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin(world):
    return world.user(Role.ADMIN, REGENCY)


# --- Who gets the pages ---------------------------------------------------------------------


def test_every_page_works_for_the_admin(client, world, admin):
    client.force_login(admin)
    target = world.user(Role.OPERATOR, VILLAGE_A1)
    for name, needs_user in ADMIN_PAGES:
        response = client.get(_url(name, target if needs_user else None))
        assert response.status_code == 200, name


@pytest.mark.parametrize(
    ("role", "region"),
    [
        (Role.OPERATOR, VILLAGE_A1),
        (Role.HEAD, VILLAGE_A1),
        (Role.SECRETARY, VILLAGE_B1),
        (Role.CAMAT, DISTRICT_A),
        (Role.DISTRICT_OFFICER, DISTRICT_B),
        (Role.DPMD, REGENCY),
        (Role.BUPATI, REGENCY),
    ],
)
def test_non_admins_get_not_found_everywhere(client, world, role, region):
    client.force_login(world.user(role, region))
    target = world.user(Role.OPERATOR, VILLAGE_A1)
    for name, needs_user in ADMIN_PAGES:
        assert client.get(_url(name, target if needs_user else None)).status_code == 404, name
    for name in ADMIN_POSTS:
        assert client.post(_url(name, target), {"aktif": "0"}).status_code == 404, name
    target.refresh_from_db()
    assert target.is_active


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_admin_of_another_regency_gets_not_found_for_our_users(client, world):
    other_admin, their_operator = _other_regency_admin()
    ours = world.user(Role.OPERATOR, VILLAGE_A1)
    client.force_login(other_admin)
    listed = client.get(reverse("accounts:user_list")).context["rows"]
    assert [r.user.username for r in listed] == ["admin-35-09", "operator-35-09-01-2001"]
    for name, needs_user in ADMIN_PAGES:
        if needs_user:
            assert client.get(_url(name, ours)).status_code == 404, name
            assert client.get(_url(name, their_operator)).status_code == 200, name
    for name in ADMIN_POSTS:
        assert client.post(_url(name, ours), {"aktif": "0"}).status_code == 404, name
    assignment = ours.assignments.get()
    end_url = reverse("accounts:assignment_end", kwargs={"pk": ours.pk, "assignment_pk": assignment.pk})
    assert client.post(end_url, {"valid_until": "2025-01-01"}).status_code == 404
    ours.refresh_from_db()
    assignment.refresh_from_db()
    assert ours.is_active and not ours.must_change_password and assignment.valid_until is None
    # Nor can they place a new user in our regency.
    response = client.post(reverse("accounts:user_create"), _create_payload())
    assert response.status_code == 200
    assert "Pilih wilayah di kabupaten Anda." in response.content.decode()
    assert not User.objects.filter(username="operator.baru").exists()


def test_our_admin_gets_not_found_for_the_other_regency(client, world, admin):
    _, their_operator = _other_regency_admin()
    client.force_login(admin)
    assert client.get(_url("accounts:user_detail", their_operator)).status_code == 404
    assert client.post(_url("accounts:user_reset_password", their_operator)).status_code == 404
    assert (
        their_operator.username
        not in client.get(reverse("accounts:user_list"), {"q": "kraton"}).content.decode()
    )


def test_users_without_any_role_are_listed_for_admins_but_superusers_never(client, world, admin):
    loose = user_create(actor=None, username="tanpa-peran", full_name="Tanpa Peran", password=PASSWORD).user
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(admin)
    usernames = {
        r.user.username for r in client.get(reverse("accounts:user_list"), {"q": "r"}).context["rows"]
    }
    assert "tanpa-peran" in usernames
    assert "root" not in usernames
    assert client.get(_url("accounts:user_detail", loose)).status_code == 200
    assert client.get(_url("accounts:user_detail", root)).status_code == 404


def test_unknown_user_and_huge_ids_are_not_found(client, world, admin):
    client.force_login(admin)
    assert client.get("/akun/pengguna/999999/").status_code == 404
    assert client.get("/akun/pengguna/99999999999999999999999/").status_code == 404


# --- The list and its export ----------------------------------------------------------------


def test_list_searches_and_filters(client, world, admin):
    client.force_login(admin)
    url = reverse("accounts:user_list")

    def names(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {r.user.username for r in response.context["rows"]}

    total = client.get(url).context["page_obj"].paginator.count
    assert total == len(world.users)
    assert names(q="camat-") == {"camat-35-10-01", "camat-35-10-15"}
    assert names(q="Uji kades 35.10.15.2004") == {"kades-35-10-15-2004"}
    assert names(peran=Role.CAMAT) == {"camat-35-10-01", "camat-35-10-15"}
    village = names(wilayah=VILLAGE_A2)
    assert village == {u.username for (r, code), u in world.users.items() if code == VILLAGE_A2}
    district = names(wilayah=DISTRICT_A)
    assert {"camat-35-10-01", "operator-35-10-01-2001", "operator-35-10-01-2002"} <= district
    assert "operator-35-10-15-2004" not in district
    assert names(peran=Role.HEAD, wilayah=DISTRICT_B) == {"kades-35-10-15-2004", "kades-35-10-15-1002"}
    world.user(Role.BPD, VILLAGE_A1).__class__.objects.filter(username="bpd-35-10-01-2001").update(
        is_active=False
    )
    assert names(status="nonaktif") == {"bpd-35-10-01-2001"}
    # Nonsense filters are ignored, never an error.
    response = client.get(
        url, {"peran": "raja", "wilayah": "99.99", "status": "x", "page": "abc", "q": "x" * 500}
    )
    assert response.status_code == 200


def test_list_shows_roles_regions_and_status(client, world, admin):
    client.force_login(admin)
    html = client.get(reverse("accounts:user_list"), {"q": "kades-35-10-15-1002"}).content.decode()
    assert "Lurah · Kelurahan Bakungan" in html
    assert "Aktif" in html


def test_list_query_count_does_not_grow_with_users(client, world, admin, django_assert_max_num_queries):
    village = Region.objects.get(code=VILLAGE_A1)
    for i in range(60):
        user_create(
            actor=None,
            username=f"massal-{i:02d}",
            full_name=f"Massal {i}",
            role=Role.EXECUTOR,
            region=village,
            valid_from=dt.date(2020, 1, 1),
            password=PASSWORD,
        )
    client.force_login(admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:user_list"))
    assert len(response.context["rows"]) == 50
    with django_assert_max_num_queries(12):
        client.get(reverse("accounts:user_list"), {"page": 2, "peran": Role.EXECUTOR, "wilayah": DISTRICT_A})


def test_export_contains_exactly_the_filtered_rows(client, world, admin):
    client.force_login(admin)
    response = client.get(reverse("accounts:user_export"), {"wilayah": VILLAGE_B1, "peran": Role.SECRETARY})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment;" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("Nama pengguna", "Nama lengkap", "Jabatan")
    assert [r[0] for r in rows[1:]] == ["sekdes-35-10-15-2004"]
    assert "Sekretaris desa" in rows[1][6]
    everything = load_workbook(io.BytesIO(client.get(reverse("accounts:user_export")).content)).active
    assert everything.max_row - 1 == len(world.users)


def test_export_is_audited(client, world, admin):
    from kampung.audit.models import AuditEntry

    client.force_login(admin)
    client.get(reverse("accounts:user_export"), {"q": "camat-"})
    entry = AuditEntry.objects.filter(act="view", object_type="accounts.User").latest("at")
    assert entry.actor_id == admin.pk
    assert "2 baris" in entry.after["what"]


# --- Creating a user ------------------------------------------------------------------------


def test_create_shows_the_one_time_password_once(client, world, admin):
    client.force_login(admin)
    response = client.post(reverse("accounts:user_create"), _create_payload())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode()
    user = User.objects.get(username="operator.baru")
    assert user.must_change_password
    assert user.check_password(password)
    assignment = user.assignments.get()
    assert (assignment.role, assignment.region_id, assignment.valid_from) == (
        Role.OPERATOR,
        VILLAGE_A1,
        dt.date(2025, 1, 2),
    )
    # The detail page never shows it again.
    assert password not in client.get(_url("accounts:user_detail", user)).content.decode()
    # The new user can do nothing but change it.
    client.logout()
    login = client.post(reverse("accounts:login"), {"username": "operator.baru", "password": password})
    assert login.status_code == 302
    assert client.get(reverse("regions:village_list")).url == reverse("accounts:password_change")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"role": Role.CAMAT}, "ditugaskan di tingkat Kecamatan"),
        ({"role": Role.OPERATOR, "region": REGENCY}, "ditugaskan di tingkat Desa/Kelurahan"),
        ({"username": "operator-35-10-01-2001"}, "sudah dipakai"),
        ({"username": "ada spasi"}, "Nama pengguna hanya boleh berisi"),
        ({"full_name": ""}, "tidak boleh kosong"),
        ({"email": "bukan-surel"}, "alamat email yang valid"),
        ({"region": "35.09.01.2001"}, "Pilih wilayah di kabupaten Anda."),
        ({"region": "<script>"}, "Pilih wilayah di kabupaten Anda."),
        ({"role": "raja"}, "Pilih peran dari daftar."),
        ({"valid_from": "31-31-2025"}, "tanggal yang valid"),
        ({"valid_from": "1800-01-01"}, "antara tahun 1950 dan 2100"),
        ({"staff_number": "19800101<b>"}, "NIP/NIPD hanya berisi angka"),
        ({"phone": "x" * 31}, "paling banyak 30 karakter"),
    ],
)
def test_create_refuses_bad_input_with_a_message_and_changes_nothing(
    client, world, admin, overrides, message
):
    client.force_login(admin)
    before = User.objects.count()
    response = client.post(reverse("accounts:user_create"), _create_payload(**overrides))
    assert response.status_code == 200
    assert message.lower() in _errors(response.context["form"]).lower()
    assert message.lower() in response.content.decode().lower()
    assert User.objects.count() == before


def test_create_a_district_and_a_regency_role(client, world, admin):
    client.force_login(admin)
    r1 = client.post(
        reverse("accounts:user_create"),
        _create_payload(username="camat-baru", role=Role.CAMAT, region=DISTRICT_B),
    )
    r2 = client.post(
        reverse("accounts:user_create"), _create_payload(username="dpmd-baru", role=Role.DPMD, region=REGENCY)
    )
    assert "password" in r1.context and "password" in r2.context
    assert User.objects.get(username="camat-baru").assignments.get().region_id == DISTRICT_B
    assert User.objects.get(username="dpmd-baru").assignments.get().region_id == REGENCY


# --- Detail: roles, data, status, password ---------------------------------------------------


def test_detail_shows_active_and_past_roles(client, world, admin):
    target = world.user(Role.TREASURER, VILLAGE_A1)
    RoleAssignment.objects.create(
        user=target,
        role=Role.OPERATOR,
        region_id=VILLAGE_A2,
        valid_from=dt.date(2018, 1, 1),
        valid_until=dt.date(2019, 12, 31),
    )
    client.force_login(admin)
    html = client.get(_url("accounts:user_detail", target)).content.decode()
    assert "Kaur keuangan" in html and "Aktif" in html
    assert "Operator desa" in html and "Berakhir" in html
    assert "31 Desember 2019" in html


def test_add_and_end_an_assignment(client, world, admin):
    target = world.user(Role.SECRETARY, VILLAGE_A1)
    client.force_login(admin)
    response = client.post(
        _url("accounts:assignment_add", target),
        {
            "role": Role.HEAD,
            "region": VILLAGE_A1,
            "valid_from": "2025-03-01",
            "appointment": "plt",
            "decree": "SK Camat 1/2025",
        },
    )
    assert response.status_code == 302
    acting = target.assignments.get(role=Role.HEAD)
    assert acting.appointment == "plt"
    response = client.post(
        reverse("accounts:assignment_end", kwargs={"pk": target.pk, "assignment_pk": acting.pk}),
        {"valid_until": "2025-06-30"},
    )
    assert response.status_code == 302
    acting.refresh_from_db()
    assert acting.valid_until == dt.date(2025, 6, 30)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"role": Role.HEAD, "region": DISTRICT_A, "valid_from": "2025-03-01", "appointment": "definitif"},
            "tingkat Desa/Kelurahan",
        ),
        (
            {
                "role": Role.SECRETARY,
                "region": VILLAGE_A1,
                "valid_from": "2025-03-01",
                "appointment": "definitif",
            },
            "sudah memegang peran",
        ),
        (
            {
                "role": Role.HEAD,
                "region": VILLAGE_A1,
                "valid_from": "2025-03-01",
                "valid_until": "2025-01-01",
                "appointment": "definitif",
            },
            "tidak boleh sebelum",
        ),
        (
            {"role": Role.HEAD, "region": VILLAGE_A1, "valid_from": "", "appointment": "definitif"},
            "tidak boleh kosong",
        ),
        (
            {"role": Role.HEAD, "region": VILLAGE_A1, "valid_from": "2025-03-01", "appointment": "raja"},
            "pilih",
        ),
    ],
)
def test_add_assignment_refuses_bad_input(client, world, admin, data, message):
    target = world.user(Role.SECRETARY, VILLAGE_A1)
    client.force_login(admin)
    before = RoleAssignment.objects.count()
    response = client.post(_url("accounts:assignment_add", target), data)
    assert response.status_code == 200
    assert message.lower() in _errors(response.context["assignment_form"]).lower()
    assert RoleAssignment.objects.count() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [("2019-12-31", "tidak boleh sebelum"), ("", "tidak boleh kosong"), ("besok", "tanggal yang valid")],
)
def test_end_assignment_refuses_bad_dates(client, world, admin, value, message):
    target = world.user(Role.SECRETARY, VILLAGE_A1)
    assignment = target.assignments.get()
    client.force_login(admin)
    url = reverse("accounts:assignment_end", kwargs={"pk": target.pk, "assignment_pk": assignment.pk})
    response = client.post(url, {"valid_until": value})
    assert response.status_code == 200
    assert message.lower() in response.context["end_error"][1].lower()
    assert response.context["end_error"][1] in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.valid_until is None


def test_end_someone_elses_assignment_through_this_user_is_not_found(client, world, admin):
    target = world.user(Role.SECRETARY, VILLAGE_A1)
    other = world.user(Role.HEAD, VILLAGE_A1).assignments.get()
    client.force_login(admin)
    url = reverse("accounts:assignment_end", kwargs={"pk": target.pk, "assignment_pk": other.pk})
    assert client.post(url, {"valid_until": "2025-01-01"}).status_code == 404


def test_edit_user_data(client, world, admin):
    target = world.user(Role.OPERATOR, VILLAGE_B1)
    client.force_login(admin)
    data = {
        "full_name": "Budi Santoso",
        "email": "budi@example.org",
        "phone": "0333 123",
        "position_title": "Operator",
        "staff_number": "1234",
    }
    assert client.post(_url("accounts:user_edit", target), data).status_code == 302
    target.refresh_from_db()
    assert (target.full_name, target.staff_number) == ("Budi Santoso", "1234")
    response = client.post(_url("accounts:user_edit", target), {**data, "full_name": "", "email": "x"})
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.full_name == "Budi Santoso"


def test_deactivate_and_reactivate(client, world, admin):
    target = world.user(Role.OPERATOR, VILLAGE_A2)
    client.force_login(admin)
    client.post(_url("accounts:user_set_active", target), {"aktif": "0"})
    target.refresh_from_db()
    assert not target.is_active
    assert (
        target.username in client.get(reverse("accounts:user_list"), {"status": "nonaktif"}).content.decode()
    )
    client.post(_url("accounts:user_set_active", target), {"aktif": "1"})
    target.refresh_from_db()
    assert target.is_active


def test_status_change_needs_a_clear_choice(client, world, admin):
    target = world.user(Role.OPERATOR, VILLAGE_A2)
    client.force_login(admin)
    response = client.post(_url("accounts:user_set_active", target), {"aktif": "mungkin"}, follow=True)
    assert "Permintaan tidak lengkap" in response.content.decode()
    target.refresh_from_db()
    assert target.is_active


def test_admin_cannot_deactivate_themself(client, world, admin):
    client.force_login(admin)
    response = client.post(_url("accounts:user_set_active", admin), {"aktif": "0"}, follow=True)
    assert "tidak dapat menonaktifkan akun Anda sendiri" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_reset_password_shows_a_new_one_time_password(client, world, admin):
    target = world.user(Role.OPERATOR, VILLAGE_A2)
    client.force_login(admin)
    response = client.post(_url("accounts:user_reset_password", target))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode()
    target.refresh_from_db()
    assert target.must_change_password
    assert target.check_password(password)
    assert not target.check_password(PASSWORD)


def test_state_changes_need_post(client, world, admin):
    target = world.user(Role.OPERATOR, VILLAGE_A2)
    client.force_login(admin)
    for name in ADMIN_POSTS:
        assert client.get(_url(name, target)).status_code == 405


def test_state_changes_need_csrf(world, admin):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    target = world.user(Role.OPERATOR, VILLAGE_A2)
    assert client.post(_url("accounts:user_reset_password", target)).status_code == 403
    assert client.post(reverse("accounts:user_create"), _create_payload()).status_code == 403


def test_export_keeps_formula_like_text_as_text(client, world, admin):
    target = world.user(Role.OPERATOR, VILLAGE_A1)
    User.objects.filter(pk=target.pk).update(full_name='=HYPERLINK("http://example.org","klik")')
    client.force_login(admin)
    content = client.get(reverse("accounts:user_export"), {"q": target.username}).content
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["B2"].value == '=HYPERLINK("http://example.org","klik")'
    assert ws["B2"].data_type == "s"
