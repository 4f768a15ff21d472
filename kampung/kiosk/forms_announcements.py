"""The announcement form: the region choices are the ones the user may post for."""

from __future__ import annotations

from typing import Any

from django import forms

from kampung.kiosk.services_announcements import BODY_MAX, TITLE_MAX, TITLE_MIN
from kampung.regions.models import Level, Region


def region_label(region: Region) -> str:
    if region.level == Level.REGENCY:
        return f"{region} (semua desa dan kelurahan)"
    return f"{region} — Kec. {region.parent.name}" if region.parent else str(region)


class AnnouncementForm(forms.Form):
    region = forms.ChoiceField(label="Tampil di")
    title = forms.CharField(
        label="Judul",
        min_length=TITLE_MIN,
        max_length=TITLE_MAX,
        error_messages={
            "min_length": f"Judul paling sedikit {TITLE_MIN} karakter.",
            "max_length": f"Judul paling banyak {TITLE_MAX} karakter.",
            "required": "Judul wajib diisi.",
        },
    )
    body = forms.CharField(
        label="Isi",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"Teks biasa, paling banyak {BODY_MAX} karakter. Baris baru dipertahankan.",
        error_messages={
            "max_length": f"Isi paling banyak {BODY_MAX} karakter.",
            "required": "Isi pengumuman wajib diisi.",
        },
    )
    publish_from = forms.DateField(
        label="Tampil mulai",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Tanggal mulai tampil wajib diisi.", "invalid": "Tanggal tidak sah."},
    )
    publish_until = forms.DateField(
        label="Tampil sampai",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Kosongkan bila pengumuman tampil sampai dihapus.",
        error_messages={"invalid": "Tanggal tidak sah."},
    )
    pinned = forms.BooleanField(label="Sematkan di atas pengumuman lain", required=False)

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regions = {r.code: r for r in regions}
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ChoiceField)
        region_field.choices = [(r.code, region_label(r)) for r in regions]
        region_field.error_messages["invalid_choice"] = "Pilih wilayah yang boleh Anda umumkan."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("publish_from"), data.get("publish_until")
        if start and end and end < start:
            self.add_error("publish_until", "Tanggal akhir tampil tidak boleh sebelum tanggal mulai tampil.")
        return data

    def clean_region(self) -> Region:
        return self.regions[self.cleaned_data["region"]]
