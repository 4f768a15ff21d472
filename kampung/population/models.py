"""Residents (penduduk) and families (keluarga, one Kartu Keluarga each).

Coded attributes use the national code lists in ``data/kode_data_kependudukan.csv``.
"""

from __future__ import annotations

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
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nik[:6]}**********)"
