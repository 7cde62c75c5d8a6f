#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs what the build needs and fetches the base kernel; idempotent.
#
# Debian packages through apt-get, bindgen-cli at a pinned version through
# cargo, rust-src through rustup, and Debian's linux-source-7.3 unpacked into
# the cache (never installed). KDIR=/path uses a local 7.3 tree instead.

source "$(dirname "$0")/lib.sh"

PACKAGES=${PACKAGES:-"clang-19 lld-19 llvm-19 libclang-19-dev qemu-system-x86
	busybox-static flex bison bc libelf-dev libssl-dev cpio python3 make
	rsync patch gzip xz-utils kmod trinity"}

install_packages() {
	local missing=() p
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null ||
			die "missing Debian packages: ${missing[*]} (install them as root)"
		SUDO=sudo
	else
		SUDO=
	fi
	note "installing Debian packages: ${missing[*]}"
	$SUDO apt-get update >"$LOGS/apt-update.log" 2>&1 ||
		die "apt-get update failed (see $LOGS/apt-update.log)"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends "${missing[@]}" >"$LOGS/apt-install.log" 2>&1 ||
		die "cannot install Debian packages: ${missing[*]} (see $LOGS/apt-install.log)"
}

install_rust_tools() {
	command -v rustc >/dev/null || die "rustc not found (install Rust with rustup)"
	if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
		note "adding the rust-src component"
		logged "rustup component add rust-src" "$LOGS/rustup.log" \
			rustup component add rust-src
	fi
	# Static musl targets for the guest's test program (64- and 32-bit).
	for target in x86_64-unknown-linux-musl i686-unknown-linux-musl; do
		if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
			note "adding the Rust target $target"
			logged "rustup target add $target" "$LOGS/rustup.log" \
				rustup target add "$target"
		fi
	done
	# The crates of tools/pwm/ (pinned in its Cargo.lock), so that its
	# builds run offline.
	logged "cargo fetch (tools/pwm)" "$LOGS/cargo-fetch.log" \
		cargo fetch --locked --manifest-path "$TOP/tools/pwm/Cargo.toml"
	if [ "$(bindgen --version 2>/dev/null)" != "bindgen $BINDGEN_VERSION" ]; then
		note "building bindgen-cli $BINDGEN_VERSION (once)"
		logged "cargo install bindgen-cli $BINDGEN_VERSION" "$LOGS/bindgen.log" \
			cargo install --locked --root "$TOOLS" bindgen-cli \
			--version "$BINDGEN_VERSION"
	fi
}

# The mirror the machine already uses for Debian (DEBIAN_MIRROR overrides).
debian_mirror() {
	local uri=${DEBIAN_MIRROR:-}
	[ -n "$uri" ] && { echo "$uri"; return; }
	uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources |
		awk '{print $2}' | grep -v security | head -n 1)
	[ -n "$uri" ] || uri=$(grep -hs '^deb ' /etc/apt/sources.list |
		awk '{print $2}' | grep -v security | head -n 1)
	echo "${uri:-http://deb.debian.org/debian}"
}

fetch_base() {
	local apt=$BASE_DIR/apt deb tmp opts suite
	[ -f "$PRISTINE/.pwm-rs-base" ] && return 0

	mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache/archives/partial"
	cat >"$apt/parts/base.sources" <<-EOF
		Types: deb
		URIs: $(debian_mirror)
		Suites: trixie-backports sid
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	# Private apt state: the machine's own lists and status stay untouched.
	opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/parts"
		-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
		-o Dir::State::status=/dev/null -o Debug::NoLocking=1
		-o APT::Sandbox::User=root)
	note "fetching linux-source-$KERNEL_SERIES from Debian"
	# apt-get update exits 0 when a mirror is unreachable; its Err: lines tell.
	{ apt-get "${opts[@]}" update >"$LOGS/base-apt.log" 2>&1 &&
		! grep -q '^Err:' "$LOGS/base-apt.log"; } ||
		die "base kernel unreachable: apt-get update for trixie-backports/sid failed (see $LOGS/base-apt.log)"
	rm -f "$BASE_DIR"/linux-source-*.deb
	for suite in trixie-backports sid; do
		(cd "$BASE_DIR" && apt-get "${opts[@]}" download \
			"linux-source-$KERNEL_SERIES/$suite") >>"$LOGS/base-apt.log" 2>&1 && break
	done
	deb=$(find "$BASE_DIR" -maxdepth 1 -name "linux-source-${KERNEL_SERIES}_*.deb" | head -n 1)
	[ -n "$deb" ] ||
		die "base kernel unreachable: linux-source-$KERNEL_SERIES is in neither trixie-backports nor sid (see $LOGS/base-apt.log)"

	note "unpacking $(basename "$deb")"
	tmp=$BASE_DIR/unpack
	rm -rf "$tmp" "$PRISTINE"
	dpkg -x "$deb" "$tmp"
	mkdir -p "$PRISTINE"
	tar -xJf "$tmp/usr/src/linux-source-$KERNEL_SERIES.tar.xz" -C "$PRISTINE" \
		--strip-components=1 || die "could not unpack $deb"
	rm -rf "$tmp"
	dpkg-deb -f "$deb" Version >"$PRISTINE/.pwm-rs-base"
}

# KDIR: a user's own tree is used as the pristine base, read only.
use_kdir() {
	[ -f "$KDIR/Makefile" ] || die "KDIR=$KDIR is not a kernel tree"
	local v
	v=$(make -s -C "$KDIR" kernelversion 2>/dev/null)
	case $v in
	"$KERNEL_SERIES" | "$KERNEL_SERIES".*) ;;
	*) die "KDIR=$KDIR is Linux ${v:-unknown}, not $KERNEL_SERIES" ;;
	esac
	echo "$KDIR"
}

base_version() {
	if [ -n "${KDIR:-}" ]; then
		echo "Linux $(make -s -C "$KDIR" kernelversion) from KDIR=$KDIR"
	else
		echo "Linux $(make -s -C "$PRISTINE" kernelversion) (Debian linux-source-$KERNEL_SERIES $(cat "$PRISTINE/.pwm-rs-base"))"
	fi
}

install_packages
install_rust_tools
if [ -n "${KDIR:-}" ]; then
	use_kdir >/dev/null
else
	fetch_base
fi
note "base: $(base_version)"
