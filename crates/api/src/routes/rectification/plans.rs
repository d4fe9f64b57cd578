//! Rectification routes: units and plans.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;

#[derive(Debug, Serialize, ToSchema)]
pub struct RectUnitDto {
    pub id: i64,
    pub round_id: i64,
    pub round_name: String,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub owner_org_name: String,
    pub feedback_date: Option<String>,
    pub rectification_due: Option<String>,
    pub plan_state: Option<String>,
    pub plan_state_name: Option<String>,
    pub total: i64,
    pub closed: i64,
}

pub(super) fn unit_dto(u: store::RectUnit) -> RectUnitDto {
    RectUnitDto {
        plan_state_name: u
            .plan_state
            .as_deref()
            .map(|s| label(s, PlanState::from_code, PlanState::label)),
        id: u.id,
        round_id: u.round_id,
        round_name: u.round_name,
        org_id: u.org_id,
        org_name: u.org_name,
        owner_org_name: u.owner_org_name,
        feedback_date: u.feedback_date.map(date_str),
        rectification_due: u.rectification_due.map(date_str),
        plan_state: u.plan_state,
        total: u.total,
        closed: u.closed,
    }
}

/// A round, for a filter.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundChoice {
    pub id: i64,
    pub name: String,
}

/// The rounds with units in rectification in scope, newest first (the round filter of the
/// ledger and the statistics).
#[utoipa::path(get, operation_id = "rect_rounds", path = "/api/v1/rect/rounds", tag = "rect",
    responses((status = 200, body = Vec<RoundChoice>)))]
