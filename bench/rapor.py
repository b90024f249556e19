"""bench/RESULTS.md from the measurements' JSON (``bench.olc`` calls it; ``python -m bench.rapor`` redoes it)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

LISTE_HEDEF_MS, PANO_HEDEF_MS = 50, 500


def _durum(iyi: bool | None) -> str:
    return "—" if iyi is None else ("karşılandı" if iyi else "**karşılanmadı**")


def rapor_yaz(r: dict, yol: Path) -> None:
    m = r.get("makine", {})
    u = r.get("uretim", {})
    satirlar = [
        "# Bench sonuçları (issue 8)", "",
        f"- Tarih: {m.get('tarih')}; yük ortalaması başlarken: {' '.join(m.get('yuk', []))} "
        "(makine başka ekiplerin testleriyle paylaşımlı)",
        f"- Makine: {m.get('nproc')} çekirdek, {m.get('bellek_gb')} GB bellek, {m.get('cpu')}",
        f"- Python {m.get('python')}, PostgreSQL {r.get('postgresql', '-')}, "
        + ", ".join(f"{k} {v}" for k, v in m.get("surumler", {}).items()),
        f"- Veritabanı: {r.get('talep_sayisi')} talep", "",
        "Nedenler, düzeltilenler ve öneriler: [ANALIZ.md](ANALIZ.md). Nasıl çalıştırılır: [README.md](README.md).", "",
    ]
    if u:
        s = u.get("sure", {})
        satirlar += ["## Üretici (bench/uret.py)", "",
                     f"{u.get('n')} talep, {u.get('url')}: toplam {s.get('toplam_sn', 0):.0f} s "
                     f"(şema {s.get('sema_sn', 0):.0f} s, kayıt verisi {s.get('kayit_sn', 0):.0f} s, muhtarlar + "
                     f"şablonlar {s.get('hazirlik_sn', 0):.0f} s, yükleme {s.get('yukleme_sn', 0):.0f} s, indeksler "
                     f"{s.get('indeks_sn', 0):.0f} s).", "",
                     "Satırlar: " + ", ".join(f"{k} {v:,}" for k, v in u.get("sayim", {}).items()) + ".", "",
                     f"Tutarlılık denetimi: {u.get('denetim', {}).get('ornek')} örnek (ilk 1000 ve rastgele kimlikler), "
                     f"{u.get('denetim', {}).get('sorun')} sorun.", ""]
    mo = r.get("motor")
    if mo:
        satirlar += ["## 1. Görev tamamlama: motor / SpiffWorkflow tabanı", "",
                     "| | medyan ms | p95 ms |", "|---|---|---|",
                     f"| Motor.gorev_tamamla (kilit, yükle, çalıştır, kaydet, gelen kutusu, hareket, commit) | "
                     f"{mo['motor']['medyan_ms']} | {mo['motor']['p95_ms']} |",
                     f"| Taban: aynı durum (spec'siz) çöz, görevi çalıştır, motor adımları, kodla — bellekte | "
                     f"{mo['taban_durum']['medyan_ms']} | {mo['taban_durum']['p95_ms']} |",
                     f"| SpiffWorkflow'un kendi JSON serileştiricisiyle (spec dahil) aynı iş | "
                     f"{mo['taban_spiff_json']['medyan_ms']} | {mo['taban_spiff_json']['p95_ms']} |", "",
                     f"Oran (medyan): motor / taban = **{mo['oran_medyan']}×** (hedef ≤ 3×: "
                     f"{_durum(mo['oran_medyan'] <= 3)}); motor / Spiff JSON = {mo['oran_spiff_json_medyan']}×. "
                     f"Bir tamamlamada {mo.get('sql_ifadesi', '?')} SQL ifadesi (medyan; BEGIN/COMMIT hariç); taban ve "
                     "motor her görev için art arda ölçülür (aynı makine yükü).", ""]
    sy = r.get("sayfalar")
    if sy:
        satirlar += [f"## 2. Sayfa gecikmesi (gunicorn, {r.get('sunucu', {}).get('isci')} işçi, 127.0.0.1, sıralı istemci)",
                     "", "| Sayfa | n | medyan ms | p95 ms | HTTP | bayt | hedef |", "|---|---|---|---|---|---|---|"]
        for ad, v in sy.items():
            hedef = PANO_HEDEF_MS if ad.startswith(("Raporlar", "XLSX")) else LISTE_HEDEF_MS
            if ad.startswith("XLSX"):
                durum = f"{v.get('satir')} satır (hedef tanımlı değil)"
            else:
                durum = f"≤ {hedef} ms: {_durum(v['p95_ms'] <= hedef)}"
            satirlar.append(f"| {ad} | {v['n']} | {v['medyan_ms']} | {v['p95_ms']} | {v['http']} | {v['bayt']} | "
                            f"{durum} |")
        satirlar.append("")
        ro = r.get("rapor_ozeti")
        if ro:
            satirlar += [f"Panonun varsayılan görünümü ölçümden önce `flask raporlar hazirla` ile hesaplandı: "
                         f"{ro['kapsam']} kapsam (MİGM + Valilikler) {ro['sure_sn']} s (üretimde 10 dakikada bir).", ""]
    y = r.get("yasam")
    if y:
        ys = y.get("yasam_suresi") or {}
        satirlar += ["## 3. Uçtan uca yaşam döngüsü / saniye (HTTP)", "",
                     f"{y['thread']} istemci iş parçacığı, {y['sure_sn']} s: **{y['yasam_sn']} yaşam döngüsü/s** "
                     f"(hedef ≥ 30: {_durum(y['yasam_sn'] >= 30)}), {y['yasam']} tamamlandı, {y['hata']} hata; "
                     f"bir döngü medyan {ys.get('medyan_ms')} ms, p95 {ys.get('p95_ms')} ms. Bir döngü: başvuru (GET+POST), "
                     "MİGM arama + yönlendirme, Valilik iki alt birime, iki alt birim + Belediye + Valilik "
                     "tamamlar, MİGM kapatır (8 POST, 9 GET; yönlendirmeler izlenmez).", ""]
        c = y.get("cpu_ms_yasam_basina")
        if c:
            toplam = sum(c.values())
            satirlar += [f"Bir döngünün CPU'su (ms): istemci {c['istemci']}, gunicorn işçileri {c['gunicorn']}, "
                         f"PostgreSQL {c['postgresql']}; toplam {round(toplam, 1)} ms. 2 çekirdekte 30 döngü/s, döngü "
                         f"başına en çok {round(2000 / 30, 1)} ms CPU demektir (istemci dahil).", ""]
        if y.get("hatalar"):
            satirlar += ["Hatalar (ilk beş): " + "; ".join(f"`{h}`" for h in y["hatalar"]), ""]
    b = r.get("bayt")
    if b:
        satirlar += ["## 4. Kapalı talep başına bayt, işçi belleği", "",
                     f"{b['ornek']} kapalı talep örneği (satır boyutu = pg_column_size + 28 bayt başlık/işaretçi): "
                     + ", ".join(f"{k} {v}" for k, v in b["satir_bayt"].items()) + ".", "",
                     f"Satırlar {b['satirlar_toplam']} B + indeks payı {b['indeks_payi']} B = "
                     f"**{b['kapali_talep_basina']} B/kapalı talep** (hedef ≤ 8192: "
                     f"{_durum(b['kapali_talep_basina'] <= 8192)}). Altı tablonun toplamı {b['tablolar_toplam_mb']} MB "
                     f"/ {b['talep']} talep = {b['tum_tablolar_talep_basina']} B/talep (açıklar dahil).", ""]
        tz = b.get("temizlik")
        if tz:
            satirlar += [f"Ölçümden önce üretimin günlük işi `flask mesaj temizle` (90 günden eski teslim edilmiş "
                         f"mesajlar) çalıştırıldı: {tz['silinen']} satır {tz['sure_sn']} s; giden kutusunun "
                         "indeksleri sonra yeniden kuruldu (günlük temizlikte boşalan sayfalar ertesi günün "
                         "mesajlarına gider).", ""]
    if r.get("tepe_rss_mb"):
        satirlar += [f"Gunicorn işçilerinin tepe RSS'i (VmHWM, MB): {r['tepe_rss_mb']}.", ""]
    k = r.get("kayit")
    if k:
        satirlar += ["## 5. Kayıt verisi boş veritabanına (81 il, 973 ilçe, 73.305 muhtarlık, 2.868 birim)", ""]
        for ad, v in k.items():
            satirlar.append(f"- {ad}: medyan {v['medyan_ms'] / 1000:.1f} s, p95 {v['p95_ms'] / 1000:.1f} s "
                            f"(hedef < 30 s: {_durum(v['p95_ms'] < 30000)})")
        satirlar.append("")
    yol.write_text("\n".join(satirlar) + "\n", encoding="utf-8")


if __name__ == "__main__":
    kaynak = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("sonuclar.json"))
    rapor_yaz(json.loads(kaynak.read_text()), Path(__file__).with_name("RESULTS.md"))
