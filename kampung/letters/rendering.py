"""Turning a letter type and its data into a printable page (HTML) and a PDF.

The context is a plain dict with six parts, the names templates use:

- ``penduduk``: the person the letter is about (:func:`resident_context`);
- ``keluarga``: their family card (:func:`family_context`);
- ``desa``: the village, for the letterhead and the text (:func:`village_context`);
- ``isian``: the request's extra fields, by key (``LetterType.extra_fields``);
- ``pihak``: other people on the letter (parents, witnesses...), by party key, each like ``penduduk``;
- ``surat``: the document: number, date, signer (:func:`document_context`).

:func:`letter_render_html` wraps the rendered body in the page layout (letterhead with logo,
signature block, QR slot, paper size); :func:`letter_render_pdf` prints that with WeasyPrint,
which may fetch nothing but ``data:`` URLs.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from kampung.letters.models import PAPER_CSS, LetterType, PaperSize
from kampung.letters.sandbox import render_body
from kampung.regions.models import Kind, Region

STATIC_DIR = Path(__file__).resolve().parent / "static" / "letters"
LOGO_MAX_BYTES = 1_000_000
_LOGO_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def _label(code_list: str, value: int | None) -> str:
    from kampung.population.portal import code_label

    return code_label(code_list, value)


def _age(born: dt.date | None, on: dt.date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def address_line(*, rt: str, rw: str, dusun: str, village: Region | None) -> str:
    """``RT 004 / RW 002, Dusun Krajan, Desa Sarongan, Kecamatan Pesanggaran, Kabupaten Banyuwangi``."""
    parts = []
    if rt or rw:
        parts.append(f"RT {rt or '-'} / RW {rw or '-'}")
    if dusun:
        parts.append(f"Dusun {dusun}")
    if village is not None:
        parts.append(str(village))
        district = village.parent
        if district is not None:
            parts.append(f"Kecamatan {district.name}")
            if district.parent is not None:
                parts.append(district.parent.name)
    return ", ".join(parts)


def resident_context(resident: Any, *, today: dt.date | None = None) -> dict[str, Any]:
    """What a template may read about a person in the register (a ``population.Resident``)."""
    today = today or timezone.localdate()
    family = getattr(resident, "family", None)
    return {
        "nama": resident.name,
        "nik": resident.nik,
        "no_kk": family.kk_number if family is not None else "",
        "tempat_lahir": resident.birth_place,
        "tanggal_lahir": resident.birth_date,
        "umur": _age(resident.birth_date, today),
        "jenis_kelamin": resident.get_sex_display(),
        "agama": _label("agama_id", resident.religion),
        "status_perkawinan": _label("status_kawin", resident.marital_status),
        "hubungan_keluarga": _label("kk_level", resident.family_relation),
        "pendidikan": _label("pendidikan_kk_id", resident.education),
        "pekerjaan": _label("pekerjaan_id", resident.occupation),
        "kewarganegaraan": _label("warganegara_id", resident.citizenship),
        "golongan_darah": _label("golongan_darah_id", resident.blood_type),
        "status_dasar": resident.get_basic_status_display(),
        "telepon": resident.phone,
        "rt": resident.rt,
        "rw": resident.rw,
        "dusun": resident.dusun,
        "alamat": address_line(rt=resident.rt, rw=resident.rw, dusun=resident.dusun, village=None),
        "alamat_lengkap": address_line(
            rt=resident.rt, rw=resident.rw, dusun=resident.dusun, village=resident.village
        ),
    }


def family_context(family: Any) -> dict[str, Any]:
    if family is None:
        return {"no_kk": "-", "kepala": "-", "alamat": ""}
    head = family.head
    return {
        "no_kk": family.kk_number,
        "kepala": head.name if head is not None else "-",
        "alamat": address_line(rt=family.rt, rw=family.rw, dusun=family.dusun, village=family.village),
    }


def _logo_data_uri(village: Region) -> str:
    """The village logo as a ``data:`` URL (PNG or JPEG, at most 1 MB), or ""."""
    profile = getattr(village, "profile", None) if hasattr(village, "profile") else None
    try:
        logo = profile.logo if profile is not None else None
        if not logo:
            return ""
        with logo.open("rb") as handle:
            data = handle.read(LOGO_MAX_BYTES + 1)
    except (OSError, ValueError):
        return ""
    if len(data) > LOGO_MAX_BYTES:
        return ""
    for magic, mime in _LOGO_TYPES.items():
        if data.startswith(magic):
            return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return ""


def _village_head(village: Region) -> tuple[str, str]:
    """Name and staff number of the village head on record."""
    from kampung.accounts.models import Official

    official = (
        Official.objects.filter(village=village, active=True, position__icontains="kepala desa")
        .order_by("order", "pk")
        .first()
    ) or (
        Official.objects.filter(village=village, active=True, position__icontains="lurah")
        .order_by("order", "pk")
        .first()
    )
    if official is not None:
        return official.name, official.staff_number
    profile = getattr(village, "profile", None) if hasattr(village, "profile") else None
    return (profile.head_name if profile is not None else ""), ""


def village_context(village: Region) -> dict[str, Any]:
    """The village as letters print it: names for the letterhead, office address, head."""
    from kampung.regions.models import VillageProfile

    kelurahan = village.kind == Kind.KELURAHAN
    district = village.parent
    regency = district.parent if district is not None else None
    province = regency.parent if regency is not None else None
    profile = VillageProfile.objects.filter(village=village).first()
    head_name, head_number = _village_head(village)
    return {
        "nama": village.name,
        "kode": village.code,
        "kode_ringkas": village.compact_code,
        "sebutan": "Kelurahan" if kelurahan else "Desa",
        "jabatan_kepala": "Lurah" if kelurahan else "Kepala Desa",
        "kecamatan": district.name if district is not None else "",
        "kabupaten": regency.name if regency is not None else "",
        "provinsi": province.name if province is not None else "",
        "alamat_kantor": profile.address if profile is not None else "",
        "kode_pos": profile.postal_code if profile is not None else "",
        "telepon": profile.phone if profile is not None else "",
        "email": profile.email if profile is not None else "",
        "situs": profile.website if profile is not None else "",
        "kepala_desa": head_name,
        "nip_kepala_desa": head_number,
        "logo": _logo_data_uri(village) if profile is not None else "",
    }


def document_context(
    *,
    letter_type: LetterType,
    village: Mapping[str, Any],
    number: str = "",
    date: dt.date | None = None,
    signer_name: str = "",
    signer_number: str = "",
    signer_position: str = "",
    on_behalf_of: str = "",
    legal_basis: str = "",
    verification_code: str = "",
    qr_svg: str = "",
    qr_png: str = "",
) -> dict[str, Any]:
    """The ``surat`` part. ``signer_position`` defaults to the village head ("Kepala Desa");
    ``on_behalf_of`` is printed above it ("a.n. Kepala Desa Sarongan") when someone else signs.
    ``qr_svg`` must be trusted markup made by the issuing code (never user input); ``qr_png``
    is a ``data:image/png`` URI of the QR (printed in preference: WeasyPrint draws an image
    far faster than an SVG path of a few thousand modules)."""
    date = date or timezone.localdate()
    position = signer_position or str(village.get("jabatan_kepala") or "Kepala Desa")
    return {
        "judul": letter_type.title,
        "jenis": letter_type.name,
        "nomor": number or "…/…/…/…",
        "tanggal": date,
        "tempat": village.get("nama", ""),
        "penandatangan": signer_name or village.get("kepala_desa", "") or "",
        "nip": signer_number or (village.get("nip_kepala_desa", "") if not signer_name else ""),
        "jabatan": position,
        "atas_nama": on_behalf_of,
        "dasar_hukum": legal_basis,
        "klasifikasi": letter_type.classification.code if letter_type.classification_id else "",
        "berlaku_sampai": letter_type.validity_end(date),
        "kode_verifikasi": verification_code,
        "qr_svg": qr_svg,
        "qr_png": qr_png if qr_png.startswith("data:image/png;base64,") else "",
        "formula": "Demikian surat ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya.",
    }


# -- sample data (previews) -----------------------------------------------------------------

_SAMPLE_TEXT = {
    "teks": "Contoh isian",
    "paragraf": "Contoh keterangan yang diisi pemohon",
    "angka": "2",
    "uang": "2500000",
    "jam": "09.00",
}


def _sample_person(name: str, nik: str, sex: str, village: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "nama": name,
        "nik": nik,
        "no_kk": "3510010101200001",
        "tempat_lahir": "Banyuwangi",
        "tanggal_lahir": dt.date(1985, 8, 17),
        "umur": 40,
        "jenis_kelamin": sex,
        "agama": "Islam",
        "status_perkawinan": "Kawin",
        "hubungan_keluarga": "Kepala keluarga",
        "pendidikan": "SLTA/sederajat",
        "pekerjaan": "Petani/pekebun",
        "kewarganegaraan": "WNI",
        "golongan_darah": "O",
        "status_dasar": "Hidup",
        "telepon": "081234567890",
        "rt": "004",
        "rw": "002",
        "dusun": "Krajan",
        "alamat": "RT 004 / RW 002, Dusun Krajan",
        "alamat_lengkap": (
            f"RT 004 / RW 002, Dusun Krajan, {village.get('sebutan', 'Desa')} {village.get('nama', '')}, "
            f"Kecamatan {village.get('kecamatan', '')}, {village.get('kabupaten', '')}"
        ),
    }


SAMPLE_VILLAGE: dict[str, Any] = {
    "nama": "Sukamaju",
    "kode": "35.10.01.2099",
    "kode_ringkas": "3510012099",
    "sebutan": "Desa",
    "jabatan_kepala": "Kepala Desa",
    "kecamatan": "Contoh",
    "kabupaten": "Kabupaten Banyuwangi",
    "provinsi": "Jawa Timur",
    "alamat_kantor": "Jl. Raya Sukamaju No. 1",
    "kode_pos": "68488",
    "telepon": "(0333) 123456",
    "email": "desa@sukamaju.example",
    "situs": "",
    "kepala_desa": "H. Budi Santoso",
    "nip_kepala_desa": "",
    "logo": "",
}


def sample_context(letter_type: LetterType, *, village: Region | None = None) -> dict[str, Any]:
    """Made-up but complete data for previews and for checking a template before it is saved."""
    desa = village_context(village) if village is not None else dict(SAMPLE_VILLAGE)
    if not desa.get("kepala_desa"):
        desa["kepala_desa"] = "Nama Kepala Desa"
    today = timezone.localdate()
    isian: dict[str, Any] = {}
    for item in letter_type.extra_fields:
        kind = str(item.get("type", "teks"))
        if kind == "tanggal":
            isian[str(item["key"])] = today
        elif kind == "pilihan" and item.get("options"):
            isian[str(item["key"])] = item["options"][0]
        else:
            isian[str(item["key"])] = _SAMPLE_TEXT.get(kind, "Contoh isian")
    if "keperluan" in isian:
        isian["keperluan"] = "Persyaratan administrasi pembukaan rekening bank"
    pihak = {
        str(p["key"]): _sample_person(f"{p['label']} Contoh".upper(), "3510014508900002", "Perempuan", desa)
        for p in letter_type.other_parties
    }
    return {
        "penduduk": _sample_person("SRI WAHYUNI", "3510015708850001", "Perempuan", desa),
        "keluarga": {"no_kk": "3510010101200001", "kepala": "AHMAD FAUZI", "alamat": "RT 004 / RW 002"},
        "desa": desa,
        "isian": isian,
        "pihak": pihak,
        "surat": document_context(
            letter_type=letter_type,
            village=desa,
            number=f"{letter_type.classification.code}/001/{desa['kode_ringkas']}/{_roman(today)}/{today.year}",
            date=today,
            verification_code="CONTOH-0000",
        ),
    }


def _roman(day: dt.date) -> str:
    from kampung.core.formatting import bulan_romawi

    return bulan_romawi(day.month)


# -- page and PDF ---------------------------------------------------------------------------


@cache
def _letter_css() -> str:
    return (STATIC_DIR / "letter.css").read_text(encoding="utf-8")


def _page_css(letter_type: LetterType, desa: Mapping[str, Any]) -> str:
    size = PAPER_CSS.get(PaperSize(letter_type.paper_size), PAPER_CSS[PaperSize.F4])
    # Only digits and dots reach the CSS strings (codes from the region and code tables).
    code = "".join(ch for ch in str(desa.get("kode_ringkas", "")) if ch.isdigit())
    return f'@page {{ size: {size}; @bottom-left {{ content: "{code}"; }} }}'


def letter_render_html(
    letter_type: LetterType, context: Mapping[str, Any], *, body_template: str | None = None
) -> str:
    """The whole printable page: letterhead, body from the type's template, signature, QR slot.

    ``body_template`` renders a draft instead of the saved template (previews). Raises
    :class:`kampung.letters.sandbox.TemplateRefused` when the template cannot be rendered.
    """
    body = render_body(body_template if body_template is not None else letter_type.body_template, context)
    desa = context.get("desa", {})
    surat = context.get("surat", {})
    return render_to_string(
        "letters/print/letter.html",
        {
            "letter_type": letter_type,
            "desa": desa,
            "surat": surat,
            "body": mark_safe(body),  # noqa: S308 - rebuilt from an allowlist by render_body
            "qr_svg": mark_safe(surat.get("qr_svg", "")),  # noqa: S308 - made by the issuing code
            "qr_png": surat.get("qr_png", ""),
            "letter_css": mark_safe(_letter_css()),  # noqa: S308 - our own static file
            "page_css": mark_safe(_page_css(letter_type, desa)),  # noqa: S308 - digits only
            "paper": letter_type.paper_size,
        },
    )


@cache
def _font_config() -> Any:
    """One font configuration per process: the letters use system fonts only (no
    ``@font-face``), so nothing is added to it between documents, and fontconfig is not set
    up again for every letter."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def html_to_pdf(page: str) -> bytes:
    """Print HTML with WeasyPrint; only ``data:`` URLs may be fetched (no files, no network)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",), allow_redirects=False, timeout=2)
    pdf = HTML(string=page, base_url=None, url_fetcher=fetcher).write_pdf(font_config=_font_config())
    return bytes(pdf or b"")


def letter_render_pdf(
    letter_type: LetterType, context: Mapping[str, Any], *, body_template: str | None = None
) -> bytes:
    """The letter as a PDF (see :func:`letter_render_html`)."""
    return html_to_pdf(letter_render_html(letter_type, context, body_template=body_template))
