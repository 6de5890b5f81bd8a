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

/// Where every box goes, and the boxes' size: every box as tall as the one
/// with the most lines needs.
#[derive(Debug, Clone)]
struct Layout {
    box_h: f64,
    /// Each box's top-left corner.
    at: Vec<(f64, f64)>,
    /// Each box's row, and the x of its centre.
    cell: Vec<(usize, f64)>,
    rows: usize,
}

/// Each box's layer along the flows: the longest path over the handoffs from
/// a first step, rework (an arrow back up the flow) ignored; the customer one
/// layer after the last department. `None` for a box on no flow (support).
fn layers(nodes: &[ChainNode], edges: &[ChainEdge]) -> Vec<Option<usize>> {
    let count = nodes.len();
    let valid = |e: &&ChainEdge| e.from < count && e.to < count && e.from != e.to;
    let mut on_flow = vec![false; count];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut has_pred = vec![false; count];
    for e in edges.iter().filter(valid) {
        on_flow[e.from] = true;
        on_flow[e.to] = true;
        if !nodes[e.from].customer && !nodes[e.to].customer && !succ[e.from].contains(&e.to) {
            succ[e.from].push(e.to);
            has_pred[e.to] = true;
        }
    }
    // Depth first from the first steps, in reading order; an edge to a box
    // still being explored closes a loop and is left out.
    let mut state = vec![0u8; count];
    let mut post = Vec::with_capacity(count);
    let mut kept: Vec<Vec<usize>> = vec![Vec::new(); count];
    let roots = (0..count)
        .filter(|&i| !has_pred[i])
        .chain(0..count)
        .filter(|&i| on_flow[i] && !nodes[i].customer)
        .collect::<Vec<_>>();
    for root in roots {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        let mut stack = vec![(root, 0usize)];
        while let Some(&mut (u, ref mut next)) = stack.last_mut() {
            if let Some(&v) = succ[u].get(*next) {
                *next += 1;
                match state[v] {
                    1 => {}
                    0 => {
                        kept[u].push(v);
                        state[v] = 1;
                        stack.push((v, 0));
                    }
                    _ => kept[u].push(v),
                }
            } else {
                state[u] = 2;
                post.push(u);
                stack.pop();
            }
        }
    }
    let mut layer: Vec<Option<usize>> = (0..count)
        .map(|i| (on_flow[i] && !nodes[i].customer).then_some(0))
        .collect();
    for &u in post.iter().rev() {
        let lu = layer[u].unwrap_or(0);
        for &v in &kept[u] {
            layer[v] = Some(layer[v].unwrap_or(0).max(lu + 1));
        }
    }
    let end = layer.iter().flatten().map(|l| l + 1).max().unwrap_or(0);
    for (i, node) in nodes.iter().enumerate() {
        if node.customer {
            layer[i] = Some(end);
        }
    }
    layer
}

