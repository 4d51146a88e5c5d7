#!/usr/bin/env bash
# Installs everything policy-kit needs into .venv/ (idempotent).
# System packages (Japanese fonts, HarfBuzz subsetting) are installed with apt when missing and
# running as root; otherwise the script says which packages to install and carries on.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium + chromium-driver: the test that opens the audit report in a real browser
APT_PACKAGES="fonts-noto-cjk libharfbuzz-subset0 poppler-utils chromium chromium-driver"
missing=""
for pkg in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "policy-kit setup: installing system packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "policy-kit setup: WARNING: missing system packages:$missing" >&2
    echo "  install them with: sudo apt-get install$missing" >&2
    echo "  (without fonts-noto-cjk Japanese text renders as boxes; without libharfbuzz-subset0" >&2
    echo "   PDF rendering is about 15x slower)" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
.venv/bin/python -c "import spacy; spacy.load('ja_ginza', exclude=['parser','ner','tok2vec','morphologizer','compound_splitter','bunsetu_recognizer','attribute_ruler'])" \
  || { echo "policy-kit setup: the GiNZA model ja_ginza did not load" >&2; exit 1; }
echo "policy-kit setup: done (.venv/)"
