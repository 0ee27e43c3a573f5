//! Thruk row templates for the demo backend. Each table's columns come from the example rows in
//! `fixtures/thruk/`, embedded at build time, so the demo answers with exactly the columns a real
//! Thruk does: a row is the template with the demo's values written over it.

use serde_json::{Map, Value};
use std::sync::OnceLock;

/// A Thruk table whose rows the demo builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Host,
    Service,
    Downtime,
    Comment,
    Log,
    Site,
}

impl Table {
    fn source(self) -> &'static str {
        match self {
            Table::Host => include_str!("../../fixtures/thruk/host.json"),
            Table::Service => include_str!("../../fixtures/thruk/service.json"),
            Table::Downtime => include_str!("../../fixtures/thruk/downtime.json"),
            Table::Comment => include_str!("../../fixtures/thruk/comment.json"),
            Table::Log => include_str!("../../fixtures/thruk/log.json"),
            Table::Site => include_str!("../../fixtures/thruk/site.json"),
        }
    }

    /// The table's example row, parsed once.
    pub fn template(self) -> &'static Map<String, Value> {
        static CELLS: [OnceLock<Map<String, Value>>; 6] = [
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
        ];
        CELLS[self as usize].get_or_init(|| serde_json::from_str(self.source()).unwrap_or_default())
    }
}

/// Builds a row of `table`: the fixture row with `values` written over it.
pub fn row(table: Table, values: Value) -> Value {
    let mut out = table.template().clone();
    if let Value::Object(values) = values {
        out.extend(values);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixture_parses_to_a_non_empty_row() {
        for table in [
            Table::Host,
            Table::Service,
            Table::Downtime,
            Table::Comment,
            Table::Log,
            Table::Site,
        ] {
            let parsed: Map<String, Value> = serde_json::from_str(table.source())
                .unwrap_or_else(|e| panic!("fixture for {table:?} is not a JSON object: {e}"));
            assert!(parsed.len() > 5, "{table:?} fixture has too few columns");
            assert_eq!(table.template(), &parsed);
        }
    }

    #[test]
    fn values_overwrite_the_template() {
        let r = row(
            Table::Site,
            serde_json::json!({"name": "paris", "connected": 0}),
        );
        assert_eq!(r["name"], "paris");
        assert_eq!(r["connected"], 0);
        assert_eq!(r["type"], "livestatus");
    }
}
