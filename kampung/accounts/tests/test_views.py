import pytest
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, PASSWORD, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1


def test_login_page_is_indonesian(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "Masuk ke Kampung" in response.content.decode()


def test_village_user_lands_on_the_village_home_page(client, world):
    user = world.user(Role.OPERATOR, VILLAGE_A1)
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("regions:village_detail", args=[VILLAGE_A1])
    html = response.content.decode()
    assert "Desa Sarongan" in html
    assert "Penduduk hidup" in html


def test_wrong_password_gives_a_clear_message(client, world):
    user = world.user(Role.OPERATOR, VILLAGE_A1)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "salah"})
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "region", "visible", "hidden"),
    [
        (Role.OPERATOR, VILLAGE_A1, [VILLAGE_A1], [VILLAGE_A2, VILLAGE_B1]),
        (Role.BPD, VILLAGE_B1, [VILLAGE_B1], [VILLAGE_A1]),
        (Role.CAMAT, DISTRICT_A, [VILLAGE_A1, VILLAGE_A2], [VILLAGE_B1]),
        (Role.BUPATI, REGENCY, [VILLAGE_A1, VILLAGE_B1], []),
    ],
)
def test_village_pages_are_404_outside_scope(client, world, role, region, visible, hidden):
    client.force_login(world.user(role, region))
    for code in visible:
        assert client.get(reverse("regions:village_detail", args=[code])).status_code == 200
    for code in hidden:
        assert client.get(reverse("regions:village_detail", args=[code])).status_code == 404
        assert client.get(reverse("regions:village_profile_edit", args=[code])).status_code == 404


def test_village_list_shows_only_the_subtree(client, world):
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    response = client.get(reverse("regions:village_list"))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 5
    response = client.get(reverse("regions:village_list"), {"q": "Sarongan"})
    assert [v.code for v in response.context["page_obj"]] == [VILLAGE_A1]
    response = client.get(reverse("regions:village_list"), {"q": "tidak-ada"})
    assert "Tidak ada desa/kelurahan yang cocok" in response.content.decode()


def test_village_list_query_count_does_not_grow_with_villages(client, world, django_assert_max_num_queries):
    client.force_login(world.user(Role.BUPATI, REGENCY))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("regions:village_list"))
    assert response.context["page_obj"].paginator.count == 217


def test_profile_edit_by_head_is_audited_and_bad_input_changes_nothing(client, world):
    from kampung.audit.models import AuditEntry
    from kampung.regions.models import VillageProfile

    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    url = reverse("regions:village_profile_edit", args=[VILLAGE_A1])
    response = client.post(url, {"address": "Jl. Raya 1", "postal_code": "12ab", "latitude": "-8.6"})
    assert response.status_code == 200
    assert "Kode pos terdiri dari 5 angka." in response.content.decode()
    assert not VillageProfile.objects.filter(village_id=VILLAGE_A1).exists()
    response = client.post(
        url,
        {
            "address": "Jl. Raya 1",
            "postal_code": "68488",
            "phone": "0333-123",
            "latitude": "-8.6",
            "longitude": "114.1",
        },
    )
    assert response.status_code == 302
    assert VillageProfile.objects.get(village_id=VILLAGE_A1).postal_code == "68488"
    entry = AuditEntry.objects.get(act="regions.profile.update")
    assert entry.chain == VILLAGE_A1
    assert entry.after["address"] == "Jl. Raya 1"


def test_profile_edit_is_404_for_roles_that_may_not_edit(client, world):
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    assert client.get(reverse("regions:village_profile_edit", args=[VILLAGE_A1])).status_code == 404


def test_navigation_shows_each_role_only_what_it_may_use(client, world):
    client.force_login(world.user(Role.ADMIN, REGENCY))
    html = client.get(reverse("accounts:home")).content.decode()
    assert "Pengguna" in html and "Jejak audit" in html and "Kalender kerja" in html
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    html = client.get(reverse("accounts:home")).content.decode()
    assert "Jejak audit" not in html and "Kalender kerja" not in html and ">Pengguna<" not in html
    assert client.get(reverse("audit:entry_list")).status_code == 404
    assert client.get(reverse("regions:holiday_list")).status_code == 404


