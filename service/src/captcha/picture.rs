//! The captcha picture: the digits drawn as a PNG of [`WIDTH`]×[`HEIGHT`] pixels without a
//! font file. Every digit is a built-in stroke glyph, scaled, sheared, rotated and offset, drawn
//! dark on a light background with thin noise lines and dots behind and across it. All jitter
//! comes from the challenge's seed, so the same token redraws the same picture on every request.

use image::{Rgb, RgbImage};
use sha2::{Digest as _, Sha256};

use super::{Captcha, CaptchaError};

/// Width of the picture in pixels.
pub const WIDTH: u32 = 200;
/// Height of the picture in pixels.
pub const HEIGHT: u32 = 70;

/// The picture of a challenge, PNG-encoded; the same challenge gives the same bytes.
pub fn render_png(captcha: &Captcha) -> Result<Vec<u8>, CaptchaError> {
    let img = render(&captcha.answer, &mut Stream::new(&captcha.seed));
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| CaptchaError::Encode(e.to_string()))?;
    Ok(png)
}

/// The picture's jitter: SHA-256 of the seed and a block counter, read in order. Secret only as
/// far as the seed is (it travels sealed with the answer).
struct Stream {
    seed: [u8; 16],
    block: u64,
    buf: [u8; 32],
    pos: usize,
}

impl Stream {
    fn new(seed: &[u8; 16]) -> Self {
        Stream {
            seed: *seed,
            block: 0,
            buf: [0; 32],
            pos: 32,
        }
    }

    fn byte(&mut self) -> u8 {
        if self.pos >= self.buf.len() {
            let mut h = Sha256::new();
            h.update(b"dcc/captcha/picture/v1");
            h.update(self.seed);
            h.update(self.block.to_be_bytes());
            self.buf = h.finalize().into();
            self.block += 1;
            self.pos = 0;
        }
        let b = self.buf.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    /// Uniform in `0..n` (n ≥ 1) by rejection sampling.
    fn below(&mut self, n: u32) -> u32 {
        let n = n.max(1);
        let limit = u32::MAX - u32::MAX % n;
        loop {
            let x = self.u32();
            if x < limit {
                return x % n;
            }
        }
    }

    /// Uniform in `[lo, hi)`.
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        let unit = (self.u32() >> 8) as f32 / (1u32 << 24) as f32;
        lo + (hi - lo) * unit
    }
}

type Point = (f32, f32);

/// Points of an elliptic arc in the unit glyph box (y grows downwards), angles in degrees.
fn arc(cx: f32, cy: f32, rx: f32, ry: f32, from: f32, to: f32) -> Vec<Point> {
    const STEPS: usize = 24;
    (0..=STEPS)
        .map(|i| {
            let t = (from + (to - from) * i as f32 / STEPS as f32).to_radians();
            (cx + rx * t.cos(), cy + ry * t.sin())
        })
        .collect()
}

/// The strokes (polylines) of a digit in the unit box: x and y in 0..1, y downwards.
fn glyph(digit: char) -> Vec<Vec<Point>> {
    match digit {
        '0' => vec![arc(0.5, 0.5, 0.42, 0.5, 0.0, 360.0)],
        '1' => vec![
            vec![(0.2, 0.22), (0.58, 0.0), (0.58, 1.0)],
            vec![(0.28, 1.0), (0.88, 1.0)],
        ],
        '2' => {
            let mut s = arc(0.5, 0.28, 0.42, 0.28, -170.0, 30.0);
            s.extend([(0.06, 1.0), (0.96, 1.0)]);
            vec![s]
        }
        '3' => vec![
            arc(0.5, 0.25, 0.38, 0.25, -160.0, 90.0),
            arc(0.5, 0.74, 0.44, 0.26, -90.0, 160.0),
        ],
        '4' => vec![vec![(0.72, 1.0), (0.72, 0.0), (0.04, 0.7), (0.96, 0.7)]],
        '5' => {
            let mut s = vec![(0.86, 0.0), (0.22, 0.0), (0.18, 0.46)];
            s.extend(arc(0.5, 0.68, 0.42, 0.32, -130.0, 150.0));
            vec![s]
        }
        '6' => six(),
        '7' => vec![vec![(0.04, 0.0), (0.96, 0.0), (0.36, 1.0)]],
        '8' => vec![
            arc(0.5, 0.25, 0.34, 0.25, 0.0, 360.0),
            arc(0.5, 0.73, 0.43, 0.27, -90.0, 270.0),
        ],
        '9' => six()
            .into_iter()
            .map(|s| s.into_iter().map(|(x, y)| (1.0 - x, 1.0 - y)).collect())
            .collect(),
        _ => Vec::new(),
    }
}

