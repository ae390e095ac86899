//! `patronus-agent enroll`: a fresh key pair on this machine, exchanged with an enrollment token
//! for the agent's credential.

use anyhow::{Context, Result};
use patronus_api::client::Client;
use patronus_api::EnrollRequest;

use crate::control::VERSION;
use crate::state::{Enrollment, StateDir};

pub async fn enroll(state: &StateDir, server: &str, token: &str, hostname: &str) -> Result<Enrollment> {
    let client = Client::new(server, None)?;
    let public_key = state.generate_key()?;
    let answer = client
        .enroll(&EnrollRequest {
            token: token.to_string(),
            public_key,
            hostname: hostname.to_string(),
            agent_version: VERSION.to_string(),
        })
        .await
        .context("enrolling")?;
    let enrollment = Enrollment {
        server: client.base_url().to_string(),
        agent_id: answer.agent_id,
        site_id: answer.site_id,
        credential: answer.credential,
        status_interval_seconds: answer.status_interval_seconds,
    };
    // A new enrollment means a new document; the old one belongs to the old identity.
    state.clear_enrollment()?;
    state.save_enrollment(&enrollment)?;
    Ok(enrollment)
}

/// This machine's name, for the operators' list of agents.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}
