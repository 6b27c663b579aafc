//! What a user name and a password must be (docs/SECURITY.md, "Logins,
//! passwords and tokens"), checked wherever one is set: `user create` on
//! the command line, an admin's password reset (API and CLI) and a user's
//! own change (`POST /v1/password`, `/ganti-sandi`). Logins never check
//! them: a stored name or password is compared, not judged.

use crate::error::AppError;

/// The longest user name.
pub const USERNAME_MAX: usize = 64;
/// The shortest password, in characters.
pub const PASSWORD_MIN: usize = 12;
/// The longest password, in characters (zxcvbn's work grows with length).
pub const PASSWORD_MAX: usize = 128;
/// The lowest zxcvbn score (0–4) a password may have: 3 is "safely
/// unguessable: moderate protection from an offline slow-hash scenario"
/// (about 10^8 guesses and more).
pub const PASSWORD_MIN_SCORE: u8 = 3;

fn invalid_username(message: &str) -> AppError {
    AppError::Unprocessable { code: "invalid_username", message: message.into() }
}

fn weak(message: &str) -> AppError {
    AppError::Unprocessable { code: "weak_password", message: message.into() }
}

/// A user name: 1 to 64 characters of `a-z`, `0-9`, `.`, `_` and `-` —
/// nothing a page or a log could take for markup or a separator.
pub fn check_username(username: &str) -> Result<(), AppError> {
    if username.is_empty() {
        return Err(invalid_username("Nama pengguna wajib diisi."));
    }
    if username.chars().count() > USERNAME_MAX {
        return Err(invalid_username("Nama pengguna paling panjang 64 karakter."));
    }
    if !username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')) {
        return Err(invalid_username(
            "Nama pengguna hanya boleh berisi huruf kecil a–z, angka 0–9, titik (.), garis bawah (_) dan tanda \
             hubung (-).",
        ));
    }
    Ok(())
}

/// A password to set for `username` of `tenant`: at least 12 characters
/// and not guessable (zxcvbn score ≥ 3, with the user's own name, the
/// tenant and the product's names counted as known words).
pub fn check_password(password: &str, tenant: &str, username: &str) -> Result<(), AppError> {
    let length = password.chars().count();
    if length < PASSWORD_MIN {
        return Err(weak("Kata sandi minimal 12 karakter."));
    }
    if length > PASSWORD_MAX {
        return Err(weak("Kata sandi paling panjang 128 karakter."));
    }
    let known = [tenant, username, "prestasi", "bkpsdm"];
    let score = u8::from(zxcvbn::zxcvbn(password, &known).score());
    if score < PASSWORD_MIN_SCORE {
        return Err(weak(
            "Kata sandi terlalu mudah ditebak (kata umum, urutan, pengulangan, tanggal, atau nama pengguna dan \
             instansi). Gunakan kalimat sandi dari beberapa kata yang tidak berhubungan.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn refusal(r: Result<(), AppError>) -> (String, String) {
        let e = r.unwrap_err();
        (e.code().to_string(), e.to_string())
    }

    /// The user names of issue 15's report, and the rule's edges.
    #[test]
    fn user_names_are_short_plain_and_lower_case() {
        for ok in ["bkpsdm", "hr", "siti.rahayu", "admin_2", "a-b", &"a".repeat(64)] {
            check_username(ok).unwrap();
        }
        assert_eq!(refusal(check_username("")), ("invalid_username".into(), "Nama pengguna wajib diisi.".into()));
        assert_eq!(refusal(check_username(&"a".repeat(65))).1, "Nama pengguna paling panjang 64 karakter.");
        for bad in ["<img src=x onerror=alert(1)>", "Siti", "siti rahayu", "siti@bkpsdm", "sití", "a/b", "x\n"] {
            let (code, message) = refusal(check_username(bad));
            assert_eq!(code, "invalid_username", "{bad:?}");
            assert!(message.starts_with("Nama pengguna hanya boleh berisi huruf kecil a–z"), "{bad:?}: {message}");
        }
    }

    /// The passwords of issue 15's report, and guessable ones long enough.
    #[test]
    fn passwords_are_long_and_not_guessable() {
        let short = "Kata sandi minimal 12 karakter.";
        for p in ["aaaaaaaaaa", "1234567890", "", "kopi-arfak"] {
            assert_eq!(refusal(check_password(p, "demo", "bkpsdm")), ("weak_password".into(), short.into()), "{p:?}");
        }
        for p in ["aaaaaaaaaaaa", "123456789012", "passwordpassword", "qwertyuiopas", "bkpsdm123456", "demodemodemo"] {
            let (code, message) = refusal(check_password(p, "demo", "bkpsdm"));
            assert_eq!(code, "weak_password", "{p:?}");
            assert!(message.starts_with("Kata sandi terlalu mudah ditebak"), "{p:?}: {message}");
        }
        assert_eq!(
            refusal(check_password(&"x7#".repeat(43), "demo", "bkpsdm")).1,
            "Kata sandi paling panjang 128 karakter."
        );
        // What the demo, the tests and the README use.
        for p in ["kopi-arfak-pagi", "kata-sandi-bkpsdm", "kata-sandi-panjang", "tinta-biru-manokwari"] {
            check_password(p, "demo", "bkpsdm").unwrap();
        }
    }
}
