//! Converging a fleet: `up`, `roll`, `down`, and what `status` reports.
//!
//! GitHub is the judge of a runner's health (registered, online, busy); the
//! engine says whether its container runs. Every decision below is made
//! from those two reads, so running `up` again after any interruption picks
//! up where the last one stopped.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ci_github::{GitHub, RepoRef, SelfHostedRunner};
use serde::Serialize;

use crate::engine::{Engine, ImageInfo, Member};
use crate::spec::{FleetSpec, Role, LABEL_FLEET};
use crate::{Error, Result};

/// How long to wait for what.
#[derive(Debug, Clone)]
pub struct Timing {
    /// Between two looks at GitHub while waiting.
    pub poll: Duration,
    /// A new runner must be registered and online within this.
    pub registration_timeout: Duration,
    /// A running container whose runner is not (yet) online counts as
    /// starting for this long after it started, then as broken.
    pub start_grace: Duration,
    /// How long to wait for a busy runner to finish its job before giving up
    /// on retiring it (it is then left in place).
    pub drain_timeout: Duration,
    /// SIGTERM to SIGKILL when stopping a container.
    pub stop_grace: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            poll: Duration::from_secs(2),
            registration_timeout: Duration::from_secs(300),
            start_grace: Duration::from_secs(180),
            drain_timeout: Duration::from_secs(3600),
            stop_grace: Duration::from_secs(30),
        }
    }
}

/// Something the fleet did or found, one line each. `container` is a
/// container name, `runner` a runner name on GitHub.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // the fields are named for what they hold
pub enum Event {
    /// Left as it is, and why.
    Kept { container: String, note: String },
    /// A new runner container, started and registered.
    Created { container: String, runner: String },
    /// A broken container (crashed, unregistered, offline) was removed and a new one created.
    Replaced { container: String, reason: String },
    /// A drifted container was replaced one at a time, the new runner idle
    /// before the old one (runner `from`) left.
    Rolled { container: String, from: String, to: String },
    /// A runner registration removed on GitHub.
    Deregistered { runner: String },
    /// A container (or volume) removed, and why.
    Removed { container: String, reason: String },
    /// Waiting for something (a busy runner, registrations).
    Waiting { what: String },
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Event::Kept { container, note } => write!(f, "kept      {container}: {note}"),
            Event::Created { container, runner } => write!(f, "created   {container} (runner {runner})"),
            Event::Replaced { container, reason } => write!(f, "replaced  {container}: {reason}"),
            Event::Rolled { container, from, to } => write!(f, "rolled    {container}: runner {from} -> {to}"),
            Event::Deregistered { runner } => write!(f, "deregistered runner {runner} on GitHub"),
            Event::Removed { container, reason } => write!(f, "removed   {container}: {reason}"),
            Event::Waiting { what } => write!(f, "waiting   {what}"),
        }
    }
}

/// What an `up`, `roll` or `down` did, and what it could not do.
#[derive(Debug, Default)]
pub struct Outcome {
    /// In order.
    pub events: Vec<Event>,
    /// One line each; empty when everything converged.
    pub errors: Vec<String>,
}

impl Outcome {
    /// Everything converged.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// How a runner container is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Health {
    /// Online on GitHub and idle.
    Ready,
    /// Online and running a job.
    Busy,
    /// Running, not online yet, within the grace period.
    Starting,
    /// Needs replacing, and why.
    Broken(String),
}

/// One row of `fleet status`.
#[derive(Debug, Clone, Serialize)]
pub struct StatusRow {
    /// Container name (`-` for a registration without a container).
    pub container: String,
    /// `runner` or `host`.
    pub role: Role,
    /// Runner slot.
    pub slot: Option<u32>,
    /// `running`, `exited (1)`, `restarting`, ...
    pub state: String,
    /// Since the current run started.
    pub started_at: Option<DateTime<Utc>>,
    /// Seconds since `started_at` (while running).
    pub uptime_secs: Option<i64>,
    /// The runner's name on GitHub.
    pub runner: Option<String>,
    /// Registered on GitHub (runners only).
    pub registered: Option<bool>,
    /// Online on GitHub (runners only).
    pub online: Option<bool>,
    /// Running a job (runners only).
    pub busy: Option<bool>,
    /// Automatic restarts by Docker.
    pub restarts: i64,
    /// Registry digest, else the image id.
    pub image: String,
    /// What is wrong, if anything.
    pub problem: Option<String>,
}

