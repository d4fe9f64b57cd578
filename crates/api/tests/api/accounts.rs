//! Accounts (issue 8, point 4): one-time passwords, approved resets of administrator accounts,
//! atomic lockout with backoff, identical answers for unknown and locked users, per-client
//! throttling and the password policy — on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{App, DEMO_PASSWORD, Session, login, login_with, pg_app, sqlite_app, try_login};

crate::dual!(
    reset_issues_a_one_time_password_that_only_sets_a_new_one,
    administrator_reset_needs_the_security_administrators_approval,
    parallel_wrong_logins_check_at_most_max_failures,
    unknown_and_locked_users_answer_alike_and_clients_are_throttled,
    weak_passwords_are_refused_naming_the_field,
    users_of_an_organisation_include_the_units_below,
);

async fn user_id(admin: &Session, username: &str) -> i64 {
    let (_, users) = admin.get(&format!("/api/v1/users?q={username}")).await;
    users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap_or_else(|| panic!("user {username}"))["id"]
        .as_i64()
        .unwrap()
}

/// Login outcomes in the login log for `username`: (password checks that failed, all failures).
async fn failures(app: &App, username: &str) -> (usize, usize) {
    let auditor = login(app, "auditor").await;
    let (st, page) = auditor
        .get(&format!(
            "/api/v1/audit/logins?username={username}&success=false&page_size=200"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{page}");
    let items = page["items"].as_array().unwrap();
    let checked = items.iter().filter(|e| e["reason"] == "密码错误").count();
    (checked, items.len())
}

async fn problem(res: reqwest::Response) -> (StatusCode, String, String) {
    let st = res.status();
    let b: Value = res.json().await.unwrap_or(Value::Null);
    (
        st,
        b["code"].as_str().unwrap_or("").to_string(),
        b["detail"].as_str().unwrap_or("").to_string(),
    )
}

async fn reset_issues_a_one_time_password_that_only_sets_a_new_one(app: App) {
    let admin = login(&app, "admin").await;
    let uid = user_id(&admin, "prov.director").await;
    let (st, r) = admin
        .post(&format!("/api/v1/users/{uid}/reset-password"), json!({}))
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["state"], "issued");
    let otp = r["one_time_password"].as_str().unwrap().to_string();
    assert_eq!(otp.len(), 19, "{otp}");
    assert!(r["expires_at"].is_string());
    // The old password is gone.
    let (_, res) = try_login(&app, "prov.director", DEMO_PASSWORD, None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The one-time password opens a session that can do nothing but set a new password.
    let s = login_with(&app, "prov.director", &otp).await;
    let (st, me) = s.get("/api/v1/auth/me").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(me["must_change_password"], true);
    for path in [
        "/api/v1/orgs/roots",
        "/api/v1/users",
        "/api/v1/tokens",
        "/api/v1/findings",
    ] {
        let (st, b) = s.get(path).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{path}: {b}");
        assert_eq!(b["code"], "auth.must_change_password", "{path}");
    }
    let (st, b) = s
        .post(
            "/api/v1/tokens",
            json!({ "name": "x", "permissions": ["org:read"], "days": 1 }),
        )
        .await;
    assert_eq!(
        (st, b["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("auth.must_change_password"))
    );
    // A weak new password is refused, naming the field.
    let (st, b) = s
        .post(
            "/api/v1/auth/password",
            json!({ "old_password": otp, "new_password": "Password1" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["fields"][0]["field"], "new_password");
    let (st, _) = s
        .post(
            "/api/v1/auth/password",
            json!({ "old_password": otp, "new_password": "Director#2027x" }),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    // The one-time password is spent; the new one works fully.
    let (_, res) = try_login(&app, "prov.director", &otp, None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let again = login_with(&app, "prov.director", "Director#2027x").await;
    assert_eq!(again.get("/api/v1/orgs/roots").await.0, StatusCode::OK);
    // Audited: the reset (by admin) and the one-time login.
    let auditor = login(&app, "auditor").await;
    let (_, ops) = auditor
        .get("/api/v1/audit/operations?actor=admin&action=user.reset_password")
        .await;
    assert_eq!(ops["total"], 1, "{ops}");
    assert!(
        ops["items"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("一次性")
    );
    let (_, logins) = auditor
        .get("/api/v1/audit/logins?username=prov.director&success=true")
        .await;
    assert!(
        crate::any_has(&logins["items"], "reason", "一次性临时密码"),
        "{logins}"
    );

    // A one-time password expires: after it, neither it nor a session opened with it works.
    let (_, r) = admin
        .post(&format!("/api/v1/users/{uid}/reset-password"), json!({}))
        .await;
    let otp = r["one_time_password"].as_str().unwrap().to_string();
    let s = login_with(&app, "prov.director", &otp).await;
    assert!(app.db.clock().advance(1));
    let (st, b) = s.get("/api/v1/auth/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{b}");
    let (st, code, detail) = problem(try_login(&app, "prov.director", &otp, None).await.1).await;
    assert_eq!(
        (st, code.as_str()),
        (StatusCode::UNAUTHORIZED, "auth.one_time_password_expired")
    );
    assert!(detail.contains("过期"));
}

async fn administrator_reset_needs_the_security_administrators_approval(app: App) {
    let admin = login(&app, "admin").await;
    let auditor_id = user_id(&admin, "auditor").await;
    let security_id = user_id(&admin, "security").await;
    let (st, r) = admin
        .post(
            &format!("/api/v1/users/{auditor_id}/reset-password"),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{r}");
    assert_eq!(r["state"], "pending");
    assert!(r["one_time_password"].is_null());
    let request = r["request_id"].as_i64().unwrap();
    // Nothing changed yet: the auditor still logs in with the old password.
    login(&app, "auditor").await;
    // The requester cannot approve (nor list) — only the security administrator can.
    let (st, _) = admin
        .post(
            &format!("/api/v1/password-resets/{request}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(
        admin.get("/api/v1/password-resets").await.0,
        StatusCode::FORBIDDEN
    );
    // Nobody approves their own request (checked in the store, whoever calls it).
    let admin_actor = xuncha_store::audit::Actor {
        user_id: Some(user_id(&admin, "admin").await),
        name: "admin".into(),
        display_name: "admin".into(),
        ip: "127.0.0.1".into(),
    };
    let err = xuncha_store::accounts::decide_reset(&app.db, &admin_actor, request, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, xuncha_store::StoreError::Domain(_)),
        "{err:?}"
    );
    // Nor a reset of their own account.
    let (st, own) = admin
        .post(
            &format!("/api/v1/users/{security_id}/reset-password"),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let security = login(&app, "security").await;
    let (st, b) = security
        .post(
            &format!("/api/v1/password-resets/{}/approve", own["request_id"]),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], "user.reset_own_request");
    // The security administrator sees the pending requests and approves the auditor's.
    let (st, list) = security.get("/api/v1/password-resets").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    let (st, ok) = security
        .post(
            &format!("/api/v1/password-resets/{request}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ok}");
    let otp = ok["one_time_password"].as_str().unwrap().to_string();
    // Approved once only.
    let (st, _) = security
        .post(
            &format!("/api/v1/password-resets/{request}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, res) = try_login(&app, "auditor", DEMO_PASSWORD, None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let s = login_with(&app, "auditor", &otp).await;
    assert_eq!(s.get("/api/v1/audit/logins").await.0, StatusCode::FORBIDDEN);
    // A request can be rejected instead (here the administrator's own account).
    let admin_id = user_id(&admin, "admin").await;
    let (_, mine) = admin
        .post(
            &format!("/api/v1/users/{admin_id}/reset-password"),
            json!({}),
        )
        .await;
    let (st, rej) = security
        .post(
            &format!("/api/v1/password-resets/{}/reject", mine["request_id"]),
            json!({}),
        )
        .await;
    assert_eq!(
        (st, rej["state"].as_str()),
        (StatusCode::OK, Some("rejected"))
    );
    // All of it audited.
    let (st, _) = s
        .post(
            "/api/v1/auth/password",
            json!({ "old_password": otp, "new_password": "Kestrel#2027x" }),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let auditor = login_with(&app, "auditor", "Kestrel#2027x").await;
    for (actor, action) in [
        ("admin", "user.reset_request"),
        ("security", "user.reset_approve"),
        ("security", "user.reset_reject"),
    ] {
        let (_, ops) = auditor
            .get(&format!(
                "/api/v1/audit/operations?actor={actor}&action={action}"
            ))
            .await;
        assert!(ops["total"].as_i64().unwrap() >= 1, "{action}: {ops}");
    }
}

async fn parallel_wrong_logins_check_at_most_max_failures(app: App) {
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let base = app.base.clone();
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({ "username": "prov.staff", "password": "Wrong#pass99" }))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let (checked, all) = failures(&app, "prov.staff").await;
    assert_eq!(checked, 5, "at most max_failures passwords checked");
    assert_eq!(all, 20, "every attempt is in the login log");
    // The right password waits out the delay, then works (a delay, not a permanent lock).
    let (_, res) = try_login(&app, "prov.staff", DEMO_PASSWORD, None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(app.db.clock().advance(1));
    login(&app, "prov.staff").await;
}

async fn unknown_and_locked_users_answer_alike_and_clients_are_throttled(app: App) {
    for _ in 0..5 {
        try_login(&app, "prov.leader", "Wrong#pass99", None).await;
    }
    let unknown = problem(
        try_login(&app, "no.such.user", "Wrong#pass99", None)
            .await
            .1,
    )
    .await;
    let wrong = problem(try_login(&app, "prov.staff", "Wrong#pass99", None).await.1).await;
    let locked_right = problem(try_login(&app, "prov.leader", DEMO_PASSWORD, None).await.1).await;
    let locked_wrong = problem(try_login(&app, "prov.leader", "Wrong#pass99", None).await.1).await;
    assert_eq!(unknown.0, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.1, "auth.invalid_credentials");
    assert_eq!(unknown, wrong);
    assert_eq!(unknown, locked_right);
    assert_eq!(unknown, locked_wrong);
    // This client has now failed 9 times; at 30 it is refused without any check, with
    // Retry-After, whatever the username.
    for _ in 9..30 {
        let (st, _, _) = problem(try_login(&app, "no.such.user", "x", None).await.1).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    let (_, res) = try_login(&app, "prov.director", DEMO_PASSWORD, None).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 600);
    let (_, code, detail) = problem(res).await;
    assert_eq!(code, "auth.throttled");
    assert!(detail.contains("秒后再试"));
}

async fn weak_passwords_are_refused_naming_the_field(app: App) {
    let admin = login(&app, "admin").await;
    let org = super::org_id(&app, "99").await;
    for weak in ["Password1", "P@ssw0rd2026", "Admin@123", "Ab1!xyz"] {
        let (st, b) = admin
            .post(
                "/api/v1/users",
                json!({ "username": "weak.user", "display_name": "弱密码", "org_id": org, "password": weak }),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{weak}: {b}");
        assert_eq!(b["fields"][0]["field"], "password", "{weak}");
        assert!(super::chinese(&b).contains("密码"), "{weak}");
    }
    let (st, b) = admin
        .post(
            "/api/v1/users",
            json!({ "username": "weak.user", "display_name": "弱密码", "org_id": org, "password": "Weak.user#2026" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], "password.contains_username");
    let s = login(&app, "prov.staff").await;
    let (st, b) = s
        .post(
            "/api/v1/auth/password",
            json!({ "old_password": DEMO_PASSWORD, "new_password": "Qwerty123!" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["fields"][0]["field"], "new_password");
    assert!(
        b["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("新密码"),
        "{b}"
    );
}

/// 用户管理's organisation tree: choosing a city lists its own users and those of its counties,
/// never the province's.
async fn users_of_an_organisation_include_the_units_below(app: App) {
    let admin = login(&app, "admin").await;
    let (_, city) = admin.get("/api/v1/users?q=city01.director").await;
    let city_org = &city["items"][0]["org_id"];
    let (st, users) = admin
        .get(&format!("/api/v1/users?org_id={city_org}&page_size=200"))
        .await;
    assert_eq!(st, StatusCode::OK, "{users}");
    let names: Vec<&str> = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"city01.director"), "{names:?}");
    assert!(
        names.iter().any(|n| n.starts_with("county0101.")),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.starts_with("prov.")), "{names:?}");
}
