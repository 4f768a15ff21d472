"""Forms of the statistics, registers, monthly report and Buku Penduduk Sementara."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from kampung.population import codes
from kampung.population.models import Sex, TemporaryResident

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def occupation_choices() -> list[tuple[str, str]]:
    return [("", "-")] + [(str(code), name) for code, name in codes.choices("pekerjaan_id")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MonthForm(forms.Form):
    """A month as ``YYYY-MM`` (the browser's month picker), not after the current month."""

    bulan = forms.CharField(
        label="Bulan",
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text="Bulan dan tahun laporan.",
    )

    def clean_bulan(self) -> tuple[int, int]:
        today = timezone.localdate()
        value = (self.cleaned_data.get("bulan") or "").strip()
        if not value:
            return today.year, today.month
        match = _MONTH.match(value)
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
            raise forms.ValidationError("Bulan tidak dikenali; pilih bulan dan tahun (contoh 2026-10).")
        year, month = int(match[1]), int(match[2])
        if (year, month) > (today.year, today.month):
            raise forms.ValidationError("Bulan laporan tidak boleh sesudah bulan ini.")
        return year, month


class PeriodForm(forms.Form):
    """A period of days; empty means the current month so far."""

    dari = forms.DateField(label="Dari tanggal", required=False, widget=DateInput())
    sampai = forms.DateField(label="Sampai tanggal", required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        first = data.get("dari") or today.replace(day=1)
        last = data.get("sampai") or today
        if first > last:
            raise forms.ValidationError("Tanggal awal tidak boleh sesudah tanggal akhir.")
        if first.year < 1900:
            raise forms.ValidationError("Tanggal awal terlalu lama.")
        data["dari"], data["sampai"] = first, last
        return data


class TemporaryResidentForm(forms.Form):
    name = forms.CharField(label="Nama lengkap", max_length=150)
    sex = forms.TypedChoiceField(label="Jenis kelamin", choices=Sex.choices, coerce=int)
    nik = forms.CharField(
        label="NIK / nomor identitas",
        max_length=30,
        required=False,
        help_text="NIK, atau nomor paspor bagi warga negara asing.",
    )
    birth_place = forms.CharField(label="Tempat lahir", max_length=100, required=False)
    birth_date = forms.DateField(label="Tanggal lahir", required=False, widget=DateInput())
    occupation = forms.TypedChoiceField(
        label="Pekerjaan", choices=(), coerce=int, required=False, empty_value=None
    )
    nationality = forms.CharField(label="Kewarganegaraan/kebangsaan", max_length=60, initial="Indonesia")
    origin = forms.CharField(label="Datang dari (alamat asal)", max_length=255)
    purpose = forms.CharField(label="Maksud dan tujuan kedatangan", max_length=255)
    host = forms.CharField(label="Nama dan alamat yang didatangi", max_length=255, required=False)
    dusun = forms.CharField(label="Dusun", max_length=60, required=False)
    rw = forms.CharField(label="RW", max_length=3, required=False)
    rt = forms.CharField(label="RT", max_length=3, required=False)
    arrival_date = forms.DateField(label="Tanggal datang", widget=DateInput())
    notes = forms.CharField(label="Keterangan", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["occupation"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = occupation_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        arrival, born = data.get("arrival_date"), data.get("birth_date")
        if arrival and arrival > today:
            self.add_error("arrival_date", "Tanggal datang tidak boleh di masa depan.")
        if born and born > today:
            self.add_error("birth_date", "Tanggal lahir tidak boleh di masa depan.")
        return data

    @staticmethod
    def initial_for(person: TemporaryResident) -> dict[str, Any]:
        return {name: getattr(person, name) for name in TemporaryResidentForm.base_fields}


class DepartureForm(forms.Form):
    departure_date = forms.DateField(label="Tanggal pergi", widget=DateInput())
    note = forms.CharField(label="Keterangan (tujuan, dsb.)", required=False, max_length=255)

    def __init__(self, *args: Any, arrival: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrival = arrival

    def clean_departure_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["departure_date"]
        if self.arrival is not None and value < self.arrival:
            raise forms.ValidationError(
                f"Tanggal pergi tidak boleh sebelum tanggal datang ({self.arrival:%d-%m-%Y})."
            )
        if value > timezone.localdate():
            raise forms.ValidationError("Tanggal pergi tidak boleh di masa depan.")
        return value
