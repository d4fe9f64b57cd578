//! Rebuilds the store when a migration changes: `sqlx::migrate!` embeds the migration files at
//! compile time, and cargo does not otherwise watch them (a stale binary would refuse a database
//! migrated by a newer one, or apply an old text).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
