"""Planning pages under /keuangan/desa/<code>/ (included by kampung/finance/urls.py,
namespace "finance"): RPJMDes, RKPDes, Musdes and residents' proposals."""

from django.urls import path

from kampung.finance.views import planning as v

D = "desa/<str:code>/"
R = D + "rpjmdes/<int:pk>/"
K = D + "rkpdes/<int:year>/"

urlpatterns = [
    path(D + "rpjmdes/", v.rpjm_list, name="rpjm_list"),
    path(D + "rpjmdes/baru/", v.rpjm_create, name="rpjm_create"),
    path(R, v.rpjm_detail, name="rpjm_detail"),
    path(R + "ubah/", v.rpjm_edit, name="rpjm_edit"),
    path(R + "misi/", v.rpjm_goal_add, name="rpjm_goal_add"),
    path(R + "misi/<int:goal>/hapus/", v.rpjm_goal_delete, name="rpjm_goal_delete"),
    path(R + "kegiatan/baru/", v.rpjm_activity_create, name="rpjm_activity_create"),
    path(R + "kegiatan/<int:activity>/", v.rpjm_activity_edit, name="rpjm_activity_edit"),
    path(R + "kegiatan/<int:activity>/hapus/", v.rpjm_activity_delete, name="rpjm_activity_delete"),
    path(R + "tetapkan/", v.rpjm_enact, name="rpjm_enact"),
    path(R + "excel/", v.rpjm_excel, name="rpjm_excel"),
    path(D + "rkpdes/", v.rkp_list, name="rkp_list"),
    path(D + "rkpdes/baru/", v.rkp_create, name="rkp_create"),
    path(K, v.rkp_detail, name="rkp_detail"),
    path(K + "kegiatan/baru/", v.rkp_activity_create, name="rkp_activity_create"),
    path(K + "kegiatan/<int:activity>/", v.rkp_activity_edit, name="rkp_activity_edit"),
    path(K + "kegiatan/<int:activity>/hapus/", v.rkp_activity_delete, name="rkp_activity_delete"),
    path(K + "musdes/", v.rkp_musdes, name="rkp_musdes"),
    path(K + "tetapkan/", v.rkp_enact, name="rkp_enact"),
    path(K + "excel/", v.rkp_excel, name="rkp_excel"),
    path(D + "musdes/", v.musdes_list, name="musdes_list"),
    path(D + "musdes/baru/", v.musdes_create, name="musdes_create"),
    path(D + "musdes/<int:pk>/", v.musdes_edit, name="musdes_edit"),
    path(D + "musdes/<int:pk>/berita-acara/", v.musdes_minutes, name="musdes_minutes"),
    path(D + "usulan/", v.proposal_list, name="proposal_list"),
    path(D + "usulan/excel/", v.proposal_excel, name="proposal_excel"),
    path(D + "usulan/baru/", v.proposal_counter, name="proposal_counter"),
    path(D + "usulan/<int:pk>/", v.proposal_detail, name="proposal_detail"),
    path(D + "usulan/<int:pk>/putuskan/", v.proposal_decide, name="proposal_decide"),
    path(D + "usulan/<int:pk>/rkpdes/", v.proposal_to_rkp, name="proposal_to_rkp"),
]
