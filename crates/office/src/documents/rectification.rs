//! Documents of rectification: the unit's 整改情况报告 and the office's supervision letters
//! (提醒函 → 督办函 → 约谈 → 通报 → 问责建议函; their text comes from the letter templates).

use time::Date;

use super::china_date;
use crate::docx::{Block, OfficialDoc};

/// The §10 figures a rectification report states.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportFigures {
    pub total: i64,
    pub completed: i64,
    pub completion_rate: f64,
    pub long_term: i64,
    pub overdue: i64,
}

/// One line of the report's item table: the problem, its deadline, state and warning names.
#[derive(Debug, Clone)]
pub struct ReportItem {
    pub title: String,
    pub deadline: String,
    pub state: String,
    pub warning: String,
}

/// What a 整改情况报告 states.
#[derive(Debug, Clone)]
pub struct RectReport<'a> {
    pub title: &'a str,
    /// The committee whose leading group's office receives the report.
    pub office_name: &'a str,
    pub unit_name: &'a str,
    pub content: &'a str,
    /// A 专题民主生活会's date and participants.
    pub meeting: Option<(Date, String)>,
    /// The ledger part (not for a 专题民主生活会 report): figures, items and the outcomes
    /// sentence.
    pub ledger: Option<(ReportFigures, Vec<ReportItem>, String)>,
    pub principal_leader: &'a str,
    pub signed_on: Date,
}

/// The report as a document: the text, then the ledger item by item with status and outcomes,
/// and the principal leader's signature.
pub fn rect_report(r: &RectReport<'_>) -> OfficialDoc {
    let mut blocks: Vec<Block> = Vec::new();
    if let Some((date, participants)) = &r.meeting {
        blocks.push(Block::Field {
            label: "会议时间".into(),
            value: china_date(*date),
        });
        blocks.push(Block::Field {
            label: "参加人员".into(),
            value: participants.clone(),
        });
    }
    blocks.push(Block::Paragraph(r.content.to_string()));
    if let Some((s, items, outcomes)) = &r.ledger {
        blocks.push(Block::Heading1("一、整改总体情况".into()));
        blocks.push(Block::Paragraph(format!(
            "巡察反馈问题{}个，已完成整改{}个，整改完成率{:.2}%；持续整改{}个；逾期{}个。",
            s.total, s.completed, s.completion_rate, s.long_term, s.overdue
        )));
        blocks.push(Block::Heading1("二、逐项整改情况".into()));
        blocks.push(Block::Table {
            headers: ["序号", "问题", "整改时限", "状态", "预警"]
                .map(String::from)
                .to_vec(),
            rows: items
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    vec![
                        (i + 1).to_string(),
                        x.title.clone(),
                        x.deadline.clone(),
                        x.state.clone(),
                        x.warning.clone(),
                    ]
                })
                .collect(),
        });
        blocks.push(Block::Heading1("三、整改成果".into()));
        blocks.push(Block::Paragraph(outcomes.clone()));
    }
    blocks.push(Block::Field {
        label: "主要负责人（签字）".into(),
        value: format!("{}　{}", r.principal_leader, china_date(r.signed_on)),
    });
    OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: Some("内部资料 注意保密".into()),
        title: r.title.to_string(),
        recipient: Some(format!("中共{}委巡察工作领导小组办公室：", r.office_name)),
        blocks,
        signature: Some(r.unit_name.to_string()),
        date: Some(china_date(r.signed_on)),
        copy_to: None,
    }
}

/// One overdue item a letter names.
#[derive(Debug, Clone)]
pub struct LetterItem {
    pub title: String,
    pub deadline: String,
    /// Working days past the deadline.
    pub overdue_days: String,
}

/// The parts of a supervision letter's text (from its template).
#[derive(Debug, Clone)]
pub struct LetterParts<'a> {
    pub title: &'a str,
    pub recipient: &'a str,
    pub opening: &'a str,
    pub details: &'a [String],
    pub heading: &'a str,
    pub closing: &'a [String],
    pub copy_to: Option<&'a str>,
}

/// A supervision letter: the opening, the overdue items, the rung's details, the requirement
/// and the closing, issued by the office under `doc_number`.
pub fn supervision_letter(
    text: &LetterParts<'_>,
    items: &[LetterItem],
    requirement: &str,
    issuer: &str,
    doc_number: &str,
    today: Date,
) -> OfficialDoc {
    let mut blocks = vec![Block::Paragraph(text.opening.to_string())];
    blocks.push(Block::Table {
        headers: ["序号", "问题", "整改时限", "逾期（工作日）"]
            .map(String::from)
            .to_vec(),
        rows: items
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    (i + 1).to_string(),
                    r.title.clone(),
                    r.deadline.clone(),
                    r.overdue_days.clone(),
                ]
            })
            .collect(),
    });
    blocks.extend(text.details.iter().cloned().map(Block::Paragraph));
    blocks.push(Block::Heading1(text.heading.to_string()));
    blocks.push(Block::Paragraph(requirement.to_string()));
    blocks.extend(text.closing.iter().cloned().map(Block::Paragraph));
    OfficialDoc {
        issuer: Some(issuer.to_string()),
        doc_number: Some(doc_number.to_string()),
        marking: None,
        title: text.title.to_string(),
        recipient: Some(text.recipient.to_string()),
        blocks,
        signature: Some(issuer.to_string()),
        date: Some(china_date(today)),
        copy_to: text.copy_to.map(str::to_string),
    }
}

/// A supervision letter's number: 某巡办督〔2026〕3号.
pub fn letter_number(short: &str, year: i32, seq: i64) -> String {
    format!("{short}巡办督〔{year}〕{seq}号")
}
