"""Outbound SMS and e-mail: queue inside the transaction (``kuyruk``), deliver after the commit (``teslim``),
purge old final rows (``temizlik``).

Nothing here sends inside a database transaction. Gateways (``sms``, ``eposta``) know nothing of the
database; the delivery loop knows nothing of a provider beyond ``GonderimSonucu``.
"""
from engine.mesaj.eposta import (EpostaGonderici, GelistirmeEpostaGonderici, SmtpEpostaGonderici,
                                 eposta_gonderici_olustur)
from engine.mesaj.kuyruk import eposta_kuyruga_al, gorunur_metin, sms_kuyruga_al, son_mesajlar
from engine.mesaj.sms import (GelistirmeSmsGateway, NetgsmSmsGateway, SmsGateway, netgsm_numarasi,
                              sms_gateway_olustur)
from engine.mesaj.sonuc import GonderimSonucu, MesajYapilandirmaHatasi
from engine.mesaj.temizlik import TemizlikSonucu, mesajlari_temizle
from engine.mesaj.teslim import (SILINEN_KOD_METNI, TeslimAyarlari, geri_cekilme_suresi, teslim_ayarlari_olustur,
                                 teslim_dongusu, teslim_et, teslim_et_arka_planda)

__all__ = [
    "EpostaGonderici", "GelistirmeEpostaGonderici", "SmtpEpostaGonderici", "eposta_gonderici_olustur",
    "eposta_kuyruga_al", "gorunur_metin", "sms_kuyruga_al", "son_mesajlar",
    "GelistirmeSmsGateway", "NetgsmSmsGateway", "SmsGateway", "netgsm_numarasi", "sms_gateway_olustur",
    "GonderimSonucu", "MesajYapilandirmaHatasi",
    "TemizlikSonucu", "mesajlari_temizle",
    "SILINEN_KOD_METNI", "TeslimAyarlari", "geri_cekilme_suresi", "teslim_ayarlari_olustur", "teslim_dongusu",
    "teslim_et", "teslim_et_arka_planda",
]
