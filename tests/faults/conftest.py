"""Fault drills and property-based tests. They run in the plain ``make test``; the live-server drills start
gunicorn on 127.0.0.1 (tests/canli.py). The web fixtures (``make_app``, ``web_database``) are the ones of
tests/web/conftest.py."""
from tests.web.conftest import make_app, web_database  # noqa: F401  (fixtures for this folder)


def pytest_terminal_summary(terminalreporter):
    """The issue's figures for this run: faults injected, inconsistencies found, generated inputs."""
    from tests.faults.ortak import SAYILAR
    from tests.faults.test_ozellik import SAYAC
    if not (SAYILAR["ariza"] or SAYAC["ornek"]):
        return
    terminalreporter.write_sep("-", "arıza tatbikatları")
    terminalreporter.write_line(
        f"enjekte edilen arıza: {SAYILAR['ariza']}, yanıtsız kalan/başarısız deneme: {SAYILAR['kesilen_istek']}, "
        f"bulunan tutarsızlık: {SAYILAR['tutarsizlik']}, hypothesis girdisi: {SAYAC['ornek']}")
