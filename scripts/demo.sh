#!/usr/bin/env bash
# Sets everything up, then runs crashsift on the bundled fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
./build/crashsift triage fixtures/
