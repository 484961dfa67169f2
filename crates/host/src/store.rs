//! The host's state file: per task, the last slot done, failures, breaker
//! and the task's journal. Written whole or not at all (temp file, fsync,
//! rename), so a kill at any moment leaves the previous or the next version,
//! never half of one. Versioned; an unreadable or foreign file is set aside,
//! not trusted and not overwritten in place.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::schedule::TaskState;

/// Format version of the state file.
pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
struct StateFile {
    version: u32,
    tasks: BTreeMap<String, TaskState>,
}

/// Shared handle to the state file (and its in-memory copy).
#[derive(Clone)]
pub struct Store {
    path: Option<PathBuf>,
    inner: Arc<Mutex<StateFile>>,
}

impl Store {
    /// Open (or start) `dir/host-state.json`.
    pub fn open(dir: &Path) -> std::io::Result<Store> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("host-state.json");
        let state = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<StateFile>(&bytes) {
                Ok(s) if s.version == STATE_VERSION => s,
                other => {
                    let why = match other {
                        Ok(s) => format!("version {}", s.version),
                        Err(e) => e.to_string(),
                    };
                    let aside = dir.join("host-state.json.unreadable");
                    tracing::warn!(path = %path.display(), aside = %aside.display(), reason = %why, "state file not usable; starting fresh");
                    std::fs::rename(&path, &aside)?;
                    StateFile { version: STATE_VERSION, ..Default::default() }
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => StateFile { version: STATE_VERSION, ..Default::default() },
            Err(e) => return Err(e),
        };
        Ok(Store { path: Some(path), inner: Arc::new(Mutex::new(state)) })
    }

    /// A store that lives in memory only (tests of single pieces).
    pub fn in_memory() -> Store {
        Store { path: None, inner: Arc::new(Mutex::new(StateFile { version: STATE_VERSION, ..Default::default() })) }
    }

    /// The state of `task` (default if never seen).
    pub fn get(&self, task: &str) -> TaskState {
        self.lock().tasks.get(task).cloned().unwrap_or_default()
    }

    /// Every task's state.
    pub fn all(&self) -> BTreeMap<String, TaskState> {
        self.lock().tasks.clone()
    }

    /// Change `task`'s state and persist the whole file before returning.
    pub fn update(&self, task: &str, f: impl FnOnce(&mut TaskState)) -> std::io::Result<()> {
        let mut guard = self.lock();
        f(guard.tasks.entry(task.to_string()).or_default());
        match &self.path {
            Some(p) => write_atomically(p, &serde_json::to_vec_pretty(&*guard).map_err(std::io::Error::other)?),
            None => Ok(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StateFile> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        // The rename itself must survive a power cut.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_survives_a_reopen_and_garbage_is_set_aside() {
        let dir = std::env::temp_dir().join(format!("ci-host-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let s = Store::open(&dir).unwrap();
        s.update("d", |t| t.last_done_slot = Some(7)).unwrap();
        assert_eq!(Store::open(&dir).unwrap().get("d").last_done_slot, Some(7));

        std::fs::write(dir.join("host-state.json"), b"{\"version\": 1, \"tasks\": {\"d\": {\"last_done_sl").unwrap();
        let fresh = Store::open(&dir).unwrap();
        assert_eq!(fresh.get("d"), TaskState::default());
        assert!(dir.join("host-state.json.unreadable").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
