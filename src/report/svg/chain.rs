//! The value chain: departments as boxes, handoffs as arrows, breaks in colour.

use super::{INK, LOSS, LOSS_TEXT, QUIET, Svg, esc, fit, n};

/// A box: a department (or the customer at the end).
#[derive(Debug, Clone)]
pub struct ChainNode {
    pub name: String,
    /// Lines under the name (staff, utilisation, …).
    pub lines: Vec<String>,
    /// Customers lost to waiting here (0 for none).
    pub cost: f64,
    /// The text for that cost, shown when it is not zero.
    pub cost_shown: String,
    /// Drawn as the customer (no staff, a quieter fill).
    pub customer: bool,
}

/// An arrow: a handoff from one box to another (indices into the nodes).
#[derive(Debug, Clone)]
pub struct ChainEdge {
    pub from: usize,
    pub to: usize,
    /// Customers lost to this handoff's breaks (0 for none).
    pub cost: f64,
    pub cost_shown: String,
}

const COLS: usize = 4;
const BOX_W: f64 = 196.0;
/// The height of a box with up to two lines under its name.
const BOX_H: f64 = 124.0;
const CELL_W: f64 = 250.0;
/// Room between rows of boxes, for the arrows and their labels.
const ROW_GAP: f64 = 76.0;
const MARGIN: f64 = 25.0;
/// The size of the red labels that say what a break cost.
const LABEL: f64 = 19.0;
/// Where a box's first line under the name sits, and the step to the next.
const FIRST_LINE: f64 = 66.0;
const LINE_STEP: f64 = 27.0;

/// The boxes' size: every box as tall as the one with the most lines needs.
#[derive(Debug, Clone, Copy)]
struct Layout {
    box_h: f64,
}

impl Layout {
    fn new(nodes: &[ChainNode]) -> Layout {
        let lines = nodes.iter().map(|n| n.lines.len()).max().unwrap_or(0);
        let needed = FIRST_LINE + LINE_STEP * lines.saturating_sub(1) as f64 + 22.0;
        Layout {
            box_h: needed.max(BOX_H),
        }
    }

    fn cell_h(self) -> f64 {
        self.box_h + ROW_GAP
    }

    /// Where box `i` goes: rows of four, snaking so that neighbours stay side by side.
    fn place(self, i: usize) -> (f64, f64) {
        let row = i / COLS;
        let col = if row.is_multiple_of(2) {
            i % COLS
        } else {
            COLS - 1 - i % COLS
        };
        (
            MARGIN + CELL_W * col as f64 + (CELL_W - BOX_W) / 2.0,
            MARGIN + 30.0 + self.cell_h() * row as f64,
        )
    }

    fn centre(self, i: usize) -> (f64, f64) {
        let (x, y) = self.place(i);
        (x + BOX_W / 2.0, y + self.box_h / 2.0)
    }

    /// Where the line from the centre (x, y) towards (tx, ty) leaves the box.
    fn edge_point(self, x: f64, y: f64, tx: f64, ty: f64) -> (f64, f64) {
        let (dx, dy) = (tx - x, ty - y);
        if dx == 0.0 && dy == 0.0 {
            return (x, y);
        }
        let sx = if dx != 0.0 {
            (BOX_W / 2.0 + 4.0) / dx.abs()
        } else {
            f64::INFINITY
        };
        let sy = if dy != 0.0 {
            (self.box_h / 2.0 + 4.0) / dy.abs()
        } else {
            f64::INFINITY
        };
        let s = sx.min(sy);
        (x + dx * s, y + dy * s)
    }
}

