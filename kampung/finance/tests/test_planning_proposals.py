"""Residents' proposals: the portal (own proposals only), the counter, the Musdes decision,
into the RKPDes in one step, the list with filters and Excel, and the village panel."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import KELURAHAN_B, VILLAGE_A1, VILLAGE_A2
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.models import Proposal, ProposalChannel, ProposalStatus, RkpActivity
from kampung.finance.services import planning as svc
from kampung.finance.tests.test_planning_factories import (
    code,
    make_musdes,
    make_rkp,
    make_rpjm,
    region,
    secretary,
    source,
)
from kampung.population import portal
from kampung.population.models import Sex
from kampung.population.tests.factories import make_resident, nik_for

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _resident_user(world, village, name="Slamet Riyadi", birth=dt.date(1980, 5, 4)):
    resident = make_resident(world, village, name=name, birth=birth)
    account, _pin = portal.account_activate(actor=world.user(Role.OPERATOR, village), resident=resident)
    user = account.user
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    return resident, user


def _submit(resident, user=None, **kw):
    data = svc.ProposalInput(
        title=kw.get("title", "Lampu jalan dusun Krajan"),
        description=kw.get("description", "Jalan gelap di malam hari."),
        location=kw.get("location", "Dusun Krajan RT 02"),
        estimated_cost=kw.get("estimated_cost", Decimal("15000000")),
        year=kw.get("year"),
    )
    return svc.proposal_submit(
        resident=resident, channel=kw.get("channel", ProposalChannel.ONLINE), data=data, actor=user
    )


# -- services ------------------------------------------------------------------------------


def test_submit_defaults_to_next_year_in_own_village_audited(world):
    resident, user = _resident_user(world, VILLAGE_A1)
    p = _submit(resident, user)
    assert (p.village_id, p.year, p.status, p.channel) == (
        VILLAGE_A1,
        2026,
        ProposalStatus.SUBMITTED,
        "daring",
    )
    assert AuditEntry.objects.filter(act="finance.proposal.submit", object_id=str(p.pk)).exists()


def test_submit_rules(world):
    resident, user = _resident_user(world, VILLAGE_A1)
    for kw in (
        {"title": ""},
        {"description": "  "},
        {"year": 2024},
        {"year": 2040},
        {"estimated_cost": Decimal(-1)},
    ):
        with pytest.raises(KampungError):
            _submit(resident, user, **kw)
    with pytest.raises(NotPermitted):  # the counter channel needs village staff
        _submit(resident, world.user(Role.TREASURER, VILLAGE_A1), channel=ProposalChannel.COUNTER)
    with pytest.raises(NotPermitted):
        _submit(resident, secretary(world, VILLAGE_A2), channel=ProposalChannel.COUNTER)
    assert not Proposal.objects.exists()
    p = _submit(resident, world.user(Role.OPERATOR, VILLAGE_A1), channel=ProposalChannel.COUNTER)
    assert p.channel == "loket"
    kiosk = _submit(resident, None, channel=ProposalChannel.KIOSK)  # reusable by the kiosk (#10)
    assert kiosk.channel == "anjungan"


def test_decision_needs_a_musdes_of_the_village(world):
    resident, user = _resident_user(world, VILLAGE_A1)
    p = _submit(resident, user)
    actor = secretary(world, VILLAGE_A1)
    with pytest.raises(KampungError, match="Pilih Musdes"):
        svc.proposal_decide(actor=actor, proposal=p, accepted=True, musdes=None)
    with pytest.raises(KampungError, match="bukan Musdes desa ini"):
        svc.proposal_decide(actor=actor, proposal=p, accepted=True, musdes=make_musdes(world, VILLAGE_A2))
    musdes = make_musdes(world, VILLAGE_A1)
    with pytest.raises(KampungError, match="alasan"):
        svc.proposal_decide(actor=actor, proposal=p, accepted=False, musdes=musdes, note="")
    p.refresh_from_db()
    assert p.status == ProposalStatus.SUBMITTED and p.musdes is None
    with pytest.raises(NotPermitted):
        svc.proposal_decide(actor=world.user(Role.BPD, VILLAGE_A1), proposal=p, accepted=True, musdes=musdes)
    svc.proposal_decide(actor=actor, proposal=p, accepted=True, musdes=musdes, note="Prioritas 2026")
    p.refresh_from_db()
    assert p.status == ProposalStatus.ACCEPTED and p.decided_by == actor
    assert AuditEntry.objects.filter(act="finance.proposal.decide").exists()
    with pytest.raises(KampungError, match="sudah diputuskan"):
        svc.proposal_decide(actor=actor, proposal=p, accepted=False, musdes=musdes, note="x")


def test_accepted_proposal_into_rkpdes_in_one_step(world):
    resident, user = _resident_user(world, VILLAGE_A1)
    p = _submit(resident, user)
    actor = secretary(world, VILLAGE_A1)
    musdes = make_musdes(world, VILLAGE_A1)
    with pytest.raises(KampungError, match="diterima"):
        svc.proposal_to_rkp(actor=actor, proposal=p, activity_code=code("02.03.01"), source=source())
    svc.proposal_decide(actor=actor, proposal=p, accepted=True, musdes=musdes)
    with pytest.raises(KampungError, match="belum dibuat"):
        svc.proposal_to_rkp(actor=actor, proposal=p, activity_code=code("02.03.01"), source=source())
    make_rpjm(world, VILLAGE_A1, enacted=True)
    make_rkp(world, VILLAGE_A1, 2026)
    with pytest.raises(KampungError, match="kode kegiatan"):
        svc.proposal_to_rkp(actor=actor, proposal=p, activity_code=None, source=source())
    activity = svc.proposal_to_rkp(
        actor=actor, proposal=p, activity_code=code("02.03.01"), source=source("ADD")
    )
    p.refresh_from_db()
    assert p.rkp_activity == activity
    assert (activity.name, activity.amount, activity.source_id) == (p.title, Decimal("15000000.00"), "ADD")
    with pytest.raises(KampungError, match="sudah menjadi"):
        svc.proposal_to_rkp(actor=actor, proposal=p, activity_code=code("02.03.01"), source=source())
    assert RkpActivity.objects.filter(proposals=p).count() == 1


# -- portal --------------------------------------------------------------------------------


def test_portal_list_new_and_detail(client, world):
    resident, user = _resident_user(world, VILLAGE_A1)
    client.force_login(user)
    assert "belum pernah" in client.get(reverse("finance_portal:list")).content.decode()
    response = client.post(
        reverse("finance_portal:new"),
        {"title": "Sumur bor", "description": "Air bersih untuk RT 3", "location": "RT 3", "year": "2026",
         "activity_code": code("02.03.01").pk, "estimated_cost": ""},
    )  # fmt: skip
    p = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "finance_portal:detail", args=[p.pk]
    )
    assert (p.resident, p.village_id, p.channel, p.estimated_cost) == (resident, VILLAGE_A1, "daring", None)
    secretary_user = secretary(world, VILLAGE_A1)
    svc.proposal_decide(
        actor=secretary_user, proposal=p, accepted=False, musdes=make_musdes(world, VILLAGE_A1, title="Musdes Agustus"),
        note="Sudah dianggarkan kabupaten.",
    )  # fmt: skip
    page = client.get(reverse("finance_portal:list")).content.decode()
    assert "Tidak diterima Musdes" in page and "Musdes Agustus" in page and "Sudah dianggarkan" in page
    detail = client.get(reverse("finance_portal:detail", args=[p.pk])).content.decode()
    assert "Sudah dianggarkan kabupaten." in detail


def test_portal_bad_input_no_change(client, world):
    _resident, user = _resident_user(world, VILLAGE_A1)
    client.force_login(user)
    for data in (
        {},
        {"title": "x", "description": "y", "year": "abc"},
        {"title": "x", "description": "y", "year": "2026", "activity_code": "99999"},
    ):
        assert client.post(reverse("finance_portal:new"), data).status_code == 200
    assert not Proposal.objects.exists()


def test_resident_sees_only_own_proposals(client, world):
    r1, u1 = _resident_user(world, VILLAGE_A1, name="Satu")
    r2, u2 = _resident_user(world, VILLAGE_A1, name="Dua", birth=dt.date(1985, 2, 3))
    mine = _submit(r1, u1, title="Usulan saya")
    theirs = _submit(r2, u2, title="Usulan tetangga")
    client.force_login(u1)
    page = client.get(reverse("finance_portal:list")).content.decode()
    assert "Usulan saya" in page and "Usulan tetangga" not in page
    assert client.get(reverse("finance_portal:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("finance_portal:detail", args=[mine.pk])).status_code == 200


def test_staff_get_404_on_portal_and_residents_404_on_staff_pages(client, world):
    resident, user = _resident_user(world, VILLAGE_A1)
    p = _submit(resident, user)
    client.force_login(secretary(world, VILLAGE_A1))
    assert client.get(reverse("finance_portal:list")).status_code == 404
    client.force_login(user)
    assert client.get(reverse("finance:proposal_list", args=[VILLAGE_A1])).status_code == 404
    assert client.get(reverse("finance:proposal_detail", args=[VILLAGE_A1, p.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("finance_portal:list"))["Location"].startswith(reverse("portal:login"))


def test_kelurahan_resident_cannot_propose(client, world):
    from kampung.population import services as population

    resident = population.resident_create(
        actor=world.user(Role.HEAD, KELURAHAN_B),
        village=region(KELURAHAN_B),
        nik=nik_for(KELURAHAN_B, dt.date(1980, 1, 5), Sex.MALE),
        name="Warga Kelurahan",
        birth_date=dt.date(1980, 1, 5),
        sex=Sex.MALE,
    )
    with pytest.raises(KampungError, match="kelurahan"):
        svc.proposal_submit(
            resident=resident,
            channel=ProposalChannel.KIOSK,
            data=svc.ProposalInput(title="x", description="y"),
        )
    account, _pin = portal.account_activate(actor=world.user(Role.HEAD, KELURAHAN_B), resident=resident)
    account.user.must_change_password = False
    account.user.save(update_fields=["must_change_password"])
    client.force_login(account.user)
    assert "tidak tersedia untuk kelurahan" in client.get(reverse("finance_portal:list")).content.decode()
    assert (
        client.post(
            reverse("finance_portal:new"), {"title": "x", "description": "y", "year": "2026"}
        ).status_code
        == 302
    )
    assert not Proposal.objects.exists()


# -- staff pages ---------------------------------------------------------------------------


def _url(name, *args):
    return reverse(f"finance:{name}", args=args)


def test_counter_entry_picks_resident_by_nik_in_the_village(client, world):
    resident = make_resident(world, VILLAGE_A1, name="Parmi", birth=dt.date(1970, 7, 7))
    outsider = make_resident(world, VILLAGE_A2, name="Luar", birth=dt.date(1971, 7, 7))
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    base = {"title": "Drainase", "description": "Banjir tiap hujan", "year": "2026"}
    response = client.post(_url("proposal_counter", VILLAGE_A1), {**base, "nik": outsider.nik})
    assert response.status_code == 200 and "tidak tercatat" in response.content.decode()
    assert client.post(_url("proposal_counter", VILLAGE_A1), {**base, "nik": "123"}).status_code == 200
    response = client.post(_url("proposal_counter", VILLAGE_A1), {**base, "nik": resident.nik})
    p = Proposal.objects.get()
    assert response.status_code == 302 and (p.resident, p.channel) == (resident, "loket")
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    assert client.get(_url("proposal_counter", VILLAGE_A1)).status_code == 403


def test_decide_and_add_to_rkp_over_http(client, world):
    resident, user = _resident_user(world, VILLAGE_A1)
    p = _submit(resident, user)
    foreign = make_musdes(world, VILLAGE_A2)
    client.force_login(world.user(Role.BPD, VILLAGE_A1))
    assert client.get(_url("proposal_detail", VILLAGE_A1, p.pk)).status_code == 200
    assert client.post(_url("proposal_decide", VILLAGE_A1, p.pk), {"decision": "terima"}).status_code == 403
    client.force_login(secretary(world, VILLAGE_A1))
    client.post(_url("proposal_decide", VILLAGE_A1, p.pk), {"decision": "terima", "musdes": ""})
    client.post(_url("proposal_decide", VILLAGE_A1, p.pk), {"decision": "terima", "musdes": foreign.pk})
    client.post(_url("proposal_decide", VILLAGE_A1, p.pk), {"decision": "mungkin", "musdes": "x"})
    p.refresh_from_db()
    assert p.status == ProposalStatus.SUBMITTED
    musdes = make_musdes(world, VILLAGE_A1)
    client.post(
        _url("proposal_decide", VILLAGE_A1, p.pk), {"decision": "terima", "musdes": musdes.pk, "note": "OK"}
    )
    p.refresh_from_db()
    assert p.status == ProposalStatus.ACCEPTED and p.musdes == musdes
    make_rpjm(world, VILLAGE_A1, enacted=True)
    make_rkp(world, VILLAGE_A1, 2026)
    page = client.get(_url("proposal_detail", VILLAGE_A1, p.pk)).content.decode()
    assert "Masukkan ke RKPDes 2026" in page
    client.post(
        _url("proposal_to_rkp", VILLAGE_A1, p.pk),
        {"activity_code": code("02.03.01").pk, "source": "DDS", "amount": "12000000"},
    )
    p.refresh_from_db()
    assert p.rkp_activity is not None and p.rkp_activity.amount == Decimal("12000000")
    client.force_login(secretary(world, VILLAGE_A2))
    assert client.get(_url("proposal_detail", VILLAGE_A1, p.pk)).status_code == 404
    assert client.get(_url("proposal_detail", VILLAGE_A2, p.pk)).status_code == 404
    client.force_login(world.user(Role.HEAD, KELURAHAN_B))
    assert client.get(_url("proposal_list", KELURAHAN_B)).status_code == 404


def test_list_filters_search_pagination_excel_and_query_bound(client, world, django_assert_max_num_queries):
    resident, user = _resident_user(world, VILLAGE_A1)
    for i in range(30):
        _submit(resident, user, title=f"Usulan {i:02d}", year=2026 if i % 2 else 2027)
    other, other_user = _resident_user(world, VILLAGE_A2, name="Tetangga desa")
    _submit(other, other_user, title="Usulan desa lain")
    client.force_login(secretary(world, VILLAGE_A1))
    with django_assert_max_num_queries(12):
        response = client.get(_url("proposal_list", VILLAGE_A1))
    page = response.content.decode()
    assert "Halaman 1 dari 2" in page and "Usulan desa lain" not in page
    page = client.get(_url("proposal_list", VILLAGE_A1), {"tahun": "2027", "q": "Usulan 0"}).content.decode()
    assert "Usulan 00" in page and "Usulan 01" not in page
    assert (
        client.get(
            _url("proposal_list", VILLAGE_A1), {"tahun": "x", "status": "zzz", "page": "99"}
        ).status_code
        == 200
    )
    response = client.get(_url("proposal_excel", VILLAGE_A1), {"tahun": "2026"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    titles = [r[2] for r in rows[3:]]
    assert len(titles) == 15 and all(t.startswith("Usulan ") for t in titles)


def test_village_panel_counts(world):
    resident, user = _resident_user(world, VILLAGE_A1)
    for _ in range(3):
        _submit(resident, user)
    make_rpjm(world, VILLAGE_A1, enacted=True)
    html = render_to_string(
        "finance/planning/_village_panel.html", {"village": region(VILLAGE_A1), "year": 2026}
    )
    assert "3 usulan warga menunggu keputusan" in html
    assert reverse("finance:rpjm_list", args=[VILLAGE_A1]) in html
    assert "RKPDes 2026" in html and "belum dibuat" in html


def test_online_channel_only_for_the_resident_themself(world):
    resident, _user = _resident_user(world, VILLAGE_A1)
    _other, other_user = _resident_user(world, VILLAGE_A1, name="Lain", birth=dt.date(1983, 3, 3))
    for actor in (other_user, secretary(world, VILLAGE_A1), None):
        with pytest.raises(NotPermitted):
            _submit(resident, actor)
    assert not Proposal.objects.exists()
