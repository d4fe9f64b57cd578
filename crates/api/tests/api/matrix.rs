//! The proof, generated from the OpenAPI document rather than hand-listed (issue 8):
//!
//! - `matrix_route_role_scope`: every route of the served OpenAPI document, tried as each demo
//!   role (the three administrators, province/city/county office, leader, an inspector of another
//!   team, discipline, unit liaison, a token restricted to `org:read`, and nobody) on ids that
//!   belong to the province. A 2xx where [`ROUTES`] says the caller is refused fails, and so does
//!   an audit record written by a request that answered 4xx. A route the table does not classify
//!   fails the test.
//! - `matrix_compartments`: marker strings in a clue's informant, subject and facts and in a talk
//!   record appear in no response (JSON, .docx, .xlsx) to a caller without the compartment, and
//!   never in the audit trail.
//! - `matrix_fuzz_write_routes`: a seeded generator of random and boundary values for every field
//!   of every write route: no 5xx, every 4xx is problem+json.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{App, client, login, pg_app, sqlite_app, test_today};

crate::dual!(
    matrix_route_role_scope,
    matrix_compartments,
    matrix_fuzz_write_routes
);

// ---------------------------------------------------------------------------------------------
// The declarative table.
// ---------------------------------------------------------------------------------------------

/// Who may reach the record a route acts on, beyond holding the route's permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// No scoped record (a list filtered by scope, a catalogue, the caller's own settings).
    Open,
    /// The record(s) named by the path's ids (see [`Ids`]): their owner decides.
    Path,
    /// The path's record, and also the ids in the body (`org_id`, `round_unit_id`, …), which
    /// belong to the province.
    Body,
    /// The clue register: the path's record plus the `clue` compartment (or `clue:lead`).
    Clue,
    /// No session at all (survey sheets by link token, approved disclosures).
    Public,
    /// The caller's own credentials (password, second factor, API tokens): a logged-in session
    /// only, never an API token (a token holds only what it names).
    Session,
    /// [`Reach::Session`] on the caller's own record named by the path.
    SessionPath,
}

use Reach::{Body, Clue, Open, Path, Public, Session, SessionPath};

/// Permission codes (`None`: any logged-in user; the handler takes only `Auth`).
const ORG_READ: Option<&str> = Some("org:read");
const ORG_WRITE: Option<&str> = Some("org:write");
const ORG_IMPORT: Option<&str> = Some("org:import");
const USER_READ: Option<&str> = Some("user:read");
const USER_WRITE: Option<&str> = Some("user:write");
const ROLE_READ: Option<&str> = Some("role:read");
const ROLE_WRITE: Option<&str> = Some("role:write");
const POLICY_WRITE: Option<&str> = Some("policy:write");
const AUDIT_READ: Option<&str> = Some("audit:read");
const INSP_READ: Option<&str> = Some("inspection:read");
const INSP_PLAN: Option<&str> = Some("inspection:plan");
const INSP_OFFICE: Option<&str> = Some("inspection:office");
const TEAM_MANAGE: Option<&str> = Some("team:manage");
const FIELDWORK: Option<&str> = Some("fieldwork:write");
const CLUE_LEAD: Option<&str> = Some("clue:lead");
const CLUE_DISPOSE: Option<&str> = Some("clue:dispose");
const PROBLEM_READ: Option<&str> = Some("problem:read");
const RECT_READ: Option<&str> = Some("rect:read");
const RECT_WRITE: Option<&str> = Some("rect:write");
const RECT_REVIEW: Option<&str> = Some("rect:review");
const RECT_SUPERVISE: Option<&str> = Some("rect:supervise");
const RECUSAL_APPROVE: Option<&str> = Some("recusal:approve");
const GUIDANCE_LEAD: Option<&str> = Some("guidance:lead");
/// Reading guidance problems takes `guidance:lead` or `guidance:rectify` (the demo's roles hold
/// both or neither); rectifying takes `guidance:rectify`.
const GUIDANCE_RECTIFY: Option<&str> = Some("guidance:rectify");
const ANY: Option<&str> = None;

