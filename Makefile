# floe — the two commands a newcomer needs: `make demo` and `make test`.
SWIFT ?= swift
APT_PACKAGES := libyaml-dev libsystemd-dev pkg-config python3 curl iproute2 nftables util-linux
SWIFT_FLAGS ?=

.PHONY: all deps build release test e2e lint demo install bench bench-quick clean

all: build

# Installs what a fresh Debian 12 machine lacks (needs root or sudo).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)
	sh scripts/build-monitor.sh "$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))"

release: deps
	$(SWIFT) build -c release $(SWIFT_FLAGS)
	sh scripts/build-monitor.sh "$$($(SWIFT) build -c release --show-bin-path $(SWIFT_FLAGS))"

# Unit tests of every module, the fuzz test, and end-to-end tests of the real floed and floectl.
test: deps
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	sh scripts/build-monitor.sh "$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))"
	$(SWIFT) test --skip-build $(SWIFT_FLAGS)
	bash examples/check-examples.sh

lint:
	$(SWIFT) format lint --recursive Sources Tests Package.swift

# Builds floe, starts floed on a local stage (.demo/), and runs the seed's examples.
demo: deps
	bash scripts/demo.sh

install: deps
	bash deploy/install.sh

bench: deps
	bash bench/run.sh

bench-quick: deps
	bash bench/run.sh --quick

clean:
	rm -rf .build .demo
