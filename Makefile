# SPDX-License-Identifier: GPL-2.0
# dmabuf-interconnect workbench.  The two commands a newcomer types:
#   make check   build everything, run the suites the README lists (debug kernel)
#   make demo    boot the VM and narrate a short run
# Variables: FLAVOR=debug|fast (kernel flavour), SERIES=none (the pristine
# upstream kernel instead of the series), SUITES=a,b and KUNIT=off|all|GLOB
# for 'make run'.
SHELL := /bin/bash
export FLAVOR SERIES

S := scripts
SUITES ?= iommufd
KUNIT ?= off

.PHONY: all deps source tree export kernel tests run check demo checkpatch \
	users matrix bench profile bisect clean distclean help

all: kernel tests

help:
	@sed -n '2,7p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@$(S)/deps.sh

source: deps
	@$(S)/fetch-source.sh

tree: deps
	@$(S)/tree.sh

export: deps
	@$(S)/export.sh

kernel: tree
	@$(S)/build-kernel.sh

tests: kernel
	@$(S)/build-tests.sh

run: tests
	@$(S)/run-vm.sh --suites $(SUITES) --kunit $(KUNIT) --name run

check: deps
	@python3 tests/workbench/test_results.py -q
	@python3 tests/workbench/test_bench_report.py -q
	@python3 tests/workbench/test_profile_report.py -q
	@python3 tests/workbench/test_patchmail.py -q
	@FLAVOR=debug $(S)/tree.sh
	@FLAVOR=debug $(S)/build-kernel.sh
	@FLAVOR=debug $(S)/build-tests.sh
	@$(S)/checkpatch.sh
	@$(S)/check-tree.sh
	@$(S)/check-posting.sh
	@FLAVOR=debug $(S)/check.sh

demo: tests
	@$(S)/demo.sh

checkpatch: tree
	@$(S)/checkpatch.sh

users: tree
	@$(S)/build-users.sh

matrix: tree
	@$(S)/matrix.sh

bench: deps
	@$(S)/bench.sh

profile: deps
	@$(S)/profile.sh

bisect: tree
	@$(S)/bisect.sh

clean:
	rm -rf build/out build/upstream/out build/upstream/debug build/upstream/fast \
		build/fast build/vm build/logs build/tests build/bzImage build/headers \
		build/config build/matrix

distclean:
	rm -rf build
