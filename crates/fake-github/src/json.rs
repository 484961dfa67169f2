//! GitHub's JSON shapes, built from the world.
//!
//! Every field GitHub's OpenAPI marks required is present (the schema test
//! enforces it) and ids are numbers, timestamps are `Z`-suffixed, `url`s are
//! absolute API URLs on the fake and `html_url`s point at github.com, so
//! octocrab's models and any bot code written against real payloads parse
//! them unchanged.

use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::state::{Comment, Issue, Job, Label, Reaction, Repo, Run, Workflow, World};

pub const HTML: &str = "https://github.com";

pub fn ts(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn ots(t: &Option<DateTime<Utc>>) -> Value {
    t.as_ref().map(|t| Value::String(ts(t))).unwrap_or(Value::Null)
}

pub fn node_id(kind: &str, id: u64) -> String {
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(format!("{kind}:{id}"))
}

/// A stable numeric id for a login (GitHub users exist independently of
/// our world; tests only need the id to be stable).
pub fn user_id(login: &str) -> u64 {
    let mut h: u64 = 1469598103934665603;
    for b in login.to_lowercase().bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(1099511628211);
    }
    h % 90_000_000 + 1_000
}

pub fn user(api: &str, login: &str) -> Value {
    let id = user_id(login);
    let kind = if login.ends_with("[bot]") { "Bot" } else { "User" };
    let u = format!("{api}/users/{login}");
    json!({
        "login": login,
        "id": id,
        "node_id": node_id("User", id),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "gravatar_id": "",
        "url": u,
        "html_url": format!("{HTML}/{login}"),
        "followers_url": format!("{u}/followers"),
        "following_url": format!("{u}/following{{/other_user}}"),
        "gists_url": format!("{u}/gists{{/gist_id}}"),
        "starred_url": format!("{u}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{u}/subscriptions"),
        "organizations_url": format!("{u}/orgs"),
        "repos_url": format!("{u}/repos"),
        "events_url": format!("{u}/events{{/privacy}}"),
        "received_events_url": format!("{u}/received_events"),
        "type": kind,
        "user_view_type": "public",
        "site_admin": false,
    })
}

/// The full `repository` shape (a superset of `minimal-repository`).
pub fn repo(api: &str, r: &Repo) -> Value {
    let full = r.full_name();
    let u = format!("{api}/repos/{full}");
    let open = r.issues.values().filter(|i| i.state == "open").count();
    let mut v = json!({
        "id": r.id,
        "node_id": node_id("Repository", r.id),
        "name": r.name,
        "full_name": full,
        "owner": user(api, &r.owner),
        "private": r.private,
        "html_url": format!("{HTML}/{full}"),
        "description": null,
        "fork": false,
        "url": u,
        "homepage": null,
        "language": null,
        "forks": 0,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 0,
        "default_branch": r.default_branch,
        "open_issues": open,
        "open_issues_count": open,
        "is_template": false,
        "topics": [],
        "has_issues": true,
        "has_projects": false,
        "has_wiki": false,
        "has_pages": false,
        "has_downloads": true,
        "has_discussions": false,
        "archived": false,
        "disabled": false,
        "visibility": if r.private { "private" } else { "public" },
        "pushed_at": ts(&Utc::now()),
        "created_at": ts(&r.created_at),
        "updated_at": ts(&r.created_at),
        "license": null,
        "mirror_url": null,
        "git_url": format!("git://github.com/{full}.git"),
        "ssh_url": format!("git@github.com:{full}.git"),
        "clone_url": format!("{HTML}/{full}.git"),
        "svn_url": format!("{HTML}/{full}"),
        "allow_forking": true,
        "web_commit_signoff_required": false,
    });
    let templ = [
        ("archive_url", "/{archive_format}{/ref}"),
        ("assignees_url", "/assignees{/user}"),
        ("blobs_url", "/git/blobs{/sha}"),
        ("branches_url", "/branches{/branch}"),
        ("collaborators_url", "/collaborators{/collaborator}"),
        ("comments_url", "/comments{/number}"),
        ("commits_url", "/commits{/sha}"),
        ("compare_url", "/compare/{base}...{head}"),
        ("contents_url", "/contents/{+path}"),
        ("contributors_url", "/contributors"),
        ("deployments_url", "/deployments"),
        ("downloads_url", "/downloads"),
        ("events_url", "/events"),
        ("forks_url", "/forks"),
        ("git_commits_url", "/git/commits{/sha}"),
        ("git_refs_url", "/git/refs{/sha}"),
        ("git_tags_url", "/git/tags{/sha}"),
        ("hooks_url", "/hooks"),
        ("issue_comment_url", "/issues/comments{/number}"),
        ("issue_events_url", "/issues/events{/number}"),
        ("issues_url", "/issues{/number}"),
        ("keys_url", "/keys{/key_id}"),
        ("labels_url", "/labels{/name}"),
        ("languages_url", "/languages"),
        ("merges_url", "/merges"),
        ("milestones_url", "/milestones{/number}"),
        ("notifications_url", "/notifications{?since,all,participating}"),
        ("pulls_url", "/pulls{/number}"),
        ("releases_url", "/releases{/id}"),
        ("stargazers_url", "/stargazers"),
        ("statuses_url", "/statuses/{sha}"),
        ("subscribers_url", "/subscribers"),
        ("subscription_url", "/subscription"),
        ("tags_url", "/tags"),
        ("teams_url", "/teams"),
        ("trees_url", "/git/trees{/sha}"),
    ];
    let obj = v.as_object_mut().expect("object");
    for (k, suffix) in templ {
        obj.insert(k.into(), Value::String(format!("{u}{suffix}")));
    }
    v
}

