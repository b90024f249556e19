"""Command line: ``flask --app webapp <group> <command>``.

Engine modules are imported inside the commands: the CLI must load (and ``db upgrade`` must work) even
while a feature's engine module is missing or broken.
"""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from webapp import ayarlar

db_cli = AppGroup("db", help="Veritabanı şeması (Alembic).")
surec_cli = AppGroup("surec", help="BPMN süreç dosyaları.")
kullanici_cli = AppGroup("kullanici", help="Kurum kullanıcıları.")
sms_cli = AppGroup("sms", help="SMS kutusu.")
mesaj_cli = AppGroup("mesaj", help="Giden mesajlar (SMS ve e-posta).")


def _database():
    return current_app.extensions["mbs_db"]


def _sayilari_yaz(baslik: str, sayilar) -> None:
    """Print a seed's {table: count} result on one line."""
    if isinstance(sayilar, dict):
        sayilar = ", ".join(f"{ad}: {sayi}" for ad, sayi in sayilar.items())
    click.echo(f"{baslik}: {sayilar}")


# --- db ---------------------------------------------------------------------------------------------------

@db_cli.command("upgrade")
def db_upgrade():
    """Şemayı en son Alembic revizyonuna yükseltir."""
    from webapp import semalar
    url = current_app.config["DATABASE_URL"]
    semalar.upgrade(url)
    click.echo(f"Veritabanı şeması güncel (revizyon {semalar.guncel_revizyon(url)}).")


# --- kurulum ------------------------------------------------------------------------------------------------

@click.command("kurulum")
@with_appcontext
def kurulum():
    """Şema + kayıt verisi (+ geliştirmede demo verisi) + süreçler; tek işlemde, tekrar çalıştırılabilir."""
    from engine.kayit import seed_registry, seed_demo
    from engine.surecler import surecleri_yukle
    from webapp import semalar
    semalar.upgrade(current_app.config["DATABASE_URL"])
    with _database().unit_of_work() as session:
        _sayilari_yaz("Kayıt verisi (yeni satırlar)", seed_registry(session))
        if ayarlar.gelistirmede(current_app):
            _sayilari_yaz("Demo verisi (yeni satırlar)", seed_demo(session))
        surum = surecleri_yukle(session, current_app.config["PROCESSES_DIR"], deployed_by="kurulum")
        click.echo(f"Süreç: {surum.process_id} sürüm {surum.id} ({surum.sha256[:12]}) güncel.")
    click.echo("Kurulum tamamlandı.")
    if ayarlar.gelistirmede(current_app):
        giris_bilgisi_yaz()


def giris_bilgisi_yaz() -> None:
    """Where to log in with the demo data (development only)."""
    from engine.kayit import DEMO_KULLANICILAR, DEMO_MUHTARLAR, DEMO_PAROLA
    adres = f"http://127.0.0.1:{current_app.config['PORT']}/"
    click.echo(f"\nAdres: {adres}")
    click.echo(f"Kurum girişi: {adres}kurum/giris  (parola: {DEMO_PAROLA})")
    for k in DEMO_KULLANICILAR:
        click.echo(f"  {k['kullanici_adi']:<22} {k['ad_soyad']}")
    click.echo(f"Muhtar girişi: {adres}muhtar/giris  (TC Kimlik No + SMS kodu; kodu görmek için: "
               "flask --app webapp sms listele)")
    for m in DEMO_MUHTARLAR:
        click.echo(f"  {m['tc_kimlik_no']}  {m['ad_soyad']}, {m['mahalle']} ({m['ilce']}), {m['telefon']}")


# --- surec --------------------------------------------------------------------------------------------------

def _surec_dogrulayici():
    # The validator may live in engine.surecler or in its own module engine.dogrulama.
    try:
        from engine.surecler import surecleri_dogrula
    except ImportError:
        from engine.dogrulama import surecleri_dogrula
    return surecleri_dogrula


