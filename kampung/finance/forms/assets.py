"""Forms of the village asset register."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kampung.finance.forms.ref import DateInput
from kampung.finance.models import AssetCategory, AssetCondition, AssetOrigin
from kampung.finance.services.execution import parse_month_amount


class AmountField(forms.CharField):
    """An amount in rupiah as typed by officials ("1.500.000", "1500000", "1.500.000,50")."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        if len(text) > 30:
            raise forms.ValidationError("Tulis angka rupiah, mis. 1.500.000.")
        try:
            return parse_month_amount(text)
        except ValueError as exc:
            raise forms.ValidationError("Tulis angka rupiah, mis. 1.500.000.") from exc


class AssetForm(forms.Form):
    category = forms.ChoiceField(label="Golongan", choices=AssetCategory.choices)
    code = forms.CharField(label="Kode barang", max_length=40, required=False)
    name = forms.CharField(label="Nama barang", max_length=200)
    quantity = forms.DecimalField(
        label="Jumlah", min_value=Decimal("0.01"), max_digits=12, decimal_places=2, initial=1
    )
    unit = forms.CharField(label="Satuan", max_length=30, initial="unit")
    acquired_on = forms.DateField(label="Tanggal perolehan", widget=DateInput())
    value = AmountField(label="Nilai perolehan (Rp)")
    origin = forms.ChoiceField(label="Asal perolehan", choices=AssetOrigin.choices)
    condition = forms.ChoiceField(
        label="Kondisi", choices=AssetCondition.choices, initial=AssetCondition.GOOD
    )
    location = forms.CharField(label="Lokasi", max_length=200, required=False)
    notes = forms.CharField(label="Keterangan", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    account_code = forms.CharField(label="Rekening belanja modal (5.3…)", max_length=20, required=False)
    spp = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def clean_value(self) -> Decimal:
        value = self.cleaned_data.get("value")
        if value is None:
            raise forms.ValidationError("Nilai perolehan wajib diisi.")
        return value


class AssetRemoveForm(forms.Form):
    date = forms.DateField(label="Tanggal penghapusan", widget=DateInput())
    reason = forms.CharField(
        label="Alasan penghapusan (dijual, rusak berat dan dimusnahkan, hilang, dihibahkan…)",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssetFilterForm(forms.Form):
    kategori = forms.ChoiceField(
        label="Golongan", choices=[("", "Semua"), *AssetCategory.choices], required=False
    )
    kondisi = forms.ChoiceField(
        label="Kondisi", choices=[("", "Semua"), *AssetCondition.choices], required=False
    )
    tahun = forms.IntegerField(label="Tahun perolehan", min_value=1900, max_value=2100, required=False)
    dihapus = forms.ChoiceField(
        label="Tampilkan",
        choices=[("", "Aset yang ada"), ("ya", "Aset yang dihapus"), ("semua", "Semua")],
        required=False,
    )
    q = forms.CharField(label="Cari", max_length=100, required=False)
