# certslot: one non-recursive Makefile (GNU make).
#
#   make                  host libraries, build/certslot, host unit tests
#   CROSS_COMPILE=arm-linux-gnueabihf- make
#                         the libraries for that compiler, in build/arm/
#   make deps             install build/test packages, build the ARM sysroot
#   make test             unit tests (host, asan, arm under qemu) + CLI tests + the install test + fuzz + threads
#                         under DRD + make docs
#   make test-host | test-asan | test-arm | test-cli | test-install | test-fuzz | test-threads | valgrind
#   make qemu-image       the system image (build/qemu/): Debian's armmp kernel, busybox, the ARM tests
#   make test-system      boots it under qemu-system-arm: ARM suites, the store on ext4, power cuts
#                         (not part of make test: .ci/run runs it after)
#   make power-cut CYCLES=N [SEED=S] [BROKEN=1]   N power cuts of the image, "S/N survived"
#   make fuzz | bench | demo | install | docs | clean
#
# Sources are found by wildcard, so adding a .c file needs no edit here:
#   firmware/src/*/*.c port/$(PORT)/*.c -> libcertslot.a
#   hal/$(HAL)/*.c                -> libcertslot-hal-$(HAL).a (none with HAL=none: the application brings its own)
#   hal/sim/*.c                   -> libcertslot_sim.a (test doubles)
#   tools/certslot/pkcs12.c       -> libcertslot_tool.a (library code only the tool uses)
#   tools/certslot/*.c            -> build/certslot
#   tests/unit/test_*.c (+ tests/common/*.c) -> one cmocka program each
#   tests/min/test_*.c            -> built against the min variant (every feature off)
#   tests/nowrap/test_*.c         -> host programs linked without the parse wrap
#   tests/cli/*.sh                -> shell tests of build/certslot
#   tests/fuzz/fuzz_*.c           -> libFuzzer harnesses (make fuzz)
#   tests/bench/bench_*.c         -> benchmarks (make bench)
#   tests/system/powercut.c       -> build/arm/system/powercut (+ -broken), in the system image
#   tools/gen_builtin.c + BUILTIN_BUNDLE -> build/gen/builtin_roots.inc
#                                    (the built-in CA list; a host program)

SHELL := /bin/bash
.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

BUILD   := build
PREFIX  ?= /usr/local
DESTDIR ?=
PORT    ?= posix
# The hal built beside the firmware library (hal/$(HAL)/ -> libcertslot-hal-$(HAL).a): linux, an OEM's own folder,
# or none (the application links its own certslot_hal_t). The tool and the tests need linux.
HAL     ?= linux
# The PEM bundle the built-in CA list is generated from.
BUILTIN_BUNDLE ?= /etc/ssl/certs/ca-certificates.crt

ifeq ($(origin CC),default)
CC := gcc
endif
ifeq ($(origin AR),default)
AR := ar
endif
CLANG ?= clang

# ---------------------------------------------------------------- flags ---
WARNINGS := -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -Wall -Wextra -Werror -Wshadow \
            -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wvla -Wundef -Wcast-align
# mbedTLS 3.6: Debian 13's source (tools/deps.sh fetches it), built by tools/build-mbedtls.sh with the project's
# configuration header; every certslot file is compiled with the same header, so both agree on every structure.
MBEDTLS_SRC    := $(BUILD)/mbedtls-src
MBEDTLS_CONFIG := firmware/mbedtls/certslot_mbedtls_config.h
MBEDTLS_CPP    := -DMBEDTLS_CONFIG_FILE='"certslot_mbedtls_config.h"' -I$(CURDIR)/firmware/mbedtls
INCLUDES := -Ifirmware/include -Ifirmware/src -Ihal/include -Iport/include -Itests/common -Itools/certslot \
            -I$(BUILD)/gen $(MBEDTLS_CPP) -isystem $(MBEDTLS_SRC)/include
DEPFLAGS := -MMD -MP
# CFLAGS, CPPFLAGS, LDFLAGS given on the command line are added last.
CFLAGS   ?=
CPPFLAGS ?=
LDFLAGS  ?=

# The libraries of one mbedTLS build (host or arm), in link order.
mbed_libs = $(addprefix $(BUILD)/mbedtls/$(1)/,libmbedtls.a libmbedx509.a libmbedcrypto.a)
HOST_LIBS := $(call mbed_libs,host) -lexpat
SANITIZE  := -fsanitize=address,undefined -fno-sanitize-recover=all

# ARM: the compiler is $(CROSS_COMPILE)gcc, arm-linux-gnueabihf-gcc by default.
ARM_CROSS   := $(if $(CROSS_COMPILE),$(CROSS_COMPILE),arm-linux-gnueabihf-)
ARM_OPT     ?= -Os -mthumb -g
ARM_SYSROOT ?= $(BUILD)/arm-sysroot
ARM_LIBDIR  := $(ARM_SYSROOT)/usr/lib/arm-linux-gnueabihf
# Built by tools/deps.sh only when ARM_SYSROOT is ours (not a team's own).
ARM_STAMP   := $(if $(filter $(BUILD)/arm-sysroot,$(ARM_SYSROOT)),$(BUILD)/arm-sysroot/.stamp)
QEMU_ARM    ?= qemu-arm
QEMU_PREFIX ?= /usr/arm-linux-gnueabihf

# Every program linked with libcertslot.a: mbedTLS's TLS layer parses the peer's certificates through
# certslot_cert_parse_der (store/cert_ext.c), past critical extensions certslot itself processes or refuses, and
# reads a server's DHE group through core/tls_lib.c, which bounds its size.
WRAP_PARSE := -Wl,--wrap=mbedtls_x509_crt_parse_der
WRAP_DHM   := -Wl,--wrap=mbedtls_dhm_read_params
WRAP       := $(WRAP_PARSE) $(WRAP_DHM)

#          compiler            ar               compile flags                     link flags          libs
CC_host := $(CC)
AR_host := $(AR)
CF_host := -O2 -g
LF_host := $(WRAP)
LB_host := $(HOST_LIBS)

CC_asan := $(CC)
AR_asan := $(AR)
CF_asan := -O1 -g $(SANITIZE) -fno-omit-frame-pointer
LF_asan := $(WRAP) $(SANITIZE)
LB_asan := $(HOST_LIBS)