impl Layout {
    fn new(nodes: &[ChainNode], edges: &[ChainEdge]) -> Layout {
        let lines = nodes.iter().map(|n| n.lines.len()).max().unwrap_or(0);
        let needed = FIRST_LINE + LINE_STEP * lines.saturating_sub(1) as f64 + 22.0;
        let box_h = needed.max(BOX_H);
        let count = nodes.len();
        let layer = layers(nodes, edges);
        let depth = layer.iter().flatten().map(|l| l + 1).max().unwrap_or(0);
        let mut by_layer: Vec<Vec<usize>> = vec![Vec::new(); depth];
        for (i, l) in layer.iter().enumerate() {
            if let Some(l) = l {
                by_layer[*l].push(i);
            }
        }
        // Within a layer, each box near the mean place of its neighbours in
        // the layers before (then after): fewer arrows cross.
        let valid: Vec<&ChainEdge> = edges
            .iter()
            .filter(|e| e.from < count && e.to < count && e.from != e.to)
            .filter(|e| matches!((layer[e.from], layer[e.to]), (Some(a), Some(b)) if a < b))
            .collect();
        // Each box's neighbours before and after it, in the edges' order
        // (found once: scanning every edge for every box is quadratic).
        let mut before: Vec<Vec<usize>> = vec![Vec::new(); count];
        let mut after: Vec<Vec<usize>> = vec![Vec::new(); count];
        for e in &valid {
            before[e.to].push(e.from);
            after[e.from].push(e.to);
        }
        let mut place = vec![0.0f64; count];
        let set_places = |place: &mut Vec<f64>, row: &[usize]| {
            let mid = (row.len() as f64 - 1.0) / 2.0;
            for (k, &i) in row.iter().enumerate() {
                place[i] = k as f64 - mid;
            }
        };
        for row in &by_layer {
            set_places(&mut place, row);
        }
        for pass in 0..4 {
            let down = pass % 2 == 0;
            let order: Vec<usize> = if down {
                (1..depth).collect()
            } else {
                (0..depth.saturating_sub(1)).rev().collect()
            };
            for l in order {
                let key = |i: usize| {
                    let near: Vec<f64> = if down { &before[i] } else { &after[i] }
                        .iter()
                        .map(|&j| place[j])
                        .collect();
                    if near.is_empty() {
                        place[i]
                    } else {
                        near.iter().sum::<f64>() / near.len() as f64
                    }
                };
                let mut keyed: Vec<(f64, f64, usize)> =
                    by_layer[l].iter().map(|&i| (key(i), place[i], i)).collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
                by_layer[l] = keyed.into_iter().map(|k| k.2).collect();
                set_places(&mut place, &by_layer[l]);
            }
        }
        // Rows: a run of layers of one box each snakes four to a row, like a
        // line; a layer of several boxes gets a row (or more) of its own.
        let column = |col: f64| MARGIN + CELL_W * (col + 0.5);
        let mut cell = vec![(0usize, 0.0f64); count];
        let mut rows = 0usize;
        let mut run: Vec<usize> = Vec::new();
        let whole = by_layer.iter().all(|l| l.len() == 1);
        let flush = |run: &mut Vec<usize>, rows: &mut usize, cell: &mut Vec<(usize, f64)>| {
            if run.is_empty() {
                return;
            }
            if run.len() < COLS && !whole {
                let start = (COLS - run.len()) as f64 / 2.0;
                for (k, &i) in run.iter().enumerate() {
                    cell[i] = (*rows, column(start + k as f64));
                }
                *rows += 1;
            } else {
                for (k, &i) in run.iter().enumerate() {
                    let row = k / COLS;
                    let col = if row.is_multiple_of(2) {
                        k % COLS
                    } else {
                        COLS - 1 - k % COLS
                    };
                    cell[i] = (*rows + row, column(col as f64));
                }
                *rows += run.len().div_ceil(COLS);
            }
            run.clear();
        };
        for l in &by_layer {
            if l.len() == 1 {
                run.push(l[0]);
                continue;
            }
            flush(&mut run, &mut rows, &mut cell);
            // A layer too wide for a row wraps, every other row half a
            // (narrower) cell aside, so that the arrows from one layer's row
            // to the next layer's pass between the boxes of the row between.
            let wraps = l.len() > COLS;
            for (c, chunk) in l.chunks(COLS).enumerate() {
                let start = (COLS - chunk.len()) as f64 / 2.0;
                for (k, &i) in chunk.iter().enumerate() {
                    let col = start + k as f64;
                    cell[i] = if wraps {
                        let narrow = CELL_W * COLS as f64 / (COLS as f64 + 0.5);
                        let shift = if c % 2 == 1 { 0.5 } else { 0.0 };
                        (rows, MARGIN + narrow * (col + shift + 0.5))
                    } else {
                        (rows, column(col))
                    };
                }
                rows += 1;
            }
            if !wraps {
                // A row of one layer's boxes each under the boxes that hand it
                // work (the row before may have been wrapped), kept apart.
                let narrow = CELL_W * COLS as f64 / (COLS as f64 + 0.5);
                let mut want: Vec<(f64, usize)> = l
                    .iter()
                    .map(|&i| {
                        let from: Vec<f64> = before[i].iter().map(|&j| cell[j].1).collect();
                        let x = if from.is_empty() {
                            cell[i].1
                        } else {
                            from.iter().sum::<f64>() / from.len() as f64
                        };
                        (x, i)
                    })
                    .collect();
                want.sort_by(|a, b| a.0.total_cmp(&b.0));
                let (low, high) = (
                    MARGIN + narrow / 2.0,
                    MARGIN + CELL_W * COLS as f64 - narrow / 2.0,
                );
                let last = want.len() - 1;
                want[0].0 = want[0].0.max(low);
                for k in 1..=last {
                    want[k].0 = want[k].0.max(want[k - 1].0 + narrow);
                }
                want[last].0 = want[last].0.min(high);
                for k in (0..last).rev() {
                    want[k].0 = want[k].0.min(want[k + 1].0 - narrow);
                }
                for (x, i) in want {
                    cell[i].1 = x;
                }
            }
        }
        // Boxes on no flow after the chain: after its last box, as a line
        // would go on, or from the right on a row of their own.
        let apart: Vec<usize> = (0..count).filter(|&i| layer[i].is_none()).collect();
        if !run.is_empty() {
            run.extend(&apart);
            flush(&mut run, &mut rows, &mut cell);
        } else {
            for (k, &i) in apart.iter().enumerate() {
                cell[i] = (rows + k / COLS, column((COLS - 1 - k % COLS) as f64));
            }
            rows += apart.len().div_ceil(COLS);
        }
        let cell_h = box_h + ROW_GAP;
        let at = cell
            .iter()
            .map(|&(row, x)| (x - BOX_W / 2.0, MARGIN + 30.0 + cell_h * row as f64))
            .collect();
        Layout {
            box_h,
            at,
            cell,
            rows: rows.max(1),
        }
    }

