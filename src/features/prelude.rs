//! The names nearly every feature's handlers, pages and services use, for
//! `use crate::features::prelude::*;`. Anything rarer stays an explicit import.

pub use crate::{
    access::{
        Identity, OrgScope,
        policy::{Action, Object},
    },
    error::{AppError, AppResult, Problem},
    http::{
        ApiJson, Ctx, ItemPath, OrgPath, created,
        extract::{AccountRequest, OrgItem, OrgPage, OrgRequest, PublicRequest},
        pages::{
            DoneQuery, FormErrors, FormFields, OrPage, PageCtx, PageForm, PageResult, inline_error, render,
            render_status, see_other, with_done,
        },
    },
    i18n::Tr,
    state::AppState,
};
pub use axum::Json;
