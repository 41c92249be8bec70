//! A statement and its values in one list: `db::query(sql, &[&org_id, &id, &now])` binds
//! `$1`, `$2`, `$3` in that order, as a chain of `.bind(…)` calls would. The schema stores
//! text (ids, names, zones) and whole numbers (instants as BIGINT ms, counts, flags), either
//! possibly NULL, so those are the values there are.

use sqlx::{
    Any,
    any::AnyArguments,
    query::{Query, QueryAs, QueryScalar},
};

/// One bound value as sqlx's `Any` driver takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
}

/// What may stand in a statement's list of values.
pub trait Value: Sync {
    fn arg(&self) -> Arg<'_>;
}

impl Value for str {
    fn arg(&self) -> Arg<'_> {
        Arg::Text(Some(self))
    }
}

impl Value for String {
    fn arg(&self) -> Arg<'_> {
        Arg::Text(Some(self))
    }
}

impl Value for Option<String> {
    fn arg(&self) -> Arg<'_> {
        Arg::Text(self.as_deref())
    }
}

impl Value for Option<&str> {
    fn arg(&self) -> Arg<'_> {
        Arg::Text(*self)
    }
}

impl Value for i64 {
    fn arg(&self) -> Arg<'_> {
        Arg::Int(Some(*self))
    }
}

impl Value for Option<i64> {
    fn arg(&self) -> Arg<'_> {
        Arg::Int(*self)
    }
}

impl<T: Value + ?Sized> Value for &T {
    fn arg(&self) -> Arg<'_> {
        (**self).arg()
    }
}

/// The three kinds of sqlx statement, each taking one more value.
trait Bind<'q> {
    fn bind_arg(self, arg: Arg<'q>) -> Self;
}

impl<'q> Bind<'q> for Query<'q, Any, AnyArguments<'q>> {
    fn bind_arg(self, arg: Arg<'q>) -> Self {
        match arg {
            Arg::Text(v) => self.bind(v),
            Arg::Int(v) => self.bind(v),
        }
    }
}

impl<'q, T> Bind<'q> for QueryAs<'q, Any, T, AnyArguments<'q>> {
    fn bind_arg(self, arg: Arg<'q>) -> Self {
        match arg {
            Arg::Text(v) => self.bind(v),
            Arg::Int(v) => self.bind(v),
        }
    }
}

impl<'q, T> Bind<'q> for QueryScalar<'q, Any, T, AnyArguments<'q>> {
    fn bind_arg(self, arg: Arg<'q>) -> Self {
        match arg {
            Arg::Text(v) => self.bind(v),
            Arg::Int(v) => self.bind(v),
        }
    }
}

fn bound<'q, Q: Bind<'q>>(q: Q, values: &[&'q dyn Value]) -> Q {
    values.iter().fold(q, |q, &v| q.bind_arg(v.arg()))
}

/// A statement run for its effect, `values` bound to `$1, $2, …`.
pub fn query<'q>(sql: &'q str, values: &[&'q dyn Value]) -> Query<'q, Any, AnyArguments<'q>> {
    bound(sqlx::query(sql), values)
}

/// A statement read into rows of `T`, `values` bound to `$1, $2, …`.
pub fn query_as<'q, T>(sql: &'q str, values: &[&'q dyn Value]) -> QueryAs<'q, Any, T, AnyArguments<'q>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
{
    bound(sqlx::query_as(sql), values)
}

/// A statement read into one column of `T`, `values` bound to `$1, $2, …`.
pub fn query_scalar<'q, T>(sql: &'q str, values: &[&'q dyn Value]) -> QueryScalar<'q, Any, T, AnyArguments<'q>>
where
    (T,): for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
{
    bound(sqlx::query_scalar(sql), values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_the_arg_its_type_says() {
        let (id, name, none): (&str, String, Option<String>) = ("a", "b".to_string(), None);
        let values: [&dyn Value; 6] = [&id, &name, &none, &Some("c"), &7i64, &None::<i64>];
        let args: Vec<Arg<'_>> = values.iter().map(|v| v.arg()).collect();
        assert_eq!(
            args,
            [
                Arg::Text(Some("a")),
                Arg::Text(Some("b")),
                Arg::Text(None),
                Arg::Text(Some("c")),
                Arg::Int(Some(7)),
                Arg::Int(None)
            ]
        );
    }
}