CC_arm  := $(ARM_CROSS)gcc
AR_arm  := $(ARM_CROSS)ar
CF_arm  := $(ARM_OPT) -isystem $(ARM_SYSROOT)/usr/include \
           -isystem $(ARM_SYSROOT)/usr/include/arm-linux-gnueabihf
LF_arm  := $(WRAP) -L$(ARM_LIBDIR)
LB_arm  := $(call mbed_libs,arm) $(ARM_LIBDIR)/libexpat.a

# The library with every feature switch of certslot/options.h off: built by make test, so that a firmware team's
# smallest build keeps compiling.
FEATURES_OFF := -DCERTSLOT_WITH_FTP=0 -DCERTSLOT_WITH_TFTP=0 -DCERTSLOT_WITH_CONFIG_ENCRYPTION=0 \
                -DCERTSLOT_WITH_CSR=0 -DCERTSLOT_WITH_DOT1X=0 -DCERTSLOT_WITH_SYSLOG=0
CC_min  := $(CC)
AR_min  := $(AR)
CF_min  := -Os -g $(FEATURES_OFF)
LF_min  := $(WRAP)
LB_min  := $(HOST_LIBS)

# libFuzzer build: clang, sanitizers, the harness provides LLVMFuzzerTestOneInput.
CC_fuzz := $(CLANG)
AR_fuzz := $(AR)
CF_fuzz := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
           -DCERTSLOT_FUZZING
LF_fuzz := $(WRAP) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
LB_fuzz := $(HOST_LIBS)

