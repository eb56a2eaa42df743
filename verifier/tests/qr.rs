//! The QR decoder's passes: the caller is asked before each pass after the first and can stop
//! the decoder (issue 18: a time budget per image); the luminance entry point reads as the
//! image one does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use verifier::qr::{decode_in_passes, Pass, QrError};

const URL: &str = "https://dcc.example/exchange/AAAAAAAAAAAAAAAAAAAAAA";

/// A 4,000 px photo whose code has 3 px modules: unreadable at 1,000 px, readable at full size.
fn small_code_in_a_large_photo() -> Vec<u8> {
    let code = issuer::qr::encode_bytes(URL).unwrap().to_png(3).unwrap();
    let code = image::load_from_memory(&code).unwrap().to_luma8();
    let mut photo = image::GrayImage::from_pixel(4000, 4000, image::Luma([255]));
    image::imageops::overlay(&mut photo, &code, 1800, 1800);
    let mut out = std::io::Cursor::new(Vec::new());
    photo.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn a_spent_budget_stops_after_the_first_pass() {
    let png = small_code_in_a_large_photo();
    let mut asked: Vec<(Pass, Pass)> = Vec::new();
    let got = decode_in_passes(&png, &mut |done, next| {
        asked.push((done, next));
        false
    });
    assert_eq!(got, Err(QrError::Stopped));
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!((asked[0].0.width, asked[0].0.height), (500, 500));
    assert_eq!((asked[0].1.width, asked[0].1.height), (1000, 1000));

    let mut asked = Vec::new();
    let got = decode_in_passes(&png, &mut |done, next| {
        asked.push((done.width, next.width));
        true
    });
    assert_eq!(got.as_deref(), Ok(URL));
    // Each layer twice the last; the 3 px modules are read at 2,000 px or at full size.
    assert_eq!(asked[..2], [(500, 1000), (1000, 2000)], "{asked:?}");
    assert!((2..=3).contains(&asked.len()), "{asked:?}");
}

#[test]
fn a_large_code_is_read_in_the_first_pass() {
    let matrix = issuer::qr::encode_bytes(URL).unwrap();
    let scale = 4000 / u32::try_from(matrix.side_with_quiet_zone()).unwrap();
    let png = matrix.to_png(scale).unwrap();
    let got = decode_in_passes(&png, &mut |_, _| panic!("a second pass was asked for"));
    assert_eq!(got.as_deref(), Ok(URL));
}

#[test]
fn a_luminance_buffer_reads_as_its_image_does() {
    let matrix = issuer::qr::encode_bytes(URL).unwrap();
    let img = image::load_from_memory(&matrix.to_png(4).unwrap())
        .unwrap()
        .to_luma8();
    let (w, h) = img.dimensions();
    assert_eq!(
        verifier::qr::decode_luma(w, h, img.as_raw()).as_deref(),
        Ok(URL)
    );
    let blank = vec![255u8; (w * h) as usize];
    assert_eq!(
        verifier::qr::decode_luma(w, h, &blank),
        Err(QrError::NotFound)
    );
}
