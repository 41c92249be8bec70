//! Access management. The foundation knows roles and memberships; permissions, grants and
//! the policy function arrive with the access-management work (see ARCHITECTURE.md).

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
    Active,
    Inactive,
    Blocked,
}

impl MembershipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MembershipStatus::Active => "active",
            MembershipStatus::Inactive => "inactive",
            MembershipStatus::Blocked => "blocked",
        }
    }
}
