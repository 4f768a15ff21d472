"""Monitoring's tables.

Roll-ups: per village and period, kept current by the writes that change the source data
(see :mod:`kampung.monitoring.marks`). A district's and the regency's figures are sums of
their villages' rows, never recomputed from transactions at page time. Every roll-up row
carries its ``district_code`` so a regency page groups by district on an index.

Field monitoring: the district officer's visits to a physical kegiatan, with photos.
Alerts: what needs attention, per village, kept by the scheduled job and sent once through
the notification outbox.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from kampung.core.models import BaseModel, GeoPhoto
from kampung.regions.models import Region


class Area(models.TextChoices):
    """A part of the roll-ups that is recomputed as one unit for a village."""

    FINANCE = "keuangan", "Keuangan desa"
    PROJECTS = "proyek", "Kegiatan fisik"
    LETTERS = "layanan", "Layanan surat"
    PROGRAMMES = "program", "Program bantuan"
    POPULATION = "penduduk", "Kependudukan"


class RollupMark(models.Model):
    """Outbox: "this village's (or every village under this region's) ``area`` changed".
    Written in the transaction of the change (by the audit listener); applied after the
    request, or by ``kampung monitoring work``; deleted once applied."""

    region_code = models.CharField(max_length=13, db_index=True)
    area = models.CharField(max_length=12, choices=Area.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["area", "region_code"])]

    def __str__(self) -> str:
        return f"{self.area}@{self.region_code}"


class RollupState(models.Model):
    """When a village's area was last computed, and the day its time-dependent figures
    (ages, stalled cases, tranche windows) were computed for."""

    village = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    area = models.CharField(max_length=12, choices=Area.choices)
    computed_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["village", "area"], name="rollup_state_unique")]

    def __str__(self) -> str:
        return f"{self.area}@{self.village_id}"


class VillageRollup(models.Model):
    village = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    district_code = models.CharField(max_length=8, db_index=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.village_id}"


# -- finance ---------------------------------------------------------------------------------


class FinanceKind(models.TextChoices):
    BUDGET_REVENUE = "anggaran_pdp", "Anggaran pendapatan"  # month 0, by source
    BUDGET_SPENDING = "anggaran_blj", "Anggaran belanja"  # month 0, by source and bidang
    REVENUE = "pendapatan", "Realisasi pendapatan"  # by month and source
    SPENDING = "belanja", "Realisasi belanja"  # by month, source and bidang
    CASH = "kas", "Mutasi kas dan bank"  # net movement of cash + bank in the month
    SPP = "spp", "SPP"  # by month of the SPP date, kind (in ``source``) and current status


class FinanceFigure(VillageRollup):
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()  # 0 = the year (budget in force)
    kind = models.CharField(max_length=12, choices=FinanceKind.choices)
    source = models.CharField(max_length=4, blank=True)  # sumber dana; SPP: its kind (LS/UM)
    bidang = models.CharField(max_length=2, blank=True)  # "01".."05"
    status = models.CharField(max_length=22, blank=True)  # SPP status
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year", "month", "kind", "source", "bidang", "status"],
                name="finance_figure_unique",
            )
        ]
        indexes = [models.Index(fields=["year", "kind", "district_code"])]


class FinanceYear(VillageRollup):
    """One desa's budget year at a glance: APBDes dates against the calendar, books closed,
    reports sent, Dana Desa, tranche readiness, open advances."""

    year = models.PositiveSmallIntegerField()
    apbdes_status = models.CharField(max_length=20, blank=True)  # original version (revision 0)
    in_force = models.BooleanField(default=False)  # an enacted version exists
    revisions = models.PositiveSmallIntegerField(default=0)
    agreed_on = models.DateField(null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    enacted_on = models.DateField(null=True, blank=True)  # Perdes date of revision 0
    closed_through = models.PositiveSmallIntegerField(default=0)
    semester_on = models.DateField(null=True, blank=True)
    lpj_on = models.DateField(null=True, blank=True)
    dd_budget = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    dd_received = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    dd_spent = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    # [{"part", "tranche", "amount", "received", "ready", "done", "late", "missing": [...]}]
    # for the next tranche of each part, as of ``as_of``.
    tranches = models.JSONField(default=list)
    # Open advances (UM paid, no SPJ yet): [["YYYY-MM-DD" spj due or "", "amount"], ...]
    advances = models.JSONField(default=list)
    as_of = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["village", "year"], name="finance_year_unique")]
        indexes = [models.Index(fields=["year", "district_code"])]


# -- physical kegiatan -----------------------------------------------------------------------


class ProjectFigure(VillageRollup):
    """One physical kegiatan of a year: budget, money spent, physical progress (the newest of
    the executor's reports and the district's visits) and when it was last seen."""

    year = models.PositiveSmallIntegerField()
    activity_code = models.CharField(max_length=12)
    name = models.CharField(max_length=400)
    location = models.CharField(max_length=200, blank=True)
    start_month = models.PositiveSmallIntegerField(default=1)
    end_month = models.PositiveSmallIntegerField(default=12)
    budget = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    spent = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    physical_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    progress_on = models.DateField(null=True, blank=True)  # date of that newest figure
    last_report_on = models.DateField(null=True, blank=True)
    last_visit_on = models.DateField(null=True, blank=True)
    visits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "activity_code"], name="project_figure_unique")
        ]
        indexes = [models.Index(fields=["year", "district_code"])]


# -- letters ---------------------------------------------------------------------------------

# Time from submission to issue, in hours: bucket i holds durations <= HOURS[i]
# (the last bucket everything longer). Fixed, so histograms of villages add up exactly.
HISTOGRAM_HOURS: tuple[float, ...] = (1, 2, 4, 8, 24, 48, 72, 120, 168, 336, 720)
HISTOGRAM_BUCKETS = len(HISTOGRAM_HOURS) + 1
HISTOGRAM_FIELDS: tuple[str, ...] = tuple(f"h{i:02d}" for i in range(HISTOGRAM_BUCKETS))


class LetterMonth(VillageRollup):
    """Letters of one type in one month: requests submitted in the month; issued, rejected and
    cancelled in the month, with the issued ones' time to issue as a fixed histogram."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    letter_type = models.CharField(max_length=80)  # LetterType.slug
    submitted = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    h00 = models.PositiveIntegerField(default=0)
    h01 = models.PositiveIntegerField(default=0)
    h02 = models.PositiveIntegerField(default=0)
    h03 = models.PositiveIntegerField(default=0)
    h04 = models.PositiveIntegerField(default=0)
    h05 = models.PositiveIntegerField(default=0)
    h06 = models.PositiveIntegerField(default=0)
    h07 = models.PositiveIntegerField(default=0)
    h08 = models.PositiveIntegerField(default=0)
    h09 = models.PositiveIntegerField(default=0)
    h10 = models.PositiveIntegerField(default=0)
    h11 = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year", "month", "letter_type"], name="letter_month_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "district_code"])]


