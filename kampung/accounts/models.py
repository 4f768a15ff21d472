"""People who log in, and the roles they hold at a region for a period."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from kampung.accounts.roles import Appointment, Role
from kampung.core.models import BaseModel
from kampung.regions.models import Region


class User(AbstractUser):
    """An account. Officials carry what is printed under their signature."""

    full_name = models.CharField("nama lengkap", max_length=150, blank=True)
    position_title = models.CharField("jabatan", max_length=150, blank=True)
    staff_number = models.CharField("NIP/NIPD", max_length=30, blank=True)
    phone = models.CharField("telepon", max_length=30, blank=True)
    must_change_password = models.BooleanField("wajib ganti kata sandi", default=False)
    # Raised whenever the user's two-factor standing changes (reset, a role that needs it):
    # a session remembers the value it was verified at, so older sessions must verify again.
    two_factor_epoch = models.PositiveIntegerField("generasi verifikasi dua langkah", default=0)

    class Meta:
        verbose_name = "pengguna"
        verbose_name_plural = "pengguna"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active_on(self, day: dt.date) -> RoleAssignmentQuerySet:
        return self.filter(Q(valid_from__lte=day), Q(valid_until__isnull=True) | Q(valid_until__gte=day))


class RoleAssignment(BaseModel):
    """A user holds a role at a region from one date until another (open-ended if none).

    A role at a district or regency covers every village under it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField("peran", max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="assignments", verbose_name="wilayah"
    )
    valid_from = models.DateField("berlaku mulai")
    valid_until = models.DateField("berlaku sampai", null=True, blank=True)
    appointment = models.CharField(
        "jenis penugasan", max_length=10, choices=Appointment.choices, default=Appointment.DEFINITIVE
    )
    decree = models.CharField("dasar penugasan (SK)", max_length=150, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "role"]
        indexes = [models.Index(fields=["user", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="assignment_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} {self.region_id}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or self.valid_until >= day)


class Official(BaseModel):
    """A member of the village government (perangkat desa), as shown on its public page."""

    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="officials")
    name = models.CharField("nama", max_length=150)
    position = models.CharField("jabatan", max_length=150)
    staff_number = models.CharField("NIP/NIPD", max_length=30, blank=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="official_posts"
    )
    order = models.PositiveSmallIntegerField("urutan", default=10)
    active = models.BooleanField("aktif", default=True)

    class Meta:
        ordering = ["village_id", "order", "name"]
        verbose_name = "perangkat desa"
        verbose_name_plural = "perangkat desa"

    def __str__(self) -> str:
        return f"{self.name} ({self.position})"
