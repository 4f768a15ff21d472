"""A household's case in a programme, from registration to handover, and what is recorded
along the way: the survey with its photos, the Musdes, the decision, progress, handover and
(BLT) the monthly payments. Every step writes a :class:`CaseEvent` (the case's timeline)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from kampung.assistance.models.programme import Programme
from kampung.core.models import BaseModel, GeoPhoto
from kampung.regions.models import Region


class Channel(models.TextChoices):
    OPERATOR = "operator", "Didaftarkan petugas desa"
    ONLINE = "daring", "Permohonan warga (daring)"
    KIOSK = "anjungan", "Anjungan mandiri"


class CaseStatus(models.TextChoices):
    REGISTERED = "terdaftar", "Terdaftar, menunggu survei"
    REFUSED = "ditolak", "Tidak memenuhi syarat"
    ELIGIBLE = "layak", "Layak, menunggu musyawarah desa"
    PRIORITISED = "prioritas", "Diprioritaskan musyawarah desa"
    PROPOSED = "diusulkan", "Diusulkan dalam rancangan keputusan"
    DECIDED = "ditetapkan", "Ditetapkan sebagai penerima"
    PAID = "dibayar", "Dana bantuan disalurkan"
    IN_PROGRESS = "dikerjakan", "Sedang dikerjakan"
    DONE = "selesai", "Selesai (serah terima)"
    CANCELLED = "dibatalkan", "Dibatalkan"


# A case in these states holds its household's place in the programme year (duplicates are
# refused against them, across villages).
OPEN_STATUSES = (
    CaseStatus.REGISTERED,
    CaseStatus.ELIGIBLE,
    CaseStatus.PRIORITISED,
    CaseStatus.PROPOSED,
    CaseStatus.DECIDED,
    CaseStatus.PAID,
    CaseStatus.IN_PROGRESS,
    CaseStatus.DONE,
)
# A household in these states received (or is receiving) the aid: the 10-year rule counts them.
AIDED_STATUSES = (CaseStatus.DECIDED, CaseStatus.PAID, CaseStatus.IN_PROGRESS, CaseStatus.DONE)


class Case(BaseModel):
    """One household in one programme year. ``nik``/``kk_number``/``name`` are copied from the
    register at registration, so the case keeps what was decided even if the register changes."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cases")
    year = models.PositiveSmallIntegerField("tahun")
    village = models.ForeignKey(Region, verbose_name="desa", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("nomor kasus", max_length=40)
    family = models.ForeignKey(
        "population.Family", verbose_name="keluarga", on_delete=models.PROTECT, related_name="+"
    )
    beneficiary = models.ForeignKey(
        "population.Resident", verbose_name="penerima", on_delete=models.PROTECT, related_name="+"
    )
    nik = models.CharField("NIK penerima", max_length=16)
    kk_number = models.CharField("nomor KK", max_length=16)
    name = models.CharField("nama penerima", max_length=150)
    dusun = models.CharField("dusun", max_length=60, blank=True)
    rw = models.CharField("RW", max_length=3, blank=True)
    rt = models.CharField("RT", max_length=3, blank=True)
    channel = models.CharField("asal pendaftaran", max_length=10, choices=Channel.choices)
    reason = models.TextField("alasan permohonan", blank=True)
    registered_on = models.DateField("tanggal daftar")
    status = models.CharField(
        "tahap", max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED
    )
    score = models.DecimalField("skor", max_digits=7, decimal_places=2, null=True, blank=True)
    # Short code of the refusal ("syarat:RTLH-B02", "bantuan_10_tahun", "duplikat", "skor")
    # and the reason shown to the household.
    refusal_code = models.CharField("kode penolakan", max_length=40, blank=True)
    refusal_reason = models.TextField("alasan penolakan", blank=True)
    priority = models.PositiveIntegerField("urutan prioritas musdes", null=True, blank=True)
    deliberation = models.ForeignKey(
        "assistance.Deliberation", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    decision = models.ForeignKey(
        "assistance.Decision", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    amount = models.DecimalField("nilai bantuan", max_digits=14, decimal_places=2, null=True, blank=True)
    spp = models.ForeignKey("finance.Spp", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    paid_on = models.DateField("tanggal disalurkan", null=True, blank=True)
    progress = models.PositiveSmallIntegerField("kemajuan fisik (%)", default=0)
    done_on = models.DateField("tanggal selesai", null=True, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when the case stopped moving (refused, cancelled, done) for the stalled-case views.
    closed_at = models.DateTimeField(null=True, blank=True)
    # The last time the case changed stage: the regency lists cases stalled since.
    stage_since = models.DateTimeField("di tahap ini sejak", null=True, blank=True)

    class Meta:
        ordering = ["programme", "-year", "number"]
        verbose_name = "kasus bantuan"
        verbose_name_plural = "kasus bantuan"
        constraints = [
            # One open case per household per programme year anywhere in the regency.
            models.UniqueConstraint(
                fields=["programme", "year", "kk_number"],
                condition=Q(status__in=OPEN_STATUSES),
                name="case_one_open_per_kk",
            ),
            models.UniqueConstraint(fields=["village", "number"], name="case_unique_number"),
        ]
        indexes = [
            models.Index(fields=["programme", "year", "village", "status"]),
            models.Index(fields=["nik"]),
            models.Index(fields=["kk_number"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Survey(BaseModel):
    """The house (or household) survey by the village field officer. ``answers`` holds the
    values of the attributes in ``attributes.ATTRIBUTES`` the programme's kind asks for."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="survey")
    answers = models.JSONField("jawaban", default=dict)
    surveyed_on = models.DateField("tanggal survei")
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verifier_name = models.CharField("petugas verifikasi", max_length=150)
    latitude = models.DecimalField("lintang", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("bujur", max_digits=9, decimal_places=6, null=True, blank=True)
    location_source = models.CharField("sumber lokasi", max_length=10, blank=True)
    notes = models.TextField("catatan", blank=True)
    submitted_at = models.DateTimeField("dikirim", null=True, blank=True)
    # The scoring sheet as judged when the survey was sent (``scoring.Assessment.to_json``):
    # the case keeps the basis of its score even after the regency changes the criteria.
    assessment = models.JSONField("penilaian saat survei dikirim", default=dict, blank=True)

    class Meta:
        verbose_name = "survei"
        verbose_name_plural = "survei"

    def __str__(self) -> str:
        return f"Survei {self.case}"


class PhotoKind(models.TextChoices):
    FRONT = "depan", "Tampak depan"
    ROOF = "atap", "Atap"
    WALL = "dinding", "Dinding"
    FLOOR = "lantai", "Lantai"
    TOILET = "jamban", "Jamban / sanitasi"
    PROGRESS = "kemajuan", "Kemajuan pekerjaan"
    HANDOVER = "serah_terima", "Serah terima"
    PAYMENT = "penyaluran", "Bukti penyaluran"
    OTHER = "lain", "Lainnya"


# The survey needs one photo of each of these (issue: roof, wall, floor, toilet).
SURVEY_PHOTO_KINDS = (PhotoKind.ROOF, PhotoKind.WALL, PhotoKind.FLOOR, PhotoKind.TOILET)


class LocationSource(models.TextChoices):
    EXIF = "exif", "Dari data foto (EXIF)"
    BROWSER = "peramban", "Dari lokasi perangkat"
    MANUAL = "manual", "Diisi petugas"


def _photo_path(instance: CasePhoto, filename: str) -> str:
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(instance.content_type, "bin")
    return f"private/assistance/{instance.case.village_id}/{instance.case.year}/{uuid.uuid4().hex}.{ext}"


class CasePhoto(GeoPhoto):
    """A photo of the case (survey, progress, handover), with when and where it was taken.
    Kept under private/ and served only through a scoped view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField("jenis foto", max_length=14, choices=PhotoKind.choices)
    progress = models.ForeignKey(
        "assistance.ProgressReport", null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField("berkas", upload_to=_photo_path, max_length=200)
    location_source = models.CharField(
        "sumber lokasi", max_length=10, choices=LocationSource.choices, blank=True
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "kind", "created_at"]
        verbose_name = "foto kasus"
        verbose_name_plural = "foto kasus"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case}"


class DeliberationKind(models.TextChoices):
    MUSDES = "musdes", "Musyawarah Desa"
    SPECIAL = "musdesus", "Musyawarah Desa Khusus"


class Deliberation(BaseModel):
    """The Musdes that ranks the eligible households (BLT: the special Musdes, domain.md §3.3).
    The cases it prioritised carry its ``priority`` order."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="deliberations")
    year = models.PositiveSmallIntegerField("tahun")
    village = models.ForeignKey(Region, verbose_name="desa", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("jenis musyawarah", max_length=10, choices=DeliberationKind.choices)
    held_on = models.DateField("tanggal musyawarah")
    place = models.CharField("tempat", max_length=160)
    minutes_number = models.CharField("nomor berita acara", max_length=80)
    attendees = models.PositiveIntegerField("jumlah peserta")
    chair_name = models.CharField("pimpinan musyawarah", max_length=150)
    notes = models.TextField("catatan / kesepakatan", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = "musyawarah penetapan prioritas"
        verbose_name_plural = "musyawarah penetapan prioritas"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.village} {self.held_on}"


class DecisionStatus(models.TextChoices):
    DRAFT = "draf", "Rancangan"
    ROUTED = "diteruskan", "Menunggu keputusan pemegang kewenangan"
    ISSUED = "ditetapkan", "Ditetapkan"
    REFUSED = "ditolak", "Tidak disetujui"
    CANCELLED = "dibatalkan", "Dibatalkan"


class Decision(BaseModel):
    """The Keputusan naming a programme year's beneficiaries in one village. Issued as a
    document (number from the village's decree series, PDF, QR) by whoever holds
    ``assistance.<code>.decide`` for the village: the head under a delegation, else it goes
    up to the regency's queue and is issued when the holder approves."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="decisions")
    year = models.PositiveSmallIntegerField("tahun")
    village = models.ForeignKey(Region, verbose_name="desa", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("judul keputusan", max_length=300)
    considerations = models.TextField("menimbang", blank=True)
    status = models.CharField(
        "status", max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    beneficiary_count = models.PositiveIntegerField("jumlah penerima", default=0)
    total_amount = models.DecimalField("jumlah bantuan", max_digits=18, decimal_places=2, default=0)
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    matter = models.ForeignKey(
        "authority.RoutedMatter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    basis = models.CharField("dasar kewenangan", max_length=10, blank=True)
    instrument = models.CharField("instrumen pelimpahan", max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField("tanggal penetapan", null=True, blank=True)
    refusal_note = models.TextField("catatan penolakan", blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = "keputusan penerima bantuan"
        verbose_name_plural = "keputusan penerima bantuan"
        indexes = [models.Index(fields=["programme", "year", "village", "status"])]

    def __str__(self) -> str:
        return self.title


class ProgressReport(BaseModel):
    """Physical progress of a house (0 %, 50 %, 100 %), dated, with geotagged photos."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="progress_reports")
    percent = models.PositiveSmallIntegerField("kemajuan (%)")
    reported_on = models.DateField("tanggal")
    note = models.TextField("catatan", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "percent"]
        verbose_name = "laporan kemajuan"
        verbose_name_plural = "laporan kemajuan"
        constraints = [
            models.UniqueConstraint(fields=["case", "percent"], name="assistance_progress_unique_percent")
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.percent}%"


class Handover(BaseModel):
    """The berita acara serah terima of a finished house."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="handover")
    number = models.CharField("nomor berita acara", max_length=80)
    held_on = models.DateField("tanggal serah terima")
    place = models.CharField("tempat", max_length=160)
    handed_by = models.CharField("yang menyerahkan", max_length=150)
    received_by = models.CharField("yang menerima", max_length=150)
    witnesses = models.TextField("saksi-saksi", blank=True)
    notes = models.TextField("catatan", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "berita acara serah terima"
        verbose_name_plural = "berita acara serah terima"

    def __str__(self) -> str:
        return f"BAST {self.number}"


class PaymentMethod(models.TextChoices):
    CASH = "tunai", "Tunai"
    TRANSFER = "transfer", "Transfer bank"


class MonthlyPayment(BaseModel):
    """One household's BLT for one month: paid (with date, method and who received it) from
    the month's SPP, or not collected (and then returned to the village cash)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    year = models.PositiveSmallIntegerField("tahun")
    month = models.PositiveSmallIntegerField("bulan")
    amount = models.DecimalField("jumlah", max_digits=14, decimal_places=2)
    spp = models.ForeignKey("finance.Spp", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField("tanggal diterima", null=True, blank=True)
    method = models.CharField("cara bayar", max_length=10, choices=PaymentMethod.choices, blank=True)
    received_by = models.CharField("diterima oleh", max_length=150, blank=True)
    collected = models.BooleanField("sudah diterima", default=False)
    note = models.CharField("catatan", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "year", "month"]
        verbose_name = "pembayaran bulanan"
        verbose_name_plural = "pembayaran bulanan"
        constraints = [
            models.UniqueConstraint(fields=["case", "year", "month"], name="monthlypayment_unique_month")
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.month:02d}/{self.year}"


class CaseEvent(models.Model):
    """One step on a case's timeline (who, when, from which stage to which, why). The audit
    trail holds the same act; this is what the case page shows."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("waktu")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    act = models.CharField("tindakan", max_length=60)
    source = models.CharField("dari tahap", max_length=20, blank=True)
    target = models.CharField("ke tahap", max_length=20, blank=True)
    note = models.TextField("catatan", blank=True)
    basis = models.CharField("dasar kewenangan", max_length=10, blank=True)

    class Meta:
        ordering = ["case", "at", "pk"]
        verbose_name = "riwayat kasus"
        verbose_name_plural = "riwayat kasus"

    def __str__(self) -> str:
        return f"{self.case} {self.act}"