# -------------------------------------------------------------- sources ---
LIB_SRCS    := $(sort $(wildcard firmware/src/*/*.c port/$(PORT)/*.c))
HAL_SRCS    := $(sort $(wildcard hal/$(HAL)/*.c))
# Library code only the host tool uses (the PKCS#12 reader); its tests and fuzz harness link it too.
TLIB_SRCS   := tools/certslot/pkcs12.c
SIM_SRCS    := $(sort $(wildcard hal/sim/*.c))
TOOL_SRCS   := $(filter-out $(TLIB_SRCS),$(sort $(wildcard tools/certslot/*.c)))
COMMON_SRCS := $(sort $(wildcard tests/common/*.c))
TEST_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
CLI_TESTS   := $(sort $(wildcard tests/cli/*.sh))
FUZZ_SRCS   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRCS  := $(sort $(wildcard tests/bench/bench_*.c))
HEADERS     := $(sort $(wildcard firmware/include/certslot/*.h))

TOOL    := $(BUILD)/certslot
# Nothing to link until tools/certslot/ has sources.
TOOL_BIN      := $(if $(TOOL_SRCS),$(TOOL))
ASAN_TOOL_BIN := $(if $(TOOL_SRCS),$(BUILD)/asan/certslot)
RESULTS := $(BUILD)/results
TESTDATA := $(CURDIR)/tests/data

# `make deps` runs first (order-only) when a goal that needs the packages is
# asked for; a plain `make` never touches apt.
NEEDS_DEPS := $(filter deps test test-% valgrind demo fuzz bench docs qemu-image power-cut,$(MAKECMDGOALS))
DEPS_FIRST := $(if $(NEEDS_DEPS),deps)

# ------------------------------------------------------------- variants ---
# $(call variant,NAME): objects, libcertslot.a, libcertslot_sim.a, tests.
define variant
$(1)_LIB_OBJS    := $$(patsubst %.c,$(BUILD)/$(1)/obj/%.o,$$(LIB_SRCS))
$(1)_HAL_OBJS    := $$(patsubst %.c,$(BUILD)/$(1)/obj/%.o,$$(HAL_SRCS))
$(1)_SIM_OBJS    := $$(patsubst %.c,$(BUILD)/$(1)/obj/%.o,$$(SIM_SRCS))
$(1)_TLIB_OBJS   := $$(patsubst %.c,$(BUILD)/$(1)/obj/%.o,$$(TLIB_SRCS))
$(1)_COMMON_OBJS := $$(patsubst %.c,$(BUILD)/$(1)/obj/%.o,$$(COMMON_SRCS))
$(1)_TOOL_OBJS   := $$(patsubst %.c,$(BUILD)/$(1)/obj/%.o,$$(TOOL_SRCS))
$(1)_LIB         := $(BUILD)/$(1)/libcertslot.a
$(1)_HAL         := $$(if $$(HAL_SRCS),$(BUILD)/$(1)/libcertslot-hal-$(HAL).a)
$(1)_SIM         := $$(if $$(SIM_SRCS),$(BUILD)/$(1)/libcertslot_sim.a) $(BUILD)/$(1)/libcertslot_tool.a
$(1)_TESTS       := $$(patsubst tests/unit/%.c,$(BUILD)/$(1)/tests/%,$$(TEST_SRCS))
$(1)_ORDER       := $$(DEPS_FIRST) $$(if $$(filter arm fp,$(1)),$$(ARM_STAMP))
$(1)_LINKLIBS    := -Wl,--start-group $$($(1)_SIM) $$($(1)_HAL) $$($(1)_LIB) -Wl,--end-group $$(LB_$(1))
$(1)_MBED        := $$(filter $(BUILD)/mbedtls/%,$$(LB_$(1)))

# (A new mbedTLS source or configuration header rebuilds everything: mbedTLS's headers are system headers, so the
# dependency files name neither them nor the configuration they include, which sets the size of mbedTLS's
# structures. So do new compile flags, through $(BUILD)/$(1)/flags.)
$(BUILD)/$(1)/obj/%.o: %.c $(MBEDTLS_SRC)/.stamp $(MBEDTLS_CONFIG) $(BUILD)/$(1)/flags | $$($(1)_ORDER)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(WARNINGS) $$(CF_$(1)) $$(INCLUDES) $$(DEPFLAGS) $$(CPPFLAGS) $$(CFLAGS) -c $$< -o $$@

$$($(1)_LIB): $$($(1)_LIB_OBJS)
	@mkdir -p $$(@D)
	rm -f $$@ && $$(AR_$(1)) rcs $$@ $$^

$(BUILD)/$(1)/libcertslot-hal-$(HAL).a: $$($(1)_HAL_OBJS)
	@mkdir -p $$(@D)
	rm -f $$@ && $$(AR_$(1)) rcs $$@ $$^

$(BUILD)/$(1)/libcertslot_sim.a: $$($(1)_SIM_OBJS)
	@mkdir -p $$(@D)
	rm -f $$@ && $$(AR_$(1)) rcs $$@ $$^

$(BUILD)/$(1)/libcertslot_tool.a: $$($(1)_TLIB_OBJS)
	@mkdir -p $$(@D)
	rm -f $$@ && $$(AR_$(1)) rcs $$@ $$^

$(BUILD)/$(1)/tests/%: $(BUILD)/$(1)/obj/tests/unit/%.o $$($(1)_COMMON_OBJS) $$($(1)_SIM) $$($(1)_HAL) $$($(1)_LIB) \
                      $$($(1)_MBED)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(LF_$(1)) $$(LDFLAGS) -o $$@ $$< $$($(1)_COMMON_OBJS) $$($(1)_LINKLIBS) -lcmocka

ALL_OBJS += $$($(1)_LIB_OBJS) $$($(1)_HAL_OBJS) $$($(1)_SIM_OBJS) $$($(1)_TLIB_OBJS) $$($(1)_COMMON_OBJS) $$($(1)_TOOL_OBJS) \
            $$(patsubst %.c,$(BUILD)/$(1)/obj/%.o,$$(TEST_SRCS) $$(FUZZ_SRCS) $$(BENCH_SRCS) tools/handset/handset.c)
endef

# make bench's footprint build: the ARM build with every function and datum in its own section, so that a link with
# --gc-sections keeps what a handset's calls reach and nothing else (tools/footprint.sh).
CC_fp := $(CC_arm)
AR_fp := $(AR_arm)
CF_fp := $(CF_arm) -ffunction-sections -fdata-sections
LF_fp := $(LF_arm)
LB_fp := $(LB_arm)

$(foreach v,host asan arm fuzz min fp,$(eval $(call variant,$(v))))

# Each variant's compile command, in $(BUILD)/<v>/flags, rewritten (while the Makefile is read, and not by
# make -n) only when it changes: the variant's objects depend on it, so a new CF_<v>, ARM_OPT, CPPFLAGS or
# CFLAGS recompiles them instead of linking objects built with the old flags. Not a FORCE rule, like
# BUILTIN_SETTING below.
variant_flags = $(strip $(CC_$(1)) $(WARNINGS) $(CF_$(1)) $(INCLUDES) $(CPPFLAGS) $(CFLAGS))
differ = $(subst x$(1),,x$(2))$(subst x$(2),,x$(1))
$(if $(findstring n,$(firstword -$(MAKEFLAGS))),,$(foreach v,host asan arm fuzz min fp,\
    $(if $(call differ,$(call variant_flags,$(v)),$(file <$(BUILD)/$(v)/flags)),\
        $(shell mkdir -p $(BUILD)/$(v))$(file >$(BUILD)/$(v)/flags,$(call variant_flags,$(v))))))

# The host tool, and an instrumented copy for the asan tests.
$(TOOL): $(host_TOOL_OBJS) $(host_LIB) $(host_HAL) $(host_SIM) $(host_MBED)
	$(CC_host) $(LF_host) $(LDFLAGS) -o $@ $(host_TOOL_OBJS) $(host_LINKLIBS)

$(BUILD)/asan/certslot: $(asan_TOOL_OBJS) $(asan_LIB) $(asan_HAL) $(asan_SIM) $(asan_MBED)
	$(CC_asan) $(LF_asan) $(LDFLAGS) -o $@ $(asan_TOOL_OBJS) $(asan_LINKLIBS)

FUZZERS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/obj/tests/fuzz/fuzz_%.o $(fuzz_SIM) $(fuzz_HAL) $(fuzz_LIB) $(fuzz_MBED)
	$(CC_fuzz) $(LF_fuzz) $(LDFLAGS) -o $@ $< $(fuzz_LINKLIBS)

BENCHES := $(patsubst tests/bench/%.c,$(BUILD)/host/bench/%,$(BENCH_SRCS))
BENCH_COMMON := $(BUILD)/host/obj/tests/common/sserver.o
$(BUILD)/host/bench/%: $(BUILD)/host/obj/tests/bench/%.o $(BENCH_COMMON) $(host_SIM) $(host_HAL) $(host_LIB) $(host_MBED)
	@mkdir -p $(@D)
	$(CC_host) $(LF_host) $(LDFLAGS) -o $@ $< $(BENCH_OBJS_$*) $(BENCH_COMMON) $(host_LINKLIBS)


-include $(ALL_OBJS:.o=.d)

# -------------------------------------------------------------- mbedTLS ---
# Two builds of the library: host (every host variant links it: host, asan, min, fuzz, bench, the tool) and arm.
# Rebuilt when the source (a new pin), the configuration or the script changes.
MBCC_host := $(CC)
MBCF_host := -O2 -g
MBCC_arm  := $(ARM_CROSS)gcc
MBCF_arm  := $(ARM_OPT)
MBAR_host := $(AR)
MBAR_arm  := $(ARM_CROSS)ar
$(foreach b,host arm,$(eval $(call mbed_libs,$(b)) &: $(MBEDTLS_SRC)/.stamp $(MBEDTLS_CONFIG) tools/build-mbedtls.sh ; \
	tools/build-mbedtls.sh $(MBEDTLS_SRC) $(BUILD)/mbedtls/$(b) $(MBCC_$(b)) $(MBAR_$(b)) $(MBCF_$(b)) $(MBEDTLS_CPP)))

# For make bench: the ARM library as a firmware links it (the configuration's firmware part alone).
$(BUILD)/mbedtls/arm-fw/.built: $(MBEDTLS_SRC)/.stamp $(MBEDTLS_CONFIG) tools/build-mbedtls.sh
	tools/build-mbedtls.sh $(MBEDTLS_SRC) $(@D) $(MBCC_arm) $(MBAR_arm) $(MBCF_arm) -DCERTSLOT_MBEDTLS_FIRMWARE_ONLY \
	    $(MBEDTLS_CPP)

$(MBEDTLS_SRC)/.stamp: | $(DEPS_FIRST)
	tools/deps.sh --mbedtls-only

# ------------------------------------------------------ built-in CA list ---
# tools/gen_builtin, always built for the host (also in the arm and asan
# builds), turns the PEM bundle into the data firmware/src/builtin.c includes.
# A firmware team may point BUILTIN_BUNDLE at its own bundle; the data is
# regenerated when the file or the setting changes.
HOSTCC         ?= gcc
GEN_TOOL       := $(BUILD)/gen-tools/gen_builtin
BUILTIN_INC    := $(BUILD)/gen/builtin_roots.inc

$(GEN_TOOL): tools/gen_builtin.c $(call mbed_libs,host) | $(DEPS_FIRST)
	@mkdir -p $(@D)
	$(HOSTCC) $(WARNINGS) $(MBEDTLS_CPP) -isystem $(MBEDTLS_SRC)/include -O2 -g -o $@ $< $(call mbed_libs,host)

# Holds the BUILTIN_BUNDLE setting, rewritten (while the Makefile is read)
# only when the setting changes. Not a FORCE rule: `make -q` stays truthful.
BUILTIN_SETTING := $(BUILD)/gen/builtin-bundle.txt
$(shell mkdir -p $(BUILD)/gen && { [ "$$(cat $(BUILTIN_SETTING) 2>/dev/null)" = '$(BUILTIN_BUNDLE)' ] || \
	echo '$(BUILTIN_BUNDLE)' > $(BUILTIN_SETTING); })

# A missing bundle is reported by gen_builtin itself (after `make deps`).
$(BUILTIN_BUNDLE): | $(DEPS_FIRST)

$(BUILTIN_INC): $(GEN_TOOL) $(BUILTIN_BUNDLE) $(BUILTIN_SETTING)
	$(GEN_TOOL) $(BUILTIN_BUNDLE) > $@.tmp || { rm -f $@.tmp; exit 1; }; mv $@.tmp $@

$(foreach v,host asan arm fuzz min fp,$(BUILD)/$(v)/obj/firmware/src/verify/builtin.o): $(BUILTIN_INC)

# ------------------------------------------------------------ lwIP port ---
# port/lwip/*.c and tests/lwip/test_*.c compile against lwIP's headers (Debian's
# liblwip-dev: its unix port and lwipopts.h, the same the prebuilt liblwip was
# built with; an OEM points LWIP_INC_* at its own). Per variant (host, asan,
# arm), $(BUILD)/<v>/lwip/libcertslot.a is the variant's firmware objects plus
# port/lwip, and each tests/lwip/test_X.c links with it and liblwip into
# $(BUILD)/<v>/tests/test_X, run by `make test` like the unit tests.
# `make PORT=lwip lib` (or CROSS_COMPILE=... make PORT=lwip) puts port/lwip
# into the main library instead of port/posix.
LWIP_PORT_SRCS := $(sort $(wildcard port/lwip/*.c))
LWIP_TEST_SRCS := $(sort $(wildcard tests/lwip/test_*.c))
LWIP_INC_host  ?= -isystem /usr/include/lwip
LWIP_INC_asan  ?= $(LWIP_INC_host)
LWIP_INC_arm   ?= -isystem $(ARM_SYSROOT)/usr/include/lwip
LWIP_LIBS      ?= -llwip -lpthread

define lwip_variant
$(1)_LWIP_LIB   := $(BUILD)/$(1)/lwip/libcertslot.a
$(1)_LWIP_OBJS  := $$(filter $(BUILD)/$(1)/obj/firmware/%,$$($(1)_LIB_OBJS)) \
                   $$(patsubst %.c,$(BUILD)/$(1)/obj/%.o,$$(LWIP_PORT_SRCS))
$(1)_LWIP_TESTS := $$(patsubst tests/lwip/%.c,$(BUILD)/$(1)/tests/%,$$(LWIP_TEST_SRCS))

$(BUILD)/$(1)/obj/port/lwip/%.o $(BUILD)/$(1)/obj/tests/lwip/%.o: INCLUDES += $$(LWIP_INC_$(1))

$$($(1)_LWIP_LIB): $$($(1)_LWIP_OBJS)
	@mkdir -p $$(@D)
	rm -f $$@ && $$(AR_$(1)) rcs $$@ $$^

# The lwIP library has no hal/linux: its tests link the common helpers without tu_linux.o.
$(1)_LWIP_COMMON := $$(filter-out %/tu_linux.o,$$($(1)_COMMON_OBJS))

$$($(1)_LWIP_TESTS): $(BUILD)/$(1)/tests/%: $(BUILD)/$(1)/obj/tests/lwip/%.o $$($(1)_LWIP_COMMON) $$($(1)_SIM) \
                     $$($(1)_LWIP_LIB) $$($(1)_MBED)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(LF_$(1)) $$(LDFLAGS) -o $$@ $$< $$($(1)_LWIP_COMMON) \
	    -Wl,--start-group $$($(1)_SIM) $$($(1)_LWIP_LIB) -Wl,--end-group $$(LB_$(1)) $$(LWIP_LIBS) -lcmocka

$(1)_TESTS += $$($(1)_LWIP_TESTS)
LWIP_OBJS  += $$(patsubst %.c,$(BUILD)/$(1)/obj/%.o,$$(LWIP_PORT_SRCS) $$(LWIP_TEST_SRCS))
endef

$(foreach v,host asan arm,$(eval $(call lwip_variant,$(v))))
-include $(LWIP_OBJS:.o=.d)

# ---------------------------------------------------------------- build ---
.PHONY: all lib host-all asan-all arm-all cli-all min-all
ifneq ($(CROSS_COMPILE),)
# A firmware build: the library for $(CROSS_COMPILE)gcc only, no host tool.
all: $(arm_LIB) $(arm_HAL) $(arm_SIM)
lib: $(arm_LIB) $(arm_HAL)
else
all: host-all
lib: $(host_LIB) $(host_HAL)
endif
.DEFAULT_GOAL := all

# tests/nowrap/test_*.c: the host build linked without $(WRAP), as by an integrator who left it out (below); run
# with the host tests.
NOWRAP_TESTS := $(patsubst tests/nowrap/%.c,$(BUILD)/host/nowrap/%,$(sort $(wildcard tests/nowrap/test_*.c)))
host-all: $(host_LIB) $(host_HAL) $(host_SIM) $(TOOL_BIN) $(host_TESTS) $(NOWRAP_TESTS)
asan-all: $(asan_LIB) $(asan_HAL) $(asan_SIM) $(ASAN_TOOL_BIN) $(asan_TESTS)
arm-all:  $(arm_LIB) $(arm_HAL) $(arm_SIM) $(arm_TESTS)
cli-all:  $(TOOL_BIN) $(if $(TOOL_SRCS),$(BUILD)/host/handset)
# tests/min/test_*.c: built against the min variant (every feature off), run by make test with the host tests.
MIN_TESTS := $(patsubst tests/min/%.c,$(BUILD)/min/tests/%,$(sort $(wildcard tests/min/test_*.c)))
$(BUILD)/min/tests/%: $(BUILD)/min/obj/tests/min/%.o $(min_COMMON_OBJS) $(min_SIM) $(min_HAL) $(min_LIB) $(min_MBED)
	@mkdir -p $(@D)
	$(CC_min) $(LF_min) $(LDFLAGS) -o $@ $< $(min_COMMON_OBJS) $(min_LINKLIBS) -lcmocka
-include $(patsubst tests/min/%.c,$(BUILD)/min/obj/tests/min/%.d,$(wildcard tests/min/test_*.c))
min-all:  $(min_LIB) $(min_HAL) $(MIN_TESTS)
# The nowrap tests: linked without $(WRAP_PARSE) (without $(WRAP_DHM) the link fails).
$(BUILD)/host/nowrap/%: $(BUILD)/host/obj/tests/nowrap/%.o $(host_COMMON_OBJS) $(host_SIM) $(host_HAL) $(host_LIB) \
                        $(host_MBED)
	@mkdir -p $(@D)
	$(CC_host) $(WRAP_DHM) $(LDFLAGS) -o $@ $< $(host_COMMON_OBJS) $(host_LINKLIBS) -lcmocka
-include $(patsubst tests/nowrap/%.c,$(BUILD)/host/obj/tests/nowrap/%.d,$(wildcard tests/nowrap/test_*.c))

.PHONY: deps
deps:
	ARM_SYSROOT=$(CURDIR)/$(BUILD)/arm-sysroot tools/deps.sh

$(BUILD)/arm-sysroot/.stamp: | $(DEPS_FIRST)
	ARM_SYSROOT=$(CURDIR)/$(BUILD)/arm-sysroot tools/deps.sh --sysroot-only

# ---------------------------------------------------------------- tests ---
# Each variant: build what it needs with -k (a build failure fails the tests
# that did not build, not the whole run), then run every program.
RUN := tools/run-tests.sh
# The test PKI: keys and certificates made with OpenSSL at test time, never committed.
TESTPKI := $(BUILD)/testpki
$(TESTPKI)/.done: tests/pki/make-pki.sh tests/pki/make-rfc5280.sh | $(DEPS_FIRST)
	rm -rf $(TESTPKI) && tests/pki/make-pki.sh $(TESTPKI)

TEST_ENV := CERTSLOT_TESTDATA=$(TESTDATA) CERTSLOT_BUILTIN_BUNDLE=$(abspath $(BUILTIN_BUNDLE)) \
	CERTSLOT_TESTPKI=$(CURDIR)/$(TESTPKI)
RUN_host = $(TEST_ENV) CERTSLOT_TOOL=$(CURDIR)/$(TOOL) \
	$(RUN) $$stale host $(RESULTS)/host.txt $(host_TESTS) $(MIN_TESTS) $(NOWRAP_TESTS)
RUN_asan = $(TEST_ENV) CERTSLOT_TOOL=$(CURDIR)/$(BUILD)/asan/certslot \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:$(ASAN_OPTIONS) \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:$(UBSAN_OPTIONS) \
	$(RUN) $$stale asan $(RESULTS)/asan.txt $(asan_TESTS)
RUN_arm = $(TEST_ENV) CERTSLOT_TOOL=$(CURDIR)/$(TOOL) \
	$(RUN) $$stale --wrap "$(QEMU_ARM) -L $(QEMU_PREFIX) -E LD_LIBRARY_PATH=$(CURDIR)/$(ARM_LIBDIR)" \
	arm $(RESULTS)/arm.txt $(arm_TESTS)
RUN_cli = $(TEST_ENV) CERTSLOT_TOOL=$(CURDIR)/$(TOOL) \
	$(RUN) $$stale cli $(RESULTS)/cli.txt $(CLI_TESTS)
# tests/install/install.sh runs make install itself (host and ARM) into its own temporary trees.
RUN_install = $(TEST_ENV) CERTSLOT_TOOL=$(CURDIR)/$(TOOL) \
	$(RUN) $$stale install $(RESULTS)/install.txt tests/install/install.sh
RUN_fuzz = $(TEST_ENV) FUZZ_SECONDS=$(FUZZ_BRIEF) \
	$(RUN) $$stale --wrap tools/fuzz-run.sh fuzz $(RESULTS)/fuzz.txt $(FUZZERS)
# Threads at once (tests/unit/test_threads.c) under valgrind's DRD: an access to shared state that nothing orders (a
# lock, a join, call_once) fails it.
RUN_threads = $(TEST_ENV) $(RUN) $$stale --wrap "valgrind -q --tool=drd --error-exitcode=1" \
	threads $(RESULTS)/threads.txt $(BUILD)/host/tests/test_threads
RUN_valgrind = $(TEST_ENV) CERTSLOT_TOOL=$(CURDIR)/$(TOOL) \
	$(RUN) $$stale --wrap "valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite" \
	valgrind $(RESULTS)/valgrind.txt $(host_TESTS)

# $(call run_tests,BUILD-GOALS,VARIANTS): build, run, print the summary last.
# ('+': the sub-make shares the jobserver; the line also runs under make -n.)
define run_tests
	+@build_rc=0; $(MAKE) --no-print-directory -k $(1) || build_rc=1; \
	stale=; [ $$build_rc -eq 0 ] || stale=--stale-check; \
	rm -f $(foreach v,$(2),$(RESULTS)/$(v).txt); rc=0; \
	$(foreach v,$(2),$(RUN_$(v)) || rc=1;) \
	if [ $$build_rc -ne 0 ]; then echo "BUILD FAILED: see the compiler errors above"; rc=1; fi; \
	$(RUN) --summary $(foreach v,$(2),$(RESULTS)/$(v).txt) || rc=1; \
	exit $$rc
endef

# make test runs every fuzz harness this many seconds over its corpus.
FUZZ_BRIEF ?= 3

.PHONY: test test-host test-asan test-arm test-cli test-install test-fuzz test-threads valgrind
# Test goals given together (make -j2 test-host test-cli) run one after the other, in the order given: each
# recipe starts a make of its own over shared targets, and two at once relinked a program while the other ran it.
serial_goals = $(if $(word 2,$(1)),$(eval $(word 2,$(1)): | $(word 1,$(1)))$(call serial_goals,$(wordlist 2,$(words $(1)),$(1))))
$(call serial_goals,$(filter test test-% valgrind bench demo,$(MAKECMDGOALS)))
# What tests/install/install.sh installs: both libraries and mbedTLS, host and ARM, and the tool.
INSTALL_ALL := $(host_LIB) $(host_HAL) $(host_MBED) $(TOOL_BIN) $(arm_LIB) $(arm_HAL) $(arm_MBED)
test: deps
	$(call run_tests,host-all asan-all arm-all cli-all fuzz-all min-all docs $(TESTPKI)/.done,host asan arm cli install fuzz threads)
test-host: deps
	$(call run_tests,host-all min-all $(TESTPKI)/.done,host)
test-asan: deps
	$(call run_tests,asan-all $(TESTPKI)/.done,asan)
test-arm: deps
	$(call run_tests,arm-all $(TOOL_BIN) $(TESTPKI)/.done,arm)
test-cli: deps
	$(call run_tests,cli-all $(TESTPKI)/.done,cli)
test-install: deps
	$(call run_tests,$(INSTALL_ALL) $(TESTPKI)/.done,install)
test-fuzz: deps
	$(call run_tests,fuzz-all $(TESTPKI)/.done,fuzz)
test-threads: deps
	$(call run_tests,$(BUILD)/host/tests/test_threads $(TESTPKI)/.done,threads)
valgrind: deps
	$(call run_tests,host-all $(TESTPKI)/.done,valgrind)

# ------------------------------------------------------ fuzz, bench, demo ---
FUZZ_SECONDS ?= 60
.PHONY: fuzz fuzz-all bench demo
fuzz-all: $(FUZZERS)
# Each harness FUZZ_SECONDS over its corpus; fails on a crash, leak or timeout.
fuzz: deps $(TESTPKI)/.done
	@$(MAKE) --no-print-directory $(FUZZERS)
	@rc=0; for f in $(FUZZERS); do \
	  echo "=== fuzz $${f##*/} for $(FUZZ_SECONDS)s"; \
	  $(TEST_ENV) FUZZ_SECONDS=$(FUZZ_SECONDS) tools/fuzz-run.sh $$f || rc=1; \
	done; exit $$rc

# tools/bench.sh runs them under callgrind and writes the table to $(BUILD)/bench.md.
# bench_anchors verifies a real chain: the test PKI's intermediate under its root, which is added to the CA bundle
# the baseline parses and to a built-in list generated from that same bundle (linked ahead of the library's).
BENCH_GEN    := $(BUILD)/bench/gen
BENCH_BUNDLE := $(BENCH_GEN)/bundle.pem
$(BENCH_BUNDLE): $(BUILTIN_BUNDLE) $(TESTPKI)/.done
	@mkdir -p $(@D)
	cat $(TESTPKI)/root-rsa.crt $(BUILTIN_BUNDLE) > $@
$(BENCH_GEN)/builtin_roots.inc: $(GEN_TOOL) $(BENCH_BUNDLE)
	$(GEN_TOOL) $(BENCH_BUNDLE) > $@.tmp || { rm -f $@.tmp; exit 1; }; mv $@.tmp $@
$(BENCH_GEN)/builtin.o: firmware/src/verify/builtin.c $(BENCH_GEN)/builtin_roots.inc $(MBEDTLS_CONFIG)
	$(CC_host) $(WARNINGS) $(CF_host) -I$(BENCH_GEN) $(INCLUDES) $(CPPFLAGS) $(CFLAGS) -c $< -o $@
BENCH_OBJS_bench_anchors := $(BENCH_GEN)/builtin.o
$(BUILD)/host/bench/bench_anchors: $(BENCH_GEN)/builtin.o

bench: deps
	@$(MAKE) --no-print-directory $(BENCHES) $(fp_LIB) $(fp_HAL) $(BUILD)/mbedtls/arm-fw/.built $(TESTPKI)/.done \
	    $(BENCH_BUNDLE)
	@$(TEST_ENV) BUILD=$(BUILD) BENCH_BUNDLE=$(BENCH_BUNDLE) FP_LIB=$(fp_LIB) FP_HAL=$(fp_HAL) \
	    FP_CC='$(subst ','\'',$(CC_fp) $(WARNINGS) $(CF_fp) $(INCLUDES) $(CPPFLAGS) $(CFLAGS))' ARM_CC=$(CC_arm) \
	    ARM_NM=$(ARM_CROSS)nm \
	    ARM_SIZE=$(ARM_CROSS)size ARM_MBEDTLS=$(BUILD)/mbedtls/arm-fw ARM_LIBDIR=$(ARM_LIBDIR) tools/bench.sh

