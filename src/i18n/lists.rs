//! The keys that depend on a value, as closed lists (a role, a toggle, an audit action, a
//! `?done=` word, a weekday, a month…): every key a value may name is written here, so the
//! i18n tests find it; and the `Tr` methods that pick from them or write dates, amounts and
//! prices the language's way. Apart from `mod.rs`, which reads the catalogues.

use super::Tr;
use crate::types::Lang;

// ---- the keys that depend on a value: closed lists ----

/// A role, by its code (`access::Role::as_str`).
const ROLES: [&str; 5] = ["role.owner", "role.administrator", "role.manager", "role.staff", "role.assistant"];

/// An access level, by its code (`policy::Level::as_str`).
const LEVELS: [&str; 3] = ["level.view", "level.book", "level.manage"];

/// A toggle, by its code (`policy::Toggle::as_str`).
const TOGGLES: [&str; 8] = [
    "toggle.all_bookings",
    "toggle.client_list",
    "toggle.business_settings",
    "toggle.statistics",
    "toggle.promotion",
    "toggle.user_management",
    "toggle.api_integrations",
    "toggle.audit_log",
];

/// An action, by its code (`policy::Action::as_str`).
const PERMS: [&str; 32] = [
    "perm.view_calendar",
    "perm.view_bookings",
    "perm.create_booking",
    "perm.move_booking",
    "perm.cancel_booking",
    "perm.delete_booking",
    "perm.manage_calendar",
    "perm.view_location",
    "perm.manage_location",
    "perm.create_location",
    "perm.delete_location",
    "perm.create_calendar",
    "perm.export_bookings",
    "perm.view_statistics",
    "perm.manage_promotion",
    "perm.manage_services",
    "perm.view_client",
    "perm.edit_client",
    "perm.export_clients",
    "perm.view_members",
    "perm.invite_member",
    "perm.change_member",
    "perm.remove_member",
    "perm.manage_teams",
    "perm.explain_access",
    "perm.manage_api_keys",
    "perm.manage_webhooks",
    "perm.manage_integrations",
    "perm.view_audit_log",
    "perm.manage_org_settings",
    "perm.transfer_ownership",
    "perm.delete_org",
];

/// A membership status, as stored.
const MEMBER_STATUSES: [&str; 5] = [
    "member.status.active",
    "member.status.invited",
    "member.status.inactive",
    "member.status.blocked",
    "member.status.removed",
];

/// The buttons of a member page, by operation.
const MEMBER_OPS: [&str; 6] = [
    "member.op.activate",
    "member.op.resend",
    "member.op.revoke",
    "member.op.block",
    "member.op.unblock",
    "member.op.remove",
];

/// An API key's families of rights (`access::api_key::KeyScope`).
const KEY_SCOPES: [&str; 11] = [
    "keys.scope.bookings_read",
    "keys.scope.bookings_write",
    "keys.scope.calendars",
    "keys.scope.clients_read",
    "keys.scope.clients_write",
    "keys.scope.members_read",
    "keys.scope.members_write",
    "keys.scope.reports",
    "keys.scope.audit_log",
    "keys.scope.webhooks",
    "keys.scope.settings",
];

/// The bookings export's columns, as a person reads them.
const EXPORT_COLUMNS: [&str; 18] = [
    "export.col.date",
    "export.col.start",
    "export.col.end",
    "export.col.time_zone",
    "export.col.location",
    "export.col.calendar",
    "export.col.staff_member",
    "export.col.service",
    "export.col.duration_min",
    "export.col.price",
    "export.col.currency",
    "export.col.client",
    "export.col.client_email",
    "export.col.client_phone",
    "export.col.status",
    "export.col.created_by",
    "export.col.created_at",
    "export.col.notes",
];

/// Webhook events (`features::webhooks::service::EVENTS`, dots as underscores).
const WEBHOOK_EVENTS: [&str; 10] = [
    "webhooks.ev.booking_created",
    "webhooks.ev.booking_moved",
    "webhooks.ev.booking_cancelled",
    "webhooks.ev.booking_no_show",
    "webhooks.ev.client_created",
    "webhooks.ev.client_updated",
    "webhooks.ev.member_invited",
    "webhooks.ev.member_joined",
    "webhooks.ev.member_changed",
    "webhooks.ev.member_removed",
];

/// A webhook message's state.
const WEBHOOK_STATES: [&str; 4] =
    ["webhooks.state.pending", "webhooks.state.delivered", "webhooks.state.failed", "webhooks.state.skipped"];

