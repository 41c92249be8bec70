//! The set-up checklist as a pure function of what the organisation already has.

/// What the organisation has, as the member sees it.
#[derive(Debug, Default)]
pub struct Facts {
    pub org: bool,
    /// The first location, by name: where a calendar is created.
    pub location: Option<String>,
    /// The first calendar: whose hours to set.
    pub calendar: Option<String>,
    pub hours: bool,
    /// The first active service: where it is switched on per calendar.
    pub service: Option<String>,
    /// An active service offered on a calendar with working hours.
    pub offered: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Step {
    /// `home.step.<key>` names it.
    pub key: &'static str,
    pub href: String,
    pub done: bool,
}

/// The steps in order. Each links to the page where it is done; the last (sharing the
/// booking link) is done when every other is.
pub fn steps(f: &Facts) -> Vec<Step> {
    let step = |key, href: String, done| Step { key, href, done };
    let location = f.location.as_deref().map(|l| format!("/locations/{l}"));
    let mut out = vec![
        step("org", "/orgs".into(), f.org),
        step("location", "/locations".into(), f.location.is_some()),
        step("calendar", location.clone().unwrap_or_else(|| "/locations".into()), f.calendar.is_some()),
        step(
            "hours",
            f.calendar.as_deref().map(|c| format!("/calendars/{c}/hours")).unwrap_or_else(|| "/agenda".into()),
            f.hours,
        ),
        step("service", "/services".into(), f.service.is_some()),
        step(
            "offered",
            f.service.as_deref().map(|s| format!("/services/{s}")).unwrap_or_else(|| "/services".into()),
            f.offered,
        ),
    ];
    let ready = out.iter().all(|s| s.done);
    out.push(step("share", location.unwrap_or_else(|| "/locations".into()), ready));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_organisation_starts_at_the_location() {
        let s = steps(&Facts { org: true, ..Default::default() });
        let done: Vec<_> = s.iter().map(|s| (s.key, s.done)).collect();
        assert_eq!(
            done,
            [
                ("org", true),
                ("location", false),
                ("calendar", false),
                ("hours", false),
                ("service", false),
                ("offered", false),
                ("share", false)
            ]
        );
        assert_eq!(s[3].href, "/agenda");
    }

    #[test]
    fn each_step_links_where_it_is_done_and_sharing_needs_all() {
        let mut f = Facts {
            org: true,
            location: Some("L".into()),
            calendar: Some("C".into()),
            hours: true,
            service: Some("S".into()),
            offered: false,
        };
        let s = steps(&f);
        assert_eq!(
            s.iter().map(|s| s.href.as_str()).collect::<Vec<_>>(),
            ["/orgs", "/locations", "/locations/L", "/calendars/C/hours", "/services", "/services/S", "/locations/L"]
        );
        assert!(!s[6].done);
        f.offered = true;
        assert!(steps(&f).iter().all(|s| s.done));
    }
}