/// A fleet manager: one Docker engine, one GitHub (with an admin token that
/// never leaves this process).
pub struct Fleet<'a, G: GitHub> {
    engine: &'a Engine,
    github: &'a G,
    timing: Timing,
    observer: Box<dyn Fn(&Event) + Send + Sync + 'a>,
}

struct Launched {
    id: String,
    runner: String,
}

impl<'a, G: GitHub> Fleet<'a, G> {
    /// A manager with default timing and no observer.
    pub fn new(engine: &'a Engine, github: &'a G) -> Self {
        Fleet { engine, github, timing: Timing::default(), observer: Box::new(|_| {}) }
    }

    /// Override the timing (tests shorten it).
    pub fn timing(mut self, timing: Timing) -> Self {
        self.timing = timing;
        self
    }

    /// Called with every event as it happens (the CLI prints them).
    pub fn observe(mut self, f: impl Fn(&Event) + Send + Sync + 'a) -> Self {
        self.observer = Box::new(f);
        self
    }

    fn emit(&self, out: &mut Outcome, e: Event) {
        (self.observer)(&e);
        out.events.push(e);
    }

    fn fail(&self, out: &mut Outcome, e: impl std::fmt::Display) {
        let line = e.to_string();
        tracing::warn!(error = %line, "fleet");
        out.errors.push(line);
    }

