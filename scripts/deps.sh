#!/usr/bin/env bash
# Installs the Debian packages earlypatch needs that are not installed yet.
# Package lists: scripts/deps.d/*.txt (one name per line, '#' comments); or only the list files
# named as arguments (relative to the repo root), for opt-in targets: `scripts/deps.sh images/lava/deps.txt`.
# A no-op (and silent) when everything is present, so `make test` can call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."

lists=("$@")
[ ${#lists[@]} -gt 0 ] || lists=(scripts/deps.d/*.txt)
want=$(cat "${lists[@]}" | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
missing=()
for p in $want; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
