#!/bin/sh
# Entrypoint of a self-hosted runner image managed by `ci-bot fleet`
# (README: "Deploying a runner fleet and a host"). The contract:
#   entrypoint.sh receive-token   the fleet runs this through `docker exec`
#                                 with the registration token on stdin; it
#                                 lands in the tmpfs the fleet mounts
#   entrypoint.sh                 configure once with that token, then run
# The token never appears in argv (`ps`), in the container's environment
# (`docker inspect`) or in a log. Tested by crates/fleet/tests/entrypoint.rs.
set -eu
token_file=${CI_BOT_RUNNER_TOKEN_FILE:-/run/ci-bot/registration-token}
runner_home=${RUNNER_HOME:-/home/runner}

if [ "${1:-}" = receive-token ]; then
  umask 077
  IFS= read -r token
  [ -n "$token" ] || { echo "receive-token: no token on stdin" >&2; exit 1; }
  printf '%s' "$token" > "$token_file.tmp"
  mv "$token_file.tmp" "$token_file"
  exit 0
fi

cd "$runner_home"
if [ ! -f .runner ]; then
  # First start of this container: wait for the fleet to hand the token over.
  i=0
  until [ -s "$token_file" ]; do
    i=$((i + 1))
    [ "$i" -le "${CI_BOT_RUNNER_TOKEN_WAIT_SECS:-300}" ] || { echo "no registration token at $token_file" >&2; exit 1; }
    sleep 1
  done
  # GitHub's runner reads any config option from ACTIONS_RUNNER_INPUT_<NAME>:
  # the token stays out of argv. Used once, then deleted.
  ACTIONS_RUNNER_INPUT_TOKEN=$(cat "$token_file")
  rm -f "$token_file"
  export ACTIONS_RUNNER_INPUT_TOKEN
  ./config.sh --unattended --replace --url "$CI_BOT_RUNNER_URL" \
    --name "$CI_BOT_RUNNER_NAME" --labels "$CI_BOT_RUNNER_LABELS" --work _work
  unset ACTIONS_RUNNER_INPUT_TOKEN
fi
exec ./run.sh
