"""Indonesian mobile numbers in one form (+628...), and masking for lists."""

from __future__ import annotations

import re

from kampung.core.errors import KampungError

_SEPARATORS = re.compile(r"[\s\-.()/]")
# +62, then the mobile prefix 8, then 8 to 11 more digits (national numbers 08xx of 10-13 digits).
_MOBILE = re.compile(r"^\+628\d{8,11}$")


def phone_normalise(raw: str) -> str:
    """``0812-3456-7890``, ``62812...``, ``+62 812...`` -> ``+6281234567890``.

    Only mobile numbers are accepted: SMS and WhatsApp do not reach landlines.
    Raises :class:`KampungError` when the number is not an Indonesian mobile number.
    """
    digits = _SEPARATORS.sub("", raw or "")
    if digits.startswith("+62"):
        number = digits
    elif digits.startswith("0062"):
        number = "+" + digits[2:]
    elif digits.startswith("62"):
        number = "+" + digits
    elif digits.startswith("08"):
        number = "+62" + digits[1:]
    elif digits.startswith("8"):
        number = "+62" + digits
    else:
        number = digits
    if not _MOBILE.match(number):
        raise KampungError(
            f"Nomor HP {raw!r} tidak sah. Tulis nomor seluler Indonesia, mis. 0812-3456-7890.",
            code="nomor_hp_tidak_sah",
        )
    return number


def mask_phone(number: str) -> str:
    """``+6281234567890`` -> ``+62812*****890``: enough to recognise, not to dial."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 9) + number[-3:]


def mask_email(address: str) -> str:
    """``budi.santoso@gmail.com`` -> ``bu**********@gmail.com``."""
    local, at, domain = address.partition("@")
    if not at:
        return mask_phone(address)
    keep = 2 if len(local) > 3 else 1
    return local[:keep] + "*" * max(len(local) - keep, 1) + "@" + domain


def mask_recipient(recipient: str) -> str:
    return mask_email(recipient) if "@" in recipient else mask_phone(recipient)
