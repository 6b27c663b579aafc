//! Charts as inline SVG, drawn on the server: they show on a slow link and
//! without JavaScript, and carry a text alternative for screen readers.

use std::fmt::Write;

use prestasi_core::rules::{Potential, Rating, nine_box};

/// One bar of a stacked horizontal bar chart: a label and its segments.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub values: Vec<u64>,
}

/// Colours with enough contrast on white, one per segment kind.
const COLOURS: [&str; 6] = ["#1b6b1b", "#4f9a3a", "#b5a300", "#d9822b", "#b33a3a", "#8a8a8a"];

/// Characters of a bar label that fit beside the bars.
const LABEL_CHARS: usize = 30;

/// `s` cut to `max` characters, with `…` where it was cut.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Stacked bars, each scaled to the largest total; `legend` names the
/// segments in order.
pub fn stacked_bars(title: &str, legend: &[&str], bars: &[Bar]) -> String {
    let (label_w, bar_w, row_h) = (220.0, 460.0, 22.0);
    let max = bars.iter().map(|b| b.values.iter().sum::<u64>()).max().unwrap_or(0).max(1) as f64;
    let height = row_h * (bars.len() as f64 + 1.5);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg role="img" aria-label="{}" viewBox="0 0 {} {height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        esc(title),
        label_w + bar_w + 60.0,
        esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = row_h * i as f64;
        let _ = write!(
            s,
            r#"<text x="0" y="{}"><title>{}</title>{}</text>"#,
            y + 15.0,
            esc(&b.label),
            esc(&fit(&b.label, LABEL_CHARS))
        );
        let mut x = label_w;
        for (k, v) in b.values.iter().enumerate() {
            let w = *v as f64 / max * bar_w;
            let colour = COLOURS.get(k).copied().unwrap_or("#444");
            let name = legend.get(k).copied().unwrap_or("");
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{}" width="{w:.1}" height="16" fill="{colour}"><title>{}: {v}</title></rect>"#,
                y + 3.0,
                esc(name)
            );
            x += w;
        }
        let _ = write!(s, r#"<text x="{:.1}" y="{}">{}</text>"#, x + 4.0, y + 15.0, b.values.iter().sum::<u64>());
    }
    let mut x = 0.0;
    let y = row_h * bars.len() as f64 + 12.0;
    for (k, name) in legend.iter().enumerate() {
        let colour = COLOURS.get(k).copied().unwrap_or("#444");
        let _ = write!(s, r#"<rect x="{x}" y="{}" width="10" height="10" fill="{colour}"/>"#, y - 9.0);
        let _ = write!(s, r#"<text x="{}" y="{y}">{}</text>"#, x + 14.0, esc(name));
        x += 14.0 + 8.0 * name.chars().count() as f64 + 16.0;
    }
    s.push_str("</svg>");
    s
}

/// A line of (label, value) points, e.g. minutes waited per month.
pub fn line(title: &str, points: &[(String, f64)]) -> String {
    let (w, h, pad) = (640.0, 200.0, 36.0);
    let max = points.iter().map(|p| p.1).fold(0.0_f64, f64::max).max(1.0);
    let step = if points.len() > 1 { (w - 2.0 * pad) / (points.len() - 1) as f64 } else { 0.0 };
    let xy = |i: usize, v: f64| (pad + step * i as f64, h - pad - v / max * (h - 2.0 * pad));
    let mut s = format!(
        r#"<svg role="img" aria-label="{t}" viewBox="0 0 {w} {h}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (x, y) = xy(i, p.1);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let _ = write!(s, r##"<polyline fill="none" stroke="#0b3d6e" stroke-width="2" points="{}"/>"##, path.join(" "));
    for (i, (label, v)) in points.iter().enumerate() {
        let (x, y) = xy(i, *v);
        let _ = write!(
            s,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="#0b3d6e"><title>{}: {v:.1}</title></circle>"##,
            esc(label)
        );
        let _ = write!(s, r#"<text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"#, h - 12.0, esc(label));
        let _ = write!(s, r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle">{v:.0}</text>"#, y - 6.0);
    }
    s.push_str("</svg>");
    s
}

/// The 9-box talent grid: performance rows (Di Atas, Sesuai, Di Bawah
/// Ekspektasi, top to bottom) by potential columns (Rendah, Menengah,
/// Tinggi), numbered as the regulation does (top row 4 7 9, middle 2 5 8,
/// bottom 1 3 6), each box with how many people are in it and a link to
/// its list (`#kotak-N`).
pub fn nine_box_grid(title: &str, count: impl Fn(u8) -> u64) -> String {
    let (left, top, cell_w, cell_h) = (130.0, 10.0, 170.0, 80.0);
    let rows = [Rating::DiAtasEkspektasi, Rating::SesuaiEkspektasi, Rating::DiBawahEkspektasi];
    let cols = Potential::ALL;
    let (w, h) = (left + 3.0 * cell_w + 10.0, top + 3.0 * cell_h + 50.0);
    let mut s = format!(
        r#"<svg role="img" aria-label="{t}" viewBox="0 0 {w} {h}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    for (r, rating) in rows.iter().enumerate() {
        let y = top + cell_h * r as f64;
        let _ = write!(s, r#"<text x="0" y="{:.1}">{}</text>"#, y + cell_h / 2.0 + 4.0, esc(rating.label_id()));
        for (c, potential) in cols.iter().enumerate() {
            let x = left + cell_w * c as f64;
            let number = nine_box(*rating, *potential);
            // Darker green the further up and right.
            let colour = match r + (2 - c) {
                0 => "#1b6b1b",
                1 => "#4f9a3a",
                2 => "#b5a300",
                3 => "#d9822b",
                _ => "#b33a3a",
            };
            let n = count(number);
            let _ = write!(
                s,
                r##"<a href="#kotak-{number}"><rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{colour}" stroke="#fff" stroke-width="3"><title>Kotak {number}: {n} orang</title></rect><text x="{:.1}" y="{:.1}" class="kotak-judul">Kotak {number}</text><text x="{:.1}" y="{:.1}" class="kotak-n">{n}</text></a>"##,
                cell_w,
                cell_h,
                x + 10.0,
                y + 22.0,
                x + 10.0,
                y + 55.0
            );
        }
    }
    let y = top + 3.0 * cell_h + 18.0;
    for (c, potential) in cols.iter().enumerate() {
        let x = left + cell_w * c as f64 + cell_w / 2.0;
        let _ = write!(s, r#"<text x="{x:.1}" y="{y:.1}" text-anchor="middle">{}</text>"#, potential);
    }
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">Potensial →</text><text x="0" y="{:.1}">Kinerja ↑</text>"#,
        left + 1.5 * cell_w,
        y + 20.0,
        y + 20.0
    );
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn charts_escape_labels_and_scale() {
        let svg = stacked_bars("Judul <x>", &["a", "b"], &[Bar { label: "Unit & Co".into(), values: vec![2, 2] }]);
        assert!(svg.contains("Unit &amp; Co") && svg.contains("Judul &lt;x&gt;"));
        let long = stacked_bars(
            "t",
            &["a"],
            &[Bar { label: "Sekretariat Dinas Pendidikan dan Kebudayaan".into(), values: vec![1] }],
        );
        assert!(
            long.contains("<title>Sekretariat Dinas Pendidikan dan Kebudayaan</title>Sekretariat Dinas Pendidikan…<")
        );
        assert!(svg.contains(r#"width="230.0""#), "half of 460 px per segment: {svg}");
        let l = line("Tunggu", &[("2026-01".into(), 10.0), ("2026-02".into(), 20.0)]);
        assert!(l.contains("<polyline") && l.contains("2026-02"));
        let grid = nine_box_grid("9 kotak", |n| u64::from(n) * 10);
        // Reading order: top row 4 7 9, middle 2 5 8, bottom 1 3 6.
        let order: Vec<usize> = [4, 7, 9, 2, 5, 8, 1, 3, 6]
            .iter()
            .map(|n| grid.find(&format!("<title>Kotak {n}: {} orang", n * 10)).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{grid}");
        assert!(grid.contains(r##"href="#kotak-9""##) && grid.contains("Di Atas Ekspektasi"));
    }
}
