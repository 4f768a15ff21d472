"""The kiosk's own forms: NIK + PIN, a tracking code, a document's verification code. Every
input opens an on-screen pad (``data-pad``); the system keyboard stays away."""

from __future__ import annotations

from typing import Any

from django import forms

from kampung.core.errors import KampungError
from kampung.documents.services import CODE_ALPHABET, CODE_LENGTH, code_normalise
from kampung.kiosk.services_kiosk import tracking_code_clean
from kampung.letters.models_requests import TRACKING_ALPHABET
from kampung.population.portal import PIN_LENGTH

NIK_LENGTH = 16


def _pad(kind: str, **extra: str) -> dict[str, str]:
    return {"data-pad": kind, "inputmode": "none", "autocomplete": "off", "spellcheck": "false", **extra}


def _digits(value: str, length: int, what: str) -> str:
    value = (value or "").strip()
    if len(value) != length or not value.isdigit():
        raise forms.ValidationError(f"{what} harus {length} angka.")
    return value


class IdentifyForm(forms.Form):
    nik = forms.CharField(
        label="NIK (16 angka di KTP)",
        max_length=NIK_LENGTH,
        widget=forms.TextInput(attrs=_pad("angka", maxlength=str(NIK_LENGTH))),
        error_messages={"required": "Masukkan NIK Anda."},
    )
    pin = forms.CharField(
        label=f"PIN ({PIN_LENGTH} angka)",
        max_length=PIN_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs=_pad("angka", maxlength=str(PIN_LENGTH))),
        error_messages={"required": "Masukkan PIN Anda."},
    )

    def clean_nik(self) -> str:
        return _digits(self.cleaned_data["nik"], NIK_LENGTH, "NIK")

    def clean_pin(self) -> str:
        return _digits(self.cleaned_data["pin"], PIN_LENGTH, "PIN")


def _code_field(label: str, alphabet: str, group: int, missing: str) -> forms.CharField:
    """A code typed on the code pad: only its letters, the dash put in every ``group``."""
    attrs = {
        "data-keys": alphabet,
        "data-group": str(group),
        "maxlength": str(2 * group + 1),
        "class": "k-code",
    }
    return forms.CharField(
        label=label,
        max_length=40,
        widget=forms.TextInput(attrs=_pad("kode", **attrs)),
        error_messages={"required": missing},
    )


class TrackingForm(forms.Form):
    kode = _code_field(
        "Kode permohonan (di slip)", TRACKING_ALPHABET, 4, "Masukkan kode permohonan dari slip Anda."
    )

    def clean_kode(self) -> str:
        try:
            return tracking_code_clean(self.cleaned_data["kode"])
        except KampungError as exc:
            raise forms.ValidationError(exc.message) from None


class VerifyForm(forms.Form):
    kode = _code_field(
        "Kode verifikasi (di bawah kode QR)",
        CODE_ALPHABET,
        CODE_LENGTH // 2,
        "Masukkan kode verifikasi yang tercetak di bawah kode QR.",
    )

    def clean_kode(self) -> str:
        code = code_normalise(self.cleaned_data["kode"])
        if len(code) != CODE_LENGTH or set(code) - set(CODE_ALPHABET):
            raise forms.ValidationError(
                f"Kode verifikasi terdiri atas {CODE_LENGTH} huruf/angka, misalnya ABCDE-FGHJK. "
                "Periksa kembali kode di bawah kode QR."
            )
        return code


def form_values(form: forms.Form) -> dict[str, Any]:
    """The submitted text of a bound form's fields (to keep a draft between two pages)."""
    return {name: str(form.data.get(name, ""))[:2000] for name in form.fields}