/// A booking status, as stored, for staff.
const BOOKING_STATUSES: [&str; 3] = ["booking.status.confirmed", "booking.status.cancelled", "booking.status.no_show"];

/// What an audit row's action did, in words (the audit page's sentence).
const AUDIT_ACTIONS: [&str; 69] = [
    "audit.did.account.blocked",
    "audit.did.api_key.created",
    "audit.did.api_key.regenerated",
    "audit.did.api_key.revoked",
    "audit.did.account.created",
    "audit.did.account.password_changed",
    "audit.did.account.password_reset",
    "audit.did.account.password_reset_requested",
    "audit.did.account.password_set",
    "audit.did.account.profile_updated",
    "audit.did.account.totp_disabled",
    "audit.did.account.totp_enabled",
    "audit.did.account.unblocked",
    "audit.did.booking.cancelled",
    "audit.did.bookings.exported",
    "audit.did.booking.created",
    "audit.did.booking.moved",
    "audit.did.booking.no_show",
    "audit.did.calendar.created",
    "audit.did.calendar.deleted",
    "audit.did.calendar.hours_changed",
    "audit.did.calendar.unavailability_added",
    "audit.did.calendar.unavailability_changed",
    "audit.did.calendar.unavailability_removed",
    "audit.did.calendar.updated",
    "audit.did.client.created",
    "audit.did.client.erased",
    "audit.did.client.merged",
    "audit.did.client.updated",
    "audit.did.location.created",
    "audit.did.location.deleted",
    "audit.did.location.updated",
    "audit.did.member.activated",
    "audit.did.member.added",
    "audit.did.member.blocked",
    "audit.did.member.created_inactive",
    "audit.did.member.grants_changed",
    "audit.did.member.invitation_resent",
    "audit.did.member.invitation_revoked",
    "audit.did.member.invited",
    "audit.did.member.joined",
    "audit.did.member.left",
    "audit.did.member.notifications_updated",
    "audit.did.member.removed",
    "audit.did.member.unblocked",
    "audit.did.member.updated",
    "audit.did.org.created",
    "audit.did.org.deleted",
    "audit.did.org.logo_changed",
    "audit.did.org.logo_removed",
    "audit.did.org.ownership_transferred",
    "audit.did.org.settings_updated",
    "audit.did.service.created",
    "audit.did.service.deleted",
    "audit.did.service.offered",
    "audit.did.service.updated",
    "audit.did.service.withdrawn",
    "audit.did.session.created",
    "audit.did.session.ended",
    "audit.did.session.revoked",
    "audit.did.session.revoked_others",
    "audit.did.team.created",
    "audit.did.team.deleted",
    "audit.did.team.updated",
    "audit.did.webhook.created",
    "audit.did.webhook.deleted",
    "audit.did.webhook.pinged",
    "audit.did.webhook.resent",
    "audit.did.webhook.updated",
];

/// What an audit row of a booking says it did, for the booking's own history.
const HISTORY_ACTIONS: [&str; 4] =
    ["history.booking.created", "history.booking.moved", "history.booking.cancelled", "history.booking.no_show"];

/// A booking status, as stored, for the client.
const MANAGE_STATUSES: [&str; 3] = ["manage.status.confirmed", "manage.status.cancelled", "manage.status.no_show"];

/// A notification event (`notifications::service::EVENTS`).
const EVENTS: [&str; 3] = [
    "notifications.event.booking_created",
    "notifications.event.booking_moved",
    "notifications.event.booking_cancelled",
];

/// The confirmation after a POST, by its `?done=` word.
const DONE: [&str; 34] = [
    "done.hours",
    "done.ownership",
    "done.org_deleted",
    "done.merged",
    "done.erased",
    "done.welcome",
    "done.override",
    "done.override_removed",
    "done.absence",
    "done.absence_removed",
    "done.absence_changed",
    "done.logo",
    "done.logo_removed",
    "done.key_revoked",
    "done.ping",
    "done.resent_message",
    "done.webhook_deleted",
    "done.offers",
    "done.invited",
    "done.created",
    "done.saved",
    "done.grants",
    "done.activated",
    "done.resent",
    "done.revoked",
    "done.blocked",
    "done.unblocked",
    "done.removed",
    "done.deleted",
    "done.calendar",
    "done.booked",
    "done.moved",
    "done.cancelled",
    "done.no_show",
];

/// Days of the week, Monday = 1.
const WEEKDAYS: [&str; 7] = ["wd.1", "wd.2", "wd.3", "wd.4", "wd.5", "wd.6", "wd.7"];

