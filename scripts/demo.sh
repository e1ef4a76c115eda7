#!/usr/bin/env bash
# The main job: a local live broadcast of the built-in test pattern to a few
# headless peers, then what each received. Extra arguments go to `shoal demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec build/shoal demo "$@"