# The simulated handset (tools/handset/): the firmware library's main job, as
# a program. make demo runs the ARM build under qemu-arm (tools/demo.sh).
$(BUILD)/%/handset: $(BUILD)/%/obj/tools/handset/handset.o $(BUILD)/%/libcertslot.a $(BUILD)/%/libcertslot_sim.a \
                    $(BUILD)/%/libcertslot_tool.a
	$(CC_$*) $(LF_$*) $(LDFLAGS) -o $@ $< $($*_LINKLIBS)
$(BUILD)/host/handset: $(host_HAL) $(host_MBED)
$(BUILD)/arm/handset: $(arm_HAL) $(arm_MBED)

demo: deps $(TESTPKI)/.done
	@$(MAKE) --no-print-directory $(TOOL) $(BUILD)/arm/handset
	@tools/demo.sh $(TOOL) $(BUILD)/arm/handset $(QEMU_ARM) -L $(QEMU_PREFIX) \
	    -E LD_LIBRARY_PATH=$(CURDIR)/$(ARM_LIBDIR)

# --------------------------------------------------------- system image ---
# make qemu-image (tools/qemu-image.sh): build/qemu/, a bootable armhf system for qemu-system-arm -M virt made
# of Debian's armmp kernel and its modules and busybox-static (unpacked into build/arm-guest/ by make deps), the
# init (tests/system/init), the ARM unit test programs that need no network, tests/system/powercut on hal/linux
# (and a copy on a deliberately broken hal, the test's proof), the test data, and a blank ext4 disk for the store.
# make test-system boots it (tests/system/test-system.sh); make power-cut CYCLES=N kills it N times mid-update
# (tests/system/power-cut.sh). Every boot has a time limit (tools/qemu-boot.sh).
GUEST_STAMP     := $(BUILD)/arm-guest/.stamp
QEMU_IMAGE      := $(BUILD)/qemu
SYSTEM_SUITES   := builtin cert cfgcrypt config csr dot1x hal name pkcs12 settings store syslog text url
SYSTEM_TESTS    := $(patsubst %,$(BUILD)/arm/tests/test_%,$(SYSTEM_SUITES))
POWERCUT        := $(BUILD)/arm/system/powercut
POWERCUT_BROKEN := $(BUILD)/arm/system/powercut-broken
CYCLES          ?= 50
SEED            ?= $(shell date +%s)

