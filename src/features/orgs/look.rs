//! How a business's public booking page looks and where it may be shown: its colour, its
//! logo and the websites that may frame it. Pure rules, written once: the settings check them, the
//! booking page and `http::Framable` use what they keep.

use crate::error::FieldError;

/// At most this many websites may frame the booking page.
pub const MAX_ORIGINS: usize = 10;

/// `#rrggbb` in lowercase, or empty (Creneau's own colour). Buttons write white text on it,
/// so it must stand out against white as WCAG AA asks of text (contrast at least 4.5:1).
pub fn colour(field: &str, typed: &str) -> Result<String, FieldError> {
    let typed = typed.trim().to_ascii_lowercase();
    if typed.is_empty() {
        return Ok(typed);
    }
    let hex = typed.strip_prefix('#').unwrap_or(&typed);
    let rgb = (hex.len() == 6)
        .then(|| u32::from_str_radix(hex, 16).ok())
        .flatten()
        .filter(|_| hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| FieldError::new(field, "invalid-colour", "Use a colour such as #7c3aed."))?;
    if contrast_with_white(rgb) < 4.5 {
        return Err(FieldError::new(
            field,
            "low-contrast",
            "Choose a darker colour: white text on it must stay readable.",
        ));
    }
    Ok(format!("#{hex}"))
}

/// WCAG 2 contrast ratio of white against the colour `0xrrggbb`.
fn contrast_with_white(rgb: u32) -> f64 {
    let channel = |shift: u32| {
        let c = f64::from((rgb >> shift) & 0xff) / 255.0;
        if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    let l = 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0);
    1.05 / (l + 0.05)
}

/// The websites that may frame the booking page, typed one per line (or separated by spaces
/// or commas), as origins (`https://www.salon.fr`) separated by single spaces; empty: any
/// website. Only `https` (and `http` for `localhost` while testing a site), no path beyond
/// `/`, no query, no credentials, no wildcards: what the CSP `frame-ancestors` list takes.
pub fn frame_origins(field: &str, typed: &str) -> Result<String, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for item in typed.split(|c: char| c.is_whitespace() || c == ',').filter(|s| !s.is_empty()) {
        let bad = || {
            FieldError::new(
                field,
                "invalid-origin",
                format!("{item} is not a website address such as https://www.example.fr."),
            )
        };
        let url = url::Url::parse(item).map_err(|_| bad())?;
        let host = url.host_str().filter(|h| !h.is_empty() && !h.contains('*')).ok_or_else(bad)?;
        let local = host == "localhost" || host == "127.0.0.1";
        let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && local);
        if !scheme_ok
            || !url.username().is_empty()
            || url.password().is_some()
            || url.query().is_some()
            || url.fragment().is_some()
            || url.path() != "/"
        {
            return Err(bad());
        }
        let origin = url.origin().ascii_serialization();
        // It goes into a header: nothing but what a host and port are made of (no `;` or
        // quote that would start another directive).
        if !origin.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:/[]".contains(&b)) {
            return Err(bad());
        }
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    if out.len() > MAX_ORIGINS {
        return Err(FieldError::new(field, "too-many-origins", format!("At most {MAX_ORIGINS} websites.")));
    }
    Ok(out.join(" "))
}

/// The CSP `frame-ancestors` sources of a booking page: the listed websites, or any.
pub fn frame_ancestors(origins: &str) -> &str {
    if origins.trim().is_empty() { "*" } else { origins }
}

/// The stylesheet a booking page in this colour adds after the shared one.
pub fn stylesheet(colour: &str) -> String {
    format!(":root {{ --accent:{colour}; }}\n")
}

/// The largest logo kept: plenty for a header image, small enough to serve from the database.
pub const MAX_LOGO_BYTES: usize = 200 * 1024;

