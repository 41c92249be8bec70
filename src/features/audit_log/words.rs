//! The audit log in words (issue 13, item 10): who (a member's name, from the team), did
//! what (the action as a sentence), to what (the object by name, linked to its page), with
//! the role a member was given; the raw values stay in the CSV.

use super::service::AuditRow;
use crate::features::prelude::*;
use crate::features::{
    calendars::service as calendars, locations::service as locations, members::repo as members,
    services::service as services, teams::repo as teams,
};
use std::collections::HashMap;

/// Names by id of what an organisation's rows name: members (by account and by membership),
/// locations, calendars, services, teams; four queries whatever the number of rows.
pub struct Names {
    accounts: HashMap<String, String>,
    objects: HashMap<String, String>,
    /// API keys by id: their name and their creator's.
    keys: HashMap<String, (String, String)>,
}

impl Names {
    pub async fn load(state: &AppState, scope: &OrgScope) -> AppResult<Names> {
        let mut accounts = HashMap::new();
        let mut objects = HashMap::new();
        for m in members::list(state.db.pool(), scope.tenant()).await? {
            let name = format!("{} {}", m.first_name, m.last_name).trim().to_string();
            let name = if name.is_empty() { m.email.clone() } else { name };
            if let Some(a) = &m.account_id {
                accounts.insert(a.clone(), name.clone());
            }
            objects.insert(m.id, name);
        }
        for l in locations::list(state, scope).await? {
            objects.insert(l.id, l.name);
        }
        for c in calendars::all_cached(state, scope).await?.iter() {
            objects.insert(c.id.clone(), c.name.clone());
        }
        for s in services::list(state, scope).await? {
            objects.insert(s.id, s.name);
        }
        for (id, name) in teams::teams(state.db.pool(), scope.tenant(), None).await? {
            objects.insert(id, name);
        }
        let mut keys = HashMap::new();
        for (id, name, creator) in crate::features::api_keys::repo::names(state.db.pool(), scope.tenant()).await? {
            objects.insert(id.clone(), name.clone());
            keys.insert(id, (name, creator));
        }
        Ok(Names { accounts, objects, keys })
    }

    /// The members with an account, by name: the person filter's choices.
    pub fn people(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self.accounts.iter().map(|(a, n)| (a.clone(), n.clone())).collect();
        v.sort_by(|x, y| x.1.cmp(&y.1));
        v
    }

    /// Who: the member's name when the actor is one, an API key with its creator's, else
    /// what the row says.
    pub fn actor(&self, t: Tr, r: &AuditRow) -> Option<String> {
        let id = r.actor_id.as_deref()?;
        match r.actor_type.as_str() {
            "account" => self.accounts.get(id).cloned(),
            "api_key" => self.keys.get(id).map(|(name, creator)| api_key_actor(t, name, creator)),
            _ => None,
        }
    }

    /// The object by name, when it has one the organisation still holds.
    pub fn object(&self, r: &AuditRow) -> Option<String> {
        r.object_id.as_deref().and_then(|o| self.objects.get(o)).cloned()
    }
}

/// "API key «Zapier», made by Camille Dupont".
pub fn api_key_actor(t: Tr, name: &str, creator: &str) -> String {
    t.fmt("audit.api_key", &[("name", name), ("creator", creator)])
}

/// The page of an object, for the link from its row.
pub fn object_href(r: &AuditRow) -> Option<String> {
    let id = r.object_id.as_deref()?;
    let path = match r.object_type.as_str() {
        "membership" => format!("/team/{id}"),
        "location" => format!("/locations/{id}"),
        "calendar" => format!("/calendars/{id}"),
        "service" => format!("/services/{id}"),
        "team" => format!("/teams/{id}"),
        "client" => format!("/clients/{id}"),
        "booking" => format!("/bookings/{id}"),
        "api_key" => "/integrations".to_string(),
        _ => return None,
    };
    Some(path)
}

/// "a invité" / "invited": the action in words; an action the list lacks keeps its code.
pub fn action(t: Tr, r: &AuditRow) -> String {
    t.audit_action(&r.action).map(str::to_string).unwrap_or_else(|| r.action.clone())
}

/// What the sentence adds from the row's values: the role a member was given or now holds.
pub fn detail(t: Tr, r: &AuditRow) -> Option<String> {
    let after: serde_json::Value = serde_json::from_str(r.after_json.as_deref()?).ok()?;
    // At the top, or in the member's snapshot (an invitation).
    let role = after.get("role").or_else(|| after.get("member").and_then(|m| m.get("role")))?.as_str()?;
    Some(t.fmt("audit.as_role", &[("role", &t.role(role).to_lowercase())]))
}
