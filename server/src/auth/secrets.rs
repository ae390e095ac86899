//! Credential secrets: generation, the SHA-256 under which opaque tokens are stored, and argon2id
//! for passwords. Token secrets are long and random, so a fast hash is enough for them; passwords
//! are not, so they get a slow one.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::distributions::{Alphanumeric, DistString};
use sha2::{Digest, Sha256};

/// The kinds of opaque secret the server issues, each with a recognisable prefix so that secret
/// scanners and humans can tell what leaked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    ApiToken,
    PlatformToken,
    RefreshToken,
    EnrollmentToken,
    AgentCredential,
    /// The secret a browser session's cookie carries.
    BrowserSession,
}

impl SecretKind {
    pub fn prefix(self) -> &'static str {
        match self {
            SecretKind::ApiToken => "ptrn_api_",
            SecretKind::PlatformToken => "ptrn_plat_",
            SecretKind::RefreshToken => "ptrn_rt_",
            SecretKind::EnrollmentToken => "ptrn_enr_",
            SecretKind::AgentCredential => "ptrn_agent_",
            SecretKind::BrowserSession => "ptrn_sess_",
        }
    }

    pub fn of(secret: &str) -> Option<SecretKind> {
        [
            SecretKind::ApiToken,
            SecretKind::PlatformToken,
            SecretKind::RefreshToken,
            SecretKind::EnrollmentToken,
            SecretKind::AgentCredential,
            SecretKind::BrowserSession,
        ]
        .into_iter()
        .find(|kind| secret.starts_with(kind.prefix()))
    }
}

/// A freshly generated secret: the value to hand out once, the hash to store, and the
/// displayable prefix.
pub struct NewSecret {
    pub value: String,
    pub hash: Vec<u8>,
    pub display_prefix: String,
}

pub fn generate(kind: SecretKind) -> NewSecret {
    let random = Alphanumeric.sample_string(&mut rand::thread_rng(), 40);
    let value = format!("{}{}", kind.prefix(), random);
    let display_prefix = value[..kind.prefix().len() + 4].to_string();
    NewSecret { hash: hash_secret(&value), value, display_prefix }
}

pub fn hash_secret(value: &str) -> Vec<u8> {
    Sha256::digest(value.as_bytes()).to_vec()
}

pub const MIN_PASSWORD_LEN: usize = 12;

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::thread_rng());
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Verifies a password; with no stored hash it still does the work so that timing does not tell
/// whether a user exists.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    const DUMMY: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1pWTgX8Wd9n3yXQpGc5hKfyBv0E3m0ldm0t6RkR5+fE";
    let hash = stored.unwrap_or(DUMMY);
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && stored.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_have_prefix_and_are_unique() {
        let a = generate(SecretKind::ApiToken);
        let b = generate(SecretKind::ApiToken);
        assert!(a.value.starts_with("ptrn_api_"));
        assert_eq!(a.value.len(), "ptrn_api_".len() + 40);
        assert_ne!(a.value, b.value);
        assert_eq!(a.hash, hash_secret(&a.value));
        assert!(a.value.starts_with(&a.display_prefix));
        assert_eq!(SecretKind::of(&a.value), Some(SecretKind::ApiToken));
        assert_eq!(SecretKind::of("eyJhbGciOi"), None);
    }

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("wrong horse battery", Some(&hash)));
        assert!(!verify_password("correct horse battery", None));
    }
}
