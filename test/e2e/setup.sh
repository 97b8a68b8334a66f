#!/usr/bin/env bash
# Installs what the extension-host and end-to-end suites need on a fresh Debian/Ubuntu machine:
# chromium + ripgrep (+ build tools when code-server's native modules must be built), and
# code-server 4.100.3 in test/e2e/node_modules from the committed lockfile.
# Idempotent: a fast no-op when everything is present. Needs only apt and the npm registry
# (see the shared notes, e2e-in-real-vscode.md for why each step is here).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[e2e setup] %s\n' "$*"; }

vscode_modules="$here/node_modules/code-server/lib/vscode/node_modules"
code_server_ready() {
	[[ -x "$here/node_modules/.bin/code-server" ]] &&
		[[ -f "$vscode_modules/node-pty/build/Release/pty.node" ]] &&
		[[ -x "$vscode_modules/@vscode/ripgrep/bin/rg" ]] &&
		[[ -d "$here/node_modules/code-server/lib/vscode/extensions/node_modules" ]] &&
		# A lockfile newer than the install means someone changed the pinned versions.
		[[ ! "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]]
}

# 1. System packages, only those missing.
need_install=0
code_server_ready || need_install=1
missing=()
[[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]] || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
if ((need_install)); then
	# node-pty, spdlog, kerberos, argon2… are built from source during the install.
	{ command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1; } || missing+=(build-essential)
	command -v python3 >/dev/null 2>&1 || missing+=(python3)
	command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
	dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
fi
if ((${#missing[@]})); then
	log "apt packages missing: ${missing[*]}"
	sudo=()
	if [[ "$(id -u)" != 0 ]]; then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			sudo=(sudo -n)
		else
			log "not root and no password-less sudo: install them yourself (apt-get install -y ${missing[*]}) and re-run"
			exit 1
		fi
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -q
	"${sudo[@]}" apt-get install -y -q "${missing[@]}"
else
	log "apt packages: present"
fi

if ! ((need_install)); then
	log "code-server: $(node -p "require('$here/node_modules/code-server/package.json').version") present in test/e2e/node_modules"
	log "ready"
	exit 0
fi

# 2. @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here, and its failure
# rolls back the whole install. Seed its download cache with the system rg (name must be exactly this).
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
rg_tarball="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [[ "$(uname -m)" == x86_64 && ! -s "$rg_tarball" ]]; then
	log "seeding the ripgrep download cache from $(command -v rg)"
	pack="$(mktemp -d)"
	mkdir -p "$rg_cache"
	cp "$(command -v rg)" "$pack/rg"
	tar czf "$rg_tarball" -C "$pack" rg
	rm -rf "$pack"
fi

# 3. code-server from the lockfile (1-3 min: native modules are compiled).
# unsafe_perm: code-server's postinstall refuses to run as root without it.
# nodedir: build against the local Node headers instead of downloading them.
# yes: node-pty's postinstall calls npx, which must not prompt (CI has no stdin).
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
node_prefix="$(node -p "require('path').resolve(process.execPath, '..', '..')")"
if [[ -f "$node_prefix/include/node/node.h" ]]; then
	export npm_config_nodedir="$node_prefix"
else
	log "warning: no Node headers under $node_prefix/include/node; node-gyp will try to download them"
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [[ "$major" != 20 ]]; then
	log "code-server 4.100.3 needs Node 20 (found $(node -v))"
	exit 1
fi
log "installing code-server 4.100.3 into test/e2e/node_modules (npm ci; builds native modules, 1-3 min)"
started=$SECONDS
# allowScripts in package.json approves code-server's and argon2's install scripts (npm 11 skips
# unapproved ones); code-server's postinstall then runs the nested installs in lib/vscode itself.
(cd "$here" && npm ci --no-audit --no-fund --loglevel=warn)
if ! code_server_ready; then
	log "code-server installed but incomplete (missing pty.node, rg or the built-in extensions' modules)"
	exit 1
fi
log "code-server: $(node -p "require('$here/node_modules/code-server/package.json').version") installed in $((SECONDS - started)) s"
log "ready"
