"""Issue #8, the whole RTLH story for one household in Sarongan, over HTTP where the pages
exist: the operator registers the family, the field officer surveys the house with four
geotagged photos (layak), the Musdes prioritises it, the secretary drafts the decision and
the head issues it under the bupati's delegation (number, PDF, QR, "berdasarkan Perbup"),
the SPP goes from the secretary to the head to the treasurer (case paid), the executor
reports 0/50/100 % with photos, the secretary records the handover: done. Every step is on
the case's timeline and in the audit trail."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.assistance.models import (
    SURVEY_PHOTO_KINDS,
    Case,
    CaseEvent,
    CaseStatus,
    Decision,
    DecisionStatus,
)
from kampung.assistance.tests.factories import YEAR, household, programmes, rtlh_answers, rtlh_budget
from kampung.assistance.tests.test_decisions_support import (
    PERBUP,
    delegate_decision,
    jpeg,
    pdf_upload,
    signing_ready,
)
from kampung.audit.models import AuditEntry
from kampung.authority.models import ActRecord
from kampung.conftest import VILLAGE_A1
from kampung.finance.models import Spp, SppStatus

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    signing_ready(settings, tmp_path)


def as_(client, world, role):
    client.force_login(world.user(role, VILLAGE_A1))
    return client


def ok(response, code=302):
    assert response.status_code == code, response.content.decode()[:3000]
    if code == 302:
        assert "/akun/" not in response["Location"] and "login" not in response["Location"], response[
            "Location"
        ]
    return response


def test_rtlh_from_application_to_handover(client, world, django_capture_on_commit_callbacks):
    from kampung.assistance.photos import photo_add
    from kampung.assistance.services.deliberations import deliberation_record
    from kampung.assistance.services.surveys import survey_save
    from kampung.regions.models import Region

    rtlh, _blt = programmes()
    rtlh_budget(VILLAGE_A1)
    delegate_decision(world)
    family, head = household(world, VILLAGE_A1, name="Sumarni", members=3)
    sarongan = Region.objects.get(code=VILLAGE_A1)

    with time_machine.travel(dt.datetime(YEAR, 3, 2, 9, 0, tzinfo=WIB), tick=False) as clock:
        # 1. The operator registers the household (issue step 1).
        as_(client, world, Role.OPERATOR)
        register = reverse("assistance:case_register", args=[VILLAGE_A1, "rtlh", YEAR])
        ok(
            client.post(
                register, {"family": family.pk, "registered_on": "2026-03-02", "reason": "Atap bocor"}
            )
        )
        case = Case.objects.get(family=family)
        assert case.status == CaseStatus.REGISTERED and case.number.startswith("RTLH-2026-")

        # 2–3. The field officer surveys the house with the four photos: eligible.
        clock.move_to(dt.datetime(YEAR, 3, 5, 10, 0, tzinfo=WIB))
        officer = world.user(Role.FIELD_OFFICER, VILLAGE_A1)
        for kind in SURVEY_PHOTO_KINDS:
            photo_add(actor=officer, case=case, kind=kind, upload=jpeg(when="2026:03:05 09:40:00"))
        survey_save(
            actor=officer, case=case, answers=rtlh_answers(), surveyed_on=dt.date(YEAR, 3, 5), submit=True
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.ELIGIBLE and case.score
        page = ok(as_(client, world, Role.FIELD_OFFICER).get(reverse("assistance:case", args=[case.pk])), 200)
        assert "Layak" in page.content.decode()

        # 4. The Musdes prioritises it.
        clock.move_to(dt.datetime(YEAR, 3, 20, 10, 0, tzinfo=WIB))
        deliberation_record(
            actor=world.user(Role.SECRETARY, VILLAGE_A1),
            programme=rtlh,
            year=YEAR,
            village=sarongan,
            kind="musdes",
            held_on=dt.date(YEAR, 3, 20),
            place="Balai Desa Sarongan",
            minutes_number="01/BA-MUSDES/2026",
            attendees=42,
            chair_name="Ketua BPD",
            notes="Prioritas RTLH 2026",
            order=[case.pk],
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.PRIORITISED and case.priority == 1

        # 5. The secretary drafts the decision; the head issues it under the delegation.
        clock.move_to(dt.datetime(YEAR, 4, 1, 9, 0, tzinfo=WIB))
        decisions = reverse("assistance:decisions", args=[VILLAGE_A1, "rtlh", YEAR])
        ok(as_(client, world, Role.SECRETARY).post(decisions, {"title": ""}))
        decision = Decision.objects.get(cases=case)
        assert decision.status == DecisionStatus.DRAFT
        as_(client, world, Role.HEAD)
        with django_capture_on_commit_callbacks(execute=True):
            ok(client.post(reverse("assistance:decision_issue", args=[decision.pk])))
        decision.refresh_from_db()
        assert decision.status == DecisionStatus.ISSUED and decision.basis == "delegasi"
        assert decision.document.legal_basis == f"berdasarkan {PERBUP}"
        pdf = ok(client.get(reverse("assistance:decision_pdf", args=[decision.pk])), 200)
        assert b"".join(pdf.streaming_content).startswith(b"%PDF")
        case.refresh_from_db()
        assert case.status == CaseStatus.DECIDED and case.amount == 17_500_000

        # 6a. Progress 0 %: the house before the work.
        clock.move_to(dt.datetime(YEAR, 4, 5, 9, 0, tzinfo=WIB))
        progress = reverse("assistance:progress", args=[case.pk])
        as_(client, world, Role.EXECUTOR)
        ok(client.post(progress, {"percent": "0", "reported_on": "2026-04-05", "photos": [jpeg()]}))

        # 6b. Payment: the SPP from the case page, then finance's path over its pages.
        clock.move_to(dt.datetime(YEAR, 4, 10, 9, 0, tzinfo=WIB))
        as_(client, world, Role.SECRETARY)
        ok(client.post(reverse("assistance:case_spp", args=[case.pk]), {"date": "2026-04-10"}))
        spp = Spp.objects.get(pk=Case.objects.get(pk=case.pk).spp_id)
        ok(
            client.post(
                reverse("finance:spp_attach", args=[spp.pk]), {"kind": "ba_terima", "file": pdf_upload()}
            )
        )
        ok(client.post(reverse("finance:spp_submit", args=[spp.pk])))
        ok(
            client.post(
                reverse("finance:spp_verify", args=[spp.pk]),
                {"complete": "on", "correct": "on", "funds": "on"},
            )
        )
        ok(as_(client, world, Role.HEAD).post(reverse("finance:spp_approve", args=[spp.pk])))
        clock.move_to(dt.datetime(YEAR, 4, 15, 9, 0, tzinfo=WIB))
        ok(
            as_(client, world, Role.TREASURER).post(
                reverse("finance:spp_pay", args=[spp.pk]),
                {"date": "2026-04-15", "method": "transfer", "reference": "TRX-RTLH-1", "save": "1"},
            )
        )
        spp.refresh_from_db()
        case.refresh_from_db()
        assert spp.status == SppStatus.PAID
        assert case.status == CaseStatus.PAID and case.paid_on == dt.date(YEAR, 4, 15)

        # 6c. Progress 50 % and 100 %.
        clock.move_to(dt.datetime(YEAR, 5, 15, 9, 0, tzinfo=WIB))
        as_(client, world, Role.EXECUTOR)  # a new session: the last one has expired
        ok(client.post(progress, {"percent": "50", "reported_on": "2026-05-15", "photos": [jpeg()]}))
        clock.move_to(dt.datetime(YEAR, 6, 30, 9, 0, tzinfo=WIB))
        as_(client, world, Role.EXECUTOR)
        ok(client.post(progress, {"percent": "100", "reported_on": "2026-06-30", "photos": [jpeg(), jpeg()]}))
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PROGRESS and case.progress == 100

        # 6d. The handover minutes: done.
        clock.move_to(dt.datetime(YEAR, 7, 5, 9, 0, tzinfo=WIB))
        as_(client, world, Role.SECRETARY)
        ok(
            client.post(
                reverse("assistance:handover", args=[case.pk]),
                {
                    "number": "01/BAST-RTLH/2026",
                    "held_on": "2026-07-05",
                    "place": "Rumah penerima, Dusun Krajan",
                    "handed_by": "Ketua TPK Desa Sarongan",
                    "received_by": "Sumarni",
                    "witnesses": "Ketua RT 001\nKetua RW 002",
                },
            )
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.DONE and case.done_on == dt.date(YEAR, 7, 5)
        handover_pdf = ok(client.get(reverse("assistance:handover_pdf", args=[case.pk])), 200)
        assert handover_pdf.content.startswith(b"%PDF")
        page = ok(client.get(reverse("assistance:case", args=[case.pk])), 200).content.decode()
        assert decision.document.number in page and "01/BAST-RTLH/2026" in page

    # Every stage is on the timeline, in order, and audited; the decision's act is recorded.
    stages = [
        t
        for t in CaseEvent.objects.filter(case=case).order_by("at", "pk").values_list("target", flat=True)
        if t
    ]
    order = ["terdaftar", "layak", "prioritas", "diusulkan", "ditetapkan", "dibayar", "dikerjakan", "selesai"]
    assert [s for s in dict.fromkeys(stages) if s in order] == order
    acts = set(CaseEvent.objects.filter(case=case).values_list("act", flat=True))
    assert {
        "assistance.decision.draft",
        "assistance.decision.issue",
        "assistance.case.spp",
        "assistance.case.paid",
        "assistance.case.progress",
        "assistance.case.handover",
    } <= acts
    assert AuditEntry.objects.filter(object_type="assistance.Case", object_id=str(case.pk)).count() >= len(
        stages
    )
    assert ActRecord.objects.filter(
        act="assistance.rtlh.decide", object_id=str(decision.pk), basis="delegasi"
    ).exists()