/// Every route of the API: method, path, the permission its handler requires (the `Need<P>`
/// extractor; `ANY` for an `Auth`-only handler) and the reach. The test fails on a route missing
/// here, and on an entry the document no longer has.
#[rustfmt::skip]
const ROUTES: &[(&str, &str, Option<&str>, Reach)] = &[
    ("GET", "/api/v1/assessment/settings", RECT_READ, Open),
    ("PUT", "/api/v1/assessment/settings", RECT_SUPERVISE, Open),
    ("DELETE", "/api/v1/assessment/settings", RECT_SUPERVISE, Open),
    ("GET", "/api/v1/assessment/units", RECT_READ, Open),
    ("GET", "/api/v1/assessment/revisits", RECT_READ, Open),
    ("POST", "/api/v1/assessment/revisits/{id}/schedule", RECT_SUPERVISE, Body),
    ("POST", "/api/v1/assessment/revisits/{id}/done", RECT_SUPERVISE, Path),
    ("GET", "/api/v1/assessments", RECT_READ, Open),
    ("POST", "/api/v1/assessments", RECT_SUPERVISE, Body),
    ("GET", "/api/v1/assessments/export", RECT_READ, Open),
    ("GET", "/api/v1/assessments/{id}", RECT_READ, Path),
    ("PUT", "/api/v1/assessments/{id}", RECT_SUPERVISE, Path),
    ("POST", "/api/v1/assessments/{id}/finalise", RECT_SUPERVISE, Path),
    ("GET", "/api/v1/assessments/{id}/docx", RECT_READ, Path),
    ("POST", "/api/v1/assessments/{id}/survey", RECT_SUPERVISE, Path),
    ("POST", "/api/v1/assessments/{id}/survey/groups/{group_id}/link", RECT_SUPERVISE, Path),
    ("GET", "/api/v1/public/surveys/{token}", ANY, Public),
    ("POST", "/api/v1/public/surveys/{token}", ANY, Public),
    ("GET", "/api/v1/public/channels/{token}", ANY, Public),
    ("POST", "/api/v1/public/channels/{token}/reports", ANY, Public),
    ("POST", "/api/v1/public/reports/follow-up", ANY, Public),
    ("POST", "/api/v1/public/reports/answer", ANY, Public),
    ("POST", "/api/v1/round-units/{id}/public-channel", FIELDWORK, Clue),
    ("GET", "/api/v1/public-reports", ANY, Clue),
    ("GET", "/api/v1/public-reports/stats", ANY, Clue),
    ("GET", "/api/v1/public-reports/{id}", ANY, Clue),
    ("POST", "/api/v1/public-reports/{id}/decide", FIELDWORK, Clue),
    ("POST", "/api/v1/public-reports/{id}/questions", FIELDWORK, Clue),
    ("POST", "/api/v1/public-reports/{id}/clue", FIELDWORK, Clue),
    ("GET", "/api/v1/public-reports/{id}/files/{file_id}", ANY, Clue),
    ("POST", "/api/v1/public-reports/{id}/duplicate", FIELDWORK, Clue),
    ("POST", "/api/v1/public-reports/{id}/transfer", FIELDWORK, Clue),
    ("POST", "/api/v1/public-reports/{id}/transfer/review", FIELDWORK, Clue),
    ("GET", "/api/v1/report-transfers", RECT_WRITE, Open),
    ("GET", "/api/v1/report-transfers/{id}", RECT_WRITE, Path),
    ("POST", "/api/v1/report-transfers/{id}/reply", RECT_WRITE, Path),
    ("GET", "/api/v1/disclosures", RECT_READ, Open),
    ("POST", "/api/v1/disclosures", RECT_SUPERVISE, Body),
    ("GET", "/api/v1/disclosures/{id}", RECT_READ, Path),
    ("PUT", "/api/v1/disclosures/{id}", RECT_SUPERVISE, Path),
    ("POST", "/api/v1/disclosures/{id}/submit", RECT_SUPERVISE, Path),
    ("POST", "/api/v1/disclosures/{id}/decide", RECT_SUPERVISE, Path),
    ("GET", "/api/v1/disclosures/{id}/docx", RECT_READ, Path),
    ("GET", "/api/v1/public/disclosures", ANY, Public),
    ("GET", "/api/v1/public/disclosures/{id}", ANY, Public),
    ("GET", "/api/v1/audit/operations", AUDIT_READ, Open),
    ("GET", "/api/v1/audit/logins", AUDIT_READ, Open),
    ("GET", "/api/v1/audit/verify", AUDIT_READ, Open),
    ("GET", "/api/v1/audit/checkpoint", AUDIT_READ, Open),
    ("POST", "/api/v1/auth/login", ANY, Public),
    ("POST", "/api/v1/auth/logout", ANY, Open),
    ("GET", "/api/v1/auth/me", ANY, Open),
    ("POST", "/api/v1/auth/password", ANY, Session),
    ("POST", "/api/v1/auth/totp/setup", ANY, Session),
    ("POST", "/api/v1/auth/totp/enable", ANY, Session),
    ("POST", "/api/v1/auth/totp/disable", ANY, Session),
    ("GET", "/api/v1/clues", ANY, Open),
    ("POST", "/api/v1/round-units/{id}/clues", FIELDWORK, Path),
    ("GET", "/api/v1/clues/{id}", ANY, Clue),
    ("POST", "/api/v1/clues/{id}/triage", FIELDWORK, Clue),
    ("POST", "/api/v1/clues/{id}/transition", FIELDWORK, Clue),
    ("POST", "/api/v1/clues/{id}/transfer", CLUE_LEAD, Clue),
    ("POST", "/api/v1/clues/{id}/receipt", CLUE_DISPOSE, Clue),
    ("POST", "/api/v1/clues/{id}/disposition", CLUE_DISPOSE, Clue),
    ("POST", "/api/v1/clues/{id}/close", CLUE_LEAD, Clue),
    ("GET", "/api/v1/round-units/{id}/documents/notice", INSP_READ, Path),
    ("GET", "/api/v1/round-units/{id}/documents/announcement", INSP_READ, Path),
    ("GET", "/api/v1/round-units/{id}/documents/report", INSP_READ, Path),
    ("GET", "/api/v1/round-units/{id}/documents/mid-term", INSP_READ, Path),
    ("GET", "/api/v1/round-units/{id}/documents/feedback", INSP_READ, Path),
    ("GET", "/api/v1/round-units/{id}/documents/problem-list", INSP_READ, Path),
    ("GET", "/api/v1/round-units/{id}/documents/clue-report", CLUE_LEAD, Path),
    ("GET", "/api/v1/findings/{id}/documents/workpaper", INSP_READ, Path),
    ("GET", "/api/v1/findings/{id}/documents/immediate-fix", FIELDWORK, Path),
    ("GET", "/api/v1/clues/{id}/documents/transfer-letter", CLUE_LEAD, Clue),
    ("GET", "/api/v1/fieldwork/methods", INSP_READ, Open),
    ("PUT", "/api/v1/fieldwork/methods", INSP_PLAN, Open),
    ("GET", "/api/v1/round-units/{id}/activities", INSP_READ, Path),
    ("POST", "/api/v1/round-units/{id}/activities", FIELDWORK, Path),
    ("GET", "/api/v1/round-units/{id}/fieldwork-stats", INSP_READ, Path),
    ("GET", "/api/v1/frames", INSP_READ, Open),
    ("POST", "/api/v1/frames/import", INSP_PLAN, Open),
    ("GET", "/api/v1/findings", INSP_READ, Open),
    ("POST", "/api/v1/round-units/{id}/findings", FIELDWORK, Path),
    ("GET", "/api/v1/findings/{id}", INSP_READ, Path),
    ("PUT", "/api/v1/findings/{id}", FIELDWORK, Path),
    ("POST", "/api/v1/findings/{id}/transition", FIELDWORK, Path),
    ("POST", "/api/v1/findings/{id}/immediate-fix", FIELDWORK, Path),
    ("POST", "/api/v1/findings/{id}/immediate-fix/receipt", FIELDWORK, Path),
    ("POST", "/api/v1/findings/{id}/immediate-fix/done", FIELDWORK, Path),
    ("GET", "/api/v1/problems", PROBLEM_READ, Open),
    ("GET", "/api/v1/inspection/kinds", INSP_READ, Open),
    ("GET", "/api/v1/inspection/village-modes", INSP_READ, Open),
    ("GET", "/api/v1/inspection/states", INSP_READ, Open),
    ("GET", "/api/v1/terms", INSP_READ, Open),
    ("POST", "/api/v1/terms", INSP_PLAN, Body),
    ("GET", "/api/v1/terms/{id}/coverage", INSP_READ, Path),
    ("GET", "/api/v1/rounds", INSP_READ, Open),
    ("POST", "/api/v1/rounds", INSP_PLAN, Body),
    ("GET", "/api/v1/rounds/{id}", INSP_READ, Path),
    ("PUT", "/api/v1/rounds/{id}", INSP_PLAN, Path),
    ("POST", "/api/v1/rounds/{id}/units", INSP_PLAN, Body),
    ("GET", "/api/v1/round-units", INSP_READ, Open),
    ("GET", "/api/v1/round-units/{id}", INSP_READ, Path),
    ("POST", "/api/v1/round-units/{id}/transition", INSP_READ, Path),
    ("GET", "/api/v1/stats/inspection", INSP_READ, Open),
    ("GET", "/api/v1/settings/inspection", INSP_READ, Open),
    ("PUT", "/api/v1/settings/inspection", INSP_PLAN, Open),
    ("DELETE", "/api/v1/settings/inspection", INSP_PLAN, Open),
    ("GET", "/api/v1/orgs/roots", ORG_READ, Open),
    // A list filtered by scope: out of scope (like missing) it is empty.
    ("GET", "/api/v1/orgs/{id}/children", ORG_READ, Open),
    ("GET", "/api/v1/orgs/{id}/ancestors", ORG_READ, Path),
    ("GET", "/api/v1/orgs", ORG_READ, Open),
    ("GET", "/api/v1/orgs/{id}", ORG_READ, Path),
    ("POST", "/api/v1/orgs", ORG_WRITE, Body),
    ("PUT", "/api/v1/orgs/{id}", ORG_WRITE, Path),
    ("POST", "/api/v1/orgs/{id}/move", ORG_WRITE, Body),
    ("POST", "/api/v1/orgs/{id}/deactivate", ORG_WRITE, Path),
    ("POST", "/api/v1/orgs/{id}/activate", ORG_WRITE, Path),
    ("GET", "/api/v1/orgs/export", ORG_IMPORT, Open),
    ("POST", "/api/v1/orgs/import", ORG_IMPORT, Open),
    ("GET", "/api/v1/rect/ledger", RECT_READ, Open),
    ("GET", "/api/v1/rect/lists/tasks", RECT_READ, Open),
    ("GET", "/api/v1/rect/lists/owners", RECT_READ, Open),
    ("GET", "/api/v1/rect/ledger/export", RECT_READ, Open),
    ("POST", "/api/v1/rect/units/{id}/ledger/import", RECT_SUPERVISE, Path),
    ("GET", "/api/v1/rect/findings/{id}", RECT_READ, Path),
    ("POST", "/api/v1/rect/findings/{id}/progress", RECT_WRITE, Path),
    ("GET", "/api/v1/rect/files/{id}", RECT_READ, Path),
    ("GET", "/api/v1/rect/archive", RECT_READ, Open),
    ("POST", "/api/v1/rect/findings/{id}/write-off", RECT_WRITE, Path),
    ("POST", "/api/v1/rect/write-offs/{id}/decide", RECT_REVIEW, Path),
    ("POST", "/api/v1/rect/findings/{id}/reopen", RECT_REVIEW, Path),
    ("POST", "/api/v1/rect/measures/{id}/done", RECT_WRITE, Path),
    ("POST", "/api/v1/rect/findings/{id}/explain", RECT_WRITE, Path),
    ("POST", "/api/v1/rect/findings/{id}/extensions", RECT_WRITE, Path),
    ("GET", "/api/v1/rect/extensions", RECT_READ, Open),
    ("POST", "/api/v1/rect/extensions/{id}/decide", RECT_REVIEW, Path),
    ("POST", "/api/v1/rect/findings/{id}/outcomes", RECT_READ, Path),
    ("GET", "/api/v1/rect/units", RECT_READ, Open),
    ("GET", "/api/v1/rect/rounds", RECT_READ, Open),
    ("GET", "/api/v1/rect/units/{id}/plan", RECT_READ, Path),
    ("PUT", "/api/v1/rect/units/{id}/plan", RECT_WRITE, Path),
    ("POST", "/api/v1/rect/plans/{id}/submit", RECT_WRITE, Path),
    ("POST", "/api/v1/rect/plans/{id}/review", RECT_READ, Path),
    ("GET", "/api/v1/rect/plans/{id}/diff", RECT_READ, Path),
    ("GET", "/api/v1/rect/units/{id}/reports", RECT_READ, Path),
    ("POST", "/api/v1/rect/units/{id}/reports", RECT_WRITE, Path),
    ("POST", "/api/v1/rect/reports/{id}/file", RECT_WRITE, Path),
    ("GET", "/api/v1/rect/reports/{id}/docx", RECT_READ, Path),
    ("GET", "/api/v1/rect/settings", RECT_READ, Open),
    ("PUT", "/api/v1/rect/settings", RECT_SUPERVISE, Open),
    ("DELETE", "/api/v1/rect/settings", RECT_SUPERVISE, Open),
    ("GET", "/api/v1/rect/holidays", RECT_READ, Open),
    ("DELETE", "/api/v1/rect/holidays", RECT_SUPERVISE, Open),
    ("POST", "/api/v1/rect/holidays/import", RECT_SUPERVISE, Open),
    ("GET", "/api/v1/rect/letters", RECT_READ, Open),
    ("GET", "/api/v1/rect/letters/suggestions", RECT_READ, Open),
    ("POST", "/api/v1/rect/letters", RECT_SUPERVISE, Body),
    ("GET", "/api/v1/rect/letters/{id}/docx", RECT_READ, Path),
    ("POST", "/api/v1/rect/letters/{id}/withdraw", RECT_SUPERVISE, Path),
    ("GET", "/api/v1/notifications", ANY, Open),
    ("GET", "/api/v1/workbench", ANY, Open),
    ("GET", "/api/v1/linkage/tasks", INSP_OFFICE, Open),
    ("POST", "/api/v1/linkage/tasks", INSP_PLAN, Body),
    ("GET", "/api/v1/linkage/tasks/{id}", INSP_OFFICE, Path),
    ("POST", "/api/v1/linkage/recipients/{id}/confirm", INSP_PLAN, Path),
    ("POST", "/api/v1/linkage/recipients/{id}/return", INSP_PLAN, Path),
    ("GET", "/api/v1/linkage/inbox", INSP_OFFICE, Open),
    ("GET", "/api/v1/linkage/inbox/{id}", INSP_OFFICE, Path),
    ("POST", "/api/v1/linkage/inbox/{id}/accept", INSP_OFFICE, Path),
    ("POST", "/api/v1/linkage/inbox/{id}/report", INSP_OFFICE, Path),
    ("GET", "/api/v1/linkage/focus-points", INSP_OFFICE, Open),
    ("POST", "/api/v1/linkage/focus-points", INSP_PLAN, Body),
    ("GET", "/api/v1/linkage/focus-points/{id}", INSP_OFFICE, Path),
    ("GET", "/api/v1/rounds/{id}/focus-points", INSP_READ, Path),
    ("POST", "/api/v1/rounds/{id}/focus-points", INSP_PLAN, Body),
    ("PUT", "/api/v1/findings/{id}/focus-point", FIELDWORK, Path),
    ("GET", "/api/v1/dashboard", RECT_READ, Open),
    ("GET", "/api/v1/guidance/visits", GUIDANCE_LEAD, Open),
    ("POST", "/api/v1/guidance/visits", GUIDANCE_LEAD, Body),
    ("GET", "/api/v1/guidance/options", GUIDANCE_LEAD, Open),
    ("GET", "/api/v1/guidance/visits/{id}", GUIDANCE_LEAD, Path),
    ("POST", "/api/v1/guidance/visits/{id}/state", GUIDANCE_LEAD, Path),
    ("POST", "/api/v1/guidance/visits/{id}/problems", GUIDANCE_LEAD, Body),
    ("GET", "/api/v1/guidance/problems", GUIDANCE_RECTIFY, Open),
    ("GET", "/api/v1/guidance/problems/{id}", GUIDANCE_RECTIFY, Path),
    ("POST", "/api/v1/guidance/problems/{id}/rectify", GUIDANCE_RECTIFY, Path),
    ("POST", "/api/v1/guidance/problems/{id}/write-off", GUIDANCE_RECTIFY, Path),
    ("POST", "/api/v1/guidance/problems/{id}/verify", GUIDANCE_LEAD, Path),
    ("GET", "/api/v1/search", ANY, Open),
    // Marks the caller's own notification (`WHERE user_id`): another's id is a no-op answered
    // exactly like a missing one.
    ("POST", "/api/v1/notifications/{id}/read", ANY, Open),
    ("POST", "/api/v1/notifications/read-all", ANY, Open),
    ("GET", "/api/v1/notifications/settings", ANY, Open),
    ("PUT", "/api/v1/notifications/settings", ANY, Open),
    ("GET", "/api/v1/rect/stats", RECT_READ, Open),
    ("GET", "/api/v1/testing/clock", ANY, Open),
    ("POST", "/api/v1/testing/clock", ANY, Open),
    ("GET", "/api/v1/roles", ROLE_READ, Open),
    ("POST", "/api/v1/roles", ROLE_WRITE, Open),
    ("PUT", "/api/v1/roles/{id}", ROLE_WRITE, Path),
    ("GET", "/api/v1/permissions", ROLE_READ, Open),
    ("GET", "/api/v1/policy", ROLE_READ, Open),
    ("PUT", "/api/v1/policy", POLICY_WRITE, Open),
    ("GET", "/api/v1/people", INSP_READ, Open),
    ("POST", "/api/v1/people", TEAM_MANAGE, Body),
    ("PUT", "/api/v1/people/{id}", TEAM_MANAGE, Body),
    ("POST", "/api/v1/people/{id}/posts", TEAM_MANAGE, Body),
    ("POST", "/api/v1/people/{id}/relations", TEAM_MANAGE, Path),
    ("POST", "/api/v1/people/{id}/trainings", TEAM_MANAGE, Path),
    ("POST", "/api/v1/rounds/{id}/teams", TEAM_MANAGE, Path),
    ("POST", "/api/v1/teams/{id}/units", TEAM_MANAGE, Body),
    ("POST", "/api/v1/teams/{id}/members", TEAM_MANAGE, Body),
    ("GET", "/api/v1/recusal-requests", ANY, Open),
    ("POST", "/api/v1/recusal-requests/{id}/approve", RECUSAL_APPROVE, Path),
    ("POST", "/api/v1/recusal-requests/{id}/reject", RECUSAL_APPROVE, Path),
    ("DELETE", "/api/v1/teams/{id}/members/{person_id}", TEAM_MANAGE, Path),
    ("GET", "/api/v1/teams/{id}/suggestions", TEAM_MANAGE, Path),
    ("GET", "/api/v1/tokens", ANY, Open),
    ("POST", "/api/v1/tokens", ANY, Session),
    ("DELETE", "/api/v1/tokens/{id}", ANY, SessionPath),
    ("GET", "/api/v1/users", USER_READ, Open),
    ("GET", "/api/v1/users/{id}", USER_READ, Path),
    ("POST", "/api/v1/users", USER_WRITE, Body),
    ("PUT", "/api/v1/users/{id}", USER_WRITE, Body),
    ("PUT", "/api/v1/users/{id}/roles", ROLE_WRITE, Path),
    ("POST", "/api/v1/users/{id}/reset-password", USER_WRITE, Path),
    ("GET", "/api/v1/password-resets", POLICY_WRITE, Open),
    ("POST", "/api/v1/password-resets/{id}/approve", POLICY_WRITE, Path),
    ("POST", "/api/v1/password-resets/{id}/reject", POLICY_WRITE, Path),
    ("POST", "/api/v1/users/{id}/lock", USER_WRITE, Path),
    ("POST", "/api/v1/users/{id}/unlock", USER_WRITE, Path),
];