$(GUEST_STAMP): | $(DEPS_FIRST)
	tools/deps.sh --guest-only

$(POWERCUT): $(BUILD)/arm/obj/tests/system/powercut.o $(arm_HAL) $(arm_LIB) $(arm_MBED)
	@mkdir -p $(@D)
	$(CC_arm) $(LF_arm) $(LDFLAGS) -o $@ $< $(arm_LINKLIBS)

# The broken hal: hal/linux with CERTSLOT_TEST_BROKEN_FSYNC (the store's file is never fsynced), linked ahead of
# the library so that it replaces hal/linux's object in this one program only.
$(BUILD)/arm/obj-broken/hal_linux.o: hal/linux/hal_linux.c $(MBEDTLS_SRC)/.stamp $(MBEDTLS_CONFIG) | $(arm_ORDER)
	@mkdir -p $(@D)
	$(CC_arm) $(WARNINGS) $(CF_arm) $(INCLUDES) $(DEPFLAGS) -DCERTSLOT_TEST_BROKEN_FSYNC $(CPPFLAGS) $(CFLAGS) \
	    -c $< -o $@
$(POWERCUT_BROKEN): $(BUILD)/arm/obj/tests/system/powercut.o $(BUILD)/arm/obj-broken/hal_linux.o $(arm_HAL) $(arm_LIB) \
                    $(arm_MBED)
	@mkdir -p $(@D)
	$(CC_arm) $(LF_arm) $(LDFLAGS) -o $@ $< $(BUILD)/arm/obj-broken/hal_linux.o $(arm_LINKLIBS)