class LetterOpen(VillageRollup):
    """Requests still open, by type, status and due date: "overdue" is counted at page time
    against the day (due_on < today), so it is right on any day without a refresh."""

    letter_type = models.CharField(max_length=80)  # LetterType.slug
    status = models.CharField(max_length=16)
    due_on = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "letter_type", "status", "due_on"], name="letter_open_unique"
            )
        ]
        indexes = [models.Index(fields=["district_code", "due_on"])]


# -- programmes ------------------------------------------------------------------------------


class ProgrammeFigure(VillageRollup):
    """One programme year in one village: cases by stage and money
    (:class:`kampung.assistance.selectors.overview.Figures`)."""

    year = models.PositiveSmallIntegerField()
    programme = models.CharField(max_length=30)  # Programme.code
    counts = models.JSONField(default=dict)  # {stage: cases}
    committed = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    paid = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    finished = models.PositiveIntegerField(default=0)
    stalled = models.PositiveIntegerField(default=0)
    decisions_issued = models.PositiveIntegerField(default=0)
    decisions_delegated = models.PositiveIntegerField(default=0)
    decisions_mandated = models.PositiveIntegerField(default=0)
    decisions_routed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "programme"], name="programme_figure_unique")
        ]
        indexes = [models.Index(fields=["year", "programme", "district_code"])]


# -- population ------------------------------------------------------------------------------

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-4", 0, 4),
    ("5-9", 5, 9),
    ("10-14", 10, 14),
    ("15-19", 15, 19),
    ("20-24", 20, 24),
    ("25-29", 25, 29),
    ("30-34", 30, 34),
    ("35-39", 35, 39),
    ("40-44", 40, 44),
    ("45-49", 45, 49),
    ("50-54", 50, 54),
    ("55-59", 55, 59),
    ("60-64", 60, 64),
    ("65-69", 65, 69),
    ("70-74", 70, 74),
    ("75+", 75, 200),
)


class PopulationFigure(VillageRollup):
    """Living residents registered in the village by sex and five-year age band, on ``as_of``
    of the village's state (ages move with the calendar: the daily job recomputes)."""

    sex = models.PositiveSmallIntegerField()
    age_band = models.CharField(max_length=6)
    residents = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village", "sex", "age_band"], name="population_figure_unique")
        ]


class PopulationVillage(VillageRollup):
    residents = models.PositiveIntegerField(default=0)
    families = models.PositiveIntegerField(default=0)
    as_of = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["village"], name="population_village_unique")]


