"""The default body of each letter type, in standard Indonesian official-letter language.

A body runs from the title to the closing sentence; the page layout adds the letterhead
(kop), place and date, the signature block and the QR code around it. Bodies are templates in
the sandboxed language (see ``sandbox.py``) and are built here from shared parts and one
statement per type, so the regency admin starts from a sound letter and edits from there.
Written for this project; no OpenSID template text was used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

OPENING = (
    '<p class="paragraf">Yang bertanda tangan di bawah ini {{ surat.jabatan }} {{ desa.nama }}, '
    "Kecamatan {{ desa.kecamatan }}, {{ desa.kabupaten }}, Provinsi {{ desa.provinsi }}, "
    "dengan ini menerangkan dengan sebenarnya bahwa:</p>\n"
)
OPENING_APPLICATION = (
    '<p class="paragraf">Yang bertanda tangan di bawah ini {{ surat.jabatan }} {{ desa.nama }}, '
    "Kecamatan {{ desa.kecamatan }}, {{ desa.kabupaten }}, dengan ini menerangkan bahwa "
    "penduduk kami berikut ini:</p>\n"
)
CLOSING = (
    '<p class="paragraf">Demikian surat keterangan ini dibuat dengan sebenarnya untuk dapat '
    "dipergunakan sebagaimana mestinya.</p>\n"
)
CLOSING_APPLICATION = (
    '<p class="paragraf">Demikian surat ini dibuat untuk dapat dipergunakan sebagaimana mestinya. '
    "Atas perhatian dan kerja samanya kami ucapkan terima kasih.</p>\n"
)

_RESIDENT = "warga {{ desa.sebutan }} {{ desa.nama }}"
_PURPOSE = (
    '<p class="paragraf">Surat keterangan ini dibuat untuk keperluan: '
    "<strong>{{ isian.keperluan }}</strong>.</p>\n"
)

# One statement per letter type: what the village declares about the person above.
STATEMENTS: dict[str, str] = {
    "surat-keterangan-beda-identitas": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + ". Dalam "
        "{{ isian.identitas_kedua_nama_kartu_identitas }} nomor {{ isian.identitas_kedua_nomor_identitas }} "
        "yang bersangkutan tercatat dengan data sebagai berikut:</p>\n"
    ),
    "surat-keterangan-usaha": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang mempunyai "
        "usaha <strong>{{ isian.nama_usaha }}</strong> yang berkedudukan di wilayah {{ desa.sebutan }} "
        "{{ desa.nama }}.</p>\n" + _PURPOSE
    ),
    "surat-keterangan-pengantar": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " dan bermaksud "
        "mengurus <strong>{{ isian.keperluan }}</strong>.</p>\n"
        '<p class="paragraf">Keterangan: {{ isian.keterangan }}</p>\n'
    ),
    "surat-keterangan-penduduk": (
        '<p class="paragraf">Orang tersebut di atas adalah benar penduduk {{ desa.sebutan }} '
        "{{ desa.nama }} yang tercatat dalam Kartu Keluarga Nomor {{ keluarga.no_kk }} dengan "
        "kepala keluarga {{ keluarga.kepala }}.</p>\n" + _PURPOSE
    ),
    "surat-biodata-penduduk": (
        '<p class="paragraf">Data tersebut di atas sesuai dengan data yang tercatat dalam Buku Induk '
        "Penduduk {{ desa.sebutan }} {{ desa.nama }}, Kartu Keluarga Nomor {{ keluarga.no_kk }} "
        "dengan kepala keluarga {{ keluarga.kepala }}.</p>\n"
    ),
    "surat-keterangan-pindah-penduduk": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang bermaksud "
        "pindah ke alamat {{ isian.alamat_tujuan }} RT {{ isian.rt_tujuan }} RW {{ isian.rw_tujuan }}, "
        "Dusun {{ isian.dusun_tujuan }}, {{ isian.desa_atau_kelurahan_tujuan }}, Kecamatan "
        "{{ isian.kecamatan_tujuan }}, {{ isian.kabupaten_tujuan }}, Provinsi {{ isian.provinsi_tujuan }} "
        "pada tanggal {{ isian.tanggal_pindah|tanggal }} dengan alasan {{ isian.alasan_pindah }}, "
        "diikuti oleh {{ isian.jumlah_pengikut }} orang anggota keluarga.</p>\n"
    ),
    "surat-keterangan-jual-beli": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang telah "
        "menjual barang sebagaimana tersebut di bawah ini kepada pembeli yang namanya tercantum "
        "dalam surat ini.</p>\n"
    ),
    "surat-pengantar-surat-keterangan-catatan-kepolisian": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " dan sepanjang "
        "pengetahuan kami berkelakuan baik serta tidak pernah tersangkut perkara pidana. Surat ini "
        "diberikan sebagai pengantar untuk mengurus Surat Keterangan Catatan Kepolisian (SKCK) di "
        "kepolisian setempat.</p>\n"
        '<p class="paragraf">Keterangan: {{ isian.keterangan }}</p>\n'
    ),
    "surat-keterangan-ktp-dalam-proses": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " dan Kartu Tanda "
        "Penduduk Elektronik (KTP-el) yang bersangkutan sedang dalam proses penerbitan. Surat ini "
        "berlaku sebagai keterangan pengganti sementara sampai KTP-el diterima.</p>\n"
    ),
    "surat-keterangan-bepergian": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang akan "
        "bepergian untuk keperluan <strong>{{ isian.keperluan }}</strong>. Kami mohon bantuan "
        "pihak yang berwenang agar yang bersangkutan dapat diberi kelancaran dalam perjalanan.</p>\n"
    ),
    "surat-keterangan-kurang-mampu": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + ", kepala "
        "keluarga dengan Kartu Keluarga Nomor {{ keluarga.no_kk }}, dan sepanjang pengetahuan kami "
        "keluarga yang bersangkutan termasuk keluarga kurang mampu.</p>\n" + _PURPOSE
    ),
    "surat-pengantar-izin-keramaian": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang bermaksud "
        "menyelenggarakan acara <strong>{{ isian.jenis_acara }}</strong>. Pada prinsipnya kami tidak "
        "keberatan, sepanjang acara tersebut tidak mengganggu ketertiban umum, dan surat ini "
        "diberikan sebagai pengantar untuk mengurus izin keramaian di kepolisian setempat.</p>\n" + _PURPOSE
    ),
    "surat-pengantar-laporan-kehilangan": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang melaporkan "
        "telah kehilangan <strong>{{ isian.nama_barang }}</strong> dengan rincian {{ isian.rincian }}. "
        "Surat ini diberikan sebagai pengantar untuk membuat laporan kehilangan di kepolisian.</p>\n"
        '<p class="paragraf">Keterangan: {{ isian.keterangan }}</p>\n'
    ),
    "surat-keterangan-jamkesos": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " dan pemegang "
        "kartu Jaminan Kesehatan Sosial (JAMKESOS) nomor <strong>{{ isian.no_kartu_jamkesos }}</strong>."
        "</p>\n" + _PURPOSE
    ),
    "surat-keterangan-domisili-usaha": (
        '<p class="paragraf">Orang tersebut di atas benar mempunyai usaha '
        "<strong>{{ isian.nama_usaha }}</strong> yang berdomisili di wilayah {{ desa.sebutan }} "
        "{{ desa.nama }}, Kecamatan {{ desa.kecamatan }}, {{ desa.kabupaten }}.</p>\n"
    ),
    "surat-keterangan-kelahiran": (
        '<p class="paragraf">Telah lahir seorang anak dengan data tersebut di atas, dari seorang ibu '
        "dan ayah sebagaimana tersebut di bawah ini. Kelahiran ini dilaporkan oleh pelapor yang "
        "merupakan {{ isian.pelapor_hubungan_pelapor_dengan_bayi }} dari bayi tersebut.</p>\n"
    ),
    "surat-permohonan-akta-lahir": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang mengajukan "
        "permohonan penerbitan Akta Kelahiran bagi anak dengan data sebagai berikut.</p>\n"
    ),
    "surat-pernyataan-belum-memiliki-akta-lahir": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " dan sampai "
        "dengan tanggal surat ini dibuat, yang bersangkutan belum memiliki Akta Kelahiran.</p>\n"
    ),
    "surat-permohonan-duplikat-kelahiran": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang mengajukan "
        "permohonan penerbitan duplikat (salinan) Akta/Surat Kelahiran karena dokumen aslinya "
        "hilang atau rusak.</p>\n"
    ),
    "surat-keterangan-kematian": (
        '<p class="paragraf">Orang tersebut di atas telah meninggal dunia dan tercatat sebagai '
        "penduduk {{ desa.sebutan }} {{ desa.nama }}. Kematian ini dilaporkan oleh pelapor yang "
        "merupakan {{ isian.pelapor_hubungan_pelapor_dengan_yang_mati }} dari almarhum/almarhumah.</p>\n"
    ),
    "surat-keterangan-lahir-mati": (
        '<p class="paragraf">Orang tersebut di atas telah melahirkan seorang bayi dalam keadaan '
        "meninggal pada hari {{ isian.hari }}, tanggal {{ isian.tanggal|tanggal }}, di "
        "{{ isian.tempat_mati }}, setelah mengandung selama {{ isian.lama_kandungan }} bulan. "
        "Kejadian ini dilaporkan oleh pelapor yang merupakan {{ isian.pelapor_hubungan }} "
        "dari ibu bayi.</p>\n"
    ),
    "surat-keterangan-nikah": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " bin "
        "{{ isian.bin_pria }} dengan status perkawinan {{ isian.status_kawin_pria }}, yang akan "
        "melangsungkan pernikahan dengan pasangan sebagaimana tersebut di bawah ini.</p>\n"
    ),
    "surat-keterangan-pergi-kawin": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang akan pergi "
        "untuk melangsungkan perkawinan di <strong>{{ isian.tujuan }}</strong>.</p>\n" + _PURPOSE
    ),
    "surat-keterangan-wali-hakim": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang tidak "
        "mempunyai wali nasab yang berhak atau wali nasabnya tidak memenuhi syarat, sehingga untuk "
        "pernikahannya diperlukan wali hakim.</p>\n"
    ),
    "surat-permohonan-duplikat-surat-nikah": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang telah "
        "menikah dengan <strong>{{ isian.nama_pasangan }}</strong> pada tanggal "
        "{{ isian.tanggal_nikah|tanggal }} dan tercatat di KUA Kecamatan {{ isian.kecamatan_kua }}. "
        "Yang bersangkutan mengajukan permohonan duplikat Buku/Akta Nikah.</p>\n"
    ),
    "surat-permohonan-cerai": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang bermaksud "
        "mengajukan permohonan cerai dengan sebab-sebab sebagai berikut: {{ isian.sebab_sebab }}</p>\n"
    ),
    "surat-keterangan-pengantar-rujukcerai": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang bermaksud "
        "mengurus rujuk/cerai dengan pasangannya sebagaimana tersebut di bawah ini.</p>\n"
    ),
    "surat-permohonan-kartu-keluarga": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " selaku kepala "
        "keluarga yang mengajukan permohonan penerbitan Kartu Keluarga dengan alasan "
        "{{ isian.alasan_permohonan }}.</p>\n"
        '<p class="paragraf">Keterangan: {{ isian.keterangan }}</p>\n'
    ),
    "surat-keterangan-beda-identitas-kis": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + ". Apabila terdapat "
        "perbedaan penulisan identitas pada Kartu Indonesia Sehat (KIS) yang bersangkutan, maka "
        "yang benar adalah data sebagaimana tersebut di atas.</p>\n" + _PURPOSE
    ),
    "surat-keterangan-izin-orang-tua-suami-istri": (
        '<p class="paragraf">Orang tersebut di atas, selaku {{ isian.memberi_izin_selaku }}, dengan '
        "ini memberikan izin kepada orang yang tersebut di bawah ini untuk bekerja ke "
        "{{ isian.penerima_izin_negara_tujuan }} melalui {{ isian.penerima_izin_nama_pptkis }} "
        "dengan masa kontrak {{ isian.penerima_izin_masa_kontrak_tahun }} tahun.</p>\n"
    ),
    "surat-pernyataan-penguasaan-fisik-bidang-tanah-sporadik": (
        '<p class="paragraf">Orang tersebut di atas menyatakan dengan sesungguhnya bahwa ia telah '
        "menguasai secara fisik sebidang tanah sebagaimana tersebut di bawah ini, dengan itikad "
        "baik dan tidak dalam sengketa dengan pihak lain, disaksikan oleh para saksi yang namanya "
        "tercantum dalam surat ini.</p>\n"
    ),
    "surat-keterangan-domisili": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang bertempat "
        "tinggal di {{ penduduk.alamat_lengkap }} dan tercatat dalam Kartu Keluarga Nomor "
        "{{ keluarga.no_kk }} dengan kepala keluarga {{ keluarga.kepala }}.</p>\n" + _PURPOSE
    ),
    "surat-permohonan-perubahan-kartu-keluarga": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " selaku kepala "
        "keluarga dengan Kartu Keluarga Nomor {{ keluarga.no_kk }} yang mengajukan permohonan "
        "perubahan Kartu Keluarga dengan alasan {{ isian.alasan_permohonan }}.</p>\n"
    ),
    "surat-keterangan-penghasilan-orang-tua": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang sedang "
        "menempuh pendidikan di {{ isian.sekolah_perguruan_tinggi }}, dan orang tuanya mempunyai "
        "penghasilan rata-rata setiap bulan: ayah {{ isian.penghasilan_ayah|rupiah }} dan ibu "
        "{{ isian.penghasilan_ibu|rupiah }}.</p>\n"
    ),
    "surat-pengantar-permohonan-penerbitan-buku-pas-lintas": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang bertempat "
        "tinggal di wilayah perbatasan, dan surat ini diberikan sebagai pengantar untuk mengajukan "
        "permohonan penerbitan Buku Pas Lintas Batas di kantor imigrasi.</p>\n"
    ),
    "surat-keterangan-penghasilan-ayah": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " dengan penghasilan "
        "rata-rata setiap bulan sebesar <strong>{{ isian.penghasilan_ayah|rupiah }}</strong>. Surat ini "
        "dipergunakan untuk keperluan anaknya di {{ isian.nama_sekolah }}.</p>\n" + _PURPOSE
    ),
    "surat-keterangan-penghasilan-ibu": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " dengan penghasilan "
        "rata-rata setiap bulan sebesar <strong>{{ isian.jumlah_penghasilan_ibu|rupiah }}</strong>. "
        "Surat ini dipergunakan untuk keperluan anaknya di {{ isian.nama_sekolah }}.</p>\n" + _PURPOSE
    ),
    "surat-perintah-perjalanan-dinas": (
        '<p class="paragraf">Diperintahkan kepada orang tersebut di atas, {{ isian.jabatan_instansi }}, '
        "untuk melaksanakan perjalanan dinas ke <strong>{{ isian.tempat_tujuan }}</strong> dalam "
        "rangka {{ isian.maksud_perjalanan_dinas }}, berangkat tanggal "
        "{{ isian.tanggal_berangkat|tanggal }} dan kembali tanggal {{ isian.tanggal_kembali|tanggal }}, "
        "dengan menggunakan {{ isian.alat_angkut_yang_digunakan }}.</p>\n"
    ),
    "surat-kuasa": (
        '<p class="paragraf">Orang tersebut di atas selaku pemberi kuasa dengan ini memberikan kuasa '
        "kepada penerima kuasa sebagaimana tersebut di bawah ini untuk "
        "<strong>{{ isian.untuk_keperluan }}</strong>.</p>\n"
    ),
    "surat-keterangan-kepemilikan-kendaraan": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang memiliki "
        "kendaraan bermotor dengan data sebagai berikut.</p>\n"
    ),
    "surat-keterangan-kepemilikan-tanah": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang memiliki "
        "sebidang tanah dengan data sebagai berikut.</p>\n"
    ),
    "surat-keterangan-untuk-nikah-warga-non-muslim": (
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + " yang akan "
        "melangsungkan perkawinan dengan pasangan sebagaimana tersebut di bawah ini, untuk dicatat "
        "oleh Pejabat Pencatatan Sipil.</p>\n"
    ),
}

_APPLICATIONS = ("surat-permohonan-", "surat-pengantar-", "surat-pernyataan-", "surat-kuasa")

_PERSON_ROWS: tuple[tuple[str, str], ...] = (
    ("Nama Lengkap", "<strong>{{ P.nama }}</strong>"),
    ("NIK", "{{ P.nik }}"),
    ("Tempat/Tanggal Lahir", "{{ P.tempat_lahir }}, {{ P.tanggal_lahir|tanggal }}"),
    ("Jenis Kelamin", "{{ P.jenis_kelamin }}"),
    ("Agama", "{{ P.agama }}"),
    ("Status Perkawinan", "{{ P.status_perkawinan }}"),
    ("Pendidikan", "{{ P.pendidikan }}"),
    ("Pekerjaan", "{{ P.pekerjaan }}"),
    ("Kewarganegaraan", "{{ P.kewarganegaraan }}"),
    ("Alamat", "{{ P.alamat_lengkap }}"),
)
_PARTY_ROWS = tuple(_PERSON_ROWS[i] for i in (0, 1, 2, 3, 7, 9))
_FILTER = {"tanggal": "|tanggal", "uang": "|rupiah", "angka": ""}


def _row(number: int, label: str, value: str) -> str:
    return (
        f'  <tr><td class="no">{number}.</td><td class="label">{label}</td>'
        f'<td class="titik">:</td><td class="nilai">{value}</td></tr>\n'
    )


def person_table(variable: str, rows: Sequence[tuple[str, str]] = _PERSON_ROWS) -> str:
    body = "".join(
        _row(i, label, value.replace("P.", f"{variable}.")) for i, (label, value) in enumerate(rows, 1)
    )
    return f'<table class="data">\n{body}</table>\n'


def fields_table(fields: Sequence[Mapping[str, Any]]) -> str:
    body = "".join(
        _row(i, str(f["label"]), f"{{{{ isian.{f['key']}{_FILTER.get(str(f['type']), '')} }}}}")
        for i, f in enumerate(fields, 1)
    )
    return f'<table class="data">\n{body}</table>\n'


def default_body(
    *,
    slug: str,
    subject_label: str,
    extra_fields: Sequence[Mapping[str, Any]],
    other_parties: Sequence[Mapping[str, Any]],
) -> str:
    """The default template body of one letter type."""
    statement = STATEMENTS.get(
        slug,
        '<p class="paragraf">Orang tersebut di atas adalah benar ' + _RESIDENT + ".</p>\n",
    )
    application = slug.startswith(_APPLICATIONS)
    parts = [
        '<h1 class="judul">{{ surat.judul }}</h1>\n',
        '<p class="nomor">Nomor: {{ surat.nomor }}</p>\n',
        OPENING_APPLICATION if application else OPENING,
        person_table("penduduk"),
        statement,
    ]
    ungrouped = [f for f in extra_fields if not f.get("group") and f"isian.{f['key']} " not in statement]
    ungrouped = [f for f in ungrouped if f"isian.{f['key']}|" not in statement]
    if ungrouped:
        parts.append('<p class="paragraf">Dengan keterangan sebagai berikut:</p>\n')
        parts.append(fields_table(ungrouped))
    for party in other_parties:
        key = str(party["key"])
        group_fields = [f for f in extra_fields if f.get("group") and _group_key(str(f["group"])) == key]
        is_person = any(str(s).startswith("penduduk") for s in party.get("sumber", []))
        if not is_person and not group_fields:
            continue
        parts.append(f'<p class="subjudul">Data {party["label"]}:</p>\n')
        if is_person:
            parts.append(person_table(f"pihak.{key}", _PARTY_ROWS))
        if group_fields:
            parts.append(fields_table(group_fields))
    parts.append(CLOSING_APPLICATION if application else CLOSING)
    return "".join(parts)


def _group_key(group: str) -> str:
    from kampung.letters.catalogue_data import field_key

    return field_key(group)
