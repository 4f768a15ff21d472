"""The demo's delegation register: a Banyuwangi-like set of instruments.

Modelled on Banyuwangi's 2017 hand-over of the bupati's powers to village heads (house repair
decisions "used to need the regent's signature; now the village is enough"), with the
evaluation of village budgets delegated to the camat, one village head's mandat to the
secretary, an expired delegation (BLT Dana Desa 2020) and a revoked one. Numbers and dates
are illustrative, not the real decrees (which were not found; domain.md §6.4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from kampung.accounts.roles import Role
from kampung.authority.models import DelegationKind, Instrument, InstrumentKind, TargetScope
from kampung.authority.register import (
    DelegationInput,
    delegation_create,
    delegation_revoke,
    instrument_create,
)
from kampung.demo.cast import REGENCY_CODE, VILLAGE_SET_CODES
from kampung.regions.models import Region

RTLH = "assistance.rtlh.decide"
BLT = "assistance.blt.decide"
EVALUATE = "finance.apbdes.evaluate"


@dataclass(frozen=True)
class _Spec:
    kind: str
    number: str
    date: dt.date
    title: str
    for_village: str = ""


PERBUP_2016 = _Spec(
    InstrumentKind.PERBUP, "8", dt.date(2016, 2, 1), "Pelimpahan Kewenangan Bupati kepada Camat"
)
PERBUP_2017 = _Spec(
    InstrumentKind.PERBUP,
    "12",
    dt.date(2017, 4, 8),
    "Pelimpahan Sebagian Kewenangan Bupati kepada Kepala Desa",
)
PERBUP_2019 = _Spec(
    InstrumentKind.PERBUP,
    "35",
    dt.date(2019, 7, 1),
    "Pendelegasian Evaluasi Rancangan Peraturan Desa tentang APBDes kepada Camat",
)
KEPBUP_2020 = _Spec(
    InstrumentKind.KEPBUP,
    "188/210/KEP/429.011/2020",
    dt.date(2020, 4, 1),
    "Penetapan Penerima BLT Dana Desa 2020",
)
SK_KADES = _Spec(
    InstrumentKind.SK_KADES,
    "188/05/KEP/429.501.04/2026",
    dt.date(2026, 1, 5),
    "Pemberian Mandat Penandatanganan Surat Keterangan kepada Sekretaris Desa",
    for_village=VILLAGE_SET_CODES[0],
)


def _instrument(spec: _Spec, regency: Region) -> tuple[Instrument, bool]:
    existing = Instrument.objects.filter(
        regency=regency, kind=spec.kind, number=spec.number, date=spec.date
    ).first()
    if existing is not None:
        return existing, False
    for_region = Region.objects.get(code=spec.for_village) if spec.for_village else None
    made = instrument_create(
        actor=None,
        regency=regency,
        kind=spec.kind,
        number=spec.number,
        date=spec.date,
        title=spec.title,
        issuer_name="Bupati Banyuwangi" if not spec.for_village else "Kepala Desa",
        for_region=for_region,
    )
    return made, True


def _grants(regency: Region) -> list[tuple[_Spec, dict[str, Any]]]:
    """Each demo instrument with the one delegation it carries."""
    village = Region.objects.get(code=SK_KADES.for_village)
    from_bupati = {
        "kind": DelegationKind.DELEGASI,
        "from_role": Role.BUPATI,
        "from_region": regency,
        "to_region": regency,
    }
    to_heads = {"to_role": Role.HEAD, "to_scope": TargetScope.VILLAGES_UNDER}
    to_camats = {"to_role": Role.CAMAT, "to_scope": TargetScope.DISTRICTS_UNDER}
    return [
        (PERBUP_2016, {**from_bupati, **to_camats, "acts": [RTLH]}),
        (PERBUP_2017, {**from_bupati, **to_heads, "acts": [RTLH]}),
        (PERBUP_2019, {**from_bupati, **to_camats, "acts": [EVALUATE]}),
        (KEPBUP_2020, {**from_bupati, **to_heads, "acts": [BLT], "valid_until": dt.date(2020, 12, 31)}),
        (
            SK_KADES,
            {
                "kind": DelegationKind.MANDAT,
                "from_role": Role.HEAD,
                "from_region": village,
                "to_role": Role.SECRETARY,
                "to_region": village,
                "to_scope": TargetScope.REGION,
                "acts": ["letters.sign.*"],
            },
        ),
    ]


@transaction.atomic
def ensure_delegations() -> int:
    """Record the demo instruments and delegations once; returns how many were created."""
    regency = Region.objects.get(code=REGENCY_CODE)
    created = 0
    instruments: dict[str, Instrument] = {}
    for spec, grant in _grants(regency):
        instrument, new = _instrument(spec, regency)
        instruments[spec.number] = instrument
        if new:
            delegation_create(
                actor=None, instrument=instrument, data=DelegationInput(valid_from=spec.date, **grant)
            )
            created += 1
    # The 2017 Perbup gave the house-repair decision to the village heads directly and
    # revoked the camat's power over it.
    superseded = instruments[PERBUP_2016.number].delegations.filter(revoked_on__isnull=True).first()
    if superseded is not None:
        delegation_revoke(
            actor=None,
            delegation=superseded,
            revoked_on=PERBUP_2017.date,
            reason="Kewenangan memutuskan bedah rumah dilimpahkan langsung kepada kepala desa",
            revoking_instrument=instruments[PERBUP_2017.number],
        )
    return created
