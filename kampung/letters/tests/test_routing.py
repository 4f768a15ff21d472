"""Letter types signed above the village: routed up to the holder, signed there, numbered in
the village's series; refused with a reason; or signed at the village under a delegation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.authority.models import ActRecord, DelegationKind, InstrumentKind, MatterStatus, RoutedMatter
from kampung.authority.register import DelegationInput, delegation_create, instrument_create
from kampung.authority.services import matter_decide, matter_queue, may_act
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_A2
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.documents.models import Document
from kampung.letters import routing
from kampung.letters import services_requests as svc
from kampung.letters.models import LetterType, SigningLevel
from kampung.letters.models_requests import Channel, LetterRequest, RequestStatus
from kampung.letters.tests.requests_support import (
    DOMISILI,
    USAHA,
    letters_env,  # noqa: F401 - fixture
    pdf_text,
    person,
)
from kampung.regions.models import Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letters_env")]


def _level(slug: str, level: str) -> LetterType:
    letter_type = LetterType.objects.get(slug=slug)
    letter_type.signing_level = level
    letter_type.save(update_fields=["signing_level"])
    return letter_type


def _verified(
    world: Any, slug: str = USAHA, name: str = "Siti Aminah", village: str = VILLAGE_A1
) -> LetterRequest:
    letter_type = LetterType.objects.get(slug=slug)
    fields = {str(f["key"]): "Warung kelontong" for f in letter_type.extra_fields if f.get("required")}
    data = svc.RequestInput(
        letter_type=letter_type,
        requester=person(world, village=village, name=name),
        purpose="Pengajuan kredit usaha",
        fields=fields,
    )
    request = svc.request_submit(
        actor=world.user(Role.OPERATOR, village),
        village=Region.objects.get(code=village),
        channel=Channel.COUNTER,
        data=data,
    )
    svc.request_verify(actor=world.user(Role.SECRETARY, village), request=request)
    request.refresh_from_db()
    return request


def _perbup_to_heads(world: Any, slug: str) -> Any:
    """A Perbup giving the bupati's signature of one letter type to every village head."""
    regency = Region.objects.get(code=REGENCY)
    instrument = instrument_create(
        actor=world.user(Role.ADMIN, REGENCY),
        regency=regency,
        kind=InstrumentKind.PERBUP,
        number="21",
        date=dt.date(2024, 3, 1),
        title="Pelimpahan penandatanganan surat keterangan kepada kepala desa",
    )
    return delegation_create(
        actor=world.user(Role.ADMIN, REGENCY),
        instrument=instrument,
        data=DelegationInput(
            kind=DelegationKind.DELEGASI,
            from_role=Role.BUPATI,
            from_region=regency,
            to_role=Role.HEAD,
            to_region=regency,
            to_scope="desa_di_bawah",
            acts=[f"letters.sign.{slug}"],
            valid_from=dt.date(2024, 3, 1),
        ),
    )


def test_holder_by_law_follows_the_catalogue_level(world: Any) -> None:
    head = world.user(Role.HEAD, VILLAGE_A1)
    act = f"letters.sign.{USAHA}"
    assert may_act(head, act, VILLAGE_A1).basis == "atribusi"
    _level(USAHA, SigningLevel.REGENCY)
    refused = may_act(head, act, VILLAGE_A1)
    assert not refused and refused.holder_role == Role.BUPATI and refused.holder_region == REGENCY
    assert "Bupati" in refused.reason
    assert may_act(world.user(Role.BUPATI, REGENCY), act, VILLAGE_A1).basis == "atribusi"
    _level(USAHA, SigningLevel.DISTRICT)
    assert may_act(world.user(Role.CAMAT, DISTRICT_A), act, VILLAGE_A1).basis == "atribusi"
    assert not may_act(world.user(Role.BUPATI, REGENCY), act, VILLAGE_A1)
    # Other types keep the village head.
    assert may_act(head, f"letters.sign.{DOMISILI}", VILLAGE_A1).basis == "atribusi"


