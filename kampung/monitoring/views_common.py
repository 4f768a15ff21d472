"""What every monitoring page of a region shares: the region (scope-checked), the period,
the breadcrumbs and the section tabs (``monitoring/_header.html``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from kampung.monitoring.periods import PERIOD_CHOICES, Period, period_from
from kampung.monitoring.regions import breadcrumbs, region_or_404
from kampung.regions.models import Level, Region

# (key, label, url name taking the region code)
TABS: tuple[tuple[str, str, str], ...] = (
    ("ringkasan", "Ringkasan", "monitoring:region"),
    ("keuangan", "Keuangan", "monitoring:finance"),
    ("layanan", "Layanan surat", "monitoring:letters"),
    ("program", "Program bantuan", "monitoring:programmes"),
    ("penduduk", "Penduduk", "monitoring:population"),
    ("lapangan", "Kegiatan fisik", "monitoring:projects"),
    ("peringatan", "Peringatan", "monitoring:region_alerts"),
)
FIRST_YEAR = 2018  # the first budget year offered in the filter


def region_title(region: Region) -> str:
    """ "Kabupaten Banyuwangi", "Kecamatan Glagah", "Desa Kemiren", "Kelurahan Bakungan"."""
    if region.level == Level.REGENCY:
        return region.name
    if region.level == Level.DISTRICT:
        return f"Kecamatan {region.name}"
    return f"{region.get_kind_display()} {region.name}"


def region_page(
    request: HttpRequest, code: str, *, tab: str, title: str = "", roles: tuple[str, ...] = ()
) -> tuple[Region, Period, dict[str, Any]]:
    """The scope-checked region (404 outside the user's scope), the period asked for, and the
    context ``monitoring/_header.html`` needs. ``title`` defaults to the region's name."""
    region = region_or_404(request.user, code, *roles)
    today = timezone.localdate()
    period = period_from(request.GET, today)
    years = list(range(max(today.year, period.year) + 1, FIRST_YEAR - 1, -1))
    context: dict[str, Any] = {
        "region": region,
        "crumbs": breadcrumbs(request.user, region),
        "tab": tab,
        "tabs": TABS,
        "title": title or region_title(region),
        "period": period,
        "period_choices": PERIOD_CHOICES,
        "years": years,
        "keep": [],
        "today": today,
        "nav": "monitoring",
    }
    return region, period, context
