import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kampung.accounts.models import Official, RoleAssignment, User
from kampung.accounts.roles import Role
from kampung.accounts.services import user_create
from kampung.audit.models import AuditEntry
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError
from kampung.demo.bulk import population_fill
from kampung.demo.cast import (
    DEMO_PASSWORD,
    DEMO_VILLAGE_CODES,
    USERNAME_SLUGS,
    VILLAGE_SET_CODES,
    demo_cast,
    demo_usernames,
    slug,
)
from kampung.demo.identity import SerialBook, district_prefix, nik_date_part, nik_parse
from kampung.demo.population import regency_plan
from kampung.demo.services import SMALL_RESIDENTS, demo_build, demo_reset
from kampung.population.models import BasicStatus, Family, LifeEvent, LifeEventKind, Resident, Sex
from kampung.regions.models import Kind, Level, Region, VillageProfile

pytestmark = pytest.mark.django_db

KK_LEVEL_HEAD, KK_LEVEL_WIFE, KK_LEVEL_CHILD = 1, 3, 4


def _snapshot():
    return {
        "users": User.objects.count(),
        "assignments": RoleAssignment.objects.count(),
        "residents": Resident.objects.count(),
        "families": Family.objects.count(),
        "officials": Official.objects.count(),
        "profiles": VillageProfile.objects.count(),
        "audit": AuditEntry.objects.count(),
        "regions": Region.objects.count(),
    }


def _people():
    return list(
        Resident.objects.order_by("nik").values_list("nik", "name", "birth_date", "family__kk_number")
    )


def test_small_demo_builds_banyuwangi_with_a_user_for_every_role():
    result = demo_build(seed=2018)

    villages = Region.objects.filter(code__startswith="35.10.", level=Level.VILLAGE)
    assert villages.count() == result.villages == 217
    assert (
        Region.objects.filter(code__startswith="35.10.", level=Level.DISTRICT).count()
        == result.districts
        == 25
    )

    roles = set(
        RoleAssignment.objects.filter(user__username__in=demo_usernames()).values_list("role", flat=True)
    )
    assert roles == set(Role.values)
    assert {x.username for x in result.logins} == set(demo_usernames())
    assert all(x.password == DEMO_PASSWORD for x in result.logins)
    sarongan = User.objects.get(username="kades.sarongan")
    assert sarongan.check_password(DEMO_PASSWORD)
    assert not sarongan.must_change_password
    assert sarongan.position_title == "Kepala Desa Sarongan"
    assert User.objects.get(username="camat.glagah").position_title == "Camat Glagah"
    assert len(User.objects.get(username="camat.glagah").staff_number.replace(" ", "")) == 18  # NIP
    assert User.objects.get(username="lurah.bakungan").assignments.get().region_id == "35.10.15.1002"
    for code in VILLAGE_SET_CODES:
        village = Region.objects.get(code=code)
        assert village.kind == Kind.DESA
        # Eight staff and BPD roles plus the warga role of the resident with a NIK + PIN account.
        assert RoleAssignment.objects.filter(region=village).count() == 9
        assert RoleAssignment.objects.filter(region=village, role=Role.RESIDENT).count() == 2
        positions = set(Official.objects.filter(village=village).values_list("position", flat=True))
        assert {"Kepala Desa", "Sekretaris Desa", "Kaur Keuangan"} <= positions
        head = User.objects.get(username=f"kades.{USERNAME_SLUGS[code]}")
        assert Official.objects.get(village=village, position="Kepala Desa").user == head
        profile = VillageProfile.objects.get(village=village)
        assert profile.head_name == head.full_name and profile.phone.startswith("(0333)")

    for code in DEMO_VILLAGE_CODES:
        residents = Resident.objects.filter(village_id=code).count()
        entry = AuditEntry.objects.get(act="demo.population.bulk", region_code=code)
        events = AuditEntry.objects.get(act="demo.population.events", region_code=code).after
        assert SMALL_RESIDENTS[0] <= entry.after["residents"] <= SMALL_RESIDENTS[1]
        # Births and newcomers of the last year come on top of the generated residents.
        assert entry.after["residents"] + events["residents_added"] == residents
        assert (
            entry.after["families"] + events["families_added"]
            == Family.objects.filter(village_id=code).count()
        )
    assert Resident.objects.count() == result.residents
    assert not Resident.objects.exclude(village_id__in=DEMO_VILLAGE_CODES).exists()
    # The resident account is one of the village's residents.
    warga = User.objects.get(username="warga.kemiren")
    assert Resident.objects.filter(village_id="35.10.15.2004", name=warga.full_name).exists()