/// Days of the week in short, Monday = 1.
const WEEKDAYS_SHORT: [&str; 7] =
    ["wd.short.1", "wd.short.2", "wd.short.3", "wd.short.4", "wd.short.5", "wd.short.6", "wd.short.7"];

/// Months, January = 1.
const MONTHS: [&str; 12] = [
    "month.1", "month.2", "month.3", "month.4", "month.5", "month.6", "month.7", "month.8", "month.9", "month.10",
    "month.11", "month.12",
];

/// The messages about one booking change, by kind: "booked" (by the client on the public
/// page), "created" (by staff), "moved", "cancelled". The client's email is (subject, lead
/// line), the rest of it `jobs::booking_mail`'s; text messages and the staff member say
/// "booked" for a booking whoever made it.
pub mod notice {
    type Mail = (&'static str, &'static str);

    /// Kind, the client's email, the client's text, the staff member's email and text.
    const NOTICES: [(&str, Option<Mail>, &str, Mail, &str); 4] = [
        (
            "booked",
            Some(("mail.client.booked.subject", "mail.client.booked.lead")),
            "sms.booked",
            ("mail.staff.booked.subject", "mail.staff.booked.body"),
            "sms.staff.booked",
        ),
        (
            "created",
            Some(("mail.client.created.subject", "mail.client.created.lead")),
            "sms.booked",
            ("mail.staff.booked.subject", "mail.staff.booked.body"),
            "sms.staff.booked",
        ),
        (
            "moved",
            Some(("mail.client.moved.subject", "mail.client.moved.lead")),
            "sms.moved",
            ("mail.staff.moved.subject", "mail.staff.moved.body"),
            "sms.staff.moved",
        ),
        (
            "cancelled",
            Some(("mail.client.cancelled.subject", "mail.client.cancelled.lead")),
            "sms.cancelled",
            ("mail.staff.cancelled.subject", "mail.staff.cancelled.body"),
            "sms.staff.cancelled",
        ),
    ];

    /// The reminder the day before: the client's email.
    pub const REMINDER: Mail = ("mail.client.reminder.subject", "mail.client.reminder.lead");

    fn of(kind: &str) -> Option<&'static (&'static str, Option<Mail>, &'static str, Mail, &'static str)> {
        NOTICES.iter().find(|n| n.0 == kind)
    }

    pub fn client_mail(kind: &str) -> Option<Mail> {
        of(kind).and_then(|n| n.1)
    }

    pub fn client_sms(kind: &str) -> Option<&'static str> {
        of(kind).map(|n| n.2)
    }

    pub fn staff_mail(kind: &str) -> Option<Mail> {
        of(kind).map(|n| n.3)
    }

    pub fn staff_sms(kind: &str) -> Option<&'static str> {
        of(kind).map(|n| n.4)
    }
}

