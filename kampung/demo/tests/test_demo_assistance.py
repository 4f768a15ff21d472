"""The demo's assistance programmes: RTLH at every stage and a running BLT Dana Desa, built
through the services without a refused step, consistent with the village books."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db.models import Count, Sum

from kampung.assistance.models import (
    Case,
    CaseEvent,
    CasePhoto,
    CaseStatus,
    Channel,
    Decision,
    DecisionStatus,
    MonthlyPayment,
)
from kampung.demo.cast import VILLAGE_SET_CODES
from kampung.demo.services import demo_build
from kampung.finance.models import Book, Spp, SppStatus

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 18)
SARONGAN, KEMIREN, OLEHSARI = "35.10.01.2001", "35.10.15.2004", "35.10.15.2005"


@time_machine.travel(dt.datetime(2026, 11, 18, 3, 0, tzinfo=dt.UTC), tick=True)
def test_demo_has_rtlh_at_every_stage_and_a_running_blt():
    result = demo_build(seed=2018)
    made = result.assistance
    assert made.villages == 3 and made.steps_refused == []
    rtlh = Case.objects.filter(programme__code="rtlh", year=2026)
    stages = set(rtlh.values_list("status", flat=True))
    assert stages >= {
        CaseStatus.REGISTERED,
        CaseStatus.REFUSED,
        CaseStatus.PRIORITISED,
        CaseStatus.PROPOSED,
        CaseStatus.DECIDED,
        CaseStatus.PAID,
        CaseStatus.IN_PROGRESS,
        CaseStatus.DONE,
    }
    # The refusals carry their reason: land not their own, and the 10-year rule.
    codes = set(rtlh.filter(status=CaseStatus.REFUSED).values_list("refusal_code", flat=True))
    assert {"bantuan_10_tahun", "syarat:RTLH-B02"} <= codes
    assert rtlh.filter(channel=Channel.ONLINE, village_id=KEMIREN).exists()
    # Every surveyed house has its four photos with a place and a time.
    surveyed = rtlh.exclude(status=CaseStatus.REGISTERED)
    photos = CasePhoto.objects.filter(case__in=surveyed, kind__in=["atap", "dinding", "lantai", "jamban"])
    assert photos.count() == 4 * surveyed.count()
    assert (
        not photos.filter(latitude__isnull=True).exists()
        and not photos.filter(taken_at__isnull=True).exists()
    )
    # RTLH decided by the head under the Perbup delegation; BLT went up to the bupati.
    issued = Decision.objects.filter(status=DecisionStatus.ISSUED)
    assert set(issued.filter(programme__code="rtlh").values_list("basis", flat=True)) == {"delegasi"}
    assert set(issued.filter(programme__code="blt").values_list("village_id", flat=True)) == {
        SARONGAN,
        KEMIREN,
    }
    assert Decision.objects.get(programme__code="blt", village_id=OLEHSARI).status == DecisionStatus.ROUTED
    assert all(d.document.sha256 for d in issued.select_related("document"))
    done = rtlh.get(status=CaseStatus.DONE)
    assert done.progress == 100 and done.handover.received_by == done.name
    assert done.spp.status == SppStatus.PAID and done.spp.amount == done.amount
    # BLT: January to October paid and handed out (one household did not collect in August),
    # November's SPP waiting for the secretary.
    payments = MonthlyPayment.objects.filter(case__village_id=SARONGAN, year=2026)
    months = dict(payments.values_list("month").annotate(n=Count("id")).values_list("month", "n"))
    assert sorted(months) == list(range(1, 12))
    assert payments.filter(month__lte=10, collected=False).count() == 1
    assert payments.filter(month=11, spp__status=SppStatus.SUBMITTED).count() == months[11]
    paid = payments.filter(spp__status=SppStatus.PAID).aggregate(s=Sum("amount"))["s"]
    spps = Spp.objects.filter(pk__in=payments.values("spp")).filter(status=SppStatus.PAID)
    assert paid == spps.aggregate(s=Sum("amount"))["s"]
    # The books of the three desa are closed through October, as the treasurer did.
    for code in VILLAGE_SET_CODES:
        assert Book.objects.get(village_id=code, year=2026).closed_through == 10
    assert CaseEvent.objects.filter(case__in=rtlh).count() > 3 * rtlh.count()
