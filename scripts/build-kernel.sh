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
cfgdir=$ROOT/kernel/config

case ${FLAVOR:-debug} in
debug) fragments="minimal selftests debug" ;;
fast) fragments="minimal selftests" ;;
esac

[ -f "$tree/Makefile" ] || die "kernel build ($variant)" "" "no source tree at $tree; run 'make tree'"
mkdir -p "$out" "$dest"
# Whatever happens below, never leave an old image that looks current.
rm -f "$dest/bzImage"
: >"$log"

export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1 CCACHE_COMPILERCHECK=content
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# Fixed build identity: ccache hits across clones, reproducible images.
export KBUILD_BUILD_USER=dmabuf KBUILD_BUILD_HOST=workbench
export KBUILD_BUILD_TIMESTAMP="2026-01-01"
kmake() {
	make -C "$tree" O="$out" ARCH=x86_64 CC="ccache gcc" HOSTCC="ccache gcc" \
		-j"$(nproc)" "$@"
}

# Regenerate .config only when a fragment changed.
cfghash=$(cd "$cfgdir" && for f in $fragments; do sha256sum "$f.config"; done | sha256sum | cut -d' ' -f1)
if [ "$(cat "$out/.config-fragments" 2>/dev/null)" != "$cfghash" ] || [ ! -f "$out/.config" ]; then
	say "kernel ($variant): configuring from tinyconfig + $fragments"
	rm -f "$out/.config-fragments"
	run_logged "kernel config ($variant)" "$log" kmake tinyconfig
	frags=()
	for f in $fragments; do frags+=("$cfgdir/$f.config"); done
	run_logged "kernel config ($variant, merge)" "$log" \
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}"
	run_logged "kernel config ($variant, olddefconfig)" "$log" kmake olddefconfig
	# Every option a fragment asks for must have survived Kconfig.
	bad=$(cat "${frags[@]}" | sed -n 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p;s/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/# \1 is not set/p' |
		while read -r want; do grep -qxF "$want" "$out/.config" || echo "$want"; done)
	[ -z "$bad" ] || die "kernel config ($variant)" "$log" \
		"options the fragments ask for did not survive Kconfig (missing dependency?): $(echo $bad)"
	echo "$cfghash" >"$out/.config-fragments"
fi

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
