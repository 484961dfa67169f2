#!/usr/bin/env python3
"""Assert on what the fake GitHub holds after the act end-to-end runs.

Reads the state through the same REST routes the bot uses (issues and their
comments), so a check passes only if GitHub "now holds" the right thing:

    check_state.py --api URL monitor --date D --workflows a.yml,b.yml --jobs 1,2 \
        --tracker "[Failure Tracker] X" --save snap.json
    check_state.py --api URL monitor ... --same-as snap.json    # a 2nd tick
    check_state.py --api URL analyze --run 880003
    check_state.py --api URL post-comment --pr 42 --token T --body "@ci-bot ci-status"
    check_state.py --api URL dispatches --pr 42 --count 1 --event-out event.json
    check_state.py --api URL ci-status --pr 42 --heading "…" --save s.json | --same-as s.json

Markers are the old bot's (docs: seed spec §3), which every renderer must keep;
the PR side's are docs/pr.md's. `post-comment` plays a user commenting (the
token names who); `dispatches` also writes the repository_dispatch event file
act hands the bot repo's workflow.
Prints one `ok:` line per assertion; exits 1 on the first failed one.
"""
import argparse
import json
import sys
import urllib.request

BOT_REPO = "bingxche/sglang-ci-bot"
TARGET_REPO = "sgl-project/sglang"


def get(api, path):
    """GET every page of a list route (Link: rel="next")."""
    url, items = f"{api}{path}", []
    while url:
        req = urllib.request.Request(url, headers={
            "Authorization": "token e2e-fake-token",
            "Accept": "application/vnd.github+json",
        })
        with urllib.request.urlopen(req, timeout=10) as resp:
            page = json.load(resp)
            link = resp.headers.get("Link", "")
        items.extend(page if isinstance(page, list) else [page])
        url = None
        for part in link.split(","):
            if 'rel="next"' in part:
                url = part[part.index("<") + 1:part.index(">")]
    return items


def issues(api, repo):
    # Pull requests are issues too on GitHub; the bot writes none.
    return [i for i in get(api, f"/repos/{repo}/issues?state=all&per_page=100")
            if "pull_request" not in i]


def comments(api, repo, number):
    return get(api, f"/repos/{repo}/issues/{number}/comments?per_page=100")


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def monitor(args):
    title = f"[CI Monitor] Daily Report - {args.date}"
    bot_issues = issues(args.api, BOT_REPO)
    daily = [i for i in bot_issues if i["title"] == title]
    check(len(daily) == 1, f"exactly one daily issue {title!r} in {BOT_REPO} "
          f"(found {len(daily)}; all titles: {[i['title'] for i in bot_issues]})")
    daily = daily[0]
    check(daily["state"] == "open", f"daily issue #{daily['number']} is open")
    body = daily.get("body") or ""
    check("<!-- daily-cross-workflow-summary:start -->" in body
          and "<!-- daily-cross-workflow-summary:end -->" in body,
          "daily issue body has the summary block markers")

    cs = comments(args.api, BOT_REPO, daily["number"])
    snapshot = {"daily": daily["number"], "comments": {}, "trackers": {}}
    for wf in args.workflows:
        mine = [c for c in cs if f"## `{wf}`" in c["body"]
                and "<!-- processed_job_ids:" in c["body"]]
        check(len(mine) >= 1, f"daily issue has a per-workflow comment for {wf} "
              f"({len(mine)} part(s))")
        firsts = [c for c in mine if "<!-- ci-monitor-part: 1/" in c["body"]]
        check(len(firsts) == 1, f"{wf}: exactly one part-1 comment (found {len(firsts)})")
        snapshot["comments"][wf] = sorted(c["id"] for c in mine)
    processed = " ".join(c["body"] for c in cs)
    for job in args.jobs:
        check(f"data-job-id=\"{job}\"" in processed,
              f"failed job {job} has a per-job block on the daily issue")
    for job in args.green_jobs:
        check(f"data-job-id=\"{job}\"" not in processed,
              f"successful job {job} has no per-job block")

    if args.tracker:
        target = issues(args.api, TARGET_REPO)
        tr = [i for i in target if i["title"] == args.tracker]
        check(len(tr) == 1, f"exactly one tracker issue {args.tracker!r} in {TARGET_REPO} "
              f"(found {len(tr)})")
        tbody = tr[0].get("body") or ""
        check("<!-- ci-failure-tracker:start -->" in tbody
              and "<!-- ci-failure-tracker:end -->" in tbody,
              f"tracker #{tr[0]['number']} body has its frame markers")
        check("<!-- ci-bot:tracker-state v=" in tbody,
              f"tracker #{tr[0]['number']} holds its versioned state block")
        snapshot["trackers"][args.tracker] = tr[0]["number"]

    if args.same_as:
        before = json.load(open(args.same_as))
        check(before == snapshot, "second tick is idempotent: same daily issue, same "
              f"comment ids, same trackers ({json.dumps(snapshot)})")
    if args.save:
        json.dump(snapshot, open(args.save, "w"))


