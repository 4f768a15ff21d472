"""Sample survey answers: a house that passes every RTLH knock-out and meets most indicators,
and an extremely poor household for BLT. The demo varies them; tests override single fields."""

from __future__ import annotations

from typing import Any

RTLH_SAMPLE: dict[str, Any] = {
    "luas_lantai": "24",
    "jumlah_penghuni": "4",
    "kondisi_atap": "bocor_parah",
    "bahan_dinding": "bambu",
    "bahan_lantai": "tanah",
    "ventilasi": "minim",
    "jamban": "tidak_ada",
    "air_minum": "sumur_tidak_terlindung",
    "listrik": "pln_numpang",
    "status_tanah": "milik_sendiri",
    "penghasilan_bulanan": "1200000",
    "rumah_satu_satunya": "ya",
    "tahun_bantuan_perumahan": "",
    "bersedia_swadaya": "ya",
    "berkeluarga": "ya",
    "wni": "ya",
}

# Meets 13 of BPS's 14 criteria (not the lighting one), without PKH or sembako.
BLT_SAMPLE: dict[str, Any] = {
    "luas_lantai": "20",
    "jumlah_penghuni": "4",
    "bahan_dinding": "bambu",
    "bahan_lantai": "tanah",
    "jamban": "bersama",
    "air_minum": "sungai",
    "listrik": "pln_numpang",
    "penghasilan_bulanan": "500000",
    "wni": "ya",
    "bahan_bakar_masak": "kayu_arang",
    "makan_daging_per_minggu": "0",
    "pakaian_baru_per_tahun": "1",
    "makan_per_hari": "2",
    "sanggup_berobat": "tidak",
    "pekerjaan_kepala": "buruh_tani",
    "pendidikan_kepala": "sd",
    "punya_tabungan": "tidak",
    "menerima_pkh": "tidak",
    "menerima_sembako": "tidak",
}


def rtlh_answers(**override: Any) -> dict[str, Any]:
    return {**RTLH_SAMPLE, **override}


def blt_answers(**override: Any) -> dict[str, Any]:
    return {**BLT_SAMPLE, **override}
