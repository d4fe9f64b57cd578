//! Typed ids for the records a request can easily mix up.
//!
//! A finding, the round unit it belongs to and the organisation inspected are all `i64` in the
//! database; passing one where another is meant compiles with plain integers and reads the wrong
//! record. These newtypes make that a type error at every store and route signature. They
//! serialise as the bare number (the API and the database are unchanged) and convert to and from
//! `i64` at the edges: `id.get()` to bind a query, `FindingId::from(raw)` to wrap one. With the
//! `sqlx` feature (the store enables it) they also encode and decode as a BIGINT column directly.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize,
            serde::Deserialize,
        )]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(i64);

        impl $name {
            /// Wraps a raw id (also usable in constants).
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            /// The raw id, to bind in a query or compare with a stored column.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                Self(raw)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        /// Compares with a raw stored value (a column read as `i64`, a literal in a test).
        impl PartialEq<i64> for $name {
            fn eq(&self, other: &i64) -> bool {
                self.0 == *other
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A finding (问题), the record every rectification item (整改事项) is.
    FindingId
);
id_type!(
    /// A round unit (巡察对象): one organisation inspected in one round.
    RoundUnitId
);
id_type!(
    /// An organisation (组织) of the tree: an office, a unit inspected, a department.
    OrgId
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::Error;

    #[test]
    fn ids_are_bare_numbers_on_the_wire() {
        let id =
            FindingId::deserialize(IntoDeserializer::<Error>::into_deserializer(42i64)).unwrap();
        assert_eq!(id, FindingId::from(42));
        assert_eq!(id.get(), 42);
        assert_eq!(id.to_string(), "42");
        assert_eq!(i64::from(RoundUnitId::from(7)), 7);
        assert_eq!("23".parse::<OrgId>().unwrap(), OrgId::new(23));
        assert!("x".parse::<OrgId>().is_err());
        assert_eq!(OrgId::new(5), 5);
    }
}
