"""The delegation register: bases, formulas, time windows, revocation, ceilings, routing."""

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from kampung.accounts.models import RoleAssignment
from kampung.accounts.roles import Role
from kampung.accounts.scope import forget_scope
from kampung.authority.acts import get_act
from kampung.authority.models import ActRecord, DelegationKind, InstrumentKind, MatterStatus, TargetScope
from kampung.authority.register import (
    DelegationInput,
    delegation_create,
    delegation_revoke,
    instrument_create,
)
from kampung.authority.services import (
    act_record,
    matter_decide,
    matter_queue,
    matter_route,
    may_act,
    register_matter_handler,
    signature_block,
    who_holds,
)
from kampung.conftest import DISTRICT_A, DISTRICT_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.core.errors import KampungError, NotPermitted
from kampung.regions.models import Region

RTLH = "assistance.rtlh.decide"
SIGN = "letters.sign.keterangan-domisili"
EVALUATE = "finance.apbdes.evaluate"
TODAY = dt.date(2026, 11, 28)


def R(code):
    return Region.objects.get(code=code)


@pytest.fixture
def perbup(world):
    return instrument_create(
        actor=world.user(Role.ADMIN, REGENCY),
        regency=R(REGENCY),
        kind=InstrumentKind.PERBUP,
        number="12",
        date=dt.date(2017, 4, 8),
        title="Pelimpahan Sebagian Kewenangan Bupati kepada Kepala Desa",
    )


def delegate(world, instrument, **overrides):
    data = {
        "kind": DelegationKind.DELEGASI,
        "from_role": Role.BUPATI,
        "from_region": R(REGENCY),
        "to_role": Role.HEAD,
        "to_region": R(REGENCY),
        "to_scope": TargetScope.VILLAGES_UNDER,
        "acts": [RTLH],
        "valid_from": dt.date(2017, 5, 1),
    }
    data.update(overrides)
    actor = overrides.pop("actor", None) or world.user(Role.ADMIN, REGENCY)
    data.pop("actor", None)
    return delegation_create(actor=actor, instrument=instrument, data=DelegationInput(**data))


def test_holder_by_law_acts_on_atribusi_and_others_are_told_who_holds(world):
    bupati = world.user(Role.BUPATI, REGENCY)
    decision = may_act(bupati, RTLH, VILLAGE_A1)
    assert decision.allowed and decision.basis == "atribusi"
    refused = may_act(world.user(Role.HEAD, VILLAGE_A1), RTLH, VILLAGE_A1)
    assert not refused.allowed
    assert "Bupati Banyuwangi" in refused.reason
    assert (refused.holder_role, refused.holder_region) == (Role.BUPATI, REGENCY)


def test_delegasi_to_every_village_head(world, perbup):
    delegate(world, perbup)
    head = world.user(Role.HEAD, VILLAGE_A1)
    decision = may_act(head, RTLH, VILLAGE_A1)
    assert decision.allowed and decision.basis == "delegasi"
    assert decision.instrument == "Peraturan Bupati Banyuwangi Nomor 12 Tahun 2017"
    # Only for their own village, and only the head.
    assert not may_act(head, RTLH, VILLAGE_A2)
    assert not may_act(world.user(Role.SECRETARY, VILLAGE_A1), RTLH, VILLAGE_A1)
    # Acts not covered stay with the holder.
    assert not may_act(head, "assistance.blt.decide", VILLAGE_A1)
    # The bupati keeps the power too.
    assert may_act(world.user(Role.BUPATI, REGENCY), RTLH, VILLAGE_A1).basis == "atribusi"
    block = signature_block(decision=decision, signer=head)
    assert block.lines == ["Kepala Desa Sarongan"]
    assert block.basis_note == "berdasarkan Peraturan Bupati Banyuwangi Nomor 12 Tahun 2017"
    assert "berdasarkan Peraturan Bupati Banyuwangi Nomor 12 Tahun 2017" in block.text()


