# The image every action in actions/ runs: one statically linked `ci-bot`
# binary on an empty base, plus the CA bundle for anything that reads the
# system store (rustls uses its compiled-in webpki roots, so this is only a
# fallback).
#
# The binary is built on the host, not in a builder stage: the build machines
# of this project reach no container registry, so there is no `rust:` image to
# start from, and one host build serves the tests, the scorer and the image.
# `scripts/build-image.sh` builds the binary, stages it under target/image/
# and runs `docker build`; .dockerignore keeps the context to that directory.
#
#   scripts/build-image.sh                # -> ghcr.io/bingxche/sglang-ci-bot:v1
#   docker run --rm ghcr.io/bingxche/sglang-ci-bot:v1 --version
FROM scratch

LABEL org.opencontainers.image.title="sglang-ci-bot" \
      org.opencontainers.image.description="CI failure monitor and triage bot (GitHub Actions)" \
      org.opencontainers.image.source="https://github.com/bingxche/sglang-ci-bot" \
      org.opencontainers.image.licenses="Apache-2.0"

COPY target/image/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# An empty /tmp (mode 1777): scratch has none, and temp files must not fail.
COPY target/image/tmp /tmp
COPY target/image/ci-bot /usr/local/bin/ci-bot

ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PATH=/usr/local/bin

# The runner appends the action's `args` (the subcommand) to this.
ENTRYPOINT ["/usr/local/bin/ci-bot"]
