"""Forms of the integration-client pages (regency admin)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from kampung.api.scopes import scope_choices
from kampung.api.services import MAX_CLIENT_TOKEN_DAYS
from kampung.regions.models import Region

DEFAULT_TOKEN_DAYS = 90


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj}"


class ClientFilterForm(forms.Form):
    q = forms.CharField(label="Cari", required=False, max_length=80)

    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class ApiClientForm(forms.Form):
    name = forms.CharField(label="Nama aplikasi", max_length=100)
    organisation = forms.CharField(label="Instansi", max_length=150)
    contact = forms.CharField(
        label="Kontak penanggung jawab", max_length=150, help_text="Nama dan surel atau nomor telepon."
    )
    purpose = forms.CharField(
        label="Keperluan",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Untuk apa aplikasi ini membaca data, dan atas dasar apa (perjanjian kerja sama, surat).",
    )
    region = RegionChoiceField(
        label="Wilayah yang boleh dibaca",
        queryset=Region.objects.none(),
        help_text="Kabupaten seluruhnya, atau satu kecamatan atau desa saja. Pilih yang paling sempit.",
        error_messages={"invalid_choice": "Pilih wilayah dari daftar."},
    )

    def __init__(self, *args: Any, regions: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        for name in ("name", "organisation", "contact", "purpose"):
            self.fields[name].error_messages["required"] = f"{self.fields[name].label} wajib diisi."
        self.fields["region"].error_messages["required"] = "Pilih wilayah yang boleh dibaca."


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Keterangan token",
        max_length=100,
        help_text="Misalnya 'server produksi' atau 'uji coba'.",
        error_messages={"required": "Keterangan token wajib diisi."},
    )
    scopes = forms.MultipleChoiceField(
        label="Izin",
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Pilih paling sedikit satu izin.",
            "invalid_choice": "Izin tidak dikenal.",
        },
    )
    expires_on = forms.DateField(
        label="Berlaku sampai",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=f"Wajib; paling lama {MAX_CLIENT_TOKEN_DAYS} hari dari hari ini.",
        error_messages={"required": "Tanggal berakhir wajib diisi.", "invalid": "Tanggal tidak sah."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"expires_on": timezone.localdate() + dt.timedelta(days=DEFAULT_TOKEN_DAYS)}
        )
        super().__init__(*args, **kwargs)

    def clean_expires_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError("Tanggal berakhir harus setelah hari ini.")
        if value > today + dt.timedelta(days=MAX_CLIENT_TOKEN_DAYS):
            raise forms.ValidationError(f"Paling lama {MAX_CLIENT_TOKEN_DAYS} hari dari hari ini.")
        return value