def test_ceiling(world, perbup):
    delegate(world, perbup, amount_ceiling=Decimal("20000000"))
    head = world.user(Role.HEAD, VILLAGE_A1)
    assert may_act(head, RTLH, VILLAGE_A1, Decimal("20000000"))
    over = may_act(head, RTLH, VILLAGE_A1, Decimal("20000001"))
    assert not over
    assert "melebihi batas pelimpahan Rp 20.000.000" in over.reason
    assert who_holds(RTLH, VILLAGE_A1, Decimal("25000000")) == (Role.BUPATI, REGENCY)
    assert who_holds(RTLH, VILLAGE_A1, Decimal("5000000")) == (Role.HEAD, VILLAGE_A1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.integers(min_value=0, max_value=300),
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=300)),
    revoke_after=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
    probe=st.integers(min_value=-50, max_value=800),
)
def test_time_windows_and_revocation(world, perbup, start, length, revoke_after, probe):
    """An act is allowed exactly while the delegation is in force: on or after its start,
    up to and including its end, and before the day it is revoked."""
    base = dt.date(2024, 1, 1)
    valid_from = base + dt.timedelta(days=start)
    valid_until = None if length is None else valid_from + dt.timedelta(days=length)
    delegation = delegate(world, perbup, valid_from=valid_from, valid_until=valid_until)
    revoked_on = None
    if revoke_after is not None:
        revoked_on = valid_from + dt.timedelta(days=revoke_after)
        delegation_revoke(actor=None, delegation=delegation, revoked_on=revoked_on, reason="Perbup diganti")
    day = base + dt.timedelta(days=probe)
    expected = (
        day >= valid_from
        and (valid_until is None or day <= valid_until)
        and (revoked_on is None or day < revoked_on)
    )
    head = world.user(Role.HEAD, VILLAGE_A1)
    decision = may_act(head, RTLH, VILLAGE_A1, at=day)
    assert decision.allowed == expected
    assert decision.basis == ("delegasi" if expected else "")
    delegation.delete()


def test_acts_before_revocation_keep_their_basis(world, perbup):
    delegation = delegate(world, perbup)
    head = world.user(Role.HEAD, VILLAGE_A1)
    decision = may_act(head, RTLH, VILLAGE_A1)
    record = act_record(
        decision=decision, actor=head, act=RTLH, region=VILLAGE_A1, object_type="uji", object_id="1"
    )
    delegation_revoke(
        actor=world.user(Role.ADMIN, REGENCY), delegation=delegation, revoked_on=TODAY, reason="Dicabut"
    )
    after = may_act(head, RTLH, VILLAGE_A1, at=TODAY)
    assert not after
    assert "dicabut sejak 28 November 2026" in after.reason
    record.refresh_from_db()
    assert (record.basis, record.delegation_id) == ("delegasi", delegation.pk)
    assert may_act(head, RTLH, VILLAGE_A1, at=TODAY - dt.timedelta(days=1)).allowed
    with pytest.raises(KampungError):
        delegation_revoke(actor=None, delegation=delegation, revoked_on=TODAY, reason="lagi")


def test_mandat_inside_the_village_and_u_b(world):
    head = world.user(Role.HEAD, VILLAGE_A1)
    sk = instrument_create(
        actor=head,
        regency=R(REGENCY),
        kind=InstrumentKind.SK_KADES,
        number="141/05/2026",
        date=dt.date(2026, 1, 5),
        title="Pemberian mandat penandatanganan surat",
        for_region=R(VILLAGE_A1),
    )
    mandat = delegate(
        world,
        sk,
        actor=head,
        kind=DelegationKind.MANDAT,
        from_role=Role.HEAD,
        from_region=R(VILLAGE_A1),
        to_role=Role.SECRETARY,
        to_region=R(VILLAGE_A1),
        to_scope=TargetScope.REGION,
        acts=["letters.sign.*"],
        valid_from=dt.date(2026, 1, 5),
    )
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    decision = may_act(secretary, SIGN, VILLAGE_A1)
    assert decision.allowed and decision.basis == "mandat"
    block = signature_block(decision=decision, signer=secretary)
    assert block.lines == ["a.n. Kepala Desa Sarongan", "Sekretaris Desa Sarongan"]
    assert not may_act(world.user(Role.SECRETARY, VILLAGE_A2), SIGN, VILLAGE_A2)
    # Passed on inside the office: u.b.
    delegate(
        world,
        sk,
        actor=head,
        kind=DelegationKind.MANDAT,
        from_role=Role.SECRETARY,
        from_region=R(VILLAGE_A1),
        to_role=Role.OPERATOR,
        to_region=R(VILLAGE_A1),
        to_scope=TargetScope.REGION,
        acts=["letters.sign.*"],
        valid_from=dt.date(2026, 1, 5),
        parent=mandat,
    )
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    decision = may_act(operator, SIGN, VILLAGE_A1)
    assert decision.basis == "mandat"
    lines = signature_block(decision=decision, signer=operator).lines
    assert lines == ["a.n. Kepala Desa Sarongan", "Sekretaris Desa Sarongan", "u.b. Operator desa Sarongan"]
    # A village head may not record mandates for another village.
    with pytest.raises(NotPermitted):
        instrument_create(
            actor=head,
            regency=R(REGENCY),
            kind=InstrumentKind.SK_KADES,
            number="9",
            date=dt.date(2026, 1, 5),
            title="x",
            for_region=R(VILLAGE_A2),
        )


