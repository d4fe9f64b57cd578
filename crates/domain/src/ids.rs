//! Typed ids for the records a request can easily mix up.
//!
//! A finding, the round unit it belongs to and the organisation inspected are all `i64` in the
//! database; passing one where another is meant compiles with plain integers and reads the wrong
//! record. These newtypes make that a type error at every store and route signature. They
//! serialise as the bare number (the API and the database are unchanged) and convert to and from
//! `i64` at the edges: `id.get()` to bind a query, `FindingId::from(raw)` to wrap one.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
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
    }
}
