from __future__ import annotations

from typing import Any

from django import forms

from kampung.documents.models import DOCUMENT_KINDS
from kampung.documents.services import MAX_SCAN_BYTES, IncomingData


class CodeForm(forms.Form):
    kode = forms.CharField(
        label="Kode verifikasi", max_length=40, help_text="10 huruf/angka di bawah kode QR."
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Alasan pencabutan", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )


class OutgoingFilterForm(forms.Form):
    bulan = forms.CharField(label="Bulan", required=False, widget=forms.DateInput(attrs={"type": "month"}))
    jenis = forms.ChoiceField(
        label="Jenis",
        required=False,
        choices=[("", "Semua jenis"), *[(k.value, k.label) for k in DOCUMENT_KINDS]],
    )
    q = forms.CharField(label="Cari", required=False, max_length=100)


class IncomingFilterForm(forms.Form):
    bulan = forms.CharField(
        label="Bulan diterima", required=False, widget=forms.DateInput(attrs={"type": "month"})
    )
    q = forms.CharField(label="Cari", required=False, max_length=100)


_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IncomingForm(forms.Form):
    received_on = forms.DateField(label="Tanggal diterima", widget=_DATE)
    sender = forms.CharField(label="Pengirim", max_length=200)
    letter_number = forms.CharField(label="Nomor surat", max_length=120)
    letter_date = forms.DateField(label="Tanggal surat", widget=_DATE)
    subject = forms.CharField(label="Perihal", max_length=300)
    classification = forms.CharField(
        label="Kode klasifikasi", max_length=30, required=False, help_text="Misalnya 400.10 atau 000.1.2."
    )
    disposition = forms.CharField(
        label="Catatan disposisi", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scan = forms.FileField(
        label="Salinan pindaian",
        required=False,
        help_text=f"PDF, JPEG, atau PNG; paling besar {MAX_SCAN_BYTES // (1024 * 1024)} MB.",
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def data_object(self) -> IncomingData:
        d: dict[str, Any] = self.cleaned_data
        return IncomingData(
            received_on=d["received_on"],
            sender=d["sender"],
            letter_number=d["letter_number"],
            letter_date=d["letter_date"],
            subject=d["subject"],
            classification=d["classification"],
            disposition=d["disposition"],
        )
