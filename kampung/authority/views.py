"""Pages of the delegation register: the register and its timeline, which villages hold
which powers, delegations ending soon, the decisions under each delegation; for anyone
with a role, what they may do and why; the queue of routed matters and what one has sent.

The regency admin keeps the register; DPMD and the bupati read it. Anything of another
regency, or a matter the actor neither holds nor sent, is "not found".
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kampung.accounts.roles import Role, role_label
from kampung.accounts.scope import region_in_scope_or_404, scope_for
from kampung.authority import register, selectors, services
from kampung.authority.forms import (
    DecideForm,
    DelegationForm,
    InstrumentForm,
    RegisterFilterForm,
    RevokeForm,
    VillageMandateForm,
)
from kampung.authority.models import Instrument, MatterStatus
from kampung.core.errors import KampungError
from kampung.core.uploads import file_response, stored_type
from kampung.regions.models import Region

PAGE_SIZE = 25
VILLAGES_PER_PAGE = 50
RECORDS_PER_PAGE = 50
EXPIRING_ON_REGISTER = 5


def _querystring_base(request: HttpRequest) -> str:
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    return (query.urlencode() + "&") if query else ""


def _validation_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages) or "Data tidak sah; periksa kembali isian."


def _regency(request: HttpRequest, *, manage: bool = False) -> Any:
    code = (request.GET.get("kabupaten") or request.POST.get("kabupaten") or "").strip()[:13]
    return selectors.register_regency_or_404(actor=request.user, code=code, manage=manage)


# --- The register -------------------------------------------------------------------------


@login_required
def register_list(request: HttpRequest) -> HttpResponse:
    regency = _regency(request)
    form = RegisterFilterForm(request.GET)
    filters = form.filters()
    instruments = selectors.instrument_list(actor=request.user, regency=regency, **filters)
    page = Paginator(instruments, PAGE_SIZE).get_page(request.GET.get("page"))
    rows, timeline = selectors.instrument_rows(page.object_list)
    days = selectors.expiring_days(request.GET.get("hari", selectors.EXPIRING_DAYS_DEFAULT))
    expiring = selectors.expiring_list(actor=request.user, regency=regency, days=days)
    return render(
        request,
        "authority/register.html",
        {
            "regency": regency,
            "form": form,
            "page_obj": page,
            "rows": rows,
            "timeline": timeline,
            "filtered": any(filters.values()),
            "expiring": expiring[:EXPIRING_ON_REGISTER],
            "expiring_total": len(expiring),
            "days": days,
            "can_manage": selectors.can_keep_register(actor=request.user, regency_code=regency.code),
            "querystring_base": _querystring_base(request),
            "nav_active": "authority",
        },
    )


@login_required
def instrument_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = selectors.instrument_get_or_404(actor=request.user, pk=pk)
    rows = selectors.instrument_delegations(instrument=instrument)
    timeline = selectors.timeline_place(rows, timezone.localdate())
    return render(
        request,
        "authority/instrument_detail.html",
        {
            "instrument": instrument,
            "rows": rows,
            "timeline": timeline,
            "can_manage": selectors.can_keep_register(actor=request.user, regency_code=instrument.regency_id),
            "nav_active": "authority",
        },
    )


@login_required
def instrument_file(request: HttpRequest, pk: int) -> FileResponse:
    """The signed file, to those who read the register."""
    instrument = selectors.instrument_get_or_404(actor=request.user, pk=pk)
    filename = (instrument.file.name or "instrumen.pdf").rsplit("/", 1)[-1]
    return file_response(instrument.file, content_type=stored_type(filename), filename=filename)


@login_required
def instrument_create(request: HttpRequest) -> HttpResponse:
    regency = _regency(request, manage=True)
    form = InstrumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            instrument = register.instrument_create(
                actor=request.user,
                regency=regency,
                kind=data["kind"],
                number=data["number"],
                date=data["date"],
                title=data["title"],
                issuer_name=data["issuer_name"],
                file=data["file"],
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, _validation_text(exc))
        else:
            messages.success(request, f"{instrument} dicatat.")
            return redirect("authority:instrument_detail", pk=instrument.pk)
    return render(
        request,
        "authority/instrument_form.html",
        {"form": form, "regency": regency, "nav_active": "authority"},
    )


# --- Delegations --------------------------------------------------------------------------


def _delegation_form(request: HttpRequest, instrument: Instrument) -> DelegationForm:
    regency = instrument.regency
    initial = {
        "kind": "delegasi",
        "from_role": "bupati",
        "from_region": regency.code,
        "to_scope": "wilayah",
        "valid_from": instrument.date,
    }
    return DelegationForm(
        request.POST or None,
        initial=initial,
        regions=selectors.regency_regions(regency=regency),
        regency=regency,
        parents=selectors.delegation_choices(regency=regency),
    )


@login_required
def delegation_create(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = selectors.instrument_get_or_404(actor=request.user, pk=pk, manage=True)
    form = _delegation_form(request, instrument)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delegation = register.delegation_create(
                actor=request.user,
                instrument=instrument,
                data=register.DelegationInput(
                    kind=data["kind"],
                    from_role=data["from_role"],
                    from_region=data["from_region"],
                    to_role=data["to_role"],
                    to_region=data["to_region"],
                    to_scope=data["to_scope"],
                    acts=list(data["acts"]),
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    amount_ceiling=data["amount_ceiling"],
                    parent=data["parent"],
                ),
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, _validation_text(exc))
        else:
            messages.success(request, "Pelimpahan kewenangan dicatat.")
            return redirect("authority:delegation_detail", pk=delegation.pk)
    return render(
        request,
        "authority/delegation_form.html",
        {
            "form": form,
            "instrument": instrument,
            "regions": selectors.regency_regions(regency=instrument.regency),
            "nav_active": "authority",
        },
    )


@login_required
def delegation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.delegation_get_or_404(actor=request.user, pk=pk)
    today = timezone.localdate()
    decisions = selectors.delegation_decisions(delegation=delegation)
    page = Paginator(decisions.records, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "authority/delegation_detail.html",
        {
            "row": selectors.delegation_row(delegation, today),
            "delegation": delegation,
            "acts": [selectors.act_label(code) for code in delegation.acts],
            "children": selectors.delegation_children(delegation=delegation),
            "decisions": decisions,
            "page_obj": page,
            "can_manage": selectors.can_keep_register(
                actor=request.user, regency_code=delegation.instrument.regency_id
            ),
            "querystring_base": _querystring_base(request),
            "nav_active": "authority",
        },
    )


@login_required
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.delegation_get_or_404(actor=request.user, pk=pk, manage=True)
    form = RevokeForm(
        request.POST or None,
        initial={"revoked_on": timezone.localdate()},
        instruments=selectors.instrument_choices(regency=delegation.instrument.regency),
    )
    if request.method == "POST" and _revoked(request, form, delegation):
        messages.success(request, "Pelimpahan dicabut.")
        return redirect("authority:delegation_detail", pk=delegation.pk)
    return render(
        request,
        "authority/revoke_form.html",
        {
            "form": form,
            "delegation": delegation,
            "row": selectors.delegation_row(delegation, timezone.localdate()),
            "nav_active": "authority",
        },
    )


def _revoked(request: HttpRequest, form: RevokeForm, delegation: Any) -> bool:
    """Revoke from a valid form; a refusal goes onto the form and nothing changes."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        register.delegation_revoke(
            actor=request.user,
            delegation=delegation,
            revoked_on=data["revoked_on"],
            reason=data["reason"],
            revoking_instrument=data["revoking_instrument"],
        )
    except KampungError as exc:
        form.add_error(None, exc.message)
    except ValidationError as exc:
        form.add_error(None, _validation_text(exc))
    else:
        return True
    return False


