"""Forms of the resident import page."""

from __future__ import annotations

from typing import Any

from django import forms

from kampung.population.importing import KAMPUNG, LAYOUT_LABELS, OPENSID, SUFFIXES

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
TOKEN_LENGTH = 32

LAYOUT_CHOICES = [
    ("", "Kenali otomatis dari judul kolom"),
    (KAMPUNG, LAYOUT_LABELS[KAMPUNG]),
    (OPENSID, LAYOUT_LABELS[OPENSID]),
]


class ImportUploadForm(forms.Form):
    desa = forms.ChoiceField(label="Desa/kelurahan tujuan", choices=())
    format = forms.ChoiceField(label="Format berkas", choices=LAYOUT_CHOICES, required=False)
    file = forms.FileField(
        label="Berkas penduduk (.xlsx atau .csv)",
        help_text=f"Paling besar {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        error_messages={
            "required": "Pilih berkas .xlsx atau .csv yang akan diimpor.",
            "empty": "Berkas kosong.",
        },
    )

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["desa"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = villages
        if len(villages) == 1:
            field.initial = villages[0][0]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"Ukuran berkas paling besar {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Bagi berkasnya per dusun."
            )
        name = str(upload.name or "").lower()
        if not name.endswith(SUFFIXES):
            raise forms.ValidationError(
                "Jenis berkas tidak dapat diimpor: pakai Excel (.xlsx) atau CSV (.csv)."
            )
        return upload


class ImportRunForm(forms.Form):
    token = forms.RegexField(regex=rf"^[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}$", max_length=TOKEN_LENGTH)
