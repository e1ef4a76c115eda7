#!/usr/bin/env bash
# Installs what Shoal needs (Debian 12), then configures and builds it into
# build/ (override with BUILD_DIR). The binary lands at build/shoal.
# Arguments go to CMake's configure step; TARGETS limits what is built.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j2 ${TARGETS:+--target $TARGETS}