    fn cell_h(&self) -> f64 {
        self.box_h + ROW_GAP
    }

    fn place(&self, i: usize) -> (f64, f64) {
        self.at[i]
    }

    fn centre(&self, i: usize) -> (f64, f64) {
        let (x, y) = self.place(i);
        (x + BOX_W / 2.0, y + self.box_h / 2.0)
    }

    /// Whether boxes `a` and `b` are neighbours on the grid: side by side in
    /// a row, or one straight under the other.
    fn neighbours(&self, a: usize, b: usize) -> bool {
        let ((ra, xa), (rb, xb)) = (self.cell[a], self.cell[b]);
        (ra == rb && (xa - xb).abs() <= CELL_W + 1.0)
            || (ra.abs_diff(rb) == 1 && (xa - xb).abs() < CELL_W / 4.0)
    }

    /// How far (in steps of a fortieth) the curve from `s` through control
    /// point `c` to `e` runs over boxes other than `a` and `b`.
    fn curve_hits(&self, a: usize, b: usize, s: (f64, f64), c: (f64, f64), e: (f64, f64)) -> usize {
        (0..=40)
            .filter(|&k| {
                let t = k as f64 / 40.0;
                let u = 1.0 - t;
                let x = u * u * s.0 + 2.0 * u * t * c.0 + t * t * e.0;
                let y = u * u * s.1 + 2.0 * u * t * c.1 + t * t * e.1;
                (0..self.at.len()).filter(|&i| i != a && i != b).any(|i| {
                    let (bx, by) = self.at[i];
                    x > bx - 6.0
                        && x < bx + BOX_W + 6.0
                        && y > by - 6.0
                        && y < by + self.box_h + 6.0
                })
            })
            .count()
    }

    /// Whether the straight line from (x1, y1) to (x2, y2) passes clear of
    /// every box but `a` and `b`.
    fn clear_line(&self, a: usize, b: usize, (x1, y1): (f64, f64), (x2, y2): (f64, f64)) -> bool {
        (0..self.at.len()).filter(|&i| i != a && i != b).all(|i| {
            let (bx, by) = self.at[i];
            (0..=40).all(|k| {
                let t = k as f64 / 40.0;
                let (x, y) = (x1 + (x2 - x1) * t, y1 + (y2 - y1) * t);
                x < bx - 6.0 || x > bx + BOX_W + 6.0 || y < by - 6.0 || y > by + self.box_h + 6.0
            })
        })
    }

