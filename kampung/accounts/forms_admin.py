"""Forms of the user-management and village-officials pages. They parse and check input;
the services enforce the rules again when they write."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils import timezone

from kampung.accounts.excel import MAX_UPLOAD_BYTES
from kampung.accounts.models import User
from kampung.accounts.roles import Appointment, Role
from kampung.accounts.services import EARLIEST_DATE, LATEST_DATE, check_role_region
from kampung.core.errors import KampungError
from kampung.regions.models import Level, Region

_STAFF_NUMBER = re.compile(r"^[0-9 ./-]*$")
_PHONE = re.compile(r"^[0-9 +()-]*$")

RegionChoices = list[tuple[str, Any]]


def region_choices(regions: Sequence[Region], *, blank: str | None = None) -> RegionChoices:
    """Grouped choices: the regency, then each district followed by its villages."""
    choices: RegionChoices = [("", blank)] if blank is not None else []
    groups: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    for region in regions:
        if region.level == Level.REGENCY:
            choices.append((region.code, f"{region} ({region.code}) — tingkat kabupaten"))
        elif region.level == Level.DISTRICT:
            names[region.code] = f"{region} ({region.code})"
            groups.setdefault(region.code, []).insert(0, (region.code, f"{region} — tingkat kecamatan"))
        elif region.level == Level.VILLAGE:
            groups.setdefault(region.code[:8], []).append((region.code, f"{region} ({region.code})"))
    for code in sorted(groups):
        choices.append((names.get(code, code), groups[code]))
    return choices


def _set_choices(field: forms.Field, choices: RegionChoices) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class BoundedDateField(forms.DateField):
    """A date within a sensible range (a typo such as year 20225 gets a clear message)."""

    widget = DateInput

    def to_python(self, value: Any) -> dt.date | None:
        day: dt.date | None = super().to_python(value)
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise forms.ValidationError("Tanggal harus antara tahun 1950 dan 2100.")
        return day


class UserFilterForm(forms.Form):
    """The filters of the user list and its export. Invalid values are simply not applied."""

    q = forms.CharField(label="Cari", required=False, max_length=80)
    peran = forms.ChoiceField(label="Peran", required=False)
    wilayah = forms.ChoiceField(label="Wilayah", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Semua"), ("aktif", "Aktif"), ("nonaktif", "Nonaktif")]
    )

    def __init__(self, data: Any, *, regions: Sequence[Region]) -> None:
        super().__init__(data)
        _set_choices(self.fields["peran"], [("", "Semua peran"), *Role.choices])
        _set_choices(self.fields["wilayah"], region_choices(regions, blank="Semua wilayah"))

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = self.cleaned_data
        status = data.get("status") or ""
        return {
            "search": (data.get("q") or "").strip(),
            "role": data.get("peran") or "",
            "region_code": data.get("wilayah") or "",
            "active": {"aktif": True, "nonaktif": False}.get(status),
        }


class _RoleRegionMixin(forms.Form):
    """A role, the region it is held at, and the period. The region must be in the admin's
    regency and at the role's level."""

    regions: dict[str, Region]

    def _setup_regions(self, regions: Sequence[Region]) -> None:
        self.regions = {r.code: r for r in regions}
        _set_choices(self.fields["region"], region_choices(regions, blank="— pilih wilayah —"))

    def clean_region(self) -> Region:
        code = self.cleaned_data["region"]
        region = self.regions.get(code)
        if region is None:
            raise forms.ValidationError("Pilih wilayah di kabupaten Anda.")
        return region

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, region = data.get("role"), data.get("region")
        if role and isinstance(region, Region):
            try:
                check_role_region(role, region)
            except KampungError as exc:
                self.add_error("region", exc.message)
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", "Tanggal akhir tidak boleh sebelum tanggal mulai.")
        return data


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Peran",
        choices=[("", "— pilih peran —"), *Role.choices],
        error_messages={"invalid_choice": "Pilih peran dari daftar."},
        help_text="Peran desa ditugaskan di desa/kelurahan, camat dan staf kecamatan di kecamatan, "
        "admin, DPMD dan bupati di kabupaten.",
    )


