"""Writes of the documents app: issuing (number + row), attaching the PDF, revoking, the
number series, and the incoming-letter register.

The letters app (and anything else that issues) calls :func:`document_issue` inside its own
signing transaction, then :func:`document_attach_pdf` from ``transaction.on_commit`` — the
PDF is never rendered while the number's counter row is locked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.core.uploads import image_decodes, read_limited
from kampung.documents.models import (
    DOCUMENT_KINDS,
    Document,
    DocumentStatus,
    IncomingLetter,
    NumberSeries,
    SeriesKind,
)
from kampung.documents.numbering import (
    classification_validate,
    number_allocate,
    pattern_validate,
    sequence_next,
    series_get,
)
from kampung.population.checks import mask_nik
from kampung.regions.models import Region

# No 0/O, 1/I/L: a code read aloud or typed on a keypad cannot be mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10

REVOKERS = (Role.HEAD, Role.SECRETARY, Role.ADMIN)
SERIES_EDITORS = (Role.HEAD, Role.SECRETARY, Role.ADMIN)
INCOMING_WRITERS = (Role.OPERATOR, Role.SECRETARY, Role.HEAD)
MAX_SCAN_BYTES = 5 * 1024 * 1024
MAX_PDF_BYTES = 20 * 1024 * 1024
_SCAN_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)

logger = logging.getLogger(__name__)


def code_generate() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_normalise(text: str) -> str:
    """What someone typed (``abcde-fghjk``, with spaces) as a stored code."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:40]


@dataclass(frozen=True)
class Signer:
    """Who signs and on what basis, as printed under the document."""

    name: str
    title: str
    legal_basis: str = ""

    @classmethod
    def from_block(cls, block: Any) -> Signer:
        """From ``kampung.authority.services.signature_block(...)``: its office lines become
        the title ("a.n. Kepala Desa Sarongan / Sekretaris Desa Sarongan"), its basis note
        ("berdasarkan Perbup ...") the legal basis."""
        return cls(name=block.name, title=" / ".join(block.lines), legal_basis=block.basis_note)


def _region_of(village: Region | str) -> Region:
    if isinstance(village, Region):
        return village
    region = Region.objects.filter(code=village).first()
    if region is None or not region.is_village:
        raise KampungError("Desa tidak ditemukan.")
    return region


