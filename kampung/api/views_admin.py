"""Integration clients, managed by the regency admin: list, create, edit, deactivate, issue
and revoke tokens.

Only a user holding the admin role at a regency reaches these pages (anyone else gets "not
found", DPMD included: a client token opens personal data, so issuing one is the admin's
act alone). A client of another regency is "not found". A new token is rendered once, in the
response to the POST that made it, never cached; only its hash is stored.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kampung.api import selectors, services
from kampung.api.forms import ApiClientForm, ClientFilterForm, TokenForm
from kampung.api.models import ApiClient
from kampung.core.errors import KampungError
from kampung.regions.models import Region

PAGE_SIZE = 25
NAV = "api_clients"


def _require_admin(request: HttpRequest) -> None:
    if not selectors.admin_regency_codes(request.user):
        raise Http404("Halaman tidak ditemukan.")


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = ClientFilterForm(request.GET)
    q = form.query()
    clients = selectors.api_client_list(actor=request.user, q=q)
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "api/admin/client_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": [(c, selectors.expires_soon(getattr(c, "next_expiry", None))) for c in page.object_list],
            "filtered": bool(q),
            "querystring_base": (query.urlencode() + "&") if query else "",
            "nav_active": NAV,
        },
    )


def _regency_of(region: Region) -> Region:
    return Region.objects.get(code=region.code[:5])


@login_required
def client_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = ApiClientForm(request.POST or None, regions=selectors.client_region_choices(actor=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client = services.api_client_create(
                actor=request.user,
                regency=_regency_of(data["region"]),
                name=data["name"],
                organisation=data["organisation"],
                contact=data["contact"],
                purpose=data["purpose"],
                region=data["region"],
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Klien API didaftarkan. Buat tokennya di bawah.")
            return redirect("api_clients:detail", pk=client.pk)
    return render(request, "api/admin/client_form.html", {"form": form, "client": None, "nav_active": NAV})


def _render_detail(
    request: HttpRequest, client: ApiClient, *, token_form: TokenForm | None = None
) -> HttpResponse:
    return render(
        request,
        "api/admin/client_detail.html",
        {
            "client": client,
            "tokens": selectors.api_client_token_rows(client=client),
            "token_form": token_form or TokenForm(),
            "warning_days": selectors.EXPIRY_WARNING_DAYS,
            "nav_active": NAV,
        },
    )


@login_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    return _render_detail(request, selectors.api_client_get_or_404(actor=request.user, pk=pk))


@login_required
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    client = selectors.api_client_get_or_404(actor=request.user, pk=pk)
    initial = {f: getattr(client, f) for f in ("name", "organisation", "contact", "purpose", "region")}
    form = ApiClientForm(
        request.POST or None, initial=initial, regions=selectors.client_region_choices(actor=request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.api_client_update(
                actor=request.user,
                client=client,
                name=data["name"],
                organisation=data["organisation"],
                contact=data["contact"],
                purpose=data["purpose"],
                region=data["region"],
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Data klien disimpan.")
            return redirect("api_clients:detail", pk=client.pk)
    return render(request, "api/admin/client_form.html", {"form": form, "client": client, "nav_active": NAV})


@login_required
@require_POST
def client_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    client = selectors.api_client_get_or_404(actor=request.user, pk=pk)
    choice = request.POST.get("aktif")
    if choice not in ("0", "1"):
        messages.error(request, "Permintaan tidak lengkap: pilih Nonaktifkan atau Aktifkan kembali.")
        return redirect("api_clients:detail", pk=client.pk)
    try:
        services.api_client_set_active(actor=request.user, client=client, active=choice == "1")
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "Klien diaktifkan kembali."
            if choice == "1"
            else "Klien dinonaktifkan; semua tokennya ditolak mulai sekarang.",
        )
    return redirect("api_clients:detail", pk=client.pk)


@never_cache
@login_required
@require_POST
def token_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    client = selectors.api_client_get_or_404(actor=request.user, pk=pk)
    form = TokenForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            issued = services.api_client_token_create(
                actor=request.user,
                client=client,
                name=data["name"],
                scopes=data["scopes"],
                expires_on=data["expires_on"],
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            return render(
                request,
                "api/admin/token_shown.html",
                {"client": client, "issued": issued, "nav_active": NAV},
            )
    return _render_detail(request, client, token_form=form)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int, token_pk: int) -> HttpResponse:
    _require_admin(request)
    client = selectors.api_client_get_or_404(actor=request.user, pk=pk)
    token = selectors.api_client_token_get_or_404(actor=request.user, client=client, pk=token_pk)
    try:
        services.api_client_token_revoke(actor=request.user, token=token)
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Token {token.prefix} dicabut; aplikasi yang memakainya ditolak mulai sekarang."
        )
    return redirect("api_clients:detail", pk=client.pk)