/// Routes classified but not tried, with the reason.
const NOT_TRIED: &[(&str, &str, &str)] = &[
    (
        "POST",
        "/api/v1/auth/logout",
        "ends the caller's session; the rest of its row could not run",
    ),
    (
        "POST",
        "/api/v1/auth/login",
        "creates sessions and counts failures (lockout): the login tests own it",
    ),
    (
        "POST",
        "/api/v1/testing/clock",
        "moves the server's date for every caller (404 unless clock_control)",
    ),
];

/// Violations the matrix finds in parts another helper of issue 8 owns (accounts and login,
/// team membership/recusal/clue transfer, error formats and text limits). Each entry is
/// (method, path, caller, what happens). The lead empties this list once those branches are
/// merged; the test then proves them fixed.
const KNOWN_ELSEWHERE: &[(&str, &str, &str, &str)] = &[];

// ---------------------------------------------------------------------------------------------
// Callers.
// ---------------------------------------------------------------------------------------------

/// The demo users the matrix runs as (plus the restricted token and nobody).
const ROLES: &[&str] = &[
    "admin",
    "security",
    "auditor",
    "prov.director",
    "city01.director",
    "county0101.director",
    "prov.leader",
    "prov.inspector2",
    "county0101.discipline",
    "dept.liaison",
];

/// Demo users on 第一巡察组, the team of the province's current round units.
const TEAM_ONE: &[&str] = &["prov.director", "prov.inspector"];

struct Caller {
    name: String,
    http: reqwest::Client,
    base: String,
    csrf: Option<String>,
    bearer: Option<String>,
    perms: Vec<String>,
    compartments: Vec<String>,
    /// The code of the caller's organisation (data scope: that subtree; `None` for nobody).
    org_code: Option<String>,
    /// Scope only the caller's own organisation (unit liaison), not its subtree.
    org_only: bool,
}

struct Resp {
    status: StatusCode,
    ct: String,
    bytes: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
}

impl Caller {
    async fn call(&self, method: &Method, path: &str, body: Option<&Value>) -> Resp {
        // A pooled keep-alive connection the server has just closed fails the send ("connection
        // closed before message completed"): that is the client's race, so try again; a handler
        // that drops the connection every time is reported as 599.
        let mut r = self.call_once(method, path, body).await;
        for _ in 0..2 {
            if r.status.as_u16() != 599 {
                break;
            }
            r = self.call_once(method, path, body).await;
        }
        r
    }

    async fn call_once(&self, method: &Method, path: &str, body: Option<&Value>) -> Resp {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(c) = &self.csrf {
            req = req.header("x-csrf-token", c);
        }
        if let Some(t) = &self.bearer {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = match req.send().await {
            Ok(res) => res,
            // No answer at all (the connection dropped: a panic in a handler): reported as 599.
            Err(e) => {
                return Resp {
                    status: StatusCode::from_u16(599).expect("599"),
                    ct: String::new(),
                    bytes: format!("no response: {e:?}").into_bytes(),
                };
            }
        };
        let status = res.status();
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        Resp {
            status,
            ct,
            bytes: res.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
        }
    }

    async fn get(&self, path: &str) -> Value {
        self.call(&Method::GET, path, None).await.json()
    }

    fn has(&self, perm: Option<&str>) -> bool {
        perm.is_none_or(|p| self.perms.iter().any(|x| x == p))
    }

    fn holds(&self, compartment: &str) -> bool {
        self.compartments.iter().any(|c| c == compartment)
    }

    /// Whether the caller's data scope contains the organisation with `code` (demo codes are
    /// hierarchical: 99 ⊃ 9901 ⊃ 990101, 99 ⊃ 99-D05).
    fn sees_org(&self, code: &str) -> bool {
        match &self.org_code {
            None => false,
            Some(own) if self.org_only => code == own,
            Some(own) => code.starts_with(own.as_str()),
        }
    }

    /// Team-bound: records fieldwork without being the office (see `Access::team_bound`).
    fn team_bound(&self) -> bool {
        self.perms.iter().any(|p| p == "fieldwork:write")
            && !self.perms.iter().any(|p| p == "inspection:office")
    }
}

async fn caller_for(app: &App, username: &str) -> Caller {
    let s = login(app, username).await;
    let mut c = Caller {
        name: username.to_string(),
        http: s.http,
        base: app.base.clone(),
        csrf: Some(s.csrf),
        bearer: None,
        perms: Vec::new(),
        compartments: Vec::new(),
        org_code: None,
        org_only: false,
    };
    fill_me(app, &mut c).await;
    c
}

async fn fill_me(app: &App, c: &mut Caller) {
    let me = c.get("/api/v1/auth/me").await;
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    c.perms = strings(&me["permissions"]);
    c.compartments = strings(&me["compartments"]);
    let org = me["org_id"].as_i64().expect("me.org_id");
    let codes = org_codes(app).await;
    c.org_code = codes.get(&org).cloned();
    // The unit liaison's role has the data scope 本单位 (own organisation only).
    let scopes: Vec<String> = xuncha_store::on_db!(&app.db, p => sqlx::query_scalar(
        "SELECT r.data_scope FROM user_roles ur JOIN roles r ON r.id = ur.role_id JOIN users u ON u.id = ur.user_id WHERE u.username = $1")
        .bind(c.name.split(' ').next().unwrap_or(""))
        .fetch_all(p).await.expect("scopes"));
    c.org_only = !scopes.is_empty() && scopes.iter().all(|s| s == "org");
    // 纪委监委's data scope is its level: the parent organisation's subtree (demo codes:
    // 99-D05 under 99, 9901 under 99).
    if !scopes.is_empty() && scopes.iter().all(|s| s == "level") {
        c.org_code = c.org_code.take().map(|own| match own.split_once('-') {
            Some((parent, _)) => parent.to_string(),
            None if own.len() > 2 => own[..own.len() - 2].to_string(),
            None => own,
        });
    }
}

async fn org_codes(app: &App) -> HashMap<i64, String> {
    let rows: Vec<(i64, String)> = xuncha_store::on_db!(&app.db, p => sqlx::query_as(
        "SELECT id, code FROM organisations").fetch_all(p).await.expect("orgs"));
    rows.into_iter().collect()
}

async fn audit_count(app: &App) -> i64 {
    xuncha_store::on_db!(&app.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(p).await.expect("audit count"))
}

/// A 30-day `["org:read"]` token named `name`, asked for by `c`.
async fn org_read_token(c: &Caller, name: &str) -> Resp {
    c.call(
        &Method::POST,
        "/api/v1/tokens",
        Some(&json!({ "name": name, "permissions": ["org:read"], "expires_in_days": 30 })),
    )
    .await
}

/// The callers of the matrix: the demo roles, a token of prov.director restricted to
/// `["org:read"]`, and nobody.
async fn callers(app: &App) -> Vec<Caller> {
    let mut out = Vec::new();
    for r in ROLES {
        out.push(caller_for(app, r).await);
    }
    let director = caller_for(app, "prov.director").await;
    let t = org_read_token(&director, "矩阵只读").await;
    assert_eq!(t.status, StatusCode::CREATED);
    let mut token = Caller {
        name: "prov.director token[org:read]".into(),
        http: client(),
        base: app.base.clone(),
        csrf: None,
        bearer: Some(t.json()["token"].as_str().expect("token").to_string()),
        perms: Vec::new(),
        compartments: Vec::new(),
        org_code: None,
        org_only: false,
    };
    fill_me(app, &mut token).await;
    assert_eq!(token.perms, vec!["org:read".to_string()]);
    assert!(token.compartments.is_empty());
    out.push(token);
    out.push(Caller {
        name: "(nobody)".into(),
        http: client(),
        base: app.base.clone(),
        csrf: None,
        bearer: None,
        perms: Vec::new(),
        compartments: Vec::new(),
        org_code: None,
        org_only: false,
    });
    out
}

// ---------------------------------------------------------------------------------------------
// Ids: a real province record for every path parameter, found as the province office.
// ---------------------------------------------------------------------------------------------

/// Whose a record is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    /// A record of the province office's current round on a unit of 第一巡察组 (round units,
    /// activities, findings, clues): the office's scope, and a team-bound caller only on the team.
    Team,
    /// A record of the province office's planning (terms, rounds, teams): the office's scope.
    Office,
    /// A record scoped by an organisation (ledger items, plans, assessments, people, users,
    /// organisations): callers whose scope contains it.
    Org(String),
    /// A record of one user (notifications, API tokens).
    User(String),
    /// A platform-wide record (roles): the permission alone decides.
    Platform,
    /// No such record could be found: a made-up id (the request answers 404 for everyone).
    Missing,
}

