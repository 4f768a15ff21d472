"""Forms of the reporting pages: a progress report of a kegiatan and a report submission."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kampung.finance.services.execution import parse_month_amount


class DateInput(forms.DateInput):
    input_type = "date"


def _number(value: Any, what: str) -> Decimal:
    try:
        return parse_month_amount(value)
    except ValueError as exc:
        raise forms.ValidationError(f"{what} bukan angka.") from exc


class ProgressForm(forms.Form):
    date = forms.DateField(label="Tanggal", widget=DateInput)
    stage = forms.IntegerField(label="Tahap", min_value=1, max_value=20, initial=1)
    volume = forms.CharField(label="Keluaran terealisasi (volume kumulatif)", max_length=30)
    percent = forms.CharField(label="Kemajuan fisik (%)", max_length=10)
    stage_complete = forms.BooleanField(label="Tahap ini selesai", required=False)
    notes = forms.CharField(
        label="Catatan", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(
        label="Foto (JPEG/PNG, paling besar 5 MB)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def clean_volume(self) -> Decimal:
        value = _number(self.cleaned_data.get("volume"), "Volume")
        if value < 0:
            raise forms.ValidationError("Volume tidak boleh negatif.")
        return value

    def clean_percent(self) -> Decimal:
        value = _number(self.cleaned_data.get("percent"), "Persentase")
        if not 0 <= value <= 100:
            raise forms.ValidationError("Persentase harus antara 0 dan 100.")
        return value


class SubmitForm(forms.Form):
    date = forms.DateField(label="Tanggal disampaikan", widget=DateInput)
    number = forms.CharField(label="Nomor surat pengantar", max_length=80, required=False)