def test_a_mandat_is_not_delegated_further(world, perbup):
    mandat = delegate(
        world, perbup, kind=DelegationKind.MANDAT, to_role=Role.CAMAT, to_scope=TargetScope.DISTRICTS_UNDER
    )
    with pytest.raises(KampungError) as err:
        delegate(
            world,
            perbup,
            kind=DelegationKind.DELEGASI,
            from_role=Role.CAMAT,
            from_region=R(DISTRICT_A),
            to_role=Role.HEAD,
            to_region=R(DISTRICT_A),
            to_scope=TargetScope.VILLAGES_UNDER,
            parent=mandat,
        )
    assert "Mandat tidak dapat dilimpahkan lebih lanjut" in err.value.message
    # Under the mandat the camat signs "a.n. Bupati Banyuwangi".
    camat = world.user(Role.CAMAT, DISTRICT_A)
    decision = may_act(camat, RTLH, VILLAGE_A1)
    assert decision.basis == "mandat"
    assert signature_block(decision=decision, signer=camat).lines == [
        "a.n. Bupati Banyuwangi",
        "Camat Pesanggaran",
    ]
    assert not may_act(camat, RTLH, VILLAGE_B1)


def test_a_delegasi_can_be_passed_on_as_a_mandat_and_cites_the_instrument(world, perbup):
    delegation = delegate(world, perbup)
    head = world.user(Role.HEAD, VILLAGE_A1)
    sk = instrument_create(
        actor=head,
        regency=R(REGENCY),
        kind=InstrumentKind.SK_KADES,
        number="1",
        date=dt.date(2026, 1, 5),
        title="Mandat",
        for_region=R(VILLAGE_A1),
    )
    delegate(
        world,
        sk,
        actor=head,
        kind=DelegationKind.MANDAT,
        from_role=Role.HEAD,
        from_region=R(VILLAGE_A1),
        to_role=Role.SECRETARY,
        to_region=R(VILLAGE_A1),
        to_scope=TargetScope.REGION,
        acts=[RTLH],
        valid_from=dt.date(2026, 1, 5),
        parent=delegation,
    )
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    block = signature_block(decision=may_act(secretary, RTLH, VILLAGE_A1), signer=secretary)
    assert block.lines == ["a.n. Kepala Desa Sarongan", "Sekretaris Desa Sarongan"]
    assert block.basis_note == "berdasarkan Peraturan Bupati Banyuwangi Nomor 12 Tahun 2017"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"to_role": Role.CAMAT}, "tidak berkedudukan"),
        ({"from_role": Role.HEAD, "from_region": VILLAGE_A1}, "Penerima harus berada"),
        ({"acts": ["tidak.ada"]}, "tidak dikenal"),
        ({"acts": []}, "paling sedikit satu"),
        (
            {"acts": [EVALUATE], "from_role": Role.CAMAT, "from_region": DISTRICT_A, "to_region": DISTRICT_A},
            "bukan pemegang kewenangan",
        ),
        ({"valid_until": dt.date(2016, 1, 1)}, "sebelum tanggal mulai"),
        ({"amount_ceiling": Decimal("-1")}, "lebih dari nol"),
    ],
)
def test_delegations_the_law_does_not_allow_are_refused(world, perbup, overrides, message):
    for key in ("from_region", "to_region"):
        if isinstance(overrides.get(key), str):
            overrides[key] = R(overrides[key])
    with pytest.raises(KampungError) as err:
        delegate(world, perbup, **overrides)
    assert message in err.value.message


