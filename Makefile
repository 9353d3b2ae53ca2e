# `make install` and `make deb`, for those who expect them: both run the scripts, which
# say more with --help.
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: install deb

install:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" scripts/install

deb:
	scripts/package-deb
