//! Documents of assessment and disclosure: the 整改评估报告 and the 党内通报 / 社会公开稿.

use time::Date;

use super::china_date;
use crate::docx::{Block, OfficialDoc};

/// One indicator's line: name, maximum and deducted points, already formatted.
#[derive(Debug, Clone)]
pub struct IndicatorLine {
    pub name: String,
    pub max: String,
    pub deducted: String,
    pub score: String,
}

/// One deduction: the indicator, the points (formatted) and the reason.
#[derive(Debug, Clone)]
pub struct DeductionLine {
    pub indicator: String,
    pub points: String,
    pub reason: String,
}

/// One group's (or the total's) satisfaction tally.
#[derive(Debug, Clone)]
pub struct TallyLine {
    pub name: String,
    pub responses: i64,
    pub satisfied: i64,
    pub basic: i64,
    pub unsatisfied: i64,
    pub unknown: i64,
    /// The rate as shown (e.g. 71.43%); None without a valid answer.
    pub rate: Option<String>,
}

/// What a 整改评估报告 states.
#[derive(Debug, Clone)]
pub struct AssessmentReport {
    pub round_name: String,
    pub assessed_on: String,
    pub org_name: String,
    pub indicators: Vec<IndicatorLine>,
    pub score: String,
    pub grade_name: String,
    /// Still a draft (评估中): the grade is not yet settled.
    pub draft: bool,
    pub deductions: Vec<DeductionLine>,
    /// The survey's total (`valid` answers) and groups; None when no survey was held.
    pub satisfaction: Option<(TallyLine, i64, Vec<TallyLine>)>,
    pub conclusion: String,
    pub consequences: Vec<String>,
    pub issuer: String,
}

/// 整改评估报告: indicators, deductions, score, grade, satisfaction and consequences.
pub fn assessment_report(d: &AssessmentReport, today: Date) -> OfficialDoc {
    let mut blocks = vec![
        Block::Paragraph(format!(
            "根据{}整改工作安排，于{}对{}党组织巡察整改情况进行了评估。评估采取个别谈话、查阅资料、实地核查、对账销号和满意度测评等方式进行，现将评估情况报告如下。",
            d.round_name, d.assessed_on, d.org_name
        )),
        Block::Heading1("一、评估得分".into()),
        Block::Table {
            headers: ["序号", "评估指标", "分值", "扣分", "得分"]
                .map(String::from)
                .to_vec(),
            rows: d
                .indicators
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    vec![
                        (i + 1).to_string(),
                        x.name.clone(),
                        x.max.clone(),
                        x.deducted.clone(),
                        x.score.clone(),
                    ]
                })
                .collect(),
        },
        Block::Paragraph(format!(
            "综合得分{}分，评定等次为“{}”{}。",
            d.score,
            d.grade_name,
            if d.draft {
                "（评估中，尚未定等）"
            } else {
                ""
            }
        )),
        Block::Heading1("二、扣分情况".into()),
    ];
    if d.deductions.is_empty() {
        blocks.push(Block::Paragraph("无扣分事项。".into()));
    }
    for (i, x) in d.deductions.iter().enumerate() {
        blocks.push(Block::Paragraph(format!(
            "{}．{}：扣{}分。{}",
            i + 1,
            x.indicator,
            x.points,
            x.reason
        )));
    }
    blocks.push(Block::Heading1("三、满意度测评".into()));
    match &d.satisfaction {
        None => blocks.push(Block::Paragraph("未开展满意度测评。".into())),
        Some((s, valid, groups)) => {
            blocks.push(Block::Paragraph(format!(
                "共收回测评表{}份，有效评价{}个（满意{}、基本满意{}、不满意{}，不了解{}不计入），满意度{}。",
                s.responses,
                valid,
                s.satisfied,
                s.basic,
                s.unsatisfied,
                s.unknown,
                s.rate.clone().unwrap_or_else(|| "无有效评价".into())
            )));
            blocks.push(Block::Table {
                headers: [
                    "测评组",
                    "答卷数",
                    "满意",
                    "基本满意",
                    "不满意",
                    "不了解",
                    "满意度",
                ]
                .map(String::from)
                .to_vec(),
                rows: groups
                    .iter()
                    .map(|g| {
                        vec![
                            g.name.clone(),
                            g.responses.to_string(),
                            g.satisfied.to_string(),
                            g.basic.to_string(),
                            g.unsatisfied.to_string(),
                            g.unknown.to_string(),
                            g.rate.clone().unwrap_or_else(|| "—".into()),
                        ]
                    })
                    .collect(),
            });
        }
    }
    blocks.push(Block::Heading1("四、评估结论和结果运用".into()));
    if !d.conclusion.is_empty() {
        blocks.push(Block::Paragraph(d.conclusion.clone()));
    }
    blocks.push(Block::Paragraph(if d.consequences.is_empty() {
        "评估结果纳入年度考核。".to_string()
    } else {
        format!(
            "根据评估等次，{}；评估结果纳入年度考核。",
            d.consequences.join("、")
        )
    }));
    OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: None,
        title: format!("关于{}巡察整改情况的评估报告", d.org_name),
        recipient: None,
        blocks,
        signature: Some(d.issuer.clone()),
        date: Some(china_date(today)),
        copy_to: None,
    }
}

