//! The fleet against this machine's real Docker engine, with the stand-in
//! runner image (`crates/standin-runner`, built here `FROM scratch`)
//! registering against the fake GitHub: up, up again, status, a killed
//! container replaced, a foreign container left alone, roll (never without
//! an idle runner), down, the host container; and the registration tokens
//! nowhere in `docker inspect`, the process list, the logs or the
//! container's disk.
//!
//! No engine reachable: prints SKIP and passes. Everything created carries
//! this run's fleet name (or test label) and is removed at the end, also
//! when an assertion fails.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bollard::models::ContainerCreateBody;
use bollard::query_parameters::{
    BuildImageOptionsBuilder, CreateContainerOptionsBuilder, KillContainerOptionsBuilder, ListContainersOptionsBuilder,
    RemoveContainerOptionsBuilder, RemoveImageOptionsBuilder, TagImageOptionsBuilder,
};
use ci_fleet::spec::{LABEL_FLEET, SECRET_DIR};
use ci_fleet::{Engine, Error, Event, Fleet, FleetSpec, HostSpec, Limits, LogRotation, Outcome, Timing};
use ci_github::Client;
use fake_github::{FakeGitHub, Scenario};
use futures_util::{FutureExt, StreamExt};

const REPO: &str = "acme/bot";
const TEST_LABEL: &str = "ci-fleet-test";

struct World {
    engine: Engine,
    server: FakeGitHub,
    gh: Client,
    run: String,
    images: Vec<String>,
}

impl World {
    fn fleet(&self) -> Fleet<'_, Client> {
        Fleet::new(&self.engine, &self.gh).timing(Timing {
            poll: Duration::from_millis(250),
            registration_timeout: Duration::from_secs(90),
            start_grace: Duration::from_secs(30),
            drain_timeout: Duration::from_secs(60),
            stop_grace: Duration::from_secs(2),
        })
        .observe(|e| eprintln!("fleet: {e}"))
    }

    fn spec(&self, count: u32, image: &str) -> FleetSpec {
        FleetSpec {
            name: self.run.clone(),
            repo: REPO.into(),
            image: image.into(),
            count,
            labels: vec!["ci-bot".into(), "test".into()],
            limits: Limits { cpus: 0.5, memory_bytes: 128 << 20, pids: 64 },
            logs: LogRotation { max_size: "1m".into(), max_file: 2 },
            tool_cache: "/opt/hostedtoolcache".into(),
            server_url: "https://github.com".into(),
            runner_api_url: format!("http://{}:{}", bridge_gateway(), self.server.addr().port()),
            network: None,
            env: vec!["CI_BOT_STANDIN_HEARTBEAT_MS=300".into()],
            token_receiver: None,
            host: None,
        }
    }

    async fn up(&self, spec: &FleetSpec) -> Outcome {
        let out = self.fleet().up(spec, false).await.expect("up runs");
        assert!(out.is_ok(), "up errors: {:?}\nevents: {:#?}", out.errors, out.events);
        out
    }

    fn runners(&self) -> Vec<fake_github::runners::Runner> {
        self.server.state().runners(REPO)
    }

    /// Runners GitHub sees online and idle.
    fn idle_online(&self) -> usize {
        idle_online(&self.server)
    }
}

fn idle_online(server: &FakeGitHub) -> usize {
    let after = server.state().lock().runners.offline_after;
    server.state().runners(REPO).iter().filter(|r| r.status(after) == "online" && !r.busy).count()
}

fn kinds(out: &Outcome) -> Vec<&'static str> {
    out.events
        .iter()
        .map(|e| match e {
            Event::Kept { .. } => "kept",
            Event::Created { .. } => "created",
            Event::Replaced { .. } => "replaced",
            Event::Rolled { .. } => "rolled",
            Event::Deregistered { .. } => "deregistered",
            Event::Removed { .. } => "removed",
            Event::Waiting { .. } => "waiting",
        })
        .filter(|k| *k != "waiting")
        .collect()
}

fn bridge_gateway() -> String {
    std::env::var("CI_FLEET_TEST_GATEWAY").unwrap_or_else(|_| "172.17.0.1".into())
}

/// Build the stand-in binary with plain rustc (std only, no cargo lock
/// taken inside a running `cargo test`), statically linked.
fn standin_binary() -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../standin-runner/src/main.rs");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ci-fleet-standin");
    let fresh = |o: &Path| {
        let (Ok(a), Ok(b)) = (std::fs::metadata(o).and_then(|m| m.modified()), std::fs::metadata(&src).and_then(|m| m.modified())) else {
            return false;
        };
        a > b
    };
    if !fresh(&out) {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let status = std::process::Command::new(rustc)
            .args(["--edition", "2021", "-O", "-C", "target-feature=+crt-static", "-o"])
            .arg(&out)
            .arg(&src)
            .status()
            .expect("rustc runs");
        assert!(status.success(), "building the stand-in runner failed");
    }
    out
}

