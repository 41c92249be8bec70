### Creneau: emails and text messages sent to members and clients.
###
### Ids are the keys the code asks for, with dashes for dots: `t.get("nav.login")` reads
### `nav-login`. Variables are { $name }; counts are numbers, so { $count -> [one] … *[other] … }
### picks the plural form. Both languages hold the same ids and attributes (a test compares them).


## Emails

mail-footer = Creneau — you receive this message because of an action on your account.
mail-verify-subject = Confirm your email address
mail-verify-body = Hello { $name }, confirm your address to activate your Creneau account. The link is valid for 48 hours.
mail-verify-action = Confirm my address
mail-verify-ignore = If you did not ask for this account, ignore this message.
mail-exists-subject = You already have a Creneau account
mail-exists-body = Someone (perhaps you) tried to create an account with this address, which already has one. Log in, or choose a new password if you forgot it.
mail-reset-subject = Choose a new password
mail-reset-body = Hello { $name }, here is the link to choose a new password. It is valid for one hour and works once.
mail-reset-action = Choose a password
mail-reset-ignore = If you did not ask for this, ignore this message: your password stays the same.
mail-changed-subject = Your password was changed
mail-changed-body = Hello { $name }, the password of your account was just changed and your other sessions were ended. If this was not you, choose a new password right away.
mail-totp-subject = Two-factor authentication changed
mail-totp-on = Hello { $name }, two-factor authentication is now on for your account.
mail-totp-off = Hello { $name }, two-factor authentication was turned off for your account.
mail-invite-subject = Invitation to join { $org } on Creneau
mail-invite-body = Hello { $name }, { $inviter } invites you to join { $org } as { $role }.
mail-invite-expiry = The link is valid for 7 days. You can create your account or use the one you already have.
mail-invite-action = See the invitation
mail-staff-booked-subject = New booking on { $when }
mail-staff-booked-body = { $name } booked { $when } on the { $with } calendar.
mail-staff-moved-subject = Booking moved to { $when }
mail-staff-moved-body = { $name } moved their booking to { $when } on the { $with } calendar.
mail-staff-cancelled-subject = Booking on { $when } cancelled
mail-staff-cancelled-body = { $name } cancelled their booking on { $when } on the { $with } calendar.
mail-test-subject = Creneau test message

## Text messages: short, the organisation first (the sender is the platform's number).

sms-booked = { $org }: booking confirmed for { $when } with { $with } ({ $place }).
sms-moved = { $org }: your booking with { $with } is moved to { $when }.
sms-cancelled = { $org }: your booking on { $when } with { $with } is cancelled.
sms-reminder = { $org }: reminder of your booking on { $when } with { $with } ({ $place }).
sms-manage = Reschedule or cancel: { $link }
sms-staff-booked = { $org }: new booking by { $name } on { $when } ({ $with }).
sms-staff-moved = { $org }: { $name } moved their booking to { $when } ({ $with }).
sms-staff-cancelled = { $org }: { $name } cancelled their booking on { $when } ({ $with }).
sms-test = This message confirms that Creneau can send text messages.
mail-test-body = This message confirms that Creneau can send email.

## What clients read about their booking (jobs/booking_mail.rs)

mail-client-booked-subject = Booking confirmed: { $what }, { $when }
mail-client-booked-lead = Hello { $name }, your booking is confirmed.
mail-client-created-subject = Booking confirmed on { $when }
mail-client-created-lead = Hello { $name }, { $org } has booked your appointment.
mail-client-moved-subject = Booking moved to { $when }
mail-client-moved-lead = Hello { $name }, your booking has moved. Here is the new time.
mail-client-cancelled-subject = Booking on { $when } cancelled
mail-client-cancelled-lead = Hello { $name }, your booking is cancelled.
mail-client-reminder-subject = Reminder: appointment on { $when }
mail-client-reminder-lead = Hello { $name }, a reminder of your appointment tomorrow.
mail-client-appointment = Appointment
mail-client-when = When: { $when } ({ $minutes } min)
mail-client-what = Service: { $what }
mail-client-with = With: { $with }
mail-client-where = Where: { $place }
mail-client-ics = The attached file adds this appointment to your calendar.
mail-client-manage = Move or cancel
mail-client-footer = { $org } — you receive this message because an appointment was booked in your name.
mail-staff-footer = { $org } on Creneau — you receive this message by your notification preferences (the Notifications page).
mail-webhook_disabled-subject = { $org }: a webhook was disabled
mail-webhook_disabled-body = The webhook to { $url } did not answer properly { $failures } times in a row: Creneau disabled it so as not to keep sending into the void. Check the service that receives it, then enable it again from its page.
mail-webhook_disabled-action = See the webhook
