#!/usr/bin/env bash
# The portal's fleet overview for a 1,000-site tenant in headless Chromium (issue 16's speed
# target: interactive within 1.5 s). Seeds the tenant through the API, then measures
# PORTAL_BENCH_RUNS (default 5) page loads; see web/tests/bench-overview.mjs.
set -euo pipefail
exec "$(dirname "$0")/../scripts/test-portal" bench
