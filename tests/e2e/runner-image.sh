#!/usr/bin/env bash
# Build the job-container image act runs the workflows' jobs in:
# `sglang-ci-bot-e2e-runner:local`, a few MiB of the host's own bash and
# coreutils with their shared libraries, imported with `docker import`.
#
# Why not the usual ways:
# - runner images (catthehacker/ubuntu, node:…) cannot be pulled here: the
#   build machines reach no container registry;
# - `act -P ubuntu-latest=-self-hosted` runs the steps on the host, but act
#   0.2.x then hands docker actions the host paths of GITHUB_OUTPUT/GITHUB_ENV,
#   which do not exist inside the action's container, so no action output
#   ever arrives (and the action container lands on the default bridge, not
#   the host network).
# In a job container, act shares /var/run/act and the workspace with each
# docker action's container and puts it in the job's (host) network, just as
# the GitHub runner shares /github/*. The workflows' own `run:` steps need only
# bash, grep, tr and printf, which this image has.
set -euo pipefail

tag=${1:-sglang-ci-bot-e2e-runner:local}
tools="bash sh cat mkdir ls rm cp mv chmod env tr sed grep head tail sleep date id uname
       touch tee wc cut sort dirname basename printf echo test true false mktemp"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/bin" "$root/tmp" "$root/etc" "$root/lib64"
chmod 1777 "$root/tmp"
for t in $tools; do
  path=$(type -P "$t") || { echo "runner-image: host has no $t" >&2; exit 1; }
  real=$(readlink -f "$path")
  cp "$real" "$root/usr/bin/$t"
  # ldd prints "libx.so => /path (addr)" and the loader as "/lib64/ld-… (addr)".
  for lib in $(ldd "$real" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
done
ln -s usr/bin "$root/bin"
echo "root:x:0:0:root:/root:/bin/bash" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
mkdir -p "$root/root"

old=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
tar -C "$root" -c . | docker import - "$tag" >/dev/null
# Each import is a new image; drop the one this tag pointed at before.
new=$(docker image inspect --format '{{.Id}}' "$tag")
if [ -n "$old" ] && [ "$old" != "$new" ]; then docker rmi "$old" >/dev/null 2>&1 || true; fi
echo "runner-image: $tag ($(du -sh "$root" | cut -f1))"