struct Ids {
    /// (path prefix up to and including the parameter, parameter) → (value, owner)
    by_prefix: BTreeMap<String, (String, Owner)>,
    /// Body field → value, for ids in request bodies.
    body: HashMap<&'static str, Value>,
    /// Body ids' owners (for `Reach::Body`).
    body_owner: Vec<Owner>,
    /// Setup records for the compartment test.
    clue: i64,
    unit: i64,
}

fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::Object(o) => o
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn first_where(v: &Value, f: impl Fn(&Value) -> bool) -> Option<Value> {
    items(v).into_iter().find(|x| f(x))
}

/// Marker strings for the compartment test, unlikely anywhere else.
const M_INFORMANT: &str = "举报人甲MKINF7731";
const M_SUBJECT: &str = "被反映人乙MKSUBJ7731";
const M_FACTS: &str = "问题线索事实MKFACT7731";
const M_TALK: &str = "个别谈话内容MKTALK7731";

/// Sets up the records the matrix needs (as prov.director) and finds an id for every path
/// parameter.
async fn find_ids(app: &App, director: &Caller) -> Ids {
    let codes = org_codes(app).await;
    let names: HashMap<String, String> = {
        let rows: Vec<(String, String)> = xuncha_store::on_db!(&app.db, p => sqlx::query_as(
            "SELECT name, code FROM organisations").fetch_all(p).await.expect("orgs"));
        rows.into_iter().collect()
    };
    // The organisation a record is about: its org_id, else its org_name.
    let owner_of = |v: Option<&Value>| -> Owner {
        let Some(v) = v else { return Owner::Missing };
        if let Some(c) = v["org_id"].as_i64().and_then(|i| codes.get(&i)) {
            return Owner::Org(c.clone());
        }
        if let Some(c) = v["org_name"].as_str().and_then(|n| names.get(n)) {
            return Owner::Org(c.clone());
        }
        panic!("no organisation in {v}")
    };
    let id_of = |code: &str| {
        codes
            .iter()
            .find(|(_, c)| c.as_str() == code)
            .map(|(i, _)| *i)
            .expect("org code")
    };
    let finance_org = id_of("99-D05");
    let root = id_of("99");

    // The current round's unit 江岭省财政厅 (第一巡察组, stationed).
    let units = director.get("/api/v1/round-units?page_size=200").await;
    let unit = first_where(&units, |u| {
        u["org_name"] == "江岭省财政厅" && u["round_name"] == super::current_round_name()
    })
    .or_else(|| first_where(&units, |u| u["org_name"] == "江岭省财政厅"))
    .unwrap_or_else(|| panic!("no 财政厅 unit: {units}"));
    let unit_id = unit["id"].as_i64().unwrap();
    let round_id = unit["round_id"].as_i64().unwrap_or(0);

    // A clue with markers, a talk record with a marker, a finding.
    let clue = director
        .call(
            &Method::POST,
            &format!("/api/v1/round-units/{unit_id}/clues"),
            Some(&json!({ "source": "petition", "summary": "反映预算处问题", "subject_name": M_SUBJECT,
                "subject_post": "预算处处长", "informant": M_INFORMANT, "facts": M_FACTS })),
        )
        .await;
    assert_eq!(clue.status, StatusCode::CREATED, "{:?}", clue.json());
    let clue_id = clue.json()["id"].as_i64().unwrap();
    let talk = director
        .call(
            &Method::POST,
            &format!("/api/v1/round-units/{unit_id}/activities"),
            Some(
                &json!({ "method": "talk", "date": day(test_today() - time::Duration::days(1)),
                "persons": 1, "count": 1, "summary": M_TALK }),
            ),
        )
        .await;
    assert_eq!(talk.status, StatusCode::CREATED, "{:?}", talk.json());
    let frames = director.get("/api/v1/frames").await;
    let category = items(&frames)
        .iter()
        .flat_map(|f| items(&f["categories"]))
        .find_map(|c| c["id"].as_i64())
        .expect("a category");
    let finding = director
        .call(
            &Method::POST,
            &format!("/api/v1/round-units/{unit_id}/findings"),
            Some(&json!({ "title": "矩阵测试问题", "category_id": category, "facts": "矩阵测试事实" })),
        )
        .await;
    assert_eq!(finding.status, StatusCode::CREATED, "{:?}", finding.json());
    let finding_id = finding.json()["id"].as_i64().unwrap();
    // 码上巡察: the unit's channel and a named report with the markers and a photo.
    let channel = director
        .call(
            &Method::POST,
            &format!("/api/v1/round-units/{unit_id}/public-channel"),
            Some(&json!({ "origin": "http://127.0.0.1" })),
        )
        .await;
    assert_eq!(channel.status, StatusCode::OK, "{:?}", channel.json());
    let channel_token = channel.json()["token"].as_str().unwrap().to_string();
    let submitted = client()
        .post(format!(
            "{}/api/v1/public/channels/{channel_token}/reports",
            app.base
        ))
        .multipart(
            reqwest::multipart::Form::new()
                .text("category", "corruption")
                .text("subject", M_SUBJECT)
                .text("facts", M_FACTS)
                .text("named", "true")
                .text("reporter_name", M_INFORMANT)
                .text("reporter_phone", "13800000000")
                .part(
                    "files",
                    reqwest::multipart::Part::bytes(super::public_reports::jpeg_with_exif())
                        .file_name("a.jpg"),
                ),
        )
        .send()
        .await
        .expect("public report");
    assert_eq!(submitted.status(), StatusCode::CREATED);
    let reports = director.get("/api/v1/public-reports").await;
    let report_id = first_where(&reports, |_| true).and_then(|r| r["id"].as_i64());
    let report_file = match report_id {
        Some(r) => items(&director.get(&format!("/api/v1/public-reports/{r}")).await["files"])
            .first()
            .and_then(|f| f["id"].as_i64()),
        None => None,
    };
    // A second report, transferred (转办) to 财政厅 for its reply.
    let second = client()
        .post(format!(
            "{}/api/v1/public/channels/{channel_token}/reports",
            app.base
        ))
        .multipart(
            reqwest::multipart::Form::new()
                .text("category", "work_style")
                .text("subject", "预算处")
                .text("facts", "办事推诿。")
                .text("named", "false"),
        )
        .send()
        .await
        .expect("public report");
    assert_eq!(second.status(), StatusCode::CREATED);
    let reports = director.get("/api/v1/public-reports").await;
    let second =
        first_where(&reports, |r| r["id"].as_i64() != report_id).expect("the second report");
    let transferred = director
        .call(
            &Method::POST,
            &format!("/api/v1/public-reports/{}/transfer", second["id"]),
            Some(&json!({ "org_id": finance_org, "deadline": day(test_today() + time::Duration::days(15)),
                "instruction": "请核查预算处办事推诿的情况并回复。", "version": second["version"] })),
        )
        .await;
    assert_eq!(
        transferred.status,
        StatusCode::OK,
        "{:?}",
        transferred.json()
    );
    let transfer_id = items(&transferred.json()["transfers"])
        .first()
        .and_then(|t| t["id"].as_i64());
    // A second token of prov.director, to be revoked by others.
    let tok = org_read_token(director, "矩阵目标").await;
    let token_id = tok.json()["id"].as_i64().unwrap_or(999_999);

    // 上下联动: a task and a focus point of the province office, issued to 990101.
    let county = id_of("990101");
    let task = director
        .call(
            &Method::POST,
            "/api/v1/linkage/tasks",
            Some(&json!({ "title": "矩阵联动任务", "content": "矩阵", "deadline": day(test_today() + time::Duration::days(30)), "org_ids": [county] })),
        )
        .await;
    assert_eq!(task.status, StatusCode::CREATED, "{:?}", task.json());
    let task = task.json();
    let task_id = task["task"]["id"].as_i64();
    let recipient_id = task["recipients"][0]["id"].as_i64();
    let focus = director
        .call(
            &Method::POST,
            "/api/v1/linkage/focus-points",
            Some(&json!({ "title": "矩阵联动重点", "content": "矩阵", "org_ids": [county] })),
        )
        .await;
    assert_eq!(focus.status, StatusCode::CREATED, "{:?}", focus.json());
    let focus_id = focus.json()["focus_point"]["id"].as_i64();

    let mut by_prefix: BTreeMap<String, (String, Owner)> = BTreeMap::new();
    let mut put = |prefix: &str, v: Option<i64>, owner: Owner| {
        let (v, owner) = match v {
            Some(v) => (v.to_string(), owner),
            None => ("999999".to_string(), Owner::Missing),
        };
        by_prefix.insert(prefix.to_string(), (v, owner));
    };
    put("/api/v1/round-units/{id}", Some(unit_id), Owner::Team);
    put("/api/v1/clues/{id}", Some(clue_id), Owner::Team);
    put("/api/v1/findings/{id}", Some(finding_id), Owner::Team);
    put("/api/v1/rounds/{id}", Some(round_id), Owner::Office);
    // The issuing side (the province's scope) and the recipient's own row (990101's office; the
    // offices above it are refused by the handler, which the table allows).
    put(
        "/api/v1/linkage/tasks/{id}",
        task_id,
        Owner::Org("99".into()),
    );
    put(
        "/api/v1/linkage/recipients/{id}",
        recipient_id,
        Owner::Org("99".into()),
    );
    put(
        "/api/v1/linkage/inbox/{id}",
        recipient_id,
        Owner::Org("990101".into()),
    );
    put(
        "/api/v1/linkage/focus-points/{id}",
        focus_id,
        Owner::Org("990101".into()),
    );
    let terms = director.get("/api/v1/terms").await;
    put(
        "/api/v1/terms/{id}",
        first_where(&terms, |_| true).and_then(|t| t["id"].as_i64()),
        Owner::Office,
    );
    let round = director.get(&format!("/api/v1/rounds/{round_id}")).await;
    let team_id = items(&round["teams"])
        .first()
        .and_then(|t| t["id"].as_i64())
        .or_else(|| unit["team_id"].as_i64());
    put("/api/v1/teams/{id}", team_id, Owner::Office);
    let people = director.get("/api/v1/people?page_size=200").await;
    let member = first_where(&people, |p| p["name"] == "赵文华").and_then(|p| p["id"].as_i64());
    let leader = first_where(&people, |p| p["name"] == "王建国").and_then(|p| p["id"].as_i64());
    put(
        "/api/v1/teams/{id}/members/{person_id}",
        member,
        Owner::Office,
    );
    put("/api/v1/people/{id}", leader, Owner::Org("99".into()));
    // Records the demo does not have (a 回头看 entry, a recusal exception request, a pending
    // password reset): a made-up id, answered 404 for everyone. Their own tests cover who may
    // decide them (tests/api/lists.rs, recusal.rs, accounts.rs).
    put("/api/v1/assessment/revisits/{id}", None, Owner::Missing);
    put("/api/v1/recusal-requests/{id}", None, Owner::Missing);
    put("/api/v1/password-resets/{id}", None, Owner::Missing);
    put(
        "/api/v1/orgs/{id}",
        Some(finance_org),
        Owner::Org("99-D05".into()),
    );

    // Rectification: the fed-back 财政厅 unit of the earlier round, its ledger item; the plan
    // (江岭市's), reports, letters, files, write-offs and extensions wherever the demo has them.
    let rect_units = director.get("/api/v1/rect/units?page_size=200").await;
    let rect_unit = first_where(&rect_units, |u| u["org_name"] == "江岭省财政厅");
    let rect_unit_id = rect_unit.as_ref().and_then(|u| u["id"].as_i64());
    put(
        "/api/v1/rect/units/{id}",
        rect_unit_id,
        Owner::Org("99-D05".into()),
    );
    let ledger = director.get("/api/v1/rect/ledger?page_size=200").await;
    let item = first_where(&ledger, |i| i["org_id"].as_i64() == Some(finance_org));
    put(
        "/api/v1/rect/findings/{id}",
        item.as_ref().and_then(|i| i["id"].as_i64()),
        Owner::Org("99-D05".into()),
    );
    let mut plan = None;
    let mut report = None;
    for u in items(&rect_units) {
        let uid = u["id"].as_i64().unwrap_or(0);
        let owner = owner_of(Some(&u));
        if plan.is_none() {
            let p = director
                .get(&format!("/api/v1/rect/units/{uid}/plan"))
                .await;
            let pid = p["current"]["id"]
                .as_i64()
                .or_else(|| p["plan"]["id"].as_i64())
                .or_else(|| p["id"].as_i64())
                .or_else(|| items(&p["revisions"]).last().and_then(|r| r["id"].as_i64()));
            if let Some(pid) = pid {
                plan = Some((pid, owner.clone()));
            }
        }
        if report.is_none() {
            let r = director
                .get(&format!("/api/v1/rect/units/{uid}/reports"))
                .await;
            if let Some(rid) = items(&r).first().and_then(|x| x["id"].as_i64()) {
                report = Some((rid, owner.clone()));
            }
        }
    }
    put_found(&mut put, "/api/v1/rect/plans/{id}", plan);
    put_found(&mut put, "/api/v1/rect/reports/{id}", report);
    // Files and write-offs hang on ledger items.
    let mut file = None;
    let mut write_off = None;
    let mut measure = None;
    for i in items(&ledger) {
        if file.is_some() && write_off.is_some() && measure.is_some() {
            break;
        }
        let iid = i["id"].as_i64().unwrap_or(0);
        let owner = owner_of(Some(&i));
        let d = director.get(&format!("/api/v1/rect/findings/{iid}")).await;
        let text = d.to_string();
        if measure.is_none()
            && let Some(m) = find_in(&d, "measures")
        {
            measure = Some((m, owner.clone()));
        }
        if file.is_none()
            && let Some(fid) = find_key(&d, "file_id").or_else(|| find_in(&d, "files"))
        {
            file = Some((fid, owner.clone()));
        }
        if write_off.is_none()
            && text.contains("write_off")
            && let Some(w) = find_in(&d, "write_offs")
        {
            write_off = Some((w, owner.clone()));
        }
    }
    put_found(&mut put, "/api/v1/rect/measures/{id}", measure);
    put_found(&mut put, "/api/v1/rect/files/{id}", file);
    put_found(&mut put, "/api/v1/rect/write-offs/{id}", write_off);
    let ext = director.get("/api/v1/rect/extensions").await;
    let e = first_where(&ext, |_| true);
    put(
        "/api/v1/rect/extensions/{id}",
        e.as_ref().and_then(|e| e["id"].as_i64()),
        owner_of(e.as_ref()),
    );
    // A letter of the ladder for an overdue item, when the demo has one.
    let sug = director.get("/api/v1/rect/letters/suggestions").await;
    if let Some(sg) = first_where(&sug, |_| true) {
        let r = director
            .call(
                &Method::POST,
                "/api/v1/rect/letters",
                Some(&json!({ "round_unit_id": sg["round_unit_id"], "letter_type": sg["letter_type"],
                    "finding_ids": sg["finding_ids"], "requirement": "请于10个工作日内完成整改并书面报告",
                    "new_deadline": day(test_today() + time::Duration::days(60)) })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    }
    let letters = director.get("/api/v1/rect/letters").await;
    let l = first_where(&letters, |_| true);
    put(
        "/api/v1/rect/letters/{id}",
        l.as_ref().and_then(|l| l["id"].as_i64()),
        owner_of(l.as_ref()),
    );
    // Assessment and disclosure of the 财政厅 unit (created when the demo has none).
    if let Some(ru) = rect_unit_id {
        for path in ["/api/v1/assessments", "/api/v1/disclosures"] {
            let _ = director
                .call(&Method::POST, path, Some(&json!({ "round_unit_id": ru })))
                .await;
        }
    }
    let assessments = director.get("/api/v1/assessments").await;
    let a = first_where(&assessments, |a| {
        a["org_id"].as_i64() == Some(finance_org) || a["org_name"] == "江岭省财政厅"
    })
    .or_else(|| first_where(&assessments, |_| true));
    let a_owner = owner_of(a.as_ref());
    let a_id = a.as_ref().and_then(|a| a["id"].as_i64());
    put("/api/v1/assessments/{id}", a_id, a_owner.clone());
    let mut group = None;
    if let Some(aid) = a_id {
        let s = director
            .call(
                &Method::POST,
                &format!("/api/v1/assessments/{aid}/survey"),
                Some(&json!({ "origin": "http://127.0.0.1" })),
            )
            .await;
        group = find_key(&s.json(), "group_id");
        if group.is_none() {
            group = find_key(
                &director.get(&format!("/api/v1/assessments/{aid}")).await,
                "group_id",
            );
        }
    }
    put(
        "/api/v1/assessments/{id}/survey/groups/{group_id}",
        group,
        a_owner,
    );
    let disclosures = director.get("/api/v1/disclosures").await;
    let dsc = first_where(&disclosures, |_| true);
    put(
        "/api/v1/disclosures/{id}",
        dsc.as_ref().and_then(|d| d["id"].as_i64()),
        owner_of(dsc.as_ref()),
    );
    put("/api/v1/public/disclosures/{id}", None, Owner::Missing);
    put("/api/v1/public/surveys/{token}", None, Owner::Missing);
    put("/api/v1/public-reports/{id}", report_id, Owner::Team);
    put(
        "/api/v1/public-reports/{id}/files/{file_id}",
        report_file,
        Owner::Team,
    );
    put(
        "/api/v1/report-transfers/{id}",
        transfer_id,
        Owner::Org("99-D05".into()),
    );
    put("/api/v1/public/channels/{token}", None, Owner::Missing);
    // 指导督导: the province office's visit to 9901, in progress, with a problem not yet fed
    // back (the visiting office's alone: the city sees neither before feedback).
    let city = id_of("9901");
    let visit = director
        .call(
            &Method::POST,
            "/api/v1/guidance/visits",
            Some(
                &json!({ "title": "矩阵督导", "form": "regular", "period_from": day(test_today()),
                "period_to": day(test_today() + time::Duration::days(10)), "org_ids": [city] }),
            ),
        )
        .await;
    assert_eq!(visit.status, StatusCode::CREATED, "{:?}", visit.json());
    let visit_id = visit.json()["id"].as_i64().unwrap();
    let started = director
        .call(
            &Method::POST,
            &format!("/api/v1/guidance/visits/{visit_id}/state"),
            Some(&json!({ "state": "IN_PROGRESS", "version": visit.json()["version"] })),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{:?}", started.json());
    let problem = director
        .call(
            &Method::POST,
            &format!("/api/v1/guidance/visits/{visit_id}/problems"),
            Some(&json!({ "org_id": city, "category": "reporting", "text": "矩阵督导问题" })),
        )
        .await;
    assert_eq!(problem.status, StatusCode::CREATED, "{:?}", problem.json());
    put(
        "/api/v1/guidance/visits/{id}",
        Some(visit_id),
        Owner::Org("99".into()),
    );
    put(
        "/api/v1/guidance/problems/{id}",
        problem.json()["id"].as_i64(),
        Owner::Org("99".into()),
    );
    let notes = director.get("/api/v1/notifications").await;
    put(
        "/api/v1/notifications/{id}",
        first_where(&notes, |_| true).and_then(|n| n["id"].as_i64()),
        Owner::User("prov.director".into()),
    );
    put(
        "/api/v1/tokens/{id}",
        Some(token_id),
        Owner::User("prov.director".into()),
    );
    // prov.staff: a user and a role no caller of the matrix depends on.
    let users = director_admin_users(app).await;
    put("/api/v1/users/{id}", users.0, Owner::Org("99".into()));
    put("/api/v1/roles/{id}", users.1, Owner::Platform);

    let mut body = HashMap::new();
    body.insert("org_id", json!(finance_org));
    body.insert("owner_org_id", json!(root));
    body.insert("parent_id", json!(finance_org));
    body.insert("new_parent_id", json!(finance_org));
    body.insert("receiving_org_id", json!(id_of("99-D01")));
    body.insert("related_org_id", json!(finance_org));
    body.insert("round_unit_id", json!(rect_unit_id.unwrap_or(unit_id)));
    body.insert(
        "term_id",
        json!(by_prefix_id(&by_prefix, "/api/v1/terms/{id}")),
    );
    body.insert("person_id", json!(member.unwrap_or(0)));
    body.insert("category_id", json!(category));
    body.insert(
        "finding_ids",
        json!([item.as_ref().and_then(|i| i["id"].as_i64()).unwrap_or(0)]),
    );
    body.insert("activity_ids", json!([]));
    body.insert("role_ids", json!([]));
    Ids {
        by_prefix,
        body,
        body_owner: vec![Owner::Org("99-D05".into()), Owner::Office],
        clue: clue_id,
        unit: unit_id,
    }
}

/// `put` of what was found (an id and its owner), or of a missing one.
fn put_found(
    put: &mut impl FnMut(&str, Option<i64>, Owner),
    prefix: &str,
    found: Option<(i64, Owner)>,
) {
    let (id, owner) = found.unzip();
    put(prefix, id, owner.unwrap_or(Owner::Missing));
}

fn by_prefix_id(m: &BTreeMap<String, (String, Owner)>, k: &str) -> i64 {
    m.get(k).and_then(|(v, _)| v.parse().ok()).unwrap_or(0)
}

/// prov.staff's user id and the office_staff role id (targets for account and role writes).
async fn director_admin_users(app: &App) -> (Option<i64>, Option<i64>) {
    let u: Option<i64> = xuncha_store::on_db!(&app.db, p => sqlx::query_scalar(
        "SELECT id FROM users WHERE username = 'prov.staff'").fetch_optional(p).await.expect("user"));
    let r: Option<i64> = xuncha_store::on_db!(&app.db, p => sqlx::query_scalar(
        "SELECT id FROM roles WHERE code = 'office_staff'").fetch_optional(p).await.expect("role"));
    (u, r)
}

/// The first integer under `key` anywhere in `v`.
fn find_key(v: &Value, key: &str) -> Option<i64> {
    match v {
        Value::Object(o) => o
            .get(key)
            .and_then(Value::as_i64)
            .or_else(|| o.values().find_map(|x| find_key(x, key))),
        Value::Array(a) => a.iter().find_map(|x| find_key(x, key)),
        _ => None,
    }
}

/// The `id` of the first element of the array under `key` anywhere in `v`.
fn find_in(v: &Value, key: &str) -> Option<i64> {
    match v {
        Value::Object(o) => o
            .get(key)
            .and_then(|a| items(a).first().and_then(|x| x["id"].as_i64()))
            .or_else(|| o.values().find_map(|x| find_in(x, key))),
        Value::Array(a) => a.iter().find_map(|x| find_in(x, key)),
        _ => None,
    }
}

fn day(d: time::Date) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    d.format(&fmt).unwrap()
}

impl Ids {
    /// The path with every parameter replaced by its id, and the owners of those ids.
    fn fill(&self, path: &str) -> (String, Vec<Owner>) {
        let mut out = String::new();
        let mut owners = Vec::new();
        let mut done = 0;
        while let Some(start) = path[done..].find('{').map(|s| s + done) {
            let end = path[start..].find('}').map(|e| start + e).expect("}");
            out.push_str(&path[done..start]);
            let prefix = &path[..=end];
            let (v, owner) = self
                .by_prefix
                .get(prefix)
                .cloned()
                .unwrap_or_else(|| panic!("no id for the parameter of {prefix} ({path})"));
            out.push_str(&v);
            owners.push(owner);
            done = end + 1;
        }
        out.push_str(&path[done..]);
        (out, owners)
    }
}

// ---------------------------------------------------------------------------------------------
// Bodies from the request schemas.
// ---------------------------------------------------------------------------------------------

struct Doc<'a>(&'a Value);

impl Doc<'_> {
    fn resolve<'b>(&'b self, s: &'b Value) -> &'b Value {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap_or("");
                &self.0["components"]["schemas"][name]
            }
            None => s,
        }
    }

    /// The JSON request schema of an operation, if it takes JSON.
    fn body_schema(&self, op: &Value) -> Option<Value> {
        op.get("requestBody")
            .and_then(|b| b["content"].get("application/json"))
            .map(|c| self.resolve(&c["schema"]).clone())
    }

    /// The schema itself, or its first non-null alternative (`oneOf` / `anyOf` / `allOf`).
    fn concrete<'b>(&'b self, s: &'b Value) -> &'b Value {
        let s = self.resolve(s);
        for k in ["oneOf", "anyOf", "allOf"] {
            if let Some(alts) = s.get(k).and_then(Value::as_array)
                && let Some(a) = alts.iter().find(|a| a.get("type") != Some(&json!("null")))
            {
                return self.concrete(a);
            }
        }
        s
    }

    fn type_of(s: &Value) -> String {
        match s.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null")
                .to_string(),
            _ if s.get("properties").is_some() => "object".into(),
            _ => String::new(),
        }
    }

    /// A plausible value for a field: known ids, dates, the first value a description lists.
    fn plausible(&self, name: &str, s: &Value, ids: &Ids, depth: usize) -> Value {
        if let Some(v) = ids.body.get(name) {
            return v.clone();
        }
        let s = self.concrete(s);
        if let Some(e) = s
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return e.clone();
        }
        let today = test_today();
        match Self::type_of(s).as_str() {
            "integer" => match name {
                "version" => json!(1),
                n if n.ends_with("days") || n.contains("months") => json!(5),
                _ => json!(1),
            },
            "number" => json!(1.0),
            "boolean" => json!(false),
            "array" => {
                if depth > 3 {
                    return json!([]);
                }
                json!([])
            }
            "object" => self.object(s, ids, depth + 1, false),
            _ => {
                let fmt = s.get("format").and_then(Value::as_str).unwrap_or("");
                if fmt == "date" || name.ends_with("date") || name.ends_with("_on") {
                    return json!(day(today));
                }
                if name == "deadline" || name.ends_with("deadline") {
                    return json!(day(today + time::Duration::days(30)));
                }
                if name == "origin" {
                    return json!("http://127.0.0.1");
                }
                // "petition, talk, qr, document, other" → petition
                if let Some(d) = s.get("description").and_then(Value::as_str) {
                    let first = d.split([',', '，', ' ', '\n']).next().unwrap_or("");
                    if d.contains(',')
                        && !first.is_empty()
                        && first
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_uppercase())
                    {
                        return json!(first);
                    }
                }
                json!(format!("矩阵{name}"))
            }
        }
    }

    fn object(&self, s: &Value, ids: &Ids, depth: usize, all_fields: bool) -> Value {
        let s = self.concrete(s);
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = serde_json::Map::new();
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                if all_fields || required.contains(&k.as_str()) || ids.body.contains_key(k.as_str())
                {
                    out.insert(k.clone(), self.plausible(k, v, ids, depth));
                }
            }
        }
        Value::Object(out)
    }
}

