"""Forms of the resident's login and PIN pages, and of the operator's account actions."""

from __future__ import annotations

from typing import Any

from django import forms

from kampung.population.portal import PIN_LENGTH


def _pin_widget(autocomplete: str, *, autofocus: bool = False) -> forms.PasswordInput:
    attrs: dict[str, Any] = {
        "inputmode": "numeric",
        "pattern": "[0-9]{6}",
        "maxlength": str(PIN_LENGTH),
        "minlength": str(PIN_LENGTH),
        "autocomplete": autocomplete,
        "class": "pin-input",
    }
    if autofocus:
        attrs["autofocus"] = True
    return forms.PasswordInput(attrs=attrs)


def _clean_pin(value: str) -> str:
    value = value.strip()
    if len(value) != PIN_LENGTH or not value.isdigit():
        raise forms.ValidationError(f"PIN harus {PIN_LENGTH} angka.")
    return value


class PortalLoginForm(forms.Form):
    nik = forms.CharField(
        label="NIK (16 angka, lihat KTP atau KK)",
        max_length=24,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "username",
                "autofocus": True,
                "class": "nik-input",
            }
        ),
    )
    pin = forms.CharField(label="PIN (6 angka)", strip=False, widget=_pin_widget("current-password"))

    def clean_nik(self) -> str:
        nik = "".join(self.cleaned_data["nik"].split())
        if len(nik) != 16 or not nik.isdigit():
            raise forms.ValidationError("NIK harus 16 angka.")
        return nik

    def clean_pin(self) -> str:
        return _clean_pin(self.cleaned_data["pin"])


class PinChangeForm(forms.Form):
    old_pin = forms.CharField(
        label="PIN lama (dari slip PIN)", strip=False, widget=_pin_widget("current-password", autofocus=True)
    )
    new_pin = forms.CharField(
        label="PIN baru",
        strip=False,
        widget=_pin_widget("new-password"),
        help_text="6 angka yang mudah Anda ingat tetapi sulit ditebak orang lain: bukan tanggal lahir, "
        "bukan angka berulang (111111) atau berurutan (123456).",
    )
    new_pin_again = forms.CharField(label="Ulangi PIN baru", strip=False, widget=_pin_widget("new-password"))

    def clean_old_pin(self) -> str:
        return _clean_pin(self.cleaned_data["old_pin"])

    def clean_new_pin(self) -> str:
        return _clean_pin(self.cleaned_data["new_pin"])

    def clean_new_pin_again(self) -> str:
        return _clean_pin(self.cleaned_data["new_pin_again"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new, again = data.get("new_pin"), data.get("new_pin_again")
        if new and again and new != again:
            self.add_error("new_pin_again", "Kedua PIN baru tidak sama. Ketik ulang.")
        return data


class PinResetForm(forms.Form):
    identity_checked = forms.BooleanField(
        label="Identitas sudah diperiksa (KTP asli)",
        required=True,
        error_messages={
            "required": "Periksa dulu KTP asli warga, lalu centang kotak ini.",
        },
    )


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label="Alasan (tidak wajib)", max_length=255, required=False, widget=forms.TextInput()
    )


class AccountSearchForm(forms.Form):
    q = forms.CharField(label="Cari nama atau NIK", max_length=100, required=False)
    desa = forms.ChoiceField(label="Desa/kelurahan", required=False)

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        desa = self.fields["desa"]
        assert isinstance(desa, forms.ChoiceField)
        desa.choices = [("", "Semua"), *villages]