def test_second_run_reuses_the_demo_and_creates_nothing(django_assert_max_num_queries):
    demo_build(seed=2018)
    before = _snapshot()
    # 60 for the register, accounts, finance, assistance and monitoring; 3 for the kiosk's
    # announcements, published programmes and queue (one look each, whatever the villages).
    with django_assert_max_num_queries(63):
        again = demo_build(seed=2018)
    assert not again.created_anything
    assert _snapshot() == before
    assert again.residents == before["residents"]
    assert len(again.logins) == len(demo_usernames())
    other_seed = demo_build(seed=99)
    assert other_seed.seed == 2018 and not other_seed.created_anything
    assert _snapshot() == before


def test_same_seed_gives_the_same_people_and_another_seed_others():
    demo_build(seed=7)
    first = _people()
    staff = User.objects.filter(username__in=demo_usernames()).order_by("username")
    names = list(staff.values_list("username", "full_name"))
    demo_reset()
    assert not Resident.objects.exists() and not Family.objects.exists()
    # Accounts the audit trail points at (the staff who handled the demo letters) are kept.
    kept = set(User.objects.filter(username__in=demo_usernames()).values_list("username", flat=True))
    assert AuditEntry.objects.filter(actor__username__in=kept).count() >= len(kept)
    demo_build(seed=7)
    assert _people() == first
    assert list(staff.values_list("username", "full_name")) == names
    demo_reset()
    demo_build(seed=8)
    assert _people() != first


def test_generated_niks_have_the_real_structure_and_are_unique():
    demo_build(seed=2018)
    rows = list(Resident.objects.values_list("nik", "village_id", "birth_date", "sex", "pk"))
    niks = [nik for nik, *_ in rows]
    assert len(niks) == len(set(niks))
    # A NIK keeps the district where the person was first registered: newcomers' are elsewhere.
    newcomers = set(
        LifeEvent.objects.filter(kind=LifeEventKind.MOVE_IN).values_list("resident_id", flat=True)
    )
    assert newcomers
    for nik, village, birth_date, sex, pk in rows:
        assert len(nik) == 16 and nik.isdigit()
        if pk in newcomers:
            assert nik[:4] != "3510"
        else:
            assert nik[:6] == district_prefix(village) == village.replace(".", "")[:6]
        parts = nik_parse(nik)
        assert parts is not None, nik
        assert parts.matches(birth_date) and parts.sex == sex
        day = int(nik[6:8])
        assert (41 <= day <= 71) if sex == Sex.FEMALE else (1 <= day <= 31)
        assert nik[12:] != "0000"
    assert {row[3] for row in rows} == {Sex.MALE, Sex.FEMALE}


def test_kk_numbers_and_families_are_sensible():
    demo_build(seed=2018)
    families = list(Family.objects.select_related("head"))
    kks = [f.kk_number for f in families]
    assert len(kks) == len(set(kks))
    for family in families:
        kk = family.kk_number
        assert len(kk) == 16 and kk.isdigit() and kk[:6] == district_prefix(family.village_id)
        registered = dt.date(2000 + int(kk[10:12]), int(kk[8:10]), int(kk[6:8]))
        assert dt.date(2005, 1, 1) <= registered <= timezone.localdate()  # new KKs of the last year
        assert kk[12:] != "0000"
        assert family.head.family_id == family.pk and family.head.family_relation == KK_LEVEL_HEAD
        assert family.dusun and family.rw.isdigit() and family.rt.isdigit()
    members = Counter(Resident.objects.values_list("family_id", flat=True))
    assert 3.0 <= sum(members.values()) / len(members) <= 4.2
    # One head per family among the living (a widow takes over when her husband dies).
    living = Resident.objects.filter(basic_status=BasicStatus.LIVING, family_relation=KK_LEVEL_HEAD)
    assert Counter(living.values_list("family_id", flat=True)).most_common(1)[0][1] == 1
    # Children are at least 18 years younger than the wife of the head.
    for family in families[:100]:
        people = list(family.members.all())
        wives = [p for p in people if p.family_relation == KK_LEVEL_WIFE]
        for child in (p for p in people if p.family_relation == KK_LEVEL_CHILD):
            for wife in wives:
                assert (child.birth_date - wife.birth_date).days >= 18 * 365
    religions = Counter(Resident.objects.values_list("religion", flat=True))
    assert religions.most_common(1)[0][0] == 1  # Islam


