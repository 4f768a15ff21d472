import datetime as dt

import pytest
from django.db import connection
from django.db.models import F
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.demo.bulk import population_fill
from kampung.demo.population import regency_plan
from kampung.population import selectors, services
from kampung.population.importing import population_import
from kampung.population.models import ResidentNameToken, Sex
from kampung.population.tests import test_import
from kampung.population.tests.factories import make_family, make_resident
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    family = make_family(world, VILLAGE_A1, dusun="Krajan", rw="001", rt="002")
    return {
        "slamet": make_resident(world, VILLAGE_A1, name="Ahmad Slamet", family=family),
        "siti": make_resident(
            world, VILLAGE_A1, name="Sîti Nurhaliza", sex=Sex.FEMALE, birth=dt.date(2010, 5, 4)
        ),
        "sulastri": make_resident(world, VILLAGE_A2, name="Sulastri", sex=Sex.FEMALE),
        "budi": make_resident(world, VILLAGE_B1, name="Budi Slamet Santoso", birth=dt.date(1960, 2, 2)),
    }


def names(qs):
    return sorted(r.name for r in qs)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("sla", ["Ahmad Slamet"]),
        ("SLAMET ahm", ["Ahmad Slamet"]),
        ("slamet ahmad", ["Ahmad Slamet"]),
        ("siti", ["Sîti Nurhaliza"]),
        ("nurh sit", ["Sîti Nurhaliza"]),
        ("lamet", []),  # prefix of a word, not any substring
        ("sl", []),  # too short
        ("ahmad budi", []),
    ],
)
def test_name_search_for_village_operator(people, world, q, expected):
    assert names(selectors.resident_search(actor=world.user(Role.OPERATOR, VILLAGE_A1), q=q)) == expected


