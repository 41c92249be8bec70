-- The browser that signed up (hash of a cookie secret): the confirmation link alone suffices
-- there; elsewhere the sign-up's password is asked, so that clicking a link someone else
-- requested for your address cannot hand you (and them) an account with their password.
ALTER TABLE signups ADD COLUMN browser_hash TEXT;
