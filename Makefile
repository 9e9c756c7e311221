# offroot — GNU make build.  `make` builds build/offroot; `make check` installs
# what the tests need (Debian), builds, and runs every test, then the suite
# again under ASan+UBSan.  See README.md.

# The version is debian/changelog's, so the binary and the package agree.
VERSION     := $(shell dpkg-parsechangelog -l debian/changelog -SVersion 2>/dev/null || echo 0.1.0)
PREFIX      ?= /usr/local
BUILD       ?= build
CC          ?= cc
PKGS        := ncursesw libsodium libcrypto p11-kit-1
# Reproducible builds: no timestamps, no absolute paths in the binary.
# The date is debian/changelog's (what dpkg-buildpackage sets too).
SOURCE_DATE_EPOCH ?= $(shell dpkg-parsechangelog -l debian/changelog -STimestamp 2>/dev/null || echo 1796342400)
export SOURCE_DATE_EPOCH

PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN        := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter
HARDEN      := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
HARDEN_LD   := -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack
OPT         ?= -O2 -g
REPRO       := -ffile-prefix-map=$(CURDIR)=. -fdebug-prefix-map=$(CURDIR)=.
CPPFLAGS    += -D_GNU_SOURCE -DOFFROOT_VERSION='"$(VERSION)"' -Isrc -Ihsm -Iui
CFLAGS_ALL  := -std=c11 $(WARN) $(OPT) $(REPRO) $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL := $(LDFLAGS)

# SAN=1: AddressSanitizer + UndefinedBehaviorSanitizer build (no FORTIFY:
# the two do not mix).
ifeq ($(SAN),1)
CFLAGS_ALL  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -fPIE
LDFLAGS_ALL += -fsanitize=address,undefined -pie
else ifeq ($(SAN),fuzz)
CFLAGS_ALL  += -DOFFROOT_FUZZING
else
CFLAGS_ALL  += $(HARDEN)
LDFLAGS_ALL += $(HARDEN_LD)
endif

