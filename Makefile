# The two entry points of the README; everything else lives in scripts/.
.PHONY: run test build clean soak fuzz-long

run:
	OS_SKIP_NPM=1 ./scripts/install-deps.sh
	./scripts/build.sh release
	./scripts/run-demo.sh

test:
	./scripts/test-all.sh

build:
	./scripts/build.sh release

clean:
	rm -rf build

# Longer runs than `make test` does: a 10-minute soak and every fuzzer for 10 million runs or 10 minutes.
soak: build
	OS_BIN=build/release/opensharing python3 tests/soak/soak.py 600 256

fuzz-long:
	./scripts/fuzz.sh --long
