"""Forms of the finance reference pages (codes, SSH, calendar, ceilings, earmark rules)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms

from kampung.finance.models.ref import CalendarEvent, FundSource, RuleKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class LocalCodeForm(forms.Form):
    code = forms.CharField(label="Kode", max_length=20)
    name = forms.CharField(label="Nama", max_length=400)


class UnitPriceForm(forms.Form):
    code = forms.CharField(label="Kode", max_length=30)
    name = forms.CharField(label="Uraian", max_length=255)
    specification = forms.CharField(label="Spesifikasi", max_length=255, required=False)
    unit = forms.CharField(label="Satuan", max_length=30)
    price = forms.DecimalField(
        label="Harga satuan (Rp)", min_value=Decimal("0.01"), max_digits=18, decimal_places=2
    )
    account_code = forms.CharField(label="Kode rekening yang disarankan", max_length=20, required=False)
    active = forms.BooleanField(label="Aktif", required=False, initial=True)


class UploadForm(forms.Form):
    file = forms.FileField(label="Berkas Excel (.xlsx)")


class YearCopyForm(forms.Form):
    from_year = forms.IntegerField(label="Dari tahun", min_value=2000, max_value=2100)
    to_year = forms.IntegerField(label="Ke tahun", min_value=2000, max_value=2100)


class CalendarForm(forms.Form):
    """One date per calendar event (RPJMDes is per plan, but the regency may still set it)."""

    def __init__(self, *args: Any, initial_dates: dict[str, dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for event in CalendarEvent:
            self.fields[event.value] = forms.DateField(
                label=str(event.label),
                required=event.value in initial_dates,
                initial=initial_dates.get(event.value),
                widget=DateInput,
            )


class CeilingForm(forms.Form):
    """A desa's ceilings, one field per transfer source; blank leaves it unset."""

    note = forms.CharField(label="Catatan", max_length=255, required=False)

    def __init__(
        self, *args: Any, sources: list[FundSource], initial_amounts: dict[str, Decimal | None], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sources = sources
        for source in sources:
            self.fields[f"amount_{source.code}"] = forms.DecimalField(
                label=f"{source.code} — {source.name}",
                required=False,
                min_value=Decimal(0),
                max_digits=18,
                decimal_places=2,
                initial=initial_amounts.get(source.code),
            )
        self.fields["note"] = self.fields.pop("note")


class EarmarkForm(forms.Form):
    year = forms.IntegerField(label="Tahun anggaran", min_value=2000, max_value=2100)
    label = forms.CharField(label="Nama ketentuan", max_length=200)
    kind = forms.ChoiceField(label="Jenis", choices=RuleKind.choices)
    percent = forms.DecimalField(
        label="Persen dari Dana Desa",
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )
    activity_prefixes = forms.CharField(
        label="Kode kegiatan/sub bidang (dipisah spasi)",
        max_length=400,
        help_text="Misalnya: 05.03 atau 04.02 01.01.04",
    )
    basis = forms.CharField(label="Dasar hukum", max_length=200, required=False)
