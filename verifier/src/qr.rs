//! QR image → text with `rqrr`; `image` is built with PNG and JPEG only. The image is read in
//! passes of growing size, so a caller can bound the work one image costs (issue 18).

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

/// The long side of the first pass. A QR code photographed on paper is usually readable at
/// this size, and the pass costs about a sixteenth of one over a 4,000 px image.
pub const FIRST_PASS_SIDE: u32 = 1000;

/// One pass of the decoder: the whole image, scaled to this size.
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

/// Decodes the first QR code in a PNG or JPEG image in passes: the image scaled to
/// [`FIRST_PASS_SIDE`] on its long side, then twice that, then full size, stopping at the first
/// pass that reads a code. Before each pass after the first, `proceed` is told the size of the
/// pass just done and of the next, and may answer `false` to stop with [`QrError::Stopped`]. The decoder reads no clock: the
/// caller's `proceed` holds the deadline (and can predict a pass's cost from the last one).
/// A single pass cannot be interrupted, so the first one is kept small.
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
        .to_luma8();
    let mut last_error = QrError::NotFound;
    let mut done: Option<Pass> = None;
    for pass in passes(img.width(), img.height()) {
        if let Some(done) = done {
            if !proceed(done, pass) {
                return Err(QrError::Stopped);
            }
        }
        done = Some(pass);
        let scaled = if pass.width == img.width() && pass.height == img.height() {
            img.clone()
        } else {
            image::imageops::thumbnail(&img, pass.width, pass.height)
        };
        match read_pass(scaled) {
            Ok(text) => return Ok(text),
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}

/// The passes over a `width` × `height` image: long sides of 1,000 and 2,000 px where smaller
/// than the image, then the image itself.
fn passes(width: u32, height: u32) -> Vec<Pass> {
    let long = width.max(height).max(1);
    let mut out: Vec<Pass> = [FIRST_PASS_SIDE, 2 * FIRST_PASS_SIDE]
        .into_iter()
        .filter(|side| *side < long)
        .map(|side| Pass {
            width: scale(width, side, long),
            height: scale(height, side, long),
        })
        .collect();
    out.push(Pass { width, height });
    out
}

/// `n × side / long`, at least 1.
fn scale(n: u32, side: u32, long: u32) -> u32 {
    let scaled = u64::from(n) * u64::from(side) / u64::from(long);
    u32::try_from(scaled).unwrap_or(side).max(1)
}

fn read_pass(img: image::GrayImage) -> Result<String, QrError> {
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let mut last_error = None;
    for grid in prepared.detect_grids() {
        match grid.decode() {
            Ok((_, text)) => return Ok(text),
            Err(e) => last_error = Some(e.to_string()),
        }
    }
    Err(last_error.map_or(QrError::NotFound, QrError::Decode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_grow_to_full_size() {
        let sides = |w, h| {
            passes(w, h)
                .iter()
                .map(|p| (p.width, p.height))
                .collect::<Vec<_>>()
        };
        assert_eq!(sides(4000, 3000), [(1000, 750), (2000, 1500), (4000, 3000)]);
        assert_eq!(sides(1500, 3000), [(500, 1000), (1000, 2000), (1500, 3000)]);
        assert_eq!(sides(1200, 800), [(1000, 666), (1200, 800)]);
        assert_eq!(sides(1000, 1000), [(1000, 1000)]);
        assert_eq!(sides(400, 1), [(400, 1)]);
        assert_eq!(sides(8000, 1), [(1000, 1), (2000, 1), (8000, 1)]);
    }
}
