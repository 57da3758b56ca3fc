#!/usr/bin/env bash
# Sets up what is missing and runs Mimic's test suite (the README's test command).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# robosuite 1.4's scene assets, unpacked by setup.sh, for the robosuite 1.4 replay test.
export MIMIC_ROBOSUITE14="$PWD/.cache/robosuite-1.4.1/robosuite"
scripts/check_format.sh
swift build --build-tests
swift test --skip-build