class UserCreateForm(_RoleRegionMixin):
    username = forms.CharField(
        label="Nama pengguna",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Huruf kecil, angka dan tanda @ . + - _ tanpa spasi; dipakai untuk masuk.",
        error_messages={"invalid": "Nama pengguna hanya boleh berisi huruf, angka dan tanda @ . + - _."},
    )
    full_name = forms.CharField(label="Nama lengkap", max_length=150)
    email = forms.EmailField(label="Surel", required=False, max_length=254)
    phone = forms.CharField(label="Telepon", required=False, max_length=30)
    position_title = forms.CharField(label="Jabatan", required=False, max_length=150)
    staff_number = forms.CharField(label="NIP/NIPD", required=False, max_length=30)
    role = _role_field()
    region = forms.ChoiceField(
        label="Wilayah penugasan", error_messages={"invalid_choice": "Pilih wilayah di kabupaten Anda."}
    )
    valid_from = BoundedDateField(label="Berlaku mulai")
    appointment = forms.ChoiceField(
        label="Jenis penugasan", choices=Appointment.choices, initial=Appointment.DEFINITIVE
    )
    decree = forms.CharField(label="Dasar penugasan (SK)", required=False, max_length=150)

    def __init__(self, *args: Any, regions: Sequence[Region], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("valid_from", timezone.localdate())
        super().__init__(*args, **kwargs)
        self._setup_regions(regions)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip().lower()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(f"Nama pengguna '{username}' sudah dipakai; pilih nama lain.")
        return username

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean_staff_number(self) -> str:
        return _clean_staff_number(self.cleaned_data["staff_number"])


def _clean_phone(value: str) -> str:
    value = value.strip()
    if not _PHONE.match(value):
        raise forms.ValidationError("Nomor telepon hanya berisi angka, spasi, +, - dan tanda kurung.")
    return value


def _clean_staff_number(value: str) -> str:
    value = value.strip()
    if not _STAFF_NUMBER.match(value):
        raise forms.ValidationError(
            "NIP/NIPD hanya berisi angka, spasi, titik, garis miring dan tanda hubung."
        )
    return value


class UserEditForm(forms.Form):
    full_name = forms.CharField(label="Nama lengkap", max_length=150)
    email = forms.EmailField(label="Surel", required=False, max_length=254)
    phone = forms.CharField(label="Telepon", required=False, max_length=30)
    position_title = forms.CharField(label="Jabatan", required=False, max_length=150)
    staff_number = forms.CharField(label="NIP/NIPD", required=False, max_length=30)

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean_staff_number(self) -> str:
        return _clean_staff_number(self.cleaned_data["staff_number"])


class AssignmentForm(_RoleRegionMixin):
    role = _role_field()
    region = forms.ChoiceField(
        label="Wilayah penugasan", error_messages={"invalid_choice": "Pilih wilayah di kabupaten Anda."}
    )
    valid_from = BoundedDateField(label="Berlaku mulai")
    valid_until = BoundedDateField(
        label="Berlaku sampai", required=False, help_text="Kosongkan bila tanpa batas."
    )
    appointment = forms.ChoiceField(
        label="Jenis penugasan", choices=Appointment.choices, initial=Appointment.DEFINITIVE
    )
    decree = forms.CharField(label="Dasar penugasan (SK)", required=False, max_length=150)

    def __init__(self, *args: Any, regions: Sequence[Region], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("valid_from", timezone.localdate())
        super().__init__(*args, **kwargs)
        self._setup_regions(regions)


class AssignmentEndForm(forms.Form):
    valid_until = BoundedDateField(label="Berakhir pada")


class UserImportForm(forms.Form):
    file = forms.FileField(
        label="Berkas Excel (.xlsx)",
        help_text=f"Paling besar {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        error_messages={"required": "Pilih berkas .xlsx yang akan diimpor.", "empty": "Berkas kosong."},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"Ukuran berkas paling besar {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        return upload


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.username})"


class OfficialForm(forms.Form):
    name = forms.CharField(label="Nama", max_length=150)
    position = forms.CharField(
        label="Jabatan", max_length=150, help_text="Misalnya Sekretaris Desa, Kasi Pemerintahan."
    )
    staff_number = forms.CharField(label="NIP/NIPD", required=False, max_length=30)
    order = forms.IntegerField(
        label="Urutan",
        min_value=0,
        max_value=999,
        initial=10,
        help_text="Angka kecil tampil lebih dulu.",
        error_messages={
            "invalid": "Urutan harus berupa bilangan bulat, misalnya 10.",
            "min_value": "Urutan paling kecil 0.",
            "max_value": "Urutan paling besar 999.",
        },
    )
    active = forms.BooleanField(label="Masih menjabat", required=False, initial=True)
    user = AccountChoiceField(
        label="Akun pengguna (opsional)",
        queryset=User.objects.none(),
        required=False,
        empty_label="— tidak dihubungkan —",
        help_text="Akun yang memegang peran di desa ini, bila perangkat ini juga memakai Kampung.",
        error_messages={"invalid_choice": "Pilih akun yang memegang peran di desa ini."},
    )

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = accounts

    def clean_staff_number(self) -> str:
        return _clean_staff_number(self.cleaned_data["staff_number"])
