//! Documents of a round at a unit: 巡察通知, 巡察公告, 巡察报告, 中期汇报, 反馈意见, 问题清单,
//! 问题底稿 and 立行立改通知书.

use time::Date;

use super::{Problem, china_date, doc_number, grouped, team_name, to_leading_group};
use crate::docx::{Block, OfficialDoc};

/// The round unit a document is about.
#[derive(Debug, Clone)]
pub struct Unit<'a> {
    pub id: i64,
    pub round_name: &'a str,
    pub org_name: &'a str,
    /// The issuing office and its short name ([`super::issuer`]).
    pub issuer: &'a str,
    pub short: &'a str,
    /// The day the document is dated.
    pub today: Date,
}

/// One way of inspecting with its counts (中期汇报, 巡察报告).
#[derive(Debug, Clone)]
pub struct MethodCount {
    pub name: String,
    pub entries: i64,
    pub persons: i64,
    pub count: i64,
}

/// 巡察通知: sent to the unit about ten days before the team arrives. `team` is a
/// [`super::team_line`].
pub fn notice(u: &Unit<'_>, team: &str, start: Date, end: Date) -> OfficialDoc {
    let (start, end) = (china_date(start), china_date(end));
    OfficialDoc {
        issuer: Some(u.issuer.to_string()),
        doc_number: Some(doc_number(u.short, "办", u.today.year(), u.id)),
        marking: None,
        title: format!("关于对{}开展巡察的通知", u.org_name),
        recipient: Some(format!("{}党组织：", u.org_name)),
        blocks: vec![
            Block::Paragraph(format!("根据{}工作安排，经研究决定，{team}于{start}至{end}对你单位开展巡察（{}）。现将有关事项通知如下。", u.round_name, u.round_name)),
            Block::Heading1("一、巡察任务".into()),
            Block::Paragraph("以“四个落实”为监督重点，深入了解被巡察党组织贯彻落实党的路线方针政策和党中央重大决策部署、落实全面从严治党战略部署、落实新时代党的组织路线、落实巡视巡察和审计等监督发现问题整改情况。".into()),
            Block::Heading1("二、工作安排".into()),
            Block::Paragraph("请你单位于巡察组进驻前准备好工作汇报及有关资料，确定一名联络员，为巡察组提供必要的工作条件。巡察组进驻后召开动员会，并公布联系方式，受理反映你单位领导班子及其成员和下一级主要负责人问题的来信来电来访。".into()),
            Block::Heading1("三、工作要求".into()),
            Block::Paragraph("请你单位严格落实配合巡察工作的要求，如实提供情况，不得隐瞒、拒绝或者提供虚假材料，不得对反映问题的人员进行打击报复。".into()),
        ],
        signature: Some(u.issuer.to_string()),
        date: Some(china_date(u.today)),
        copy_to: Some("巡察组".into()),
    }
}

/// 巡察公告: the public notice posted at the unit, with the channels for reports.
pub fn announcement(u: &Unit<'_>, team: &str, start: Date, end: Date) -> OfficialDoc {
    let (start, end) = (china_date(start), china_date(end));
    OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: None,
        title: "巡察公告".into(),
        recipient: None,
        blocks: vec![
            Block::Paragraph(format!("根据{}统一部署，{team}于{start}至{end}对{}党组织开展巡察。", u.round_name, u.org_name)),
            Block::Paragraph("巡察期间，巡察组主要受理反映被巡察党组织领导班子及其成员、下一级党组织主要负责人和重要岗位领导干部问题的来信来电来访，重点是违反政治纪律、组织纪律、廉洁纪律、群众纪律、工作纪律、生活纪律等方面的问题。其他不属于巡察受理范围的信访问题，将按规定转交有关部门处理。".into()),
            Block::Field { label: "受理方式".into(), value: "来信、来电、来访，以及扫描“码上巡察”二维码反映".into() },
            Block::Field { label: "受理时间".into(), value: format!("{start}至{end}，每天8:00—18:00（来信以邮戳时间为准）") },
            Block::Paragraph("巡察组将严格遵守工作纪律，依规依纪依法保护反映问题人员的合法权益。".into()),
        ],
        signature: Some(u.issuer.to_string()),
        date: Some(china_date(u.today)),
        copy_to: None,
    }
}

