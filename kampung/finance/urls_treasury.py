"""URL patterns of the execution pages: treasury and books (included by kampung/finance/urls.py, namespace "finance")."""

from django.urls import path

from kampung.finance.views import books, treasury

P = "desa/<str:code>/pelaksanaan/<int:year>/"

urlpatterns: list = [
    path(P + "penerimaan/", treasury.receipts, name="treasury_receipts"),
    path(P + "mutasi-kas/", treasury.transfers, name="treasury_transfers"),
    path(P + "setoran-pajak/", treasury.tax_deposits, name="treasury_tax_deposits"),
    path(P + "pembiayaan/", treasury.financing, name="treasury_financing"),
    path(P + "jurnal/", treasury.journal, name="treasury_journal"),
    path(P + "jurnal/<int:number>/", treasury.entry_detail, name="treasury_entry"),
    path(P + "tutup-buku/", treasury.month_close, name="treasury_close"),
    path(P + "tutup-buku/tutup/", treasury.month_close_post, name="treasury_close_post"),
    path(P + "buku/<str:kind>/", books.book_page, name="book"),
    path(P + "buku/<str:kind>.<str:fmt>", books.book_export, name="book_export"),
]
