"""The public verification pages and the two registers over HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.documents import keys
from kampung.documents.models import IncomingLetter
from kampung.documents.services import MAX_SCAN_BYTES, document_attach_pdf, document_revoke
from kampung.documents.tests.conftest import issue
from kampung.documents.tokens import token_for, verification_path

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _image(kind: str) -> bytes:
    """A real image: uploads must decode, not only start with the right bytes."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


PNG = _image("PNG")
JPEG = _image("JPEG")


def _login(world: Any, role: str, code: str) -> Client:
    client = Client()
    client.force_login(world.user(role, code))
    return client


def _text(response: Any) -> str:
    return response.content.decode()


# --- public verification -------------------------------------------------------------------


def test_valid_token_shows_the_document_with_nik_masked(client: Client, keys_dir: Path, media: Path) -> None:
    doc = issue(VILLAGE_A1)
    document_attach_pdf(document=doc, pdf_bytes=PDF)
    doc.refresh_from_db()
    response = client.get(verification_path(token_for(doc)))
    page = _text(response)
    assert response.status_code == 200
    assert "Dokumen asli dan berlaku" in page
    assert "Tanda tangan elektronik pada kode QR sah" in page
    for fact in (
        "Surat Keterangan Domisili",
        doc.number,
        "Siti Aminah",
        "3510********0002",
        "Budi Santoso",
        "Kepala Desa Sarongan",
        "Sarongan",
        doc.sha256,
    ):
        assert fact in page
    assert "3510014506900002" not in page
    assert response["Cache-Control"] == "no-store"


def test_typed_code_finds_the_same_document(client: Client) -> None:
    doc = issue(VILLAGE_A1)
    typed = f"{doc.verification_code[:5].lower()}-{doc.verification_code[5:]}"
    response = client.get(reverse("documents:verify_code"), {"kode": typed})
    assert response.status_code == 200
    assert doc.number in _text(response) and "Ditemukan dari kode verifikasi" in _text(response)
    assert "3510014506900002" not in _text(response)


def test_unknown_code_says_only_not_found(client: Client) -> None:
    issue(VILLAGE_A1)
    response = client.get(reverse("documents:verify_code"), {"kode": "ZZZZZ-ZZZZZ"})
    page = _text(response)
    assert response.status_code == 404
    assert "Dokumen tidak ditemukan" in page
    assert "Sarongan" not in page and "Siti" not in page
    assert "diubah" not in page


def test_empty_form_is_just_the_form(client: Client) -> None:
    response = client.get(reverse("documents:verify_code"))
    assert response.status_code == 200
    assert "tidak ditemukan" not in _text(response)


def test_revoked_document_shows_status_and_reason(client: Client, keys_dir: Path, world: Any) -> None:
    doc = issue(VILLAGE_A1)
    token = token_for(doc)
    document_revoke(actor=world.user(Role.HEAD, VILLAGE_A1), document=doc, reason="Salah tulis alamat")
    page = _text(client.get(verification_path(token)))
    assert "sudah dicabut" in page and "Salah tulis alamat" in page


def test_expired_document_says_so(client: Client, keys_dir: Path) -> None:
    doc = issue(VILLAGE_A1, valid_until=dt.date(2020, 1, 31))
    page = _text(client.get(verification_path(token_for(doc))))
    assert "sudah tidak berlaku" in page and "Kedaluwarsa" in page and "31 Januari 2020" in page


def test_tampered_token_is_not_not_found(client: Client, keys_dir: Path) -> None:
    token = token_for(issue(VILLAGE_A1))
    body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["h"] = "Orang Lain"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode() + "." + sig
    response = client.get(verification_path(forged))
    page = _text(response)
    assert response.status_code == 400
    assert "telah diubah atau rusak" in page and "Orang Lain" not in page
    assert "Dokumen tidak ditemukan" not in page
    assert client.get("/dokumen/cek/bukan-token").status_code == 400


def test_unknown_key_is_said_clearly(client: Client, keys_dir: Path, settings: Any, tmp_path: Path) -> None:
    doc = issue(VILLAGE_A1)
    settings.KEYS_DIR = tmp_path / "lain"
    keys.key_generate(regency=REGENCY)
    foreign = token_for(doc)
    settings.KEYS_DIR = keys_dir
    response = client.get(verification_path(foreign))
    assert response.status_code == 400
    assert "Kunci penanda tangan tidak dikenal" in _text(response)


def test_signed_token_for_a_document_missing_from_the_register(client: Client, keys_dir: Path) -> None:
    doc = issue(VILLAGE_A1)
    token = token_for(doc)
    doc.delete()
    page = _text(client.get(verification_path(token)))
    assert "tidak ditemukan di daftar desa" in page and doc.number in page


