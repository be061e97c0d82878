#!/usr/bin/env bash
# Install the test extras (and Debian's Chromium for the browser tests) and run the test suite.
# This is the README's second command; .ci/run calls it on a clean clone.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "Installing Debian's chromium for the browser tests..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "warning: could not install chromium; browser tests will be skipped" >&2
  else
    echo "note: /usr/bin/chromium is missing and we are not root: browser tests will be skipped" >&2
  fi
fi
# GDAL's ogrinfo checks that the exported GeoPackage opens outside pyogrio (tests/test_export.py;
# in CI a missing ogrinfo fails that test rather than skipping it).
if ! command -v ogrinfo >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    echo "Installing Debian's gdal-bin (ogrinfo) for the GeoPackage test..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdal-bin >/dev/null) \
      || echo "warning: could not install gdal-bin; the ogrinfo test will be skipped (failed in CI)" >&2
  else
    echo "note: ogrinfo is missing and we are not root: the ogrinfo test will be skipped" >&2
  fi
fi
# Where Chromium is present the browser tests must run, never skip silently.
if [ -x /usr/bin/chromium ]; then export ATLASMAPS_REQUIRE_BROWSER=1; fi

# Compiled modules and pytest's rewritten test modules are cached (__pycache__, ignored by git) even
# where the environment turns that off: each worker and each CLI subprocess of the tests would
# otherwise compile some 250 modules again (pytest's collection alone: 5 s instead of 2.7 s a worker).
unset PYTHONDONTWRITEBYTECODE

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[test]'
# One pytest worker per core (pytest-xdist): the suite is mostly rendering and subprocesses, CPU-bound;
# a worker that runs out of tests takes some of the other's (worksteal): a few tests take 5-12 s.
exec .venv/bin/python -m pytest -n auto --dist worksteal "$@"
