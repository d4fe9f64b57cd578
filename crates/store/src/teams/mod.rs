//! Teams (巡察组): the talent pools (people) they are formed from, the teams of a round and their
//! members, and recusal (回避) with its exception requests ([`recusal`]).

use sqlx::{FromRow, QueryBuilder};
use time::Date;
use xuncha_domain::DomainError;
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::RoundUnitId;
use xuncha_domain::org::{OrgId, OrgPath};
use xuncha_domain::recusal::{Conflict, Post, Relation, RelationKind, Subject, Target, TeamRole};

use crate::audit::{Actor, Event};
use crate::db::{Db, Result, StoreError, json_list, to_json_list};
use crate::inspection::{OWNER_COLS, RoundUnit};
use crate::scope::{Scope, ScopeColumns};
use crate::{Page, PageReq};

mod members;
mod pools;
pub mod recusal;

pub use self::members::*;
pub use self::pools::*;
