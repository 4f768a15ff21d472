"""The two programmes a regency starts with, and how the shared criteria sheet
(``data/rtlh_kriteria.csv``) becomes their scoring rules.

The CSV gives codes, descriptions and thresholds; it leaves the weights blank on purpose
(they are not in any source). Everything here beyond the CSV — which survey attribute each
line tests, the operator, the value and the weight — is Kampung's default [U], shown to and
changed by the regency admin on the programme's criteria page.
"""

from __future__ import annotations

from decimal import Decimal

# code → (attribute, operator, value, weight, active)
RTLH_RULES: dict[str, tuple[str, str, str, int, bool]] = {
    "RTLH-R01": ("luas_per_orang", "lt", "9", 20, True),
    "RTLH-R02": ("bahan_lantai", "in", "tanah,bambu,kayu_murah", 15, True),
    "RTLH-R03": ("bahan_dinding", "in", "kayu,bambu,rumbia,lainnya_kelas4", 15, True),
    "RTLH-R04": ("kondisi_atap", "in", "genteng_rapuh,daun_rumbia,bocor_parah,jebol_membahayakan", 20, True),
    "RTLH-R05": ("ventilasi", "in", "minim,tidak_ada", 10, True),
    "RTLH-R06": ("jamban", "in", "tidak_ada", 10, True),
    "RTLH-R07": (
        "air_minum",
        "in",
        "sumur_tidak_terlindung,mata_air_tidak_terlindung,sungai,hujan",
        10,
        True,
    ),
    "RTLH-P01": ("wni", "ya", "", 0, True),
    "RTLH-P02": ("berkeluarga", "ya", "", 0, True),
    # Legal control of the land (BSPS) is wider than Banyuwangi's "own land" (B02), which is
    # the one on by default; the regency may switch.
    "RTLH-P03": ("status_tanah", "in", "milik_sendiri,milik_keluarga", 0, False),
    "RTLH-P04": ("rumah_satu_satunya", "ya", "", 0, True),
    "RTLH-P05": ("tahun_sejak_bantuan", "ge", "10", 0, True),
    # UMK Banyuwangi per month [U]: set the year's figure on the criteria page.
    "RTLH-P06": ("penghasilan_bulanan", "le", "2900000", 0, True),
    "RTLH-P07": ("bersedia_swadaya", "ya", "", 0, True),
    "RTLH-B01": ("penghasilan_bulanan", "le", "2900000", 0, False),
    "RTLH-B02": ("status_tanah", "in", "milik_sendiri", 0, True),
    "RTLH-B03": ("tahun_sejak_bantuan", "ge", "999", 0, False),
}

# BPS's 14 criteria, one point each; "poor if at least 9 of 14" is the programme's minimum score.
BLT_RULES: dict[str, tuple[str, str, str, int, bool]] = {
    "BPS14-01": ("luas_per_orang", "lt", "8", 1, True),
    "BPS14-02": ("bahan_lantai", "in", "tanah,bambu,kayu_murah", 1, True),
    "BPS14-03": ("bahan_dinding", "in", "bambu,rumbia,kayu,tembok_tanpa_plester", 1, True),
    "BPS14-04": ("jamban", "in", "bersama,tidak_ada", 1, True),
    "BPS14-05": ("listrik", "in", "non_pln,tidak_ada", 1, True),
    "BPS14-06": ("air_minum", "in", "sumur_tidak_terlindung,mata_air_tidak_terlindung,sungai,hujan", 1, True),
    "BPS14-07": ("bahan_bakar_masak", "in", "minyak_tanah,kayu_arang", 1, True),
    "BPS14-08": ("makan_daging_per_minggu", "le", "1", 1, True),
    "BPS14-09": ("pakaian_baru_per_tahun", "le", "1", 1, True),
    "BPS14-10": ("makan_per_hari", "le", "2", 1, True),
    "BPS14-11": ("sanggup_berobat", "tidak", "", 1, True),
    "BPS14-12": ("pekerjaan_kepala", "in", "tidak_bekerja,buruh_tani,nelayan,buruh", 1, True),
    "BPS14-13": ("pendidikan_kepala", "in", "tidak_sekolah,tidak_tamat_sd,sd", 1, True),
    "BPS14-14": ("punya_tabungan", "tidak", "", 1, True),
}
BPS_MIN_SCORE = Decimal("9")

# BLT knock-outs not in the CSV (domain.md §3.3 [S]: priority to extreme-poor households not
# already receiving PKH or sembako; the village may decide otherwise in its special Musdes).
BLT_EXTRA: list[tuple[str, str, str, str, str, str]] = [
    (
        "BLT-K01",
        "syarat_blt_dd",
        "Tidak sedang menerima PKH",
        "menerima_pkh",
        "tidak",
        "domain.md §3.3: prioritas keluarga miskin ekstrem yang belum menerima PKH/sembako [S]",
    ),
    (
        "BLT-K02",
        "syarat_blt_dd",
        "Tidak sedang menerima bantuan sembako/BPNT",
        "menerima_sembako",
        "tidak",
        "domain.md §3.3: prioritas keluarga miskin ekstrem yang belum menerima PKH/sembako [S]",
    ),
]

# Programme defaults (domain.md §6.2: Rp17,5 juta materials per house in the demo APBDes
# line; §3.3: BLT Rp300.000 per KPM per month, at most 15 % of Dana Desa in 2025 [S]).
RTLH_DEFAULTS = {
    "code": "rtlh",
    "name": "Bedah Rumah Tidak Layak Huni (RTLH)",
    "kind": "rtlh",
    "description": (
        "Perbaikan rumah tidak layak huni bagi keluarga berpenghasilan rendah, didanai APBDes "
        "(kegiatan 02.04.01, rekening 5.2.7.03) dan diputuskan dengan Keputusan Kepala Desa "
        "berdasarkan pelimpahan kewenangan Bupati."
    ),
    "funding_kind": "apbdes",
    "activity_code": "02.04.01",
    "account_code": "5.2.7.03",
    "cycle": "tahunan",
    "amount": Decimal("17500000"),
    "quota_per_village": 4,
    "months": 1,
    "dd_cap_percent": None,
    "min_score": Decimal("0"),
    "aid_exclusion_years": 10,
}
BLT_DEFAULTS = {
    "code": "blt",
    "name": "Bantuan Langsung Tunai Dana Desa (BLT DD)",
    "kind": "blt",
    "description": (
        "Bantuan tunai bulanan bagi keluarga miskin ekstrem, ditetapkan dalam Musyawarah Desa "
        "Khusus dan dibayar dari Dana Desa (kegiatan 05.03.00, rekening 5.4.1.01)."
    ),
    "funding_kind": "apbdes",
    "activity_code": "05.03.00",
    "account_code": "5.4.1.01",
    "cycle": "bulanan",
    "amount": Decimal("300000"),
    "quota_per_village": 30,
    "months": 12,
    "dd_cap_percent": Decimal("15"),
    "min_score": BPS_MIN_SCORE,
    "aid_exclusion_years": 0,
}