def test_public_keys_page_lists_current_and_retired(client: Client, keys_dir: Path) -> None:
    old = keys.key_list(regency=REGENCY)[0]
    new = keys.key_generate(regency=REGENCY)
    page = _text(client.get(reverse("documents:public_keys")))
    assert old.kid in page and new.kid in page
    assert "BEGIN PUBLIC KEY" in page and "PRIVATE" not in page
    assert "Dipakai sekarang" in page and "Tidak dipakai lagi" in page


def test_public_pages_have_no_inline_styles_or_scripts(client: Client, keys_dir: Path) -> None:
    doc = issue(VILLAGE_A1)
    for url in (
        verification_path(token_for(doc)),
        reverse("documents:public_keys"),
        reverse("documents:verify_code"),
    ):
        page = _text(client.get(url))
        assert "style=" not in page and "<script" not in page


# --- outgoing register ---------------------------------------------------------------------


def test_outgoing_register_lists_filters_and_searches(world: Any) -> None:
    issue(VILLAGE_A1, subject_name="Ahmad Fauzi", at=dt.datetime(2025, 3, 10, 9, tzinfo=dt.UTC))
    issue(VILLAGE_A1, subject_name="Dewi Lestari", at=dt.datetime(2025, 4, 2, 9, tzinfo=dt.UTC))
    issue(
        VILLAGE_A1,
        kind="keputusan",
        title="Keputusan Kepala Desa",
        subject_name="",
        at=dt.datetime(2025, 4, 5, 9, tzinfo=dt.UTC),
    )
    issue(VILLAGE_A2, subject_name="Warga Desa Lain")
    client = _login(world, Role.OPERATOR, VILLAGE_A1)
    url = reverse("documents:outgoing_list", kwargs={"code": VILLAGE_A1})
    page = _text(client.get(url))
    assert "Ahmad Fauzi" in page and "Dewi Lestari" in page and "Warga Desa Lain" not in page
    page = _text(client.get(url, {"bulan": "2025-04"}))
    assert "Ahmad Fauzi" not in page and "Dewi Lestari" in page and "Keputusan Kepala Desa" in page
    page = _text(client.get(url, {"jenis": "keputusan"}))
    assert "Dewi Lestari" not in page and "Keputusan Kepala Desa" in page
    page = _text(client.get(url, {"q": "fauzi"}))
    assert "Ahmad Fauzi" in page and "Dewi Lestari" not in page
    assert "Tidak ada surat keluar yang cocok" in _text(client.get(url, {"q": "tidak-ada"}))


def test_outgoing_register_empty_and_paginated(world: Any) -> None:
    client = _login(world, Role.SECRETARY, VILLAGE_A1)
    url = reverse("documents:outgoing_list", kwargs={"code": VILLAGE_A1})
    assert "Belum ada surat keluar" in _text(client.get(url))
    for _ in range(51):
        issue(VILLAGE_A1)
    assert "Halaman 1 dari 2" in _text(client.get(url))


@pytest.mark.parametrize(
    ("role", "region"),
    [
        (Role.OPERATOR, VILLAGE_A2),
        (Role.HEAD, VILLAGE_B1),
        (Role.RESIDENT, VILLAGE_A1),
        (Role.TREASURER, VILLAGE_A1),
    ],
)
def test_outgoing_register_out_of_scope_is_not_found(world: Any, role: str, region: str) -> None:
    doc = issue(VILLAGE_A1)
    client = _login(world, role, region)
    assert client.get(reverse("documents:outgoing_list", kwargs={"code": VILLAGE_A1})).status_code == 404
    assert (
        client.get(
            reverse("documents:outgoing_detail", kwargs={"code": VILLAGE_A1, "pk": doc.pk})
        ).status_code
        == 404
    )
    # Another village's document under one's own village code is not found either.
    assert (
        client.get(reverse("documents:outgoing_detail", kwargs={"code": region, "pk": doc.pk})).status_code
        == 404
    )


def test_outgoing_excel_export(world: Any) -> None:
    doc = issue(VILLAGE_A1)
    client = _login(world, Role.HEAD, VILLAGE_A1)
    response = client.get(reverse("documents:outgoing_list", kwargs={"code": VILLAGE_A1}), {"format": "xlsx"})
    assert response.status_code == 200
    assert "attachment;" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0].startswith("Buku Agenda Surat Keluar")
    assert rows[3][2] == "Nomor surat"
    assert rows[4][2] == doc.number and rows[4][5] == "Siti Aminah" and rows[4][6] == "3510********0002"
    assert AuditEntry.objects.filter(act="view", object_type="documents.register_out").exists()


