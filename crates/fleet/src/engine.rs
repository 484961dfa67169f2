//! The Docker side: a thin layer over bollard that speaks in fleet terms
//! (our containers, their role and slot) and turns every engine error into a
//! one-line [`Error::Docker`] naming the operation.

use std::collections::HashMap;
use std::time::Duration;

use bollard::exec::{CreateExecOptions, StartExecResults};
use bollard::models::{ContainerCreateBody, ContainerInspectResponse, ContainerStateStatusEnum, VolumeCreateRequest};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, InspectContainerOptions, ListContainersOptionsBuilder, ListVolumesOptionsBuilder, LogsOptionsBuilder,
    RemoveContainerOptionsBuilder, RemoveVolumeOptionsBuilder, RenameContainerOptionsBuilder, StopContainerOptionsBuilder,
};
use bollard::Docker;
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt, TryStreamExt};
use tokio::io::AsyncWriteExt;

use crate::spec::{Role, LABEL_FINGERPRINT, LABEL_FLEET, LABEL_ROLE, LABEL_RUNNER_NAME, LABEL_SLOT, LABEL_SPEC};
use crate::{Error, Result};

/// A connection to the Docker engine, API version negotiated.
#[derive(Clone)]
pub struct Engine {
    docker: Docker,
}

/// A local image, resolved.
#[derive(Debug, Clone)]
pub struct ImageInfo {
    /// Content id (`sha256:...`): what containers are created from.
    pub id: String,
    /// `repo@sha256:...` when the image came from a registry.
    pub digest: Option<String>,
    /// The image's ENTRYPOINT.
    pub entrypoint: Vec<String>,
}

/// One container of a fleet, as the engine sees it.
#[derive(Debug, Clone)]
pub struct Member {
    /// Container id.
    pub id: String,
    /// Container name (no leading `/`).
    pub name: String,
    /// Runner or host.
    pub role: Role,
    /// Runner slot (runners only).
    pub slot: Option<u32>,
    /// The runner's name on GitHub (runners only).
    pub runner_name: Option<String>,
    /// Configuration fingerprint it was created with.
    pub fingerprint: String,
    /// The fleet spec (JSON) it was created from.
    pub spec_json: String,
    /// `running`, `exited`, `restarting`, ...
    pub state: String,
    /// Exit code of the last run, when not running.
    pub exit_code: Option<i64>,
    /// Docker's count of automatic restarts.
    pub restarts: i64,
    /// When the current (or last) run started.
    pub started_at: Option<DateTime<Utc>>,
    /// When the container was created.
    pub created_at: Option<DateTime<Utc>>,
    /// Image id it runs.
    pub image_id: String,
    /// Docker health status, if the image or container has a health check.
    pub health: Option<String>,
}

impl Member {
    /// Running (not restarting, not paused).
    pub fn is_running(&self) -> bool {
        self.state == "running"
    }

    /// `running`, or `exited (1)` and the like.
    pub fn state_line(&self) -> String {
        match (self.state.as_str(), self.exit_code) {
            ("exited" | "dead", Some(code)) => format!("{} ({code})", self.state),
            _ => match &self.health {
                Some(h) if self.is_running() => format!("running ({h})"),
                _ => self.state.clone(),
            },
        }
    }
}

fn docker_err(op: &str) -> impl Fn(bollard::errors::Error) -> Error + '_ {
    move |e| Error::Docker { op: op.to_string(), message: one_line(&e.to_string()) }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(e, bollard::errors::Error::DockerResponseServerError { status_code: 404, .. })
}

fn parse_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    let t = DateTime::parse_from_rfc3339(s?).ok()?.with_timezone(&Utc);
    // Docker's "never": 0001-01-01T00:00:00Z.
    (t.timestamp() > 0).then_some(t)
}

