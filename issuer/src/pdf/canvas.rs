//! A page as a list of drawing items in millimetres from the top-left corner, measured with
//! the real font metrics, then turned into printpdf operations with subset fonts.

use std::collections::BTreeSet;

use printpdf::{
    Color, DictItem, ExternalStream, ExternalXObject, Line, LinePoint, Mm, Op, PaintMode,
    PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rect,
    Rgb, TextItem, WindingOrder, XObjectTransform,
};

use super::fonts::{Fonts, Style};
use crate::qr::QrMatrix;
use crate::{Error, Result};

/// A4 portrait, millimetres.
pub(crate) const PAGE_WIDTH: f32 = 210.0;
pub(crate) const PAGE_HEIGHT: f32 = 297.0;

/// An sRGB colour, components 0–1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgb3(pub f32, pub f32, pub f32);

impl Rgb3 {
    fn color(self) -> Color {
        Color::Rgb(Rgb::new(self.0, self.1, self.2, None))
    }
}

/// Font, size and colour of a piece of text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Font {
    pub style: Style,
    pub size: f32,
    pub color: Rgb3,
}

enum Item {
    Text {
        x: f32,
        y: f32,
        font: Font,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb3,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Rgb3,
    },
    Polygon {
        points: Vec<(f32, f32)>,
        color: Rgb3,
    },
    Qr {
        x: f32,
        y: f32,
        module: f32,
        matrix: QrMatrix,
    },
}

/// The page being drawn.
pub(crate) struct Canvas {
    fonts: &'static Fonts,
    items: Vec<Item>,
}

fn pt(mm: f32) -> Pt {
    Pt::from(Mm(mm))
}

/// A point given from the top-left corner, in PDF coordinates (from the bottom-left).
fn point(x: f32, y: f32) -> Point {
    Point {
        x: pt(x),
        y: pt(PAGE_HEIGHT - y),
    }
}

impl Canvas {
    pub(crate) fn new(fonts: &'static Fonts) -> Self {
        Canvas {
            fonts,
            items: Vec::new(),
        }
    }

    /// Width of `text` in millimetres.
    pub(crate) fn width(&self, text: &str, font: Font) -> f32 {
        self.fonts.face(font.style).width(text, font.size) * 25.4 / 72.0
    }

    /// `text` with every character the face lacks replaced by `?`, so nothing is drawn as a
    /// blank box (names may hold any script; the transliterated name is always shown too).
    fn drawable(&self, text: &str, style: Style) -> String {
        let face = self.fonts.face(style);
        text.chars()
            .map(|c| if face.has(c) { c } else { '?' })
            .collect()
    }

    /// Draws `text` with its baseline at `y`, starting at `x`.
    pub(crate) fn text(&mut self, x: f32, y: f32, font: Font, text: &str) {
        if text.is_empty() {
            return;
        }
        let text = self.drawable(text, font.style);
        self.items.push(Item::Text { x, y, font, text });
    }

    /// Draws `text` ending at `x`.
    pub(crate) fn text_right(&mut self, x: f32, y: f32, font: Font, text: &str) {
        let w = self.width(text, font);
        self.text(x - w, y, font, text);
    }

    /// Draws `text` centred on `x`.
    pub(crate) fn text_centred(&mut self, x: f32, y: f32, font: Font, text: &str) {
        let w = self.width(text, font);
        self.text(x - w / 2.0, y, font, text);
    }

