from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Nama pengguna", max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    password = forms.CharField(label="Kata sandi", strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": "Nama pengguna atau kata sandi salah. Periksa kembali lalu coba lagi.",
        "inactive": "Akun ini dinonaktifkan. Hubungi admin kabupaten.",
        "resident": "Warga masuk dengan NIK dan PIN di halaman Masuk Warga.",
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        # Residents have their own login (NIK and PIN), which checks that they still live here.
        if hasattr(user, "resident_account"):
            raise ValidationError(self.error_messages["resident"], code="resident")


class ChangePasswordForm(PasswordChangeForm):
    pass


class TwoFactorCodeForm(forms.Form):
    """A 6-digit code from the authenticator app (or, where allowed, an 8-character backup code)."""

    code = forms.CharField(
        label="Kode verifikasi",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "size": 12}
        ),
        error_messages={"required": "Ketik kode dari aplikasi autentikator."},
    )
