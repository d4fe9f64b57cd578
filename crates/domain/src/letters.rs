//! Escalation letters (督办函件, domain.md §6.4 and §12): each rung of the ladder has its own
//! template and addressee, decided here from the rung's code, and a letter can be withdrawn.
//!
//! The ladder itself (codes, names, overdue days) is configured in the rectification settings
//! (`rectification::LetterRung`); nothing about templates is stored there. A rung whose code is not
//! one of the five built-in codes (a custom rung) uses the reminder's template and addressee.
//!
//! Addressees (主送):
//! - 提醒函 / 督办函 / 通报: the inspected unit's party organisation;
//! - 约谈通知: the unit's principal leader, through the unit;
//! - 问责建议函: the body that holds accountability — the 纪委监委 at the level of the office that
//!   runs the round, never the unit. domain.md §1 and §7 give discipline matters to the 纪委监委
//!   and cadre matters to the 组织部; accountability for failing the rectification duty (问责 under
//!   the 问责条例) is proposed to and decided by the discipline body, which also holds the
//!   监督责任 over rectification (§2, glossary 主体责任 / 监督责任). The 组织部 gets a copy (抄送)
//!   because any 组织处理 of the cadres follows from it.
//!
//! The document wording is Chinese text of an official document (not a user-interface message),
//! so it is written here rather than in the message catalogue.

use crate::DomainError;
use crate::code::code_enum;
use crate::i18n::Msg;

/// Who a rung's letter is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressee {
    /// The inspected unit (its party organisation, or its principal leader through it).
    Unit,
    /// The 纪委监委 at the level of the office that runs the round.
    Discipline,
}

/// A letter's template, one per built-in rung.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    Reminder,
    Supervision,
    Admonition,
    Circular,
    Accountability,
}

impl Template {
    /// The template of a rung code; an unknown (custom) code falls back to the reminder's.
    pub fn for_code(code: &str) -> Self {
        match code {
            "supervision" => Template::Supervision,
            "admonition" => Template::Admonition,
            "circular" => Template::Circular,
            "accountability" => Template::Accountability,
            _ => Template::Reminder,
        }
    }

    pub fn addressee(self) -> Addressee {
        match self {
            Template::Accountability => Addressee::Discipline,
            _ => Addressee::Unit,
        }
    }

    /// The wording of the letter.
    pub fn text(self, i: &LetterInput<'_>) -> LetterText {
        let unit = i.unit_name;
        let rung = i.rung_name;
        let office = i.office_name;
        let deadline = i.new_deadline;
        let mut details = Vec::new();
        let (title, opening, heading, closing, copy_to) = match self {
            Template::Reminder => (
                format!("关于提醒{unit}加快巡察整改进度的{rung}"),
                "根据巡察反馈意见和你单位整改方案，下列问题已超过整改时限尚未完成整改。现予以提醒，请你单位高度重视，切实履行整改主体责任，加快整改进度。".to_string(),
                "整改要求",
                vec![deadline.map_or_else(
                    || "请抓紧整改，并及时将整改情况书面报送我办。".to_string(),
                    |d| format!("请于{d}前将整改情况书面报送我办。"),
                )],
                None,
            ),
            Template::Supervision => (
                format!("关于督促{unit}限期完成巡察整改的{rung}"),
                "根据巡察反馈意见和你单位整改方案，下列问题已超过整改时限，经提醒仍未完成整改。现对下列问题予以督办，请你单位党组织主要负责人亲自研究部署，明确责任、限期整改。".to_string(),
                "督办要求",
                vec![deadline.map_or_else(
                    || "请在规定时限内将督办事项落实情况书面报告我办，未完成的须说明原因。".to_string(),
                    |d| format!("请于{d}前将督办事项落实情况书面报告我办，未完成的须说明原因。"),
                )],
                Some(format!("中共{office}委巡察工作领导小组成员")),
            ),
            Template::Admonition => {
                details.push(format!(
                    "一、约谈对象：{unit}党组织主要负责人（分管领导和有关部门负责人一并参加）。"
                ));
                details.push(format!(
                    "二、约谈时间：{}。",
                    i.talk_time.unwrap_or("另行通知")
                ));
                details.push(format!(
                    "三、约谈地点：{}。",
                    i.talk_place.unwrap_or("另行通知")
                ));
                details.push(
                    "四、请约谈对象准备问题未按期整改的原因说明和下一步整改措施，当面汇报。"
                        .to_string(),
                );
                (
                    format!("关于约谈{unit}主要负责人的{rung}"),
                    "你单位下列巡察反馈问题经提醒、督办，仍未按期完成整改。经研究，决定对你单位党组织主要负责人进行整改约谈。现将有关事项通知如下：".to_string(),
                    "约谈要求",
                    vec![deadline.map_or_else(
                        || "约谈后，请将整改情况书面报送我办。".to_string(),
                        |d| format!("约谈后，请于{d}前将整改情况书面报送我办。"),
                    )],
                    Some(format!("中共{office}委巡察工作领导小组成员")),
                )
            }
            Template::Circular => (
                format!("关于{unit}巡察整改问题逾期未改情况的{rung}"),
                format!(
                    "{unit}对巡察反馈的下列问题，经提醒、督办、约谈后仍未按期完成整改，整改主体责任落实不到位。经中共{office}委巡察工作领导小组同意，现予以通报。"
                ),
                "整改要求",
                vec![
                    deadline.map_or_else(
                        || format!("{unit}须抓紧完成整改，并将整改情况书面报送我办。"),
                        |d| format!("{unit}须于{d}前完成整改，并将整改情况书面报送我办。"),
                    ),
                    "各单位要引以为戒、举一反三，认真落实巡察整改主体责任。".to_string(),
                ],
                Some(format!(
                    "中共{office}委巡察工作领导小组成员，{office}所辖各级党组织"
                )),
            ),
            Template::Accountability => (
                format!("关于{unit}巡察整改不力的{rung}"),
                format!(
                    "{unit}对巡察反馈的下列问题，经我办提醒、督办、约谈和通报，至今仍未完成整改，整改主体责任落实不力。根据《中国共产党问责条例》和巡察整改工作有关规定，建议对{unit}党组织及有关责任人员依规依纪依法进行问责。"
                ),
                "问责建议",
                vec![deadline.map_or_else(
                    || "请将处理结果函告我办。".to_string(),
                    |d| format!("请于{d}前将处理结果函告我办。"),
                )],
                i.org_dept_name.map(str::to_string),
            ),
        };
        LetterText {
            title,
            recipient: format!("{}：", i.addressee_name),
            opening,
            details,
            heading: heading.to_string(),
            closing,
            copy_to,
        }
    }
}