pub fn workflow(api: &str, r: &Repo, w: &Workflow) -> Value {
    let full = r.full_name();
    let file = w.path.rsplit('/').next().unwrap_or(&w.path);
    json!({
        "id": w.id,
        "node_id": node_id("Workflow", w.id),
        "name": w.name,
        "path": w.path,
        "state": w.state,
        "created_at": ts(&w.created_at),
        "updated_at": ts(&w.updated_at),
        "url": format!("{api}/repos/{full}/actions/workflows/{}", w.id),
        "html_url": format!("{HTML}/{full}/blob/{}/{}", r.default_branch, w.path),
        "badge_url": format!("{HTML}/{full}/workflows/{file}/badge.svg"),
    })
}

pub fn run(api: &str, r: &Repo, run: &Run) -> Value {
    let full = r.full_name();
    let u = format!("{api}/repos/{full}/actions/runs/{}", run.id);
    let repo_min = repo(api, r);
    let prs: Vec<Value> = run
        .pull_requests
        .iter()
        .filter_map(|n| r.issues.get(n))
        .filter_map(|i| i.pull.as_ref().map(|p| (i, p)))
        .map(|(i, p)| {
            json!({
                "id": i.id,
                "number": i.number,
                "url": format!("{api}/repos/{full}/pulls/{}", i.number),
                "head": {"ref": p.head_ref, "sha": p.head_sha, "repo": {"id": r.id, "url": format!("{api}/repos/{full}"), "name": r.name}},
                "base": {"ref": p.base_ref, "sha": p.base_sha, "repo": {"id": r.id, "url": format!("{api}/repos/{full}"), "name": r.name}},
            })
        })
        .collect();
    json!({
        "id": run.id,
        "name": run.name,
        "node_id": node_id("WorkflowRun", run.id),
        "check_suite_id": run.id + 7,
        "check_suite_node_id": node_id("CheckSuite", run.id + 7),
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": run.path,
        "display_title": run.display_title,
        "run_number": run.run_number,
        "event": run.event,
        "status": run.status,
        "conclusion": run.conclusion,
        "workflow_id": run.workflow_id,
        "url": u,
        "html_url": format!("{HTML}/{full}/actions/runs/{}", run.id),
        "pull_requests": prs,
        "created_at": ts(&run.created_at),
        "updated_at": ts(&run.updated_at),
        "run_started_at": ts(&run.run_started_at),
        "run_attempt": run.run_attempt,
        "referenced_workflows": [],
        "actor": user(api, &run.actor),
        "triggering_actor": user(api, &run.actor),
        "jobs_url": format!("{u}/jobs"),
        "logs_url": format!("{u}/logs"),
        "check_suite_url": format!("{api}/repos/{full}/check-suites/{}", run.id + 7),
        "artifacts_url": format!("{u}/artifacts"),
        "cancel_url": format!("{u}/cancel"),
        "rerun_url": format!("{u}/rerun"),
        "previous_attempt_url": if run.run_attempt > 1 { Value::String(format!("{u}/attempts/{}", run.run_attempt - 1)) } else { Value::Null },
        "workflow_url": format!("{api}/repos/{full}/actions/workflows/{}", run.workflow_id),
        "head_commit": {
            "id": run.head_sha,
            "tree_id": crate::state::sha_of(&format!("tree{}", run.head_sha)),
            "message": run.display_title,
            "timestamp": ts(&run.created_at),
            "author": {"name": run.actor, "email": format!("{}@users.noreply.github.com", run.actor)},
            "committer": {"name": "GitHub", "email": "noreply@github.com"},
        },
        "repository": repo_min,
        "head_repository": repo(api, r),
        "head_repository_id": r.id,
    })
}

