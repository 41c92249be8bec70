//! Access management: roles, toggles, scoped grants, the one policy (`policy::authorize`)
//! and the tenant context (`context::OrgScope`) that every tenant route extracts.

pub mod api_key;
pub mod context;
pub mod explain;
pub mod holdings;
pub mod identity;
pub mod policy;
#[cfg(test)]
mod policy_tests;
pub mod session;
pub mod tenant;

pub use context::OrgScope;
pub use identity::{Identity, MaybeIdentity};
pub use tenant::Tenant;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Administrator,
    Manager,
    Staff,
    Assistant,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Owner, Role::Administrator, Role::Manager, Role::Staff, Role::Assistant];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Administrator => "administrator",
            Role::Manager => "manager",
            Role::Staff => "staff",
            Role::Assistant => "assistant",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MembershipStatus {
    /// Created without an email; activation sends the invitation.
    Inactive,
    /// Invitation sent, not accepted yet.
    Invited,
    Active,
    Blocked,
    /// Access ended; history stays attributed.
    Removed,
}

impl MembershipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MembershipStatus::Active => "active",
            MembershipStatus::Inactive => "inactive",
            MembershipStatus::Invited => "invited",
            MembershipStatus::Blocked => "blocked",
            MembershipStatus::Removed => "removed",
        }
    }
}