def test_revoke_over_http(world: Any) -> None:
    doc = issue(VILLAGE_A1)
    url = reverse("documents:outgoing_detail", kwargs={"code": VILLAGE_A1, "pk": doc.pk})
    operator = _login(world, Role.OPERATOR, VILLAGE_A1)
    assert "Cabut dokumen" not in _text(operator.get(url))
    assert operator.post(url, {"reason": "Tidak boleh"}).status_code == 404
    head = _login(world, Role.HEAD, VILLAGE_A1)
    assert "Cabut dokumen" in _text(head.get(url))
    response = head.post(url, {"reason": "ab"})
    assert response.status_code == 200 and "paling sedikit 5 huruf" in _text(response)
    response = head.post(url, {"reason": "Salah nama"}, follow=True)
    assert "Dokumen dicabut" in _text(response)
    doc.refresh_from_db()
    assert doc.status == "dicabut"


def test_pdf_download_is_scoped_and_audited(world: Any, media: Path) -> None:
    doc = issue(VILLAGE_A1)
    url = reverse("documents:outgoing_pdf", kwargs={"code": VILLAGE_A1, "pk": doc.pk})
    client = _login(world, Role.OPERATOR, VILLAGE_A1)
    assert client.get(url).status_code == 404  # no PDF yet
    document_attach_pdf(document=doc, pdf_bytes=PDF)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert AuditEntry.objects.filter(
        act="view", object_type="documents.document", object_id=str(doc.pk)
    ).exists()
    assert _login(world, Role.OPERATOR, VILLAGE_A2).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # login first


# --- incoming register ---------------------------------------------------------------------


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "received_on": "2025-04-10",
        "sender": "Camat Pesanggaran",
        "letter_number": "005/123/429.501/2025",
        "letter_date": "2025-04-08",
        "subject": "Undangan rapat koordinasi",
        "classification": "000.1",
        "disposition": "Sekdes hadir",
    }
    data.update(overrides)
    return data