pub(super) async fn rounds(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
) -> ApiResult<axum::Json<Vec<RoundChoice>>> {
    Ok(axum::Json(
        store::rounds_in_rectification(&st.db, &auth.scope)
            .await?
            .into_iter()
            .map(|(id, name)| RoundChoice { id, name })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitListQuery {
    /// Part of the inspected organisation's name or code.
    pub q: Option<String>,
    /// to_review (the latest plan revision awaits 会审) | to_draft (no plan yet, a draft, or a
    /// returned revision).
    #[param(value_type = Option<crate::codes::PlanQueue>)]
    pub plan: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

impl UnitListQuery {
    /// The plan queue asked for; an unknown value is a 400 naming `plan`.
    pub(crate) fn plan_queue(&self) -> ApiResult<Option<store::PlanQueue>> {
        match self.plan.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some("to_review") => Ok(Some(store::PlanQueue::ToReview)),
            Some("to_draft") => Ok(Some(store::PlanQueue::ToDraft)),
            Some(v) => Err(ApiError::bad_param(
                "plan",
                &Msg::new("validation.unknown_value")
                    .arg("field", "field.plan")
                    .arg("value", v)
                    .arg("allowed", "to_review, to_draft"),
            )),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RectUnitPage {
    pub items: Vec<RectUnitDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// Round units in rectification (fed back) in scope, one page at a time.
#[utoipa::path(get, operation_id = "rect_units", path = "/api/v1/rect/units", tag = "rect",
    params(UnitListQuery), responses((status = 200, body = RectUnitPage), (status = 400, description = "an unknown plan filter", body = crate::error::Problem)))]
pub(super) async fn units(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<UnitListQuery>,
) -> ApiResult<axum::Json<RectUnitPage>> {
    let page = PageReq::new(q.page, q.page_size);
    let plan = q.plan_queue()?;
    let r = store::units_filtered(&st.db, &auth.scope, q.q.as_deref(), plan, page).await?;
    Ok(axum::Json(RectUnitPage {
        items: r.items.into_iter().map(unit_dto).collect(),
        total: r.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct MeasureDraftDto {
    /// immediate | deadline | long_term
    #[schema(value_type = crate::codes::MeasureKind)]
    pub kind: String,
    pub content: String,
    #[serde(default)]
    pub target: String,
    pub responsible_leader: String,
    pub lead_dept: String,
    #[serde(default)]
    pub co_depts: Vec<String>,
    /// A date, or …
    pub deadline: Option<String>,
    /// … N working days from the feedback date.
    pub deadline_working_days: Option<i64>,
    /// The date the deadline resolves to (output only).
    #[serde(default)]
    pub resolved_deadline: Option<String>,
}

impl From<MeasureSnap> for MeasureDraftDto {
    fn from(m: MeasureSnap) -> Self {
        MeasureDraftDto {
            kind: m.kind,
            content: m.content,
            target: m.target,
            responsible_leader: m.responsible_leader,
            lead_dept: m.lead_dept,
            co_depts: m.co_depts,
            deadline: m.deadline,
            deadline_working_days: m.deadline_working_days,
            resolved_deadline: m.resolved_deadline,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentDto {
    pub id: i64,
    pub body: String,
    pub text: String,
    pub reviewer_name: String,
    pub at: String,
    pub revision: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanItemDto {
    pub finding_id: i64,
    pub title: String,
    pub category_name: Option<String>,
    pub measures: Vec<MeasureDraftDto>,
    pub comments: Vec<CommentDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDto {
    pub id: i64,
    pub body: String,
    #[schema(value_type = crate::codes::ReviewDecision)]
    pub decision: String,
    pub decision_name: String,
    pub opinion: String,
    pub reviewer_name: String,
    pub at: String,
    pub revision: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BodyStatus {
    pub body: String,
    #[schema(value_type = Option<crate::codes::ReviewDecision>)]
    pub decision: Option<String>,
    pub reviewer_name: Option<String>,
    pub at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDto {
    /// 0 while nothing is saved.
    pub id: i64,
    pub round_unit_id: i64,
    pub revision: i64,
    #[schema(value_type = crate::codes::PlanState)]
    pub state: String,
    pub state_name: String,
    pub principal_leader: String,
    pub signed_on: Option<String>,
    pub summary: String,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
    pub version: i64,
    pub items: Vec<PlanItemDto>,
    pub reviews: Vec<ReviewDto>,
    pub bodies: Vec<String>,
    pub body_status: Vec<BodyStatus>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionRef {
    pub id: i64,
    pub revision: i64,
    #[schema(value_type = crate::codes::PlanState)]
    pub state: String,
    pub state_name: String,
    pub submitted_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub unit: RectUnitDto,
    pub plan: PlanDto,
    pub revisions: Vec<RevisionRef>,
    pub can_edit: bool,
    pub can_review: bool,
    /// The configured bodies the caller decides for (会审 through each body's own members).
    pub review_bodies: Vec<String>,
}

pub(super) async fn plan_dto(
    st: &AppState,
    unit_id: RoundUnitId,
    plan: Option<&store::PlanRow>,
) -> ApiResult<PlanDto> {
    let (cfg, _) = store::settings(&st.db, store::unit_office(&st.db, unit_id).await?).await?;
    let problems = store::unit_problems(&st.db, unit_id).await?;
    let all = store::plans(&st.db, unit_id).await?;
    let (reviews, comments) = store::reviews(&st.db, unit_id).await?;
    let revision_of = |pid: i64| all.iter().find(|p| p.id == pid).map_or(0, |p| p.revision);
    let items_snap = match plan {
        Some(p) => p.items()?,
        None => Vec::new(),
    };
    let plan_id = plan.map_or(0, |p| p.id);
    let items = problems
        .into_iter()
        .map(|(fid, title, cat)| PlanItemDto {
            measures: items_snap
                .iter()
                .find(|i| i.finding_id == fid)
                .map(|i| {
                    i.measures
                        .iter()
                        .cloned()
                        .map(MeasureDraftDto::from)
                        .collect()
                })
                .unwrap_or_default(),
            comments: comments
                .iter()
                .filter(|c| c.finding_id == fid)
                .map(|c| CommentDto {
                    id: c.id,
                    body: c.body.clone(),
                    text: c.text.clone(),
                    reviewer_name: c.reviewer_name.clone(),
                    at: rfc3339(c.at),
                    revision: revision_of(c.plan_id),
                })
                .collect(),
            finding_id: fid.get(),
            title,
            category_name: cat,
        })
        .collect();
    let body_status = cfg
        .review_bodies
        .iter()
        .map(|b| {
            let last = reviews
                .iter()
                .rfind(|r| r.plan_id == plan_id && &r.body == b);
            BodyStatus {
                body: b.clone(),
                decision: last.map(|r| r.decision.clone()),
                reviewer_name: last.map(|r| r.reviewer_name.clone()),
                at: last.map(|r| rfc3339(r.at)),
            }
        })
        .collect();
    let state = plan
        .map_or(PlanState::Draft, |p| p.state)
        .code()
        .to_string();
    Ok(PlanDto {
        id: plan_id,
        round_unit_id: unit_id.get(),
        revision: plan.map_or(0, |p| p.revision),
        state_name: label(&state, PlanState::from_code, PlanState::label),
        state,
        principal_leader: plan.map(|p| p.principal_leader.clone()).unwrap_or_default(),
        signed_on: plan.and_then(|p| p.signed_on).map(date_str),
        summary: plan.map(|p| p.summary.clone()).unwrap_or_default(),
        submitted_at: plan.and_then(|p| p.submitted_at).map(rfc3339),
        decided_at: plan.and_then(|p| p.decided_at).map(rfc3339),
        version: plan.map_or(0, |p| p.version),
        items,
        reviews: reviews
            .iter()
            .map(|r| ReviewDto {
                id: r.id,
                body: r.body.clone(),
                decision_name: label(
                    &r.decision,
                    ReviewDecision::from_code,
                    ReviewDecision::label,
                ),
                decision: r.decision.clone(),
                opinion: r.opinion.clone(),
                reviewer_name: r.reviewer_name.clone(),
                at: rfc3339(r.at),
                revision: revision_of(r.plan_id),
            })
            .collect(),
        bodies: cfg.review_bodies.clone(),
        body_status,
    })
}

/// The unit's plan (the latest revision), its revisions and reviews; a fresh draft when none
/// exists yet.
#[utoipa::path(get, operation_id = "rect_plan", path = "/api/v1/rect/units/{id}/plan", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, body = PlanView), (status = 404, body = crate::error::Problem)))]
pub(super) async fn plan_view(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<axum::Json<PlanView>> {
    unit_plan(&st, &auth, id).await
}

/// The unit's plan page: the latest revision, the list of revisions and what the caller may do.
async fn unit_plan(st: &AppState, auth: &Auth, id: RoundUnitId) -> ApiResult<axum::Json<PlanView>> {
    let u = store::unit(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let all = store::plans(&st.db, id).await?;
    let latest = all.last();
    let state = latest.map(|p| p.state);
    let plan = plan_dto(st, id, latest).await?;
    let review_bodies = decidable_bodies(st, auth, id, &plan.bodies).await?;
    Ok(axum::Json(PlanView {
        plan,
        revisions: all
            .iter()
            .map(|p| RevisionRef {
                id: p.id,
                revision: p.revision,
                state_name: p.state.label().to_string(),
                state: p.state.code().to_string(),
                submitted_at: p.submitted_at.map(rfc3339),
            })
            .collect(),
        can_edit: auth.access.has(RECT_WRITE)
            && matches!(
                state,
                None | Some(PlanState::Draft) | Some(PlanState::Returned)
            ),
        can_review: state == Some(PlanState::Submitted) && !review_bodies.is_empty(),
        review_bodies,
        unit: unit_dto(u),
    }))
}

/// Those of the configured reviewing `bodies` that `auth` decides for on the plan of `unit_id`:
/// the team through its members, the office through its staff, a department (纪委监委, 组织部 …)
/// of the committee running the round through its own users.
pub(super) async fn decidable_bodies(
    st: &AppState,
    auth: &Auth,
    unit_id: RoundUnitId,
    bodies: &[String],
) -> ApiResult<Vec<String>> {
    let (on_team, department) = store::reviewer_facts(&st.db, auth.user.id, unit_id).await?;
    let review = auth.access.has(RECT_REVIEW);
    let standing = dom::ReviewerStanding {
        on_team: on_team && review,
        office: review && auth.access.has(INSPECTION_OFFICE),
        department,
    };
    Ok(bodies
        .iter()
        .filter(|b| dom::may_decide_for(b, &standing))
        .cloned()
        .collect())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanItemSave {
    #[schema(value_type = i64)]
    pub finding_id: FindingId,
    pub measures: Vec<MeasureDraftDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanSave {
    #[serde(default)]
    pub principal_leader: String,
    pub signed_on: Option<String>,
    #[serde(default)]
    pub summary: String,
    pub items: Vec<PlanItemSave>,
    /// 0 for the first draft; the latest revision's version otherwise.
    pub version: i64,
}

/// Saves the unit's plan draft (editing a returned plan starts the next revision).
#[utoipa::path(put, operation_id = "rect_plan_save", path = "/api/v1/rect/units/{id}/plan", tag = "rect", params(("id" = i64, Path)),
    request_body = PlanSave, responses((status = 200, body = PlanView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn save_plan(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<RoundUnitId>,
    ApiJson(b): ApiJson<PlanSave>,
) -> ApiResult<axum::Json<PlanView>> {
    crate::routes::max_lengths(&[("summary", &b.summary, xuncha_domain::limits::TEXT_CHARS)])?;
    let u = store::unit(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let cal = store::calendar(&st.db, u.owner_org_id).await?;
    let start = u.feedback_date.unwrap_or_else(|| st.db.today());
    let mut errs = Vec::new();
    let signed_on = match b
        .signed_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => parse_date("signed_on", s)
            .and_then(|d| {
                xuncha_domain::inspection::check_not_future("signed_on", d, st.db.today())
                    .map(|()| d)
            })
            .map_err(|e| errs.push(e))
            .ok(),
    };
    if b.principal_leader.chars().count() > 50 {
        errs.push(FieldError::new(
            "principal_leader",
            Msg::new("validation.too_long")
                .arg("field", "field.principal_leader")
                .arg("max", 50),
        ));
    }
    let mut items = Vec::new();
    for (i, it) in b.items.iter().enumerate() {
        let mut ms = Vec::new();
        for (j, m) in it.measures.iter().enumerate() {
            match dom::parse_measure(
                &format!("items[{i}].measures[{j}]"),
                &m.kind,
                &m.content,
                &m.target,
                &m.responsible_leader,
                &m.lead_dept,
                &m.co_depts,
                m.deadline.as_deref(),
                m.deadline_working_days,
            ) {
                Ok(d) => {
                    let resolved = d.deadline.resolve(start, &cal);
                    if let Some(fb) = u.feedback_date
                        && let Err(e) = dom::check_measure_deadline(
                            &format!("items[{i}].measures[{j}].deadline"),
                            d.kind,
                            resolved,
                            fb,
                            u.rectification_due,
                        )
                    {
                        errs.push(e);
                        continue;
                    }
                    ms.push(MeasureSnap {
                        kind: d.kind.code().to_string(),
                        content: d.content,
                        target: d.target,
                        responsible_leader: d.responsible_leader,
                        lead_dept: d.lead_dept,
                        co_depts: d.co_depts,
                        deadline: match d.deadline {
                            dom::DeadlineSpec::Date(x) => Some(date_str(x)),
                            _ => None,
                        },
                        deadline_working_days: m
                            .deadline_working_days
                            .filter(|_| m.deadline.as_deref().is_none_or(|s| s.trim().is_empty())),
                        resolved_deadline: Some(date_str(resolved)),
                    });
                }
                Err(e) => errs.extend(e),
            }
        }
        items.push(store::ItemSnap {
            finding_id: it.finding_id,
            measures: ms,
        });
    }
    if !errs.is_empty() {
        return Err(invalid(errs));
    }
    store::save_plan(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &store::PlanDraft {
            principal_leader: b.principal_leader.trim().to_string(),
            signed_on,
            summary: b.summary,
            items,
        },
        b.version,
    )
    .await
    .map_err(not_found())?;
    unit_plan(&st, &auth, id).await
}

/// Submits a draft for review (the principal leader has signed).
#[utoipa::path(post, operation_id = "rect_plan_submit", path = "/api/v1/rect/plans/{id}/submit", tag = "rect", params(("id" = i64, Path)),
    request_body = crate::routes::VersionBody, responses((status = 200, body = PlanView), (status = 422, body = crate::error::Problem)))]
pub(super) async fn submit_plan(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<crate::routes::VersionBody>,
) -> ApiResult<axum::Json<PlanView>> {
    let p = store::submit_plan(&st.db, &auth.actor, &auth.scope, id, b.version)
        .await
        .map_err(not_found())?;
    unit_plan(&st, &auth, p.round_unit_id).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemComment {
    #[schema(value_type = i64)]
    pub finding_id: FindingId,
    pub text: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// The reviewing bodies this decision is recorded for.
    pub bodies: Vec<String>,
    /// approve | return
    pub decision: String,
    #[serde(default)]
    pub opinion: String,
    #[serde(default)]
    pub comments: Vec<ItemComment>,
    pub version: i64,
}

/// 会审: one decision for one or more bodies, with per-item comments.
#[utoipa::path(post, operation_id = "rect_plan_review", path = "/api/v1/rect/plans/{id}/review", tag = "rect", params(("id" = i64, Path)),
    request_body = ReviewBody, responses((status = 200, body = PlanView), (status = 422, body = crate::error::Problem)))]
pub(super) async fn review_plan(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReviewBody>,
) -> ApiResult<axum::Json<PlanView>> {
    crate::routes::max_lengths(&[("opinion", &b.opinion, xuncha_domain::limits::OPINION_CHARS)])?;
    let decision =
        ReviewDecision::parse_field("decision", &b.decision).map_err(|e| invalid(vec![e]))?;
    // Each body decides through its own members: every body named must be one the caller
    // belongs to (checked before anything is written; unknown names are the store's 422).
    let unit_id = store::plan(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?
        .round_unit_id;
    let (cfg, _) = store::settings(&st.db, store::unit_office(&st.db, unit_id).await?).await?;
    let mine = decidable_bodies(&st, &auth, unit_id, &cfg.review_bodies).await?;
    if let Some(other) = b
        .bodies
        .iter()
        .find(|x| cfg.review_bodies.contains(x) && !mine.contains(x))
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            &Msg::new("rect.not_body_member").arg("body", other),
        ));
    }
    let comments: Vec<(FindingId, String)> = b
        .comments
        .iter()
        .filter(|c| !c.text.trim().is_empty())
        .map(|c| (c.finding_id, c.text.trim().to_string()))
        .collect();
    let parse = |s: &str| parse_date("deadline", s).ok();
    let resolved = |m: &MeasureSnap| m.resolved_deadline.as_deref().and_then(parse);
    let p = store::review_plan(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &b.bodies,
        decision,
        &b.opinion,
        &comments,
        b.version,
        &resolved,
    )
    .await
    .map_err(not_found())?;
    unit_plan(&st, &auth, p.round_unit_id).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDiff {
    pub finding_id: i64,
    pub title: String,
    /// added | removed | changed
    pub change: String,
    pub before: Vec<MeasureDraftDto>,
    pub after: Vec<MeasureDraftDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDiff {
    pub revision: i64,
    pub previous_revision: Option<i64>,
    pub changes: Vec<ItemDiff>,
}

/// What changed in this revision against the one before (the resubmission diff).
#[utoipa::path(get, operation_id = "rect_plan_diff", path = "/api/v1/rect/plans/{id}/diff", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, body = PlanDiff), (status = 404, body = crate::error::Problem)))]
pub(super) async fn plan_diff(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<PlanDiff>> {
    let p = store::plan(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let all = store::plans(&st.db, p.round_unit_id).await?;
    let prev = all.iter().rfind(|x| x.revision < p.revision);
    let cur = p.items()?;
    let before = match prev {
        Some(x) => x.items()?,
        None => Vec::new(),
    };
    let pairs = |v: &[store::ItemSnap]| -> Vec<(i64, Vec<MeasureSnap>)> {
        v.iter()
            .map(|i| (i.finding_id.get(), i.measures.clone()))
            .collect()
    };
    let titles = store::unit_problems(&st.db, p.round_unit_id).await?;
    let find = |v: &[store::ItemSnap], id: i64| -> Vec<MeasureDraftDto> {
        v.iter()
            .find(|i| i.finding_id == id)
            .map(|i| {
                i.measures
                    .iter()
                    .cloned()
                    .map(MeasureDraftDto::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    let changes = dom::diff_items(&pairs(&before), &pairs(&cur))
        .into_iter()
        .map(|(fid, change)| ItemDiff {
            finding_id: fid,
            title: titles
                .iter()
                .find(|(i, _, _)| *i == fid)
                .map(|(_, t, _)| t.clone())
                .unwrap_or_default(),
            change: change.code().to_string(),
            before: find(&before, fid),
            after: find(&cur, fid),
        })
        .collect();
    Ok(axum::Json(PlanDiff {
        revision: p.revision,
        previous_revision: prev.map(|x| x.revision),
        changes,
    }))
}
