# meshlb: `make run` (demo) and `make test` (every test) work on a fresh Debian 12 machine as root.
# Release by default; SANITIZE=1 builds with ASan+UBSan in its own build directory.

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

.PHONY: all deps build run test fuzz bench compare format clean

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
	@rm -rf build build-asan build-fuzz
