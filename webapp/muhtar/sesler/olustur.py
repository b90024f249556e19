"""Make the Turkish digit voices of the audio captcha (run once; the WAV files are in the repository).

    apt-get install espeak-ng && python webapp/muhtar/sesler/olustur.py

Each digit is spoken by eSpeak NG's Turkish voice at a few speeds and pitches (the captcha picks one at
random), converted to what ``captcha.audio`` reads: 8 kHz, 8-bit unsigned, mono. eSpeak NG's output is not
covered by its licence.
"""
from __future__ import annotations

import audioop  # noqa: deprecated in 3.11, removed in 3.13: this script is not imported by the application
import subprocess
import tempfile
import wave
from pathlib import Path

KLASOR = Path(__file__).resolve().parent
RAKAMLAR = ["sıfır", "bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz", "dokuz"]
#: (words per minute, pitch 0-99) of each variant
SESLER = [(150, 45), (135, 35), (165, 55)]


def _oku(metin: str, hiz: int, perde: int) -> bytes:
    """eSpeak NG's WAV for ``metin``, as 8 kHz 8-bit unsigned mono frames."""
    with tempfile.NamedTemporaryFile(suffix=".wav") as gecici:
        subprocess.run(["espeak-ng", "-v", "tr", "-s", str(hiz), "-p", str(perde), "-w", gecici.name, metin],
                       check=True)
        with wave.open(gecici.name) as w:
            kare, genislik, oran = w.readframes(w.getnframes()), w.getsampwidth(), w.getframerate()
    kare, _ = audioop.ratecv(kare, genislik, 1, oran, 8000, None)
    kare = _kirp(audioop.lin2lin(kare, genislik, 1))
    # As loud as the package's own voices: peaks near 100 of 127.
    kare = audioop.mul(kare, 1, 100 / max(audioop.max(kare, 1), 1))
    return audioop.bias(kare, 1, 128)


def _kirp(kare: bytes, esik: int = 6, pay: int = 160) -> bytes:
    """Drop the leading and trailing silence eSpeak adds (signed 8-bit samples), keeping ``pay`` samples."""
    ornekler = [b - 256 if b > 127 else b for b in kare]
    sesli = [i for i, v in enumerate(ornekler) if abs(v) > esik]
    if not sesli:
        return kare
    return kare[max(sesli[0] - pay, 0):sesli[-1] + pay]


def main() -> None:
    for rakam, metin in enumerate(RAKAMLAR):
        hedef = KLASOR / str(rakam)
        hedef.mkdir(exist_ok=True)
        for sira, (hiz, perde) in enumerate(SESLER):
            with wave.open(str(hedef / f"tr{sira}.wav"), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(1)
                w.setframerate(8000)
                w.writeframes(_oku(metin, hiz, perde))


if __name__ == "__main__":
    main()
