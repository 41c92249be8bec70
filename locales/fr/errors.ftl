### Creneau: errors a person can read.
###
### `error-<code>` for each machine-readable code (the API's problem documents keep their
### `code` and `type`). Its value needs no variable; its attributes are the forms of the same
### error that carry values, recognised in the service's English detail, whose English text
### they must repeat word for word. `field_error-<code>`: words for a field's code.
###
### Ids are the keys the code asks for, with dashes for dots: `t.get("nav.login")` reads
### `nav-login`. Variables are { $name }; counts are numbers, so { $count -> [one] … *[other] … }
### picks the plural form. Both languages hold the same ids and attributes (a test compares them).

error-title = Une erreur est survenue
error-not-found = Cette page n'existe pas ou ne vous est pas accessible.
error-forbidden = Vous n'avez pas le droit de faire cela.
error-rate-limited = Trop de tentatives. Réessayez dans quelques minutes.
    .wait = Trop de tentatives ; réessayez dans { $seconds ->
        [one] { $seconds } seconde
       *[other] { $seconds } secondes
    }.
error-internal = Une erreur interne est survenue. Réessayez plus tard.
error-validation = Certains champs sont invalides.
error-back_home = Retour à l'accueil
error-invalid-credentials = Adresse ou mot de passe incorrect.
error-invalid-token = Ce lien n'est plus valable. Demandez-en un nouveau.
error-account-blocked = Ce compte est bloqué.
error-invalid-totp = Code de vérification incorrect.
error-bad-request = La requête n'a pas pu être lue.
error-nul-character = La requête contient un caractère nul, qui n'est accepté nulle part.
error-method-not-allowed = Cette adresse n'accepte pas cette méthode.
error-uri-too-long = L'adresse demandée est trop longue.
error-payload-too-large = Le contenu envoyé est trop volumineux.
error-unsupported-media-type = Envoyez un contenu JSON avec l'en-tête Content-Type: application/json.
error-invalid-form = Le formulaire n'a pas pu être lu.
error-calendar-has-bookings = Ce calendrier a des rendez-vous : archivez-le plutôt, leur historique doit rester.
error-location-has-bookings = Ce lieu a des rendez-vous : archivez-le plutôt, leur historique doit rester.
error-service-in-use = Des rendez-vous utilisent cette prestation : archivez-la plutôt.
error-still-referenced = D'autres données en dépendent encore ; rien n'a été supprimé.
error-already-member = Cette adresse est déjà membre de l'organisation.
    .own = Votre compte appartient déjà à cette organisation.
error-last-owner = L'organisation doit garder au moins un propriétaire.
error-has-calendars = Un assistant n'a pas d'agenda : réattribuez ou archivez d'abord les agendas de ce membre.
error-location-not-empty = Ce lieu a des agendas : archivez-le plutôt, ou supprimez d'abord ses agendas.
error-wrong-status = Impossible dans l'état actuel de ce membre.
    .from-to = Seul un membre à l'état « { $from } » peut passer à l'état « { $to } ».
error-not-invited = Aucune invitation n'est en attente pour ce membre.
error-not-inactive = Seul un membre créé inactif peut être activé.
error-already-removed = Ce membre a déjà été retiré.
error-account-exists = Cette adresse a déjà un compte : connectez-vous, puis acceptez l'invitation.
    .short = Cette adresse a déjà un compte.
error-already-owner = Vous êtes déjà propriétaire.
error-not-active = Ce membre n'est pas actif.
    .owner = La propriété ne peut aller qu'à un membre actif.
error-unauthenticated = Connectez-vous d'abord.
error-already-verified = Cette adresse a déjà un compte ; connectez-vous.
error-booking-cancelled = Un rendez-vous annulé ne peut pas être déplacé.
error-calendar-archived = Cet agenda est archivé.
error-changed-meanwhile = Quelqu'un d'autre vient de modifier ce membre ; rechargez la page et réessayez.
error-client-beyond-scope = Ce client a des rendez-vous hors de vos lieux ; demandez à quelqu'un qui les gère tous.
error-client-erased = Les données de ce client ont été effacées.
error-cross-origin = Les requêtes venant d'un autre site sont refusées.
error-csrf = Ce formulaire a expiré. Revenez en arrière, rechargez la page et réessayez.
error-enable-your-own-2fa-first = Activez la double authentification sur votre propre compte avant de l'exiger de tous.
error-exceeds-own-rights = Cette modification donnerait à quelqu'un un droit que vous n'avez pas.
    .named = Cette modification donnerait à { $member } un droit que vous n'avez pas : { $action } sur { $object }.