/// The image type of a logo's bytes, read from its first bytes (never from what the browser
/// said): PNG, JPEG or WebP. SVG is refused: it can carry script.
pub fn logo_type(field: &str, bytes: &[u8]) -> Result<&'static str, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new(field, "required", "This field is required."));
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(FieldError::new(field, "logo-too-large", format!("At most {} KB.", MAX_LOGO_BYTES / 1024)));
    }
    let kind = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        "image/jpeg"
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else {
        return Err(FieldError::new(field, "logo-type", "Use a PNG, JPEG or WebP image."));
    };
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_kept_in_one_form_and_readable() {
        assert_eq!(colour("c", "").unwrap(), "");
        assert_eq!(colour("c", " #7C3AED ").unwrap(), "#7c3aed");
        assert_eq!(colour("c", "1d4ed8").unwrap(), "#1d4ed8");
        assert_eq!(colour("c", "#000000").unwrap(), "#000000");
        for bad in ["#12345", "#12345g", "red", "#1234567", "#+12345", "#-12345"] {
            assert_eq!(colour("c", bad).unwrap_err().code, "invalid-colour", "{bad}");
        }
        // Yellow, light grey: white text would vanish.
        for light in ["#ffff00", "#dddddd", "#ffffff", "#60a5fa"] {
            assert_eq!(colour("c", light).unwrap_err().code, "low-contrast", "{light}");
        }
        assert!((contrast_with_white(0x000000) - 21.0).abs() < 0.01);
        assert!((contrast_with_white(0xffffff) - 1.0).abs() < 0.01);
    }

    #[test]
    fn frame_origins_are_origins_only() {
        assert_eq!(frame_origins("f", "").unwrap(), "");
        assert_eq!(
            frame_origins(
                "f",
                "https://www.salon.fr\nhttps://Salon.fr/, https://www.salon.fr:8443 https://www.salon.fr"
            )
            .unwrap(),
            "https://www.salon.fr https://salon.fr https://www.salon.fr:8443"
        );
        assert_eq!(frame_origins("f", "http://localhost:8080").unwrap(), "http://localhost:8080");
        for bad in [
            "http://www.salon.fr",
            "https://www.salon.fr/booking",
            "https://www.salon.fr/?a=1",
            "https://user:pw@salon.fr",
            "https://*.salon.fr",
            "javascript:alert(1)",
            "salon.fr",
            "*",
            "'self'",
            "data:",
            "https://salon.fr;script-src",
        ] {
            assert_eq!(frame_origins("f", bad).unwrap_err().code, "invalid-origin", "{bad}");
        }
        let many: Vec<String> = (0..11).map(|i| format!("https://s{i}.fr")).collect();
        assert_eq!(frame_origins("f", &many.join(" ")).unwrap_err().code, "too-many-origins");
        assert_eq!(frame_ancestors(""), "*");
    }

    #[test]
    fn logos_are_known_images_by_their_bytes() {
        assert_eq!(logo_type("l", b"\x89PNG\r\n\x1a\n....").unwrap(), "image/png");
        assert_eq!(logo_type("l", &[0xff, 0xd8, 0xff, 0xe0, 0]).unwrap(), "image/jpeg");
        assert_eq!(logo_type("l", b"RIFF\x10\0\0\0WEBPVP8 ").unwrap(), "image/webp");
        for bad in [&b"<svg xmlns='http://www.w3.org/2000/svg'/>"[..], b"GIF89a", b"RIFF\0\0\0\0WAVEfmt "] {
            assert_eq!(logo_type("l", bad).unwrap_err().code, "logo-type");
        }
        assert_eq!(logo_type("l", b"").unwrap_err().code, "required");
        let big = [b"\x89PNG\r\n\x1a\n".as_slice(), &vec![0; MAX_LOGO_BYTES]].concat();
        assert_eq!(logo_type("l", &big).unwrap_err().code, "logo-too-large");
        assert_eq!(frame_ancestors("https://a.fr https://b.fr"), "https://a.fr https://b.fr");
    }
}