@transaction.atomic
def document_issue(
    *,
    actor: Any,
    village: Region,
    kind: str,
    title: str,
    signer: Signer,
    classification: str = "",
    subject_name: str = "",
    subject_nik: str = "",
    valid_until: dt.date | None = None,
    source: Model | None = None,
    at: dt.datetime | None = None,
) -> Document:
    """Number and record a document, in the caller's transaction (no PDF yet).

    The number comes from the village's series for ``kind`` (reset each year), is unique by
    database constraint, and is given back if the caller's transaction rolls back. Whether
    ``actor`` may sign is the caller's question (``authority.may_act``); this records it.
    """
    if kind not in DOCUMENT_KINDS:
        raise KampungError(f"Jenis dokumen '{kind}' tidak dikenal.")
    if not village.is_village:
        raise KampungError("Dokumen hanya diterbitkan oleh desa atau kelurahan.")
    title = (title or "").strip()
    if not title:
        raise KampungError("Jenis/judul dokumen wajib diisi.")
    if not signer.name.strip() or not signer.title.strip():
        raise KampungError("Nama dan jabatan penanda tangan wajib diisi.")
    nik = (subject_nik or "").strip()
    if nik and (len(nik) != 16 or not nik.isdigit()):
        raise KampungError("NIK yang bersangkutan harus 16 angka.")
    at = at or timezone.now()
    allocation = number_allocate(village=village, kind=kind, classification=classification, at=at)
    document = Document(
        village=village,
        kind=kind,
        series=allocation.series,
        year=allocation.year,
        sequence=allocation.sequence,
        number=allocation.number,
        classification=classification.strip(),
        title=title[:200],
        subject_name=(subject_name or "").strip()[:150],
        subject_nik=nik,
        issued_at=at,
        signer_name=signer.name.strip()[:150],
        signer_title=signer.title.strip()[:300],
        legal_basis=signer.legal_basis.strip(),
        valid_until=valid_until,
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    if source is not None:
        document.source_type = ContentType.objects.get_for_model(source)
        document.source_id = str(source.pk)
    _save_new_document(document)
    audit_record(
        actor=actor,
        act="document.issue",
        region=village,
        object_type="documents.document",
        object_id=document.pk,
        after={
            "number": document.number,
            "kind": kind,
            "title": document.title,
            "subject": document.subject_name,
            "nik": mask_nik(nik) if nik else "",
            "signer": document.signer_name,
        },
    )
    return document


def _save_new_document(document: Document) -> None:
    for _ in range(5):
        document.verification_code = code_generate()
        if Document.objects.filter(verification_code=document.verification_code).exists():
            continue
        try:
            with transaction.atomic():
                document.save(force_insert=True)
        except IntegrityError as exc:
            if Document.objects.filter(village=document.village, number=document.number).exists():
                raise KampungError(
                    f"Nomor {document.number} sudah dipakai dokumen lain di desa ini. "
                    "Periksa pola penomoran: jenis dokumen yang berbeda perlu pola yang berbeda."
                ) from exc
            continue
        return
    raise KampungError("Kode verifikasi tidak dapat dibuat; coba lagi.")


@transaction.atomic
def document_attach_pdf(*, document: Document, pdf_bytes: bytes) -> Document:
    """Store the issued PDF (privately) and its SHA-256. Called after the issuing
    transaction committed. The same bytes again are accepted; different bytes are refused:
    an issued document does not change."""
    if not pdf_bytes.startswith(b"%PDF-"):
        raise KampungError("Berkas bukan PDF.")
    if len(pdf_bytes) > MAX_PDF_BYTES:
        raise KampungError("Berkas PDF terlalu besar.")
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if locked.sha256:
        if locked.sha256 == digest:
            return locked
        raise KampungError("Dokumen ini sudah punya PDF; PDF dokumen terbit tidak dapat diganti.")
    locked.file.save(f"{locked.pk}.pdf", ContentFile(pdf_bytes), save=False)
    _flush_to_disk(locked.file)  # on disk before the row that names it commits
    locked.sha256 = digest
    locked.save(update_fields=["file", "sha256", "updated_at"])
    audit_record(
        actor=None,
        act="document.attach_pdf",
        region=locked.village_id,
        object_type="documents.document",
        object_id=locked.pk,
        after={"sha256": digest, "bytes": len(pdf_bytes)},
    )
    document.file = locked.file
    document.sha256 = digest
    return locked


def _flush_to_disk(file: Any) -> None:
    """fsync the file and its folder: a power cut after the commit cannot leave a document
    that names a file whose bytes never reached the disk (a crash before the commit leaves
    an unnamed file, which :func:`document_orphans_remove` clears)."""
    try:
        path = file.path
    except NotImplementedError:  # a storage without local files keeps its own guarantees
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    folder = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def document_orphans_remove(*, older_than: dt.timedelta = dt.timedelta(hours=1)) -> list[str]:
    """Delete PDF files under ``MEDIA_ROOT/private/documents`` that no document names.

    They are left by a process killed between writing a PDF and committing the row that
    names it (:func:`document_attach_pdf`); the retry writes a new file. Only files older
    than ``older_than`` go, so an attachment still in its transaction keeps its file.
    Returns the removed names (relative to ``MEDIA_ROOT``)."""
    root = Path(settings.MEDIA_ROOT)
    folder = root / "private" / "documents"
    if not folder.is_dir():
        return []
    named = set(Document.objects.exclude(file="").values_list("file", flat=True))
    cutoff = time.time() - older_than.total_seconds()
    removed = []
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_file() and name not in named and path.stat().st_mtime <= cutoff:
            path.unlink()
            removed.append(name)
    if removed:
        logger.warning("Removed %s PDF file(s) no document names: %s", len(removed), ", ".join(removed))
    return removed


def document_pdf_after_commit(*, document: Document, render: Callable[[Document], bytes]) -> None:
    """Render and attach the PDF once the current (signing) transaction has committed.

    ``render`` gets a fresh copy of the document (with its number) and returns PDF bytes.
    If rendering fails the document keeps its number and has no PDF yet; call
    :func:`document_attach_pdf` again later (the register shows "PDF belum dibuat").
    """
    pk = document.pk

    def _run() -> None:
        # The signing has committed: a rendering failure must not turn the signer's page into
        # an error. It is logged, and the PDF view renders again when the file is missing.
        try:
            fresh = Document.objects.select_related("village").get(pk=pk)
            document_attach_pdf(document=fresh, pdf_bytes=render(fresh))
        except Exception:
            logger.exception("PDF dokumen %s gagal dibuat setelah penandatanganan", pk)

    transaction.on_commit(_run)


def may_revoke(actor: Any, document: Document) -> bool:
    return scope_for(actor).covers(document.village_id, *REVOKERS)


@transaction.atomic
def document_revoke(*, actor: Any, document: Document, reason: str) -> Document:
    """Revoke an issued document with a reason (shown on the public verification page).
    Only the village head or secretary of its village, or the regency admin."""
    if not may_revoke(actor, document):
        raise NotPermitted(
            "Hanya kepala desa, sekretaris desa, atau admin kabupaten yang dapat mencabut dokumen."
        )
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise KampungError("Tulis alasan pencabutan (paling sedikit 5 huruf).")
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if locked.status == DocumentStatus.REVOKED:
        raise KampungError("Dokumen ini sudah dicabut.")
    locked.status = DocumentStatus.REVOKED
    locked.revoked_at = timezone.now()
    locked.revoked_reason = reason[:1000]
    locked.revoked_by = actor
    locked.save(update_fields=["status", "revoked_at", "revoked_reason", "revoked_by", "updated_at"])
    audit_record(
        actor=actor,
        act="document.revoke",
        region=locked.village_id,
        object_type="documents.document",
        object_id=locked.pk,
        before={"status": DocumentStatus.VALID},
        after={"status": DocumentStatus.REVOKED, "reason": locked.revoked_reason, "number": locked.number},
    )
    return locked


@transaction.atomic
def series_configure(
    *, actor: Any, village: Region, kind: str, pattern: str, village_code: str = ""
) -> NumberSeries:
    """Set a village series' pattern and the village code printed in its numbers. A change
    applies to numbers given from now on; numbers already given stay as they are."""
    if not scope_for(actor).covers(village.code, *SERIES_EDITORS):
        raise NotPermitted(
            "Hanya kepala desa, sekretaris desa, atau admin kabupaten yang dapat mengatur penomoran."
        )
    pattern = pattern_validate(pattern)
    village_code = (village_code or "").strip()
    if len(village_code) > 30 or any(ch in village_code for ch in "[]/"):
        raise KampungError("Kode desa pada nomor paling banyak 30 huruf, tanpa '/', '[' atau ']'.")
    series = series_get(village=village, kind=kind)
    before = {"pattern": series.pattern, "village_code": series.village_code}
    series.pattern = pattern
    series.village_code = village_code
    series.save(update_fields=["pattern", "village_code", "updated_at"])
    audit_record(
        actor=actor,
        act="document.series_configure",
        region=village,
        object_type="documents.numberseries",
        object_id=series.pk,
        before=before,
        after={"pattern": pattern, "village_code": village_code},
    )
    return series


# --- Incoming letters (buku agenda surat masuk) -------------------------------------------


def scan_check(upload: UploadedFile) -> str:
    """The content type of an acceptable scan (PDF, JPEG or PNG up to 5 MB), by its bytes."""
    size = upload.size or 0
    if size > MAX_SCAN_BYTES:
        raise KampungError("Berkas pindaian terlalu besar; paling besar 5 MB.")
    if size == 0:
        raise KampungError("Berkas pindaian kosong.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in _SCAN_SIGNATURES:
        if head.startswith(signature):
            # An image must also decode: JPEG/PNG magic bytes in front of a page are refused.
            if content_type != "application/pdf" and not image_decodes(
                read_limited(upload, max_bytes=MAX_SCAN_BYTES, what="Berkas pindaian")
            ):
                raise KampungError("Berkas pindaian rusak atau bukan gambar yang dapat dibaca.")
            return content_type
    raise KampungError("Berkas pindaian harus PDF, JPEG, atau PNG.")


@dataclass(frozen=True)
class IncomingData:
    received_on: dt.date
    sender: str
    letter_number: str
    letter_date: dt.date
    subject: str
    classification: str = ""
    disposition: str = ""


def _incoming_check(actor: Any, village: Region, data: IncomingData) -> None:
    if not scope_for(actor).covers(village.code, *INCOMING_WRITERS):
        raise NotPermitted(
            "Hanya operator, sekretaris desa, atau kepala desa yang dapat mencatat surat masuk."
        )
    if not data.sender.strip() or not data.letter_number.strip() or not data.subject.strip():
        raise KampungError("Pengirim, nomor surat, dan perihal wajib diisi.")
    if data.letter_date > data.received_on:
        raise KampungError("Tanggal surat tidak boleh sesudah tanggal diterima.")
    if data.received_on > timezone.localdate():
        raise KampungError("Tanggal diterima tidak boleh di masa depan.")
    classification_validate(data.classification)


def _apply(letter: IncomingLetter, data: IncomingData) -> None:
    letter.received_on = data.received_on
    letter.sender = data.sender.strip()[:200]
    letter.letter_number = data.letter_number.strip()[:120]
    letter.letter_date = data.letter_date
    letter.subject = data.subject.strip()[:300]
    letter.classification = data.classification.strip()
    letter.disposition = data.disposition.strip()


def _attach_scan(letter: IncomingLetter, scan: UploadedFile) -> None:
    letter.scan_type = scan_check(scan)
    letter.scan_name = (scan.name or "pindaian")[-200:]
    old = letter.scan.name if letter.scan else ""
    letter.scan.save("scan", scan, save=False)
    if old:
        storage = letter.scan.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def incoming_create(
    *, actor: Any, village: Region, data: IncomingData, scan: UploadedFile | None = None
) -> IncomingLetter:
    """Record a received letter with the next agenda number of the year it was received."""
    _incoming_check(actor, village, data)
    if scan is not None:
        scan_check(scan)
    series = series_get(village=village, kind=SeriesKind.INCOMING)
    year = data.received_on.year
    letter = IncomingLetter(
        village=village,
        agenda_year=year,
        agenda_number=sequence_next(series=series, year=year),
        created_by=actor,
    )
    _apply(letter, data)
    if scan is not None:
        _attach_scan(letter, scan)
    letter.save(force_insert=True)
    audit_record(
        actor=actor,
        act="incoming.create",
        region=village,
        object_type="documents.incomingletter",
        object_id=letter.pk,
        after=letter.as_audit(),
    )
    return letter


@transaction.atomic
def incoming_update(
    *, actor: Any, letter: IncomingLetter, data: IncomingData, scan: UploadedFile | None = None
) -> IncomingLetter:
    """Correct a register line; the agenda number stays (a received letter keeps its place)."""
    _incoming_check(actor, letter.village, data)
    if data.received_on.year != letter.agenda_year:
        raise KampungError(
            f"Tanggal diterima harus tetap di tahun agenda {letter.agenda_year}; "
            "surat dari tahun lain dicatat sebagai surat baru."
        )
    if scan is not None:
        scan_check(scan)
    before = letter.as_audit()
    _apply(letter, data)
    if scan is not None:
        _attach_scan(letter, scan)
    letter.save()
    audit_record(
        actor=actor,
        act="incoming.update",
        region=letter.village_id,
        object_type="documents.incomingletter",
        object_id=letter.pk,
        before=before,
        after=letter.as_audit(),
    )
    return letter


@transaction.atomic
def incoming_delete(*, actor: Any, letter: IncomingLetter) -> None:
    """Remove a line entered by mistake (its agenda number is not reused)."""
    if not scope_for(actor).covers(letter.village_id, *INCOMING_WRITERS):
        raise NotPermitted(
            "Hanya operator, sekretaris desa, atau kepala desa yang dapat menghapus surat masuk."
        )
    before = letter.as_audit()
    pk = letter.pk
    village = letter.village_id
    scan = letter.scan.name if letter.scan else ""
    letter.delete()
    audit_record(
        actor=actor,
        act="incoming.delete",
        region=village,
        object_type="documents.incomingletter",
        object_id=pk,
        before=before,
    )
    if scan:
        storage = letter.scan.storage
        transaction.on_commit(lambda: storage.delete(scan))
