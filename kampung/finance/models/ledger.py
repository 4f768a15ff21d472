"""The village books: a double-entry journal per village and fiscal year.

Only the services of :mod:`kampung.finance.services` post to it, through
:func:`kampung.finance.ledger.post`. A posted entry is never edited or deleted: a correction is a
reversing entry (``reverses``) with a reason. Every book the village must keep (Buku Kas Umum,
Buku Pembantu Bank, Pajak, Panjar and Kegiatan) and every realisation report is read from
the journal lines.

Balance-sheet accounts used by the journal (the budget accounts 4.x, 5.x and 6.x are the
APBDes codes):

=============  ===========================================================
``1.1.1.01``   Kas tunai di Kaur Keuangan (cash in hand)
``1.1.1.02``   Rekening Kas Desa (bank)
``1.1.2.01``   Panjar kegiatan (advances held by an executor, per kegiatan)
``7.1.1.01``   Utang pajak (tax withheld or collected, not yet deposited; per tax code)
=============  ===========================================================
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from kampung.core.models import BaseModel
from kampung.finance.models.budget import BudgetActivity, BudgetLine
from kampung.regions.models import Region

CASH = "1.1.1.01"
BANK = "1.1.1.02"
ADVANCE = "1.1.2.01"
TAX_PAYABLE = "7.1.1.01"
BALANCE_ACCOUNTS = {
    CASH: "Kas tunai",
    BANK: "Rekening Kas Desa (bank)",
    ADVANCE: "Panjar kegiatan",
    TAX_PAYABLE: "Utang pajak (PFK)",
}


class Book(BaseModel):
    """The books of one village for one fiscal year; its row is the lock every posting takes."""

    village = models.ForeignKey(Region, verbose_name="desa", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("tahun anggaran")
    closed_through = models.PositiveSmallIntegerField("ditutup sampai bulan", default=0)
    next_number = models.PositiveIntegerField("nomor jurnal berikutnya", default=1)

    class Meta:
        ordering = ["village", "-year"]
        verbose_name = "buku keuangan desa"
        verbose_name_plural = "buku keuangan desa"
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="finance_book_unique"),
            models.CheckConstraint(condition=Q(closed_through__lte=12), name="finance_book_closed_month"),
        ]

    def __str__(self) -> str:
        return f"Buku {self.village_id} {self.year}"


class EntryKind(models.TextChoices):
    OPENING = "saldo_awal", "Saldo awal"
    RECEIPT = "penerimaan", "Penerimaan (TBP)"
    PAYMENT = "pembayaran", "Pembayaran SPP (LS)"
    ADVANCE = "panjar", "Pemberian panjar (SPP UM)"
    ACCOUNTABILITY = "spj", "Pertanggungjawaban panjar (SPJ)"
    ADVANCE_RETURN = "pengembalian", "Pengembalian sisa panjar"
    TAX_DEPOSIT = "setor_pajak", "Penyetoran pajak"
    TRANSFER = "mutasi", "Mutasi kas (tunai/bank)"
    FINANCING = "pembiayaan", "Pengeluaran pembiayaan"
    REVERSAL = "koreksi", "Koreksi (jurnal balik)"


class JournalEntry(BaseModel):
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="entries")
    number = models.PositiveIntegerField("nomor jurnal")
    date = models.DateField("tanggal")
    kind = models.CharField("jenis", max_length=14, choices=EntryKind.choices)
    description = models.CharField("uraian", max_length=300)
    # The source document (SPP, TBP, mutasi, setoran pajak…), as model label, pk and its number.
    doc_type = models.CharField("jenis bukti", max_length=40, blank=True)
    doc_id = models.CharField("id bukti", max_length=40, blank=True)
    doc_number = models.CharField("nomor bukti", max_length=80, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name="membalik jurnal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reason = models.TextField("alasan koreksi", blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["book", "date", "number"]
        verbose_name = "jurnal"
        verbose_name_plural = "jurnal"
        constraints = [models.UniqueConstraint(fields=["book", "number"], name="finance_entry_number")]
        indexes = [models.Index(fields=["book", "date"]), models.Index(fields=["doc_type", "doc_id"])]

    def __str__(self) -> str:
        return f"J-{self.number} {self.date:%d-%m-%Y} {self.description}"


class JournalLine(models.Model):
    """One debit or credit of an entry. Book, date and month are copied from the entry so the
    books and reports aggregate lines without joining entries."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+")
    date = models.DateField("tanggal")
    month = models.PositiveSmallIntegerField("bulan")
    account_code = models.CharField("rekening", max_length=20)
    source_code = models.CharField("sumber dana", max_length=4, blank=True)
    activity = models.ForeignKey(
        BudgetActivity, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Bidang.sub.kegiatan code ("02.04.01"): realisation across APBDes versions goes by code.
    activity_code = models.CharField("kode kegiatan", max_length=12, blank=True)
    budget_line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tax_code = models.CharField("kode pajak", max_length=16, blank=True)
    debit = models.DecimalField("debet", max_digits=18, decimal_places=2, default=0)
    credit = models.DecimalField("kredit", max_digits=18, decimal_places=2, default=0)

    class Meta:
        ordering = ["entry", "pk"]
        verbose_name = "baris jurnal"
        verbose_name_plural = "baris jurnal"
        indexes = [
            models.Index(fields=["book", "account_code"]),
            models.Index(fields=["book", "activity_code"]),
            models.Index(fields=["book", "month"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(debit__gte=0) & Q(credit__gte=0), name="journal_line_positive"
            ),
            models.CheckConstraint(
                condition=(Q(debit=0) & Q(credit__gt=0)) | (Q(credit=0) & Q(debit__gt=0)),
                name="journal_line_one_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_code} D{self.debit} K{self.credit}"


class TaxKind(models.TextChoices):
    PPH = "pph", "Pajak penghasilan (dipotong)"
    PPN = "ppn", "Pajak pertambahan nilai (dipungut)"
    REGIONAL = "daerah", "Pajak daerah"


class TaxRate(BaseModel):
    """A dated tax rate: rates and thresholds change, so each row has a validity period.

    National rows carry ``regency=None``; the regency adds its regional taxes. ``rate`` applies
    when the payee has an NPWP, ``rate_without_npwp`` (if set) when not. ``threshold``: no tax
    below this base amount (e.g. PPh 22 only on purchases above Rp2.000.000)."""

    regency = models.ForeignKey(
        Region, verbose_name="kabupaten", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField("kode", max_length=16)
    name = models.CharField("nama", max_length=120)
    kind = models.CharField("jenis", max_length=8, choices=TaxKind.choices, default=TaxKind.PPH)
    rate = models.DecimalField("tarif (%)", max_digits=7, decimal_places=4)
    rate_without_npwp = models.DecimalField(
        "tarif tanpa NPWP (%)", max_digits=7, decimal_places=4, null=True, blank=True
    )
    threshold = models.DecimalField(
        "batas minimal dasar pengenaan", max_digits=18, decimal_places=2, default=0
    )
    deposit_code = models.CharField("kode MAP/KJS", max_length=20, blank=True)
    valid_from = models.DateField("berlaku sejak")
    valid_to = models.DateField("berlaku sampai", null=True, blank=True)
    basis = models.CharField("dasar hukum", max_length=200, blank=True)
    notes = models.CharField("keterangan", max_length=300, blank=True)

    class Meta:
        ordering = ["code", "-valid_from"]
        verbose_name = "tarif pajak"
        verbose_name_plural = "tarif pajak"
        constraints = [
            models.UniqueConstraint(fields=["code", "regency", "valid_from"], name="tax_rate_unique_start"),
            models.UniqueConstraint(
                fields=["code", "valid_from"],
                condition=Q(regency__isnull=True),
                name="tax_rate_national_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.rate}%"


class TaxDeposit(BaseModel):
    """A deposit of withheld or collected tax to the state or regional treasury (SSP / e-Billing)."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="tax_deposits")
    tax_code = models.CharField("kode pajak", max_length=16)
    amount = models.DecimalField("jumlah", max_digits=18, decimal_places=2)
    date = models.DateField("tanggal setor")
    billing_code = models.CharField("kode billing", max_length=30, blank=True)
    ntpn = models.CharField("NTPN", max_length=30, blank=True)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["book", "date", "pk"]
        verbose_name = "setoran pajak"
        verbose_name_plural = "setoran pajak"
