#!/usr/bin/env bash
# Installs the builds of Clerk's browser SDK (clerk-js and the prebuilt
# components, @clerk/ui) that Hallpass serves at
# /npm/@clerk/<package>@<version>/dist/…, where Clerk's React SDK loads
# them from the Frontend API host. The versions and their digests are
# pinned in scripts/clerk-js.pins; a tarball whose sha512 differs from the
# pin is refused and nothing is installed.
#
#   scripts/install-clerk-js.sh [DIR]
#
# DIR: where Hallpass looks (`frontend_api.clerk_js_dir`, default
# `<data_dir>/clerk-js`, i.e. hallpass-data/clerk-js). Needs curl (or
# NPM_TARBALL_DIR: a directory holding the .tgz files, for offline hosts),
# openssl and tar. NPM_REGISTRY overrides https://registry.npmjs.org.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pins="${CLERK_JS_PINS:-$here/clerk-js.pins}"
dir="${1:-${HALLPASS_CLERK_JS_DIR:-hallpass-data/clerk-js}}"
registry="${NPM_REGISTRY:-https://registry.npmjs.org}"
for tool in openssl tar; do
  command -v "$tool" >/dev/null || { echo "install-clerk-js: $tool is needed" >&2; exit 1; }
done
mkdir -p "$dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

while read -r name version integrity; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  base="${name#*/}"
  file="$base-$version.tgz"
  target="$dir/$name@$version"
  if [[ -f "$target/.integrity" && "$(cat "$target/.integrity")" == "$integrity" ]]; then
    echo "install-clerk-js: $name@$version is installed in $target"
    continue
  fi
  if [[ -n "${NPM_TARBALL_DIR:-}" ]]; then
    cp "$NPM_TARBALL_DIR/$file" "$work/$file"
  else
    command -v curl >/dev/null || { echo "install-clerk-js: curl is needed (or set NPM_TARBALL_DIR)" >&2; exit 1; }
    curl -fsSL --retry 3 -o "$work/$file" "$registry/$name/-/$file"
  fi
  got="sha512-$(openssl dgst -sha512 -binary "$work/$file" | openssl base64 -A)"
  if [[ "$got" != "$integrity" ]]; then
    echo "install-clerk-js: $file has digest $got, but $pins pins $integrity: refused, nothing installed" >&2
    exit 1
  fi
  mkdir -p "$work/$base"
  tar -xzf "$work/$file" -C "$work/$base" --no-same-owner --no-same-permissions package/dist
  # Type declarations are not served.
  rm -rf "$work/$base/package/dist/types"
  echo "$integrity" >"$work/$base/package/.integrity"
  mkdir -p "$(dirname "$target")"
  rm -rf "$target.tmp" && mv "$work/$base/package" "$target.tmp"
  rm -rf "$target" && mv "$target.tmp" "$target"
  echo "install-clerk-js: installed $name@$version ($(find "$target/dist" -type f | wc -l) files) in $target"
done <"$pins"