@surec_cli.command("dogrula")
def surec_dogrula():
    """processes/ içindeki BPMN/DMN dosyalarını ve formlarını denetler; sorun varsa çıkış kodu 1."""
    sorunlar = _surec_dogrulayici()(current_app.config["PROCESSES_DIR"], current_app.config["FORMS_DIR"])
    if sorunlar:
        for sorun in sorunlar:
            click.echo(f"- {sorun}", err=True)
        raise click.exceptions.Exit(1)
    click.echo("Süreç dosyaları geçerli.")


def _surum_denetleyicileri() -> dict:
    """The form keys and service operations a deployment is checked against."""
    from engine.dogrulama import form_anahtarlari
    from webapp.motor import get_motor
    return {"form_keys": form_anahtarlari(current_app.config["FORMS_DIR"]),
            "servis_adlari": set(get_motor().servisler)}


@surec_cli.command("listele")
def surec_listele():
    """Süreç sürümleri (en yeni üstte): güncel olan (*), yükleyen, zaman, SHA-256, çalışan/toplam talep."""
    from engine.yayin import surum_listesi
    from webapp.filtreler import tarih
    with _database().session() as session:
        for r in surum_listesi(session):
            v = r.surum
            click.echo(f"{'*' if v.current else ' '} {v.id:>4}  {tarih(v.deployed_at)}  {v.deployed_by:<20} "
                       f"{v.sha256[:12]}  çalışan {r.calisan}, toplam {r.toplam}")


