"""Access matrix spec for the letters app (see kampung/core/tests/matrix.py).

- The catalogue and its templates are the regency admin's (``services.CATALOGUE_EDITORS``);
  anyone else: "not found".
- A village's letter settings are read by its staff and the district and regency roles above
  it (``selectors.SETTING_READERS``) and changed by its head and secretary.
- Requests (the counter, the queues, a request's page, its PDF and attachments, its acts)
  belong to the village's operator, secretary and head (``services_requests.STAFF_ROLES``);
  anyone else, the district and the regency included: "not found". Whether a staff member
  may do a given act (verify, sign...) is the authority register's answer, shown as a
  message on the request's page (the services' own tests cover it).
- /surat/warga/ is the resident's own: a portal account sees only requests it made; a staff
  account there is "not found". The seed's portal account is the population spec's
  ``resident_user`` (made here too when the population spec is not loaded).
"""

from __future__ import annotations

from typing import Any

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, VILLAGE_STAFF, Role
from kampung.core.tests.matrix import Route, Side, roles, village_code

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOMISILI = "surat-keterangan-domisili"
# Self-service, with documents to upload: the portal request carries attachments.
BEPERGIAN = "surat-keterangan-bepergian"

ADMIN = roles(Role.ADMIN)
SETTING_READERS = roles(VILLAGE_STAFF, DISTRICT_ROLES, REGENCY_ROLES)
SETTING_EDITORS = roles(Role.HEAD, Role.SECRETARY)
STAFF = roles(Role.OPERATOR, Role.SECRETARY, Role.HEAD)
RESIDENT = roles(Role.RESIDENT)


def _portal_account(side: Side) -> tuple[Any, dict[str, Any]]:
    """The side's resident portal account: the population spec's, else one made here."""
    account = side.get("pop_account")
    if account is not None:
        return account, {}
    import datetime as dt

    from kampung.population import portal
    from kampung.population.tests.factories import make_family, make_resident

    family = make_family(side.world, side.village.code, address=side.text("Alamat", 255))
    resident = make_resident(
        side.world,
        side.village.code,
        name=side.text("Pemohon", 150),
        birth=dt.date(1982, 4, 6),
        family=family,
        attributes={"family_relation": 1, "marital_status": 2},
    )
    account, pin = portal.account_activate(actor=side.user(Role.OPERATOR), resident=resident)
    portal.pin_change(user=account.user, old_pin=pin, new_pin="284719")
    account.user.refresh_from_db()
    return account, {"resident_user": account.user}


def seed(side: Side) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kampung.documents import keys
    from kampung.letters import services_requests as svc
    from kampung.letters.loader import catalogue_ensure
    from kampung.letters.models import LetterType
    from kampung.letters.models_requests import Channel

    catalogue_ensure()
    if not keys.key_list(regency=side.regency.code):
        keys.key_generate(regency=side.regency.code)
    account, extra = _portal_account(side)
    resident = account.resident
    operator, head = side.user(Role.OPERATOR), side.user(Role.HEAD)

    # Online, by the resident, with every required document uploaded; verified and signed,
    # its PDF rendered (the matrix never commits, so the after-commit render is done here).
    travel = LetterType.objects.get(slug=BEPERGIAN)
    uploads = {
        r.pk: SimpleUploadedFile(f"syarat-{r.pk}.pdf", PDF_BYTES, content_type="application/pdf")
        for r in travel.requirements.all()
    }
    online = svc.request_submit(
        actor=account.user,
        village=side.village,
        channel=Channel.ONLINE,
        data=svc.RequestInput(
            letter_type=travel,
            requester=resident,
            purpose=side.text("Keperluan bepergian", 500),
            uploads=uploads,
        ),
    )
    svc.request_verify(actor=operator, request=online, note=side.text("Catatan verifikasi", 500))
    svc.request_sign(actor=head, request=online)
    online.refresh_from_db()
    svc.request_pdf_retry(request=online)
    attachment = online.attachments.exclude(file="").first()
    assert attachment is not None, f"{BEPERGIAN} has no required document to upload"

    # At the counter, for the same resident, then rejected with a reason the resident reads.
    counter = svc.request_submit(
        actor=operator,
        village=side.village,
        channel=Channel.COUNTER,
        data=svc.RequestInput(
            letter_type=LetterType.objects.get(slug=DOMISILI),
            requester=resident,
            purpose=side.text("Keperluan domisili", 500),
        ),
    )
    svc.request_reject(
        actor=side.user(Role.SECRETARY), request=counter, reason=side.text("Alasan tolak", 500)
    )
    return {
        **extra,
        "let_resident": resident,
        "let_request": online,
        "let_attachment": attachment,
        "let_rejected": counter,
    }


