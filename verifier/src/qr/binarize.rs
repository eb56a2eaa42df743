//! Local thresholds, as zxing-cpp 3 binarises (its `HybridBinarizer` "new algorithm"): each
//! 8 × 8 block with enough contrast gets the midpoint of its darkest and lightest pixel, the
//! thresholds are smoothed over 5 × 5 blocks counting only those, and flat blocks take their
//! neighbours'. rxing 0.9 ports ZXing's older scheme, whose flat blocks pull the thresholds
//! around a low-contrast code below its dark modules (it read none of the low-contrast set).
//! What counts as "enough contrast" follows the image's noise.

use std::borrow::Cow;

use rxing::common::{BitArray, BitMatrix, GlobalHistogramBinarizer, LineOrientation, Result};
use rxing::{Binarizer, Luma8LuminanceSource, LuminanceSource};

/// Block side in pixels.
const BLOCK: usize = 8;
/// Blocks each side of a block in the smoothing window.
const RADIUS: usize = 2;
/// The smallest side thresholded locally: one smoothing window. Smaller images (too small to
/// hold a readable code anyway) get one global threshold.
const WINDOW: usize = BLOCK * (2 * RADIUS + 1);
/// A block whose lightest and darkest pixels differ by no more is flat: no threshold of its own
/// (zxing-cpp's figure; [`min_range`] lowers it for clean images).
const MIN_RANGE: u8 = 24;
/// The lowest such range, for a noiseless image.
const FAINT_RANGE: f64 = 12.0;

/// A luminance source and its black pixels, computed at once.
pub(super) struct LocalThreshold {
    source: Luma8LuminanceSource,
    matrix: BitMatrix,
}

impl LocalThreshold {
    /// Thresholds `luma`, a `width` × `height` image, row by row.
    pub(super) fn new(luma: Vec<u8>, width: u32, height: u32) -> Result<LocalThreshold> {
        let source = Luma8LuminanceSource::new(luma, width, height)?;
        let matrix = black_matrix(&source)?;
        Ok(LocalThreshold { source, matrix })
    }
}

fn black_matrix(source: &Luma8LuminanceSource) -> Result<BitMatrix> {
    let (w, h) = (source.get_width(), source.get_height());
    let luma = source.get_matrix();
    if w >= WINDOW && h >= WINDOW {
        let min_range = min_range(&luma, w);
        let thresholds = smooth(block_thresholds(&luma, w, h, min_range), w.div_ceil(BLOCK));
        if thresholds.iter().any(|t| *t > 0) {
            return threshold(&luma, w, h, &thresholds);
        }
    }
    GlobalHistogramBinarizer::new(source.clone())
        .get_black_matrix()
        .cloned()
}

/// The blocks' first rows and columns: every `BLOCK`th, the last one moved back to fit.
fn starts(len: usize) -> impl Iterator<Item = usize> {
    (0..len.div_ceil(BLOCK)).map(move |i| (i * BLOCK).min(len.saturating_sub(BLOCK)))
}

/// The range above which a block has contrast of its own: 24 grey levels as in zxing-cpp,
/// lowered to 8 σ of the image's noise (at least 12) when the image is clean enough, so faint
/// codes (modules 10–20 levels from the paper) still get thresholds while noise alone, whose
/// range over 64 pixels is about 5 σ, does not.
fn min_range(luma: &[u8], w: usize) -> u8 {
    // The median difference between horizontal neighbours, |N(0, 2σ²)|: 0.954 σ. Edges are a
    // minority of the pairs in any picture, so they barely move it.
    let mut histogram = [0u64; 256];
    for row in luma.chunks_exact(w.max(1)).step_by(2) {
        for pair in row.windows(2) {
            if let [a, b] = pair {
                if let Some(n) = histogram.get_mut(usize::from(a.abs_diff(*b))) {
                    *n += 1;
                }
            }
        }
    }
    let pairs: u64 = histogram.iter().sum();
    let mut seen = 0;
    let median = histogram
        .iter()
        .position(|n| {
            seen += n;
            seen * 2 >= pairs
        })
        .unwrap_or(0);
    let sigma = median as f64 / 0.954;
    (8.0 * sigma)
        .ceil()
        .clamp(FAINT_RANGE, f64::from(MIN_RANGE)) as u8
}

/// Per block, row by row: the midpoint of its extremes, or 0 when flat.
fn block_thresholds(luma: &[u8], w: usize, h: usize, min_range: u8) -> Vec<u8> {
    let cols = w.div_ceil(BLOCK);
    let mut out = Vec::with_capacity(cols * h.div_ceil(BLOCK));
    let mut low = vec![u8::MAX; cols];
    let mut high = vec![0u8; cols];
    for y0 in starts(h) {
        low.fill(u8::MAX);
        high.fill(0);
        for row in luma.chunks_exact(w).skip(y0).take(BLOCK) {
            for ((x0, lo), hi) in starts(w).zip(low.iter_mut()).zip(high.iter_mut()) {
                for &p in row.iter().skip(x0).take(BLOCK) {
                    *lo = (*lo).min(p);
                    *hi = (*hi).max(p);
                }
            }
        }
        out.extend(low.iter().zip(&high).map(|(&lo, &hi)| {
            if hi.saturating_sub(lo) > min_range {
                ((u16::from(lo) + u16::from(hi)) / 2) as u8
            } else {
                0
            }
        }));
    }
    out
}