    /// Converge to `spec`: create missing runners, replace broken ones in
    /// place, replace drifted ones (or all of them with `force_roll`) one at
    /// a time with the new runner idle before the old one leaves, retire
    /// runners beyond `count`, and manage the host if the spec has one.
    ///
    /// Fails before touching anything if a container name we need belongs
    /// to something that is not this fleet.
    pub async fn up(&self, spec: &FleetSpec, force_roll: bool) -> Result<Outcome> {
        spec.validate()?;
        let repo = spec.repo_ref()?;
        let image = self.engine.image(&spec.image).await?;
        let host_image = match &spec.host {
            Some(h) => Some(self.engine.image(&h.image).await?),
            None => None,
        };
        let receiver = receiver_cmd(spec, &image)?;
        self.check_names(spec).await?;

        let mut out = Outcome::default();
        let desired = spec.runner_fingerprint(&image.id);
        let members = self.engine.members(&spec.name).await?;
        let runners = self.github.list_runners(&repo).await?;
        let now = Utc::now();

        // Beyond --count, or unreadable slot labels: retire.
        for m in members.iter().filter(|m| m.role == Role::Runner) {
            if m.slot.is_none_or(|s| s == 0 || s > spec.count) {
                if let Err(e) = self.retire(&repo, m, &mut out, "beyond --count").await {
                    self.fail(&mut out, e);
                }
            }
        }

        // Runners to wait for, and what to report once each is online.
        let mut waiting: Vec<(String, Event)> = Vec::new();
        let mut drifted: Vec<(u32, Member)> = Vec::new();
        for slot in 1..=spec.count {
            let mut here: Vec<&Member> =
                members.iter().filter(|m| m.role == Role::Runner && m.slot == Some(slot)).collect();
            // Two in one slot: an interrupted roll. Keep the best, retire the rest.
            if here.len() > 1 {
                here.sort_by_key(|m| {
                    let h = health(m, find(&runners, m), now, &self.timing);
                    let rank = match (&h, m.fingerprint == desired) {
                        (Health::Ready | Health::Busy, true) => 0,
                        (Health::Ready | Health::Busy, false) => 1,
                        (Health::Starting, _) => 2,
                        (Health::Broken(_), _) => 3,
                    };
                    (rank, std::cmp::Reverse(m.created_at))
                });
                for extra in here.split_off(1) {
                    if let Err(e) = self.retire(&repo, extra, &mut out, "second container in its slot").await {
                        self.fail(&mut out, e);
                    }
                }
                let keep = here[0];
                if keep.name != spec.slot_name(slot) {
                    if let Err(e) = self.engine.rename(&keep.id, &spec.slot_name(slot)).await {
                        self.fail(&mut out, e);
                    }
                }
            }
            let name = spec.slot_name(slot);
            match here.first() {
                None => match self.launch(spec, slot, &name, &image, &receiver).await {
                    Ok(l) => waiting.push((l.runner.clone(), Event::Created { container: name, runner: l.runner })),
                    Err(e) => self.fail(&mut out, format!("{name}: {e}")),
                },
                Some(m) => match health(m, find(&runners, m), now, &self.timing) {
                    Health::Broken(reason) => {
                        let replaced = async {
                            self.retire_broken(&repo, m, &runners, &mut out).await?;
                            let l = self.launch(spec, slot, &name, &image, &receiver).await?;
                            Ok::<_, Error>(l)
                        }
                        .await;
                        match replaced {
                            Ok(l) => waiting.push((l.runner, Event::Replaced { container: name, reason })),
                            Err(e) => self.fail(&mut out, format!("{name}: replacing ({reason}): {e}")),
                        }
                    }
                    Health::Starting => {
                        let note = "was starting, now registered and online".to_string();
                        waiting.push((m.runner_name.clone().unwrap_or_default(), Event::Kept { container: name, note }));
                    }
                    Health::Ready | Health::Busy if m.fingerprint != desired || force_roll => {
                        drifted.push((slot, (*m).clone()));
                    }
                    Health::Ready | Health::Busy => {
                        self.emit(&mut out, Event::Kept { container: name, note: "registered, online".into() });
                    }
                },
            }
        }

        if !waiting.is_empty() {
            let names: Vec<String> = waiting.iter().map(|(r, _)| r.clone()).collect();
            self.emit(&mut out, Event::Waiting { what: format!("{} runner(s) to register and go online", names.len()) });
            match self.wait_ready(&repo, &names).await {
                Ok(()) => {
                    for (_, done) in waiting {
                        self.emit(&mut out, done);
                    }
                }
                Err(e) => self.fail(&mut out, e),
            }
        }

        // One at a time, and only on a healthy base: a roll never starts
        // while the fleet is still short of runners.
        if !drifted.is_empty() && !out.is_ok() {
            self.fail(&mut out, format!("not replacing {} drifted runner(s) until the errors above are fixed", drifted.len()));
        } else {
            for (slot, old) in &drifted {
                if let Err(e) = self.surge_replace(spec, &repo, *slot, old, &image, &receiver, &mut out).await {
                    self.fail(&mut out, format!("{}: rolling: {e}", old.name));
                    break;
                }
            }
        }

        self.deregister_orphans(spec, &repo, &mut out).await;

        match (&spec.host, host_image) {
            (Some(host), Some(img)) => {
                if let Err(e) = self.ensure_host(spec, host, &img, &members, &mut out).await {
                    self.fail(&mut out, format!("{}: {e}", spec.host_name()));
                }
            }
            _ => {
                if let Some(h) = members.iter().find(|m| m.role == Role::Host) {
                    self.emit(
                        &mut out,
                        Event::Kept { container: h.name.clone(), note: "host left as is (pass --with-host to manage it)".into() },
                    );
                }
            }
        }
        Ok(out)
    }

    /// Replace every runner one at a time with `image` (the rest of the spec
    /// as the fleet was last brought up with); `force` replaces even
    /// up-to-date runners.
    pub async fn roll(&self, fleet: &str, image: &str, force: bool) -> Result<Outcome> {
        let mut spec = self.current_spec(fleet).await?;
        spec.image = image.to_string();
        self.up(&spec, force).await
    }

