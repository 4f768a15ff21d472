from __future__ import annotations

from django import forms

from kampung.core.uploads import JPEG, PNG, form_check
from kampung.regions.models import HolidayKind, VillageProfile

MAX_LOGO_BYTES = 1_048_576


class VillageProfileForm(forms.ModelForm):
    website = forms.URLField(label="Situs web", required=False, assume_scheme="https")

    class Meta:
        model = VillageProfile
        fields = [
            "address",
            "postal_code",
            "phone",
            "email",
            "website",
            "head_name",
            "logo",
            "latitude",
            "longitude",
        ]

    def clean_postal_code(self) -> str:
        value: str = self.cleaned_data["postal_code"].strip()
        if value and (not value.isdigit() or len(value) != 5):
            raise forms.ValidationError("Kode pos terdiri dari 5 angka.")
        return value

    def clean_logo(self) -> object:
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "read") or getattr(logo, "_committed", False):
            return logo  # nothing new uploaded (the stored logo, or cleared)
        if getattr(logo, "size", 0) > MAX_LOGO_BYTES:
            raise forms.ValidationError("Ukuran logo paling besar 1 MB.")
        # Public at /media/logo/: checked by content (a PNG or JPEG that decodes), stored
        # under a random name (kampung.core.uploads).
        return form_check(logo, kinds=(PNG, JPEG), max_bytes=MAX_LOGO_BYTES, what="Logo").content()

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            raise forms.ValidationError("Isi lintang dan bujur sekaligus, atau kosongkan keduanya.")
        if lat is not None and not (-12 <= float(lat) <= 7):
            self.add_error("latitude", "Lintang di luar wilayah Indonesia (antara -12 dan 7).")
        if lon is not None and not (94 <= float(lon) <= 142):
            self.add_error("longitude", "Bujur di luar wilayah Indonesia (antara 94 dan 142).")
        return data


class HolidayForm(forms.Form):
    date = forms.DateField(label="Tanggal", widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label="Keterangan", max_length=120)
    kind = forms.ChoiceField(label="Jenis", choices=HolidayKind.choices)
