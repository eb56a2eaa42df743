use super::plan::{layers, Look, LOOKS};
use super::*;

fn sides(w: u32, h: u32) -> Vec<(u32, u32)> {
    layers(w, h).iter().map(|p| (p.width, p.height)).collect()
}

#[test]
fn layers_halve_down_to_the_first_pass_side() {
    assert_eq!(
        sides(4000, 3000),
        [(500, 375), (1000, 750), (2000, 1500), (4000, 3000)]
    );
    assert_eq!(sides(1280, 720), [(640, 360), (1280, 720)]);
    assert_eq!(sides(1920, 1080), [(960, 540), (1920, 1080)]);
    assert_eq!(sides(1500, 3000), [(375, 750), (750, 1500), (1500, 3000)]);
    assert_eq!(sides(999, 999), [(999, 999)]);
    assert_eq!(sides(1000, 10), [(500, 5), (1000, 10)]);
    assert_eq!(sides(1000, 1), [(1000, 1)]);
    assert_eq!(sides(400, 1), [(400, 1)]);
    assert_eq!(sides(1, 1), [(1, 1)]);
}

#[test]
fn each_layer_is_read_as_it_is_then_inverted() {
    assert_eq!(LOOKS, [Look::Plain, Look::Inverted]);
}

#[test]
fn the_pyramid_holds_every_layer() {
    let img = GrayImage::from_fn(4001, 3001, |x, y| image::Luma([((x + y) % 256) as u8]));
    let got: Vec<_> = pyramid(img, 500 * 375)
        .iter()
        .map(GrayImage::dimensions)
        .collect();
    assert_eq!(got, [(4001, 3001), (2000, 1500), (1000, 750), (500, 375)]);
    let want: Vec<_> = layers(4001, 3001)
        .iter()
        .rev()
        .map(|p| (p.width, p.height))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn halving_averages_blocks_of_four() {
    let img = GrayImage::from_raw(3, 2, vec![0, 255, 7, 10, 255, 9]).unwrap();
    assert_eq!(halve(&img).into_raw(), [130]);
}

#[test]
fn a_panic_in_the_reader_becomes_an_error() {
    let got: Result<(), QrError> = read::guarded(|| panic!("index out of bounds"));
    assert!(matches!(got, Err(QrError::Decode(_))), "{got:?}");
    assert_eq!(read::guarded(|| Ok(7)), Ok(7));
}

#[test]
fn luminance_that_does_not_fit_its_size_is_refused() {
    for (w, h, len) in [
        (0, 10, 0),
        (10, 0, 0),
        (10, 10, 99),
        (10, 10, 101),
        (9000, 1, 9000),
    ] {
        let got = decode_luma(w, h, &vec![255; len]);
        assert!(
            matches!(got, Err(QrError::Image(_))),
            "{w}×{h}, {len}: {got:?}"
        );
    }
    assert_eq!(decode_luma(1, 1, &[0]), Err(QrError::NotFound));
}
