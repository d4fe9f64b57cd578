//! Assessment routes that build a document: the 整改评估报告 (.docx) and the export of results
//! (.xlsx).

#[allow(clippy::wildcard_imports)]
use super::*;

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
    let mut blocks = vec![
        Block::Paragraph(format!(
            "根据{}整改工作安排，于{}对{}党组织巡察整改情况进行了评估。评估采取个别谈话、查阅资料、实地核查、对账销号和满意度测评等方式进行，现将评估情况报告如下。",
            d.round_name, d.assessed_on, d.org_name
        )),
        Block::Heading1("一、评估得分".into()),
        Block::Table {
            headers: ["序号", "评估指标", "分值", "扣分", "得分"]
                .map(String::from)
                .to_vec(),
            rows: d
                .indicators
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    vec![
                        (i + 1).to_string(),
                        x.name.clone(),
                        fmt_points(x.max_points),
                        fmt_points(x.deducted),
                        fmt_points(x.max_points - x.deducted),
                    ]
                })
                .collect(),
        },
        Block::Paragraph(format!(
            "综合得分{}分，评定等次为“{}”{}。",
            fmt_points(d.score),
            d.grade_name.clone().unwrap_or_default(),
            if d.state == AssessmentState::Draft.code() {
                "（评估中，尚未定等）"
            } else {
                ""
            }
        )),
        Block::Heading1("二、扣分情况".into()),
    ];
    if d.deductions.is_empty() {
        blocks.push(Block::Paragraph("无扣分事项。".into()));
    }
    for (i, x) in d.deductions.iter().enumerate() {
        blocks.push(Block::Paragraph(format!(
            "{}．{}：扣{}分。{}",
            i + 1,
            x.indicator_name,
            fmt_points(x.points),
            x.reason
        )));
    }
    blocks.push(Block::Heading1("三、满意度测评".into()));
    match &d.satisfaction {
        None => blocks.push(Block::Paragraph("未开展满意度测评。".into())),
        Some(s) => {
            blocks.push(Block::Paragraph(format!(
                "共收回测评表{}份，有效评价{}个（满意{}、基本满意{}、不满意{}，不了解{}不计入），满意度{}。",
                s.responses,
                s.valid,
                s.satisfied,
                s.basic,
                s.unsatisfied,
                s.unknown,
                s.rate.clone().unwrap_or_else(|| "无有效评价".into())
            )));
            blocks.push(Block::Table {
                headers: [
                    "测评组",
                    "答卷数",
                    "满意",
                    "基本满意",
                    "不满意",
                    "不了解",
                    "满意度",
                ]
                .map(String::from)
                .to_vec(),
                rows: s
                    .groups
                    .iter()
                    .map(|g| {
                        vec![
                            g.name.clone(),
                            g.responses.to_string(),
                            g.satisfied.to_string(),
                            g.basic.to_string(),
                            g.unsatisfied.to_string(),
                            g.unknown.to_string(),
                            g.rate.clone().unwrap_or_else(|| "—".into()),
                        ]
                    })
                    .collect(),
            });
        }
    }
    blocks.push(Block::Heading1("四、评估结论和结果运用".into()));
    if !d.conclusion.is_empty() {
        blocks.push(Block::Paragraph(d.conclusion.clone()));
    }
    let cons: Vec<String> = d.consequences.iter().map(|c| c.name.clone()).collect();
    blocks.push(Block::Paragraph(if cons.is_empty() {
        "评估结果纳入年度考核。".to_string()
    } else {
        format!("根据评估等次，{}；评估结果纳入年度考核。", cons.join("、"))
    }));
    let doc = OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: None,
        title: format!("关于{}巡察整改情况的评估报告", d.org_name),
        recipient: None,
        blocks,
        signature: Some(issuer),
        date: Some(china_date(st.db.today())),
        copy_to: None,
    };
    docx("整改评估报告", &doc)
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
    let bytes = xuncha_office::write_xlsx(
        "整改评估结果",
        &[
            "序号",
            "被巡察单位",
            "轮次",
            "评估日期",
            "得分",
            "等次",
            "满意度",
            "后果",
        ],
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
            format!("导出整改评估结果 {count} 条"),
        ),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"assessments.xlsx\"; filename*=UTF-8''%E6%95%B4%E6%94%B9%E8%AF%84%E4%BC%B0%E7%BB%93%E6%9E%9C.xlsx".to_string()),
        ],
        bytes,
    ))
}
