//! Fieldwork routes: the methods (12+N).

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct MethodDto {
    pub code: String,
    pub name: String,
    /// `talk` when the records are compartmented.
    pub compartment: Option<String>,
    pub active: bool,
}

/// The fieldwork methods (12+N).
#[utoipa::path(get, operation_id = "fieldwork_methods", path = "/api/v1/fieldwork/methods", tag = "fieldwork", responses((status = 200, body = Vec<MethodDto>)))]
pub(super) async fn methods(
    State(st): State<AppState>,
    Need(_auth, _): Need<InspectionRead>,
) -> ApiResult<axum::Json<Vec<MethodDto>>> {
    Ok(axum::Json(
        fieldwork::methods(&st.db)
            .await?
            .into_iter()
            .map(|m| MethodDto {
                code: m.code,
                name: m.name,
                compartment: m.compartment,
                active: m.active,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MethodSave {
    /// A new code adds a method (the N of 12+N); an existing code renames or (de)activates it.
    pub code: String,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

pub(super) fn yes() -> bool {
    true
}

/// Configures the method list.
#[utoipa::path(put, operation_id = "fieldwork_methods_save", path = "/api/v1/fieldwork/methods", tag = "fieldwork", request_body = MethodSave,
    responses((status = 200, body = Vec<MethodDto>), (status = 422, body = crate::error::Problem)))]
pub(super) async fn save_method(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiJson(b): ApiJson<MethodSave>,
) -> ApiResult<axum::Json<Vec<MethodDto>>> {
    let mut e = Errors::default();
    let code = xuncha_domain::org::parse_code("code", &b.code)
        .map_err(|x| e.push(x))
        .ok();
    let name = required_text("name", &b.name, 50)
        .map_err(|x| e.push(x))
        .ok();
    e.into_result()?;
    let (Some(code), Some(name)) = (code, name) else {
        return Err(ApiError::forbidden());
    };
    let v = fieldwork::save_method(&st.db, &auth.actor, &code, &name, b.active).await?;
    Ok(axum::Json(
        v.into_iter()
            .map(|m| MethodDto {
                code: m.code,
                name: m.name,
                compartment: m.compartment,
                active: m.active,
            })
            .collect(),
    ))
}
