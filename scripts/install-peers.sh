#!/usr/bin/env bash
# Installs the Debian packages the test suite needs: build tools for the native
# SQLite binding and the real peers the tests talk to. Idempotent; runs apt only
# when something is missing. Needs root (or sudo) on Debian 12.
set -euo pipefail

PACKAGES=(
  g++ make python3           # node-gyp build of better-sqlite3 (no prebuilt download here)
  systemd                    # systemd-analyze: verifies deploy/wattgate.service
  python3-pymodbus           # second Modbus implementation: codec oracle, master and slave peer
  python3-serial python3-serial-asyncio  # pymodbus imports them even for TCP (only Recommends, not Depends)
  mbpoll                     # a real Modbus master (TCP and RTU)
  socat                      # virtual serial line pairs for RTU tests
  libmodbus-dev gcc          # the C load client of the gateway benchmark (bench/modbus-load.c)
  chromium                   # real browser for the web tests (driven by playwright-core, never downloaded)
  sslscan                    # TLS audit of the HTTPS server
  python3-prometheus-client  # a second parser of the Prometheus text format (GET /metrics)
  python3-crcmod             # a second CRC-16/X-25 (install-code checksums)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-peers: all ${#PACKAGES[@]} packages present"
  exit 0
fi
echo "install-peers: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
