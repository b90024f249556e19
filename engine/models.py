"""SQL tables of the Muhtar Bilgi Sistemi.

The workflow state lives in ``process_instance.state``; everything that lists, filters or reports reads the
tables below instead (``human_task`` is the inbox index, ``hareket`` the event log), so that no list ever
deserialises a workflow.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String,
                        Text, TypeDecorator, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false, text

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT for the big tables.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes on every database (SQLite hands back naive ones otherwise)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use an aware UTC datetime")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime()}


# --- Registry: places, units, people -------------------------------------------------------------------

class Il(Base):
    __tablename__ = "il"
    #: plate code, "06"
    kod: Mapped[str] = mapped_column(String(2), primary_key=True)
    ad: Mapped[str] = mapped_column(String(64), unique=True)
    #: büyükşehir (Law 6360): no İl Özel İdaresi, every köy is a mahalle
    buyuksehir: Mapped[bool] = mapped_column(Boolean, default=False)


class Ilce(Base):
    __tablename__ = "ilce"
    __table_args__ = (UniqueConstraint("il_kod", "ad"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    il_kod: Mapped[str] = mapped_column(ForeignKey("il.kod"))
    ad: Mapped[str] = mapped_column(String(64))


class Muhtarlik(Base):
    """One per mahalle; talepler belong here, so a new muhtar sees the old ones."""
    __tablename__ = "muhtarlik"
    __table_args__ = (UniqueConstraint("ilce_id", "ad"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ilce_id: Mapped[int] = mapped_column(ForeignKey("ilce.id"), index=True)
    #: mahalle name as in the source data, "Akpınar Mah"
    ad: Mapped[str] = mapped_column(String(128))
    posta_kodu: Mapped[str | None] = mapped_column(String(5))


class Muhtar(Base):
    """A person in office for a term; only one open term per muhtarlık."""
    __tablename__ = "muhtar"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    muhtarlik_id: Mapped[int] = mapped_column(ForeignKey("muhtarlik.id"), index=True)
    tc_kimlik_no: Mapped[str] = mapped_column(String(11), index=True)
    ad_soyad: Mapped[str] = mapped_column(String(128))
    #: normalised "+905xxxxxxxxx"
    telefon: Mapped[str] = mapped_column(String(16))
    eposta: Mapped[str | None] = mapped_column(String(254))
    gorev_baslangic: Mapped[date] = mapped_column(Date)
    #: None while in office
    gorev_bitis: Mapped[date | None] = mapped_column(Date)
    #: session generation: a session remembers the number it was opened with and ends once the number changes
    #: (logout); see webapp/oturum.py
    oturum_surumu: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class Birim(Base):
    """A unit of the administration. ``rol`` is the BPMN lane its users act in."""
    __tablename__ = "birim"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: stable key used by seeds and tests, e.g. "VALILIK-06", "BELEDIYE-06-CANKAYA"
    kod: Mapped[str] = mapped_column(String(64), unique=True)
    ad: Mapped[str] = mapped_column(String(200))
    #: MIGM, VALILIK, BELEDIYE, IL_MUDURLUGU, IL_OZEL_IDARESI, KAYMAKAMLIK
    tur: Mapped[str] = mapped_column(String(24), index=True)
    #: MIGM, VALILIK, BELEDIYE or ALT_BIRIM: the lane whose tasks this unit may do
    rol: Mapped[str] = mapped_column(String(16), index=True)
    #: the Valilik a sub-unit belongs to
    ust_birim_id: Mapped[int | None] = mapped_column(ForeignKey("birim.id"), index=True)
    il_kod: Mapped[str | None] = mapped_column(ForeignKey("il.kod"), index=True)
    ilce_id: Mapped[int | None] = mapped_column(ForeignKey("ilce.id"))
    aktif: Mapped[bool] = mapped_column(Boolean, default=True)


class Kullanici(Base):
    """A kurum user; belongs to one unit and sees that unit's screen."""
    __tablename__ = "kullanici"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kullanici_adi: Mapped[str] = mapped_column(String(64), unique=True)
    ad_soyad: Mapped[str] = mapped_column(String(128))
    #: argon2id hash
    parola_hash: Mapped[str] = mapped_column(String(255))
    birim_id: Mapped[int] = mapped_column(ForeignKey("birim.id"), index=True)
    #: extra permissions, space separated: "yonetici analist kayit"
    yetkiler: Mapped[str] = mapped_column(String(128), default="")
    eposta: Mapped[str | None] = mapped_column(String(254))
    aktif: Mapped[bool] = mapped_column(Boolean, default=True)
    basarisiz_giris: Mapped[int] = mapped_column(Integer, default=0)
    kilitli_bitis: Mapped[datetime | None] = mapped_column(UtcDateTime())
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: the TOTP time step (Unix time // 30) of the last accepted code: a code of that step or an earlier one is
    #: refused, so each code works once (no replay within its validity window)
    totp_son_adim: Mapped[int | None] = mapped_column(Integer)
    #: session generation: a session remembers the number it was opened with and ends once the number changes
    #: (logout, password change, TOTP on/off); see webapp/oturum.py
    oturum_surumu: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    olusturma: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    def yetkili(self, yetki: str) -> bool:
        return yetki in self.yetkiler.split()


# --- Processes and their runtime -------------------------------------------------------------------------

class ProcessVersion(Base):
    """An immutable deployed version; the spec is stored here once, not in each instance."""
    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_id", "sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64), index=True)
    #: SHA-256 over the sorted file names and texts
    sha256: Mapped[str] = mapped_column(String(64))
    #: {file name: text} of the BPMN/DMN files
    files: Mapped[dict] = mapped_column(JSON)
    #: serialised spec and subprocess specs (the keys an instance's state leaves out)
    spec_json: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    deployed_by: Mapped[str] = mapped_column(String(64))
    #: new talepler start on the current version of their process
    current: Mapped[bool] = mapped_column(Boolean, default=False)


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    #: zlib-compressed JSON of the workflow without the spec (a closed talep's state is ~3 KB, not ~30 KB)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    #: bumped on every save; a save that finds another number lost a race
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    #: calisiyor, tamamlandi, hata
    status: Mapped[str] = mapped_column(String(16), default="calisiyor")
    next_timer_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SurumKaydi(Base):
    """Audit log of process deployments: who deployed or made current which version, when, and what changed.

    Deploying is running code (a process file's scripts are Python), so every deployment and roll-back is
    written here in the same transaction that changes the current version."""
    __tablename__ = "surum_kaydi"
    __table_args__ = (Index("ix_surum_kaydi_surec_zaman", "process_id", "zaman"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64))
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    #: yukleme (a new version), ayni_surum (the same files again), geri_alma (an earlier version made current)
    islem: Mapped[str] = mapped_column(String(16))
    #: kullanici_adi, or "cli"/"kurulum"
    kullanici: Mapped[str] = mapped_column(String(64))
    kullanici_id: Mapped[int | None] = mapped_column(ForeignKey("kullanici.id"))
    zaman: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: the version's SHA-256 (copied: the log reads alone)
    sha256: Mapped[str] = mapped_column(String(64))
    #: the version that was current before
    onceki_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))
    #: diff summary against the previous current version: element ids added/removed/changed, files
    ozet: Mapped[dict] = mapped_column(JSON, default=dict)