-include $(BUILD)/arm/obj/tests/system/powercut.d $(BUILD)/arm/obj-broken/hal_linux.d

# An integration team's own ARM test programs: SYSTEM_EXTRA="prog..." puts them in /tests/extra/ of the image, run
# after the suites. The setting is kept in a file (rewritten only when it changes), so a new list rebuilds the image.
SYSTEM_EXTRA   ?=
EXTRA_SETTING  := $(BUILD)/gen/system-extra.txt
$(shell mkdir -p $(BUILD)/gen && { [ -f $(EXTRA_SETTING) ] && [ "$$(cat $(EXTRA_SETTING))" = '$(SYSTEM_EXTRA)' ] || \
	echo '$(SYSTEM_EXTRA)' > $(EXTRA_SETTING); })
IMAGE_INPUTS := tools/qemu-image.sh tests/system/init $(GUEST_STAMP) $(SYSTEM_TESTS) $(POWERCUT) \
                $(POWERCUT_BROKEN) $(TESTPKI)/.done $(BUILTIN_BUNDLE) $(wildcard tests/data/*/* tests/data/*) \
                $(SYSTEM_EXTRA) $(EXTRA_SETTING)
$(QEMU_IMAGE)/.done: $(IMAGE_INPUTS)
	ARM_CROSS=$(ARM_CROSS) ARM_LIBDIR=$(ARM_LIBDIR) QEMU_PREFIX=$(QEMU_PREFIX) BUILTIN_BUNDLE=$(BUILTIN_BUNDLE) \
	    SYSTEM_EXTRA='$(SYSTEM_EXTRA)' tools/qemu-image.sh $(QEMU_IMAGE) $(BUILD)/arm-guest $(TESTPKI) tests/data \
	    $(POWERCUT) $(POWERCUT_BROKEN) $(SYSTEM_TESTS)

.PHONY: qemu-image test-system power-cut
qemu-image: $(QEMU_IMAGE)/.done
test-system: deps
	@$(MAKE) --no-print-directory $(QEMU_IMAGE)/.done
	@SEED=$(SEED) tests/system/test-system.sh $(QEMU_IMAGE) $(RESULTS)/system.txt
# BROKEN=1: the same cycles on the broken hal, which must fail them.
power-cut: deps
	@$(MAKE) --no-print-directory $(QEMU_IMAGE)/.done
	@tests/system/power-cut.sh $(QEMU_IMAGE) $(CYCLES) $(SEED) $(if $(filter 1,$(BROKEN)),broken)

# -------------------------------------------------------- install, clean ---
# make install [CROSS_COMPILE=...] [PREFIX=/usr] [DESTDIR=stage] [LIBDIR=...] [INCLUDEDIR=...] [INSTALL_MBEDTLS=1]
# installs the public headers, libcertslot.a, libcertslot-hal-$(HAL).a, certslot.pc and (host, HAL=linux) the tool;
# INSTALL_MBEDTLS=1 adds the project's mbedTLS 3.6 build (libraries, headers, mbedtls/mbedx509/mbedcrypto.pc) for a
# system that has no mbedTLS 3.6 of its own. The paths in certslot.pc are the ones given, without DESTDIR.
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
BINDIR       ?= $(PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL_MBEDTLS ?= 0
# What certslot.pc names for linking; a team whose mbedTLS has no .pc files moves it to PC_LIBS_PRIVATE.
PC_REQUIRES     ?= mbedtls mbedx509 mbedcrypto expat
PC_LIBS_PRIVATE ?= $(if $(filter lwip,$(PORT)),$(LWIP_LIBS))

# The public API (README, "Building"): installed by make install, documented by make docs. hal_sim.h (the test
# double) is not part of it.
PUBLIC_HEADERS := $(HEADERS) hal/include/certslot/hal.h $(wildcard hal/include/certslot/hal_$(HAL).h) \
                  port/include/certslot/port.h
DOC_HEADERS    := $(HEADERS) hal/include/certslot/hal.h hal/include/certslot/hal_linux.h port/include/certslot/port.h
VERSION := $(shell sed -n 's/^\#define CERTSLOT_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' \
                firmware/include/certslot/version.h | paste -sd.)
MBEDTLS_VERSION = $(shell sed -n 's/^\#define MBEDTLS_VERSION_STRING  *"\(.*\)"/\1/p' \
                    $(MBEDTLS_SRC)/include/mbedtls/build_info.h)

IV := $(if $(CROSS_COMPILE),arm,host)
# The tool is a host program on hal/linux: installed only then.
INSTALL_TOOL := $(if $(CROSS_COMPILE),,$(if $(filter linux,$(HAL)),$(TOOL_BIN)))
# -D options of certslot/options.h change structures of the public headers: the application is compiled with them.
PC_CFLAGS := $(filter -D%,$(CPPFLAGS))
pc_subst = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|'

.PHONY: install clean
install: $($(IV)_LIB) $($(IV)_HAL) $(INSTALL_TOOL) $(if $(filter 1,$(INSTALL_MBEDTLS)),$($(IV)_MBED))
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/certslot $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 $($(IV)_LIB) $($(IV)_HAL) $(DESTDIR)$(LIBDIR)/
	install -m 644 $(PUBLIC_HEADERS) $(DESTDIR)$(INCLUDEDIR)/certslot/
	install -m 644 $(MBEDTLS_CONFIG) $(DESTDIR)$(INCLUDEDIR)/certslot/mbedtls_config.h
	$(pc_subst) -e 's|@VERSION@|$(VERSION)|' -e 's|@REQUIRES@|$(PC_REQUIRES)|' \
	    -e 's|@CFLAGS@|$(PC_CFLAGS)|' -e 's|@HAL_LIB@|$(if $($(IV)_HAL),-lcertslot-hal-$(HAL))|' \
	    -e 's|@LIBS_PRIVATE@|$(PC_LIBS_PRIVATE)|' tools/pkgconfig/certslot.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/certslot.pc
	$(if $(INSTALL_TOOL),install -d $(DESTDIR)$(BINDIR) && install -m 755 $(INSTALL_TOOL) $(DESTDIR)$(BINDIR)/)
	$(if $(filter 1,$(INSTALL_MBEDTLS)),+@$(MAKE) --no-print-directory install-mbedtls)

# The project's mbedTLS build, as mbedTLS's own CMake install lays it out (the same library and .pc names), with
# certslot's configuration as its mbedtls/mbedtls_config.h: what every file that includes an mbedTLS header reads.
.PHONY: install-mbedtls
install-mbedtls: $($(IV)_MBED)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/mbedtls $(DESTDIR)$(INCLUDEDIR)/psa $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 $($(IV)_MBED) $(DESTDIR)$(LIBDIR)/
	install -m 644 $(MBEDTLS_SRC)/include/mbedtls/*.h $(DESTDIR)$(INCLUDEDIR)/mbedtls/
	install -m 644 $(MBEDTLS_SRC)/include/psa/*.h $(DESTDIR)$(INCLUDEDIR)/psa/
	install -m 644 $(MBEDTLS_CONFIG) $(DESTDIR)$(INCLUDEDIR)/mbedtls/mbedtls_config.h
	for p in "mbedcrypto||" "mbedx509|mbedcrypto|" "mbedtls|mbedcrypto mbedx509|"; do IFS='|' read -r n r _ <<<"$$p"; \
	  $(pc_subst) -e "s|@NAME@|$$n|" -e 's|@VERSION@|$(MBEDTLS_VERSION)|' -e "s|@REQUIRES@|$$r|" \
	    tools/pkgconfig/mbedtls.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/$$n.pc || exit 1; done

# ------------------------------------------------------------------ docs ---
# The API reference of the public headers, HTML in build/docs/html/ (doxygen, from make deps). Any warning, an
# undocumented public function among them, fails it; make test builds it.
DOCS := $(BUILD)/docs/html/index.html
.PHONY: docs
docs: $(DOCS)
$(DOCS): $(DOC_HEADERS) tools/Doxyfile firmware/include/certslot/version.h | $(DEPS_FIRST)
	rm -rf $(BUILD)/docs && mkdir -p $(BUILD)/docs
	CERTSLOT_VERSION=$(VERSION) CERTSLOT_DOC_OUT=$(BUILD)/docs CERTSLOT_DOC_INPUT="$(DOC_HEADERS)" \
	    CERTSLOT_DOC_ROOT=$(CURDIR) \
	    CERTSLOT_DOC_INCLUDE_ROOTS="$(CURDIR)/firmware/include $(CURDIR)/hal/include $(CURDIR)/port/include" \
	    doxygen tools/Doxyfile
	@test -f $@ || { echo "make docs: doxygen wrote no $@" >&2; exit 1; }

# Keeps the downloaded ARM sysroot (it is slow to fetch); `make distclean`
# removes it too.
clean:
	rm -rf $(BUILD)/host $(BUILD)/asan $(BUILD)/arm $(BUILD)/fuzz $(BUILD)/min $(BUILD)/mbedtls $(RESULTS) $(TOOL) \
	       $(BUILD)/gen $(BUILD)/gen-tools $(QEMU_IMAGE)

.PHONY: distclean
distclean:
	rm -rf $(BUILD)
