//! QR image → text with rxing, the Rust port of ZXing (its QR reader ported from zxing-cpp), on
//! a luminance buffer; `image` decodes PNG and JPEG only. The image is read in attempts of
//! growing cost, so a caller can bound the work one image costs (issues 18 and 20).

mod binarize;
mod plan;
mod read;
#[cfg(test)]
mod tests;

use image::GrayImage;

use read::Layer;

/// Why an image gave no text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// Not a PNG or JPEG we can read.
    #[error("the image cannot be read: {0}")]
    Image(String),
    /// No QR code was found in the image.
    #[error("no QR code found in the image")]
    NotFound,
    /// A QR code was found but could not be decoded.
    #[error("a QR code was found but could not be decoded: {0}")]
    Decode(String),
    /// The caller stopped the decoder before a code was read (its time budget was spent or
    /// its client left).
    #[error("stopped before a QR code was read")]
    Stopped,
}

/// Largest image side accepted, so a hostile image cannot exhaust memory.
const MAX_SIDE: u32 = 8000;

/// The smallest layer's long side is at least this: the image is halved while its long side
/// stays at or above it, and the smallest such layer is read first. A code photographed to
/// fill a good part of the frame reads at this size, for a small share of the full cost.
pub const FIRST_PASS_SIDE: u32 = 500;

/// One pass of the decoder: the whole image, scaled to this size, binarised and searched for
/// a code as it is and inverted. What a pass costs grows with its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Pass {
    /// Pixels read: what the pass's cost grows with.
    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

/// Decodes the first QR code in a PNG or JPEG image, trying every pass.
pub fn decode(bytes: &[u8]) -> Result<String, QrError> {
    decode_in_passes(bytes, &mut |_, _| true)
}

/// Decodes the first QR code in a PNG or JPEG image in passes, cheapest first: the image
/// halved while its long side stays at least [`FIRST_PASS_SIDE`], then at twice that size and
/// so on up to full size; at each size the code is looked for as it is and then inverted
/// (light modules on dark, as dark-mode screens show it). Mirrored codes (front cameras) and
/// any rotation or tilt are read within a pass. Stops at the first pass that reads a code.
///
/// Before each pass after the first, `proceed` is told the size of the pass just done and of
/// the next, and may answer `false` to stop with [`QrError::Stopped`]. The decoder reads no
/// clock: the caller's `proceed` holds the deadline (and can predict a pass's cost from the
/// last one). A single pass cannot be interrupted, so the first one is kept small; it also
/// pays for reading the file and making the smaller images.
pub fn decode_in_passes(
    bytes: &[u8],
    proceed: &mut dyn FnMut(Pass, Pass) -> bool,
) -> Result<String, QrError> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| QrError::Image(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| QrError::Image(e.to_string()))?
        .into_luma8();
    read_passes(img, proceed)
}

/// Decodes the first QR code in a `width` × `height` luminance buffer (one byte a pixel, row
/// by row: a camera frame's Y plane), trying every pass.
pub fn decode_luma(width: u32, height: u32, luma: &[u8]) -> Result<String, QrError> {
    decode_luma_in_passes(width, height, luma, &mut |_, _| true)
}

/// [`decode_in_passes`] on a luminance buffer, as [`decode_luma`] takes it.
pub fn decode_luma_in_passes(
    width: u32,
    height: u32,
    luma: &[u8],
    proceed: &mut dyn FnMut(Pass, Pass) -> bool,
) -> Result<String, QrError> {
    let bad = || {
        QrError::Image(format!(
            "{} bytes of luminance for {width} × {height} pixels (at most {MAX_SIDE} a side)",
            luma.len()
        ))
    };
    let fits = u64::try_from(luma.len()).ok() == Some(u64::from(width) * u64::from(height));
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE || !fits {
        return Err(bad());
    }
    let img = GrayImage::from_raw(width, height, luma.to_vec()).ok_or_else(bad)?;
    read_passes(img, proceed)
}

/// Runs a pass per layer of [`plan::layers`] over `img`, each binarised once and searched
/// with every look of [`plan::LOOKS`]. The smaller images are made by halving, all at the start
/// (a third of the image's pixels more), and each is let go once read.
fn read_passes(
    img: GrayImage,
    proceed: &mut dyn FnMut(Pass, Pass) -> bool,
) -> Result<String, QrError> {
    let layers = plan::layers(img.width(), img.height());
    let mut images = pyramid(img, layers.first().map_or(1, Pass::pixels));
    let mut done: Option<Pass> = None;
    let mut last_error = QrError::NotFound;
    for pass in layers {
        if let Some(done) = done {
            if !proceed(done, pass) {
                return Err(QrError::Stopped);
            }
        }
        done = Some(pass);
        let Some(img) = images
            .iter()
            .position(|i| i.dimensions() == (pass.width, pass.height))
            .map(|i| images.swap_remove(i))
        else {
            continue;
        };
        // A layer with no contrast left at its size gives no bits, and is skipped.
        let mut layer = match Layer::new(img) {
            Ok(layer) => layer,
            Err(e) => {
                last_error = keep_worst(last_error, e);
                continue;
            }
        };
        for look in plan::LOOKS {
            match layer.read(look) {
                Ok(text) => return Ok(text),
                Err(e) => last_error = keep_worst(last_error, e),
            }
        }
    }
    Err(last_error)
}

/// What to report after several passes failed: a code seen but not decoded says more than
/// none found.
fn keep_worst(old: QrError, new: QrError) -> QrError {
    match new {
        QrError::NotFound => old,
        new => new,
    }
}

/// `img` and its halvings down to `smallest` pixels.
fn pyramid(img: GrayImage, smallest: u64) -> Vec<GrayImage> {
    let mut out = vec![img];
    while let Some(last) = out.last() {
        if u64::from(last.width()) * u64::from(last.height()) <= smallest {
            break;
        }
        let half = halve(last);
        if half.width() == 0 || half.height() == 0 {
            break;
        }
        out.push(half);
    }
    out
}

/// Each 2 × 2 block of pixels averaged into one (an odd last row or column is dropped).
fn halve(img: &GrayImage) -> GrayImage {
    let (w, h) = (img.width() / 2, img.height() / 2);
    let stride = img.width() as usize;
    let mut out = Vec::with_capacity(w as usize * h as usize);
    let rows = img.as_raw().chunks_exact(stride.max(1));
    for (top, bottom) in rows.clone().step_by(2).zip(rows.skip(1).step_by(2)) {
        for (a, b) in top.chunks_exact(2).zip(bottom.chunks_exact(2)) {
            let sum: u16 = a.iter().chain(b).map(|p| u16::from(*p)).sum();
            out.push(((sum + 2) / 4) as u8);
        }
    }
    GrayImage::from_raw(w, h, out).unwrap_or_default()
}
