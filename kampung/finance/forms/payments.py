"""Forms of the payment pages (SPP, payment, SPJ, return, documents). Amounts are typed the
Indonesian way ("1.500.000"); the services decide, the forms only read the fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kampung.finance.models import AttachmentKind, PaymentMethod, SppKind
from kampung.finance.services.execution import parse_month_amount

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SppForm(forms.Form):
    kind = forms.ChoiceField(label="Jenis SPP", choices=SppKind.choices)
    date = forms.DateField(label="Tanggal SPP", widget=DATE_WIDGET)
    description = forms.CharField(label="Uraian", max_length=300)
    payee_name = forms.CharField(label="Penerima", max_length=160)
    payee_npwp = forms.CharField(label="NPWP penerima", max_length=25, required=False)
    payee_bank = forms.CharField(label="Bank penerima", max_length=80, required=False)
    payee_account = forms.CharField(label="Nomor rekening penerima", max_length=40, required=False)
    stage = forms.IntegerField(label="Tahap", min_value=1, max_value=20, initial=1)
    progress_percent = forms.DecimalField(
        label="Kemajuan kegiatan (%)", min_value=0, max_value=100, decimal_places=2, initial=0, required=False
    )
    progress_note = forms.CharField(
        label="Laporan kemajuan", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


def lines_from_post(data: Any, line_ids: list[int]) -> tuple[list[tuple[int, Decimal, str]], list[str]]:
    """The requested amounts per budget line (``amount_<id>``, ``text_<id>``); empty or zero
    amounts are left out. Returns the lines and the fields that could not be read."""
    lines: list[tuple[int, Decimal, str]] = []
    bad: list[str] = []
    for pk in line_ids:
        raw = data.get(f"amount_{pk}", "")
        try:
            amount = parse_month_amount(raw)
        except ValueError:
            bad.append(str(raw)[:40])
            continue
        if amount:
            lines.append((pk, amount, str(data.get(f"text_{pk}", ""))[:255]))
    return lines, bad


class VerifyForm(forms.Form):
    complete = forms.BooleanField(label="Dokumen lengkap", required=False)
    correct = forms.BooleanField(label="Perhitungan benar", required=False)
    funds = forms.BooleanField(label="Dana tersedia (anggaran, RAK, kas)", required=False)
    note = forms.CharField(label="Catatan", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label="Catatan", widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(forms.Form):
    date = forms.DateField(label="Tanggal bayar", widget=DATE_WIDGET)
    method = forms.ChoiceField(label="Cara bayar", choices=PaymentMethod.choices)
    reference = forms.CharField(label="Nomor cek/referensi transfer", max_length=60, required=False)


class SpjForm(forms.Form):
    date = forms.DateField(label="Tanggal SPJ", widget=DATE_WIDGET)


class ReturnForm(forms.Form):
    date = forms.DateField(label="Tanggal pengembalian", widget=DATE_WIDGET)
    method = forms.ChoiceField(label="Diterima", choices=PaymentMethod.choices)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label="Jenis dokumen", choices=AttachmentKind.choices)
    file = forms.FileField(label="Berkas (PDF, JPEG, PNG; paling besar 5 MB)")
    for_spj = forms.BooleanField(required=False, widget=forms.HiddenInput)


def tax_picks(data: Any, line_ids: list[int]) -> list[tuple[int, str]]:
    """The tax codes ticked per SPP line (``tax_<line id>``, several allowed)."""
    picks: list[tuple[int, str]] = []
    for pk in line_ids:
        for code in data.getlist(f"tax_{pk}") if hasattr(data, "getlist") else []:
            code = str(code).strip()[:16]
            if code:
                picks.append((pk, code))
    return picks


def spent_from_post(data: Any, line_ids: list[int]) -> tuple[dict[int, Decimal], list[str]]:
    spent: dict[int, Decimal] = {}
    bad: list[str] = []
    for pk in line_ids:
        raw = data.get(f"spent_{pk}", "")
        try:
            spent[pk] = parse_month_amount(raw)
        except ValueError:
            bad.append(str(raw)[:40])
    return spent, bad
