//! One layer of the image: binarised once ([`LocalThreshold`]), then searched for a code as it
//! is or inverted with rxing's port of zxing-cpp's QR detector and decoder, plus two guesses
//! zxing-cpp 3 makes and rxing 0.9 does not (see [`search`]).

use std::panic::{catch_unwind, AssertUnwindSafe};

use image::GrayImage;
use rxing::common::cpp_essentials::ConcentricPattern;
use rxing::common::{
    BitMatrix, DefaultGridSampler, DetectorRXingResult, GridSampler, Quadrilateral, SamplerControl,
};
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{
    EstimateModuleSize, FindFinderPatterns, FinderPatternSet, GenerateFinderPatternSets, Mod2Pix,
    ReadVersion, SampleQR,
};
use rxing::{point_i, BinaryBitmap, Exceptions};

use super::binarize::LocalThreshold;
use super::plan::Look;
use super::QrError;

/// At most this many finder patterns get every triple tried, unfiltered.
const FEW_PATTERNS: usize = 5;

/// The image at one size, binarised.
pub(super) struct Layer {
    bitmap: BinaryBitmap<LocalThreshold>,
    inverted: bool,
}

impl Layer {
    pub(super) fn new(img: GrayImage) -> Result<Layer, QrError> {
        let (width, height) = img.dimensions();
        let binarized =
            guarded(|| LocalThreshold::new(img.into_raw(), width, height).map_err(internal))?;
        Ok(Layer {
            bitmap: BinaryBitmap::new(binarized),
            inverted: false,
        })
    }

    /// Looks for a code one way: [`QrError::NotFound`] when there is none, whether no finder
    /// patterns were seen or none of their triples decoded.
    pub(super) fn read(&mut self, look: Look) -> Result<String, QrError> {
        if self.inverted != (look == Look::Inverted) {
            self.bitmap.invert();
            self.inverted = !self.inverted;
        }
        let matrix = self.bitmap.get_black_matrix();
        guarded(|| search(matrix))
    }
}

/// Runs a step of rxing, turning a panic into an error: rxing 0.9 still has `expect` and
/// slicing on some detector paths, and one odd picture must not take a server worker down.
pub(super) fn guarded<T>(step: impl FnOnce() -> Result<T, QrError>) -> Result<T, QrError> {
    catch_unwind(AssertUnwindSafe(step))
        .unwrap_or_else(|_| Err(QrError::Decode("the QR reader failed on this image".into())))
}

/// Finds finder patterns, forms sets of three and decodes the first set whose grid passes
/// the Reed–Solomon check. Besides rxing's sets and sampling, as zxing-cpp 3 does: when there
/// are few patterns, every triple is tried without the shape filters (a symbol seen at a steep
/// angle fails them), and each set is also sampled as a parallelogram (the fourth corner where
/// the other three put it), which reads when the alignment patterns mislead.
fn search(matrix: &BitMatrix) -> Result<String, QrError> {
    let mut patterns = FindFinderPatterns(matrix, true, 0);
    // zxing-cpp #1150: a pattern found twice can hang the line tracing of a set.
    patterns.dedup_by(|a, b| a.p == b.p);
    let mut sets = GenerateFinderPatternSets(&mut patterns.clone());
    if patterns.len() <= FEW_PATTERNS {
        for set in unfiltered_sets(&patterns) {
            if !sets.contains(&set) {
                sets.push(set);
            }
        }
    }
    for set in sets {
        let sampled = SampleQR(matrix, &set).map(|found| found.getBits().clone());
        for bits in sampled
            .ok()
            .into_iter()
            .chain(sample_parallelogram(matrix, &set))
        {
            if let Ok(decoded) = Decode(&bits) {
                if decoded.isValid() {
                    return Ok(decoded.text());
                }
            }
        }
    }
    Err(QrError::NotFound)
}

/// Every triple of `patterns` that spans a plausible symbol, oriented.
fn unfiltered_sets(patterns: &[ConcentricPattern]) -> Vec<FinderPatternSet> {
    let mut out = Vec::new();
    for (i, a) in patterns.iter().enumerate() {
        for (j, b) in patterns.iter().enumerate().skip(i + 1) {
            for c in patterns.iter().skip(j + 1) {
                out.extend(oriented(*a, *b, *c));
            }
        }
    }
    out
}

