# The two commands of the README's quick start: `make run` and `make test`.
# Both create .venv when it is missing and (re)install the project when pyproject.toml changes.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CONFIG ?= config.toml

.PHONY: run test bench check lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $(STAMP)

# On a fresh clone nobody has generated a duty roster yet: a draft for the next 30 days (from the
# example staff) lets the web interface's board show today's team at once. Never touches a roster
# that has today filled; the board marks it 草稿 until `safeduty roster publish`.
run: $(STAMP)
	@today=$$(date +%F); \
	if ! $(BIN)/safeduty --config $(CONFIG) roster show --from $$today --to $$today --format json 2>/dev/null \
	     | grep -q '"code"'; then \
	  echo "make run: no duty roster for today yet: generating a draft for the next 30 days"; \
	  $(BIN)/safeduty --config $(CONFIG) roster generate --from $$today --to $$(date -d '+30 days' +%F) \
	    --by "make run" >/dev/null; \
	fi
	@echo "make run: the web interface will be at http://127.0.0.1:8080/ ([web] listen in $(CONFIG)); sign in after"
	@echo "          $(BIN)/safeduty user set-password 工号   (e.g. S013, the example admin)"
	$(BIN)/safeduty --config $(CONFIG) run

# The browser tests (tests/web/browser) need Debian's chromium and a CJK font; without them they
# are skipped and the summary says so in its last lines ("browser tests SKIPPED: …").
test: $(STAMP)
	@test -x /usr/bin/chromium || echo "make test: /usr/bin/chromium is missing: the browser tests will be SKIPPED (apt-get install chromium fonts-wqy-microhei)"
	$(BIN)/python -m pytest -q

check: $(STAMP)
	$(BIN)/safeduty --config $(CONFIG) check

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/ruff check scheduler rosters bench tests
	$(BIN)/mypy scheduler rosters

clean:
	rm -rf $(VENV) var .pytest_cache
