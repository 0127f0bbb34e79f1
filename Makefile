# SPDX-License-Identifier: MIT
# syslab: one top-level GNU Makefile. Output under build/ (sanitized builds under build/san-*/).
#   make            build everything          make test    deps + build + every test
#   make run        deps + build + quick lab run, report in build/report/
#   make bench      deps + build + default-budget lab run, report in build/bench/
#   make SANITIZE=address,undefined | thread    make fmt    make clean    V=1 shows commands

.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:
SHELL := /bin/bash

VERSION := 0.1.0
CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS := -std=gnu17 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
ifeq ($(CI),true)
WARNINGS += -Werror
endif

ifeq ($(SANITIZE),)
BUILD ?= build
SANFLAGS :=
else
BUILD ?= build/san-$(subst $(comma),-,$(SANITIZE))
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
comma := ,

ALL_CFLAGS = $(WARNINGS) $(CFLAGS) $(SANFLAGS) -pthread
ALL_CPPFLAGS = -D_GNU_SOURCE -DSYSLAB_VERSION='"$(VERSION)"' -Iinclude $(CPPFLAGS)
ALL_LDFLAGS = $(SANFLAGS) -pthread $(LDFLAGS)
LIBS := -ljansson -lm

ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @printf '  %-6s %s\n'
endif

BIN := $(BUILD)/bin
OBJ := $(BUILD)/obj

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(OBJ)/%.o)
LIBSYSLAB := $(BUILD)/lib/libsyslab.a

EXP_SRCS := $(wildcard experiments/*.c)
EXP_OBJS := $(EXP_SRCS:%.c=$(OBJ)/%.o)

TOOLS := $(notdir $(patsubst %/,%,$(wildcard tools/*/)))
TOOL_BINS := $(TOOLS:%=$(BIN)/%)

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)

# kvd's client tests link a real client library; built when libhiredis-dev is installed.
KVD_TEST_BINS := $(if $(wildcard /usr/include/hiredis/hiredis.h),$(BUILD)/tests/kvd/hiredis)

.PHONY: all deps test check run bench fmt clean
all: $(TOOL_BINS) $(UNIT_BINS) $(KVD_TEST_BINS)

deps:
	@scripts/deps.sh

$(OBJ)/%.o: %.c
	$(say) CC $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBSYSLAB): $(LIB_OBJS)
	$(say) AR $@
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

# Every folder tools/NAME/ is one program, build/bin/NAME; the driver also links the experiments.
define tool_rule
$(BIN)/$(1): $(patsubst %.c,$(OBJ)/%.o,$(wildcard tools/$(1)/*.c)) $(if $(filter syslab,$(1)),$(EXP_OBJS)) $(LIBSYSLAB)
	$$(say) LD $$@
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) $$($(1)_LDFLAGS) -o $$@ $$^ $$(LIBS)
endef
# procjail starts once per jailed command: linked statically (no dynamic loader, ~0.1 ms a start)
# where the toolchain can; the sanitizers' runtimes need a dynamic link.
ifeq ($(SANITIZE),)
procjail_LDFLAGS := -static
endif
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))
$(OBJ)/experiments/%.o: ALL_CPPFLAGS += -Iexperiments
$(OBJ)/tools/syslab/%.o: ALL_CPPFLAGS += -Iexperiments

$(BUILD)/tests/unit/%: $(OBJ)/tests/unit/%.o $(LIBSYSLAB)
	$(say) LD $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
$(OBJ)/tests/unit/%.o: ALL_CPPFLAGS += -Itests/unit

$(BUILD)/tests/kvd/%: $(OBJ)/tests/kvd/%.o
	$(say) LD $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ -lhiredis
$(OBJ)/tests/kvd/%.o: ALL_CPPFLAGS += -Itests/unit

# `make test` sets up the machine first; `make check` only builds and runs the tests.
test: deps
	@$(MAKE) --no-print-directory check
check: all
	@BUILD=$(BUILD) tests/run.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(BIN)/syslab run --quick --out $(BUILD)/report

bench: deps
	@$(MAKE) --no-print-directory all
	$(BIN)/syslab run --out $(BUILD)/bench

fmt:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