def test_one_time_password_must_be_changed_first(client, world):
    from kampung.accounts.services import user_create
    from kampung.regions.models import Region

    created = user_create(
        actor=world.user(Role.ADMIN, REGENCY),
        username="baru",
        full_name="Pengguna Baru",
        role=Role.OPERATOR,
        region=Region.objects.get(code=VILLAGE_B1),
    )
    assert created.user.must_change_password
    response = client.post(reverse("accounts:login"), {"username": "baru", "password": created.password})
    assert response.status_code == 302
    assert client.get(reverse("regions:village_list")).url == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": created.password,
            "new_password1": "Kampung-Baru-99",
            "new_password2": "Kampung-Baru-99",
        },
    )
    assert response.status_code == 302
    created.user.refresh_from_db()
    assert not created.user.must_change_password
    assert client.get(reverse("regions:village_list")).status_code == 200


def test_repeated_failures_lock_the_account_not_the_address(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    victim = world.user(Role.OPERATOR, VILLAGE_A1)
    colleague = world.user(Role.SECRETARY, VILLAGE_A1)
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": victim.username, "password": "salah"})
    response = client.post(reverse("accounts:login"), {"username": victim.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "dikunci sementara" in response.content.decode()
    # A colleague at the same office (same address) can still log in.
    response = client.post(reverse("accounts:login"), {"username": colleague.username, "password": PASSWORD})
    assert response.status_code == 302


def test_holiday_calendar_admin(client, world):
    from kampung.regions.models import Holiday

    client.force_login(world.user(Role.ADMIN, REGENCY))
    url = reverse("regions:holiday_list")
    assert "Hari Kemerdekaan" in client.get(url, {"tahun": 2026}).content.decode()
    response = client.post(
        url, {"date": "2026-12-18", "name": "Hari Jadi Banyuwangi", "kind": "libur_daerah"}
    )
    assert response.status_code == 302
    holiday = Holiday.objects.get(regency_id=REGENCY, date="2026-12-18")
    response = client.post(url, {"date": "bukan-tanggal", "name": "", "kind": "x"})
    assert response.status_code == 200
    assert client.post(reverse("regions:holiday_delete", args=[holiday.pk])).status_code == 302
    assert not Holiday.objects.filter(pk=holiday.pk).exists()
    assert client.get(url, {"tahun": "abc"}).status_code == 200


def test_english_is_the_second_language(client, db):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Log in to Kampung" in html
    client.cookies["django_language"] = "id"
    assert "Masuk ke Kampung" in client.get(reverse("accounts:login")).content.decode()


def test_times_are_shown_in_the_users_regency_zone(client, world):
    import datetime as dt

    from kampung.accounts.middleware import _regency_zone
    from kampung.regions.models import Region

    assert _regency_zone(world.user(Role.OPERATOR, VILLAGE_A1)) == "Asia/Jakarta"
    Region.objects.filter(code=REGENCY).update(timezone="Asia/Makassar")
    client.force_login(world.user(Role.ADMIN, REGENCY))
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    assert client.session["kampung_tz"] == "Asia/Makassar"
    from django.template import Context, Template
    from django.utils import timezone

    with timezone.override(dt.timezone(dt.timedelta(hours=8))):
        text = Template("{{ t|tanggal_waktu }}").render(
            Context({"t": dt.datetime(2026, 1, 1, 16, 30, tzinfo=dt.UTC)})
        )
    assert text == "2 Januari 2026 00.30"


def test_an_english_browser_still_gets_indonesian_until_the_user_switches(client, db):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Masuk ke Kampung" in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("accounts:login")})
    assert response.status_code == 302
    assert "Log in to Kampung" in client.get(reverse("accounts:login")).content.decode()
