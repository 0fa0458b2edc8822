# qsafe.slicing: every target installs what it needs first (apt, venv, pip), idempotently.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(abspath $(VENV))/bin
COLL_ROOT := $(abspath $(VENV))/collections
COLL_LINK := $(COLL_ROOT)/ansible_collections/qsafe/slicing
DEVEL_PTH := $(VENV)/.devel-pth-stamp
APT_PACKAGES := python3-venv openssh-client openssh-server netconfd iproute2 postgresql libyang2-tools
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLL_ROOT)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup apt venv demo test lint sanity unit integration molecule bench clean lab-up lab-down pictures test-slow

setup: apt venv $(DEVEL_PTH) $(COLL_LINK)

apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "apt: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

venv: $(VENV)/.deps-stamp

$(VENV)/.deps-stamp: requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $@

# The development tree (devel/: lab, key managers, benches, tools) and the collection are importable
# from the venv's Python wherever it runs (python -m qsafe_lab, the key-script daemons, benches).
$(DEVEL_PTH): $(VENV)/.deps-stamp
	@printf '%s\n%s\n' "$(CURDIR)/devel" "$(COLL_ROOT)" > "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/qsafe_devel.pth"
	@touch $@

# The project root is the collection root; Ansible finds it as qsafe.slicing through this link.
$(COLL_LINK):
	@mkdir -p $(dir $@)
	@ln -sfn $(CURDIR) $@

demo: setup
	$(PY) devel/tools/demo.py

# The operator's pictures (PNG + SVG) from the slice registry (.state/ unless QSAFE_* says otherwise),
# the testbed topology and devel/bench/out/provision.json when a benchmark ran: network with slices,
# one provisioning timeline per slice, the Fig. 6 histograms. PICTURES_DIR=... to write elsewhere.
PICTURES_DIR ?= .pictures
pictures: setup
	$(PY) -m qsafe_views --out $(PICTURES_DIR)

lint: setup
	ruff check .
	ansible-lint

# ansible-test needs the collection under ansible_collections/<ns>/<name> for real (not a link),
# and bootstraps pip in its test venvs with a script from a host we cannot reach: see the tool.
ANSIBLE_TEST_GET_PIP := $(HOME)/.ansible/test/cache/get_pip_24_2.py
# What the collection ships (galaxy.yml build_ignore leaves out the lab, KMS service, benches and tools).
SANITY_PATHS := galaxy.yml meta plugins roles playbooks extensions docs changelogs schemas inventories slices \
	README.md COPYING requirements.txt bindep.txt tests/unit tests/playbooks
sanity: setup
	@install -D -m 0644 devel/tools/ansible_test_get_pip.py $(ANSIBLE_TEST_GET_PIP)
	@rm -rf .build && mkdir -p .build/ansible_collections/qsafe/slicing
	@git ls-files -co --exclude-standard -z -- $(SANITY_PATHS) | xargs -0 cp -P --parents -t .build/ansible_collections/qsafe/slicing
	cd .build/ansible_collections/qsafe/slicing && git init -q && git add -A >/dev/null && \
	  ansible-test sanity --python 3.11 --color no

# Fast tests only (tests/unit mirrors plugins/: no lab, no daemons).
unit: setup
	$(PY) -m pytest -q -m "not slow" tests/unit

# The integration tier: the lab suites (real NETCONF devices, key managers, PostgreSQL, AWX fakes).
integration: setup
	$(PY) -m pytest -q -m "not slow" tests/integration

# Molecule (default driver), every scenario: the slice roles (default) and each device role; each
# scenario's create/destroy start and stop its own lab.
MOLECULE_SCENARIOS := default encryptor key_stream l2_switch optical_switch
molecule: setup
	cd extensions && for scenario in $(MOLECULE_SCENARIOS); do molecule test -s $$scenario || exit 1; done

test: lint sanity unit integration molecule

# The slow tier (not in make test): the whole hostile-input corpus, keys at rest after a demo-like
# run, rotation during a pending confirmed commit, a 500-connection slice, AWX runner jobs.
test-slow: setup
	$(PY) -m pytest -q -m slow tests

bench: setup
	$(PY) devel/bench/pce.py
	$(PY) devel/bench/netconf.py
	$(PY) devel/bench/kms.py
	$(PY) devel/bench/registry.py
	$(PY) devel/bench/steps.py
	$(PY) devel/bench/provision.py

lab-up: setup
	$(PY) -m qsafe_lab up

lab-down: setup
	$(PY) -m qsafe_lab down

clean:
	rm -rf .build .pytest_cache .ruff_cache
