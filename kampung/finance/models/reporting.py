"""Execution facts beyond the journal: realised output and progress of each kegiatan, reports
submitted to the regency, Dana Desa tranche rules and village status, the regency's execution
settings, financing outlays, and the register of village assets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from kampung.core.models import BaseModel
from kampung.finance.models.budget import BudgetActivity
from kampung.finance.models.ledger import Book, JournalEntry
from kampung.finance.models.spending import PaymentMethod, Spp
from kampung.regions.models import Region


class ProgressReport(BaseModel):
    """The executor's report of realised output of a kegiatan at a stage (volume, percent,
    photos). A stage reported ``complete`` (with a photo) opens the next stage's SPP when the
    regency requires it."""

    activity = models.ForeignKey(
        BudgetActivity, verbose_name="kegiatan", on_delete=models.PROTECT, related_name="progress"
    )
    # Realised output goes by kegiatan code across APBDes versions, like the journal.
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="progress_reports")
    activity_code = models.CharField("kode kegiatan", max_length=12)
    stage = models.PositiveSmallIntegerField("tahap", default=1)
    date = models.DateField("tanggal")
    volume = models.DecimalField("keluaran terealisasi (volume)", max_digits=14, decimal_places=2, default=0)
    percent = models.DecimalField("kemajuan (%)", max_digits=5, decimal_places=2, default=0)
    stage_complete = models.BooleanField("tahap selesai", default=False)
    notes = models.TextField("catatan", blank=True)
    photo = models.ImageField("foto", upload_to="keuangan/kemajuan/%Y/%m/", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["activity", "date", "pk"]
        verbose_name = "laporan kemajuan kegiatan"
        verbose_name_plural = "laporan kemajuan kegiatan"
        indexes = [models.Index(fields=["book", "activity_code"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="progress_percent_range"
            )
        ]


class ReportKind(models.TextChoices):
    SEMESTER = "semester1", "Laporan pelaksanaan APBDes semester I"
    LPJ = "lpj", "LPJ realisasi pelaksanaan APBDes"


class ReportSubmission(BaseModel):
    """A report sent to the Bupati through the camat: an act of the head with a date, which
    the monitoring pages measure for timeliness."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="submissions")
    kind = models.CharField("jenis laporan", max_length=10, choices=ReportKind.choices)
    submitted_on = models.DateField("tanggal disampaikan")
    number = models.CharField("nomor surat/Perdes", max_length=80, blank=True)
    # Figures at submission (totals per section and source), kept as sent.
    snapshot = models.JSONField("ringkasan saat disampaikan", default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["book", "kind"]
        verbose_name = "penyampaian laporan"
        verbose_name_plural = "penyampaian laporan"
        constraints = [models.UniqueConstraint(fields=["book", "kind"], name="report_submission_unique")]


class DesaStatus(models.TextChoices):
    VERY_LEFT_BEHIND = "sangat_tertinggal", "Sangat tertinggal"
    LEFT_BEHIND = "tertinggal", "Tertinggal"
    DEVELOPING = "berkembang", "Berkembang"
    ADVANCED = "maju", "Maju"
    INDEPENDENT = "mandiri", "Mandiri"


class VillageStatus(BaseModel):
    """The village's development status (IDM) in a year; Desa Mandiri get other tranche rates."""

    village = models.ForeignKey(Region, verbose_name="desa", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("tahun")
    status = models.CharField("status desa", max_length=20, choices=DesaStatus.choices)

    class Meta:
        ordering = ["village", "-year"]
        verbose_name = "status desa"
        verbose_name_plural = "status desa"
        constraints = [models.UniqueConstraint(fields=["village", "year"], name="village_status_unique")]


class TranchePart(models.TextChoices):
    REGULAR = "reguler", "Non-earmark, desa reguler"
    INDEPENDENT = "mandiri", "Non-earmark, Desa Mandiri"
    EARMARKED = "earmark", "Earmark"


class TrancheRule(BaseModel):
    """One tranche of Dana Desa in a year for one part (domain.md §3.2): its share and the
    conditions to receive it. A yearly table, edited by the regency, not code."""

    year = models.PositiveSmallIntegerField("tahun")
    part = models.CharField("bagian", max_length=8, choices=TranchePart.choices)
    tranche = models.PositiveSmallIntegerField("tahap")
    percent = models.DecimalField("persentase", max_digits=5, decimal_places=2)
    earliest_month = models.PositiveSmallIntegerField("paling cepat bulan", null=True, blank=True)
    latest_month = models.PositiveSmallIntegerField("paling lambat bulan", null=True, blank=True)
    requires_apbdes = models.BooleanField("Perdes APBDes ditetapkan", default=False)
    requires_previous_year_report = models.BooleanField("laporan realisasi tahun lalu", default=False)
    min_absorption = models.DecimalField(
        "penyerapan tahap sebelumnya minimal (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    min_output = models.DecimalField(
        "capaian keluaran tahap sebelumnya minimal (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    basis = models.CharField("dasar", max_length=200, blank=True)

    class Meta:
        ordering = ["year", "part", "tranche"]
        verbose_name = "aturan tahap Dana Desa"
        verbose_name_plural = "aturan tahap Dana Desa"
        constraints = [
            models.UniqueConstraint(fields=["year", "part", "tranche"], name="tranche_rule_unique")
        ]


class FinanceSetting(BaseModel):
    """The regency's execution settings (its Perbup on village finance)."""

    regency = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="finance_setting")
    require_stage_complete = models.BooleanField(
        "SPP tahap berikutnya hanya setelah tahap sebelumnya dilaporkan selesai", default=True
    )
    cash_limit = models.DecimalField(
        "batas kas tunai di Kaur Keuangan", max_digits=18, decimal_places=2, null=True, blank=True
    )
    advance_working_days = models.PositiveSmallIntegerField("batas SPJ panjar (hari kerja)", default=10)

    class Meta:
        verbose_name = "pengaturan pelaksanaan keuangan"
        verbose_name_plural = "pengaturan pelaksanaan keuangan"


class FinancingOutlay(BaseModel):
    """A financing expenditure (6.2: reserve fund, capital participation in BUMDes)."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="financing_outlays")
    number = models.CharField("nomor bukti", max_length=80)
    date = models.DateField("tanggal")
    account_code = models.CharField("rekening", max_length=20)
    source_code = models.CharField("sumber dana", max_length=4, blank=True)
    amount = models.DecimalField("jumlah", max_digits=18, decimal_places=2)
    description = models.CharField("uraian", max_length=300)
    method = models.CharField("cara bayar", max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField("nomor cek/referensi", max_length=60, blank=True)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["book", "-date", "-pk"]
        verbose_name = "pengeluaran pembiayaan"
        verbose_name_plural = "pengeluaran pembiayaan"
        constraints = [
            models.UniqueConstraint(fields=["book", "number"], name="financing_outlay_number_unique")
        ]


class AssetCategory(models.TextChoices):
    LAND = "tanah", "Tanah"
    EQUIPMENT = "peralatan", "Peralatan dan mesin"
    BUILDING = "gedung", "Gedung dan bangunan"
    NETWORK = "jalan", "Jalan, irigasi dan jaringan"
    OTHER_FIXED = "tetap_lain", "Aset tetap lainnya"
    IN_PROGRESS = "kdp", "Konstruksi dalam pengerjaan"
    INTANGIBLE = "tak_berwujud", "Aset tak berwujud"


class AssetOrigin(models.TextChoices):
    APBDES = "apbdes", "Belanja modal APBDes"
    GRANT = "hibah", "Hibah/sumbangan"
    GOVERNMENT = "pemerintah", "Bantuan pemerintah/pemda"
    SELF_HELP = "swadaya", "Swadaya masyarakat"
    ORIGINAL = "asli", "Kekayaan asli desa"
    OTHER = "lain", "Lainnya"


class AssetCondition(models.TextChoices):
    GOOD = "baik", "Baik"
    LIGHT = "rusak_ringan", "Rusak ringan"
    HEAVY = "rusak_berat", "Rusak berat"


class Asset(BaseModel):
    """An item of the village's inventory (Buku Inventaris dan Kekayaan Desa)."""

    village = models.ForeignKey(Region, verbose_name="desa", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("kode barang", max_length=40, blank=True)
    name = models.CharField("nama barang", max_length=200)
    category = models.CharField("golongan", max_length=14, choices=AssetCategory.choices)
    quantity = models.DecimalField("jumlah", max_digits=12, decimal_places=2, default=1)
    unit = models.CharField("satuan", max_length=30, default="unit")
    acquired_on = models.DateField("tanggal perolehan")
    value = models.DecimalField("nilai perolehan", max_digits=18, decimal_places=2)
    origin = models.CharField("asal", max_length=12, choices=AssetOrigin.choices)
    condition = models.CharField(
        "kondisi", max_length=14, choices=AssetCondition.choices, default=AssetCondition.GOOD
    )
    location = models.CharField("lokasi", max_length=200, blank=True)
    notes = models.TextField("keterangan", blank=True)
    spp = models.ForeignKey(Spp, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets")
    account_code = models.CharField("rekening belanja modal", max_length=20, blank=True)
    removed_on = models.DateField("tanggal dihapus", null=True, blank=True)
    removal_reason = models.CharField("alasan penghapusan", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["village", "category", "acquired_on", "pk"]
        verbose_name = "aset desa"
        verbose_name_plural = "aset desa"
        indexes = [models.Index(fields=["village", "category"])]
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="asset_value_positive")]