/// Build the stand-in image from a tar context through the API.
async fn build_image(engine: &Engine, tag: &str, variant: &str) {
    let binary = std::fs::read(standin_binary()).unwrap();
    let dockerfile = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../standin-runner/Dockerfile"))
        .unwrap()
        + &format!("LABEL {TEST_LABEL}.variant={variant}\n");
    let mut tar = tar::Builder::new(Vec::new());
    for (name, data, mode) in [("Dockerfile", dockerfile.into_bytes(), 0o644), ("ci-fleet-standin", binary, 0o755)] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_cksum();
        tar.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    let body = bytes::Bytes::from(tar.into_inner().unwrap());
    let opts = BuildImageOptionsBuilder::new().dockerfile("Dockerfile").t(tag).rm(true).build();
    let mut stream = engine.docker().build_image(opts, None, Some(bollard::body_full(body)));
    while let Some(step) = stream.next().await {
        let info = step.expect("image builds");
        assert!(info.error_detail.is_none(), "build: {:?}", info.error_detail);
    }
}

async fn setup() -> Option<World> {
    let engine = match Engine::connect().await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("SKIP: no Docker engine reachable ({e})");
            return None;
        }
    };
    let run = format!("cifleet-{}-{:04x}", std::process::id(), rand::random::<u16>());
    let server = FakeGitHub::start_on(SocketAddr::from(([0, 0, 0, 0], 0)), Scenario::with_repo(REPO)).await.unwrap();
    server.state().set_runner_offline_after(Duration::from_secs(3));
    let gh = Client::builder()
        .api_url(format!("http://127.0.0.1:{}", server.addr().port()))
        .token("admin-token-stays-here")
        .configure(|c| {
            c.timeout = Duration::from_secs(10);
            c.write_budget = 500;
            c.backoff_base = Duration::from_millis(50);
        })
        .build()
        .await
        .unwrap();
    let images = vec![format!("ci-fleet-standin:{run}-v1"), format!("ci-fleet-standin:{run}-v2")];
    build_image(&engine, &images[0], "v1").await;
    build_image(&engine, &images[1], "v2").await;
    Some(World { engine, server, gh, run, images })
}

/// Remove everything this run created: containers of the fleet or carrying
/// the test label, the fleet's volumes, the images.
async fn cleanup(w: &World) {
    let docker = w.engine.docker();
    for filter in [format!("{LABEL_FLEET}={}", w.run), format!("{TEST_LABEL}={}", w.run)] {
        let mut f = HashMap::new();
        f.insert("label".to_string(), vec![filter]);
        let list = docker
            .list_containers(Some(ListContainersOptionsBuilder::new().all(true).filters(&f).build()))
            .await
            .unwrap_or_default();
        for c in list {
            let _ = docker
                .remove_container(c.id.as_deref().unwrap_or_default(), Some(RemoveContainerOptionsBuilder::new().force(true).v(true).build()))
                .await;
        }
    }
    for v in w.engine.volumes(&w.run).await.unwrap_or_default() {
        let _ = w.engine.remove_volume(&v).await;
    }
    for image in &w.images {
        let _ = docker.remove_image(image, Some(RemoveImageOptionsBuilder::new().force(true).build()), None).await;
    }
}

/// Point the tag `to` (`repo:tag`) at the image `from`.
async fn retag(w: &World, from: &str, to: &str) {
    let (repo, tag) = to.rsplit_once(':').unwrap();
    let opts = TagImageOptionsBuilder::new().repo(repo).tag(tag).build();
    w.engine.docker().tag_image(from, Some(opts)).await.unwrap();
}

