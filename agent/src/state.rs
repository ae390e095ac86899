//! The agent's state directory: its WireGuard key pair, its credential and server, and the
//! last-known-good document. Secrets are files of mode 0600 in a 0700 directory; every write is
//! atomic (write, fsync, rename, fsync the directory) so a crash never leaves half a file.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use base64::Engine;
use patronus_api::CompiledConfig;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const DEFAULT_STATE_DIR: &str = "/var/lib/patronus-agent";

const PRIVATE_KEY: &str = "private.key";
const PUBLIC_KEY: &str = "public.key";
const ENROLLMENT: &str = "enrollment.json";
const LAST_KNOWN_GOOD: &str = "config.json";

/// What enrollment left behind: where the server is and who this agent is there.
#[derive(Clone, Serialize, Deserialize)]
pub struct Enrollment {
    pub server: String,
    pub agent_id: Uuid,
    pub site_id: Uuid,
    pub credential: String,
    pub status_interval_seconds: u32,
}

impl std::fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrollment")
            .field("server", &self.server)
            .field("agent_id", &self.agent_id)
            .field("site_id", &self.site_id)
            .finish_non_exhaustive()
    }
}

pub struct StateDir {
    dir: PathBuf,
}

impl StateDir {
    /// Opens the directory, creating it (mode 0700) when missing.
    pub fn open(dir: &Path) -> Result<StateDir> {
        fs::create_dir_all(dir).with_context(|| format!("creating the state directory {}", dir.display()))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .with_context(|| format!("restricting {}", dir.display()))?;
        Ok(StateDir { dir: dir.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes `name` atomically with `mode`.
    fn write(&self, name: &str, bytes: &[u8], mode: u32) -> Result<()> {
        let target = self.dir.join(name);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)
            .with_context(|| format!("writing {}", tmp.display()))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, &target).with_context(|| format!("replacing {}", target.display()))?;
        fs::File::open(&self.dir)?.sync_all()?;
        Ok(())
    }

    fn read(&self, name: &str) -> Result<Option<Vec<u8>>> {
        match fs::read(self.dir.join(name)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", self.dir.join(name).display())),
        }
    }

    /// Generates a new key pair on this machine; returns the public key. The private key never
    /// leaves the state directory.
    pub fn generate_key(&self) -> Result<patronus_api::WgKey> {
        let secret = x25519_dalek::StaticSecret::random_from_rng(rand::rngs::OsRng);
        let public = patronus_api::WgKey::from_bytes(x25519_dalek::PublicKey::from(&secret).to_bytes());
        let b64 = base64::engine::general_purpose::STANDARD;
        self.write(PRIVATE_KEY, b64.encode(secret.to_bytes()).as_bytes(), 0o600)?;
        self.write(PUBLIC_KEY, public.to_string().as_bytes(), 0o644)?;
        Ok(public)
    }

    pub fn private_key(&self) -> Result<[u8; 32]> {
        let text = self.read(PRIVATE_KEY)?.context("no private key: run `patronus-agent enroll` first")?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(String::from_utf8_lossy(&text).trim())
            .context("the private key file is not base64")?;
        bytes.try_into().map_err(|_| anyhow::anyhow!("the private key file does not hold 32 bytes"))
    }

    pub fn save_enrollment(&self, enrollment: &Enrollment) -> Result<()> {
        self.write(ENROLLMENT, &serde_json::to_vec_pretty(enrollment)?, 0o600)
    }

    pub fn enrollment(&self) -> Result<Enrollment> {
        let bytes = self.read(ENROLLMENT)?.with_context(|| {
            format!("{} holds no enrollment: run `patronus-agent enroll` first", self.dir.display())
        })?;
        serde_json::from_slice(&bytes).context("the enrollment file is damaged")
    }

    pub fn save_last_known_good(&self, config: &CompiledConfig) -> Result<()> {
        self.write(LAST_KNOWN_GOOD, &serde_json::to_vec(config)?, 0o600)
    }

    /// The last document the agent validated and applied, if any.
    pub fn last_known_good(&self) -> Result<Option<CompiledConfig>> {
        match self.read(LAST_KNOWN_GOOD)? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes).map(Some).context("the last-known-good document is damaged"),
        }
    }

    /// Forgets the enrollment and the document (the key pair stays until the next enrollment).
    pub fn clear_enrollment(&self) -> Result<()> {
        for name in [ENROLLMENT, LAST_KNOWN_GOOD] {
            match fs::remove_file(self.dir.join(name)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        Ok(())
    }
}
