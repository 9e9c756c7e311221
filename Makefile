# offroot — GNU make build.  `make` builds build/offroot; `make check` installs
# what the tests need (Debian), builds, and runs every test, the suite again
# under ASan+UBSan, signing under TSan and every fuzz target, side by side
# (see "make check" below).  See README.md.

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

.PHONY: check-tsan all check check-fast check-asan check-parts unit fuzz fuzz-bins bench run \
	install deps clean lint-man crash-sweep
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

# ---- make check ---------------------------------------------------------
# The whole suite: the man pages linted, short runs of every libFuzzer
# target, the unit tests (TAP binaries) and integration tests (shell) on
# the hardened build, the same suite on the ASan+UBSan build, and batch
# signing under ThreadSanitizer.
#
# The four parts build into their own folders (build, build-asan,
# build-tsan, build-fuzz) and share nothing, so check runs them side by
# side, CHECK_JOBS at a time, each part's output shown whole when it ends
# (--output-sync); their compilers share make's job slots.  Within a part,
# prove runs JOBS test files at once: every test file works in its own
# temporary folder $T, with its own tmux server (tests/tui.sh sets
# TMUX_TMPDIR=$T), its own SoftHSM2 token folder and configuration, tmpfs
# mounts and mount namespaces of its own, and ports it finds free (25), so
# none shares state with another.  Most of a test's time is waiting (for
# Argon2id, a screen, etcd), so more files than cores pays.  The longest
# files start first (SLOW_TESTS), so that the short ones fill the gaps.
# SERIAL_TESTS run afterwards, one at a time: 85-ceremony.t takes a
# reference time an hour back and expects the clock record of a second
# ceremony run, seconds later, to say 3599..3601 s, which a loaded machine
# does not always give.
JOBS        ?= 4
CHECK_JOBS  ?= 2
SERIAL_TESTS := 85-ceremony
SLOW_TESTS  := 97-package 99-crash-slice 45-init-leftover 85-ceremony-resume \
	       89-tui-details 86-tui 49-recover 90-reproducible 88-tui-resume \
	       21-batch 87-tui-quorum 75-quorum 20-sign 76-quorum-ceremony \
	       10-init 25-kubernetes-etcd 73-tpm 78-reshare-crash 80-crl 81-revoke \
	       79-migrate
T_ALL       := $(sort $(wildcard tests/t/*.t))
T_SLOW      := $(filter $(SLOW_TESTS:%=tests/t/%.t),$(T_ALL))
T_SERIAL    := $(filter $(SERIAL_TESTS:%=tests/t/%.t),$(T_ALL))
T_FILES     := $(filter-out $(T_SERIAL), \
	       $(foreach t,$(SLOW_TESTS:%=tests/t/%.t),$(filter $(t),$(T_ALL))) \
	       $(filter-out $(T_SLOW),$(T_ALL)))
PROVE       := prove --timer --jobs $(JOBS)
# prove_sh ENV: the shell tests, the parallel ones, then the serial ones.
prove_sh     = $(1) $(PROVE) -e sh $(T_FILES) $(if $(T_SERIAL),&& $(1) prove -e sh $(T_SERIAL))
# Compiles -j2 when make was not given -j (a sub-make of a parallel make
# shares its parent's job slots instead).
PAR          = $(if $(filter -j% --jobserver%,$(MAKEFLAGS)),,-j2)
SAN_ENV     := ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 \
	       UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	       OFFROOT_BUILD=build-asan OFFROOT_SANITIZED=1

check: deps
	$(MAKE) lint-man
	$(MAKE) $(PAR) BUILD=$(BUILD) all unit
	$(MAKE) -j$(CHECK_JOBS) --output-sync=target BUILD=$(BUILD) \
	  FUZZ_RUNS=$${FUZZ_RUNS:-20000} check-parts

# The longest part first.
check-parts: check-asan check-fast fuzz check-tsan

check-fast: all unit
	OFFROOT_BUILD=$(BUILD) $(PROVE) -e '' $(UNIT_BINS)
	$(call prove_sh,OFFROOT_BUILD=$(BUILD))

check-asan:
	$(MAKE) $(PAR) BUILD=build-asan SAN=1 OPT='-O1 -g' all unit
	$(SAN_ENV) $(PROVE) -e '' $(UNIT_BINS:$(BUILD)/%=build-asan/%)
	$(call prove_sh,$(SAN_ENV))

# ThreadSanitizer on the job pool and batch signing (workers.c, 21-batch.t).
check-tsan:
	$(MAKE) $(PAR) BUILD=build-tsan CC=clang OPT='-O1 -g' CFLAGS=-fsanitize=thread \
	  LDFLAGS=-fsanitize=thread all build-tsan/tests/test-workers
	TSAN_OPTIONS=halt_on_error=1 prove -e '' build-tsan/tests/test-workers
	TSAN_OPTIONS=halt_on_error=1 OFFROOT_BUILD=build-tsan OFFROOT_SANITIZED=1 \
	  prove -e sh tests/t/21-batch.t

# libFuzzer targets: every parser of outside input, FUZZ_JOBS runs at a
# time (tests/fuzz/run-all), the slowest first.  FUZZ_RUNS=0 builds only.
FUZZ_RUNS   ?= 0
FUZZ_JOBS   ?= 2
FUZZ_NAMES  := $(FUZZ_SRCS:tests/fuzz/%.c=%)
FUZZ_ORDER  := $(filter fuzz-journal,$(FUZZ_NAMES)) $(filter-out fuzz-journal,$(FUZZ_NAMES))
FUZZ_BINS   := $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)
FUZZ_MAKE   := BUILD=build-fuzz CC=clang SAN=fuzz OPT='-O1 -g' \
	       CFLAGS='-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer' \
	       LDFLAGS='-fsanitize=address,undefined'
fuzz:
	$(MAKE) $(PAR) $(FUZZ_MAKE) fuzz-bins
	@if [ "$(FUZZ_RUNS)" != 0 ]; then \
	  sh tests/fuzz/run-all build-fuzz $(FUZZ_RUNS) $(FUZZ_JOBS) $(FUZZ_ORDER); fi

# (with BUILD=build-fuzz and the flags above)
fuzz-bins: $(FUZZ_BINS)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/liboffroot.a Makefile
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) -std=c11 -g -O1 $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
	  $(DEPFLAGS) -MF $@.d -MT $@ $< $(BUILD)/liboffroot.a -o $@ $(PKG_LIBS)

bench: all
	OFFROOT_BUILD=$(BUILD) sh tests/bench/run

# The whole crash sweep (issue 12, item 7): every writing command killed at
# each fsync, fdatasync, syncfs, rename and write call in turn, then the
# next run checked (tests/crash/sweep says how).  40 minutes on two busy
# cores; it runs niced, one point at a time.  make check runs a fixed
# slice of it, tests/t/99-crash-slice.t.  SWEEP_ARGS passes options
# (--scenarios sign,crl --stride 3 --keep DIR).
crash-sweep: all
	OFFROOT_BUILD=$(BUILD) nice prove -v -e '' tests/crash/sweep :: $(SWEEP_ARGS)

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
