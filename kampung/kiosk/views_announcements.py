"""Staff pages for announcements: list, add, edit, delete (``/pengumuman/``).

Only those who may post see these pages (the regency admin, a village's head, secretary and
operator); anyone else gets "not found". An announcement out of the user's rights is "not
found" too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kampung.core.errors import KampungError
from kampung.kiosk import selectors_announcements as sel
from kampung.kiosk import services_announcements as services
from kampung.kiosk.forms_announcements import AnnouncementForm, region_label
from kampung.kiosk.models import Announcement
from kampung.regions.models import Region

NAV = "announcements"
PER_PAGE = 25


def _regions_or_404(request: HttpRequest) -> list[Region]:
    regions = sel.postable_regions(actor=request.user)
    if not regions:
        raise Http404("Halaman tidak ditemukan.")
    return regions


def _clean_param(request: HttpRequest, name: str, size: int) -> str:
    return request.GET.get(name, "").replace("\x00", "").strip()[:size]


@login_required
@require_http_methods(["GET", "HEAD"])
def announcement_list(request: HttpRequest) -> HttpResponse:
    regions = _regions_or_404(request)
    codes = {r.code for r in regions}
    search = _clean_param(request, "q", 80)
    region = _clean_param(request, "wilayah", 13)
    if region not in codes:
        region = ""
    state = _clean_param(request, "status", 12)
    if state not in dict(sel.STATE_CHOICES):
        state = ""
    today = timezone.localdate()
    qs = sel.managed_list(actor=request.user, today=today, region=region, state=state, search=search)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "kiosk/announcements/list.html",
        {
            "page_obj": page,
            "today": today,
            "search": search,
            "region": region,
            "state": state,
            "regions": [(r.code, region_label(r)) for r in regions],
            "states": sel.STATE_CHOICES,
            "filtered": bool(search or region or state),
            "querystring_base": (query.urlencode() + "&") if query else "",
            "nav_active": NAV,
        },
    )


def _initial(announcement: Announcement | None, regions: list[Region]) -> dict[str, Any]:
    if announcement is None:
        return {"region": regions[0].code, "publish_from": timezone.localdate()}
    return {
        "region": announcement.region_id,
        "title": announcement.title,
        "body": announcement.body,
        "publish_from": announcement.publish_from,
        "publish_until": announcement.publish_until,
        "pinned": announcement.pinned,
    }


def _form_page(request: HttpRequest, announcement: Announcement | None) -> HttpResponse:
    regions = _regions_or_404(request)
    form = AnnouncementForm(
        request.POST if request.method == "POST" else None,
        initial=_initial(announcement, regions),
        regions=regions,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.announcement_save(
                actor=request.user,
                region=data["region"],
                title=data["title"],
                body=data["body"],
                publish_from=data["publish_from"],
                publish_until=data["publish_until"],
                pinned=data["pinned"],
                announcement=announcement,
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            verb = "diperbarui" if announcement else "diterbitkan"
            messages.success(request, f"Pengumuman \u201c{saved.title}\u201d {verb}.")
            return redirect("announcements:list")
    return render(
        request,
        "kiosk/announcements/form.html",
        {"form": form, "announcement": announcement, "nav_active": NAV},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def announcement_add(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def announcement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _regions_or_404(request)
    return _form_page(request, sel.managed_or_404(actor=request.user, pk=pk))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def announcement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    _regions_or_404(request)
    announcement = sel.managed_or_404(actor=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.announcement_delete(actor=request.user, announcement=announcement)
        except KampungError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Pengumuman \u201c{announcement.title}\u201d dihapus.")
        return redirect("announcements:list")
    return render(
        request,
        "kiosk/announcements/delete.html",
        {"announcement": announcement, "today": timezone.localdate(), "nav_active": NAV},
    )
