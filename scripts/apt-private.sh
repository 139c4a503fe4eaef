#!/bin/sh
# A private apt configuration for one Debian suite, so packages can be downloaded
# without using or changing the machine's apt setup (its own sources.list with
# the suite and its security updates, lists, archive cache and an empty dpkg
# status). Updates the lists and prints the configuration file's path:
#
#   APT_CONFIG=$(scripts/apt-private.sh bookworm DIR) apt-get -qq download PACKAGE
#
# DIR (created) holds everything; a clean Debian 12 machine gets the same packages.
set -eu
[ $# -eq 2 ] || { echo "usage: apt-private.sh SUITE DIR" >&2; exit 2; }
suite=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
mkdir -p "$dir/state/lists/partial" "$dir/cache/archives/partial" "$dir/parts"
: >"$dir/status"
{
	echo "deb http://deb.debian.org/debian $suite main"
	echo "deb http://deb.debian.org/debian-security $suite-security main"
} >"$dir/sources.list"
cat >"$dir/apt.conf" <<CONF
Dir::Etc::SourceList "$dir/sources.list";
Dir::Etc::SourceParts "$dir/parts";
Dir::State "$dir/state";
Dir::State::status "$dir/status";
Dir::Cache "$dir/cache";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
Acquire::Languages "none";
Debug::NoLocking "1";
APT::Sandbox::User "root";
CONF
APT_CONFIG=$dir/apt.conf apt-get -qq update >&2
echo "$dir/apt.conf"
