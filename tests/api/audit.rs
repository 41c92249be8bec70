//! The audit trail: written with every change, attributed, hash-chained, tamper-evident.

use crate::helpers::{TestApp, dual};
use axum::http::StatusCode;
use creneau::audit;
use serde_json::json;

dual!(changes_are_audited_with_actor_and_origin, tampering_breaks_the_chain, concurrent_writers_keep_the_chain_intact);

async fn changes_are_audited_with_actor_and_origin(app: TestApp) {
    let c = app.user("audited@example.fr").await;
    c.patch_json("/api/v1/me", json!({"first_name": "Audrey"})).await.assert(StatusCode::OK);
    type Row = (String, String, Option<String>, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT action, actor_type, actor_label, ip, before_json, after_json FROM audit_log WHERE chain = '-' ORDER BY seq",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(actions, ["account.created", "session.created", "account.profile_updated"]);
    let profile = &rows[2];
    assert_eq!(profile.1, "account");
    assert_eq!(profile.2.as_deref(), Some("audited@example.fr"));
    assert_eq!(profile.3.as_deref(), Some("203.0.113.10"));
    assert!(profile.4.as_deref().unwrap().contains("\"first_name\":\"Test\""));
    assert!(profile.5.as_deref().unwrap().contains("\"first_name\":\"Audrey\""));
    let (checked, broken) = audit::verify(&app.state.db).await.unwrap();
    assert_eq!(checked, 3);
    assert!(broken.is_empty(), "{broken:?}");
}

/// Run `sql` on the audit table behind the server's back; the broken links `verify` reports.
async fn tamper(app: &TestApp, sql: &str) -> Vec<audit::BrokenLink> {
    sqlx::query(sql).execute(app.state.db.pool()).await.unwrap();
    audit::verify(&app.state.db).await.unwrap().1
}

async fn tampering_breaks_the_chain(app: TestApp) {
    let c = app.user("t@example.fr").await;
    let org = c.post_json("/api/v1/orgs", json!({"name": "Chain Co"})).await.json();
    let org_id = org["id"].as_str().unwrap();
    assert!(audit::verify(&app.state.db).await.unwrap().1.is_empty());

    tamper(&app, "UPDATE audit_log SET actor_label = 'someone-else' WHERE chain = '-' AND seq = 2").await;
    let broken = tamper(&app, &format!("DELETE FROM audit_log WHERE chain = '{org_id}' AND seq = 2")).await;
    assert_eq!(broken.len(), 2, "{broken:?}");
    let platform = broken.iter().find(|b| b.chain == "-").unwrap();
    assert_eq!((platform.seq, platform.reason), (2, "row content was changed"));
    let org_chain = broken.iter().find(|b| b.chain == org_id).unwrap();
    assert_eq!(org_chain.reason, "rows missing after this one");
}

async fn concurrent_writers_keep_the_chain_intact(app: TestApp) {
    let c = app.user("busy@example.fr").await;
    let org = c.post_json("/api/v1/orgs", json!({"name": "Busy"})).await.json()["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/orgs/{org}/locations");
    let requests = (0..24).map(|i| c.post_json(&path, json!({"name": format!("Place {i}")})));
    let results = futures_util::future::join_all(requests).await;
    assert!(
        results.iter().all(|r| r.status == StatusCode::CREATED),
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let (checked, broken) = audit::verify(&app.state.db).await.unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    let seqs: Vec<i64> = sqlx::query_scalar(&format!("SELECT seq FROM audit_log WHERE chain = '{org}' ORDER BY seq"))
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(seqs, (1..=26).collect::<Vec<i64>>(), "gap-free sequence");
    assert!(checked >= 26);
    // Re-scoping a row to another location (which changes which managers may read it) is
    // tampering too.
    let broken =
        tamper(&app, &format!("UPDATE audit_log SET location_id = 'elsewhere' WHERE chain = '{org}' AND seq = 5"))
            .await;
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!((broken[0].seq, broken[0].reason), (5, "row content was changed"));
}
