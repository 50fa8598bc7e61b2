# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed-stamp
APT_STAMP := $(VENV)/.apt-stamp
MO := hotline/translations/zh/LC_MESSAGES/messages.mo
# Debian packages the product and its tests use: the CJK font for PDFs,
# poppler for checking PDFs, Chromium for the browser tests, tilemaker for the base map's
# vector tiles, and the phone line: Kamailio (SIP), rtpengine (media, recording) and SIPp.
TELEPHONY_PACKAGES := kamailio kamailio-extra-modules kamailio-json-modules \
	kamailio-utils-modules kamailio-sqlite-modules kamailio-postgres-modules \
	rtpengine-daemon rtpengine-recording-daemon sip-tester
APT_PACKAGES := fonts-wqy-microhei fonts-wqy-zenhei poppler-utils chromium tilemaker \
	$(TELEPHONY_PACKAGES)

.PHONY: run test setup apt migrate seed lint format bench clean bundle constraints pbx

setup: $(STAMP) $(MO) apt

# deploy/constraints.txt pins every version: what the tests run is what make bundle ships.
$(STAMP): setup.cfg pyproject.toml deploy/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip wheel
	$(BIN)/python -m pip install -q -c deploy/constraints.txt -e '.[dev]'
	touch $@

# After changing setup.cfg's dependencies: pin what the venv now holds.
constraints: $(STAMP)
	{ sed -n '1,2p' deploy/constraints.txt; $(BIN)/python -m pip freeze --exclude-editable; } > deploy/constraints.new
	mv deploy/constraints.new deploy/constraints.txt

$(MO): hotline/translations/zh/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel -q compile -d hotline/translations

apt: $(APT_STAMP)

$(APT_STAMP): Makefile
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@mkdir -p $(VENV) && touch $@

migrate: setup
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) hotline seed-demo

run: seed
	$(FLASK) hotline serve --host $(HOST) --port $(PORT)

# The phone line for development (docs/TELEPHONY.md): rtpengine and Kamailio on $(HOST), SIP
# on UDP $(PBX_PORT), asking the app at $(HOST):$(PORT); Ctrl-C stops both. Hunt groups for
# when the app is down: PBX_HUNT_12345="8001 8002" make pbx.
PBX_PORT ?= 5060
pbx: apt
	PBX_SIP_LISTEN=udp:$(HOST):$(PBX_PORT) PBX_APP_URL=http://$(HOST):$(PORT) PYTHON=$(PYTHON) \
		bash deploy/telephony/pbx.sh

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

extract-messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o hotline/translations/messages.pot .
	$(BIN)/pybabel update -i hotline/translations/messages.pot -d hotline/translations --no-fuzzy-matching

bench: setup
	@command -v wrk >/dev/null || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/routing.py
	$(BIN)/python bench/nearest.py
	$(BIN)/python bench/map.py
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/open311.py
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/crash.py
	$(BIN)/python bench/login_stall.py
	$(BIN)/python bench/feed.py --database $(if $(BENCH_PG_URL),both,sqlite)

# The offline installer, dist/hotline-<version>-offline.tar.gz (docs/DEPLOY.md); needs network
# (PyPI, Debian) here, none where it is installed. BUNDLE_OPTIONS=--with-telephony adds SIP.
bundle:
	bash deploy/bundle.sh $(BUNDLE_OPTIONS)

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
