//! The decoder's passes over an image, cheapest first: its layers (the image averaged down to
//! a few sizes, then itself), and the looks tried at each. Pure, so the order is tested alone.

use super::{Pass, FIRST_PASS_SIDE};

/// How a pass looks for a code in its layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Look {
    /// Dark modules on light, as printed.
    Plain,
    /// Light modules on dark, as a dark-mode screen shows them: the same binarised layer,
    /// flipped, so it costs only a search (a few per cent of the layer's first look).
    Inverted,
}

/// The looks of a pass, in order. They share one pass, not one each, so that the cost a caller
/// measures per pass keeps growing with the pixels (an inverted look alone would be too cheap
/// to predict the next layer from).
pub(super) const LOOKS: [Look; 2] = [Look::Plain, Look::Inverted];

/// The layers of a `width` × `height` image: the image halved while its long side stays at
/// least [`FIRST_PASS_SIDE`], smallest first, then the image itself. Each layer costs a quarter
/// of the next; averaging four pixels into one also halves the noise, so a grainy picture
/// of a large code often reads in a small layer that it does not at full size.
pub(super) fn layers(width: u32, height: u32) -> Vec<Pass> {
    let mut out = vec![Pass { width, height }];
    let (mut w, mut h) = (width / 2, height / 2);
    while w.max(h) >= FIRST_PASS_SIDE && w.min(h) >= 1 {
        out.push(Pass {
            width: w,
            height: h,
        });
        (w, h) = (w / 2, h / 2);
    }
    out.reverse();
    out
}
