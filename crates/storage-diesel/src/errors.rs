//! Translating diesel and pool errors into the ports' error values.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Whether the error is a unique-key violation (an insert conflict).
pub fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Wraps a diesel error with what we were doing.
pub fn unexpected(e: DieselError, doing: &'static str) -> anyhow::Error {
    anyhow::Error::new(e).context(doing)
}

/// The error of a transaction body: a database failure, or a decision to
/// abort with a port error (which rolls the transaction back).
#[derive(Debug)]
pub enum TxError<E> {
    Db(DieselError),
    Abort(E),
}

impl<E> From<DieselError> for TxError<E> {
    fn from(e: DieselError) -> Self {
        Self::Db(e)
    }
}