/// Each threshold becomes the mean of the non-flat ones in its 5 × 5 window (its own counted
/// twice); the window is shifted inward at the edges. Blocks left without any take the next
/// one's along the rows (the last one's at the end).
fn smooth(blocks: Vec<u8>, cols: usize) -> Vec<u8> {
    let rows = blocks.len() / cols.max(1);
    let at = |x: usize, y: usize| blocks.get(y * cols + x).copied().unwrap_or(0);
    let mut out = Vec::with_capacity(blocks.len());
    for y in 0..rows {
        let top = y.clamp(RADIUS, rows - RADIUS - 1) - RADIUS;
        for x in 0..cols {
            let left = x.clamp(RADIUS, cols - RADIUS - 1) - RADIUS;
            let own = u32::from(at(x, y));
            let (mut sum, mut n) = (own * 2, if own > 0 { 2 } else { 0 });
            for yy in top..=top + 2 * RADIUS {
                for xx in left..=left + 2 * RADIUS {
                    let t = u32::from(at(xx, yy));
                    sum += t;
                    n += u32::from(t > 0);
                }
            }
            out.push(sum.checked_div(n).unwrap_or(0) as u8);
        }
    }
    let mut fill = out.iter().rev().find(|t| **t > 0).copied().unwrap_or(0);
    for t in out.iter_mut().rev() {
        if *t > 0 {
            fill = *t;
        } else {
            *t = fill;
        }
    }
    out
}

/// Black where a pixel is at most its block's threshold.
fn threshold(luma: &[u8], w: usize, h: usize, thresholds: &[u8]) -> Result<BitMatrix> {
    let mut matrix = BitMatrix::new(w as u32, h as u32)?;
    let cols = w.div_ceil(BLOCK);
    for (by, y0) in starts(h).enumerate() {
        let row_thresholds = thresholds.get(by * cols..(by + 1) * cols).unwrap_or(&[]);
        for (dy, row) in luma.chunks_exact(w).skip(y0).take(BLOCK).enumerate() {
            for (&t, x0) in row_thresholds.iter().zip(starts(w)) {
                for (dx, &p) in row.iter().skip(x0).take(BLOCK).enumerate() {
                    if p <= t {
                        matrix.set((x0 + dx) as u32, (y0 + dy) as u32);
                    }
                }
            }
        }
    }
    Ok(matrix)
}

impl Binarizer for LocalThreshold {
    type Source = Luma8LuminanceSource;

    fn get_luminance_source(&self) -> &Self::Source {
        &self.source
    }

    fn get_black_row(&self, y: usize) -> Result<Cow<'_, BitArray>> {
        self.get_black_line(y, LineOrientation::Row)
    }

    fn get_black_row_from_matrix(&self, y: usize) -> Result<Cow<'_, BitArray>> {
        self.get_black_line(y, LineOrientation::Row)
    }

    fn get_black_matrix(&self) -> Result<&BitMatrix> {
        Ok(&self.matrix)
    }

    fn get_black_line(&self, l: usize, lt: LineOrientation) -> Result<Cow<'_, BitArray>> {
        let (len, get): (u32, fn(&BitMatrix, u32) -> BitArray) = match lt {
            LineOrientation::Row => (self.matrix.height(), BitMatrix::getRow),
            LineOrientation::Column => (self.matrix.width(), BitMatrix::getCol),
        };
        match u32::try_from(l) {
            Ok(l) if l < len => Ok(Cow::Owned(get(&self.matrix, l))),
            _ => Err(rxing::Exceptions::INDEX_OUT_OF_BOUNDS),
        }
    }

    fn create_binarizer(&self, source: Self::Source) -> Self {
        let matrix = black_matrix(&source)
            .or_else(|_| BitMatrix::new(1, 1))
            .unwrap_or_else(|_| self.matrix.clone());
        LocalThreshold { source, matrix }
    }

    fn get_width(&self) -> usize {
        self.source.get_width()
    }

    fn get_height(&self) -> usize {
        self.source.get_height()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w` × `h` image from `f(x, y)`.
    fn image(w: usize, h: usize, f: impl Fn(usize, usize) -> u8) -> Vec<u8> {
        (0..w * h).map(|i| f(i % w, i / w)).collect()
    }

    #[test]
    fn the_contrast_floor_follows_the_noise() {
        let flat = image(64, 64, |_, _| 200);
        assert_eq!(min_range(&flat, 64), 12);
        // Neighbours 2 apart half the time: σ about 2, floor 8 σ.
        let faint = image(64, 64, |x, y| 200 + 2 * ((x * 7 + y * 13) % 2) as u8);
        assert!((12..=24).contains(&min_range(&faint, 64)));
        let noisy = image(64, 64, |x, y| ((x * 37 + y * 101) % 64) as u8 * 3);
        assert_eq!(min_range(&noisy, 64), 24);
    }

    #[test]
    fn a_faint_edge_gets_a_threshold_between_its_sides() {
        // Dark 170 and light 185: 15 levels, below zxing-cpp's 24 but above this clean image's
        // floor of 12; the edge runs through the blocks of columns 32–39.
        let (w, h) = (64, 64);
        let luma = image(w, h, |x, _| if x < 36 { 170 } else { 185 });
        let source = Luma8LuminanceSource::new(luma, w as u32, h as u32).unwrap();
        let matrix = black_matrix(&source).unwrap();
        assert!(matrix.get(10, 10), "dark side");
        assert!(!matrix.get(50, 10), "light side");
    }

    #[test]
    fn flat_blocks_take_the_next_threshold_along_the_rows() {
        // 6 × 6 blocks, only (2, 2) with contrast: every block ends up with its threshold.
        let mut blocks = vec![0u8; 36];
        blocks[2 * 6 + 2] = 100;
        assert!(smooth(blocks, 6).iter().all(|t| *t == 100));
        assert!(smooth(vec![0; 36], 6).iter().all(|t| *t == 0));
    }
}
