"""Access matrix spec for the assistance app and the residents' assistance portal (see
kampung/core/tests/matrix.py).

Readers of a village's programme pages and cases are its staff and BPD, its district and the
regency (``access.READERS``); each act belongs to the roles ``access`` names for it, and
everyone else gets "not found" (``village_or_404`` / ``case_or_404`` with the act's roles).
The regency's programmes and criteria are regency-level (side A only, shared by both sides);
configuring them is the programme admins' (DPMD, admin). The portal (/warga/bantuan/) shows a
resident their own family's applications only.

Each side gets a registered RTLH case with a survey photo, a case named in an issued decision
(with its PDF), a finished case with its progress reports and handover minutes, and a case of
the side's portal resident.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, Role
from kampung.assistance import access
from kampung.core.tests.matrix import Route, Side, obj, roles
from kampung.finance.access import SPP_DRAFTERS

YEAR = 2026
PORTAL_PIN = "284719"

READERS = frozenset(access.READERS)
WIDE = roles(DISTRICT_ROLES, REGENCY_ROLES)
ADMINS = frozenset(access.PROGRAMME_ADMINS)
RESIDENT = roles(Role.RESIDENT)


def _signing_key(regency: str) -> None:
    from kampung.documents import keys

    if not keys.key_list(regency=regency):
        keys.key_generate(regency=regency)


def _portal_resident(side: Side) -> tuple[Any, Any, dict[str, Any]]:
    """The side's portal resident and family: the population spec's when it was seeded,
    else one made here (then also offered as the side's ``resident_user``)."""
    from kampung.assistance.tests.factories import household
    from kampung.population import portal

    if side.get("resident_user") is not None and side.get("pop_family") is not None:
        return side["pop_family"], side["pop_resident"], {}
    family, head = household(side.world, side.village.code, name=side.text("Warga Portal", 100), members=1)
    account, pin = portal.account_activate(actor=side.user(Role.OPERATOR), resident=head)
    portal.pin_change(user=account.user, old_pin=pin, new_pin=PORTAL_PIN)
    account.user.refresh_from_db()
    return family, head, {"resident_user": account.user}


def seed(side: Side) -> dict[str, Any]:
    from kampung.assistance.models import CaseStatus, Criterion, PhotoKind, Programme
    from kampung.assistance.photos import photo_add
    from kampung.assistance.services.cases import case_register
    from kampung.assistance.services.progress import handover_record, progress_report
    from kampung.assistance.tests.factories import household, make_case, programmes
    from kampung.assistance.tests.test_cases_helpers import upload
    from kampung.assistance.tests.test_decisions_support import decided, jpeg

    code = side.village.code
    world = side.world
    _signing_key(side.regency.code)
    if side.key == "a":
        rtlh, _blt = programmes(YEAR)
    else:
        rtlh = Programme.objects.get(code="rtlh")

    # A registered case with a survey photo (survey, photos, cancel).
    family, _head = household(world, code, name=side.text("Keluarga Daftar", 100), members=2)
    registered = case_register(
        actor=side.user(Role.OPERATOR),
        programme=rtlh,
        year=YEAR,
        family=family,
        registered_on=dt.date(YEAR, 3, 2),
    )
    photo = photo_add(
        actor=side.user(Role.FIELD_OFFICER),
        case=registered,
        kind=PhotoKind.ROOF,
        upload=upload(),
    )

    # A beneficiary named in an issued decision (decision pages, its PDF, SPP, progress).
    decided_case = decided(world, rtlh, code)
    decision = decided_case.decision

    # A paid case that is finished: progress 0/50/100 % and the handover minutes.
    family2, head2 = household(world, code, name=side.text("Keluarga Selesai", 100), members=2)
    done = make_case(rtlh, family2, head2, status=CaseStatus.PAID, amount=17_500_000)
    type(done).objects.filter(pk=done.pk).update(paid_on=dt.date(YEAR, 6, 10))
    done.refresh_from_db()
    for percent, day in ((0, dt.date(YEAR, 6, 12)), (50, dt.date(YEAR, 7, 1)), (100, dt.date(YEAR, 8, 1))):
        progress_report(
            actor=side.user(Role.EXECUTOR),
            case=done,
            percent=percent,
            reported_on=day,
            note=side.text(f"Kemajuan {percent}"),
            photos=[jpeg()],
        )
    handover = handover_record(
        actor=side.user(Role.SECRETARY),
        case=done,
        number=f"01/BAST-RTLH/{YEAR}",
        held_on=dt.date(YEAR, 8, 10),
        place=side.text("Balai desa", 200),
        handed_by=side.text("Ketua TPK", 150),
        received_by=side.text("Penerima", 150),
        witnesses=side.text("Ketua RT"),
        notes=side.text("Catatan serah terima"),
    )

    # The portal resident's own application.
    pfamily, _phead, extra = _portal_resident(side)
    portal_case = case_register(
        actor=side.user(Role.OPERATOR),
        programme=rtlh,
        year=YEAR,
        family=pfamily,
        registered_on=dt.date(YEAR, 3, 3),
    )

    out: dict[str, Any] = {
        "as_case": registered,
        "as_photo": photo,
        "as_decided": decided_case,
        "as_decision": decision,
        "as_done": done,
        "as_handover": handover,
        "as_portal_case": portal_case,
        **extra,
    }
    if side.key == "a":
        out["as_criterion"] = Criterion.objects.filter(programme=rtlh).order_by("pk").first()
    return out


def _programme(programme: str = "rtlh") -> Any:
    return lambda side: {"code": side.village.code, "programme": programme, "year": YEAR}


def _regency_level(**kwargs: Any) -> Any:
    return lambda side: dict(kwargs)


def _criterion(side: Side) -> dict[str, Any]:
    from kampung.assistance.models import Criterion

    criterion = (
        side.get("as_criterion") or Criterion.objects.filter(programme__code="rtlh").order_by("pk").first()
    )
    return {"programme": "rtlh", "pk": criterion.pk}


CASE = obj("as_case")
DECISION = obj("as_decision")

ROUTES: list[Route] = [
    # -- home, district/regency overview --------------------------------------------------------
    Route(
        "assistance:home",
        readers=READERS,
        denied=(302, 403, 404),
        note="a resident (the only non-reader signed in) is sent on to their portal page",
    ),
    Route("assistance:delegated", kwargs=_regency_level(year=YEAR), readers=WIDE),
    Route("assistance:overview", kwargs=_regency_level(programme="rtlh", year=YEAR), readers=WIDE),
    Route("assistance:stalled", kwargs=_regency_level(programme="rtlh", year=YEAR), readers=WIDE),
    # -- the regency's programmes (regency-level: the same objects on both sides) -------------------
    Route("assistance:programmes", readers=READERS),
    Route("assistance:programme_create", readers=ADMINS),
    Route("assistance:programme", kwargs=_regency_level(programme="rtlh"), readers=READERS),
    Route("assistance:criteria", kwargs=_regency_level(programme="rtlh"), readers=READERS),
    Route("assistance:criterion", kwargs=_criterion, readers=ADMINS),
    Route("assistance:programme_year", kwargs=_regency_level(programme="rtlh", year=YEAR), readers=READERS),
    Route("assistance:aid_history", readers=ADMINS),
    # -- a village's programme: registration, survey, ranking, Musdes -------------------------------
    Route("assistance:village", kwargs=_programme(), readers=READERS),
    Route("assistance:case_register", kwargs=_programme(), readers=frozenset(access.REGISTRARS)),
    Route("assistance:ranking", kwargs=_programme(), readers=READERS),
    Route("assistance:deliberation", kwargs=_programme(), readers=frozenset(access.DELIBERATION_RECORDERS)),
    Route(
        "assistance:family_search",
        kwargs=lambda side: {"code": side.village.code},
        readers=frozenset(access.REGISTRARS),
        query="?q=Keluarga",
    ),
    Route("assistance:case", kwargs=CASE, readers=READERS),
    Route("assistance:survey", kwargs=CASE, readers=frozenset(access.SURVEYORS)),
    Route("assistance:photo_upload", kwargs=CASE, readers=frozenset(access.SURVEYORS), method="POST"),
    Route("assistance:case_cancel", kwargs=CASE, readers=frozenset(access.REGISTRARS), method="POST"),
    Route("assistance:photo", kwargs=obj("as_photo"), readers=READERS),
    Route(
        "assistance:photo_delete", kwargs=obj("as_photo"), readers=frozenset(access.SURVEYORS), method="POST"
    ),
    # -- decision, payment, progress, handover -----------------------------------------------------
    Route("assistance:decisions", kwargs=_programme(), readers=READERS),
    Route("assistance:decision", kwargs=DECISION, readers=READERS),
    Route(
        "assistance:decision_issue",
        kwargs=DECISION,
        readers=frozenset(access.DECISION_DRAFTERS),
        method="POST",
    ),
    Route(
        "assistance:decision_cancel",
        kwargs=DECISION,
        readers=frozenset(access.DECISION_DRAFTERS),
        method="POST",
    ),
    Route("assistance:decision_pdf", kwargs=DECISION, readers=READERS),
    Route("assistance:case_spp", kwargs=obj("as_decided"), readers=frozenset(SPP_DRAFTERS)),
    Route("assistance:progress", kwargs=obj("as_decided"), readers=frozenset(access.PROGRESS_REPORTERS)),
    Route("assistance:handover", kwargs=obj("as_done"), readers=frozenset(access.HANDOVER_RECORDERS)),
    Route("assistance:handover_pdf", kwargs=obj("as_done"), readers=READERS),
    # -- BLT Dana Desa monthly payments --------------------------------------------------------------
    Route("assistance:months", kwargs=_programme("blt"), readers=READERS),
    Route(
        "assistance:month",
        kwargs=lambda side: {"code": side.village.code, "programme": "blt", "year": YEAR, "month": 1},
        readers=READERS,
    ),
    # -- the residents' portal -----------------------------------------------------------------------
    Route(
        "assistance_portal:list",
        readers=RESIDENT,
        note="the signed-in resident's own family's applications; a staff account is not found",
    ),
    Route("assistance_portal:apply", kwargs=_regency_level(programme="rtlh"), readers=RESIDENT),
    Route("assistance_portal:case", kwargs=obj("as_portal_case"), readers=RESIDENT),
]