class Talep(Base):
    """The business record the muhtar and the reports see."""
    __tablename__ = "talep"
    __table_args__ = (
        Index("ix_talep_muhtarlik_durum", "muhtarlik_id", "durum", "olusturma"),
        Index("ix_talep_durum_olusturma", "durum", "olusturma"),
        #: MİGM's Görünümler: every talep newest first, keyset on (olusturma, id)
        Index("ix_talep_olusturma", "olusturma", "id"),
        #: Raporlar: the open and overdue lists, newest first, read only the (few) unanswered talepler
        Index("ix_talep_acik", "olusturma", "id", postgresql_where=text("durum <> 'sonuclanan'"),
              sqlite_where=text("durum <> 'sonuclanan'")),
        #: open talepler by due date: the dashboard's most overdue ones, without reading the open ones not due yet
        Index("ix_talep_acik_son_tarih", "son_tarih", "id", postgresql_where=text("durum <> 'sonuclanan'"),
              sqlite_where=text("durum <> 'sonuclanan'")),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: human-readable, "2026-000123"; set by the process's first service task
    numara: Mapped[str | None] = mapped_column(String(16), unique=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    muhtarlik_id: Mapped[int] = mapped_column(ForeignKey("muhtarlik.id"))
    #: who filed it; the talep stays with the muhtarlık after the term ends
    muhtar_id: Mapped[int] = mapped_column(ForeignKey("muhtar.id"))
    #: sikayet, istek, ihbar, gorus_oneri
    tur: Mapped[str] = mapped_column(String(16))
    aciklama: Mapped[str] = mapped_column(Text)
    #: bekleyen, yonlendirilen, sonuclanan
    durum: Mapped[str] = mapped_column(String(16), default="bekleyen")
    #: normal, yuksek, acil (the highest given by MİGM)
    oncelik: Mapped[str | None] = mapped_column(String(8))
    olusturma: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    yonlendirme_zamani: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sonuclanma: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: the legal deadline for an answer
    son_tarih: Mapped[datetime | None] = mapped_column(UtcDateTime())
    nihai_cevap: Mapped[str | None] = mapped_column(Text)
    #: guards a double click: the same token never files two talepler
    istek_anahtari: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: a part's due date or the legal deadline passed before the answer (set once by the deadline timers)
    gecikti: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: when the 30-day progress SMS to the muhtar was queued (Law 3071 art. 7); at most once
    ilerleme_bildirimi: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Yonlendirme(Base):
    """One unit's part of a talep: routed by MİGM, or forwarded by a Valilik to a sub-unit.

    The unit's answer is kept here as it arrives, so no timer or migration can lose it."""
    __tablename__ = "yonlendirme"
    __table_args__ = (
        #: also the index of a talep's parts (talep_id is its prefix)
        UniqueConstraint("talep_id", "birim_id"),
        #: a unit's Görünümler in the talep's order, a keyset page read straight off the index; also the
        #: unit's talepler for the scope check and the reports (birim_id is its prefix)
        Index("ix_yonlendirme_birim_gorunum", "birim_id", "talep_olusturma", "talep_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    talep_id: Mapped[int] = mapped_column(ForeignKey("talep.id"))
    birim_id: Mapped[int] = mapped_column(ForeignKey("birim.id"))
    #: the talep's submission time, copied (it never changes) so a unit's list is ordered within one index
    talep_olusturma: Mapped[datetime] = mapped_column(UtcDateTime())
    #: the Valilik's part this sub-unit's part was forwarded from
    ust_id: Mapped[int | None] = mapped_column(ForeignKey("yonlendirme.id"))
    yonlendiren_birim_id: Mapped[int] = mapped_column(ForeignKey("birim.id"))
    oncelik: Mapped[str] = mapped_column(String(8), default="normal")
    #: the routing note for the unit
    not_: Mapped[str] = mapped_column("not", Text, default="")
    #: acik, tamamlandi
    durum: Mapped[str] = mapped_column(String(16), default="acik")
    olusturma: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    son_tarih: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cevap: Mapped[str | None] = mapped_column(Text)
    #: the answer may be shown to the muhtar
    cevap_muhtara_acik: Mapped[bool] = mapped_column(Boolean, default=False)
    tamamlanma: Mapped[datetime | None] = mapped_column(UtcDateTime())
    tamamlayan_id: Mapped[int | None] = mapped_column(ForeignKey("kullanici.id"))
    #: the due date passed while the part was open (set once by the sure/asim timer)
    gecikti: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: when the unit was reminded of its due date (sure/hatirlat); at most once
    hatirlatma: Mapped[datetime | None] = mapped_column(UtcDateTime())


class HumanTask(Base):
    """The inbox index: one row per READY user task, kept in step after every save."""
    __tablename__ = "human_task"
    __table_args__ = (
        #: a unit's Gelen Kutusu and its count: rol in the key keeps the count an index-only scan; on PostgreSQL
        #: only open tasks are indexed (a few per cent of the rows at steady state; SQLite cannot match a partial
        #: index to a bound parameter, so it keeps them all)
        Index("ix_human_task_gelen", "birim_id", "rol", "durum", "created_at",
              postgresql_where=text("durum = 'acik'")),
        #: a unit's Tamamlanan list, latest completion first
        Index("ix_human_task_tamamlanan", "birim_id", "durum", "completed_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    #: not indexed: talep and instance are one to one, and the talep_id index serves the instance's rows too
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    talep_id: Mapped[int] = mapped_column(ForeignKey("talep.id"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(64))
    ad: Mapped[str] = mapped_column(String(128))
    #: the lane's role
    rol: Mapped[str] = mapped_column(String(16))
    #: the concrete unit that may act, from task data
    birim_id: Mapped[int] = mapped_column(ForeignKey("birim.id"))
    form_key: Mapped[str] = mapped_column(String(64))
    #: acik, tamamlandi, iptal
    durum: Mapped[str] = mapped_column(String(16), default="acik")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("kullanici.id"))
    oncelik: Mapped[str | None] = mapped_column(String(8))
    son_tarih: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Hareket(Base):
    """Append-only event log: the muhtar's "hareket bilgileri" and the source of process metrics."""
    __tablename__ = "hareket"
    __table_args__ = (Index("ix_hareket_talep_zaman", "talep_id", "zaman"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    talep_id: Mapped[int] = mapped_column(ForeignKey("talep.id"))
    zaman: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: the acting unit (None for the muhtar or the system)
    birim_id: Mapped[int | None] = mapped_column(ForeignKey("birim.id"))
    kullanici_id: Mapped[int | None] = mapped_column(ForeignKey("kullanici.id"))
    #: basvuru, kaydedildi, gorev_olustu, yonlendirildi, uzerine_alindi, alt_birime_yonlendirildi,
    #: islem_tamamlandi, yonlendirilmeden_kapatildi, surec_tamamlandi, sms_kuyruga_alindi
    islem: Mapped[str] = mapped_column(String(32))
    bpmn_id: Mapped[str | None] = mapped_column(String(64))
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    not_: Mapped[str | None] = mapped_column("not", Text)
    #: the note is meant for the muhtar too
    muhtar_gorur: Mapped[bool] = mapped_column(Boolean, default=True)


class Ek(Base):
    """Attachment metadata; the bytes are in the storage backend under ``sha256``."""
    __tablename__ = "ek"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    talep_id: Mapped[int] = mapped_column(ForeignKey("talep.id"), index=True)
    yonlendirme_id: Mapped[int | None] = mapped_column(ForeignKey("yonlendirme.id"))
    birim_id: Mapped[int | None] = mapped_column(ForeignKey("birim.id"))
    dosya_adi: Mapped[str] = mapped_column(String(200))
    icerik_turu: Mapped[str] = mapped_column(String(100))
    boyut: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    muhtar_gorur: Mapped[bool] = mapped_column(Boolean, default=False)
    yukleyen_id: Mapped[int | None] = mapped_column(ForeignKey("kullanici.id"))
    olusturma: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class MesajKutusu(Base):
    """Outbox for SMS and e-mail: written inside the transaction, delivered after the commit."""
    __tablename__ = "mesaj_kutusu"
    #: the sender's queue; on PostgreSQL only the rows still to send are indexed (delivered ones are the bulk)
    __table_args__ = (Index("ix_mesaj_kutusu_teslim", "durum", "sonraki_deneme",
                            postgresql_where=text("durum IN ('bekliyor', 'gonderiliyor')")),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: sms, eposta
    kanal: Mapped[str] = mapped_column(String(8))
    alici: Mapped[str] = mapped_column(String(254))
    konu: Mapped[str | None] = mapped_column(String(200))
    metin: Mapped[str] = mapped_column(Text)
    #: bekliyor, gonderiliyor, gonderildi, basarisiz
    durum: Mapped[str] = mapped_column(String(16), default="bekliyor")
    deneme_sayisi: Mapped[int] = mapped_column(Integer, default=0)
    sonraki_deneme: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    son_hata: Mapped[str | None] = mapped_column(Text)
    #: the provider's id for the message (Netgsm jobid)
    saglayici_kimlik: Mapped[str | None] = mapped_column(String(64))
    #: a one-time code is in the text: never print it in production logs
    gizli: Mapped[bool] = mapped_column(Boolean, default=False)
    talep_id: Mapped[int | None] = mapped_column(ForeignKey("talep.id"), index=True)
    olusturma: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    gonderilme: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OnayKodu(Base):
    """One "Onay Kodu Gönder" request of the muhtar login: the SMS code's HMAC, never the code.

    A row is written for every well-formed request, muhtar or not (``muhtar_id`` None, a code nobody
    knows), so that checking a code behaves the same whoever asked: the page never reveals who is a muhtar.
    """
    __tablename__ = "onay_kodu"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: SHA-256 of the random token kept in the requesting browser's session
    istek_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: HMAC of the TC kimlik no typed: a newer request for the same number supersedes this one
    tc_anahtari: Mapped[str] = mapped_column(String(64), index=True)
    #: None when the request matched no muhtar in office (no SMS was sent)
    muhtar_id: Mapped[int | None] = mapped_column(ForeignKey("muhtar.id"), index=True)
    #: HMAC-SHA256 of the code, keyed with the application's secret
    kod_hash: Mapped[str] = mapped_column(String(64))
    olusturma: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: the code is refused from this instant on
    gecerlilik: Mapped[datetime] = mapped_column(UtcDateTime())
    deneme_sayisi: Mapped[int] = mapped_column(Integer, default=0)
    kullanildi: Mapped[bool] = mapped_column(Boolean, default=False)


class NumaraSayaci(Base):
    """Per-year counter behind talep numbers; its row lock serialises numbering."""
    __tablename__ = "numara_sayaci"
    yil: Mapped[int] = mapped_column(Integer, primary_key=True)
    son: Mapped[int] = mapped_column(Integer, default=0)


# --- Muhtar registry upkeep (issue 9) -----------------------------------------------------------------------

class MuhtarIceAktarim(Base):
    """One bulk import of muhtars from a CSV file (web or command line), kept with its error report."""
    __tablename__ = "muhtar_ice_aktarim"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: who uploaded it (None: the command line)
    kullanici_id: Mapped[int | None] = mapped_column(ForeignKey("kullanici.id"), index=True)
    zaman: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    dosya_adi: Mapped[str] = mapped_column(String(200))
    #: the il the rows had to belong to (None: every il)
    il_kod: Mapped[str | None] = mapped_column(String(2))
    satir_sayisi: Mapped[int] = mapped_column(Integer, default=0)
    #: new terms written
    yazilan: Mapped[int] = mapped_column(Integer, default=0)
    #: rows already in the registry as they are (same person, same term start)
    degismeyen: Mapped[int] = mapped_column(Integer, default=0)
    hatali: Mapped[int] = mapped_column(Integer, default=0)
    #: yazildi (clean file written), yazilmadi (errors: nothing written), kismi (only the clean rows written)
    durum: Mapped[str] = mapped_column(String(16))
    #: the error report as CSV text (line number, row, error; TC and phone masked); None when clean
    hata_raporu: Mapped[str | None] = mapped_column(Text)


class MuhtarDegisiklik(Base):
    """Change log of the muhtar registry: who changed which field of which muhtar, when.

    Phone numbers and e-mail addresses are stored masked (the log must not become a second copy of them)."""
    __tablename__ = "muhtar_degisiklik"
    __table_args__ = (Index("ix_muhtar_degisiklik_muhtar_zaman", "muhtar_id", "zaman"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    muhtar_id: Mapped[int] = mapped_column(ForeignKey("muhtar.id"))
    #: the kurum user (None: the command line)
    kullanici_id: Mapped[int | None] = mapped_column(ForeignKey("kullanici.id"))
    zaman: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: telefon, eposta, gorev_baslangic (a new term), gorev_bitis (a term's end)
    alan: Mapped[str] = mapped_column(String(32))
    #: old and new value, masked for telefon/eposta
    eski: Mapped[str | None] = mapped_column(String(254))
    yeni: Mapped[str | None] = mapped_column(String(254))
    #: why: the reason a term ended, the import it came from
    aciklama: Mapped[str | None] = mapped_column(String(200))
    ice_aktarim_id: Mapped[int | None] = mapped_column(ForeignKey("muhtar_ice_aktarim.id"))


class RaporOzeti(Base):
    """A dashboard report computed off the request path (``engine.rapor_ozeti``): zlib JSON of the figures."""
    __tablename__ = "rapor_ozeti"
    #: report, scope and filter, as stable JSON
    anahtar: Mapped[str] = mapped_column(String(400), primary_key=True)
    hesaplanma: Mapped[datetime] = mapped_column(UtcDateTime())
    veri: Mapped[bytes] = mapped_column(LargeBinary)