    /// Breaks `text` into lines no wider than `width` mm: at spaces, and inside a word only
    /// when the word alone is too wide.
    pub(crate) fn wrap(&self, text: &str, width: f32, font: Font) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, font) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word starts a line; break it if it alone is too wide, after the last
                // separator that fits (`<` of ICAO names, `:` of UVCIs, `-`, `/`), else anywhere.
                for c in word.chars() {
                    line.push(c);
                    if self.width(&line, font) > width && line.chars().count() > 1 {
                        let cut = line
                            .char_indices()
                            .rev()
                            .filter(|(_, ch)| matches!(ch, '<' | ':' | '-' | '/' | '#'))
                            .map(|(i, ch)| i + ch.len_utf8())
                            .find(|i| *i < line.len())
                            .unwrap_or(line.len() - c.len_utf8());
                        let rest = line.split_off(cut);
                        lines.push(std::mem::replace(&mut line, rest));
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    /// Fills a rectangle whose top-left corner is (`x`, `y`).
    pub(crate) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb3) {
        self.items.push(Item::Rect { x, y, w, h, color });
    }

    /// Strokes a line `width` points wide.
    pub(crate) fn line(
        &mut self,
        (x1, y1): (f32, f32),
        (x2, y2): (f32, f32),
        width: f32,
        color: Rgb3,
    ) {
        self.items.push(Item::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            color,
        });
    }

    /// Fills a polygon.
    pub(crate) fn polygon(&mut self, points: Vec<(f32, f32)>, color: Rgb3) {
        self.items.push(Item::Polygon { points, color });
    }

    /// Draws a QR symbol's dark modules as vector rectangles, top-left at (`x`, `y`), each
    /// module `module` mm wide. The caller keeps the quiet zone free.
    pub(crate) fn qr(&mut self, x: f32, y: f32, module: f32, matrix: &QrMatrix) {
        self.items.push(Item::Qr {
            x,
            y,
            module,
            matrix: matrix.clone(),
        });
    }

    /// The PDF: one A4 page, fonts subset to the characters drawn.
    /// `id` becomes the trailer's file identifier (printpdf would draw a random one).
    pub(crate) fn into_pdf(self, meta: printpdf::PdfDocumentInfo, id: [u8; 16]) -> Result<Vec<u8>> {
        let mut doc = PdfDocument::new(&meta.document_title);
        doc.metadata.info = meta;
        let mut used: [BTreeSet<char>; 2] = [BTreeSet::new(), BTreeSet::new()];
        for item in &self.items {
            if let Item::Text { font, text, .. } = item {
                if let Some(set) = used.get_mut(font.style as usize) {
                    set.extend(text.chars());
                }
            }
        }
        let mut font_ids = Vec::new();
        for (style, chars) in [Style::Regular, Style::Bold].into_iter().zip(&used) {
            let id = if chars.is_empty() {
                None
            } else {
                let mut font = self.fonts.face(style).subset(chars)?;
                // A subset's name carries a six-letter tag (ISO 32000-1, 9.6.4); fixed names
                // keep the output a function of the input.
                let (tag, name) = match style {
                    Style::Regular => ("DCCAAA", "DejaVuSans"),
                    Style::Bold => ("DCCAAB", "DejaVuSans-Bold"),
                };
                font.font_name = Some(format!("{tag}+{name}"));
                let id = printpdf::FontId(name.to_string());
                doc.resources
                    .fonts
                    .map
                    .insert(id.clone(), printpdf::PdfFont::new(font));
                Some(id)
            };
            font_ids.push(id);
        }

        let mut ops = Vec::with_capacity(self.items.len() * 6);
        for item in self.items {
            match item {
                Item::Text { x, y, font, text } => {
                    let Some(Some(id)) = font_ids.get(font.style as usize) else {
                        continue;
                    };
                    ops.extend([
                        Op::StartTextSection,
                        Op::SetFont {
                            font: PdfFontHandle::External(id.clone()),
                            size: Pt(font.size),
                        },
                        Op::SetFillColor {
                            col: font.color.color(),
                        },
                        Op::SetTextCursor { pos: point(x, y) },
                        Op::ShowText {
                            items: vec![TextItem::Text(text)],
                        },
                        Op::EndTextSection,
                    ]);
                }
                Item::Rect { x, y, w, h, color } => {
                    ops.push(Op::SetFillColor { col: color.color() });
                    ops.push(Op::DrawRectangle {
                        rectangle: Rect {
                            x: pt(x),
                            y: pt(PAGE_HEIGHT - y - h),
                            width: pt(w),
                            height: pt(h),
                            mode: Some(PaintMode::Fill),
                            winding_order: None,
                        },
                    });
                }
                Item::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                    color,
                } => {
                    ops.push(Op::SetOutlineColor { col: color.color() });
                    ops.push(Op::SetOutlineThickness { pt: Pt(width) });
                    ops.push(Op::DrawLine {
                        line: Line {
                            points: vec![
                                LinePoint {
                                    p: point(x1, y1),
                                    bezier: false,
                                },
                                LinePoint {
                                    p: point(x2, y2),
                                    bezier: false,
                                },
                            ],
                            is_closed: false,
                        },
                    });
                }
                Item::Polygon { points, color } => {
                    ops.push(Op::SetFillColor { col: color.color() });
                    ops.push(Op::DrawPolygon {
                        polygon: Polygon {
                            rings: vec![PolygonRing {
                                points: points
                                    .into_iter()
                                    .map(|(x, y)| LinePoint {
                                        p: point(x, y),
                                        bezier: false,
                                    })
                                    .collect(),
                            }],
                            mode: PaintMode::Fill,
                            winding_order: WindingOrder::NonZero,
                        },
                    });
                }
                Item::Qr {
                    x,
                    y,
                    module,
                    matrix,
                } => {
                    let id = printpdf::XObjectId("QR".into());
                    doc.resources.xobjects.map.insert(
                        id.clone(),
                        printpdf::XObject::External(qr_form(x, y, module, &matrix)),
                    );
                    ops.push(Op::UseXobject {
                        id,
                        transform: XObjectTransform::default(),
                    });
                }
            }
        }
        doc.pages
            .push(PdfPage::new(Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT), ops));
        let mut warnings = Vec::new();
        let options = PdfSaveOptions {
            // Compression is ours, below: printpdf would ask lopdf for level 9.
            optimize: false,
            // The fonts are subset already.
            subset_fonts: false,
            secure: true,
            image_optimization: None,
        };
        let mut lo = doc.to_lopdf_document(&options, &mut warnings);
        if let Some(w) = warnings
            .iter()
            .find(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
        {
            return Err(Error::Render(format!("PDF: {}", w.msg)));
        }
        for object in lo.objects.values_mut() {
            if let lopdf::Object::Stream(stream) = object {
                compress(stream)?;
            }
        }
        let id = lopdf::Object::String(id.to_vec(), lopdf::StringFormat::Hexadecimal);
        lo.trailer
            .set("ID", lopdf::Object::Array(vec![id.clone(), id]));
        let mut bytes = Vec::new();
        lo.save_to(&mut bytes)
            .map_err(|e| Error::Render(format!("PDF: {e}")))?;
        Ok(bytes)
    }
}

