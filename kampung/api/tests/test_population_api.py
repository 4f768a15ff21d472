import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.api.models import ApiToken
from kampung.api.services import api_token_create, api_token_revoke
from kampung.audit.models import AuditEntry
from kampung.conftest import (
    DISTRICT_A,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    make_other_regency,
)
from kampung.core.errors import KampungError
from kampung.population import services
from kampung.population.models import BasicStatus, Sex
from kampung.population.tests.factories import make_family, make_resident

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


@pytest.fixture
def people(world):
    family = make_family(world, VILLAGE_A1, dusun="Krajan", rw="001", rt="002")
    slamet = make_resident(world, VILLAGE_A1, name="Ahmad Slamet", family=family)
    services.family_change(
        actor=world.user(Role.OPERATOR, VILLAGE_A1),
        resident=slamet,
        family=family,
        relation=1,
        change_date=dt.date(2024, 1, 2),
    )
    siti = make_resident(
        world, VILLAGE_A1, name="Siti Aminah", sex=Sex.FEMALE, birth=dt.date(1992, 3, 4), family=family
    )
    return {
        "family": family,
        "slamet": slamet,
        "siti": siti,
        "sulastri": make_resident(world, VILLAGE_A2, name="Sulastri Slamet", sex=Sex.FEMALE),
        "budi": make_resident(world, VILLAGE_B1, name="Budi Slamet Santoso", birth=dt.date(1960, 2, 2)),
    }


def bearer(plain):
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def token_for(user, **kw):
    return api_token_create(actor=None, user=user, name="uji", **kw).plain


def test_login_is_required(client, people):
    for path in (
        "/penduduk",
        f"/penduduk/{people['slamet'].pk}",
        "/keluarga",
        f"/keluarga/{people['family'].pk}",
    ):
        response = client.get(BASE + path)
        assert response.status_code == 401
        assert response.json()["code"] == "belum_masuk"
        assert "token" in response.json()["detail"]
    assert client.get(BASE + "/penduduk", **bearer("kmp_00000000_salah")).status_code == 401
    assert client.get(BASE + "/penduduk", HTTP_AUTHORIZATION="Basic abc").status_code == 401


def test_token_authenticates_and_records_use(client, world, people):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    issued = api_token_create(actor=operator, user=operator, name="Aplikasi posyandu", days=30)
    stored = ApiToken.objects.get()
    assert issued.plain.startswith(f"kmp_{stored.prefix}_")
    assert issued.plain not in stored.secret_hash and len(stored.secret_hash) == 64
    assert stored.expires_at > timezone.now() + dt.timedelta(days=29)
    response = client.get(BASE + "/penduduk?q=slamet", **bearer(issued.plain))
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["items"]] == ["Ahmad Slamet"]
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    assert AuditEntry.objects.filter(act="api.token.create", object_id=str(stored.pk)).exists()


def test_session_authenticates(client, world, people):
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    response = client.get(BASE + "/penduduk")
    assert response.status_code == 200
    assert {r["name"] for r in response.json()["items"]} == {"Ahmad Slamet", "Siti Aminah"}


