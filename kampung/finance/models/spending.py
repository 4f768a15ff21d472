"""Source documents of execution: payment requests (SPP) with their accountability (SPJ),
receipts (TBP) and moves between cash and bank (mutasi / STS).

Each document posts to the journal through its service; the journal entry it made is kept on
the document (``entry``), and a reversal of that entry voids the document's effect.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from kampung.core.models import BaseModel
from kampung.finance.models.budget import BudgetActivity, BudgetLine
from kampung.finance.models.ledger import Book, JournalEntry


class SppKind(models.TextChoices):
    ADVANCE = "UM", "UM — uang muka (panjar)"
    DIRECT = "LS", "LS — pembayaran langsung"


class SppStatus(models.TextChoices):
    DRAFT = "draf", "Draf"
    SUBMITTED = "diajukan", "Diajukan ke sekretaris desa"
    VERIFIED = "diverifikasi", "Diverifikasi sekretaris desa"
    APPROVED = "disetujui", "Disetujui kepala desa"
    PAID = "dibayar", "Dibayar"
    ACCOUNTED = "dipertanggungjawabkan", "Panjar dipertanggungjawabkan (SPJ)"
    REJECTED = "ditolak", "Dikembalikan/ditolak"
    CANCELLED = "dibatalkan", "Dibatalkan"


class PaymentMethod(models.TextChoices):
    CASH = "tunai", "Tunai"
    TRANSFER = "transfer", "Transfer bank"
    CHEQUE = "cek", "Cek"


class Spp(BaseModel):
    """A payment request (Surat Permintaan Pembayaran) of one kegiatan by its executor."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="spps")
    activity = models.ForeignKey(
        BudgetActivity, verbose_name="kegiatan", on_delete=models.PROTECT, related_name="spps"
    )
    kind = models.CharField("jenis SPP", max_length=2, choices=SppKind.choices)
    number = models.CharField("nomor SPP", max_length=80)
    date = models.DateField("tanggal SPP")
    description = models.CharField("uraian", max_length=300)
    stage = models.PositiveSmallIntegerField("tahap", default=1)
    # Stored, kept equal to the sum of the lines by the services (pages list many SPP).
    amount = models.DecimalField("jumlah", max_digits=18, decimal_places=2, default=0)
    payee_name = models.CharField("penerima", max_length=160)
    payee_npwp = models.CharField("NPWP penerima", max_length=25, blank=True)
    payee_bank = models.CharField("bank penerima", max_length=80, blank=True)
    payee_account = models.CharField("nomor rekening penerima", max_length=40, blank=True)
    progress_percent = models.DecimalField("kemajuan kegiatan (%)", max_digits=5, decimal_places=2, default=0)
    progress_note = models.TextField("laporan kemajuan", blank=True)
    status = models.CharField("status", max_length=22, choices=SppStatus.choices, default=SppStatus.DRAFT)
    # Verification checklist of the secretary (Pasal 53 ayat 3).
    check_complete = models.BooleanField("kelengkapan dokumen", default=False)
    check_correct = models.BooleanField("kebenaran perhitungan", default=False)
    check_funds = models.BooleanField("ketersediaan dana", default=False)
    verification_note = models.TextField("catatan verifikasi", blank=True)
    verified_on = models.DateField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    # Payment by the treasurer.
    method = models.CharField("cara bayar", max_length=10, choices=PaymentMethod.choices, blank=True)
    payment_reference = models.CharField("nomor cek/referensi", max_length=60, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Advances (UM): accountability due (10 working days after payment), then SPJ and return.
    spj_due = models.DateField("batas SPJ", null=True, blank=True)
    spj_on = models.DateField("tanggal SPJ", null=True, blank=True)
    spj_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_amount = models.DecimalField(
        "sisa panjar dikembalikan", max_digits=18, decimal_places=2, default=0
    )
    return_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["book", "-date", "-pk"]
        verbose_name = "SPP"
        verbose_name_plural = "SPP"
        constraints = [models.UniqueConstraint(fields=["book", "number"], name="spp_number_unique")]
        indexes = [models.Index(fields=["book", "status"]), models.Index(fields=["status", "spj_due"])]

    def __str__(self) -> str:
        return f"SPP {self.kind} {self.number}"


class SppLine(models.Model):
    """An amount requested on one RAB line of the kegiatan. For an advance (UM) the SPJ later
    records what was really spent on each line (``spent``)."""

    spp = models.ForeignKey(Spp, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(
        BudgetLine, verbose_name="rincian", on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField("uraian", max_length=255, blank=True)
    amount = models.DecimalField("jumlah diminta", max_digits=18, decimal_places=2)
    spent = models.DecimalField("realisasi SPJ", max_digits=18, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["spp", "pk"]
        verbose_name = "rincian SPP"
        verbose_name_plural = "rincian SPP"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="spp_line_positive")]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


class TaxStage(models.TextChoices):
    PAYMENT = "bayar", "Saat pembayaran (LS)"
    SPJ = "spj", "Saat SPJ panjar"


class SppTax(models.Model):
    """A tax withheld (PPh) or collected (PPN, regional tax) on an SPP line."""

    spp = models.ForeignKey(Spp, on_delete=models.CASCADE, related_name="taxes")
    line = models.ForeignKey(SppLine, null=True, blank=True, on_delete=models.CASCADE, related_name="taxes")
    stage = models.CharField("tahap", max_length=6, choices=TaxStage.choices, default=TaxStage.PAYMENT)
    tax_code = models.CharField("kode pajak", max_length=16)
    base = models.DecimalField("dasar pengenaan", max_digits=18, decimal_places=2)
    rate = models.DecimalField("tarif (%)", max_digits=7, decimal_places=4)
    amount = models.DecimalField("jumlah pajak", max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["spp", "pk"]
        verbose_name = "potongan pajak SPP"
        verbose_name_plural = "potongan pajak SPP"

    def __str__(self) -> str:
        return f"{self.tax_code} {self.amount}"


class AttachmentKind(models.TextChoices):
    STATEMENT = "pernyataan", "Pernyataan tanggung jawab belanja"
    RECEIPT = "kuitansi", "Kuitansi"
    INVOICE = "faktur", "Faktur/nota"
    CONTRACT = "perjanjian", "Surat perjanjian"
    HANDOVER = "ba_terima", "Berita acara penerimaan barang/pekerjaan"
    # Aid paid to households (RTLH, BLT Dana Desa): the decree naming the beneficiaries is
    # the basis of the LS payment in place of a goods-received record.
    DECREE = "sk_penerima", "Keputusan penetapan penerima bantuan"
    PROGRESS = "kemajuan", "Laporan kemajuan"
    PHOTO = "foto", "Foto"
    OTHER = "lain", "Lainnya"


class SppAttachment(BaseModel):
    spp = models.ForeignKey(Spp, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("jenis dokumen", max_length=12, choices=AttachmentKind.choices)
    for_spj = models.BooleanField("bukti SPJ", default=False)
    file = models.FileField("berkas", upload_to="keuangan/spp/%Y/%m/")
    name = models.CharField("nama berkas", max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["spp", "pk"]
        verbose_name = "dokumen SPP"
        verbose_name_plural = "dokumen SPP"


class Receipt(BaseModel):
    """Revenue received (Tanda Bukti Penerimaan): transfers by tranche, tax share, own revenue,
    and financing receipts (6.1)."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="receipts")
    number = models.CharField("nomor TBP", max_length=80)
    date = models.DateField("tanggal")
    account_code = models.CharField("rekening", max_length=20)
    source_code = models.CharField("sumber dana", max_length=4)
    amount = models.DecimalField("jumlah", max_digits=18, decimal_places=2)
    payer = models.CharField("diterima dari", max_length=160)
    description = models.CharField("uraian", max_length=300)
    method = models.CharField("diterima ke", max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField("nomor referensi", max_length=60, blank=True)
    tranche = models.PositiveSmallIntegerField("tahap penyaluran", null=True, blank=True)
    earmarked = models.BooleanField("Dana Desa earmark", default=False)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["book", "-date", "-pk"]
        verbose_name = "penerimaan (TBP)"
        verbose_name_plural = "penerimaan (TBP)"
        constraints = [models.UniqueConstraint(fields=["book", "number"], name="receipt_number_unique")]


class TransferDirection(models.TextChoices):
    TO_BANK = "setor", "Setor tunai ke rekening kas desa (STS)"
    TO_CASH = "tarik", "Tarik dari rekening kas desa ke kas tunai"


class CashTransfer(BaseModel):
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="transfers")
    number = models.CharField("nomor bukti", max_length=80)
    date = models.DateField("tanggal")
    direction = models.CharField("arah", max_length=6, choices=TransferDirection.choices)
    amount = models.DecimalField("jumlah", max_digits=18, decimal_places=2)
    reference = models.CharField("nomor cek/referensi", max_length=60, blank=True)
    description = models.CharField("uraian", max_length=300, blank=True)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["book", "-date", "-pk"]
        verbose_name = "mutasi kas"
        verbose_name_plural = "mutasi kas"
        constraints = [models.UniqueConstraint(fields=["book", "number"], name="transfer_number_unique")]
