#!/usr/bin/env bash
# Builds the root file system of lookout's container image into OUT (default
# target/image-root): OUT/lookout, the release binary statically linked against glibc
# (crt-static) for the build machine's own target so that it runs in an empty image, and
# OUT/etc with what such an image needs (CA bundle, nsswitch.conf, a non-root user).
# The Dockerfile's build stage and .ci/run both run this script.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/image-root}"
target="$(rustc -vV | sed -n 's/^host: //p')"
# The flag goes through --target so that build scripts and proc macros stay dynamic.
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
  cargo build --release --locked --bin lookout --target "$target"
mkdir -p "$out/etc/ssl/certs"
cp "target/$target/release/lookout" "$out/lookout"
cp /etc/ssl/certs/ca-certificates.crt "$out/etc/ssl/certs/"
printf 'hosts: files dns\n' >"$out/etc/nsswitch.conf"
printf 'root:x:0:0:root:/root:/sbin/nologin\nlookout:x:65532:65532:lookout:/home/lookout:/sbin/nologin\n' >"$out/etc/passwd"
printf 'root:x:0:\nlookout:x:65532:\n' >"$out/etc/group"
echo "image root in $out ($target, static)"