def test_incoming_crud_and_agenda_numbers(world: Any, media: Path) -> None:
    client = _login(world, Role.OPERATOR, VILLAGE_A1)
    add = reverse("documents:incoming_add", kwargs={"code": VILLAGE_A1})
    scan = SimpleUploadedFile("undangan.pdf", PDF, content_type="application/pdf")
    response = client.post(add, {**_form(), "scan": scan}, follow=True)
    assert "nomor agenda 1/2025" in _text(response)
    client.post(add, _form(subject="Permintaan data"))
    first, second = IncomingLetter.objects.order_by("agenda_number")
    assert (first.agenda_number, second.agenda_number) == (1, 2)
    assert (
        first.scan.name.startswith(f"private/incoming/{VILLAGE_A1}/2025/")
        and first.scan_type == "application/pdf"
    )
    page = _text(client.get(reverse("documents:incoming_list", kwargs={"code": VILLAGE_A1})))
    assert "Undangan rapat koordinasi" in page and "Permintaan data" in page
    edit = reverse("documents:incoming_edit", kwargs={"code": VILLAGE_A1, "pk": second.pk})
    client.post(edit, _form(subject="Permintaan data penduduk", disposition="Operator siapkan"))
    second.refresh_from_db()
    assert second.subject == "Permintaan data penduduk" and second.agenda_number == 2
    response = client.post(edit, _form(received_on="2026-01-02", letter_date="2025-12-30"))
    assert "tahun agenda 2025" in _text(response)
    delete = reverse("documents:incoming_delete", kwargs={"code": VILLAGE_A1, "pk": second.pk})
    assert "akan dihapus" in _text(client.get(delete))
    client.post(delete)
    assert not IncomingLetter.objects.filter(pk=second.pk).exists()
    client.post(add, _form(subject="Surat ketiga"))
    assert IncomingLetter.objects.get(subject="Surat ketiga").agenda_number == 3  # not reused
    acts = set(
        AuditEntry.objects.filter(object_type="documents.incomingletter").values_list("act", flat=True)
    )
    assert acts == {"incoming.create", "incoming.update", "incoming.delete"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sender": ""}, "tidak boleh kosong"),
        ({"letter_date": "2025-04-11"}, "tidak boleh sesudah tanggal diterima"),
        ({"received_on": "2099-01-01", "letter_date": "2025-01-01"}, "masa depan"),
        ({"classification": "undangan"}, "tidak sah"),
        ({"received_on": "bukan tanggal"}, "Masukkan tanggal"),
    ],
)
def test_incoming_bad_input_changes_nothing(world: Any, overrides: dict[str, Any], message: str) -> None:
    client = _login(world, Role.SECRETARY, VILLAGE_A1)
    response = client.post(reverse("documents:incoming_add", kwargs={"code": VILLAGE_A1}), _form(**overrides))
    assert response.status_code == 200 and message in _text(response)
    assert IncomingLetter.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00" + b"\x00" * 50, "harus PDF, JPEG, atau PNG"),
        ("palsu.pdf", b"<html>bukan pdf</html>", "harus PDF, JPEG, atau PNG"),
        ("besar.pdf", b"%PDF-" + b"0" * MAX_SCAN_BYTES, "terlalu besar"),
    ],
)
def test_scan_type_and_size_are_checked(
    world: Any, media: Path, name: str, content: bytes, message: str
) -> None:
    client = _login(world, Role.HEAD, VILLAGE_A1)
    response = client.post(
        reverse("documents:incoming_add", kwargs={"code": VILLAGE_A1}),
        {**_form(), "scan": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200 and message in _text(response)
    assert IncomingLetter.objects.count() == 0
    assert not (media / "private" / "incoming").exists()


@pytest.mark.parametrize(
    ("content", "content_type"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (PDF, "application/pdf")]
)
def test_scan_download_is_scoped(world: Any, media: Path, content: bytes, content_type: str) -> None:
    client = _login(world, Role.OPERATOR, VILLAGE_A1)
    client.post(
        reverse("documents:incoming_add", kwargs={"code": VILLAGE_A1}),
        {**_form(), "scan": SimpleUploadedFile("pindai", content)},
    )
    letter = IncomingLetter.objects.get()
    url = reverse("documents:incoming_scan", kwargs={"code": VILLAGE_A1, "pk": letter.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type and "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == content
    assert _login(world, Role.OPERATOR, VILLAGE_A2).get(url).status_code == 404
    assert _login(world, Role.TREASURER, VILLAGE_A1).get(url).status_code == 404
    other = reverse("documents:incoming_scan", kwargs={"code": VILLAGE_A2, "pk": letter.pk})
    assert _login(world, Role.OPERATOR, VILLAGE_A2).get(other).status_code == 404
    assert Client().get(url).status_code == 302
    assert Client().get(f"/media/{letter.scan.name}").status_code == 404


def test_incoming_write_roles(world: Any) -> None:
    client = _login(world, Role.OPERATOR, VILLAGE_A1)
    client.post(reverse("documents:incoming_add", kwargs={"code": VILLAGE_A1}), _form())
    letter = IncomingLetter.objects.get()
    admin = _login(world, Role.ADMIN, REGENCY)
    assert admin.get(reverse("documents:incoming_list", kwargs={"code": VILLAGE_A1})).status_code == 200
    assert "Catat surat masuk" not in _text(
        admin.get(reverse("documents:incoming_list", kwargs={"code": VILLAGE_A1}))
    )
    for role, region in ((Role.ADMIN, REGENCY), (Role.TREASURER, VILLAGE_A1), (Role.OPERATOR, VILLAGE_A2)):
        c = _login(world, role, region)
        assert c.get(reverse("documents:incoming_add", kwargs={"code": VILLAGE_A1})).status_code == 404
        assert (
            c.post(
                reverse("documents:incoming_edit", kwargs={"code": VILLAGE_A1, "pk": letter.pk}),
                _form(subject="x"),
            ).status_code
            == 404
        )
        assert (
            c.post(
                reverse("documents:incoming_delete", kwargs={"code": VILLAGE_A1, "pk": letter.pk})
            ).status_code
            == 404
        )
    letter.refresh_from_db()
    assert letter.subject == "Undangan rapat koordinasi"


def test_incoming_excel_export_and_filters(world: Any) -> None:
    client = _login(world, Role.OPERATOR, VILLAGE_A1)
    add = reverse("documents:incoming_add", kwargs={"code": VILLAGE_A1})
    client.post(add, _form())
    client.post(
        add,
        _form(received_on="2025-05-02", letter_date="2025-05-01", sender="Dinas Sosial", subject="Data BLT"),
    )
    url = reverse("documents:incoming_list", kwargs={"code": VILLAGE_A1})
    page = _text(client.get(url, {"bulan": "2025-05"}))
    assert "Data BLT" in page and "Undangan rapat" not in page
    page = _text(client.get(url, {"q": "camat"}))
    assert "Undangan rapat" in page and "Data BLT" not in page
    response = client.get(url, {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0].startswith("Buku Agenda Surat Masuk")
    assert [r[0] for r in rows[4:]] == ["2/2025", "1/2025"]
    assert rows[4][2] == "Dinas Sosial" and rows[4][5] == "Data BLT"
    assert rows[4][1] == dt.datetime(2025, 5, 2)
