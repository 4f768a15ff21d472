"""The population register's staff pages under /penduduk/: search and list, a resident's and
a family's record, the life-event forms, and the Excel export of a filtered list.

Readers are village staff and the district and regency roles above them
(``selectors.READER_ROLES``); only the village's operator, secretary and head write
(``services.WRITER_ROLES``). Another village's record is "not found", and so is a form page
for someone who may only read. NIK and KK numbers are masked except for the village's own
staff (``selectors.sees_full_numbers``).

A name search over a whole regency (1.7 million people) never counts all its matches: the
list fetches one row more than a page to know whether there is a next page, and counts at
most :data:`COUNT_CAP` matches ("more than 1,000") unless the search is within one village.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kampung.accounts.scope import filter_by_village, get_in_scope_or_404, scope_for, villages_in_scope
from kampung.audit.services import audit_record, audit_view
from kampung.core.errors import KampungError
from kampung.population import codes, excel, forms, selectors, services
from kampung.population.models import BasicStatus, Family, LifeEvent, LifeEventKind, Resident
from kampung.population.selectors import READER_ROLES, sees_full_numbers, shown_number
from kampung.population.services import WRITER_ROLES
from kampung.regions.models import Region

PAGE_SIZE = 25
COUNT_CAP = 1000
MAX_PAGE = 400
EXPORT_MAX_ROWS = 50_000
NAV = "population"

T = TypeVar("T")


# -- helpers -------------------------------------------------------------------------------


def _age(birth_date: dt.date, today: dt.date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def _village_choices(villages: list[Region]) -> list[tuple[str, str]]:
    if len(villages) <= 1:
        return [(v.code, str(v)) for v in villages]
    return [(v.code, f"{v} — Kec. {v.parent.name}" if v.parent else str(v)) for v in villages]


def _readable_villages(request: HttpRequest) -> list[Region]:
    villages = list(villages_in_scope(request.user, *READER_ROLES).order_by("code"))
    if not villages:
        raise Http404("Halaman tidak ditemukan.")
    return villages


def _writable_villages(request: HttpRequest) -> list[Region]:
    villages = list(villages_in_scope(request.user, *WRITER_ROLES).order_by("code"))
    if not villages:
        raise Http404("Halaman tidak ditemukan.")
    return villages


def _attempt(form: Any, call: Callable[[], T]) -> T | None:
    """Run a service; a rule's refusal becomes a form error (the service changed nothing)."""
    try:
        return call()
    except KampungError as exc:
        form.add_error(None, exc.message)
        return None


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def _querystring(params: QueryDict, *drop: str) -> str:
    kept = params.copy()
    for key in drop:
        kept.pop(key, None)
    encoded = kept.urlencode()
    return f"{encoded}&" if encoded else ""


@dataclass(frozen=True)
class ResidentRow:
    resident: Resident
    nik: str
    kk: str
    age: int
    status: str
    relation: str


def _rows(actor: Any, residents: list[Resident]) -> list[ResidentRow]:
    today = timezone.localdate()
    return [
        ResidentRow(
            resident=r,
            nik=shown_number(actor, r.village_id, r.nik),
            kk=shown_number(actor, r.village_id, r.family.kk_number) if r.family else "",
            age=_age(r.birth_date, today),
            status=r.get_basic_status_display(),
            relation=codes.field_label("family_relation", r.family_relation),
        )
        for r in residents
    ]


@dataclass
class Search:
    """The parsed list/export request: the form, its filters, and why it lists nobody."""

    form: forms.ResidentSearchForm
    filters: dict[str, Any]
    problem: str
    ignored: list[str]
    needs_prompt: bool
    one_village: bool

    @property
    def runs(self) -> bool:
        return not self.problem and not self.needs_prompt