def test_routed_up_signed_by_the_bupati_numbered_in_the_village_series(
    world: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    # A village-signed letter first: the routed one takes the next number of the same series.
    first = _verified(world, DOMISILI, name="Pertama")
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_sign(actor=world.user(Role.HEAD, VILLAGE_A1), request=first)
    first.refresh_from_db()
    assert first.document is not None

    _level(USAHA, SigningLevel.REGENCY)
    request = _verified(world)
    head = world.user(Role.HEAD, VILLAGE_A1)
    with pytest.raises(NotPermitted, match="Bupati"):
        svc.request_sign(actor=head, request=request)
    assert routing.signed_above_village(request)
    assert routing.holder_label(request) == "Bupati Banyuwangi"

    matter = routing.request_route_up(actor=world.user(Role.OPERATOR, VILLAGE_A1), request=request)
    assert routing.request_route_up(actor=head, request=request) == matter  # sent once
    assert (matter.holder_role, matter.holder_region_id, matter.status) == (Role.BUPATI, REGENCY, "menunggu")
    bupati = world.user(Role.BUPATI, REGENCY)
    assert matter in matter_queue(actor=bupati)
    assert matter not in matter_queue(actor=world.user(Role.CAMAT, DISTRICT_A))
    request.refresh_from_db()
    assert request.status == RequestStatus.VERIFIED and request.document is None
    assert request.events.last().note == "Diteruskan kepada Bupati Banyuwangi untuk ditandatangani."
    # Another village's staff cannot send it.
    with pytest.raises(NotPermitted):
        routing.request_route_up(actor=world.user(Role.OPERATOR, VILLAGE_A2), request=request)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = matter_decide(actor=bupati, matter=matter, approve=True)
    assert outcome.signature is not None and outcome.signature.lines == ["Bupati Banyuwangi"]
    request.refresh_from_db()
    matter.refresh_from_db()
    assert matter.status == MatterStatus.DONE and matter.basis == "atribusi"
    assert request.status == RequestStatus.SIGNED
    document = request.document
    assert document is not None and document.village_id == VILLAGE_A1
    assert document.series_id == first.document.series_id
    assert document.sequence == first.document.sequence + 1
    assert document.signer_name == bupati.display_name
    assert document.signer_title == "Bupati Banyuwangi" and document.legal_basis == ""
    assert document.subject_name == "Siti Aminah"
    # One act record, with the bupati's basis.
    [record] = ActRecord.objects.filter(act=f"letters.sign.{USAHA}", object_id=str(request.pk))
    assert (record.actor_id, record.role, record.basis, record.region_id) == (
        bupati.pk,
        Role.BUPATI,
        "atribusi",
        VILLAGE_A1,
    )
    assert AuditEntry.objects.filter(act=f"letters.sign.{USAHA}", object_id=str(request.pk)).exists()
    last = request.events.last()
    assert (last.status_to, last.actor_id, last.basis) == (RequestStatus.SIGNED, bupati.pk, "atribusi")

    # The PDF was rendered after commit, with the bupati's formula and the village's number.
    assert document.sha256 and document.file
    with document.file.open("rb") as handle:
        text = " ".join(pdf_text(handle.read(), tmp_path).split())
    assert document.number in text
    # The signature block: the bupati's own office (no village name after it), then the name.
    assert f"Bupati Banyuwangi {bupati.display_name}" in text

    # Back at the village: issued and handed over by the office.
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    svc.request_issue(actor=operator, request=request)
    svc.request_hand_over(actor=operator, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.HANDED_OVER


def test_holder_refuses_and_the_request_is_rejected_with_the_reason(world: Any) -> None:
    _level(USAHA, SigningLevel.DISTRICT)
    request = _verified(world)
    matter = routing.request_route_up(actor=world.user(Role.SECRETARY, VILLAGE_A1), request=request)
    camat = world.user(Role.CAMAT, DISTRICT_A)
    assert (matter.holder_role, matter.holder_region_id) == (Role.CAMAT, DISTRICT_A)
    # Only the holder may decide.
    with pytest.raises(NotPermitted):
        matter_decide(actor=world.user(Role.HEAD, VILLAGE_A1), matter=matter, approve=True)
    matter_decide(actor=camat, matter=matter, approve=False, note="Lokasi usaha belum ditinjau")
    request.refresh_from_db()
    matter.refresh_from_db()
    assert matter.status == MatterStatus.RETURNED
    assert request.status == RequestStatus.REJECTED and request.document is None
    assert request.rejection_reason == "Tidak disetujui oleh Camat Pesanggaran: Lokasi usaha belum ditinjau"
    assert request.events.last().actor_id == camat.pk
    assert not Document.objects.filter(village_id=VILLAGE_A1).exists()


def test_cancelled_while_waiting_cannot_be_signed(world: Any) -> None:
    _level(USAHA, SigningLevel.REGENCY)
    request = _verified(world)
    matter = routing.request_route_up(actor=world.user(Role.HEAD, VILLAGE_A1), request=request)
    svc.request_cancel(actor=world.user(Role.OPERATOR, VILLAGE_A1), request=request, reason="Tidak jadi")
    with pytest.raises(InvalidTransition):
        matter_decide(actor=world.user(Role.BUPATI, REGENCY), matter=matter, approve=True)
    matter.refresh_from_db()
    assert matter.status == MatterStatus.WAITING
    assert not Document.objects.exists()


def test_village_type_and_unverified_requests_are_not_routed(world: Any) -> None:
    request = _verified(world, DOMISILI)
    with pytest.raises(KampungError, match="ditandatangani di desa"):
        routing.request_route_up(actor=world.user(Role.HEAD, VILLAGE_A1), request=request)
    _level(USAHA, SigningLevel.REGENCY)
    letter_type = LetterType.objects.get(slug=USAHA)
    fields = {str(f["key"]): "Warung" for f in letter_type.extra_fields if f.get("required")}
    submitted = svc.request_submit(
        actor=world.user(Role.OPERATOR, VILLAGE_A1),
        village=Region.objects.get(code=VILLAGE_A1),
        channel=Channel.COUNTER,
        data=svc.RequestInput(letter_type=letter_type, requester=person(world, name="Baru"), fields=fields),
    )
    with pytest.raises(InvalidTransition):
        routing.request_route_up(actor=world.user(Role.HEAD, VILLAGE_A1), request=submitted)
    assert not RoutedMatter.objects.exists()


def test_head_refused_without_delegation_and_signs_with_one(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _level(USAHA, SigningLevel.REGENCY)
    request = _verified(world)
    head = world.user(Role.HEAD, VILLAGE_A1)
    with pytest.raises(NotPermitted, match="Bupati"):
        svc.request_sign(actor=head, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.VERIFIED and request.document is None

    _perbup_to_heads(world, USAHA)
    assert not routing.signed_above_village(request)
    with pytest.raises(KampungError, match="ditandatangani di desa"):
        routing.request_route_up(actor=head, request=request)
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_sign(actor=head, request=request)
    request.refresh_from_db()
    document = request.document
    assert request.status == RequestStatus.SIGNED and document is not None
    assert document.signer_title == "Kepala Desa Sarongan"
    assert document.legal_basis == "berdasarkan Peraturan Bupati Banyuwangi Nomor 21 Tahun 2024"
    assert document.sha256
    [record] = ActRecord.objects.filter(act=f"letters.sign.{USAHA}", object_id=str(request.pk))
    assert record.basis == "delegasi" and record.delegation_id is not None
    # The delegation is to village heads: the secretary still may not sign it.
    other = _verified(world, name="Kedua")
    with pytest.raises(NotPermitted):
        svc.request_sign(actor=world.user(Role.SECRETARY, VILLAGE_A1), request=other)


def test_route_and_decide_over_http(world: Any, client: Any, django_capture_on_commit_callbacks: Any) -> None:
    _level(USAHA, SigningLevel.REGENCY)
    request = _verified(world)
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    page = client.get(reverse("letters:request_detail", kwargs={"code": request.code}))
    assert page.status_code == 200 and "Teruskan ke Bupati Banyuwangi" in page.content.decode()
    response = client.post(reverse("letters:request_act", kwargs={"code": request.code, "act": "teruskan"}))
    assert response.status_code == 302
    page = client.get(reverse("letters:request_detail", kwargs={"code": request.code}))
    assert "Menunggu tanda tangan" in page.content.decode()
    matter = RoutedMatter.objects.get(object_id=str(request.pk))

    client.logout()
    client.force_login(world.user(Role.BUPATI, REGENCY))
    queue = client.get(reverse("authority:matter_queue"))
    assert request.code_display in queue.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("authority:matter_decide", kwargs={"pk": matter.pk}), {"decision": "setujui", "note": ""}
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.SIGNED and request.document is not None
    assert request.document.sha256