impl Engine {
    /// Connect as the docker CLI would (`DOCKER_HOST` or the local socket)
    /// and negotiate the API version with the engine.
    pub async fn connect() -> Result<Engine> {
        let docker = Docker::connect_with_defaults()
            .map_err(docker_err("connect"))?
            .with_timeout(Duration::from_secs(120));
        let docker = docker.negotiate_version().await.map_err(docker_err("connect"))?;
        docker.ping().await.map_err(docker_err("ping"))?;
        Ok(Engine { docker })
    }

    /// The negotiated API version, e.g. `1.41`.
    pub fn api_version(&self) -> String {
        let v = self.docker.client_version();
        format!("{}.{}", v.major_version, v.minor_version)
    }

    /// The underlying client, for what this layer does not cover (tests).
    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    /// Resolve a local image. Nothing is pulled: an operator pulls or builds
    /// deliberately, and a fleet never changes image behind their back.
    pub async fn image(&self, reference: &str) -> Result<ImageInfo> {
        match self.docker.inspect_image(reference).await {
            Ok(img) => Ok(ImageInfo {
                id: img.id.unwrap_or_default(),
                digest: img.repo_digests.and_then(|d| d.into_iter().next()),
                entrypoint: img.config.and_then(|c| c.entrypoint).unwrap_or_default(),
            }),
            Err(e) if is_not_found(&e) => Err(Error::ImageMissing(reference.to_string())),
            Err(e) => Err(docker_err("inspect image")(e)),
        }
    }

    /// The registry digest of an image id, if it has one (for status).
    pub async fn image_digest(&self, id: &str) -> Option<String> {
        let img = self.docker.inspect_image(id).await.ok()?;
        img.repo_digests.and_then(|d| d.into_iter().next())
    }

    /// Every container (running or not) labelled as a member of `fleet`.
    pub async fn members(&self, fleet: &str) -> Result<Vec<Member>> {
        let mut filters = HashMap::new();
        filters.insert("label".to_string(), vec![format!("{LABEL_FLEET}={fleet}")]);
        let opts = ListContainersOptionsBuilder::new().all(true).filters(&filters).build();
        let list = self.docker.list_containers(Some(opts)).await.map_err(docker_err("list containers"))?;
        let mut out = Vec::new();
        for c in list {
            let Some(id) = c.id else { continue };
            // Gone between list and inspect (another operator): not a member.
            if let Some(m) = self.inspect(&id).await? {
                out.push(m);
            }
        }
        out.sort_by(|a, b| (a.role as u8, a.slot, &a.name).cmp(&(b.role as u8, b.slot, &b.name)));
        Ok(out)
    }

    /// The container of runner slot `slot`, or the host (`None`). Needs no
    /// GitHub access, so `fleet logs` works without the admin token. Mid-roll
    /// a slot has two containers: the one holding the slot's own name wins
    /// (the surge container's name is longer).
    pub async fn member(&self, fleet: &str, slot: Option<u32>) -> Result<Member> {
        self.members(fleet)
            .await?
            .into_iter()
            .filter(|m| match slot {
                Some(s) => m.role == Role::Runner && m.slot == Some(s),
                None => m.role == Role::Host,
            })
            .min_by_key(|m| m.name.len())
            .ok_or_else(|| {
                Error::NoFleet(match slot {
                    Some(s) => format!("{fleet} (no runner in slot {s})"),
                    None => format!("{fleet} (no host container)"),
                })
            })
    }

