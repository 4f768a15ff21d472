"""Letter templates: the sandbox refuses code/settings/file access, rendering and the PDF."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import REGENCY, VILLAGE_A1
from kampung.core.errors import KampungError
from kampung.letters import services
from kampung.letters.models import LetterType
from kampung.letters.rendering import (
    document_context,
    family_context,
    letter_render_html,
    letter_render_pdf,
    resident_context,
    sample_context,
    village_context,
)
from kampung.letters.sandbox import TemplateRefused, clean_html, render_body, validate_template
from kampung.population.tests.factories import make_family, make_resident
from kampung.regions.models import Region, VillageProfile

pytestmark = pytest.mark.django_db

ATTACKS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ penduduk.nama.__class__ }}",
    "{{ penduduk['__class__'] }}",
    "{{ config }}",
    "{{ settings.SECRET_KEY }}",
    "{{ request }}",
    "{{ self }}",
    "{{ lipsum.__globals__ }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}",
    "{% from 'x' import y %}",
    "{% extends 'base.html' %}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ penduduk.nama.upper() }}",
    "{{ 9 ** 9 ** 9 }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "<script>alert(1)</script>",
    '<img src="file:///etc/passwd">',
    '<p style="background:url(http://x)">x</p>',
    '<link rel="stylesheet" href="file:///etc/passwd">',
    '<p onclick="x()">x</p>',
    "{{ penduduk.nama|attr('__class__') }}",
]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _domisili() -> LetterType:
    return LetterType.objects.select_related("classification").get(slug="surat-keterangan-domisili")


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_templates_are_refused_at_save_and_nothing_is_saved(world, attack) -> None:
    letter_type = _domisili()
    before = letter_type.body_template
    with pytest.raises(TemplateRefused) as info:
        services.letter_template_save(
            actor=world.user(Role.ADMIN, REGENCY), letter_type=letter_type, source=f"<p>Isi</p>\n{attack}"
        )
    assert info.value.message.startswith("Templat ditolak")
    letter_type.refresh_from_db()
    assert letter_type.body_template == before
    assert not AuditEntry.objects.filter(act="letters.template.update").exists()


def test_sandbox_refuses_at_render_time_too() -> None:
    # Dynamic keys pass the parse check; the sandbox gives nothing back when rendering.
    source = "{% set k = '__cla' ~ 'ss__' %}<p>[{{ penduduk.nama[k] }}][{{ isian.x[k][k] }}]</p>"
    out = render_body(source, {"penduduk": {"nama": "A"}, "isian": {"x": "abc"}})
    assert out == "<p>[][]</p>"
    with pytest.raises(TemplateRefused):
        render_body("{% set s = 'a' %}{{ s * 100000 }}", {})


def test_output_html_is_rebuilt_from_an_allowlist() -> None:
    cleaned, dropped = clean_html(
        '<p class="x" onclick="y">a<script>b</script><img src="z"></p><table colspan="2">'
    )
    assert cleaned == '<p class="x">a</p><table colspan="2">'
    assert dropped == {"atribut onclick", "<script>", "<img>"}
    # Data is escaped: a resident named with markup prints as text.
    out = render_body("<p>{{ penduduk.nama }}</p>", {"penduduk": {"nama": "<b>X</b>"}})
    assert out == "<p>&lt;b&gt;X&lt;/b&gt;</p>"


def test_syntax_error_names_the_line(world) -> None:
    with pytest.raises(TemplateRefused, match=r"baris 3"):
        validate_template("<p>a</p>\n<p>b</p>\n{% if penduduk.nama %}<p>c</p>\n", {})
    with pytest.raises(TemplateRefused, match=r"baris 2.*filter 'rahasia' tidak tersedia"):
        validate_template("<p>a</p>\n{{ penduduk.nama|rahasia }}", {})
    with pytest.raises(TemplateRefused, match="'pendudk' tidak dikenal"):
        validate_template("{{ pendudk.nama }}", {})


def test_admin_saves_a_good_template_with_audit(world) -> None:
    letter_type = _domisili()
    source = '<h1 class="judul">{{ surat.judul }}</h1>\n<p>{{ penduduk.nama|title }} lahir {{ penduduk.tanggal_lahir|tanggal }}</p>'
    services.letter_template_save(
        actor=world.user(Role.ADMIN, REGENCY), letter_type=letter_type, source=source
    )
    letter_type.refresh_from_db()
    assert letter_type.body_template == source and letter_type.template_updated_at is not None
    entry = AuditEntry.objects.get(act="letters.template.update")
    assert entry.after == {"template": source}


def test_every_default_template_passes_its_own_check() -> None:
    for letter_type in LetterType.objects.select_related("classification"):
        html = validate_template(letter_type.body_template, sample_context(letter_type))
        assert "SRI WAHYUNI" in html, letter_type.slug
        assert "{{" not in html


def _real_letter(world):
    village = Region.objects.select_related("parent__parent__parent").get(code=VILLAGE_A1)
    VillageProfile.objects.update_or_create(
        village=village,
        defaults={
            "address": "Jl. Raya Sarongan No. 5",
            "postal_code": "68488",
            "head_name": "Hj. Siti Aminah",
        },
    )
    family = make_family(world, VILLAGE_A1, rt="004", rw="002", dusun="Krajan")
    resident = make_resident(
        world,
        VILLAGE_A1,
        name="Bambang Hermanto",
        family=family,
        attributes={"rt": "004", "rw": "002", "dusun": "Krajan"},
    )
    desa = village_context(village)
    letter_type = _domisili()
    context = {
        "penduduk": resident_context(resident),
        "keluarga": family_context(family),
        "desa": desa,
        "isian": {"keperluan": "Melamar pekerjaan"},
        "pihak": {},
        "surat": document_context(
            letter_type=letter_type,
            village=desa,
            number="400.12.2.1/007/3510012001/XI/2026",
            date=dt.date(2026, 11, 28),
        ),
    }
    return letter_type, context, resident


def test_rendered_page_has_kop_resident_data_and_signature(world) -> None:
    letter_type, context, resident = _real_letter(world)
    page = letter_render_html(letter_type, context)
    assert "PEMERINTAH KABUPATEN BANYUWANGI" in page
    assert "KECAMATAN PESANGGARAN" in page and "DESA SARONGAN" in page
    assert "Jl. Raya Sarongan No. 5" in page
    assert "SURAT KETERANGAN DOMISILI" in page
    assert "400.12.2.1/007/3510012001/XI/2026" in page
    assert "Bambang Hermanto" in page and resident.nik in page
    assert "Melamar pekerjaan" in page
    assert "Sarongan, 28 November 2026" in page
    assert "Hj. Siti Aminah" in page and "Kepala Desa Sarongan" in page
    assert "Yang bertanda tangan di bawah ini" in page
    assert "qr-kode" in page
    assert "size: 215mm 330mm" in page


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "surat.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _page_size_mm(pdf: bytes, tmp_path) -> tuple[float, float]:
    path = tmp_path / "ukuran.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    line = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (float(x) for x in line.split(":")[1].split("pts")[0].split(" x "))
    return round(width / 72 * 25.4), round(height / 72 * 25.4)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_pdf_is_a_real_pdf_with_the_name_village_and_f4_size(world, tmp_path) -> None:
    letter_type, context, _ = _real_letter(world)
    pdf = letter_render_pdf(letter_type, context)
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf, tmp_path)
    assert "Bambang Hermanto" in text
    assert "DESA SARONGAN" in text
    assert "400.12.2.1/007/3510012001/XI/2026" in text
    assert _page_size_mm(pdf, tmp_path) == (215, 330)
    letter_type.paper_size = "A4"
    assert _page_size_mm(letter_render_pdf(letter_type, context), tmp_path) == (210, 297)


def test_pdf_fetches_no_files(world, tmp_path) -> None:
    # Even if markup slipped past the checks, the PDF renderer may only read data: URLs.
    from kampung.letters.rendering import html_to_pdf

    secret = tmp_path / "rahasia.png"
    secret.write_bytes(b"not an image")
    pdf = html_to_pdf(f'<html><body><p>x</p><img src="file://{secret}"></body></html>')
    assert pdf.startswith(b"%PDF-")


def test_preview_endpoint_with_js(world) -> None:
    client = _client(world.user(Role.ADMIN, REGENCY))
    url = reverse("letters:template_preview", kwargs={"slug": "surat-keterangan-domisili"})
    response = client.post(url, {"body": "<p>Halo {{ penduduk.nama }} dari {{ desa.nama }}</p>"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["ok"] and "Halo SRI WAHYUNI dari Sukamaju" in data["html"]
    response = client.post(url, {"body": "{{ ''.__class__ }}"})
    assert response.status_code == 400 and "Templat ditolak" in json.loads(response.content)["error"]
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"body": "{% for %}" * 3}).status_code == 400
    assert client.get(url).status_code == 405
    assert _domisili().body_template != "<p>Halo {{ penduduk.nama }} dari {{ desa.nama }}</p>"


def test_template_page_preview_without_js_save_and_refusal(world) -> None:
    client = _client(world.user(Role.ADMIN, REGENCY))
    url = reverse("letters:template_edit", kwargs={"slug": "surat-keterangan-domisili"})
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "letters/template_preview.js" in body and "<script>" not in body and 'style="' not in body
    assert "SRI WAHYUNI" in body  # the saved template's preview
    draft = "<p>Pratinjau {{ penduduk.nama }}</p>"
    response = client.post(url, {"body": draft, "action": "pratinjau"})
    assert response.status_code == 200 and "Pratinjau SRI WAHYUNI" in response.content.decode()
    assert _domisili().body_template != draft
    response = client.post(url, {"body": "{{ config }}", "action": "simpan"})
    assert response.status_code == 200 and "Templat ditolak" in response.content.decode()
    assert _domisili().body_template != "{{ config }}"
    response = client.post(url, {"body": "{% if %}", "action": "pratinjau"})
    assert response.status_code == 200 and "baris 1" in response.content.decode()
    assert client.post(url, {"body": draft, "action": "simpan"}).status_code == 302
    assert _domisili().body_template == draft
    response = client.post(url, {"action": "bawaan"})
    assert response.status_code == 200 and "Yang bertanda tangan di bawah ini" in response.content.decode()
    assert client.post(url, {"action": "simpan"}).status_code == 200  # empty body: a form error


def test_sample_pdf_for_the_admin(world, tmp_path) -> None:
    client = _client(world.user(Role.ADMIN, REGENCY))
    response = client.get(reverse("letters:template_pdf", kwargs={"slug": "surat-keterangan-kematian"}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        assert "SURAT KETERANGAN KEMATIAN" in _pdf_text(response.content, tmp_path)


def test_render_refuses_broken_saved_template_cleanly() -> None:
    letter_type = _domisili()
    with pytest.raises(KampungError):
        letter_render_html(letter_type, sample_context(letter_type), body_template="{% if %}")