/// The three patterns as a set: top-left at the corner facing the longest side, top-right and
/// bottom-left in reading order. `None` for a flat triangle, or one too small or too large for
/// a QR code with modules the size its patterns say.
fn oriented(
    a: ConcentricPattern,
    b: ConcentricPattern,
    c: ConcentricPattern,
) -> Option<FinderPatternSet> {
    let d2 = |p: ConcentricPattern, q: ConcentricPattern| (p.p - q.p).dot(p.p - q.p);
    let (ab, bc, ac) = (d2(a, b), d2(b, c), d2(a, c));
    let (mut bl, tl, mut tr) = if bc >= ab && bc >= ac {
        (b, a, c)
    } else if ac >= ab && ac >= bc {
        (a, b, c)
    } else {
        (a, c, b)
    };
    // A finder pattern is 7 modules wide.
    let module = (a.size + b.size + c.size) as f32 / 21.0;
    let legs = d2(tl, bl).sqrt() + d2(tl, tr).sqrt();
    let modules = legs / 2.0 / module.max(0.1) + 7.0;
    if !(18.0..=266.0).contains(&modules) {
        return None;
    }
    let cross = (tr.p - tl.p).cross(bl.p - tl.p);
    if !cross.is_finite() || cross.abs() < legs * legs / 16.0 {
        return None;
    }
    if cross < 0.0 {
        std::mem::swap(&mut bl, &mut tr);
    }
    Some(FinderPatternSet { bl, tl, tr })
}

/// The grid with the fourth corner where the other three put it; from version 7 on, the size
/// is the one the version information gives.
fn sample_parallelogram(matrix: &BitMatrix, set: &FinderPatternSet) -> Option<BitMatrix> {
    let top = estimate_dimension(matrix, set.tl, set.tr);
    let left = estimate_dimension(matrix, set.tl, set.bl);
    // The estimate that needed the smaller rounding to a valid size; on a tie, the larger.
    let (mut dimension, _) = match (top, left) {
        (Some(t), Some(l)) if l.1 < t.1 || (l.1 == t.1 && l.0 > t.0) => l,
        (Some(t), _) => t,
        (None, l) => l?,
    };
    if !(21..=177).contains(&dimension) {
        return None;
    }
    let br = set.tr.p - set.tl.p + set.bl.p;
    let corners = || Quadrilateral::from([set.tl.p, set.tr.p, br, set.bl.p]);
    let mut mod2pix = Mod2Pix(dimension, point_i(0, 0), corners()).ok()?;
    if dimension >= 45 {
        let read = ReadVersion(matrix, dimension as u32, mod2pix)
            .ok()?
            .getDimensionForVersion() as i32;
        if read != dimension {
            dimension = read;
            mod2pix = Mod2Pix(dimension, point_i(0, 0), corners()).ok()?;
        }
    }
    let side = dimension as u32;
    let control = SamplerControl {
        p0: point_i(0, 0),
        p1: point_i(side, side),
        transform: mod2pix,
    };
    DefaultGridSampler
        .sample_grid(matrix, side, side, &[control])
        .ok()
        .map(|(bits, _)| bits)
}

/// The symbol's width in modules from the distance between two finder patterns and the module
/// size along it, rounded to a valid QR width (4n + 17), and by how much it was rounded.
fn estimate_dimension(
    matrix: &BitMatrix,
    a: ConcentricPattern,
    b: ConcentricPattern,
) -> Option<(i32, i32)> {
    let (ab, ba) = (
        EstimateModuleSize(matrix, a, b),
        EstimateModuleSize(matrix, b, a),
    );
    if ab <= 0.0 || ba <= 0.0 {
        return None;
    }
    let module = (ab + ba) / 2.0;
    let dimension = (f64::from(ConcentricPattern::distance(a, b)) / module).round() as i32 + 7;
    let rounding = 1 - dimension.rem_euclid(4);
    Some((dimension + rounding, rounding.abs()))
}

/// An image the binarizer finds nothing in (no contrast anywhere) has no code; other errors
/// are the reader's own.
fn internal(e: Exceptions) -> QrError {
    match e {
        Exceptions::NotFoundException(_) => QrError::NotFound,
        e => QrError::Decode(e.to_string()),
    }
}
