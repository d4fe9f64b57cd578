//! Rectification assessment (整改评估), satisfaction surveys (满意度测评) and the 回头看 list.
//! Disclosure (整改公开) is its own module, [`crate::disclosure`], and reads the round units
//! from here.
//!
//! Visibility: an assessment belongs to a round unit and is visible when the inspected
//! organisation lies in the caller's scope (`o` = the inspected organisation). The public survey
//! read takes no scope: a survey is reached only through its link token (stored as an SM3
//! digest).

use serde_json::{Value, json};
use sqlx::{FromRow, QueryBuilder};
use time::{Date, OffsetDateTime};
use xuncha_domain::DomainError;
use xuncha_domain::assessment::{
    self as rules, Answer, AssessmentState, Consequence, Deduction, GradeBand, Indicator,
    IndicatorMode, Ledger, Tally, Tenths,
};
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::RoundUnitId;
use xuncha_domain::org::OrgId;

use crate::audit::{Actor, Event};
use crate::db::{Db, Result, StoreError};
use crate::scope::{Scope, ScopeColumns};
use crate::{Page, PageReq};

/// Settings key of the rubric (a JSON array of indicators).
pub const INDICATORS_KEY: &str = "assessment.indicators";
/// Settings key of the grade bands (a JSON array).
pub const GRADES_KEY: &str = "assessment.grades";

/// The inspected organisation of the round unit, joined as `o`.
pub(crate) const UNIT_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "o.path",
    org_id: "o.id",
    owner: "o.created_by",
};

pub(crate) fn rule(key: &'static str) -> StoreError {
    StoreError::Domain(DomainError::Rule(Msg::new(key)))
}

mod assessments;
mod revisits;
mod rubric;
mod surveys;

pub use self::assessments::*;
pub use self::revisits::*;
pub use self::rubric::*;
pub use self::surveys::*;

pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: bad JSON"))
}

pub(crate) fn str_of(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

// ---------------------------------------------------------------------------------------------
// Round units as seen by assessment and disclosure

/// A round unit, scoped by its inspected organisation.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct UnitRef {
    pub id: i64,
    pub province_id: Option<i64>,
    pub round_id: i64,
    pub round_name: String,
    pub owner_org_id: OrgId,
    pub org_id: OrgId,
    pub org_name: String,
    pub state: String,
    pub feedback_date: Option<Date>,
    pub rectification_due: Option<Date>,
    pub assessment_id: Option<i64>,
    pub disclosure_id: Option<i64>,
}

const SELECT_UNIT: &str = "SELECT ru.id, ru.province_id, ru.round_id, r.name AS round_name, ru.owner_org_id, ru.org_id, o.name AS org_name, \
     ru.state, ru.feedback_date, ru.rectification_due, (SELECT a.id FROM assessments a WHERE a.round_unit_id = ru.id) AS assessment_id, \
     (SELECT d.id FROM disclosures d WHERE d.round_unit_id = ru.id) AS disclosure_id \
     FROM round_units ru JOIN rounds r ON r.id = ru.round_id JOIN organisations o ON o.id = ru.org_id WHERE 1 = 1";

/// A round unit whose inspected organisation is in scope.
pub async fn unit(db: &Db, scope: &Scope, id: RoundUnitId) -> Result<UnitRef> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_UNIT);
        qb.push(" AND ru.id = ").push_bind(id.get());
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.build_query_as::<UnitRef>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// Round units in rectification (fed back) in scope, for choosing what to assess or disclose.
/// One page of them, latest feedback first, with the total; `q` matches the inspected
/// organisation's name or code, `undisclosed` keeps the units without a disclosure yet.
pub async fn units_in_rectification(
    db: &Db,
    scope: &Scope,
    q: Option<&str>,
    undisclosed: bool,
    page: PageReq,
) -> Result<Page<UnitRef>> {
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            qb.push(" AND ru.feedback_date IS NOT NULL");
            if let Some(q) = q.map(str::trim).filter(|s| !s.is_empty()) {
                let like = format!("%{}%", q.replace(['%', '_'], ""));
                qb.push(" AND (o.name LIKE ").push_bind(like.clone()).push(" OR o.code LIKE ").push_bind(like).push(")");
            }
            if undisclosed {
                qb.push(" AND NOT EXISTS (SELECT 1 FROM disclosures dx WHERE dx.round_unit_id = ru.id)");
            }
            scope.push_filter(qb, UNIT_COLS);
        };
        Ok(crate::page_of!(p, SELECT_UNIT, filter, " ORDER BY ru.feedback_date DESC, ru.id DESC", page, UnitRef))
    })
}

pub(crate) fn check_fed_back(u: &UnitRef) -> Result<()> {
    let fed_back = xuncha_domain::inspection::RoundUnitState::from_code(&u.state)
        .is_some_and(xuncha_domain::inspection::RoundUnitState::is_fed_back);
    if fed_back {
        Ok(())
    } else {
        Err(rule("assessment.unit_not_in_rectification"))
    }
}
