pub mod accounts;
pub mod calendars;
pub mod health;
pub mod locations;
pub mod members;
pub mod openapi;
pub mod orgs;
