//! Distorted pictures of a QR code, as cameras, screens and printers make them (issue 20): one
//! generator per class, drawn from a seeded random sequence, so a set is the same on every run.
//! Shared by `tests/qr_distorted.rs` and `examples/qr-distort.rs` (`scripts/qr-measure`).
#![allow(dead_code)]

use std::f64::consts::PI;
use std::io::Cursor;

/// The `HC1:` text the set is drawn from: a vaccination certificate issued once by
/// [`issue_hc1`] (`qr-distort issue`) and kept in `fixtures/qr/`, so that every run draws the
/// same pictures (a fresh certificate has other modules, and a picture at the edge of what
/// the readers manage may tip either way).
pub fn fixture_hc1() -> String {
    let path = fixtures::path("qr/distort-hc1.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.trim().to_string()
}

/// The `HC1:` text of a vaccination certificate issued here: ES256, with development keys made
/// for the call.
pub fn issue_hc1() -> String {
    use hcert::crypto::{default_backend, Algorithm};
    use issuer::keys::{self, KeyOptions};
    let now = time::macros::datetime!(2021-06-02 10:00 UTC);
    let generated = keys::generate(&KeyOptions {
        alg: Algorithm::Es256,
        rsa_bits: 2048,
        types: Vec::new(),
        country: "CZ".into(),
        now: now - time::Duration::days(10),
        dsc_days: 365,
        usage_days: 365,
    })
    .unwrap();
    let id = issuer::SigningIdentity::load(
        generated.dsc.key_pem.as_bytes(),
        generated.dsc.cert_pem.as_bytes(),
        default_backend(),
    )
    .unwrap();
    let record = fixtures::records().unwrap().remove(0).1;
    let policy = issuer::Policy::new(b"qr distortion set".to_vec());
    issuer::issue_record(&record, &id, &policy, now)
        .unwrap()
        .hc1
}

/// A QR symbol's modules, row by row, without the quiet zone.
pub struct Code {
    width: usize,
    dark: Vec<bool>,
}

impl Code {
    /// The modules of an issued symbol.
    pub fn of(matrix: &issuer::qr::QrMatrix) -> Code {
        let width = matrix.width();
        let dark = (0..width * width)
            .map(|i| matrix.is_dark(i % width, i / width))
            .collect();
        Code { width, dark }
    }

    fn is_dark(&self, x: f64, y: f64) -> bool {
        if x < 0.0 || y < 0.0 {
            return false;
        }
        let (x, y) = (x as usize, y as usize);
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }
}

/// The distortion classes of the measurement, in its table's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A straight, sharp code on paper.
    Clean,
    /// Turned in the image plane by 0–180°.
    Rotation,
    /// Seen at an angle: the paper tilted 20–60° from the camera's axis, any turn.
    Perspective,
    /// Gaussian blur, σ 0.6–2.2 px (out of focus, moved).
    Blur,
    /// JPEG at quality 20–60.
    Jpeg,
    /// Gaussian sensor noise, σ 15–60 grey levels.
    Noise,
    /// A light gradient, a vignette and often a hard shadow across the code.
    Lighting,
    /// Modules 8–40 grey levels darker than the paper.
    LowContrast,
    /// 2–4 px per module.
    SmallModules,
    /// Light modules on dark (a dark-mode screen).
    Inverted,
    /// Left and right swapped (a front camera's preview).
    Mirrored,
    /// A 230–340 px code somewhere in a 12-megapixel photo of a cluttered desk.
    SmallInLarge,
    /// What a phone takes: tilted, turned, slightly blurred, unevenly lit, noisy, colour JPEG.
    Phone,
}

impl Class {
    /// Every class.
    pub const ALL: [Class; 13] = [
        Class::Clean,
        Class::Rotation,
        Class::Perspective,
        Class::Blur,
        Class::Jpeg,
        Class::Noise,
        Class::Lighting,
        Class::LowContrast,
        Class::SmallModules,
        Class::Inverted,
        Class::Mirrored,
        Class::SmallInLarge,
        Class::Phone,
    ];

