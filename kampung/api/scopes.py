"""What an integration client's token may read: one scope per group of endpoints.

A client token carries a chosen subset of these; every endpoint names the one it needs
(``scope=`` in its route) and a token without it gets 403. Personal tokens and the browser
session carry no scopes: they act as their user, with that user's roles.
"""

from __future__ import annotations

RESIDENTS_READ = "penduduk:baca"
FAMILIES_READ = "keluarga:baca"

# The catalogue, in the order the admin page lists it, with the label shown there.
SCOPES: dict[str, str] = {
    RESIDENTS_READ: "Membaca data penduduk (daftar, pencarian dan rincian seorang penduduk)",
    FAMILIES_READ: "Membaca data keluarga (daftar KK dan anggota tiap keluarga)",
}


def scope_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} — {label}") for code, label in SCOPES.items()]


def scope_label(code: str) -> str:
    return SCOPES.get(code, code)
