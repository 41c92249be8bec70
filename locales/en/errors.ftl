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

error-title = Something went wrong
error-not-found = This page does not exist or is not available to you.
error-forbidden = You are not allowed to do that.
error-rate-limited = Too many attempts. Try again in a few minutes.
    .wait = Too many attempts; try again in { $seconds ->
        [one] one second
       *[other] { $seconds } seconds
    }.
error-internal = An internal error occurred. Try again later.
error-validation = Some fields are invalid.
error-back_home = Back to the home page
error-invalid-credentials = Wrong email address or password.
error-invalid-token = This link is no longer valid. Ask for a new one.
error-account-blocked = This account is blocked.
error-invalid-totp = Wrong verification code.
error-bad-request = The request could not be read.
error-nul-character = The request contains a NUL character, which is accepted nowhere.
error-method-not-allowed = This address does not accept this method.
error-uri-too-long = The requested address is too long.
error-payload-too-large = The request body is too large.
error-unsupported-media-type = Send a JSON body with Content-Type: application/json.
error-invalid-form = The form could not be read.
error-calendar-has-bookings = This calendar has bookings: archive it instead, their history must stay.
error-location-has-bookings = This location has bookings: archive it instead, their history must stay.
error-service-in-use = Bookings use this service: archive it instead.
error-still-referenced = Other records still depend on it; nothing was deleted.
error-already-member = This address is already a member of the organisation.
    .own = Your account already belongs to this organisation.
error-last-owner = The organisation must keep at least one owner.
error-has-calendars = Assistants have no calendar: reassign or archive this member's calendars first.
error-location-not-empty = This location has calendars: archive it instead, or remove its calendars first.
error-wrong-status = Not possible in this member's current state.
    .from-to = Only a member who is { $from } can be { $to }.
error-not-invited = There is no pending invitation for this member.
error-not-inactive = Only a member created inactive can be activated.
error-already-removed = This member was already removed.
error-account-exists = This address already has an account: log in, then accept the invitation.
    .short = This address already has an account.
error-already-owner = You are already an owner.
error-not-active = This member is not active.
    .owner = Ownership can only go to an active member.
error-unauthenticated = Log in first.
error-already-verified = This address already has an account; log in.
error-booking-cancelled = A cancelled booking cannot be moved.
error-calendar-archived = This calendar is archived.
error-changed-meanwhile = Someone else changed this member a moment ago; reload and try again.
error-client-beyond-scope = This client has bookings outside your locations; ask someone who manages them all.
error-client-erased = This client's data was erased.
error-cross-origin = Cross-origin requests are refused.
error-csrf = This form has expired. Go back, reload the page and try again.
error-enable-your-own-2fa-first = Turn on two-factor authentication for your own account before requiring it of everyone.
error-exceeds-own-rights = This change would give someone a right you do not hold.
    .named = This change would give { $member } a right you do not hold: { $action } on { $object }.
error-invalid-body = The request body could not be read.
error-invitation-for-another-address = This invitation was sent to another address; log in with that address to accept it.
error-malformed-json = The body is not valid JSON.
error-membership-blocked = Your access to this organisation is blocked.
error-invalid-api-key = This API key is unknown, revoked or expired, or its member no longer has access.
error-api-key-misplaced = Send API keys in the Authorization header (Bearer), never in a URL or a cookie.
error-api-key-not-for-accounts = API keys reach their organisation's routes only.
error-api-key-creator-lacks-integrations = The member who made this API key no longer holds the API and integrations right.
error-not-cancellable = This booking can no longer be cancelled online.
error-not-confirmed = Only a confirmed booking can be marked as a no-show.
error-not-reschedulable = This booking can no longer be moved online.
    .contact = Contact the business to move this booking.
error-not-started = A booking can be marked as a no-show once it has started.
error-slot-taken = This time was just taken.
    .clash = This time clashes with a booking from { $from } to { $to }.
    .near = This time meets another booking or the buffer time around it.
error-invalid-idempotency-key = Use 1 to 255 visible ASCII characters.
error-idempotency-key-in-progress = A request with this Idempotency-Key is still being answered.
field_error-idempotency-key-reused = This Idempotency-Key was used for another request.
error-slot-unavailable = This time is not available; choose another slot.
    .taken = This time was just taken; choose another slot.
error-totp-already-enabled = Two-factor authentication is already on.
error-totp-not-enabled = Two-factor authentication is off.
error-totp-not-started = Start the set-up first.
error-totp-required = Enter the code from your authenticator app.
error-totp-required-by-organisation = This organisation requires two-factor authentication; turn it on in your account security.

## Field errors: the words for a field's code; the English value or attribute the
## service's English message repeats is told, with its values (others keep the message).

field_error-out-of-range = Use a date between 1900 and 2200.
    .price = A price cannot be negative.
    .between = Between { $low } and { $high }.