    /// The name in file names and the table.
    pub fn name(self) -> &'static str {
        match self {
            Class::Clean => "clean",
            Class::Rotation => "rotation",
            Class::Perspective => "perspective",
            Class::Blur => "blur",
            Class::Jpeg => "jpeg",
            Class::Noise => "noise",
            Class::Lighting => "lighting",
            Class::LowContrast => "low-contrast",
            Class::SmallModules => "small-modules",
            Class::Inverted => "inverted",
            Class::Mirrored => "mirrored",
            Class::SmallInLarge => "small-in-large",
            Class::Phone => "phone",
        }
    }

    /// The class of `name`.
    pub fn parse(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// How big the large frames are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// As the issue says: 4000 × 3000 for a small code in a large photo.
    Full,
    /// 2000 × 1500 instead, for a test in a debug build.
    Lean,
}

/// One generated picture.
pub struct Picture {
    /// PNG or JPEG.
    pub bytes: Vec<u8>,
    /// `png` or `jpg`.
    pub ext: &'static str,
    /// The drawn parameters, for a reader of the results.
    pub params: String,
}

/// The `index`th picture of `class` from `seed`: the same on every run.
pub fn picture(code: &Code, class: Class, index: u32, seed: u64, size: Size) -> Picture {
    let class_no = Class::ALL.iter().position(|c| *c == class).unwrap_or(0) as u64;
    let mut rng = Rng::new(seed ^ (class_no << 40) ^ u64::from(index).wrapping_mul(0x9E37));
    let mut shot = Shot::new(&mut rng);
    let r = &mut rng;
    match class {
        Class::Clean => {}
        Class::Rotation => {
            shot.scene.module = r.range(2.5, 5.0);
            shot.scene.angle = r.range(0.0, 180.0);
        }
        Class::Perspective => {
            shot.scene.module = r.range(3.0, 6.0);
            shot.scene.angle = r.range(0.0, 360.0);
            shot.scene.tilt(r.range(20.0, 60.0), r.range(0.0, 2.0 * PI));
            shot.scene.focal = r.range(1.0, 2.0) * 1280.0;
        }
        Class::Blur => {
            shot.scene.module = r.range(3.0, 6.0);
            shot.blur = r.range(0.6, 2.2);
        }
        Class::Jpeg => {
            shot.scene.module = r.range(2.5, 5.0);
            shot.scene.angle = r.range(0.0, 360.0);
            shot.jpeg = Some((r.range(20.0, 60.99) as u8, false));
        }
        Class::Noise => {
            shot.scene.module = r.range(3.0, 6.0);
            shot.noise = r.range(15.0, 60.0);
        }
        Class::Lighting => {
            shot.scene.module = r.range(3.0, 6.0);
            shot.lighting = Some(Lighting::draw(r, 0.15, 0.5, 0.6));
        }
        Class::LowContrast => {
            shot.scene.module = r.range(3.0, 6.0);
            shot.scene.light = r.range(100.0, 210.0);
            shot.scene.dark = shot.scene.light - r.range(8.0, 40.0);
            shot.scene.background = Background::plain(r, shot.scene.dark, shot.scene.light);
            shot.noise = 2.0;
        }
        Class::SmallModules => {
            shot.scene.module = r.range(2.0, 4.0);
            shot.scene.angle = r.range(-20.0, 20.0);
        }
        Class::Inverted => {
            shot.scene.module = r.range(3.0, 6.0);
            shot.scene.angle = r.range(0.0, 360.0);
            shot.invert = true;
        }
        Class::Mirrored => {
            shot.scene.module = r.range(3.0, 6.0);
            shot.scene.angle = r.range(0.0, 360.0);
            shot.mirror = true;
        }
        Class::SmallInLarge => {
            let (long, short) = match size {
                Size::Full => (4000, 3000),
                Size::Lean => (2000, 1500),
            };
            shot.frame = if r.chance(0.5) {
                (long, short)
            } else {
                (short, long)
            };
            shot.scene.module = r.range(230.0, 340.0) / (code.width as f64 + 8.0);
            shot.scene.angle = r.range(0.0, 360.0);
            shot.scene.clutter = 60;
            shot.place(r);
            shot.noise = 3.0;
            shot.jpeg = Some((88, false));
        }
        Class::Phone => {
            let big = r.chance(0.5);
            let k = if big { 1.5 } else { 1.0 };
            shot.frame = if big { (1920, 1080) } else { (1280, 720) };
            shot.scene.module = r.range(2.5, 5.5) * k;
            shot.scene.angle = r.range(0.0, 360.0);
            shot.scene.tilt(r.range(0.0, 35.0), r.range(0.0, 2.0 * PI));
            shot.scene.focal = r.range(1.0, 2.0) * 1280.0 * k;
            shot.scene.clutter = 25;
            shot.place(r);
            shot.lighting = Some(Lighting::draw(r, 0.4, 0.9, 0.3));
            shot.blur = r.range(0.4, 1.5) * k;
            shot.noise = r.range(2.0, 10.0);
            shot.jpeg = Some((r.range(40.0, 85.99) as u8, true));
        }
    }
    shot.fit(code);
    shot.render(code, r)
}

