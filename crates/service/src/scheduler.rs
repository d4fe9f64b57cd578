//! The rectification scheduler, run inside `xuncha serve`: early warnings in three colours to
//! the people in charge of each item. Its clock is the server's ([`xuncha_store::Clock`]), so tests
//! move time instead of waiting; with several nodes on one PostgreSQL database a lease in the
//! settings table elects the one node that runs it.

use std::time::Duration;
use xuncha_domain::ids::OrgId;

use xuncha_domain::i18n::Msg;
use xuncha_domain::rectification::Warning;
use xuncha_store::rectification as store;
use xuncha_store::{Db, StoreError};

/// Where notifications are e-mailed from, if anywhere.
#[derive(Debug, Clone, Default)]
pub struct Mail {
    /// SMTP relay (`smtp://host:25`, `smtp://user:pass@host:587`); None keeps notifications
    /// in-app only.
    pub smtp_url: Option<String>,
    /// The sender's address.
    pub smtp_from: String,
}

/// The most items warned about in one run.
const MAX_TARGETS: i64 = 20_000;

/// One run: warns about every open item that is yellow or red today. Sends are idempotent (one
/// notification per item, colour and deadline), so running twice changes nothing. Returns the
/// number of items considered.
pub async fn tick(db: &Db, mail_to: &Mail) -> Result<usize, StoreError> {
    let today = db.today();
    // Each item takes the threshold, calendar and report period of the office running its round.
    let book = store::book(db, OrgId::new(0), today).await?;
    let targets = store::warning_targets(db, book.latest_yellow_until(), MAX_TARGETS).await?;
    for t in &targets {
        let office = book.office(t.owner_org_id);
        let cal = &office.calendar;
        let Some(colour) = office
            .settings
            .warning_policy()
            .colour(t.deadline, today, cal, false)
        else {
            continue;
        };
        let (title, body) = match colour {
            Warning::Red => (
                Msg::new("warning.red_title")
                    .arg("org", &t.org_name)
                    .render(),
                Msg::new("warning.red_body")
                    .arg("title", &t.title)
                    .arg("deadline", t.deadline)
                    .arg("days", cal.working_days_between(t.deadline, today).max(1))
                    .render(),
            ),
            Warning::Yellow => (
                Msg::new("warning.yellow_title")
                    .arg("org", &t.org_name)
                    .render(),
                Msg::new("warning.yellow_body")
                    .arg("title", &t.title)
                    .arg("deadline", t.deadline)
                    .arg("days", cal.working_days_between(today, t.deadline).max(0))
                    .render(),
            ),
            Warning::Green => continue,
        };
        store::send_warning(db, t, colour.code(), title, body).await?;
    }
    // Long-term items report every `long_term_report_months` of their office (quarterly by
    // default).
    let months_of = |s: &xuncha_domain::rectification::RectSettings| {
        u8::try_from(s.long_term_report_months.clamp(1, 12)).unwrap_or(3)
    };
    let before_of = |months: u8| today - time::Duration::days(i64::from(months) * 30);
    let latest_before = book
        .offices()
        .map(|(_, o)| before_of(months_of(&o.settings)))
        .fold(before_of(months_of(&book.own.settings)), time::Date::max);
    for t in store::long_term_due(db, latest_before, MAX_TARGETS).await? {
        let months = months_of(&book.office(t.owner_org_id).settings);
        if t.deadline > before_of(months) {
            continue;
        }
        let period = format!(
            "{}-{}",
            today.year(),
            (u8::from(today.month()) - 1) / months
        );
        store::send_long_term_reminder(db, &t, &period).await?;
    }
    if let Some(url) = &mail_to.smtp_url {
        mail(db, url, &mail_to.smtp_from).await?;
    }
    Ok(targets.len())
}

