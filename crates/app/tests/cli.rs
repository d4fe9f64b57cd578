//! The `xuncha` command line, run as a real process on a temp data directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

mod support;

fn xuncha(data: &Path, args: &[&str]) -> Output {
    support::command(data)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run xuncha")
}

/// `xuncha user reset-password` of `username` to `password`.
fn reset_password(data: &Path, username: &str, password: &str) -> Output {
    xuncha(
        data,
        &[
            "user",
            "reset-password",
            "--username",
            username,
            "--password",
            password,
        ],
    )
}

/// `xuncha user create` of `username` (`display` its name) at `org` with `role`.
fn create_user(data: &Path, username: &str, display: &str, org: &str, role: &str) -> Output {
    xuncha(
        data,
        &[
            "user",
            "create",
            "--username",
            username,
            "--display-name",
            display,
            "--org-code",
            org,
            "--role",
            role,
        ],
    )
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn demo_is_deterministic_and_prints_json_accounts() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let ja: serde_json::Value =
        serde_json::from_str(&ok(&xuncha(a.path(), &["demo", "--seed", "5", "--json"]))).unwrap();
    let jb: serde_json::Value =
        serde_json::from_str(&ok(&xuncha(b.path(), &["demo", "--seed", "5", "--json"]))).unwrap();
    assert_eq!(ja, jb);
    let accounts = ja.as_array().unwrap();
    assert!(accounts.iter().any(|x| x["username"] == "prov.director"
        && x["role"] == "office_director"
        && x["password"] == "Xuncha@2026"));
    for role in [
        "sys_admin",
        "sec_admin",
        "audit_admin",
        "office_director",
        "office_staff",
        "leader",
        "discipline",
        "unit_liaison",
    ] {
        assert!(
            accounts.iter().any(|x| x["role"] == role),
            "no demo account for {role}"
        );
    }
    // The counters the demo kept on write can be recomputed from the findings.
    let rebuilt = ok(&xuncha(a.path(), &["rebuild-counters"]));
    assert!(
        rebuilt.contains("整改统计计数已按") && !rebuilt.contains("按 0 条"),
        "{rebuilt}"
    );
    // The search index is rebuilt from the database into the data directory.
    let reindexed = ok(&xuncha(a.path(), &["search", "reindex"]));
    assert!(
        reindexed.contains("搜索索引已重建") && !reindexed.contains("：0 条"),
        "{reindexed}"
    );
    assert!(a.path().join("search").join("meta.json").exists());
    // A second demo on the same database is refused and changes nothing.
    let again = xuncha(a.path(), &["demo"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("空数据库"));
    let table = ok(&xuncha(tempfile::tempdir().unwrap().path(), &["demo"]));
    assert!(table.starts_with("用户名"));
}

#[test]
fn export_import_backup_restore_and_audit_verify() {
    let src = tempfile::tempdir().unwrap();
    ok(&xuncha(src.path(), &["demo", "--seed", "1"]));
    let file = src.path().join("orgs.xlsx");
    let out = ok(&xuncha(
        src.path(),
        &["export", "orgs", file.to_str().unwrap()],
    ));
    assert!(out.contains("已导出"), "{out}");

    // The export re-imports into a fresh installation whose root has the same code.
    let dst = tempfile::tempdir().unwrap();
    let init = ok(&xuncha(
        dst.path(),
        &["init", "--org-code", "ROOT", "--org-name", "测试省"],
    ));
    assert!(init.contains("admin") && init.contains("auditor"));
    // The demo export's root (code 99) has no parent: importing it again under an existing
    // installation works, and a file with a bad row stores nothing.
    let bad = dst.path().join("bad.csv");
    std::fs::write(
        &bad,
        "编码,名称,上级编码,类型\nA1,甲,ROOT,机关部门\nA2,,ROOT,机关部门\nA3,丙,NOPE,机关部门\n",
    )
    .unwrap();
    let out = xuncha(dst.path(), &["import", "orgs", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("第3行 名称") && err.contains("名称不能为空"),
        "{err}"
    );
    let good = dst.path().join("good.csv");
    std::fs::write(&good, "编码,名称,上级编码,类型\nA1,甲,ROOT,机关部门\n").unwrap();
    assert!(
        ok(&xuncha(
            dst.path(),
            &["import", "orgs", good.to_str().unwrap()]
        ))
        .contains("已导入 1 个组织")
    );
    let out = ok(&xuncha(
        dst.path(),
        &["import", "orgs", file.to_str().unwrap()],
    ));
    assert!(out.contains("已导入"), "{out}");

    // Backup, change, restore: the change is gone and the audit chain still verifies.
    let backup = dst.path().join("backup.db");
    ok(&xuncha(dst.path(), &["backup", backup.to_str().unwrap()]));
    ok(&create_user(
        dst.path(),
        "later",
        "后来",
        "A1",
        "office_staff",
    ));
    assert!(
        !xuncha(dst.path(), &["restore", backup.to_str().unwrap()])
            .status
            .success(),
        "restore without --yes"
    );
    ok(&xuncha(
        dst.path(),
        &["restore", backup.to_str().unwrap(), "--yes"],
    ));
    let out = xuncha(dst.path(), &["user", "lock", "--username", "later"]);
    assert!(
        !out.status.success(),
        "user created after the backup survived the restore"
    );
    assert!(ok(&xuncha(dst.path(), &["audit", "verify"])).contains("审计链完整"));
}

#[test]
fn user_commands_and_audit_verify_failure() {
    let d = tempfile::tempdir().unwrap();
    ok(&xuncha(
        d.path(),
        &[
            "init",
            "--org-code",
            "R",
            "--org-name",
            "某市",
            "--org-kind",
            "city",
        ],
    ));
    let out = ok(&create_user(
        d.path(),
        "Zhang.San",
        "张三",
        "R",
        "office_director",
    ));
    assert!(out.contains("初始密码"), "{out}");
    let weak = reset_password(d.path(), "zhang.san", "weak");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("密码长度"));
    ok(&reset_password(d.path(), "zhang.san", "Strong#2026pw"));
    ok(&xuncha(
        d.path(),
        &["user", "lock", "--username", "zhang.san"],
    ));
    ok(&xuncha(
        d.path(),
        &["user", "unlock", "--username", "zhang.san"],
    ));
    assert!(
        !xuncha(d.path(), &["user", "lock", "--username", "nobody"])
            .status
            .success()
    );
    assert!(ok(&xuncha(d.path(), &["audit", "verify"])).contains("审计链完整"));

    // Tamper with the file directly: verify names the record and exits non-zero.
    let db = d.path().join("xuncha.db");
    let status = Command::new("sqlite3")
        .arg(&db)
        .arg("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET summary = 'x' WHERE seq = 4;")
        .status();
    if status.is_ok_and(|s| s.success()) {
        let out = xuncha(d.path(), &["audit", "verify"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("第4条审计记录的内容被修改"));
    }
}

#[test]
fn configuration_rejects_unknown_keys_and_reads_env() {
    let d = tempfile::tempdir().unwrap();
    let cfg = d.path().join("x.toml");
    std::fs::write(&cfg, "listen = \"127.0.0.1:1\"\nunknown_key = 1\n").unwrap();
    let out = xuncha(d.path(), &["--config", cfg.to_str().unwrap(), "migrate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown_key"));
    let mut c = Command::new(env!("CARGO_BIN_EXE_xuncha"));
    c.env("XUNCHA_LISTN", "1")
        .arg("--data-dir")
        .arg(d.path())
        .arg("migrate");
    let out = c.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a misspelt XUNCHA_ variable must fail"
    );
}

/// Runs `xuncha serve` until it says it is listening, then stops it; returns whether it started
/// and what it wrote to stderr when it did not.
fn serve_briefly(data: &Path) -> (bool, String) {
    use std::io::{BufRead, BufReader};
    let mut child = support::command(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let stdout = child.stdout.take().unwrap();
    let started = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|l| l.contains("已启动"));
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    (started, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn sqlite3(db: &Path, sql: &str) {
    let status = Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .status()
        .expect("the sqlite3 command-line tool");
    assert!(status.success(), "sqlite3 {sql}");
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn keys_are_never_regenerated_over_encrypted_data_and_files_are_private() {
    let root = tempfile::tempdir().unwrap();
    let src = root.path().join("src");
    ok(&xuncha(
        &src,
        &["init", "--org-code", "R", "--org-name", "某省"],
    ));
    // First start on an installation without encrypted data: the keys are generated.
    let (started, err) = serve_briefly(&src);
    assert!(started, "{err}");
    let field_key = src.join("keys/field.key");
    assert!(field_key.exists() && src.join("keys/audit.key").exists());
    #[cfg(unix)]
    {
        assert_eq!(mode(&src), 0o700);
        assert_eq!(mode(&src.join("keys")), 0o700);
        assert_eq!(mode(&field_key), 0o600);
        assert_eq!(mode(&src.join("keys/audit.key")), 0o600);
        assert_eq!(mode(&src.join("xuncha.db")), 0o600);
    }
    // Encrypted data appears (a TOTP secret), and a backup is taken.
    sqlite3(
        &src.join("xuncha.db"),
        "UPDATE users SET totp_secret_enc = X'01000102030405060708090a0b0c0d0e0f' WHERE username = 'admin';",
    );
    let backup = root.path().join("backup.db");
    ok(&xuncha(&src, &["backup", backup.to_str().unwrap()]));
    #[cfg(unix)]
    assert_eq!(mode(&backup), 0o600);

    // Restored where the key is missing: restore warns, serve refuses and generates nothing.
    let dst = root.path().join("dst");
    let out = xuncha(&dst, &["restore", backup.to_str().unwrap(), "--yes"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("field.key") && stderr.contains("拒绝启动"),
        "{stderr}"
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&dst), 0o700);
        assert_eq!(mode(&dst.join("xuncha.db")), 0o600);
    }
    let (started, err) = serve_briefly(&dst);
    assert!(!started, "served without the key");
    assert!(
        err.contains("缺少字段加密密钥文件") && err.contains("field.key"),
        "{err}"
    );
    assert!(
        !dst.join("keys/field.key").exists(),
        "a new key was generated"
    );

    // The original installation, its key lost: the same refusal.
    std::fs::copy(&field_key, root.path().join("field.key.saved")).unwrap();
    std::fs::remove_file(&field_key).unwrap();
    let (started, err) = serve_briefly(&src);
    assert!(!started && err.contains("缺少字段加密密钥文件"), "{err}");
    assert!(!field_key.exists());

    // With the key restored next to the restored database, it serves.
    std::fs::create_dir_all(dst.join("keys")).unwrap();
    std::fs::copy(
        root.path().join("field.key.saved"),
        dst.join("keys/field.key"),
    )
    .unwrap();
    let (started, err) = serve_briefly(&dst);
    assert!(started, "{err}");
}

#[test]
fn a_signed_checkpoint_detects_a_rechained_history() {
    let d = tempfile::tempdir().unwrap();
    ok(&xuncha(
        d.path(),
        &["init", "--org-code", "R", "--org-name", "某省"],
    ));
    let cp = d.path().join("cp.json");
    let out = ok(&xuncha(
        d.path(),
        &["audit", "checkpoint", cp.to_str().unwrap()],
    ));
    assert!(out.contains("检查点"), "{out}");
    #[cfg(unix)]
    {
        assert_eq!(mode(&cp), 0o600);
        assert_eq!(mode(&d.path().join("keys/audit.key")), 0o600);
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cp).unwrap()).unwrap();
    let seq = json["seq"].as_i64().unwrap();
    assert!(
        seq >= 3 && json["mac"].as_str().unwrap().len() == 64,
        "{json}"
    );
    // More work after the checkpoint: still consistent.
    ok(&create_user(d.path(), "later", "后来", "R", "office_staff"));
    let out = ok(&xuncha(
        d.path(),
        &["audit", "verify", "--checkpoint", cp.to_str().unwrap()],
    ));
    assert!(
        out.contains("审计链完整") && out.contains("与检查点一致"),
        "{out}"
    );

    // A checkpoint edited to match a forged history fails its MAC.
    let forged = d.path().join("forged.json");
    let mut f = json.clone();
    f["hash"] = serde_json::json!("0".repeat(64));
    std::fs::write(&forged, f.to_string()).unwrap();
    let out = xuncha(
        d.path(),
        &["audit", "verify", "--checkpoint", forged.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("检查点签名无效"));

    // The insider: rewrite record 2 and recompute every later hash and the head.
    let db = d.path().join("xuncha.db");
    let rows = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = xuncha_store::connect(db.to_str().unwrap()).await.unwrap();
        let mut rows = Vec::new();
        for page in 1.. {
            let p = xuncha_store::audit::list(
                &store,
                &xuncha_store::audit::AuditFilter::default(),
                xuncha_store::PageReq::new(Some(page), Some(200)),
            )
            .await
            .unwrap();
            if p.items.is_empty() {
                break;
            }
            rows.extend(p.items);
        }
        store.close().await;
        rows
    });
    let mut rows = rows;
    rows.sort_by_key(|r| r.seq);
    let mut sql = String::from("DROP TRIGGER audit_log_no_update;\n");
    let mut prev = xuncha_domain::audit::GENESIS.to_string();
    for r in &rows {
        let summary = if r.seq == 2 {
            "伪造的摘要".to_string()
        } else {
            r.summary.clone()
        };
        let rec = xuncha_domain::audit::AuditRecord {
            seq: r.seq,
            at: xuncha_store::audit::canonical_at(r.at),
            category: r.category.clone(),
            actor_id: r.actor_id,
            actor_name: r.actor_name.clone(),
            action: r.action.clone(),
            target_type: r.target_type.clone(),
            target_id: r.target_id.clone(),
            summary: summary.clone(),
            ip: r.ip.clone(),
            success: r.success,
        };
        let hash = rec.chain_hash(&prev);
        sql.push_str(&format!(
            "UPDATE audit_log SET summary = '{}', prev_hash = '{prev}', hash = '{hash}' WHERE seq = {};\n",
            summary.replace('\'', "''"),
            r.seq
        ));
        prev = hash;
    }
    sql.push_str(&format!(
        "UPDATE audit_head SET hash = '{prev}' WHERE id = 1;\n"
    ));
    sqlite3(&db, &sql);
    // Plain verification cannot tell; the checkpoint can.
    assert!(ok(&xuncha(d.path(), &["audit", "verify"])).contains("审计链完整"));
    let out = xuncha(
        d.path(),
        &["audit", "verify", "--checkpoint", cp.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("第{seq}条审计记录的哈希与检查点不符")),
        "{stdout}"
    );
    // Without the audit key the checkpoint cannot be checked.
    std::fs::remove_file(d.path().join("keys/audit.key")).unwrap();
    let out = xuncha(
        d.path(),
        &["audit", "verify", "--checkpoint", cp.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("缺少审计密钥文件"));
}
