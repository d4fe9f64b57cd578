//! API tests against the real server bound to a random port, on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use xuncha_api::{ApiConfig, AppState};
use xuncha_domain::demo::{DEMO_PASSWORD, DemoSize};
use xuncha_service::bootstrap::seed_demo;
use xuncha_service::crypto::Crypto;
use xuncha_store::{Db, testing};

pub(crate) struct App {
    base: String,
    db: Db,
    /// The node's search index: empty and never built until a test rebuilds it.
    search: xuncha_search::Search,
    _dir: Option<tempfile::TempDir>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

const SIZE: DemoSize = DemoSize {
    cities: 2,
    counties_per_city: 2,
    townships_per_county: 2,
    villages_per_township: 2,
};

async fn spawn(db: Db, dir: Option<tempfile::TempDir>) -> App {
    spawn_with(db, dir, ApiConfig::default()).await
}

/// The date every API test runs on: `XUNCHA_TEST_TODAY` (YYYY-MM-DD), by default a fixed day.
/// CI runs the suite again on other dates (a year ahead, New Year's Eve), so a rule that read the
/// system clock, or a test that assumed a date, fails there.
pub(crate) fn test_today() -> time::Date {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    std::env::var("XUNCHA_TEST_TODAY")
        .ok()
        .map(|s| {
            time::Date::parse(s.trim(), &fmt)
                .unwrap_or_else(|e| panic!("XUNCHA_TEST_TODAY={s}: {e}"))
        })
        .unwrap_or(BASE_DAY)
}

/// The day the tests' literal dates were written for; [`shift`] moves them to [`test_today`].
const BASE_DAY: time::Date = xuncha_service::bootstrap::DEMO_DAY;

/// `date` moved by as many days as the test's today lies after [`BASE_DAY`], so every date a
/// test names keeps its distance from today (a deadline 128 days ahead stays 128 days ahead).
pub(crate) fn shift_date(date: time::Date) -> time::Date {
    date + (test_today() - BASE_DAY)
}

/// [`shift_date`] for a `YYYY-MM-DD` literal, as text.
pub(crate) fn shift(date: &str) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(date, &fmt).unwrap_or_else(|e| panic!("{date}: {e}"));
    shift_date(d).format(&fmt).unwrap()
}

/// The demo's current round (on site, 2026-10-12 to 2027-01-08 on [`BASE_DAY`]), named by the
/// year it starts in.
pub(crate) fn current_round_name() -> String {
    format!(
        "{}年第二轮巡察",
        shift_date(time::macros::date!(2026 - 10 - 12)).year()
    )
}

async fn spawn_with(db: Db, dir: Option<tempfile::TempDir>, config: ApiConfig) -> App {
    let db = db.with_clock(Arc::new(xuncha_store::Clock::pinned_on(test_today())));
    seed_demo(&db, 11, SIZE).await.expect("seed demo");
    let state = AppState {
        db: db.clone(),
        config: Arc::new(config),
        crypto: Arc::new(
            Crypto::new(&[(1, "00112233445566778899aabbccddeeff".into())]).expect("key"),
        ),
        metrics: xuncha_api::metrics_handle(),
        throttle: Default::default(),
        public_throttle: Default::default(),
        search: xuncha_search::Search::in_memory().expect("search index"),
    };
    let search = state.search.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(xuncha_api::serve(listener, state, async {
        let _ = rx.await;
    }));
    App {
        base,
        db,
        search,
        _dir: dir,
        _shutdown: tx,
    }
}

pub(crate) async fn sqlite_app() -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = testing::sqlite_at(&dir.path().join("t.db"))
        .await
        .expect("sqlite");
    spawn(db, Some(dir)).await
}

pub(crate) async fn sqlite_app_with(config: ApiConfig) -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = testing::sqlite_at(&dir.path().join("t.db"))
        .await
        .expect("sqlite");
    spawn_with(db, Some(dir), config).await
}

pub(crate) async fn pg_app_with(config: ApiConfig) -> App {
    let (db, _) = testing::postgres_fresh()
        .await
        .expect("PostgreSQL must be reachable (XUNCHA_TEST_PG_URL)");
    spawn_with(db, None, config).await
}

pub(crate) async fn pg_app() -> App {
    let (db, _) = testing::postgres_fresh()
        .await
        .expect("PostgreSQL must be reachable (XUNCHA_TEST_PG_URL)");
    spawn(db, None).await
}

