//! Booking notifications: the client and the staff member whose calendar it is hear of
//! bookings, moves and cancellations, queued in the change's transaction. The client gets
//! email (the confirmation itself is written by the public booking) and, when the
//! organisation sends SMS and the client gave a phone number, a text; the staff member gets
//! what their notification preferences choose (email by default, SMS if they ask for it).

use crate::{
    error::AppResult,
    features::notifications::service::{self as prefs, event_of},
    i18n::Tr,
    jobs::{mail::compose, outbox, sms::sms_on},
    state::AppState,
    types::Lang,
};
use jiff::{Timestamp, tz::TimeZone};

#[derive(sqlx::FromRow)]
struct Recipient {
    client_id: String,
    email: Option<String>,
    phone: Option<String>,
    first_name: String,
    language: Option<String>,
    start_at: i64,
    time_zone: String,
    location_name: String,
    calendar_name: String,
    org_name: String,
    sms_enabled: i64,
    staff_email: Option<String>,
    staff_phone: Option<String>,
    staff_language: Option<String>,
    /// The staff member's choice for this event, when they made one.
    staff_email_on: Option<i64>,
    staff_sms_on: Option<i64>,
}

/// Notify the client and the staff member whose calendar it is about a booking change,
/// inside the change's transaction. `kind`: "booked" (by the client, whose confirmation
/// email the public booking writes itself), "created" (by staff: the client gets a
/// confirmation), "moved" or "cancelled"; `manage_token`, when known, puts the manage link in
/// the client's messages. `actor_member`: the member who made the change, who is not told of
/// their own action.
#[allow(clippy::too_many_arguments)]
pub async fn notify(
    tx: &mut crate::db::Tx,
    state: &AppState,
    now: i64,
    org_id: &str,
    booking_id: &str,
    kind: &str,
    manage_token: Option<&str>,
    actor_member: Option<&str>,
) -> AppResult<()> {
    // Staff and text messages say "booked" whoever made the booking.
    let short = if kind == "created" { "booked" } else { kind };
    // One query: the booking, its client, the organisation, the calendar's member and their
    // preferences for this event.
    let r: Option<Recipient> = sqlx::query_as(
        "SELECT c.id AS client_id, c.email, c.phone, c.first_name, c.language, b.start_at, l.time_zone, l.name AS location_name, \
                k.name AS calendar_name, o.name AS org_name, o.sms_enabled, \
                a.email AS staff_email, a.mobile_phone AS staff_phone, a.language AS staff_language, \
                pe.enabled AS staff_email_on, ps.enabled AS staff_sms_on \
         FROM bookings b JOIN clients c ON c.id = b.client_id JOIN locations l ON l.id = b.location_id \
         JOIN orgs o ON o.id = b.org_id JOIN calendars k ON k.id = b.calendar_id \
         LEFT JOIN memberships m ON m.id = k.member_id AND m.status = 'active' AND m.id <> $3 \
         LEFT JOIN accounts a ON a.id = m.account_id \
         LEFT JOIN notification_preferences pe ON pe.membership_id = m.id AND pe.event = $2 AND pe.channel = 'email' \
         LEFT JOIN notification_preferences ps ON ps.membership_id = m.id AND ps.event = $2 AND ps.channel = 'sms' \
         WHERE b.id = $1",
    )
    .bind(booking_id)
    .bind(event_of(short))
    .bind(actor_member.unwrap_or(""))
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = r else { return Ok(()) };
    let tz = TimeZone::get(&r.time_zone).unwrap_or(TimeZone::UTC);
    let when = Timestamp::from_millisecond(r.start_at)
        .map(|t| t.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    let link = manage_token.map(|tok| format!("{}/manage/{tok}", state.config.base_url));
    let sms_on = sms_on(&state.config, r.sms_enabled);
    let client_t = Tr(r.language.as_deref().and_then(Lang::from_code).unwrap_or_default());
    if kind != "booked"
        && let Some(email) = r.email.as_deref().filter(|e| !e.is_empty())
    {
        let t = client_t;
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
        let id = outbox::enqueue_email(tx, now, Some(org_id), &mail).await?;
        outbox::about_client(tx, &id, &r.client_id).await?;
    }
    if sms_on && let Some(phone) = r.phone.as_deref() {
        let t = client_t;
        let mut text = t.fmt(
            &format!("sms.{short}"),
            &[("org", &r.org_name), ("when", &when), ("with", &r.calendar_name), ("place", &r.location_name)],
        );
        if let Some(l) = &link {
            text.push(' ');
            text.push_str(&t.fmt("sms.manage", &[("link", l)]));
        }
        if let Some(id) = outbox::queue_sms(tx, now, org_id, phone, text).await? {
            outbox::about_client(tx, &id, &r.client_id).await?;
        }
    }
    let staff_t = Tr(r.staff_language.as_deref().and_then(Lang::from_code).unwrap_or_default());
    let wants = |choice: Option<i64>, channel: &str| choice.map_or(prefs::default_enabled(channel), |v| v != 0);
    if let Some(staff) = r.staff_email.as_deref()
        && wants(r.staff_email_on, "email")
    {
        let t = staff_t;
        let mail = compose(
            staff,
            &t.fmt(&format!("mail.staff.{short}.subject"), &[("when", &when)]),
            &[t.fmt(
                &format!("mail.staff.{short}.body"),
                &[("name", &r.first_name), ("when", &when), ("with", &r.calendar_name)],
            )],
            None,
            t.get("mail.footer"),
        );
        let id = outbox::enqueue_email(tx, now, Some(org_id), &mail).await?;
        outbox::about_client(tx, &id, &r.client_id).await?;
    }
    if sms_on
        && let Some(phone) = r.staff_phone.as_deref()
        && wants(r.staff_sms_on, "sms")
    {
        let text = staff_t.fmt(
            &format!("sms.staff.{short}"),
            &[("org", &r.org_name), ("name", &r.first_name), ("when", &when), ("with", &r.calendar_name)],
        );
        if let Some(id) = outbox::queue_sms(tx, now, org_id, phone, text).await? {
            outbox::about_client(tx, &id, &r.client_id).await?;
        }
    }
    Ok(())
}
