"""The regency's Ed25519 signing keys, kept as files outside the database.

Layout under ``settings.KEYS_DIR`` (one folder per regency, code without dots)::

    3510/keys.json            the key list: kid, created, retired (the newest is current)
    3510/<kid>.pub.pem        public key (published on /dokumen/kunci-publik/)
    3510/<kid>.key.pem        private key, mode 0600, folder mode 0700

Rotation adds a key and marks the previous one retired; retired public keys stay, so
documents signed with them still verify. A private key never leaves this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from kampung.core.errors import KampungError

_KID_RE = re.compile(r"^(\d{4})-\d{8}-[0-9a-f]{8}$")
_REGENCY_RE = re.compile(r"^\d{2}\.\d{2}$")


class SigningKeyError(KampungError):
    code = "kunci"


@dataclass(frozen=True)
class KeyInfo:
    kid: str
    regency: str
    created: dt.datetime
    retired: dt.datetime | None
    public_pem: str

    @property
    def current(self) -> bool:
        return self.retired is None


def keys_dir() -> Path:
    return Path(settings.KEYS_DIR)


def _folder(regency: str) -> Path:
    if not _REGENCY_RE.match(regency):
        raise SigningKeyError(f"Kode kabupaten '{regency}' tidak sah; tulis seperti 35.10.")
    return keys_dir() / regency.replace(".", "")


def _index_path(regency: str) -> Path:
    return _folder(regency) / "keys.json"


def _read_index(regency: str) -> list[dict[str, str | None]]:
    path = _index_path(regency)
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data.get("keys", []))


def _write_index(regency: str, rows: list[dict[str, str | None]]) -> None:
    path = _index_path(regency)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"regency": regency, "keys": rows}, indent=2), encoding="utf-8")
    tmp.replace(path)


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_generate(*, regency: str, now: dt.datetime | None = None) -> KeyInfo:
    """Make a new key pair for ``regency`` and make it current; the old ones are retired,
    not removed."""
    folder = _folder(regency)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    now = now or timezone.now()
    private = Ed25519PrivateKey.generate()
    public_pem = _public_pem(private.public_key())
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    kid = f"{regency.replace('.', '')}-{now:%Y%m%d}-{hashlib.sha256(raw_public).hexdigest()[:8]}"
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_path = folder / f"{kid}.key.pem"
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem)
    key_path.chmod(0o600)
    (folder / f"{kid}.pub.pem").write_bytes(public_pem)
    rows = _read_index(regency)
    for row in rows:
        if not row.get("retired"):
            row["retired"] = now.isoformat()
    rows.append({"kid": kid, "created": now.isoformat(), "retired": None})
    _write_index(regency, rows)
    return KeyInfo(kid, regency, now, None, public_pem.decode("ascii"))


def key_list(*, regency: str) -> list[KeyInfo]:
    """All keys of ``regency``, oldest first (public parts only)."""
    folder = _folder(regency)
    result: list[KeyInfo] = []
    for row in _read_index(regency):
        kid = str(row["kid"])
        pub = folder / f"{kid}.pub.pem"
        if not pub.exists():
            continue
        retired = row.get("retired")
        result.append(
            KeyInfo(
                kid=kid,
                regency=regency,
                created=dt.datetime.fromisoformat(str(row["created"])),
                retired=dt.datetime.fromisoformat(retired) if retired else None,
                public_pem=pub.read_text(encoding="ascii"),
            )
        )
    return result


def regencies_with_keys() -> list[str]:
    base = keys_dir()
    if not base.is_dir():
        return []
    codes = [
        f"{p.name[:2]}.{p.name[2:]}" for p in base.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)
    ]
    return sorted(c for c in codes if _read_index(c))


def current_key(regency: str) -> tuple[str, Ed25519PrivateKey]:
    """The kid and private key that sign new documents of ``regency``."""
    rows = [r for r in _read_index(regency) if not r.get("retired")]
    if not rows:
        raise SigningKeyError(
            f"Kabupaten {regency} belum punya kunci tanda tangan. "
            f"Jalankan: kampung keys generate --regency {regency}"
        )
    kid = str(rows[-1]["kid"])
    data = (_folder(regency) / f"{kid}.key.pem").read_bytes()
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"Kunci {kid} bukan kunci Ed25519.")
    return kid, key


def public_key(kid: str) -> Ed25519PublicKey | None:
    """The public key named ``kid``, current or retired; None if there is no such key."""
    match = _KID_RE.match(kid or "")
    if not match:
        return None
    regency = f"{match.group(1)[:2]}.{match.group(1)[2:]}"
    path = _folder(regency) / f"{kid}.pub.pem"
    if not path.is_file():
        return None
    key = serialization.load_pem_public_key(path.read_bytes())
    return key if isinstance(key, Ed25519PublicKey) else None
