//! Access tokens: HS256 JWTs whose header names the signing key by `kid`. The newest key signs;
//! every key in the database verifies, so adding a key (rotation) invalidates no session. Keys are
//! shared through the database, so a token signed by one replica verifies on every other.

use std::collections::HashMap;
use std::sync::RwLock;

use chrono::Utc;
use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use patronus_api::Role;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use crate::db;

pub const ISSUER: &str = "patronus";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    /// Tenant id.
    pub tid: Uuid,
    pub role: Role,
    pub email: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

struct Key {
    secret: Vec<u8>,
}

#[derive(Default)]
struct Keys {
    by_kid: HashMap<String, Key>,
    current: Option<String>,
}

pub struct KeyRing {
    keys: RwLock<Keys>,
    pub access_ttl_secs: i64,
}

impl KeyRing {
    pub fn new(access_ttl_secs: i64) -> Self {
        KeyRing { keys: RwLock::new(Keys::default()), access_ttl_secs }
    }

    /// Loads every key from the database, creating the first one when there is none.
    pub async fn load(&self, pool: &PgPool) -> anyhow::Result<()> {
        let mut rows = db::signing_keys::all(pool).await?;
        if rows.is_empty() {
            db::signing_keys::create(pool).await?;
            rows = db::signing_keys::all(pool).await?;
        }
        let mut keys = Keys::default();
        for row in rows {
            // Rows come oldest first, so the last one is the current signer.
            keys.current = Some(row.kid.clone());
            keys.by_kid.insert(row.kid, Key { secret: row.secret });
        }
        match self.keys.write() {
            Ok(mut guard) => *guard = keys,
            Err(poisoned) => *poisoned.into_inner() = keys,
        }
        Ok(())
    }

    pub fn current_kid(&self) -> Option<String> {
        self.keys.read().ok().and_then(|k| k.current.clone())
    }

    pub fn issue(&self, user_id: Uuid, tenant_id: Uuid, role: Role, email: &str) -> anyhow::Result<String> {
        let keys = self.keys.read().map_err(|_| anyhow::anyhow!("key ring poisoned"))?;
        let kid = keys.current.clone().ok_or_else(|| anyhow::anyhow!("no signing key loaded"))?;
        let key = keys.by_kid.get(&kid).ok_or_else(|| anyhow::anyhow!("current key missing"))?;
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            tid: tenant_id,
            role,
            email: email.to_string(),
            iss: ISSUER.to_string(),
            iat: now,
            exp: now + self.access_ttl_secs,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid);
        Ok(encode(&header, &claims, &EncodingKey::from_secret(&key.secret))?)
    }

    /// Verifies a token. `Ok(None)` means the `kid` is unknown to this replica: the caller
    /// reloads the ring (another replica may have rotated) and tries once more.
    pub fn verify(&self, token: &str) -> Result<Option<Claims>, jsonwebtoken::errors::Error> {
        let header = decode_header(token)?;
        let Some(kid) = header.kid else {
            return Err(jsonwebtoken::errors::ErrorKind::InvalidToken.into());
        };
        let keys = match self.keys.read() {
            Ok(k) => k,
            Err(poisoned) => poisoned.into_inner(),
        };
        let Some(key) = keys.by_kid.get(&kid) else {
            return Ok(None);
        };
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 5;
        let data = decode::<Claims>(token, &DecodingKey::from_secret(&key.secret), &validation)?;
        Ok(Some(data.claims))
    }

    pub fn knows(&self, kid: &str) -> bool {
        self.keys.read().map(|k| k.by_kid.contains_key(kid)).unwrap_or(false)
    }
}
