"""Forms of the treasurer's pages. They only parse input (Indonesian amounts "1.500.000");
the rules live in :mod:`kampung.finance.services.treasury`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kampung.finance.models import PaymentMethod, TransferDirection
from kampung.finance.services.execution import parse_month_amount

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
METHODS = [
    (PaymentMethod.CASH.value, "Kas tunai"),
    (PaymentMethod.TRANSFER.value, "Rekening kas desa (bank)"),
]


class AmountField(forms.CharField):
    """An amount typed the Indonesian way ("1.500.000" or "1500000,50")."""

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("max_length", 30)
        kw.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kw)

    def clean(self, value: Any) -> Decimal:
        text = super().clean(value)
        try:
            amount = parse_month_amount(text)
        except ValueError as exc:
            raise forms.ValidationError("Jumlah harus berupa angka, mis. 1.500.000.") from exc
        if amount <= 0:
            raise forms.ValidationError("Jumlah harus lebih dari nol.")
        return amount


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class ReceiptForm(forms.Form):
    date = forms.DateField(label="Tanggal", widget=DATE_INPUT)
    account_code = forms.ChoiceField(label="Rekening")
    source_code = forms.ChoiceField(label="Sumber dana")
    amount = AmountField(label="Jumlah (Rp)")
    method = forms.ChoiceField(label="Diterima ke", choices=METHODS)
    payer = forms.CharField(label="Diterima dari", max_length=160)
    description = forms.CharField(label="Uraian", max_length=300)
    reference = forms.CharField(label="Nomor referensi/rekening koran", max_length=60, required=False)
    tranche = forms.IntegerField(label="Tahap penyaluran (DD/ADD)", min_value=1, max_value=4, required=False)
    earmarked = forms.BooleanField(label="Dana Desa earmark", required=False)
    number = forms.CharField(
        label="Nomor TBP (kosongkan untuk nomor otomatis)", max_length=80, required=False
    )

    def __init__(
        self, *args: Any, accounts: list[tuple[str, str]], sources: list[tuple[str, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        _choices(self, "account_code", accounts)
        _choices(self, "source_code", sources)


class TransferForm(forms.Form):
    date = forms.DateField(label="Tanggal", widget=DATE_INPUT)
    direction = forms.ChoiceField(label="Arah", choices=TransferDirection.choices)
    amount = AmountField(label="Jumlah (Rp)")
    reference = forms.CharField(label="Nomor cek/slip", max_length=60, required=False)
    description = forms.CharField(label="Uraian", max_length=300, required=False)


class TaxDepositForm(forms.Form):
    date = forms.DateField(label="Tanggal setor", widget=DATE_INPUT)
    tax_code = forms.ChoiceField(label="Jenis pajak")
    amount = AmountField(label="Jumlah (Rp)")
    method = forms.ChoiceField(label="Dibayar dari", choices=METHODS, initial=PaymentMethod.TRANSFER.value)
    billing_code = forms.CharField(label="Kode billing", max_length=40, required=False)
    ntpn = forms.CharField(label="NTPN (16 karakter)", max_length=40, required=False)

    def __init__(self, *args: Any, taxes: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        _choices(self, "tax_code", taxes)


class FinancingOutlayForm(forms.Form):
    date = forms.DateField(label="Tanggal", widget=DATE_INPUT)
    account_code = forms.ChoiceField(label="Rekening pengeluaran pembiayaan")
    source_code = forms.ChoiceField(label="Sumber dana", required=False)
    amount = AmountField(label="Jumlah (Rp)")
    method = forms.ChoiceField(label="Dibayar dari", choices=METHODS, initial=PaymentMethod.TRANSFER.value)
    description = forms.CharField(label="Uraian", max_length=300)
    reference = forms.CharField(label="Nomor cek/referensi", max_length=60, required=False)
    number = forms.CharField(
        label="Nomor bukti (kosongkan untuk nomor otomatis)", max_length=80, required=False
    )

    def __init__(
        self, *args: Any, accounts: list[tuple[str, str]], sources: list[tuple[str, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        _choices(self, "account_code", accounts)
        _choices(self, "source_code", [("", "— tanpa sumber —"), *sources])


class ReverseForm(forms.Form):
    date = forms.DateField(label="Tanggal koreksi", widget=DATE_INPUT)
    reason = forms.CharField(
        label="Alasan koreksi", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(forms.Form):
    month = forms.IntegerField(min_value=1, max_value=12)
