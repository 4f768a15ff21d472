"""Residents (penduduk) and families (keluarga, one Kartu Keluarga each).

Coded attributes use the national code lists in ``data/kode_data_kependudukan.csv``.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from kampung.core.models import BaseModel
from kampung.regions.models import Region


class Sex(models.IntegerChoices):
    MALE = 1, "Laki-laki"
    FEMALE = 2, "Perempuan"


class BasicStatus(models.IntegerChoices):
    """``status_dasar``: whether the person still counts in the village."""

    LIVING = 1, "Hidup"
    DEAD = 2, "Mati"
    MOVED = 3, "Pindah"
    MISSING = 4, "Hilang"
    GONE = 6, "Pergi"
    INVALID = 9, "Tidak valid"


class Family(BaseModel):
    kk_number = models.CharField("nomor KK", max_length=16, unique=True)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="families")
    head = models.ForeignKey(
        "Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="kepala keluarga",
    )
    address = models.CharField("alamat", max_length=255, blank=True)
    dusun = models.CharField("dusun", max_length=60, blank=True)
    rw = models.CharField("RW", max_length=3, blank=True)
    rt = models.CharField("RT", max_length=3, blank=True)
    needs_review = models.BooleanField("perlu diperiksa", default=False)
    review_notes = models.TextField("catatan pemeriksaan", blank=True, default="")

    class Meta:
        verbose_name = "keluarga"
        verbose_name_plural = "keluarga"
        ordering = ["kk_number"]

    def __str__(self) -> str:
        return self.kk_number


class Resident(BaseModel):
    nik = models.CharField("NIK", max_length=16, db_index=True)
    name = models.CharField("nama", max_length=150)
    birth_place = models.CharField("tempat lahir", max_length=100, blank=True)
    birth_date = models.DateField("tanggal lahir")
    sex = models.PositiveSmallIntegerField("jenis kelamin", choices=Sex.choices)
    religion = models.PositiveSmallIntegerField("agama", default=1)
    marital_status = models.PositiveSmallIntegerField("status perkawinan", default=1)
    family_relation = models.PositiveSmallIntegerField("hubungan dalam keluarga", default=1)
    education = models.PositiveSmallIntegerField("pendidikan dalam KK", default=1)
    occupation = models.PositiveSmallIntegerField("pekerjaan", default=1)
    citizenship = models.PositiveSmallIntegerField("kewarganegaraan", default=1)
    blood_type = models.PositiveSmallIntegerField("golongan darah", default=13)
    disability = models.PositiveSmallIntegerField("cacat", null=True, blank=True)
    family = models.ForeignKey(
        Family, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="residents")
    dusun = models.CharField("dusun", max_length=60, blank=True)
    rw = models.CharField("RW", max_length=3, blank=True)
    rt = models.CharField("RT", max_length=3, blank=True)
    phone = models.CharField("telepon", max_length=30, blank=True)
    basic_status = models.PositiveSmallIntegerField(
        "status dasar", choices=BasicStatus.choices, default=BasicStatus.LIVING
    )
    # Normalised name (lowercase, no accents, words in order): possible duplicates are the
    # same name_key and birth date. Filled by the services (and the demo's bulk insert).
    name_key = models.CharField("nama (normal)", max_length=150, default="", editable=False)
    needs_review = models.BooleanField("perlu diperiksa", default=False)
    review_notes = models.TextField("catatan pemeriksaan", blank=True, default="")

    class Meta:
        verbose_name = "penduduk"
        verbose_name_plural = "penduduk"
        ordering = ["name"]
        constraints = [
            # A NIK belongs to one living person only, across the whole regency.
            models.UniqueConstraint(
                fields=["nik"], condition=Q(basic_status=1), name="resident_nik_unique_among_living"
            )
        ]
        indexes = [
            models.Index(fields=["village", "basic_status"]),
            models.Index(fields=["name", "birth_date"]),
            models.Index(fields=["name_key", "birth_date"]),
            models.Index(fields=["village", "needs_review"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nik[:6]}**********)"

    @property
    def review_reasons(self) -> list[str]:
        return [line for line in self.review_notes.splitlines() if line.strip()]


class ResidentNameToken(models.Model):
    """One word of a resident's normalised name, for prefix search in any word order.

    ``name_key`` repeats the resident's :attr:`Resident.name_key` (every writer of tokens
    fills it, and rewrites the tokens when the name changes), so a page of a name search in
    name order is found in the token indexes alone, without reading a resident row:

    - ``resident_token_name`` (village, word, name, resident): a prefix range over the
      villages in the searcher's scope gives the matching residents with their names,
      ready to be sorted by name;
    - ``resident_token_word`` (resident, word, village): does this resident have a word
      starting with ...? (the search with other filters intersects the words with it; it
      also finds a resident's tokens to rewrite or delete).
    """

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="name_tokens", db_index=False
    )
    village = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)
    token = models.CharField(max_length=40)
    name_key = models.CharField(max_length=150, default="")

    class Meta:
        indexes = [
            models.Index(fields=["village", "token", "name_key", "resident"], name="resident_token_name"),
            models.Index(fields=["resident", "token", "village"], name="resident_token_word"),
        ]

    def __str__(self) -> str:
        return self.token


class LifeEventKind(models.TextChoices):
    BIRTH = "lahir", "Kelahiran"
    DEATH = "mati", "Kematian"
    MOVE_IN = "datang", "Pindah datang"
    MOVE_OUT = "pindah", "Pindah keluar"
    FAMILY_CHANGE = "ganti_kk", "Perubahan keluarga"
    CORRECTION = "koreksi", "Pembetulan data"


class AppendOnlyQuerySet(models.QuerySet["LifeEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("Riwayat peristiwa kependudukan tidak dapat diubah.")

    def delete(self) -> NoReturn:
        raise TypeError("Riwayat peristiwa kependudukan tidak dapat dihapus.")


class LifeEvent(models.Model):
    """One event in a resident's history (Buku Mutasi Penduduk). Rows are never changed or
    deleted: a mistake is put right by a later correction event."""

    kind = models.CharField("peristiwa", max_length=10, choices=LifeEventKind.choices)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="events")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey(Family, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    event_date = models.DateField("tanggal peristiwa")
    reported_date = models.DateField("tanggal lapor")
    reporter_name = models.CharField("pelapor", max_length=150, blank=True)
    reporter = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="pelapor"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    details = models.JSONField("rincian", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "peristiwa kependudukan"
        verbose_name_plural = "peristiwa kependudukan"
        ordering = ["event_date", "pk"]
        indexes = [models.Index(fields=["village", "kind", "event_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.event_date:%d-%m-%Y}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Riwayat peristiwa kependudukan tidak dapat diubah.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Riwayat peristiwa kependudukan tidak dapat dihapus.")


class ResidentAccount(BaseModel):
    """A resident's own login: NIK and a 6-digit PIN.

    The PIN is the linked user's password (Django's password hashers); the user holds the
    ``warga`` role at the resident's village. The operator activates the account and prints a
    PIN slip; the resident must change the PIN at first login (``must_change_password``).
    """

    resident = models.OneToOneField(Resident, on_delete=models.PROTECT, related_name="account")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="resident_account"
    )
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="diaktifkan oleh",
    )
    pin_issued_at = models.DateTimeField("PIN terakhir diterbitkan", null=True, blank=True)
    active = models.BooleanField("aktif", default=True)

    class Meta:
        verbose_name = "akun warga"
        verbose_name_plural = "akun warga"

    def __str__(self) -> str:
        return f"akun {self.resident}"


class TemporaryResident(BaseModel):
    """Buku Penduduk Sementara: people staying in the village without moving their KK here
    (students, seasonal workers, foreigners), kept by the village as the register requires."""

    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="temporary_residents")
    nik = models.CharField("NIK / nomor identitas", max_length=30, blank=True)
    name = models.CharField("nama", max_length=150)
    sex = models.PositiveSmallIntegerField("jenis kelamin", choices=Sex.choices)
    birth_place = models.CharField("tempat lahir", max_length=100, blank=True)
    birth_date = models.DateField("tanggal lahir", null=True, blank=True)
    occupation = models.PositiveSmallIntegerField("pekerjaan", null=True, blank=True)
    nationality = models.CharField("kewarganegaraan/kebangsaan", max_length=60, default="Indonesia")
    origin = models.CharField("datang dari", max_length=255)
    purpose = models.CharField("maksud dan tujuan kedatangan", max_length=255)
    host = models.CharField("nama dan alamat yang didatangi", max_length=255, blank=True)
    dusun = models.CharField("dusun", max_length=60, blank=True)
    rw = models.CharField("RW", max_length=3, blank=True)
    rt = models.CharField("RT", max_length=3, blank=True)
    arrival_date = models.DateField("tanggal datang")
    departure_date = models.DateField("tanggal pergi", null=True, blank=True)
    notes = models.TextField("keterangan", blank=True, default="")

    class Meta:
        verbose_name = "penduduk sementara"
        verbose_name_plural = "penduduk sementara"
        ordering = ["-arrival_date", "pk"]
        indexes = [models.Index(fields=["village", "arrival_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(departure_date__isnull=True) | Q(departure_date__gte=models.F("arrival_date")),
                name="temporary_resident_departure_after_arrival",
            )
        ]

    def __str__(self) -> str:
        return self.name
