#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install from Debian's archive everything the build and the VM need.
# Idempotent: when every package is present it only checks and returns.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS="qemu-system-x86 flex bison bc libelf-dev libssl-dev cpio busybox-static
      libcap-dev uuid-dev ccache xz-utils dwarves python3 rsync kmod git make gcc
      libc6-dev perl gzip python3-ply python3-git gcc-aarch64-linux-gnu
      libc6-dev-arm64-cross qemu-system-arm"
# make bench also plots its results; make profile steps the guest with gdb
[ "${1:-}" = --bench ] && PKGS="$PKGS gnuplot-nox gdb"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

say "deps: installing$missing"
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
log=$LOGS/deps.log
run_logged "deps (apt-get update)" "$log" $sudo apt-get update
DEBIAN_FRONTEND=noninteractive run_logged "deps (apt-get install)" "$log" \
	$sudo apt-get install -y --no-install-recommends $missing
