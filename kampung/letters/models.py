"""The letter catalogue: archive classification codes, requirement documents, letter types
(with their body template) and each village's own switch and service time per type."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import models

from kampung.core.models import BaseModel
from kampung.regions.models import Region


class Scheme(models.TextChoices):
    """Which regulation a classification code comes from."""

    P83_2022 = "83/2022", "Permendagri 83/2022"
    P78_2012 = "78/2012", "Permendagri 78/2012 (lama)"


class ClassificationCode(models.Model):
    """One archive classification code (kode klasifikasi arsip), printed in letter numbers."""

    scheme = models.CharField("peraturan", max_length=8, choices=Scheme.choices)
    code = models.CharField("kode", max_length=20)
    name = models.CharField("nama", max_length=255)
    level = models.CharField("tingkat", max_length=20, blank=True)
    parent_code = models.CharField("kode induk", max_length=20, blank=True)
    note = models.TextField("catatan", blank=True, default="")

    class Meta:
        ordering = ["scheme", "code"]
        verbose_name = "kode klasifikasi surat"
        verbose_name_plural = "kode klasifikasi surat"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="classification_unique_per_scheme")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RequirementDocument(BaseModel):
    """A document a resident brings for a letter (persyaratan), e.g. "Fotokopi KK"."""

    name = models.CharField("nama", max_length=200, unique=True)
    opensid_id = models.PositiveSmallIntegerField("id OpenSID", null=True, blank=True, unique=True)

    class Meta:
        ordering = ["opensid_id", "name"]
        verbose_name = "dokumen persyaratan"
        verbose_name_plural = "dokumen persyaratan"

    def __str__(self) -> str:
        return self.name


class SigningLevel(models.TextChoices):
    VILLAGE = "desa", "Desa/Kelurahan"
    DISTRICT = "kecamatan", "Kecamatan"
    REGENCY = "kabupaten", "Kabupaten"


class PaperSize(models.TextChoices):
    A4 = "A4", "A4 (210 x 297 mm)"
    F4 = "F4", "F4 (215 x 330 mm)"


# CSS @page sizes of each paper.
PAPER_CSS = {PaperSize.A4: "210mm 297mm", PaperSize.F4: "215mm 330mm"}

# ``status_dasar`` names used in the catalogue and their register codes (population.BasicStatus).
BASIC_STATUS_CODES = {"HIDUP": 1, "MATI": 2, "PINDAH": 3, "HILANG": 4, "PERGI": 6, "TIDAK VALID": 9}

FIELD_TYPES = {
    "teks": "Teks singkat",
    "paragraf": "Teks panjang",
    "tanggal": "Tanggal",
    "jam": "Jam",
    "angka": "Angka",
    "uang": "Jumlah uang (Rp)",
    "pilihan": "Pilihan",
}

_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def parse_duration(value: str) -> tuple[int, int, int, int] | None:
    """``P1M`` -> (years, months, weeks, days); None when not a date-only ISO 8601 duration."""
    match = _DURATION.match(value or "")
    if not match or value == "P":
        return None
    years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
    return years, months, weeks, days


def add_duration(start: dt.date, value: str) -> dt.date | None:
    """The day a validity of ``value`` (ISO 8601, e.g. ``P1M``) starting on ``start`` ends."""
    parts = parse_duration(value)
    if parts is None:
        return None
    years, months, weeks, days = parts
    month_index = start.month - 1 + months + 12 * years
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    # Clamp to the month's last day (31 Jan + 1 month = 28/29 Feb).
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    day = min(start.day, (next_month - dt.timedelta(days=1)).day)
    return dt.date(year, month, day) + dt.timedelta(weeks=weeks, days=days)


class LetterType(BaseModel):
    """One kind of letter a village issues (jenis surat), kept by the regency admin.

    ``extra_fields`` is a list of ``{"key", "label", "type", "required", "group", "options"}``:
    what the request form asks beyond the resident's own data (the template reads them as
    ``isian.<key>``). ``subject_rules`` says who the letter may be about
    (``{"sumber": [...], "status_dasar": [...], "hubungan_kk": [...], "jenis_kelamin": [...],
    "sertakan_data_orang_tua": bool}``); ``other_parties`` lists the other people or data blocks
    (``[{"key", "label", "sumber": [...]}]``).
    """

    slug = models.SlugField("kode jenis", max_length=80, unique=True)
    kode_opensid = models.CharField("kode OpenSID", max_length=10, blank=True)
    name = models.CharField("nama", max_length=150)
    classification = models.ForeignKey(
        ClassificationCode,
        on_delete=models.PROTECT,
        related_name="letter_types",
        verbose_name="klasifikasi (Permendagri 83/2022)",
        limit_choices_to={"scheme": Scheme.P83_2022},
    )
    classification_old = models.ForeignKey(
        ClassificationCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="klasifikasi lama (Permendagri 78/2012)",
        limit_choices_to={"scheme": Scheme.P78_2012},
    )
    requirements = models.ManyToManyField(
        RequirementDocument, blank=True, related_name="letter_types", verbose_name="persyaratan"
    )
    extra_fields = models.JSONField("isian tambahan", default=list, blank=True)
    subject_label = models.CharField("subjek surat", max_length=60, default="Pemohon")
    subject_rules = models.JSONField("syarat subjek", default=dict, blank=True)
    other_parties = models.JSONField("pihak lain", default=list, blank=True)
    attached_forms = models.CharField("formulir lampiran", max_length=120, blank=True)
    sla_days = models.PositiveSmallIntegerField("target waktu layanan (hari kerja)", default=1)
    fee = models.PositiveIntegerField("biaya (Rp)", default=0)
    validity = models.CharField("masa berlaku (ISO 8601)", max_length=20, default="P1M")
    signing_level = models.CharField(
        "tingkat penanda tangan", max_length=10, choices=SigningLevel.choices, default=SigningLevel.VILLAGE
    )
    paper_size = models.CharField(
        "ukuran kertas", max_length=2, choices=PaperSize.choices, default=PaperSize.F4
    )
    self_service = models.BooleanField("boleh diajukan warga sendiri (layanan mandiri)", default=False)
    active = models.BooleanField("aktif", default=True)
    body_template = models.TextField("templat isi surat", blank=True, default="")
    template_updated_at = models.DateTimeField("templat terakhir diubah", null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "jenis surat"
        verbose_name_plural = "jenis surat"

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        """The printed title: "SURAT KETERANGAN DOMISILI"."""
        return f"Surat {self.name}".upper()

    def allowed_basic_statuses(self) -> list[int]:
        """Register ``basic_status`` codes the letter's subject may have (empty = any)."""
        names = self.subject_rules.get("status_dasar") or []
        return sorted({BASIC_STATUS_CODES[n] for n in names if n in BASIC_STATUS_CODES})

    def validity_end(self, start: dt.date) -> dt.date | None:
        return add_duration(start, self.validity)

    def field_map(self) -> dict[str, dict[str, Any]]:
        return {str(f["key"]): f for f in self.extra_fields}


class VillageLetterSetting(BaseModel):
    """A village's own choice for one letter type: offered or not, and its service time."""

    village = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="letter_settings")
    letter_type = models.ForeignKey(LetterType, on_delete=models.CASCADE, related_name="village_settings")
    enabled = models.BooleanField("dilayani", default=True)
    sla_days = models.PositiveSmallIntegerField(
        "target waktu layanan desa (hari kerja)", null=True, blank=True
    )

    class Meta:
        verbose_name = "pengaturan surat desa"
        verbose_name_plural = "pengaturan surat desa"
        constraints = [
            models.UniqueConstraint(
                fields=["village", "letter_type"], name="letter_setting_unique_per_village"
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.letter_type_id}"


# Requests (permohonan) live in their own module; imported here so Django finds the models.
from kampung.letters.models_requests import (  # noqa: E402, F401
    Channel,
    LetterRequest,
    RequestAttachment,
    RequestEvent,
    RequestParty,
    RequestStatus,
)
