//! Recusal exceptions decided by an approver in their own session, the re-check of a team's
//! members when a unit is assigned, and clue transfers only to a body that can receive them; on
//! SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{App, Session, chinese, current_round, login, org_id, pg_app, sqlite_app, unit_id};

crate::dual!(
    override_is_requested_and_approved_by_another_user,
    assigning_a_unit_rechecks_every_member,
    clues_go_only_to_a_body_that_can_receive_them,
);

async fn person(s: &Session, name: &str) -> i64 {
    let (_, people) = s.get("/api/v1/people?page_size=200").await;
    let people = people["items"].clone();
    people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no person {name}"))["id"]
        .as_i64()
        .unwrap()
}

async fn team(s: &Session, round: i64, id: i64) -> Value {
    let (_, detail) = s.get(&format!("/api/v1/rounds/{round}")).await;
    detail["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone()
}

fn has_member(team: &Value, name: &str) -> bool {
    team["members"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["name"] == name)
}

async fn override_is_requested_and_approved_by_another_user(app: App) {
    let director = login(&app, "prov.director").await;
    let round = current_round(&director).await;
    let (_, detail) = director.get(&format!("/api/v1/rounds/{round}")).await;
    let team_id = detail["teams"][0]["id"].as_i64().unwrap();
    let kin = person(&director, "陈志远").await;
    let path = format!("/api/v1/teams/{team_id}/members");
    // A conflict without a reason is refused; an empty reason is named.
    let (st, b) = director
        .post(&path, json!({ "person_id": kin, "role": "member" }))
        .await;
    assert_eq!(
        (st, b["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("recusal.conflict"))
    );
    let (st, b) = director
        .post(
            &path,
            json!({ "person_id": kin, "role": "member", "override_reason": "  " }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["fields"][0]["field"], "override_reason");
    // The old shape naming an approver is gone.
    let (st, _) = director
        .post(&path, json!({ "person_id": kin, "role": "member", "override": { "approver_username": "prov.leader", "reason": "x" } }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // With a reason: a pending request listing the conflicts; the member is not added yet.
    let (st, req) = director
        .post(&path, json!({ "person_id": kin, "role": "member", "override_reason": "熟悉财政业务，仅负责教育厅" }))
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{req}");
    assert_eq!(req["state"], "pending");
    assert_eq!(req["join_team"], true);
    assert_eq!(req["conflicts"][0]["rule"], "亲属回避");
    assert!(
        req["conflicts"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("刘梅")
    );
    let id = req["id"].as_i64().unwrap();
    assert!(!has_member(
        &team(&director, round, team_id).await,
        "陈志远"
    ));
    // Not filed twice.
    let (st, b) = director
        .post(
            &path,
            json!({ "person_id": kin, "role": "member", "override_reason": "再次申请" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["fields"][0]["field"], "person_id");
    // The approvers in scope are notified; the requester is not.
    let leader = login(&app, "prov.leader").await;
    let (_, notes) = leader.get("/api/v1/notifications").await;
    assert!(notes.to_string().contains("回避例外待审批"), "{notes}");
    let (_, notes) = director.get("/api/v1/notifications").await;
    assert!(!notes.to_string().contains("回避例外待审批"));
    // Nobody approves their own request; a user without recusal:approve cannot; an approver of
    // another county does not even see it.
    let approve = format!("/api/v1/recusal-requests/{id}/approve");
    let (st, b) = director
        .post(&approve, json!({ "version": req["version"] }))
        .await;
    assert_eq!(
        (st, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("recusal.own_request")),
        "{b}"
    );
    let staff = login(&app, "prov.staff").await;
    let (st, _) = staff
        .post(&approve, json!({ "version": req["version"] }))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(
        staff.get("/api/v1/recusal-requests").await.0,
        StatusCode::FORBIDDEN
    );
    let county = login(&app, "county0101.director").await;
    let (st, _) = county
        .post(&approve, json!({ "version": req["version"] }))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        county.get("/api/v1/recusal-requests").await.1["items"],
        json!([])
    );
    // The approver sees the pending request and approves it in their own session.
    let (st, list) = leader
        .get("/api/v1/recusal-requests?state=pending&page_size=200")
        .await;
    let list = list["items"].clone();
    assert_eq!(st, StatusCode::OK);
    assert!(
        list.as_array().unwrap().iter().any(|r| r["id"] == id),
        "{list}"
    );
    let (st, r) = leader
        .post(&approve, json!({ "version": req["version"] }))
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["state"], "approved");
    assert!(r["decided_by_name"].is_string());
    let t = team(&director, round, team_id).await;
    assert!(
        t["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "陈志远" && m["override_reason"] == "熟悉财政业务，仅负责教育厅"),
        "{t}"
    );
    // Decided once.
    let (st, _) = leader
        .post(&approve, json!({ "version": r["version"] }))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    // The waiver is audited with the approver and the conflicts waived.
    let auditor = login(&app, "auditor").await;
    let (_, ops) = auditor
        .get("/api/v1/audit/operations?action=team.member_add")
        .await;
    assert!(
        ops["items"].as_array().unwrap().iter().any(|o| {
            let s = o["summary"].as_str().unwrap();
            s.contains("回避例外") && s.contains("prov.leader") && s.contains("亲属回避")
        }),
        "{ops}"
    );
    // A rejection needs a comment, and adds nobody.
    let former = person(&director, "周国强").await;
    let (st, req) = director
        .post(
            &path,
            json!({ "person_id": former, "role": "deputy", "override_reason": "工作需要" }),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{req}");
    let reject = format!("/api/v1/recusal-requests/{}/reject", req["id"]);
    let (st, b) = leader
        .post(&reject, json!({ "version": req["version"] }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["fields"][0]["field"], "comment");
    let (st, r) = leader
        .post(
            &reject,
            json!({ "version": req["version"], "comment": "任职回避情形明确" }),
        )
        .await;
    assert_eq!(
        (st, r["state"].as_str()),
        (StatusCode::OK, Some("rejected")),
        "{r}"
    );
    assert!(!has_member(
        &team(&director, round, team_id).await,
        "周国强"
    ));
    let (_, notes) = director.get("/api/v1/notifications").await;
    assert!(notes.to_string().contains("回避例外申请已驳回"), "{notes}");
}

async fn assigning_a_unit_rechecks_every_member(app: App) {
    let director = login(&app, "prov.director").await;
    let round = current_round(&director).await;
    let finance = unit_id(&director, "江岭省财政厅").await;
    let (st, t) = director
        .post(
            &format!("/api/v1/rounds/{round}/teams"),
            json!({ "name": "第三巡察组" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{t}");
    let team_id = t["id"].as_i64().unwrap();
    // No units yet: 陈志远 joins without conflict.
    let kin = person(&director, "陈志远").await;
    let (st, t) = director
        .post(
            &format!("/api/v1/teams/{team_id}/members"),
            json!({ "person_id": kin, "role": "member" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    // His spouse works in 财政厅: assigning that unit is refused, naming the member and rule.
    let path = format!("/api/v1/teams/{team_id}/units");
    let (st, b) = director
        .post(&path, json!({ "round_unit_id": finance }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], "recusal.unit_conflict");
    assert_eq!(b["fields"][0]["field"], "round_unit_id");
    assert!(
        chinese(&b).contains("陈志远") && chinese(&b).contains("亲属回避"),
        "{b}"
    );
    let (_, u) = director
        .get(&format!("/api/v1/round-units/{finance}"))
        .await;
    assert_ne!(u["team_id"], team_id, "nothing stored");
    // A request for the waiver; the assignment stays refused until it is approved.
    let (st, reqs) = director
        .post(&path, json!({ "round_unit_id": finance, "override_reason": "财政业务骨干，另行回避具体事项" }))
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{reqs}");
    let req = reqs[0].clone();
    assert_eq!(req["join_team"], false);
    assert_eq!(req["unit_ids"], json!([finance]));
    // Asking again lists the same pending request.
    let (st, again) = director
        .post(
            &path,
            json!({ "round_unit_id": finance, "override_reason": "同上" }),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert_eq!(again[0]["id"], req["id"]);
    assert_eq!(
        director
            .post(&path, json!({ "round_unit_id": finance }))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let leader = login(&app, "prov.leader").await;
    let (st, r) = leader
        .post(
            &format!("/api/v1/recusal-requests/{}/approve", req["id"]),
            json!({ "version": req["version"], "comment": "同意" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let (st, t) = director
        .post(&path, json!({ "round_unit_id": finance }))
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert!(t["unit_ids"].as_array().unwrap().contains(&json!(finance)));
    // The waiver is for that unit only: 教育厅 has no conflict and is assigned directly.
    let education = unit_id(&director, "江岭省教育厅").await;
    let (st, _) = director
        .post(&path, json!({ "round_unit_id": education }))
        .await;
    assert_eq!(st, StatusCode::OK);
}

async fn clues_go_only_to_a_body_that_can_receive_them(app: App) {
    let inspector = login(&app, "prov.inspector").await;
    let director = login(&app, "prov.director").await;
    let unit = unit_id(&inspector, "江岭省财政厅").await;
    let (st, c) = inspector
        .post(
            &format!("/api/v1/round-units/{unit}/clues"),
            json!({ "source": "petition", "summary": "线索丁", "subject_name": "王某某", "subject_post": "处长", "informant": "赵举报", "facts": "违规发放津补贴" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().unwrap();
    let (_, c) = inspector
        .post(
            &format!("/api/v1/clues/{id}/triage"),
            json!({ "decision": "clue" }),
        )
        .await;
    let (_, c) = inspector
        .post(
            &format!("/api/v1/clues/{id}/transition"),
            json!({ "to": "REPORTED", "version": c["version"] }),
        )
        .await;
    let (st, c) = director
        .post(
            &format!("/api/v1/clues/{id}/transition"),
            json!({ "to": "TRANSFER_APPROVED", "version": c["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    let jw = org_id(&app, "99-D01").await;
    let zzb = org_id(&app, "99-D02").await;
    let finance = org_id(&app, "99-D05").await;
    let auditor = login(&app, "auditor").await;
    let ops_path = "/api/v1/audit/operations?actor=prov.director&action=clue.transition";
    let before = auditor.get(ops_path).await.1["total"].clone();
    let transfer = format!("/api/v1/clues/{id}/transfer");
    for (body, org, needle) in [
        ("org_dept", jw, "纪委监委"),
        ("discipline", zzb, "组织部"),
        ("discipline", finance, "被巡察单位"),
        ("other", finance, "被巡察单位"),
    ] {
        let (st, b) = director
            .post(&transfer, json!({ "target_body": body, "receiving_org_id": org, "letter_no": "江巡移〔2026〕9号" }))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {org}: {b}");
        assert_eq!(b["fields"][0]["field"], "receiving_org_id");
        assert!(chinese(&b).contains(needle), "{b}");
    }
    // Nothing stored by the refusals.
    let (_, now) = director.get(&format!("/api/v1/clues/{id}")).await;
    assert_eq!(now["state"], "TRANSFER_APPROVED");
    assert_eq!(now["version"], c["version"]);
    assert!(now["receiving_org_id"].is_null(), "{now}");
    assert_eq!(auditor.get(ops_path).await.1["total"], before);
    // The organisation department receives a cadre clue.
    let (st, c) = director
        .post(&transfer, json!({ "target_body": "org_dept", "receiving_org_id": zzb, "letter_no": "江巡移〔2026〕9号" }))
        .await;
    assert_eq!(
        (st, c["state"].as_str()),
        (StatusCode::OK, Some("TRANSFERRED")),
        "{c}"
    );
}
