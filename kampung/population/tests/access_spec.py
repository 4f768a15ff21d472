"""Access matrix spec for the population app and the residents' portal (see
kampung/core/tests/matrix.py).

Readers of the register are the village staff and the district and regency roles above them
(``selectors.READER_ROLES``; not residents, not the BPD); only the village's operator,
secretary and head write (``services.WRITER_ROLES``), so the write forms are theirs alone.
Everyone else gets "not found". The portal (/warga/) is for resident accounts only: the seed
makes a real portal account for a resident of each side (``resident_user``), which then
stands for the RESIDENT role; a staff account there is "not found".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, VILLAGE_STAFF, Role
from kampung.core.tests.matrix import PUBLIC, Route, Side, code_and, obj, roles, village_code

READERS = roles(VILLAGE_STAFF, DISTRICT_ROLES, REGENCY_ROLES)
WRITERS = roles(Role.OPERATOR, Role.SECRETARY, Role.HEAD)
RESIDENT = roles(Role.RESIDENT)
PORTAL_PIN = "284719"


def seed(side: Side) -> dict[str, Any]:
    from kampung.population import portal, services
    from kampung.population.models import Sex
    from kampung.population.services_temporary import temporary_resident_create
    from kampung.population.tests.factories import make_family, make_resident, nik_for

    code = side.village.code
    operator = side.user(Role.OPERATOR)
    today = timezone.localdate()
    family = make_family(
        side.world,
        code,
        address=side.text("Jl. Alamat KK", 255),
        dusun=side.text("Dusun", 60, script=False),
        rw="001",
        rt="002",
    )
    head = make_resident(
        side.world,
        code,
        name=side.text("Warga Kepala", 150),
        birth=dt.date(1980, 3, 5),
        family=family,
        attributes={
            "family_relation": 1,
            "marital_status": 2,
            "birth_place": side.text("Tempat lahir", 100),
            "phone": "081234567890",
        },
    )
    spouse = make_resident(
        side.world,
        code,
        name=side.text("Warga Istri", 150),
        birth=dt.date(1984, 7, 9),
        sex=Sex.FEMALE,
        family=family,
        attributes={"family_relation": 3, "marital_status": 2},
    )
    baby_birth = today - dt.timedelta(days=1) if today.day > 1 else today
    baby = services.birth_record(
        actor=operator,
        family=family,
        nik=nik_for(code, baby_birth, Sex.MALE),
        name=side.text("Warga Bayi", 150),
        birth_date=baby_birth,
        sex=Sex.MALE,
        reporter_name=side.text("Pelapor", 150),
    )
    temporary = temporary_resident_create(
        actor=operator,
        village=side.village,
        values={
            "name": side.text("Pendatang", 150),
            "sex": Sex.MALE,
            "birth_place": side.text("Tempat lahir", 100),
            "birth_date": dt.date(1990, 1, 1),
            "nationality": "Indonesia",
            "origin": side.text("Asal", 255),
            "purpose": side.text("Maksud", 255),
            "host": side.text("Tuan rumah", 255),
            "arrival_date": today,
            "notes": side.text("Catatan"),
        },
    )
    # The side's resident with a portal account, made as the village does it (the operator
    # activates; the resident sets their own PIN at first login).
    account, pin = portal.account_activate(actor=operator, resident=head)
    portal.pin_change(user=account.user, old_pin=pin, new_pin=PORTAL_PIN)
    account.user.refresh_from_db()
    return {
        "pop_family": family,
        "pop_resident": head,
        "pop_spouse": spouse,
        "pop_baby": baby,
        "pop_temporary": temporary,
        "pop_account": account,
        "resident_user": account.user,
    }


def _region(side: Side) -> str:
    return f"?wilayah={side.village.code}"


def _period(side: Side) -> str:
    today = timezone.localdate()
    return f"?dari={today.year}-01-01&sampai={today.isoformat()}"


VILLAGE_REGISTER = "the village's register: its readers; another village is not found"

ROUTES: list[Route] = [
    # -- search, list, records ---------------------------------------------------------------
    Route(
        "population:resident_list",
        readers=READERS,
        query="?q=Warga",
        note="a name search every side's residents match: B's never reach A's users",
    ),
    Route(
        "population:resident_export",
        readers=READERS,
        query="?q=Warga",
        note="the same search, downloaded",
    ),
    Route("population:resident_detail", kwargs=obj("pop_resident"), readers=READERS),
    Route("population:family_detail", kwargs=obj("pop_family"), readers=READERS),
    # -- write forms (GET shows the form; the POST goes to the same URL) ---------------------
    Route("population:move_in", readers=WRITERS),
    Route("population:family_create", readers=WRITERS),
    Route("population:resident_correct", kwargs=obj("pop_resident"), readers=WRITERS),
    Route("population:death_record", kwargs=obj("pop_resident"), readers=WRITERS),
    Route("population:move_out", kwargs=obj("pop_resident"), readers=WRITERS),
    Route("population:family_change", kwargs=obj("pop_spouse"), readers=WRITERS),
    Route("population:birth_record", kwargs=obj("pop_family"), readers=WRITERS),
    Route("population:resident_create", kwargs=obj("pop_family"), readers=WRITERS),
    # -- import ------------------------------------------------------------------------------
    Route("population:import", readers=WRITERS),
    Route("population:import_run", readers=WRITERS, method="POST"),
    Route("population:import_template", kwargs=lambda side: {"fmt": "csv"}, readers=WRITERS),
    # -- resident accounts (operator's side) ----------------------------------------------------
    Route(
        "population:account_list",
        readers=READERS,
        note="accounts of the villages the user reads; B's never listed for A's users",
    ),
    Route("population:account_detail", kwargs=obj("pop_resident"), readers=WRITERS),
    Route("population:account_activate", kwargs=obj("pop_resident"), readers=WRITERS, method="POST"),
    Route("population:account_pin_reset", kwargs=obj("pop_resident"), readers=WRITERS, method="POST"),
    Route("population:account_deactivate", kwargs=obj("pop_resident"), readers=WRITERS, method="POST"),
    Route("population:account_slip", kwargs=obj("pop_resident"), readers=WRITERS),
    # -- statistics and the monthly report (a region picked by ?wilayah=) ---------------------
    Route("population:statistics", readers=READERS, query=_region),
    Route("population:statistics_export", readers=READERS, query=_region),
    Route("population:monthly_report", readers=READERS, query=_region),
    Route("population:monthly_pdf", readers=READERS, query=_region),
    Route("population:monthly_xlsx", readers=READERS, query=_region),
    # -- the village registers -----------------------------------------------------------------
    Route(
        "population:register_index",
        readers=READERS,
        ok=(200, 302),
        note="a reader of one village is sent straight to its Buku Induk (302); wider readers get the index",
    ),
    Route("population:register_induk", kwargs=village_code, readers=READERS, note=VILLAGE_REGISTER),
    Route("population:register_induk_pdf", kwargs=village_code, readers=READERS),
    Route("population:register_induk_xlsx", kwargs=village_code, readers=READERS),
    Route("population:register_mutasi", kwargs=village_code, readers=READERS, query=_period),
    Route("population:register_mutasi_pdf", kwargs=village_code, readers=READERS, query=_period),
    Route("population:register_mutasi_xlsx", kwargs=village_code, readers=READERS, query=_period),
    Route("population:register_rekap", kwargs=village_code, readers=READERS),
    Route("population:register_rekap_pdf", kwargs=village_code, readers=READERS),
    Route("population:register_rekap_xlsx", kwargs=village_code, readers=READERS),
    Route(
        "population:register_temporary_pdf",
        kwargs=village_code,
        readers=READERS,
        query="?status=semua",
    ),
    Route(
        "population:register_temporary_xlsx",
        kwargs=village_code,
        readers=READERS,
        query="?status=semua",
    ),
    Route("population:temporary_list", kwargs=village_code, readers=READERS, query="?status=semua"),
    Route("population:temporary_add", kwargs=village_code, readers=WRITERS),
    Route("population:temporary_edit", kwargs=code_and("pop_temporary"), readers=WRITERS),
    Route("population:temporary_depart", kwargs=code_and("pop_temporary"), readers=WRITERS),
    # -- the residents' portal (/warga/) ----------------------------------------------------------
    Route(
        "portal:login",
        readers=PUBLIC,
        ok=(200, 302),
        note="the login form for anyone; a resident already signed in is sent to their page (302)",
    ),
    Route(
        "portal:logout",
        readers=PUBLIC,
        ok=(405,),
        note="logging out is a POST only (no logout by a link or an image); GET is refused with 405",
    ),
    Route(
        "portal:home",
        readers=RESIDENT,
        note="the signed-in resident's own record and KK: nothing of anyone else; staff: not found",
    ),
    Route(
        "portal:pin_change",
        readers=RESIDENT,
        note="the signed-in resident's own PIN; staff: not found",
    ),
]
