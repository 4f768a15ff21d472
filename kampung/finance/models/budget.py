"""The village budget (APBDes) and its execution documents (DPA, RAK).

One row of :class:`Apbdes` is one version: revision 0 is the original budget, revision 1 the
APBDes Perubahan (more only under an extraordinary-event flag). A revision copies the lines of
the version it revises and keeps a link (``origin``) to each, so the original and the revised
figures stand side by side. Amounts are stored per line; totals are always computed from the
lines (:mod:`kampung.finance.budget`), never stored.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from kampung.core.models import BaseModel
from kampung.finance.models.planning import RkpActivity, Rkpdes
from kampung.finance.models.ref import Account, ActivityCode, FundSource, UnitPrice
from kampung.regions.models import Region


class ApbdesStatus(models.TextChoices):
    DRAFT = "draf", "Draf"
    AGREED = "disepakati", "Disepakati bersama BPD"
    SUBMITTED = "dievaluasi", "Dikirim ke camat (evaluasi)"
    RETURNED = "dikembalikan", "Dikembalikan untuk diperbaiki"
    APPROVED = "disetujui", "Hasil evaluasi: disetujui"
    ENACTED = "ditetapkan", "Ditetapkan (Perdes)"
    ELABORATED = "dijabarkan", "Dijabarkan (Perkades Penjabaran)"


# States in which the lines may still be changed.
EDITABLE_STATES = frozenset({ApbdesStatus.DRAFT, ApbdesStatus.RETURNED})


class Apbdes(BaseModel):
    village = models.ForeignKey(Region, verbose_name="desa", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("tahun anggaran")
    revision = models.PositiveSmallIntegerField("perubahan ke-", default=0)
    base = models.ForeignKey(
        "self",
        verbose_name="versi yang diubah",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    extraordinary = models.BooleanField("keadaan luar biasa", default=False)
    extraordinary_reason = models.TextField("alasan keadaan luar biasa", blank=True)
    rkp = models.ForeignKey(Rkpdes, null=True, blank=True, on_delete=models.SET_NULL, related_name="apbdes")
    status = models.CharField(
        "status", max_length=12, choices=ApbdesStatus.choices, default=ApbdesStatus.DRAFT
    )
    bpd_agreed_on = models.DateField("tanggal kesepakatan BPD", null=True, blank=True)
    bpd_minutes_number = models.CharField("nomor berita acara BPD", max_length=80, blank=True)
    submitted_on = models.DateField("tanggal dikirim ke camat", null=True, blank=True)
    evaluation_due = models.DateField("batas evaluasi", null=True, blank=True)
    evaluated_on = models.DateField("tanggal evaluasi", null=True, blank=True)
    deemed_approved = models.BooleanField("disetujui karena lewat waktu", default=False)
    perdes_number = models.CharField("nomor Perdes", max_length=60, blank=True)
    perdes_date = models.DateField("tanggal Perdes", null=True, blank=True)
    penjabaran_number = models.CharField("nomor Perkades Penjabaran", max_length=60, blank=True)
    penjabaran_date = models.DateField("tanggal Perkades Penjabaran", null=True, blank=True)
    is_current = models.BooleanField("versi berlaku", default=True)

    class Meta:
        ordering = ["village", "-year", "-revision"]
        verbose_name = "APBDes"
        verbose_name_plural = "APBDes"
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "revision"], name="apbdes_unique_version")
        ]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        if self.revision:
            return f"APBDes Perubahan {self.year}" + (f" ke-{self.revision}" if self.revision > 1 else "")
        return f"APBDes {self.year}"

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATES


class EvaluationResult(models.TextChoices):
    APPROVED = "disetujui", "Disetujui"
    RETURNED = "dikembalikan", "Dikembalikan dengan catatan"
    DEEMED = "lewat_waktu", "Dianggap disetujui (20 hari kerja tanpa jawaban)"


class ApbdesEvaluation(BaseModel):
    """One evaluation of a submitted APBDes draft (Permendagri 20/2018 Pasal 35–36)."""

    apbdes = models.ForeignKey(Apbdes, on_delete=models.CASCADE, related_name="evaluations")
    result = models.CharField("hasil", max_length=12, choices=EvaluationResult.choices)
    notes = models.TextField("catatan", blank=True)
    decided_on = models.DateField("tanggal")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    basis = models.CharField("dasar kewenangan", max_length=300, blank=True)

    class Meta:
        ordering = ["apbdes", "decided_on", "pk"]
        verbose_name = "evaluasi APBDes"
        verbose_name_plural = "evaluasi APBDes"


class RevenueLine(models.Model):
    """Budgeted revenue on a level-4 account (4.x.x.xx) from one source."""

    apbdes = models.ForeignKey(Apbdes, on_delete=models.CASCADE, related_name="revenues")
    account = models.ForeignKey(Account, verbose_name="rekening", on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(
        FundSource, verbose_name="sumber dana", on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField("uraian", max_length=255, blank=True)
    amount = models.DecimalField("anggaran", max_digits=18, decimal_places=2)
    origin = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["apbdes", "account__code", "pk"]
        verbose_name = "pendapatan"
        verbose_name_plural = "pendapatan"

    def __str__(self) -> str:
        return f"{self.account.code} {self.description or self.account.name}"


class BudgetActivity(models.Model):
    """A kegiatan in the APBDes: spending is budgeted per kegiatan in lines (RAB)."""

    apbdes = models.ForeignKey(Apbdes, on_delete=models.CASCADE, related_name="activities")
    activity_code = models.ForeignKey(ActivityCode, verbose_name="kegiatan", on_delete=models.PROTECT)
    rkp_activity = models.ForeignKey(
        RkpActivity, null=True, blank=True, on_delete=models.SET_NULL, related_name="budget_activities"
    )
    name = models.CharField("nama kegiatan", max_length=400)
    location = models.CharField("lokasi", max_length=200, blank=True)
    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="pelaksana kegiatan (PKA)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    executor_name = models.CharField("nama pelaksana", max_length=120, blank=True)
    output_volume = models.DecimalField(
        "target keluaran (volume)", max_digits=14, decimal_places=2, default=0
    )
    output_unit = models.CharField("target keluaran (satuan)", max_length=40, blank=True)
    start_month = models.PositiveSmallIntegerField("bulan mulai", default=1)
    end_month = models.PositiveSmallIntegerField("bulan selesai", default=12)
    origin = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["apbdes", "activity_code__code", "pk"]
        verbose_name = "kegiatan APBDes"
        verbose_name_plural = "kegiatan APBDes"

    def __str__(self) -> str:
        return f"{self.activity_code.code} {self.name}"


class BudgetLine(models.Model):
    """One RAB line: description, volume x unit price on a level-4 spending account and source.

    ``amount`` is volume x unit price, rounded to whole rupiah, and is kept in step by
    :func:`kampung.finance.budget.line_amount` at every save through the services.
    """

    activity = models.ForeignKey(BudgetActivity, on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey(Account, verbose_name="rekening", on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(
        FundSource, verbose_name="sumber dana", on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField("uraian", max_length=255)
    volume = models.DecimalField("volume", max_digits=14, decimal_places=2)
    unit = models.CharField("satuan", max_length=30)
    unit_price = models.DecimalField("harga satuan", max_digits=18, decimal_places=2)
    amount = models.DecimalField("jumlah", max_digits=18, decimal_places=2)
    unit_price_ref = models.ForeignKey(
        UnitPrice, verbose_name="SSH", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    origin = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["activity", "account__code", "pk"]
        verbose_name = "rincian anggaran belanja"
        verbose_name_plural = "rincian anggaran belanja"

    def __str__(self) -> str:
        return self.description


class FinancingLine(models.Model):
    """Financing: receipts (6.1, e.g. 6.1.1.01 SiLPA) and expenditures (6.2, e.g. reserve funds)."""

    apbdes = models.ForeignKey(Apbdes, on_delete=models.CASCADE, related_name="financing")
    account = models.ForeignKey(Account, verbose_name="rekening", on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(
        FundSource,
        verbose_name="sumber dana",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField("uraian", max_length=255, blank=True)
    amount = models.DecimalField("anggaran", max_digits=18, decimal_places=2)
    origin = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["apbdes", "account__code", "pk"]
        verbose_name = "pembiayaan"
        verbose_name_plural = "pembiayaan"

    def __str__(self) -> str:
        return f"{self.account.code} {self.description or self.account.name}"


class DocStatus(models.TextChoices):
    DRAFT = "draf", "Draf"
    VERIFIED = "diverifikasi", "Diverifikasi sekretaris desa"
    APPROVED = "disetujui", "Disetujui kepala desa"


class Dpa(BaseModel):
    """The execution document (DPA) of one kegiatan, drafted by its executor, verified by the
    secretary and approved by the head (Permendagri 20/2018 Pasal 44)."""

    activity = models.OneToOneField(BudgetActivity, on_delete=models.CASCADE, related_name="dpa")
    number = models.CharField("nomor DPA", max_length=60, blank=True)
    status = models.CharField("status", max_length=14, choices=DocStatus.choices, default=DocStatus.DRAFT)
    verified_on = models.DateField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "DPA"
        verbose_name_plural = "DPA"


class Rak(BaseModel):
    """The village cash plan (RAK Desa) of one APBDes version: drafted by the treasurer,
    verified by the secretary, approved by the head. Its months are in :class:`RakEntry`."""

    apbdes = models.OneToOneField(Apbdes, on_delete=models.CASCADE, related_name="rak")
    status = models.CharField("status", max_length=14, choices=DocStatus.choices, default=DocStatus.DRAFT)
    verified_on = models.DateField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "RAK Desa"
        verbose_name_plural = "RAK Desa"


class RakEntry(models.Model):
    """The planned cash-out of one budget line in one month; a line's months add up to it."""

    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="rak_entries")
    month = models.PositiveSmallIntegerField("bulan")
    amount = models.DecimalField("rencana", max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["line", "month"]
        constraints = [
            models.UniqueConstraint(fields=["line", "month"], name="rak_entry_unique_month"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="rak_entry_month"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}/{self.month}: {self.amount}"


ZERO = Decimal("0")
