"""User management by the regency admin: list, export, create, detail, roles, import.

Only a user holding the admin role at a regency gets these pages; anyone else, and any
user the admin does not manage (see ``selectors_admin``), gets "not found". Pages that
show a one-time password render it in the response to the POST that made it and are
never cached; the password is stored nowhere but as a hash.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kampung.accounts import excel, selectors_admin, services
from kampung.accounts.forms_admin import (
    AssignmentEndForm,
    AssignmentForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
    UserImportForm,
)
from kampung.accounts.models import User
from kampung.accounts.services_two_factor import two_factor_status
from kampung.audit.services import audit_view
from kampung.core.errors import KampungError
from kampung.regions.models import Region

PAGE_SIZE = 50


def _admin_regions(request: HttpRequest) -> list[Region]:
    """The regions the acting admin manages users in; 404 for anyone who is not an admin."""
    regions = selectors_admin.admin_regions(actor=request.user)
    if not regions:
        raise Http404("Halaman tidak ditemukan.")
    return regions


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    regions = _admin_regions(request)
    form = UserFilterForm(request.GET, regions=regions)
    filters = form.filters()
    users = selectors_admin.managed_user_list(actor=request.user, **filters)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/admin/user_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": selectors_admin.user_rows(page.object_list),
            "filtered": any(v not in ("", None) for v in filters.values()),
            "export_query": query.urlencode(),
            "querystring_base": (query.urlencode() + "&") if query else "",
            "nav_active": "users",
        },
    )


@login_required
def user_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx. The export of people's contact data is audited."""
    regions = _admin_regions(request)
    form = UserFilterForm(request.GET, regions=regions)
    users = selectors_admin.managed_user_list(actor=request.user, **form.filters())
    rows = selectors_admin.user_rows(users)
    content = excel.users_export(rows)
    audit_view(
        actor=request.user,
        object_type="accounts.User",
        object_id="",
        region=regions[0].code[:5],
        what=f"ekspor daftar pengguna ({len(rows)} baris)",
    )
    return _xlsx_response(content, f"pengguna-{timezone.localdate():%Y%m%d}.xlsx")


@never_cache
@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    regions = _admin_regions(request)
    form = UserCreateForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                position_title=data["position_title"],
                staff_number=data["staff_number"],
                phone=data["phone"],
                role=data["role"],
                region=data["region"],
                valid_from=data["valid_from"],
                appointment=data["appointment"],
                decree=data["decree"],
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            return render(
                request,
                "accounts/admin/password_shown.html",
                {
                    "target": created.user,
                    "password": created.password,
                    "created": True,
                    "nav_active": "users",
                },
            )
    return render(request, "accounts/admin/user_form.html", {"form": form, "nav_active": "users"})


def _render_detail(
    request: HttpRequest,
    target: User,
    regions: list[Region],
    *,
    assignment_form: AssignmentForm | None = None,
    end_error: tuple[int, str] | None = None,
) -> HttpResponse:
    return render(
        request,
        "accounts/admin/user_detail.html",
        {
            "target": target,
            "assignments": selectors_admin.user_assignments(actor=request.user, user=target),
            "assignment_form": assignment_form or AssignmentForm(regions=regions),
            "end_form": AssignmentEndForm(initial={"valid_until": timezone.localdate()}),
            "end_error": end_error,
            "is_self": target.pk == request.user.pk,
            "two_factor": two_factor_status(target),
            "nav_active": "users",
        },
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    regions = _admin_regions(request)
    target = selectors_admin.managed_user_get_or_404(actor=request.user, pk=pk)
    return _render_detail(request, target, regions)


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_regions(request)
    target = selectors_admin.managed_user_get_or_404(actor=request.user, pk=pk)
    initial = {
        f: getattr(target, f) for f in ("full_name", "email", "phone", "position_title", "staff_number")
    }
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=target, data=form.cleaned_data)
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Data pengguna disimpan.")
            return redirect("accounts:user_detail", pk=target.pk)
    return render(
        request, "accounts/admin/user_edit.html", {"form": form, "target": target, "nav_active": "users"}
    )


