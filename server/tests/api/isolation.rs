use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;

/// Every tenant-scoped endpoint, tried with tenant B's credentials on tenant A's ids.
#[tokio::test]
async fn another_tenants_ids_are_not_found() {
    let app = TestApp::new().await;
    let a = app.tenant("alpha").await;
    let b = app.tenant("bravo").await;
    let user = app
        .post("/v1/users")
        .token(&a.admin)
        .json(json!({"email": "a@x.io", "display_name": "A", "role": "viewer"}))
        .send()
        .await;
    let token = app.post("/v1/api-tokens").token(&a.admin).json(json!({"name": "ci", "role": "viewer"})).send().await;
    let (user_id, token_id) = (user.id(), token.id());

    for t in [&b.admin, &b.operator, &b.viewer] {
        app.get(&format!("/v1/users/{user_id}"))
            .token(t)
            .send()
            .await
            .expect_problem(StatusCode::NOT_FOUND, "not-found");
        app.get(&format!("/v1/api-tokens/{token_id}"))
            .token(t)
            .send()
            .await
            .expect_problem(StatusCode::NOT_FOUND, "not-found");
    }
    let b_admin = &b.admin;
    app.patch(&format!("/v1/users/{user_id}"))
        .token(b_admin)
        .json(json!({"display_name": "pwned"}))
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.put(&format!("/v1/users/{user_id}/password"))
        .token(b_admin)
        .json(json!({"password": "a new long password"}))
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
    // Existence comes first: a body the server would refuse does not tell that the user exists.
    app.put(&format!("/v1/users/{user_id}/password"))
        .token(b_admin)
        .json(json!({"password": "short"}))
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.delete(&format!("/v1/users/{user_id}"))
        .token(b_admin)
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.patch(&format!("/v1/api-tokens/{token_id}"))
        .token(b_admin)
        .json(json!({"name": "pwned"}))
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.delete(&format!("/v1/api-tokens/{token_id}"))
        .token(b_admin)
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");

    // Lists and the audit log show only B's own rows.
    let users = app.get("/v1/users").token(b_admin).send().await;
    assert_eq!(users.body["items"], json!([]));
    let tokens = app.get("/v1/api-tokens").token(b_admin).send().await;
    assert!(tokens.body["items"].as_array().unwrap().iter().all(|t| t["id"] != token_id.as_str()));
    let audit = app.get(&format!("/v1/audit-events?resource_id={user_id}")).token(b_admin).send().await;
    assert_eq!(audit.body["items"], json!([]));
    let email_lookup = app.get("/v1/users?email=a@x.io").token(b_admin).send().await;
    assert_eq!(email_lookup.body["items"], json!([]));

    // A's resources are intact.
    let still = app.get(&format!("/v1/users/{user_id}")).token(&a.admin).send().await;
    assert_eq!(still.body["display_name"], "A");
    app.get(&format!("/v1/api-tokens/{token_id}")).token(&a.admin).send().await.expect(StatusCode::OK);
}

/// Row-level security, seen from the database role the server uses.
#[tokio::test]
async fn without_app_tenant_id_the_server_role_sees_no_rows() {
    let app = TestApp::new().await;
    let a = app.tenant("alpha").await;
    let b = app.tenant("bravo").await;
    app.post("/v1/users")
        .token(&a.admin)
        .json(json!({"email": "a@x.io", "display_name": "A", "role": "viewer", "password": "long enough password"}))
        .send()
        .await;
    app.post("/v1/auth/login")
        .json(json!({"tenant": "alpha", "email": "a@x.io", "password": "long enough password"}))
        .send()
        .await
        .expect(StatusCode::OK);
    app.post("/v1/api-tokens")
        .token(&a.admin)
        .header("idempotency-key", "k1")
        .json(json!({"name": "ci", "role": "viewer"}))
        .send()
        .await;

    let mut conn = app.pool.acquire().await.unwrap();
    for table in ["users", "api_tokens", "refresh_tokens", "audit_events", "idempotency_keys"] {
        let unscoped: i64 =
            sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&mut *conn).await.unwrap();
        assert_eq!(unscoped, 0, "{table}: rows visible without app.tenant_id");
    }

    let mut tx = patronus_server::db::tenant_tx(&app.pool, b.id.parse().unwrap()).await.unwrap();
    let b_sees: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(b_sees, 0);
    let b_tokens: Vec<String> =
        sqlx::query_scalar("SELECT name FROM api_tokens ORDER BY name").fetch_all(&mut *tx).await.unwrap();
    assert_eq!(b_tokens, ["admin", "operator", "viewer"]);
    // Writing a row for another tenant is refused by the policy's check.
    let forged = sqlx::query("INSERT INTO users (id, tenant_id, email, display_name, role) VALUES (gen_random_uuid(), $1, 'x@x.io', 'X', 'admin')")
        .bind(a.id.parse::<uuid::Uuid>().unwrap())
        .execute(&mut *tx)
        .await;
    assert!(forged.unwrap_err().to_string().contains("row-level security"));
    tx.rollback().await.unwrap();

    let mut tx = patronus_server::db::tenant_tx(&app.pool, a.id.parse().unwrap()).await.unwrap();
    let a_users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(a_users, 1);
    // Audit events cannot be changed or deleted, even by the server's role.
    let update = sqlx::query("UPDATE audit_events SET action = 'x'").execute(&mut *tx).await;
    assert!(update.unwrap_err().to_string().contains("permission denied"));
    tx.rollback().await.unwrap();
    let mut tx = patronus_server::db::tenant_tx(&app.pool, a.id.parse().unwrap()).await.unwrap();
    let delete = sqlx::query("DELETE FROM audit_events").execute(&mut *tx).await;
    assert!(delete.unwrap_err().to_string().contains("permission denied"));
}

/// Guards the schema as it grows: every table with a tenant_id forces RLS, and the server's role
/// owns nothing.
#[tokio::test]
async fn every_tenant_owned_table_forces_row_level_security() {
    let app = TestApp::new().await;
    let unforced: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid \
         WHERE a.attname = 'tenant_id' AND c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace \
         AND NOT (c.relrowsecurity AND c.relforcerowsecurity)",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(unforced.is_empty(), "tables without forced RLS: {unforced:?}");
    let owned: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_class WHERE relowner = 'patronus_app'::regrole")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(owned, 0);
    let is_super: bool =
        sqlx::query_scalar("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(!is_super);
}
