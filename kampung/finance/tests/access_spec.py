"""Access matrix spec for finance planning and budget (see kampung/core/tests/matrix.py):
the regency's reference data (codes, SSH, calendar, ceilings, earmark rules), RPJMDes, RKPDes,
Musdes, residents' proposals (staff pages and the residents' portal), the APBDes, the
evaluation queue, DPA/RAK, the printed outputs and the budget summary. The execution routes
are in ``access_spec_exec.py``.

Who reads what (``kampung/finance/access.py``): a village's plans and budget are read by its
staff and BPD, its district and the regency (``FINANCE_READERS``); plans are written by the
secretary, operator and head (``PLAN_EDITORS``), the budget also by the treasurer
(``BUDGET_EDITORS``); the regency's reference data is kept by DPMD and the admin
(``REGENCY_FINANCE_ADMINS``) and read by everyone in the regency.

Regency-level objects (an SSH item, the regency's local codes) are made once, on side a, and
side b points at the same object: the "foreign" attacker of a regency's object is another
regency (the foreign pass's regency roles), so side b's URL carries a marker query (``?sisi=b``,
ignored by the views) that makes the framework treat it as side-specific and demand a refusal.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, VILLAGE_READERS, Role
from kampung.core.tests.matrix import DISTRICT, REGENCY, Route, Side, code_and, obj, roles, village_code
from kampung.finance.tests.exec_factories import ensure_reference

FINANCE_READERS = roles(VILLAGE_READERS, DISTRICT_ROLES, REGENCY_ROLES)
PLAN_EDITORS = roles(Role.SECRETARY, Role.OPERATOR, Role.HEAD)
BUDGET_EDITORS = roles(Role.SECRETARY, Role.OPERATOR, Role.TREASURER, Role.HEAD)
ENACTORS = roles(Role.HEAD, Role.SECRETARY)
REGENCY_ADMINS = roles(Role.DPMD, Role.ADMIN)
# Everyone holding a role in the regency reads its reference data (village staff and BPD,
# district, regency); a resident does not.
REF_READERS = FINANCE_READERS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PLAN_YEAR = 2027  # the RKPDes and the proposals
ENACTED_YEAR = 2031  # an enacted APBDes with its DPA and RAK (years the execution spec leaves alone)
DRAFT_YEAR = 2032  # a draft APBDes, still editable

# Regency-level objects, made on side a and shared with side b (see the module docstring).
_SHARED: dict[str, Any] = {}


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def _resident_user(side: Side) -> tuple[Any, dict[str, Any]]:
    """The side's resident with a portal account: the one another spec seeded, or a new one."""
    from kampung.population.portal import account_activate, pin_change
    from kampung.population.tests.factories import make_resident

    user = side.get("resident_user")
    made: dict[str, Any] = {}
    if user is None:
        resident = make_resident(
            side.world,
            side.village.code,
            name=f"Slamet {side.token}",
            birth=dt.date(1985, 3, 14 if side.key == "a" else 15),
            nik=None,
        )
        account, pin = account_activate(actor=side.user(Role.OPERATOR), resident=resident)
        user = account.user
        pin_change(user=user, old_pin=pin, new_pin="739184")  # past the first-login PIN change
        made["resident_user"] = user
    return user.resident_account.resident, made


def _regency_objects(side: Side) -> dict[str, Any]:
    """The regency's own reference rows (once, on side a; side b shares them)."""
    from kampung.finance.models import EarmarkRule
    from kampung.finance.services import ref as ref_svc

    if side.key == "b":
        return dict(_SHARED)
    dpmd = side.user(Role.DPMD)
    regency = side.regency
    year = _today().year
    ssh = ref_svc.unit_price_save(
        actor=dpmd,
        regency=regency,
        year=year,
        data=ref_svc.UnitPriceData(
            code="FIN.MTX.1",
            name=side.text("Semen matriks", 255),
            specification=side.text("Spesifikasi", 255),
            unit="sak",
            price=Decimal(65_000),
            account_code="5.2.2.01",
        ),
    )
    account = ref_svc.local_account_save(
        actor=dpmd, regency=regency, code="5.2.1.91", name=side.text("Rekening lokal", 255)
    )
    activity = ref_svc.local_activity_save(
        actor=dpmd, regency=regency, code="03.01.91", name=side.text("Kegiatan lokal", 255)
    )
    rule = ref_svc.earmark_save(
        actor=dpmd,
        regency=regency,
        year=year,
        label=side.text("Ketentuan matriks", 200),
        kind="maks",
        percent=Decimal(3),
        activity_prefixes="01.01.03",
        basis=side.text("PMK matriks", 200),
    )
    assert isinstance(rule, EarmarkRule)
    _SHARED.clear()
    _SHARED.update(fin_ssh=ssh, fin_local_account=account, fin_local_activity=activity, fin_earmark=rule)
    return dict(_SHARED)


