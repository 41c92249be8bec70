//! Cursor pagination for the lists whose items the service returns whole (locations,
//! calendars, services, members, teams, absences, webhooks): `?limit=` (1 to 200) and
//! `?after=` (the cursor of the previous page). The body stays the array; the next page's
//! address is in the `Link` header (`rel="next"`, RFC 8288), absent on the last page. Without
//! either parameter the whole list comes, as before. The order with paging is the items' key
//! (their name, then id): the cursor is that key, so an item added or removed meanwhile
//! moves no other across pages.

use crate::error::{AppError, AppResult};
use axum::{
    Json,
    http::{HeaderValue, Uri, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The cursor of the previous page (from its `Link: <…>; rel="next"`).
    pub after: Option<String>,
    /// 1 to 200 items; without it (and without `after`), the whole list.
    pub limit: Option<i64>,
}

/// One page of `items`, in the order of `key`, and the next page's cursor.
pub fn page<T>(mut items: Vec<T>, q: &PageQuery, key: impl Fn(&T) -> String) -> AppResult<(Vec<T>, Option<String>)> {
    if q.after.is_none() && q.limit.is_none() {
        return Ok((items, None));
    }
    let limit = q.limit.unwrap_or(50).clamp(1, 200) as usize;
    items.sort_by_cached_key(|i| key(i));
    if let Some(after) = q.after.as_deref().filter(|a| !a.is_empty()) {
        let after = URL_SAFE_NO_PAD
            .decode(after)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| AppError::field("after", "invalid-cursor", "Use the cursor from the previous page."))?;
        items.retain(|i| key(i) > after);
    }
    let next = (items.len() > limit).then(|| URL_SAFE_NO_PAD.encode(key(&items[limit - 1])));
    items.truncate(limit);
    Ok((items, next))
}

/// The page as the answer: the array, and the `Link` to the next page when there is one.
pub fn answer<T: serde::Serialize>(uri: &Uri, (items, next): (Vec<T>, Option<String>), q: &PageQuery) -> Response {
    let mut res = Json(items).into_response();
    if let Some(cursor) = next {
        let kept: Vec<(String, String)> = uri
            .query()
            .map(|q| crate::http::csrf::serde_urlencoded_pairs(q.as_bytes()))
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| k != "after" && k != "limit")
            .collect();
        let mut pairs: Vec<(&str, String)> = kept.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        pairs.push(("limit", q.limit.unwrap_or(50).clamp(1, 200).to_string()));
        pairs.push(("after", cursor));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if let Ok(v) = HeaderValue::from_str(&format!("<{}?{query}>; rel=\"next\"", uri.path())) {
            res.headers_mut().insert(header::LINK, v);
        }
    }
    res
}

/// `page` then `answer`: a list handler's last line.
pub fn respond<T: serde::Serialize>(
    uri: &Uri,
    q: &PageQuery,
    items: Vec<T>,
    key: impl Fn(&T) -> String,
) -> AppResult<Response> {
    Ok(answer(uri, page(items, q, key)?, q))
}

/// A key: the name, then the id (ties broken by the id).
pub fn by_name(name: &str, id: &str) -> String {
    format!("{}\u{1f}{id}", name.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_the_key_and_end() {
        let items: Vec<(String, String)> = ["Nice", "lyon", "Annecy", "Brest", "Caen"]
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), i.to_string()))
            .collect();
        let key = |x: &(String, String)| by_name(&x.0, &x.1);
        let (all, next) = page(items.clone(), &PageQuery::default(), key).unwrap();
        assert_eq!((all.len(), next), (5, None), "no paging asked: everything, as it was");
        let q = PageQuery { after: None, limit: Some(2) };
        let (first, next) = page(items.clone(), &q, key).unwrap();
        assert_eq!(first.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["Annecy", "Brest"]);
        let q = PageQuery { after: next, limit: Some(2) };
        let (second, next) = page(items.clone(), &q, key).unwrap();
        assert_eq!(second.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["Caen", "lyon"]);
        let q = PageQuery { after: next, limit: Some(2) };
        let (third, next) = page(items.clone(), &q, key).unwrap();
        assert_eq!((third.len(), next), (1, None));
        assert!(page(items, &PageQuery { after: Some("%%%".into()), limit: None }, key).is_err());
    }
}
