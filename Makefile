# `make && sudo make install` and `make deb`, for those who expect them: they run the scripts,
# which say more with --help. `make` builds as you, so that the build folder stays yours;
# `make install` only copies what it built (PREFIX, DESTDIR), and needs no swift on PATH.
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all install deb

all:
	scripts/install --build-only

install:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" scripts/install --no-build

deb:
	scripts/package-deb