/// 巡察报告: basic facts, the problems grouped by frame, and suggestions.
pub fn report(u: &Unit<'_>, team: &str, work: &[MethodCount], problems: &[Problem]) -> OfficialDoc {
    let work: Vec<String> = work
        .iter()
        .map(|m| {
            format!(
                "{}{}次（{}人次，{}件/份）",
                m.name, m.entries, m.persons, m.count
            )
        })
        .collect();
    let mut blocks = vec![
        Block::Heading1("一、巡察工作基本情况".into()),
        Block::Paragraph(format!(
            "按照{}统一部署，{team}对{}党组织开展了巡察。巡察期间，{}。",
            u.round_name,
            u.org_name,
            if work.is_empty() {
                "通过听取汇报、个别谈话、调阅资料等方式开展了解".to_string()
            } else {
                work.join("，")
            }
        )),
        Block::Heading1("二、发现的主要问题".into()),
    ];
    blocks.extend(grouped(problems, false));
    blocks.push(Block::Heading1("三、意见建议".into()));
    blocks.push(Block::Paragraph("建议被巡察党组织切实履行整改主体责任，主要负责人履行第一责任人职责，逐项制定整改措施，明确责任人和整改时限，建立整改台账，确保问题整改到位。".into()));
    OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: Some("内部资料 注意保密".into()),
        title: format!("关于对{}巡察情况的报告", u.org_name),
        recipient: Some(to_leading_group(u.issuer)),
        blocks,
        signature: Some(team_name(team)),
        date: Some(china_date(u.today)),
        copy_to: None,
    }
}

/// 中期汇报: the mid-term report to the leading group: work done so far by method and the
/// problems confirmed so far. `team` is the team's name (the signature), when it has one.
pub fn mid_term(
    u: &Unit<'_>,
    team: &str,
    team_name: Option<String>,
    work: &[MethodCount],
    problems: &[Problem],
) -> OfficialDoc {
    let rows: Vec<Vec<String>> = work
        .iter()
        .map(|m| {
            vec![
                m.name.clone(),
                m.entries.to_string(),
                m.persons.to_string(),
                m.count.to_string(),
            ]
        })
        .collect();
    let mut blocks = vec![
        Block::Heading1("一、前期工作开展情况".into()),
        Block::Paragraph(format!(
            "{team}进驻{}以来，按照巡察工作方案开展了解，情况如下：",
            u.org_name
        )),
        Block::Table {
            headers: ["了解方式", "次数", "人次", "件（份）数"]
                .map(String::from)
                .to_vec(),
            rows,
        },
        Block::Heading1("二、初步发现的问题".into()),
    ];
    blocks.extend(grouped(problems, false));
    blocks.push(Block::Heading1("三、下一步工作安排".into()));
    blocks.push(Block::Paragraph(
        "围绕初步发现的问题深入核实，补充完善问题底稿，按时形成巡察报告。".into(),
    ));
    OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: Some("内部资料 注意保密".into()),
        title: format!("关于对{}巡察的中期汇报", u.org_name),
        recipient: Some(to_leading_group(u.issuer)),
        blocks,
        signature: team_name,
        date: Some(china_date(u.today)),
        copy_to: None,
    }
}

/// 反馈意见: each problem as facts → characterisation → responsibility, suggestions, and the
/// deadline of the rectification report. Dated on the feedback day once there is one.
pub fn feedback(
    u: &Unit<'_>,
    problems: &[Problem],
    rectification_due: Option<Date>,
    feedback_date: Option<Date>,
) -> OfficialDoc {
    let due = rectification_due.map_or_else(
        || "反馈后2个月内".to_string(),
        |d| format!("{}前", china_date(d)),
    );
    let issuer = u.issuer;
    let mut blocks = vec![
        Block::Paragraph(format!("根据{}统一部署，巡察组对你单位党组织开展了巡察。现将巡察发现的问题反馈如下。", u.round_name)),
        Block::Heading1("一、总体评价".into()),
        Block::Paragraph("巡察组认为，你单位党组织能够贯彻落实党中央决策部署和上级党组织工作要求，但在以下方面还存在问题。".into()),
        Block::Heading1("二、发现的主要问题".into()),
    ];
    blocks.extend(grouped(problems, true));
    blocks.push(Block::Heading1("三、整改意见".into()));
    blocks.push(Block::Paragraph(
        "（一）提高政治站位，切实扛起整改主体责任，主要负责人履行第一责任人职责。".into(),
    ));
    blocks.push(Block::Paragraph("（二）对照问题清单建立整改台账，逐项明确整改措施、责任领导、责任部门和整改时限，做到件件有着落、事事有回音。".into()));
    blocks.push(Block::Paragraph(format!(
        "（三）请于{due}将整改情况报告（主要负责人签字）报送{issuer}。"
    )));
    OfficialDoc {
        issuer: Some(issuer.to_string()),
        doc_number: Some(doc_number(u.short, "反", u.today.year(), u.id)),
        marking: None,
        title: format!("关于对{}巡察的反馈意见", u.org_name),
        recipient: Some(format!("{}党组织：", u.org_name)),
        blocks,
        signature: Some(issuer.to_string()),
        date: Some(china_date(feedback_date.unwrap_or(u.today))),
        copy_to: Some("分管领导，纪委监委，组织部".into()),
    }
}