/// The chain, with every arrow's thickness and colour growing with what it cost.
pub fn chain(nodes: &[ChainNode], edges: &[ChainEdge], label: &str) -> String {
    let layout = Layout::new(nodes);
    let (place, centre, edge_point) = (
        |i| layout.place(i),
        |i| layout.centre(i),
        |x, y, tx, ty| layout.edge_point(x, y, tx, ty),
    );
    let box_h = layout.box_h;
    let rows = nodes.len().div_ceil(COLS).max(1);
    let w = 2.0 * MARGIN + CELL_W * COLS as f64;
    let h = 2.0 * MARGIN + 30.0 + layout.cell_h() * rows as f64 - ROW_GAP + 40.0;
    let mut svg = Svg::new(w, h);
    let max = edges
        .iter()
        .map(|e| e.cost)
        .chain(nodes.iter().map(|n| n.cost))
        .fold(0.0, f64::max);
    let weight = |cost: f64| if max > 0.0 { cost / max } else { 0.0 };
    let mut labels = Vec::new();
    for e in edges {
        if e.from >= nodes.len() || e.to >= nodes.len() {
            continue;
        }
        let (x1, y1) = centre(e.from);
        let (x2, y2) = centre(e.to);
        let share = weight(e.cost);
        let (stroke, width, opacity) = if e.cost > 0.0 {
            (LOSS, 3.0 + 11.0 * share, 0.45 + 0.55 * share)
        } else {
            (QUIET, 2.5, 1.0)
        };
        // Leave and enter each box at its edge, towards the other box.
        let (sx, sy) = edge_point(x1, y1, x2, y2);
        let (ex, ey) = edge_point(x2, y2, x1, y1);
        let adjacent = e.from.abs_diff(e.to) == 1;
        let (cx, cy) = if adjacent {
            ((sx + ex) / 2.0, (sy + ey) / 2.0)
        } else {
            // A detour bowing away from the boxes in between.
            let (mx, my) = ((sx + ex) / 2.0, (sy + ey) / 2.0);
            let (dx, dy) = (ex - sx, ey - sy);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            let bow = 60.0 + 0.15 * len;
            (mx - dy / len * bow, my + dx / len * bow)
        };
        svg.raw(&format!(
            "<path d=\"M{} {} Q{} {} {} {}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{}\" stroke-opacity=\"{}\"/>",
            n(sx),
            n(sy),
            n(cx),
            n(cy),
            n(ex),
            n(ey),
            n(width),
            n(opacity)
        ));
        // The arrowhead points along the curve's last tangent.
        let (tx, ty) = (ex - cx, ey - cy);
        let len = (tx * tx + ty * ty).sqrt().max(1.0);
        let (ux, uy) = (tx / len, ty / len);
        let size = 10.0 + width;
        let (bx, by) = (ex - ux * size, ey - uy * size);
        svg.raw(&format!(
            "<polygon points=\"{},{} {},{} {},{}\" fill=\"{stroke}\" fill-opacity=\"{}\"/>",
            n(ex),
            n(ey),
            n(bx - uy * size * 0.55),
            n(by + ux * size * 0.55),
            n(bx + uy * size * 0.55),
            n(by - ux * size * 0.55),
            n(opacity)
        ));
        if e.cost > 0.0 {
            let on_curve = |t: f64| {
                let u = 1.0 - t;
                (
                    u * u * sx + 2.0 * u * t * cx + t * t * ex,
                    u * u * sy + 2.0 * u * t * cy + t * t * ey,
                )
            };
            let half = super::text_width(&e.cost_shown, LABEL) / 2.0 + 7.0;
            // On a detour, the point of the curve nearest its middle where the
            // label covers no box and no other label.
            let free = |(x, y): (f64, f64)| {
                let clear_of = |bx: f64, by: f64, bw: f64, bh: f64| {
                    x + half < bx || x - half > bx + bw || y + 13.0 < by || y - 17.0 > by + bh
                };
                (0..nodes.len()).all(|i| {
                    let (bx, by) = place(i);
                    clear_of(bx - 4.0, by - 4.0, BOX_W + 8.0, box_h + 8.0)
                }) && labels.iter().all(|(lx, ly, text): &(f64, f64, String)| {
                    let other = super::text_width(text, LABEL) / 2.0 + 7.0;
                    clear_of(lx - other, ly - 17.0, 2.0 * other, 30.0)
                })
            };
            let (lx, ly) = on_curve(0.5);
            // Beside a short straight arrow rather than on it, clear of the boxes:
            // above a row, or to the side of an arrow going down.
            let (lx, ly) = if !adjacent {
                [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82]
                    .into_iter()
                    .map(on_curve)
                    .find(|p| free(*p))
                    .unwrap_or((lx, ly))
            } else if (ex - sx).abs() > (ey - sy).abs() {
                (lx, ly - box_h / 2.0 - 12.0)
            } else {
                (lx + half + 12.0, ly)
            };
            labels.push((lx, ly, e.cost_shown.clone()));
        }
    }
    for (i, node) in nodes.iter().enumerate() {
        let (x, y) = place(i);
        let (stroke, width) = if node.cost > 0.0 {
            (LOSS, 3.0 + 8.0 * weight(node.cost))
        } else {
            (INK, 2.0)
        };
        let fill = if node.customer { "#E8F1F8" } else { "#FFFFFF" };
        svg.rect(
            x,
            y,
            BOX_W,
            box_h,
            fill,
            &format!(
                " rx=\"10\" stroke=\"{stroke}\" stroke-width=\"{}\"",
                n(width)
            ),
        );
        // A long name gets smaller type before it is cut.
        let size = ((BOX_W - 16.0) / super::text_width(&node.name, 1.0)).clamp(18.0, 23.0);
        svg.text_styled(
            x + BOX_W / 2.0,
            y + 33.0,
            size,
            "middle",
            INK,
            " font-weight=\"bold\"",
            &fit(&node.name, size, BOX_W - 16.0),
        );
        for (k, line) in node.lines.iter().enumerate() {
            svg.text(
                x + BOX_W / 2.0,
                y + FIRST_LINE + LINE_STEP * k as f64,
                19.0,
                "middle",
                INK,
                &fit(line, 19.0, BOX_W - 12.0),
            );
        }
        if node.cost > 0.0 {
            labels.push((x + BOX_W / 2.0, y + box_h + 22.0, node.cost_shown.clone()));
        }
    }
    // A label on top of one placed before it (an arrow's beside a box's, in a
    // crowded chain) moves to the nearest spot clear of the labels and boxes.
    let mut placed: Vec<(f64, f64, String)> = Vec::with_capacity(labels.len());
    for (x, y, text) in labels {
        let half = super::text_width(&text, LABEL) / 2.0 + 7.0;
        let clear = |(x, y): (f64, f64), placed: &[(f64, f64, String)], boxes: bool| {
            let apart = |bx: f64, by: f64, bw: f64, bh: f64| {
                x + half <= bx || x - half >= bx + bw || y + 13.0 <= by || y - 17.0 >= by + bh
            };
            placed.iter().all(|(lx, ly, other)| {
                let other = super::text_width(other, LABEL) / 2.0 + 7.0;
                apart(lx - other, ly - 17.0, 2.0 * other, 30.0)
            }) && (!boxes
                || (0..nodes.len()).all(|i| {
                    let (bx, by) = place(i);
                    apart(bx, by, BOX_W, box_h)
                }))
        };
        let at = if clear((x, y), &placed, false) {
            (x, y)
        } else {
            let step = 2.0 * half + 4.0;
            [
                (0.0, 32.0),
                (0.0, -32.0),
                (step, 0.0),
                (-step, 0.0),
                (0.0, 64.0),
                (0.0, -64.0),
                (step, 32.0),
                (-step, 32.0),
                (step, -32.0),
                (-step, -32.0),
            ]
            .into_iter()
            .map(|(dx, dy)| {
                (
                    (x + dx).clamp(half, w - half),
                    (y + dy).clamp(17.0, h - 13.0),
                )
            })
            .find(|p| clear(*p, &placed, true))
            .unwrap_or((x, y))
        };
        placed.push((at.0, at.1, text));
    }
    // Labels last, so no arrow crosses them.
    for (x, y, text) in placed {
        let width = super::text_width(&text, LABEL) + 14.0;
        svg.rect(
            x - width / 2.0,
            y - 17.0,
            width,
            30.0,
            "#FFFFFF",
            &format!(" rx=\"6\" stroke=\"{LOSS}\" stroke-width=\"1.5\""),
        );
        svg.raw(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" fill=\"{LOSS_TEXT}\" font-weight=\"bold\">{}</text>",
            n(x),
            n(y + 5.0),
            n(LABEL),
            esc(&text)
        ));
    }
    svg.finish(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, cost: f64) -> ChainNode {
        ChainNode {
            name: name.into(),
            lines: vec!["3 staff".into(), "71 % busy".into()],
            cost,
            cost_shown: format!("−{cost}"),
            customer: false,
        }
    }

    #[test]
    fn chain_snapshot() {
        let mut nodes = vec![
            node("sales", 0.0),
            node("production", 2.0),
            node("billing", 0.0),
        ];
        nodes.push(ChainNode {
            customer: true,
            lines: vec![],
            ..node("customer", 0.0)
        });
        let edges = vec![
            ChainEdge {
                from: 0,
                to: 1,
                cost: 10.0,
                cost_shown: "−10".into(),
            },
            ChainEdge {
                from: 1,
                to: 2,
                cost: 0.0,
                cost_shown: String::new(),
            },
            ChainEdge {
                from: 2,
                to: 3,
                cost: 4.0,
                cost_shown: "−4".into(),
            },
            ChainEdge {
                from: 0,
                to: 2,
                cost: 1.0,
                cost_shown: "−1".into(),
            },
        ];
        insta::assert_snapshot!(chain(&nodes, &edges, "the chain"));
    }

    #[test]
    fn the_costliest_handoff_is_the_thickest() {
        let nodes = vec![node("a", 0.0), node("b", 0.0), node("c", 0.0)];
        let edges = vec![
            ChainEdge {
                from: 0,
                to: 1,
                cost: 1.0,
                cost_shown: "−1".into(),
            },
            ChainEdge {
                from: 1,
                to: 2,
                cost: 9.0,
                cost_shown: "−9".into(),
            },
        ];
        let svg = chain(&nodes, &edges, "x");
        let widths: Vec<f64> = svg
            .match_indices("<path")
            .map(|(at, _)| {
                let rest = &svg[at..];
                let w = rest.split("stroke-width=\"").nth(1).unwrap();
                w[..w.find('"').unwrap()].parse().unwrap()
            })
            .collect();
        assert_eq!(widths.len(), 2);
        assert!(widths[1] > widths[0], "{widths:?}");
    }

    /// The red labels' rectangles (x, y, width) in a drawn chain.
    fn label_rects(svg: &str) -> Vec<(f64, f64, f64)> {
        svg.split("<rect ")
            .skip(1)
            .filter(|r| r.contains("rx=\"6\""))
            .map(|r| {
                let attr = |name: &str| -> f64 {
                    let v = r.split(&format!(" {name}=\"")).nth(1).unwrap();
                    v[..v.find('"').unwrap()].parse().unwrap()
                };
                (attr("x"), attr("y"), attr("width"))
            })
            .collect()
    }

    #[test]
    fn a_box_label_and_the_label_of_the_arrow_down_from_it_do_not_overlap() {
        // Box 3 ends the first row: its waiting cost is labelled under it, and
        // the arrow down to box 4 is labelled beside itself, in the same spot.
        let nodes: Vec<ChainNode> = (0..6)
            .map(|i| node(&format!("d{i}"), if i == 3 { 12.5 } else { 0.0 }))
            .collect();
        let edges: Vec<ChainEdge> = (0..5)
            .map(|i| ChainEdge {
                from: i,
                to: i + 1,
                cost: if i == 3 { 30.25 } else { 0.0 },
                cost_shown: "30.25 lost".into(),
            })
            .collect();
        let rects = label_rects(&chain(&nodes, &edges, "x"));
        assert_eq!(rects.len(), 2);
        let (a, b) = (rects[0], rects[1]);
        let apart = a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + 30.0 <= b.1 || b.1 + 30.0 <= a.1;
        assert!(apart, "{rects:?}");
    }

    #[test]
    fn boxes_snake_so_neighbours_stay_adjacent() {
        let place = |i| Layout { box_h: BOX_H }.place(i);
        assert_eq!(place(3).1, place(0).1);
        assert_eq!(
            place(4).0,
            place(3).0,
            "the fifth box sits under the fourth"
        );
        assert!(place(4).1 > place(3).1);
    }
}
