"""Pages of the village counter's queue (/antrian/<code>/...): taking a ticket at the kiosk,
the ticket itself, the waiting-room display and its JSON feed, the counter staff's desk and
the queue's service settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kampung.core.errors import KampungError
from kampung.kiosk import selectors_queue as sel
from kampung.kiosk import services_queue as svc
from kampung.kiosk.forms_queue import CounterForm, DeskActionForm, QueueServiceForm
from kampung.kiosk.models import TicketStatus
from kampung.kiosk.site import served_region_or_404, site_context
from kampung.regions.models import Level, Region

SESSION_TICKETS = "kiosk_queue_tickets"  # {service id: ticket id} taken by this kiosk session
SESSION_COUNTER = "queue_counter"
PAGE_SIZE = 25
NAV = "queue"


def _village(code: str) -> Region:
    return served_region_or_404(code, Level.VILLAGE)


def _session_tickets(request: HttpRequest) -> dict[str, int]:
    held = request.session.get(SESSION_TICKETS)
    return dict(held) if isinstance(held, dict) else {}


# --- kiosk --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def take(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(code)
    if request.method == "POST":
        service = sel.service_of(village, request.POST.get("service"))
        if service is None or not service.active:
            messages.error(request, "Layanan tidak ditemukan. Silakan pilih salah satu tombol layanan.")
            return redirect("queue:take", code=village.code)
        held = _session_tickets(request)
        previous = sel.ticket_by_pk(village, int(held.get(str(service.pk), 0)))
        today = svc.local_day(village)
        if previous is not None and previous.status == TicketStatus.WAITING and previous.day == today:
            # One waiting ticket per service per kiosk session: a second tap shows the same one.
            messages.info(request, f"Anda sudah memegang nomor {previous.label} untuk layanan ini.")
            return redirect("queue:ticket", code=village.code, pk=previous.pk)
        try:
            ticket = svc.ticket_take(village, service)
        except KampungError as exc:
            messages.error(request, exc.message)
            return redirect("queue:take", code=village.code)
        held[str(service.pk)] = ticket.pk
        request.session[SESSION_TICKETS] = held
        return redirect("queue:ticket", code=village.code, pk=ticket.pk)
    today = svc.local_day(village)
    context = site_context(village)
    context["rows"] = sel.service_rows(village, today, active_only=True)
    return render(request, "kiosk/queue/take.html", context)


@never_cache
@require_GET
def ticket(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _village(code)
    if pk not in _session_tickets(request).values():
        raise Http404("Nomor antrian tidak ditemukan.")
    found = sel.ticket_by_pk(village, pk)
    if found is None:
        raise Http404("Nomor antrian tidak ditemukan.")
    context = site_context(village)
    context.update(
        {
            "ticket": found,
            "ahead": sel.ahead_of(found),
            "taken_at": timezone.localtime(found.taken_at, svc.zone_of(village)),
            "counter_label": sel.counter_label(found.counter),
        }
    )
    return render(request, "kiosk/queue/ticket.html", context)


# --- waiting-room display -----------------------------------------------------------------


@never_cache
@require_GET
def display(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(code)
    context = site_context(village)
    context["state"] = sel.display_state(village)
    return render(request, "kiosk/queue/display.html", context)


@never_cache
@require_GET
def display_data(request: HttpRequest, code: str) -> JsonResponse:
    village = _village(code)
    return JsonResponse(sel.display_state(village))


# --- counter staff ------------------------------------------------------------------------


def _counter(request: HttpRequest) -> str:
    counter = request.session.get(SESSION_COUNTER, "")
    return counter if counter in svc.COUNTERS else ""


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def desk(request: HttpRequest, code: str) -> HttpResponse:
    village = sel.staff_village_or_404(request.user, code)
    if request.method == "POST":
        form = CounterForm(request.POST)
        if form.is_valid():
            request.session[SESSION_COUNTER] = form.cleaned_data["counter"]
            messages.success(request, f"Anda melayani di Loket {form.cleaned_data['counter']}.")
        else:
            messages.error(request, "Pilih loket 1 sampai 9.")
        return redirect("queue:desk", code=village.code)
    today = svc.local_day(village)
    counter = _counter(request)
    tickets = sel.today_tickets(village, today).order_by("service__order", "service__letter", "number")
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "kiosk/queue/desk.html",
        {
            "village": village,
            "today": today,
            "counter": counter,
            "counter_form": CounterForm(initial={"counter": counter or None}),
            "rows": sel.service_rows(village, today, active_only=False),
            "page_obj": page,
            "figures": sel.day_figures(village, today),
            "querystring_base": "",
            "nav_active": NAV,
        },
    )


def _desk_act(request: HttpRequest, village: Region, data: dict[str, Any]) -> str:
    """Carry out one desk action; the message to show."""
    action = data["action"]
    if action == "call":
        service = sel.service_of(village, data["service"])
        if service is None:
            raise KampungError("Layanan tidak ditemukan.")
        called, finished = svc.ticket_call_next(
            actor=request.user, village=village, service=service, counter=_counter(request)
        )
        done = f"{finished.label} dicatat selesai. " if finished is not None else ""
        return f"{done}Memanggil {called.label} ke Loket {called.counter}."
    found = sel.ticket_by_pk(village, data["ticket"])
    if found is None:
        raise KampungError("Nomor antrian tidak ditemukan.")
    if action == "recall":
        found = svc.ticket_recall(actor=request.user, ticket=found)
        return f"{found.label} dipanggil ulang (panggilan ke-{found.times_called})."
    if action == "finish":
        found = svc.ticket_finish(actor=request.user, ticket=found)
        return f"{found.label} selesai dilayani."
    found = svc.ticket_skip(actor=request.user, ticket=found)
    return f"{found.label} dicatat tidak hadir."


@login_required
@require_POST
def desk_action(request: HttpRequest, code: str) -> HttpResponse:
    village = sel.staff_village_or_404(request.user, code)
    form = DeskActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("queue:desk", code=village.code)
    try:
        messages.success(request, _desk_act(request, village, form.cleaned_data))
    except KampungError as exc:
        messages.error(request, exc.message)
    return redirect("queue:desk", code=village.code)


def _service_form(service: Any, data: Any = None) -> QueueServiceForm:
    """A service's form; each on the page gets its own element ids (``svc3_name``, ``svcbaru_name``)."""
    auto_id = f"svc{service.pk if service is not None else 'baru'}_%s"
    if data is not None:
        return QueueServiceForm(data, auto_id=auto_id)
    if service is None:
        return QueueServiceForm(auto_id=auto_id)
    initial = {f: getattr(service, f) for f in ("letter", "name", "description", "order", "active")}
    return QueueServiceForm(initial=initial, auto_id=auto_id)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def services(request: HttpRequest, code: str) -> HttpResponse:
    village = sel.staff_village_or_404(request.user, code)
    existing = svc.services_for(village)
    bound: QueueServiceForm | None = None
    bound_pk: int | None = None
    if request.method == "POST":
        raw_pk = request.POST.get("pk", "")
        service = sel.service_of(village, raw_pk) if raw_pk else None
        if raw_pk and service is None:
            messages.error(request, "Layanan tidak ditemukan.")
            return redirect("queue:services", code=village.code)
        bound = _service_form(service, request.POST)
        bound_pk = service.pk if service is not None else 0
        if bound.is_valid():
            try:
                saved = svc.queue_service_save(
                    actor=request.user, village=village, service=service, **bound.cleaned_data
                )
            except KampungError as exc:
                bound.add_error(None, exc.message)
            else:
                verb = "disimpan" if service is not None else "ditambahkan"
                messages.success(request, f"Layanan {saved.letter} {saved.name} {verb}.")
                return redirect("queue:services", code=village.code)
    forms = [(s, bound if bound is not None and bound_pk == s.pk else _service_form(s)) for s in existing]
    add_form = bound if bound is not None and bound_pk == 0 else _service_form(None)
    if bound is None:
        used = {s.letter for s in existing}
        free = next((c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in used), "")
        add_form.initial = {"letter": free, "order": 10 * (len(existing) + 1), "active": True}
    return render(
        request,
        "kiosk/queue/services.html",
        {"village": village, "forms": forms, "add_form": add_form, "nav_active": NAV},
        status=400 if bound is not None else 200,
    )