# --- Expiring soon, and who holds what ----------------------------------------------------


@login_required
def expiring(request: HttpRequest) -> HttpResponse:
    regency = _regency(request)
    days = selectors.expiring_days(request.GET.get("hari", selectors.EXPIRING_DAYS_DEFAULT))
    rows = selectors.expiring_list(actor=request.user, regency=regency, days=days)
    return render(
        request,
        "authority/expiring.html",
        {"regency": regency, "rows": rows, "days": days, "nav_active": "authority"},
    )


@login_required
def village_powers(request: HttpRequest) -> HttpResponse:
    regency = _regency(request)
    districts = list(selectors.regency_districts(regency=regency))
    district = request.GET.get("kecamatan", "").strip()[:8]
    if district not in {d.code for d in districts}:
        district = ""
    villages = selectors.regency_villages(regency=regency, district=district)
    page = Paginator(villages, VILLAGES_PER_PAGE).get_page(request.GET.get("page"))
    table = selectors.village_powers(actor=request.user, regency=regency, villages=list(page.object_list))
    return render(
        request,
        "authority/village_powers.html",
        {
            "regency": regency,
            "districts": districts,
            "district": district,
            "page_obj": page,
            "table": table,
            "querystring_base": _querystring_base(request),
            "nav_active": "authority",
        },
    )


# --- What may I do ------------------------------------------------------------------------