    /// The spec the fleet's containers were created from (the newest one).
    pub async fn current_spec(&self, fleet: &str) -> Result<FleetSpec> {
        let members = self.engine.members(fleet).await?;
        let newest = members
            .iter()
            .filter(|m| m.role == Role::Runner)
            .max_by_key(|m| m.created_at)
            .ok_or_else(|| Error::NoFleet(fleet.to_string()))?;
        serde_json::from_str(&newest.spec_json)
            .map_err(|e| Error::Config(format!("{}: unreadable spec label: {e}", newest.name)))
    }

    /// Deregister every runner on GitHub (waiting for busy ones to finish
    /// their job), then remove the containers; named volumes too with
    /// `volumes`.
    pub async fn down(&self, fleet: &str, volumes: bool) -> Result<Outcome> {
        let mut out = Outcome::default();
        let members = self.engine.members(fleet).await?;
        let spec: Option<FleetSpec> = members.iter().find_map(|m| serde_json::from_str(&m.spec_json).ok());
        let Some(spec) = spec else {
            return Ok(out);
        };
        let repo = spec.repo_ref()?;
        for m in members.iter().filter(|m| m.role == Role::Runner) {
            if let Err(e) = self.retire(&repo, m, &mut out, "fleet down").await {
                self.fail(&mut out, format!("{}: {e}", m.name));
            }
        }
        self.deregister_orphans(&spec, &repo, &mut out).await;
        for m in members.iter().filter(|m| m.role == Role::Host) {
            match self.engine.stop_and_remove(&m.id, Duration::from_secs(90)).await {
                Ok(()) => self.emit(&mut out, Event::Removed { container: m.name.clone(), reason: "fleet down".into() }),
                Err(e) => self.fail(&mut out, format!("{}: {e}", m.name)),
            }
        }
        if volumes && out.is_ok() {
            for v in self.engine.volumes(fleet).await? {
                match self.engine.remove_volume(&v).await {
                    Ok(()) => self.emit(&mut out, Event::Removed { container: v, reason: "volume".into() }),
                    Err(e) => self.fail(&mut out, e),
                }
            }
        }
        Ok(out)
    }

