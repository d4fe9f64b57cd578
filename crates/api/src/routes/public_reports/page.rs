//! The public page of a channel (`/r/{token}`): one small HTML page and one script, embedded in
//! the binary, no login, no external resource, no framework (it has to load over a slow mobile
//! link inside WeChat's browser). Its texts come from the message catalogue (`public_page.*` and
//! the field labels), filled in when the page is first served.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use xuncha_domain::i18n::CATALOGUES;

const TEMPLATE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("page.js");

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Whether a catalogue key belongs on the page.
fn on_page(key: &str) -> bool {
    key.starts_with("public_page.")
}

/// The page with its texts: `{{key}}` placeholders replaced by the catalogue's text, and the
/// script's texts as a JSON block (data, not code, so the CSP's `script-src 'self'` holds).
pub fn html() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| {
        let mut out = String::with_capacity(TEMPLATE.len() * 2);
        let mut rest = TEMPLATE;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let key = &after[..end];
            if key == "texts" {
                let texts: serde_json::Map<String, serde_json::Value> = CATALOGUES
                    .iter()
                    .flat_map(|c| c.iter())
                    .filter(|(k, _)| on_page(k))
                    .map(|(k, v)| ((*k).to_string(), serde_json::Value::from(*v)))
                    .collect();
                // `</` cannot end the block early.
                out.push_str(
                    &serde_json::Value::Object(texts)
                        .to_string()
                        .replace("</", "<\\/"),
                );
            } else {
                out.push_str(&escape(xuncha_domain::i18n::template(key).unwrap_or(key)));
            }
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        out
    })
}

/// `GET /r/{token}`: the page (the script reads the token from the address).
pub async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html(),
    )
        .into_response()
}

/// `GET /r/page.js`: the page's script.
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_has_every_text_and_stays_small() {
        let page = super::html();
        assert!(!page.contains("{{"), "an unfilled placeholder");
        assert!(page.len() + super::SCRIPT.len() < 150 * 1024);
        assert!(!page.contains("http://") && !page.contains("https://"));
    }
}
