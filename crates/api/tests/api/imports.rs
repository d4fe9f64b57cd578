//! Import limits and cancellation: an oversize file or too many rows get a clear answer naming
//! the limit and store nothing; a deep parent chain listed children first imports (linear
//! ordering); an import whose client goes away is cancelled and stores nothing. On SQLite and
//! PostgreSQL.

use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{App, Session, login, pg_app, sqlite_app};
use xuncha_api::routes::{MAX_IMPORT_BYTES, MAX_IMPORT_ROWS};

crate::dual!(
    import_limits_answer_clearly_and_store_nothing,
    import_orders_a_deep_chain_listed_children_first,
    import_is_cancelled_when_the_client_goes_away,
);

async fn audit_records(app: &App) -> i64 {
    xuncha_store::audit::verify(&app.db)
        .await
        .expect("verify")
        .checked
}

async fn upload(s: &Session, name: &str, bytes: Vec<u8>) -> (StatusCode, String, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    crate::answer(s.post_form("/api/v1/orgs/import", form).await).await
}

/// A CSV of `n` valid organisations under 990101, codes `{prefix}{i}`.
fn orgs_csv(prefix: &str, n: usize) -> Vec<u8> {
    let mut s = String::from("编码,名称,上级编码,类型\n");
    for i in 0..n {
        s.push_str(&format!("{prefix}{i},导入单位{i},990101,村(社区)\n"));
    }
    s.into_bytes()
}

async fn stored(s: &Session, prefix: &str) -> i64 {
    let (st, page) = s.get(&format!("/api/v1/orgs?q={prefix}")).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    page["total"].as_i64().unwrap()
}

async fn import_limits_answer_clearly_and_store_nothing(app: App) {
    let s = login(&app, "prov.director").await;
    let before = audit_records(&app).await;

    // One row too many: 422 naming the file and the limit; reading stopped there.
    let (st, ct, b) = upload(&s, "全省村居.csv", orgs_csv("LIM-", MAX_IMPORT_ROWS + 1)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    assert_eq!(b["code"], "import.too_many_rows", "{b}");
    let detail = super::chinese(&b);
    assert!(
        detail.contains("全省村居.csv") && detail.contains(&MAX_IMPORT_ROWS.to_string()),
        "{detail}"
    );

    // Over the size limit: 413 naming it, before the file is parsed.
    let mut big = orgs_csv("BIG-", 10);
    big.resize(MAX_IMPORT_BYTES + 1, b'\n');
    let (st, ct, b) = upload(&s, "big.csv", big).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    assert_eq!(b["code"], "import.too_large", "{b}");
    let mb = format!("{}MB", MAX_IMPORT_BYTES / (1024 * 1024));
    assert!(super::chinese(&b).contains(&mb), "{b}");

    // Also for an .xlsx (streamed cell by cell): one row too many is refused.
    let rows = (0..=MAX_IMPORT_ROWS).map(|i| {
        vec![
            format!("LX-{i}"),
            "单位".to_string(),
            "990101".to_string(),
            "村(社区)".to_string(),
        ]
    });
    let xlsx = xuncha_office::write_xlsx("组织", &["编码", "名称", "上级编码", "类型"], &[], rows)
        .unwrap();
    let (st, _, b) = upload(&s, "orgs.xlsx", xlsx).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], "import.too_many_rows", "{b}");

    // Nothing stored, nothing audited.
    for prefix in ["LIM-", "BIG-", "LX-"] {
        assert_eq!(stored(&s, prefix).await, 0, "{prefix} rows were stored");
    }
    assert_eq!(
        audit_records(&app).await,
        before,
        "a refused import was audited"
    );

    // Exactly at the limit is accepted, in one transaction.
    let (st, _, b) = upload(&s, "ok.csv", orgs_csv("MAX-", MAX_IMPORT_ROWS)).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["imported"], MAX_IMPORT_ROWS);
    assert_eq!(
        stored(&s, "MAX-").await,
        i64::try_from(MAX_IMPORT_ROWS).unwrap()
    );
}

