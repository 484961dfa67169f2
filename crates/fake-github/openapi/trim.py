#!/usr/bin/env python3
"""Cut the operations the fake serves out of GitHub's OpenAPI description.

Usage: trim.py /path/to/api.github.com.json.gz > subset.json
(re-run when the fake serves a new route; keep PATHS in step with
crates/fake-github/src/api/mod.rs). Source: github/rest-api-description
(MIT, see LICENSE). Descriptions and examples are dropped to keep it small.
"""
import gzip, json, sys

PATHS = [
    "/repos/{owner}/{repo}",
    "/repos/{owner}/{repo}/actions/workflows",
    "/repos/{owner}/{repo}/actions/workflows/{workflow_id}",
    "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
    "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
    "/repos/{owner}/{repo}/actions/runs",
    "/repos/{owner}/{repo}/actions/runs/{run_id}",
    "/repos/{owner}/{repo}/actions/runs/{run_id}/jobs",
    "/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs",
    "/repos/{owner}/{repo}/actions/runs/{run_id}/logs",
    "/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs",
    "/repos/{owner}/{repo}/actions/jobs/{job_id}",
    "/repos/{owner}/{repo}/actions/jobs/{job_id}/logs",
    "/repos/{owner}/{repo}/dispatches",
    "/repos/{owner}/{repo}/actions/runners",
    "/repos/{owner}/{repo}/actions/runners/{runner_id}",
    "/repos/{owner}/{repo}/actions/runners/registration-token",
    "/repos/{owner}/{repo}/issues",
    "/repos/{owner}/{repo}/issues/{issue_number}",
    "/repos/{owner}/{repo}/issues/{issue_number}/comments",
    "/repos/{owner}/{repo}/issues/{issue_number}/labels",
    "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
    "/repos/{owner}/{repo}/issues/{issue_number}/reactions",
    "/repos/{owner}/{repo}/issues/comments",
    "/repos/{owner}/{repo}/issues/comments/{comment_id}",
    "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
    "/repos/{owner}/{repo}/labels",
    "/repos/{owner}/{repo}/labels/{name}",
    "/repos/{owner}/{repo}/pulls",
    "/repos/{owner}/{repo}/pulls/{pull_number}",
    "/repos/{owner}/{repo}/pulls/{pull_number}/files",
    "/repos/{owner}/{repo}/contents/{path}",
    "/repos/{owner}/{repo}/collaborators/{username}/permission",
    "/repos/{owner}/{repo}/compare/{basehead}",
    "/repos/{owner}/{repo}/commits/{commit_sha}/pulls",
    "/orgs/{org}/teams/{team_slug}/memberships/{username}",
    "/search/issues",
    "/rate_limit",
    "/user",
    "/repos/{owner}/{repo}/installation",
    "/app",
    "/app/installations/{installation_id}/access_tokens",
]
DROP = {"description", "examples", "example", "x-github", "summary", "externalDocs", "x-githubEnterpriseOverlays"}

def strip(v, names=False):
    # Inside `properties` the keys are field names (e.g. a `description`
    # field), not schema keywords: keep them all.
    if isinstance(v, dict):
        return {k: strip(x, k == "properties" and not names) for k, x in v.items() if names or k not in DROP}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v

def refs(v, out):
    if isinstance(v, dict):
        r = v.get("$ref")
        if isinstance(r, str):
            out.add(r)
        for x in v.values():
            refs(x, out)
    elif isinstance(v, list):
        for x in v:
            refs(x, out)

def main():
    full = json.load(gzip.open(sys.argv[1]))
    paths = {p: strip(full["paths"][p]) for p in PATHS}
    comps = {}
    todo = set()
    refs(paths, todo)
    seen = set()
    while todo:
        r = todo.pop()
        if r in seen:
            continue
        seen.add(r)
        _, _, kind, name = r.split("/", 3)
        node = strip(full["components"][kind][name])
        comps.setdefault(kind, {})[name] = node
        refs(node, todo)
    json.dump({"openapi": full["openapi"], "info": {"title": full["info"]["title"], "version": full["info"]["version"]},
               "paths": paths, "components": comps}, sys.stdout, sort_keys=True, separators=(",", ":"))

main()
