//! SIGTERM: the real binary stops within 10 s even while a 100,000-row import is in flight and
//! slow clients hold connections open; after a restart the import is there entirely or not at
//! all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

use std::process::Command;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;

mod support;
use support::{Server, get_json, login};

const ROWS: usize = 100_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_stops_the_server_within_10_s_during_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), true).await;
    let (addr, base) = (server.addr().to_string(), server.base.clone());
    let (http, session, csrf) = login(&base).await;
    let roots = get_json(&http, &format!("{base}/api/v1/orgs/roots")).await;
    let root_code = roots[0]["code"].as_str().unwrap().to_string();

    // Slow clients: one stops half-way through its headers, one trickles an import body.
    let mut slow = Vec::new();
    let mut half = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"GET /api/v1/orgs HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    slow.push(half);
    let mut trickle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    trickle
        .write_all(
            format!(
                "POST /api/v1/orgs/import HTTP/1.1\r\nHost: x\r\nCookie: xuncha_session={session}; xuncha_csrf={csrf}\r\n\
                 x-csrf-token: {csrf}\r\nContent-Type: multipart/form-data; boundary=zz\r\nContent-Length: 1000000\r\n\r\n--zz\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    slow.push(trickle);

    // A 100,000-row import in flight.
    let mut csv = String::from("编码,名称,上级编码,类型\n");
    for i in 0..ROWS {
        csv.push_str(&format!("SIGT-{i},停机测试单位{i},{root_code},机关部门\n"));
    }
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("orgs.csv"),
    );
    let import = {
        let (http, base, csrf) = (http.clone(), base.clone(), csrf.clone());
        tokio::spawn(async move {
            http.post(format!("{base}/api/v1/orgs/import"))
                .header("x-csrf-token", &csrf)
                .multipart(form)
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(!import.is_finished(), "the import ended before SIGTERM");

    let sent = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exited = loop {
        if let Some(st) = server.child.try_wait().unwrap() {
            break Some(st);
        }
        if sent.elapsed() > Duration::from_secs(10) {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let took = sent.elapsed();
    if exited.is_none() {
        server.kill();
        panic!("the server was still running 10 s after SIGTERM");
    }
    eprintln!(
        "exited {took:?} after SIGTERM ({:?}); import answered {:?}",
        exited,
        import.await.unwrap()
    );
    drop(slow);

    // All or nothing: restart on the same data and count.
    let mut server2 = Server::start(dir.path(), false).await;
    let base2 = server2.base.clone();
    let (http2, _, _) = login(&base2).await;
    let page = get_json(&http2, &format!("{base2}/api/v1/orgs?q=SIGT-&page_size=1")).await;
    let total = page["total"].as_i64().unwrap();
    server2.kill();
    assert!(
        total == 0 || total == i64::try_from(ROWS).unwrap(),
        "a half-written import: {total} rows"
    );
}