fn six() -> Vec<Vec<Point>> {
    let mut s = arc(0.56, 0.55, 0.44, 0.55, -55.0, -180.0);
    s.push((0.12, 0.7));
    vec![s, arc(0.5, 0.7, 0.38, 0.3, 0.0, 360.0)]
}

/// An RGB picture with anti-aliased strokes; every pixel access is checked.
struct Canvas {
    img: RgbImage,
    /// Coverage of the stroke being drawn, zero outside it between strokes.
    cover: Vec<f32>,
}

impl Canvas {
    fn new(background: Rgb<u8>) -> Self {
        Canvas {
            img: RgbImage::from_pixel(WIDTH, HEIGHT, background),
            cover: vec![0f32; (WIDTH * HEIGHT) as usize],
        }
    }

    /// Draws a polyline of the given width: each pixel gets the colour with the largest
    /// coverage any part of the stroke gives it, so overlapping stamps do not darken it. Only
    /// the box the stroke can reach is blended (and cleared for the next stroke): a picture is
    /// drawn on every picture request.
    fn stroke(&mut self, points: &[Point], width: f32, colour: Rgb<u8>) {
        let r = width / 2.0;
        for pair in points.windows(2) {
            let (Some(&a), Some(&b)) = (pair.first(), pair.get(1)) else {
                continue;
            };
            let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            let steps = (len * 3.0).ceil().max(1.0) as usize;
            for i in 0..=steps {
                let t = i as f32 / steps as f32;
                stamp(
                    &mut self.cover,
                    a.0 + (b.0 - a.0) * t,
                    a.1 + (b.1 - a.1) * t,
                    r,
                );
            }
        }
        let (mut lo_x, mut lo_y, mut hi_x, mut hi_y) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for &(x, y) in points {
            (lo_x, lo_y, hi_x, hi_y) = (lo_x.min(x), lo_y.min(y), hi_x.max(x), hi_y.max(y));
        }
        let (x0, y0, x1, y1) = disc_box(lo_x, lo_y, hi_x, hi_y, r);
        for y in y0..=y1 {
            for x in x0..=x1 {
                let Some(cell) = self.cover.get_mut((y * WIDTH + x) as usize) else {
                    continue;
                };
                let c = std::mem::take(cell);
                if c <= 0.0 {
                    continue;
                }
                if let Some(p) = self.img.get_pixel_mut_checked(x, y) {
                    for (dst, src) in p.0.iter_mut().zip(colour.0) {
                        let v = f32::from(*dst) * (1.0 - c) + f32::from(src) * c;
                        *dst = v.round().clamp(0.0, 255.0) as u8;
                    }
                }
            }
        }
    }

    fn dot(&mut self, x: f32, y: f32, colour: Rgb<u8>) {
        if x < 0.0 || y < 0.0 {
            return;
        }
        if let Some(p) = self.img.get_pixel_mut_checked(x as u32, y as u32) {
            *p = colour;
        }
    }
}

