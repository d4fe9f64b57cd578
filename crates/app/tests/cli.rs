//! The `xuncha` command line, run as a real process on a temp data directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn xuncha(data: &Path, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xuncha"));
    // The test environment's own XUNCHA_* variables are not configuration.
    for (k, _) in std::env::vars() {
        if k.starts_with("XUNCHA_") || k == "DATABASE_URL" {
            c.env_remove(k);
        }
    }
    c.arg("--data-dir")
        .arg(data)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run xuncha")
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
    ok(&xuncha(
        dst.path(),
        &[
            "user",
            "create",
            "--username",
            "later",
            "--display-name",
            "后来",
            "--org-code",
            "A1",
            "--role",
            "office_staff",
        ],
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
    let out = ok(&xuncha(
        d.path(),
        &[
            "user",
            "create",
            "--username",
            "Zhang.San",
            "--display-name",
            "张三",
            "--org-code",
            "R",
            "--role",
            "office_director",
        ],
    ));
    assert!(out.contains("初始密码"), "{out}");
    let weak = xuncha(
        d.path(),
        &[
            "user",
            "reset-password",
            "--username",
            "zhang.san",
            "--password",
            "weak",
        ],
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("密码长度"));
    ok(&xuncha(
        d.path(),
        &[
            "user",
            "reset-password",
            "--username",
            "zhang.san",
            "--password",
            "Strong#2026pw",
        ],
    ));
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
