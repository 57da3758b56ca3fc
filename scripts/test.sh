#!/usr/bin/env bash
# Sets up what is missing and runs Mimic's test suite (the README's test command).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build
