#!/usr/bin/env bash
# Builds and runs every test: unit tests, then integration tests with the real
# binaries, then the wire-codec tests again under ASan/UBSan, then a minute of
# fuzzing of every decoder of outside bytes (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
(cd build && ctest --output-on-failure -j2 -LE integration)
(cd build && ctest --output-on-failure -L integration)

BUILD_DIR=build-sanitize TARGETS="overlay_tests peer_tests" bash scripts/build.sh -DSHOAL_SANITIZE=ON
build-sanitize/tests/overlay/overlay_tests
build-sanitize/tests/peer/peer_tests

bash scripts/fuzz.sh --seconds 12
