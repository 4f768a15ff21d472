"""Access matrix spec for monitoring: the dashboards, alerts, field visits and their photos,
and the regency's monitoring settings (see kampung/core/tests/matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kampung.accounts.roles import Role
from kampung.core.tests.matrix import ALL_ROLES, Route, Side, roles, village_code
from kampung.monitoring.access import DASHBOARD_ROLES, SETTINGS_EDITORS, VISIT_RECORDERS
from kampung.monitoring.models import Alert
from kampung.monitoring.services.visits import visit_record
from kampung.monitoring.tests.test_visits_support import ROAD, enacted, upload

YEAR = 2023  # a budget year no other spec uses, so its APBDes is the monitoring seed's own
DASHBOARD = roles(DASHBOARD_ROLES)


def seed(side: Side) -> dict[str, Any]:
    enacted(side.village.code, YEAR)
    visit = visit_record(
        actor=side.user(Role.DISTRICT_OFFICER),
        village=side.village,
        year=YEAR,
        activity_code=ROAD,
        visited_on=dt.date(YEAR, 6, 12),
        percent="45.5",
        notes=side.text("Catatan kunjungan"),
        findings=side.text("Temuan"),
        photos=[upload()],
    )
    alert = Alert.objects.create(
        key=f"matrix-{side.key}",
        kind="surat_terlambat",
        village=side.village,
        district_code=side.district.code,
        title=side.text("Peringatan", 300),
        detail=side.text("Rincian"),
    )
    return {"mon_visit": visit, "mon_photo": visit.photos.first(), "mon_alert": alert}


def _project(side: Side) -> dict[str, Any]:
    return {"village_code": side.village.code, "year": YEAR, "activity_code": ROAD}


ROUTES: list[Route] = [
    # The dashboards: the village's staff and BPD, its district and its regency.
    Route("monitoring:home", readers=DASHBOARD, ok=(302,)),
    Route("monitoring:region", kwargs=village_code, readers=DASHBOARD),
    Route("monitoring:finance", kwargs=village_code, readers=DASHBOARD),
    Route("monitoring:letters", kwargs=village_code, readers=DASHBOARD),
    Route("monitoring:programmes", kwargs=village_code, readers=DASHBOARD),
    Route("monitoring:population", kwargs=village_code, readers=DASHBOARD),
    # Alerts: every role but the resident has a list of its own.
    Route("monitoring:alerts", readers=ALL_ROLES - {Role.RESIDENT}),
    Route("monitoring:region_alerts", kwargs=village_code, readers=DASHBOARD),
    Route("monitoring:projects", kwargs=village_code, readers=DASHBOARD),
    Route("monitoring:project", kwargs=_project, readers=DASHBOARD),
    Route("monitoring:visit_add", kwargs=_project, readers=roles(VISIT_RECORDERS), method="POST"),
    Route("monitoring:visit_photo", kwargs=lambda s: {"pk": s["mon_photo"].pk}, readers=DASHBOARD),
    Route("monitoring:settings", readers=roles(SETTINGS_EDITORS)),
]