/// The pixels (inclusive, inside the picture) that discs of radius `r` centred in the box
/// from (`lo_x`, `lo_y`) to (`hi_x`, `hi_y`) can touch, their soft edge included.
fn disc_box(lo_x: f32, lo_y: f32, hi_x: f32, hi_y: f32, r: f32) -> (u32, u32, u32, u32) {
    (
        (lo_x - r - 1.0).floor().max(0.0) as u32,
        (lo_y - r - 1.0).floor().max(0.0) as u32,
        ((hi_x + r + 1.0).ceil().max(0.0) as u32).min(WIDTH - 1),
        ((hi_y + r + 1.0).ceil().max(0.0) as u32).min(HEIGHT - 1),
    )
}

/// Adds a disc of radius `r` at (`cx`, `cy`) to the coverage map, with a one-pixel soft edge:
/// coverage `r + 0.5 - d` clamped to 0..1 at distance `d`. The square root is taken only in
/// the soft ring (with a margin, so the values are those of taking it everywhere).
fn stamp(cover: &mut [f32], cx: f32, cy: f32, r: f32) {
    let (x0, y0, x1, y1) = disc_box(cx, cy, cx, cy, r);
    let outside = (r + 0.5) * (r + 0.5) * 1.0001;
    let inside = if r > 0.5 {
        (r - 0.5) * (r - 0.5) * 0.9999
    } else {
        -1.0
    };
    for y in y0..=y1 {
        let dy2 = (y as f32 + 0.5 - cy).powi(2);
        for x in x0..=x1 {
            let d2 = (x as f32 + 0.5 - cx).powi(2) + dy2;
            if d2 >= outside {
                continue;
            }
            let c = if d2 <= inside {
                1.0
            } else {
                (r + 0.5 - d2.sqrt()).clamp(0.0, 1.0)
            };
            if let Some(v) = cover.get_mut((y * WIDTH + x) as usize) {
                *v = v.max(c);
            }
        }
    }
}