SRCS        := $(sort $(wildcard src/*.c hsm/*.c ui/*.c))
LIB_SRCS    := $(filter-out src/main.c,$(SRCS))
LIB_OBJS    := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS   := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS   := $(sort $(wildcard tests/fuzz/fuzz-*.c))
MANS        := $(sort $(wildcard manuals/*.[1-9]))

.PHONY: check-tsan all check check-fast check-asan unit fuzz bench run install deps clean lint-man
all: $(BUILD)/offroot

# Header dependencies: the compiler writes them (-MMD -MP) next to each
# object or unit binary as a .d file, included below; -MP adds a target for
# every header, so a header that is removed does not stop the build.
DEPFLAGS    := -MMD -MP

$(BUILD)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) $(DEPFLAGS) -c $< -o $@

$(BUILD)/liboffroot.a: $(LIB_OBJS)
	@rm -f $@
	ar rcD $@ $(LIB_OBJS)

$(BUILD)/offroot: $(BUILD)/obj/src/main.o $(BUILD)/liboffroot.a
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) $^ -o $@ $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/liboffroot.a Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS_ALL) $(DEPFLAGS) -MF $@.d -MT $@ $(LDFLAGS_ALL) \
	  $< $(BUILD)/liboffroot.a -o $@ $(PKG_LIBS)

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/tests/*.d $(BUILD)/fuzz/*.d)

# The fault-injecting PKCS#11 module the token tests load (tests/p11shim):
# never instrumented, so that it also loads into uninstrumented tools.
P11SHIM     := $(BUILD)/tests/libp11shim.so
$(P11SHIM): tests/p11shim/shim.c Makefile
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O2 -g -D_GNU_SOURCE $(PKG_CFLAGS) -fPIC -shared $< -o $@ -ldl

unit: $(UNIT_BINS) $(P11SHIM)

deps:
	@sh tests/install-deps

# The whole suite: the man pages linted, short runs of every libFuzzer
# target, then the unit tests (TAP binaries) and integration tests (shell)
# on the hardened build, the same suite on the ASan+UBSan build, and batch
# signing under ThreadSanitizer.
check: deps
	$(MAKE) lint-man
	$(MAKE) fuzz FUZZ_RUNS=$${FUZZ_RUNS:-20000}
	$(MAKE) all unit
	$(MAKE) check-fast BUILD=$(BUILD)
	$(MAKE) check-asan
	$(MAKE) check-tsan

check-fast: all unit
	OFFROOT_BUILD=$(BUILD) prove -e '' $(UNIT_BINS)
	OFFROOT_BUILD=$(BUILD) prove -e sh tests/t/*.t

check-asan:
	$(MAKE) BUILD=build-asan SAN=1 OPT='-O1 -g' all unit
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  OFFROOT_BUILD=build-asan OFFROOT_SANITIZED=1 prove -e '' $(UNIT_BINS:$(BUILD)/%=build-asan/%)
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  OFFROOT_BUILD=build-asan OFFROOT_SANITIZED=1 prove -e sh tests/t/*.t

# ThreadSanitizer on the job pool and batch signing (workers.c).
check-tsan:
	$(MAKE) BUILD=build-tsan CC=clang OPT='-O1 -g' CFLAGS=-fsanitize=thread \
	  LDFLAGS=-fsanitize=thread all build-tsan/tests/test-workers
	TSAN_OPTIONS=halt_on_error=1 prove -e '' build-tsan/tests/test-workers
	TSAN_OPTIONS=halt_on_error=1 OFFROOT_BUILD=build-tsan OFFROOT_SANITIZED=1 \
	  prove -e sh tests/t/20-sign.t

# libFuzzer targets: every parser of outside input.  FUZZ_RUNS=0 builds only.
FUZZ_RUNS ?= 0
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang SAN=fuzz OPT='-O1 -g' \
	  CFLAGS='-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer' \
	  LDFLAGS='-fsanitize=address,undefined' build-fuzz/liboffroot.a
	@mkdir -p build-fuzz/fuzz
	@set -e; for f in $(FUZZ_SRCS); do n=$$(basename $$f .c); \
	  clang $(CPPFLAGS) -std=c11 -g -O1 $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
	    $$f build-fuzz/liboffroot.a -o build-fuzz/fuzz/$$n $(PKG_LIBS); \
	  if [ "$(FUZZ_RUNS)" != 0 ]; then mkdir -p build-fuzz/corpus/$$n; \
	    seeds=tests/fuzz/seeds/$$n; [ -d $$seeds ] || seeds=; \
	    echo "fuzz: $$n ($(FUZZ_RUNS) runs)"; \
	    build-fuzz/fuzz/$$n -runs=$(FUZZ_RUNS) -max_len=65536 -rss_limit_mb=2048 \
	      build-fuzz/corpus/$$n $$seeds 2>build-fuzz/$$n.log \
	      || { tail -40 build-fuzz/$$n.log; exit 1; }; fi; done

bench: all
	OFFROOT_BUILD=$(BUILD) sh tests/bench/run

run: deps all
	sh tests/demo-run $(BUILD)/offroot

lint-man:
	mandoc -Tlint -W warning $(MANS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
	  $(DESTDIR)$(PREFIX)/share/offroot
	install -m 0755 $(BUILD)/offroot $(DESTDIR)$(PREFIX)/bin/offroot
	for m in $(MANS); do s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/; done
	cp -R ceremony-scripts $(DESTDIR)$(PREFIX)/share/offroot/
	chmod -R u=rwX,go=rX $(DESTDIR)$(PREFIX)/share/offroot

clean:
	rm -rf build build-asan build-fuzz build-tsan

# Shipping (dist/): the Debian package, the offline install set a USB
# stick carries to the ceremony laptop, and RELEASE.txt with the hashes
# the pre-flight check compares.  See README.md, "Installing on the
# ceremony laptop".
.PHONY: deb offline-set release
deb:
	sh dist/deb

offline-set: deb
	sh dist/offline-set

release: all deb
	sh dist/release $(BUILD)/offroot
