pub mod accounts;
pub mod health;
pub mod openapi;
pub mod orgs;
