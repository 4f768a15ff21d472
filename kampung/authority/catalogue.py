"""The acts the system knows and their holders by law (the default, before any delegation).

Permendagri 20/2018 (village finance): the BPD agrees the APBDes draft (Pasal 32), the
bupati evaluates it (Pasal 35), the village head enacts it (Pasal 38); the secretary
verifies payment requests, the head approves them, the treasurer pays (Pasal 44–46) and
closes the books each month.
"""

from kampung.accounts.roles import Role

ACTS: list[tuple[str, str, str]] = [
    ("finance.apbdes.agree", Role.BPD, "Menyepakati Rancangan Perdes APBDes"),
    ("finance.apbdes.evaluate", Role.BUPATI, "Mengevaluasi Rancangan Perdes APBDes"),
    ("finance.apbdes.enact", Role.HEAD, "Menetapkan Perdes APBDes"),
    ("finance.spp.verify", Role.SECRETARY, "Memverifikasi Surat Permintaan Pembayaran (SPP)"),
    ("finance.spp.approve", Role.HEAD, "Menyetujui Surat Permintaan Pembayaran (SPP)"),
    ("finance.spp.pay", Role.TREASURER, "Membayar SPP"),
    ("finance.month.close", Role.TREASURER, "Menutup buku bulanan"),
]

# Acts named from data: one per letter type (slug) and one per assistance programme.
ACT_FAMILIES: list[tuple[str, str, str]] = [
    ("letters.verify.*", Role.SECRETARY, "Memverifikasi surat"),
    ("letters.sign.*", Role.HEAD, "Menandatangani surat"),
    ("assistance.*.decide", Role.BUPATI, "Memutuskan penerima bantuan"),
]

# Roles that hold an act by their duties beside its holder, in the same office: checking a
# letter request against the register is the service operator's daily work as much as the
# secretary's (the life cycle: "operator or secretary checks the data").
CO_HOLDERS: dict[str, tuple[str, ...]] = {
    "letters.verify.*": (Role.OPERATOR,),
}


def letter_type_acts(slug: str) -> tuple[str, str]:
    """The verify and sign acts of a letter type (registered when the type is created)."""
    return f"letters.verify.{slug}", f"letters.sign.{slug}"


def programme_decide_act(programme: str) -> str:
    """The decision act of an assistance programme (registered with the programme)."""
    return f"assistance.{programme}.decide"
