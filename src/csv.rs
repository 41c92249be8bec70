//! CSV cells for the downloads (audit log, statistics, bookings): quoted, and neutralised
//! where a spreadsheet would run them as a formula (OWASP "CSV injection"): a cell starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe.

/// One cell, quoted and formula-safe.
pub fn cell(value: &str) -> String {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let v = if risky { format!("'{value}") } else { value.to_string() };
    format!("\"{}\"", v.replace('"', "\"\""))
}

/// A line of cells joined by `sep`, ended by CRLF as RFC 4180 says.
pub fn line<S: AsRef<str>>(cells: &[S], sep: char) -> String {
    let mut out = cells.iter().map(|c| cell(c.as_ref())).collect::<Vec<_>>().join(&sep.to_string());
    out.push_str("\r\n");
    out
}

/// What opens a UTF-8 CSV as UTF-8 in Excel (French accents intact).
pub const BOM: &str = "\u{feff}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_carry_formulas() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+33 6"), "\"'+33 6\"");
        assert_eq!(cell("-1"), "\"'-1\"");
        assert_eq!(cell("@SUM"), "\"'@SUM\"");
        assert_eq!(cell("\tx"), "\"'\tx\"");
        assert_eq!(cell("plain, \"quoted\""), "\"plain, \"\"quoted\"\"\"");
        assert_eq!(line(&["a", "=b"], ';'), "\"a\";\"'=b\"\r\n");
    }
}