#[macro_export]
macro_rules! dual {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(super::sqlite_app().await).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name(super::pg_app().await).await;
                }
            }
        )*
    };
}

dual!(
    login_me_logout_and_errors,
    lockout_after_repeated_failures,
    csrf_is_required_for_cookie_writes,
    county_user_cannot_reach_other_county,
    org_crud_versions_and_validation,
    import_reports_every_bad_row_and_stores_nothing,
    three_administrators_are_separated,
    audit_logs_and_verification,
    totp_second_factor,
    api_tokens_are_scoped,
);

/// A logged-in browser-like client.
pub(crate) struct Session {
    http: reqwest::Client,
    base: String,
    csrf: String,
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client")
}

async fn try_login(
    app: &App,
    username: &str,
    password: &str,
    totp: Option<&str>,
) -> (reqwest::Client, reqwest::Response) {
    let http = client();
    let mut body = json!({ "username": username, "password": password });
    if let Some(code) = totp {
        body["totp_code"] = json!(code);
    }
    let res = http
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&body)
        .send()
        .await
        .expect("login request");
    (http, res)
}

pub(crate) async fn login(app: &App, username: &str) -> Session {
    login_with(app, username, DEMO_PASSWORD).await
}

/// 会审 by the demo's default bodies, each through its own members: `office` (the director)
/// for 巡察办, then prov.inspector (on the team of the demo's earlier round) for 巡察组.
/// Answers the last decision's status and body.
pub(crate) async fn approve_by_both_bodies(
    office: &Session,
    plan_id: i64,
    version: &Value,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/rect/plans/{plan_id}/review");
    let (st, first) = office
        .post(
            &path,
            json!({ "bodies": ["巡察办"], "decision": "approve", "opinion": "同意", "version": version }),
        )
        .await;
    if st != StatusCode::OK {
        return (st, first);
    }
    let http = client();
    let res = http
        .post(format!("{}/api/v1/auth/login", office.base))
        .json(&json!({ "username": "prov.inspector", "password": DEMO_PASSWORD }))
        .send()
        .await
        .expect("login request");
    let team = session_at(&office.base, http, res).await;
    team.post(
        &path,
        json!({ "bodies": ["巡察组"], "decision": "approve", "opinion": "同意", "version": first["plan"]["version"] }),
    )
    .await
}

async fn login_with(app: &App, username: &str, password: &str) -> Session {
    let (http, res) = try_login(app, username, password, None).await;
    session_of(app, http, res).await
}

async fn session_of(app: &App, http: reqwest::Client, res: reqwest::Response) -> Session {
    session_at(&app.base, http, res).await
}

async fn session_at(base: &str, http: reqwest::Client, res: reqwest::Response) -> Session {
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "login failed: {:?}",
        res.text().await
    );
    let csrf = cookie(&res, "xuncha_csrf");
    let set_cookie: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap_or("").to_string())
        .collect();
    assert!(set_cookie.iter().any(|c| c.starts_with("xuncha_session=")
        && c.contains("HttpOnly")
        && c.contains("SameSite=Strict")));
    Session {
        http,
        base: base.to_string(),
        csrf,
    }
}

/// The value of the cookie `name` that `res` sets.
pub(crate) fn cookie(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no {name} cookie"))
        .to_string()
}

/// The `content-type` header of `res`, or empty.
pub(crate) fn content_type(res: &reqwest::Response) -> String {
    res.headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// An unauthenticated GET of `url` through `http`.
pub(crate) async fn get_url(http: &reqwest::Client, url: &str) -> reqwest::Response {
    http.get(url).send().await.expect("get")
}

/// A response's status, `content-type` and JSON body (`null` when it has none).
pub(crate) async fn answer(res: reqwest::Response) -> (StatusCode, String, Value) {
    let status = res.status();
    let ct = content_type(&res);
    (status, ct, res.json().await.unwrap_or(Value::Null))
}

/// The first element of the array `list` whose `key` is `want`; panics naming the list if none.
pub(crate) fn find<'a, T: ?Sized + std::fmt::Debug>(
    list: &'a Value,
    key: &str,
    want: &T,
) -> &'a Value
where
    Value: PartialEq<T>,
{
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .find(|x| x[key] == *want)
        .unwrap_or_else(|| panic!("no {key} = {want:?} in {list}"))
}

