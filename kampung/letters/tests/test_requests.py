"""Letter requests through the services: submit rules, the life cycle and who may act."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1, VILLAGE_A2
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.letters import selectors_requests as sel
from kampung.letters import services_requests as svc
from kampung.letters.models import LetterType, RequirementDocument, VillageLetterSetting
from kampung.letters.models_requests import (
    TRACKING_ALPHABET,
    Channel,
    LetterRequest,
    RequestStatus,
)
from kampung.letters.tests.requests_support import (
    DOMISILI,
    KEMATIAN,
    PDF_BYTES,
    USAHA,
    letters_env,  # noqa: F401 - fixture
    mark_dead,
    person,
    secretary_sign_mandate,
)
from kampung.regions.calendar import add_working_days
from kampung.regions.models import Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letters_env")]


def _village(code: str = VILLAGE_A1) -> Region:
    return Region.objects.get(code=code)


def _submit(world: Any, requester: Any, slug: str = DOMISILI, **kw: Any) -> LetterRequest:
    data = svc.RequestInput(
        letter_type=LetterType.objects.get(slug=slug),
        requester=requester,
        purpose=kw.pop("purpose", "Melamar pekerjaan"),
        **kw,
    )
    return svc.request_submit(
        actor=world.user(Role.OPERATOR, VILLAGE_A1), village=_village(), channel=Channel.COUNTER, data=data
    )


def test_tracking_codes_are_readable_and_normalised() -> None:
    codes = {svc.tracking_code_generate() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 8 and set(code) <= set(TRACKING_ALPHABET)
    for confusable in "0O1IL2Z5S6G8BUVQD":
        assert confusable not in TRACKING_ALPHABET
    assert svc.tracking_code_normalise(" acef-3479 ") == "ACEF3479"


def test_counter_request_is_recorded_with_due_date_parties_and_history(world: Any) -> None:
    siti = person(world)
    request = _submit(world, siti)
    assert request.status == RequestStatus.SUBMITTED
    assert request.code_display == f"{request.code[:4]}-{request.code[4:]}"
    assert request.due_on == add_working_days(_village(), request.submitted_at.date(), 1)
    [subject] = request.parties.all()
    assert subject.key == "subjek" and subject.resident == siti
    assert request.fields["keperluan"] == "Melamar pekerjaan"
    [event] = request.events.all()
    assert event.status_to == RequestStatus.SUBMITTED and event.actor == world.user(Role.OPERATOR, VILLAGE_A1)


def test_village_sla_sets_the_due_date(world: Any) -> None:
    letter_type = LetterType.objects.get(slug=DOMISILI)
    VillageLetterSetting.objects.create(village=_village(), letter_type=letter_type, sla_days=3)
    request = _submit(world, person(world))
    assert request.due_on == add_working_days(_village(), request.submitted_at.date(), 3)


def test_death_letter_needs_a_dead_subject_and_a_living_one_needs_a_living(world: Any) -> None:
    reporter = person(world, name="Ahmad Fauzi")
    alive = person(world, name="Sumini")
    witness = svc.PartyInput(resident=person(world, name="Saksi Satu"))
    parties = {"pelapor": svc.PartyInput(resident=reporter), "saksi_1": witness, "saksi_2": witness}
    fields = {"pelapor_hubungan_pelapor_dengan_yang_mati": "Anak"}
    with pytest.raises(KampungError, match="hanya untuk orang yang berstatus mati"):
        _submit(
            world, reporter, KEMATIAN, subject=svc.PartyInput(resident=alive), parties=parties, fields=fields
        )
    dead = mark_dead(person(world, name="Almarhum Karto"))
    request = _submit(
        world, reporter, KEMATIAN, subject=svc.PartyInput(resident=dead), parties=parties, fields=fields
    )
    assert request.parties.get(key="subjek").resident == dead
    assert request.parties.get(key="pelapor").resident == reporter
    with pytest.raises(KampungError, match="hanya untuk orang yang berstatus hidup"):
        _submit(world, reporter, DOMISILI, subject=svc.PartyInput(resident=dead))


def test_outsiders_typed_in_full_where_allowed(world: Any) -> None:
    reporter = person(world)
    dead = mark_dead(person(world, name="Almarhum Karto"))
    outsider = {
        "nama": "Budi Luar",
        "nik": "3509010101800001",
        "tempat_lahir": "Jember",
        "tanggal_lahir": "1980-01-01",
        "jenis_kelamin": "Laki-laki",
        "pekerjaan": "Petani",
        "alamat": "Desa Lain, Jember",
    }
    parties = {
        "pelapor": svc.PartyInput(resident=reporter),
        "saksi_1": svc.PartyInput(data=outsider),
        "saksi_2": svc.PartyInput(data={**outsider, "nik": "12"}),
    }
    fields = {"pelapor_hubungan_pelapor_dengan_yang_mati": "Anak"}
    with pytest.raises(KampungError, match="Saksi 2: NIK harus 16 angka"):
        _submit(
            world, reporter, KEMATIAN, subject=svc.PartyInput(resident=dead), parties=parties, fields=fields
        )
    parties["saksi_2"] = svc.PartyInput(data=outsider)
    request = _submit(
        world, reporter, KEMATIAN, subject=svc.PartyInput(resident=dead), parties=parties, fields=fields
    )
    assert request.parties.get(key="saksi_1").data["nama"] == "Budi Luar"
    # The subject of a death letter must come from the register.
    with pytest.raises(KampungError, match="buku induk"):
        _submit(
            world, reporter, KEMATIAN, subject=svc.PartyInput(data=outsider), parties=parties, fields=fields
        )


def test_subject_from_another_village_is_refused(world: Any) -> None:
    other = person(world, village=VILLAGE_A2, name="Warga Desa Lain")
    with pytest.raises(KampungError, match="tidak terdaftar"):
        _submit(world, person(world), subject=svc.PartyInput(resident=other))
    with pytest.raises(KampungError, match="Pemohon tidak terdaftar"):
        _submit(world, other)


def test_required_and_typed_fields(world: Any) -> None:
    siti = person(world)
    with pytest.raises(KampungError, match="'Nama Usaha' wajib diisi"):
        _submit(world, siti, USAHA, fields={"keperluan": "Kredit"})
    request = _submit(
        world, siti, USAHA, fields={"nama_usaha": "Warung Siti", "keperluan": "Kredit usaha"}, purpose=""
    )
    assert request.purpose == "Kredit usaha"
    letter_type = LetterType.objects.get(slug=USAHA)
    with pytest.raises(KampungError, match="harus angka"):
        svc.fields_clean(letter_type, {"nama_usaha": "x", "keperluan": "y"}) and svc._clean_field(
            {"key": "n", "label": "Jumlah", "type": "angka"}, "dua"
        )
    with pytest.raises(KampungError, match="Pilihan 'JK' tidak dikenal"):
        svc._clean_field({"key": "k", "label": "JK", "type": "pilihan", "options": ["A", "B"]}, "C")
    with pytest.raises(KampungError, match="harus tanggal"):
        svc._clean_field({"key": "t", "label": "Tgl", "type": "tanggal"}, "31-02-2020")
    assert svc._clean_field({"key": "u", "label": "Uang", "type": "uang"}, "2.500.000") == "2500000"
    with pytest.raises(KampungError, match="keperluan"):
        _submit(world, siti, purpose="")


def test_required_documents_uploaded_checked_or_seen(world: Any) -> None:
    siti = person(world)
    kk = RequirementDocument.objects.get_or_create(name="Fotokopi KK")[0]
    LetterType.objects.get(slug=DOMISILI).requirements.set([kk])
    with pytest.raises(KampungError, match="Fotokopi KK.*belum dipenuhi"):
        _submit(world, siti)
    fake = SimpleUploadedFile("kk.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(KampungError, match="harus PDF, JPEG atau PNG"):
        _submit(world, siti, uploads={kk.pk: fake})
    seen = _submit(world, siti, seen_at_counter={kk.pk})
    assert seen.attachments.get().seen_at_counter
    uploaded = _submit(world, siti, uploads={kk.pk: SimpleUploadedFile("kk.pdf", PDF_BYTES)})
    attachment = uploaded.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.file.name.startswith("private/")
    # Online, "seen at the counter" does not count.
    from kampung.population.portal import account_activate

    account, _ = account_activate(actor=world.user(Role.OPERATOR, VILLAGE_A1), resident=siti)
    data = svc.RequestInput(
        letter_type=LetterType.objects.get(slug=DOMISILI),
        requester=siti,
        purpose="x",
        seen_at_counter={kk.pk},
    )
    with pytest.raises(KampungError, match="unggah berkasnya"):
        svc.request_submit(actor=account.user, village=_village(), channel=Channel.ONLINE, data=data)


def test_online_only_for_self_service_types_and_oneself(world: Any) -> None:
    from kampung.population.portal import account_activate

    siti, other = person(world), person(world, name="Orang Lain")
    account, _ = account_activate(actor=world.user(Role.OPERATOR, VILLAGE_A1), resident=siti)
    data = svc.RequestInput(letter_type=LetterType.objects.get(slug=KEMATIAN), requester=siti, purpose="x")
    with pytest.raises(KampungError, match="tidak dapat diajukan sendiri"):
        svc.request_submit(actor=account.user, village=_village(), channel=Channel.ONLINE, data=data)
    data = svc.RequestInput(letter_type=LetterType.objects.get(slug=DOMISILI), requester=other, purpose="x")
    with pytest.raises(NotPermitted):
        svc.request_submit(actor=account.user, village=_village(), channel=Channel.ONLINE, data=data)
    with pytest.raises(NotPermitted):
        svc.request_submit(
            actor=world.user(Role.OPERATOR, VILLAGE_A2),
            village=_village(),
            channel=Channel.COUNTER,
            data=data,
        )


def test_switched_off_type_is_refused(world: Any) -> None:
    VillageLetterSetting.objects.create(
        village=_village(), letter_type=LetterType.objects.get(slug=DOMISILI), enabled=False
    )
    with pytest.raises(KampungError, match="tidak dilayani"):
        _submit(world, person(world))


def test_life_cycle_with_authority(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    request = _submit(world, person(world))
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    with pytest.raises(NotPermitted, match="Sekretaris Desa"):
        svc.request_verify(actor=world.user(Role.FIELD_OFFICER, VILLAGE_A1), request=request)
    with pytest.raises(NotPermitted):
        svc.request_verify(actor=world.user(Role.OPERATOR, VILLAGE_A2), request=request)
    # The operator checks requests beside the secretary, by the duties of the post.
    svc.request_verify(actor=operator, request=request)
    assert request.events.last().basis == "atribusi"
    with pytest.raises(NotPermitted, match="Kepala Desa"):
        svc.request_sign(actor=operator, request=request)
    with pytest.raises(NotPermitted):
        svc.request_sign(actor=world.user(Role.HEAD, VILLAGE_A2), request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.VERIFIED and request.document_id is None
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_sign(actor=world.user(Role.HEAD, VILLAGE_A1), request=request)
    request.refresh_from_db()
    document = request.document
    assert request.status == RequestStatus.SIGNED and document.sequence == 1
    assert document.sha256 and document.file.name
    assert document.signer_title == "Kepala Desa Sarongan"
    from kampung.authority.models import ActRecord

    assert ActRecord.objects.filter(
        act=f"letters.sign.{DOMISILI}", object_id=str(request.pk), basis="atribusi"
    ).exists()
    with pytest.raises(InvalidTransition):
        svc.request_cancel(actor=operator, request=request)
    svc.request_issue(actor=operator, request=request)
    svc.request_hand_over(actor=operator, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.HANDED_OVER and request.closed_at is not None
    assert [e.status_to for e in request.events.all()] == [
        "diajukan",
        "diverifikasi",
        "ditandatangani",
        "diterbitkan",
        "diserahkan",
    ]


def test_secretary_signs_on_behalf_under_the_heads_mandate(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = _submit(world, person(world))
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    svc.request_verify(actor=secretary, request=request)
    with pytest.raises(NotPermitted):
        svc.request_sign(actor=secretary, request=request)
    secretary_sign_mandate(world)
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_sign(actor=secretary, request=request, wet=True)
    request.refresh_from_db()
    assert request.wet_signed
    assert request.document.signer_title == "a.n. Kepala Desa Sarongan / Sekretaris Desa Sarongan"


def test_reject_and_cancel(world: Any) -> None:
    request = _submit(world, person(world))
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    with pytest.raises(KampungError, match="alasan"):
        svc.request_reject(actor=secretary, request=request, reason="")
    with pytest.raises(NotPermitted):
        svc.request_reject(
            actor=world.user(Role.FIELD_OFFICER, VILLAGE_A1), request=request, reason="Data tidak cocok"
        )
    svc.request_reject(actor=secretary, request=request, reason="Alamat berbeda dengan KK")
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED and request.rejection_reason == "Alamat berbeda dengan KK"
    other = _submit(world, person(world, name="Lain"))
    with pytest.raises(NotPermitted):
        svc.request_cancel(actor=world.user(Role.OPERATOR, VILLAGE_A2), request=other)
    svc.request_cancel(actor=world.user(Role.OPERATOR, VILLAGE_A1), request=other, reason="Salah jenis")
    other.refresh_from_db()
    assert other.status == RequestStatus.CANCELLED


def test_due_and_overdue_counts(world: Any) -> None:
    first = _submit(world, person(world))
    second = _submit(world, person(world, name="Kedua"))
    LetterRequest.objects.filter(pk=first.pk).update(due_on=dt.date(2026, 3, 2))
    LetterRequest.objects.filter(pk=second.pk).update(due_on=dt.date(2026, 3, 4))
    first.refresh_from_db()
    operator = world.user(Role.OPERATOR, VILLAGE_A1)
    today = dt.date(2026, 3, 3)
    assert first.is_overdue(today) and not first.is_overdue(dt.date(2026, 3, 2))
    counts = {c.key: c for c in sel.queue_counts(actor=operator, today=today)}
    assert (counts["verifikasi"].total, counts["verifikasi"].overdue, counts["verifikasi"].due_today) == (
        2,
        1,
        0,
    )
    assert list(sel.request_list(actor=operator, queue="verifikasi", overdue=True, today=today)) == [first]
    assert list(sel.request_list(actor=operator, queue="verifikasi", today=today)) == [first, second]
    assert sel.queue_counts(actor=world.user(Role.OPERATOR, VILLAGE_A2), today=today)[0].total == 0


def test_status_changes_queue_messages_after_commit(
    world: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    from kampung.notifications.models import OutboxMessage

    settings.KAMPUNG_SMS_GATEWAY = "log"

    with django_capture_on_commit_callbacks(execute=True):
        request = _submit(world, person(world))
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_reject(
            actor=world.user(Role.SECRETARY, VILLAGE_A1), request=request, reason="Data tidak lengkap"
        )
    bodies = [m.body for m in OutboxMessage.objects.filter(source_id=str(request.pk)).order_by("pk")]
    assert bodies
    assert any(request.code_display in b and "sudah kami terima" in b for b in bodies)
    assert any("ditolak" in b and "Data tidak lengkap" in b for b in bodies)
