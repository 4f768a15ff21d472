"""Forms of the Dana Desa tranche rules, village status, and the regency's execution settings
and tax rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kampung.finance.forms.assets import AmountField
from kampung.finance.forms.ref import DateInput
from kampung.finance.models import DesaStatus, TaxKind

MONTH_CHOICES = [("", "—")] + [
    (str(i), name)
    for i, name in enumerate(
        (
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        ),
        start=1,
    )
]


def _percent_field(label: str, *, places: int, required: bool = True) -> forms.DecimalField:
    """A percentage from 0 to 100 with ``places`` decimals."""
    return forms.DecimalField(
        label=label, min_value=Decimal(0), max_value=Decimal(100), decimal_places=places, required=required
    )


class TrancheRowForm(forms.Form):
    tranche = forms.IntegerField(label="Tahap", min_value=1, max_value=6, required=False)
    percent = _percent_field("Persentase", places=2, required=False)
    earliest_month = forms.TypedChoiceField(
        label="Paling cepat", choices=MONTH_CHOICES, coerce=int, empty_value=None, required=False
    )
    latest_month = forms.TypedChoiceField(
        label="Paling lambat", choices=MONTH_CHOICES, coerce=int, empty_value=None, required=False
    )
    requires_apbdes = forms.BooleanField(label="Perdes APBDes", required=False)
    requires_previous_year_report = forms.BooleanField(label="Laporan tahun lalu", required=False)
    min_absorption = _percent_field("Penyerapan min. (%)", places=2, required=False)
    min_output = _percent_field("Keluaran min. (%)", places=2, required=False)
    basis = forms.CharField(label="Dasar", max_length=200, required=False)


TrancheFormSet = forms.formset_factory(TrancheRowForm, extra=1, max_num=6, absolute_max=6)


class YearCopyForm(forms.Form):
    from_year = forms.IntegerField(label="Dari tahun", min_value=2000, max_value=2100)
    to_year = forms.IntegerField(label="Ke tahun", min_value=2000, max_value=2100)


class StatusForm(forms.Form):
    desa = forms.CharField(max_length=13)
    status = forms.ChoiceField(choices=[("", "— belum ditetapkan —"), *DesaStatus.choices], required=False)


class SettingForm(forms.Form):
    require_stage_complete = forms.BooleanField(
        label="SPP tahap berikutnya hanya disetujui setelah tahap sebelumnya dilaporkan selesai (kemajuan dan foto)",
        required=False,
    )
    cash_limit = AmountField(
        label="Batas kas tunai di Kaur Keuangan (Rp, kosong = tanpa batas)", required=False
    )
    advance_working_days = forms.IntegerField(
        label="Batas SPJ panjar (hari kerja)", min_value=1, max_value=30
    )


class TaxRateForm(forms.Form):
    code = forms.CharField(
        label="Kode", max_length=16, help_text="Huruf besar/angka/garis bawah, mis. PBJT_MAKAN"
    )
    name = forms.CharField(label="Nama pajak", max_length=120)
    kind = forms.ChoiceField(label="Jenis", choices=TaxKind.choices, initial=TaxKind.REGIONAL)
    rate = _percent_field("Tarif (%)", places=4)
    rate_without_npwp = _percent_field("Tarif tanpa NPWP (%)", places=4, required=False)
    threshold = AmountField(label="Batas minimal dasar pengenaan (Rp)", required=False)
    deposit_code = forms.CharField(label="Kode MAP/KJS", max_length=20, required=False)
    valid_from = forms.DateField(label="Berlaku sejak", widget=DateInput())
    valid_to = forms.DateField(
        label="Berlaku sampai (kosong = seterusnya)", widget=DateInput(), required=False
    )
    basis = forms.CharField(label="Dasar hukum", max_length=200, required=False)
    notes = forms.CharField(label="Keterangan", max_length=300, required=False)


class TaxRateChangeForm(forms.Form):
    valid_from = forms.DateField(label="Tarif baru berlaku sejak", widget=DateInput())
    rate = _percent_field("Tarif baru (%)", places=4)
    rate_without_npwp = _percent_field("Tarif tanpa NPWP (%)", places=4, required=False)
    threshold = AmountField(label="Batas minimal dasar pengenaan (Rp)", required=False)
    basis = forms.CharField(label="Dasar hukum", max_length=200, required=False)
    notes = forms.CharField(label="Keterangan", max_length=300, required=False)


class TaxRateEndForm(forms.Form):
    valid_to = forms.DateField(label="Berlaku sampai", widget=DateInput())


def form_errors(form: Any) -> str:
    """The form's errors as one line for ``messages.error``."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return "; ".join(parts) or "Isian tidak sah."
