# Servicetorg — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
VENDOR := src/servicetorg/static/vendor
PYTEST_ARGS ?= -n 2
# Development settings are asked for explicitly (DEBUG, a fixed key, no MFA); without SERVICETORG_DEV
# the settings are production's and refuse to start without SECRET_KEY. The tests ask through pytest-env.
DEV := SERVICETORG_DEV=$${SERVICETORG_DEV-1}

.PHONY: run test test-fast install lock static browsers migrate demo lint format messages worker bench-tools benchmarks clean

IDP_PORT ?= 9400

run: install static browsers migrate demo ## start on the embedded default (SQLite) with demo data and TestID
	# The demo's Fjordvik (3999) is in no address register: its address search uses Larvik's (3805).
	# TestID, the local test ID-porten (servicetorg.testidp, docs/development.md), runs beside
	# runserver on IDP_PORT and stops with it (the trap); citizens sign in with synthetic numbers.
	$(BIN)/python -m servicetorg.testidp --host $(HOST) --port $(IDP_PORT) \
	  --frontchannel-logout-uri http://$(HOST):$(PORT)/min-side/frontchannel-logout/ & idp=$$!; \
	trap 'kill $$idp 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	$(DEV) ADDRESS_SEARCH_MUNICIPALITY=$${ADDRESS_SEARCH_MUNICIPALITY-3805} \
	  CITIZEN_OIDC_ISSUER=http://$(HOST):$(IDP_PORT) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install static browsers ## all tests; PostgreSQL when DATABASE_URL is set, SQLite otherwise
	$(BIN)/pytest $(PYTEST_ARGS)

# The inner loop while you work: every test but the browser, fuzz, fault and slow ones (markers in
# pyproject.toml, set by tests/conftest.py). CI still runs them all (`make test`, .ci/run).
FAST := not browser and not fuzz and not faults and not slow

test-fast: install static browsers ## the inner loop: no browser, fuzz, fault or slow tests (under 3 minutes on 2 cores)
	$(BIN)/pytest $(PYTEST_ARGS) -m "$(FAST)"

LOCK := requirements.lock
PIP_LOCK := requirements-pip.lock
PIP_VERSION := 26.3

install: $(VENV)/.installed ## the exact, hash-checked versions of requirements.lock, then the project itself

# pip itself is pinned with its hashes too (PIP_LOCK), and the project is built with the locked
# setuptools (pyproject.toml's build-system pins the same version), not one fetched for the build.
$(VENV)/.installed: $(LOCK) $(PIP_LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(PIP_LOCK)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $@

# After changing the dependencies in pyproject.toml: `make lock`, then commit requirements.lock.
# `make lock UPGRADE=1` moves every pin to the newest version pyproject.toml allows; pip moves by
# PIP_VERSION, setuptools (the build backend) with pyproject.toml's build-system pin.
lock: ## pin every dependency (with its hashes) for Python 3.11 on Linux into requirements.lock
	@test -x $(BIN)/uv || ($(PYTHON) -m venv $(VENV) && $(BIN)/pip install --quiet uv)
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" \
	  $(if $(UPGRADE),--upgrade) --quiet -o $(LOCK)
	echo "pip==$(PIP_VERSION)" > $(VENV)/pip.in
	$(BIN)/uv pip compile $(VENV)/pip.in --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" --quiet -o $(PIP_LOCK)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static: $(VENDOR)/.copied ## copy Designsystemet, htmx, axe-core and Leaflet from node_modules into static files

$(VENDOR)/.copied: node_modules/.installed Makefile
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	cp node_modules/@digdir/designsystemet-css/dist/src/index.css $(VENDOR)/designsystemet.css
	cp node_modules/@digdir/designsystemet-theme/brand/digdir.css $(VENDOR)/designsystemet-theme.css
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe.min.js
	mkdir -p $(VENDOR)/leaflet
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	touch $@

SYSTEM_PACKAGES := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core gettext

browsers: ## Debian packages for browser tests, PDF reports and translations (root on a fresh machine)
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

migrate: install
	$(DEV) $(BIN)/python manage.py migrate --noinput

demo: install
	$(DEV) $(BIN)/python manage.py load_municipality_registry
	$(DEV) $(BIN)/python manage.py load_kostra_catalogue
	$(DEV) $(BIN)/python manage.py load_demo

worker: install ## a Celery worker (set CELERY_BROKER_URL=redis://127.0.0.1:6379/0)
	$(DEV) $(BIN)/celery -A servicetorg worker --beat --loglevel=info

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

APPS_WITH_OWN_LOCALE := inquiries surveys indicators strategy choice

messages: install ## regenerate and compile translations (needs GNU gettext); fill in nb, then run again
	cd src/servicetorg && ../../$(BIN)/django-admin makemessages -l en -l nb -l nn --ignore 'static/*' \
	  $(foreach app,$(APPS_WITH_OWN_LOCALE),--ignore '$(app)/*')
	for app in $(APPS_WITH_OWN_LOCALE); do \
	  (cd src/servicetorg/$$app && ../../../$(BIN)/django-admin makemessages -l en -l nb -l nn) || exit 1; done
	cd src/servicetorg && ../../$(BIN)/django-admin compilemessages

bench-tools: ## wrk, the HTTP load generator of benchmarks/inquiries_intake.py (Debian package)
	@dpkg -s wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)

benchmarks: install static bench-tools ## every benchmark (PostgreSQL on 127.0.0.1; prints figures)
	for b in benchmarks/[a-z]*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
