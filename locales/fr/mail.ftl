### Creneau: emails and text messages sent to members and clients.
###
### Ids are the keys the code asks for, with dashes for dots: `t.get("nav.login")` reads
### `nav-login`. Variables are { $name }; counts are numbers, so { $count -> [one] … *[other] … }
### picks the plural form. Both languages hold the same ids and attributes (a test compares them).


## Emails

mail-footer = Creneau — vous recevez ce message à cause d'une action sur votre compte.
mail-verify-subject = Confirmez votre adresse e-mail
mail-verify-body = Bonjour { $name }, confirmez votre adresse pour activer votre compte Creneau. Le lien est valable 48 heures.
mail-verify-action = Confirmer mon adresse
mail-verify-ignore = Si vous n'avez pas demandé ce compte, ignorez ce message.
mail-exists-subject = Vous avez déjà un compte Creneau
mail-exists-body = Quelqu'un (peut-être vous) a voulu créer un compte avec cette adresse, qui en a déjà un. Connectez-vous, ou choisissez un nouveau mot de passe si vous l'avez oublié.
mail-reset-subject = Choisissez un nouveau mot de passe
mail-reset-body = Bonjour { $name }, voici le lien pour choisir un nouveau mot de passe. Il est valable une heure et ne sert qu'une fois.
mail-reset-action = Choisir un mot de passe
mail-reset-ignore = Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.
mail-changed-subject = Votre mot de passe a été changé
mail-changed-body = Bonjour { $name }, le mot de passe de votre compte vient d'être changé et vos autres sessions ont été fermées. Si ce n'était pas vous, choisissez immédiatement un nouveau mot de passe.
mail-totp-subject = Double authentification modifiée
mail-totp-on = Bonjour { $name }, la double authentification est maintenant activée sur votre compte.
mail-totp-off = Bonjour { $name }, la double authentification a été désactivée sur votre compte.
mail-invite-subject = Invitation à rejoindre { $org } sur Creneau
mail-invite-body = Bonjour { $name }, { $inviter } vous invite à rejoindre { $org } en tant que { $role }.
mail-invite-expiry = Le lien est valable 7 jours. Vous pourrez créer votre compte ou utiliser celui que vous avez déjà.
mail-invite-action = Voir l'invitation
mail-staff-booked-subject = Nouveau rendez-vous le { $when }
mail-staff-booked-body = { $name } a réservé le { $when } dans l'agenda { $with }.
mail-staff-moved-subject = Rendez-vous déplacé au { $when }
mail-staff-moved-body = { $name } a déplacé son rendez-vous au { $when } dans l'agenda { $with }.
mail-staff-cancelled-subject = Rendez-vous du { $when } annulé
mail-staff-cancelled-body = { $name } a annulé son rendez-vous du { $when } dans l'agenda { $with }.
mail-test-subject = Message de test Creneau

## Text messages: short, the organisation first (the sender is the platform's number).

sms-booked = { $org } : rendez-vous confirmé le { $when } avec { $with } ({ $place }).
sms-moved = { $org } : votre rendez-vous avec { $with } est déplacé au { $when }.
sms-cancelled = { $org } : votre rendez-vous du { $when } avec { $with } est annulé.
sms-reminder = { $org } : rappel de votre rendez-vous le { $when } avec { $with } ({ $place }).
sms-manage = Déplacer ou annuler : { $link }
sms-staff-booked = { $org } : nouveau rendez-vous de { $name } le { $when } ({ $with }).
sms-staff-moved = { $org } : { $name } a déplacé son rendez-vous au { $when } ({ $with }).
sms-staff-cancelled = { $org } : { $name } a annulé son rendez-vous du { $when } ({ $with }).
sms-test = Ce message confirme que Creneau peut envoyer des SMS.
mail-test-body = Ce message confirme que Creneau peut envoyer des e-mails.

## What clients read about their booking (jobs/booking_mail.rs)

mail-client-booked-subject = Rendez-vous confirmé : { $what }, { $when }
mail-client-booked-lead = Bonjour { $name }, votre rendez-vous est confirmé.
mail-client-created-subject = Rendez-vous confirmé le { $when }
mail-client-created-lead = Bonjour { $name }, { $org } a enregistré votre rendez-vous.
mail-client-moved-subject = Rendez-vous déplacé au { $when }
mail-client-moved-lead = Bonjour { $name }, votre rendez-vous a été déplacé. Voici le nouvel horaire.
mail-client-cancelled-subject = Rendez-vous du { $when } annulé
mail-client-cancelled-lead = Bonjour { $name }, votre rendez-vous est annulé.
mail-client-reminder-subject = Rappel : rendez-vous le { $when }
mail-client-reminder-lead = Bonjour { $name }, nous vous rappelons votre rendez-vous de demain.
mail-client-appointment = Rendez-vous
mail-client-when = Quand : { $when } ({ $minutes } min)
mail-client-what = Prestation : { $what }
mail-client-with = Avec : { $with }
mail-client-where = Où : { $place }
mail-client-ics = Le fichier joint ajoute ce rendez-vous à votre agenda.
mail-client-manage = Déplacer ou annuler
mail-client-footer = { $org } — vous recevez ce message parce qu'un rendez-vous a été pris à votre nom.
mail-staff-footer = { $org } sur Creneau — vous recevez ce message selon vos préférences de notification (page Notifications).
mail-webhook_disabled-subject = { $org } : un webhook a été désactivé
mail-webhook_disabled-body = Le webhook vers { $url } n'a pas répondu correctement { $failures } fois de suite : Creneau l'a désactivé pour ne plus envoyer dans le vide. Vérifiez le service qui le reçoit, puis réactivez-le depuis sa page.
mail-webhook_disabled-action = Voir le webhook
