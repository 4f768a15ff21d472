"""Every upload form refuses a disguised file (a page with script renamed .jpg/.pdf, or with
an image's first bytes in front) and an oversized one, accepts a good one, stores it under a
random name, and serves it back only through its scoped view with safe headers."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import REGENCY, VILLAGE_A1
from kampung.core.errors import KampungError
from kampung.core.uploads import IMAGE_POLICY, JPEG, PDF, PDF_POLICY, PNG, check_upload, file_response

pytestmark = pytest.mark.django_db

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RANDOM_NAME = re.compile(r"[0-9a-f]{32}\.(pdf|jpg|png|webp)$")


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def disguised() -> list[SimpleUploadedFile]:
    return [
        upload("foto.jpg", HTML, "image/jpeg"),
        upload("surat.pdf", SVG, "application/pdf"),
        upload("kk.png", b"\x89PNG\r\n\x1a\n" + HTML, "image/png"),  # PNG magic, then a page
        upload("ktp.jpg", b"\xff\xd8\xff\xe0" + HTML, "image/jpeg"),  # JPEG magic, then a page
    ]


def oversized(head: bytes, limit: int, name: str = "besar.pdf") -> SimpleUploadedFile:
    return upload(name, head + b"0" * (limit + 1 - len(head)), "application/pdf")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_safe_file(response: Any, content_type: str, *, inline: bool) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;" if inline else "attachment;"), disposition
    assert "filename=" in disposition
    policy = response["Content-Security-Policy"]
    assert policy == (PDF_POLICY if content_type == PDF else IMAGE_POLICY)
    assert "default-src 'none'" in policy and "script-src" not in policy
    if content_type != PDF:
        assert policy.endswith("sandbox")


# -- the checks themselves -----------------------------------------------------------------------


@pytest.mark.parametrize("bad", disguised(), ids=lambda f: f.name)
def test_check_upload_refuses_disguised_files(bad: SimpleUploadedFile) -> None:
    with pytest.raises(KampungError):
        check_upload(bad, kinds=(PDF, JPEG, PNG), max_bytes=1024 * 1024)


def test_check_upload_refuses_too_large_whatever_size_it_claims() -> None:
    big = oversized(b"%PDF-1.4\n", 1000)
    with pytest.raises(KampungError, match="terlalu besar"):
        check_upload(big, kinds=(PDF,), max_bytes=1000)
    big.size = 10  # a claim that lies: the bytes are still counted
    with pytest.raises(KampungError, match="terlalu besar"):
        check_upload(big, kinds=(PDF,), max_bytes=1000)
    with pytest.raises(KampungError, match="kosong"):
        check_upload(upload("a.pdf", b""), kinds=(PDF,), max_bytes=1000)


def test_check_upload_accepts_good_files_by_content_not_name() -> None:
    assert check_upload(upload("x.bin", png()), kinds=(PNG,), max_bytes=10_000).content_type == PNG
    assert check_upload(upload("x.png", jpeg()), kinds=(JPEG, PNG), max_bytes=10_000).extension == "jpg"
    checked = check_upload(upload("x.pdf", PDF_BYTES), kinds=(PDF,), max_bytes=10_000)
    assert RANDOM_NAME.match(checked.content().name or "")
    with pytest.raises(KampungError, match="harus berupa PDF"):
        check_upload(upload("x.pdf", png()), kinds=(PDF,), max_bytes=10_000)


def test_file_response_of_an_unknown_kind_is_a_download(tmp_path: Path) -> None:
    from django.core.files.storage import FileSystemStorage
    from django.db.models.fields.files import FieldFile, FileField

    storage = FileSystemStorage(location=tmp_path)
    storage.save("x.html", io.BytesIO(HTML))
    field = FileField(storage=storage)
    field.storage = storage
    stored = FieldFile(None, field, "x.html")
    response = file_response(stored, content_type="text/html", filename="x.html")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        response["X-Content-Type-Options"] == "nosniff"
        and response["Content-Security-Policy"] == IMAGE_POLICY
    )


# -- each upload form ----------------------------------------------------------------------------


def test_authority_instrument_file(world: Any) -> None:
    from kampung.authority.models import Instrument

    admin = logged_in(world.user(Role.ADMIN, REGENCY))
    url = reverse("authority:instrument_create")
    payload = {"kind": "perbup", "number": "7", "date": "2025-02-10", "title": "Pelimpahan RTLH"}
    for bad in [*disguised(), oversized(b"%PDF-1.4\n", 5 * 1024 * 1024)]:
        response = admin.post(url, {**payload, "file": bad})
        assert response.status_code == 200 and "Berkas" in response.content.decode(), bad.name
    assert not Instrument.objects.exists()
    response = admin.post(url, {**payload, "file": upload("perbup ttd.pdf", PDF_BYTES, PDF)})
    assert response.status_code == 302
    instrument = Instrument.objects.get()
    assert re.fullmatch(r"instrumen/perbup-7-2025-[0-9a-f]{16}\.pdf", instrument.file.name)
    served = admin.get(reverse("authority:instrument_file", args=[instrument.pk]))
    assert_safe_file(served, PDF, inline=True)
    assert body(served) == PDF_BYTES


def test_incoming_letter_scan(world: Any) -> None:
    from kampung.documents.models import IncomingLetter

    operator = logged_in(world.user(Role.OPERATOR, VILLAGE_A1))
    url = reverse("documents:incoming_add", kwargs={"code": VILLAGE_A1})
    form = {
        "received_on": "2025-04-10",
        "sender": "Camat Pesanggaran",
        "letter_number": "005/123/2025",
        "letter_date": "2025-04-08",
        "subject": "Undangan rapat",
    }
    for bad in [*disguised(), oversized(b"%PDF-1.4\n", 5 * 1024 * 1024)]:
        response = operator.post(url, {**form, "scan": bad})
        assert response.status_code == 200, bad.name
    assert not IncomingLetter.objects.exists()
    response = operator.post(url, {**form, "scan": upload("undangan.jpg", jpeg(), JPEG)})
    assert response.status_code == 302
    letter = IncomingLetter.objects.get()
    assert RANDOM_NAME.search(letter.scan.name) and letter.scan_type == JPEG
    served = operator.get(reverse("documents:incoming_scan", kwargs={"code": VILLAGE_A1, "pk": letter.pk}))
    assert_safe_file(served, JPEG, inline=False)


def test_musdes_minutes(world: Any) -> None:
    from kampung.finance.models import Musdes

    operator = logged_in(world.user(Role.OPERATOR, VILLAGE_A1))
    url = reverse("finance:musdes_create", args=[VILLAGE_A1])
    form = {
        "kind": "rkpdes",
        "title": "Musdes RKPDes 2026",
        "held_on": "2025-08-10",
        "place": "Balai desa",
        "year": "2026",
        "participant_count": "35",
        "participants": "BPD: Sutrisno",
        "summary": "Sepakat",
    }
    for bad in [*disguised(), oversized(b"%PDF-1.4\n", 10 * 1024 * 1024)]:
        response = operator.post(url, {**form, "minutes": bad})
        assert response.status_code == 200, bad.name
    assert not Musdes.objects.exists()
    response = operator.post(url, {**form, "minutes": upload("ba.pdf", PDF_BYTES, PDF)})
    assert response.status_code == 302, response.content.decode()[-3000:]
    musdes = Musdes.objects.get()
    assert RANDOM_NAME.search(musdes.minutes_file.name)
    served = operator.get(reverse("finance:musdes_minutes", args=[VILLAGE_A1, musdes.pk]))
    assert_safe_file(served, PDF, inline=False)


def test_spp_attachment(world: Any) -> None:
    from kampung.finance.models import SppAttachment
    from kampung.finance.tests.payments_helpers import activity, make_spp, setup_village

    spp = make_spp(world, activity(setup_village()), {"Upah tukang": 2_000_000})
    executor = logged_in(world.user(Role.EXECUTOR, VILLAGE_A1))
    url = reverse("finance:spp_attach", args=[spp.pk])
    for bad in [*disguised(), oversized(b"%PDF-1.4\n", 5 * 1024 * 1024)]:
        executor.post(url, {"kind": "kuitansi", "file": bad})
    assert not SppAttachment.objects.exists()
    executor.post(url, {"kind": "kuitansi", "file": upload("kuitansi.png", png(), PNG)})
    attachment = SppAttachment.objects.get()
    assert RANDOM_NAME.search(attachment.file.name) and attachment.name == "kuitansi.png"
    served = executor.get(reverse("finance:spp_attachment", args=[spp.pk, attachment.pk]))
    assert_safe_file(served, PNG, inline=True)
    assert body(served) == png()


def test_progress_photo(world: Any) -> None:
    from kampung.finance.models import ProgressReport
    from kampung.finance.services.reports import check_photo, progress_record
    from kampung.finance.tests.payments_helpers import activity, setup_village

    for bad in [*disguised(), oversized(b"\x89PNG\r\n\x1a\n", 5 * 1024 * 1024, "besar.png")]:
        with pytest.raises(KampungError):
            check_photo(bad)
    act = activity(setup_village())
    progress_record(
        actor=world.user(Role.EXECUTOR, VILLAGE_A1),
        activity=act,
        date=dt.date(act.apbdes.year, 6, 1),
        volume="1",
        percent="10",
        photo=upload("IMG_2041.PNG", png(), PNG),
    )
    report = ProgressReport.objects.get()
    assert RANDOM_NAME.search(report.photo.name)
    served = logged_in(world.user(Role.SECRETARY, VILLAGE_A1)).get(
        reverse("finance:progress_photo", args=[VILLAGE_A1, act.apbdes.year, report.pk])
    )
    assert_safe_file(served, PNG, inline=True)


def test_letter_request_attachment(world: Any, settings: Any, tmp_path: Path) -> None:
    from kampung.documents import keys
    from kampung.letters.models import LetterRequest, LetterType, RequirementDocument
    from kampung.letters.tests.requests_support import DOMISILI, person
    from kampung.population.portal import account_activate

    settings.KEYS_DIR = tmp_path / "keys"
    keys.key_generate(regency=REGENCY)
    siti = person(world, name="Dewi Sartika")
    kk = RequirementDocument.objects.get_or_create(name="Fotokopi KK")[0]
    LetterType.objects.get(slug=DOMISILI).requirements.set([kk])
    account, _ = account_activate(actor=world.user(Role.OPERATOR, VILLAGE_A1), resident=siti)
    type(account.user).objects.filter(pk=account.user.pk).update(must_change_password=False)
    resident = logged_in(account.user)
    url = reverse("letters:portal_form", kwargs={"slug": DOMISILI})
    for bad in [*disguised(), oversized(b"%PDF-1.4\n", 5 * 1024 * 1024)]:
        response = resident.post(url, {"isian__keperluan": "Bank", f"berkas__{kk.pk}": bad})
        assert (
            response.status_code == 200
            and "harus PDF, JPEG atau PNG" in response.content.decode()
            or ("terlalu besar" in response.content.decode())
        ), bad.name
    assert not LetterRequest.objects.exists()
    response = resident.post(
        url, {"isian__keperluan": "Bank", f"berkas__{kk.pk}": upload("kk.png", png(), PNG)}
    )
    assert response.status_code == 302
    attachment = LetterRequest.objects.get().attachments.get()
    assert RANDOM_NAME.search(attachment.file.name)
    request = attachment.request
    served = resident.get(
        reverse("letters:portal_attachment", kwargs={"code": request.code, "pk": attachment.pk})
    )
    assert_safe_file(served, PNG, inline=False)
    staff = logged_in(world.user(Role.OPERATOR, VILLAGE_A1))
    served = staff.get(
        reverse("letters:request_attachment", kwargs={"code": request.code, "pk": attachment.pk})
    )
    assert_safe_file(served, PNG, inline=False)


def test_field_photos_monitoring_and_assistance_are_checked_by_content() -> None:
    """Visit photos (monitoring) and survey/progress photos (assistance) share core.images."""
    from kampung.core.images import MAX_PHOTO_BYTES, image_facts, upload_bytes

    for bad in disguised():
        with pytest.raises(KampungError):
            image_facts(upload_bytes(bad))
    with pytest.raises(KampungError, match="terlalu besar"):
        upload_bytes(oversized(b"\xff\xd8\xff", MAX_PHOTO_BYTES, "besar.jpg"))
    assert image_facts(upload_bytes(upload("a.jpg", jpeg()))).content_type == JPEG


def test_village_logo_and_its_public_route(world: Any, _media: Path) -> None:
    from kampung.regions.models import VillageProfile

    head = logged_in(world.user(Role.HEAD, VILLAGE_A1))
    url = reverse("regions:village_profile_edit", kwargs={"code": VILLAGE_A1})
    for bad in [*disguised(), oversized(b"\x89PNG\r\n\x1a\n", 1024 * 1024, "besar.png")]:
        response = head.post(url, {"logo": bad})
        assert response.status_code == 200, bad.name
    assert not VillageProfile.objects.filter(village_id=VILLAGE_A1).exclude(logo="").exists()
    response = head.post(url, {"logo": upload("logo-desa.png", png(), PNG)})
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = VillageProfile.objects.get(village_id=VILLAGE_A1)
    assert re.fullmatch(r"logo/[0-9a-f]{32}\.png", profile.logo.name)
    served = Client().get("/media/" + profile.logo.name)
    assert_safe_file(served, PNG, inline=True)
    assert served["Cache-Control"].startswith("public")
    # Anything else put in the folder by hand (an old upload, a page) is not served from it.
    (_media / "logo" / "lama.png").write_bytes(HTML)
    (_media / "logo" / "halaman.html").write_bytes(HTML)
    (_media / "rahasia.png").write_bytes(png())
    for path in ("logo/lama.png", "logo/halaman.html", "logo/../rahasia.png", "logo/tidak-ada.png"):
        assert Client().get("/media/" + path).status_code == 404, path
    assert Client().post("/media/" + profile.logo.name).status_code in (403, 405)