def test_revoked_and_expired_tokens_are_refused(client, world, people):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    revoked = api_token_create(actor=None, user=operator, name="lama")
    api_token_revoke(actor=None, token=revoked.token)
    assert client.get(BASE + "/penduduk", **bearer(revoked.plain)).status_code == 401
    with pytest.raises(KampungError, match="sudah dicabut"):
        api_token_revoke(actor=None, token=revoked.token)

    expiring = api_token_create(actor=None, user=operator, name="sebentar", days=1)
    assert client.get(BASE + "/penduduk", **bearer(expiring.plain)).status_code == 200
    ApiToken.objects.filter(pk=expiring.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(BASE + "/penduduk", **bearer(expiring.plain)).status_code == 401

    # A wrong secret behind a real prefix, and a deactivated user, are refused too.
    good = api_token_create(actor=None, user=operator, name="benar")
    assert client.get(BASE + "/penduduk", **bearer(good.plain[:-2] + "xx")).status_code == 401
    operator.is_active = False
    operator.save()
    assert client.get(BASE + "/penduduk", **bearer(good.plain)).status_code == 401


def test_token_rules(world):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    with pytest.raises(KampungError, match="Nama token"):
        api_token_create(actor=None, user=operator, name="  ")
    with pytest.raises(KampungError, match="Masa berlaku"):
        api_token_create(actor=None, user=operator, name="x", days=0)
    assert not ApiToken.objects.exists()


def test_scope_other_village_is_not_found_and_other_regency_invisible(client, world, people):
    operator = token_for(world.user(Role.OPERATOR, VILLAGE_A1))
    response = client.get(BASE + f"/penduduk/{people['budi'].pk}", **bearer(operator))
    assert response.status_code == 404
    assert response.json() == {"detail": "Data tidak ditemukan.", "code": "tidak_ditemukan"}
    assert client.get(BASE + f"/keluarga/{people['family'].pk}", **bearer(operator)).status_code == 200
    other_operator = token_for(world.user(Role.OPERATOR, VILLAGE_A2))
    assert client.get(BASE + f"/keluarga/{people['family'].pk}", **bearer(other_operator)).status_code == 404
    names = [r["name"] for r in client.get(BASE + "/penduduk?q=slamet", **bearer(operator)).json()["items"]]
    assert names == ["Ahmad Slamet"]
    assert client.get(BASE + f"/penduduk?village={VILLAGE_B1}", **bearer(operator)).status_code == 404

    camat = token_for(world.user(Role.CAMAT, DISTRICT_A))
    names = [r["name"] for r in client.get(BASE + "/penduduk?q=slamet", **bearer(camat)).json()["items"]]
    assert names == ["Ahmad Slamet", "Sulastri Slamet"]

    other_admin, other_operator = make_other_regency()
    other = token_for(other_admin)
    assert client.get(BASE + "/penduduk?q=slamet", **bearer(other)).json()["items"] == []
    assert client.get(BASE + "/keluarga", **bearer(other)).json()["items"] == []
    assert client.get(BASE + f"/penduduk/{people['slamet'].pk}", **bearer(other)).status_code == 404
    # A resident's own account does not read the register.
    warga = token_for(world.user(Role.RESIDENT, VILLAGE_A1))
    assert client.get(BASE + "/penduduk", **bearer(warga)).json()["items"] == []


def test_masking_follows_the_role(client, world, people):
    slamet = people["slamet"]
    masked_nik = slamet.nik[:4] + "*" * 8 + slamet.nik[12:]
    kk = people["family"].kk_number
    operator = token_for(world.user(Role.OPERATOR, VILLAGE_A1))
    camat = token_for(world.user(Role.CAMAT, DISTRICT_A))
    admin = token_for(world.user(Role.ADMIN, REGENCY))

    full = client.get(BASE + f"/penduduk/{slamet.pk}", **bearer(operator)).json()
    assert full["nik"] == slamet.nik and full["kk_number"] == kk
    assert full["name"] == "Ahmad Slamet" and full["sex"] == {"code": 1, "label": "Laki-laki"}
    assert full["religion"]["label"] == "Islam" and full["village"]["code"] == VILLAGE_A1
    assert full["events"][0]["kind"] == "ganti_kk"
    for token in (camat, admin):
        detail = client.get(BASE + f"/penduduk/{slamet.pk}", **bearer(token)).json()
        assert detail["nik"] == masked_nik and detail["kk_number"] == kk[:4] + "*" * 8 + kk[12:]
        listed = client.get(BASE + f"/penduduk?q={slamet.nik}", **bearer(token)).json()["items"]
        assert [r["nik"] for r in listed] == [masked_nik]
        family = client.get(BASE + f"/keluarga?q={kk}", **bearer(token)).json()["items"]
        assert [f["kk_number"] for f in family] == [kk[:4] + "*" * 8 + kk[12:]]
    family = client.get(BASE + f"/keluarga/{people['family'].pk}", **bearer(operator)).json()
    assert family["kk_number"] == kk and family["head"]["name"] == "Ahmad Slamet"
    assert family["members"] == 2
    assert [m["name"] for m in family["member_list"]] == ["Ahmad Slamet", "Siti Aminah"]
    assert family["member_list"][0]["nik"] == slamet.nik


def test_detail_views_are_audited(client, world, people):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    token = token_for(operator)
    client.get(BASE + f"/penduduk/{people['slamet'].pk}", **bearer(token))
    client.get(BASE + f"/keluarga/{people['family'].pk}", **bearer(token))
    views = AuditEntry.objects.filter(act="view", actor=operator)
    assert sorted(views.values_list("object_type", flat=True)) == ["population.Family", "population.Resident"]
    client.get(BASE + f"/penduduk/{people['budi'].pk}", **bearer(token))  # out of scope: no entry
    assert views.count() == 2


def test_pagination_without_counting(client, world, people, django_assert_max_num_queries):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    for i in range(5):
        make_resident(world, VILLAGE_A1, name=f"Slamet Nomor{i}")
    token = token_for(operator)
    seen = []
    url = BASE + "/penduduk?q=slamet&limit=2"
    pages = 0
    while url:
        with django_assert_max_num_queries(6):
            body = client.get(url, **bearer(token)).json()
        assert len(body["items"]) <= 2 and body["limit"] == 2
        seen += [r["name"] for r in body["items"]]
        url = body["next"]
        pages += 1
    assert pages == 3 and len(seen) == 6 == len(set(seen))
    assert seen == sorted(seen, key=str.lower)
    last = client.get(BASE + "/penduduk?q=slamet&limit=2&page=3", **bearer(token)).json()
    assert last["next"] is None and "page=2" in last["previous"]
    assert client.get(BASE + "/penduduk?q=slamet&page=9", **bearer(token)).json()["items"] == []
    families = client.get(BASE + "/keluarga?limit=1", **bearer(token)).json()
    assert len(families["items"]) == 1 and families["next"] is None


def test_filters(client, world, people):
    token = token_for(world.user(Role.OPERATOR, VILLAGE_A1))

    def names(query):
        return sorted(
            r["name"] for r in client.get(BASE + "/penduduk?" + query, **bearer(token)).json()["items"]
        )

    assert names("sex=2") == ["Siti Aminah"]
    assert names("dusun=Krajan&rw=001&rt=002") == ["Ahmad Slamet", "Siti Aminah"]
    assert names("age_min=33&age_max=33") == names("age_min=33&age_max=33")
    assert names(f"status={BasicStatus.DEAD}") == []
    assert names("sort=-umur") == ["Ahmad Slamet", "Siti Aminah"]


@pytest.mark.parametrize(
    "query",
    [
        "sex=x",
        "sex=3",
        "age_min=-1",
        "age_max=abc",
        "page=0",
        "page=99999999999999999999999",
        "limit=101",
        "limit=0",
        "status=5",
        "sort=gaji",
        "village=35.10",
        "village=%27%3B%20drop",
        "q=" + "a" * 101,
        # Control characters (PostgreSQL refuses a NUL: this was a 500 found by Schemathesis).
        "rt=%00",
        "dusun=Krajan%0A",
        "q=Slamet%00",
    ],
)
def test_junk_parameters_give_422_in_indonesian(client, world, query):
    token = token_for(world.user(Role.ADMIN, REGENCY))
    response = client.get(BASE + "/penduduk?" + query, **bearer(token))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "parameter_tidak_sah" and body["detail"].startswith("Parameter tidak sah")
    assert body["errors"] and all(e["field"] and e["message"] for e in body["errors"])
    if "%0" in query:
        assert body["errors"][0]["message"].startswith("berisi karakter yang tidak boleh")


def test_control_characters_in_a_family_search_give_422(client, world):
    token = token_for(world.user(Role.ADMIN, REGENCY))
    response = client.get(BASE + "/keluarga?q=%00", **bearer(token))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "q"


@pytest.mark.parametrize(
    "path",
    [
        "/penduduk/abc",
        "/penduduk/0",
        "/penduduk/-3",
        "/penduduk/99999999999999999999999999",
        "/keluarga/1.5",
        "/keluarga/999999999",
        "/keluarga?page=abc",
        "/penduduk?q=%00%ff",
        "/penduduk?q=12345",
        "/keluarga?q=xx",
    ],
)
def test_junk_never_gives_500(client, world, path):
    token = token_for(world.user(Role.ADMIN, REGENCY))
    response = client.get(BASE + path, **bearer(token))
    assert response.status_code in (200, 404, 422)
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json() or "items" in response.json()


def test_openapi_schema_lists_the_endpoints(client):
    response = client.get(BASE + "/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"] == {**schema["info"], "title": "Kampung API", "version": "v1"}
    paths = set(schema["paths"])
    assert {
        "/api/v1/penduduk",
        "/api/v1/penduduk/{resident_id}",
        "/api/v1/keluarga",
        "/api/v1/keluarga/{family_id}",
    } <= paths
    listing = schema["paths"]["/api/v1/penduduk"]["get"]
    params = {p["name"] for p in listing["parameters"]}
    assert {
        "q",
        "village",
        "dusun",
        "rw",
        "rt",
        "sex",
        "age_min",
        "age_max",
        "status",
        "page",
        "limit",
    } <= params
    assert {"401", "422"} <= set(listing["responses"])
    assert listing["security"]
    # Every $ref points at a schema that is there.
    import json
    import re

    for ref in set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(schema))):
        assert ref in schema["components"]["schemas"]


def test_docs_page_uses_local_assets(client, world):
    response = client.get(BASE + "/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_token_command(world, capsys):
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    call_command("api", "token", "create", operator.username, "--name", "Posyandu", "--days", "7")
    out = capsys.readouterr().out
    plain = out.strip().splitlines()[-1]
    token = ApiToken.objects.get(user=operator)
    assert plain.startswith(f"kmp_{token.prefix}_") and token.name == "Posyandu"
    call_command("api", "token", "list", operator.username)
    assert token.prefix in capsys.readouterr().out
    call_command("api", "token", "revoke", token.prefix)
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(CommandError, match="sudah dicabut"):
        call_command("api", "token", "revoke", token.prefix)
    with pytest.raises(CommandError, match="tidak ada"):
        call_command("api", "token", "create", "siapa", "--name", "x")