def _plans(side: Side) -> dict[str, Any]:
    from kampung.finance.models import ActivityCode, FundSource, MusdesKind, ProposalChannel
    from kampung.finance.services import planning as svc

    village, sec = side.village, side.user(Role.SECRETARY)
    dds = FundSource.objects.get(code="DDS")
    road = ActivityCode.objects.get(code="02.03.01", regency=None)
    rpjm = svc.rpjmdes_create(
        actor=sec,
        village=village,
        data=svc.RpjmInput(
            start_year=2025,
            end_year=2030,
            head_name=side.text("Kades", 120),
            inaugurated_on=dt.date(2024, 12, 1),
            vision=side.text("Visi desa"),
        ),
    )
    goal = svc.rpjm_goal_add(actor=sec, rpjm=rpjm, kind="misi", text=side.text("Misi desa"))
    rpjm_activity = svc.rpjm_activity_save(
        actor=sec,
        rpjm=rpjm,
        data=svc.RpjmActivityInput(
            activity_code=road,
            name=side.text("Jalan RPJM", 400),
            location=side.text("Dusun", 200),
            output_target=side.text("Sasaran", 200),
            beneficiaries=side.text("Penerima", 200),
            amounts={PLAN_YEAR: Decimal(150_000_000)},
            source=dds,
        ),
    )
    rpjm = svc.rpjmdes_enact(actor=sec, rpjm=rpjm, perdes_number="3/2025", perdes_date=dt.date(2025, 2, 1))
    rkp = svc.rkpdes_create(actor=sec, village=village, year=PLAN_YEAR)
    rkp_activity = svc.rkp_activity_save(
        actor=sec,
        rkp=rkp,
        data=svc.RkpActivityInput(
            activity_code=ActivityCode.objects.get(code="02.02.02", regency=None),
            source=dds,
            amount=Decimal(25_000_000),
            name=side.text("Posyandu RKP", 400),
            location=side.text("Balai", 200),
            unit="paket",
            beneficiaries=side.text("Balita", 200),
            executor=side.text("TPK", 120),
            output_unit="paket",
        ),
    )
    musdes = svc.musdes_save(
        actor=sec,
        village=village,
        data=svc.MusdesInput(
            kind=MusdesKind.RKP,
            title=side.text("Musdes RKP", 200),
            held_on=dt.date(2026, 8, 10),
            place=side.text("Balai desa", 200),
            year=PLAN_YEAR,
            participant_count=30,
            participants=side.text("Peserta"),
            summary=side.text("Ringkasan"),
        ),
        minutes=SimpleUploadedFile("ba.pdf", PDF, content_type="application/pdf"),
    )
    resident, made = _resident_user(side)
    user = resident.account.user
    proposal = svc.proposal_submit(
        resident=resident,
        channel=ProposalChannel.ONLINE,
        actor=user,
        data=svc.ProposalInput(
            title=side.text("Usulan jalan", 200),
            description=side.text("Uraian usulan"),
            location=side.text("RT 01", 200),
            estimated_cost=Decimal(40_000_000),
            year=_today().year + 1,
        ),
    )
    decided = svc.proposal_submit(
        resident=resident,
        channel=ProposalChannel.ONLINE,
        actor=user,
        data=svc.ProposalInput(
            title=side.text("Usulan diterima", 200),
            description=side.text("Uraian diterima"),
            estimated_cost=Decimal(10_000_000),
            year=_today().year + 1,
        ),
    )
    svc.proposal_decide(actor=sec, proposal=decided, accepted=True, musdes=musdes, note=side.text("Catatan"))
    return {
        **made,
        "fin_rpjm": rpjm,
        "fin_rpjm_goal": goal,
        "fin_rpjm_activity": rpjm_activity,
        "fin_rkp": rkp,
        "fin_rkp_activity": rkp_activity,
        "fin_musdes": musdes,
        "fin_proposal": proposal,
        "fin_proposal_decided": decided,
    }