@surec_cli.command("yukle")
@click.argument("dosyalar", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--yukleyen", default="cli", show_default=True, help="Kayda geçecek yükleyen adı.")
@click.option("--tam", is_flag=True, help="Yalnız verilen dosyalar (güncel sürümün diğer dosyaları alınmaz).")
def surec_yukle(dosyalar, yukleyen, tam):
    """Denetleyip yeni sürüm olarak yükler ve güncel yapar; dosya verilmezse processes/ klasörü.

    Verilen .bpmn/.dmn dosyaları güncel sürümün aynı adlı dosyalarının yerine geçer (--tam ile yalnız
    onlar). Sorunlu dosyalar sorunların listesiyle reddedilir ve hiçbir şey değişmez (çıkış kodu 1)."""
    from pathlib import Path

    from engine.errors import GecersizVeri
    from engine.surecler import dosyalari_oku
    from engine.yayin import SurumReddedildi, guncel_veya_yok, metin_coz, ozet_metni, surum_yayinla
    from engine.surecler import PROCESS_ID
    with _database().unit_of_work() as session:
        if dosyalar:
            guncel = None if tam else guncel_veya_yok(session, PROCESS_ID)
            files = dict(guncel.files) if guncel is not None else {}
            try:
                files.update({Path(d).name: metin_coz(Path(d).name, Path(d).read_bytes()) for d in dosyalar})
            except GecersizVeri as hata:
                raise click.ClickException(hata.mesaj) from hata
        else:
            files = dosyalari_oku(current_app.config["PROCESSES_DIR"])
        try:
            sonuc = surum_yayinla(session, files, yukleyen, **_surum_denetleyicileri())
        except SurumReddedildi as hata:
            click.echo(hata.mesaj, err=True)
            for sorun in hata.sorunlar:
                click.echo(f"- {sorun}", err=True)
            raise click.exceptions.Exit(1) from hata
        v = sonuc.surum
        click.echo(f"Süreç: {v.process_id} sürüm {v.id} ({v.sha256[:12]}) güncel.")
        if sonuc.islem != "degisiklik_yok":
            click.echo(f"Değişiklik ({sonuc.islem}): {ozet_metni(sonuc.ozet)}")


@surec_cli.command("geri-al")
@click.argument("surum_id", type=int)
@click.option("--yukleyen", default="cli", show_default=True, help="Kayda geçecek kullanıcı adı.")
def surec_geri_al(surum_id, yukleyen):
    """SURUM_ID sürümünü yeniden güncel yapar: yeni talepler onunla başlar, çalışanlar kendi sürümünde kalır."""
    from engine.errors import MbsHatasi
    from engine.yayin import geri_al, ozet_metni
    try:
        with _database().unit_of_work() as session:
            sonuc = geri_al(session, surum_id, yukleyen)
            click.echo(f"Süreç: {sonuc.surum.process_id} sürüm {sonuc.surum.id} güncel.")
            if sonuc.islem != "degisiklik_yok":
                click.echo(f"Değişiklik: {ozet_metni(sonuc.ozet)}")
    except MbsHatasi as hata:
        raise click.ClickException(hata.mesaj) from hata


@surec_cli.command("tasi")
@click.argument("surum_id", type=int)
@click.option("--talep", "numaralar", multiple=True, help="Yalnız bu talep(ler) (numara, ör. 2026-000123).")
@click.option("--yukleyen", default="cli", show_default=True, help="Kayda geçecek kullanıcı adı.")
def surec_tasi(surum_id, numaralar, yukleyen):
    """SURUM_ID sürümünde bekleyen talepleri güncel sürüme taşır, yalnız güvenli olanları.

    Güvenli: talebin tamamladığı, başlattığı ya da beklediği hiçbir görevin tanımı değişmemiş. Her talep
    kendi transaction'ında taşınır ve hareket kaydına yazılır; taşınamayanlar nedeniyle listelenir."""
    from sqlalchemy import select

    from engine.models import ProcessVersion, Talep
    from engine.surecler import guncel_surum
    from engine.tasima import tasima_adaylari, toplu_tasi
    from webapp.motor import get_motor
    with _database().session() as session:
        kaynak = session.get(ProcessVersion, surum_id)
        if kaynak is None:
            raise click.ClickException(f"{surum_id} numaralı süreç sürümü yok.")
        hedef = guncel_surum(session, kaynak.process_id)
        if numaralar:
            idler = dict(session.execute(select(Talep.numara, Talep.id).where(Talep.numara.in_(numaralar))).all())
            eksik = [n for n in numaralar if n not in idler]
            if eksik:
                raise click.ClickException(f"Talep bulunamadı: {', '.join(eksik)}")
            secilen, atlanan = [idler[n] for n in numaralar], []
        else:
            adaylar = tasima_adaylari(session, kaynak.id, hedef, limit=100_000)
            secilen = [a.talep_id for a in adaylar if a.engel is None]
            atlanan = [a for a in adaylar if a.engel is not None]
    if hedef.id == kaynak.id:
        raise click.ClickException(f"Sürüm {surum_id} zaten güncel sürüm; taşınacak yer yok.")
    sonuclar = toplu_tasi(_database(), get_motor(), secilen, hedef.id, None, yukleyen)
    for r in sonuclar:
        click.echo(f"{'+' if r.tasindi else '-'} {r.numara}: {r.mesaj}")
    for a in atlanan:
        click.echo(f"- {a.numara}: taşınamaz: {a.engel}")
    click.echo(f"Taşınan: {sum(r.tasindi for r in sonuclar)}, taşınamayan: "
               f"{sum(not r.tasindi for r in sonuclar) + len(atlanan)} (hedef sürüm {hedef.id}).")
    if numaralar and not all(r.tasindi for r in sonuclar):
        raise click.exceptions.Exit(1)


# --- kullanici ------------------------------------------------------------------------------------------------

@kullanici_cli.command("olustur")
@click.option("--kullanici-adi", required=True)
@click.option("--birim-kod", required=True, help="Ör. MIGM, VALILIK-06, BELEDIYE-06-CANKAYA")
@click.option("--ad-soyad", required=True)
@click.option("--yetkiler", default="", help='Boşlukla ayrılmış: "yonetici analist kayit"')
@click.password_option("--parola", prompt="Parola", confirmation_prompt="Parola (tekrar)")
def kullanici_olustur(kullanici_adi, birim_kod, ad_soyad, yetkiler, parola):
    """Kurum kullanıcısı oluşturur; parola gizli olarak iki kez sorulur."""
    from engine.errors import MbsHatasi
    from engine.kayit import kullanici_olustur as olustur
    try:
        with _database().unit_of_work() as session:
            kullanici = olustur(session, kullanici_adi, parola, birim_kod, ad_soyad, yetkiler)
            click.echo(f"Kullanıcı oluşturuldu: {kullanici.kullanici_adi} (no {kullanici.id}).")
    except MbsHatasi as hata:
        raise click.ClickException(hata.mesaj) from hata


# --- sms / mesaj ------------------------------------------------------------------------------------------------

@sms_cli.command("listele")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
def sms_listele(limit):
    """Son SMS'ler (en yeni üstte): alıcı, metin, zaman, durum. Tek kullanımlık kodlar yalnız geliştirmede."""
    from engine.mesaj import gorunur_metin, son_mesajlar
    from webapp.filtreler import tarih
    goster = ayarlar.gelistirmede(current_app)
    with _database().session() as session:
        mesajlar = son_mesajlar(session, limit)
    if not mesajlar:
        click.echo("Hiç SMS yok.")
    for m in mesajlar:
        click.echo(f"{tarih(m.olusturma)}  {m.alici:<14}  [{m.durum}]  {gorunur_metin(m, goster)}")


@mesaj_cli.command("gonder")
@click.option("--dongu", is_flag=True, help="Durmadan çalış (ayrı bir süreç olarak), Ctrl+C ile durur.")
@click.option("--aralik", default=2.0, show_default=True, help="Döngüde bekleme süresi (saniye).")
def mesaj_gonder(dongu, aralik):
    """Giden kutusundaki bekleyen SMS ve e-postaları gönderir (bir kez ya da döngüde)."""
    from engine.mesaj import (eposta_gonderici_olustur, sms_gateway_olustur, teslim_ayarlari_olustur,
                              teslim_dongusu, teslim_et)
    config = current_app.config
    gateway, eposta = sms_gateway_olustur(config), eposta_gonderici_olustur(config)
    teslim = teslim_ayarlari_olustur(config)
    if dongu:
        click.echo("Mesaj gönderici çalışıyor (Ctrl+C ile durur).")
        try:
            teslim_dongusu(_database(), gateway, eposta, aralik=aralik, ayarlar=teslim)
        except KeyboardInterrupt:
            click.echo("Durduruldu.")
        return
    _sayilari_yaz("Teslim", teslim_et(_database(), gateway, eposta, ayarlar=teslim))


@mesaj_cli.command("temizle")
@click.option("--gun", type=int, default=None,
              help="Bu kadar günden eski mesajlar silinir (varsayılan: MESAJ_SAKLAMA_GUN, 90).")
@click.option("--parti", default=5000, show_default=True, type=click.IntRange(min=1),
              help="Bir işlemde (transaction) silinen en çok satır.")
def mesaj_temizle(gun, parti):
    """Giden kutusundan eski mesajları siler; bekleyen ve gönderilmekte olanlara dokunmaz.

    Gönderilmiş ya da kalıcı olarak başarısız olmuş ve N günden eski satırlar küçük partiler hâlinde
    silinir; sonuçlanmış mesajlarda hâlâ duran tek kullanımlık kodların metni de silinir."""
    from engine.errors import MbsHatasi
    from engine.mesaj import mesajlari_temizle
    if gun is None:
        gun = current_app.config.get("MESAJ_SAKLAMA_GUN", 90)
    try:
        gun = int(gun)
    except (TypeError, ValueError) as hata:
        raise click.ClickException(f"Geçersiz saklama süresi (MESAJ_SAKLAMA_GUN): {gun!r}") from hata
    try:
        sonuc = mesajlari_temizle(_database(), gun, parti=parti)
    except MbsHatasi as hata:
        raise click.ClickException(hata.mesaj) from hata
    click.echo(f"Giden kutusu temizlendi: {gun} günden eski {sonuc.silinen} mesaj silindi, "
               f"{sonuc.kodu_silinen} mesajda onay kodu metni silindi.")


# --- zamanlayici ------------------------------------------------------------------------------------------------

zamanlayici_cli = AppGroup("zamanlayici", help="BPMN zamanlayıcıları: süre hatırlatma, süre aşımı, 30. gün SMS'i.")


@zamanlayici_cli.command("calistir")
@click.option("--dongu", is_flag=True, help="Durmadan çalış (ayrı bir süreç/servis olarak), Ctrl+C ile durur.")
@click.option("--aralik", default=30.0, show_default=True, help="Döngüde bekleme süresi (saniye).")
@click.option("--en-cok", default=500, show_default=True, type=click.IntRange(min=1),
              help="Bir turda uyandırılacak en çok talep.")
def zamanlayici_calistir(dongu, aralik, en_cok):
    """Zamanı gelen süreç zamanlayıcılarını çalıştırır (bir kez ya da döngüde); birden çok süreç güvenlidir.

    Kuyruğa giren SMS ve e-postalar MESAJ_TESLIM "kapali" değilse turun sonunda gönderilir."""
    from engine.zamanlayici import zamanlayici_dongusu, zamanlayicilari_isle
    from webapp.motor import get_motor

    def teslim(_sonuc=None):
        if current_app.config.get("MESAJ_TESLIM", "arka_plan") == "kapali":
            return
        from engine.mesaj import eposta_gonderici_olustur, sms_gateway_olustur, teslim_ayarlari_olustur, teslim_et
        config = current_app.config
        teslim_et(_database(), sms_gateway_olustur(config), eposta_gonderici_olustur(config),
                  ayarlar=teslim_ayarlari_olustur(config))

    if dongu:
        click.echo(f"Zamanlayıcı çalışıyor ({aralik:g} sn aralıkla; Ctrl+C ile durur).")
        try:
            zamanlayici_dongusu(_database(), get_motor(), aralik=aralik, en_cok=en_cok, her_turda=teslim)
        except KeyboardInterrupt:
            click.echo("Durduruldu.")
        return
    sonuc = zamanlayicilari_isle(_database(), get_motor(), en_cok=en_cok)
    if sonuc.uyandirilan:
        teslim()
    _sayilari_yaz("Zamanlayıcı", {"uyandırılan talep": sonuc.uyandirilan, "hatalı": sonuc.hatali})


# --- tutarlilik ---------------------------------------------------------------------------------------------

@click.command("tutarlilik")
@click.option("--parti", default=500, show_default=True, type=click.IntRange(min=1),
              help="Bir seferde okunan süreç örneği sayısı.")
@with_appcontext
def tutarlilik(parti):
    """Her süreç örneğinin durumu, gelen kutusu satırları, talep durumu ve hareket kaydı birbirini tutuyor mu?

    Bir şey değiştirmez. Tutarsızlıkları listeler; varsa çıkış kodu 1 (arızadan sonra, izleme betiklerinde)."""
    from engine.tutarlilik import tutarlilik_denetle
    with _database().session() as session:
        sayi, sorunlar = tutarlilik_denetle(session, parti=parti)
    for sorun in sorunlar:
        click.echo(sorun)
    click.echo(f"Tutarlılık denetimi: {sayi} süreç örneği, {len(sorunlar)} tutarsızlık.")
    if sorunlar:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    for komut in (db_cli, surec_cli, kullanici_cli, sms_cli, mesaj_cli, zamanlayici_cli, kurulum, tutarlilik):
        app.cli.add_command(komut)
