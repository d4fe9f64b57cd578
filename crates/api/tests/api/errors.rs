//! Errors through the API, on SQLite and PostgreSQL: odd input never answers 500, every error is
//! problem+json with a Chinese `detail` that names the field, and nothing is stored behind one.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{App, Session, login, pg_app, sqlite_app};

crate::dual!(
    bad_requests_answer_chinese_problems_and_store_nothing,
    long_text_is_refused_naming_the_field,
);

/// One raw request: method, path, content type (None: no body), body.
struct Bad {
    method: reqwest::Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

fn bad(method: &str, path: impl Into<String>, ct: Option<&'static str>, body: &[u8]) -> Bad {
    Bad {
        method: reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        path: path.into(),
        content_type: ct,
        body: body.to_vec(),
    }
}

fn json_bad(method: &str, path: impl Into<String>, body: &Value) -> Bad {
    bad(
        method,
        path,
        Some("application/json"),
        body.to_string().as_bytes(),
    )
}

async fn send(s: &Session, b: &Bad) -> (StatusCode, String, Value) {
    let mut req = s
        .http
        .request(b.method.clone(), format!("{}{}", s.base, b.path))
        .header("x-csrf-token", &s.csrf);
    if let Some(ct) = b.content_type {
        req = req.header("content-type", ct).body(b.body.clone());
    }
    crate::answer(req.send().await.expect("request")).await
}

/// A `detail` a user can read: Chinese, and no wire name such as `rect.not_found` or
/// `answers[3]`, nor serde's English.
pub(crate) fn assert_readable_problem(what: &str, status: StatusCode, ct: &str, body: &Value) {
    assert!(
        status.is_client_error(),
        "{what}: expected 4xx, got {status}: {body}"
    );
    assert!(
        ct.starts_with("application/problem+json"),
        "{what}: content type {ct:?}: {body}"
    );
    let detail = body["detail"].as_str().unwrap_or("");
    assert!(
        detail
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{what}: detail is not Chinese: {body}"
    );
    let chars: Vec<char> = detail.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let word = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
        if *c == '.' && i > 0 && i + 1 < chars.len() && word(&chars[i - 1]) && word(&chars[i + 1]) {
            let digits = chars[i - 1].is_ascii_digit() && chars[i + 1].is_ascii_digit();
            assert!(digits, "{what}: detail has a raw key: {detail}");
        }
    }
    for english in [
        "Failed",
        "deserialize",
        "expected",
        "invalid",
        "missing field",
        "[",
    ] {
        assert!(
            !detail.contains(english),
            "{what}: detail has {english:?}: {detail}"
        );
    }
    assert_eq!(
        body["status"].as_u64(),
        Some(u64::from(status.as_u16())),
        "{what}"
    );
}

async fn audit_records(app: &App) -> i64 {
    xuncha_store::audit::verify(&app.db)
        .await
        .expect("verify")
        .checked
}