error-invalid-body = Le contenu de la requête n'a pas pu être lu.
error-invitation-for-another-address = Cette invitation a été envoyée à une autre adresse ; connectez-vous avec celle-ci pour l'accepter.
error-malformed-json = Le contenu n'est pas du JSON valide.
error-membership-blocked = Votre accès à cette organisation est bloqué.
error-invalid-api-key = Cette clé d'API est inconnue, révoquée ou expirée, ou son membre n'a plus accès.
error-api-key-misplaced = Envoyez les clés d'API dans l'en-tête Authorization (Bearer), jamais dans une adresse ou un cookie.
error-api-key-not-for-accounts = Une clé d'API n'ouvre que les routes de son organisation.
error-api-key-creator-lacks-integrations = Le membre qui a créé cette clé d'API n'a plus le droit « API et intégrations ».
error-not-cancellable = Ce rendez-vous ne peut plus être annulé en ligne.
error-not-confirmed = Seul un rendez-vous confirmé peut être noté comme absence.
error-not-reschedulable = Ce rendez-vous ne peut plus être déplacé en ligne.
    .contact = Contactez l'établissement pour déplacer ce rendez-vous.
error-not-started = Un rendez-vous ne peut être noté comme absence qu'une fois commencé.
error-slot-taken = Ce créneau vient d'être pris.
    .clash = Ce créneau chevauche un rendez-vous de { $from } à { $to }.
    .near = Ce créneau touche un autre rendez-vous ou le battement prévu autour.
error-invalid-idempotency-key = Utilisez de 1 à 255 caractères ASCII visibles.
error-idempotency-key-in-progress = Une requête avec cette Idempotency-Key est encore en cours de traitement.
field_error-idempotency-key-reused = Cette Idempotency-Key a servi pour une autre requête.
error-slot-unavailable = Ce créneau n'est pas disponible : choisissez-en un autre.
    .taken = Ce créneau vient d'être pris : choisissez-en un autre.
error-totp-already-enabled = La double authentification est déjà activée.
error-totp-not-enabled = La double authentification est désactivée.
error-totp-not-started = Commencez d'abord l'activation.
error-totp-required = Saisissez le code de votre application d'authentification.
error-totp-required-by-organisation = Cette organisation exige la double authentification ; activez-la dans la sécurité de votre compte.

## Field errors: the words for a field's code; the English value or attribute the
## service's English message repeats is told, with its values (others keep the message).

field_error-out-of-range = Choisissez une date entre 1900 et 2200.
    .price = Un prix ne peut pas être négatif.
    .between = Entre { $low } et { $high }.
field_error-nul-character = Le caractère nul n'est pas accepté.
field_error-required = Ce champ est obligatoire.
    .names = Le prénom et le nom sont obligatoires.
field_error-too-long = { $max } caractères au plus.
field_error-invalid-colour = Indiquez une couleur comme #7c3aed.
field_error-low-contrast = Choisissez une couleur plus foncée : un texte blanc doit rester lisible dessus.
field_error-invalid-origin = { $item } n'est pas l'adresse d'un site comme https://www.exemple.fr.
field_error-too-many-origins = { $max } sites au plus.
field_error-logo-too-large = { $max } Ko au plus.
field_error-logo-type = Choisissez une image PNG, JPEG ou WebP.
field_error-password-too-long = Utilisez { $max } caractères au plus.
field_error-password-too-short = Utilisez au moins { $min } caractères.
field_error-password-blank = Le mot de passe ne peut pas être fait que d'espaces.
field_error-password-mismatch = Les deux mots de passe ne correspondent pas.
field_error-password-required = Saisissez le mot de passe choisi à l'inscription, pour confirmer que cette inscription est la vôtre.
field_error-wrong-password = Mot de passe actuel incorrect.
    .signup = Ce n'est pas le mot de passe de cette inscription. Si vous ne vous êtes pas inscrit, ignorez cet e-mail.
field_error-invalid-totp = Code de vérification incorrect.
field_error-invalid-email = Saisissez une adresse e-mail valide.
field_error-invalid-phone = Utilisez le format international, par exemple +33 6 12 34 56 78.
    .national = Indiquez un numéro national ({ $country }) ou au format international, par exemple +33 6 12 34 56 78.
field_error-invalid-country = Indiquez un code pays à deux lettres, par exemple FR.
field_error-invalid-time-zone = Choisissez un fuseau horaire tel que Europe/Paris.
    .unknown = Fuseau horaire inconnu.
