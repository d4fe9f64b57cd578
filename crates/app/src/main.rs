//! `xuncha`: the single binary. Wiring only: parse the command line, load the configuration,
//! open the database, call into the api and store crates.

mod config;
mod table;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use xuncha_api::{ApiConfig, AppState};
use xuncha_domain::demo::DemoSize;
use xuncha_service::bootstrap::{self, CreatedAccount};
use xuncha_store::Db;
use xuncha_store::audit::Actor;
use xuncha_store::scope::Scope;

use crate::config::Config;

/// 巡察工作平台 Xuncha: political inspection work from plan to write-off, in one binary.
#[derive(Debug, Parser)]
#[command(name = "xuncha", version)]
struct Cli {
    /// Configuration file (TOML). Default: ./xuncha.toml when present.
    #[arg(long, global = true, env = "XUNCHA_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory (SQLite database, keys, files).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (API + web UI).
    Serve(ServeArgs),
    /// Apply database migrations and create the built-in roles.
    Migrate,
    /// Set up a fresh installation: the root organisation and the three administrators.
    Init(InitArgs),
    /// Fill an empty database with the demo province and print its accounts.
    Demo(DemoArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Import organisations from .xlsx or .csv (all rows or none).
    Import {
        #[arg(value_parser = ["orgs"])]
        what: String,
        file: PathBuf,
    },
    /// Export organisations to .xlsx.
    Export {
        #[arg(value_parser = ["orgs"])]
        what: String,
        file: PathBuf,
    },
    /// Write an online, consistent backup to FILE.
    Backup { file: PathBuf },
    /// Restore a backup made by `xuncha backup` (stop the server first).
    Restore {
        file: PathBuf,
        /// Confirm replacing the current database.
        #[arg(long)]
        yes: bool,
    },
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Print the OpenAPI document.
    Openapi,
    /// Recompute the rectification counters (statistics, dashboards) from the findings.
    RebuildCounters,
    /// The full-text search index of this node.
    #[command(subcommand)]
    Search(SearchCommand),
}

#[derive(Debug, Subcommand)]
enum SearchCommand {
    /// Rebuild this node's index from the database (stop this node's server first).
    Reindex,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Listen address, e.g. 0.0.0.0:8080 (port 0 picks a free port).
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// Fill an empty database with the demo province before serving.
    #[arg(long)]
    demo: bool,
    /// Seed of the demo province.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

#[derive(Debug, Args)]
struct InitArgs {
    #[arg(long)]
    org_code: String,
    #[arg(long)]
    org_name: String,
    /// province, city, county, …
    #[arg(long, default_value = "province")]
    org_kind: String,
}

#[derive(Debug, Args)]
struct DemoArgs {
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Print the accounts as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account with one role.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// Code of the user's organisation.
        #[arg(long)]
        org_code: String,
        /// Role code, e.g. office_director.
        #[arg(long)]
        role: String,
        /// Initial password; a random one is generated and printed when omitted.
        #[arg(long, env = "XUNCHA_NEW_PASSWORD")]
        password: Option<String>,
    },
    /// Reset a password (the user must change it at next login).
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long, env = "XUNCHA_NEW_PASSWORD")]
        password: Option<String>,
    },
    /// Lock an account.
    Lock {
        #[arg(long)]
        username: String,
    },
    /// Unlock an account.
    Unlock {
        #[arg(long)]
        username: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify the hash chain; exits 1 and names the first bad record if it is broken.
    Verify {
        /// Also check a signed checkpoint written by `xuncha audit checkpoint`: a history
        /// rewritten with recomputed hashes no longer matches it.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Sign the chain head with the audit key and write the checkpoint to FILE (JSON); keep it
    /// outside the database server.
    Checkpoint { file: PathBuf },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("错误：{e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    if let Some(d) = &cli.data_dir {
        config.data_dir.clone_from(d);
    }
    init_tracing(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let code = match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            std::process::ExitCode::FAILURE
        }
    };
    // Dropping a runtime waits for every blocking task (an import being parsed, a password
    // being hashed) however long it runs; give them a moment, then exit regardless.
    runtime.shutdown_timeout(RUNTIME_SHUTDOWN);
    code
}