    /// One row per container, plus one per registration of ours that has no
    /// container left.
    pub async fn status(&self, fleet: &str) -> Result<Vec<StatusRow>> {
        let members = self.engine.members(fleet).await?;
        let spec: Option<FleetSpec> = members.iter().find_map(|m| serde_json::from_str(&m.spec_json).ok());
        let runners = match &spec {
            Some(s) => self.github.list_runners(&s.repo_ref()?).await?,
            None => Vec::new(),
        };
        // What `up` would converge to: the newest runner's spec, its image
        // tag resolved now (a re-pushed tag is drift too). Unresolvable: no
        // drift is reported, the other columns still are.
        let desired = match self.current_spec(fleet).await {
            Ok(current) => self.engine.image(&current.image).await.ok().map(|img| current.runner_fingerprint(&img.id)),
            Err(_) => None,
        };
        let now = Utc::now();
        let mut digests: BTreeMap<String, String> = BTreeMap::new();
        let mut rows = Vec::new();
        for m in &members {
            if !digests.contains_key(&m.image_id) {
                let d = self.engine.image_digest(&m.image_id).await.unwrap_or_else(|| short_id(&m.image_id));
                digests.insert(m.image_id.clone(), d);
            }
            let runner = find(&runners, m);
            let (registered, online, busy, problem) = match m.role {
                Role::Runner => {
                    let problem = match health(m, runner, now, &self.timing) {
                        Health::Broken(reason) => Some(reason),
                        Health::Starting => Some("starting".into()),
                        Health::Ready | Health::Busy if desired.as_ref().is_some_and(|d| *d != m.fingerprint) => {
                            Some("drifted: older spec or image than the fleet's (`fleet up` or `fleet roll` replaces it)".into())
                        }
                        Health::Ready | Health::Busy => None,
                    };
                    (Some(runner.is_some()), Some(runner.is_some_and(|r| r.is_online())), Some(runner.is_some_and(|r| r.busy)), problem)
                }
                Role::Host => (None, None, None, (!m.is_running()).then(|| format!("container {}", m.state_line()))),
            };
            rows.push(StatusRow {
                container: m.name.clone(),
                role: m.role,
                slot: m.slot,
                state: m.state_line(),
                started_at: m.started_at,
                uptime_secs: m.is_running().then(|| m.started_at.map(|s| (now - s).num_seconds().max(0))).flatten(),
                runner: m.runner_name.clone(),
                registered,
                online,
                busy,
                restarts: m.restarts,
                image: digests.get(&m.image_id).cloned().unwrap_or_default(),
                problem,
            });
        }
        if let Some(spec) = &spec {
            let ours: HashSet<&str> = members.iter().filter_map(|m| m.runner_name.as_deref()).collect();
            for r in runners.iter().filter(|r| is_fleet_runner_name(&spec.name, &r.name) && !ours.contains(r.name.as_str())) {
                rows.push(StatusRow {
                    container: "-".into(),
                    role: Role::Runner,
                    slot: None,
                    state: "-".into(),
                    started_at: None,
                    uptime_secs: None,
                    runner: Some(r.name.clone()),
                    registered: Some(true),
                    online: Some(r.is_online()),
                    busy: Some(r.busy),
                    restarts: 0,
                    image: "-".into(),
                    problem: Some("registration without a container".into()),
                });
            }
        }
        Ok(rows)
    }

    // ----- steps -------------------------------------------------------------

    /// Every name `up` may create must be free or ours.
    async fn check_names(&self, spec: &FleetSpec) -> Result<()> {
        let mut names: Vec<String> = (1..=spec.count).map(|s| spec.slot_name(s)).collect();
        names.extend((1..=spec.count).map(|s| spec.surge_name(s)));
        if spec.host.is_some() {
            names.push(spec.host_name());
        }
        for name in names {
            if let Some(owner) = self.engine.owner_of(&name).await? {
                if owner != spec.name {
                    return Err(Error::Clash {
                        name,
                        owner: if owner.is_empty() { "a container not created by ci-bot fleet".into() } else { format!("fleet {owner:?}") },
                    });
                }
            }
        }
        Ok(())
    }

    /// Create and start a runner container and hand it a fresh registration
    /// token. On failure the half-made container is removed.
    async fn launch(&self, spec: &FleetSpec, slot: u32, name: &str, image: &ImageInfo, receiver: &[String]) -> Result<Launched> {
        let repo = spec.repo_ref()?;
        let mut vol_labels = std::collections::HashMap::new();
        vol_labels.insert(LABEL_FLEET.to_string(), spec.name.clone());
        self.engine.ensure_volume(&spec.tool_cache_volume(slot), vol_labels).await?;
        let runner = spec.new_runner_name(slot);
        let id = self.engine.create(name, spec.runner_container(slot, &runner, &image.id)).await?;
        let handed_over = async {
            self.engine.start(&id).await?;
            // Fetched per container, right before use, and dropped right after.
            let token = self.github.create_runner_registration_token(&repo).await?;
            self.engine.deliver_secret(&id, receiver, token.secret()).await
        }
        .await;
        if let Err(e) = handed_over {
            let _ = self.engine.stop_and_remove(&id, Duration::from_secs(1)).await;
            return Err(e);
        }
        tracing::info!(container = name, runner = %runner, "runner container started");
        Ok(Launched { id, runner })
    }