def _request(name: str = "let_request") -> Any:
    return lambda side: {"code": side[name].code}


def _attachment(side: Side) -> dict[str, Any]:
    return {"code": side["let_request"].code, "pk": side["let_attachment"].pk}


def _resident(side: Side) -> dict[str, Any]:
    return {"resident_pk": side["let_resident"].pk}


ROUTES: list[Route] = [
    # -- catalogue and templates (regency admin) ---------------------------------------------
    Route("letters:catalogue", readers=ADMIN, note="the regency's catalogue: its admin only"),
    Route("letters:type_edit", kwargs=lambda side: {"slug": DOMISILI}, readers=ADMIN),
    Route("letters:template_edit", kwargs=lambda side: {"slug": DOMISILI}, readers=ADMIN),
    Route(
        "letters:template_preview",
        kwargs=lambda side: {"slug": DOMISILI},
        readers=ADMIN,
        method="POST",
    ),
    Route("letters:template_pdf", kwargs=lambda side: {"slug": DOMISILI}, readers=ADMIN),
    # -- a village's letter settings --------------------------------------------------------
    Route("letters:village_settings", kwargs=village_code, readers=SETTING_READERS),
    Route(
        "letters:village_setting_save",
        kwargs=lambda side: {"code": side.village.code, "slug": DOMISILI},
        readers=SETTING_EDITORS,
        method="POST",
    ),
    # -- requests: counter, queues, one request ----------------------------------------------
    Route("letters:queue", readers=STAFF, note="the queues of the user's villages only"),
    Route("letters:counter_start", readers=STAFF, query="?q=Warga"),
    Route("letters:counter_type", kwargs=_resident, readers=STAFF),
    Route(
        "letters:counter_form",
        kwargs=lambda side: {"resident_pk": side["let_resident"].pk, "slug": DOMISILI},
        readers=STAFF,
    ),
    Route("letters:request_detail", kwargs=_request(), readers=STAFF),
    Route("letters:request_pdf", kwargs=_request(), readers=STAFF),
    Route("letters:request_attachment", kwargs=_attachment, readers=STAFF),
    Route(
        "letters:request_act",
        kwargs=lambda side: {"code": side["let_request"].code, "act": "serahkan"},
        readers=STAFF,
        method="POST",
        note="staff reach the act; whether they may do it is the service's answer (a message)",
    ),
    # -- the resident's own requests (portal) -------------------------------------------------
    Route("letters:portal_list", readers=RESIDENT, note="the signed-in resident's requests only"),
    Route("letters:portal_type", readers=RESIDENT),
    Route("letters:portal_form", kwargs=lambda side: {"slug": BEPERGIAN}, readers=RESIDENT),
    Route("letters:portal_detail", kwargs=_request(), readers=RESIDENT),
    Route(
        "letters:portal_cancel",
        kwargs=_request("let_rejected"),
        readers=RESIDENT,
        method="POST",
    ),
    Route("letters:portal_pdf", kwargs=_request(), readers=RESIDENT),
    Route("letters:portal_attachment", kwargs=_attachment, readers=RESIDENT),
]