def _budget(side: Side) -> dict[str, Any]:
    from kampung.finance.models import Ceiling, Dpa, FinancingLine, RevenueLine
    from kampung.finance.tests.exec_factories import make_executable
    from kampung.finance.tests.factories import add_activity, add_line, make_apbdes

    code = side.village.code
    enacted = make_executable(code, ENACTED_YEAR)
    draft = make_apbdes(code, DRAFT_YEAR)
    activity = add_activity(
        draft,
        "02.03.10",
        name=side.text("Kegiatan APBDes", 400),
        location=side.text("Lokasi", 200),
        executor_name=side.text("Pelaksana", 120),
    )
    line = add_line(activity, "5.3.5.03", "DDS", 1, 1_000_000, description=side.text("Rincian", 255))
    enacted_activity = add_activity(enacted, "02.03.10", name=side.text("Kegiatan berjalan", 400))
    add_line(
        enacted_activity, "5.3.5.03", "DDS", 1, 1_000_000, description=side.text("Rincian berjalan", 255)
    )
    Ceiling.objects.filter(village_id=code).update(note=side.text("Catatan pagu", 255))
    return {
        "fin_apbdes": draft,
        "fin_apbdes_enacted": enacted,
        "fin_activity": activity,
        "fin_enacted_activity": enacted_activity,
        "fin_line": line,
        "fin_revenue": RevenueLine.objects.filter(apbdes=draft).first(),
        "fin_financing": FinancingLine.objects.filter(apbdes=draft).first(),
        "fin_dpa": Dpa.objects.filter(activity__apbdes=enacted).order_by("pk").first(),
    }


def seed(side: Side) -> dict[str, Any]:
    # The chart of accounts and activity codes (a transactional test elsewhere in the same
    # worker may have flushed the rows the migrations loaded).
    ensure_reference()
    return {**_regency_objects(side), **_plans(side), **_budget(side)}


def _shared_mark(side: Side) -> str:
    """Side b's URL of a shared regency object: the same object, marked so the framework
    expects the foreign pass (another regency, and A's village/district users) to be refused."""
    return "" if side.key == "a" else "?sisi=b"


def rkp(extra: str | None = None, kwarg: str = "activity") -> Any:
    def build(side: Side) -> dict[str, Any]:
        out = {"code": side.village.code, "year": side["fin_rkp"].year}
        if extra:
            out[kwarg] = side[extra].pk
        return out

    return build


def rpjm(extra: str | None = None, kwarg: str = "activity") -> Any:
    def build(side: Side) -> dict[str, Any]:
        out = {"code": side.village.code, "pk": side["fin_rpjm"].pk}
        if extra:
            out[kwarg] = side[extra].pk
        return out

    return build


def apbdes_line(key: str) -> Any:
    return lambda side: {"pk": side["fin_apbdes"].pk, "line_pk": side[key].pk}


EVALUATORS = roles(DISTRICT, REGENCY)
# An act on the regency's reference data with no object in the URL: another regency's DPMD or
# admin acts on their own regency's data (a legitimate act, so it is not tried as a refusal).
OWN_REGENCY_ACT = "no object: the acting user's own regency"