/// A phone's photo for the benchmarks: `frame` pixels, the code `side` px across (quiet zone
/// included) near the middle, turned and slightly tilted, lightly blurred and noisy, colour
/// JPEG at quality 85; `blank` draws the sheet of paper without the code.
pub fn photo(code: &Code, blank: bool, frame: (u32, u32), side: f64, seed: u64) -> Picture {
    let mut rng = Rng::new(seed);
    let r = &mut rng;
    let mut shot = Shot::new(r);
    let k = f64::from(frame.0.max(frame.1)) / 1280.0;
    shot.frame = frame;
    shot.scene.module = side / (code.width as f64 + 8.0);
    shot.scene.angle = r.range(5.0, 25.0);
    shot.scene.tilt(r.range(10.0, 20.0), r.range(0.0, 2.0 * PI));
    shot.scene.focal = 1.5 * 1280.0 * k;
    shot.scene.clutter = 25;
    shot.place(r);
    shot.lighting = Some(Lighting::draw(r, 0.6, 0.9, 0.0));
    shot.blur = 0.7 * k;
    shot.noise = 4.0;
    shot.jpeg = Some((85, true));
    shot.fit(code);
    if blank {
        let blank = Code {
            width: code.width,
            dark: vec![false; code.dark.len()],
        };
        shot.render(&blank, r)
    } else {
        shot.render(code, r)
    }
}

/// The code on a sheet of paper on a desk, as the camera projects it.
struct Scene {
    /// Pixels per module, before the tilt.
    module: f64,
    /// Where the code's centre lands.
    center: (f64, f64),
    /// Turn in the image plane, degrees.
    angle: f64,
    /// Turn of the paper about the image's x and y axes, radians.
    tilt: (f64, f64),
    /// Focal length in pixels: shorter, stronger perspective.
    focal: f64,
    dark: f64,
    light: f64,
    /// Paper beyond the quiet zone, modules.
    margin: f64,
    background: Background,
    /// Dark boxes on the desk (print, objects).
    clutter: u32,
}

impl Scene {
    fn tilt(&mut self, degrees: f64, axis: f64) {
        let t = degrees.to_radians();
        self.tilt = (t * axis.cos(), t * axis.sin());
    }

    /// Scene (px from the code's centre, on the paper) → image.
    fn homography(&self) -> M3 {
        let (a, b) = self.tilt;
        let rx = [
            [1.0, 0.0, 0.0],
            [0.0, a.cos(), -a.sin()],
            [0.0, a.sin(), a.cos()],
        ];
        let ry = [
            [b.cos(), 0.0, b.sin()],
            [0.0, 1.0, 0.0],
            [-b.sin(), 0.0, b.cos()],
        ];
        let r = mul(&ry, &rx);
        let f = self.focal;
        let project = [
            [f * r[0][0], f * r[0][1], 0.0],
            [f * r[1][0], f * r[1][1], 0.0],
            [r[2][0], r[2][1], f],
        ];
        let (s, c) = self.angle.to_radians().sin_cos();
        let turn = [
            [c, -s, self.center.0],
            [s, c, self.center.1],
            [0.0, 0.0, 1.0],
        ];
        mul(&turn, &project)
    }
}

/// A picture before it is encoded: the scene and what the camera adds.
struct Shot {
    frame: (u32, u32),
    scene: Scene,
    lighting: Option<Lighting>,
    blur: f64,
    noise: f64,
    invert: bool,
    mirror: bool,
    /// Quality, and whether in colour (a phone's tinted RGB) rather than grey.
    jpeg: Option<(u8, bool)>,
}