def test_only_the_admin_keeps_the_register(world):
    with pytest.raises(NotPermitted):
        instrument_create(
            actor=world.user(Role.CAMAT, DISTRICT_A),
            regency=R(REGENCY),
            kind=InstrumentKind.PERBUP,
            number="1",
            date=TODAY,
            title="x",
        )


def test_acting_head_signs_with_the_acting_title(world):
    head = world.user(Role.HEAD, VILLAGE_B1)
    RoleAssignment.objects.filter(user=head).update(appointment="plt")
    forget_scope(head)
    decision = may_act(head, SIGN, VILLAGE_B1)
    assert signature_block(decision=decision, signer=head).lines == ["Plt. Kepala Desa Kemiren"]
    lurah = world.user(Role.HEAD, "35.10.15.1002")
    assert signature_block(decision=may_act(lurah, SIGN, "35.10.15.1002"), signer=lurah).lines == [
        "Lurah Bakungan"
    ]


def test_routing_up_to_the_holder_and_back(world, perbup):
    from kampung.core.tests.workflowapp.models import Paper

    signed = []

    def handler(matter, actor, decision, approve):
        paper = Paper.objects.get(pk=matter.object_id)
        paper.status = "dievaluasi" if approve else "dikembalikan"
        paper.save()
        signed.append(decision.basis)

    register_matter_handler("workflowapp.Paper", handler)
    paper = Paper.objects.create(village_id=VILLAGE_B1, status="diajukan")
    head = world.user(Role.HEAD, VILLAGE_B1)
    assert not may_act(head, EVALUATE, VILLAGE_B1)
    matter = matter_route(
        actor=head,
        act=EVALUATE,
        region=R(VILLAGE_B1),
        object_type="workflowapp.Paper",
        object_id=str(paper.pk),
        title="Evaluasi APBDes Kemiren 2027",
    )
    assert (matter.holder_role, matter.holder_region_id) == (Role.BUPATI, REGENCY)
    assert (
        matter_route(
            actor=head,
            act=EVALUATE,
            region=R(VILLAGE_B1),
            object_type="workflowapp.Paper",
            object_id=str(paper.pk),
            title="lagi",
        )
        == matter
    )
    assert matter in matter_queue(actor=world.user(Role.BUPATI, REGENCY))
    assert matter_queue(actor=world.user(Role.CAMAT, DISTRICT_B)) == []
    with pytest.raises(NotPermitted):
        matter_decide(actor=world.user(Role.CAMAT, DISTRICT_B), matter=matter, approve=True)
    outcome = matter_decide(actor=world.user(Role.BUPATI, REGENCY), matter=matter, approve=True)
    paper.refresh_from_db()
    assert paper.status == "dievaluasi"
    assert outcome.matter.status == MatterStatus.DONE
    assert outcome.signature.lines == ["Bupati Banyuwangi"]
    assert ActRecord.objects.filter(act=EVALUATE, region_id=VILLAGE_B1, basis="atribusi").exists()
    with pytest.raises(KampungError):
        matter_decide(actor=world.user(Role.BUPATI, REGENCY), matter=matter, approve=True)


def test_routing_goes_to_the_camat_when_evaluation_is_delegated(world, perbup):
    delegate(world, perbup, acts=[EVALUATE], to_role=Role.CAMAT, to_scope=TargetScope.DISTRICTS_UNDER)
    head = world.user(Role.HEAD, VILLAGE_B1)
    matter = matter_route(
        actor=head,
        act=EVALUATE,
        region=R(VILLAGE_B1),
        object_type="uji",
        object_id="7",
        title="Evaluasi APBDes",
    )
    assert (matter.holder_role, matter.holder_region_id) == (Role.CAMAT, DISTRICT_B)
    camat = world.user(Role.CAMAT, DISTRICT_B)
    assert matter_queue(actor=camat) == [matter]
    outcome = matter_decide(actor=camat, matter=matter, approve=False, note="Lengkapi RAB")
    assert outcome.matter.status == MatterStatus.RETURNED
    assert outcome.signature is None


