#!/usr/bin/env bash
# Checks that the Swift sources follow .swift-format (swift-format ships with the Swift toolchain):
# formats a copy and lists the files that would change. Fix them with
#   swift format -i -r --configuration .swift-format Sources Tests Benchmarks/Sources
set -euo pipefail
cd "$(dirname "$0")/.."
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cp -r Sources Tests .swift-format "$copy/"
mkdir -p "$copy/Benchmarks" && cp -r Benchmarks/Sources "$copy/Benchmarks/"
(cd "$copy" && swift format -i -r --configuration .swift-format Sources Tests Benchmarks/Sources)
changed=$(diff -rq Sources "$copy/Sources"; diff -rq Tests "$copy/Tests"; diff -rq Benchmarks/Sources "$copy/Benchmarks/Sources") || true
if [ -n "$changed" ]; then
    echo "check_format: these files do not follow .swift-format:" >&2
    echo "$changed" >&2
    exit 1
fi
echo "check_format: every Swift file follows .swift-format"
