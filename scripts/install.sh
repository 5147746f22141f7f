#!/usr/bin/env bash
# Installs what the dashboard needs into a virtual environment, .venv/ in the project folder
# (Debian 12's system python3 is externally managed: PEP 668). With --test, also what the tests
# need: the test packages and Debian's Chromium for the end-to-end browser tests.
# Afterwards run everything with .venv/bin/python (README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {  # run a system command as root: directly, with sudo, or say what to do
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@"
  else
    echo "error: this step needs root: run as root (or with sudo): $*" >&2
    exit 1
  fi
}

apt_install() {
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv .venv 2>/dev/null; then
    rm -rf .venv
    echo "python3 cannot make a virtual environment; installing Debian's python3-venv ..." >&2
    apt_install python3-venv
    python3 -m venv .venv
  fi
fi
PIP=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
"${PIP[@]}" -r requirements.txt
if [ "${1:-}" = "--test" ]; then
  "${PIP[@]}" -r requirements-test.txt
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    apt_install chromium chromium-driver
  fi
fi