/// 问题清单: the itemised problem list handed to the unit.
pub fn problem_list(org_name: &str, problems: &[Problem], today: Date) -> OfficialDoc {
    let rows = problems
        .iter()
        .enumerate()
        .map(|(i, f)| {
            vec![
                (i + 1).to_string(),
                f.category.clone().unwrap_or_default(),
                f.title.clone(),
                f.facts.clone(),
                f.responsibility.clone(),
            ]
        })
        .collect();
    OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: None,
        title: format!("{org_name}巡察反馈问题清单"),
        recipient: None,
        blocks: vec![Block::Table {
            headers: ["序号", "问题类别", "问题", "具体表现", "责任主体"]
                .map(String::from)
                .to_vec(),
            rows,
        }],
        signature: None,
        date: Some(china_date(today)),
        copy_to: None,
    }
}

/// What a 问题底稿 records of one finding.
#[derive(Debug, Clone, Default)]
pub struct Workpaper {
    pub org_name: String,
    pub round_name: String,
    pub problem: Problem,
    pub evidence: String,
    pub finder: String,
    pub team_opinion: String,
}

/// 问题底稿: one issue per sheet, with facts, basis, evidence, finder and the team meeting's
/// opinion.
pub fn workpaper(w: &Workpaper, today: Date) -> OfficialDoc {
    let field = |label: &str, value: &str| Block::Field {
        label: label.into(),
        value: if value.is_empty() {
            "—".into()
        } else {
            value.into()
        },
    };
    let p = &w.problem;
    OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: Some("内部资料 注意保密".into()),
        title: "问题底稿".into(),
        recipient: None,
        blocks: vec![
            field("被巡察单位", &w.org_name),
            field("巡察轮次", &w.round_name),
            field(
                "问题类别",
                &format!(
                    "{} · {}",
                    p.frame.clone().unwrap_or_default(),
                    p.category.clone().unwrap_or_default()
                ),
            ),
            field("问题标题", &p.title),
            field("事实（时间、地点、人物、数据）", &p.facts),
            field("定性依据", &p.basis),
            field("证据材料", &w.evidence),
            field("责任主体", &p.responsibility),
            field("发现人", &w.finder),
            field("组务会意见", &w.team_opinion),
            field("组长签字", ""),
        ],
        signature: None,
        date: Some(china_date(today)),
        copy_to: None,
    }
}

/// What a 立行立改通知书 states.
#[derive(Debug, Clone)]
pub struct ImmediateFix<'a> {
    pub finding_id: i64,
    pub org_name: &'a str,
    pub title: &'a str,
    pub facts: &'a str,
    pub requirement: &'a str,
    pub deadline: Option<Date>,
    pub short: &'a str,
    pub team_name: Option<String>,
}

/// 立行立改通知书: the issue, the requirement, the deadline and a receipt line.
pub fn immediate_notice(f: &ImmediateFix<'_>, today: Date) -> OfficialDoc {
    OfficialDoc {
        issuer: None,
        doc_number: Some(doc_number(f.short, "立", today.year(), f.finding_id)),
        marking: None,
        title: "立行立改通知书".into(),
        recipient: Some(format!("{}党组织：", f.org_name)),
        blocks: vec![
            Block::Paragraph("巡察组在巡察中发现以下问题，需要立行立改，现通知如下：".into()),
            Block::Field { label: "问题".into(), value: f.title.to_string() },
            Block::Field { label: "具体情况".into(), value: f.facts.to_string() },
            Block::Field { label: "整改要求".into(), value: f.requirement.to_string() },
            Block::Field { label: "完成时限".into(), value: f.deadline.map(china_date).unwrap_or_default() },
            Block::Paragraph("请于完成时限内将整改情况书面报告巡察组。立行立改不代替集中整改，相关问题仍纳入反馈意见和整改台账。".into()),
            Block::Field { label: "签收人".into(), value: "（签字）        年    月    日".into() },
        ],
        signature: f.team_name.clone(),
        date: Some(china_date(today)),
        copy_to: None,
    }
}