class PopulationEvent(VillageRollup):
    """Life events (births, deaths, moves) by the month they happened."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10)  # LifeEventKind
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year", "month", "kind"], name="population_event_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "district_code"])]


# -- field monitoring ------------------------------------------------------------------------


class FieldVisit(BaseModel):
    """A district officer's visit to a physical kegiatan: what they saw, with photos."""

    village = models.ForeignKey(Region, verbose_name="desa", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("tahun anggaran")
    activity_code = models.CharField("kode kegiatan", max_length=12)
    activity_name = models.CharField("nama kegiatan", max_length=400)
    visited_on = models.DateField("tanggal kunjungan")
    percent = models.DecimalField("kemajuan fisik (%)", max_digits=5, decimal_places=2)
    notes = models.TextField("catatan", blank=True)
    findings = models.TextField("temuan dan tindak lanjut", blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="petugas"
    )

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = "kunjungan lapangan"
        verbose_name_plural = "kunjungan lapangan"
        indexes = [models.Index(fields=["village", "year", "activity_code"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gte=0, percent__lte=100), name="field_visit_percent_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.activity_code} {self.visited_on}"


class PhotoLocation(models.TextChoices):
    EXIF = "exif", "Dari data foto (EXIF)"
    BROWSER = "peramban", "Dari lokasi perangkat"


def _visit_photo_path(instance: FieldVisitPhoto, filename: str) -> str:
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(instance.content_type, "bin")
    visit = instance.visit
    return f"private/monitoring/{visit.village_id}/{visit.year}/{uuid.uuid4().hex}.{ext}"


class FieldVisitPhoto(GeoPhoto):
    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField("berkas", upload_to=_visit_photo_path, max_length=200)
    location_source = models.CharField(
        "sumber lokasi", max_length=10, choices=PhotoLocation.choices, blank=True
    )

    class Meta:
        ordering = ["visit", "pk"]
        verbose_name = "foto kunjungan"
        verbose_name_plural = "foto kunjungan"

    def __str__(self) -> str:
        return f"foto {self.pk} kunjungan {self.visit_id}"


# -- alerts ----------------------------------------------------------------------------------


class AlertKind(models.TextChoices):
    REPORT_LATE = "laporan_terlambat", "Laporan belum disampaikan lewat batas waktu"
    APBDES_LATE = "apbdes_terlambat", "APBDes belum ditetapkan lewat batas waktu"
    LETTERS_OVERDUE = "surat_terlambat", "Permohonan surat melewati target waktu"
    PROJECT_STALLED = "kegiatan_macet", "Kegiatan fisik tertinggal atau tanpa kunjungan"
    ADVANCE_OPEN = "panjar_terbuka", "Panjar belum dipertanggungjawabkan lewat batas"
    SPENDING_PATTERN = "belanja_tak_wajar", "Belanja desa di luar pola biasanya"
    CASES_STALLED = "bantuan_macet", "Kasus bantuan tidak bergerak"


class Alert(models.Model):
    """One thing that needs attention in one village. ``key`` identifies it across runs
    (kind, village and the object), so it is opened once, sent once, and closed when it
    no longer holds."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    village = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    district_code = models.CharField(max_length=8, db_index=True)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-first_seen_at", "-pk"]
        indexes = [models.Index(fields=["resolved_at", "district_code"])]

    def __str__(self) -> str:
        return self.key


class MonitoringSetting(BaseModel):
    """The regency's thresholds for monitoring ([U]: our defaults; the DPMD edits them)."""

    regency = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="+")
    # Kegiatan whose code starts with one of these (comma-separated) are physical works.
    physical_prefixes = models.CharField("awalan kode kegiatan fisik", max_length=100, default="02.")
    visit_days = models.PositiveSmallIntegerField("kunjungan paling lambat tiap (hari)", default=60)
    behind_points = models.PositiveSmallIntegerField("tertinggal jadwal bila selisih > (poin %)", default=20)
    ahead_points = models.PositiveSmallIntegerField(
        "belanja mendahului fisik bila selisih > (poin %)", default=20
    )
    spending_factor = models.DecimalField(
        "belanja sebulan tak wajar bila > rata-rata × ", max_digits=4, decimal_places=1, default=3
    )
    spending_floor = models.DecimalField(
        "dan lebih dari (Rp)", max_digits=18, decimal_places=2, default=50_000_000
    )
    stalled_days = models.PositiveSmallIntegerField("kasus bantuan macet setelah (hari)", default=30)

    class Meta:
        verbose_name = "pengaturan pemantauan"
        verbose_name_plural = "pengaturan pemantauan"

    def __str__(self) -> str:
        return f"pemantauan {self.regency_id}"