@login_required
def my_powers(request: HttpRequest) -> HttpResponse:
    groups = selectors.my_powers(actor=request.user)
    if not groups:
        raise Http404("Halaman tidak ditemukan.")
    return render(
        request,
        "authority/my_powers.html",
        {
            "groups": groups,
            "today": timezone.localdate(),
            "head_villages": Region.objects.filter(
                code__in=[c for c in scope_for(request.user).region_codes(Role.HEAD) if c.count(".") == 3]
            ),
            "nav_active": "my_powers",
        },
    )


# --- Routed matters -----------------------------------------------------------------------


@login_required
def matter_queue(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user).is_empty:
        raise Http404("Halaman tidak ditemukan.")
    matters = selectors.matter_queue_list(actor=request.user)
    page = Paginator(matters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "authority/matter_queue.html",
        {
            "page_obj": page,
            "rows": [(m, selectors.act_label(m.act)) for m in page.object_list],
            "querystring_base": _querystring_base(request),
            "nav_active": "matter_queue",
        },
    )


@login_required
@require_POST
def matter_decide(request: HttpRequest, pk: int) -> HttpResponse:
    matter = selectors.matter_for_holder_or_404(actor=request.user, pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{matter.title}: {error}")
        return redirect("authority:matter_queue")
    try:
        outcome = services.matter_decide(
            actor=request.user, matter=matter, approve=form.approve, note=form.cleaned_data["note"]
        )
    except KampungError as exc:
        messages.error(request, f"{matter.title}: {exc.message}")
        return redirect("authority:matter_queue")
    if outcome.signature is not None:
        signed = " / ".join(outcome.signature.lines)
        note = f" ({outcome.signature.basis_note})" if outcome.signature.basis_note else ""
        messages.success(request, f"{matter.title}: disetujui, ditandatangani sebagai {signed}{note}.")
    else:
        messages.success(request, f"{matter.title}: dikembalikan kepada pengirim.")
    return redirect(reverse("authority:matter_queue"))


@login_required
def matter_sent(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in MatterStatus.values:
        status = ""
    matters = selectors.matter_sent_list(actor=request.user, status=status)
    page = Paginator(matters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "authority/matter_sent.html",
        {
            "page_obj": page,
            "rows": selectors.sent_rows(page.object_list),
            "status": status,
            "statuses": MatterStatus.choices,
            "querystring_base": _querystring_base(request),
            "nav_active": "matter_sent",
        },
    )


# --- A village head's own mandates ---------------------------------------------------------


def _head_village(request: HttpRequest, code: str) -> Region:
    village = region_in_scope_or_404(request.user, code, Role.HEAD)
    if not village.is_village:
        raise Http404("Halaman tidak ditemukan.")
    return village


@login_required
def village_mandates(request: HttpRequest, code: str) -> HttpResponse:
    village = _head_village(request, code)
    return render(
        request,
        "authority/village_mandates.html",
        {
            "village": village,
            "rows": selectors.village_mandate_rows(village=village),
            "nav_active": "my_powers",
        },
    )


@login_required
def village_mandate_create(request: HttpRequest, code: str) -> HttpResponse:
    village = _head_village(request, code)
    today = timezone.localdate()
    form = VillageMandateForm(
        request.POST or None,
        request.FILES or None,
        acts=selectors.village_mandate_act_choices(actor=request.user, village=village),
        recipients=[(str(r), role_label(r)) for r in register.MANDATE_RECIPIENTS],
        initial={"valid_from": today, "date": today},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            register.village_mandate_give(
                actor=request.user,
                village=village,
                number=data["number"],
                date=data["date"],
                title=data["title"],
                to_role=data["to_role"],
                acts=list(data["acts"]),
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                file=data["file"],
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, _validation_text(exc))
        else:
            messages.success(request, "SK dan mandat dicatat.")
            return redirect("authority:village_mandates", code=village.code)
    return render(
        request,
        "authority/village_mandate_form.html",
        {"village": village, "form": form, "nav_active": "my_powers"},
    )


@login_required
def village_mandate_revoke(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _head_village(request, code)
    delegation = selectors.village_mandate_revocable(village=village).filter(pk=pk).first()
    if delegation is None:
        raise Http404("Mandat tidak ditemukan.")
    form = RevokeForm(
        request.POST or None,
        initial={"revoked_on": timezone.localdate()},
        instruments=selectors.instrument_choices(regency=delegation.instrument.regency)
        .filter(kind="sk_kades", delegations__from_region=village)
        .distinct(),
    )
    if request.method == "POST" and _revoked(request, form, delegation):
        messages.success(request, "Mandat dicabut.")
        return redirect("authority:village_mandates", code=village.code)
    return render(
        request,
        "authority/village_mandate_revoke.html",
        {
            "form": form,
            "village": village,
            "delegation": delegation,
            "row": selectors.delegation_row(delegation, timezone.localdate()),
            "nav_active": "my_powers",
        },
    )
