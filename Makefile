# Muhtar Bilgi Sistemi: `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp-requirements
FLASK := $(BIN)/flask --app webapp
MBS_PORT ?= 5000
export MBS_PORT
#: make test-pg uses this database (created if missing; every test drops and recreates its schema)
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/mbs_test
PYTEST_ARGS ?=
#: make bench fills and measures this database (its public schema is dropped and rebuilt): PostgreSQL or sqlite:////tmp/...
BENCH_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/mbs_bench
#: talepler to generate (default: 1,000,000 on PostgreSQL, 100,000 on SQLite)
BENCH_N ?=

.PHONY: help install setup run test test-pg migrate migration surec-dogrula mesaj-gonderici bench clean

help:
	@echo "make run                  kur (venv, paketler, şema, veriler, süreçler) ve 127.0.0.1:\$$MBS_PORT üzerinde çalıştır"
	@echo "make test                 tüm testler (SQLite)"
	@echo "make test-pg              tüm testler (PostgreSQL, PG_TEST_URL=$(PG_TEST_URL))"
	@echo "make test-e2e             tarayıcı testleri (Playwright + Debian Chromium, gunicorn; ekran görüntüleri test-output/e2e/)"
	@echo "make migrate              veritabanını en son şemaya yükselt"
	@echo "make migration m=\"...\"    modellerdeki değişiklikten yeni Alembic revizyonu üret"
	@echo "make surec-dogrula        processes/ ve forms/ dosyalarını denetle"
	@echo "make mesaj-gonderici      giden SMS/e-posta kutusunu sürekli gönder (ayrı süreç)"
	@echo "make bench                BENCH_URL'yi N talep ile doldur, ölç, bench/RESULTS.md yaz (bkz. bench/README.md)"

# The venv is made once; packages are reinstalled only when requirements.txt is newer than the stamp.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

install: $(STAMP)

# Idempotent: schema upgrade, registry seed, demo data (development only), BPMN deployment.
setup: install
	$(FLASK) kurulum

run: setup
	@echo "Sunucu: http://127.0.0.1:$(MBS_PORT)/  (durdurmak için Ctrl+C)"
	$(FLASK) run --host 127.0.0.1 --port $(MBS_PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-pg: install
	$(BIN)/python -m webapp.semalar vt-olustur "$(PG_TEST_URL)"
	MBS_TEST_DATABASE_URL="$(PG_TEST_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser tests (tests/e2e): Playwright drives /usr/bin/chromium (apt-get installs it when missing; no
# browser download) against gunicorn on a fresh database (SQLite, or MBS_TEST_DATABASE_URL). `make test` skips them.
test-e2e: install
	MBS_E2E=1 $(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

migrate: install
	$(FLASK) db upgrade

migration: install
	@if [ -z "$(m)" ]; then echo 'Kullanım: make migration m="kısa açıklama"'; exit 2; fi
	$(BIN)/python -m webapp.semalar yeni "$(m)"

surec-dogrula: install
	$(FLASK) surec dogrula

mesaj-gonderici: install
	$(FLASK) mesaj gonder --dongu

# Performance bench (issue 8): not part of make test. Drops and rebuilds BENCH_URL's schema.
bench: install
	@case "$(BENCH_URL)" in postgresql*) $(BIN)/python -m webapp.semalar vt-olustur "$(BENCH_URL)";; esac
	$(BIN)/python -m bench.uret --url "$(BENCH_URL)" $(if $(BENCH_N),--n $(BENCH_N))
	$(BIN)/python -m bench.olc --url "$(BENCH_URL)"

# Removes the venv only; the database in instance/ is kept.
clean:
	rm -rf $(VENV) .pytest_cache
