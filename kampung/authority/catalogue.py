"""The acts the system knows and their holders by law (the default, before any delegation).

Permendagri 20/2018 (village finance): the BPD agrees the APBDes draft (Pasal 32), the
bupati evaluates it (Pasal 35), the village head sends it (Pasal 34), enacts it and its
Penjabaran (Pasal 38), approves the DPA and the cash plan (Pasal 44, 45); the secretary
verifies payment requests, the head approves them, the treasurer pays (Pasal 44–46) and
closes the books each month; the head reports the first semester and the year (Pasal 68, 70).
"""

from kampung.accounts.roles import Role

ACTS: list[tuple[str, str, str]] = [
    ("finance.rpjmdes.enact", Role.HEAD, "Menetapkan Perdes RPJMDes"),
    ("finance.rkpdes.enact", Role.HEAD, "Menetapkan Perdes RKPDes"),
    ("finance.apbdes.agree", Role.BPD, "Menyepakati Rancangan Perdes APBDes"),
    ("finance.apbdes.evaluate", Role.BUPATI, "Mengevaluasi Rancangan Perdes APBDes"),
    ("finance.apbdes.submit", Role.HEAD, "Menyampaikan Rancangan Perdes APBDes kepada Bupati melalui Camat"),
    ("finance.apbdes.enact", Role.HEAD, "Menetapkan Perdes APBDes"),
    ("finance.apbdes.elaborate", Role.HEAD, "Menetapkan Perkades Penjabaran APBDes"),
    ("finance.dpa.verify", Role.SECRETARY, "Memverifikasi Dokumen Pelaksanaan Anggaran (DPA)"),
    ("finance.dpa.approve", Role.HEAD, "Menyetujui Dokumen Pelaksanaan Anggaran (DPA)"),
    ("finance.rak.verify", Role.SECRETARY, "Memverifikasi Rencana Anggaran Kas (RAK) Desa"),
    ("finance.rak.approve", Role.HEAD, "Menyetujui Rencana Anggaran Kas (RAK) Desa"),
    ("finance.spp.verify", Role.SECRETARY, "Memverifikasi Surat Permintaan Pembayaran (SPP)"),
    ("finance.spp.approve", Role.HEAD, "Menyetujui Surat Permintaan Pembayaran (SPP)"),
    ("finance.spp.pay", Role.TREASURER, "Membayar SPP"),
    ("finance.month.close", Role.TREASURER, "Menutup buku bulanan"),
    ("finance.semester.submit", Role.HEAD, "Menyampaikan laporan pelaksanaan APBDes semester I"),
    ("finance.lpj.submit", Role.HEAD, "Menyampaikan LPJ realisasi pelaksanaan APBDes"),
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
    # The BPD agrees in its own meeting; the secretary records that agreement from the BPD's
    # minutes (berita acara), whose number and date the record must carry.
    "finance.apbdes.agree": (Role.SECRETARY,),
    # The head enacts the plans with the BPD; the secretary records the enacted Perdes.
    "finance.rpjmdes.enact": (Role.SECRETARY,),
    "finance.rkpdes.enact": (Role.SECRETARY,),
    "letters.verify.*": (Role.OPERATOR,),
}


def letter_type_acts(slug: str) -> tuple[str, str]:
    """The verify and sign acts of a letter type (registered when the type is created)."""
    return f"letters.verify.{slug}", f"letters.sign.{slug}"


def programme_decide_act(programme: str) -> str:
    """The decision act of an assistance programme (registered with the programme)."""
    return f"assistance.{programme}.decide"