/// After SIGTERM or Ctrl-C: how long requests in flight may still run.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);
/// Then: how long giving up the scheduler lease may take.
const LEASE_RELEASE: std::time::Duration = std::time::Duration::from_millis(500);
/// Then: how long closing the database may take.
const DB_CLOSE: std::time::Duration = std::time::Duration::from_secs(2);
/// Then: how long blocking tasks may take before the process exits anyway.
const RUNTIME_SHUTDOWN: std::time::Duration = std::time::Duration::from_secs(1);

fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&config.log_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open(config: &Config) -> Result<Db> {
    if !config.is_postgres() {
        config::private_dir(&config.data_dir)
            .with_context(|| format!("创建数据目录 {}", config.data_dir.display()))?;
    }
    let db = xuncha_store::connect(&config.database())
        .await
        .context("打开数据库")?
        .with_clock(Arc::new(config.clock()?));
    db.migrate().await.context("数据库迁移")?;
    private_db_files(config)?;
    bootstrap::ensure_reference_data(&db)
        .await
        .context("创建内置角色与基础数据")?;
    Ok(db)
}

/// The SQLite database and its side files are readable by the owner only (0600).
fn private_db_files(config: &Config) -> Result<()> {
    if config.is_postgres() {
        return Ok(());
    }
    let db = PathBuf::from(config.database());
    for file in [
        db.clone(),
        db.with_extension("db-wal"),
        db.with_extension("db-shm"),
    ] {
        if file.exists() {
            config::set_mode(&file, 0o600)?;
        }
    }
    Ok(())
}

/// Refuses to go on when the database holds encrypted data but no key is configured and the
/// key file is missing: generating a new key would leave that data unreadable.
async fn require_field_key(db: &Db, config: &Config) -> Result<()> {
    if !config.has_field_key() && xuncha_store::backup::has_encrypted_data(db).await? {
        bail!(
            "数据库中已有加密数据，但缺少字段加密密钥文件 {}（也未配置 encryption_keys）。为免数据无法解密，不会生成新密钥。请从备份处恢复该密钥文件，或在配置中提供原密钥后再启动。",
            config.field_key_file().display()
        );
    }
    Ok(())
}

/// This node's search index in `<data_dir>/search` (owner-only: it holds the records' text).
fn open_search(config: &Config) -> Result<xuncha_search::Search> {
    let dir = config.search_dir();
    config::private_dir(&dir).with_context(|| format!("创建搜索索引目录 {}", dir.display()))?;
    xuncha_search::Search::open(&dir).map_err(|e| {
        anyhow::anyhow!(
            "打开搜索索引 {}：{e}（若本节点的服务正在运行，请先停止）",
            dir.display()
        )
    })
}

fn state(db: Db, config: &Config) -> Result<AppState> {
    let crypto = xuncha_service::crypto::Crypto::new(&config.keys()?)
        .map_err(|e| anyhow::anyhow!("加密密钥：{e}"))?;
    Ok(AppState {
        db,
        config: Arc::new(ApiConfig {
            secure_cookies: config.secure_cookies,
            trust_forwarded_for: config.trust_forwarded_for,
            totp_issuer: xuncha_domain::i18n::Msg::new("app.name").render(),
            database_url: config.is_postgres().then(|| config.database_url.clone()),
            smtp_url: (!config.smtp_url.trim().is_empty()).then(|| config.smtp_url.clone()),
            smtp_from: config.smtp_from.clone(),
            metrics_token: (!config.metrics_token.trim().is_empty())
                .then(|| config.metrics_token.trim().to_string()),
            audit_key: Some(config.audit_key(true)?),
        }),
        crypto: Arc::new(crypto),
        metrics: xuncha_api::metrics_handle(),
        throttle: Default::default(),
        public_throttle: Default::default(),
        search: open_search(config)?,
    })
}

