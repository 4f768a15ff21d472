"""The region tree: province > regency > district > village, keyed by Kemendagri code."""

from __future__ import annotations

from django.db import models

from kampung.core.models import BaseModel


class Level(models.IntegerChoices):
    PROVINCE = 1, "Provinsi"
    REGENCY = 2, "Kabupaten/Kota"
    DISTRICT = 3, "Kecamatan"
    VILLAGE = 4, "Desa/Kelurahan"


class Kind(models.TextChoices):
    PROVINSI = "provinsi", "Provinsi"
    KABUPATEN = "kabupaten", "Kabupaten"
    KOTA = "kota", "Kota"
    KECAMATAN = "kecamatan", "Kecamatan"
    KELURAHAN = "kelurahan", "Kelurahan"
    DESA = "desa", "Desa"
    DESA_ADAT = "desa_adat", "Desa Adat"


class TimeZoneChoice(models.TextChoices):
    WIB = "Asia/Jakarta", "WIB"
    WITA = "Asia/Makassar", "WITA"
    WIT = "Asia/Jayapura", "WIT"


class Region(models.Model):
    """One Kemendagri region. The code is the key: it is what every other system uses.

    Codes are never deleted: a newer list updates names and adds codes, so records that
    point at an old code keep working.
    """

    code = models.CharField("kode", max_length=13, primary_key=True)
    name = models.CharField("nama", max_length=120)
    level = models.PositiveSmallIntegerField("tingkat", choices=Level.choices, db_index=True)
    kind = models.CharField("jenis", max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="induk", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    timezone = models.CharField("zona waktu", max_length=20, choices=TimeZoneChoice.choices, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "wilayah"
        verbose_name_plural = "wilayah"

    def __str__(self) -> str:
        if self.level in (Level.PROVINCE, Level.REGENCY):
            return self.name  # the list already says "Kabupaten Banyuwangi", "Kota Surabaya"
        return f"{self.get_kind_display()} {self.name}"

    @property
    def is_village(self) -> bool:
        return self.level == Level.VILLAGE

    @property
    def keeps_apbdes(self) -> bool:
        """Desa keep their own budget; kelurahan are regency units and keep none."""
        return self.kind in (Kind.DESA, Kind.DESA_ADAT)

    @property
    def regency_code(self) -> str:
        return self.code[:5]

    @property
    def district_code(self) -> str:
        return self.code[:8]

    @property
    def compact_code(self) -> str:
        """The code without dots (``3510152004``), as printed in letter numbers."""
        return self.code.replace(".", "")


class HolidayKind(models.TextChoices):
    NATIONAL = "libur_nasional", "Libur nasional"
    COLLECTIVE_LEAVE = "cuti_bersama", "Cuti bersama"
    REGIONAL = "libur_daerah", "Libur daerah"


class Holiday(BaseModel):
    """A day off in a regency's working-day calendar (used by every 'working days' deadline)."""

    regency = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField("tanggal")
    name = models.CharField("keterangan", max_length=120)
    kind = models.CharField("jenis", max_length=16, choices=HolidayKind.choices, default=HolidayKind.NATIONAL)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["regency", "date"], name="holiday_unique_per_regency_day")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


class VillageProfile(BaseModel):
    """What a village tells the public about itself; edited by the admin or the village."""

    village = models.OneToOneField(Region, on_delete=models.CASCADE, primary_key=True, related_name="profile")
    address = models.CharField("alamat kantor", max_length=255, blank=True)
    postal_code = models.CharField("kode pos", max_length=5, blank=True)
    phone = models.CharField("telepon", max_length=30, blank=True)
    email = models.EmailField("surel", blank=True)
    website = models.URLField("situs web", blank=True)
    head_name = models.CharField("nama kepala desa/lurah", max_length=120, blank=True)
    logo = models.ImageField("logo", upload_to="logo/", blank=True)
    latitude = models.DecimalField("lintang", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("bujur", max_digits=9, decimal_places=6, null=True, blank=True)

    def __str__(self) -> str:
        return f"Profil {self.village_id}"
