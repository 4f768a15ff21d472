"""The HTTP API, version 1: read access to the population register.

Every endpoint calls the same selectors as the pages, with the same scope: a record outside
the caller's villages is "not found", and NIK/KK numbers are whole only for the village's own
staff. Errors are JSON ``{"detail": ..., "code": ...}`` in Indonesian.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Path, Query, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kampung.accounts.scope import filter_by_village, get_in_scope_or_404, scope_for
from kampung.api.auth import ActiveSessionAuth, ScopeMissing, TokenAuth, endpoint_auth, scope_missing_message
from kampung.api.schemas import (
    ErrorOut,
    FamilyDetailOut,
    FamilyFilters,
    FamilyPage,
    ResidentDetailOut,
    ResidentFilters,
    ResidentPage,
)
from kampung.api.scopes import FAMILIES_READ, RESIDENTS_READ
from kampung.audit.services import audit_view
from kampung.core.errors import KampungError
from kampung.population import selectors
from kampung.population.codes import label as code_label
from kampung.population.models import BasicStatus, Family, LifeEvent, Resident, Sex

MAX_ID = 2**63 - 1

api = NinjaAPI(
    title="Kampung API",
    version="v1",
    description=(
        "Akses baca ke data kependudukan, dengan batas wilayah yang sama seperti di aplikasi. "
        "Masuk dengan sesi peramban atau token API (`Authorization: Bearer ...`). Token klien "
        "integrasi (`kmpk_...`) hanya membaca wilayah kliennya, dengan izin (scope) yang tertulis "
        "pada tiap alamat (`x-kampung-scope`); NIK dan nomor KK sampai kepadanya disamarkan."
    ),
    urls_namespace="api-v1",
    auth=[TokenAuth(), ActiveSessionAuth()],
    openapi_url="/openapi.json",
    docs_url="/docs",
)


# -- errors ---------------------------------------------------------------------------------


def _error(request: HttpRequest, status: int, detail: str, code: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        "Belum masuk: kirim token API yang masih berlaku (Authorization: Bearer ...) atau masuk lewat aplikasi.",
        "belum_masuk",
    )


def _field_message(error: dict[str, Any]) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "harus bilangan bulat"
    if kind == "greater_than_equal":
        return f"paling kecil {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"paling besar {ctx.get('le')}"
    if kind == "string_too_long":
        return f"paling panjang {ctx.get('max_length')} karakter"
    if kind == "string_pattern_mismatch":
        if tuple(error.get("loc", ()))[-1:] == ("village",):
            return "bentuknya tidak sah (kode desa ditulis seperti 35.10.01.2001)"
        return "berisi karakter yang tidak boleh dipakai (karakter kendali)"
    if kind == "value_error":
        return str(ctx.get("error", "nilainya tidak sah"))
    if kind == "missing":
        return "wajib diisi"
    return "nilainya tidak sah"


@api.exception_handler(ScopeMissing)
def _scope_missing(request: HttpRequest, exc: ScopeMissing) -> HttpResponse:
    return _error(request, 403, scope_missing_message(exc.scope), "izin_kurang")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "filters")]
        errors.append({"field": ".".join(location) or "-", "message": _field_message(error)})
    fields = ", ".join(e["field"] for e in errors)
    return _error(request, 422, f"Parameter tidak sah: {fields}.", "parameter_tidak_sah", errors=errors)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "Data tidak ditemukan.", "tidak_ditemukan")


@api.exception_handler(KampungError)
def _refused(request: HttpRequest, exc: KampungError) -> HttpResponse:
    return _error(request, 400, exc.message, exc.code)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc), "ditolak")


# -- helpers --------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]  # set by the authentication classes


def _village_in_scope(actor: Any, code: str) -> None:
    if code and code not in scope_for(actor).village_codes(*selectors.READER_ROLES):
        raise Http404


def _page_links(request: HttpRequest, page: int, has_next: bool) -> tuple[str | None, str | None]:
    def link(number: int) -> str:
        params = request.GET.copy()
        params["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    return (link(page + 1) if has_next else None, link(page - 1) if page > 1 else None)


def _age(birth_date: Any, today: Any) -> int:
    return int(today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day)))


def _resident(actor: Any, r: Resident, today: Any) -> dict[str, Any]:
    family = r.family
    return {
        "id": r.pk,
        "nik": selectors.shown_number(actor, r.village_id, r.nik),
        "name": r.name,
        "sex": {"code": r.sex, "label": Sex(r.sex).label if r.sex in Sex.values else str(r.sex)},
        "birth_place": r.birth_place,
        "birth_date": r.birth_date,
        "age": _age(r.birth_date, today),
        "religion": {"code": r.religion, "label": code_label("agama_id", r.religion)},
        "marital_status": {"code": r.marital_status, "label": code_label("status_kawin", r.marital_status)},
        "family_relation": {"code": r.family_relation, "label": code_label("kk_level", r.family_relation)},
        "education": {"code": r.education, "label": code_label("pendidikan_kk_id", r.education)},
        "occupation": {"code": r.occupation, "label": code_label("pekerjaan_id", r.occupation)},
        "basic_status": {"code": r.basic_status, "label": BasicStatus(r.basic_status).label},
        "village": {"code": r.village_id, "name": r.village.name},
        "dusun": r.dusun,
        "rw": r.rw,
        "rt": r.rt,
        "family_id": r.family_id,
        "kk_number": selectors.shown_number(actor, r.village_id, family.kk_number) if family else None,
        "needs_review": r.needs_review,
    }


def _family(actor: Any, f: Family, members: int) -> dict[str, Any]:
    head = f.head
    return {
        "id": f.pk,
        "kk_number": selectors.shown_number(actor, f.village_id, f.kk_number),
        "village": {"code": f.village_id, "name": f.village.name},
        "head": {"id": head.pk, "name": head.name} if head is not None else None,
        "address": f.address,
        "dusun": f.dusun,
        "rw": f.rw,
        "rt": f.rt,
        "members": members,
    }


def _living_members(family_ids: list[int]) -> dict[int, int]:
    rows = (
        Resident.objects.filter(family_id__in=family_ids, basic_status=BasicStatus.LIVING)
        .order_by()
        .values("family_id")
        .annotate(n=Count("pk"))
    )
    return {row["family_id"]: row["n"] for row in rows}


# -- endpoints ------------------------------------------------------------------------------

population = Router(tags=["Kependudukan"])
# Every operation documents every error it can answer with (the Schemathesis test checks that
# no other status appears): 400 a refusal by the rules, 401 not signed in, 403 a client token
# without the operation's scope, 404 not found or outside the caller's region, 422 bad input.
ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


def _read(path: str, *, scope: str, response: type[Any], summary: str) -> Any:
    """A read endpoint: its scope is required of client tokens and named in the schema."""
    return population.get(
        path,
        response={200: response, **ERRORS},
        summary=summary,
        auth=endpoint_auth(scope),
        openapi_extra={"x-kampung-scope": scope},
    )


@_read("/penduduk", scope=RESIDENTS_READ, response=ResidentPage, summary="Cari penduduk")
def resident_list(request: HttpRequest, filters: Query[ResidentFilters]) -> dict[str, Any]:
    """Residents of the villages in the caller's scope; filters as on the register page.

    Pages are fetched one row long (``limit + 1``) instead of counting every match, so a
    name search over the whole regency costs the same as over one village.
    """
    actor = _actor(request)
    _village_in_scope(actor, filters.village)
    start = (filters.page - 1) * filters.limit
    page = selectors.resident_search_page(
        actor=actor,
        offset=start,
        limit=filters.limit,
        q=filters.q,
        village=filters.village,
        dusun=filters.dusun,
        rw=filters.rw,
        rt=filters.rt,
        sex=filters.sex,
        age_min=filters.age_min,
        age_max=filters.age_max,
        status=filters.status,
        sort=filters.sort,
    )
    today = timezone.localdate()
    next_url, previous_url = _page_links(request, filters.page, page.has_next)
    return {
        "items": [_resident(actor, r, today) for r in page.rows],
        "page": filters.page,
        "limit": filters.limit,
        "next": next_url,
        "previous": previous_url,
    }


@_read(
    "/penduduk/{resident_id}",
    scope=RESIDENTS_READ,
    response=ResidentDetailOut,
    summary="Data seorang penduduk",
)
def resident_detail(request: HttpRequest, resident_id: Path[int]) -> dict[str, Any]:
    """One resident's record (opening it is recorded in the audit trail as a view)."""
    if not 1 <= resident_id <= MAX_ID:
        raise Http404
    actor = _actor(request)
    resident = selectors.resident_get(actor=actor, pk=resident_id)
    data = _resident(actor, resident, timezone.localdate())
    data["citizenship"] = {
        "code": resident.citizenship,
        "label": code_label("warganegara_id", resident.citizenship),
    }
    data["blood_type"] = {
        "code": resident.blood_type,
        "label": code_label("golongan_darah_id", resident.blood_type),
    }
    data["phone"] = resident.phone
    events: list[LifeEvent] = list(selectors.resident_events(actor=actor, resident=resident))
    data["events"] = [
        {
            "kind": e.kind,
            "label": e.get_kind_display(),
            "event_date": e.event_date,
            "reported_date": e.reported_date,
        }
        for e in events
    ]
    return data