/// Deflates a stream at a fast level: the fonts and the page are a few tens of kilobytes, where
/// level 9 costs several milliseconds for a few percent of size.
fn compress(stream: &mut lopdf::Stream) -> Result<()> {
    use std::io::Write as _;
    if stream.dict.get(b"Filter").is_ok() {
        return Ok(());
    }
    let mut z = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(stream.content.len() / 2),
        flate2::Compression::new(LEVEL),
    );
    z.write_all(&stream.content)
        .map_err(|e| Error::Render(format!("PDF: deflate: {e}")))?;
    let packed = z
        .finish()
        .map_err(|e| Error::Render(format!("PDF: deflate: {e}")))?;
    if packed.len() < stream.content.len() {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(packed);
    }
    Ok(())
}

/// zlib level for the PDF's streams.
const LEVEL: u32 = 1;

/// The symbol as a form XObject: one path of `re` subpaths filled once. The form's matrix
/// makes one unit one module (y down), so every rectangle is four small integers, and a single
/// fill leaves no anti-aliasing seams between touching rectangles. Written as bytes directly:
/// a symbol has a thousand or more runs, too many to pass through printpdf's operations.
fn qr_form(x: f32, y: f32, module: f32, matrix: &QrMatrix) -> ExternalXObject {
    use std::io::Write as _;
    let m = pt(module).0;
    let runs = matrix.runs();
    let mut content = Vec::with_capacity(runs.len() * 14 + 8);
    content.extend_from_slice(b"0 g\n");
    for r in &runs {
        let _ = writeln!(content, "{} {} {} 1 re", r.x, r.y, r.len);
    }
    content.extend_from_slice(b"f\n");
    let side = i64::try_from(matrix.width()).unwrap_or(0);
    let dict = [
        ("Type", DictItem::Name(b"XObject".to_vec())),
        ("Subtype", DictItem::Name(b"Form".to_vec())),
        (
            "BBox",
            DictItem::Array(vec![
                DictItem::Int(0),
                DictItem::Int(0),
                DictItem::Int(side),
                DictItem::Int(side),
            ]),
        ),
        (
            "Matrix",
            DictItem::Array(
                [m, 0.0, 0.0, -m, pt(x).0, pt(PAGE_HEIGHT - y).0]
                    .into_iter()
                    .map(DictItem::Real)
                    .collect(),
            ),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    ExternalXObject {
        stream: ExternalStream {
            dict,
            content,
            compress: true,
        },
        width: None,
        height: None,
        dpi: None,
    }
}