/// Renders the digits: noise behind, the jittered glyphs, then thin lines across them.
fn render(digits: &str, rng: &mut Stream) -> RgbImage {
    let (w, h) = (WIDTH as f32, HEIGHT as f32);
    let bg = 236 + rng.below(12) as u8;
    let mut canvas = Canvas::new(Rgb([bg, bg, bg.saturating_sub(6)]));

    // Light background noise: lines and dots well below the digits' contrast.
    for _ in 0..6 {
        let g = 150 + rng.below(50) as u8;
        let line = [
            (rng.range(-10.0, w + 10.0), rng.range(0.0, h)),
            (rng.range(-10.0, w + 10.0), rng.range(0.0, h)),
        ];
        canvas.stroke(&line, rng.range(0.8, 1.6), Rgb([g, g, g]));
    }
    for _ in 0..260 {
        let g = 90 + rng.below(120) as u8;
        let (x, y) = (rng.range(0.0, w), rng.range(0.0, h));
        canvas.dot(x, y, Rgb([g, g, g]));
    }

    // The digits: dark ink, each with its own scale, shear, rotation and offset.
    let n = digits.chars().count().max(1) as f32;
    let pitch = ((w - 20.0) / n).min(32.0);
    let left = (w - pitch * n) / 2.0;
    for (i, d) in digits.chars().enumerate() {
        let ink = Rgb([
            15 + rng.below(40) as u8,
            15 + rng.below(40) as u8,
            30 + rng.below(50) as u8,
        ]);
        let gw = rng.range(16.0, 20.0);
        let gh = rng.range(32.0, 38.0);
        let shear = rng.range(-0.1, 0.1);
        let angle = rng.range(-0.18, 0.18);
        let (sin, cos) = angle.sin_cos();
        let cx = left + pitch * (i as f32 + 0.5) + rng.range(-1.5, 1.5);
        let cy = h / 2.0 + rng.range(-4.0, 4.0);
        let width = rng.range(3.2, 4.2);
        for s in glyph(d) {
            let pts: Vec<Point> = s
                .into_iter()
                .map(|(x, y)| {
                    let (lx, ly) = ((x - 0.5) * gw, (y - 0.5) * gh);
                    let lx = lx + shear * ly;
                    (cx + lx * cos - ly * sin, cy + lx * sin + ly * cos)
                })
                .collect();
            canvas.stroke(&pts, width, ink);
        }
    }

    // Two thin wavy lines across the digits, and a few dark specks.
    for _ in 0..2 {
        let g = 60 + rng.below(50) as u8;
        let (y0, amp) = (rng.range(15.0, h - 15.0), rng.range(3.0, 8.0));
        let (freq, phase) = (rng.range(0.01, 0.025), rng.range(0.0, 6.3));
        let slope = rng.range(-0.12, 0.12);
        let pts: Vec<Point> = (0..=50)
            .map(|i| {
                let x = w * i as f32 / 50.0;
                (
                    x,
                    y0 + slope * (x - w / 2.0) + amp * (x * freq * 6.3 + phase).sin(),
                )
            })
            .collect();
        canvas.stroke(&pts, rng.range(1.0, 1.5), Rgb([g, g, g + 10]));
    }
    for _ in 0..40 {
        let g = 30 + rng.below(60) as u8;
        let (x, y) = (rng.range(0.0, w), rng.range(0.0, h));
        canvas.dot(x, y, Rgb([g, g, g]));
    }
    canvas.img
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(answer: &str, seed: u8) -> Captcha {
        Captcha {
            answer: answer.into(),
            seed: [seed; 16],
        }
    }

    #[test]
    fn every_digit_has_strokes_inside_the_box() {
        for d in '0'..='9' {
            let g = glyph(d);
            assert!(!g.is_empty(), "{d}");
            for (x, y) in g.into_iter().flatten() {
                assert!(
                    (-0.01..=1.01).contains(&x) && (-0.01..=1.01).contains(&y),
                    "{d}"
                );
            }
        }
    }

    #[test]
    fn png_decodes_to_the_size_with_dark_digits_on_light() {
        let png = render_png(&challenge("905172", 7)).unwrap();
        let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap()
            .to_luma8();
        assert_eq!(img.dimensions(), (WIDTH, HEIGHT));
        let dark = img.pixels().filter(|p| p.0[0] < 90).count();
        let light = img.pixels().filter(|p| p.0[0] > 200).count();
        let total = (WIDTH * HEIGHT) as usize;
        // Strokes of 5–6 digits cover well over a thousand pixels but not most of the image.
        assert!(dark > 800, "dark {dark}");
        assert!(light > total / 2, "light {light}");
        // The digits lie in the middle band: the centre columns hold dark pixels.
        let centre_dark = (60..140)
            .flat_map(|x| (10..60).map(move |y| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0[0] < 90)
            .count();
        assert!(centre_dark > 300, "centre dark {centre_dark}");
    }

    /// The token carries the seed, not the picture: every request must redraw the same one.
    #[test]
    fn the_same_challenge_redraws_the_same_picture() {
        let a = render_png(&challenge("24680", 1)).unwrap();
        assert_eq!(a, render_png(&challenge("24680", 1)).unwrap());
        assert_ne!(a, render_png(&challenge("24680", 2)).unwrap(), "seed");
        assert_ne!(a, render_png(&challenge("24681", 1)).unwrap(), "digits");
    }

    /// With `DCC_CAPTCHA_OUT` set, writes a sample to `target/captcha-sample.png` (and its
    /// answer to stdout) for a person to look at.
    #[test]
    fn sample_when_asked() {
        if std::env::var_os("DCC_CAPTCHA_OUT").is_none() {
            return;
        }
        let c = super::super::new_challenge().unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("captcha-sample.png");
        std::fs::write(&path, render_png(&c).unwrap()).unwrap();
        println!("captcha sample {} answer {}", path.display(), c.answer);
    }
}
