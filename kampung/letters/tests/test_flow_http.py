"""Letter requests over HTTP: the counter and online channels from request to hand-over,
the PDF's content and QR, refusals, and junk input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1, VILLAGE_A2
from kampung.letters.models import LetterType, RequirementDocument
from kampung.letters.models_requests import LetterRequest, RequestStatus
from kampung.letters.tests.requests_support import (
    DOMISILI,
    KEMATIAN,
    PNG_BYTES,
    letters_env,  # noqa: F401 - fixture
    mark_dead,
    pdf_qr,
    pdf_text,
    person,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letters_env")]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _resident_client(world: Any, resident: Any) -> Client:
    from kampung.population.portal import account_activate

    account, _ = account_activate(actor=world.user(Role.OPERATOR, VILLAGE_A1), resident=resident)
    type(account.user).objects.filter(pk=account.user.pk).update(must_change_password=False)
    return _client(account.user)


def _act(client: Client, request: LetterRequest, act: str, **data: str) -> Any:
    return client.post(reverse("letters:request_act", kwargs={"code": request.code, "act": act}), data)


def _status(request: LetterRequest) -> str:
    request.refresh_from_db()
    return request.status


def test_counter_flow_to_handed_over_with_pdf_text_and_qr(
    world: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from kampung.documents.tokens import token_verify

    siti = person(world, name="Siti Rahayu Lestari")
    operator = _client(world.user(Role.OPERATOR, VILLAGE_A1))
    head = _client(world.user(Role.HEAD, VILLAGE_A1))

    found = operator.get(reverse("letters:counter_start"), {"q": siti.nik})
    assert found.status_code == 200 and "Siti Rahayu Lestari" in found.content.decode()
    types = operator.get(reverse("letters:counter_type", kwargs={"resident_pk": siti.pk}))
    assert "Keterangan Domisili" in types.content.decode()
    url = reverse("letters:counter_form", kwargs={"resident_pk": siti.pk, "slug": DOMISILI})
    assert operator.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(url, {"isian__keperluan": "Mendaftar sekolah anak"})
    request = LetterRequest.objects.get(requester=siti)
    assert response.status_code == 302 and response["Location"].endswith(f"/permohonan/{request.code}/")
    detail = operator.get(response["Location"]).content.decode()
    assert request.code_display in detail and "Diajukan" in detail

    queue = operator.get(reverse("letters:queue"), {"antrian": "verifikasi"}).content.decode()
    assert request.code_display in queue
    _act(operator, request, "verifikasi")
    assert _status(request) == RequestStatus.VERIFIED
    assert (
        request.code_display
        in head.get(reverse("letters:queue"), {"antrian": "tandatangan"}).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        _act(head, request, "tandatangan")
    assert _status(request) == RequestStatus.SIGNED
    number = request.document.number
    assert number.startswith("400.12.2.1/001/3510012001/")

    pdf = operator.get(reverse("letters:request_pdf", kwargs={"code": request.code}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF")
    text = pdf_text(body, tmp_path)
    assert "SITI RAHAYU LESTARI" in text.upper() and siti.nik in text
    assert number in text and "Mendaftar sekolah anak" in text
    decoded = pdf_qr(body, tmp_path)
    assert decoded.startswith("https://desa.example.go.id/dokumen/cek/")
    token = decoded.rsplit("/", 1)[1]
    result = token_verify(token)
    assert result.valid and result.code == request.document.verification_code
    changed = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    assert not token_verify(changed).valid
    page = Client().get(reverse("documents:verify_token", kwargs={"token": token}))
    assert page.status_code == 200 and number in page.content.decode()

    _act(operator, request, "terbitkan")
    assert _status(request) == RequestStatus.ISSUED
    _act(operator, request, "serahkan")
    assert _status(request) == RequestStatus.HANDED_OVER
    history = operator.get(reverse("letters:request_detail", kwargs={"code": request.code})).content.decode()
    for label in ("Diajukan", "Diverifikasi", "Ditandatangani", "Diterbitkan", "Diserahkan"):
        assert label in history


def test_online_flow_with_upload_status_and_download(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    siti = person(world, name="Dewi Sartika")
    kk = RequirementDocument.objects.get_or_create(name="Fotokopi KK")[0]
    LetterType.objects.get(slug=DOMISILI).requirements.set([kk])
    resident = _resident_client(world, siti)
    home = resident.get(reverse("portal:home")).content.decode()
    assert reverse("letters:portal_list") in home
    choose = resident.get(reverse("letters:portal_type")).content.decode()
    assert "Keterangan Domisili" in choose and "Keterangan Kematian" not in choose
    url = reverse("letters:portal_form", kwargs={"slug": DOMISILI})
    missing = resident.post(url, {"isian__keperluan": "Bank"})
    assert missing.status_code == 200 and "belum dipenuhi" in missing.content.decode()
    wrong = resident.post(
        url, {"isian__keperluan": "Bank", f"berkas__{kk.pk}": SimpleUploadedFile("kk.png", b"GIF89a")}
    )
    assert "harus PDF, JPEG atau PNG" in wrong.content.decode()
    response = resident.post(
        url,
        {
            "isian__keperluan": "Membuka rekening bank",
            f"berkas__{kk.pk}": SimpleUploadedFile("kk.png", PNG_BYTES),
        },
    )
    request = LetterRequest.objects.get(requester=siti)
    assert response.status_code == 302 and request.channel == "daring"
    detail = resident.get(response["Location"]).content.decode()
    assert request.code_display in detail and "Diajukan" in detail
    attachment = request.attachments.get()
    got = resident.get(
        reverse("letters:portal_attachment", kwargs={"code": request.code, "pk": attachment.pk})
    )
    assert got.status_code == 200 and b"".join(got.streaming_content) == PNG_BYTES

    secretary = _client(world.user(Role.SECRETARY, VILLAGE_A1))
    head = _client(world.user(Role.HEAD, VILLAGE_A1))
    _act(secretary, request, "verifikasi")
    with django_capture_on_commit_callbacks(execute=True):
        _act(head, request, "tandatangan")
    _act(secretary, request, "terbitkan")
    request.refresh_from_db()
    detail = resident.get(reverse("letters:portal_detail", kwargs={"code": request.code})).content.decode()
    assert "Diterbitkan" in detail and request.document.number in detail
    pdf = resident.get(reverse("letters:portal_pdf", kwargs={"code": request.code}))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    _act(secretary, request, "serahkan")
    assert "Diserahkan" in resident.get(reverse("letters:portal_list")).content.decode()


def test_rejection_reason_is_shown_to_the_resident(world: Any) -> None:
    siti = person(world)
    resident = _resident_client(world, siti)
    resident.post(reverse("letters:portal_form", kwargs={"slug": DOMISILI}), {"isian__keperluan": "Bank"})
    request = LetterRequest.objects.get(requester=siti)
    secretary = _client(world.user(Role.SECRETARY, VILLAGE_A1))
    _act(secretary, request, "tolak", reason="x")
    assert _status(request) == RequestStatus.SUBMITTED
    _act(secretary, request, "tolak", reason="Alamat di KK belum diperbarui")
    assert _status(request) == RequestStatus.REJECTED
    page = resident.get(reverse("letters:portal_detail", kwargs={"code": request.code})).content.decode()
    assert "Ditolak" in page and "Alamat di KK belum diperbarui" in page


def test_resident_cancels_before_signing_only(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    siti = person(world)
    resident = _resident_client(world, siti)
    for _ in range(2):
        resident.post(reverse("letters:portal_form", kwargs={"slug": DOMISILI}), {"isian__keperluan": "Bank"})
    first, second = LetterRequest.objects.filter(requester=siti).order_by("pk")
    resident.post(reverse("letters:portal_cancel", kwargs={"code": first.code}))
    assert _status(first) == RequestStatus.CANCELLED
    _act(_client(world.user(Role.SECRETARY, VILLAGE_A1)), second, "verifikasi")
    with django_capture_on_commit_callbacks(execute=True):
        _act(_client(world.user(Role.HEAD, VILLAGE_A1)), second, "tandatangan")
    response = resident.post(reverse("letters:portal_cancel", kwargs={"code": second.code}), follow=True)
    assert _status(second) == RequestStatus.SIGNED
    assert "tidak dapat dilakukan" in response.content.decode()


def test_refusals_and_scope(world: Any) -> None:
    siti = person(world)
    other_resident = person(world, name="Tetangga")
    resident = _resident_client(world, siti)
    resident.post(reverse("letters:portal_form", kwargs={"slug": DOMISILI}), {"isian__keperluan": "Bank"})
    request = LetterRequest.objects.get(requester=siti)
    detail = reverse("letters:request_detail", kwargs={"code": request.code})
    # Another village's staff: not found, for reading and for acting.
    assert _client(world.user(Role.OPERATOR, VILLAGE_A2)).get(detail).status_code == 404
    assert _act(_client(world.user(Role.HEAD, VILLAGE_A2)), request, "verifikasi").status_code == 404
    # The operator may not sign; the refusal names who may.
    secretary = _client(world.user(Role.SECRETARY, VILLAGE_A1))
    _act(secretary, request, "verifikasi")
    operator = _client(world.user(Role.OPERATOR, VILLAGE_A1))
    response = _act(operator, request, "tandatangan")
    assert _status(request) == RequestStatus.VERIFIED and request.document_id is None
    assert "Kepala Desa Sarongan" in operator.get(response["Location"]).content.decode()
    # Another resident sees neither the request nor its files; residents have no staff pages.
    neighbour = _resident_client(world, other_resident)
    assert neighbour.get(reverse("letters:portal_detail", kwargs={"code": request.code})).status_code == 404
    assert neighbour.get(reverse("letters:portal_pdf", kwargs={"code": request.code})).status_code == 404
    assert neighbour.get(detail).status_code == 404
    assert neighbour.get(reverse("letters:queue")).status_code == 404
    assert neighbour.get(reverse("letters:counter_start")).status_code == 404
    # A resident may not name someone outside their family as the subject.
    response = neighbour.post(
        reverse("letters:portal_form", kwargs={"slug": DOMISILI}),
        {"subjek__nik_register": siti.nik, "isian__keperluan": "x"},
    )
    assert response.status_code == 200 and "tidak ditemukan" in response.content.decode()
    # Staff cannot start a counter request for another village's resident.
    far = person(world, village=VILLAGE_A2, name="Jauh")
    assert operator.get(reverse("letters:counter_type", kwargs={"resident_pk": far.pk})).status_code == 404


def test_counter_death_letter_over_http(world: Any) -> None:
    reporter = person(world, name="Pelapor Satu")
    living = person(world, name="Masih Hidup")
    dead = mark_dead(person(world, name="Almarhum Darmo"))
    witness = person(world, name="Saksi Desa")
    operator = _client(world.user(Role.OPERATOR, VILLAGE_A1))
    url = reverse("letters:counter_form", kwargs={"resident_pk": reporter.pk, "slug": KEMATIAN})
    data = {
        "pelapor__nik_register": reporter.nik,
        "saksi_1__nik_register": witness.nik,
        "saksi_2__nama": "Saksi Luar",
        "saksi_2__nik": "3509010101800001",
        "saksi_2__tempat_lahir": "Jember",
        "saksi_2__tanggal_lahir": "1980-01-01",
        "saksi_2__jenis_kelamin": "Laki-laki",
        "saksi_2__pekerjaan": "Petani",
        "saksi_2__alamat": "Jember",
        "isian__pelapor_hubungan_pelapor_dengan_yang_mati": "Anak",
        "keperluan": "Mengurus akta kematian",
    }
    refused = operator.post(url, {**data, "subjek__nik_register": living.nik})
    assert refused.status_code == 200 and "berstatus mati" in refused.content.decode()
    assert not LetterRequest.objects.exists()
    done = operator.post(url, {**data, "subjek__nik_register": dead.nik})
    assert done.status_code == 302
    request = LetterRequest.objects.get()
    assert request.parties.get(key="subjek").resident == dead
    assert request.parties.get(key="saksi_2").data["nama"] == "Saksi Luar"


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/surat/permohonan/%00%27/", {}),
        (
            "get",
            "/surat/permohonan/",
            {"antrian": "<script>", "page": "-1", "q": "x" * 5000, "terlambat": "2"},
        ),
        ("get", "/surat/permohonan/baru/", {"q": "'; drop table"}),
        ("post", "/surat/permohonan/ZZZZZZZZ/verifikasi/", {}),
        ("get", "/surat/permohonan/baru/999999/", {}),
        ("get", "/surat/permohonan/ZZZZ/surat.pdf", {}),
    ],
)
def test_no_500_on_junk(world: Any, method: str, path: str, data: dict[str, str]) -> None:
    operator = _client(world.user(Role.OPERATOR, VILLAGE_A1))
    response = getattr(operator, method)(path, data)
    assert response.status_code in (200, 302, 404)


def test_junk_form_values_are_refused_without_500(world: Any) -> None:
    siti = person(world)
    operator = _client(world.user(Role.OPERATOR, VILLAGE_A1))
    request_url = reverse("letters:counter_form", kwargs={"resident_pk": siti.pk, "slug": DOMISILI})
    for payload in (
        {"subjek__nik_register": "abc"},
        {"subjek__nik_register": "1" * 16},
        {"isian__keperluan": "x" * 3000},
    ):
        response = operator.post(request_url, payload)
        assert response.status_code == 200
    assert not LetterRequest.objects.exists()
    assert (
        operator.post(reverse("letters:request_act", kwargs={"code": "ZZ", "act": "hapus"})).status_code
        == 404
    )


def test_queue_page_query_count_does_not_grow_with_rows(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    from kampung.letters import services_requests as svc
    from kampung.letters.models_requests import Channel
    from kampung.regions.models import Region

    village = Region.objects.get(code=VILLAGE_A1)
    operator_user = world.user(Role.OPERATOR, VILLAGE_A1)
    letter_type = LetterType.objects.get(slug=DOMISILI)
    for index in range(12):
        requester = person(world, name=f"Pemohon {index}")
        svc.request_submit(
            actor=operator_user,
            village=village,
            channel=Channel.COUNTER,
            data=svc.RequestInput(letter_type=letter_type, requester=requester, purpose="Bank"),
        )
    operator = _client(operator_user)
    with django_assert_max_num_queries(20):
        response = operator.get(reverse("letters:queue"), {"antrian": "verifikasi"})
    assert response.status_code == 200 and response.content.decode().count("Pemohon ") >= 12