ROUTES: list[Route] = [
    # -- home and summary ------------------------------------------------------------------
    Route(
        "finance:home",
        readers=roles(VILLAGE_READERS, DISTRICT, REGENCY),
        ok=(302,),
        foreign=False,
        note="redirects each finance user to their own starting page (no object of any side)",
    ),
    Route(
        "finance:summary",
        readers=EVALUATORS,
        query=lambda side: f"?kecamatan={side.district.code}",
        note="district and regency users; ?kecamatan= drills into a district in their scope",
    ),
    Route("finance:evaluation_queue", readers=EVALUATORS),
    # -- reference data (regency-wide) ------------------------------------------------------
    Route("finance:ref_home", readers=REF_READERS),
    Route("finance:ref_accounts", readers=REF_READERS),
    Route("finance:ref_activities", readers=REF_READERS),
    Route("finance:ref_local", readers=REGENCY_ADMINS),
    Route(
        "finance:ref_local_account_add",
        readers=REGENCY_ADMINS,
        method="POST",
        foreign=False,
        note=OWN_REGENCY_ACT,
    ),
    Route(
        "finance:ref_local_account_edit",
        kwargs=obj("fin_local_account"),
        query=_shared_mark,
        readers=REGENCY_ADMINS,
        method="POST",
    ),
    Route(
        "finance:ref_local_activity_add",
        readers=REGENCY_ADMINS,
        method="POST",
        foreign=False,
        note=OWN_REGENCY_ACT,
    ),
    Route(
        "finance:ref_local_activity_edit",
        kwargs=obj("fin_local_activity"),
        query=_shared_mark,
        readers=REGENCY_ADMINS,
        method="POST",
    ),
    Route(
        "finance:ref_local_toggle",
        kwargs=lambda side: {"kind": "rekening", "pk": side["fin_local_account"].pk},
        query=_shared_mark,
        readers=REGENCY_ADMINS,
        method="POST",
    ),
    Route(
        "finance:ref_local_example",
        readers=REGENCY_ADMINS,
        method="POST",
        foreign=False,
        note=OWN_REGENCY_ACT,
    ),
    Route("finance:ssh_list", readers=REF_READERS),
    Route(
        "finance:ssh_search",
        readers=REF_READERS,
        query=lambda side: f"?tahun={_today().year}&q=Semen&desa={side.village.code}",
    ),
    Route("finance:ssh_create", readers=REGENCY_ADMINS),
    Route("finance:ssh_edit", kwargs=obj("fin_ssh"), query=_shared_mark, readers=REGENCY_ADMINS),
    Route(
        "finance:ssh_toggle", kwargs=obj("fin_ssh"), query=_shared_mark, readers=REGENCY_ADMINS, method="POST"
    ),
    Route("finance:ssh_template", readers=REGENCY_ADMINS),
    Route("finance:ssh_export", readers=REF_READERS),
    Route("finance:ssh_import", readers=REGENCY_ADMINS, method="POST", foreign=False, note=OWN_REGENCY_ACT),
    Route("finance:ssh_copy", readers=REGENCY_ADMINS, method="POST", foreign=False, note=OWN_REGENCY_ACT),
    Route("finance:calendar_page", readers=REF_READERS),
    Route("finance:ceiling_list", readers=REGENCY_ADMINS),
    Route("finance:ceiling_template", readers=REGENCY_ADMINS),
    Route("finance:ceiling_export", readers=REGENCY_ADMINS),
    Route(
        "finance:ceiling_import", readers=REGENCY_ADMINS, method="POST", foreign=False, note=OWN_REGENCY_ACT
    ),
    Route("finance:ceiling_edit", kwargs=village_code, readers=REGENCY_ADMINS),
    Route("finance:ceiling_village", kwargs=village_code, readers=FINANCE_READERS),
    # Earmark rules are one national table (PMK of the year) kept by any regency's DPMD/admin.
    Route("finance:earmark_list", readers=REF_READERS),
    Route("finance:earmark_create", readers=REGENCY_ADMINS),
    Route(
        "finance:earmark_edit",
        kwargs=obj("fin_earmark"),
        readers=REGENCY_ADMINS,
        note="a national row: the same object on both sides",
    ),
    Route(
        "finance:earmark_delete",
        kwargs=obj("fin_earmark"),
        readers=REGENCY_ADMINS,
        method="POST",
        foreign=False,
        note="a national row that any regency's DPMD/admin keeps: another regency's admin may delete it",
    ),
    Route("finance:earmark_copy", readers=REGENCY_ADMINS, method="POST", foreign=False, note=OWN_REGENCY_ACT),
    # -- RPJMDes ----------------------------------------------------------------------------
    Route("finance:rpjm_list", kwargs=village_code, readers=FINANCE_READERS),
    Route("finance:rpjm_create", kwargs=village_code, readers=PLAN_EDITORS),
    Route("finance:rpjm_detail", kwargs=code_and("fin_rpjm"), readers=FINANCE_READERS),
    Route("finance:rpjm_edit", kwargs=code_and("fin_rpjm"), readers=PLAN_EDITORS),
    Route("finance:rpjm_goal_add", kwargs=code_and("fin_rpjm"), readers=PLAN_EDITORS, method="POST"),
    Route(
        "finance:rpjm_goal_delete", kwargs=rpjm("fin_rpjm_goal", "goal"), readers=PLAN_EDITORS, method="POST"
    ),
    Route("finance:rpjm_activity_create", kwargs=code_and("fin_rpjm"), readers=PLAN_EDITORS),
    Route("finance:rpjm_activity_edit", kwargs=rpjm("fin_rpjm_activity"), readers=PLAN_EDITORS),
    Route(
        "finance:rpjm_activity_delete", kwargs=rpjm("fin_rpjm_activity"), readers=PLAN_EDITORS, method="POST"
    ),
    Route("finance:rpjm_enact", kwargs=code_and("fin_rpjm"), readers=ENACTORS, method="POST"),
    Route("finance:rpjm_excel", kwargs=code_and("fin_rpjm"), readers=FINANCE_READERS),
    # -- RKPDes -----------------------------------------------------------------------------
    Route("finance:rkp_list", kwargs=village_code, readers=FINANCE_READERS),
    Route("finance:rkp_create", kwargs=village_code, readers=PLAN_EDITORS, method="POST"),
    Route("finance:rkp_detail", kwargs=rkp(), readers=FINANCE_READERS),
    Route("finance:rkp_activity_create", kwargs=rkp(), readers=PLAN_EDITORS),
    Route("finance:rkp_activity_edit", kwargs=rkp("fin_rkp_activity"), readers=PLAN_EDITORS),
    Route("finance:rkp_activity_delete", kwargs=rkp("fin_rkp_activity"), readers=PLAN_EDITORS, method="POST"),
    Route("finance:rkp_musdes", kwargs=rkp(), readers=PLAN_EDITORS, method="POST"),
    Route("finance:rkp_enact", kwargs=rkp(), readers=ENACTORS, method="POST"),
    Route("finance:rkp_excel", kwargs=rkp(), readers=FINANCE_READERS),
    # -- Musdes and proposals -----------------------------------------------------------------
    Route("finance:musdes_list", kwargs=village_code, readers=FINANCE_READERS),
    Route("finance:musdes_create", kwargs=village_code, readers=PLAN_EDITORS),
    Route("finance:musdes_edit", kwargs=code_and("fin_musdes"), readers=PLAN_EDITORS),
    Route("finance:musdes_minutes", kwargs=code_and("fin_musdes"), readers=FINANCE_READERS),
    Route("finance:proposal_list", kwargs=village_code, readers=FINANCE_READERS),
    Route("finance:proposal_excel", kwargs=village_code, readers=FINANCE_READERS),
    Route("finance:proposal_counter", kwargs=village_code, readers=PLAN_EDITORS),
    Route("finance:proposal_detail", kwargs=code_and("fin_proposal"), readers=FINANCE_READERS),
    Route("finance:proposal_decide", kwargs=code_and("fin_proposal"), readers=PLAN_EDITORS, method="POST"),
    Route(
        "finance:proposal_to_rkp",
        kwargs=code_and("fin_proposal_decided"),
        readers=PLAN_EDITORS,
        method="POST",
    ),
    # -- the residents' portal ----------------------------------------------------------------
    Route("finance_portal:list", readers=roles(Role.RESIDENT), foreign=False, note="the resident's own"),
    Route("finance_portal:new", readers=roles(Role.RESIDENT), foreign=False, note="the resident's own"),
    Route("finance_portal:detail", kwargs=obj("fin_proposal"), readers=roles(Role.RESIDENT)),
    # -- APBDes -----------------------------------------------------------------------------
    Route("finance:village", kwargs=village_code, readers=FINANCE_READERS),
    Route("finance:apbdes_create", kwargs=village_code, readers=BUDGET_EDITORS, method="POST"),
    Route("finance:apbdes_detail", kwargs=obj("fin_apbdes"), readers=FINANCE_READERS),
    Route(
        "finance:apbdes_act",
        kwargs=lambda side: {"pk": side["fin_apbdes"].pk, "act": "tetapkan"},
        readers=roles(Role.HEAD),
        method="POST",
        note="enacting the Perdes APBDes is the head's act (authority catalogue)",
    ),
    Route("finance:apbdes_revenue_save", kwargs=obj("fin_apbdes"), readers=BUDGET_EDITORS, method="POST"),
    Route(
        "finance:apbdes_revenue_delete",
        kwargs=apbdes_line("fin_revenue"),
        readers=BUDGET_EDITORS,
        method="POST",
    ),
    Route("finance:apbdes_financing_save", kwargs=obj("fin_apbdes"), readers=BUDGET_EDITORS, method="POST"),
    Route(
        "finance:apbdes_financing_delete",
        kwargs=apbdes_line("fin_financing"),
        readers=BUDGET_EDITORS,
        method="POST",
    ),
    Route("finance:apbdes_activity_add", kwargs=obj("fin_apbdes"), readers=BUDGET_EDITORS, method="POST"),
    Route("finance:apbdes_activity", kwargs=obj("fin_activity"), readers=FINANCE_READERS),
    Route("finance:apbdes_activity_edit", kwargs=obj("fin_activity"), readers=BUDGET_EDITORS, method="POST"),
    Route(
        "finance:apbdes_activity_delete", kwargs=obj("fin_activity"), readers=BUDGET_EDITORS, method="POST"
    ),
    Route("finance:apbdes_line_delete", kwargs=obj("fin_line"), readers=BUDGET_EDITORS, method="POST"),
    # -- DPA, RAK and printed outputs ----------------------------------------------------------
    Route("finance:dpa_list", kwargs=obj("fin_apbdes_enacted"), readers=FINANCE_READERS),
    Route(
        "finance:dpa_create",
        kwargs=obj("fin_apbdes_enacted"),
        readers=roles(Role.EXECUTOR, Role.SECRETARY),
        method="POST",
    ),
    Route("finance:dpa_detail", kwargs=obj("fin_dpa"), readers=FINANCE_READERS),
    Route(
        "finance:dpa_act",
        kwargs=lambda side: {"pk": side["fin_dpa"].pk, "act": "approve"},
        readers=roles(Role.HEAD),
        method="POST",
        note="approving a DPA is the head's act (authority catalogue)",
    ),
    Route("finance:rak_edit", kwargs=obj("fin_apbdes_enacted"), readers=FINANCE_READERS),
    Route(
        "finance:rak_act",
        kwargs=lambda side: {"pk": side["fin_apbdes_enacted"].pk, "act": "verify"},
        readers=roles(Role.SECRETARY),
        method="POST",
        note="verifying the RAK is the secretary's act (authority catalogue)",
    ),
    Route(
        "finance:print_attachment",
        kwargs=lambda side: {"pk": side["fin_apbdes"].pk, "fmt": "xlsx"},
        readers=FINANCE_READERS,
    ),
    Route(
        "finance:print_penjabaran",
        kwargs=lambda side: {"pk": side["fin_apbdes"].pk, "fmt": "xlsx"},
        readers=FINANCE_READERS,
    ),
    Route(
        "finance:print_rab",
        kwargs=lambda side: {"pk": side["fin_activity"].pk, "fmt": "xlsx"},
        readers=FINANCE_READERS,
    ),
    Route(
        "finance:print_rak",
        kwargs=lambda side: {"pk": side["fin_apbdes_enacted"].pk, "fmt": "xlsx"},
        readers=FINANCE_READERS,
    ),
]