field_error-nul-character = The NUL character is not accepted.
field_error-required = This field is required.
    .names = First and last names are required.
field_error-too-long = At most { $max } characters.
field_error-invalid-colour = Use a colour such as #7c3aed.
field_error-low-contrast = Choose a darker colour: white text on it must stay readable.
field_error-invalid-origin = { $item } is not a website address such as https://www.example.fr.
field_error-too-many-origins = At most { $max } websites.
field_error-logo-too-large = At most { $max } KB.
field_error-logo-type = Use a PNG, JPEG or WebP image.
field_error-password-too-long = Use at most { $max } characters.
field_error-password-too-short = Use at least { $min } characters.
field_error-password-blank = The password cannot be only spaces.
field_error-password-mismatch = The two passwords do not match.
field_error-password-required = Enter the password chosen when signing up, to confirm this sign-up is yours.
field_error-wrong-password = Current password is wrong.
    .signup = This is not the password chosen for this sign-up. If you did not sign up, ignore the email.
field_error-invalid-totp = Wrong verification code.
field_error-invalid-email = Enter a valid email address.
field_error-invalid-phone = Use the international form, such as +33 6 12 34 56 78.
    .national = Use a national number ({ $country }) or the international form, such as +33 6 12 34 56 78.
field_error-invalid-country = Use a two-letter country code such as FR.
field_error-invalid-time-zone = Choose a time zone such as Europe/Paris.
    .unknown = Unknown time zone.
field_error-invalid-characters = Control characters are not allowed.
field_error-invalid-date = Use YYYY-MM-DD.
field_error-invalid-time = Use the form HH:MM, such as 08:30.
    .example = Use a time such as 09:30.
field_error-invalid-slug = Use 3 to 63 lowercase letters, digits and single hyphens.
field_error-reserved-slug = This address is reserved.
field_error-slug-taken = This address is already taken.
field_error-name-taken = A team with this name exists.
field_error-name-mismatch = Type the organisation's name exactly.
field_error-invalid-length = A length in minutes, from 5 to 1440.
    .booking = A booking lasts more than zero and at most 24 hours.
field_error-before-start = The day must end after it starts.
    .end = The end must come after the start.
field_error-empty-interval = The end must come after the start.
field_error-outside-day = The split hour must lie within the visible hours.
field_error-outside-hours = Outside the calendar's working hours.
    .override = Outside the calendar's working hours (staff may override explicitly).
field_error-unavailable = Inside an unavailability period of the calendar.
    .override = Inside an unavailability period of the calendar (staff may override explicitly).
field_error-too-soon = Sooner than this service's minimum notice.
    .override = Sooner than this service's minimum notice (staff may override explicitly).
field_error-too-far = Further ahead than this service's maximum advance.
    .override = Further ahead than this service's maximum advance (staff may override explicitly).
field_error-not-offered = Not one of the offered start times.
field_error-slot-taken = This time meets another booking or the buffer time around it.
field_error-skipped-time = This local time does not exist on that day.
field_error-service-not-offered = This calendar does not offer this service.
field_error-overlapping-intervals = Intervals overlap.
    .weekday = Intervals overlap on weekday { $weekday }.
field_error-assistant-has-no-calendar = Assistants have no calendar of their own.
    .calendar = Assistants work on others' calendars and have none of their own.
field_error-removed-member = This member was removed.
field_error-immutable = A calendar cannot move to another location.
field_error-unknown-client = No such client.
field_error-unknown-calendar = No such calendar.
field_error-unknown-service = No such service.
field_error-unknown-location = No such location.
field_error-unknown-member = No such member.
    .org = No such member in this organisation.
field_error-unknown-target = No such location or calendar in this organisation.
field_error-same-client = A client cannot be merged into itself.
field_error-invalid-status = Choose a valid status.
    .webhook = Use active or disabled.
    .active = Use active or archived.
    .open = Use open or archived.
field_error-invalid-role = Unknown role.
    .list = Use owner, administrator, manager, staff or assistant.
field_error-invalid-kind = Use staff or resource.
field_error-invalid-language = Choose fr or en.
field_error-scope-not-held = You do not hold the rights of { $s }, so a key of yours cannot either.
field_error-unknown-scope = { $s } is not a key scope.
field_error-in-the-past = Choose a date from today on.
field_error-range-too-long = At most { $days } days.
error-not-your-api-key = Only the member who made a key regenerates it; they, or an administrator, may revoke it.
error-api-key-revoked = A revoked key cannot be regenerated.
field_error-invalid-url = Use a web address such as https://hooks.example.fr/creneau.
field_error-private-address = This address leads to a private or local network, which webhooks may not reach.
field_error-unresolvable-host = This address's server could not be found.
field_error-unknown-event = { $e } is not an event.
error-not-your-webhook = Only the member who made this webhook, or an administrator, changes it.
