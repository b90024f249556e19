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

.PHONY: help install setup run test test-pg migrate migration surec-dogrula mesaj-gonderici clean

help:
	@echo "make run                  kur (venv, paketler, şema, veriler, süreçler) ve 127.0.0.1:\$$MBS_PORT üzerinde çalıştır"
	@echo "make test                 tüm testler (SQLite)"
	@echo "make test-pg              tüm testler (PostgreSQL, PG_TEST_URL=$(PG_TEST_URL))"
	@echo "make migrate              veritabanını en son şemaya yükselt"
	@echo "make migration m=\"...\"    modellerdeki değişiklikten yeni Alembic revizyonu üret"
	@echo "make surec-dogrula        processes/ ve forms/ dosyalarını denetle"
	@echo "make mesaj-gonderici      giden SMS/e-posta kutusunu sürekli gönder (ayrı süreç)"

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

migrate: install
	$(FLASK) db upgrade

migration: install
	@if [ -z "$(m)" ]; then echo 'Kullanım: make migration m="kısa açıklama"'; exit 2; fi
	$(BIN)/python -m webapp.semalar yeni "$(m)"

surec-dogrula: install
	$(FLASK) surec dogrula

mesaj-gonderici: install
	$(FLASK) mesaj gonder --dongu

# Removes the venv only; the database in instance/ is kept.
clean:
	rm -rf $(VENV) .pytest_cache