def test_search_by_nik_and_kk(people, world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    slamet = people["slamet"]
    assert list(selectors.resident_search(actor=operator, q=slamet.nik)) == [slamet]
    assert list(selectors.resident_search(actor=operator, q=slamet.family.kk_number)) == [slamet]
    assert list(selectors.resident_search(actor=operator, q=people["budi"].nik)) == []  # other village
    assert list(selectors.resident_search(actor=operator, q="3510")) == []


def test_scope_of_search(people, world):
    camat = world.user(Role.CAMAT, DISTRICT_A)
    admin = world.user(Role.ADMIN, REGENCY)
    assert names(selectors.resident_search(actor=camat, q="slamet")) == ["Ahmad Slamet"]
    assert names(selectors.resident_search(actor=admin, q="slamet")) == [
        "Ahmad Slamet",
        "Budi Slamet Santoso",
    ]
    # A resident's account or a BPD member does not search the register.
    assert list(selectors.resident_search(actor=world.user(Role.RESIDENT, VILLAGE_A1), q="slamet")) == []
    assert list(selectors.resident_search(actor=world.user(Role.BPD, VILLAGE_A1), q="slamet")) == []


def test_filters_and_sort(people, world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    search = selectors.resident_search
    assert names(search(actor=operator, sex=Sex.FEMALE)) == ["Sîti Nurhaliza"]
    assert names(search(actor=operator, dusun="Krajan", rw="001", rt="002")) == ["Ahmad Slamet"]
    assert names(search(actor=operator, age_max=17)) == ["Sîti Nurhaliza"]
    assert names(search(actor=operator, age_min=18)) == ["Ahmad Slamet"]
    assert names(search(actor=operator, status=2)) == []
    admin = world.user(Role.ADMIN, REGENCY)
    assert [r.name for r in search(actor=admin, sort="-umur")][0] == "Budi Slamet Santoso"
    assert [r.name for r in search(actor=admin, sort="nama")][0] == "Ahmad Slamet"


def test_search_query_count_is_bounded(people, world):
    admin = world.user(Role.ADMIN, REGENCY)
    for i in range(5):
        make_resident(world, VILLAGE_B1, name=f"Slamet Nomor{i}")
    selectors.resident_search(actor=admin, q="x")  # scope computed and cached on the user
    with CaptureQueriesContext(connection) as ctx:
        rows = list(selectors.resident_search(actor=admin, q="slam"))
        for row in rows:
            _ = (row.village.name, row.family)
    assert len(rows) == 7
    assert len(ctx.captured_queries) <= 1


def test_resident_get_audits_and_404s_outside_scope(people, world):
    slamet = people["slamet"]
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    assert selectors.resident_get(actor=operator, pk=slamet.pk) == slamet
    entry = AuditEntry.objects.filter(act="view", object_id=str(slamet.pk)).get()
    assert entry.actor == operator and entry.region_code == VILLAGE_A1
    assert entry.after == {"what": "data pribadi penduduk"}
    for outsider in (
        world.user(Role.OPERATOR, VILLAGE_A2),
        world.user(Role.CAMAT, "35.10.15"),
        world.user(Role.RESIDENT, VILLAGE_A1),
    ):
        with pytest.raises(Http404):
            selectors.resident_get(actor=outsider, pk=slamet.pk)
    assert AuditEntry.objects.filter(act="view").count() == 1


def test_who_sees_full_numbers(people, world):
    nik = people["slamet"].nik
    masked = nik[:4] + "********" + nik[12:]
    assert selectors.shown_number(world.user(Role.OPERATOR, VILLAGE_A1), VILLAGE_A1, nik) == nik
    assert selectors.shown_number(world.user(Role.HEAD, VILLAGE_A1), VILLAGE_A1, nik) == nik
    assert selectors.shown_number(world.user(Role.OPERATOR, VILLAGE_A2), VILLAGE_A1, nik) == masked
    assert selectors.shown_number(world.user(Role.CAMAT, DISTRICT_A), VILLAGE_A1, nik) == masked
    assert selectors.shown_number(world.user(Role.ADMIN, REGENCY), VILLAGE_A1, nik) == masked
    assert selectors.shown_number(world.user(Role.BPD, VILLAGE_A1), VILLAGE_A1, nik) == masked
    assert selectors.mask_nik("3510012101900001") == "3510********0001"


def test_name_search_intersects_words_keeps_order_and_scope(people, world):
    admin = world.user(Role.ADMIN, REGENCY)
    make_resident(world, VILLAGE_B1, name="Slamet Budiono")
    search = selectors.resident_search
    assert names(search(actor=admin, q="slamet bud")) == ["Budi Slamet Santoso", "Slamet Budiono"]
    assert [r.name for r in search(actor=admin, q="slamet", sort="-nama")] == [
        "Slamet Budiono",
        "Budi Slamet Santoso",
        "Ahmad Slamet",
    ]
    assert names(search(actor=admin, q="slamet bud", village=VILLAGE_A1)) == []
    camat = world.user(Role.CAMAT, DISTRICT_A)
    assert names(search(actor=camat, q="slamet bud")) == []


def test_kk_search_lists_every_member_and_takes_filters(people, world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    family = people["slamet"].family
    wife = make_resident(
        world, VILLAGE_A1, name="Siti Aminah", sex=Sex.FEMALE, birth=dt.date(1992, 3, 4), family=family
    )
    search = selectors.resident_search
    assert names(search(actor=operator, q=family.kk_number)) == ["Ahmad Slamet", "Siti Aminah"]
    assert list(search(actor=operator, q=family.kk_number, sex=Sex.FEMALE)) == [wife]
    assert list(search(actor=operator, q=f"{wife.nik[:8]} {wife.nik[8:]}")) == [wife]


# -- one page of a search: the token-index path agrees with the general search ---------------

VARIED_NAMES = [
    (VILLAGE_A1, "Siti Sitompul"),
    (VILLAGE_A1, "Sitompul Siti"),
    (VILLAGE_A1, "Siti Aminah"),
    (VILLAGE_A2, "Siti Aminah"),  # the same name twice: ordered by pk
    (VILLAGE_A1, "Siti Siti"),
    (VILLAGE_A1, "Nur Aini"),
    (VILLAGE_A2, "Nuraini"),
    (VILLAGE_A2, "Nur Siti Hidayah"),
    (VILLAGE_B1, "Nurul Hidayah"),
    (VILLAGE_B1, "Sîti Nurhaliza"),
    (VILLAGE_B1, "Ma'ruf Amin"),
    (KELURAHAN_B, "Abdul Ma’ruf"),
    (KELURAHAN_B, "Ahmad Nur Hidayat"),
    (KELURAHAN_B, "Sitti Nuraini"),
    (VILLAGE_A1, "Bambang Sitohang"),
    (VILLAGE_A2, "Dewi Sri"),
    (VILLAGE_B1, "Sri Wahyuni"),
    (KELURAHAN_B, "Wahyu Sri Rahayu"),
    (VILLAGE_A1, "Sri Sri Wahyu"),
    (VILLAGE_B1, "Nur"),
]
PAGE_QUERIES = [
    "sit",
    "siti",
    "SITI sitompul",
    "sitompul siti",
    "sit siti",
    "siti siti",
    "nur",
    "nur sit",
    "sit nur hid",
    "nura",
    "maruf",
    "ma'ruf ab",
    "sri wah",
    "wah sri",
    "sri",
    "hidayah",
    "zzz",
    "si",  # no usable word: nobody
    "si nur",  # the short word is ignored
    "",
]


@pytest.fixture
def varied(world):
    # The kelurahan has no operator in the world; its lurah registers its people.
    world.users[(Role.OPERATOR, KELURAHAN_B)] = world.user(Role.HEAD, KELURAHAN_B)
    made = [
        make_resident(world, code, name=name, birth=dt.date(1970 + i, 1 + i % 12, 1 + i))
        for i, (code, name) in enumerate(VARIED_NAMES)
    ]
    # A renamed resident is found, and ordered, by the new name only.
    services.resident_update(
        actor=world.user(Role.OPERATOR, VILLAGE_A1),
        resident=made[0],
        changes={"name": "Siti Sitompul Nasution"},
        reason="Salah ketik",
    )
    return made


def _general_page(actor, offset, limit, **filters):
    everyone = list(selectors.resident_search(actor=actor, **filters))
    return everyone[offset : offset + limit], len(everyone) > offset + limit


def test_search_page_gives_the_rows_and_order_of_the_general_search(varied, world):
    actors = [
        world.user(Role.ADMIN, REGENCY),
        world.user(Role.CAMAT, DISTRICT_A),
        world.user(Role.OPERATOR, VILLAGE_A1),
        world.user(Role.OPERATOR, VILLAGE_B1),
        world.user(Role.RESIDENT, VILLAGE_A1),
    ]
    compared = found = 0
    for actor in actors:
        for q in PAGE_QUERIES:
            for village in ("", VILLAGE_A1, KELURAHAN_B):
                for sort in ("nama", "-nama", "bukan-urutan"):
                    for offset, limit in ((0, 3), (3, 3), (2, 4), (0, 100)):
                        filters = {"q": q, "village": village, "sort": sort}
                        page = selectors.resident_search_page(
                            actor=actor, offset=offset, limit=limit, **filters
                        )
                        rows, has_next = _general_page(actor, offset, limit, **filters)
                        assert [r.pk for r in page.rows] == [r.pk for r in rows], (actor, filters, offset)
                        assert page.has_next == has_next, (actor, filters, offset, limit)
                        compared += 1
                        found += bool(rows)
    assert found > 300  # the comparison is not of empty pages only
    admin = actors[0]
    by_name = [r.name for r in selectors.resident_search_page(actor=admin, q="sit", offset=0, limit=50).rows]
    assert by_name == [
        "Bambang Sitohang",
        "Nur Siti Hidayah",
        "Siti Aminah",
        "Siti Aminah",
        "Sîti Nurhaliza",  # by the normalised name: "siti nurhaliza"
        "Siti Siti",
        "Siti Sitompul Nasution",
        "Sitompul Siti",
        "Sitti Nuraini",
    ]
    assert [r.name for r in selectors.resident_search_page(actor=admin, q="nur", offset=0, limit=3).rows] == [
        "Ahmad Nur Hidayat",
        "Nur",
        "Nur Aini",
    ]
    assert [
        r.name for r in selectors.resident_search_page(actor=admin, q="sitompul siti", offset=0, limit=9).rows
    ] == [
        "Siti Sitompul Nasution",
        "Sitompul Siti",
    ]


def test_search_page_with_other_filters_or_orders_pages_the_general_search(varied, world):
    admin = world.user(Role.ADMIN, REGENCY)
    cases = [
        {"q": "sit", "sex": Sex.MALE},
        {"q": "sit", "dusun": "Krajan"},
        {"q": "sit", "age_min": 40},
        {"q": "nur", "needs_review": False},
        {"q": "nur", "status": 1},
        {"q": "nur", "sort": "umur"},
        {"q": "sit", "sort": "nik"},
        {"q": varied[3].nik},
        {"q": f" {varied[3].nik[:8]} {varied[3].nik[8:]}\t"},  # a number, however typed
        {"q": "", "village": VILLAGE_A1},
    ]
    for filters in cases:
        for offset, limit in ((0, 2), (2, 2), (0, 50)):
            page = selectors.resident_search_page(actor=admin, offset=offset, limit=limit, **filters)
            rows, has_next = _general_page(admin, offset, limit, **filters)
            assert ([r.pk for r in page.rows], page.has_next) == ([r.pk for r in rows], has_next), filters
    typed = f" {varied[3].nik}\t"
    assert selectors.resident_search_page(actor=admin, q=typed, offset=0, limit=5).rows == [varied[3]]
    # The caller's own queryset is paged when the token index cannot answer.
    own = selectors.resident_search(actor=admin, q="sit", sex=Sex.MALE).order_by("-pk")
    page = selectors.resident_search_page(actor=admin, offset=0, limit=1, general=own, q="sit", sex=Sex.MALE)
    assert page.rows == list(own[:1]) and page.has_next


def test_name_page_reads_only_the_token_index_and_the_pages_residents(varied, world):
    admin = world.user(Role.ADMIN, REGENCY)
    selectors.resident_search_page(actor=admin, q="sit", offset=0, limit=2)  # scope cached on the user
    with CaptureQueriesContext(connection) as ctx:
        page = selectors.resident_search_page(actor=admin, q="sit nur", offset=0, limit=2)
        for row in page.rows:
            _ = (row.village.name, row.family)
    assert [r.name for r in page.rows] == ["Nur Siti Hidayah", "Sîti Nurhaliza"] and page.has_next
    ids, residents = (q["sql"] for q in ctx.captured_queries)
    assert '"population_residentnametoken"' in ids and '"population_resident"' not in ids
    assert '"population_resident"' in residents and "LIMIT" not in residents.upper()


def test_every_writer_of_name_tokens_copies_the_residents_name_key(varied, world):
    def mismatched():
        return ResidentNameToken.objects.exclude(name_key=F("resident__name_key")).count()

    tokens = ResidentNameToken.objects.filter(resident=varied[0])
    assert set(tokens.values_list("name_key", flat=True)) == {"siti sitompul nasution"}
    assert set(tokens.values_list("token", flat=True)) == {"siti", "sitompul", "nasution"}
    # The import and the demo's bulk writers.
    content = test_import.kampung_csv(
        test_import.family_rows(7001, 7001) + test_import.family_rows(7002, 7101)
    )
    report = population_import(
        actor=test_import.operator(world), village=test_import.village(), content=content, file_name="w.csv"
    )
    assert report.written
    villages = [(v.code, v.name, v.kind) for v in Region.objects.filter(code__in=["35.10.05.2001"])]
    population_fill(plans=regency_plan(villages=villages, total=60, seed=5), seed=5)
    assert ResidentNameToken.objects.filter(village_id="35.10.05.2001").count() >= 60
    assert ResidentNameToken.objects.filter(name_key="").count() == 0
    assert mismatched() == 0