    /// A container by name or id; `None` if there is none.
    pub async fn inspect_raw(&self, name: &str) -> Result<Option<ContainerInspectResponse>> {
        match self.docker.inspect_container(name, None::<InspectContainerOptions>).await {
            Ok(c) => Ok(Some(c)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(docker_err("inspect container")(e)),
        }
    }

    /// A fleet member by name or id; `None` if absent or not a fleet container.
    pub async fn inspect(&self, name: &str) -> Result<Option<Member>> {
        Ok(self.inspect_raw(name).await?.and_then(member_of))
    }

    /// The fleet label of the container called `name`: `None` if there is no
    /// such container, `Some("")` if it exists but is not a fleet container.
    pub async fn owner_of(&self, name: &str) -> Result<Option<String>> {
        Ok(self.inspect_raw(name).await?.map(|c| {
            c.config.and_then(|c| c.labels).and_then(|l| l.get(LABEL_FLEET).cloned()).unwrap_or_default()
        }))
    }

    /// Create a named volume (labelled) unless it exists.
    pub async fn ensure_volume(&self, name: &str, labels: HashMap<String, String>) -> Result<()> {
        let req = VolumeCreateRequest { name: Some(name.to_string()), labels: Some(labels), ..Default::default() };
        self.docker.create_volume(req).await.map_err(docker_err("create volume"))?;
        Ok(())
    }

    /// Remove a volume; an absent one is fine.
    pub async fn remove_volume(&self, name: &str) -> Result<()> {
        match self.docker.remove_volume(name, Some(RemoveVolumeOptionsBuilder::new().build())).await {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(docker_err("remove volume")(e)),
        }
    }

    /// Names of the volumes labelled as belonging to `fleet`.
    pub async fn volumes(&self, fleet: &str) -> Result<Vec<String>> {
        let mut filters = HashMap::new();
        filters.insert("label".to_string(), vec![format!("{LABEL_FLEET}={fleet}")]);
        let opts = ListVolumesOptionsBuilder::new().filters(&filters).build();
        let list = self.docker.list_volumes(Some(opts)).await.map_err(docker_err("list volumes"))?;
        Ok(list.volumes.unwrap_or_default().into_iter().map(|v| v.name).collect())
    }

    /// Create a container; returns its id.
    pub async fn create(&self, name: &str, body: ContainerCreateBody) -> Result<String> {
        let opts = CreateContainerOptionsBuilder::new().name(name).build();
        let r = self.docker.create_container(Some(opts), body).await.map_err(docker_err("create container"))?;
        Ok(r.id)
    }

    /// Start a created container.
    pub async fn start(&self, id: &str) -> Result<()> {
        self.docker.start_container(id, None).await.map_err(docker_err("start container"))
    }

    /// Run `cmd` inside the running container `id` with `secret` (plus a
    /// newline) on its stdin, and wait for it to succeed. The secret travels
    /// over the engine's API socket only: it is not part of the exec's
    /// configuration (so not in `docker inspect`), not in argv or the
    /// environment, and not in the container's log.
    pub async fn deliver_secret(&self, id: &str, cmd: &[String], secret: &str) -> Result<()> {
        let op = "deliver registration token";
        let exec = self
            .docker
            .create_exec(
                id,
                CreateExecOptions {
                    cmd: Some(cmd.to_vec()),
                    attach_stdin: Some(true),
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    ..Default::default()
                },
            )
            .await
            .map_err(docker_err(op))?;
        let output = match self.docker.start_exec(&exec.id, None).await.map_err(docker_err(op))? {
            StartExecResults::Attached { mut output, mut input } => {
                let mut line = String::with_capacity(secret.len() + 1);
                line.push_str(secret);
                line.push('\n');
                input.write_all(line.as_bytes()).await.map_err(|e| Error::Docker {
                    op: op.into(),
                    message: format!("writing to the receiver's stdin: {e}"),
                })?;
                let _ = input.shutdown().await;
                drop(line);
                // The receiver's own words, for the error message; it never echoes the token.
                let mut said = String::new();
                let read = async {
                    while let Some(chunk) = output.next().await {
                        match chunk {
                            Ok(c) => said.push_str(&String::from_utf8_lossy(&c.into_bytes())),
                            Err(_) => break,
                        }
                    }
                };
                let _ = tokio::time::timeout(Duration::from_secs(60), read).await;
                said
            }
            StartExecResults::Detached => String::new(),
        };
        // The exec may be reported running for a moment after its streams close.
        for _ in 0..50 {
            let info = self.docker.inspect_exec(&exec.id).await.map_err(docker_err(op))?;
            if info.running != Some(true) {
                return match info.exit_code {
                    Some(0) => Ok(()),
                    code => Err(Error::Docker {
                        op: op.into(),
                        message: format!(
                            "{} exited with {}: {}",
                            cmd.join(" "),
                            code.map_or("no code".into(), |c| c.to_string()),
                            one_line(&output).chars().take(300).collect::<String>()
                        ),
                    }),
                };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(Error::Docker { op: op.into(), message: format!("{} did not finish", cmd.join(" ")) })
    }

    /// Stop (SIGTERM, then SIGKILL after `grace`) and remove, with anonymous
    /// volumes; named volumes (the tool cache) stay. An absent container is fine.
    pub async fn stop_and_remove(&self, id: &str, grace: Duration) -> Result<()> {
        let stop = StopContainerOptionsBuilder::new().t(grace.as_secs() as i32).build();
        match self.docker.stop_container(id, Some(stop)).await {
            Ok(()) => {}
            Err(e) if is_not_found(&e) => return Ok(()),
            // 304 (already stopped) and friends: removal below decides.
            Err(_) => {}
        }
        let rm = RemoveContainerOptionsBuilder::new().force(true).v(true).build();
        match self.docker.remove_container(id, Some(rm)).await {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(docker_err("remove container")(e)),
        }
    }

    /// Rename a container.
    pub async fn rename(&self, id: &str, new_name: &str) -> Result<()> {
        let opts = RenameContainerOptionsBuilder::new().name(new_name).build();
        self.docker.rename_container(id, opts).await.map_err(docker_err("rename container"))
    }

    /// The container's log (stdout and stderr), as text chunks.
    pub fn logs(&self, id: &str, follow: bool, tail: Option<u32>) -> impl Stream<Item = Result<String>> + '_ {
        let tail = tail.map_or_else(|| "all".to_string(), |n| n.to_string());
        let opts = LogsOptionsBuilder::new().stdout(true).stderr(true).follow(follow).tail(&tail).build();
        self.docker
            .logs(id, Some(opts))
            .map_ok(|chunk| String::from_utf8_lossy(&chunk.into_bytes()).into_owned())
            .map_err(docker_err("logs"))
    }
}

fn member_of(c: ContainerInspectResponse) -> Option<Member> {
    let labels = c.config.as_ref()?.labels.as_ref()?;
    labels.get(LABEL_FLEET)?;
    let role = match labels.get(LABEL_ROLE).map(String::as_str) {
        Some("runner") => Role::Runner,
        Some("host") => Role::Host,
        _ => return None,
    };
    let state = c.state.as_ref();
    let status = state.and_then(|s| s.status).unwrap_or(ContainerStateStatusEnum::EMPTY);
    Some(Member {
        id: c.id.clone().unwrap_or_default(),
        name: c.name.as_deref().unwrap_or_default().trim_start_matches('/').to_string(),
        role,
        slot: labels.get(LABEL_SLOT).and_then(|s| s.parse().ok()),
        runner_name: labels.get(LABEL_RUNNER_NAME).cloned(),
        fingerprint: labels.get(LABEL_FINGERPRINT).cloned().unwrap_or_default(),
        spec_json: labels.get(LABEL_SPEC).cloned().unwrap_or_default(),
        state: status.to_string(),
        exit_code: state.and_then(|s| s.exit_code),
        restarts: c.restart_count.unwrap_or(0),
        started_at: parse_time(state.and_then(|s| s.started_at.as_deref())),
        created_at: parse_time(c.created.as_deref()),
        image_id: c.image.clone().unwrap_or_default(),
        health: state.and_then(|s| s.health.as_ref()).and_then(|h| h.status).map(|h| h.to_string()),
    })
}