impl Shot {
    fn new(r: &mut Rng) -> Shot {
        Shot {
            frame: (1280, 720),
            scene: Scene {
                module: r.range(4.0, 6.0),
                center: (640.0 + r.range(-40.0, 40.0), 360.0 + r.range(-20.0, 20.0)),
                angle: 0.0,
                tilt: (0.0, 0.0),
                focal: 1e6,
                dark: r.range(10.0, 40.0),
                light: r.range(215.0, 245.0),
                margin: r.range(1.0, 6.0),
                background: Background::desk(r),
                clutter: 0,
            },
            lighting: None,
            blur: 0.0,
            noise: 0.0,
            invert: false,
            mirror: false,
            jpeg: None,
        }
    }

    /// A random spot for the code, well inside the frame.
    fn place(&mut self, r: &mut Rng) {
        let (w, h) = (f64::from(self.frame.0), f64::from(self.frame.1));
        self.scene.center = (r.range(0.3, 0.7) * w, r.range(0.3, 0.7) * h);
    }

    /// Shrinks the modules until the paper lies inside the frame.
    fn fit(&mut self, code: &Code) {
        let (w, h) = (f64::from(self.frame.0), f64::from(self.frame.1));
        for _ in 0..40 {
            let corners = self.paper_corners(code);
            let inside = corners
                .iter()
                .all(|&(x, y)| x >= 2.0 && y >= 2.0 && x <= w - 2.0 && y <= h - 2.0);
            if inside {
                return;
            }
            self.scene.module *= 0.95;
            self.scene.margin *= 0.9;
        }
    }

    fn half_paper(&self, code: &Code) -> f64 {
        (code.width as f64 / 2.0 + 4.0 + self.scene.margin) * self.scene.module
    }

    fn paper_corners(&self, code: &Code) -> [(f64, f64); 4] {
        let h = self.scene.homography();
        let p = self.half_paper(code);
        [(-p, -p), (p, -p), (p, p), (-p, p)].map(|(u, v)| apply(&h, u, v))
    }

    fn render(self, code: &Code, r: &mut Rng) -> Picture {
        let (w, h) = (self.frame.0 as usize, self.frame.1 as usize);
        let s = &self.scene;
        // The desk.
        let mut px = s.background.render(w, h, r);
        for _ in 0..s.clutter {
            let (bw, bh) = (r.range(4.0, 120.0), r.range(4.0, 60.0));
            let (x0, y0) = (r.range(0.0, w as f64), r.range(0.0, h as f64));
            let v = r.range(0.0, 110.0) as f32;
            for y in (y0 as usize)..((y0 + bh) as usize).min(h) {
                for x in (x0 as usize)..((x0 + bw) as usize).min(w) {
                    px[y * w + x] = v;
                }
            }
        }
        // The paper and the code, 3 × 3 samples a pixel inside the paper's bounding box.
        let hom = s.homography();
        let inv = invert(&hom).unwrap_or(IDENTITY);
        let corners = self.paper_corners(code);
        let bound = |f: fn(f64, f64) -> f64, start: f64, i: usize| {
            corners.iter().map(|c| [c.0, c.1][i]).fold(start, f)
        };
        let x0 = bound(f64::min, f64::MAX, 0).floor().max(0.0) as usize;
        let x1 = (bound(f64::max, f64::MIN, 0).ceil() as usize + 1).min(w);
        let y0 = bound(f64::min, f64::MAX, 1).floor().max(0.0) as usize;
        let y1 = (bound(f64::max, f64::MIN, 1).ceil() as usize + 1).min(h);
        let half = self.half_paper(code) / s.module;
        let offset = code.width as f64 / 2.0;
        const N: usize = 3;
        for y in y0..y1 {
            for x in x0..x1 {
                let desk = px[y * w + x];
                let mut sum = 0.0f32;
                for sy in 0..N {
                    for sx in 0..N {
                        let fx = x as f64 + (sx as f64 + 0.5) / N as f64;
                        let fy = y as f64 + (sy as f64 + 0.5) / N as f64;
                        let (u, v) = apply(&inv, fx, fy);
                        let (mu, mv) = (u / s.module, v / s.module);
                        sum += if mu.abs() > half || mv.abs() > half {
                            desk
                        } else if code.is_dark(mu + offset, mv + offset) {
                            s.dark as f32
                        } else {
                            s.light as f32
                        };
                    }
                }
                px[y * w + x] = sum / (N * N) as f32;
            }
        }
        if let Some(l) = &self.lighting {
            l.apply(&mut px, w, h);
        }
        if self.blur > 0.0 {
            blur(&mut px, w, h, self.blur);
        }
        if self.noise > 0.0 {
            for p in px.iter_mut() {
                *p += (r.gauss() * self.noise) as f32;
            }
        }
        if self.invert {
            for p in px.iter_mut() {
                *p = 255.0 - *p;
            }
        }
        if self.mirror {
            for row in px.chunks_mut(w) {
                row.reverse();
            }
        }
        let grey: Vec<u8> = px
            .iter()
            .map(|p| p.round().clamp(0.0, 255.0) as u8)
            .collect();
        let img = image::GrayImage::from_raw(w as u32, h as u32, grey).unwrap();
        let (bytes, ext) = match self.jpeg {
            None => {
                let mut out = Cursor::new(Vec::new());
                img.write_to(&mut out, image::ImageFormat::Png).unwrap();
                (out.into_inner(), "png")
            }
            Some((quality, colour)) => {
                let mut out = Vec::new();
                let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
                if colour {
                    let tint = [r.range(0.95, 1.0), r.range(0.9, 0.97), r.range(0.75, 0.9)];
                    let rgb = image::RgbImage::from_fn(w as u32, h as u32, |x, y| {
                        let v = f64::from(img.get_pixel(x, y).0[0]);
                        image::Rgb(tint.map(|t| (v * t).round().clamp(0.0, 255.0) as u8))
                    });
                    enc.encode_image(&rgb).unwrap();
                } else {
                    enc.encode_image(&img).unwrap();
                }
                (out, "jpg")
            }
        };
        let params = format!(
            "{}x{} module={:.2} angle={:.0} tilt={:.0},{:.0} blur={:.2} noise={:.0} \
             contrast={:.0}/{:.0} light={} jpeg={} inv={} mirror={}",
            w,
            h,
            s.module,
            s.angle,
            s.tilt.0.to_degrees(),
            s.tilt.1.to_degrees(),
            self.blur,
            self.noise,
            s.dark,
            s.light,
            self.lighting
                .as_ref()
                .map_or("-".into(), Lighting::describe),
            self.jpeg.map_or("-".into(), |(q, c)| format!(
                "q{q}{}",
                if c { "c" } else { "" }
            )),
            self.invert,
            self.mirror,
        );
        Picture { bytes, ext, params }
    }
}