/// The `id` of [`find`]'s element.
pub(crate) fn id_of<T: ?Sized + std::fmt::Debug>(list: &Value, key: &str, want: &T) -> i64
where
    Value: PartialEq<T>,
{
    find(list, key, want)["id"].as_i64().unwrap()
}

/// The id of the round unit at the org named `org`, from `/api/v1/round-units`.
pub(crate) async fn unit_id(s: &Session, org: &str) -> i64 {
    let (_, units) = s.get("/api/v1/round-units?page_size=200").await;
    let units = units["items"].clone();
    id_of(&units, "org_name", org)
}

/// A ledger item's detail (row, trail, events, actions), as `s` sees it.
pub(crate) async fn item_of(s: &Session, id: i64) -> Value {
    s.get(&format!("/api/v1/rect/findings/{id}")).await.1
}

/// Whether some element of the array `list` has a `key` (text) containing `text`.
pub(crate) fn any_has(list: &Value, key: &str, text: &str) -> bool {
    list.as_array()
        .unwrap()
        .iter()
        .any(|x| x[key].as_str().unwrap().contains(text))
}

/// The id of the demo's current round ([`current_round_name`]).
pub(crate) async fn current_round(s: &Session) -> i64 {
    let (_, rounds) = s.get("/api/v1/rounds").await;
    id_of(&rounds, "name", current_round_name().as_str())
}

impl Session {
    /// A GET whose answer the caller reads itself (a file, a header).
    async fn raw_get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get")
    }

    /// A GET's status and body bytes.
    async fn bytes(&self, path: &str) -> (StatusCode, Vec<u8>) {
        let res = self.raw_get(path).await;
        (res.status(), res.bytes().await.expect("body").to_vec())
    }

    /// A multipart POST with the CSRF token; the caller reads the answer.
    async fn post_form(&self, path: &str, form: reqwest::multipart::Form) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .multipart(form)
            .send()
            .await
            .expect("post form")
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .expect("send");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }

    /// A POST of `{ "version": of.version }` (a state change of the record `of`).
    async fn post_version(&self, path: &str, of: &Value) -> (StatusCode, Value) {
        self.post(path, json!({ "version": of["version"] })).await
    }

    async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, path, body).await
    }

    async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::DELETE, path, Value::Null).await
    }
}

pub(crate) fn chinese(v: &Value) -> &str {
    let d = v["detail"].as_str().unwrap_or("");
    assert!(
        d.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "detail is not Chinese: {v}"
    );
    d
}

pub(crate) async fn org_id(app: &App, code: &str) -> i64 {
    xuncha_store::orgs::get_by_code(&app.db, &xuncha_store::scope::Scope::unrestricted(), code)
        .await
        .expect("org")
        .id
        .get()
}

