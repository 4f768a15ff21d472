from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Nama pengguna", max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    password = forms.CharField(label="Kata sandi", strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": "Nama pengguna atau kata sandi salah. Periksa kembali lalu coba lagi.",
        "inactive": "Akun ini dinonaktifkan. Hubungi admin kabupaten.",
    }


class ChangePasswordForm(PasswordChangeForm):
    pass