pub fn job(api: &str, r: &Repo, j: &Job) -> Value {
    let full = r.full_name();
    let run = r.runs.get(&j.run_id);
    let steps: Vec<Value> = j
        .steps
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "status": s.status,
                "conclusion": s.conclusion,
                "number": s.number,
                "started_at": ots(&s.started_at),
                "completed_at": ots(&s.completed_at),
            })
        })
        .collect();
    let runner_id = (j.status != "queued").then_some(1u64 + j.id % 97);
    json!({
        "id": j.id,
        "run_id": j.run_id,
        "workflow_name": run.map(|x| x.name.clone()),
        "head_branch": run.map(|x| x.head_branch.clone()),
        "run_url": format!("{api}/repos/{full}/actions/runs/{}", j.run_id),
        "run_attempt": j.run_attempt,
        "node_id": node_id("CheckRun", j.id),
        "head_sha": run.map(|x| x.head_sha.clone()).unwrap_or_default(),
        "url": format!("{api}/repos/{full}/actions/jobs/{}", j.id),
        "html_url": format!("{HTML}/{full}/actions/runs/{}/job/{}", j.run_id, j.id),
        "status": j.status,
        "conclusion": j.conclusion,
        "created_at": ts(&j.created_at),
        "started_at": ts(&j.started_at),
        "completed_at": ots(&j.completed_at),
        "name": j.name,
        "steps": steps,
        "check_run_url": format!("{api}/repos/{full}/check-runs/{}", j.id),
        "labels": j.labels,
        "runner_id": runner_id,
        "runner_name": j.runner_name.clone().or_else(|| runner_id.map(|n| format!("GitHub Actions {n}"))),
        "runner_group_id": runner_id.map(|_| 1),
        "runner_group_name": runner_id.map(|_| "GitHub Actions"),
    })
}

pub fn label(api: &str, r: &Repo, l: &Label) -> Value {
    json!({
        "id": l.id,
        "node_id": node_id("Label", l.id),
        "url": format!("{api}/repos/{}/labels/{}", r.full_name(), urlencode(&l.name)),
        "name": l.name,
        "color": l.color,
        "default": l.default,
        "description": l.description,
    })
}

pub fn reaction_rollup(url: String, reactions: &[Reaction]) -> Value {
    let count = |c: &str| reactions.iter().filter(|r| r.content == c).count();
    json!({
        "url": url,
        "total_count": reactions.len(),
        "+1": count("+1"),
        "-1": count("-1"),
        "laugh": count("laugh"),
        "hooray": count("hooray"),
        "confused": count("confused"),
        "heart": count("heart"),
        "rocket": count("rocket"),
        "eyes": count("eyes"),
    })
}

