# The two entry points of the README; everything else lives in scripts/.
.PHONY: run test build clean

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
