//! The rectification scheduler, run inside `xuncha serve`: early warnings in three colours to
//! the people in charge of each item. Its clock is the server's ([`xuncha_store::Clock`]), so tests
//! move time instead of waiting.
//!
//! Time is cut into periods of `scheduler_interval_secs` on the server's clock, counted from the
//! Unix epoch, and the job runs once per period. With several nodes on one PostgreSQL database,
//! each node polls a few times a period ([`spawn`]); a node runs the job only while it holds the
//! scheduler lease (`xuncha_store::scheduler`, renewed at every poll, one period long) and only
//! when it recorded the period's run first, so each period runs once across the nodes. When the
//! holder dies its lease runs out within a period and another node takes it; a node that stops
//! cleanly gives it up at once.

use std::time::Duration;
use time::OffsetDateTime;
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

/// The lease the scheduler's nodes share.
pub const LEASE: &str = "scheduler";
/// The periodic job, as its runs are recorded.
pub const JOB: &str = "rect.warnings";
/// How long the record of runs is kept.
const KEEP_RUNS: time::Duration = time::Duration::days(30);

/// This process's name as a scheduler node: the host, the process id and a random part, so that
/// no two processes share it (on one machine or several, nor a restarted process its
/// predecessor, whose lease must run out or be given up first).
pub fn node_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "node".to_string());
    let random = crate::crypto::random_bytes::<4>()
        .map(|b| b.iter().map(|x| format!("{x:02x}")).collect::<String>())
        .unwrap_or_default();
    format!("{host}:{}:{random}", std::process::id())
}

/// The start of the period `at` falls in: periods of `period` (at least a second) counted from
/// the Unix epoch, so every node with the same clock and interval cuts time the same way.
pub fn period_start(at: OffsetDateTime, period: Duration) -> OffsetDateTime {
    let len = i64::try_from(period.as_secs()).unwrap_or(i64::MAX).max(1);
    let secs = at.unix_timestamp();
    OffsetDateTime::from_unix_timestamp(secs - secs.rem_euclid(len)).unwrap_or(at)
}

/// How often a node polls: ten times a period, between once a second and twice a minute. The
/// holder renews its lease at every poll; a new period is noticed within a poll.
pub fn poll_every(period: Duration) -> Duration {
    (period / 10).clamp(Duration::from_secs(1), Duration::from_secs(30))
}

/// What one poll of a node did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Another node holds the lease.
    Standby,
    /// This node holds the lease and the current period has run already (here, or on the node
    /// that held the lease before).
    Held,
    /// This node ran the period starting at `period_start`, over `items` items.
    Ran {
        period_start: OffsetDateTime,
        items: usize,
    },
}

/// One poll: takes or renews the lease for one period; while held, runs the current period's job
/// unless its run is recorded already. A run that fails stays recorded as unfinished; the next
/// period's run recomputes everything anyway.
pub async fn step(
    db: &Db,
    mail_to: &Mail,
    node: &str,
    period: Duration,
) -> Result<Step, StoreError> {
    let now = db.now();
    let length = time::Duration::try_from(period).unwrap_or(time::Duration::MINUTE);
    if !xuncha_store::scheduler::take_lease(db, LEASE, node, now + length).await? {
        return Ok(Step::Standby);
    }
    let start = period_start(now, period);
    if !xuncha_store::scheduler::claim_run(db, JOB, start, node).await? {
        return Ok(Step::Held);
    }
    metrics::counter!("xuncha_scheduler_runs_total", "node" => node.to_string()).increment(1);
    let items = tick(db, mail_to).await?;
    xuncha_store::scheduler::finish_run(db, JOB, start, i64::try_from(items).unwrap_or(i64::MAX))
        .await?;
    xuncha_store::scheduler::prune_runs(db, JOB, start - KEEP_RUNS).await?;
    Ok(Step::Ran {
        period_start: start,
        items,
    })
}

/// The scheduler loop of this node, started by [`spawn`].
#[derive(Debug)]
pub struct Scheduler {
    task: tokio::task::JoinHandle<()>,
    db: Db,
    node: String,
}

impl Scheduler {
    /// This node's name in the lease and the record of runs.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Stops the loop and gives the lease up, so another node takes over at its next poll
    /// instead of waiting for the lease to run out.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
        if let Err(e) = xuncha_store::scheduler::release_lease(&self.db, LEASE, &self.node).await {
            tracing::warn!(error = %e, "giving up the scheduler lease");
        }
    }
}

/// Polls every [`poll_every`]`(period)` as `node` and runs the job once per period while this
/// node holds the scheduler lease ([`step`]). Metrics, labelled with the node:
/// `xuncha_scheduler_runs_total` (the runs this node started, each recorded in the store) and
/// `xuncha_scheduler_lease_held` (1 while it holds the lease).
pub fn spawn(db: Db, mail_to: Mail, period: Duration, node: String) -> Scheduler {
    let task = {
        let (db, node) = (db.clone(), node.clone());
        tokio::spawn(async move {
            let mut timer = tokio::time::interval(poll_every(period));
            timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut held = false;
            loop {
                timer.tick().await;
                let now_held = match step(&db, &mail_to, &node, period).await {
                    Ok(Step::Standby) => false,
                    Ok(Step::Held) => true,
                    Ok(Step::Ran {
                        period_start,
                        items,
                    }) => {
                        tracing::debug!(%period_start, items, "rectification scheduler ran");
                        true
                    }
                    Err(e) => {
                        tracing::warn!(error = ?e, "rectification scheduler");
                        held
                    }
                };
                if now_held != held {
                    tracing::info!(node = %node, held = now_held, "scheduler lease");
                    held = now_held;
                }
                metrics::gauge!("xuncha_scheduler_lease_held", "node" => node.clone())
                    .set(if held { 1.0 } else { 0.0 });
            }
        })
    };
    Scheduler { task, db, node }
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
    use super::{SmtpRelay, node_id, period_start, poll_every};
    use std::time::Duration;
    use time::macros::datetime;

    #[test]
    fn periods_are_cut_from_the_epoch_and_polled_ten_times() {
        let p = Duration::from_secs(300);
        let start = period_start(datetime!(2026-11-23 02:07:41.25 UTC), p);
        assert_eq!(start, datetime!(2026-11-23 02:05:00 UTC));
        assert_eq!(period_start(start, p), start);
        assert_eq!(
            period_start(datetime!(2026-11-23 02:09:59.999 UTC), p),
            start
        );
        assert_eq!(poll_every(p), Duration::from_secs(30));
        assert_eq!(poll_every(Duration::from_secs(10)), Duration::from_secs(1));
        assert_eq!(
            poll_every(Duration::from_secs(3600)),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn node_ids_are_unique_per_call() {
        let (a, b) = (node_id(), node_id());
        assert_ne!(a, b);
        assert!(a.contains(&format!(":{}:", std::process::id())), "{a}");
    }

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
