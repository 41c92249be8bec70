//! The home page: a greeting, and for whoever sets the business up the first-run checklist
//! (organisation → location → calendar → working hours → service → offered → the booking
//! link to share), each step a link, ticked when done, until all are.

mod checklist;
mod pages;

use crate::http::routes::{Guard, Routes, get};

pub fn routes() -> Routes {
    Routes::default().page("/", Guard::Public, get(pages::home))
}
