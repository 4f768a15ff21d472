"""The decision (issue #8 step 5): quota and budget limits, issued under a delegation (the
head signs, "berdasarkan Perbup" printed, act recorded) or routed up to the bupati without
one (issued on approval, cases returned on refusal), withdrawn drafts, and its pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.assistance.models import Case, CaseEvent, CaseStatus, Decision, DecisionStatus, FundingKind
from kampung.assistance.outputs.decision import decision_context
from kampung.assistance.services import decisions as svc
from kampung.assistance.tests.factories import YEAR, programmes, rtlh_budget
from kampung.assistance.tests.test_decisions_support import (
    PERBUP,
    delegate_decision,
    prioritised,
    signing_ready,
)
from kampung.audit.models import AuditEntry
from kampung.authority.models import ActRecord, MatterStatus, RoutedMatter
from kampung.authority.services import matter_decide, matter_queue
from kampung.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.finance.models import BudgetLine
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

UNIT = Decimal(17_500_000)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    signing_ready(settings, tmp_path)


@pytest.fixture(autouse=True)
def _in_2026():
    with time_machine.travel(dt.datetime(YEAR, 6, 15, 9, 0), tick=False):
        yield


@pytest.fixture
def rtlh(world):
    programme, _blt = programmes()
    return programme


def village(code: str = VILLAGE_A1) -> Region:
    return Region.objects.get(code=code)


def statuses(cases: list[Case]) -> list[str]:
    return [Case.objects.get(pk=c.pk).status for c in cases]


# -- draft: quota and money ----------------------------------------------------------------


def test_draft_takes_the_musdes_order_up_to_the_quota(world, rtlh):
    rtlh_budget(VILLAGE_A1)
    cases = prioritised(world, rtlh, VILLAGE_A1, 5)
    decision = svc.decision_draft(
        actor=world.user(Role.SECRETARY, VILLAGE_A1), programme=rtlh, year=YEAR, village=village()
    )
    assert decision.status == DecisionStatus.DRAFT
    assert decision.beneficiary_count == 4 and decision.total_amount == 4 * UNIT
    assert statuses(cases) == [CaseStatus.PROPOSED] * 4 + [CaseStatus.PRIORITISED]
    first = Case.objects.get(pk=cases[0].pk)
    assert first.decision == decision and first.amount == UNIT
    assert CaseEvent.objects.filter(case=first, act="assistance.decision.draft", target="diusulkan").exists()
    assert AuditEntry.objects.filter(act="assistance.decision.draft", object_id=str(decision.pk)).exists()


def test_over_the_quota_is_refused_and_nothing_changes(world, rtlh):
    rtlh_budget(VILLAGE_A1, units=10)
    cases = prioritised(world, rtlh, VILLAGE_A1, 5)
    with pytest.raises(KampungError, match="Melebihi kuota: kuota .* adalah 4 penerima, sudah terpakai 0"):
        svc.decision_draft(
            actor=world.user(Role.SECRETARY, VILLAGE_A1),
            programme=rtlh,
            year=YEAR,
            village=village(),
            case_ids=[c.pk for c in cases],
        )
    assert statuses(cases) == [CaseStatus.PRIORITISED] * 5
    assert not Decision.objects.exists()


def test_quota_counts_decided_cases_and_other_drafts(world, rtlh):
    rtlh_budget(VILLAGE_A1, units=10)
    cases = prioritised(world, rtlh, VILLAGE_A1, 5)
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    Case.objects.filter(pk=cases[0].pk).update(status=CaseStatus.PAID)  # decided last month
    svc.decision_draft(actor=secretary, programme=rtlh, year=YEAR, village=village(), case_ids=[cases[1].pk])
    with pytest.raises(KampungError, match="sudah terpakai 2, diusulkan 3"):
        svc.decision_draft(
            actor=secretary,
            programme=rtlh,
            year=YEAR,
            village=village(),
            case_ids=[c.pk for c in cases[2:]],
        )
    # Default: what is left of the quota (4 - 2 = 2), in Musdes order.
    decision = svc.decision_draft(actor=secretary, programme=rtlh, year=YEAR, village=village())
    assert [c.pk for c in decision.cases.order_by("priority")] == [cases[2].pk, cases[3].pk]


def test_over_the_budget_line_is_refused(world, rtlh):
    rtlh_budget(VILLAGE_A1, units=2)  # Rp35 jt for 4 places of quota
    cases = prioritised(world, rtlh, VILLAGE_A1, 3)
    with pytest.raises(
        KampungError, match=r"Melebihi anggaran: pagu kegiatan 02\.04\.01 rekening 5\.2\.7\.03"
    ):
        svc.decision_draft(
            actor=world.user(Role.SECRETARY, VILLAGE_A1), programme=rtlh, year=YEAR, village=village()
        )
    assert statuses(cases) == [CaseStatus.PRIORITISED] * 3


def test_budget_counts_what_issued_decisions_committed(world, rtlh):
    rtlh_budget(VILLAGE_A1, units=2)
    delegate_decision(world)
    cases = prioritised(world, rtlh, VILLAGE_A1, 3)
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    first = svc.decision_draft(
        actor=secretary, programme=rtlh, year=YEAR, village=village(), case_ids=[cases[0].pk, cases[1].pk]
    )
    svc.decision_issue(actor=world.user(Role.HEAD, VILLAGE_A1), decision=first)
    with pytest.raises(KampungError, match=r"sudah terikat keputusan lain Rp 35\.000\.000.*sisa Rp 0"):
        svc.decision_draft(
            actor=secretary, programme=rtlh, year=YEAR, village=village(), case_ids=[cases[2].pk]
        )


def test_no_budget_in_force_is_refused(world, rtlh):
    prioritised(world, rtlh, VILLAGE_A1, 1)
    with pytest.raises(KampungError, match="belum mempunyai APBDes 2026 yang berlaku"):
        svc.decision_draft(
            actor=world.user(Role.SECRETARY, VILLAGE_A1), programme=rtlh, year=YEAR, village=village()
        )


def test_regency_funded_programme_is_limited_by_the_ceiling_across_villages(world, rtlh):
    rtlh.funding_kind = FundingKind.APBD
    rtlh.save()
    a1 = prioritised(world, rtlh, VILLAGE_A1, 2)
    b1 = prioritised(world, rtlh, VILLAGE_B1, 1)
    with pytest.raises(KampungError, match="belum ditetapkan kabupaten"):
        svc.decision_draft(
            actor=world.user(Role.SECRETARY, VILLAGE_A1), programme=rtlh, year=YEAR, village=village()
        )
    rtlh.years.filter(year=YEAR).update(budget_ceiling=2 * UNIT)
    svc.decision_draft(
        actor=world.user(Role.SECRETARY, VILLAGE_A1), programme=rtlh, year=YEAR, village=village()
    )
    with pytest.raises(KampungError, match="pagu program kabupaten tahun 2026"):
        svc.decision_draft(
            actor=world.user(Role.SECRETARY, VILLAGE_B1),
            programme=rtlh,
            year=YEAR,
            village=village(VILLAGE_B1),
        )
    assert statuses(a1) == [CaseStatus.PROPOSED] * 2 and statuses(b1) == [CaseStatus.PRIORITISED]


def test_only_village_drafters_and_only_prioritised_cases(world, rtlh):
    rtlh_budget(VILLAGE_A1)
    cases = prioritised(world, rtlh, VILLAGE_A1, 2)
    other = prioritised(world, rtlh, VILLAGE_A2, 1)
    with pytest.raises(NotPermitted):
        svc.decision_draft(
            actor=world.user(Role.TREASURER, VILLAGE_A1), programme=rtlh, year=YEAR, village=village()
        )
    with pytest.raises(NotPermitted):
        svc.decision_draft(
            actor=world.user(Role.SECRETARY, VILLAGE_A2), programme=rtlh, year=YEAR, village=village()
        )
    with pytest.raises(KampungError, match="Hanya kasus yang sudah diprioritaskan"):
        svc.decision_draft(
            actor=world.user(Role.SECRETARY, VILLAGE_A1),
            programme=rtlh,
            year=YEAR,
            village=village(),
            case_ids=[cases[0].pk, other[0].pk],
        )
    Case.objects.filter(pk=cases[1].pk).update(status=CaseStatus.ELIGIBLE)
    with pytest.raises(KampungError, match="Hanya kasus yang sudah diprioritaskan"):
        svc.decision_draft(
            actor=world.user(Role.SECRETARY, VILLAGE_A1),
            programme=rtlh,
            year=YEAR,
            village=village(),
            case_ids=[cases[1].pk],
        )


# -- issue under a delegation ----------------------------------------------------------------


def test_head_issues_under_delegation_with_number_basis_act_record_and_pdf(
    world, rtlh, django_capture_on_commit_callbacks
):
    rtlh_budget(VILLAGE_A1)
    delegate_decision(world)
    cases = prioritised(world, rtlh, VILLAGE_A1, 3)
    head = world.user(Role.HEAD, VILLAGE_A1)
    draft = svc.decision_draft(
        actor=world.user(Role.OPERATOR, VILLAGE_A1), programme=rtlh, year=YEAR, village=village()
    )
    with django_capture_on_commit_callbacks(execute=True):
        decision = svc.decision_issue(actor=head, decision=draft)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.ISSUED
    assert decision.basis == "delegasi" and PERBUP in decision.instrument
    assert decision.decided_by == head and decision.decided_on == dt.date(YEAR, 6, 15)
    assert decision.title.startswith("Keputusan Kepala Desa Sarongan tentang Penetapan Penerima")
    document = decision.document
    assert document.kind == "keputusan" and "/KEP/" in document.number
    assert document.legal_basis == f"berdasarkan {PERBUP}"
    assert document.sha256 and document.file.read().startswith(b"%PDF")
    assert statuses(cases) == [CaseStatus.DECIDED] * 3
    record = ActRecord.objects.get(act="assistance.rtlh.decide", object_id=str(decision.pk))
    assert record.basis == "delegasi" and record.amount == 3 * UNIT and record.actor == head
    event = CaseEvent.objects.get(case=cases[0], act="assistance.decision.issue")
    assert event.basis == "delegasi" and document.number in event.note
    audit = AuditEntry.objects.get(act="assistance.rtlh.decide", object_id=str(decision.pk))
    assert audit.after["number"] == document.number
    # The printed decree: the beneficiaries with their full NIK, the basis, the QR.
    html = render_to_string(
        "assistance/print/decision.html", decision_context(decision, document, [document.signer_title])
    )
    first = Case.objects.get(pk=cases[0].pk)
    assert first.nik in html and first.name in html
    assert f"berdasarkan {PERBUP}" in html and "data:image/png;base64" in html
    assert "Rp 52.500.000" in html


def test_issue_checks_the_budget_again(world, rtlh):
    rtlh_budget(VILLAGE_A1)
    delegate_decision(world)
    cases = prioritised(world, rtlh, VILLAGE_A1, 2)
    draft = svc.decision_draft(
        actor=world.user(Role.SECRETARY, VILLAGE_A1), programme=rtlh, year=YEAR, village=village()
    )
    BudgetLine.objects.filter(account__code="5.2.7.03").update(amount=UNIT)  # the APBDes was changed
    with pytest.raises(KampungError, match="Melebihi anggaran"):
        svc.decision_issue(actor=world.user(Role.HEAD, VILLAGE_A1), decision=draft)
    draft.refresh_from_db()
    assert draft.status == DecisionStatus.DRAFT and draft.document is None
    assert statuses(cases) == [CaseStatus.PROPOSED] * 2


def test_issue_is_refused_twice_and_to_outsiders(world, rtlh):
    rtlh_budget(VILLAGE_A1)
    delegate_decision(world)
    prioritised(world, rtlh, VILLAGE_A1, 1)
    draft = svc.decision_draft(
        actor=world.user(Role.SECRETARY, VILLAGE_A1), programme=rtlh, year=YEAR, village=village()
    )
    with pytest.raises(NotPermitted):
        svc.decision_issue(actor=world.user(Role.HEAD, VILLAGE_A2), decision=draft)
    svc.decision_issue(actor=world.user(Role.HEAD, VILLAGE_A1), decision=draft)
    with pytest.raises(InvalidTransition):
        svc.decision_issue(actor=world.user(Role.HEAD, VILLAGE_A1), decision=draft)
    with pytest.raises(InvalidTransition):
        svc.decision_cancel(actor=world.user(Role.HEAD, VILLAGE_A1), decision=draft, reason="salah susun")


# -- without a delegation: routed up ---------------------------------------------------------


def _routed(world, rtlh, n=2):
    rtlh_budget(VILLAGE_A1)
    cases = prioritised(world, rtlh, VILLAGE_A1, n)
    head = world.user(Role.HEAD, VILLAGE_A1)
    draft = svc.decision_draft(actor=head, programme=rtlh, year=YEAR, village=village())
    decision = svc.decision_issue(actor=head, decision=draft)
    return decision, cases


def test_without_delegation_the_decision_goes_to_the_bupati_and_is_issued_on_approval(
    world, rtlh, django_capture_on_commit_callbacks
):
    decision, cases = _routed(world, rtlh)
    assert decision.status == DecisionStatus.ROUTED and decision.document is None
    assert statuses(cases) == [CaseStatus.PROPOSED] * 2
    assert CaseEvent.objects.filter(
        case=cases[0], act="assistance.decision.route", note__contains="Bupati"
    ).exists()
    bupati = world.user(Role.BUPATI, "35.10")
    queue = matter_queue(actor=bupati)
    matter = next(m for m in queue if m.object_id == str(decision.pk))
    assert matter.act == "assistance.rtlh.decide" and matter.amount == 2 * UNIT
    assert not matter_queue(actor=world.user(Role.CAMAT, "35.10.01"))
    with django_capture_on_commit_callbacks(execute=True):
        matter_decide(actor=bupati, matter=matter, approve=True)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.ISSUED and decision.basis == "atribusi"
    assert decision.decided_by == bupati
    assert decision.title.startswith("Keputusan Bupati")
    assert decision.document.signer_title.startswith("Bupati") and decision.document.sha256
    assert statuses(cases) == [CaseStatus.DECIDED] * 2
    assert ActRecord.objects.filter(
        act="assistance.rtlh.decide", object_id=str(decision.pk), basis="atribusi"
    ).exists()
    assert RoutedMatter.objects.get(pk=matter.pk).status == MatterStatus.DONE


def test_the_bupati_refuses_and_the_cases_return_to_the_musdes_list(world, rtlh):
    decision, cases = _routed(world, rtlh)
    bupati = world.user(Role.BUPATI, "35.10")
    matter = RoutedMatter.objects.get(object_type="assistance.Decision", object_id=str(decision.pk))
    matter_decide(actor=bupati, matter=matter, approve=False, note="Survei rumah nomor 2 perlu diulang")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.REFUSED and decision.document is None
    assert "Survei rumah nomor 2 perlu diulang" in decision.refusal_note
    assert statuses(cases) == [CaseStatus.PRIORITISED] * 2
    assert Case.objects.get(pk=cases[0].pk).decision is None
    assert CaseEvent.objects.filter(case=cases[0], act="assistance.decision.refuse").exists()
    # The places are free again: a new draft may take them.
    again = svc.decision_draft(
        actor=world.user(Role.HEAD, VILLAGE_A1), programme=rtlh, year=YEAR, village=village()
    )
    assert again.beneficiary_count == 2


def test_cancel_a_draft_returns_its_cases(world, rtlh):
    rtlh_budget(VILLAGE_A1)
    cases = prioritised(world, rtlh, VILLAGE_A1, 2)
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    draft = svc.decision_draft(actor=secretary, programme=rtlh, year=YEAR, village=village())
    with pytest.raises(KampungError, match="alasan"):
        svc.decision_cancel(actor=secretary, decision=draft, reason="x")
    svc.decision_cancel(actor=secretary, decision=draft, reason="Urutan musdes salah ketik")
    draft.refresh_from_db()
    assert draft.status == DecisionStatus.CANCELLED
    assert statuses(cases) == [CaseStatus.PRIORITISED] * 2


# -- pages --------------------------------------------------------------------------------------


def test_decision_pages_draft_issue_and_pdf_over_http(
    client, world, rtlh, django_capture_on_commit_callbacks
):
    rtlh_budget(VILLAGE_A1)
    delegate_decision(world)
    cases = prioritised(world, rtlh, VILLAGE_A1, 3)
    url = reverse("assistance:decisions", args=[VILLAGE_A1, "rtlh", YEAR])
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Rp 70.000.000" in body and cases[0].number in body and "Belum ada keputusan" in body
    response = client.post(url, {"case": [cases[0].pk, cases[1].pk], "title": ""})
    decision = Decision.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "assistance:decision", args=[decision.pk]
    )
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assistance:decision_issue", args=[decision.pk]))
    assert response.status_code == 302
    detail = client.get(reverse("assistance:decision", args=[decision.pk])).content.decode()
    decision.refresh_from_db()
    assert decision.document.number in detail and "Ditetapkan" in detail
    pdf = client.get(reverse("assistance:decision_pdf", args=[decision.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_decision_pages_refusals_are_400_and_other_villages_404(client, world, rtlh):
    rtlh_budget(VILLAGE_A1)
    cases = prioritised(world, rtlh, VILLAGE_A1, 5)
    url = reverse("assistance:decisions", args=[VILLAGE_A1, "rtlh", YEAR])
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    response = client.post(url, {"case": [c.pk for c in cases]})
    assert response.status_code == 400 and "Melebihi kuota" in response.content.decode()
    assert not Decision.objects.exists()
    draft = svc.decision_draft(
        actor=world.user(Role.SECRETARY, VILLAGE_A1), programme=rtlh, year=YEAR, village=village()
    )
    response = client.post(reverse("assistance:decision_cancel", args=[draft.pk]), {"reason": ""})
    assert response.status_code == 400
    client.force_login(world.user(Role.SECRETARY, VILLAGE_B1))
    assert client.get(url).status_code == 404
    assert client.get(reverse("assistance:decision", args=[draft.pk])).status_code == 404
    assert client.post(reverse("assistance:decision_issue", args=[draft.pk])).status_code == 404
    assert client.get(reverse("assistance:decision_pdf", args=[draft.pk])).status_code == 404
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    assert client.get(url).status_code == 200  # a reader sees the page
    assert client.post(url, {}).status_code == 404  # but may not draft
    assert client.post(reverse("assistance:decision_issue", args=[draft.pk])).status_code == 404
    assert client.get(reverse("assistance:decision_pdf", args=[draft.pk])).status_code == 404  # not issued


# -- BLT: monthly amount and the Dana Desa cap ----------------------------------------------------


def test_blt_decision_takes_months_and_the_dana_desa_cap(world):
    _rtlh, blt = programmes()
    rtlh_budget(VILLAGE_A1)
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    cases = prioritised(world, blt, VILLAGE_A1, 2)
    blt.years.filter(year=YEAR).update(dd_cap_percent=Decimal("0.01"))
    with pytest.raises(KampungError, match=r"melebihi batas 0\.01% Dana Desa"):
        svc.decision_draft(actor=secretary, programme=blt, year=YEAR, village=village())
    assert statuses(cases) == [CaseStatus.PRIORITISED] * 2
    blt.years.filter(year=YEAR).update(dd_cap_percent=Decimal("25"))
    decision = svc.decision_draft(actor=secretary, programme=blt, year=YEAR, village=village())
    assert decision.total_amount == 2 * Decimal(3_600_000)
    assert Case.objects.get(pk=cases[0].pk).amount == Decimal(3_600_000)  # Rp300.000 × 12 months


def test_decision_page_queries_are_bounded(client, world, rtlh, django_assert_max_num_queries):
    rtlh_budget(VILLAGE_A1)
    prioritised(world, rtlh, VILLAGE_A1, 3)
    url = reverse("assistance:decisions", args=[VILLAGE_A1, "rtlh", YEAR])
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    client.get(url)  # warm the session and scope caches
    for n in range(30):
        Decision.objects.create(
            programme=rtlh,
            year=YEAR,
            village=village(),
            title=f"Rancangan {n}",
            status=DecisionStatus.CANCELLED,
        )
    with django_assert_max_num_queries(30):
        page = client.get(url)
    assert page.status_code == 200 and "Rancangan 29" in page.content.decode()
    assert "Rancangan 0<" not in page.content.decode()  # page 2 of 25 per page


def test_routed_decision_page_names_the_holder(client, world, rtlh):
    decision, _cases = _routed(world, rtlh, n=1)
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    body = client.get(reverse("assistance:decision", args=[decision.pk])).content.decode()
    assert "Diteruskan kepada Bupati" in body and 'data-testid="issue"' not in body
