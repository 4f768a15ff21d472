"""Access matrix spec for finance execution (see kampung/core/tests/matrix.py): the execution
hub, SPP, treasury and books, reports and progress, assets, Dana Desa tranches and the
regency's execution settings and tax rates.

Each side gets its own enacted APBDes of ``YEAR`` (a year the planning spec leaves alone),
money in the bank, a draft SPP with a document, a paid advance (SPP UM), a progress report
with a photo and an asset. Regency-level objects (tax rates) are side A's only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kampung.accounts.roles import Role
from kampung.core.tests.matrix import DISTRICT, REGENCY, Route, Side, code_and, obj, roles
from kampung.finance.access import ASSET_KEEPERS, FINANCE_READERS, REGENCY_FINANCE_ADMINS, SPP_DRAFTERS
from kampung.finance.models import AssetCategory, AssetOrigin, AttachmentKind, TaxKind, TaxRate
from kampung.finance.services import assets as asset_svc
from kampung.finance.services import payments as pay_svc
from kampung.finance.services import reports as report_svc
from kampung.finance.services import settings as settings_svc
from kampung.finance.tests import payments_helpers as ph
from kampung.finance.tests.exec_factories import bank_receipt, make_executable

YEAR = 2025
READERS = frozenset(FINANCE_READERS)
TREASURER = roles(Role.TREASURER)
ADMINS = frozenset(REGENCY_FINANCE_ADMINS)
AREA = roles(DISTRICT, REGENCY)


def seed(side: Side) -> dict[str, Any]:
    code = side.village.code
    world = side.world
    apbdes = make_executable(code, YEAR)
    receipt = bank_receipt(code, YEAR, 500_000_000, day=dt.date(YEAR, 1, 15))
    road = ph.activity(apbdes)
    executor = side.user(Role.EXECUTOR)
    spp = pay_svc.spp_create(
        actor=executor,
        activity=road,
        kind="UM",
        date=dt.date(YEAR, 6, 1),
        description=side.text("Pembangunan rabat beton", 200),
        payee_name=side.text("TPK Desa", 100),
        lines=[(ph.line(road, "Rabat beton").pk, Decimal(10_000_000), side.text("Semen", 200))],
    )
    attachment = pay_svc.attachment_add(
        actor=executor, spp=spp, kind=AttachmentKind.RECEIPT, upload=ph.pdf_upload()
    )
    advance = pay_svc.spp_create(
        actor=executor,
        activity=road,
        kind="UM",
        date=dt.date(YEAR, 5, 2),
        description=side.text("Panjar upah tukang", 200),
        payee_name=side.text("TPK Desa", 100),
        lines=[(ph.line(road, "Upah tukang").pk, Decimal(2_000_000), side.text("Upah", 200))],
    )
    ph.to_approved(world, advance, village=code)
    pay_svc.spp_pay(
        actor=side.user(Role.TREASURER),
        spp=advance,
        date=dt.date(YEAR, 5, 3),
        method="transfer",
        reference="TRF-001",
    )
    progress = report_svc.progress_record(
        actor=side.user(Role.SECRETARY),
        activity=road,
        date=dt.date(YEAR, 7, 1),
        volume=Decimal(100),
        percent=Decimal(30),
        notes=side.text("Pengecoran tahap satu"),
        photo=ph.png_upload(),
    )
    asset = asset_svc.asset_create(
        actor=side.user(Role.SECRETARY),
        village_code=code,
        category=AssetCategory.BUILDING,
        name=side.text("Balai desa", 200),
        acquired_on=dt.date(2015, 5, 1),
        value=Decimal(350_000_000),
        origin=AssetOrigin.APBDES,
        location=side.text("Dusun Krajan", 200),
        notes=side.text("Catatan aset"),
    )
    out: dict[str, Any] = {
        "fx_apbdes": apbdes,
        "fx_receipt": receipt,
        "fx_activity": road,
        "fx_spp": spp,
        "fx_attachment": attachment,
        "fx_advance": advance,
        "fx_progress": progress,
        "fx_asset": asset,
    }
    if side.key == "a":
        out["fx_tax"] = settings_svc.tax_rate_add(
            actor=world.user(Role.ADMIN, side.regency.code),
            regency=side.regency,
            code="PJK_DAERAH",
            name=side.text("Pajak daerah uji", 100),
            kind=TaxKind.REGIONAL,
            rate=Decimal("0.10"),
            valid_from=dt.date(YEAR, 1, 1),
            notes=side.text("Catatan tarif"),
        )
    return out


def _year(side: Side) -> dict[str, Any]:
    return {"code": side.village.code, "year": YEAR}


def _year_and(**more: Any) -> Any:
    def build(side: Side) -> dict[str, Any]:
        out = _year(side)
        for kwarg, (name, attr) in more.items():
            out[kwarg] = getattr(side[name], attr)
        return out

    return build


def _spp_att(side: Side) -> dict[str, Any]:
    return {"pk": side["fx_spp"].pk, "att": side["fx_attachment"].pk}


def _plain(**kwargs: Any) -> Any:
    return lambda side: dict(kwargs)


def _a_tax(side: Side) -> int:
    rate = side.get("fx_tax")
    if rate is None:
        rate = TaxRate.objects.filter(code="PJK_DAERAH", regency_id=side.regency.code).get()
    return int(rate.pk)


SPP = obj("fx_spp")
SPP_NOTE = "an act on one SPP: refused to every role that may not take it"

ROUTES: list[Route] = [
    Route("finance:exec_hub", kwargs=_year, readers=READERS),
    # SPP
    Route("finance:spp_list", kwargs=_year, readers=READERS),
    Route("finance:spp_create", kwargs=_year, readers=frozenset(SPP_DRAFTERS)),
    Route("finance:spp_advances", kwargs=_year, readers=READERS),
    Route("finance:spp_detail", kwargs=SPP, readers=READERS),
    Route("finance:spp_edit", kwargs=SPP, readers=frozenset(SPP_DRAFTERS)),
    Route("finance:spp_submit", kwargs=SPP, readers=roles(Role.EXECUTOR, Role.SECRETARY), method="POST"),
    Route("finance:spp_cancel", kwargs=SPP, readers=roles(Role.EXECUTOR, Role.SECRETARY), method="POST"),
    Route("finance:spp_verify", kwargs=SPP, readers=roles(Role.SECRETARY), method="POST"),
    Route(
        "finance:spp_reject",
        kwargs=SPP,
        readers=roles(Role.SECRETARY, Role.HEAD, Role.TREASURER),
        method="POST",
        note="sent back at verification, approval or payment: the holders of those three acts",
    ),
    Route("finance:spp_approve", kwargs=SPP, readers=roles(Role.HEAD), method="POST"),
    Route("finance:spp_pay", kwargs=SPP, readers=TREASURER),
    Route("finance:spp_spj", kwargs=obj("fx_advance"), readers=frozenset(pay_svc.SPJ_ROLES)),
    Route("finance:spp_return", kwargs=obj("fx_advance"), readers=TREASURER, method="POST"),
    Route("finance:spp_attach", kwargs=SPP, readers=frozenset(pay_svc.SPJ_ROLES), method="POST"),
    Route("finance:spp_attachment", kwargs=_spp_att, readers=READERS),
    Route("finance:spp_detach", kwargs=_spp_att, readers=frozenset(pay_svc.SPJ_ROLES), method="POST"),
    Route("finance:spp_print", kwargs=SPP, readers=READERS),
    # treasury and books
    Route("finance:treasury_receipts", kwargs=_year, readers=READERS),
    Route("finance:treasury_transfers", kwargs=_year, readers=READERS),
    Route("finance:treasury_tax_deposits", kwargs=_year, readers=READERS),
    Route("finance:treasury_financing", kwargs=_year, readers=READERS),
    Route("finance:treasury_journal", kwargs=_year, readers=READERS),
    Route("finance:treasury_entry", kwargs=_year_and(number=("fx_receipt", "number")), readers=READERS),
    Route("finance:treasury_close", kwargs=_year, readers=READERS),
    Route("finance:treasury_close_post", kwargs=_year, readers=TREASURER, method="POST"),
    Route("finance:book", kwargs=lambda s: {**_year(s), "kind": "bku"}, readers=READERS),
    Route(
        "finance:book_export",
        kwargs=lambda s: {**_year(s), "kind": "bku", "fmt": "xlsx"},
        readers=READERS,
    ),
    # reports and progress
    Route("finance:reports_index", kwargs=_year, readers=READERS),
    Route("finance:report_lra", kwargs=_year, readers=READERS),
    Route("finance:report_activities", kwargs=_year, readers=READERS),
    Route("finance:progress_list", kwargs=_year_and(activity_id=("fx_activity", "pk")), readers=READERS),
    Route("finance:progress_photo", kwargs=_year_and(pk=("fx_progress", "pk")), readers=READERS),
    Route("finance:report_lpj", kwargs=_year, readers=READERS),
    Route("finance:silpa_carry", kwargs=_year, readers=frozenset(report_svc.SILPA_CARRIERS), method="POST"),
    Route(
        "finance:report_submit",
        kwargs=lambda s: {**_year(s), "kind": "lpj"},
        readers=roles(Role.HEAD),
        note="the LPJ is the head's to send (authority act finance.lpj.submit)",
        method="POST",
    ),
    Route(
        "finance:regency_realisation",
        readers=AREA,
        note="the district/regency summary: no village object; each sees its own area",
    ),
    # assets
    Route("finance:asset_list", kwargs=lambda s: {"code": s.village.code}, readers=READERS),
    Route("finance:asset_export", kwargs=lambda s: {"code": s.village.code}, readers=READERS),
    Route(
        "finance:asset_create", kwargs=lambda s: {"code": s.village.code}, readers=frozenset(ASSET_KEEPERS)
    ),
    Route("finance:asset_edit", kwargs=code_and("fx_asset"), readers=frozenset(ASSET_KEEPERS)),
    Route("finance:asset_remove", kwargs=code_and("fx_asset"), readers=frozenset(ASSET_KEEPERS)),
    Route("finance:asset_capital", kwargs=_year, readers=READERS),
    Route("finance:asset_report", kwargs=_year, readers=READERS),
    Route("finance:asset_report_file", kwargs=lambda s: {**_year(s), "fmt": "xlsx"}, readers=READERS),
    # Dana Desa tranches
    Route("finance:tranche_village", kwargs=_year, readers=READERS),
    Route("finance:tranche_rules", readers=READERS),
    Route("finance:tranche_part_edit", kwargs=_plain(year=YEAR, part="reguler"), readers=ADMINS),
    Route("finance:tranche_copy", readers=ADMINS, method="POST"),
    Route("finance:tranche_status", readers=ADMINS, note="the regency's list of village tranche states"),
    Route("finance:tranche_status_template", readers=ADMINS),
    Route("finance:tranche_status_import", readers=ADMINS, method="POST"),
    Route("finance:tranche_readiness", readers=AREA),
    Route("finance:tranche_readiness_export", readers=AREA),
    # the regency's execution settings and tax rates
    Route("finance:exec_settings", readers=ADMINS),
    Route("finance:tax_rate_list", readers=ADMINS),
    Route(
        "finance:tax_rate_add",
        readers=ADMINS,
        ok=(302,),
        note="the form lives on the list page; a GET here goes back to it",
    ),
    Route("finance:tax_rate_change", kwargs=lambda s: {"pk": _a_tax(s)}, readers=ADMINS),
    Route("finance:tax_rate_end", kwargs=lambda s: {"pk": _a_tax(s)}, readers=ADMINS, method="POST"),
]
