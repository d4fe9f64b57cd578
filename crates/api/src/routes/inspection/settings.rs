//! Inspection settings per office (clue result and rectification report months).

use super::*;
use xuncha_domain::ids::OrgId;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionSettings {
    /// Months a receiving body has to report a transferred clue's result (default 3).
    pub clue_result_months: i64,
    /// Months after feedback within which the rectification report is due (default 2).
    pub rectification_report_months: i64,
    /// Where the values come from (read only; ignored in a save, which always writes the
    /// caller's own office's settings).
    #[serde(default)]
    pub source: Option<crate::routes::office_settings::SettingsSource>,
}

const INSPECTION_KEYS: [&str; 2] = [
    xuncha_store::settings::CLUE_RESULT_MONTHS,
    xuncha_store::settings::RECTIFICATION_REPORT_MONTHS,
];

pub(super) async fn settings_of(
    st: &AppState,
    office: OrgId,
) -> ApiResult<axum::Json<InspectionSettings>> {
    use xuncha_store::settings;
    let g = settings::group(&st.db, office, &INSPECTION_KEYS).await?;
    Ok(axum::Json(InspectionSettings {
        clue_result_months: g.int(
            settings::CLUE_RESULT_MONTHS,
            i64::from(dom::CLUE_RESULT_MONTHS),
        ),
        rectification_report_months: g.int(
            settings::RECTIFICATION_REPORT_MONTHS,
            i64::from(dom::RECTIFICATION_REPORT_MONTHS),
        ),
        source: Some(crate::routes::office_settings::source_dto(&g)),
    }))
}

/// The configurable time limits of inspection work for the caller's office: its own, else
/// inherited from the nearest office above, else the defaults.
#[utoipa::path(get, operation_id = "settings_inspection_get", path = "/api/v1/settings/inspection", tag = "inspection", responses((status = 200, body = InspectionSettings)))]
pub(super) async fn get_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
) -> ApiResult<axum::Json<InspectionSettings>> {
    settings_of(&st, crate::routes::office_settings::office(&auth)).await
}

/// Changes the caller's own office's time limits (1 to 24 months each); a parent's or another
/// office's are never changed.
#[utoipa::path(put, operation_id = "settings_inspection_put", path = "/api/v1/settings/inspection", tag = "inspection", request_body = InspectionSettings,
    responses((status = 200, body = InspectionSettings), (status = 422, body = crate::error::Problem)))]
pub(super) async fn put_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiJson(b): ApiJson<InspectionSettings>,
) -> ApiResult<axum::Json<InspectionSettings>> {
    use xuncha_store::settings;
    let mut e = Errors::default();
    for (field, v) in [
        ("clue_result_months", b.clue_result_months),
        ("rectification_report_months", b.rectification_report_months),
    ] {
        if !(1..=24).contains(&v) {
            e.push(xuncha_domain::FieldError::new(
                field,
                Msg::new("validation.out_of_range")
                    .arg("field", field)
                    .arg("min", 1)
                    .arg("max", 24),
            ));
        }
    }
    e.into_result()?;
    let office = crate::routes::office_settings::office(&auth);
    settings::save_group(
        &st.db,
        &auth.actor,
        office,
        &[
            (
                settings::CLUE_RESULT_MONTHS,
                b.clue_result_months.to_string(),
            ),
            (
                settings::RECTIFICATION_REPORT_MONTHS,
                b.rectification_report_months.to_string(),
            ),
        ],
        None,
        "settings.update",
        &xuncha_domain::i18n::Msg::new("audit.inspection_settings_update")
            .arg("clue_months", b.clue_result_months)
            .arg("report_months", b.rectification_report_months)
            .render(),
    )
    .await?;
    settings_of(&st, office).await
}

/// Drops the caller's office's own time limits (恢复继承): it inherits again.
#[utoipa::path(delete, operation_id = "settings_inspection_inherit", path = "/api/v1/settings/inspection", tag = "inspection",
    responses((status = 200, body = InspectionSettings)))]
pub(super) async fn inherit_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
) -> ApiResult<axum::Json<InspectionSettings>> {
    let office = crate::routes::office_settings::office(&auth);
    xuncha_store::settings::drop_group(
        &st.db,
        &auth.actor,
        office,
        &INSPECTION_KEYS,
        "settings.update",
        &xuncha_domain::i18n::Msg::new("audit.inspection_settings_inherit").render(),
    )
    .await?;
    settings_of(&st, office).await
}
