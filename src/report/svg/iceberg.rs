//! The iceberg: what the company hears above the waterline, what it never hears below.

use super::{INK, Svg, fit};

/// Above: `(label, shown, value)` rows heard; below: rows never heard. The
/// visible tip and the hidden body have areas in proportion to their totals.
pub fn iceberg(
    above: &[(String, String, f64)],
    below: &[(String, String, f64)],
    waterline: &str,
    label: &str,
) -> String {
    let (w, h) = (960.0, 520.0);
    let water_y = 170.0;
    let cx = 260.0;
    let mut svg = Svg::new(w, h);
    svg.rect(0.0, water_y, w, h - water_y, "#DCEBF5", "");
    svg.line(0.0, water_y, w, water_y, "#0072B2", 3.0);
    svg.text_styled(w - 12.0, water_y - 10.0, 16.0, "end", "#0072B2", " font-style=\"italic\"", waterline);
    let top: f64 = above.iter().map(|r| r.2.max(0.0)).sum();
    let bottom: f64 = below.iter().map(|r| r.2.max(0.0)).sum();
    let max = top.max(bottom).max(1e-9);
    // Triangle-ish shapes: area ~ height², so height ~ √value keeps areas honest.
    let tip_h = (water_y - 20.0) * (top / max).sqrt();
    let body_h = (h - water_y - 20.0) * (bottom / max).sqrt();
    let tip_w = 1.1 * tip_h;
    let body_w = 1.1 * body_h;
    if tip_h > 0.5 {
        svg.raw(&format!(
            "<polygon points=\"{},{} {},{} {},{} {},{}\" fill=\"#FFFFFF\" stroke=\"{INK}\" stroke-width=\"2\"/>",
            super::n(cx - tip_w),
            super::n(water_y),
            super::n(cx - tip_w * 0.2),
            super::n(water_y - tip_h),
            super::n(cx + tip_w * 0.25),
            super::n(water_y - tip_h * 0.8),
            super::n(cx + tip_w),
            super::n(water_y)
        ));
    }
    if body_h > 0.5 {
        let half = body_w.max(tip_w);
        svg.raw(&format!(
            "<polygon points=\"{},{} {},{} {},{} {},{} {},{}\" fill=\"#9CC3DE\" stroke=\"#0072B2\" stroke-width=\"2\"/>",
            super::n(cx - half),
            super::n(water_y),
            super::n(cx + half),
            super::n(water_y),
            super::n(cx + half * 0.7),
            super::n(water_y + body_h * 0.6),
            super::n(cx + half * 0.1),
            super::n(water_y + body_h),
            super::n(cx - half * 0.8),
            super::n(water_y + body_h * 0.5)
        ));
    }
    let text_x = 560.0;
    let rows = |svg: &mut Svg, rows: &[(String, String, f64)], first_y: f64| {
        for (i, (label, shown, _)) in rows.iter().enumerate() {
            let y = first_y + 64.0 * i as f64;
            svg.text_styled(text_x, y, 34.0, "start", INK, " font-weight=\"bold\"", shown);
            svg.text(text_x, y + 24.0, 18.0, "start", INK, &fit(label, 18.0, w - text_x - 10.0));
        }
    };
    rows(&mut svg, above, water_y - 30.0 - 64.0 * (above.len().max(1) - 1) as f64);
    rows(&mut svg, below, water_y + 60.0);
    svg.finish(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iceberg_snapshot() {
        let above = vec![("complaints heard".to_string(), "12".to_string(), 12.0)];
        let below = vec![
            ("left without a word".to_string(), "30".to_string(), 30.0),
            ("prospects who never came".to_string(), "90".to_string(), 90.0),
        ];
        insta::assert_snapshot!(iceberg(&above, &below, "waterline", "iceberg"));
    }
}