impl Tr {
    /// The words for `code` in `list` (the key whose last part is `code`); a code the list
    /// lacks is a bug, shown as `??`.
    fn pick(&self, list: &[&str], what: &str, code: &str) -> &'static str {
        match list.iter().find(|key| key.rsplit('.').next() == Some(code)) {
            Some(key) => self.get(key),
            None => {
                tracing::warn!(what, code, "no words for this value");
                "??"
            }
        }
    }

    /// The confirmation for a `?done=` word; None for words that are not ours.
    pub fn done(&self, word: &str) -> Option<&'static str> {
        DONE.iter().any(|key| key.rsplit('.').next() == Some(word)).then(|| self.pick(&DONE, "done", word))
    }

    /// A booking's audit action (`booking.moved`) in words; another action is named as it is
    /// stored (a history lists only the booking's own).
    pub fn history_action(&self, action: &str) -> &'static str {
        match HISTORY_ACTIONS.iter().find(|k| k.strip_prefix("history.") == Some(action)) {
            Some(key) => self.get(key),
            None => self.get("history.other"),
        }
    }

    /// "jeudi 4 décembre 2026" / "Thursday 4 December 2026".
    pub fn long_date(&self, d: jiff::civil::Date) -> String {
        self.fmt(
            "date.long",
            &[
                ("weekday", self.weekday(d.weekday().to_monday_one_offset())),
                ("day", &d.day().to_string()),
                ("month", self.month(d.month())),
                ("year", &d.year().to_string()),
            ],
        )
    }

    /// "jeudi 4 décembre 2026 à 10:00" / "Thursday 4 December 2026 at 10:00": a moment in
    /// its zone, as a person says it.
    pub fn date_time(&self, z: &jiff::Zoned) -> String {
        self.fmt("date.at", &[("date", &self.long_date(z.date())), ("time", &z.strftime("%H:%M").to_string())])
    }

    /// An audit action (`member.invited`) in words ("a invité"); None for one the list lacks.
    pub fn audit_action(&self, action: &str) -> Option<&'static str> {
        AUDIT_ACTIONS.iter().find(|k| k.strip_prefix("audit.did.") == Some(action)).map(|k| self.get(k))
    }

    /// Monday = 1 … Sunday = 7.
    pub fn weekday(&self, n: i8) -> &'static str {
        self.pick(&WEEKDAYS, "weekday", &n.to_string())
    }

    pub fn weekday_short(&self, n: i8) -> &'static str {
        self.pick(&WEEKDAYS_SHORT, "weekday", &n.to_string())
    }

    /// An amount in cents as this language writes it, without its currency: `1 234,50`
    /// (a narrow no-break space between thousands) / `1,234.50`.
    pub fn amount(&self, cents: i64) -> String {
        let sign = if cents < 0 { "-" } else { "" };
        let c = cents.unsigned_abs();
        format!("{sign}{}{}{:02}", self.grouped(&(c / 100).to_string()), self.decimal_point(), c % 100)
    }

    /// A number the reader's way, rounded to `decimals`: `1 234,5` / `1,234.5`.
    pub fn number(&self, v: f64, decimals: usize) -> String {
        // Halves away from zero, as people round (formatting alone rounds 1.25 to 1.2).
        let factor = 10f64.powi(i32::try_from(decimals).unwrap_or(0));
        let s = format!("{:.decimals$}", (v * factor).round() / factor);
        let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
        let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
        let grouped = self.grouped(digits);
        if frac.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}{}{frac}", self.decimal_point())
        }
    }

    /// Whole digits in groups of three as this language separates them: `1 234 567` (a
    /// narrow no-break space) / `1,234,567`.
    pub fn grouped(&self, digits: &str) -> String {
        let sep = match self.0 {
            Lang::Fr => '\u{202f}',
            Lang::En => ',',
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(ch);
        }
        out
    }

    /// `,` / `.`
    pub fn decimal_point(&self) -> char {
        match self.0 {
            Lang::Fr => ',',
            Lang::En => '.',
        }
    }

    /// A price with its currency as this language writes it: `45,00 €` / `€45.00`; a
    /// currency without a sign keeps its code (`45,00 CHF` / `CHF 45.00`).
    pub fn price(&self, cents: i64, currency: &str) -> String {
        let sign = match currency {
            "EUR" => Some("€"),
            "USD" => Some("$"),
            "GBP" => Some("£"),
            _ => None,
        };
        let n = self.amount(cents);
        match (self.0, sign) {
            (Lang::Fr, Some(s)) => format!("{n}\u{a0}{s}"),
            (Lang::Fr, None) => format!("{n}\u{a0}{currency}"),
            (Lang::En, Some(s)) => format!("{s}{n}"),
            (Lang::En, None) => format!("{currency}\u{a0}{n}"),
        }
    }

    /// January = 1 … December = 12.
    pub fn month(&self, n: i8) -> &'static str {
        self.pick(&MONTHS, "month", &n.to_string())
    }
}

/// `Tr` methods naming a value from one of the lists above; a value the list lacks is a bug,
/// shown as `??`.
macro_rules! words_for {
    ($($name:ident: $list:ident, $what:literal;)*) => {
        impl Tr {
            $(pub fn $name(&self, code: &str) -> &'static str {
                self.pick(&$list, $what, code)
            })*
        }
    };
}

words_for! {
    role: ROLES, "role";
    level: LEVELS, "level";
    toggle: TOGGLES, "toggle";
    perm: PERMS, "action";
    member_status: MEMBER_STATUSES, "member status";
    member_op: MEMBER_OPS, "member operation";
    booking_status: BOOKING_STATUSES, "booking status";
    manage_status: MANAGE_STATUSES, "booking status";
    notification_event: EVENTS, "notification event";
    key_scope: KEY_SCOPES, "API key scope";
    export_column: EXPORT_COLUMNS, "export column";
    webhook_state: WEBHOOK_STATES, "webhook message state";
}

impl Tr {
    /// A webhook event (`booking.created`) in words.
    pub fn webhook_event(&self, event: &str) -> &'static str {
        self.pick(&WEBHOOK_EVENTS, "webhook event", &event.replace('.', "_"))
    }
}
