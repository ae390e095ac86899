//! Every unique constraint of the schema answers as a 409 naming a field, never a 500.

use patronus_server::db::UNIQUE_CONSTRAINTS;
use sqlx::{ConnectOptions, Connection};

use crate::common::{fresh_database, owner_options};

#[tokio::test]
async fn every_unique_constraint_and_index_is_mapped_to_a_field() {
    let database = fresh_database().await;
    let mut conn = owner_options().database(&database).connect().await.unwrap();
    // Unique and primary-key constraints, and unique indexes that back no constraint.
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT c.conname::text FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
         WHERE n.nspname = 'public' AND c.contype IN ('u', 'p', 'x') \
         UNION \
         SELECT i.relname::text FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_namespace n ON n.oid = i.relnamespace \
         WHERE n.nspname = 'public' AND x.indisunique \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) \
           AND i.relname NOT LIKE '\\_sqlx%' \
         ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let names: Vec<String> = names.into_iter().filter(|n| !n.starts_with("_sqlx_migrations")).collect();
    assert!(names.len() > 20, "found only {names:?}");
    let unmapped: Vec<&String> =
        names.iter().filter(|n| !UNIQUE_CONSTRAINTS.iter().any(|(name, _, _)| name == n)).collect();
    assert!(unmapped.is_empty(), "unique constraints with no field in db::UNIQUE_CONSTRAINTS: {unmapped:?}");
    let stale: Vec<&str> =
        UNIQUE_CONSTRAINTS.iter().map(|(n, _, _)| *n).filter(|n| !names.iter().any(|m| m == n)).collect();
    assert!(stale.is_empty(), "db::UNIQUE_CONSTRAINTS names constraints the schema does not have: {stale:?}");
}