def test_regency_style_fill_shares_residents_and_resumes_without_repeating_numbers():
    villages = [
        (v.code, v.name, v.kind)
        for v in Region.objects.filter(code__in=["35.10.05.2001", "35.10.05.2002", "35.10.16.1001"])
    ]
    plans = regency_plan(villages=villages, total=900, seed=3)
    assert sum(p.residents for p in plans) == 900
    assert plans == regency_plan(villages=villages, total=900, seed=3)

    first = population_fill(plans=plans[:1], seed=3)  # an interrupted build: one village done
    rest = population_fill(plans=plans, seed=3, batch_size=50)
    assert (first.villages, rest.villages, rest.skipped) == (1, 2, 1)
    assert Resident.objects.count() == 900
    for plan in plans:
        assert Resident.objects.filter(village_id=plan.code).count() == plan.residents
    assert AuditEntry.objects.filter(act="demo.population.bulk").count() == 3
    niks = list(Resident.objects.values_list("nik", flat=True))
    assert len(niks) == len(set(niks))
    assert Family.objects.filter(head__isnull=True).count() == 0

    again = population_fill(plans=plans, seed=3)
    assert (again.villages, again.residents, again.skipped) == (0, 0, 3)


def test_serial_book_counts_per_date_and_continues_after_issued_numbers():
    book = SerialBook("351015")
    women = nik_date_part(dt.date(1990, 5, 3), Sex.FEMALE)
    men = nik_date_part(dt.date(1990, 5, 3), Sex.MALE)
    assert (women, men) == ("430590", "030590")
    book.seed(["3510154305900007", "3510164305900009", "bukan-nik"])
    assert book.take(women) == "3510154305900008"
    assert book.take(men) == "3510150305900001"
    book.seed(["3510150305909999"])
    assert book.take(men) is None


@pytest.mark.parametrize(
    ("nik", "valid"),
    [
        ("3510154305900008", True),
        ("3510152902000001", True),  # 29 Feb 2000
        ("3510153102900001", False),  # 31 Feb
        ("3510157205900001", False),  # day 72
        ("3510150305900000", False),  # serial 0000
        ("351015030590001", False),
        ("35101503059000a1", False),
    ],
)
def test_nik_parse(nik, valid):
    assert (nik_parse(nik) is not None) == valid


def test_usernames_are_fixed_and_match_the_region_names():
    for code, name_slug in USERNAME_SLUGS.items():
        assert slug(Region.objects.get(code=code).name) == name_slug
    names = dict(Region.objects.values_list("code", "name"))
    assert demo_cast(seed=1, names=names).usernames() == demo_usernames()
    assert len(set(demo_usernames())) == len(demo_usernames())


def test_refuses_a_database_that_holds_more_than_the_demo():
    user_create(
        actor=None, username="admin@kab.go.id", full_name="Admin Sungguhan", password="sandi-Panjang-123"
    )
    before = _snapshot()
    with pytest.raises(KampungError, match="selain akun demo"):
        demo_build(seed=2018)
    assert _snapshot() == before


def test_unknown_scale_is_refused():
    with pytest.raises(KampungError, match="Skala"):
        demo_build(scale="provinsi")


def test_reset_keeps_accounts_the_audit_trail_points_at_and_restores_them():
    demo_build(seed=2018)
    operator = User.objects.get(username="operator.kemiren")
    audit_record(actor=operator, act="uji", region="35.10.15.2004")
    operator.set_password("sandi-lain-Operator-9")
    operator.full_name = "Nama Diubah"
    operator.save()

    result = demo_build(seed=2018, reset=True)

    # The operator and the staff who handled the demo letters stay (the audit trail names them).
    kept = result.reset["users_kept"]
    assert kept >= 1 and result.reset["users"] + kept >= len(demo_usernames())
    operator.refresh_from_db()
    assert operator.check_password(DEMO_PASSWORD) and operator.full_name != "Nama Diubah"
    assert operator.assignments.filter(role=Role.OPERATOR, region_id="35.10.15.2004").exists()
    assert User.objects.filter(username__in=demo_usernames()).count() == len(demo_usernames())
    assert Resident.objects.count() == result.residents > 0
    assert AuditEntry.objects.filter(act="demo.reset").count() == 1


def test_command_builds_prints_the_logins_and_then_reuses(capsys):
    call_command("demo", "--no-serve", "--seed", "5")
    out = capsys.readouterr().out
    assert "Demo dibangun" in out
    assert "Nama pengguna" in out and "kades.sarongan" in out and DEMO_PASSWORD in out
    assert "217 desa/kelurahan" in out
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "Demo sudah tersedia" in out and "bupati" in out


def test_command_reports_refusals_as_command_errors():
    user_create(actor=None, username="orang-lain", full_name="Orang Lain", password="sandi-Panjang-123")
    with pytest.raises(CommandError, match="selain akun demo"):
        call_command("demo", "--no-serve")
