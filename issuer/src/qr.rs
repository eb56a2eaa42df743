//! The `HC1:` text as a QR code: alphanumeric mode and error correction Q, as the hcert spec
//! asks, drawn with a 4-module quiet zone as PNG (8-bit grey) or SVG (one path of runs).
//! Encoding uses `fast_qr`, measured against `qrcode` in `benches/qr.rs`.

use std::fmt::Write as _;

use crate::{Error, Result};

/// Light modules around the symbol (ISO/IEC 18004 asks for 4).
pub const QUIET_ZONE: usize = 4;

/// The characters of QR alphanumeric mode; Base45 uses exactly these, so any `HC1:` text fits.
const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// A QR symbol's modules, row by row, without the quiet zone.
#[derive(Clone, PartialEq, Eq)]
pub struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
}

impl std::fmt::Debug for QrMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrMatrix")
            .field("width", &self.width)
            .finish_non_exhaustive()
    }
}

/// A horizontal run of dark modules: `len` modules from column `x` in row `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// First column.
    pub x: usize,
    /// Row, from the top.
    pub y: usize,
    /// Number of modules.
    pub len: usize,
}

/// Encodes `text` (an `HC1:` string) as a QR symbol, alphanumeric mode, error correction Q.
pub fn encode(text: &str) -> Result<QrMatrix> {
    if let Some((i, c)) = text
        .char_indices()
        .find(|(_, c)| !c.is_ascii() || !ALPHANUMERIC.contains(&(*c as u8)))
    {
        return Err(Error::Render(format!(
            "QR: {c:?} at {i} is not a QR alphanumeric character"
        )));
    }
    build(text, fast_qr::Mode::Alphanumeric)
}

/// Encodes any text (an old-format certificate's exchange URL, which has lower-case letters)
/// as a QR symbol in byte mode, error correction Q.
pub fn encode_bytes(text: &str) -> Result<QrMatrix> {
    build(text, fast_qr::Mode::Byte)
}

fn build(text: &str, mode: fast_qr::Mode) -> Result<QrMatrix> {
    let qr = fast_qr::QRBuilder::new(text.as_bytes())
        .ecl(fast_qr::ECL::Q)
        .mode(mode)
        .build()
        .map_err(|e| {
            Error::Render(format!(
                "QR: {} characters do not fit a QR code at error correction Q ({e})",
                text.len()
            ))
        })?;
    let width = qr.size;
    let dark = qr
        .data
        .get(..width * width)
        .ok_or_else(|| Error::Render("QR: symbol larger than its matrix".into()))?
        .iter()
        .map(|m| m.value())
        .collect();
    Ok(QrMatrix { width, dark })
}

impl QrMatrix {
    /// Builds a matrix from modules row by row; `None` unless `dark` is `width`².
    pub fn from_modules(width: usize, dark: Vec<bool>) -> Option<Self> {
        (dark.len() == width * width).then_some(QrMatrix { width, dark })
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The QR version (1–40), from the width.
    pub fn version(&self) -> usize {
        self.width.saturating_sub(17) / 4
    }

    /// Whether the module at column `x`, row `y` is dark; outside the symbol is light.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }

    /// The dark modules as horizontal runs, top row first: the fewest rectangles that draw
    /// the symbol exactly (PDF and SVG draw these).
    pub fn runs(&self) -> Vec<Run> {
        let mut runs = Vec::new();
        for (y, row) in self.dark.chunks(self.width.max(1)).enumerate() {
            let mut x = 0;
            while x < row.len() {
                if row.get(x).copied().unwrap_or(false) {
                    let start = x;
                    while row.get(x).copied().unwrap_or(false) {
                        x += 1;
                    }
                    runs.push(Run {
                        x: start,
                        y,
                        len: x - start,
                    });
                } else {
                    x += 1;
                }
            }
        }
        runs
    }

    /// Side of the image in modules, quiet zone included.
    pub fn side_with_quiet_zone(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// An 8-bit grey PNG, `scale` pixels per module, quiet zone included.
    pub fn to_png(&self, scale: u32) -> Result<Vec<u8>> {
        use image::ImageEncoder as _;
        let scale = scale.max(1) as usize;
        let side = self.side_with_quiet_zone() * scale;
        let side_u32 = u32::try_from(side)
            .map_err(|_| Error::Render(format!("PNG: {side} pixels is too large")))?;
        let mut pixels = vec![255u8; side * side];
        for run in self.runs() {
            let x0 = (run.x + QUIET_ZONE) * scale;
            let y0 = (run.y + QUIET_ZONE) * scale;
            let len = run.len * scale;
            for row in pixels.chunks_mut(side).skip(y0).take(scale) {
                if let Some(px) = row.get_mut(x0..x0 + len) {
                    px.fill(0);
                }
            }
        }
        let mut png = Vec::with_capacity(side * side / 16);
        image::codecs::png::PngEncoder::new_with_quality(
            &mut png,
            image::codecs::png::CompressionType::Fast,
            // A module is `scale` identical rows: "Up" turns all but the first into zeros.
            image::codecs::png::FilterType::Up,
        )
        .write_image(&pixels, side_u32, side_u32, image::ExtendedColorType::L8)
        .map_err(|e| Error::Render(format!("PNG: {e}")))?;
        Ok(png)
    }

    /// An SVG whose user unit is one module: black runs on a white square with the quiet zone,
    /// `size_px` pixels wide when shown at its natural size.
    pub fn to_svg(&self, size_px: u32) -> String {
        let side = self.side_with_quiet_zone();
        let mut path = String::with_capacity(self.width * self.width);
        for run in self.runs() {
            // Relative commands keep the path short: a 1-module-high rectangle per run.
            let _ = write!(
                path,
                "M{} {}h{}v1h-{}z",
                run.x + QUIET_ZONE,
                run.y + QUIET_ZONE,
                run.len,
                run.len
            );
        }
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{size_px}\" \
             height=\"{size_px}\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\">\n\
             <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\n\
             <path fill=\"#000\" d=\"{path}\"/>\n</svg>\n"
        )
    }
}

#[cfg(test)]
mod tests;