pub fn reaction(api: &str, x: &Reaction) -> Value {
    json!({
        "id": x.id,
        "node_id": node_id("Reaction", x.id),
        "user": user(api, &x.user),
        "content": x.content,
        "created_at": ts(&x.created_at),
    })
}

fn association(r: &Repo, login: &str) -> &'static str {
    if login.eq_ignore_ascii_case(&r.owner) {
        "OWNER"
    } else if r.collaborators.contains_key(&login.to_lowercase()) {
        "COLLABORATOR"
    } else {
        "NONE"
    }
}

pub fn issue(api: &str, r: &Repo, i: &Issue) -> Value {
    let full = r.full_name();
    let u = format!("{api}/repos/{full}/issues/{}", i.number);
    let labels: Vec<Value> = i
        .labels
        .iter()
        .filter_map(|k| r.labels.get(k))
        .map(|l| label(api, r, l))
        .collect();
    let comments = r.comments.values().filter(|c| c.issue_number == i.number).count();
    let mut v = json!({
        "id": i.id,
        "node_id": node_id("Issue", i.id),
        "url": u,
        "repository_url": format!("{api}/repos/{full}"),
        "labels_url": format!("{u}/labels{{/name}}"),
        "comments_url": format!("{u}/comments"),
        "events_url": format!("{u}/events"),
        "html_url": format!("{HTML}/{full}/{}/{}", if i.pull.is_some() { "pull" } else { "issues" }, i.number),
        "number": i.number,
        "state": i.state,
        "state_reason": i.state_reason,
        "title": i.title,
        "body": i.body,
        "user": user(api, &i.user),
        "labels": labels,
        "assignee": null,
        "assignees": [],
        "milestone": null,
        "locked": false,
        "active_lock_reason": null,
        "comments": comments,
        "closed_at": ots(&i.closed_at),
        "created_at": ts(&i.created_at),
        "updated_at": ts(&i.updated_at),
        "closed_by": null,
        "author_association": association(r, &i.user),
        "reactions": reaction_rollup(format!("{u}/reactions"), &i.reactions),
        "timeline_url": format!("{u}/timeline"),
        "performed_via_github_app": null,
    });
    if let Some(p) = &i.pull {
        let pu = format!("{api}/repos/{full}/pulls/{}", i.number);
        let h = format!("{HTML}/{full}/pull/{}", i.number);
        let obj = v.as_object_mut().expect("object");
        obj.insert("draft".into(), Value::Bool(p.draft));
        obj.insert(
            "pull_request".into(),
            json!({
                "url": pu,
                "html_url": h,
                "diff_url": format!("{h}.diff"),
                "patch_url": format!("{h}.patch"),
                "merged_at": if p.merged { ots(&i.closed_at) } else { Value::Null },
            }),
        );
    }
    v
}

pub fn comment(api: &str, r: &Repo, c: &Comment) -> Value {
    let full = r.full_name();
    let u = format!("{api}/repos/{full}/issues/comments/{}", c.id);
    let kind = if r.issues.get(&c.issue_number).is_some_and(|i| i.pull.is_some()) { "pull" } else { "issues" };
    json!({
        "id": c.id,
        "node_id": node_id("IssueComment", c.id),
        "url": u,
        "html_url": format!("{HTML}/{full}/{kind}/{}#issuecomment-{}", c.issue_number, c.id),
        "body": c.body,
        "user": user(api, &c.user),
        "created_at": ts(&c.created_at),
        "updated_at": ts(&c.updated_at),
        "issue_url": format!("{api}/repos/{full}/issues/{}", c.issue_number),
        "author_association": association(r, &c.user),
        "reactions": reaction_rollup(format!("{u}/reactions"), &c.reactions),
        "performed_via_github_app": null,
    })
}