field_error-invalid-characters = Les caractères de contrôle ne sont pas acceptés.
field_error-invalid-date = Utilisez le format AAAA-MM-JJ.
field_error-invalid-time = Utilisez le format HH:MM, par exemple 08:30.
    .example = Indiquez une heure telle que 09:30.
field_error-invalid-slug = Utilisez de 3 à 63 lettres minuscules, chiffres et tirets simples.
field_error-reserved-slug = Cette adresse est réservée.
field_error-slug-taken = Cette adresse est déjà prise.
field_error-name-taken = Une équipe porte déjà ce nom.
field_error-name-mismatch = Saisissez exactement le nom de l'organisation.
field_error-invalid-length = Une durée en minutes, de 5 à 1440.
    .booking = Un rendez-vous dure plus de zéro et au plus 24 heures.
field_error-before-start = La journée doit finir après son début.
    .end = La fin doit venir après le début.
field_error-empty-interval = La fin doit venir après le début.
field_error-outside-day = L'heure de séparation doit se trouver dans les heures affichées.
field_error-outside-hours = En dehors des heures d'ouverture de l'agenda.
    .override = En dehors des heures d'ouverture de l'agenda (le personnel peut passer outre explicitement).
field_error-unavailable = Pendant une indisponibilité de l'agenda.
    .override = Pendant une indisponibilité de l'agenda (le personnel peut passer outre explicitement).
field_error-too-soon = Trop tôt : ce service demande un délai de prévenance plus long.
    .override = Trop tôt : ce service demande un délai de prévenance plus long (le personnel peut passer outre explicitement).
field_error-too-far = Trop loin : ce service ne se réserve pas aussi longtemps à l'avance.
    .override = Trop loin : ce service ne se réserve pas aussi longtemps à l'avance (le personnel peut passer outre explicitement).
field_error-not-offered = Ce n'est pas l'un des horaires proposés.
field_error-slot-taken = Ce créneau touche un autre rendez-vous ou le battement prévu autour.
field_error-skipped-time = Cette heure locale n'existe pas ce jour-là.
field_error-service-not-offered = Cet agenda ne propose pas cette prestation.
field_error-overlapping-intervals = Des plages se chevauchent.
    .weekday = Des plages se chevauchent le jour { $weekday }.
field_error-assistant-has-no-calendar = Un assistant n'a pas d'agenda personnel.
    .calendar = Un assistant travaille sur les agendas des autres et n'en a pas en propre.
field_error-removed-member = Ce membre a été retiré.
field_error-immutable = Un agenda ne peut pas changer de lieu.
field_error-unknown-client = Ce client n'existe pas.
field_error-unknown-calendar = Cet agenda n'existe pas.
field_error-unknown-service = Cette prestation n'existe pas.
field_error-unknown-location = Ce lieu n'existe pas.
field_error-unknown-member = Ce membre n'existe pas.
    .org = Ce membre n'existe pas dans cette organisation.
field_error-unknown-target = Ce lieu ou cet agenda n'existe pas dans cette organisation.
field_error-same-client = Un client ne peut pas être fusionné avec lui-même.
field_error-invalid-status = Choisissez un statut valide.
    .webhook = Choisissez actif ou désactivé.
    .active = Choisissez « actif » ou « archivé ».
    .open = Choisissez « ouvert » ou « archivé ».
field_error-invalid-role = Rôle inconnu.
    .list = Choisissez propriétaire, administrateur, responsable, employé ou assistant.
field_error-invalid-kind = Choisissez une personne ou une ressource.
field_error-invalid-language = Choisissez le français ou l'anglais.
field_error-scope-not-held = Vous n'avez pas les droits de { $s } : une clé à vous ne peut pas les avoir non plus.
field_error-unknown-scope = { $s } n'est pas un droit de clé.
field_error-in-the-past = Choisissez une date à partir d'aujourd'hui.
field_error-range-too-long = { $days } jours au plus.
error-not-your-api-key = Seul le membre qui a créé une clé peut la régénérer ; il peut aussi la révoquer, comme un administrateur.
error-api-key-revoked = Une clé révoquée ne peut pas être régénérée.
field_error-invalid-url = Indiquez une adresse web comme https://hooks.exemple.fr/creneau.
field_error-private-address = Cette adresse mène à un réseau privé ou local, que les webhooks ne peuvent pas joindre.
field_error-unresolvable-host = Le serveur de cette adresse est introuvable.
field_error-unknown-event = { $e } n'est pas un événement.
error-not-your-webhook = Seul le membre qui a créé ce webhook, ou un administrateur, peut le modifier.