    /// Where the line from the centre (x, y) towards (tx, ty) leaves the box.
    fn edge_point(&self, x: f64, y: f64, tx: f64, ty: f64) -> (f64, f64) {
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
    let layout = Layout::new(nodes, edges);
    let (place, centre, edge_point) = (
        |i| layout.place(i),
        |i| layout.centre(i),
        |x, y, tx, ty| layout.edge_point(x, y, tx, ty),
    );
    let box_h = layout.box_h;
    let rows = layout.rows;
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
        let adjacent = layout.neighbours(e.from, e.to);
        let straight = adjacent || layout.clear_line(e.from, e.to, (sx, sy), (ex, ey));
        let (cx, cy) = if straight {
            ((sx + ex) / 2.0, (sy + ey) / 2.0)
        } else {
            // A detour bowing away from the boxes in between.
            let (mx, my) = ((sx + ex) / 2.0, (sy + ey) / 2.0);
            let (dx, dy) = (ex - sx, ey - sy);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            let bow = 60.0 + 0.15 * len;
            // On the side, and with the bend, where the curve runs least
            // over other boxes.
            let mut best = (usize::MAX, (mx, my));
            for scale in [1.0, 0.6, 1.5] {
                for sign in [1.0, -1.0] {
                    let c = (
                        mx - sign * dy / len * bow * scale,
                        my + sign * dx / len * bow * scale,
                    );
                    let hits = layout.curve_hits(e.from, e.to, (sx, sy), c, (ex, ey));
                    if hits < best.0 {
                        best = (hits, c);
                    }
                }
            }
            best.1
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
        // The name is bold: fitted as the wider text it is, inside the box.
        let bold = super::BOLD_WIDER;
        let size = ((BOX_W - 16.0) / (bold * super::text_width(&node.name, 1.0))).clamp(18.0, 23.0);
        svg.text_styled(
            x + BOX_W / 2.0,
            y + 33.0,
            size,
            "middle",
            INK,
            " font-weight=\"bold\"",
            &fit(&node.name, size * bold, BOX_W - 16.0),
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

    fn edge(from: usize, to: usize) -> ChainEdge {
        ChainEdge {
            from,
            to,
            cost: 0.0,
            cost_shown: String::new(),
        }
    }

    fn with_customer(mut nodes: Vec<ChainNode>) -> Vec<ChainNode> {
        nodes.push(ChainNode {
            customer: true,
            lines: vec![],
            ..node("customer", 0.0)
        });
        nodes
    }

    #[test]
    fn a_line_snakes_in_flow_order_whatever_the_reading_order() {
        // Work goes a → b → c → d → e → customer, listed out of order.
        let nodes = with_customer(["c", "a", "e", "b", "d"].map(|n| node(n, 0.0)).to_vec());
        let flow = [1, 3, 0, 4, 2, 5];
        let edges: Vec<ChainEdge> = flow.windows(2).map(|w| edge(w[0], w[1])).collect();
        let layout = Layout::new(&nodes, &edges);
        for e in &edges {
            assert!(layout.neighbours(e.from, e.to), "{} → {}", e.from, e.to);
        }
        // The first row reads left to right; the fifth box sits under the fourth.
        let at = |k: usize| layout.place(flow[k]);
        assert!((0..3).all(|k| at(k).1 == at(k + 1).1 && at(k).0 < at(k + 1).0));
        assert_eq!(at(4).0, at(3).0);
        assert!(at(4).1 > at(3).1);
    }

    #[test]
    fn a_department_comes_after_everything_that_hands_work_to_it() {
        // 0 branches to 1 and 2, which join at 3 (listed first); 3 sends work
        // back to 1 (rework, ignored) and on to the customer; 5 is on no flow.
        let nodes = with_customer(
            ["join", "start", "left", "right"]
                .map(|n| node(n, 0.0))
                .to_vec(),
        );
        let mut nodes = nodes;
        nodes.push(node("support", 0.0));
        let edges = vec![
            edge(1, 2),
            edge(1, 3),
            edge(2, 0),
            edge(3, 0),
            edge(0, 2),
            edge(0, 4),
        ];
        assert_eq!(
            layers(&nodes, &edges),
            vec![Some(2), Some(0), Some(1), Some(1), Some(3), None]
        );
        let layout = Layout::new(&nodes, &edges);
        let row = |i: usize| layout.place(i).1;
        assert!(row(1) < row(2));
        assert_eq!(row(2), row(3));
        assert!(row(3) < row(0));
        assert_eq!(row(0), row(4), "the customer right after the join");
        assert!(layout.place(0).0 < layout.place(4).0);
        assert!(
            row(4) < row(5) || layout.place(4).0 < layout.place(5).0,
            "support after the chain"
        );
    }
}
