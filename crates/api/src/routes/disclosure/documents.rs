//! Disclosure routes that build a document: the 党内通报 or 社会公开 (.docx).

#[allow(clippy::wildcard_imports)]
use super::*;
use axum::response::IntoResponse;
use xuncha_office::docx::{Block, OfficialDoc};

use crate::routes::documents::{china_date, docx, issuer};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChannelQuery {
    /// `internal` (党内通报, default) or `public` (社会公开).
    pub channel: Option<String>,
}

/// 党内通报 or 社会公开 (.docx) of a disclosure.
#[utoipa::path(get, operation_id = "disclosures_docx", path = "/api/v1/disclosures/{id}/docx", tag = "assessment", params(("id" = i64, Path), ChannelQuery),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = crate::error::Problem)))]
pub(super) async fn disclosure_docx(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ChannelQuery>,
) -> ApiResult<impl IntoResponse> {
    let d = load_disclosure(&st, &auth, id).await?;
    let public = q.channel.as_deref() == Some("public");
    let unit = xuncha_store::assessment::unit(
        &st.db,
        &xuncha_store::scope::Scope::unrestricted(),
        d.round_unit_id,
    )
    .await?;
    let (issuer, _) = issuer(&st, unit.owner_org_id).await?;
    let dto = disclosure_dto(&st, &auth, d).await?;
    let (text, counts, name) = if public {
        (&dto.public_text, &dto.public_counts, "社会公开稿")
    } else {
        (&dto.internal_text, &dto.counts, "党内通报")
    };
    let mut blocks: Vec<Block> = text
        .lines()
        .map(|l| Block::Paragraph(l.to_string()))
        .collect();
    blocks.push(Block::Heading1("附：整改情况统计".into()));
    blocks.push(Block::Table {
        headers: ["项目", "数量"].map(String::from).to_vec(),
        rows: vec![
            vec!["反馈问题（个）".into(), counts.total.to_string()],
            vec!["已完成整改（个）".into(), counts.completed.to_string()],
            vec!["正在整改（个）".into(), counts.in_progress.to_string()],
            vec!["持续整改（个）".into(), counts.long_term.to_string()],
            vec!["整改完成率".into(), counts.completion_rate.clone()],
            vec![
                "问责处理（人）".into(),
                counts.accountability_people.to_string(),
            ],
            vec!["建章立制（项）".into(), counts.rules.to_string()],
            vec!["退缴资金（元）".into(), counts.money_returned_yuan.clone()],
            vec!["挽回损失（元）".into(), counts.loss_recovered_yuan.clone()],
        ],
    });
    if public {
        let rows: Vec<Vec<String>> = dto
            .items
            .iter()
            .filter(|x| x.exemption.is_none())
            .enumerate()
            .map(|(i, x)| vec![(i + 1).to_string(), x.title.clone(), x.state_name.clone()])
            .collect();
        if !rows.is_empty() {
            blocks.push(Block::Table {
                headers: ["序号", "问题", "整改状态"].map(String::from).to_vec(),
                rows,
            });
        }
    }
    let doc = OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: (!public).then(|| "党内文件 注意保存".to_string()),
        title: dto.title.clone(),
        recipient: None,
        blocks,
        signature: Some(issuer),
        date: Some(china_date(st.db.today())),
        copy_to: None,
    };
    docx(name, &doc)
}
