//! The wording of official documents (公文, domain.md §11), in one place: each function takes
//! the facts a document states and returns an [`OfficialDoc`] that [`crate::docx::render`]
//! lays out per GB/T 9704. No records are read here; the api gathers the facts.

pub mod assessment;
pub mod clues;
pub mod inspection;
pub mod rectification;

use time::Date;

use crate::docx::Block;
pub use crate::docx::OfficialDoc;

/// 2026年12月4日.
pub fn china_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
}

/// The issuing office of a round's documents (the leading group's office of the committee
/// `owner`) and the one-character short name used in document numbers.
pub fn issuer(owner: &str) -> (String, String) {
    let short: String = owner.chars().next().map(String::from).unwrap_or_default();
    (format!("中共{owner}委巡察工作领导小组办公室"), short)
}

/// A document number: 某巡办〔2026〕12号.
pub fn doc_number(short: &str, kind: &str, year: i32, id: i64) -> String {
    format!("{short}巡{kind}〔{year}〕{id}号")
}

/// How a team is named in documents: 第一巡察组（组长：张三）, or 巡察组 without a team.
pub fn team_line(team: Option<(&str, &str)>) -> String {
    match team {
        None => "巡察组".to_string(),
        Some((name, "")) => name.to_string(),
        Some((name, leader)) => format!("{name}（组长：{leader}）"),
    }
}

/// The team's name alone, from a [`team_line`].
pub fn team_name(line: &str) -> String {
    line.split('（').next().unwrap_or_default().to_string()
}

/// A problem as documents state it.
#[derive(Debug, Clone, Default)]
pub struct Problem {
    pub frame: Option<String>,
    pub category_id: Option<i64>,
    pub category: Option<String>,
    pub title: String,
    pub facts: String,
    pub basis: String,
    pub responsibility: String,
}

/// Problems grouped by frame and category as report sections; `three_part` states each as
/// facts → characterisation → responsibility (反馈意见).
pub fn grouped(problems: &[Problem], three_part: bool) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current_frame: Option<String> = None;
    let numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let mut group = 0usize;
    let mut item = 0usize;
    let mut last_category: Option<Option<i64>> = None;
    for f in problems {
        let frame = f.frame.clone().unwrap_or_else(|| "其他".to_string());
        if current_frame.as_ref() != Some(&frame) {
            current_frame = Some(frame.clone());
            last_category = None;
        }
        if last_category != Some(f.category_id) {
            last_category = Some(f.category_id);
            group += 1;
            item = 0;
            let name = f.category.clone().unwrap_or_else(|| "其他问题".to_string());
            blocks.push(Block::Heading2(format!(
                "（{}）{frame}：{name}",
                numerals.get(group - 1).copied().unwrap_or("十")
            )));
        }
        item += 1;
        blocks.push(Block::Heading3(format!("{item}．{}", f.title)));
        if three_part {
            blocks.push(Block::Paragraph(format!("事实：{}", f.facts)));
            if !f.basis.is_empty() {
                blocks.push(Block::Paragraph(format!(
                    "定性：违反{}的有关规定。",
                    f.basis
                )));
            }
            if !f.responsibility.is_empty() {
                blocks.push(Block::Paragraph(format!(
                    "责任：{}负有责任。",
                    f.responsibility
                )));
            }
        } else {
            blocks.push(Block::Paragraph(f.facts.clone()));
        }
    }
    if blocks.is_empty() {
        blocks.push(Block::Paragraph("（暂无经组务会确认的问题）".into()));
    }
    blocks
}

/// The addressee line of a report to the leading group: the issuer without 办公室.
fn to_leading_group(issuer: &str) -> String {
    format!("{issuer}：").replace("办公室：", "：")
}