# Authority acts only: audit entries use the same app prefixes for their own action names
# ("letters.type.update", "finance.apbdes.line.save"), which are not powers. A finance act is
# <object>.<verb> on a document that carries powers, with one of the verbs of a power;
# "finance.proposal.submit" (a resident's proposal) and "finance.spp.submit" (the executor
# hands in a request) are audit actions, not powers. An assistance act is a programme's
# decision (``assistance.<programme>.decide``); "assistance.case.register" and the like are
# steps on a case's timeline, audited, not powers.
FINANCE_VERBS = "agree|submit|evaluate|enact|elaborate|verify|approve|pay|close|decide|sign"
ACT_LITERAL = re.compile(
    r"""f?["']((?:letters\.(?:verify|sign)\.[a-z{*][A-Za-z0-9_.*{}\-]*"""
    r"""|finance\.spp\.(?:verify|approve|pay)"""
    r"""|finance\.(?:apbdes|dpa|rak|month|rpjmdes|rkpdes|semester|lpj)\.(?:""" + FINANCE_VERBS + r""")"""
    r"""|assistance\.[a-z{*][A-Za-z0-9_*{}\-]*\.decide))["']"""
)


@pytest.mark.django_db  # a letter type's sign act asks the catalogue for its signing level
def test_every_act_code_used_in_the_project_is_registered():
    """No act bypasses the check: every act code (or pattern) the code names is known."""
    root = Path(__file__).resolve().parents[2]
    found = {}
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for match in ACT_LITERAL.finditer(path.read_text(encoding="utf-8")):
            code = match.group(1)
            if code.endswith(".py"):
                continue
            found[code] = path
    assert found, "the scan found no act codes at all"
    for code, path in found.items():
        probe = re.sub(r"\{[^}]*\}", "contoh", code).replace("*", "contoh")
        assert get_act(probe) is not None, f"{code} in {path} is not registered"


def test_instrument_files_are_not_public_media(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "instrumen").mkdir()
    (tmp_path / "instrumen" / "perbup.pdf").write_bytes(b"%PDF-1.4 rahasia")
    (tmp_path / "logo").mkdir()
    logo = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(logo, format="PNG")  # the logo route serves real images only
    (tmp_path / "logo" / "desa.png").write_bytes(logo.getvalue())
    assert client.get("/media/instrumen/perbup.pdf").status_code == 404
    assert client.get("/media/logo/../instrumen/perbup.pdf").status_code in (400, 404)
    assert client.get("/media/logo/desa.png").status_code == 200


def test_delegation_must_come_from_the_instruments_regency(world, perbup):
    from kampung.regions.services import regions_load

    regions_load(prefix="35.09")
    with pytest.raises(KampungError):
        delegate(world, perbup, from_region=R("35.09"), to_region=R("35.09"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ceiling=st.one_of(st.none(), st.integers(min_value=1, max_value=50_000_000)),
    amount=st.one_of(st.none(), st.integers(min_value=0, max_value=60_000_000)),
)
def test_ceilings(world, perbup, ceiling, amount):
    """Under a ceiling the delegate may act up to and including it; above it the power stays
    with the holder, who is named in the refusal and receives the routed matter."""
    delegation = delegate(world, perbup, amount_ceiling=None if ceiling is None else Decimal(ceiling))
    head = world.user(Role.HEAD, VILLAGE_A1)
    value = None if amount is None else Decimal(amount)
    expected = ceiling is None or amount is None or amount <= ceiling
    decision = may_act(head, RTLH, VILLAGE_A1, value)
    assert decision.allowed == expected
    if expected:
        assert who_holds(RTLH, VILLAGE_A1, value) == (Role.HEAD, VILLAGE_A1)
    else:
        assert "melebihi batas" in decision.reason
        assert who_holds(RTLH, VILLAGE_A1, value) == (Role.BUPATI, REGENCY)
    # The holder by law is never bound by a delegate's ceiling.
    assert may_act(world.user(Role.BUPATI, REGENCY), RTLH, VILLAGE_A1, value).basis == "atribusi"
    delegation.delete()