/// The desk: smooth value noise around a base grey.
struct Background {
    base: f64,
    amp: f64,
    cell: f64,
}

impl Background {
    fn desk(r: &mut Rng) -> Background {
        Background {
            base: r.range(60.0, 170.0),
            amp: r.range(10.0, 50.0),
            cell: r.range(30.0, 150.0),
        }
    }

    /// Between the code's two greys, barely textured.
    fn plain(r: &mut Rng, dark: f64, light: f64) -> Background {
        Background {
            base: r.range(dark, light),
            amp: (light - dark) / 4.0,
            cell: r.range(60.0, 200.0),
        }
    }

    fn render(&self, w: usize, h: usize, r: &mut Rng) -> Vec<f32> {
        let gw = (w as f64 / self.cell).ceil() as usize + 2;
        let gh = (h as f64 / self.cell).ceil() as usize + 2;
        let grid: Vec<f64> = (0..gw * gh)
            .map(|_| self.base + self.amp * (2.0 * r.unit() - 1.0))
            .collect();
        let mut out = vec![0.0f32; w * h];
        for y in 0..h {
            let gy = y as f64 / self.cell;
            let (iy, ty) = (gy as usize, gy.fract());
            for x in 0..w {
                let gx = x as f64 / self.cell;
                let (ix, tx) = (gx as usize, gx.fract());
                let g = |i: usize, j: usize| grid[j * gw + i];
                let top = g(ix, iy) * (1.0 - tx) + g(ix + 1, iy) * tx;
                let bottom = g(ix, iy + 1) * (1.0 - tx) + g(ix + 1, iy + 1) * tx;
                out[y * w + x] = (top * (1.0 - ty) + bottom * ty) as f32;
            }
        }
        out
    }
}

/// Uneven light: a gradient across the frame from `low` to full, a vignette, and perhaps a
/// shadow with a soft edge.
struct Lighting {
    low: f64,
    direction: f64,
    vignette: f64,
    /// A point on the shadow's edge (as shares of the frame), the edge's direction, the light
    /// left in the shadow and the edge's width in pixels.
    shadow: Option<((f64, f64), f64, f64, f64)>,
}

