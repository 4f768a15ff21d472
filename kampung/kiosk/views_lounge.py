"""The lounge display (``/layar/``): a big-screen page for a TV in a lobby that rotates its
panels by itself and reloads every few minutes. Public, rendered without the request and
kept a minute in the cache (its "today" panel must stay fresh)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kampung.kiosk import site
from kampung.kiosk.public_cache import public_page, render_public
from kampung.kiosk.selectors_lounge import STAGE_NAMES, Lounge, lounge
from kampung.monitoring import charts
from kampung.regions.models import Level, Region

MAX_AGE = 60
ROTATE_DEFAULT, ROTATE_MIN, ROTATE_MAX = 15, 5, 120
RELOAD_SECONDS = 300


def rotate_seconds(raw: str | None) -> int:
    """``?detik=``: seconds per panel, 5 to 120; anything else is the default 15."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        return ROTATE_DEFAULT
    return min(max(int(raw), ROTATE_MIN), ROTATE_MAX)


def _pct(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.1f}".replace(".", ",") + "%"


def _charts(data: Lounge) -> dict[str, Any]:
    def bars(rows: list[Any], title: str) -> Any:
        return charts.hbars([(r.name, r.absorption * 100, _pct(r.absorption)) for r in rows], title=title)

    what = data.child_label.lower()
    programmes = [
        (
            block,
            charts.hbars(
                [(STAGE_NAMES.get(s, s), n, str(n)) for s, n in block.total.stages.items() if n],
                title=f"{block.name}: jumlah kasus per tahap",
            ),
        )
        for block in data.programmes
    ]
    return {
        "top_chart": bars(data.top, f"Penyerapan belanja APBDes tertinggi per {what}") if data.top else "",
        "bottom_chart": bars(data.bottom, f"Penyerapan belanja APBDes terendah per {what}")
        if data.bottom
        else "",
        "programme_charts": programmes,
        "absorption": _pct(data.absorption),
    }


def _display(request: HttpRequest, region: Region) -> HttpResponse:
    data = lounge(region, timezone.localdate())
    context = {
        **site.site_context(region),
        "data": data,
        **_charts(data),
        "seconds": rotate_seconds(request.GET.get("detik")),
        "reload_seconds": RELOAD_SECONDS,
        "updated_at": timezone.localtime(),
        "is_regency": region.level == Level.REGENCY,
    }
    return render_public("kiosk/lounge/display.html", context)


@public_page(max_age=MAX_AGE)
def home(request: HttpRequest) -> HttpResponse:
    """The served regency's display; a chooser when several are served; a friendly page
    when none is set up yet."""
    codes = site.served_regency_codes()
    if len(codes) == 1:
        return _display(request, site.served_region_or_404(codes[0], Level.REGENCY))
    regencies = list(Region.objects.filter(code__in=codes).order_by("name"))
    return render_public("kiosk/lounge/choose.html", {"regencies": regencies, "region": "Kampung"})


@public_page(max_age=MAX_AGE)
def region(request: HttpRequest, code: str) -> HttpResponse:
    return _display(request, site.served_region_or_404(code, Level.REGENCY, Level.DISTRICT, Level.VILLAGE))
