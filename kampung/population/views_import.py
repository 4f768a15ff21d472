"""The resident import page under /penduduk/impor/: upload, check ("Periksa"), import ("Impor").

A checked file that passed is kept until the user imports it, in a private folder outside
the web root (``MEDIA_ROOT/private/imports/``) under a random name that the user's session
holds; it is removed after the import, when a new file is checked, or after a day. Another
village is "not found"; the service checks the writer's role again.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kampung.accounts.scope import region_in_scope_or_404, villages_in_scope
from kampung.core.errors import KampungError
from kampung.population.forms_import import ImportRunForm, ImportUploadForm
from kampung.population.importing import (
    ImportRejected,
    ImportReport,
    population_import,
    population_import_check,
    template_csv,
    template_xlsx,
)
from kampung.population.importing.reading import suffix_of
from kampung.population.services import WRITER_ROLES

SESSION_KEY = "population_import_pending"
PROBLEMS_SHOWN = 2000
STALE_SECONDS = 24 * 3600
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pending_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "private" / "imports"


def _pending_path(user_pk: object, token: str, suffix: str) -> Path:
    return pending_dir() / f"{user_pk}-{token}{suffix}"


def _drop_pending(request: HttpRequest) -> None:
    """Remove the user's kept file (if any) and forget it."""
    pending = request.session.pop(SESSION_KEY, None)
    if isinstance(pending, dict):
        _pending_path(request.user.pk, str(pending.get("token", "")), str(pending.get("suffix", ""))).unlink(
            missing_ok=True
        )


def _sweep_stale() -> None:
    """Files whose import was never run (closed browser): gone after a day."""
    folder = pending_dir()
    if not folder.is_dir():
        return
    limit = time.time() - STALE_SECONDS
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _villages(request: HttpRequest) -> list[tuple[str, str]]:
    villages = villages_in_scope(request.user, *WRITER_ROLES).order_by("code")
    choices = [(v.code, f"{v.name} ({v.code})") for v in villages]
    if not choices:
        raise Http404("Halaman tidak ditemukan.")
    return choices


def _render(request: HttpRequest, form: ImportUploadForm, status: int = 200, **extra: Any) -> HttpResponse:
    report: ImportReport | None = extra.get("report")
    context: dict[str, Any] = {
        "form": form,
        "report": report,
        "problems": report.problems[:PROBLEMS_SHOWN] if report else [],
        "problems_hidden": max(0, len(report.problems) - PROBLEMS_SHOWN) if report else 0,
        "nav_active": "population",
        **extra,
    }
    return render(request, "population/import.html", context, status=status)


@never_cache
@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """The upload form; a POST checks the file and shows every problem or what would be added."""
    villages = _villages(request)
    if request.method != "POST":
        return _render(request, ImportUploadForm(villages=villages))
    form = ImportUploadForm(request.POST, request.FILES, villages=villages)
    if not form.is_valid():
        return _render(request, form, status=400)
    village = region_in_scope_or_404(request.user, form.cleaned_data["desa"], *WRITER_ROLES)
    upload = form.cleaned_data["file"]
    file_name = Path(str(upload.name)).name
    content = upload.read()
    layout = form.cleaned_data["format"] or None
    _drop_pending(request)
    _sweep_stale()
    try:
        report = population_import_check(
            actor=request.user, village=village, content=content, file_name=file_name, layout=layout
        )
    except KampungError as exc:
        form.add_error("file", exc.message)
        return _render(request, form, status=400)
    if not report.ok:
        return _render(request, form, status=400, report=report, village=village)
    token = secrets.token_urlsafe(24)
    suffix = suffix_of(file_name)
    pending_dir().mkdir(parents=True, exist_ok=True, mode=0o700)
    _pending_path(request.user.pk, token, suffix).write_bytes(content)
    request.session[SESSION_KEY] = {
        "token": token,
        "suffix": suffix,
        "file_name": file_name,
        "village": village.code,
        "layout": report.layout,
    }
    return _render(
        request, form, report=report, village=village, run_form=ImportRunForm(initial={"token": token})
    )


@never_cache
@login_required
@require_POST
def import_run(request: HttpRequest) -> HttpResponse:
    """Import the file checked a moment ago (checked again, and written all or nothing)."""
    villages = _villages(request)
    form = ImportRunForm(request.POST)
    pending = request.session.get(SESSION_KEY)
    if (
        not form.is_valid()
        or not isinstance(pending, dict)
        or pending.get("token") != form.cleaned_data["token"]
    ):
        messages.error(
            request, "Berkas yang diperiksa tidak ditemukan lagi. Unggah dan periksa berkasnya sekali lagi."
        )
        return redirect("population:import")
    village = region_in_scope_or_404(request.user, str(pending["village"]), *WRITER_ROLES)
    path = _pending_path(request.user.pk, str(pending["token"]), str(pending["suffix"]))
    if not path.is_file():
        request.session.pop(SESSION_KEY, None)
        messages.error(
            request, "Berkas yang diperiksa sudah dihapus. Unggah dan periksa berkasnya sekali lagi."
        )
        return redirect("population:import")
    try:
        report = population_import(
            actor=request.user,
            village=village,
            content=path.read_bytes(),
            file_name=str(pending["file_name"]),
            layout=str(pending["layout"]) or None,
        )
    except ImportRejected as exc:  # the register changed since the check
        upload_form = ImportUploadForm(villages=villages, initial={"desa": village.code})
        return _render(request, upload_form, status=400, report=exc.report, village=village)
    except KampungError as exc:
        messages.error(request, exc.message)
        return redirect("population:import")
    finally:
        _drop_pending(request)
    messages.success(
        request,
        f"Impor selesai: {report.residents} penduduk dan {report.families_new} keluarga baru dari "
        f"{report.file_name} masuk ke {village.name}"
        + (f"; {report.residents_flagged} penduduk perlu diperiksa." if report.residents_flagged else "."),
    )
    return redirect("population:import")


@login_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The blank template (.xlsx with the code lists, or .csv) for village writers."""
    _villages(request)
    if fmt == "xlsx":
        response = HttpResponse(template_xlsx(), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="templat-impor-penduduk.{fmt}"'
    return response