/// E-mails notifications of the last week to users who gave an address, through the configured
/// SMTP relay. A failed send is logged and retried on the next run.
async fn mail(db: &Db, url: &str, smtp_from: &str) -> Result<usize, StoreError> {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let Some(relay) = SmtpRelay::parse(url) else {
        tracing::warn!("smtp_url is not smtp://[user:password@]host[:port]");
        return Ok(0);
    };
    // Intranet relays are plain SMTP; TLS is left to the relay or a local stunnel.
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(relay.host)
        .port(relay.port)
        .timeout(Some(Duration::from_secs(20)));
    if let Some((user, password)) = relay.credentials {
        builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
            user, password,
        ));
    }
    let transport = builder.build();
    let from = match smtp_from.parse::<lettre::Address>() {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e, "smtp_from is not an address");
            return Ok(0);
        }
    };
    let since = db.now() - time::Duration::days(7);
    let pending = store::unmailed(db, since, 500).await?;
    let mut sent = Vec::new();
    for n in &pending {
        let Ok(to) = n.email.parse::<lettre::Address>() else {
            tracing::warn!(email = %n.email, "not an e-mail address");
            continue;
        };
        let msg = Message::builder()
            .from(lettre::message::Mailbox::new(
                Some(Msg::new("app.name").render()),
                from.clone(),
            ))
            .to(lettre::message::Mailbox::new(
                Some(n.display_name.clone()),
                to,
            ))
            .subject(&n.title)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(
                Msg::new("mail.body")
                    .arg("title", &n.title)
                    .arg("body", &n.body)
                    .render(),
            );
        let Ok(msg) = msg else { continue };
        match transport.send(msg).await {
            Ok(_) => sent.push(n.id),
            Err(e) => {
                tracing::warn!(error = %e, "sending a notification e-mail failed");
                break;
            }
        }
    }
    store::mark_mailed(db, &sent).await?;
    Ok(sent.len())
}

/// Runs [`tick`] every `interval` while this node holds the scheduler lease.
pub fn spawn(db: Db, mail_to: Mail, interval: Duration) -> tokio::task::JoinHandle<()> {
    let holder = format!("{}-{}", std::process::id(), db.now().unix_timestamp());
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(interval);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            let now = db.now().unix_timestamp();
            let ttl = i64::try_from(interval.as_secs())
                .unwrap_or(300)
                .saturating_mul(3);
            match xuncha_store::settings::take_lease(&db, "scheduler.lease", &holder, now, ttl)
                .await
            {
                Ok(true) => {
                    if let Err(e) = tick(&db, &mail_to).await {
                        tracing::warn!(error = ?e, "rectification scheduler run failed");
                    }
                }
                Ok(false) => tracing::debug!("another node holds the scheduler lease"),
                Err(e) => tracing::warn!(error = %e, "scheduler lease"),
            }
        }
    })
}

/// `smtp://[user:password@]host[:port]`.
#[derive(Debug, PartialEq, Eq)]
struct SmtpRelay {
    host: String,
    port: u16,
    credentials: Option<(String, String)>,
}

impl SmtpRelay {
    fn parse(url: &str) -> Option<SmtpRelay> {
        let rest = url.trim().strip_prefix("smtp://")?;
        let rest = rest.trim_end_matches('/');
        let (auth, hostport) = match rest.rsplit_once('@') {
            Some((a, h)) => (Some(a), h),
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (hostport, 25),
        };
        if host.is_empty() {
            return None;
        }
        let credentials = match auth {
            Some(a) => {
                let (u, p) = a.split_once(':')?;
                Some((u.to_string(), p.to_string()))
            }
            None => None,
        };
        Some(SmtpRelay {
            host: host.to_string(),
            port,
            credentials,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::SmtpRelay;

    #[test]
    fn smtp_urls_parse() {
        assert_eq!(
            SmtpRelay::parse("smtp://mail.example.gov.cn"),
            Some(SmtpRelay {
                host: "mail.example.gov.cn".into(),
                port: 25,
                credentials: None
            })
        );
        assert_eq!(
            SmtpRelay::parse("smtp://u:p@10.0.0.5:587/").map(|r| (r.port, r.credentials)),
            Some((587, Some(("u".into(), "p".into()))))
        );
        assert_eq!(SmtpRelay::parse("http://x"), None);
        assert_eq!(SmtpRelay::parse("smtp://:25"), None);
    }
}
