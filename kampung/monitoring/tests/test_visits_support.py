"""Builders for the field monitoring tests: an enacted APBDes with a physical kegiatan,
ProjectFigure rows, photo uploads with EXIF (no tests here)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kampung.monitoring.models import ProjectFigure

ROAD = "02.03.10"  # "Rabat beton" in make_apbdes: Rp 462 jt, Dusun Krajan
NOW = dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC)  # 10:00 WIB, Monday 15 June 2026


def enacted(village: str, year: int = 2026, **activity: Any) -> Any:
    """``make_apbdes`` enacted on 20 December of the year before; ``activity`` sets fields of
    the road kegiatan (start_month, end_month, ...)."""
    from kampung.finance.models import ApbdesStatus, BudgetActivity
    from kampung.finance.tests.exec_factories import ensure_reference
    from kampung.finance.tests.factories import make_apbdes

    ensure_reference()
    apbdes = make_apbdes(
        village,
        year,
        status=ApbdesStatus.ENACTED,
        perdes_number=f"3/{year}",
        perdes_date=dt.date(year - 1, 12, 20),
        bpd_agreed_on=dt.date(year - 1, 10, 20),
    )
    if activity:
        BudgetActivity.objects.filter(apbdes=apbdes, activity_code__code=ROAD).update(**activity)
    return apbdes


def figure(village: str, code: str = ROAD, year: int = 2026, **fields: Any) -> ProjectFigure:
    values: dict[str, Any] = {
        "name": "Pembangunan jalan rabat beton",
        "location": "Dusun Krajan",
        "start_month": 3,
        "end_month": 8,
        "budget": Decimal(462_000_000),
        "spent": Decimal(0),
        "physical_percent": Decimal(0),
    }
    values.update(fields)
    return ProjectFigure.objects.create(
        village_id=village, district_code=village[:8], year=year, activity_code=code, **values
    )


def jpeg(**kw: Any) -> bytes:
    from kampung.assistance.tests.test_cases_helpers import jpeg as make

    return make(**kw)


def upload(data: bytes | None = None, name: str = "IMG_0001.jpg", content_type: str = "image/jpeg") -> Any:
    return SimpleUploadedFile(name, data if data is not None else jpeg(), content_type=content_type)
