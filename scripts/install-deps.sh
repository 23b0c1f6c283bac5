#!/usr/bin/env bash
# Installs the Debian packages Pacer needs, only those that are missing:
#   postgresql, postgresql-contrib  the embedded database for `make run` and `make test`
#   libpq-dev, pkg-config           libpq's headers and its pkg-config file (CLibPQ)
#   libssl-dev                      OpenSSL's libcrypto, for SHA-256 (CLibCrypto; libpq-dev needs it too)
#   libjs-chart.js                  Chart.js, served by the dashboard
#   wrk                             HTTP load generator for `make bench`
# Fast and quiet when everything is there; `apt-get update` runs only when something is missing.
# Uses sudo when not root (and sudo exists). Extra packages can be named as arguments.
set -euo pipefail

packages=(postgresql postgresql-contrib libpq-dev libssl-dev pkg-config libjs-chart.js wrk "$@")

installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: not a Debian system; install by hand: ${packages[*]}" >&2
    exit 0
fi

missing=()
for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-deps: missing ${missing[*]}; run as root or install sudo" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

for package in "${missing[@]}"; do
    installed "$package" || { echo "install-deps: $package did not install" >&2; exit 1; }
done
