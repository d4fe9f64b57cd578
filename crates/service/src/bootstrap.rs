//! Installing: built-in roles, a fresh installation's first accounts, and the demo province.

use xuncha_domain::demo::{DEMO_PASSWORD, DemoProvince, DemoSize, generate};
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::RoundUnitId;
use xuncha_domain::org::OrgDraft;
use xuncha_domain::perm::{AUDIT_ADMIN, BUILTIN_ROLES, RoleDraft, SEC_ADMIN, SYS_ADMIN};
use xuncha_store::accounts::{self, NewUser};
use xuncha_store::audit::Actor;
use xuncha_store::orgs::{self, ImportRow};
use xuncha_store::scope::Scope;
use xuncha_store::{Db, StoreError};

use crate::crypto::{hash_password, new_token};

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Other(String),
}

/// Creates what every installation needs: the built-in roles and the default supervision frames.
pub async fn ensure_reference_data(db: &Db) -> Result<(), BootstrapError> {
    ensure_builtin_roles(db).await?;
    xuncha_store::fieldwork::ensure_default_frames(db).await?;
    Ok(())
}

/// Creates the built-in roles that are missing, and adds to existing built-in roles the
/// permissions a newer version gives them (never removing what an administrator added).
pub async fn ensure_builtin_roles(db: &Db) -> Result<(), BootstrapError> {
    let actor = Actor::system("system");
    for b in BUILTIN_ROLES {
        let perms: Vec<String> = b.permissions.iter().map(|s| (*s).to_string()).collect();
        let comps: Vec<String> = b
            .compartments
            .iter()
            .map(|c| c.code().to_string())
            .collect();
        match accounts::get_role_by_code(db, b.code).await {
            Ok(existing) => {
                let missing: Vec<String> = perms
                    .iter()
                    .filter(|p| !existing.permissions.contains(p))
                    .cloned()
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let mut all = existing.permissions.clone();
                all.extend(missing);
                let existing_comps: Vec<String> = existing
                    .compartments
                    .iter()
                    .map(|c| c.code().to_string())
                    .collect();
                let draft = RoleDraft::parse(
                    b.admin_class,
                    &all,
                    existing.data_scope.code(),
                    &existing.custom_org_ids,
                    &existing_comps,
                )
                .map_err(StoreError::from)?;
                accounts::save_role(
                    db,
                    &actor,
                    Some((existing.id, existing.version)),
                    accounts::RoleHeader {
                        code: &existing.code,
                        name: &existing.name,
                        admin_class: b.admin_class,
                        builtin: true,
                    },
                    &draft,
                )
                .await?;
            }
            Err(StoreError::NotFound) => {
                let draft =
                    RoleDraft::parse(b.admin_class, &perms, b.data_scope.code(), &[], &comps)
                        .map_err(StoreError::from)?;
                accounts::save_role(
                    db,
                    &actor,
                    None,
                    accounts::RoleHeader {
                        code: b.code,
                        name: b.name,
                        admin_class: b.admin_class,
                        builtin: true,
                    },
                    &draft,
                )
                .await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// An account made by `init` or `demo`, as printed to the operator.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CreatedAccount {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_name: String,
    pub org_code: String,
    pub org_name: String,
    pub password: String,
}

async fn create_account(
    db: &Db,
    actor: &Actor,
    new: &NewUser,
    role_code: &str,
) -> Result<(String, String), BootstrapError> {
    let user = accounts::create_user(db, actor, &Scope::unrestricted(), new).await?;
    let role = accounts::get_role_by_code(db, role_code).await?;
    accounts::set_roles(
        db,
        actor,
        &Scope::unrestricted(),
        user.id,
        &[role.id],
        user.version,
    )
    .await?;
    Ok((role.name, user.org_name))
}

/// Sets up a fresh installation: the root organisation and the three administrators, each with
/// a random initial password that must be changed at first login.
pub async fn init(
    db: &Db,
    org_code: &str,
    org_name: &str,
    org_kind: &str,
) -> Result<Vec<CreatedAccount>, BootstrapError> {
    if !db.is_empty().await? {
        return Err(BootstrapError::Other(
            Msg::new("bootstrap.already_initialised").render(),
        ));
    }
    ensure_reference_data(db).await?;
    let actor = Actor::system("init");
    let draft = OrgDraft::parse(org_code, org_name, org_kind, Some("committee"))
        .map_err(StoreError::from)?;
    let root = orgs::create(db, &actor, &Scope::unrestricted(), None, &draft).await?;
    let mut out = Vec::new();
    for (username, display, role) in [
        ("admin", "bootstrap.sys_admin_name", SYS_ADMIN),
        ("security", "bootstrap.sec_admin_name", SEC_ADMIN),
        ("auditor", "bootstrap.audit_admin_name", AUDIT_ADMIN),
    ] {
        let display = Msg::new(display).render();
        // 24 hex digits plus a fixed suffix satisfy any policy of up to four classes.
        let password = format!(
            "{}Aa#1",
            &new_token("").map_err(|e| BootstrapError::Other(e.to_string()))?[..24]
        );
        let hash = hash_password(password.clone())
            .await
            .map_err(|e| BootstrapError::Other(e.to_string()))?;
        let new = NewUser {
            username: username.into(),
            display_name: display.clone(),
            org_id: root.id,
            password_hash: hash,
            must_change_password: true,
        };
        let (role_name, org_name) = create_account(db, &actor, &new, role).await?;
        out.push(CreatedAccount {
            username: username.into(),
            display_name: display,
            role: role.into(),
            role_name,
            org_code: root.code.clone(),
            org_name,
            password,
        });
    }
    Ok(out)
}

/// Fills an empty database with the demo province for `seed`.
pub async fn seed_demo(
    db: &Db,
    seed: u64,
    size: DemoSize,
) -> Result<Vec<CreatedAccount>, BootstrapError> {
    if !db.is_empty().await? {
        return Err(BootstrapError::Other(
            Msg::new("bootstrap.demo_needs_empty_db").render(),
        ));
    }
    ensure_reference_data(db).await?;
    let DemoProvince {
        orgs: demo_orgs,
        accounts: demo_accounts,
    } = generate(seed, size);
    let actor = Actor::system("demo");
    let rows: Vec<ImportRow> = demo_orgs
        .iter()
        .enumerate()
        .map(|(i, o)| ImportRow {
            row: i + 2,
            parent_code: o.parent_code.clone(),
            draft: OrgDraft {
                code: o.code.clone(),
                name: o.name.clone(),
                kind: o.kind,
                party_org_kind: o.party_org_kind,
            },
        })
        .collect();
    if let Err(errors) = orgs::import(db, &actor, &Scope::unrestricted(), &rows).await? {
        return Err(BootstrapError::Other(format!(
            "demo organisations rejected: {errors:?}"
        )));
    }
    // Every demo account has the same published password; hash it once.
    let hash = hash_password(DEMO_PASSWORD.to_string())
        .await
        .map_err(|e| BootstrapError::Other(e.to_string()))?;
    let mut out = Vec::new();
    for a in demo_accounts {
        let org = orgs::get_by_code(db, &Scope::unrestricted(), &a.org_code).await?;
        let new = NewUser {
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            org_id: org.id,
            password_hash: hash.clone(),
            must_change_password: false,
        };
        let (role_name, org_name) = create_account(db, &actor, &new, a.role).await?;
        out.push(CreatedAccount {
            username: a.username,
            display_name: a.display_name,
            role: a.role.to_string(),
            role_name,
            org_code: a.org_code,
            org_name,
            password: DEMO_PASSWORD.to_string(),
        });
    }
    seed_demo_inspection(db, &actor).await?;
    Ok(out)
}

/// Demo inspection work: a term of the provincial committee, an earlier round already fed back,
/// and the current round with the team on site at 江岭省财政厅.
/// The day the demo's inspection dates were written for (see `seed_demo_inspection`).
pub const DEMO_DAY: time::Date = time::macros::date!(2026 - 11 - 23);

async fn seed_demo_inspection(db: &Db, actor: &Actor) -> Result<(), BootstrapError> {
    use time::macros::date;
    use xuncha_domain::inspection::{InspectionKind, RoundUnitState as S};
    use xuncha_domain::recusal::{RelationKind, TeamRole};
    use xuncha_store::{fieldwork, inspection, teams};
    let all = Scope::unrestricted();
    // The demo's dates keep their distance from today: written for DEMO_DAY, moved to the
    // server's today, so the current round is as current on any day it is loaded.
    let shift = db.today() - DEMO_DAY;
    let at = |d: time::Date| d + shift;
    let org = |code: &'static str| async move {
        orgs::get_by_code(db, &Scope::unrestricted(), code).await
    };
    let root = org("99").await?;
    let term = inspection::create_term(
        db,
        actor,
        &all,
        root.id,
        "第十四届",
        at(date!(2023 - 01 - 01)),
        at(date!(2027 - 12 - 31)),
        1,
    )
    .await?;
    let round = |name: &str, start, end, focus: &str| inspection::RoundDraft {
        name: name.to_string(),
        kinds: vec![InspectionKind::Regular],
        village_mode: None,
        start_date: start,
        end_date: end,
        focus: focus.to_string(),
        work_plan:
            "进驻约40天；听取汇报、个别谈话、受理信访、调阅资料、下沉走访；中期向领导小组汇报。"
                .to_string(),
    };
    let walk = |unit_id: RoundUnitId, to: &'static [S]| async move {
        let mut u = inspection::get_unit(db, &Scope::unrestricted(), unit_id).await?;
        for s in to {
            u = inspection::transition_unit(
                db,
                actor,
                &Scope::unrestricted(),
                u.id,
                *s,
                "",
                u.version,
                db.today(),
            )
            .await?;
        }
        Ok::<_, StoreError>(u)
    };
    let categories = fieldwork::frames(db).await?.1;
    let cat = |code: &str| categories.iter().find(|c| c.code == code).map(|c| c.id);

    // An earlier round, fed back: it gives coverage, statistics and suggestions something to show.
    let earlier = inspection::create_round(
        db,
        actor,
        &all,
        term.id,
        &round(
            &format!("{}年第二轮巡察", at(date!(2025 - 09 - 01)).year()),
            at(date!(2025 - 09 - 01)),
            at(date!(2025 - 11 - 30)),
            "聚焦“四个落实”，重点关注国有企业和城市建设领域。",
        ),
    )
    .await?;
    let mut earlier_units = Vec::new();
    for code in ["9901", "99-E01", "99-D05"] {
        let target = org(code).await?;
        let u = inspection::add_unit(db, actor, &all, earlier.id, target.id).await?;
        earlier_units.push(u.id);
        walk(
            u.id,
            &[
                S::Preparing,
                S::Notified,
                S::Stationed,
                S::FieldworkDone,
                S::Reporting,
            ],
        )
        .await?;
        for (i, (title, c)) in [
            ("“三重一大”决策制度执行不严格", "FI-2"),
            ("选人用人工作不规范", "FI-3"),
        ]
        .iter()
        .enumerate()
        {
            let f = fieldwork::create_finding(
                db,
                actor,
                &all,
                u.id,
                &fieldwork::FindingDraft {
                    title: (*title).to_string(),
                    category_id: cat(c),
                    facts: format!(
                        "经调阅{}年度党委会会议记录，发现相关问题（示例数据 {}）。",
                        2024,
                        i + 1
                    ),
                    basis: "《中国共产党纪律处分条例》".to_string(),
                    responsibility: "党委（党组）主要负责人".to_string(),
                    evidence: "会议记录复印件".to_string(),
                    finder: "第二巡察组".to_string(),
                    team_opinion: "属实，列入反馈意见".to_string(),
                    activity_ids: Vec::new(),
                },
            )
            .await?;
            fieldwork::transition_finding(
                db,
                actor,
                &all,
                f.id,
                xuncha_domain::inspection::FindingState::Confirmed,
                "组务会确认",
                f.version,
            )
            .await?;
        }
        walk(u.id, &[S::ReportApproved, S::FeedbackDone]).await?;
    }

    // The current round.
    let current = inspection::create_round(
        db,
        actor,
        &all,
        term.id,
        &round(
            &format!("{}年第二轮巡察", at(date!(2026 - 10 - 12)).year()),
            at(date!(2026 - 10 - 12)),
            at(date!(2027 - 01 - 08)),
            "聚焦“四个落实”，重点关注财政资金管理和教育领域群众身边的不正之风。",
        ),
    )
    .await?;
    let finance = org("99-D05").await?;
    let education = org("99-D06").await?;
    let u1 = inspection::add_unit(db, actor, &all, current.id, finance.id).await?;
    let u2 = inspection::add_unit(db, actor, &all, current.id, education.id).await?;

    // People: the inspectors' own records plus the pools.
    let user_id = |name: &'static str| async move {
        Ok::<_, StoreError>(
            accounts::find_by_username(db, name)
                .await?
                .map(|(u, _)| u.id),
        )
    };
    let person =
        |name: &str, org_id: i64, user: Option<i64>, specialties: &[&str], pools: &[&str]| {
            teams::PersonDraft {
                name: name.to_string(),
                org_id: org_id.into(),
                user_id: user,
                specialties: specialties.iter().map(|s| (*s).to_string()).collect(),
                pools: pools.iter().map(|s| (*s).to_string()).collect(),
                seconded: false,
            }
        };
    let leader = teams::save_person(
        db,
        actor,
        &all,
        None,
        &person(
            "王建国",
            root.id.get(),
            None,
            &["纪检", "组织"],
            &["leader"],
        ),
    )
    .await?;
    let inspector = teams::save_person(
        db,
        actor,
        &all,
        None,
        &person(
            "赵文华",
            root.id.get(),
            user_id("prov.inspector").await?,
            &["财务", "审计"],
            &["specialist"],
        ),
    )
    .await?;
    teams::save_person(
        db,
        actor,
        &all,
        None,
        &person(
            "孙丽",
            root.id.get(),
            user_id("prov.inspector2").await?,
            &["法律"],
            &["specialist"],
        ),
    )
    .await?;
    let kin = teams::save_person(
        db,
        actor,
        &all,
        None,
        &person(
            "陈志远",
            (org("99-D02").await?.id).get(),
            None,
            &["组织"],
            &["leader"],
        ),
    )
    .await?;
    teams::add_relation(
        db,
        actor,
        &all,
        kin.row.id,
        RelationKind::Spouse,
        "刘梅",
        Some(finance.id),
        "在财政厅预算处工作",
    )
    .await?;
    let former = teams::save_person(
        db,
        actor,
        &all,
        None,
        &person(
            "周国强",
            (org("99-D03").await?.id).get(),
            None,
            &["宣传", "财务"],
            &["specialist"],
        ),
    )
    .await?;
    teams::add_post(
        db,
        actor,
        &all,
        former.row.id,
        education.id,
        "办公室主任",
        at(date!(2019 - 03 - 01)),
        Some(at(date!(2024 - 06 - 30))),
    )
    .await?;
    let seconded = teams::save_person(
        db,
        actor,
        &all,
        None,
        &teams::PersonDraft {
            seconded: true,
            ..person(
                "李建军",
                (org("9902").await?.id).get(),
                None,
                &["审计", "工程"],
                &["specialist"],
            )
        },
    )
    .await?;
    teams::add_training(
        db,
        actor,
        &all,
        seconded.row.id,
        "全省巡视巡察干部业务培训班",
        at(date!(2025 - 04 - 10)),
        24,
    )
    .await?;

    // The earlier round's team: its members decide for 巡察组 in the plans' 会审.
    let team = teams::create_team(db, actor, &all, earlier.id, "第二巡察组").await?;
    for (p, role) in [(&leader, TeamRole::Leader), (&inspector, TeamRole::Member)] {
        if let teams::MemberOutcome::Refused(conflicts) =
            teams::add_member(db, actor, &all, team.id, p.row.id, role, None).await?
        {
            return Err(BootstrapError::Other(format!("demo team: {conflicts:?}")));
        }
    }
    for u in &earlier_units {
        if let inspection::AssignOutcome::Refused(conflicts) =
            inspection::assign_team(db, actor, &all, *u, team.id, None).await?
        {
            return Err(BootstrapError::Other(format!("demo team: {conflicts:?}")));
        }
    }
    let team = teams::create_team(db, actor, &all, current.id, "第一巡察组").await?;
    inspection::assign_team(db, actor, &all, u1.id, team.id, None).await?;
    inspection::assign_team(db, actor, &all, u2.id, team.id, None).await?;
    for (p, role) in [
        (&leader, TeamRole::Leader),
        (&inspector, TeamRole::Member),
        (&seconded, TeamRole::Member),
    ] {
        if let teams::MemberOutcome::Refused(conflicts) =
            teams::add_member(db, actor, &all, team.id, p.row.id, role, None).await?
        {
            return Err(BootstrapError::Other(format!("demo team: {conflicts:?}")));
        }
    }
    walk(u1.id, &[S::Preparing, S::Notified, S::Stationed]).await?;
    // Fieldwork already logged at the unit on site (talk records are left to the users: they are
    // compartmented, and the demo does not invent their content).
    for (method, day, persons, count, summary) in [
        (
            "briefing",
            at(date!(2026 - 10 - 13)),
            35,
            1,
            "听取财政厅党组工作汇报",
        ),
        (
            "petition",
            at(date!(2026 - 10 - 16)),
            9,
            9,
            "受理来信来电来访",
        ),
        (
            "document_review",
            at(date!(2026 - 10 - 19)),
            0,
            36,
            "调阅党组会议记录、预算执行报告等",
        ),
        (
            "symposium",
            at(date!(2026 - 10 - 22)),
            14,
            1,
            "召开处级干部座谈会",
        ),
        (
            "rating_survey",
            at(date!(2026 - 10 - 23)),
            120,
            120,
            "开展民主测评",
        ),
    ] {
        fieldwork::add_activity(
            db, actor, &all, u1.id, method, day, persons, count, summary, None,
        )
        .await?;
    }
    walk(u2.id, &[S::Preparing, S::Notified]).await?;
    seed_demo_rectification(db, actor, earlier.id).await?;
    Ok(())
}

