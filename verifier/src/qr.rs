//! QR image → text with `rqrr`; `image` is built with PNG and JPEG only.

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
}

/// Largest image side accepted, so a hostile image cannot exhaust memory.
const MAX_SIDE: u32 = 8000;

/// Decodes the first QR code in a PNG or JPEG image.
pub fn decode(bytes: &[u8]) -> Result<String, QrError> {
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| QrError::Image(e.to_string()))?;
    let mut reader = reader;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| QrError::Image(e.to_string()))?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    let mut last_error = None;
    for grid in grids {
        match grid.decode() {
            Ok((_, text)) => return Ok(text),
            Err(e) => last_error = Some(e.to_string()),
        }
    }
    Err(last_error.map_or(QrError::NotFound, QrError::Decode))
}