async fn login_me_logout_and_errors(app: App) {
    let (_, bad) = try_login(&app, "prov.director", "wrong-Password1", None).await;
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(bad.headers()["content-type"], "application/problem+json");
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["code"], "auth.invalid_credentials");
    assert_eq!(chinese(&body), "用户名或密码错误");
    // An unknown user gets exactly the same answer.
    let (_, unknown) = try_login(&app, "nobody", "wrong-Password1", None).await;
    let body2: Value = unknown.json().await.unwrap();
    assert_eq!(body2["code"], body["code"]);

    let s = login(&app, "Prov.Director").await;
    let (st, me) = s.get("/api/v1/auth/me").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(me["username"], "prov.director");
    assert_eq!(me["org_name"], "江岭省");
    assert!(
        me["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("org:write"))
    );
    assert_eq!(me["compartments"], json!(["clue", "talk", "reporter"]));
    let (st, _) = s.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, body) = s.get("/api/v1/auth/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    chinese(&body);
    // Malformed JSON answers in Chinese, naming the field.
    let res = client()
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({ "username": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let b: Value = res.json().await.unwrap();
    assert!(
        chinese(&b).contains("password") || chinese(&b).contains("密码"),
        "{b}"
    );
}

async fn lockout_after_repeated_failures(app: App) {
    // The fifth failure starts the delay; the answer never differs from a wrong password's
    // (nor from an unknown user's), so it does not tell that the account exists.
    for i in 1..=5 {
        let (_, r) = try_login(&app, "prov.staff", "Wrong@pass1", None).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // Even the right password is refused (without being checked) during the delay.
    let (_, r) = try_login(&app, "prov.staff", DEMO_PASSWORD, None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["code"], "auth.invalid_credentials");
    // The system administrator unlocks.
    let admin = login(&app, "admin").await;
    let (_, users) = admin.get("/api/v1/users?q=prov.staff").await;
    let user = &users["items"][0];
    assert_eq!(user["locked"], true);
    let (st, _) = admin
        .post(&format!("/api/v1/users/{}/unlock", user["id"]), json!({}))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    login(&app, "prov.staff").await;
}

async fn csrf_is_required_for_cookie_writes(app: App) {
    let s = login(&app, "prov.director").await;
    let root = org_id(&app, "99").await;
    let body = json!({ "parent_id": root, "code": "CSRF1", "name": "测试", "kind": "department" });
    let res = s
        .http
        .post(format!("{}/api/v1/orgs", app.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["code"], "auth.csrf");
    let res = s
        .http
        .post(format!("{}/api/v1/orgs", app.base))
        .header("x-csrf-token", "forged")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (st, _) = s.post("/api/v1/orgs", body).await;
    assert_eq!(st, StatusCode::CREATED);
}

/// The security proof: a county user cannot reach another county's records through any list,
/// detail, search, export or write route.
async fn county_user_cannot_reach_other_county(app: App) {
    let s = login(&app, "county0101.director").await;
    let own = org_id(&app, "990101").await;
    let other = org_id(&app, "990102").await;
    let other_town = org_id(&app, "990102001").await;
    let city = org_id(&app, "9901").await;
    let other_city_county = org_id(&app, "990201").await;
    let (_, other_org) = login(&app, "prov.director")
        .await
        .get(&format!("/api/v1/orgs/{other}"))
        .await;
    let other_name = other_org["name"].as_str().unwrap().to_string();

    let (_, roots) = s.get("/api/v1/orgs/roots").await;
    assert_eq!(
        roots
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![own]
    );
    for id in [other, other_town, city, other_city_county] {
        let (st, b) = s.get(&format!("/api/v1/orgs/{id}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "detail of {id} leaked: {b}");
        assert_eq!(b["code"], "org.not_found");
        let (st, _) = s.get(&format!("/api/v1/orgs/{id}/ancestors")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, kids) = s
            .get(&format!("/api/v1/orgs/{id}/children?include_inactive=true"))
            .await;
        for k in kids.as_array().unwrap() {
            assert!(
                k["path"].as_str().unwrap().contains(&format!("/{own}/")),
                "child leaked: {k}"
            );
        }
        let (st, _) = s.get(&format!("/api/v1/orgs?parent_id={id}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let res = s
            .raw_get(&format!("/api/v1/orgs/export?root_id={id}"))
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let (st, _) = s
            .put(
                &format!("/api/v1/orgs/{id}"),
                json!({ "code": "X", "name": "x", "kind": "county", "version": 1 }),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .post(
                &format!("/api/v1/orgs/{id}/deactivate"),
                json!({ "version": 1 }),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .post(
                "/api/v1/orgs",
                json!({ "parent_id": id, "code": "LEAK", "name": "x", "kind": "village" }),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Moving an own org under another county is refused too.
    let (_, own_org) = s.get(&format!("/api/v1/orgs/{own}")).await;
    let (_, kids) = s.get(&format!("/api/v1/orgs/{own}/children")).await;
    let kid = &kids[0];
    let (st, _) = s
        .post(
            &format!("/api/v1/orgs/{}/move", kid["id"]),
            json!({ "new_parent_id": other, "version": kid["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Search: by the other county's name and code, and a full listing.
    for q in [other_name.as_str(), "990102", "9902"] {
        let (_, page) = s.get(&format!("/api/v1/orgs?q={q}")).await;
        assert_eq!(page["total"], 0, "search for {q} leaked: {page}");
    }
    let (_, page) = s.get("/api/v1/orgs?page_size=200").await;
    let own_path = own_org["path"].as_str().unwrap();
    assert!(page["total"].as_i64().unwrap() > 1);
    for o in page["items"].as_array().unwrap() {
        assert!(
            o["path"].as_str().unwrap().starts_with(own_path),
            "listing leaked {o}"
        );
    }
    // Export of the whole scope contains only the own subtree.
    let res = s.raw_get("/api/v1/orgs/export").await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let table = xuncha_office::read_table(&bytes, "orgs.xlsx").unwrap();
    assert_eq!(table.rows.len() as i64, page["total"].as_i64().unwrap());
    for (_, r) in &table.rows {
        assert!(r[0].starts_with("990101"), "export leaked {r:?}");
    }
    // Nor can it reach users or the audit trail.
    let (st, _) = s.get("/api/v1/users").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.get("/api/v1/audit/operations").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

async fn org_crud_versions_and_validation(app: App) {
    let s = login(&app, "prov.director").await;
    let root = org_id(&app, "99").await;
    let (st, body) = s
        .post(
            "/api/v1/orgs",
            json!({ "parent_id": root, "code": "bad code", "name": "", "kind": "planet" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["code", "name", "kind"]);
    assert!(chinese(&body).contains("名称不能为空"));
    let (st, created) = s.post("/api/v1/orgs", json!({ "parent_id": root, "code": "T-1", "name": "测试局", "kind": "机关部门", "party_org_kind": "党组" })).await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    assert_eq!(created["kind"], "department");
    assert_eq!(created["party_org_kind"], "leadership_group");
    let id = created["id"].as_i64().unwrap();
    let (st, dup) = s
        .post(
            "/api/v1/orgs",
            json!({ "parent_id": root, "code": "T-1", "name": "重复", "kind": "department" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(chinese(&dup).contains("已存在"));
    let (st, upd) = s
        .put(
            &format!("/api/v1/orgs/{id}"),
            json!({ "code": "T-1", "name": "测试局（改）", "kind": "department", "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(upd["version"], 2);
    let (st, stale) = s
        .put(
            &format!("/api/v1/orgs/{id}"),
            json!({ "code": "T-1", "name": "覆盖", "kind": "department", "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(stale["code"], "api.stale_version");
    chinese(&stale);
    let city = org_id(&app, "9901").await;
    let (st, moved) = s
        .post(
            &format!("/api/v1/orgs/{id}/move"),
            json!({ "new_parent_id": city, "version": 2 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(moved["depth"], 2);
    let (st, _) = s
        .post(
            &format!("/api/v1/orgs/{id}/deactivate"),
            json!({ "version": 3 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, busy) = s
        .post(
            &format!("/api/v1/orgs/{city}/deactivate"),
            json!({ "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(busy["code"], "org.has_active_children");
    let (st, _) = s.get("/api/v1/orgs/not-a-number").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // A user without org:write cannot change anything.
    let staff = login(&app, "prov.staff").await;
    let (st, _) = staff
        .post(
            "/api/v1/orgs",
            json!({ "parent_id": root, "code": "T-2", "name": "x", "kind": "department" }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

async fn import_reports_every_bad_row_and_stores_nothing(app: App) {
    let s = login(&app, "city01.director").await;
    let headers = ["编码", "名称", "上级编码", "类型", "党组织类别"];
    let upload = |rows: Vec<Vec<&str>>| {
        let bytes = xuncha_office::write_xlsx(
            "组织",
            &headers,
            &[],
            rows.into_iter()
                .map(|r| r.into_iter().map(str::to_string).collect()),
        )
        .unwrap();
        let part = reqwest::multipart::Part::bytes(bytes).file_name("导入.xlsx");
        reqwest::multipart::Form::new().part("file", part)
    };
    let bad = upload(vec![
        vec!["I-1", "新镇", "990101", "乡镇(街道)", "党委"],
        vec!["I-2", "", "I-1", "村(社区)", "党支部"],
        vec!["I-3", "某村", "990201", "村", ""],
        vec!["I-4", "某村", "I-1", "星球", ""],
    ]);
    let res = s.post_form("/api/v1/orgs/import", bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let b: Value = res.json().await.unwrap();
    let errs: Vec<(i64, String)> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errs,
        vec![(3, "名称".to_string()), (5, "类型".to_string())],
        "{b}"
    );
    for e in b["errors"].as_array().unwrap() {
        chinese(&json!({ "detail": e["message"] }));
    }
    // Fix the cell errors: the out-of-scope parent of row 4 is reported next.
    let bad2 = upload(vec![
        vec!["I-1", "新镇", "990101", "乡镇(街道)", "党委"],
        vec!["I-3", "某村", "990201", "村(社区)", ""],
    ]);
    let res = s.post_form("/api/v1/orgs/import", bad2).await;
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["errors"][0]["row"], 3);
    assert!(
        b["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("不在您的数据范围内"),
        "{b}"
    );
    let (st, _) = s.get("/api/v1/orgs?q=I-1").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        s.get("/api/v1/orgs?q=I-1").await.1["total"],
        0,
        "a failed import stored rows"
    );
    let good = upload(vec![
        vec!["I-2", "新村", "I-1", "村(社区)", "党支部"],
        vec!["I-1", "新镇", "990101", "乡镇(街道)", "党委"],
    ]);
    let res = s.post_form("/api/v1/orgs/import", good).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["imported"], 2);
    // CSV in GBK works too; a wrong file type is named.
    let (gbk, _, _) = encoding_rs::GBK.encode("编码,名称,上级编码,类型\nI-9,北村,I-1,村(社区)\n");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(gbk.into_owned()).file_name("orgs.csv"),
    );
    let res = s.post_form("/api/v1/orgs/import", form).await;
    assert_eq!(res.status(), StatusCode::OK);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("orgs.pdf"),
    );
    let res = s.post_form("/api/v1/orgs/import", form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.json::<Value>().await.unwrap()["detail"]
            .as_str()
            .unwrap()
            .contains(".xlsx")
    );
}

async fn three_administrators_are_separated(app: App) {
    let admin = login(&app, "admin").await;
    let security = login(&app, "security").await;
    let auditor = login(&app, "auditor").await;
    assert_eq!(
        admin.get("/api/v1/audit/operations").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(admin.get("/api/v1/roles").await.0, StatusCode::FORBIDDEN);
    assert_eq!(auditor.get("/api/v1/users").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        auditor.get("/api/v1/orgs/roots").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        security.get("/api/v1/audit/logins").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        security.post("/api/v1/users", json!({})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        auditor.get("/api/v1/audit/operations").await.0,
        StatusCode::OK
    );

    // The system administrator creates an account; it has no roles and must change its password.
    let county = org_id(&app, "990101").await;
    let (st, b) = admin.post("/api/v1/users", json!({ "username": "new.user", "display_name": "新用户", "org_id": county, "password": "short" })).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["fields"][0]["field"], "password");
    let (st, u) = admin.post("/api/v1/users", json!({ "username": "new.user", "display_name": "新用户", "org_id": county, "password": "Initial#2026" })).await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    // Only the security administrator assigns roles, and never two administrator classes.
    let (_, roles) = security.get("/api/v1/roles").await;
    let role = |code: &str| {
        roles
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let uid = u["id"].as_i64().unwrap();
    assert_eq!(
        admin
            .put(
                &format!("/api/v1/users/{uid}/roles"),
                json!({ "role_ids": [role("office_staff")], "version": u["version"] })
            )
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (st, b) = security.put(&format!("/api/v1/users/{uid}/roles"), json!({ "role_ids": [role("sys_admin"), role("audit_admin")], "version": u["version"] })).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(chinese(&b).contains("三员分立"));
    let (st, b) = security.put(&format!("/api/v1/users/{uid}/roles"), json!({ "role_ids": [role("sys_admin"), role("office_staff")], "version": u["version"] })).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (st, _) = security
        .put(
            &format!("/api/v1/users/{uid}/roles"),
            json!({ "role_ids": [role("office_staff")], "version": u["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // An administrator role cannot be given business permissions.
    let sys = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "sys_admin")
        .unwrap();
    let (st, _) = security.put(&format!("/api/v1/roles/{}", sys["id"]), json!({
        "code": "sys_admin", "name": "系统管理员", "permissions": ["user:write", "audit:read"], "data_scope": "all", "version": sys["version"] })).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // First login: only the password change is allowed.
    let fresh = login_with(&app, "new.user", "Initial#2026").await;
    let (st, b) = fresh.get("/api/v1/orgs/roots").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(b["code"], "auth.must_change_password");
    let (st, me) = fresh.get("/api/v1/auth/me").await;
    assert_eq!(
        (st, me["must_change_password"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let (st, _) = fresh
        .post(
            "/api/v1/auth/password",
            json!({ "old_password": "Initial#2026", "new_password": "Changed#2026x" }),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let again = login_with(&app, "new.user", "Changed#2026x").await;
    assert_eq!(again.get("/api/v1/orgs/roots").await.0, StatusCode::OK);
}

async fn audit_logs_and_verification(app: App) {
    let _ = try_login(&app, "prov.director", "Wrong#pass1", None).await;
    let s = login(&app, "prov.director").await;
    let root = org_id(&app, "99").await;
    let (st, _) = s
        .post(
            "/api/v1/orgs",
            json!({ "parent_id": root, "code": "AUD-1", "name": "审计测试", "kind": "department" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let auditor = login(&app, "auditor").await;
    let (_, ops) = auditor
        .get("/api/v1/audit/operations?actor=prov.director&action=org.")
        .await;
    let first = &ops["items"][0];
    assert_eq!(first["action"], "org.create");
    assert!(first["summary"].as_str().unwrap().contains("审计测试"));
    // The person's name of the account beside its username (the log itself keeps the username).
    assert!(
        first["actor_display_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty()),
        "{first}"
    );
    let (_, fails) = auditor
        .get("/api/v1/audit/logins?username=prov.director&success=false")
        .await;
    assert_eq!(fails["total"], 1);
    assert_eq!(fails["items"][0]["reason"], "密码错误");
    let (_, ok) = auditor
        .get("/api/v1/audit/logins?username=prov.director&success=true")
        .await;
    assert!(ok["total"].as_i64().unwrap() >= 1);
    let (st, v) = auditor.get("/api/v1/audit/verify").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["ok"], true, "{v}");
    let (st, b) = auditor
        .get("/api/v1/audit/operations?from=2026-13-40")
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    chinese(&b);
    let today = test_today();
    let (_, todays) = auditor
        .get(&format!("/api/v1/audit/operations?from={today}&to={today}"))
        .await;
    assert!(todays["total"].as_i64().unwrap() > 0);
    let (_, tomorrow) = auditor
        .get(&format!(
            "/api/v1/audit/operations?from={}",
            today.next_day().unwrap()
        ))
        .await;
    assert_eq!(tomorrow["total"], 0);
}

async fn totp_second_factor(app: App) {
    let s = login(&app, "prov.leader").await;
    let (st, setup) = s.post("/api/v1/auth/totp/setup", json!({})).await;
    assert_eq!(st, StatusCode::OK);
    let uri = setup["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/"));
    let secret = decode_base32(setup["secret"].as_str().unwrap());
    let now = app.db.now().unix_timestamp();
    let (st, _) = s
        .post("/api/v1/auth/totp/enable", json!({ "code": "000000" }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let code = format!("{:06}", xuncha_domain::totp::code_at(&secret, now));
    let (st, _) = s
        .post("/api/v1/auth/totp/enable", json!({ "code": code }))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, r) = try_login(&app, "prov.leader", DEMO_PASSWORD, None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "auth.totp_required"
    );
    let (_, r) = try_login(&app, "prov.leader", DEMO_PASSWORD, Some("123456")).await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "auth.totp_invalid"
    );
    let (http, r) = try_login(&app, "prov.leader", DEMO_PASSWORD, Some(&code)).await;
    let s2 = session_of(&app, http, r).await;
    assert_eq!(s2.get("/api/v1/auth/me").await.1["totp_enabled"], true);
    // The same code cannot be used twice.
    let (_, r) = try_login(&app, "prov.leader", DEMO_PASSWORD, Some(&code)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The secret is stored encrypted, not in plain text.
    let stored: Option<Vec<u8>> = xuncha_store::on_db!(&app.db, p => sqlx::query_scalar("SELECT totp_secret_enc FROM users WHERE username = 'prov.leader'").fetch_one(p).await.unwrap());
    let stored = stored.unwrap();
    assert!(!stored.windows(secret.len()).any(|w| w == secret.as_slice()));
}

fn decode_base32(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
            .iter()
            .position(|x| *x == c)
            .unwrap() as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

async fn api_tokens_are_scoped(app: App) {
    let s = login(&app, "county0101.director").await;
    let (st, b) = s
        .post(
            "/api/v1/tokens",
            json!({ "name": "集成", "permissions": ["user:write"], "expires_in_days": 30 }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (st, t) = s
        .post(
            "/api/v1/tokens",
            json!({ "name": "集成", "permissions": ["org:read"], "expires_in_days": 30 }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let token = t["token"].as_str().unwrap();
    assert!(token.starts_with("xct_"));
    let http = client();
    let roots: Value = http
        .get(format!("{}/api/v1/orgs/roots", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(roots[0]["code"], "990101");
    let other = org_id(&app, "990102").await;
    let res = http
        .get(format!("{}/api/v1/orgs/{other}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = http
        .post(format!("{}/api/v1/orgs", app.base))
        .bearer_auth(token)
        .json(&json!({ "parent_id": other, "code": "T", "name": "x", "kind": "village" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, list) = s.get("/api/v1/tokens").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let res = s
        .http
        .delete(format!("{}/api/v1/tokens/{}", app.base, t["id"]))
        .header("x-csrf-token", &s.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = http
        .get(format!("{}/api/v1/orgs/roots", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = http
        .get(format!("{}/api/v1/orgs/roots", app.base))
        .bearer_auth("xct_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn health_metrics_headers_docs_and_spa() {
    let app = sqlite_app().await;
    let http = client();
    let res = get_url(&http, &format!("{}/healthz", app.base)).await;
    assert_eq!(res.status(), StatusCode::OK);
    for (path, ct) in [
        ("/", "text/html"),
        ("/orgs/tree", "text/html"),
        ("/api/docs/", "text/html"),
    ] {
        let res = get_url(&http, &format!("{}{path}", app.base)).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(ct),
            "{path}"
        );
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"));
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    }
    let res = get_url(&http, &format!("{}/api/v1/nope", app.base)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    // `/metrics` is off without `metrics_token` (tests/api/recovery.rs covers the token).
    let metrics = get_url(&http, &format!("{}/metrics", app.base)).await;
    assert_eq!(metrics.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        metrics.headers()["content-type"],
        "application/problem+json"
    );
    // The Swagger UI is served offline: its page loads no script from another origin.
    let page = get_url(&http, &format!("{}/api/docs/", app.base))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("https://") && !page.contains("http://"),
        "Swagger UI references a remote origin"
    );
    let init = get_url(
        &http,
        &format!("{}/api/docs/swagger-initializer.js", app.base),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(init.contains("/api/v1/openapi.json"));
}

/// The committed web/openapi.json (the front end's typed client is generated from it) must match
/// the server. `UPDATE_OPENAPI=1 cargo test` rewrites it.
#[tokio::test]
async fn openapi_document_is_current() {
    let app = sqlite_app().await;
    let served: Value = get_url(&client(), &format!("{}/api/v1/openapi.json", app.base))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(served, serde_json::to_value(xuncha_api::openapi()).unwrap());
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(
            &file,
            xuncha_api::openapi().to_pretty_json().unwrap() + "\n",
        )
        .unwrap();
    }
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // (Not assert_eq: printing two whole documents helps nobody.)
    assert!(
        served == committed,
        "web/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p xuncha-api --test api openapi`"
    );
    for path in [
        "/api/v1/auth/login",
        "/api/v1/orgs",
        "/api/v1/orgs/{id}",
        "/api/v1/orgs/import",
        "/api/v1/audit/verify",
    ] {
        assert!(served["paths"].get(path).is_some(), "{path} undocumented");
    }
}

/// Today (China time) minus `months` (of 31 days), for backdating test records.
pub(crate) fn today_minus_months(months: i64) -> time::Date {
    test_today() - time::Duration::days(months * 31)
}

#[path = "api/inspection.rs"]
mod inspection;

#[path = "api/rect.rs"]
mod rect;

#[path = "api/letters.rs"]
mod letters;

#[path = "api/assessment.rs"]
mod assessment;

#[path = "api/trust.rs"]
mod trust;

#[path = "api/lists.rs"]
mod lists;

#[path = "api/recovery.rs"]
mod recovery;

#[path = "api/matrix.rs"]
mod matrix;

#[path = "api/search.rs"]
mod search;

#[path = "api/accounts.rs"]
mod accounts;

#[path = "api/recusal.rs"]
mod recusal;

#[path = "api/errors.rs"]
mod errors;

#[path = "api/imports.rs"]
mod imports;
#[path = "api/settings.rs"]
mod settings;

#[path = "api/counters.rs"]
mod counters;

#[path = "api/export.rs"]
mod export;

#[path = "api/workbench.rs"]
mod workbench;

#[path = "api/dashboard.rs"]
mod dashboard;
#[path = "api/guidance.rs"]
mod guidance;
#[path = "api/linkage.rs"]
mod linkage;
#[path = "api/public_reports.rs"]
mod public_reports;
