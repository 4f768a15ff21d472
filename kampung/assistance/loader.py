"""Install a regency's starting programmes (RTLH and BLT Dana Desa) with their criteria
from ``data/rtlh_kriteria.csv``; rows already there are kept, so running it again changes
nothing the regency has edited."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from kampung.accounts.roles import Role
from kampung.assistance.defaults import BLT_DEFAULTS, BLT_EXTRA, BLT_RULES, RTLH_DEFAULTS, RTLH_RULES
from kampung.assistance.models import Criterion, CriterionKind, Programme, ProgrammeYear
from kampung.regions.models import Region

DATA = Path(__file__).resolve().parent / "data" / "rtlh_kriteria.csv"


def criteria_rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def register_programme_act(programme: Programme) -> None:
    """Name the programme's decision act in the authority register (holder: the bupati; a
    delegation in the register may give it to village heads)."""
    from kampung.authority.acts import register_act

    register_act(
        programme.decide_act,
        holder_role=Role.BUPATI,
        description=f"Memutuskan penerima {programme.name}",
    )


def _criteria(programme: Programme, rules: dict[str, tuple[str, str, str, int, bool]]) -> int:
    made = 0
    order = 0
    for row in criteria_rows():
        rule = rules.get(row["kode"])
        if rule is None:
            continue
        order += 10
        attribute, operator, value, weight, active = rule
        kind = CriterionKind.SCORE if row["jenis"] == "indikator_skor" else CriterionKind.KNOCKOUT
        _, created = Criterion.objects.get_or_create(
            programme=programme,
            code=row["kode"],
            defaults={
                "group": row["kelompok"],
                "description": row["deskripsi"][:300],
                "kind": kind,
                "attribute": attribute,
                "operator": operator,
                "value": value,
                "weight": Decimal(weight),
                "order": order,
                "active": active,
                "source": row["sumber"][:400],
            },
        )
        made += int(created)
    return made


def _programme(regency: Region, defaults: dict[str, Any], year: int | None) -> tuple[Programme, bool]:
    values = dict(defaults)
    code = values.pop("code")
    programme = Programme.objects.filter(code=code).first()
    created = False
    if programme is None:
        programme = Programme.objects.create(regency=regency, code=code, **values)
        created = True
    register_programme_act(programme)
    if year is not None:
        programme_year_get(programme, year)
    return programme, created


def programme_year_get(programme: Programme, year: int) -> ProgrammeYear:
    """The programme's settings for ``year``, made from its defaults the first time."""
    row, _ = ProgrammeYear.objects.get_or_create(
        programme=programme,
        year=year,
        defaults={
            "amount": programme.amount,
            "quota_per_village": programme.quota_per_village,
            "months": programme.months,
            "dd_cap_percent": programme.dd_cap_percent,
        },
    )
    return row


@transaction.atomic
def defaults_install(regency: Region, *, year: int | None = None) -> dict[str, int]:
    """RTLH and BLT Dana Desa for ``regency`` (and their settings for ``year``)."""
    rtlh, rtlh_new = _programme(regency, RTLH_DEFAULTS, year)
    blt, blt_new = _programme(regency, BLT_DEFAULTS, year)
    criteria = _criteria(rtlh, RTLH_RULES) + _criteria(blt, BLT_RULES)
    for order, (code, group, description, attribute, operator, source) in enumerate(BLT_EXTRA, start=200):
        _, created = Criterion.objects.get_or_create(
            programme=blt,
            code=code,
            defaults={
                "group": group,
                "description": description,
                "kind": CriterionKind.KNOCKOUT,
                "attribute": attribute,
                "operator": operator,
                "order": order,
                "source": source,
            },
        )
        criteria += int(created)
    return {"programmes": int(rtlh_new) + int(blt_new), "criteria": criteria}
