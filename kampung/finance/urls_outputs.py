"""URL patterns of the execution documents, printed outputs and the budget summary
(included by kampung/finance/urls.py, namespace "finance")."""

from django.urls import path

from kampung.finance.views import execution, outputs, summary

urlpatterns: list = [
    path("apbdes/<int:pk>/dpa/", execution.dpa_list, name="dpa_list"),
    path("apbdes/<int:pk>/dpa/susun/", execution.dpa_create, name="dpa_create"),
    path("dpa/<int:pk>/", execution.dpa_detail, name="dpa_detail"),
    path("dpa/<int:pk>/tindakan/<slug:act>/", execution.dpa_act, name="dpa_act"),
    path("apbdes/<int:pk>/rak/", execution.rak_edit, name="rak_edit"),
    path("apbdes/<int:pk>/rak/tindakan/<slug:act>/", execution.rak_act, name="rak_act"),
    path("apbdes/<int:pk>/lampiran.<str:fmt>", outputs.print_attachment, name="print_attachment"),
    path("apbdes/<int:pk>/penjabaran.<str:fmt>", outputs.print_penjabaran, name="print_penjabaran"),
    path("apbdes/kegiatan/<int:pk>/rab.<str:fmt>", outputs.print_rab, name="print_rab"),
    path("apbdes/<int:pk>/rak.<str:fmt>", outputs.print_rak, name="print_rak"),
    path("ringkasan/", summary.summary, name="summary"),
]
