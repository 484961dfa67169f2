//! A host running in the test's runtime, watched through its `/healthz` view.

use std::time::Duration;

use ci_host::{HealthView, Host, ShutdownHandle};
use serde_json::Value;

/// A started host and the one task the test watches.
pub struct Running {
    pub stop: ShutdownHandle,
    pub health: HealthView,
    pub done: tokio::task::JoinHandle<()>,
    task: &'static str,
}

impl Running {
    /// Start `host` (its tasks already added), watching `task`.
    pub fn start(host: Host, task: &'static str) -> Running {
        let (stop, health) = (host.shutdown_handle(), host.health());
        Running { stop, health, done: tokio::spawn(host.run()), task }
    }

    /// The watched task's entry in the health report.
    pub fn task(&self) -> Value {
        self.health.report().1["tasks"][self.task].clone()
    }

    /// Wait (real time) until the task's view satisfies `cond` between ticks.
    pub async fn until(&self, what: &str, cond: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..400 {
            let v = self.task();
            if cond(&v) && v["in_tick"] == false {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("timed out waiting for {what}: {}", self.task());
    }

    /// SIGTERM, as the host sees it: the tick in flight finishes, then it returns.
    pub async fn stop(self) {
        self.stop.trigger();
        tokio::time::timeout(Duration::from_secs(20), self.done).await.expect("host stops").unwrap();
    }
}