/// The version of the record a write acts on, read as the province office from the nearest
/// GET route above the path.
async fn current_version(director: &Caller, gets: &[String], filled: &str, path: &str) -> Value {
    let mut p = path.to_string();
    let mut f = filled.to_string();
    loop {
        if gets.contains(&p) {
            let v = director.get(&f).await;
            let ver = v
                .get("version")
                .cloned()
                .or_else(|| v["plan"].get("version").cloned())
                .or_else(|| v["current"].get("version").cloned());
            if let Some(ver) = ver {
                return ver;
            }
        }
        match (p.rfind('/'), f.rfind('/')) {
            (Some(i), Some(j)) if i > "/api/v1".len() => {
                p.truncate(i);
                f.truncate(j);
            }
            _ => return json!(1),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Route × role × scope.
// ---------------------------------------------------------------------------------------------

/// Whether `c` may succeed on a route, by the table: the permission, and the owners of the
/// records it names.
fn may(c: &Caller, perm: Option<&str>, reach: Reach, owners: &[Owner], ids: &Ids) -> bool {
    if reach == Public {
        return true;
    }
    if c.org_code.is_none() || !c.has(perm) {
        return false;
    }
    let sees = |o: &Owner| match o {
        Owner::Team => c.sees_org("99") && (!c.team_bound() || TEAM_ONE.contains(&c.name.as_str())),
        Owner::Office => c.sees_org("99"),
        Owner::Org(code) => c.sees_org(code),
        Owner::User(u) => c.name == *u,
        Owner::Platform => true,
        Owner::Missing => false,
    };
    if matches!(reach, Session | SessionPath) && c.bearer.is_some() {
        return false;
    }
    let body_ok = reach != Body || ids.body_owner.iter().all(sees);
    let clue_ok = reach != Clue || c.holds("clue") || c.has(CLUE_LEAD);
    let path_ok = matches!(reach, Open | Session) || owners.iter().all(sees);
    path_ok && body_ok && clue_ok
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (m, op) in ops.as_object().expect("ops") {
            if ["get", "post", "put", "delete", "patch"].contains(&m.as_str()) {
                out.push((m.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    out
}

fn classify<'a>(
    method: &str,
    path: &str,
) -> Option<&'a (&'a str, &'a str, Option<&'a str>, Reach)> {
    ROUTES
        .iter()
        .find(|(m, p, _, _)| *m == method && *p == path)
}

async fn openapi(app: &App) -> Value {
    client()
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("openapi json")
}

/// Every route is classified, and every entry of the table is a route.
fn check_table(ops: &[(String, String, Value)]) {
    let unclassified: Vec<String> = ops
        .iter()
        .filter(|(m, p, _)| classify(m, p).is_none())
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    assert!(
        unclassified.is_empty(),
        "routes the matrix cannot classify (add them to ROUTES in tests/api/matrix.rs with the \
         permission their handler requires and their reach): {unclassified:#?}"
    );
    let stale: Vec<String> = ROUTES
        .iter()
        .filter(|(m, p, _, _)| !ops.iter().any(|(om, op, _)| om == m && op == p))
        .map(|(m, p, _, _)| format!("{m} {p}"))
        .collect();
    assert!(
        stale.is_empty(),
        "ROUTES entries no longer served: {stale:#?}"
    );
    for (m, p, _) in NOT_TRIED {
        assert!(classify(m, p).is_some(), "NOT_TRIED {m} {p} is not a route");
    }
}

fn not_tried(method: &str, path: &str) -> bool {
    NOT_TRIED.iter().any(|(m, p, _)| *m == method && *p == path)
}

fn known_elsewhere(method: &str, path: &str, caller: &str) -> bool {
    KNOWN_ELSEWHERE
        .iter()
        .any(|(m, p, c, _)| *m == method && *p == path && (*c == caller || *c == "*"))
}

async fn matrix_route_role_scope(app: App) {
    let started = std::time::Instant::now();
    let doc = openapi(&app).await;
    let ops = operations(&doc);
    check_table(&ops);
    let d = Doc(&doc);
    let mut cs = callers(&app).await;
    let director = caller_for(&app, "prov.director").await;
    let ids = find_ids(&app, &director).await;
    let gets: Vec<String> = ops
        .iter()
        .filter(|(m, _, _)| m == "GET")
        .map(|(_, p, _)| p.clone())
        .collect();
    // Writes that change what later rows need run last: the province office (the only caller
    // that may do most of them) goes at the end, the restricted token before its owner's turn.
    cs.sort_by_key(|c| c.name == "prov.director");

    let mut tried = 0usize;
    let mut allowed_2xx = 0usize;
    let mut refused = 0usize;
    let mut violations: Vec<String> = Vec::new();
    let mut known = 0usize;
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    let mut audit_before = audit_count(&app).await;
    for c in &cs {
        // GETs first, then writes, so a write never removes what a read of this caller needs.
        let mut order: Vec<&(String, String, Value)> = ops.iter().collect();
        order.sort_by_key(|(m, _, _)| m != "GET");
        for (m, path, op) in order {
            if not_tried(m, path) {
                continue;
            }
            let &(_, _, perm, reach) = classify(m, path).expect("classified");
            let (filled, owners) = ids.fill(path);
            let method = Method::from_bytes(m.as_bytes()).expect("method");
            let body = if m == "GET" || m == "DELETE" {
                None
            } else if let Some(s) = d.body_schema(op) {
                let mut b = d.object(&s, &ids, 0, false);
                if b.get("version").is_some() {
                    b["version"] = current_version(&director, &gets, &filled, path).await;
                    // That read may itself be audited (clue reads are).
                    audit_before = audit_count(&app).await;
                }
                Some(b)
            } else {
                // No JSON body (a POST without one, or multipart): an empty object.
                Some(json!({}))
            };
            let r = c.call(&method, &filled, body.as_ref()).await;
            // One count per request: the count after the previous one is this one's "before".
            let after = audit_count(&app).await;
            let before = std::mem::replace(&mut audit_before, after);
            tried += 1;
            *by_status.entry(r.status.as_u16()).or_default() += 1;
            let may = may(c, perm, reach, &owners, &ids);
            let line = format!(
                "{m} {path} as {} → {} {}",
                c.name,
                r.status.as_u16(),
                String::from_utf8_lossy(&r.bytes)
                    .chars()
                    .take(200)
                    .collect::<String>()
            );
            if r.status.is_server_error() {
                violations.push(format!("5xx: {line}"));
            }
            if r.status.is_success() {
                if may {
                    allowed_2xx += 1;
                } else if known_elsewhere(m, path, &c.name) {
                    known += 1;
                } else {
                    violations.push(format!("out of scope: {line} (body {body:?})"));
                }
            } else {
                refused += 1;
            }
            if r.status.is_client_error() {
                if !r.ct.starts_with("application/problem+json") && !known_elsewhere(m, path, "*") {
                    violations.push(format!("4xx not problem+json ({}): {line}", r.ct));
                }
                if after != before && !known_elsewhere(m, path, &c.name) {
                    violations.push(format!(
                        "stored behind an error ({} audit records): {line}",
                        after - before
                    ));
                }
            }
        }
    }
    let missing: Vec<&String> = ids
        .by_prefix
        .iter()
        .filter(|(_, (_, o))| *o == Owner::Missing)
        .map(|(k, _)| k)
        .collect();
    eprintln!(
        "matrix: {} routes ({} not tried) × {} callers = {tried} requests; {allowed_2xx} allowed \
         2xx, {refused} refused/failed, {known} known elsewhere; statuses {by_status:?}; ids not \
         found: {missing:?}; {:.1} s",
        ops.len(),
        NOT_TRIED.len(),
        cs.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        violations.is_empty(),
        "{} violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Compartments.
// ---------------------------------------------------------------------------------------------

/// The text of a response: JSON as sent, .docx paragraphs, .xlsx cells.
fn text_of(r: &Resp) -> String {
    let ct = r.ct.as_str();
    if ct.contains("wordprocessingml") {
        return xuncha_office::docx::extract_text(&r.bytes)
            .map(|p| p.join("\n"))
            .unwrap_or_else(|e| panic!("unreadable .docx: {e}"));
    }
    if ct.contains("spreadsheetml") {
        let t = xuncha_office::read_table(&r.bytes, "x.xlsx")
            .unwrap_or_else(|e| panic!("unreadable .xlsx: {e}"));
        let mut s = t.headers.join("\t");
        for (_, row) in t.rows {
            s.push('\n');
            s.push_str(&row.join("\t"));
        }
        return s;
    }
    String::from_utf8_lossy(&r.bytes).into_owned()
}

async fn matrix_compartments(app: App) {
    let started = std::time::Instant::now();
    let doc = openapi(&app).await;
    let ops = operations(&doc);
    let mut cs = callers(&app).await;
    // The team member without the reporter compartment: sees the clue, never the informant.
    cs.push(caller_for(&app, "prov.inspector").await);
    let director = caller_for(&app, "prov.director").await;
    let ids = find_ids(&app, &director).await;
    // The clue moves on so that its later documents exist: reported, then triaged for transfer.
    let clue = director.get(&format!("/api/v1/clues/{}", ids.clue)).await;
    let _ = director
        .call(
            &Method::POST,
            &format!("/api/v1/clues/{}/transition", ids.clue),
            Some(&json!({ "to": "REPORTED", "version": clue["version"] })),
        )
        .await;

    let mut seen: BTreeMap<(&str, String), Vec<String>> = BTreeMap::new();
    let mut tried = 0usize;
    let mut violations = Vec::new();
    for c in &cs {
        let team_ok = c.sees_org("99")
            && (!c.team_bound()
                || TEAM_ONE.contains(&c.name.as_str())
                || c.name == "prov.inspector");
        // Who may see what (derived from the caller's compartments and reach).
        let may_clue = team_ok && (c.holds("clue"));
        let may_informant = may_clue && c.holds("reporter");
        let may_talk = team_ok && c.holds("talk");
        for (m, path, _) in &ops {
            if m != "GET" || path.starts_with("/api/v1/audit/") {
                continue;
            }
            let (filled, _) = ids.fill(path);
            let r = c.call(&Method::GET, &filled, None).await;
            tried += 1;
            if !r.status.is_success() {
                continue;
            }
            let text = text_of(&r);
            for (marker, label, ok) in [
                (M_INFORMANT, "informant", may_informant),
                (M_SUBJECT, "clue subject", may_clue),
                (M_FACTS, "clue facts", may_clue),
                (M_TALK, "talk summary", may_talk),
            ] {
                if text.contains(marker) {
                    seen.entry((label, c.name.clone()))
                        .or_default()
                        .push(path.clone());
                    if !ok {
                        violations.push(format!("{label} reached {} through GET {path}", c.name));
                    }
                }
            }
        }
    }
    // The audit trail never holds the markers.
    let auditor = caller_for(&app, "auditor").await;
    for path in ["/api/v1/audit/operations", "/api/v1/audit/logins"] {
        for page in 1..=50 {
            let r = auditor
                .call(
                    &Method::GET,
                    &format!("{path}?page={page}&page_size=200"),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            let text = text_of(&r);
            for marker in [M_INFORMANT, M_SUBJECT, M_FACTS, M_TALK] {
                if text.contains(marker) {
                    violations.push(format!("{marker} in the audit trail ({path} page {page})"));
                }
            }
            if items(&r.json()).is_empty() {
                break;
            }
        }
    }
    // Positive controls: the holders do see them, so the scan is not vacuous.
    for (label, who) in [
        ("informant", "prov.director"),
        ("clue facts", "prov.director"),
        ("talk summary", "prov.director"),
        ("clue facts", "prov.inspector"),
        ("talk summary", "prov.inspector"),
    ] {
        assert!(
            seen.contains_key(&(label, who.to_string())),
            "{who} never saw the {label}: the scan proves nothing ({seen:?})"
        );
    }
    let mut report = String::new();
    for ((label, who), paths) in &seen {
        let _ = writeln!(report, "  {label} → {who}: {} routes", paths.len());
    }
    eprintln!(
        "compartments: {tried} GETs by {} callers (unit {}), {:.1} s; seen:\n{report}",
        cs.len(),
        ids.unit,
        started.elapsed().as_secs_f64()
    );
    assert!(
        violations.is_empty(),
        "{} compartment leaks:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Fuzz.
// ---------------------------------------------------------------------------------------------

/// A small deterministic generator (SplitMix64): the same seed gives the same cases on every run
/// and both backends, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64)).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// A random or boundary value, usually of the schema's type, sometimes of another.
fn wild(rng: &mut Rng, ty: &str) -> Value {
    let ints = [
        json!(0),
        json!(-1),
        json!(1),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(i32::MAX),
        json!(u64::MAX),
        json!(1e300),
        json!(-0.5),
        json!(2_147_483_648_i64),
        json!(99_999),
    ];
    let strings = [
        json!(""),
        json!(" "),
        json!("x".repeat(70_000)),
        json!("巡".repeat(5_000)),
        json!("2026-02-30"),
        json!("0000-01-01"),
        json!("9999-12-31"),
        json!("-0001-01-01"),
        json!("2026-13-01"),
        json!("2026-1-1"),
        json!("1900-01-01"),
        json!("\u{0}\u{1}\u{7f}"),
        json!("\u{202e}逆序文字\u{200b}"),
        json!("😀🇨🇳𠀀"),
        json!("<script>alert(1)</script>"),
        json!("'; DROP TABLE users; --"),
        json!("../../etc/passwd"),
        json!("NaN"),
        json!("-1"),
        json!("9223372036854775808"),
        json!("A"),
        json!("CONFIRMED"),
        json!("talk"),
        json!("null"),
    ];
    let others = [
        Value::Null,
        json!(true),
        json!([]),
        json!({}),
        json!([1, "x", null]),
        json!({ "a": { "b": [] } }),
    ];
    match rng.below(10) {
        0..=5 => match ty {
            "integer" | "number" => rng.pick(&ints).clone(),
            "boolean" => rng
                .pick(&[json!(true), json!(false), json!(1), json!("true")])
                .clone(),
            "array" => {
                let n = rng.below(4);
                let mut v = Vec::new();
                for _ in 0..n {
                    v.push(wild(rng, ""));
                }
                if rng.below(8) == 0 {
                    v = vec![json!(1); 2_000];
                }
                Value::Array(v)
            }
            _ => rng.pick(&strings).clone(),
        },
        6 => rng.pick(&ints).clone(),
        7 => rng.pick(&strings).clone(),
        _ => rng.pick(&others).clone(),
    }
}

/// Mutates a plausible body: replaces some fields with wild values (nested objects and array
/// items too), drops one, adds an unknown one, or sends something that is not an object.
fn mutate(rng: &mut Rng, d: &Doc<'_>, schema: &Value, body: &Value) -> Value {
    match rng.below(20) {
        0 => {
            return rng
                .pick(&[json!([]), json!("x"), json!(42), Value::Null])
                .clone();
        }
        1 => return json!({}),
        _ => {}
    }
    let s = d.concrete(schema);
    let props = s
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut out = body.as_object().cloned().unwrap_or_default();
    if props.is_empty() {
        return Value::Object(out);
    }
    let keys: Vec<String> = props.keys().cloned().collect();
    let n = 1 + rng.below(keys.len().min(3));
    for _ in 0..n {
        let k = rng.pick(&keys).clone();
        let fs = d.concrete(&props[&k]).clone();
        let ty = Doc::type_of(&fs);
        let v = if ty == "object" && rng.below(2) == 0 {
            let inner = d.object(&fs, &EMPTY_IDS, 1, true);
            mutate(rng, d, &fs, &inner)
        } else if ty == "array" && rng.below(2) == 0 {
            let item = d.concrete(fs.get("items").unwrap_or(&Value::Null)).clone();
            let it = Doc::type_of(&item);
            let base = if it == "object" {
                d.object(&item, &EMPTY_IDS, 1, true)
            } else {
                d.plausible(&k, &item, &EMPTY_IDS, 1)
            };
            let v = if it == "object" {
                mutate(rng, d, &item, &base)
            } else {
                wild(rng, &it)
            };
            json!([base, v])
        } else {
            wild(rng, &ty)
        };
        out.insert(k, v);
    }
    match rng.below(6) {
        0 => {
            let k = rng.pick(&keys).clone();
            out.remove(&k);
        }
        1 => {
            out.insert("unknown_field".into(), json!(1));
        }
        _ => {}
    }
    Value::Object(out)
}

static EMPTY_IDS: std::sync::LazyLock<Ids> = std::sync::LazyLock::new(|| Ids {
    by_prefix: BTreeMap::new(),
    body: HashMap::new(),
    body_owner: Vec::new(),
    clue: 0,
    unit: 0,
});

/// Path ids the fuzz tries besides the real ones.
const WILD_IDS: &[&str] = &[
    "0",
    "-1",
    "9223372036854775807",
    "99999999999999999999",
    "abc",
    "1.5",
    "%20",
];

const FUZZ_SEED: u64 = 0x5843_2026_1123;
const FUZZ_CASES_PER_ROUTE: usize = 20;

async fn matrix_fuzz_write_routes(app: App) {
    let started = std::time::Instant::now();
    let doc = openapi(&app).await;
    let ops = operations(&doc);
    let d = Doc(&doc);
    let director = caller_for(&app, "prov.director").await;
    let ids = find_ids(&app, &director).await;
    let gets: Vec<String> = ops
        .iter()
        .filter(|(m, _, _)| m == "GET")
        .map(|(_, p, _)| p.clone())
        .collect();
    let mut rng = Rng(FUZZ_SEED);
    let mut versions: HashMap<String, Value> = HashMap::new();
    let mut cases = 0usize;
    let mut known = 0usize;
    let mut failures = Vec::new();
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    for (m, path, op) in &ops {
        if m == "GET" || not_tried(m, path) || path.starts_with("/api/v1/public/") {
            continue;
        }
        // Input handling is what is fuzzed: routes the office may not call refuse before the
        // body is read (the matrix proves that).
        let &(_, _, perm, _) = classify(m, path).expect("classified");
        if !director.has(perm) {
            continue;
        }
        let method = Method::from_bytes(m.as_bytes()).expect("method");
        let schema = d.body_schema(op);
        for i in 0..FUZZ_CASES_PER_ROUTE {
            let (mut filled, _) = ids.fill(path);
            if path.contains('{') && i % 6 == 5 {
                // A wild id in place of the last parameter.
                let (head, _) = path.rsplit_once('{').expect("{");
                let (fhead, _) = ids.fill(head.trim_end_matches('/'));
                let tail = path.rsplit_once('}').map_or("", |(_, t)| t);
                filled = format!("{fhead}/{}{tail}", rng.pick(WILD_IDS));
            }
            let body = match &schema {
                Some(s) => {
                    let mut base = d.object(s, &ids, 0, rng.below(2) == 0);
                    if base.get("version").is_some() {
                        if !versions.contains_key(&filled) {
                            let v = current_version(&director, &gets, &filled, path).await;
                            versions.insert(filled.clone(), v);
                        }
                        base["version"] = versions[&filled].clone();
                    }
                    Some(if i == 0 {
                        base
                    } else {
                        mutate(&mut rng, &d, s, &base)
                    })
                }
                None => Some(wild(&mut rng, "object")),
            };
            let r = director.call(&method, &filled, body.as_ref()).await;
            if r.status.is_success() {
                // Something changed: versions read before may be stale.
                versions.clear();
            }
            cases += 1;
            *by_status.entry(r.status.as_u16()).or_default() += 1;
            let show = || {
                let b = body.as_ref().map(ToString::to_string).unwrap_or_default();
                format!(
                    "{m} {filled} {} → {} {}",
                    b.chars().take(300).collect::<String>(),
                    r.status.as_u16(),
                    String::from_utf8_lossy(&r.bytes)
                        .chars()
                        .take(200)
                        .collect::<String>()
                )
            };
            if r.status.is_server_error() && known_elsewhere(m, path, "fuzz") {
                known += 1;
            } else if r.status.is_server_error() {
                failures.push(format!("5xx: {}", show()));
            } else if r.status.is_client_error()
                && !r.ct.starts_with("application/problem+json")
                && !known_elsewhere(m, path, "*")
            {
                failures.push(format!("4xx not problem+json ({}): {}", r.ct, show()));
            }
        }
    }
    eprintln!(
        "fuzz: {cases} cases (seed {FUZZ_SEED:#x}), statuses {by_status:?}, {known} 5xx known \
         elsewhere, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} fuzz failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