async fn import_orders_a_deep_chain_listed_children_first(app: App) {
    let s = login(&app, "prov.director").await;
    const DEPTH: usize = 400;
    let mut csv = String::from("编码,名称,上级编码,类型\n");
    for i in (1..=DEPTH).rev() {
        let parent = if i == 1 {
            "990101".to_string()
        } else {
            format!("CH-{}", i - 1)
        };
        csv.push_str(&format!("CH-{i},链{i},{parent},机关部门\n"));
    }
    let (st, _, b) = upload(&s, "chain.csv", csv.into_bytes()).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["imported"], DEPTH);
    let all = xuncha_store::scope::Scope::unrestricted();
    let top = xuncha_store::orgs::get_by_code(&app.db, &all, "990101")
        .await
        .unwrap();
    let deepest = xuncha_store::orgs::get_by_code(&app.db, &all, &format!("CH-{DEPTH}"))
        .await
        .unwrap();
    assert_eq!(deepest.depth, top.depth + i32::try_from(DEPTH).unwrap());
    assert!(deepest.path.starts_with(&top.path), "{}", deepest.path);
    let parent = xuncha_store::orgs::get_by_code(&app.db, &all, &format!("CH-{}", DEPTH - 1))
        .await
        .unwrap();
    assert_eq!(deepest.parent_id, Some(parent.id));
    assert_eq!(deepest.path, format!("{}{}/", parent.path, deepest.id));
    assert_eq!(deepest.province_id, top.province_id);

    // A cycle is reported on every row of it, and nothing is stored.
    let cyc = "编码,名称,上级编码,类型\nCY-1,甲,CY-3,机关部门\nCY-2,乙,CY-1,机关部门\nCY-3,丙,CY-2,机关部门\nCY-4,丁,990101,机关部门\n";
    let (st, _, b) = upload(&s, "cycle.csv", cyc.as_bytes().to_vec()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let rows: Vec<i64> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["row"].as_i64().unwrap())
        .collect();
    assert_eq!(rows, vec![2, 3, 4], "{b}");
    assert_eq!(stored(&s, "CY-").await, 0);
}

/// The session cookie and CSRF token of a fresh login, for a hand-written request.
async fn raw_login(app: &App) -> (String, String) {
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&serde_json::json!({ "username": "prov.director", "password": xuncha_domain::demo::DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    (
        crate::cookie(&res, "xuncha_session"),
        crate::cookie(&res, "xuncha_csrf"),
    )
}

async fn import_is_cancelled_when_the_client_goes_away(app: App) {
    let s = login(&app, "prov.director").await;
    let (session, csrf) = raw_login(&app).await;
    let before_cancelled = xuncha_api::routes::cancelled_imports();
    let before = audit_records(&app).await;

    // A full-size file, sent by hand; the client hangs up as soon as it is sent.
    let file = orgs_csv("GONE-", MAX_IMPORT_ROWS);
    let boundary = "xunchaboundary7d1";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"gone.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/orgs/import HTTP/1.1\r\nHost: {addr}\r\nCookie: xuncha_session={session}; xuncha_csrf={csrf}\r\n\
         x-csrf-token: {csrf}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(&body).await.unwrap();
    tcp.flush().await.unwrap();
    // Hang up once the server is at work on it (reading the file takes seconds in a debug
    // build); a hang-up during the upload itself just ends the request before any work.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    tcp.shutdown().await.unwrap();
    // Whatever the server still says (nothing, normally) is read and dropped.
    let mut sink = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        tcp.read_to_end(&mut sink),
    )
    .await;
    drop(tcp);
    assert!(
        !String::from_utf8_lossy(&sink).starts_with("HTTP/1.1 200"),
        "the import finished although its client had gone"
    );

    // The work noticed and stopped.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while xuncha_api::routes::cancelled_imports() == before_cancelled {
        assert!(
            std::time::Instant::now() < deadline,
            "the import was not cancelled; the server said: {}",
            String::from_utf8_lossy(&sink)
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        stored(&s, "GONE-").await,
        0,
        "a cancelled import stored rows"
    );
    assert_eq!(audit_records(&app).await, before);
}
