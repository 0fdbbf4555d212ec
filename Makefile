# The two commands of the README:
#   make run   installs what is missing, builds, starts the broker on 127.0.0.1:8080
#   make test  installs what is missing, builds, starts the test servers, runs every test
BUILD ?= build
CONFIG ?= config/dsbroker.toml
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=Release -DDSB_WERROR=ON

.PHONY: all deps test-deps configure build run test bench format clean

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

configure:
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) > /dev/null

build: deps configure
	@cmake --build $(BUILD) -j $(JOBS)

run: deps configure
	@cmake --build $(BUILD) -j $(JOBS) --target dsbroker
	$(BUILD)/server/dsbroker serve --config $(CONFIG)

test: test-deps configure
	@cmake --build $(BUILD) -j $(JOBS)
	@tests/run.sh $(BUILD)

# Load, micro and event benchmarks; then connection tests and schema against
# real PostgreSQL and sshd; then one org at its limit beside another.
bench: test-deps configure
	@cmake --build $(BUILD) -j $(JOBS)
	@bench/run.sh $(BUILD)
	@bench/conn_run.sh $(BUILD)
	@bench/neighbour_run.sh $(BUILD)

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD)
