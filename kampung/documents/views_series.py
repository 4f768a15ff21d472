"""A village's numbering: one series per kind of document, its pattern and the village code
printed in its numbers. The village's staff and the district and regency roles above it read
it (not residents or the BPD: "not found"); the head, the secretary and the regency admin
change it (from the next number on)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, VILLAGE_STAFF
from kampung.accounts.scope import region_in_scope_or_404, scope_for
from kampung.core.errors import KampungError
from kampung.documents import services
from kampung.documents.models import DEFAULT_PATTERNS, NumberSeries, SeriesKind
from kampung.documents.numbering import number_format

SERIES_READERS = tuple(sorted(VILLAGE_STAFF | DISTRICT_ROLES | REGENCY_ROLES))


class SeriesForm(forms.Form):
    pattern = forms.CharField(
        label="Pola nomor",
        max_length=120,
        help_text="Bagian: [klasifikasi] [nomor:03] [kode_desa] [bulan_romawi] [bulan] [tahun].",
    )
    village_code = forms.CharField(
        label="Kode desa pada nomor",
        max_length=30,
        required=False,
        help_text="Kosongkan untuk memakai kode Kemendagri tanpa titik.",
    )


def _sample(pattern: str, code: str) -> str:
    try:
        return number_format(
            pattern, sequence=7, classification="400.12.2.1", village_code=code, on=timezone.localdate()
        )
    except KampungError:
        return ""


@login_required
def series_list(request: HttpRequest, code: str) -> HttpResponse:
    village = region_in_scope_or_404(request.user, code, *SERIES_READERS)
    if not village.is_village:
        raise Http404("Wilayah tidak ditemukan.")
    can_edit = scope_for(request.user).covers(village.code, *services.SERIES_EDITORS)
    existing = {s.kind: s for s in NumberSeries.objects.filter(village=village)}
    editing = request.POST.get("kind", "") if request.method == "POST" else ""
    rows = []
    for kind, label in SeriesKind.choices:
        series = existing.get(kind)
        pattern = series.pattern if series else DEFAULT_PATTERNS[kind]
        village_code = series.village_code if series else ""
        initial = {"pattern": pattern, "village_code": village_code}
        form = SeriesForm(request.POST if editing == kind else None, initial=initial, prefix=kind)
        rows.append(
            {
                "kind": kind,
                "label": label,
                "pattern": pattern,
                "village_code": village_code or village.code.replace(".", ""),
                "sample": _sample(pattern, village_code or village.code.replace(".", "")),
                "form": form,
            }
        )
        if editing == kind:
            if not can_edit:
                raise Http404("Halaman tidak ditemukan.")
            if form.is_valid():
                try:
                    services.series_configure(
                        actor=request.user,
                        village=village,
                        kind=kind,
                        pattern=form.cleaned_data["pattern"],
                        village_code=form.cleaned_data["village_code"],
                    )
                except KampungError as error:
                    form.add_error("pattern", str(error))
                else:
                    messages.success(
                        request, f"Penomoran {label.lower()} disimpan; berlaku untuk nomor berikutnya."
                    )
                    return redirect("documents:series_list", code=village.code)
    if editing and editing not in SeriesKind.values:
        messages.error(request, "Jenis seri nomor tidak dikenal.")
    return render(
        request,
        "documents/series_list.html",
        {"village": village, "rows": rows, "can_edit": can_edit, "nav_active": "regions"},
    )