/// Demo rectification of the earlier round: 江岭市 (9901) with an approved plan, one item closed
/// and one overdue; the enterprise (99-E01) with one item close to its deadline and progress
/// reported; 江岭省财政厅 (99-D05) fed back with no plan yet, for its liaison to draft.
async fn seed_demo_rectification(
    db: &Db,
    actor: &Actor,
    round_id: i64,
) -> Result<(), BootstrapError> {
    use xuncha_domain::rectification::{Outcome, OutcomeKind, ReviewDecision};
    use xuncha_store::rectification::{self as rect, ItemSnap, MeasureSnap, PlanDraft, Upload};
    let all = Scope::unrestricted();
    let today = db.today();
    // The demo has a handful of fed-back units: one page holds them all.
    let units = rect::units(db, &all, None, xuncha_store::PageReq::new(None, Some(200)))
        .await?
        .items;
    let day = |d: time::Date| {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        d.format(&fmt).unwrap_or_default()
    };
    let measure = |content: &str, leader: &str, dept: &str, deadline: time::Date| MeasureSnap {
        kind: "deadline".into(),
        content: content.into(),
        target: "问题整改到位，建立长效机制".into(),
        responsible_leader: leader.into(),
        lead_dept: dept.into(),
        co_depts: vec!["纪检监察组".into()],
        deadline: Some(day(deadline)),
        deadline_working_days: None,
        resolved_deadline: Some(day(deadline)),
    };
    let evidence = Upload {
        name: "整改佐证材料.pdf".into(),
        media_type: "application/pdf".into(),
        bytes: b"%PDF-1.4\n% Xuncha demo evidence\n%%EOF\n".to_vec(),
    };
    for (code, deadlines) in [
        (
            "9901",
            [
                today - time::Duration::days(10),
                today + time::Duration::days(40),
            ],
        ),
        (
            "99-E01",
            [
                today + time::Duration::days(3),
                today + time::Duration::days(60),
            ],
        ),
    ] {
        let org = orgs::get_by_code(db, &all, code).await?;
        let Some(u) = units
            .iter()
            .find(|u| u.round_id == round_id && org.id == u.org_id)
        else {
            continue;
        };
        let problems = rect::unit_problems(db, u.id.into()).await?;
        let items: Vec<ItemSnap> = problems
            .iter()
            .zip(deadlines)
            .map(|((fid, title, _), d)| ItemSnap {
                finding_id: *fid,
                measures: vec![measure(
                    &format!("针对“{title}”修订议事规则并逐项整改"),
                    "王副书记",
                    "党委办公室",
                    d,
                )],
            })
            .collect();
        let plan = rect::save_plan(
            db,
            actor,
            &all,
            u.id.into(),
            &PlanDraft {
                principal_leader: "张书记".into(),
                signed_on: Some(today),
                summary: "党委（党组）专题研究，逐项明确整改措施、责任领导、责任部门和时限。"
                    .into(),
                items,
            },
            0,
        )
        .await?;
        let plan = rect::submit_plan(db, actor, &all, plan.id, plan.version).await?;
        let (cfg, _) = rect::settings(db, u.owner_org_id).await?;
        let parse = |m: &MeasureSnap| {
            m.resolved_deadline.as_deref().and_then(|s| {
                time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
            })
        };
        rect::review_plan(
            db,
            actor,
            &all,
            plan.id,
            &cfg.review_bodies,
            ReviewDecision::Approve,
            "措施具体，同意按方案整改。",
            &[],
            plan.version,
            &parse,
        )
        .await?;
        if let Some((fid, _, _)) = problems.first() {
            rect::add_progress(
                db,
                actor,
                &all,
                *fid,
                "已召开党委会专题研究，修订《“三重一大”事项决策实施办法》初稿。",
                today,
                Some(Outcome::InProgress),
                std::slice::from_ref(&evidence),
            )
            .await?;
        }
        if code == "9901"
            && let Some((fid, _, _)) = problems.get(1)
        {
            rect::add_progress(
                db,
                actor,
                &all,
                *fid,
                "完成干部选任工作自查，整改不规范事项3项。",
                today,
                None,
                std::slice::from_ref(&evidence),
            )
            .await?;
            let w = rect::request_write_off(
                db,
                actor,
                &all,
                *fid,
                Outcome::Completed,
                "整改措施全部落实，相关制度已印发。",
                &[],
                today,
            )
            .await?;
            rect::decide_write_off(db, actor, &all, w, ReviewDecision::Approve, "", 1, today)
                .await?;
            rect::add_outcome(
                db,
                actor,
                &all,
                *fid,
                &rect::OutcomeDraft {
                    kind: OutcomeKind::Rule,
                    detail: "印发《干部选拔任用工作规程》".into(),
                    count: 1,
                    amount_fen: 0,
                    person: None,
                    treatment: None,
                },
            )
            .await?;
            rect::add_outcome(
                db,
                actor,
                &all,
                *fid,
                &rect::OutcomeDraft {
                    kind: OutcomeKind::MoneyReturned,
                    detail: "违规发放津补贴清退".into(),
                    count: 1,
                    amount_fen: 12_345_600,
                    person: None,
                    treatment: None,
                },
            )
            .await?;
        }
    }
    Ok(())
}
