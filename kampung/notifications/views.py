"""The regency admin's outbox: what was sent to residents, what waits, what failed.
Anyone else gets "not found"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kampung.core.errors import KampungError
from kampung.notifications import selectors, services
from kampung.notifications.models import Channel, Status
from kampung.notifications.phones import mask_recipient


def _require_admin(request: HttpRequest) -> None:
    if not selectors.may_manage(request.user):
        raise Http404("Halaman tidak ditemukan.")


@login_required
def outbox_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    channel = request.GET.get("kanal", "")
    channel = channel if channel in Channel.values else ""
    search = request.GET.get("q", "").strip()[:80]
    qs = selectors.outbox_list(actor=request.user, status=status, channel=channel, search=search)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for message in page.object_list:
        message.masked_recipient = mask_recipient(message.recipient)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.outbox_counts(actor=request.user)
    return render(
        request,
        "notifications/outbox_list.html",
        {
            "page_obj": page,
            "counts": [(s.value, s.label, counts[s.value]) for s in Status],
            "statuses": Status.choices,
            "channels": Channel.choices,
            "status": status,
            "channel": channel,
            "search": search,
            "back_query": request.GET.urlencode(),
            "querystring_base": (query.urlencode() + "&") if query else "",
            "nav_active": "notifications",
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    # Back to the same filtered page; re-encoded so only a query string can come through.
    query = QueryDict(request.POST.get("kembali", "")[:500]).urlencode()
    target = redirect("notifications:outbox_list")
    if query:
        target["Location"] += "?" + query
    return target


@login_required
@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    message = selectors.message_get_or_404(actor=request.user, pk=pk)
    try:
        services.message_retry(actor=request.user, message=message)
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Pesan dimasukkan lagi ke antrean dan akan dikirim ulang.")
    return _back(request)


@login_required
@require_POST
def message_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    message = selectors.message_get_or_404(actor=request.user, pk=pk)
    try:
        services.message_cancel(actor=request.user, message=message)
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Pengiriman pesan dibatalkan.")
    return _back(request)
