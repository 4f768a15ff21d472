import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from kampung.audit.models import AuditEntry
from kampung.demo.cast import DEMO_VILLAGE_CODES
from kampung.demo.services import demo_build
from kampung.population.checks import name_key
from kampung.population.models import (
    BasicStatus,
    Family,
    LifeEvent,
    LifeEventKind,
    Resident,
    ResidentNameToken,
)

pytestmark = pytest.mark.django_db

KK_LEVEL_HEAD, KK_LEVEL_CHILD = 1, 4


def test_demo_villages_have_a_year_of_life_events_consistent_with_the_register():
    result = demo_build(seed=2018)
    today = timezone.localdate()
    assert result.events.villages == len(DEMO_VILLAGE_CODES)
    assert result.events.events == LifeEvent.objects.count()
    for code in DEMO_VILLAGE_CODES:
        kinds = Counter(LifeEvent.objects.filter(village_id=code).values_list("kind", flat=True))
        assert set(kinds) == {k.value for k in LifeEventKind if k != LifeEventKind.CORRECTION}, code
        assert 8 <= sum(kinds.values()) <= 60
    for event in LifeEvent.objects.select_related("resident"):
        assert today - dt.timedelta(days=365) < event.event_date <= event.reported_date <= today
        assert event.village_id == event.resident.village_id
        assert event.actor is None
        assert event.reporter is None or event.reporter.village_id == event.village_id

    # The dead and the moved keep their record, with the matching status.
    for kind, status in (
        (LifeEventKind.DEATH, BasicStatus.DEAD),
        (LifeEventKind.MOVE_OUT, BasicStatus.MOVED),
    ):
        events = LifeEvent.objects.filter(kind=kind)
        assert events.exists()
        assert set(Resident.objects.filter(events__in=events).values_list("basic_status", flat=True)) == {
            status
        }
    for event in LifeEvent.objects.filter(kind=LifeEventKind.DEATH):
        assert event.details["place"] and event.details["cause"]
    assert Resident.objects.filter(basic_status=BasicStatus.DEAD).count() == (
        LifeEvent.objects.filter(kind=LifeEventKind.DEATH).count()
    )

    # Newborns: a child of the family, born on the day of the event, findable by name.
    for event in LifeEvent.objects.filter(kind=LifeEventKind.BIRTH).select_related("resident"):
        child = event.resident
        assert child.birth_date == event.event_date and child.basic_status == BasicStatus.LIVING
        assert child.family_id == event.family_id and child.family_relation == KK_LEVEL_CHILD
        assert child.nik[6:12] in (
            f"{child.birth_date:%d%m%y}",
            f"{child.birth_date.day + 40}{child.birth_date:%m%y}",
        )
        assert child.name_key == name_key(child.name)
        assert ResidentNameToken.objects.filter(resident=child).exists()
    for event in LifeEvent.objects.filter(kind=LifeEventKind.MOVE_IN):
        assert event.details["origin"].startswith("Kab.")

    # Family changes leave everyone where the last change put them, and one living head per family.
    for event in LifeEvent.objects.filter(kind=LifeEventKind.FAMILY_CHANGE).select_related("resident"):
        after = event.details["after"]
        assert event.resident.family_id == after["family"] == event.family_id
        assert event.resident.family_relation == after["relation"]
    for family in Family.objects.filter(village_id__in=DEMO_VILLAGE_CODES).select_related("head"):
        assert family.head.family_id == family.pk and family.head.family_relation == KK_LEVEL_HEAD
    living_heads = Resident.objects.filter(basic_status=BasicStatus.LIVING, family_relation=KK_LEVEL_HEAD)
    assert max(Counter(living_heads.values_list("family_id", flat=True)).values()) == 1
    niks = list(Resident.objects.filter(basic_status=BasicStatus.LIVING).values_list("nik", flat=True))
    assert len(niks) == len(set(niks))
    kks = list(Family.objects.values_list("kk_number", flat=True))
    assert len(kks) == len(set(kks))
    assert AuditEntry.objects.filter(act="demo.population.events").count() == len(DEMO_VILLAGE_CODES)

    # A second build adds none.
    before = LifeEvent.objects.count()
    again = demo_build(seed=2018)
    assert again.events.villages == 0 and LifeEvent.objects.count() == before
