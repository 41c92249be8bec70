//! Promotion (the section seed 000 gates behind its toggle): for each location the member
//! may promote, its public booking link, a link per service it offers, a QR code of the link
//! (SVG) and the iframe snippet that puts the booking page on the business's own site (the
//! booking page, and it alone, may be framed: `http::Framable`).

mod pages;

use crate::http::routes::{Guard, Routes, get};

pub fn routes() -> Routes {
    Routes::default().page("/promotion", Guard::Org, get(pages::page)).page(
        "/promotion/{id}/qr.svg",
        Guard::Org,
        get(pages::qr),
    )
}
