//! Cursor pagination. Ids are UUIDv7, so ordering by id is creation order and the last id of a
//! page is a stable cursor: rows created or deleted meanwhile never shift later pages.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use patronus_api::Page;
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use crate::validate::FieldErrors;

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 500;

#[derive(Debug, Clone)]
pub struct PageRequest {
    after: Option<Uuid>,
    limit: u32,
}

impl PageRequest {
    pub fn new(cursor: Option<&str>, limit: Option<u32>) -> Result<Self, FieldErrors> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(FieldErrors::one("/query/limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(
                decode_cursor(c).ok_or_else(|| FieldErrors::one("/query/cursor", "not a cursor this API issued"))?,
            ),
        };
        Ok(PageRequest { after, limit })
    }

    /// Appends the cursor condition, the order and the limit (one extra row tells whether there
    /// is a next page). The query must already have a WHERE clause.
    pub fn push_to(&self, q: &mut QueryBuilder<'_, Postgres>) {
        if let Some(after) = self.after {
            q.push(" AND id > ").push_bind(after);
        }
        q.push(" ORDER BY id LIMIT ").push_bind(i64::from(self.limit) + 1);
    }

    /// Cuts the extra row off and turns it into the next cursor.
    pub fn finish<R, T>(&self, mut rows: Vec<R>, id: impl Fn(&R) -> Uuid, to_api: impl Fn(&R) -> T) -> Page<T> {
        let next_cursor = if rows.len() > self.limit as usize {
            rows.truncate(self.limit as usize);
            rows.last().map(|r| encode_cursor(id(r)))
        } else {
            None
        };
        Page { items: rows.iter().map(to_api).collect(), next_cursor }
    }
}

fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(cursor: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    Uuid::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let id = Uuid::now_v7();
        assert_eq!(decode_cursor(&encode_cursor(id)), Some(id));
        assert!(PageRequest::new(Some("not-a-cursor!"), None).is_err());
        assert!(PageRequest::new(None, Some(0)).is_err());
        assert!(PageRequest::new(None, Some(MAX_LIMIT + 1)).is_err());
    }

    #[test]
    fn finish_cuts_the_extra_row_into_a_cursor() {
        let page = PageRequest::new(None, Some(2)).expect("page");
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let out = page.finish(ids.clone(), |id| *id, |id| *id);
        assert_eq!(out.items, ids[..2].to_vec());
        assert_eq!(out.next_cursor.as_deref().and_then(decode_cursor), Some(ids[1]));
        let last = page.finish(ids[..2].to_vec(), |id| *id, |id| *id);
        assert!(last.next_cursor.is_none());
    }
}
