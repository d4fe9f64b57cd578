//! Rectification routes: notifications.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
}

impl From<store::Notification> for NotificationDto {
    fn from(n: store::Notification) -> Self {
        NotificationDto {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            link: n.link,
            created_at: rfc3339(n.created_at),
            read_at: n.read_at.map(rfc3339),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<NotificationDto>,
    pub unread: i64,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    pub unread: Option<bool>,
    pub page: Option<i64>,
    /// 50 unless given (the bell's list).
    pub page_size: Option<i64>,
}

/// One page of the caller's notifications, newest first, with the total and the unread count.
#[utoipa::path(get, operation_id = "notifications", path = "/api/v1/notifications", tag = "notifications", params(NotificationQuery),
    responses((status = 200, body = NotificationList)))]
pub(super) async fn notifications(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> ApiResult<axum::Json<NotificationList>> {
    let page = PageReq::new(q.page, q.page_size.or(Some(50)));
    let (items, unread) =
        store::notifications(&st.db, auth.user.id, q.unread.unwrap_or(false), page).await?;
    Ok(axum::Json(NotificationList {
        total: items.total,
        page: page.page,
        page_size: page.page_size,
        items: items.items.into_iter().map(NotificationDto::from).collect(),
        unread,
    }))
}

#[utoipa::path(post, operation_id = "notification_read", path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 204)))]
pub(super) async fn notification_read(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    store::mark_read(&st.db, auth.user.id, Some(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, operation_id = "notifications_read_all", path = "/api/v1/notifications/read-all", tag = "notifications",
    responses((status = 204)))]
pub(super) async fn notifications_read_all(
    State(st): State<AppState>,
    auth: Auth,
) -> ApiResult<StatusCode> {
    store::mark_read(&st.db, auth.user.id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// Where notifications are e-mailed when the server has an SMTP relay; null for in-app only.
    pub email: Option<String>,
    /// Whether the server sends e-mail at all (read only).
    #[serde(default)]
    pub mail_enabled: bool,
}

#[utoipa::path(get, operation_id = "notification_settings", path = "/api/v1/notifications/settings", tag = "notifications",
    responses((status = 200, body = NotificationSettings)))]
pub(super) async fn get_notification_settings(
    State(st): State<AppState>,
    auth: Auth,
) -> ApiResult<axum::Json<NotificationSettings>> {
    Ok(axum::Json(NotificationSettings {
        email: store::notification_email(&st.db, auth.user.id).await?,
        mail_enabled: st.config.smtp_url.is_some(),
    }))
}

/// Sets (or clears) the caller's own notification e-mail address.
#[utoipa::path(put, operation_id = "notification_settings_save", path = "/api/v1/notifications/settings", tag = "notifications",
    request_body = NotificationSettings, responses((status = 200, body = NotificationSettings), (status = 422, body = crate::error::Problem)))]
pub(super) async fn put_notification_settings(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<NotificationSettings>,
) -> ApiResult<axum::Json<NotificationSettings>> {
    let email = b
        .email
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty());
    if let Some(e) = &email
        && (e.len() > 200 || e.parse::<lettre::Address>().is_err())
    {
        return Err(ApiError::field(
            "email",
            &Msg::new("validation.unknown_value")
                .arg("field", "field.email")
                .arg("value", e)
                .arg("allowed", "name@example.gov.cn"),
        ));
    }
    store::set_notification_email(&st.db, &auth.actor, auth.user.id, email.as_deref()).await?;
    get_notification_settings(State(st), auth).await
}
