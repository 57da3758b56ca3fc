#!/usr/bin/env bash
# Installs a headless browser for the test that opens `mimic report`'s page (Debian's chromium,
# driven by Tests/mimicTests/ReportCommandTests.swift through its DevTools pipe). Safe to run
# again: it installs only what is missing. Uses sudo when not root.
set -euo pipefail

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# A font for the page's text (chromium itself only recommends one).
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need_apt+=(fonts-dejavu-core)
[ ${#need_apt[@]} -eq 0 ] && exit 0
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
echo "setup_browser: installing ${need_apt[*]} (apt)" >&2
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