fn print_accounts(accounts: &[CreatedAccount], json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(accounts)?);
    } else {
        let rows: Vec<Vec<String>> = accounts
            .iter()
            .map(|a| {
                vec![
                    a.username.clone(),
                    a.display_name.clone(),
                    a.role_name.clone(),
                    a.org_name.clone(),
                    a.password.clone(),
                ]
            })
            .collect();
        print!(
            "{}",
            table::render(&["用户名", "姓名", "角色", "所属组织", "密码"], &rows)
        );
    }
    Ok(())
}

async fn run(command: Command, config: Config) -> Result<std::process::ExitCode> {
    use std::process::ExitCode;
    match command {
        Command::Serve(args) => {
            let db = open(&config).await?;
            require_field_key(&db, &config).await?;
            if args.demo && db.is_empty().await? {
                let accounts = bootstrap::seed_demo(&db, args.seed, DemoSize::default()).await?;
                println!("已装入演示省份“江岭省”，演示账号如下（密码相同）：");
                print_accounts(&accounts, false)?;
            } else if db.is_empty().await? {
                println!(
                    "数据库为空。请先运行 `xuncha init --org-code 代码 --org-name 名称` 初始化，或用 `xuncha serve --demo` 装入演示数据。"
                );
            }
            // Keys are read (or, over a database without encrypted data, generated) before
            // listening, so a key problem stops the server before it answers anyone.
            let st = state(db.clone(), &config)?;
            let addr = args.listen.unwrap_or(config.listen);
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("监听 {addr}"))?;
            let local = listener.local_addr()?;
            println!("巡察工作平台已启动：http://{local}/  （接口文档：http://{local}/api/docs/）");
            let scheduler = xuncha_service::scheduler::spawn(
                db.clone(),
                st.config.mail(),
                std::time::Duration::from_secs(config.scheduler_interval_secs.max(10)),
                xuncha_service::scheduler::node_id(),
            );
            tracing::info!(node = scheduler.node(), "scheduler node");
            // Builds the index when it is new, then applies the outbox every half second.
            let search_worker = st.search.spawn_worker(
                db.clone(),
                scheduler.node().to_string(),
                std::time::Duration::from_millis(500),
            );
            // A stop signal ends the server within SHUTDOWN_GRACE + LEASE_RELEASE + DB_CLOSE +
            // RUNTIME_SHUTDOWN (8.5 s), whatever is in flight: slow clients, a long import.
            xuncha_api::serve_with_grace(listener, st, shutdown_signal(), SHUTDOWN_GRACE).await?;
            // Give the scheduler lease up, so another node takes over without waiting it out.
            if tokio::time::timeout(LEASE_RELEASE, scheduler.stop())
                .await
                .is_err()
            {
                tracing::warn!("could not give up the scheduler lease at shutdown");
            }
            search_worker.abort();
            if tokio::time::timeout(DB_CLOSE, db.close()).await.is_err() {
                tracing::warn!("database connections still busy at shutdown; exiting anyway");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            open(&config).await?;
            println!("数据库已迁移到最新版本。");
            Ok(ExitCode::SUCCESS)
        }
        Command::Init(a) => {
            let db = open(&config).await?;
            let accounts = bootstrap::init(&db, &a.org_code, &a.org_name, &a.org_kind).await?;
            println!("初始化完成。三员账号的初始密码只显示这一次，首次登录须修改：");
            print_accounts(&accounts, false)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(a) => {
            let db = open(&config).await?;
            let accounts = bootstrap::seed_demo(&db, a.seed, DemoSize::default()).await?;
            print_accounts(&accounts, a.json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::User(cmd) => user(cmd, &config).await,
        Command::Import { file, .. } => {
            let db = open(&config).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("读取 {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let table = xuncha_office::read_table(&bytes, &name)
                .map_err(|e| anyhow::anyhow!("无法读取文件：{e}"))?;
            let rows = match xuncha_api::routes::orgs::parse_import(&table) {
                Ok(r) => r,
                Err(errors) => return report_rows(&errors),
            };
            match xuncha_store::orgs::import(
                &db,
                &Actor::system("cli"),
                &Scope::unrestricted(),
                &rows,
            )
            .await?
            {
                Ok(n) => {
                    println!("已导入 {n} 个组织。");
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => report_rows(&errors),
            }
        }
        Command::Export { file, .. } => {
            let db = open(&config).await?;
            let orgs = xuncha_store::orgs::export(&db, &Scope::unrestricted(), None).await?;
            let n = orgs.len();
            let bytes =
                xuncha_api::routes::orgs::orgs_workbook(orgs, &std::collections::HashMap::new())?;
            std::fs::write(&file, bytes).with_context(|| format!("写入 {}", file.display()))?;
            println!("已导出 {n} 个组织到 {}。", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::RebuildCounters => {
            let db = open(&config).await?;
            let started = std::time::Instant::now();
            let n = xuncha_store::counters::rebuild(&db).await?;
            println!(
                "整改统计计数已按 {n} 条台账问题重新计算，用时 {:.1} 秒。",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Search(SearchCommand::Reindex) => {
            let db = open(&config).await?;
            let search = open_search(&config)?;
            let started = std::time::Instant::now();
            let n = search
                .rebuild(&db)
                .await
                .map_err(|e| anyhow::anyhow!("重建搜索索引：{e}"))?;
            println!(
                "搜索索引已重建：{n} 条记录，用时 {:.1} 秒。",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { file } => {
            let db = open(&config).await?;
            let url = config.is_postgres().then(|| config.database_url.clone());
            xuncha_store::backup::backup(&db, url.as_deref(), &file).await?;
            config::set_mode(&file, 0o600)?;
            println!("备份已写入 {}。", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file, yes } => {
            if !yes {
                bail!("恢复会覆盖当前数据库。请先停止服务，确认后加 --yes 再运行。");
            }
            if config.is_postgres() {
                xuncha_store::backup::restore_postgres(&file, &config.database_url)?;
            } else {
                config::private_dir(&config.data_dir)?;
                xuncha_store::backup::restore_sqlite(
                    &file,
                    std::path::Path::new(&config.database()),
                )
                .await?;
            }
            println!("已从 {} 恢复。", file.display());
            let db = open(&config).await?;
            if let Err(e) = require_field_key(&db, &config).await {
                eprintln!("警告：{e:#}");
                eprintln!("在恢复密钥之前，`xuncha serve` 将拒绝启动。");
            }
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify { checkpoint }) => {
            // Read the checkpoint and its key first, so a bad file fails before any work.
            let checkpoint = match checkpoint {
                Some(f) => Some((read_checkpoint(&f)?, config.audit_key(false)?)),
                None => None,
            };
            let db = open(&config).await?;
            let report = xuncha_store::audit::verify(&db).await?;
            let r = xuncha_api::routes::audit::verify_result(&report);
            println!("{}", r.message);
            if !r.ok {
                return Ok(ExitCode::FAILURE);
            }
            let Some((cp, key)) = checkpoint else {
                return Ok(ExitCode::SUCCESS);
            };
            let (head_seq, _) = xuncha_store::audit::head(&db).await?;
            let hash_now = xuncha_store::audit::hash_at(&db, cp.seq).await?;
            use xuncha_domain::audit::CheckpointProblem as P;
            match cp.check(&key, head_seq, hash_now.as_deref()) {
                None => {
                    println!("与检查点一致（第{}条，签发于 {}）。", cp.seq, cp.at);
                    Ok(ExitCode::SUCCESS)
                }
                Some(P::BadMac) => {
                    println!("检查点签名无效：检查点文件被改动，或审计密钥不是签发时的密钥。");
                    Ok(ExitCode::FAILURE)
                }
                Some(P::Truncated) => {
                    println!(
                        "审计链只有{head_seq}条记录，已不包含检查点的第{}条：记录被删除或整条链被替换。",
                        cp.seq
                    );
                    Ok(ExitCode::FAILURE)
                }
                Some(P::Rewritten) => {
                    println!(
                        "第{}条审计记录的哈希与检查点不符：该条及之前的审计记录被改写并重新计算了哈希。",
                        cp.seq
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Audit(AuditCommand::Checkpoint { file }) => {
            let key = config.audit_key(true)?;
            let db = open(&config).await?;
            let cp = xuncha_api::routes::audit::sign_head(&db, &key).await?;
            config::write_private(&file, serde_json::to_string_pretty(&cp)?.as_bytes())?;
            println!(
                "已写入审计链检查点（第{}条）到 {}。",
                cp.seq,
                file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi => {
            println!("{}", xuncha_api::openapi().to_pretty_json()?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read_checkpoint(file: &std::path::Path) -> Result<xuncha_domain::audit::Checkpoint> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("读取检查点文件 {}", file.display()))?;
    let cp: xuncha_api::routes::audit::CheckpointDto = serde_json::from_str(&text)
        .with_context(|| format!("检查点文件格式错误：{}", file.display()))?;
    Ok(cp.into())
}

fn report_rows(errors: &[xuncha_store::orgs::RowError]) -> Result<std::process::ExitCode> {
    eprintln!("导入文件有 {} 处错误，未导入任何数据：", errors.len());
    for e in errors {
        eprintln!("  第{}行 {}：{}", e.row, e.column, e.msg.render());
    }
    Ok(std::process::ExitCode::FAILURE)
}

async fn user(cmd: UserCommand, config: &Config) -> Result<std::process::ExitCode> {
    use xuncha_store::accounts;
    let db = open(config).await?;
    let actor = Actor::system("cli");
    let all = Scope::unrestricted();
    let policy = accounts::policy(&db).await?;
    let pick_password = |given: Option<String>, username: &str| -> Result<(String, bool)> {
        match given {
            Some(p) => {
                policy
                    .password
                    .check("password", &p, username)
                    .map_err(|e| anyhow::anyhow!("{}", e.msg.render()))?;
                Ok((p, false))
            }
            None => Ok((
                format!(
                    "{}Aa#1",
                    &xuncha_service::crypto::new_token("").map_err(|e| anyhow::anyhow!("{e}"))?
                        [..16]
                ),
                true,
            )),
        }
    };
    let find = |username: String| {
        let db = db.clone();
        async move {
            accounts::find_by_username(&db, &username)
                .await?
                .map(|(u, _)| u)
                .with_context(|| format!("用户 {username} 不存在"))
        }
    };
    match cmd {
        UserCommand::Create {
            username,
            display_name,
            org_code,
            role,
            password,
        } => {
            let username = xuncha_domain::auth::parse_username("username", &username)
                .map_err(|e| anyhow::anyhow!("{}", e.msg.render()))?;
            let org = xuncha_store::orgs::get_by_code(&db, &all, &org_code)
                .await
                .with_context(|| format!("组织编码 {org_code} 不存在"))?;
            let role = accounts::get_role_by_code(&db, &role)
                .await
                .with_context(|| format!("角色 {role} 不存在"))?;
            let (password, generated) = pick_password(password, &username)?;
            let hash = xuncha_service::crypto::hash_password(password.clone())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let new = accounts::NewUser {
                username: username.clone(),
                display_name,
                org_id: org.id,
                password_hash: hash,
                must_change_password: true,
            };
            let u = accounts::create_user(&db, &actor, &all, &new).await?;
            accounts::set_roles(&db, &actor, &all, u.id, &[role.id], u.version).await?;
            println!("已创建用户 {username}（{}，{}）。", role.name, org.name);
            if generated {
                println!("初始密码：{password}（只显示这一次，首次登录须修改）");
            }
        }
        UserCommand::ResetPassword { username, password } => {
            let u = find(username).await?;
            let (password, generated) = pick_password(password, &u.username)?;
            let hash = xuncha_service::crypto::hash_password(password.clone())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            accounts::set_password(&db, &actor, u.id, &hash, true).await?;
            println!("已重置用户 {} 的密码。", u.username);
            if generated {
                println!("新密码：{password}（只显示这一次，登录后须修改）");
            }
        }
        UserCommand::Lock { username } => {
            let u = find(username).await?;
            accounts::set_locked(&db, &actor, &all, u.id, true).await?;
            println!("已锁定用户 {}。", u.username);
        }
        UserCommand::Unlock { username } => {
            let u = find(username).await?;
            accounts::set_locked(&db, &actor, &all, u.id, false).await?;
            println!("已解锁用户 {}。", u.username);
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
