"""Reference data of village finance: account codes, bidang/sub-bidang/kegiatan codes, sources
of funds, the regency's standard unit prices (SSH), its budget calendar, Dana Desa earmark
rules, and each village's indicative ceilings (pagu indikatif).

National rows carry ``regency=None``; a regency's own codes (the 90–99 range the Lampiran of
Permendagri 20/2018 leaves to each kabupaten) carry the regency.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from kampung.core.models import BaseModel
from kampung.regions.models import Region

MONEY_DIGITS = 18  # amounts: DecimalField(max_digits=18, decimal_places=2)


class Account(models.Model):
    """A kode rekening (Akun.Kelompok.Jenis.Obyek, e.g. ``5.2.7.03``)."""

    code = models.CharField("kode", max_length=20)
    level = models.PositiveSmallIntegerField("tingkat")  # 1 akun, 2 kelompok, 3 jenis, 4 obyek
    name = models.CharField("nama", max_length=255)
    lampiran_name = models.CharField("nama di Lampiran", max_length=255, blank=True)
    parent_code = models.CharField("kode induk", max_length=20, blank=True)
    regency = models.ForeignKey(
        Region,
        verbose_name="kabupaten",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The Lampiran's "90" row stands for the 90–99 range each regency fills in.
    is_local_range = models.BooleanField("rentang lokal 90–99", default=False)
    active = models.BooleanField("aktif", default=True)
    source = models.CharField("sumber data", max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "kode rekening"
        verbose_name_plural = "kode rekening"
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(regency__isnull=True), name="account_national_unique"
            ),
            models.UniqueConstraint(fields=["code", "regency"], name="account_regency_unique"),
        ]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def akun(self) -> str:
        return self.code.split(".")[0]


class ActivityLevel(models.TextChoices):
    BIDANG = "bidang", "Bidang"
    SUB_BIDANG = "sub_bidang", "Sub bidang"
    KEGIATAN = "kegiatan", "Kegiatan"


class ActivityCode(models.Model):
    """A bidang, sub-bidang or kegiatan code (``02.04.01``), Permendagri 20/2018 Lampiran."""

    code = models.CharField("kode", max_length=12)
    level = models.CharField("tingkat", max_length=12, choices=ActivityLevel.choices)
    name = models.CharField("nama", max_length=400)
    short_name = models.CharField("nama singkat (OpenSID/Siskeudes)", max_length=400, blank=True)
    parent_code = models.CharField("kode induk", max_length=12, blank=True)
    regency = models.ForeignKey(
        Region,
        verbose_name="kabupaten",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_local_range = models.BooleanField("rentang lokal 90–99", default=False)
    active = models.BooleanField("aktif", default=True)
    note = models.CharField("catatan", max_length=255, blank=True)
    source = models.CharField("sumber data", max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "kode bidang/kegiatan"
        verbose_name_plural = "kode bidang/kegiatan"
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(regency__isnull=True), name="activity_national_unique"
            ),
            models.UniqueConstraint(fields=["code", "regency"], name="activity_regency_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def bidang_code(self) -> str:
        return self.code[:2]

    @property
    def sub_bidang_code(self) -> str:
        return self.code[:5]


class FundSource(models.Model):
    """A source of funds (Siskeudes Ref_Sumber): PAD, ADD, DDS, PBH, PBK, PBP, SWD, DLL."""

    code = models.CharField("kode", max_length=8, primary_key=True)
    name = models.CharField("nama", max_length=120)
    variants = models.CharField("nama lain", max_length=255, blank=True)
    revenue_account = models.CharField("rekening pendapatan", max_length=20)
    # A transfer from the regency/province/centre: its revenue must match the ceiling.
    is_transfer = models.BooleanField("transfer (ada pagu)", default=False)
    order = models.PositiveSmallIntegerField("urutan", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "sumber dana"
        verbose_name_plural = "sumber dana"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class UnitPrice(BaseModel):
    """One item of the regency's standard unit-price list (Standar Satuan Harga, SSH)."""

    regency = models.ForeignKey(Region, verbose_name="kabupaten", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("tahun anggaran")
    code = models.CharField("kode", max_length=30)
    name = models.CharField("uraian", max_length=255)
    specification = models.CharField("spesifikasi", max_length=255, blank=True)
    unit = models.CharField("satuan", max_length=30)
    price = models.DecimalField("harga satuan", max_digits=18, decimal_places=2)
    account_code = models.CharField("rekening yang disarankan", max_length=20, blank=True)
    active = models.BooleanField("aktif", default=True)

    class Meta:
        ordering = ["regency", "year", "code"]
        verbose_name = "standar satuan harga"
        verbose_name_plural = "standar satuan harga"
        constraints = [models.UniqueConstraint(fields=["regency", "year", "code"], name="ssh_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.unit})"


class CalendarEvent(models.TextChoices):
    """The deadlines of the village finance year (domain.md §1.7); N is the budget year."""

    RPJMDES_PERDES = "rpjmdes_perdes", "Perdes RPJMDes (3 bulan setelah pelantikan kepala desa)"
    RKPDES_START = "rkpdes_mulai", "Mulai penyusunan RKPDes"
    RKPDES_PERDES = "rkpdes_perdes", "Penetapan Perdes RKPDes"
    APBDES_AGREED = "apbdes_disepakati", "Rancangan APBDes disepakati bersama BPD"
    APBDES_SUBMITTED = "apbdes_dikirim", "Rancangan APBDes dikirim ke camat untuk evaluasi"
    APBDES_ENACTED = "apbdes_ditetapkan", "Penetapan Perdes APBDes dan Perkades Penjabaran"
    SEMESTER_REPORT = "laporan_semester", "Laporan pelaksanaan APBDes semester I"
    APBDES_REVISION = "apbdes_perubahan", "APBDes Perubahan"
    UNFINISHED_REPORT = "laporan_kegiatan_belum_selesai", "Laporan kegiatan belum selesai (DPAL)"
    LPJ = "lpj", "LPJ realisasi APBDes"


class CalendarDeadline(BaseModel):
    """One deadline of a regency's budget calendar for budget year ``year`` (configurable)."""

    regency = models.ForeignKey(Region, verbose_name="kabupaten", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("tahun anggaran")
    event = models.CharField("tahapan", max_length=40, choices=CalendarEvent.choices)
    due_date = models.DateField("batas waktu")
    note = models.CharField("catatan", max_length=255, blank=True)

    class Meta:
        ordering = ["regency", "year", "due_date"]
        verbose_name = "jadwal keuangan desa"
        verbose_name_plural = "jadwal keuangan desa"
        constraints = [
            models.UniqueConstraint(fields=["regency", "year", "event"], name="calendar_event_unique")
        ]


class RuleKind(models.TextChoices):
    MAXIMUM = "maks", "Paling banyak"
    MINIMUM = "min", "Paling sedikit"


class EarmarkRule(BaseModel):
    """A yearly Dana Desa usage rule: spending on the listed kegiatan, paid from Dana Desa, is
    at most (or at least) ``percent`` of the village's Dana Desa (PMK/Perpres of the year).

    Kept as data, not code, because the rules change every year (domain.md §3.3).
    """

    year = models.PositiveSmallIntegerField("tahun anggaran")
    label = models.CharField("nama ketentuan", max_length=200)
    kind = models.CharField("jenis", max_length=4, choices=RuleKind.choices)
    percent = models.DecimalField("persen dari Dana Desa", max_digits=5, decimal_places=2)
    # Space-separated kegiatan or sub-bidang code prefixes, e.g. "05.03 04.02.03".
    activity_prefixes = models.CharField("kode kegiatan (awalan, dipisah spasi)", max_length=400)
    basis = models.CharField("dasar hukum", max_length=200, blank=True)

    class Meta:
        ordering = ["year", "label"]
        verbose_name = "ketentuan penggunaan Dana Desa"
        verbose_name_plural = "ketentuan penggunaan Dana Desa"

    def prefixes(self) -> list[str]:
        return [p for p in self.activity_prefixes.replace(",", " ").split() if p]


class Ceiling(BaseModel):
    """A village's indicative ceiling (pagu indikatif) for one source in one year, set by DPMD."""

    village = models.ForeignKey(Region, verbose_name="desa", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("tahun anggaran")
    source = models.ForeignKey(FundSource, verbose_name="sumber dana", on_delete=models.PROTECT)
    amount = models.DecimalField("pagu", max_digits=18, decimal_places=2)
    note = models.CharField("catatan", max_length=255, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["village", "year", "source"]
        verbose_name = "pagu indikatif"
        verbose_name_plural = "pagu indikatif"
        constraints = [models.UniqueConstraint(fields=["village", "year", "source"], name="ceiling_unique")]