/// What the wording of a letter names.
#[derive(Debug, Clone, Default)]
pub struct LetterInput<'a> {
    /// The rung's configured name (提醒函, 督办函, …).
    pub rung_name: &'a str,
    /// The inspected unit.
    pub unit_name: &'a str,
    /// The organisation whose office runs the round (江岭省, 江岭市, …).
    pub office_name: &'a str,
    /// The addressee (主送) as written in the salutation.
    pub addressee_name: &'a str,
    /// The new deadline, written as a Chinese date.
    pub new_deadline: Option<&'a str>,
    /// 约谈通知: when and where the talk takes place (另行通知 when not given).
    pub talk_time: Option<&'a str>,
    pub talk_place: Option<&'a str>,
    /// 问责建议函: the 组织部 at the office's level, copied.
    pub org_dept_name: Option<&'a str>,
}

/// The wording of a letter: title, salutation, the paragraph before the list of overdue items,
/// the paragraphs after it, the requirement's heading, the closing paragraphs and 抄送.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterText {
    pub title: String,
    pub recipient: String,
    pub opening: String,
    pub details: Vec<String>,
    pub heading: String,
    pub closing: Vec<String>,
    pub copy_to: Option<String>,
}

/// Whether a department's name marks it as a discipline commission (纪委监委).
pub fn is_discipline_name(name: &str) -> bool {
    ["纪委", "监委", "纪律检查委员会", "监察委员会"]
        .iter()
        .any(|k| name.contains(k))
}

/// Whether a department's name marks it as an organisation department (组织部).
pub fn is_org_dept_name(name: &str) -> bool {
    name.contains("组织部")
}

code_enum!(
    /// An issued letter stays issued or is withdrawn (its number is kept).
    LetterState, "letter_state.", {
        Issued => "issued",
        Withdrawn => "withdrawn",
    }
);

impl LetterState {
    /// Only an issued letter can be withdrawn.
    pub fn check_withdraw(self) -> Result<(), DomainError> {
        match self {
            LetterState::Issued => Ok(()),
            LetterState::Withdrawn => Err(DomainError::Rule(Msg::new("letter.already_withdrawn"))),
        }
    }

    /// Whether the letter counts as issued for the ladder.
    pub fn counts(self) -> bool {
        self == LetterState::Issued
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(addressee: &'a str) -> LetterInput<'a> {
        LetterInput {
            rung_name: "x",
            unit_name: "江岭省财政厅",
            office_name: "江岭省",
            addressee_name: addressee,
            new_deadline: Some("2027年1月31日"),
            talk_time: None,
            talk_place: None,
            org_dept_name: Some("江岭省组织部"),
        }
    }

    #[test]
    fn templates_and_addressees_by_code() {
        assert_eq!(Template::for_code("reminder"), Template::Reminder);
        assert_eq!(Template::for_code("my_custom"), Template::Reminder);
        assert_eq!(
            Template::for_code("accountability").addressee(),
            Addressee::Discipline
        );
        for c in [
            "reminder",
            "supervision",
            "admonition",
            "circular",
            "custom",
        ] {
            assert_eq!(Template::for_code(c).addressee(), Addressee::Unit, "{c}");
        }
    }

    #[test]
    fn each_template_has_its_own_wording() {
        let all = [
            Template::Reminder,
            Template::Supervision,
            Template::Admonition,
            Template::Circular,
            Template::Accountability,
        ];
        let texts: Vec<LetterText> = all.iter().map(|t| t.text(&input("收件人"))).collect();
        for (i, a) in texts.iter().enumerate() {
            assert_eq!(a.recipient, "收件人：");
            assert!(
                a.closing.iter().any(|p| p.contains("2027年1月31日")),
                "{a:?}"
            );
            for b in &texts[i + 1..] {
                assert_ne!(a.title, b.title);
                assert_ne!(a.opening, b.opening);
            }
        }
        let acc = &texts[4];
        assert!(acc.opening.contains("问责"));
        assert_eq!(acc.copy_to.as_deref(), Some("江岭省组织部"));
        let talk = &texts[2];
        assert!(
            talk.details
                .iter()
                .any(|d| d.contains("约谈时间：另行通知"))
        );
        let circular = &texts[3];
        assert!(circular.copy_to.as_deref().unwrap().contains("所辖"));
    }

    #[test]
    fn withdraw_once() {
        assert!(LetterState::Issued.check_withdraw().is_ok());
        assert!(matches!(
            LetterState::Withdrawn.check_withdraw(),
            Err(DomainError::Rule(_))
        ));
        assert!(!LetterState::Withdrawn.counts());
        assert!(is_discipline_name("江岭省纪委监委"));
        assert!(!is_discipline_name("江岭省组织部"));
        assert!(is_org_dept_name("江岭省组织部"));
    }
}
