//! Assessment routes that build a document: the 整改评估报告 (.docx) and the export of results
//! (.xlsx).

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::i18n::text;
use xuncha_office::documents::assessment::{
    AssessmentReport, DeductionLine, IndicatorLine, TallyLine, assessment_report,
};

/// 整改评估报告 (.docx): indicators, deductions, score, grade, satisfaction and consequences.
#[utoipa::path(get, operation_id = "assessments_docx", path = "/api/v1/assessments/{id}/docx", tag = "assessment", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = crate::error::Problem)))]
pub(super) async fn assessment_docx(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let a = load(&st, &auth, id).await?;
    let unit = store::unit(
        &st.db,
        &xuncha_store::scope::Scope::unrestricted(),
        a.round_unit_id,
    )
    .await?;
    let (issuer, _) = issuer(&st, unit.owner_org_id).await?;
    let d = assessment_dto(&st, &auth, a).await?;
    let report = AssessmentReport {
        round_name: d.round_name.clone(),
        assessed_on: d.assessed_on.clone(),
        org_name: d.org_name.clone(),
        indicators: d
            .indicators
            .iter()
            .map(|x| IndicatorLine {
                name: x.name.clone(),
                max: fmt_points(x.max_points),
                deducted: fmt_points(x.deducted),
                score: fmt_points(x.max_points - x.deducted),
            })
            .collect(),
        score: fmt_points(d.score),
        grade_name: d.grade_name.clone().unwrap_or_default(),
        draft: d.state == AssessmentState::Draft.code(),
        deductions: d
            .deductions
            .iter()
            .map(|x| DeductionLine {
                indicator: x.indicator_name.clone(),
                points: fmt_points(x.points),
                reason: x.reason.clone(),
            })
            .collect(),
        satisfaction: d.satisfaction.as_ref().map(|s| {
            let total = TallyLine {
                name: String::new(),
                responses: s.responses,
                satisfied: s.satisfied,
                basic: s.basic,
                unsatisfied: s.unsatisfied,
                unknown: s.unknown,
                rate: s.rate.clone(),
            };
            let groups = s
                .groups
                .iter()
                .map(|g| TallyLine {
                    name: g.name.clone(),
                    responses: g.responses,
                    satisfied: g.satisfied,
                    basic: g.basic,
                    unsatisfied: g.unsatisfied,
                    unknown: g.unknown,
                    rate: g.rate.clone(),
                })
                .collect();
            (total, s.valid, groups)
        }),
        conclusion: d.conclusion.clone(),
        consequences: d.consequences.iter().map(|c| c.name.clone()).collect(),
        issuer,
    };
    docx(
        text("file.assessment_report"),
        &assessment_report(&report, st.db.today()),
    )
}

pub(super) fn fmt_points(p: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    show_points((p * 10.0).round() as i64)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    pub round_id: Option<i64>,
}

/// All finalised assessments in scope as .xlsx, for the annual assessment (年度考核).
#[utoipa::path(get, operation_id = "assessments_export", path = "/api/v1/assessments/export", tag = "assessment", params(ExportQuery),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub(super) async fn export_assessments(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<impl IntoResponse> {
    let rows = store::finalised_with_consequences(&st.db, &auth.scope, q.round_id).await?;
    let out: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, (a, cons))| {
            let cons: Vec<&str> = cons.iter().map(|c| c.label()).collect();
            vec![
                (i + 1).to_string(),
                a.org_name.clone(),
                a.round_name.clone(),
                date_str(a.assessed_on),
                a.score.map(show_points).unwrap_or_default(),
                a.grade_name.clone().unwrap_or_default(),
                a.satisfaction_bp.map_or_else(|| "—".to_string(), show_rate),
                cons.join("、"),
            ]
        })
        .collect();
    let count = out.len();
    let headers = [
        "column.seq",
        "column.assessment.unit",
        "column.assessment.round",
        "column.assessment.date",
        "column.assessment.score",
        "column.assessment.grade",
        "column.assessment.satisfaction",
        "column.assessment.consequences",
    ]
    .map(text);
    let bytes = xuncha_office::write_xlsx(
        text("sheet.assessments"),
        &headers,
        &[6.0, 30.0, 22.0, 12.0, 8.0, 10.0, 10.0, 40.0],
        out.into_iter(),
    )
    .map_err(|e| ApiError::internal(&e))?;
    xuncha_store::audit::record_event(
        &st.db,
        &auth.actor,
        &xuncha_store::audit::Event::read(
            "assessment.export",
            "assessment",
            "",
            Msg::new("audit.assessment_export")
                .arg("count", count)
                .render(),
        ),
    )
    .await?;
    Ok(crate::routes::common::download(
        crate::routes::common::XLSX,
        "assessments.xlsx",
        text("file.assessments_xlsx"),
        bytes,
    ))
}