@_read("/keluarga", scope=FAMILIES_READ, response=FamilyPage, summary="Cari keluarga (KK)")
def family_list(request: HttpRequest, filters: Query[FamilyFilters]) -> dict[str, Any]:
    """Families of the villages in scope, by KK number or a member's name."""
    actor = _actor(request)
    _village_in_scope(actor, filters.village)
    qs = filter_by_village(Family.objects.all(), actor, roles=selectors.READER_ROLES)
    if filters.village:
        qs = qs.filter(village_id=filters.village)
    q = filters.q.strip()
    if q:
        digits = q.replace(" ", "")
        if digits.isdigit():
            qs = qs.filter(kk_number=digits) if len(digits) == 16 else qs.none()
        else:
            members = selectors.resident_search(actor=actor, q=q, village=filters.village)
            qs = qs.filter(pk__in=members.order_by().values("family_id"))
    qs = qs.select_related("village", "head").order_by("kk_number")
    start = (filters.page - 1) * filters.limit
    rows = list(qs[start : start + filters.limit + 1])
    has_next = len(rows) > filters.limit
    rows = rows[: filters.limit]
    counts = _living_members([f.pk for f in rows])
    next_url, previous_url = _page_links(request, filters.page, has_next)
    return {
        "items": [_family(actor, f, counts.get(f.pk, 0)) for f in rows],
        "page": filters.page,
        "limit": filters.limit,
        "next": next_url,
        "previous": previous_url,
    }


@_read(
    "/keluarga/{family_id}",
    scope=FAMILIES_READ,
    response=FamilyDetailOut,
    summary="Data satu keluarga dan anggotanya",
)
def family_detail(request: HttpRequest, family_id: Path[int]) -> dict[str, Any]:
    """One family (KK) and its members; opening it is recorded in the audit trail."""
    if not 1 <= family_id <= MAX_ID:
        raise Http404
    actor = _actor(request)
    family = get_in_scope_or_404(
        Family.objects.select_related("village", "head"), actor, roles=selectors.READER_ROLES, pk=family_id
    )
    audit_view(
        actor=actor,
        object_type="population.Family",
        object_id=family.pk,
        region=family.village_id,
        what="data keluarga",
    )
    members = list(
        Resident.objects.filter(family=family)
        .select_related("family", "village")
        .order_by("family_relation", "birth_date", "pk")
    )
    today = timezone.localdate()
    data = _family(actor, family, sum(1 for m in members if m.basic_status == BasicStatus.LIVING))
    data["member_list"] = [_resident(actor, m, today) for m in members]
    return data


api.add_router("/", population)
