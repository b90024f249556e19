"""Errors the engine raises; each carries a Turkish message fit to show a user as it is."""


class MbsHatasi(Exception):
    """Base of all engine errors. ``mesaj`` is for the user; ``str()`` may carry detail for logs."""
    mesaj = "İşlem yapılamadı."

    def __init__(self, mesaj: str | None = None, detay: str | None = None):
        if mesaj:
            self.mesaj = mesaj
        self.detay = detay
        super().__init__(detay or self.mesaj)


class GorevBulunamadi(MbsHatasi):
    mesaj = "Görev bulunamadı."


class GorevTamamlanmis(MbsHatasi):
    mesaj = "Bu görev başka bir kullanıcı tarafından zaten tamamlanmış."


class GorevYetkisiz(MbsHatasi):
    mesaj = "Bu görev biriminize ait değil."


class EsZamanliDegisiklik(MbsHatasi):
    mesaj = "Talep aynı anda başka bir kullanıcı tarafından değiştirildi; lütfen sayfayı yenileyip tekrar deneyin."


class GecersizVeri(MbsHatasi):
    mesaj = "Girilen bilgiler geçersiz."


class ServisHatasi(MbsHatasi):
    """A service task's handler failed; the transaction is rolled back and nothing changes."""
    mesaj = "Süreç adımı çalıştırılamadı; işlem kaydedilmedi."


class SurecHatasi(MbsHatasi):
    """A process file is invalid, or an instance cannot be loaded or run."""
    mesaj = "Süreç tanımı geçersiz."
