#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build one kernel variant out of tree, with ccache, incrementally.
#   FLAVOR=debug (default) or fast; SERIES=none for the pristine upstream.
# The default variant's image lands at build/bzImage and its uAPI headers at
# build/headers/include; other variants land in build/<variant>/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=$(variant_name)
tree=$(source_tree)
dest=$(variant_dir)
out=$(out_dir)
log=$LOGS/kernel-$variant.log

case ${FLAVOR:-debug} in
debug) fragments="minimal selftests debug" ;;
fast) fragments="minimal selftests bench" ;;
esac

[ -f "$tree/Makefile" ] || die "kernel build ($variant)" "" "no source tree at $tree; run 'make tree'"
mkdir -p "$out" "$dest"
# Whatever happens below, never leave an old image that looks current.
rm -f "$dest/bzImage"
: >"$log"

kmake() { kmake_in "$tree" "$out" "$@"; }

# shellcheck disable=SC2086
configure_kernel "$variant" "$tree" "$out" "$log" $fragments

say "kernel ($variant): building in ${out#$ROOT/} (log: ${log#$ROOT/})"
start=$(date +%s)
run_logged "kernel build ($variant)" "$log" kmake bzImage
run_logged "kernel headers ($variant)" "$log" kmake headers_install INSTALL_HDR_PATH="$dest/headers"
cp "$out/arch/x86/boot/bzImage" "$dest/bzImage.tmp"
mv "$dest/bzImage.tmp" "$dest/bzImage"
cp "$out/.config" "$dest/config"
release=$(kmake -s kernelrelease 2>/dev/null || true)
secs=$(($(date +%s) - start))
say "kernel ($variant): $release built in ${secs}s -> ${dest#$ROOT/}/bzImage"
