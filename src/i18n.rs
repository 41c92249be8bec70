//! Interface text in French and English. One table, so a message cannot exist in one
//! language only; `{name}` placeholders are filled by `Tr::fmt`.

use crate::types::Lang;
use std::{collections::HashMap, sync::LazyLock};

/// (key, French, English)
static MESSAGES: &[(&str, &str, &str)] = &[
    ("app.name", "Creneau", "Creneau"),
    ("app.tagline", "La prise de rendez-vous pour les équipes", "Appointment scheduling for teams"),
    ("nav.login", "Se connecter", "Log in"),
    ("nav.signup", "Créer un compte", "Sign up"),
    ("nav.logout", "Se déconnecter", "Log out"),
    ("nav.profile", "Mon profil", "My profile"),
    ("nav.security", "Sécurité", "Security"),
    ("nav.sessions", "Sessions", "Sessions"),
    ("nav.orgs", "Organisations", "Organisations"),
    ("nav.personal", "Espace personnel", "Personal space"),
    ("nav.switch", "Changer", "Switch"),
    ("nav.skip", "Aller au contenu", "Skip to content"),
    ("nav.language", "Langue", "Language"),
    ("field.first_name", "Prénom", "First name"),
    ("field.last_name", "Nom", "Last name"),
    ("field.email", "Adresse e-mail", "Email address"),
    ("field.password", "Mot de passe", "Password"),
    ("field.password_hint", "Au moins 10 caractères.", "At least 10 characters."),
    ("field.current_password", "Mot de passe actuel", "Current password"),
    ("field.new_password", "Nouveau mot de passe", "New password"),
    ("field.new_password_confirm", "Confirmez le nouveau mot de passe", "Confirm the new password"),
    (
        "field.totp_code",
        "Code de vérification (application d'authentification)",
        "Verification code (authenticator app)",
    ),
    ("field.mobile_phone", "Téléphone mobile", "Mobile phone"),
    ("field.country", "Pays (code à deux lettres)", "Country (two-letter code)"),
    ("field.time_zone", "Fuseau horaire", "Time zone"),
    ("field.language", "Langue", "Language"),
    ("field.language_auto", "Celle du navigateur", "The browser's"),
    ("field.org_name", "Nom de l'organisation", "Organisation name"),
    ("field.org_slug", "Adresse (slug)", "Address (slug)"),
    ("action.save", "Enregistrer", "Save"),
    ("action.continue", "Continuer", "Continue"),
    ("action.revoke", "Révoquer", "Revoke"),
    ("action.revoke_others", "Déconnecter toutes les autres sessions", "Log out every other session"),
    ("action.create", "Créer", "Create"),
    ("action.confirm", "Confirmer", "Confirm"),
    ("login.title", "Connexion", "Log in"),
    ("login.forgot", "Mot de passe oublié ?", "Forgot your password?"),
    ("login.no_account", "Pas encore de compte ?", "No account yet?"),
    (
        "login.totp_needed",
        "Saisissez le code de votre application d'authentification.",
        "Enter the code from your authenticator app.",
    ),
    ("signup.title", "Créer un compte", "Create an account"),
    ("signup.sent_title", "Vérifiez votre boîte mail", "Check your inbox"),
    (
        "signup.sent",
        "Si cette adresse peut être utilisée, nous venons d'y envoyer un lien de confirmation. Il est valable 48 heures.",
        "If this address can be used, we have just sent a confirmation link to it. It is valid for 48 hours.",
    ),
    ("signup.have_account", "Déjà un compte ?", "Already have an account?"),
    ("verify.title", "Confirmer votre adresse", "Confirm your address"),
    (
        "verify.intro",
        "Cliquez sur le bouton pour confirmer votre adresse e-mail et activer votre compte.",
        "Click the button to confirm your email address and activate your account.",
    ),
    (
        "verify.done",
        "Votre adresse est confirmée. Vous pouvez vous connecter.",
        "Your address is confirmed. You can log in now.",
    ),
    ("forgot.title", "Mot de passe oublié", "Forgot password"),
    (
        "forgot.intro",
        "Indiquez votre adresse : nous vous enverrons un lien pour choisir un nouveau mot de passe.",
        "Enter your address: we will send you a link to choose a new password.",
    ),
    (
        "forgot.sent",
        "Si un compte existe pour cette adresse, un lien valable une heure vient d'y être envoyé.",
        "If an account exists for this address, a link valid for one hour has just been sent to it.",
    ),
    ("reset.title", "Choisir un nouveau mot de passe", "Choose a new password"),
    (
        "reset.done",
        "Votre mot de passe a été changé et toutes vos sessions ont été fermées. Connectez-vous avec le nouveau mot de passe.",
        "Your password was changed and all your sessions were ended. Log in with the new password.",
    ),
    ("profile.title", "Mon profil", "My profile"),
    ("profile.saved", "Profil enregistré.", "Profile saved."),
    ("password.title", "Changer de mot de passe", "Change password"),
    (
        "password.changed",
        "Mot de passe changé. Vos autres sessions ont été fermées.",
        "Password changed. Your other sessions were ended.",
    ),
    ("sessions.title", "Sessions ouvertes", "Open sessions"),
    ("sessions.current", "Cette session", "This session"),
    ("sessions.started", "Ouverte le", "Started"),
    ("sessions.last_seen", "Dernière activité", "Last active"),
    ("sessions.device", "Appareil", "Device"),
    ("sessions.address", "Adresse IP", "IP address"),
    ("security.title", "Sécurité du compte", "Account security"),
    ("totp.title", "Double authentification", "Two-factor authentication"),
    ("totp.enabled", "La double authentification est activée.", "Two-factor authentication is on."),
    ("totp.disabled", "La double authentification est désactivée.", "Two-factor authentication is off."),
    (
        "totp.setup_intro",
        "Ajoutez cette clé dans votre application d'authentification, puis saisissez le code affiché.",
        "Add this key to your authenticator app, then enter the code it shows.",
    ),
    ("totp.start", "Activer la double authentification", "Turn on two-factor authentication"),
    ("totp.enable", "Vérifier et activer", "Verify and turn on"),
    ("totp.disable", "Désactiver", "Turn off"),
    ("orgs.title", "Mes organisations", "My organisations"),
    ("orgs.none", "Vous n'appartenez encore à aucune organisation.", "You do not belong to any organisation yet."),
    ("orgs.create", "Créer une organisation", "Create an organisation"),
    ("orgs.active", "Active", "Active"),
    ("orgs.role", "Rôle", "Role"),
    ("orgs.use", "Utiliser", "Use"),
    ("orgs.personal_active", "Vous êtes dans votre espace personnel.", "You are in your personal space."),
    ("home.title", "Tableau de bord", "Dashboard"),
    ("home.welcome", "Bonjour {name}", "Hello {name}"),
    ("home.current_org", "Organisation active : {org}", "Active organisation: {org}"),
    ("role.owner", "Propriétaire", "Owner"),
    ("role.administrator", "Administrateur", "Administrator"),
    ("role.manager", "Responsable", "Manager"),
    ("role.staff", "Collaborateur", "Staff member"),
    ("role.assistant", "Assistant", "Assistant"),
    ("error.title", "Une erreur est survenue", "Something went wrong"),
    (
        "error.not_found",
        "Cette page n'existe pas ou ne vous est pas accessible.",
        "This page does not exist or is not available to you.",
    ),
    ("error.forbidden", "Vous n'avez pas le droit de faire cela.", "You are not allowed to do that."),
    (
        "error.rate_limited",
        "Trop de tentatives. Réessayez dans quelques minutes.",
        "Too many attempts. Try again in a few minutes.",
    ),
    (
        "error.internal",
        "Une erreur interne est survenue. Réessayez plus tard.",
        "An internal error occurred. Try again later.",
    ),
    ("error.invalid", "Certains champs sont invalides.", "Some fields are invalid."),
    ("error.back_home", "Retour à l'accueil", "Back to the home page"),
    ("error.invalid_credentials", "Adresse ou mot de passe incorrect.", "Wrong email address or password."),
    (
        "error.invalid_token",
        "Ce lien n'est plus valable. Demandez-en un nouveau.",
        "This link is no longer valid. Ask for a new one.",
    ),
    ("error.blocked", "Ce compte est bloqué.", "This account is blocked."),
    ("error.invalid_totp", "Code de vérification incorrect.", "Wrong verification code."),
    ("error.password_mismatch", "Les deux mots de passe ne correspondent pas.", "The two passwords do not match."),
    ("error.wrong_password", "Mot de passe actuel incorrect.", "Current password is wrong."),
    ("error.slug_taken", "Cette adresse est déjà prise.", "This address is already taken."),
    ("toggle.all_bookings", "Toutes les réservations", "All bookings"),
    ("toggle.client_list", "Liste de clients", "Client list"),
    ("toggle.business_settings", "Paramètres de l'entreprise", "Business settings"),
    ("toggle.statistics", "Statistiques", "Statistics"),
    ("toggle.promotion", "Promotion", "Promotion"),
    ("toggle.user_management", "Gestion des utilisateurs", "User management"),
    ("toggle.api_integrations", "API et intégrations", "API and integrations"),
    ("toggle.audit_log", "Journal d'audit", "Audit log"),
    ("level.view", "consultation", "view"),
    ("level.book", "prise de rendez-vous", "book"),
    ("level.manage", "gestion", "manage"),
    ("explain.allowed", "Autorisé", "Allowed"),
    ("explain.denied", "Refusé", "Denied"),
    ("explain.role", "le rôle {role} a tous ces droits", "the {role} role holds this right"),
    ("explain.role_default", "le rôle {role} inclut « {toggle} »", "the {role} role includes “{toggle}”"),
    (
        "explain.toggle_on",
        "le droit « {toggle} » est activé pour ce membre",
        "the “{toggle}” right is switched on for this member",
    ),
    (
        "explain.toggle_off",
        "le droit « {toggle} » n'est pas activé pour ce membre",
        "the “{toggle}” right is not switched on for this member",
    ),
    (
        "explain.ceiling",
        "le rôle {role} ne peut jamais avoir « {toggle} »",
        "the {role} role can never have “{toggle}”",
    ),
    ("explain.own_calendar", "c'est son propre agenda", "it is their own calendar"),
    ("explain.grant", "accès « {level} » sur {scope}", "“{level}” access on {scope}"),
    ("explain.via_team", "(par l'équipe {team})", "(through team {team})"),
    ("explain.scope.org", "toute l'organisation", "the whole organisation"),
    ("explain.scope.location", "le lieu {id}", "location {id}"),
    ("explain.scope.calendar", "l'agenda {id}", "calendar {id}"),
    (
        "explain.all_bookings",
        "« Toutes les réservations » couvre les agendas du lieu {id}",
        "“All bookings” covers the calendars of location {id}",
    ),
    ("explain.in_scope", "dans son périmètre", "within their scope"),
    ("explain.level_too_low", "accès « {have} » seulement, « {need} » requis", "only “{have}” access, “{need}” needed"),
    (
        "explain.not_in_scope",
        "rien de ce que détient ce membre ne couvre cet objet",
        "nothing this member holds covers this object",
    ),
    ("explain.owners_only", "réservé aux propriétaires", "owners only"),
    (
        "explain.target_too_high",
        "ne peut pas agir sur un membre de rôle {role}",
        "cannot act on a member whose role is {role}",
    ),
    ("explain.own_membership", "on ne modifie pas ses propres droits", "members do not change their own rights"),
    ("explain.inactive", "l'adhésion n'est pas active ({status})", "the membership is not active ({status})"),
    ("book.steps", "Étapes de la réservation", "Booking steps"),
    ("book.step.service", "Prestation", "Service"),
    ("book.step.person", "Avec qui", "With whom"),
    ("book.step.slot", "Créneau", "Time"),
    ("book.step.details", "Coordonnées", "Details"),
    ("book.choose_service", "Choisissez une prestation", "Choose a service"),
    (
        "book.no_service",
        "Aucune prestation n'est réservable en ligne ici pour le moment.",
        "No service can be booked online here at the moment.",
    ),
    ("book.choose_person", "Avec qui ?", "With whom?"),
    ("book.anyone", "La première personne disponible", "Anyone available"),
    ("book.with", "Avec", "With"),
    ("book.where", "Où", "Where"),
    ("book.when", "Quand", "When"),
    ("book.change", "modifier", "change"),
    ("book.choose_slot", "Choisissez un créneau", "Choose a time"),
    ("book.time_zone", "Heures affichées dans le fuseau", "Times shown in the zone"),
    ("book.earlier", "Semaine précédente", "Previous week"),
    ("book.later", "Semaine suivante", "Next week"),
    ("book.no_slot", "Aucun créneau libre cette semaine.", "No free time this week."),
    ("book.your_details", "Vos coordonnées", "Your details"),
    ("book.notes", "Message (facultatif)", "Message (optional)"),
    ("book.confirm", "Confirmer le rendez-vous", "Confirm the booking"),
    ("book.done_title", "Rendez-vous confirmé", "Booking confirmed"),
    (
        "book.done",
        "Votre rendez-vous du {when} avec {with} est confirmé. Un e-mail de confirmation a été envoyé à {email}, avec un lien pour le déplacer ou l'annuler.",
        "Your booking on {when} with {with} is confirmed. A confirmation email was sent to {email}, with a link to reschedule or cancel it.",
    ),
    ("book.again", "Prendre un autre rendez-vous", "Book another time"),
    (
        "book.taken",
        "Ce créneau n'est plus disponible : choisissez-en un autre.",
        "This time is no longer available: choose another one.",
    ),
    ("manage.title", "Votre rendez-vous", "Your booking"),
    ("manage.status", "État", "Status"),
    ("manage.status.confirmed", "Confirmé", "Confirmed"),
    ("manage.status.cancelled", "Annulé", "Cancelled"),
    ("manage.status.no_show", "Absence", "No-show"),
    ("manage.cancel", "Annuler le rendez-vous", "Cancel the booking"),
    ("manage.cancelled", "Votre rendez-vous est annulé.", "Your booking is cancelled."),
    ("manage.reschedule", "Déplacer à un autre créneau", "Move to another time"),
    ("manage.moved", "Votre rendez-vous a été déplacé.", "Your booking was moved."),
    // Emails
    (
        "mail.footer",
        "Creneau — vous recevez ce message à cause d'une action sur votre compte.",
        "Creneau — you receive this message because of an action on your account.",
    ),
    ("mail.verify.subject", "Confirmez votre adresse e-mail", "Confirm your email address"),
    (
        "mail.verify.body",
        "Bonjour {name}, confirmez votre adresse pour activer votre compte Creneau. Le lien est valable 48 heures.",
        "Hello {name}, confirm your address to activate your Creneau account. The link is valid for 48 hours.",
    ),
    ("mail.verify.action", "Confirmer mon adresse", "Confirm my address"),
    (
        "mail.verify.ignore",
        "Si vous n'avez pas demandé ce compte, ignorez ce message.",
        "If you did not ask for this account, ignore this message.",
    ),
    ("mail.exists.subject", "Vous avez déjà un compte Creneau", "You already have a Creneau account"),
    (
        "mail.exists.body",
        "Quelqu'un (peut-être vous) a voulu créer un compte avec cette adresse, qui en a déjà un. Connectez-vous, ou choisissez un nouveau mot de passe si vous l'avez oublié.",
        "Someone (perhaps you) tried to create an account with this address, which already has one. Log in, or choose a new password if you forgot it.",
    ),
    ("mail.reset.subject", "Choisissez un nouveau mot de passe", "Choose a new password"),
    (
        "mail.reset.body",
        "Bonjour {name}, voici le lien pour choisir un nouveau mot de passe. Il est valable une heure et ne sert qu'une fois.",
        "Hello {name}, here is the link to choose a new password. It is valid for one hour and works once.",
    ),
    ("mail.reset.action", "Choisir un mot de passe", "Choose a password"),
    (
        "mail.reset.ignore",
        "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.",
        "If you did not ask for this, ignore this message: your password stays the same.",
    ),
    ("mail.changed.subject", "Votre mot de passe a été changé", "Your password was changed"),
    (
        "mail.changed.body",
        "Bonjour {name}, le mot de passe de votre compte vient d'être changé et vos autres sessions ont été fermées. Si ce n'était pas vous, choisissez immédiatement un nouveau mot de passe.",
        "Hello {name}, the password of your account was just changed and your other sessions were ended. If this was not you, choose a new password right away.",
    ),
    ("mail.totp.subject", "Double authentification modifiée", "Two-factor authentication changed"),
    (
        "mail.totp.on",
        "Bonjour {name}, la double authentification est maintenant activée sur votre compte.",
        "Hello {name}, two-factor authentication is now on for your account.",
    ),
    (
        "mail.totp.off",
        "Bonjour {name}, la double authentification a été désactivée sur votre compte.",
        "Hello {name}, two-factor authentication was turned off for your account.",
    ),
    ("mail.invite.subject", "Invitation à rejoindre {org} sur Creneau", "Invitation to join {org} on Creneau"),
    (
        "mail.invite.body",
        "Bonjour {name}, {inviter} vous invite à rejoindre {org} en tant que {role}.",
        "Hello {name}, {inviter} invites you to join {org} as {role}.",
    ),
    (
        "mail.invite.expiry",
        "Le lien est valable 7 jours. Vous pourrez créer votre compte ou utiliser celui que vous avez déjà.",
        "The link is valid for 7 days. You can create your account or use the one you already have.",
    ),
    ("mail.invite.action", "Voir l'invitation", "See the invitation"),
    ("mail.booked.subject", "Rendez-vous confirmé : {service}, {when}", "Booking confirmed: {service}, {when}"),
    (
        "mail.booked.body",
        "Bonjour {name}, votre rendez-vous « {service} » est confirmé le {when} avec {with} ({place}).",
        "Hello {name}, your “{service}” booking is confirmed for {when} with {with} ({place}).",
    ),
    ("mail.booked.action", "Déplacer ou annuler", "Reschedule or cancel"),
    ("mail.reminder.subject", "Rappel : rendez-vous le {when}", "Reminder: appointment on {when}"),
    (
        "mail.reminder.body",
        "Bonjour {name}, nous vous rappelons votre rendez-vous « {service} » le {when} avec {with} ({place}).",
        "Hello {name}, a reminder of your “{service}” appointment on {when} with {with} ({place}).",
    ),
    ("mail.reminder.appointment", "rendez-vous", "appointment"),
    ("mail.moved.subject", "Rendez-vous déplacé au {when}", "Booking moved to {when}"),
    (
        "mail.moved.body",
        "Bonjour {name}, votre rendez-vous avec {with} a été déplacé au {when}.",
        "Hello {name}, your booking with {with} was moved to {when}.",
    ),
    ("mail.cancelled.subject", "Rendez-vous du {when} annulé", "Booking on {when} cancelled"),
    (
        "mail.cancelled.body",
        "Bonjour {name}, votre rendez-vous du {when} avec {with} est annulé.",
        "Hello {name}, your booking on {when} with {with} is cancelled.",
    ),
    ("mail.staff.booked.subject", "Nouveau rendez-vous le {when}", "New booking on {when}"),
    (
        "mail.staff.booked.body",
        "{name} a réservé le {when} dans l'agenda {with}.",
        "{name} booked {when} on the {with} calendar.",
    ),
    ("mail.staff.moved.subject", "Rendez-vous déplacé au {when}", "Booking moved to {when}"),
    (
        "mail.staff.moved.body",
        "{name} a déplacé son rendez-vous au {when} dans l'agenda {with}.",
        "{name} moved their booking to {when} on the {with} calendar.",
    ),
    ("mail.staff.cancelled.subject", "Rendez-vous du {when} annulé", "Booking on {when} cancelled"),
    (
        "mail.staff.cancelled.body",
        "{name} a annulé son rendez-vous du {when} dans l'agenda {with}.",
        "{name} cancelled their booking on {when} on the {with} calendar.",
    ),
    ("mail.test.subject", "Message de test Creneau", "Creneau test message"),
    (
        "mail.test.body",
        "Ce message confirme que Creneau peut envoyer des e-mails.",
        "This message confirms that Creneau can send email.",
    ),
];

static INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| MESSAGES.iter().map(|(k, fr, en)| (*k, (*fr, *en))).collect());

/// A translator for one language; cheap to copy into every template.
#[derive(Clone, Copy, Debug)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn get(&self, key: &str) -> &'static str {
        match INDEX.get(key) {
            Some((fr, en)) => match self.0 {
                Lang::Fr => fr,
                Lang::En => en,
            },
            None => {
                tracing::warn!(key, "missing translation");
                "??"
            }
        }
    }

    pub fn fmt(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.get(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_complete() {
        assert_eq!(INDEX.len(), MESSAGES.len(), "duplicate key in MESSAGES");
        for (k, fr, en) in MESSAGES {
            assert!(!fr.is_empty() && !en.is_empty(), "{k} is empty in one language");
            let holes = |s: &str| s.matches('{').count();
            assert_eq!(holes(fr), holes(en), "{k}: placeholders differ");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(Tr(Lang::En).fmt("home.welcome", &[("name", "Ana")]), "Hello Ana");
        assert_eq!(Tr(Lang::Fr).fmt("home.welcome", &[("name", "Ana")]), "Bonjour Ana");
    }
}
