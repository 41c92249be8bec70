//! Booking notifications: the client and the staff member whose calendar it is hear of
//! bookings, moves and cancellations, by email queued in the change's transaction.

use crate::{
    app::AppState,
    error::AppResult,
    i18n::Tr,
    jobs::{mail::compose, outbox},
};
use jiff::{Timestamp, tz::TimeZone};

#[derive(sqlx::FromRow)]
struct Recipient {
    email: Option<String>,
    first_name: String,
    language: Option<String>,
    start_at: i64,
    time_zone: String,
    calendar_name: String,
    staff_email: Option<String>,
    staff_language: Option<String>,
}

/// Mail the client (and the staff member whose calendar it is) about a booking change,
/// inside the change's transaction. `kind`: "booked", "moved" or "cancelled".
pub async fn notify(
    tx: &mut crate::db::Tx,
    state: &AppState,
    now: i64,
    org_id: &str,
    booking_id: &str,
    kind: &str,
    manage_token: Option<&str>,
) -> AppResult<()> {
    let r: Option<Recipient> = sqlx::query_as(
        "SELECT c.email, c.first_name, c.language, b.start_at, l.time_zone, k.name AS calendar_name, \
                a.email AS staff_email, a.language AS staff_language \
         FROM bookings b JOIN clients c ON c.id = b.client_id JOIN locations l ON l.id = b.location_id \
         JOIN calendars k ON k.id = b.calendar_id LEFT JOIN memberships m ON m.id = k.member_id AND m.status = 'active' \
         LEFT JOIN accounts a ON a.id = m.account_id WHERE b.id = $1",
    )
    .bind(booking_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = r else { return Ok(()) };
    let tz = TimeZone::get(&r.time_zone).unwrap_or(TimeZone::UTC);
    let when = Timestamp::from_millisecond(r.start_at)
        .map(|t| t.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    if kind != "booked"
        && let Some(email) = r.email.as_deref().filter(|e| !e.is_empty())
    {
        let t = Tr(r.language.as_deref().and_then(crate::types::Lang::from_code).unwrap_or_default());
        let link = manage_token.map(|tok| format!("{}/manage/{tok}", state.config.base_url));
        let mail = compose(
            email,
            &t.fmt(&format!("mail.{kind}.subject"), &[("when", &when)]),
            &[t.fmt(
                &format!("mail.{kind}.body"),
                &[("name", &r.first_name), ("when", &when), ("with", &r.calendar_name)],
            )],
            link.as_deref().map(|l| (t.get("mail.booked.action"), l)),
            t.get("mail.footer"),
        );
        outbox::enqueue_email(tx, now, Some(org_id), &mail).await?;
    }
    if let Some(staff) = r.staff_email.as_deref() {
        let t = Tr(r.staff_language.as_deref().and_then(crate::types::Lang::from_code).unwrap_or_default());
        let mail = compose(
            staff,
            &t.fmt(&format!("mail.staff.{kind}.subject"), &[("when", &when)]),
            &[t.fmt(
                &format!("mail.staff.{kind}.body"),
                &[("name", &r.first_name), ("when", &when), ("with", &r.calendar_name)],
            )],
            None,
            t.get("mail.footer"),
        );
        outbox::enqueue_email(tx, now, Some(org_id), &mail).await?;
    }
    Ok(())
}
