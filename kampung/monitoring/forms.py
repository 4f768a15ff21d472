"""Forms of field monitoring and the regency's thresholds. They parse the input; the rules
live in the services (:mod:`kampung.monitoring.services`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from kampung.monitoring.models import MonitoringSetting


class VisitForm(forms.Form):
    """A field visit. The photos come from ``request.FILES.getlist("photos")`` (several from
    the camera); the location fields are hidden and filled by ``core/geolocate.js`` where the
    browser allows it."""

    visited_on = forms.DateField(
        label="Tanggal kunjungan",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Isi tanggal kunjungan.", "invalid": "Tanggal kunjungan tidak sah."},
    )
    percent = forms.DecimalField(
        label="Kemajuan fisik (%)",
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal", "min": "0", "max": "100"}),
        error_messages={
            "required": "Isi kemajuan fisik yang dilihat (0–100).",
            "invalid": "Kemajuan fisik harus angka antara 0 dan 100.",
            "min_value": "Kemajuan fisik harus antara 0 dan 100 persen.",
            "max_value": "Kemajuan fisik harus antara 0 dan 100 persen.",
            "max_digits": "Kemajuan fisik harus antara 0 dan 100 persen.",
            "max_decimal_places": "Kemajuan fisik paling banyak dua angka di belakang koma.",
            "max_whole_digits": "Kemajuan fisik harus antara 0 dan 100 persen.",
        },
    )
    notes = forms.CharField(
        label="Catatan", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    findings = forms.CharField(
        label="Temuan dan tindak lanjut",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    latitude = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("latitude", "longitude"):
            # Hidden fields have nowhere to show an error: anything unreadable goes to the
            # service, which refuses it with "Koordinat lokasi tidak dapat dibaca".
            field = self.fields[name]
            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]
            field.error_messages["max_length"] = "Koordinat lokasi tidak dapat dibaca."

    def _coordinate(self, name: str) -> str:
        return str(self.cleaned_data.get(name) or "").replace("\x00", "")

    def clean_latitude(self) -> str:
        return self._coordinate("latitude")

    def clean_longitude(self) -> str:
        return self._coordinate("longitude")


class SettingForm(forms.Form):
    """The regency's monitoring thresholds (labels from the model)."""

    physical_prefixes = forms.CharField(
        max_length=100,
        help_text="Dipisah koma, misalnya 02. atau 02.03.,02.04.",
    )
    visit_days = forms.IntegerField(min_value=1, max_value=366)
    behind_points = forms.IntegerField(min_value=1, max_value=100)
    ahead_points = forms.IntegerField(min_value=1, max_value=100)
    spending_factor = forms.DecimalField(min_value=Decimal(1), max_value=Decimal(100), decimal_places=1)
    spending_floor = forms.DecimalField(min_value=Decimal(0), max_digits=15, decimal_places=2)
    stalled_days = forms.IntegerField(min_value=1, max_value=366)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(getattr(MonitoringSetting._meta.get_field(name), "verbose_name", name))
            field.label = label[:1].upper() + label[1:]
            field.error_messages["required"] = f"Isi {label}."
            field.error_messages["invalid"] = f"{field.label}: isi dengan angka."

    @classmethod
    def initial_from(cls, setting: MonitoringSetting) -> dict[str, Any]:
        return {name: getattr(setting, name) for name in cls.base_fields}