pub fn pull(api: &str, r: &Repo, i: &Issue) -> Value {
    let p = i.pull.as_ref().expect("pull");
    let full = r.full_name();
    let u = format!("{api}/repos/{full}/pulls/{}", i.number);
    let iu = format!("{api}/repos/{full}/issues/{}", i.number);
    let h = format!("{HTML}/{full}/pull/{}", i.number);
    let labels: Vec<Value> = i
        .labels
        .iter()
        .filter_map(|k| r.labels.get(k))
        .map(|l| label(api, r, l))
        .collect();
    let side = |rf: &str, sha: &str| {
        json!({
            "label": format!("{}:{rf}", r.owner),
            "ref": rf,
            "sha": sha,
            "user": user(api, &r.owner),
            "repo": repo(api, r),
        })
    };
    // A fork's head lives in another repository; a deleted one is `null`
    // (what GitHub sends, though its OpenAPI description has no null there).
    let head = match p.head_repo.as_deref().and_then(|f| f.split_once('/')) {
        None if p.head_repo_deleted => {
            let mut h = side(&p.head_ref, &p.head_sha);
            h["repo"] = Value::Null;
            h
        }
        None => side(&p.head_ref, &p.head_sha),
        Some((owner, name)) => {
            let fork = Repo {
                id: r.id + 1_000_000 + user_id(owner) % 1_000_000,
                owner: owner.to_string(),
                name: name.to_string(),
                ..r.clone()
            };
            let mut repo_json = repo(api, &fork);
            repo_json["fork"] = json!(true);
            json!({
                "label": format!("{owner}:{}", p.head_ref),
                "ref": p.head_ref,
                "sha": p.head_sha,
                "user": user(api, owner),
                "repo": if p.head_repo_deleted { Value::Null } else { repo_json },
            })
        }
    };
    let comments = r.comments.values().filter(|c| c.issue_number == i.number).count();
    json!({
        "url": u,
        "id": i.id,
        "node_id": node_id("PullRequest", i.id),
        "html_url": h,
        "diff_url": format!("{h}.diff"),
        "patch_url": format!("{h}.patch"),
        "issue_url": iu,
        "commits_url": format!("{u}/commits"),
        "review_comments_url": format!("{u}/comments"),
        "review_comment_url": format!("{api}/repos/{full}/pulls/comments{{/number}}"),
        "comments_url": format!("{iu}/comments"),
        "statuses_url": format!("{api}/repos/{full}/statuses/{}", p.head_sha),
        "number": i.number,
        "state": i.state,
        "locked": false,
        "title": i.title,
        "user": user(api, &i.user),
        "body": i.body,
        "labels": labels,
        "milestone": null,
        "active_lock_reason": null,
        "created_at": ts(&i.created_at),
        "updated_at": ts(&i.updated_at),
        "closed_at": ots(&i.closed_at),
        "merged_at": if p.merged { ots(&i.closed_at) } else { Value::Null },
        "merge_commit_sha": null,
        "assignee": null,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": head,
        "base": side(&p.base_ref, &p.base_sha),
        "_links": {
            "self": {"href": u},
            "html": {"href": h},
            "issue": {"href": iu},
            "comments": {"href": format!("{iu}/comments")},
            "review_comments": {"href": format!("{u}/comments")},
            "review_comment": {"href": format!("{api}/repos/{full}/pulls/comments{{/number}}")},
            "commits": {"href": format!("{u}/commits")},
            "statuses": {"href": format!("{api}/repos/{full}/statuses/{}", p.head_sha)},
        },
        "author_association": association(r, &i.user),
        "auto_merge": null,
        "draft": p.draft,
        "merged": p.merged,
        "mergeable": null,
        "rebaseable": null,
        "mergeable_state": "unknown",
        "merged_by": null,
        "comments": comments,
        "review_comments": 0,
        "maintainer_can_modify": false,
        "commits": 1,
        "additions": p.files.iter().map(|f| f.additions).sum::<u64>(),
        "deletions": p.files.iter().map(|f| f.deletions).sum::<u64>(),
        "changed_files": p.files.len(),
    })
}

