//! Per-caller rate limits (GCRA, a token bucket without a timer). In process by default; in
//! Redis when `REDIS_URL` is set, so that all replicas share each caller's budget. If Redis cannot
//! be reached the request is let through: a limiter outage must not take the API down.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Sustained requests per second.
    pub per_second: u32,
    /// Requests that may arrive at once after a quiet spell.
    pub burst: u32,
}

impl Policy {
    fn interval_us(&self) -> u64 {
        1_000_000 / u64::from(self.per_second.max(1))
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the bucket is full again.
    pub reset_secs: u64,
    pub retry_after_secs: u64,
    pub window_secs: u64,
}

impl Decision {
    /// `RateLimit-Policy` and `RateLimit` as in the IETF draft (structured fields), plus the
    /// older `RateLimit-Limit`/`-Remaining`/`-Reset` trio that many clients still read.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        let pairs = [
            ("ratelimit-policy", format!("\"default\";q={};w={}", self.limit, self.window_secs)),
            ("ratelimit", format!("\"default\";r={};t={}", self.remaining, self.reset_secs)),
            ("ratelimit-limit", self.limit.to_string()),
            ("ratelimit-remaining", self.remaining.to_string()),
            ("ratelimit-reset", self.reset_secs.to_string()),
        ];
        for (name, value) in pairs {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
        }
    }
}

/// The pure GCRA step: given the stored theoretical arrival time (µs), decide and return the new one.
fn gcra(policy: Policy, now_us: u64, stored_tat_us: Option<u64>) -> (Decision, Option<u64>) {
    let interval = policy.interval_us();
    let capacity = interval * u64::from(policy.burst.max(1));
    let tat = stored_tat_us.unwrap_or(now_us).max(now_us);
    let new_tat = tat + interval;
    let window_secs = (capacity / 1_000_000).max(1);
    if new_tat - now_us > capacity {
        let retry_us = new_tat - now_us - capacity;
        let decision = Decision {
            allowed: false,
            limit: policy.burst,
            remaining: 0,
            reset_secs: (tat - now_us).div_ceil(1_000_000),
            retry_after_secs: retry_us.div_ceil(1_000_000).max(1),
            window_secs,
        };
        return (decision, None);
    }
    let remaining = ((capacity - (new_tat - now_us)) / interval) as u32;
    let decision = Decision {
        allowed: true,
        limit: policy.burst,
        remaining,
        reset_secs: (new_tat - now_us).div_ceil(1_000_000),
        retry_after_secs: 0,
        window_secs,
    };
    (decision, Some(new_tat))
}

const REDIS_GCRA: &str = r#"
local interval = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
if new_tat - now > capacity then
  return {0, new_tat - now - capacity, tat - now}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return {1, capacity - (new_tat - now), new_tat - now}
"#;

enum Backend {
    Local {
        epoch: Instant,
        tats: Mutex<HashMap<String, u64>>,
    },
    Redis {
        conn: redis::aio::ConnectionManager,
        script: redis::Script,
        epoch: Instant,
        /// Milliseconds since `epoch` until which Redis counts as away and checks fail open
        /// without asking it, so that an outage costs one timeout per second, not one per request.
        away_until_ms: AtomicU64,
    },
}

pub struct RateLimiter {
    policy: Policy,
    backend: Backend,
}

/// How long a request waits for the shared limiter before it fails open.
const LIMIT_CHECK_TIMEOUT: Duration = Duration::from_millis(200);
/// After a failed check, how long checks fail open before Redis is asked again.
const AWAY_MS: u64 = 1000;

impl RateLimiter {
    pub fn local(policy: Policy) -> Self {
        RateLimiter { policy, backend: Backend::Local { epoch: Instant::now(), tats: Mutex::new(HashMap::new()) } }
    }

    pub async fn redis(policy: Policy, url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let conn = crate::pubsub::managed(client).await?;
        let script = redis::Script::new(REDIS_GCRA);
        let backend = Backend::Redis { conn, script, epoch: Instant::now(), away_until_ms: AtomicU64::new(0) };
        Ok(RateLimiter { policy, backend })
    }

    pub async fn check(&self, key: &str) -> Decision {
        match &self.backend {
            Backend::Local { epoch, tats } => {
                let now = epoch.elapsed().as_micros() as u64;
                let mut tats = match tats.lock() {
                    Ok(t) => t,
                    Err(poisoned) => poisoned.into_inner(),
                };
                if tats.len() > 100_000 {
                    tats.retain(|_, tat| *tat > now);
                }
                let (decision, new_tat) = gcra(self.policy, now, tats.get(key).copied());
                if let Some(tat) = new_tat {
                    tats.insert(key.to_string(), tat);
                }
                decision
            }
            Backend::Redis { conn, script, epoch, away_until_ms } => {
                let interval = self.policy.interval_us();
                let capacity = interval * u64::from(self.policy.burst.max(1));
                let window_secs = (capacity / 1_000_000).max(1);
                let fail_open = Decision {
                    allowed: true,
                    limit: self.policy.burst,
                    remaining: self.policy.burst,
                    reset_secs: 0,
                    retry_after_secs: 0,
                    window_secs,
                };
                let now_ms = epoch.elapsed().as_millis() as u64;
                if now_ms < away_until_ms.load(Ordering::Relaxed) {
                    return fail_open;
                }
                let mut conn = conn.clone();
                // A check waits at most LIMIT_CHECK_TIMEOUT for Redis; then the request goes through.
                let mut invocation = script.key(format!("patronus:ratelimit:{key}"));
                invocation.arg(interval).arg(capacity);
                let call = invocation.invoke_async::<(i64, i64, i64)>(&mut conn);
                let result: redis::RedisResult<(i64, i64, i64)> = tokio::time::timeout(LIMIT_CHECK_TIMEOUT, call)
                    .await
                    .unwrap_or_else(|_| Err(redis::RedisError::from((redis::ErrorKind::IoError, "timed out"))));
                match result {
                    Ok((1, headroom, until_full)) => Decision {
                        allowed: true,
                        limit: self.policy.burst,
                        remaining: (headroom.max(0) as u64 / interval) as u32,
                        reset_secs: (until_full.max(0) as u64).div_ceil(1_000_000),
                        retry_after_secs: 0,
                        window_secs,
                    },
                    Ok((_, wait, until_full)) => Decision {
                        allowed: false,
                        limit: self.policy.burst,
                        remaining: 0,
                        reset_secs: (until_full.max(0) as u64).div_ceil(1_000_000),
                        retry_after_secs: (wait.max(0) as u64).div_ceil(1_000_000).max(1),
                        window_secs,
                    },
                    Err(err) => {
                        tracing::warn!(error = %err, "rate limiter: Redis unavailable, letting requests through for 1 s");
                        away_until_ms.store(epoch.elapsed().as_millis() as u64 + AWAY_MS, Ordering::Relaxed);
                        fail_open
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refuse_then_refill() {
        let policy = Policy { per_second: 10, burst: 3 };
        let mut tat = None;
        for expected_remaining in [2, 1, 0] {
            let (d, t) = gcra(policy, 0, tat);
            assert!(d.allowed);
            assert_eq!(d.remaining, expected_remaining);
            tat = t;
        }
        let (d, t) = gcra(policy, 0, tat);
        assert!(!d.allowed);
        assert!(t.is_none());
        assert_eq!(d.retry_after_secs, 1);
        // 100 ms later one request's worth has dripped back in.
        let (d, _) = gcra(policy, 100_000, tat);
        assert!(d.allowed);
    }
}