def analyze(args):
    bot_issues = issues(args.api, BOT_REPO)
    mine = [i for i in bot_issues if i["title"].startswith("[Analyze]")]
    check(len(mine) == 1, f"exactly one [Analyze] issue in {BOT_REPO} "
          f"(titles: {[i['title'] for i in mine]})")
    text = (mine[0].get("body") or "") + " ".join(
        c["body"] for c in comments(args.api, BOT_REPO, mine[0]["number"]))
    check(str(args.run) in text, f"[Analyze] #{mine[0]['number']} links run {args.run}")


def fake_state(api):
    with urllib.request.urlopen(f"{api}/_fake/state", timeout=10) as resp:
        return json.load(resp)


def ci_status_dispatches(api):
    """The repository_dispatch events the fake recorded for the bot repo."""
    return [d for d in fake_state(api).get("dispatches", [])
            if d.get("kind") == "repository" and d.get("repo", "").lower() == BOT_REPO.lower()
            and d.get("event_type") == "ci-status"]


def post_comment(args):
    """Comment on a pull request as the user the token plays; prints the id."""
    req = urllib.request.Request(
        f"{args.api}/repos/{TARGET_REPO}/issues/{args.pr}/comments",
        data=json.dumps({"body": args.body}).encode(), method="POST",
        headers={"Authorization": f"token {args.token}", "Content-Type": "application/json",
                 "Accept": "application/vnd.github+json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        print(json.load(resp)["id"])


def dispatches(args):
    ds = ci_status_dispatches(args.api)
    check(len(ds) == args.count, f"exactly {args.count} repository_dispatch `ci-status` to {BOT_REPO} "
          f"(found {len(ds)})")
    payload = ds[-1]["client_payload"]
    check(all(isinstance(v, str) for v in payload.values()),
          f"the dispatch payload's values are strings ({json.dumps(payload)})")
    check(payload.get("pr_number") == str(args.pr) and payload.get("command") == "ci-status",
          f"the dispatch asks for ci-status of #{args.pr}")
    if args.comment:
        check(payload.get("comment_id") == args.comment, f"the newest dispatch is for comment {args.comment}")
    # The event file act hands the bot repo's workflow, as GitHub would.
    json.dump({"action": "ci-status", "client_payload": payload,
               "repository": {"full_name": BOT_REPO}}, open(args.event_out, "w"))


def ci_status(args):
    marker = f"<!-- ci-bot:ci-status v=2 pr={args.pr} -->"
    mine = [c for c in comments(args.api, TARGET_REPO, args.pr) if marker in c["body"]]
    check(len(mine) == 1, f"exactly one ci-status comment on #{args.pr} (found {len(mine)})")
    c = mine[0]
    heading = next((l for l in c["body"].splitlines() if l.startswith("## ")), "")
    if args.heading:
        check(args.heading in heading, f"its heading says {args.heading!r}: {heading!r}")
    if args.same_as:
        before = json.load(open(args.same_as))
        check(before["id"] == c["id"], f"the same comment {c['id']} was updated in place")
        check(before["body"] != c["body"], "its body changed with the pull request's CI")
    if args.save:
        json.dump({"id": c["id"], "body": c["body"]}, open(args.save, "w"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api", required=True)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("monitor")
    m.add_argument("--date", required=True)
    m.add_argument("--workflows", type=lambda s: s.split(","), required=True)
    m.add_argument("--jobs", type=lambda s: s.split(","), default=[])
    m.add_argument("--green-jobs", type=lambda s: s.split(","), default=[])
    m.add_argument("--tracker")
    m.add_argument("--save")
    m.add_argument("--same-as")
    a = sub.add_parser("analyze")
    a.add_argument("--run", required=True)
    c = sub.add_parser("post-comment")
    c.add_argument("--pr", type=int, required=True)
    c.add_argument("--token", required=True)
    c.add_argument("--body", required=True)
    d = sub.add_parser("dispatches")
    d.add_argument("--pr", type=int, required=True)
    d.add_argument("--count", type=int, required=True)
    d.add_argument("--comment", help="the comment the newest dispatch answers")
    d.add_argument("--event-out", required=True)
    s = sub.add_parser("ci-status")
    s.add_argument("--pr", type=int, required=True)
    s.add_argument("--heading")
    s.add_argument("--save")
    s.add_argument("--same-as")
    args = p.parse_args()
    {"monitor": monitor, "analyze": analyze, "post-comment": post_comment,
     "dispatches": dispatches, "ci-status": ci_status}[args.cmd](args)


if __name__ == "__main__":
    main()