@login_required
@require_POST
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    regions = _admin_regions(request)
    target = selectors_admin.managed_user_get_or_404(actor=request.user, pk=pk)
    form = AssignmentForm(request.POST, regions=regions)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_add(
                actor=request.user,
                user=target,
                role=data["role"],
                region=data["region"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                appointment=data["appointment"],
                decree=data["decree"],
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Penugasan ditambahkan.")
            return redirect("accounts:user_detail", pk=target.pk)
    return _render_detail(request, target, regions, assignment_form=form)


@login_required
@require_POST
def assignment_end(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    regions = _admin_regions(request)
    target = selectors_admin.managed_user_get_or_404(actor=request.user, pk=pk)
    assignment = selectors_admin.assignment_get_or_404(actor=request.user, user=target, pk=assignment_pk)
    form = AssignmentEndForm(request.POST)
    if not form.is_valid():
        message = " ".join(str(e) for e in form.errors.get("valid_until", [])) or "Tanggal akhir tidak sah."
        return _render_detail(request, target, regions, end_error=(assignment.pk, message))
    try:
        services.assignment_end(
            actor=request.user, assignment=assignment, valid_until=form.cleaned_data["valid_until"]
        )
    except KampungError as exc:
        return _render_detail(request, target, regions, end_error=(assignment.pk, exc.message))
    messages.success(request, "Penugasan diakhiri.")
    return redirect("accounts:user_detail", pk=target.pk)


@login_required
@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_regions(request)
    target = selectors_admin.managed_user_get_or_404(actor=request.user, pk=pk)
    choice = request.POST.get("aktif")
    if choice not in ("0", "1"):
        messages.error(request, "Permintaan tidak lengkap: pilih Nonaktifkan atau Aktifkan kembali.")
        return redirect("accounts:user_detail", pk=target.pk)
    active = choice == "1"
    try:
        services.user_set_active(actor=request.user, user=target, active=active)
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "Akun diaktifkan kembali." if active else "Akun dinonaktifkan; pengguna tidak dapat masuk.",
        )
    return redirect("accounts:user_detail", pk=target.pk)


@never_cache
@login_required
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_regions(request)
    target = selectors_admin.managed_user_get_or_404(actor=request.user, pk=pk)
    if target.pk == request.user.pk:
        messages.error(request, "Untuk akun Anda sendiri, gunakan menu Ganti sandi.")
        return redirect("accounts:user_detail", pk=target.pk)
    password = services.user_reset_password(actor=request.user, user=target)
    return render(
        request,
        "accounts/admin/password_shown.html",
        {"target": target, "password": password, "created": False, "nav_active": "users"},
    )


@login_required
def user_import_template(request: HttpRequest) -> HttpResponse:
    regions = _admin_regions(request)
    return _xlsx_response(excel.import_template(regions=regions), "templat-impor-pengguna.xlsx")


@never_cache
@login_required
def user_import(request: HttpRequest) -> HttpResponse:
    """Upload a filled template. Every row is checked; one bad row imports nothing."""
    _admin_regions(request)
    form = UserImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "nav_active": "users", "max_rows": services.MAX_IMPORT_ROWS}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            sheet = excel.read_import_sheet(upload, size=upload.size)
            created = services.users_import(actor=request.user, rows=sheet.rows)
        except services.ImportRejected as exc:
            context.update(row_errors=exc.errors, rejected=exc.message)
        except KampungError as exc:
            form.add_error("file", exc.message)
        else:
            passwords = excel.passwords_export(created)
            context.update(
                created=created,
                skipped_example=sheet.skipped_example,
                passwords_filename=f"kata-sandi-impor-{timezone.localtime():%Y%m%d-%H%M}.xlsx",
                passwords_data_uri=f"data:{excel.XLSX_CONTENT_TYPE};base64,{base64.b64encode(passwords).decode()}",
            )
            return render(request, "accounts/admin/import_done.html", context)
    return render(request, "accounts/admin/import.html", context)
