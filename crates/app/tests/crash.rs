//! Durability: kill -9 the server while 32 clients write, 20 times over on the same data; after
//! a restart every write the server acknowledged is there, and the audit chain still verifies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

mod support;
use support::{Server, get_json, login};

/// Kill rounds: each starts the server on the same data directory, lets the writers run, and
/// kills it with SIGKILL in the middle of their writes.
const ROUNDS: usize = 20;
/// Concurrent writers per round.
const WRITERS: usize = 32;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut per_round = Vec::new();
    for round in 0..ROUNDS {
        let mut server = Server::start(dir.path(), round == 0).await;
        let base = server.base.clone();
        let (http, _, csrf) = login(&base).await;
        let roots = get_json(&http, &format!("{base}/api/v1/orgs/roots")).await;
        let root = roots[0]["id"].as_i64().unwrap();
        let before = acked.lock().unwrap().len();
        // The writers create organisations as fast as they can; each records what was
        // acknowledged (201), and stops at the first failure (the kill).
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let (http, csrf, base, acked) =
                (http.clone(), csrf.clone(), base.clone(), acked.clone());
            writers.push(tokio::spawn(async move {
                for i in 0.. {
                    let code = format!("CRASH-{round}-{w}-{i}");
                    let res = http
                        .post(format!("{base}/api/v1/orgs"))
                        .header("x-csrf-token", &csrf)
                        .json(&json!({ "parent_id": root, "code": code, "name": format!("压测单位{round}-{w}-{i}"), "kind": "department" }))
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status().as_u16() == 201 => acked.lock().unwrap().push(code),
                        _ => break,
                    }
                }
            }));
        }
        // Vary the moment of the kill so it lands at different points of the writes.
        let ms = 400 + u64::try_from(round).unwrap() * 37 % 500;
        tokio::time::sleep(Duration::from_millis(ms)).await;
        server.kill(); // SIGKILL: no shutdown, no flush.
        for w in writers {
            let _ = w.await;
        }
        per_round.push(acked.lock().unwrap().len() - before);
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        per_round.iter().all(|n| *n >= 1),
        "a round acknowledged nothing before its kill: {per_round:?}"
    );

    // Restart on the same data directory: every acknowledged write is there.
    let mut server2 = Server::start(dir.path(), false).await;
    let base2 = server2.base.clone();
    let (http2, _, _) = login(&base2).await;
    let page = get_json(
        &http2,
        &format!("{base2}/api/v1/orgs?q=CRASH-&page_size=200"),
    )
    .await;
    let mut stored: Vec<String> = Vec::new();
    let total = page["total"].as_i64().unwrap();
    let pages = (total + 199) / 200;
    for p in 1..=pages {
        let page = get_json(
            &http2,
            &format!("{base2}/api/v1/orgs?q=CRASH-&page_size=200&page={p}"),
        )
        .await;
        stored.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["code"].as_str().unwrap().to_string()),
        );
    }
    for code in &acked {
        assert!(
            stored.contains(code),
            "acknowledged {code} is missing after kill -9"
        );
    }
    server2.kill();
    // The audit chain is intact: each acknowledged write committed with its audit record.
    let out = Command::new(env!("CARGO_BIN_EXE_xuncha"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["audit", "verify"])
        .env_remove("XUNCHA_TEST_PG_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    eprintln!(
        "{ROUNDS} kill -9 rounds with {WRITERS} writers: {} acknowledged writes ({per_round:?}), {} stored after restart",
        acked.len(),
        stored.len()
    );
}
