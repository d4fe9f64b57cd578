//! Fieldwork (the 12+N methods), supervision frames and findings (问题底稿 → 问题清单).

use sqlx::{FromRow, QueryBuilder};
use time::{Date, OffsetDateTime};
use xuncha_domain::DomainError;
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::{FindingId, RoundUnitId};
use xuncha_domain::inspection::{DEFAULT_FRAMES, FindingState};
use xuncha_domain::org::OrgId;

use crate::audit::{Actor, Event};
use crate::db::{Db, Result, StoreError};
use crate::inspection::{RoundUnit, get_unit};
use crate::scope::{Scope, ScopeColumns};
use crate::{Page, PageReq};

mod activities;
mod findings;
mod frames;
mod methods;

pub use self::activities::*;
pub use self::findings::*;
pub use self::frames::*;
pub use self::methods::*;
