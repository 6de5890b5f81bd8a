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
    let (w, h) = (960.0, 540.0);
    let water_y = 190.0;
    let cx = 250.0;
    let max_half = 220.0;
    let mut svg = Svg::new(w, h);
    svg.rect(0.0, water_y, w, h - water_y, "#DCEBF5", "");
    svg.line(0.0, water_y, w, water_y, "#0072B2", 3.0);
    let (heard, unheard) = waterline.split_once(" · ").unwrap_or((waterline, ""));
    let italic = " font-style=\"italic\"";
    svg.text_styled(
        w - 12.0,
        water_y - 12.0,
        20.0,
        "end",
        "#0072B2",
        italic,
        heard,
    );
    svg.text_styled(
        w - 12.0,
        water_y + 30.0,
        20.0,
        "end",
        "#0072B2",
        italic,
        unheard,
    );
    let top: f64 = above.iter().map(|r| r.2.max(0.0)).sum();
    let bottom: f64 = below.iter().map(|r| r.2.max(0.0)).sum();
    let max = top.max(bottom).max(1e-9);
    // Area grows with height squared, so height ~ √value keeps the areas honest.
    let tip_h = (water_y - 30.0) * (top / max).sqrt();
    let body_h = (h - water_y - 30.0) * (bottom / max).sqrt();
    let tip_half = (0.8 * tip_h).min(max_half);
    let body_half = (0.8 * body_h).min(max_half).max(tip_half);
    let p = |pts: &[(f64, f64)]| {
        pts.iter()
            .map(|(x, y)| format!("{},{}", super::n(*x), super::n(*y)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if tip_h > 0.5 {
        let pts = [
            (cx - tip_half, water_y),
            (cx - tip_half * 0.45, water_y - tip_h * 0.55),
            (cx - tip_half * 0.1, water_y - tip_h),
            (cx + tip_half * 0.3, water_y - tip_h * 0.7),
            (cx + tip_half * 0.55, water_y - tip_h * 0.75),
            (cx + tip_half, water_y),
        ];
        svg.raw(&format!(
            "<polygon points=\"{}\" fill=\"#FFFFFF\" stroke=\"{INK}\" stroke-width=\"2\"/>",
            p(&pts)
        ));
    }
    if body_h > 0.5 {
        let pts = [
            (cx - body_half, water_y),
            (cx + body_half, water_y),
            (cx + body_half * 0.85, water_y + body_h * 0.45),
            (cx + body_half * 0.35, water_y + body_h * 0.8),
            (cx - body_half * 0.05, water_y + body_h),
            (cx - body_half * 0.6, water_y + body_h * 0.75),
            (cx - body_half * 0.95, water_y + body_h * 0.35),
        ];
        svg.raw(&format!(
            "<polygon points=\"{}\" fill=\"#9CC3DE\" stroke=\"#0072B2\" stroke-width=\"2\"/>",
            p(&pts)
        ));
    }
    let text_x = 500.0;
    let rows = |svg: &mut Svg, rows: &[(String, String, f64)], first_y: f64| {
        for (i, (label, shown, _)) in rows.iter().enumerate() {
            let y = first_y + 76.0 * i as f64;
            svg.text_styled(
                text_x,
                y,
                38.0,
                "start",
                INK,
                " font-weight=\"bold\"",
                shown,
            );
            svg.text(
                text_x,
                y + 28.0,
                21.0,
                "start",
                INK,
                &fit(label, 21.0, w - text_x - 10.0),
            );
        }
    };
    rows(
        &mut svg,
        above,
        water_y - 64.0 - 76.0 * (above.len().max(1) - 1) as f64,
    );
    rows(&mut svg, below, water_y + 80.0);
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
            (
                "prospects who never came".to_string(),
                "90".to_string(),
                90.0,
            ),
        ];
        insta::assert_snapshot!(iceberg(&above, &below, "waterline", "iceberg"));
    }
}
