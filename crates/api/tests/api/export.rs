//! The ledger export streams: a few thousand items (several chunks of the export's walk) come out
//! whole, each once and in order, with the three lists beside the 台账; on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::Value;

use super::rect::{finance_unit, multipart};
use super::{App, Session, login, pg_app, sqlite_app};

crate::dual!(a_large_export_has_every_row_once);

/// Items imported into the 财政厅 unit: more than two chunks of the walk.
const IMPORTED: usize = 2_600;

const LEADERS: [&str; 3] = ["导出甲", "导出乙", "导出丙"];

fn title(i: usize) -> String {
    format!("第{i:04}项：公务接待未严格执行标准")
}

/// A GET of a download: status, `Content-Length` and the body.
async fn download(s: &Session, path: &str) -> (StatusCode, Option<usize>, Vec<u8>) {
    let res = s.raw_get(path).await;
    let status = res.status();
    let len = res
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, len, res.bytes().await.expect("body").to_vec())
}

async fn total(s: &Session, query: &str) -> usize {
    let (_, page) = s
        .get(&format!("/api/v1/rect/ledger?page_size=1{query}"))
        .await;
    usize::try_from(page["total"].as_i64().unwrap_or_else(|| panic!("{page}"))).unwrap()
}

fn column(t: &xuncha_office::Table, name: &str) -> usize {
    t.column(name)
        .unwrap_or_else(|| panic!("{name} in {:?}", t.headers))
}

async fn a_large_export_has_every_row_once(app: App) {
    let director = login(&app, "prov.director").await;
    let unit: Value = finance_unit(&director).await;
    let uid = unit["id"].as_i64().unwrap();
    let mut csv = String::from("问题,整改措施,责任领导,牵头部门,配合部门,整改时限,整改状态\n");
    for i in 0..IMPORTED {
        csv.push_str(&format!(
            "{},修订接待制度（第{i}项）,{},{},财务处、审计处,2027-06-30,{}\n",
            title(i),
            LEADERS[i % 3],
            ["办公室", "财务处"][i % 2],
            ["正在整改", "已完成", "持续整改"][i % 3],
        ));
    }
    let (st, ok) = multipart(
        &director,
        &format!("/api/v1/rect/units/{uid}/ledger/import"),
        &[],
        &[("台账.csv", csv.as_bytes())],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{ok}");
    assert_eq!(ok["imported"], IMPORTED);

    // One round unit (its rows read and sorted), then everything in scope (the path index).
    let mut exported = Vec::new();
    for (query, want) in [
        (
            format!("round_unit_id={uid}"),
            total(&director, &format!("&round_unit_id={uid}")).await,
        ),
        (String::new(), total(&director, "").await),
    ] {
        let (st, len, xlsx) =
            download(&director, &format!("/api/v1/rect/ledger/export?{query}")).await;
        assert_eq!(st, StatusCode::OK, "{query}");
        assert_eq!(len, Some(xlsx.len()), "a streamed body with its length");
        exported.push(want);
        assert_eq!(
            xuncha_office::sheet_names(&xlsx).unwrap(),
            ["整改台账", "问题清单", "任务清单", "责任清单"]
        );
        let ledger = xuncha_office::read_sheet(&xlsx, "整改台账").unwrap();
        assert_eq!(ledger.rows.len(), want, "{query}: every row");
        let seq: Vec<String> = ledger.rows.iter().map(|(_, r)| r[0].clone()).collect();
        let one_to_n: Vec<String> = (1..=want).map(|i| i.to_string()).collect();
        assert_eq!(seq, one_to_n, "{query}");
        // Every imported item once, in the order imported (the unit's items by id).
        let c = column(&ledger, "问题");
        let imported: Vec<&str> = ledger
            .rows
            .iter()
            .map(|(_, r)| r[c].as_str())
            .filter(|t| t.starts_with('第'))
            .collect();
        let titles: Vec<String> = (0..IMPORTED).map(title).collect();
        assert_eq!(imported, titles, "{query}");
        let problems = xuncha_office::read_sheet(&xlsx, "问题清单").unwrap();
        assert_eq!(problems.rows.len(), want, "{query}");
        let measures: usize = problems
            .rows
            .iter()
            .map(|(_, r)| r[column(&problems, "整改措施数")].parse::<usize>().unwrap())
            .sum();
        assert!(measures >= IMPORTED);
        let tasks = xuncha_office::read_sheet(&xlsx, "任务清单").unwrap();
        assert_eq!(tasks.rows.len(), measures, "{query}: one line per measure");
        let owners = xuncha_office::read_sheet(&xlsx, "责任清单").unwrap();
        let owned: usize = owners
            .rows
            .iter()
            .map(|(_, r)| r[column(&owners, "措施数")].parse::<usize>().unwrap())
            .sum();
        assert_eq!(owned, measures, "{query}");
        let liu = owners
            .rows
            .iter()
            .find(|(_, r)| {
                r[column(&owners, "责任领导")] == "导出甲"
                    && r[column(&owners, "牵头部门")] == "办公室"
            })
            .unwrap_or_else(|| panic!("{:?}", owners.rows));
        // Every sixth import: i % 3 == 0 and i % 2 == 0; all 正在整改, none overdue.
        assert_eq!(
            liu.1[column(&owners, "措施数")],
            (IMPORTED / 6 + 1).to_string()
        );
        assert_eq!(
            liu.1[column(&owners, "未完成数")],
            liu.1[column(&owners, "措施数")]
        );
        let listed = &liu.1[column(&owners, "负责的整改措施")];
        assert!(listed.starts_with(&title(0)), "{listed}");
        assert_eq!(
            listed.lines().count(),
            IMPORTED / 6 + 1,
            "all fit in the cell"
        );
    }
    // Every export is audited: who took the ledger, how many items.
    let auditor = login(&app, "auditor").await;
    let (st, ops) = auditor
        .get("/api/v1/audit/operations?action=rect.ledger.export&page_size=50")
        .await;
    assert_eq!(st, StatusCode::OK, "{ops}");
    let mut summaries: Vec<String> = ops["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{ops}"))
        .iter()
        .map(|o| o["summary"].as_str().unwrap_or_default().to_string())
        .collect();
    summaries.sort();
    let mut want: Vec<String> = exported
        .iter()
        .map(|n| format!("导出整改台账（{n} 个问题）"))
        .collect();
    want.sort();
    assert_eq!(summaries, want);
}
