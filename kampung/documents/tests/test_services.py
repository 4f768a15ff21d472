"""Issuing, attaching the PDF after commit, and revoking (who may, and the audit trail)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_other_regency
from kampung.core.errors import KampungError, NotPermitted
from kampung.documents.models import Document, DocumentStatus
from kampung.documents.services import (
    CODE_ALPHABET,
    Signer,
    code_normalise,
    document_attach_pdf,
    document_revoke,
)
from kampung.documents.tests.conftest import issue

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n% uji\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_issue_records_everything_and_audits() -> None:
    doc = issue(VILLAGE_A1, valid_until=dt.date(2030, 1, 1))
    assert doc.number.startswith("400.12.2.1/001/3510012001/")
    assert (doc.year, doc.sequence, doc.kind) == (doc.issued_at.year, 1, "surat_keluar")
    assert len(doc.verification_code) == 10 and set(doc.verification_code) <= set(CODE_ALPHABET)
    assert not set(doc.verification_code) & set("01OIL")
    assert doc.subject_nik == "3510014506900002"  # stored in full
    assert doc.file.name == "" and doc.sha256 == ""
    entry = AuditEntry.objects.get(act="document.issue", object_id=str(doc.pk))
    assert entry.region_code == VILLAGE_A1
    assert entry.after["nik"] == "3510********0002"  # the audit keeps no full NIK


def test_signer_from_a_signature_block() -> None:
    from kampung.authority.services import SignatureBlock

    block = SignatureBlock(
        ["a.n. Kepala Desa Sarongan", "Sekretaris Desa Sarongan"], "Rina", "", "berdasarkan Perkades 3/2025"
    )
    signer = Signer.from_block(block)
    doc = issue(VILLAGE_A1, signer=signer)
    assert doc.signer_title == "a.n. Kepala Desa Sarongan / Sekretaris Desa Sarongan"
    assert doc.legal_basis == "berdasarkan Perkades 3/2025"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "surat_masuk"}, "tidak dikenal"),
        ({"title": " "}, "judul"),
        ({"subject_nik": "12345"}, "16 angka"),
        ({"classification": "abc"}, "tidak sah"),
        ({"signer": Signer(name="", title="Kepala Desa")}, "penanda tangan"),
    ],
)
def test_bad_input_issues_nothing(overrides: dict, message: str) -> None:
    with pytest.raises(KampungError, match=message):
        issue(VILLAGE_A1, **overrides)
    assert Document.objects.count() == 0


def test_source_object_is_linked(world) -> None:
    source = world.user(Role.OPERATOR, VILLAGE_A1)  # any model instance stands in for a letter request
    doc = issue(VILLAGE_A1, source=source)
    assert Document.objects.get(pk=doc.pk).source == source


def test_attach_pdf_stores_it_privately_with_its_hash(media: Path) -> None:
    doc = issue(VILLAGE_A1)
    document_attach_pdf(document=doc, pdf_bytes=PDF)
    doc.refresh_from_db()
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest()
    assert doc.file.name.startswith(f"private/documents/{VILLAGE_A1}/")
    stored = media / doc.file.name
    assert stored.read_bytes() == PDF
    # The same bytes again are fine; other bytes are refused: an issued PDF never changes.
    document_attach_pdf(document=doc, pdf_bytes=PDF)
    with pytest.raises(KampungError, match="tidak dapat diganti"):
        document_attach_pdf(document=doc, pdf_bytes=PDF + b"x")
    with pytest.raises(KampungError, match="bukan PDF"):
        document_attach_pdf(document=issue(VILLAGE_A1), pdf_bytes=b"<html>")


@pytest.mark.parametrize(
    ("role", "region", "allowed"),
    [
        (Role.HEAD, VILLAGE_A1, True),
        (Role.SECRETARY, VILLAGE_A1, True),
        (Role.ADMIN, REGENCY, True),
        (Role.OPERATOR, VILLAGE_A1, False),
        (Role.TREASURER, VILLAGE_A1, False),
        (Role.RESIDENT, VILLAGE_A1, False),
        (Role.HEAD, VILLAGE_A2, False),
        (Role.SECRETARY, VILLAGE_B1, False),
        (Role.CAMAT, DISTRICT_A, False),
        (Role.DPMD, REGENCY, False),
    ],
)
def test_who_may_revoke(world, role: str, region: str, allowed: bool) -> None:
    doc = issue(VILLAGE_A1)
    actor = world.user(role, region)
    if allowed:
        document_revoke(actor=actor, document=doc, reason="Data alamat salah ketik")
        doc.refresh_from_db()
        assert doc.status == DocumentStatus.REVOKED and doc.revoked_by == actor
        assert doc.effective_status() == "dicabut"
        entry = AuditEntry.objects.get(act="document.revoke", object_id=str(doc.pk))
        assert entry.actor == actor and entry.after["reason"] == "Data alamat salah ketik"
    else:
        with pytest.raises(NotPermitted):
            document_revoke(actor=actor, document=doc, reason="Data alamat salah ketik")
        doc.refresh_from_db()
        assert doc.status == DocumentStatus.VALID
        assert not AuditEntry.objects.filter(act="document.revoke").exists()


def test_admin_of_another_regency_may_not_revoke(world) -> None:
    other_admin, _ = make_other_regency()
    doc = issue(VILLAGE_A1)
    with pytest.raises(NotPermitted):
        document_revoke(actor=other_admin, document=doc, reason="bukan wilayahnya")


def test_revoke_needs_a_reason_and_happens_once(world) -> None:
    head = world.user(Role.HEAD, VILLAGE_A1)
    doc = issue(VILLAGE_A1)
    with pytest.raises(KampungError, match="alasan"):
        document_revoke(actor=head, document=doc, reason="  ")
    document_revoke(actor=head, document=doc, reason="Diganti surat baru")
    with pytest.raises(KampungError, match="sudah dicabut"):
        document_revoke(actor=head, document=doc, reason="Diganti surat baru")


def test_expiry_status() -> None:
    doc = issue(VILLAGE_A1, valid_until=dt.date(2025, 6, 30))
    assert doc.effective_status(dt.date(2025, 6, 30)) == "berlaku"
    assert doc.effective_status(dt.date(2025, 7, 1)) == "kedaluwarsa"


def test_typed_codes_are_normalised() -> None:
    assert code_normalise(" abcde-fghjk ") == "ABCDEFGHJK"


def test_pdf_is_rendered_only_after_the_signing_transaction_commits(
    media: Path, django_capture_on_commit_callbacks
) -> None:
    from django.db import transaction

    from kampung.documents.services import document_pdf_after_commit

    seen: list[str] = []

    def render(document: Document) -> bytes:
        seen.append(document.number)
        return PDF

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            doc = issue(VILLAGE_A1)
            document_pdf_after_commit(document=doc, render=render)
            assert seen == []  # nothing rendered while the number's counter is locked
    assert len(callbacks) == 1 and seen == [doc.number]
    doc.refresh_from_db()
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest()


def test_a_failed_rendering_after_signing_is_logged_not_raised(
    media: Path, django_capture_on_commit_callbacks, caplog
) -> None:
    from django.db import transaction

    from kampung.documents.services import document_pdf_after_commit

    def render(document: Document) -> bytes:
        raise RuntimeError("font hilang")

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            doc = issue(VILLAGE_A1)
            document_pdf_after_commit(document=doc, render=render)
    doc.refresh_from_db()
    assert doc.number and not doc.sha256  # the number stands; the PDF can be made later
    assert "gagal dibuat" in caplog.text