/// The `commit` shape for a sha (scenario data when the repo describes it).
pub fn commit(api: &str, r: &Repo, sha: &str) -> Value {
    let full = r.full_name();
    let known = r.commits.get(sha);
    let date = known.map(|c| c.date).unwrap_or_else(|| r.created_at);
    let message = known.map(|c| c.message.clone()).unwrap_or_else(|| format!("commit {}", &sha[..sha.len().min(7)]));
    let author = known.map(|c| c.author.clone()).unwrap_or_else(|| "octocat".into());
    let u = format!("{api}/repos/{full}/commits/{sha}");
    let git_user = json!({"name": author, "email": format!("{author}@users.noreply.github.com"), "date": ts(&date)});
    json!({
        "url": u,
        "sha": sha,
        "node_id": node_id("Commit", user_id(sha)),
        "html_url": format!("{HTML}/{full}/commit/{sha}"),
        "comments_url": format!("{u}/comments"),
        "commit": {
            "url": format!("{api}/repos/{full}/git/commits/{sha}"),
            "author": git_user,
            "committer": git_user,
            "message": message,
            "comment_count": 0,
            "tree": {"sha": sha, "url": format!("{api}/repos/{full}/git/trees/{sha}")},
        },
        "author": user(api, &author),
        "committer": user(api, &author),
        "parents": [],
    })
}

pub fn pull_file(api: &str, r: &Repo, head_sha: &str, f: &crate::state::PullFile) -> Value {
    let full = r.full_name();
    let mut v = json!({
        "sha": crate::state::sha_of(&format!("{}{}", f.filename, head_sha)),
        "filename": f.filename,
        "status": f.status,
        "additions": f.additions,
        "deletions": f.deletions,
        "changes": f.additions + f.deletions,
        "blob_url": format!("{HTML}/{full}/blob/{head_sha}/{}", f.filename),
        "raw_url": format!("{HTML}/{full}/raw/{head_sha}/{}", f.filename),
        "contents_url": format!("{api}/repos/{full}/contents/{}?ref={head_sha}", f.filename),
    });
    if let Some(p) = &f.patch {
        v.as_object_mut().expect("object").insert("patch".into(), Value::String(p.clone()));
    }
    v
}

pub fn content_file(api: &str, r: &Repo, path: &str, git_ref: &str, content: &str) -> Value {
    let full = r.full_name();
    let sha = crate::state::sha_of(content);
    let b64 = base64::engine::general_purpose::STANDARD.encode(content.as_bytes());
    // GitHub wraps base64 at 60 columns with `\n`; clients must strip it.
    let wrapped: Vec<&str> = b64
        .as_bytes()
        .chunks(60)
        .map(|c| std::str::from_utf8(c).expect("base64 is ascii"))
        .collect();
    let u = format!("{api}/repos/{full}/contents/{path}?ref={git_ref}");
    let git = format!("{api}/repos/{full}/git/blobs/{sha}");
    let html = format!("{HTML}/{full}/blob/{git_ref}/{path}");
    json!({
        "type": "file",
        "encoding": "base64",
        "size": content.len(),
        "name": path.rsplit('/').next().unwrap_or(path),
        "path": path,
        "content": wrapped.join("\n") + "\n",
        "sha": sha,
        "url": u,
        "git_url": git,
        "html_url": html,
        "download_url": format!("https://raw.githubusercontent.com/{full}/{git_ref}/{path}"),
        "_links": {"self": u, "git": git, "html": html},
    })
}

pub fn rate_limit(w: &World) -> Value {
    let win = |x: &crate::state::RateWindow, resource: &str| {
        json!({
            "limit": x.limit,
            "used": x.used,
            "remaining": x.remaining(),
            "reset": x.reset.timestamp(),
            "resource": resource,
        })
    };
    let core = win(&w.rate.core, "core");
    json!({
        "resources": {
            "core": core,
            "search": win(&w.rate.search, "search"),
            "graphql": {"limit": 5000, "used": 0, "remaining": 5000, "reset": w.rate.core.reset.timestamp(), "resource": "graphql"},
        },
        "rate": core,
    })
}

/// Percent-encode what may not appear raw in a path segment or query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
