"""Pages of the letter catalogue: the regency admin's catalogue and template editor, and a
village's own list of services (on/off and service time)."""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from kampung.accounts.scope import region_in_scope_or_404
from kampung.core.errors import KampungError
from kampung.letters import selectors, services
from kampung.letters.forms import LetterTypeForm, TemplateForm, VillageSettingForm
from kampung.letters.models import FIELD_TYPES, LetterType
from kampung.letters.rendering import letter_render_html, letter_render_pdf, sample_context
from kampung.letters.sandbox import CONTEXT_NAMES, FILTERS, validate_template
from kampung.regions.models import Region

PAGE_SIZE = 25
NAV = "letters_catalogue"


@login_required
def catalogue_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    types = selectors.letter_type_list(actor=request.user, q=q)
    page = Paginator(types, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "letters/catalogue_list.html",
        {
            "page_obj": page,
            "q": q,
            "querystring_base": urlencode({"q": q}) + "&" if q else "",
            "nav_active": NAV,
        },
    )


def _type_initial(letter_type: LetterType) -> dict[str, object]:
    return {
        "name": letter_type.name,
        "classification_code": letter_type.classification.code,
        "classification_old_code": letter_type.classification_old.code
        if letter_type.classification_old
        else "",
        "requirements": list(letter_type.requirements.all()),
        "extra_fields_text": services.fields_to_text(letter_type.extra_fields),
        "sla_days": letter_type.sla_days,
        "fee": letter_type.fee,
        "validity": letter_type.validity,
        "signing_level": letter_type.signing_level,
        "paper_size": letter_type.paper_size,
        "self_service": letter_type.self_service,
        "active": letter_type.active,
    }


@login_required
def type_edit(request: HttpRequest, slug: str) -> HttpResponse:
    letter_type = selectors.letter_type_for_editor(actor=request.user, slug=slug)
    form = LetterTypeForm(request.POST or None, initial=_type_initial(letter_type))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fields = services.fields_from_text(data["extra_fields_text"])
            services.letter_type_update(
                actor=request.user,
                letter_type=letter_type,
                name=data["name"],
                classification_code=data["classification_code"],
                classification_old_code=data["classification_old_code"],
                requirement_ids=[r.pk for r in data["requirements"]],
                extra_fields=fields,
                sla_days=data["sla_days"],
                fee=data["fee"],
                validity=data["validity"],
                signing_level=data["signing_level"],
                paper_size=data["paper_size"],
                self_service=data["self_service"],
                active=data["active"],
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Jenis surat {data['name']} disimpan.")
            return redirect("letters:type_edit", slug=letter_type.slug)
    return render(
        request,
        "letters/type_edit.html",
        {"letter_type": letter_type, "form": form, "field_types": FIELD_TYPES, "nav_active": NAV},
    )


def _preview(letter_type: LetterType, source: str) -> tuple[str, str]:
    """(page HTML, error message) of a draft rendered with sample data."""
    try:
        validate_template(source, sample_context(letter_type))
        return letter_render_html(letter_type, sample_context(letter_type), body_template=source), ""
    except KampungError as exc:
        return "", exc.message


# The live preview (a sandboxed frame of the letter as printed) carries the letter's own
# <style>; only this admin page allows inline style elements. Scripts stay 'self' only.
@csp_update({"style-src-elem": [UNSAFE_INLINE]})  # type: ignore[arg-type]  # django-csp types views as (request) only
@login_required
def template_edit(request: HttpRequest, slug: str) -> HttpResponse:
    letter_type = selectors.letter_type_for_editor(actor=request.user, slug=slug)
    preview_html = error = ""
    if request.method == "POST":
        action = request.POST.get("action", "simpan")
        if action == "bawaan":
            form = TemplateForm(initial={"body": services.letter_template_default(letter_type)})
            messages.info(request, "Templat bawaan dimuat ke penyunting. Tekan Simpan untuk memakainya.")
        else:
            form = TemplateForm(request.POST)
            if form.is_valid():
                source = form.cleaned_data["body"]
                if action == "pratinjau":
                    preview_html, error = _preview(letter_type, source)
                else:
                    try:
                        services.letter_template_save(
                            actor=request.user, letter_type=letter_type, source=source
                        )
                    except KampungError as exc:
                        form.add_error("body", exc.message)
                    else:
                        messages.success(request, "Templat disimpan.")
                        return redirect("letters:template_edit", slug=letter_type.slug)
    else:
        form = TemplateForm(initial={"body": letter_type.body_template})
        preview_html, error = _preview(letter_type, letter_type.body_template)
    return render(
        request,
        "letters/template_edit.html",
        {
            "letter_type": letter_type,
            "form": form,
            "preview_html": preview_html,
            "preview_error": error,
            "context_names": sorted(CONTEXT_NAMES),
            "filters": sorted(FILTERS),
            "fields": letter_type.extra_fields,
            "parties": letter_type.other_parties,
            "preview_url": reverse("letters:template_preview", kwargs={"slug": letter_type.slug}),
            "nav_active": NAV,
        },
    )


@login_required
@require_POST
def template_preview(request: HttpRequest, slug: str) -> JsonResponse:
    """The live preview: the draft in, the rendered page (or the reason it is refused) out."""
    letter_type = selectors.letter_type_for_editor(actor=request.user, slug=slug)
    form = TemplateForm(request.POST)
    if not form.is_valid():
        message = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return JsonResponse({"ok": False, "error": message or "Templat tidak sah."}, status=400)
    page, error = _preview(letter_type, form.cleaned_data["body"])
    if error:
        return JsonResponse({"ok": False, "error": error}, status=400)
    return JsonResponse({"ok": True, "html": page})


@login_required
def template_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The saved template printed with sample data."""
    letter_type = selectors.letter_type_for_editor(actor=request.user, slug=slug)
    try:
        pdf = letter_render_pdf(letter_type, sample_context(letter_type))
    except KampungError as exc:
        messages.error(request, exc.message)
        return redirect("letters:template_edit", slug=letter_type.slug)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="contoh-{letter_type.slug}.pdf"'
    return response


def _village_or_404(request: HttpRequest, code: str) -> Region:
    village = region_in_scope_or_404(request.user, code, *selectors.SETTING_READERS)
    if not village.is_village:
        raise Http404("Wilayah tidak ditemukan.")
    return village


@login_required
def village_settings(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code)
    q = request.GET.get("q", "")[:100]
    rows = selectors.village_letter_rows(village=village, q=q)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "letters/village_settings.html",
        {
            "village": village,
            "page_obj": page,
            "q": q,
            "querystring_base": urlencode({"q": q}) + "&" if q else "",
            "can_edit": selectors.can_edit_village_settings(request.user, village),
            "nav_active": "regions",
        },
    )


@login_required
@require_POST
def village_setting_save(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    village = _village_or_404(request, code)
    if not selectors.can_edit_village_settings(request.user, village):
        raise Http404("Halaman tidak ditemukan.")
    letter_type = LetterType.objects.filter(slug=slug, active=True).first()
    if letter_type is None:
        raise Http404("Jenis surat tidak ditemukan.")
    form = VillageSettingForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{letter_type.name}: target waktu layanan harus 1 sampai 60 hari kerja.")
    else:
        try:
            services.village_letter_setting_save(
                actor=request.user,
                village=village,
                letter_type=letter_type,
                enabled=form.cleaned_data["enabled"],
                sla_days=form.cleaned_data["sla_days"],
            )
        except KampungError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Pengaturan {letter_type.name} disimpan.")
    return redirect("letters:village_settings", code=village.code)