def _search(request: HttpRequest, villages: list[Region]) -> Search:
    form = forms.ResidentSearchForm(request.GET or None, villages=_village_choices(villages))
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    q = filters["q"]
    wide = len(villages) > 1
    narrowed = bool(q or filters["village"] or filters["needs_review"])
    return Search(
        form=form,
        filters=filters,
        problem=forms.query_problem(q),
        ignored=forms.ignored_words(q),
        # A regency- or district-wide user must say whom they look for before anyone is listed.
        needs_prompt=wide and not narrowed,
        one_village=not wide or bool(filters["village"]),
    )


def _count(qs: QuerySet[Resident], *, exact: bool) -> tuple[int, bool]:
    """(count, capped): exact within one village or for a number; else at most COUNT_CAP + 1."""
    plain = qs.order_by().values("pk")
    if exact:
        return plain.count(), False
    n = plain[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


# -- list, detail ----------------------------------------------------------------------------


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    villages = _readable_villages(request)
    search = _search(request, villages)
    context: dict[str, Any] = {
        "form": search.form,
        "search": search,
        "nav_active": NAV,
        "villages_count": len(villages),
        "can_write": bool(scope_for(request.user).village_codes(*WRITER_ROLES)),
        "querystring_base": _querystring(request.GET, "page"),
        "sort_base": _querystring(request.GET, "page", "sort"),
        "current_sort": search.filters["sort"],
        "sorts": forms.SORT_CHOICES,
        "rows": [],
    }
    if search.runs:
        qs = selectors.resident_search(actor=request.user, **search.filters)
        number = _page_number(request.GET.get("page"))
        offset = (number - 1) * PAGE_SIZE
        page = selectors.resident_search_page(
            actor=request.user, offset=offset, limit=PAGE_SIZE, general=qs, **search.filters
        )
        exact = search.one_village or search.filters["q"].replace(" ", "").isdigit()
        total, capped = _count(qs, exact=exact)
        context.update(
            rows=_rows(request.user, page.rows),
            page_number=number,
            has_next=page.has_next and number < MAX_PAGE,
            has_previous=number > 1,
            total=total,
            capped=capped,
            first_index=offset + 1,
            last_index=offset + len(page.rows),
            export_too_big=total > EXPORT_MAX_ROWS,
        )
    return render(request, "population/resident_list.html", context)


_FACT_FIELDS = (
    "religion",
    "marital_status",
    "family_relation",
    "education",
    "occupation",
    "citizenship",
    "blood_type",
    "disability",
)
_FIELD_NAMES = {
    "nik": "NIK",
    "name": "Nama",
    "birth_place": "Tempat lahir",
    "birth_date": "Tanggal lahir",
    "sex": "Jenis kelamin",
    "religion": "Agama",
    "marital_status": "Status perkawinan",
    "family_relation": "Hubungan dalam keluarga",
    "education": "Pendidikan (dalam KK)",
    "occupation": "Pekerjaan",
    "citizenship": "Kewarganegaraan",
    "blood_type": "Golongan darah",
    "disability": "Disabilitas",
    "dusun": "Dusun",
    "rw": "RW",
    "rt": "RT",
    "phone": "Telepon",
    "family": "Keluarga (KK)",
    "relation": "Hubungan dalam keluarga",
}


def _value_text(actor: Any, village_code: str, field: str, value: Any, families: dict[int, str]) -> str:
    if value is None or value == "":
        return "-"
    if field == "nik":
        return shown_number(actor, village_code, str(value))
    if field == "birth_date":
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d-%m-%Y")
        except ValueError:
            return str(value)
    if field in codes.FIELD_LISTS:
        return codes.field_label(field, int(value))
    if field == "relation":
        return codes.field_label("family_relation", int(value))
    if field == "family":
        return families.get(int(value), f"#{value}")
    return str(value)


@dataclass(frozen=True)
class EventRow:
    event: LifeEvent
    lines: list[str]
    changes: list[tuple[str, str, str]]


def _event_rows(actor: Any, resident: Resident, events: list[LifeEvent]) -> list[EventRow]:
    family_ids: set[int] = set()
    for event in events:
        if event.kind == LifeEventKind.FAMILY_CHANGE:
            for part in ("before", "after"):
                fid = (event.details.get(part) or {}).get("family")
                if isinstance(fid, int):
                    family_ids.add(fid)
    families = {
        f.pk: shown_number(actor, f.village_id, f.kk_number)
        for f in filter_by_village(Family.objects.filter(pk__in=family_ids), actor, roles=READER_ROLES)
    }
    rows = []
    for event in events:
        d = event.details or {}
        lines: list[str] = []
        changes: list[tuple[str, str, str]] = []
        if event.kind == LifeEventKind.DEATH:
            lines += [f"Tempat: {d['place']}"] if d.get("place") else []
            lines += [f"Sebab: {d['cause']}"] if d.get("cause") else []
        elif event.kind == LifeEventKind.MOVE_OUT:
            lines += [f"Tujuan: {d.get('destination', '')}"]
            lines += [f"Alasan: {d['reason']}"] if d.get("reason") else []
        elif event.kind == LifeEventKind.MOVE_IN:
            lines += [f"Asal: {d.get('origin', '')}"]
        elif event.kind in (LifeEventKind.CORRECTION, LifeEventKind.FAMILY_CHANGE):
            lines += [f"Alasan: {d['reason']}"] if d.get("reason") else []
            before, after = d.get("before") or {}, d.get("after") or {}
            for field in after:
                changes.append(
                    (
                        _FIELD_NAMES.get(field, field),
                        _value_text(actor, resident.village_id, field, before.get(field), families),
                        _value_text(actor, resident.village_id, field, after.get(field), families),
                    )
                )
        rows.append(EventRow(event=event, lines=lines, changes=changes))
    return rows


def _members(actor: Any, family: Family) -> list[ResidentRow]:
    members = filter_by_village(
        Resident.objects.filter(family=family).select_related("family"), actor, roles=READER_ROLES
    ).order_by("basic_status", "family_relation", "birth_date", "pk")
    return _rows(actor, list(members))


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = selectors.resident_get(actor=request.user, pk=pk)
    events = list(selectors.resident_events(actor=request.user, resident=resident).select_related("reporter"))
    today = timezone.localdate()
    facts = [(_FIELD_NAMES[f], codes.field_label(f, getattr(resident, f)) or "-") for f in _FACT_FIELDS]
    living = resident.basic_status == BasicStatus.LIVING
    context = {
        "resident": resident,
        "nik": shown_number(request.user, resident.village_id, resident.nik),
        "kk": shown_number(request.user, resident.village_id, resident.family.kk_number)
        if resident.family
        else "",
        "age": _age(resident.birth_date, today),
        "facts": facts,
        "status_label": codes.field_label("basic_status", resident.basic_status),
        "members": _members(request.user, resident.family) if resident.family else [],
        "events": _event_rows(request.user, resident, events),
        "can_write": scope_for(request.user).covers(resident.village_id, *WRITER_ROLES),
        "living": living,
        "full_numbers": sees_full_numbers(request.user, resident.village_id),
        "nav_active": NAV,
    }
    return render(request, "population/resident_detail.html", context)


def _family_for_reading(request: HttpRequest, pk: int) -> Family:
    family = get_in_scope_or_404(
        Family.objects.select_related("village", "head"), request.user, roles=READER_ROLES, pk=pk
    )
    audit_view(
        actor=request.user,
        object_type="population.Family",
        object_id=family.pk,
        region=family.village_id,
        what="data keluarga (KK)",
    )
    return family


@login_required
def family_detail(request: HttpRequest, pk: int) -> HttpResponse:
    family = _family_for_reading(request, pk)
    context = {
        "family": family,
        "kk": shown_number(request.user, family.village_id, family.kk_number),
        "members": _members(request.user, family),
        "review_reasons": [n for n in family.review_notes.splitlines() if n.strip()],
        "can_write": scope_for(request.user).covers(family.village_id, *WRITER_ROLES),
        "nav_active": NAV,
    }
    return render(request, "population/family_detail.html", context)


# -- writing ---------------------------------------------------------------------------------


def _resident_for_writing(request: HttpRequest, pk: int) -> Resident:
    return get_in_scope_or_404(
        Resident.objects.select_related("village", "family"), request.user, roles=WRITER_ROLES, pk=pk
    )


def _family_for_writing(request: HttpRequest, pk: int) -> Family:
    return get_in_scope_or_404(
        Family.objects.select_related("village"), request.user, roles=WRITER_ROLES, pk=pk
    )


def _living_members(family: Family | None, *, exclude: Resident | None = None) -> list[Resident]:
    if family is None:
        return []
    members = Resident.objects.filter(
        family=family, village_id=family.village_id, basic_status=BasicStatus.LIVING
    ).order_by("family_relation", "birth_date", "pk")
    if exclude is not None:
        members = members.exclude(pk=exclude.pk)
    return list(members)


def _family_by_kk(village_code: str, kk: str, form: Any, field: str) -> tuple[Family | None, bool]:
    """The family of this village with that KK number; (None, False) with a form error if none."""
    if not kk:
        return None, True
    family = Family.objects.filter(kk_number=kk, village_id=village_code).first()
    if family is None:
        form.add_error(field, "Tidak ada KK dengan nomor itu di desa/kelurahan ini. Periksa nomornya.")
        return None, False
    return family, True


def _render_event(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    intro: str,
    submit: str,
    back: str,
    resident: Resident | None = None,
    family: Family | None = None,
    danger: bool = False,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "intro": intro,
        "submit": submit,
        "back": back,
        "resident": resident,
        "family": family,
        "danger": danger,
        "nav_active": NAV,
    }
    return render(request, "population/event_form.html", context)


def _detail_url(resident: Resident) -> str:
    return reverse("population:resident_detail", args=[resident.pk])


@login_required
def family_create(request: HttpRequest) -> HttpResponse:
    villages = _writable_villages(request)
    form = forms.FamilyCreateForm(request.POST or None, villages=_village_choices(villages))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        village = next(v for v in villages if v.code == data["desa"])

        def create() -> Family:
            # The KK and its head are one act: if the head is refused, the KK is not kept.
            with transaction.atomic():
                family = services.family_create(
                    actor=request.user,
                    village=village,
                    kk_number=data["kk_number"],
                    address=data["address"],
                    dusun=(data["dusun"] or "").strip(),
                    rw=(data["rw"] or "").strip(),
                    rt=(data["rt"] or "").strip(),
                )
                services.resident_create(
                    actor=request.user,
                    village=village,
                    family=family,
                    attributes=form.attributes(),
                    **form.identity(),
                )
                return family

        family = _attempt(form, create)
        if family is not None:
            messages.success(request, f"Keluarga KK {family.kk_number} dan kepala keluarganya dicatat.")
            return redirect("population:family_detail", pk=family.pk)
    return render(
        request,
        "population/family_form.html",
        {"form": form, "nav_active": NAV, "title": "Keluarga baru (KK baru)"},
    )


@login_required
def resident_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A person added to a family's KK (the Buku Induk), without a life event: for data
    entry of people already living here. A baby is recorded as a birth instead."""
    family = _family_for_writing(request, pk)
    form = forms.ResidentDataForm(
        request.POST or None,
        initial={"dusun": family.dusun, "rw": family.rw, "rt": family.rt},
    )
    if request.method == "POST" and form.is_valid():
        resident = _attempt(
            form,
            lambda: services.resident_create(
                actor=request.user,
                village=family.village,
                family=family,
                attributes=form.attributes(),
                **form.identity(),
            ),
        )
        if resident is not None:
            messages.success(request, f"{resident.name} dicatat sebagai anggota KK {family.kk_number}.")
            return redirect(_detail_url(resident))
    return render(
        request,
        "population/family_form.html",
        {"form": form, "family": family, "nav_active": NAV, "title": f"Anggota baru KK {family.kk_number}"},
    )


@login_required
def birth_record(request: HttpRequest, pk: int) -> HttpResponse:
    family = _family_for_writing(request, pk)
    form = forms.BirthForm(request.POST or None, reporters=_living_members(family))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        baby = _attempt(
            form,
            lambda: services.birth_record(
                actor=request.user,
                family=family,
                nik=data["nik"],
                name=data["name"],
                birth_date=data["birth_date"],
                sex=data["sex"],
                attributes=form.attributes(),
                **form.event_kwargs(),
            ),
        )
        if baby is not None:
            messages.success(request, f"Kelahiran {baby.name} dicatat dalam KK {family.kk_number}.")
            return redirect("population:family_detail", pk=family.pk)
    return _render_event(
        request,
        form,
        title=f"Catat kelahiran — KK {family.kk_number}",
        intro="Bayi dicatat sebagai anggota keluarga ini, dengan peristiwa kelahiran di Buku Mutasi Penduduk.",
        submit="Catat kelahiran",
        back=reverse("population:family_detail", args=[family.pk]),
        family=family,
    )


@login_required
def move_in(request: HttpRequest) -> HttpResponse:
    villages = _writable_villages(request)
    form = forms.MoveInForm(request.POST or None, villages=_village_choices(villages))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        village = next(v for v in villages if v.code == data["desa"])
        family, found = _family_by_kk(village.code, data["kk_number"], form, "kk_number")
        if found:
            resident = _attempt(
                form,
                lambda: services.move_in_record(
                    actor=request.user,
                    village=village,
                    family=family,
                    move_date=data["move_date"],
                    origin=data["origin"],
                    attributes=form.attributes(),
                    **form.identity(),
                    **form.event_kwargs(),
                ),
            )
            if resident is not None:
                messages.success(request, f"Kedatangan {resident.name} dicatat.")
                return redirect(_detail_url(resident))
    return _render_event(
        request,
        form,
        title="Catat pindah datang",
        intro="Penduduk yang datang dicatat di Buku Induk desa tujuan. Jika ia masih tercatat hidup "
        "di desa lain, catat dulu kepindahannya di sana.",
        submit="Catat pindah datang",
        back=reverse("population:resident_list"),
    )


def _resident_initial(resident: Resident) -> dict[str, Any]:
    fields = (*forms.IDENTITY_FIELDS, *forms.ATTRIBUTE_FORM_FIELDS, *forms.ADDRESS_FIELDS)
    return {f: getattr(resident, f) for f in fields}


@login_required
def resident_correct(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_for_writing(request, pk)
    form = forms.CorrectionForm(
        request.POST or None, initial=_resident_initial(resident), reporters=_living_members(resident.family)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        updated = _attempt(
            form,
            lambda: services.resident_update(
                actor=request.user,
                resident=resident,
                changes=form.changes(),
                reason=data["reason"],
                event_date=data["event_date"],
                **form.event_kwargs(),
            ),
        )
        if updated is not None:
            messages.success(request, "Pembetulan data disimpan dan dicatat dalam riwayat.")
            return redirect(_detail_url(updated))
    return _render_event(
        request,
        form,
        title=f"Pembetulan data {resident.name}",
        intro="Nilai lama dan baru disimpan dalam riwayat peristiwa; riwayat tidak pernah dihapus.",
        submit="Simpan pembetulan",
        back=_detail_url(resident),
        resident=resident,
    )


@login_required
def death_record(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_for_writing(request, pk)
    form = forms.DeathForm(request.POST or None, reporters=_living_members(resident.family, exclude=resident))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.death_record(
                actor=request.user,
                resident=resident,
                death_date=data["death_date"],
                place=data["place"],
                cause=data["cause"],
                **form.event_kwargs(),
            ),
        )
        if done is not None:
            messages.success(request, f"Kematian {resident.name} dicatat.")
            return redirect(_detail_url(resident))
    return _render_event(
        request,
        form,
        title=f"Catat kematian {resident.name}",
        intro="Data penduduk tetap disimpan dengan status 'Mati'.",
        submit="Catat kematian",
        back=_detail_url(resident),
        resident=resident,
        danger=True,
    )


@login_required
def move_out(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_for_writing(request, pk)
    form = forms.MoveOutForm(request.POST or None, reporters=_living_members(resident.family))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.move_out_record(
                actor=request.user,
                resident=resident,
                move_date=data["move_date"],
                destination=data["destination"],
                reason=data["reason"],
                **form.event_kwargs(),
            ),
        )
        if done is not None:
            messages.success(request, f"Kepindahan {resident.name} dicatat.")
            return redirect(_detail_url(resident))
    return _render_event(
        request,
        form,
        title=f"Catat pindah keluar {resident.name}",
        intro="Data penduduk tetap disimpan dengan status 'Pindah'.",
        submit="Catat pindah keluar",
        back=_detail_url(resident),
        resident=resident,
        danger=True,
    )


@login_required
def family_change(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_for_writing(request, pk)
    form = forms.FamilyChangeForm(request.POST or None, reporters=_living_members(resident.family))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        family, found = _family_by_kk(resident.village_id, data["kk_number"], form, "kk_number")
        if found:
            done = _attempt(
                form,
                lambda: services.family_change(
                    actor=request.user,
                    resident=resident,
                    family=family,
                    relation=data["relation"],
                    change_date=data["change_date"],
                    reason=data["reason"],
                    **form.event_kwargs(),
                ),
            )
            if done is not None:
                messages.success(request, f"Perubahan keluarga {resident.name} dicatat.")
                return redirect(_detail_url(resident))
    return _render_event(
        request,
        form,
        title=f"Perubahan keluarga {resident.name}",
        intro="Pindah ke KK lain di desa/kelurahan yang sama, atau keluar dari KK.",
        submit="Simpan perubahan keluarga",
        back=_detail_url(resident),
        resident=resident,
    )


# -- export ----------------------------------------------------------------------------------


def _export_region(request: HttpRequest, filters: dict[str, Any]) -> tuple[str, str]:
    """(region code, role) the export is audited under: the village filtered on, else the
    widest region the user reads at."""
    scope = scope_for(request.user)
    if filters["village"]:
        roles = scope.roles_at(filters["village"])
        return filters["village"], next((r for r in READER_ROLES if r in roles), "")
    grants = sorted(
        (g for g in scope.grants if g.role in READER_ROLES), key=lambda g: (g.level, g.region_code)
    )
    return (grants[0].region_code, grants[0].role) if grants else ("", "")


@login_required
def resident_export(request: HttpRequest) -> HttpResponse:
    villages = _readable_villages(request)
    search = _search(request, villages)
    back = f"{reverse('population:resident_list')}?{_querystring(request.GET, 'page')}".rstrip("?&")
    if not search.runs:
        messages.error(
            request,
            search.problem or "Pilih desa/kelurahan atau ketik nama/NIK/KK dulu, lalu unduh hasilnya.",
        )
        return redirect(back)
    qs = selectors.resident_search(actor=request.user, **search.filters)
    total = qs.order_by().values("pk")[: EXPORT_MAX_ROWS + 1].count()
    if total > EXPORT_MAX_ROWS:
        messages.error(
            request,
            f"Hasil lebih dari {EXPORT_MAX_ROWS:,} orang".replace(",", ".")
            + "; persempit penyaringan (misalnya per desa, dusun atau status) lalu unduh lagi.",
        )
        return redirect(back)
    region, role = _export_region(request, search.filters)
    shown_filters = {k: v for k, v in search.filters.items() if v not in (None, "")}
    full_villages = {v.code for v in villages if sees_full_numbers(request.user, v.code)}
    with transaction.atomic():
        audit_record(
            actor=request.user,
            act="population.resident.export",
            role=role,
            region=region,
            object_type="population.Resident",
            after={"rows": total, "filter": shown_filters, "full_numbers": bool(full_villages)},
        )
    content = excel.residents_export(qs.iterator(chunk_size=2000), full_villages=full_villages)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(content, content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="penduduk-{stamp}.xlsx"'
    return response
