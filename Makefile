# meshlb: `make run` (demo) and `make test` (every test) work on a fresh Debian 12 machine as root.
# Release by default; SANITIZE=1 builds with ASan+UBSan in its own build directory; `make tsan`
# runs the suite under ThreadSanitizer in build-tsan.

MAKEFLAGS += --no-print-directory
SANITIZE ?= 0
JOBS ?= $(shell nproc)
ifeq ($(SANITIZE),1)
  BUILD_DIR ?= build-asan
  CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESHLB_SANITIZE=ON
else
  BUILD_DIR ?= build
  CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=Release
endif

.PHONY: all deps build run test tsan fuzz bench compare format clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@bash scripts/run-demo.sh $(BUILD_DIR)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j 2 --timeout 600

# The whole ctest suite under ThreadSanitizer (GCC, RelWithDebInfo, no benchmarks): every meshlb
# an integration test starts runs its workers, admin/main, analytics, capture and notifier
# threads, so all of it is cross-thread; running everything keeps new tests from being skipped.
# A race stops the process (halt_on_error) and its report lands in build-tsan/tsan-reports/,
# also from processes a test kills on purpose; any report fails the target. The suppressions
# file holds proven third-party false positives only, each with its reason.
TSAN_DIR := build-tsan
TSAN_REPORTS := $(CURDIR)/$(TSAN_DIR)/tsan-reports
TSAN_OPTIONS_MESHLB := halt_on_error=1 second_deadlock_stack=1 \
  suppressions=$(CURDIR)/scripts/tsan-suppressions.txt log_path=$(TSAN_REPORTS)/tsan
tsan: deps
	@cmake -S . -B $(TSAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESHLB_TSAN=ON \
	  -DMESHLB_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(TSAN_DIR) -j $(JOBS)
	@rm -rf $(TSAN_REPORTS) && mkdir -p $(TSAN_REPORTS)
	@cd $(TSAN_DIR) && TSAN_OPTIONS="$(TSAN_OPTIONS_MESHLB)" \
	  ctest --output-on-failure -j 2 --timeout 900; status=$$?; \
	  if [ -n "$$(ls -A $(TSAN_REPORTS))" ]; then \
	    cat $(TSAN_REPORTS)/*; echo "tsan: reports in $(TSAN_REPORTS)" >&2; exit 1; \
	  fi; exit $$status

# Every libFuzzer target for FUZZ_SECONDS each (Clang build in build-fuzz); CI runs 30 s each.
FUZZ_SECONDS ?= 300
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz-smoke.sh

bench: build
	@$(BUILD_DIR)/bench/meshlb_bench --benchmark_min_time=0.2
	@bash bench/compare.sh $(BUILD_DIR)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	@rm -rf build build-asan build-fuzz build-tsan
