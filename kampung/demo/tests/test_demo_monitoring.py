"""The demo's monitoring: roll-ups equal a rebuild from the source records, the district's
field visits in the demo desa, the alerts, and the regency-scale bulk letters and cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db.models import Count

from kampung.assistance.models import Case
from kampung.demo.cast import VILLAGE_SET_CODES
from kampung.demo.regency_activity import cases_bulk_fill, letters_bulk_fill
from kampung.demo.services import demo_build
from kampung.letters.models_requests import LetterRequest, RequestEvent, RequestStatus
from kampung.monitoring.models import Alert, FieldVisit, FieldVisitPhoto, RollupMark, RollupState
from kampung.monitoring.rollup import rollup_rebuild, rollup_tables

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 18, 3, 0, tzinfo=dt.UTC)


def _tables() -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table in rollup_tables():
        fields = [f.attname for f in table._meta.concrete_fields if f.name != "id"]
        out[table.__name__] = sorted(tuple(str(v) for v in row) for row in table.objects.values_list(*fields))
    return out


@time_machine.travel(NOW, tick=True)
def test_the_demo_keeps_its_rollups_and_visits_its_works() -> None:
    result = demo_build(seed=2018)
    assert RollupMark.objects.count() == 0
    assert RollupState.objects.filter(area="keuangan").count() == 189
    kept = _tables()
    assert (
        kept["FinanceFigure"] and kept["LetterMonth"] and kept["ProgrammeFigure"] and kept["PopulationFigure"]
    )
    rollup_rebuild()
    assert _tables() == kept
    # The district officers visited physical works in each demo desa, each with a geotagged photo.
    assert result.monitoring.visits == FieldVisit.objects.count() > 0
    assert set(FieldVisit.objects.values_list("village_id", flat=True)) == set(VILLAGE_SET_CODES)
    assert not FieldVisitPhoto.objects.filter(latitude__isnull=True).exists()
    assert Alert.objects.filter(resolved_at__isnull=True).exists()
    # A second build finds everything there and adds nothing.
    again = demo_build(seed=2018)
    assert again.monitoring.visits == 0 and not again.created_anything


@time_machine.travel(NOW, tick=True)
def test_bulk_letters_and_cases_fill_each_village_once() -> None:
    from kampung.assistance.loader import defaults_install
    from kampung.regions.models import Region as R

    defaults_install(R.objects.get(code="35.10"), year=2026)
    from kampung.demo.bulk import population_fill
    from kampung.demo.population import VillagePlan
    from kampung.regions.models import Kind, Region

    codes = list(
        Region.objects.filter(code__startswith="35.10.15.", kind=Kind.DESA)
        .exclude(code__in=VILLAGE_SET_CODES)
        .order_by("code")
        .values_list("code", flat=True)[:2]
    )
    population_fill(plans=[VillagePlan(c, c, "desa", 120) for c in codes], seed=5)
    letters = letters_bulk_fill(village_codes=codes, seed=5)
    assert letters.villages == 2 and letters.requests > 800
    requests = LetterRequest.objects.filter(village_id__in=codes)
    assert requests.count() == letters.requests
    # Nothing happened after "now", and every request's status is its last event's.
    assert not RequestEvent.objects.filter(
        request__in=requests, at__gt=NOW + dt.timedelta(minutes=5)
    ).exists()
    last = {}
    for request_id, status in (
        RequestEvent.objects.filter(request__in=requests)
        .order_by("at", "pk")
        .values_list("request_id", "status_to")
    ):
        last[request_id] = status
    assert all(last[pk] == status for pk, status in requests.values_list("pk", "status"))
    assert requests.filter(status=RequestStatus.HANDED_OVER).count() > requests.count() // 2
    cases = cases_bulk_fill(village_codes=codes, seed=5)
    assert cases.villages == 2
    by_programme = dict(
        Case.objects.filter(village_id__in=codes)
        .values("programme__code")
        .annotate(n=Count("pk"))
        .values_list("programme__code", "n")
    )
    assert set(by_programme) == {"rtlh", "blt"}
    # Run again: each village is filled once.
    assert letters_bulk_fill(village_codes=codes, seed=5).requests == 0
    assert cases_bulk_fill(village_codes=codes, seed=5).cases == 0
