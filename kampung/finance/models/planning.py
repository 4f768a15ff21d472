"""Village planning: the RPJMDes for the head's term, the yearly RKPDes drawn from it, the
village deliberations (Musdes) and residents' proposals (Permendagri 114/2014; domain.md §1.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kampung.core.models import BaseModel
from kampung.finance.models.ref import ActivityCode, FundSource
from kampung.regions.models import Region


class PlanStatus(models.TextChoices):
    DRAFT = "draf", "Draf"
    ENACTED = "ditetapkan", "Ditetapkan (Perdes)"


class Rpjmdes(BaseModel):
    """The village medium-term plan for the head's term (6 years by UU 6/2014, 8 by UU 3/2024:
    the term is the period given here, not a constant)."""

    village = models.ForeignKey(Region, verbose_name="desa", on_delete=models.PROTECT, related_name="+")
    start_year = models.PositiveSmallIntegerField("tahun awal")
    end_year = models.PositiveSmallIntegerField("tahun akhir")
    head_name = models.CharField("kepala desa", max_length=120, blank=True)
    inaugurated_on = models.DateField("tanggal pelantikan kepala desa", null=True, blank=True)
    vision = models.TextField("visi", blank=True)
    status = models.CharField("status", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    perdes_number = models.CharField("nomor Perdes", max_length=60, blank=True)
    perdes_date = models.DateField("tanggal Perdes", null=True, blank=True)

    class Meta:
        ordering = ["village", "-start_year"]
        verbose_name = "RPJMDes"
        verbose_name_plural = "RPJMDes"
        constraints = [
            models.UniqueConstraint(fields=["village", "start_year"], name="rpjmdes_unique_start"),
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")), name="rpjmdes_years"
            ),
        ]

    def __str__(self) -> str:
        return f"RPJMDes {self.start_year}–{self.end_year}"

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


class GoalKind(models.TextChoices):
    MISSION = "misi", "Misi"
    GOAL = "tujuan", "Tujuan"
    TARGET = "sasaran", "Sasaran"


class RpjmGoal(models.Model):
    """A mission, goal or target of an RPJMDes (Siskeudes Ta_RPJM_Misi/Tujuan/Sasaran)."""

    rpjm = models.ForeignKey(Rpjmdes, on_delete=models.CASCADE, related_name="goals")
    kind = models.CharField("jenis", max_length=8, choices=GoalKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    order = models.PositiveSmallIntegerField("urutan", default=1)
    text = models.TextField("uraian")

    class Meta:
        ordering = ["rpjm", "kind", "order", "pk"]
        verbose_name = "misi/tujuan/sasaran"
        verbose_name_plural = "misi/tujuan/sasaran"

    def __str__(self) -> str:
        return self.text[:80]


class RpjmActivity(models.Model):
    """A planned kegiatan of the RPJMDes, with indicative amounts per year (RpjmAmount)."""

    rpjm = models.ForeignKey(Rpjmdes, on_delete=models.CASCADE, related_name="activities")
    activity_code = models.ForeignKey(ActivityCode, verbose_name="kegiatan", on_delete=models.PROTECT)
    name = models.CharField("nama kegiatan", max_length=400)
    location = models.CharField("lokasi", max_length=200, blank=True)
    output_target = models.CharField("sasaran keluaran", max_length=200, blank=True)
    beneficiaries = models.CharField("penerima manfaat", max_length=200, blank=True)

    class Meta:
        ordering = ["rpjm", "activity_code__code", "pk"]
        verbose_name = "kegiatan RPJMDes"
        verbose_name_plural = "kegiatan RPJMDes"

    def __str__(self) -> str:
        return self.name


class RpjmAmount(models.Model):
    """The indicative amount (pagu indikatif) of an RPJMDes kegiatan in one year of the term."""

    activity = models.ForeignKey(RpjmActivity, on_delete=models.CASCADE, related_name="amounts")
    year = models.PositiveSmallIntegerField("tahun")
    amount = models.DecimalField("pagu indikatif", max_digits=18, decimal_places=2)
    source = models.ForeignKey(FundSource, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["activity", "year"]
        constraints = [models.UniqueConstraint(fields=["activity", "year"], name="rpjm_amount_unique_year")]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class MusdesKind(models.TextChoices):
    RPJM = "rpjmdes", "Musdes penyusunan RPJMDes"
    RKP = "rkpdes", "Musdes perencanaan (RKPDes)"
    APBDES = "apbdes", "Musdes pembahasan APBDes"
    SPECIAL = "khusus", "Musdes khusus (mis. penetapan KPM BLT)"
    OTHER = "lainnya", "Musdes lainnya"


class Musdes(BaseModel):
    """A village deliberation (musyawarah desa): when, who came, and its minutes."""

    village = models.ForeignKey(Region, verbose_name="desa", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("jenis", max_length=10, choices=MusdesKind.choices)
    title = models.CharField("judul", max_length=200)
    held_on = models.DateField("tanggal")
    place = models.CharField("tempat", max_length=200, blank=True)
    year = models.PositiveSmallIntegerField("tahun anggaran yang dibahas", null=True, blank=True)
    participant_count = models.PositiveIntegerField("jumlah peserta", default=0)
    participants = models.TextField("peserta (unsur/nama)", blank=True)
    summary = models.TextField("ringkasan hasil", blank=True)
    minutes_file = models.FileField("berita acara (PDF)", upload_to="finance/musdes/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["village", "-held_on", "-pk"]
        verbose_name = "musyawarah desa"
        verbose_name_plural = "musyawarah desa"

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d-%m-%Y})"


class Rkpdes(BaseModel):
    """The yearly village work plan (RKPDes) for budget year ``year``."""

    village = models.ForeignKey(Region, verbose_name="desa", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("tahun anggaran")
    rpjm = models.ForeignKey(Rpjmdes, null=True, blank=True, on_delete=models.PROTECT, related_name="rkps")
    status = models.CharField("status", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    musdes = models.ForeignKey(Musdes, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    perdes_number = models.CharField("nomor Perdes", max_length=60, blank=True)
    perdes_date = models.DateField("tanggal Perdes", null=True, blank=True)

    class Meta:
        ordering = ["village", "-year"]
        verbose_name = "RKPDes"
        verbose_name_plural = "RKPDes"
        constraints = [models.UniqueConstraint(fields=["village", "year"], name="rkpdes_unique_year")]

    def __str__(self) -> str:
        return f"RKPDes {self.year}"


class RkpActivity(models.Model):
    """A kegiatan of the RKPDes with its output target, which execution reports against and
    the Dana Desa tranche rules measure (e.g. 300 m jalan rabat beton)."""

    rkp = models.ForeignKey(Rkpdes, on_delete=models.CASCADE, related_name="activities")
    rpjm_activity = models.ForeignKey(
        RpjmActivity, null=True, blank=True, on_delete=models.SET_NULL, related_name="rkp_activities"
    )
    activity_code = models.ForeignKey(ActivityCode, verbose_name="kegiatan", on_delete=models.PROTECT)
    name = models.CharField("nama kegiatan", max_length=400)
    location = models.CharField("lokasi", max_length=200, blank=True)
    volume = models.DecimalField("volume", max_digits=14, decimal_places=2, default=0)
    unit = models.CharField("satuan", max_length=40, blank=True)
    beneficiaries = models.CharField("penerima manfaat", max_length=200, blank=True)
    executor = models.CharField("pelaksana kegiatan", max_length=120, blank=True)
    amount = models.DecimalField("biaya", max_digits=18, decimal_places=2)
    source = models.ForeignKey(FundSource, verbose_name="sumber dana", on_delete=models.PROTECT)
    output_volume = models.DecimalField(
        "target keluaran (volume)", max_digits=14, decimal_places=2, default=0
    )
    output_unit = models.CharField("target keluaran (satuan)", max_length=40, blank=True)
    start_month = models.PositiveSmallIntegerField("bulan mulai", default=1)
    end_month = models.PositiveSmallIntegerField("bulan selesai", default=12)

    class Meta:
        ordering = ["rkp", "activity_code__code", "pk"]
        verbose_name = "kegiatan RKPDes"
        verbose_name_plural = "kegiatan RKPDes"

    def __str__(self) -> str:
        return self.name


class ProposalStatus(models.TextChoices):
    SUBMITTED = "diajukan", "Diajukan"
    ACCEPTED = "diterima", "Diterima Musdes"
    DECLINED = "ditolak", "Tidak diterima Musdes"


class ProposalChannel(models.TextChoices):
    ONLINE = "daring", "Daring (akun warga)"
    KIOSK = "anjungan", "Anjungan mandiri"
    COUNTER = "loket", "Kantor desa"


class Proposal(BaseModel):
    """An activity a resident proposes for the village plan; the Musdes accepts or declines it
    and the resident sees the outcome."""

    village = models.ForeignKey(Region, verbose_name="desa", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(
        "population.Resident", verbose_name="pengusul", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("saluran", max_length=10, choices=ProposalChannel.choices)
    year = models.PositiveSmallIntegerField("untuk tahun anggaran")
    title = models.CharField("usulan kegiatan", max_length=200)
    description = models.TextField("uraian dan alasan")
    location = models.CharField("lokasi", max_length=200, blank=True)
    activity_code = models.ForeignKey(
        ActivityCode, verbose_name="bidang/kegiatan", null=True, blank=True, on_delete=models.PROTECT
    )
    estimated_cost = models.DecimalField(
        "perkiraan biaya", null=True, blank=True, max_digits=18, decimal_places=2
    )
    status = models.CharField(
        "status", max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED
    )
    musdes = models.ForeignKey(
        Musdes, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    decision_note = models.TextField("catatan keputusan", blank=True)
    decided_at = models.DateTimeField("diputuskan pada", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rkp_activity = models.ForeignKey(
        RkpActivity, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )

    class Meta:
        ordering = ["village", "-created_at"]
        verbose_name = "usulan warga"
        verbose_name_plural = "usulan warga"
        indexes = [models.Index(fields=["village", "year", "status"])]

    def __str__(self) -> str:
        return self.title