impl Lighting {
    fn draw(r: &mut Rng, low: f64, high: f64, shadow: f64) -> Lighting {
        Lighting {
            low: r.range(low, high),
            direction: r.range(0.0, 2.0 * PI),
            vignette: r.range(0.0, 0.5),
            shadow: r.chance(shadow).then(|| {
                (
                    (r.range(0.35, 0.65), r.range(0.35, 0.65)),
                    r.range(0.0, 2.0 * PI),
                    r.range(0.35, 0.6),
                    r.range(2.0, 30.0),
                )
            }),
        }
    }

    fn describe(&self) -> String {
        format!(
            "low{:.2},vig{:.2}{}",
            self.low,
            self.vignette,
            self.shadow
                .map_or(String::new(), |s| format!(",shadow{:.2}", s.2))
        )
    }

    fn apply(&self, px: &mut [f32], w: usize, h: usize) {
        let (dx, dy) = (self.direction.cos(), self.direction.sin());
        let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
        let reach = cx.hypot(cy);
        for y in 0..h {
            for x in 0..w {
                let (rx, ry) = ((x as f64 - cx) / reach, (y as f64 - cy) / reach);
                let t = (rx * dx + ry * dy + 1.0) / 2.0;
                let mut light = self.low + (1.0 - self.low) * t;
                light *= 1.0 - self.vignette * (rx * rx + ry * ry);
                if let Some(((sx, sy), angle, keep, edge)) = self.shadow {
                    let d = (x as f64 - sx * w as f64) * angle.cos()
                        + (y as f64 - sy * h as f64) * angle.sin();
                    let inside = (0.5 - d / edge).clamp(0.0, 1.0);
                    light *= 1.0 - (1.0 - keep) * inside;
                }
                px[y * w + x] *= light as f32;
            }
        }
    }
}

/// Gaussian blur, separable, edges clamped.
fn blur(px: &mut [f32], w: usize, h: usize, sigma: f64) {
    let radius = (3.0 * sigma).ceil() as i64;
    let kernel: Vec<f32> = (-radius..=radius)
        .map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp() as f32)
        .collect();
    let total: f32 = kernel.iter().sum();
    let kernel: Vec<f32> = kernel.iter().map(|k| k / total).collect();
    let mut tmp = vec![0.0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let mut sum = 0.0;
            for (k, i) in kernel.iter().zip(-radius..=radius) {
                let xx = (x as i64 + i).clamp(0, w as i64 - 1) as usize;
                sum += k * px[y * w + xx];
            }
            tmp[y * w + x] = sum;
        }
    }
    for y in 0..h {
        for x in 0..w {
            let mut sum = 0.0;
            for (k, i) in kernel.iter().zip(-radius..=radius) {
                let yy = (y as i64 + i).clamp(0, h as i64 - 1) as usize;
                sum += k * tmp[yy * w + x];
            }
            px[y * w + x] = sum;
        }
    }
}

type M3 = [[f64; 3]; 3];

const IDENTITY: M3 = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

fn mul(a: &M3, b: &M3) -> M3 {
    let mut out = [[0.0; 3]; 3];
    for (i, row) in out.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    out
}

fn invert(m: &M3) -> Option<M3> {
    let c = |i: usize, j: usize| {
        let (i1, i2) = ((i + 1) % 3, (i + 2) % 3);
        let (j1, j2) = ((j + 1) % 3, (j + 2) % 3);
        m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]
    };
    let det = m[0][0] * c(0, 0) + m[0][1] * c(0, 1) + m[0][2] * c(0, 2);
    if det.abs() < 1e-12 {
        return None;
    }
    let mut out = [[0.0; 3]; 3];
    for (i, row) in out.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = c(j, i) / det;
        }
    }
    Some(out)
}

fn apply(m: &M3, x: f64, y: f64) -> (f64, f64) {
    let z = m[2][0] * x + m[2][1] * y + m[2][2];
    (
        (m[0][0] * x + m[0][1] * y + m[0][2]) / z,
        (m[1][0] * x + m[1][1] * y + m[1][2]) / z,
    )
}

/// SplitMix64: small, seeded, the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal (Box–Muller).
    fn gauss(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (2.0 * PI * v).cos()
    }
}
