//! Booking reminders: one email (and one SMS where the organisation sends them and the client
//! gave a phone number) per confirmed booking, about 24 hours before it starts, to the
//! client. Claimed with a single UPDATE so that several workers never send one twice.

use crate::{
    clock::to_ms,
    error::AppResult,
    i18n::Tr,
    jobs::{
        booking_mail::{BookingFacts, client_mail},
        outbox,
        sms::sms_on,
    },
    state::AppState,
    types::Lang,
};

pub const LEAD_MS: i64 = 24 * 3_600_000;

#[derive(sqlx::FromRow)]
struct Due {
    id: String,
    org_id: String,
    client_id: String,
    start_at: i64,
    end_at: i64,
    email: Option<String>,
    phone: Option<String>,
    first_name: String,
    language: Option<String>,
    time_zone: String,
    location_name: String,
    address: String,
    calendar_name: String,
    service_name: Option<String>,
    price_cents: Option<i64>,
    currency: Option<String>,
    org_name: String,
    sms_enabled: i64,
}

/// Queue the reminders now due; returns how many.
pub async fn run_once(state: &AppState) -> AppResult<usize> {
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    // Row locks (PostgreSQL) plus the repeated IS NULL keep two workers from claiming the
    // same booking.
    let sql = format!(
        "UPDATE bookings SET reminder_sent_at = $1 WHERE reminder_sent_at IS NULL AND id IN (\
           SELECT id FROM bookings WHERE status = 'confirmed' AND reminder_sent_at IS NULL \
           AND start_at > $1 AND start_at <= $2 AND client_id IS NOT NULL LIMIT 200{}) RETURNING id",
        state.db.skip_locked()
    );
    let claimed: Vec<(String,)> = sqlx::query_as(&sql).bind(now).bind(now + LEAD_MS).fetch_all(&mut *tx).await?;
    let mut sent = 0;
    for (id,) in &claimed {
        let due: Option<Due> = sqlx::query_as(
            "SELECT b.id, b.org_id, b.client_id, b.start_at, b.end_at, c.email, c.phone, c.first_name, c.language, l.time_zone, \
                    l.name AS location_name, l.address, k.name AS calendar_name, s.name AS service_name, s.price_cents, s.currency, \
                    o.name AS org_name, o.sms_enabled \
             FROM bookings b JOIN clients c ON c.id = b.client_id JOIN locations l ON l.id = b.location_id \
             JOIN orgs o ON o.id = b.org_id JOIN calendars k ON k.id = b.calendar_id \
             LEFT JOIN services s ON s.id = b.service_id WHERE b.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(d) = due else { continue };
        let t = Tr(d.language.as_deref().and_then(Lang::from_code).unwrap_or_default());
        let facts = BookingFacts {
            booking_id: &d.id,
            org_name: &d.org_name,
            location_name: &d.location_name,
            address: &d.address,
            calendar_name: &d.calendar_name,
            service_name: d.service_name.as_deref(),
            price: d.price_cents.zip(d.currency.as_deref()),
            start_at: d.start_at,
            end_at: d.end_at,
            time_zone: &d.time_zone,
            first_name: &d.first_name,
            // The manage link's token is kept only hashed: the confirmation carried it.
            manage_link: None,
            now,
        };
        let when = facts.when(t);
        let mut queued = false;
        if let Some(email) = d.email.as_deref().filter(|e| !e.is_empty()) {
            let mail = client_mail(t, "reminder", email, &facts);
            let mail_id = outbox::enqueue_email(&mut tx, now, Some(&d.org_id), &mail).await?;
            outbox::about_client(&mut tx, &mail_id, &d.client_id).await?;
            queued = true;
        }
        if sms_on(&state.config, d.sms_enabled)
            && let Some(phone) = d.phone.as_deref()
        {
            let text = t.fmt(
                "sms.reminder",
                &[("org", &d.org_name), ("when", &when), ("with", &d.calendar_name), ("place", &d.location_name)],
            );
            if let Some(sms_id) = outbox::queue_sms(&mut tx, now, &d.org_id, phone, text).await? {
                outbox::about_client(&mut tx, &sms_id, &d.client_id).await?;
                queued = true;
            }
        }
        if queued {
            tracing::info!(booking = %d.id, "reminder queued");
            sent += 1;
        }
    }
    tx.commit().await?;
    if sent > 0 {
        state.outbox_wake.notify_one();
    }
    Ok(sent)
}