async fn wait_until(what: &str, secs: u64, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_on_a_real_docker_engine() {
    let Some(w) = setup().await else { return };
    let result = std::panic::AssertUnwindSafe(story(&w)).catch_unwind().await;
    cleanup(&w).await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

async fn story(w: &World) {
    let v1 = w.images[0].clone();
    let spec = w.spec(2, &v1);

    // up: two runners, registered and online.
    let out = w.up(&spec).await;
    assert_eq!(kinds(&out), ["created", "created"], "{:#?}", out.events);
    assert_eq!(w.runners().len(), 2);
    assert_eq!(w.idle_online(), 2);
    assert_eq!(w.engine.api_version(), "1.41", "negotiated down to this engine's API (20.10)");
    tokens_are_nowhere(w).await;

    // up again: nothing changes, no new token is even fetched.
    let ids_before: Vec<String> = w.engine.members(&w.run).await.unwrap().into_iter().map(|m| m.id).collect();
    let issued = w.server.state().lock().runners.registration_tokens_issued;
    let out = w.up(&spec).await;
    assert_eq!(kinds(&out), ["kept", "kept"], "{:#?}", out.events);
    let ids_after: Vec<String> = w.engine.members(&w.run).await.unwrap().into_iter().map(|m| m.id).collect();
    assert_eq!(ids_before, ids_after);
    assert_eq!(w.server.state().lock().runners.registration_tokens_issued, issued);

    // status: the table an operator reads, and the JSON.
    let rows = w.fleet().status(&w.run).await.unwrap();
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert_eq!((r.state.as_str(), r.registered, r.online, r.busy, r.problem.as_deref()), ("running", Some(true), Some(true), Some(false), None), "{r:?}");
        assert!(r.image.starts_with("sha256:"), "{}", r.image);
    }
    let table = ci_fleet::render_table(&rows);
    assert!(table.starts_with("CONTAINER"), "{table}");
    assert!(table.contains(&format!("{}-1", w.run)));
    assert!(serde_json::to_string(&rows).unwrap().contains("\"registered\":true"));

    // logs N: the slot's container, found by its labels alone; no host yet.
    let one = w.engine.member(&w.run, Some(1)).await.unwrap();
    assert_eq!(one.name, spec.slot_name(1));
    let tail: Vec<String> = w.engine.logs(&one.id, false, Some(20)).map(|c| c.unwrap()).collect().await;
    assert!(tail.concat().contains("Listening for Jobs"), "{tail:?}");
    let none = w.engine.member(&w.run, None).await.unwrap_err();
    assert!(none.to_string().contains("no host container"), "{none}");

    // Drift is reported by status: the tag now names another image.
    let v1_id = w.engine.image(&v1).await.unwrap().id;
    retag(w, &w.images[1], &v1).await;
    let rows = w.fleet().status(&w.run).await.unwrap();
    assert!(rows.iter().all(|r| r.problem.as_deref().unwrap_or_default().starts_with("drifted")), "{rows:#?}");
    retag(w, &v1_id, &v1).await;
    let rows = w.fleet().status(&w.run).await.unwrap();
    assert!(rows.iter().all(|r| r.problem.is_none()), "{rows:#?}");

    // A killed container is reported, then replaced; its registration goes.
    let victim = w.engine.inspect(&spec.slot_name(1)).await.unwrap().unwrap();
    w.engine.docker().kill_container(&victim.id, Some(KillContainerOptionsBuilder::new().signal("KILL").build())).await.unwrap();
    let old_runner = victim.runner_name.clone().unwrap();
    wait_until("the killed runner to go offline", 20, || w.idle_online() == 1).await;
    let rows = w.fleet().status(&w.run).await.unwrap();
    let dead = rows.iter().find(|r| r.container == spec.slot_name(1)).unwrap();
    assert!(dead.state.starts_with("exited"), "{dead:?}");
    assert_eq!(dead.registered, Some(true));
    assert_eq!(dead.online, Some(false));
    assert!(dead.problem.as_deref().unwrap_or_default().contains("exited"), "{dead:?}");
    let out = w.up(&spec).await;
    assert_eq!(kinds(&out), ["deregistered", "kept", "replaced"], "{:#?}", out.events);
    assert!(!w.runners().iter().any(|r| r.name == old_runner), "old registration removed");
    assert_eq!(w.idle_online(), 2);
    tokens_are_nowhere(w).await;

    // A container we did not create, in a name we need: an error, untouched.
    let foreign = spec.slot_name(3);
    let mut labels = HashMap::new();
    labels.insert(TEST_LABEL.to_string(), w.run.clone());
    w.engine
        .docker()
        .create_container(
            Some(CreateContainerOptionsBuilder::new().name(&foreign).build()),
            ContainerCreateBody { image: Some(v1.clone()), labels: Some(labels), ..Default::default() },
        )
        .await
        .unwrap();
    let clash = w.fleet().up(&w.spec(3, &v1), false).await.unwrap_err();
    assert!(matches!(clash, Error::Clash { .. }), "{clash}");
    assert!(clash.to_string().contains("not created by ci-bot fleet"), "{clash}");
    assert!(w.engine.inspect_raw(&foreign).await.unwrap().is_some(), "never deleted");
    assert_eq!(w.engine.members(&w.run).await.unwrap().len(), 2, "nothing else changed");

    // roll to v2: one at a time, never without an idle runner, and a busy
    // runner is waited for, not cut.
    let min_idle = Arc::new(AtomicUsize::new(usize::MAX));
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let (min_idle, sampling) = (min_idle.clone(), sampling.clone());
        let state = w.server.state().clone();
        let server_state = move || {
            let after = state.lock().runners.offline_after;
            state.runners(REPO).iter().filter(|r| r.status(after) == "online" && !r.busy).count()
        };
        tokio::spawn(async move {
            while sampling.load(Ordering::SeqCst) {
                min_idle.fetch_min(server_state(), Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let busy = w.engine.inspect(&spec.slot_name(2)).await.unwrap().unwrap().runner_name.unwrap();
    w.server.state().set_runner_busy(REPO, &busy, true).unwrap();
    // The job ends a while after the roll starts waiting for it.
    let released = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let release = {
        let (state, busy, released) = (w.server.state().clone(), busy.clone(), released.clone());
        move |e: &Event| {
            if matches!(e, Event::Waiting { what } if what.contains("finish its job")) && !released.swap(true, Ordering::SeqCst) {
                let (state, busy) = (state.clone(), busy.clone());
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    state.set_runner_busy(REPO, &busy, false).unwrap();
                });
            }
        }
    };
    let deletes = w.server.state().request_count("DELETE", "/actions/runners/");
    let out = w.fleet().observe(release).roll(&w.run, &w.images[1], false).await.unwrap();
    sampling.store(false, Ordering::SeqCst);
    // One DELETE per retired runner: a busy one is waited for by reading,
    // not by DELETEs GitHub refuses (each a write the run's budget pays).
    assert_eq!(w.server.state().request_count("DELETE", "/actions/runners/") - deletes, 2);
    sampler.await.unwrap();
    assert!(released.load(Ordering::SeqCst), "the roll waited for the busy runner: {:#?}", out.events);
    assert!(out.is_ok(), "{:?}", out.errors);
    assert_eq!(kinds(&out).iter().filter(|k| **k == "rolled").count(), 2, "{:#?}", out.events);
    assert!(out.events.iter().any(|e| matches!(e, Event::Waiting { what } if what.contains("finish its job"))), "{:#?}", out.events);
    assert!(min_idle.load(Ordering::SeqCst) >= 1, "a moment with no idle runner during the roll");
    let v2 = w.engine.image(&w.images[1]).await.unwrap().id;
    let members = w.engine.members(&w.run).await.unwrap();
    assert_eq!(members.len(), 2);
    for m in &members {
        assert_eq!(m.image_id, v2);
        assert!(m.name == spec.slot_name(1) || m.name == spec.slot_name(2), "{}", m.name);
    }
    assert_eq!(w.runners().len(), 2, "old registrations gone: {:?}", w.runners());
    assert_eq!(w.idle_online(), 2);
    assert_eq!(w.fleet().current_spec(&w.run).await.unwrap().image, w.images[1]);

    // Roll back on a busy repository: each replacement takes a queued job
    // the moment it registers. It is ready (online); waiting for it to be
    // idle timed out, retired the working replacement and failed the roll.
    let known: std::collections::HashSet<String> = w.runners().into_iter().map(|r| r.name).collect();
    let grabbing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let grabber = {
        let (state, grabbing) = (w.server.state().clone(), grabbing.clone());
        tokio::spawn(async move {
            while grabbing.load(Ordering::SeqCst) {
                for r in state.runners(REPO).into_iter().filter(|r| !known.contains(&r.name) && !r.busy) {
                    let _ = state.set_runner_busy(REPO, &r.name, true);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let out = w.fleet().roll(&w.run, &w.images[0], false).await.unwrap();
    grabbing.store(false, Ordering::SeqCst);
    grabber.await.unwrap();
    assert!(out.is_ok(), "{:?} {:#?}", out.errors, out.events);
    assert_eq!(kinds(&out).iter().filter(|k| **k == "rolled").count(), 2, "{:#?}", out.events);
    for r in w.runners() {
        w.server.state().set_runner_busy(REPO, &r.name, false).unwrap();
    }
    assert_eq!(w.idle_online(), 2);

    // down: deregistered on GitHub, then removed.
    let out = w.fleet().down(&w.run, true).await.unwrap();
    assert!(out.is_ok(), "{:?}", out.errors);
    assert!(w.runners().is_empty());
    assert!(w.engine.members(&w.run).await.unwrap().is_empty());
    assert!(w.engine.volumes(&w.run).await.unwrap().is_empty());

    // The host: a container of its own, restart unless-stopped, its token a
    // read-only file mount (never an env var).
    let token_file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-host-token", w.run));
    std::fs::write(&token_file, "ghp_host_secret_never_in_inspect").unwrap();
    let config_file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-ci-bot.yml", w.run));
    std::fs::write(&config_file, "commands:\n  mention: ci-bot\n").unwrap();
    let mut with_host = w.spec(1, &v1);
    with_host.host = Some(HostSpec {
        image: v1.clone(),
        token_file: token_file.clone(),
        env: vec![format!("CI_BOT_HOST_REPO={REPO}")],
        health_port: 8080,
        config_file: Some(config_file.clone()),
    });
    let out = w.fleet().up(&with_host, false).await.unwrap();
    assert!(out.events.iter().any(|e| matches!(e, Event::Created { container, .. } if *container == with_host.host_name())), "{:#?}", out.events);
    let host = w.engine.inspect_raw(&with_host.host_name()).await.unwrap().unwrap();
    let hc = host.host_config.as_ref().unwrap();
    assert_eq!(hc.restart_policy.as_ref().unwrap().name, Some(bollard::models::RestartPolicyNameEnum::UNLESS_STOPPED));
    let mounts = hc.mounts.as_ref().unwrap();
    assert!(mounts.iter().any(|m| m.read_only == Some(true) && m.source.as_deref() == Some(token_file.to_str().unwrap())));
    assert!(mounts.iter().any(|m| m.read_only == Some(true)
        && m.source.as_deref() == Some(config_file.to_str().unwrap())
        && m.target.as_deref() == Some(ci_fleet::HOST_CONFIG_PATH)));
    let env = host.config.as_ref().and_then(|c| c.env.clone()).unwrap_or_default();
    assert!(env.iter().any(|e| e == &format!("CI_BOT_HOST_WATCH_CONFIG={}", ci_fleet::HOST_CONFIG_PATH)), "{env:?}");
    assert!(!serde_json::to_string(&host).unwrap().contains("ghp_host_secret"));
    let out = w.fleet().down(&w.run, true).await.unwrap();
    assert!(out.is_ok(), "{:?}", out.errors);
    assert!(w.engine.members(&w.run).await.unwrap().is_empty());
    let _ = std::fs::remove_file(token_file);
    let _ = std::fs::remove_file(config_file);
}

/// Every registration token issued so far is absent from each container's
/// inspect output, its execs, its process list, its log and its files.
async fn tokens_are_nowhere(w: &World) {
    let tokens = w.server.state().registration_tokens();
    assert!(!tokens.is_empty());
    let docker = w.engine.docker();
    for m in w.engine.members(&w.run).await.unwrap() {
        let inspect = w.engine.inspect_raw(&m.id).await.unwrap().unwrap();
        let mut seen = serde_json::to_string(&inspect).unwrap();
        for exec in inspect.exec_ids.clone().unwrap_or_default() {
            if let Ok(e) = docker.inspect_exec(&exec).await {
                seen.push_str(&serde_json::to_string(&e).unwrap());
            }
        }
        if m.is_running() {
            let top = docker.top_processes(&m.id, None).await.unwrap();
            seen.push_str(&serde_json::to_string(&top).unwrap());
        }
        let logs: Vec<String> = w.engine.logs(&m.id, false, None).map(|c| c.unwrap_or_default()).collect().await;
        let logs = logs.concat();
        assert!(logs.contains("Listening for Jobs") || !m.is_running(), "{}: {logs}", m.name);
        seen.push_str(&logs);
        // The container's writable layer is on the host's disk: the token
        // must not be there (it lives on the tmpfs at SECRET_DIR, briefly).
        if let Some(upper) = inspect.graph_driver.as_ref().and_then(|g| g.data.get("UpperDir")) {
            for file in walk(Path::new(upper)) {
                if let Ok(bytes) = std::fs::read(&file) {
                    seen.push_str(&String::from_utf8_lossy(&bytes));
                }
            }
        }
        for t in &tokens {
            assert!(!seen.contains(t.as_str()), "{}: a registration token leaked (inspect, exec, ps, log or disk)", m.name);
        }
        assert!(!seen.contains("admin-token-stays-here"), "{}: the admin token reached a container", m.name);
        let mounts = inspect.host_config.as_ref().and_then(|h| h.mounts.clone()).unwrap_or_default();
        assert!(mounts.iter().any(|m| m.target.as_deref() == Some(SECRET_DIR)), "the secret dir is a tmpfs mount");
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                Ok(t) if t.is_file() => out.push(p),
                _ => {}
            }
        }
    }
    out
}
