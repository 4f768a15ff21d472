"""Reads of the letter catalogue, scoped to the actor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, VILLAGE_STAFF
from kampung.accounts.scope import scope_for
from kampung.letters.models import LetterType, VillageLetterSetting
from kampung.letters.services import CATALOGUE_EDITORS, VILLAGE_SETTING_EDITORS
from kampung.regions.models import Region

SETTING_READERS = tuple(sorted(VILLAGE_STAFF | DISTRICT_ROLES | REGENCY_ROLES))


def is_catalogue_editor(actor: Any) -> bool:
    return scope_for(actor).has_role(*CATALOGUE_EDITORS)


def letter_type_list(*, actor: Any, q: str = "") -> QuerySet[LetterType]:
    """The whole catalogue for the regency admin (anyone else: "not found")."""
    if not is_catalogue_editor(actor):
        raise Http404("Halaman tidak ditemukan.")
    qs = LetterType.objects.select_related("classification", "classification_old")
    q = " ".join(q.split())[:100]
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(slug__icontains=q)
            | Q(kode_opensid__iexact=q)
            | Q(classification__code__startswith=q)
        )
    return qs.order_by("name")


def letter_type_for_editor(*, actor: Any, slug: str) -> LetterType:
    if not is_catalogue_editor(actor):
        raise Http404("Halaman tidak ditemukan.")
    obj = (
        LetterType.objects.select_related("classification", "classification_old")
        .prefetch_related("requirements")
        .filter(slug=slug)
        .first()
    )
    if obj is None:
        raise Http404("Jenis surat tidak ditemukan.")
    return obj


@dataclass(frozen=True)
class VillageLetterRow:
    letter_type: LetterType
    enabled: bool
    village_sla: int | None

    @property
    def sla_days(self) -> int:
        return self.village_sla or self.letter_type.sla_days


def village_letter_rows(*, village: Region, q: str = "") -> list[VillageLetterRow]:
    """Every active type with the village's switch and service time (default: on, catalogue SLA)."""
    settings = {s.letter_type_id: s for s in VillageLetterSetting.objects.filter(village=village)}
    types = LetterType.objects.filter(active=True).select_related("classification").order_by("name")
    q = " ".join(q.split())[:100]
    if q:
        types = types.filter(Q(name__icontains=q) | Q(kode_opensid__iexact=q))
    rows = []
    for letter_type in types:
        setting = settings.get(letter_type.pk)
        rows.append(
            VillageLetterRow(
                letter_type=letter_type,
                enabled=setting.enabled if setting else True,
                village_sla=setting.sla_days if setting else None,
            )
        )
    return rows


def letter_types_offered(*, village: Region, self_service_only: bool = False) -> list[LetterType]:
    """The types a village serves now (active in the catalogue, not switched off by the village)."""
    off = VillageLetterSetting.objects.filter(village=village, enabled=False).values("letter_type_id")
    qs = LetterType.objects.filter(active=True).exclude(pk__in=off)
    if self_service_only:
        qs = qs.filter(self_service=True)
    return list(qs.select_related("classification").order_by("name"))


def effective_sla_days(*, village: Region, letter_type: LetterType) -> int:
    """The village's service time for a type in working days (its own, else the catalogue's)."""
    setting = VillageLetterSetting.objects.filter(village=village, letter_type=letter_type).first()
    return setting.sla_days if setting and setting.sla_days else letter_type.sla_days


def can_edit_village_settings(actor: Any, village: Region) -> bool:
    return scope_for(actor).covers(village.code, *VILLAGE_SETTING_EDITORS)
