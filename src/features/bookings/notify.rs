//! Booking notifications: the client and the staff member whose calendar it is hear of
//! bookings, moves and cancellations, queued in the change's transaction. The client gets
//! email (`jobs::booking_mail`: the date in words, place, service, price, `.ics`) and, when the
//! organisation sends SMS and the client gave a phone number, a text; the staff member gets
//! what their notification preferences choose (email by default, SMS if they ask for it).

use crate::{
    access::Tenant,
    error::AppResult,
    features::notifications::service::{self as prefs, event_of},
    i18n::{Tr, notice},
    jobs::{
        booking_mail::{self, BookingFacts},
        mail::compose,
        outbox,
        sms::sms_on,
    },
    state::AppState,
    types::Lang,
};

/// What a notification says and carries.
#[derive(Clone, Copy)]
pub struct Notice<'a> {
    /// `booked` (by the client), `created` (by staff), `moved`, `cancelled`.
    pub kind: &'static str,
    pub manage_token: Option<&'a str>,
}

/// Notify the client and the staff member whose calendar it is about a booking change,
/// inside the change's transaction. `kind`: "booked" (by the client online), "created" (by
/// staff), "moved" or "cancelled", each with the client's own mail; `manage_token`, when known, puts the manage link in
/// the client's messages. `actor_member`: the member who made the change, who is not told of
/// their own action.
pub async fn notify(
    tx: &mut crate::db::Tx,
    state: &AppState,
    now: i64,
    tenant: &Tenant,
    booking_id: &str,
    Notice { kind, manage_token }: Notice<'_>,
    actor_member: Option<&str>,
) -> AppResult<()> {
    // Staff and text messages say "booked" whoever made the booking.
    let org_id = tenant.org_id();
    let short = if kind == "created" { "booked" } else { kind };
    // One query: the booking, its client, the organisation, the calendar's member and their
    // preferences for this event.
    let r = super::repo::recipient(tx, tenant, booking_id, event_of(short), actor_member).await?;
    let Some(r) = r else { return Ok(()) };
    let link = manage_token.map(|tok| format!("{}/manage/{tok}", state.config.base_url));
    let facts = BookingFacts {
        booking_id,
        org_name: &r.org_name,
        location_name: &r.location_name,
        address: &r.address,
        calendar_name: &r.calendar_name,
        service_name: r.service_name.as_deref(),
        price: r.price_cents.zip(r.currency.as_deref()),
        start_at: r.start_at,
        end_at: r.end_at,
        time_zone: &r.time_zone,
        first_name: &r.first_name,
        manage_link: link.as_deref(),
        now,
    };
    let sms_on = sms_on(&state.config, r.sms_enabled);
    let client_t = Tr(r.language.as_deref().and_then(Lang::from_code).unwrap_or_default());
    if notice::client_mail(kind).is_some()
        && let Some(email) = r.email.as_deref().filter(|e| !e.is_empty())
    {
        let mail = booking_mail::client_mail(client_t, kind, email, &facts);
        let id = outbox::enqueue_email(tx, now, Some(org_id), &mail).await?;
        outbox::about_client(tx, &id, &r.client_id).await?;
    }
    if sms_on
        && let Some(phone) = r.phone.as_deref()
        && let Some(key) = notice::client_sms(short)
    {
        let t = client_t;
        let when = facts.when(t);
        let mut text = t.fmt(
            key,
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
        && let Some((subject, body)) = notice::staff_mail(short)
    {
        let t = staff_t;
        let when = facts.when(t);
        let mail = compose(
            staff,
            &t.fmt(subject, &[("when", &when)]),
            &[t.fmt(body, &[("name", &r.first_name), ("when", &when), ("with", &r.calendar_name)])],
            None,
            &t.fmt("mail.staff.footer", &[("org", &r.org_name)]),
        );
        let id = outbox::enqueue_email(tx, now, Some(org_id), &mail).await?;
        outbox::about_client(tx, &id, &r.client_id).await?;
    }
    if sms_on
        && let Some(phone) = r.staff_phone.as_deref()
        && wants(r.staff_sms_on, "sms")
        && let Some(key) = notice::staff_sms(short)
    {
        let when = facts.when(staff_t);
        let text = staff_t
            .fmt(key, &[("org", &r.org_name), ("name", &r.first_name), ("when", &when), ("with", &r.calendar_name)]);
        if let Some(id) = outbox::queue_sms(tx, now, org_id, phone, text).await? {
            outbox::about_client(tx, &id, &r.client_id).await?;
        }
    }
    Ok(())
}
