//! Disclosure routes that build a document: the 党内通报 or 社会公开 (.docx).

#[allow(clippy::wildcard_imports)]
use super::*;
use axum::response::IntoResponse;
use xuncha_domain::i18n::text;
use xuncha_office::documents::assessment::{DisclosureDoc, DisclosureFigures, disclosure};

use crate::routes::documents::{docx, issuer};

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
        (
            &dto.public_text,
            &dto.public_counts,
            text("file.disclosure_public"),
        )
    } else {
        (
            &dto.internal_text,
            &dto.counts,
            text("file.disclosure_internal"),
        )
    };
    let doc = DisclosureDoc {
        title: dto.title.clone(),
        public,
        text: text.clone(),
        figures: DisclosureFigures {
            total: counts.total,
            completed: counts.completed,
            in_progress: counts.in_progress,
            long_term: counts.long_term,
            completion_rate: counts.completion_rate.clone(),
            accountability_people: counts.accountability_people,
            rules: counts.rules,
            money_returned_yuan: counts.money_returned_yuan.clone(),
            loss_recovered_yuan: counts.loss_recovered_yuan.clone(),
        },
        items: dto
            .items
            .iter()
            .filter(|x| x.exemption.is_none())
            .map(|x| (x.title.clone(), x.state_name.clone()))
            .collect(),
        issuer,
    };
    docx(name, &disclosure(&doc, st.db.today()))
}