/// The figures a disclosure's table states (already formatted where they are amounts or rates).
#[derive(Debug, Clone)]
pub struct DisclosureFigures {
    pub total: i64,
    pub completed: i64,
    pub in_progress: i64,
    pub long_term: i64,
    pub completion_rate: String,
    pub accountability_people: i64,
    pub rules: i64,
    pub money_returned_yuan: String,
    pub loss_recovered_yuan: String,
}

/// What a disclosure document states: its text (one paragraph a line), the figures and, for the
/// public version, the problems not exempted with their state names.
#[derive(Debug, Clone)]
pub struct DisclosureDoc {
    pub title: String,
    pub public: bool,
    pub text: String,
    pub figures: DisclosureFigures,
    pub items: Vec<(String, String)>,
    pub issuer: String,
}

/// 党内通报 (internal) or 社会公开稿 (public) of a disclosure.
pub fn disclosure(d: &DisclosureDoc, today: Date) -> OfficialDoc {
    let c = &d.figures;
    let mut blocks: Vec<Block> = d
        .text
        .lines()
        .map(|l| Block::Paragraph(l.to_string()))
        .collect();
    blocks.push(Block::Heading1("附：整改情况统计".into()));
    blocks.push(Block::Table {
        headers: ["项目", "数量"].map(String::from).to_vec(),
        rows: vec![
            vec!["反馈问题（个）".into(), c.total.to_string()],
            vec!["已完成整改（个）".into(), c.completed.to_string()],
            vec!["正在整改（个）".into(), c.in_progress.to_string()],
            vec!["持续整改（个）".into(), c.long_term.to_string()],
            vec!["整改完成率".into(), c.completion_rate.clone()],
            vec!["问责处理（人）".into(), c.accountability_people.to_string()],
            vec!["建章立制（项）".into(), c.rules.to_string()],
            vec!["退缴资金（元）".into(), c.money_returned_yuan.clone()],
            vec!["挽回损失（元）".into(), c.loss_recovered_yuan.clone()],
        ],
    });
    if d.public && !d.items.is_empty() {
        blocks.push(Block::Table {
            headers: ["序号", "问题", "整改状态"].map(String::from).to_vec(),
            rows: d
                .items
                .iter()
                .enumerate()
                .map(|(i, (title, state))| vec![(i + 1).to_string(), title.clone(), state.clone()])
                .collect(),
        });
    }
    OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: (!d.public).then(|| "党内文件 注意保存".to_string()),
        title: d.title.clone(),
        recipient: None,
        blocks,
        signature: Some(d.issuer.clone()),
        date: Some(china_date(today)),
        copy_to: None,
    }
}
