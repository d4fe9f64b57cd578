//! Documents of problem clues: 问题线索报告 and 移交函 (both 机密; the api audits each read).

use time::Date;

use super::{china_date, doc_number};
use crate::docx::{Block, OfficialDoc};

/// One clue as the report states it (decrypted by the caller).
#[derive(Debug, Clone)]
pub struct ClueLine {
    pub subject: String,
    pub post: String,
    pub source: String,
    pub summary: String,
    pub facts: String,
}

/// 问题线索报告: the separate report on clues about key persons found at a unit.
pub fn clue_report(
    org_name: &str,
    clues: &[ClueLine],
    team_name: Option<String>,
    today: Date,
) -> OfficialDoc {
    let mut blocks = vec![Block::Paragraph(format!(
        "巡察组在对{org_name}巡察期间，共受理、发现问题线索{}件，现报告如下。",
        clues.len()
    ))];
    for (i, c) in clues.iter().enumerate() {
        blocks.push(Block::Heading3(format!(
            "{}．关于{}（{}）的问题线索",
            i + 1,
            c.subject,
            c.post
        )));
        blocks.push(Block::Field {
            label: "线索来源".into(),
            value: c.source.clone(),
        });
        blocks.push(Block::Paragraph(format!("{}：{}", c.summary, c.facts)));
        blocks.push(Block::Field {
            label: "处置建议".into(),
            value: "建议移交纪委监委处置".into(),
        });
    }
    OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: Some("机密 ★".into()),
        title: format!("关于对{org_name}巡察发现问题线索的报告"),
        recipient: None,
        blocks,
        signature: team_name,
        date: Some(china_date(today)),
        copy_to: None,
    }
}

/// What a 移交函 states.
#[derive(Debug, Clone)]
pub struct Transfer<'a> {
    pub clue_id: i64,
    pub round_name: &'a str,
    pub org_name: &'a str,
    pub issuer: &'a str,
    pub short: &'a str,
    /// The letter's number when one was given at transfer.
    pub letter_no: Option<String>,
    /// The receiving body; None writes 有关单位.
    pub receiver: Option<String>,
    pub subject: String,
    pub post: String,
    pub summary: String,
    pub facts: String,
    /// The ways of disposing of a clue, by name.
    pub dispositions: Vec<&'a str>,
    pub transferred_on: Option<Date>,
}

/// 移交函: the letter transferring a clue to the receiving body.
pub fn transfer_letter(t: &Transfer<'_>, today: Date) -> OfficialDoc {
    let receiver = t.receiver.clone().unwrap_or_else(|| "有关单位".into());
    OfficialDoc {
        issuer: Some(t.issuer.to_string()),
        doc_number: Some(
            t.letter_no
                .clone()
                .unwrap_or_else(|| doc_number(t.short, "移", today.year(), t.clue_id)),
        ),
        marking: Some("机密 ★".into()),
        title: "关于移交问题线索的函".into(),
        recipient: Some(format!("{receiver}：")),
        blocks: vec![
            Block::Paragraph(format!(
                "{}巡察期间，巡察组发现反映{}{}（{}）的问题线索，经巡察工作领导小组批准，现移交你单位，请按有关规定处置，并于3个月内将处置结果反馈我办。",
                t.round_name, t.org_name, t.subject, t.post
            )),
            Block::Field {
                label: "线索摘要".into(),
                value: t.summary.clone(),
            },
            Block::Field {
                label: "主要问题".into(),
                value: t.facts.clone(),
            },
            Block::Field {
                label: "可采取的处置方式".into(),
                value: t.dispositions.join("、"),
            },
        ],
        signature: Some(t.issuer.to_string()),
        date: Some(china_date(t.transferred_on.unwrap_or(today))),
        copy_to: None,
    }
}
