//! Starts the fake LLM provider (`llm_server.mjs`, a real HTTP server on 127.0.0.1
//! speaking the OpenAI, Anthropic and Gemini wire shapes) for a test, and stops it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The only key the fake provider accepts. A test value, not a secret.
pub const KEY: &str = "test-key-123";

pub struct FakeProvider {
    child: Child,
    pub port: u16,
}

impl FakeProvider {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// A server whose `redirect` scenario answers 307 to `to` (another server).
    pub fn start_redirecting_to(to: &str) -> Self {
        Self::start_with(&["--redirect-to", to])
    }

    fn start_with(args: &[&str]) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/llm_server.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node must be installed (scripts/setup.sh installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("a LISTENING line");
        let port = line
            .trim()
            .strip_prefix("LISTENING ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected: {line:?}"));
        Self { child, port }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `GET /stats` as JSON.
    pub fn stats(&self) -> serde_json::Value {
        self.get("stats")
    }

    /// `GET /log`: every request with the credential it carried.
    pub fn log(&self) -> Vec<serde_json::Value> {
        self.get("log").as_array().cloned().unwrap_or_default()
    }

    fn get(&self, what: &str) -> serde_json::Value {
        let body = ureq::get(&format!("{}/{what}", self.base()))
            .call()
            .expect("stats")
            .body_mut()
            .read_to_string()
            .expect("body");
        serde_json::from_str(&body).expect("stats JSON")
    }
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
