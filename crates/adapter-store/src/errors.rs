//! Translating diesel and pool errors into the ports' error values.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Whether the error is a unique-key violation (an insert conflict).
pub fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Whether the error says the database went away or did not answer in time
/// rather than that the query was wrong: the connection closed under the
/// query (a restart, a network cut), the command could not be sent, or the
/// server cancelled the statement (`statement_timeout`, an administrator).
/// Such errors are transient: the caller may retry.
pub fn is_unavailable(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => true,
        // PostgreSQL reports cancellations (SQLSTATE 57014, 57P01) as
        // plain database errors; diesel exposes only the message, so this
        // needs the server's messages in English (`lc_messages` C or en_*,
        // the default). In another language such an error stays a 500.
        DieselError::DatabaseError(_, info) => {
            let message = info.message();
            message.starts_with("canceling statement due to")
                || message.starts_with("terminating connection due to")
                || message.contains("server closed the connection unexpectedly")
        }
        DieselError::RollbackErrorOnCommit { commit_error, .. } => is_unavailable(commit_error),
        DieselError::BrokenTransactionManager => true,
        _ => false,
    }
}

/// Wraps a diesel error with what we were doing. A transient failure (see
/// [`is_unavailable`]) is also marked [`hallpass_ports::Unavailable`], so
/// the HTTP layer answers 503 with `Retry-After` instead of 500.
pub fn unexpected(e: DieselError, doing: &'static str) -> anyhow::Error {
    let unavailable = is_unavailable(&e);
    let e = anyhow::Error::new(e).context(doing);
    if unavailable {
        e.context(hallpass_ports::Unavailable)
    } else {
        e
    }
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