    /// Wait until every runner in `names` is registered and online. A busy
    /// one counts: a new runner that took a queued job at once is the
    /// healthiest there is (waiting for it to be idle timed out on a busy
    /// repository, retired the working replacement, and blocked the roll).
    async fn wait_ready(&self, repo: &RepoRef, names: &[String]) -> Result<()> {
        let deadline = Instant::now() + self.timing.registration_timeout;
        loop {
            let runners = self.github.list_runners(repo).await?;
            let missing: Vec<&String> = names
                .iter()
                .filter(|n| !runners.iter().any(|r| &r.name == *n && r.is_online()))
                .collect();
            if missing.is_empty() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(Error::Timeout(format!(
                    "runner(s) {} not registered and online after {}s (see `ci-bot fleet logs`)",
                    missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                    self.timing.registration_timeout.as_secs()
                )));
            }
            tokio::time::sleep(self.timing.poll).await;
        }
    }

    /// Start a replacement beside `old`, wait until it is registered and
    /// online, then retire `old` and give the replacement the slot's name.
    #[allow(clippy::too_many_arguments)]
    async fn surge_replace(
        &self,
        spec: &FleetSpec,
        repo: &RepoRef,
        slot: u32,
        old: &Member,
        image: &ImageInfo,
        receiver: &[String],
        out: &mut Outcome,
    ) -> Result<()> {
        let surge = spec.surge_name(slot);
        if let Some(stale) = self.engine.inspect(&surge).await? {
            self.retire(repo, &stale, out, "left over from an interrupted roll").await?;
        }
        let new = self.launch(spec, slot, &surge, image, receiver).await?;
        self.emit(out, Event::Waiting { what: format!("runner {} to register before retiring {}", new.runner, old.name) });
        if let Err(e) = self.wait_ready(repo, std::slice::from_ref(&new.runner)).await {
            if let Some(m) = self.engine.inspect(&new.id).await? {
                let _ = self.retire(repo, &m, out, "replacement never became ready").await;
            }
            return Err(e);
        }
        self.retire(repo, old, out, "replaced by a newer runner").await?;
        self.engine.rename(&new.id, &spec.slot_name(slot)).await?;
        self.emit(
            out,
            Event::Rolled {
                container: spec.slot_name(slot),
                from: old.runner_name.clone().unwrap_or_default(),
                to: new.runner,
            },
        );
        Ok(())
    }

    /// Deregister the container's runner (waiting while it runs a job),
    /// then stop and remove the container.
    async fn retire(&self, repo: &RepoRef, m: &Member, out: &mut Outcome, reason: &str) -> Result<()> {
        if let Some(name) = &m.runner_name {
            self.deregister(repo, name, out).await?;
        }
        self.engine.stop_and_remove(&m.id, self.timing.stop_grace).await?;
        self.emit(out, Event::Removed { container: m.name.clone(), reason: reason.into() });
        Ok(())
    }

    /// A broken container cannot be running a job: its registration is
    /// removed unless GitHub still says busy (then GitHub notices on its
    /// own), and the container goes.
    async fn retire_broken(&self, repo: &RepoRef, m: &Member, runners: &[SelfHostedRunner], out: &mut Outcome) -> Result<()> {
        if let Some(r) = find(runners, m) {
            match self.github.delete_runner(repo, r.id).await {
                Ok(()) => self.emit(out, Event::Deregistered { runner: r.name.clone() }),
                Err(ci_github::Error::Validation { .. }) => {
                    tracing::warn!(runner = %r.name, "GitHub says busy; leaving the registration for GitHub to expire");
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.engine.stop_and_remove(&m.id, Duration::from_secs(5)).await
    }

    async fn deregister(&self, repo: &RepoRef, name: &str, out: &mut Outcome) -> Result<()> {
        let deadline = Instant::now() + self.timing.drain_timeout;
        let mut announced = false;
        loop {
            let runners = self.github.list_runners(repo).await?;
            let Some(r) = runners.iter().find(|r| r.name == name) else {
                return Ok(());
            };
            // Busy as listed: wait without asking. Each refused DELETE is a
            // write that the run's budget pays for, and a long job used
            // the budget up before the drain timeout (and every later write
            // of the run failed).
            if !r.busy {
                match self.github.delete_runner(repo, r.id).await {
                    Ok(()) => {
                        self.emit(out, Event::Deregistered { runner: name.to_string() });
                        return Ok(());
                    }
                    // It took a job since the listing: GitHub refuses.
                    Err(ci_github::Error::Validation { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            // Wait for the job to end, never cut it.
            if Instant::now() >= deadline {
                return Err(Error::Busy(format!(
                    "runner {name} still running a job after {}s; left in place",
                    self.timing.drain_timeout.as_secs()
                )));
            }
            if !announced {
                self.emit(out, Event::Waiting { what: format!("runner {name} to finish its job") });
                announced = true;
            }
            tokio::time::sleep(self.timing.poll).await;
        }
    }

    /// Registrations named like ours, offline, with no container: left by a
    /// container removed behind our back. Online ones are left alone (maybe
    /// another machine runs a fleet of the same name).
    async fn deregister_orphans(&self, spec: &FleetSpec, repo: &RepoRef, out: &mut Outcome) {
        let result = async {
            let members = self.engine.members(&spec.name).await?;
            let ours: HashSet<String> = members.iter().filter_map(|m| m.runner_name.clone()).collect();
            for r in self.github.list_runners(repo).await? {
                if is_fleet_runner_name(&spec.name, &r.name) && !ours.contains(&r.name) && !r.is_online() && !r.busy {
                    self.github.delete_runner(repo, r.id).await?;
                    self.emit(out, Event::Deregistered { runner: format!("{} (no container left)", r.name) });
                }
            }
            Ok::<_, Error>(())
        }
        .await;
        if let Err(e) = result {
            self.fail(out, format!("cleaning up stale registrations: {e}"));
        }
    }

    /// One host container, current and running. Never two at once: the old
    /// one is stopped (finishing its tick) before the new one starts, so the
    /// schedule cannot fire twice.
    async fn ensure_host(&self, spec: &FleetSpec, host: &crate::spec::HostSpec, image: &ImageInfo, members: &[Member], out: &mut Outcome) -> Result<()> {
        let desired = spec.host_fingerprint(host, &image.id);
        let current: Vec<&Member> = members.iter().filter(|m| m.role == Role::Host).collect();
        let mut reason = "created".to_string();
        if let [only] = current.as_slice() {
            if only.fingerprint == desired && only.is_running() {
                self.emit(out, Event::Kept { container: only.name.clone(), note: only.state_line() });
                return Ok(());
            }
            reason = if only.fingerprint != desired { "configuration changed".into() } else { format!("container {}", only.state_line()) };
        }
        for m in &current {
            self.engine.stop_and_remove(&m.id, Duration::from_secs(90)).await?;
        }
        let mut vol_labels = std::collections::HashMap::new();
        vol_labels.insert(LABEL_FLEET.to_string(), spec.name.clone());
        self.engine.ensure_volume(&spec.host_state_volume(), vol_labels).await?;
        let name = spec.host_name();
        let id = self.engine.create(&name, spec.host_container(host, &image.id)).await?;
        self.engine.start(&id).await?;
        if current.is_empty() {
            self.emit(out, Event::Created { container: name, runner: "-".into() });
        } else {
            self.emit(out, Event::Replaced { container: name, reason });
        }
        Ok(())
    }
}

/// The exec command that receives the token: configured, or the image's
/// entrypoint with `receive-token`.
fn receiver_cmd(spec: &FleetSpec, image: &ImageInfo) -> Result<Vec<String>> {
    match &spec.token_receiver {
        Some(cmd) if !cmd.is_empty() => Ok(cmd.clone()),
        _ if !image.entrypoint.is_empty() => {
            let mut cmd = image.entrypoint.clone();
            cmd.push("receive-token".into());
            Ok(cmd)
        }
        _ => Err(Error::Config(format!(
            "image {} has no ENTRYPOINT to hand the registration token to; pass --token-receiver",
            spec.image
        ))),
    }
}

fn find<'r>(runners: &'r [SelfHostedRunner], m: &Member) -> Option<&'r SelfHostedRunner> {
    let name = m.runner_name.as_deref()?;
    runners.iter().find(|r| r.name == name)
}

fn health(m: &Member, runner: Option<&SelfHostedRunner>, now: DateTime<Utc>, t: &Timing) -> Health {
    if !m.is_running() {
        return Health::Broken(format!("container {}", m.state_line()));
    }
    match runner {
        Some(r) if r.is_online() && r.busy => Health::Busy,
        Some(r) if r.is_online() => Health::Ready,
        // Crash-looping: each restart resets the start time, so count restarts too.
        _ if m.restarts >= 3 => Health::Broken(format!("restarted {} times and not online on GitHub", m.restarts)),
        _ => {
            let since = m.started_at.or(m.created_at).unwrap_or(now);
            let age = (now - since).to_std().unwrap_or_default();
            if age < t.start_grace {
                Health::Starting
            } else if runner.is_some() {
                Health::Broken(format!("registered but offline on GitHub ({}s after start)", age.as_secs()))
            } else {
                Health::Broken(format!("not registered on GitHub {}s after start", age.as_secs()))
            }
        }
    }
}

/// `{fleet}-{slot}-{6 hex}`: the names [`FleetSpec::new_runner_name`] makes.
fn is_fleet_runner_name(fleet: &str, name: &str) -> bool {
    let Some(rest) = name.strip_prefix(fleet).and_then(|r| r.strip_prefix('-')) else {
        return false;
    };
    let Some((slot, suffix)) = rest.split_once('-') else {
        return false;
    };
    !slot.is_empty()
        && slot.chars().all(|c| c.is_ascii_digit())
        && suffix.len() == 6
        && suffix.chars().all(|c| c.is_ascii_hexdigit())
}

fn short_id(id: &str) -> String {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    format!("sha256:{}", &hex[..hex.len().min(12)])
}

/// `fleet status` as a table.
pub fn render_table(rows: &[StatusRow]) -> String {
    let yn = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    };
    let mut table: Vec<[String; 8]> = vec![[
        "CONTAINER".into(),
        "STATE".into(),
        "UPTIME".into(),
        "REGISTERED".into(),
        "BUSY".into(),
        "RESTARTS".into(),
        "IMAGE".into(),
        "PROBLEM".into(),
    ]];
    for r in rows {
        let registered = match (r.registered, r.online) {
            (Some(true), Some(false)) => "offline".to_string(),
            (reg, _) => yn(reg).to_string(),
        };
        table.push([
            r.container.clone(),
            r.state.clone(),
            r.uptime_secs.map_or("-".into(), human_duration),
            registered,
            yn(r.busy).into(),
            r.restarts.to_string(),
            r.image.clone(),
            r.problem.clone().unwrap_or_default(),
        ]);
    }
    let widths: Vec<usize> = (0..8).map(|i| table.iter().map(|row| row[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &table {
        let line: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn human_duration(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runner_names_of_a_fleet_are_recognised_and_nothing_else() {
        assert!(is_fleet_runner_name("ci-bot-runner", "ci-bot-runner-3-a1b2c3"));
        assert!(!is_fleet_runner_name("ci-bot-runner", "ci-bot-runner-3"));
        assert!(!is_fleet_runner_name("ci-bot-runner", "ci-bot-runner-x-a1b2c3"));
        assert!(!is_fleet_runner_name("ci-bot", "ci-bot-runner-3-a1b2c3"));
        assert!(!is_fleet_runner_name("ci-bot-runner", "other-3-a1b2c3"));
    }

    #[test]
    fn durations_read_like_docker_ps() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(10_800), "3h");
        assert_eq!(human_duration(400_000), "4d");
    }
}
