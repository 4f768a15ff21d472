"""Decision, payment, progress and handover (included by urls.py, namespace "assistance")."""

from django.urls import path

from kampung.assistance.views import decisions as views
from kampung.assistance.views import execution as exec_views

V = "desa/<str:code>/<slug:programme>/<int:year>/"

urlpatterns: list = [
    path(V + "keputusan/", views.decision_list, name="decisions"),
    path("keputusan/<int:pk>/", views.decision_detail, name="decision"),
    path("keputusan/<int:pk>/tetapkan/", views.decision_issue, name="decision_issue"),
    path("keputusan/<int:pk>/batal/", views.decision_cancel, name="decision_cancel"),
    path("keputusan/<int:pk>/pdf/", views.decision_pdf, name="decision_pdf"),
    path("kasus/<int:pk>/spp/", exec_views.case_spp, name="case_spp"),
    path("kasus/<int:pk>/kemajuan/", exec_views.progress, name="progress"),
    path("kasus/<int:pk>/serah-terima/", exec_views.handover, name="handover"),
    path("kasus/<int:pk>/serah-terima/pdf/", exec_views.handover_pdf, name="handover_pdf"),
]
