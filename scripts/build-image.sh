#!/usr/bin/env bash
# Build the `ci-bot` release binary statically linked (glibc, crt-static) and
# the scratch image around it.
#
#   scripts/build-image.sh [IMAGE]    default IMAGE: ghcr.io/bingxche/sglang-ci-bot:v1
#
# The image is also tagged `sglang-ci-bot:local`. The action.yml files refer
# to ghcr.io/bingxche/sglang-ci-bot:v1, so a local build under that tag is what
# `act --pull=false` runs (see tests/e2e/act-e2e.sh). Publishing: docs/publishing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

image=${1:-${CI_BOT_IMAGE:-ghcr.io/bingxche/sglang-ci-bot:v1}}
target=x86_64-unknown-linux-gnu
bin=target/$target/release/ci-bot

# --target keeps RUSTFLAGS away from build scripts and proc macros (they stay
# dynamic host programs) and keeps this build apart from target/release.
# --no-default-features: the image's ci-bot has no `demo`, so it does not
# link the fake GitHub. The fake's own binary (fake-github, for the act
# end-to-end test on the host) comes from the same build.
echo "build-image: cargo build --release --target $target (crt-static, no demo) -p ci-bot -p fake-github"
# CI builds exactly Cargo.lock; a developer's tree may be mid-change.
locked=()
[ "${CI:-}" = true ] && locked=(--locked)
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
  cargo build --release "${locked[@]}" --target "$target" --no-default-features -p ci-bot -p fake-github

# A dynamic binary would start and then fail in scratch with a confusing
# "no such file or directory"; refuse it here instead.
if ldd "$bin" 2>&1 | grep -q '=>'; then
  echo "build-image: $bin is dynamically linked; refusing to put it in a scratch image" >&2
  ldd "$bin" >&2 || true
  exit 1
fi

# The production binary must not carry the fake GitHub (the `demo` feature).
if "$bin" demo --help >/dev/null 2>&1 || grep -q 'fake_github' "$bin"; then
  echo "build-image: $bin links the fake GitHub (built with the demo feature?); refusing it" >&2
  exit 1
fi

ca=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
if [ ! -s "$ca" ]; then
  echo "build-image: no CA bundle at $ca (Debian: apt-get install ca-certificates)" >&2
  exit 1
fi

rm -rf target/image
mkdir -p target/image/tmp
chmod 1777 target/image/tmp
cp "$bin" target/image/ci-bot
# The release profile keeps line tables for local backtraces; in the image
# they would triple its size. Symbols stay, so a backtrace still names functions.
if command -v strip >/dev/null 2>&1; then strip --strip-debug target/image/ci-bot; fi
cp "$ca" target/image/ca-certificates.crt

echo "build-image: docker build -t $image"
old=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
DOCKER_BUILDKIT=0 docker build --quiet -t "$image" -t sglang-ci-bot:local -f Dockerfile . >/dev/null
# Drop the image this tag pointed at before, so rebuilds leave no dangling copies.
if [ -n "$old" ] && [ "$old" != "$(docker image inspect --format '{{.Id}}' "$image")" ]; then
  docker rmi "$old" >/dev/null 2>&1 || true
fi
docker run --rm "$image" --version
size=$(docker image inspect "$image" --format '{{.Size}}')
echo "build-image: $image: $(( size / 1024 )) KiB (binary in the image $(( $(stat -c %s target/image/ci-bot) / 1024 )) KiB)"
