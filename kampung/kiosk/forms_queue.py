"""Forms of the counter's queue pages: the counter (loket) choice, the desk's actions and a
queue service's settings."""

from __future__ import annotations

from typing import Any

from django import forms

from kampung.kiosk.services_queue import COUNTERS, LETTER_RE

MAX_ID = 2**63 - 1


class CounterForm(forms.Form):
    counter = forms.ChoiceField(
        label="Loket Anda",
        choices=[(c, f"Loket {c}") for c in COUNTERS],
        error_messages={"invalid_choice": "Pilih loket 1 sampai 9.", "required": "Pilih loket 1 sampai 9."},
    )


class DeskActionForm(forms.Form):
    ACTIONS = (
        ("call", "Panggil berikutnya"),
        ("recall", "Panggil ulang"),
        ("finish", "Selesai"),
        ("skip", "Tidak hadir"),
    )
    action = forms.ChoiceField(choices=ACTIONS)
    service = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    ticket = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "call" and not data.get("service"):
            raise forms.ValidationError("Pilih layanan yang akan dipanggil.")
        if action in ("recall", "finish", "skip") and not data.get("ticket"):
            raise forms.ValidationError("Pilih nomor antrian.")
        return data


class QueueServiceForm(forms.Form):
    letter = forms.CharField(
        label="Huruf",
        max_length=1,
        error_messages={
            "required": "Huruf antrian wajib diisi.",
            "max_length": "Huruf antrian harus satu huruf A sampai Z.",
        },
    )
    name = forms.CharField(
        label="Nama layanan",
        max_length=80,
        error_messages={
            "required": "Nama layanan wajib diisi.",
            "max_length": "Nama layanan paling panjang 80 huruf.",
        },
    )
    description = forms.CharField(
        label="Keterangan",
        max_length=200,
        required=False,
        error_messages={"max_length": "Keterangan paling panjang 200 huruf."},
    )
    order = forms.IntegerField(
        label="Urutan",
        min_value=0,
        max_value=999,
        initial=10,
        error_messages={
            "required": "Urutan wajib diisi (0 sampai 999).",
            "invalid": "Urutan harus angka 0 sampai 999.",
            "min_value": "Urutan harus 0 sampai 999.",
            "max_value": "Urutan harus 0 sampai 999.",
        },
    )
    active = forms.BooleanField(label="Aktif (tampil di anjungan)", required=False, initial=True)

    def clean_letter(self) -> str:
        letter = self.cleaned_data["letter"].strip().upper()
        if not LETTER_RE.fullmatch(letter):
            raise forms.ValidationError("Huruf antrian harus satu huruf A sampai Z.")
        return letter

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Nama layanan wajib diisi.")
        return name

    def clean_description(self) -> str:
        return " ".join(self.cleaned_data["description"].split())
