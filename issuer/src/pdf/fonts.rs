//! DejaVu Sans (from the `dejavu` crate, so no system font is needed) for the certificate:
//! metrics parsed once for measuring, and per document a subset holding only the glyphs the
//! page uses, so a PDF carries kilobytes of font rather than the whole 700 kB face.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use crate::{Error, Result};

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Style {
    Regular,
    Bold,
}

/// One face: its metrics, and the font programs documents are subset from.
pub(crate) struct Face {
    /// Per character: glyph id in the full face and advance width.
    glyphs: HashMap<char, (u16, u16)>,
    units_per_em: f32,
    full: Source,
    /// The face cut down once to the Latin repertoire (about 550 glyphs of 6000): subsetting
    /// from it reads a tenth of the tables. Documents with other characters use `full`.
    latin: Option<Source>,
}

/// A font program and its character → glyph id map.
struct Source {
    bytes: Vec<u8>,
    gids: HashMap<char, u16>,
}

/// Basic Latin, Latin-1, Latin Extended-A and -B, general punctuation and the euro sign: every
/// name of a European alphabet in Latin script.
fn latin(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{24f}' | '\u{2010}'..='\u{2027}' | '\u{20ac}')
}

/// Both faces the certificate uses.
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    /// The face of a style.
    pub(crate) fn face(&self, style: Style) -> &Face {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }
}

/// The faces, parsed on first use.
pub(crate) fn fonts() -> Result<&'static Fonts> {
    static FONTS: OnceLock<std::result::Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Ok(Fonts {
                regular: Face::load(dejavu::sans::regular())?,
                bold: Face::load(dejavu::sans::bold())?,
            })
        })
        .as_ref()
        .map_err(|e| Error::Render(e.clone()))
}

impl Face {
    fn load(bytes: &'static [u8]) -> std::result::Result<Face, String> {
        let full = Source::parse(bytes.to_vec())?;
        let mut warnings = Vec::new();
        let parsed = printpdf::ParsedFont::from_bytes(bytes, 0, &mut warnings)
            .ok_or_else(|| format!("font: DejaVu Sans cannot be parsed ({warnings:?})"))?;
        let glyphs = full
            .gids
            .iter()
            .map(|(c, gid)| {
                let advance = parsed.glyph_widths.get(gid).copied().unwrap_or(0);
                (*c, (*gid, advance))
            })
            .collect();
        let chars: BTreeSet<char> = full.gids.keys().copied().filter(|c| latin(*c)).collect();
        // Without the cut-down face every document subsets from the full one: slower, not wrong.
        let latin = full
            .subset(&chars)
            .ok()
            .and_then(|bytes| Source::parse(bytes).ok());
        Ok(Face {
            glyphs,
            units_per_em: f32::from(parsed.units_per_em.max(1)),
            full,
            latin,
        })
    }

    /// Whether the face draws `c`.
    pub(crate) fn has(&self, c: char) -> bool {
        self.glyphs.contains_key(&c)
    }

    /// Width of `text` at `size` points, in points (no kerning: the PDF draws none).
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| self.glyphs.get(&c).map_or(0, |g| u32::from(g.1)))
            .sum();
        units as f32 * size / self.units_per_em
    }

    /// A face holding only the glyphs of `chars` (and `.notdef`), ready to embed.
    pub(crate) fn subset(&self, chars: &BTreeSet<char>) -> Result<printpdf::ParsedFont> {
        let source = match &self.latin {
            Some(l)
                if chars
                    .iter()
                    .all(|c| l.gids.contains_key(c) || !self.has(*c)) =>
            {
                l
            }
            _ => &self.full,
        };
        let bytes = source
            .subset(chars)
            .map_err(|e| Error::Render(format!("font subset: {e}")))?;
        let mut warnings = Vec::new();
        printpdf::ParsedFont::from_bytes(&bytes, 0, &mut warnings)
            .ok_or_else(|| Error::Render(format!("font subset cannot be parsed ({warnings:?})")))
    }
}

impl Source {
    fn parse(bytes: Vec<u8>) -> std::result::Result<Source, String> {
        let mut warnings = Vec::new();
        let parsed = printpdf::ParsedFont::from_bytes(&bytes, 0, &mut warnings)
            .ok_or_else(|| format!("font: DejaVu Sans cannot be parsed ({warnings:?})"))?;
        let gids = parsed
            .codepoint_to_glyph
            .iter()
            .filter_map(|(cp, gid)| char::from_u32(*cp).map(|c| (c, *gid)))
            .collect();
        Ok(Source { bytes, gids })
    }

    /// The glyphs of `chars` this font has, `.notdef` first, as a font program.
    fn subset(&self, chars: &BTreeSet<char>) -> std::result::Result<Vec<u8>, String> {
        use allsorts::binary::read::ReadScope;
        use allsorts::font_data::FontData;
        use allsorts::subset::{subset, CmapTarget, SubsetProfile};

        let used: BTreeSet<u16> = chars
            .iter()
            .filter_map(|c| self.gids.get(c).copied())
            .filter(|gid| *gid != 0)
            .collect();
        // allsorts wants .notdef first and no duplicates.
        let ids: Vec<u16> = std::iter::once(0).chain(used).collect();
        let data = ReadScope::new(&self.bytes)
            .read::<FontData<'_>>()
            .map_err(|e| e.to_string())?;
        let provider = data.table_provider(0).map_err(|e| e.to_string())?;
        subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode).map_err(|e| e.to_string())
    }
}