async fn bad_requests_answer_chinese_problems_and_store_nothing(app: App) {
    let director = login(&app, "prov.director").await;
    let (st, people) = director.get("/api/v1/people?page_size=200").await;
    let people = people["items"].clone();
    assert_eq!(st, StatusCode::OK, "{people}");
    let person = people
        .as_array()
        .or_else(|| people["items"].as_array())
        .and_then(|a| a.first())
        .map(|p| p["id"].as_i64().unwrap())
        .expect("a person");
    let before = audit_records(&app).await;

    let huge = "9".repeat(40);
    let cases = vec![
        // Query strings.
        bad("GET", "/api/v1/rect/holidays?year=9999", None, b""),
        bad("GET", "/api/v1/rect/holidays?year=0", None, b""),
        bad("GET", "/api/v1/rect/holidays?year=-5", None, b""),
        bad("GET", "/api/v1/rect/holidays?year=abc", None, b""),
        bad(
            "GET",
            format!("/api/v1/rect/holidays?year={huge}"),
            None,
            b"",
        ),
        bad(
            "GET",
            "/api/v1/audit/operations?from=99999-01-01",
            None,
            b"",
        ),
        bad("GET", "/api/v1/orgs?page=-1&page_size=abc", None, b""),
        // Paths: unknown routes, odd ids, unknown methods.
        bad("GET", "/api/v1/no-such-route", None, b""),
        bad(
            "POST",
            "/api/v1/no/such/route",
            Some("application/json"),
            b"{}",
        ),
        bad("GET", "/api/v1/orgs/abc", None, b""),
        bad("GET", "/api/v1/orgs/-1", None, b""),
        bad("GET", format!("/api/v1/orgs/{huge}"), None, b""),
        bad("GET", "/api/v1/rect/findings/999999999", None, b""),
        bad("DELETE", "/api/v1/orgs", None, b""),
        bad("PATCH", "/api/v1/terms", Some("application/json"), b"{}"),
        // Bodies: empty, not JSON, not UTF-8, wrong types, wrong shapes.
        bad("POST", "/api/v1/orgs", Some("application/json"), b""),
        bad("POST", "/api/v1/orgs", Some("application/json"), b"{"),
        bad(
            "POST",
            "/api/v1/orgs",
            Some("application/json"),
            b"{\"name\": \"\xff\xfe\"}",
        ),
        bad("POST", "/api/v1/orgs", Some("text/plain"), b"name=x"),
        bad("POST", "/api/v1/orgs", None, b""),
        json_bad("POST", "/api/v1/orgs", &json!([])),
        json_bad("POST", "/api/v1/orgs", &json!(5)),
        json_bad("POST", "/api/v1/orgs", &json!({ "name": 5 })),
        json_bad(
            "POST",
            "/api/v1/orgs",
            &json!({ "name": "x", "code": "x", "kind": "party_committee", "parent_id": "one" }),
        ),
        json_bad(
            "POST",
            "/api/v1/orgs",
            &json!({ "name": "x", "code": "x", "kind": "nope", "parent_id": huge.parse::<f64>().unwrap() }),
        ),
        json_bad("POST", "/api/v1/orgs", &json!({ "surplus": true })),
        json_bad(
            "POST",
            "/api/v1/terms",
            &json!({ "name": "届", "start_date": "0000-01-01", "end_date": "99999-12-31" }),
        ),
        json_bad(
            "POST",
            "/api/v1/terms",
            &json!({ "name": "届", "start_date": "9999-12-31", "end_date": "9999-12-31" }),
        ),
        json_bad(
            "POST",
            format!("/api/v1/people/{person}/relations"),
            &json!({ "kind": "spouse", "related_name": "某某", "related_org_id": 99999, "note": "" }),
        ),
        json_bad(
            "POST",
            format!("/api/v1/people/{person}/relations"),
            &json!({ "kind": "spouse", "related_name": "某某", "related_org_id": -1, "note": "" }),
        ),
        json_bad(
            "POST",
            format!("/api/v1/people/{person}/relations"),
            &json!({ "kind": "spouse", "related_name": "某某", "related_org_id": i64::MAX, "note": "" }),
        ),
        json_bad(
            "POST",
            format!("/api/v1/people/{person}/posts"),
            &json!({ "title": "职务", "org_id": i64::MIN, "start_date": "2020-01-01" }),
        ),
        json_bad("PUT", "/api/v1/rect/settings", &json!({ "version": "x" })),
        json_bad(
            "POST",
            "/api/v1/public/surveys/not-a-token",
            &json!({ "answers": [1, 2], "comment": 3 }),
        ),
        // Multipart: no boundary, broken body, no file part.
        bad(
            "POST",
            "/api/v1/orgs/import",
            Some("multipart/form-data"),
            b"x",
        ),
        bad(
            "POST",
            "/api/v1/orgs/import",
            Some("multipart/form-data; boundary=zz"),
            b"--zz\r\nbroken",
        ),
        bad(
            "POST",
            "/api/v1/orgs/import",
            Some("multipart/form-data; boundary=zz"),
            b"--zz--\r\n",
        ),
        bad(
            "POST",
            "/api/v1/rect/holidays/import",
            Some("application/json"),
            b"{}",
        ),
    ];
    let mut failures = Vec::new();
    for case in &cases {
        let (status, ct, body) = send(&director, case).await;
        let what = format!("{} {}", case.method, case.path);
        eprintln!("{what} → {status} {}", body["detail"]);
        let check = std::panic::catch_unwind(|| assert_readable_problem(&what, status, &ct, &body));
        if let Err(e) = check {
            let text = e
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| format!("{what}: {status} {body}"));
            failures.push(text);
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(
        audit_records(&app).await,
        before,
        "a refused request stored an audit record"
    );

    // A body over the server's limit is refused before it is read, as problem+json.
    let big = vec![b' '; xuncha_api::MAX_REQUEST_BYTES + 1];
    let res = director
        .http
        .post(format!("{}/api/v1/orgs", director.base))
        .header("x-csrf-token", &director.csrf)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await;
    if let Ok(res) = res {
        let (status, ct, body) = crate::answer(res).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        assert_readable_problem("413", status, &ct, &body);
    }
}

async fn long_text_is_refused_naming_the_field(app: App) {
    let director = login(&app, "prov.director").await;
    let before = audit_records(&app).await;
    let mega = "字".repeat(1_000_000);
    let (st, body) = director
        .post(
            "/api/v1/terms",
            json!({ "name": mega, "start_date": crate::shift("2026-01-01"), "end_date": crate::shift("2030-12-31") }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_readable_problem("1 MB name", st, "application/problem+json", &body);
    assert_eq!(body["fields"][0]["field"], "name", "{body}");
    assert!(body["detail"].as_str().unwrap().contains("名称"), "{body}");
    assert_eq!(audit_records(&app).await, before);
}

/// Every message key the code names exists in the catalogue, so no raw key reaches a user.
#[test]
fn every_message_key_in_the_code_is_in_the_catalogue() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut missing = Vec::new();
    let mut stack = vec![root.join("crates")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("target") && !path.ends_with("tests") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for marker in [
                "Msg::new(\"",
                "not_found(\"",
                "not_found_as(\"",
                "ApiError::key(",
                "i18n::text(\"",
            ] {
                for part in text.split(marker).skip(1) {
                    let part = part
                        .split_once('"')
                        .filter(|_| marker == "ApiError::key(")
                        .map_or(part, |(_, rest)| rest);
                    let key = part.split('"').next().unwrap_or("");
                    if key.contains('.')
                        && !key.contains(' ')
                        && xuncha_domain::i18n::template(key).is_none()
                    {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys missing from the catalogue: {missing:#?}"
    );
}
