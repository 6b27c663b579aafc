//! The public citizen form over real HTTP, for the tests that need more
//! than one server instance.

use std::time::Duration;

use crate::People;

/// The form's hidden token, as a browser gets it from `url`.
pub fn form_token(url: &str, p: &People) -> String {
    let html = reqwest::blocking::get(format!("{url}/umpan-balik/{}/{}", p.tenant, p.unit_a)).unwrap().text().unwrap();
    let at = html.find(r#"name="token" value=""#).expect("the form has a token") + r#"name="token" value=""#.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// Post a complete answer with `token` to `url`: the status and the page.
pub fn submit(url: &str, p: &People, token: &str) -> (u16, String) {
    let body = format!(
        "token={token}&situs_web=&layanan_lain=Perekaman+KTP-el&u1=4&u2=3&u3=3&u4=4&u5=3&u6=4&u7=4&u8=2&u9=3&menit=15&komentar=Cepat"
    );
    let res = reqwest::blocking::Client::new()
        .post(format!("{url}/umpan-balik/{}/{}", p.tenant, p.unit_a))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .unwrap();
    (res.status().as_u16(), res.text().unwrap())
}

/// A form served by one instance is accepted by the other (one secret,
/// kept in the database).
pub fn token_from_one_instance_is_accepted_by_the_other(a: &str, b: &str, p: &People) {
    let token = form_token(a, p);
    // A citizen takes a few seconds to answer (faster is treated as a bot).
    std::thread::sleep(Duration::from_millis(3_300));
    let (status, html) = submit(b, p, &token);
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Terima kasih"), "{html}");
}

/// The per-client limit counts posts to every instance: `limit` answers in
/// all go through, the next is refused wherever it lands.
pub fn rate_limit_is_shared(a: &str, b: &str, p: &People, limit: u32) {
    let tokens: Vec<String> = (0..=limit).map(|_| form_token(a, p)).collect();
    std::thread::sleep(Duration::from_millis(3_300));
    let mut refused = 0;
    for (i, t) in tokens.iter().enumerate() {
        let (status, _) = submit(if i % 2 == 0 { a } else { b }, p, t);
        if status == 429 {
            refused += 1;
        }
    }
    assert_eq!(refused, 1, "{limit} answers per client in all, through both instances");
}
