"""Reference browse and the regency's own 90–99 codes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, make_other_regency
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.loader import read_csv
from kampung.finance.models import Account, ActivityCode
from kampung.finance.selectors.ref import account_list, activity_list
from kampung.finance.services import ref as svc
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def regency(world):
    return Region.objects.get(code=REGENCY)


@pytest.fixture
def dpmd(world):
    return world.user(Role.DPMD, REGENCY)


@pytest.mark.parametrize("code", ["5.2.1.91", "5.2.1.99", "4.1.1.90"])
def test_local_account_in_range(dpmd, regency, code):
    account = svc.local_account_save(actor=dpmd, regency=regency, code=code, name="Belanja khusus kabupaten")
    assert (
        account.level == 4 and account.regency_id == REGENCY and account.parent_code == code.rsplit(".", 1)[0]
    )
    assert AuditEntry.objects.filter(act="finance.local_account.save").count() == 1


@pytest.mark.parametrize(
    "code",
    ["5.2.1.89", "5.2.1.100", "5.2.1.9", "5.2.1.01", "5.2.91", "9.9.9.91", "", "5.2.1.91.01", "5.2.1.9a"],
)
def test_local_account_out_of_range_is_refused(dpmd, regency, code):
    with pytest.raises(KampungError, match="tidak sah"):
        svc.local_account_save(actor=dpmd, regency=regency, code=code, name="X")
    assert not Account.objects.filter(regency=regency).exists()


def test_parent_without_local_range_is_refused(dpmd, regency):
    parents_with_range = set(
        Account.objects.filter(level=4, is_local_range=True, regency=None).values_list(
            "parent_code", flat=True
        )
    )
    without = Account.objects.filter(level=3, regency=None).exclude(code__in=parents_with_range).first()
    assert without is not None
    with pytest.raises(KampungError, match="tidak sah"):
        svc.local_account_save(actor=dpmd, regency=regency, code=f"{without.code}.91", name="X")


def test_local_codes_are_unique_per_regency(dpmd, regency):
    first = svc.local_account_save(actor=dpmd, regency=regency, code="5.2.1.91", name="A")
    with pytest.raises(KampungError, match="sudah dipakai"):
        svc.local_account_save(actor=dpmd, regency=regency, code="5.2.1.91", name="B")
    renamed = svc.local_account_save(
        actor=dpmd, regency=regency, code="5.2.1.91", name="A baru", account=first
    )
    assert renamed.name == "A baru"
    national = Account.objects.get(code="5.2.1.01", regency=None)
    with pytest.raises(KampungError, match="nasional"):
        svc.local_account_save(actor=dpmd, regency=regency, code="5.2.1.92", name="X", account=national)
    with pytest.raises(KampungError, match="nasional"):
        svc.local_account_set_active(actor=dpmd, account=national, active=False)


def test_local_activity_rules(dpmd, regency):
    code = svc.local_activity_save(
        actor=dpmd, regency=regency, code="03.01.91", name="Jalan usaha tani lokal"
    )
    assert code.level == "kegiatan" and code.parent_code == "03.01"
    for bad in ["03.01.89", "03.01.01", "03.99.91", "03.91", "01.01.100"]:
        with pytest.raises(KampungError, match="tidak sah"):
            svc.local_activity_save(actor=dpmd, regency=regency, code=bad, name="X")
    with pytest.raises(KampungError, match="sudah dipakai"):
        svc.local_activity_save(actor=dpmd, regency=regency, code="03.01.91", name="Y")
    svc.local_activity_set_active(actor=dpmd, activity=code, active=False)
    code.refresh_from_db()
    assert not code.active


@pytest.mark.parametrize(
    "user", [(Role.SECRETARY, VILLAGE_A1), (Role.CAMAT, DISTRICT_A), (Role.BUPATI, REGENCY)]
)
def test_only_regency_admins_write_local_codes(world, regency, client, user):
    with pytest.raises(NotPermitted):
        svc.local_account_save(actor=world.user(*user), regency=regency, code="5.2.1.91", name="X")
    client.force_login(world.user(*user))
    assert client.get(reverse("finance:ref_local")).status_code == 404
    response = client.post(
        reverse("finance:ref_local_account_add"), {"rek-code": "5.2.1.91", "rek-name": "X"}
    )
    assert response.status_code == 404
    assert client.post(reverse("finance:ref_local_example")).status_code == 404
    assert not Account.objects.filter(regency__isnull=False).exists()
    assert not ActivityCode.objects.filter(regency__isnull=False).exists()


def test_other_regency_admin_cannot_write_for_us(regency):
    admin, _ = make_other_regency()
    with pytest.raises(NotPermitted):
        svc.local_account_save(actor=admin, regency=regency, code="5.2.1.91", name="X")


def test_pages_add_edit_and_deactivate(world, client):
    client.force_login(world.user(Role.ADMIN, REGENCY))
    assert client.get(reverse("finance:ref_local")).status_code == 200
    response = client.post(
        reverse("finance:ref_local_account_add"),
        {"rek-code": "5.2.1.93", "rek-name": "Belanja lokal"},
        follow=True,
    )
    assert "5.2.1.93 disimpan" in response.content.decode()
    response = client.post(
        reverse("finance:ref_local_account_add"), {"rek-code": "5.2.1.12", "rek-name": "Salah"}, follow=True
    )
    assert "tidak sah" in response.content.decode()
    account = Account.objects.get(regency_id=REGENCY)
    client.post(
        reverse("finance:ref_local_account_edit", args=[account.pk]),
        {"rek-code": "5.2.1.93", "rek-name": "Baru"},
    )
    client.post(reverse("finance:ref_local_toggle", args=["rekening", account.pk]), {"active": "0"})
    account.refresh_from_db()
    assert account.name == "Baru" and not account.active
    response = client.post(
        reverse("finance:ref_local_activity_add"),
        {"keg-code": "02.02.99", "keg-name": "Posyandu lokal"},
        follow=True,
    )
    assert "02.02.99 disimpan" in response.content.decode()
    national = ActivityCode.objects.get(code="02.02.01", regency=None)
    assert (
        client.post(
            reverse("finance:ref_local_toggle", args=["kegiatan", national.pk]), {"active": "0"}
        ).status_code
        == 404
    )


def test_example_load_is_idempotent(dpmd, regency):
    svc.local_activity_save(actor=dpmd, regency=regency, code="01.01.90", name="Nama kabupaten sendiri")
    rows = read_csv("bidang_kegiatan_lokal_opensid.csv")
    added = svc.local_activities_load_example(actor=dpmd, regency=regency)
    assert added == len(rows) - 1
    assert ActivityCode.objects.get(regency=regency, code="01.01.90").name == "Nama kabupaten sendiri"
    assert svc.local_activities_load_example(actor=dpmd, regency=regency) == 0
    assert ActivityCode.objects.filter(regency=regency).count() == len(rows)


def test_browse_shows_national_and_own_local_codes_only(world, client, dpmd, regency):
    svc.local_account_save(actor=dpmd, regency=regency, code="5.2.1.91", name="Rekening lokal Banyuwangi")
    svc.local_activity_save(actor=dpmd, regency=regency, code="03.01.91", name="Kegiatan lokal Banyuwangi")
    other_admin, other_operator = make_other_regency()
    jember = Region.objects.get(code="35.09")
    svc.local_account_save(actor=other_admin, regency=jember, code="5.2.1.92", name="Rekening lokal Jember")
    svc.local_activity_save(actor=other_admin, regency=jember, code="03.01.92", name="Kegiatan lokal Jember")

    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    text = client.get(reverse("finance:ref_accounts"), {"akun": "5"}).content.decode()
    assert "Rekening lokal Banyuwangi" in text and "Jember" not in text and "lokal</span>" in text
    assert "Pendapatan Asli Desa" not in text  # filtered to akun 5
    text = client.get(reverse("finance:ref_accounts"), {"q": "lokal"}).content.decode()
    assert "Rekening lokal Banyuwangi" in text
    text = client.get(reverse("finance:ref_activities"), {"bidang": "03"}).content.decode()
    assert "Kegiatan lokal Banyuwangi" in text and "Jember" not in text
    client.force_login(other_operator)
    text = client.get(reverse("finance:ref_activities"), {"q": "lokal"}).content.decode()
    assert "Kegiatan lokal Jember" in text and "Banyuwangi" not in text
    assert [a.code for a in account_list(regency_code=REGENCY, local_only=True)] == ["5.2.1.91"]
    assert [a.code for a in activity_list(regency_code="35.09", local_only=True)] == ["03.01.92"]


def test_browse_needs_a_finance_role(world, client):
    client.force_login(world.user(Role.RESIDENT, VILLAGE_A1))
    assert client.get(reverse("finance:ref_accounts")).status_code == 404
    client.force_login(world.user(Role.BPD, VILLAGE_A1))
    assert client.get(reverse("finance:ref_home")).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "ref_home",
        "ref_accounts",
        "ref_activities",
        "ref_local",
        "ssh_list",
        "ssh_create",
        "calendar_page",
        "ceiling_list",
        "earmark_list",
        "earmark_create",
    ],
)
def test_admin_pages_render(world, client, name):
    client.force_login(world.user(Role.DPMD, REGENCY))
    response = client.get(reverse(f"finance:{name}"), {"tahun": "abc", "q": "%", "page": "x"})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()
