"""A programme: who it is for (criteria), what it gives (amount, quota, cycle), who pays
(funding) and who decides (the act ``assistance.<code>.decide``). OpenSPP's shape:
eligibility, entitlement and cycles, configured by the regency."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from kampung.authority.catalogue import programme_decide_act
from kampung.core.models import BaseModel
from kampung.regions.models import Region


class ProgrammeKind(models.TextChoices):
    HOUSING = "rtlh", "Perbaikan rumah tidak layak huni (RTLH)"
    CASH = "blt", "Bantuan langsung tunai (BLT Dana Desa)"
    OTHER = "lain", "Bantuan lain"


class FundingKind(models.TextChoices):
    APBDES = "apbdes", "APBDes (anggaran desa)"
    APBD = "apbd", "APBD kabupaten"
    APBN = "apbn", "APBN / kementerian"
    OTHER = "lain", "Lainnya (CSR, Baznas, swadaya)"


class Cycle(models.TextChoices):
    YEARLY = "tahunan", "Tahunan (sekali per tahun)"
    MONTHLY = "bulanan", "Bulanan"


class Programme(BaseModel):
    """One assistance programme of a regency. Its ``code`` names its decision act
    (``assistance.<code>.decide``), registered in the authority register with the programme."""

    regency = models.ForeignKey(Region, verbose_name="kabupaten", on_delete=models.PROTECT, related_name="+")
    code = models.SlugField("kode program", max_length=30, unique=True)
    name = models.CharField("nama program", max_length=160)
    kind = models.CharField("jenis", max_length=10, choices=ProgrammeKind.choices)
    description = models.TextField("uraian", blank=True)
    funding_kind = models.CharField(
        "sumber pendanaan", max_length=10, choices=FundingKind.choices, default=FundingKind.APBDES
    )
    # For APBDes-funded programmes: the kegiatan and account the village budgets it under
    # (RTLH: 02.04.01 with 5.2.7.03; BLT: 05.03.00 with 5.4.1.01).
    activity_code = models.CharField("kode kegiatan APBDes", max_length=12, blank=True)
    account_code = models.CharField("kode rekening belanja", max_length=16, blank=True)
    cycle = models.CharField("siklus", max_length=10, choices=Cycle.choices, default=Cycle.YEARLY)
    # Defaults for a new year (ProgrammeYear copies them; the regency changes a year's row).
    amount = models.DecimalField(
        "bantuan per penerima (per bulan untuk siklus bulanan)", max_digits=14, decimal_places=2
    )
    quota_per_village = models.PositiveIntegerField("kuota per desa per tahun", default=0)
    months = models.PositiveSmallIntegerField("jumlah bulan bantuan per tahun", default=12)
    dd_cap_percent = models.DecimalField(
        "batas persen dari Dana Desa", max_digits=5, decimal_places=2, null=True, blank=True
    )
    min_score = models.DecimalField("skor minimum", max_digits=7, decimal_places=2, default=Decimal("0"))
    # Housing aid received within this many years excludes a household (BSPS: 10). 0: no rule.
    aid_exclusion_years = models.PositiveSmallIntegerField("larangan bantuan ulang (tahun)", default=0)
    # Read by the public pages (#10): beneficiaries by name (with hamlet, never an address).
    publish_names = models.BooleanField("umumkan nama penerima di halaman publik", default=False)
    active = models.BooleanField("aktif", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "program bantuan"
        verbose_name_plural = "program bantuan"

    def __str__(self) -> str:
        return self.name

    @property
    def decide_act(self) -> str:
        return programme_decide_act(self.code)

    @property
    def is_housing(self) -> bool:
        return self.kind == ProgrammeKind.HOUSING

    @property
    def is_monthly(self) -> bool:
        return self.cycle == Cycle.MONTHLY


class ProgrammeYear(BaseModel):
    """A programme's settings for one year (the amount, quota, months and Dana Desa cap change
    yearly: BLT Rp300.000 per month and at most 15 % of Dana Desa in 2025, domain.md §3.3)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField("tahun")
    amount = models.DecimalField("bantuan per penerima", max_digits=14, decimal_places=2)
    quota_per_village = models.PositiveIntegerField("kuota per desa", default=0)
    months = models.PositiveSmallIntegerField("jumlah bulan", default=12)
    dd_cap_percent = models.DecimalField(
        "batas persen dari Dana Desa", max_digits=5, decimal_places=2, null=True, blank=True
    )
    # Money the regency (APBD/APBN programmes) has for the whole year; None: no ceiling here
    # (APBDes programmes are limited by each village's budget line instead).
    budget_ceiling = models.DecimalField(
        "pagu program kabupaten", max_digits=18, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["programme", "-year"]
        verbose_name = "pengaturan tahunan program"
        verbose_name_plural = "pengaturan tahunan program"
        constraints = [models.UniqueConstraint(fields=["programme", "year"], name="programmeyear_unique")]

    def __str__(self) -> str:
        return f"{self.programme} {self.year}"


class VillageQuota(models.Model):
    """A village's own quota for a programme year, where it differs from the default."""

    programme_year = models.ForeignKey(ProgrammeYear, on_delete=models.CASCADE, related_name="quotas")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    quota = models.PositiveIntegerField("kuota")

    class Meta:
        verbose_name = "kuota desa"
        verbose_name_plural = "kuota desa"
        constraints = [
            models.UniqueConstraint(fields=["programme_year", "village"], name="villagequota_unique")
        ]

    def __str__(self) -> str:
        return f"{self.village_id}: {self.quota}"


class CriterionKind(models.TextChoices):
    SCORE = "skor", "Indikator skor"
    KNOCKOUT = "syarat", "Syarat wajib (gugur bila tidak terpenuhi)"


class Operator(models.TextChoices):
    LT = "lt", "kurang dari"
    LE = "le", "paling banyak"
    GT = "gt", "lebih dari"
    GE = "ge", "paling sedikit"
    EQ = "eq", "sama dengan"
    IN = "in", "salah satu dari"
    NOT_IN = "not_in", "bukan salah satu dari"
    YES = "ya", "ya"
    NO = "tidak", "tidak"


class Criterion(BaseModel):
    """One line of a programme's scoring sheet: a condition on one survey attribute
    (``attributes.ATTRIBUTES``). A score indicator adds ``weight`` when the condition holds;
    a knock-out refuses the case, with this line's description, when it does not."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField("kode", max_length=20)
    group = models.CharField("kelompok", max_length=60, blank=True)
    description = models.CharField("uraian", max_length=300)
    kind = models.CharField("jenis", max_length=8, choices=CriterionKind.choices)
    attribute = models.CharField("data survei", max_length=40)
    operator = models.CharField("syarat", max_length=8, choices=Operator.choices)
    value = models.CharField("nilai", max_length=200, blank=True)
    weight = models.DecimalField("bobot", max_digits=6, decimal_places=2, default=Decimal("0"))
    order = models.PositiveSmallIntegerField("urutan", default=0)
    active = models.BooleanField("aktif", default=True)
    source = models.CharField("sumber", max_length=400, blank=True)

    class Meta:
        ordering = ["programme", "order", "code"]
        verbose_name = "kriteria"
        verbose_name_plural = "kriteria"
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="criterion_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class AidHistory(BaseModel):
    """Housing aid a household received outside Kampung (BSPS lists, earlier APBD or CSR
    programmes), kept so the 10-year rule sees it. Aid decided in Kampung is read from cases."""

    regency = models.ForeignKey(Region, verbose_name="kabupaten", on_delete=models.PROTECT, related_name="+")
    nik = models.CharField("NIK", max_length=16, blank=True, db_index=True)
    kk_number = models.CharField("nomor KK", max_length=16, blank=True, db_index=True)
    name = models.CharField("nama", max_length=150)
    year = models.PositiveSmallIntegerField("tahun bantuan")
    source = models.CharField("sumber bantuan", max_length=120)
    note = models.CharField("keterangan", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = "riwayat bantuan perumahan"
        verbose_name_plural = "riwayat bantuan perumahan"

    def __str__(self) -> str:
        return f"{self.name} {self.year} {self.source}"
