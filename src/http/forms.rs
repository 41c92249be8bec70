//! What the pages do with a refused form, shared by every feature's pages.

use super::{
    Ctx,
    pages::{FormErrors, OrPage, PageError, inline_error},
};
use crate::{error::AppError, i18n::Tr};
use axum::http::StatusCode;

/// A refused form as the page shows it again beside what was typed: the status, the
/// fields' errors and, when no field is named, the message.
pub struct Refused {
    pub status: StatusCode,
    pub errors: FormErrors,
    pub error: Option<String>,
}

/// Nothing refused: the form shown fresh, with 200.
impl Default for Refused {
    fn default() -> Self {
        Refused { status: StatusCode::OK, errors: FormErrors::default(), error: None }
    }
}

/// What a form's error becomes: one the page shows next to the form (`inline_error`) is a
/// `Refused`; any other is the error page.
pub fn refused(ctx: &Ctx, e: AppError) -> Result<Refused, PageError> {
    match inline_error(Tr(ctx.lang), &e) {
        Some((status, message)) => {
            let errors = FormErrors::from_error(&e).unwrap_or_default();
            let error = (!errors.any()).then_some(message);
            Ok(Refused { status, errors, error })
        }
        None => Err(e).or_page(ctx),
    }
}
