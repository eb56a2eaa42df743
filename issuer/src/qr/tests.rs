use super::*;

/// Decodes a PNG with rqrr: (version, ECC level bits, text).
fn scan(png: &[u8]) -> (usize, u16, String) {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .unwrap()
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    let (meta, text) = grids[0].decode().unwrap();
    (meta.version.0, meta.ecc_level, text)
}

const SAMPLE: &str = "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA.A5:S9MKN4NN3F85QNCY0O%0VZ001HOC9JU0D0HT0HB2PL/IB*09B9LW4T*8+DCMH0LDK2%K:XFE70*LP$V25$0Q:J:4MO1P0%0L0HD+9E/HY+4J6TH48S%4K.GJ2PT3QY:GQ3TE2I+-CPHN6D7LLK*2HG%89UV-0LZ 2ZJJ524-LH/CJTK96L6SR9MU9DHGZ%P WUQRENS431T1XCNCF+47AY0-IFO0500TGPN8F5G.41Q2E4T8ALW.INSV$ 07UV5SR+BNQHNML7 /KD3TU 4V*CAT3ZGLQMI/XI%ZJNSBBXK2:UG%UJMI:TU+MMPZ5$/PMX19UE:-PSR3/$NU44CBE6DQ3D7B0FBOFX0DV2DGMB$YPF62I$60/F$Z2I6IFX21XNI-LM%3/DF/U6Z9FEOJVRLVW6K$UG+BKK57:1+D10%4K83F+1VWD1NE";

#[test]
fn an_hc1_text_scans_back_from_the_png() {
    let m = encode(SAMPLE).unwrap();
    let (version, ecc, text) = scan(&m.to_png(4).unwrap());
    assert_eq!(text, SAMPLE);
    assert_eq!(version, m.version());
    assert_eq!(ecc, 3, "error correction Q (format bits 11)");
}

#[test]
fn alphanumeric_mode_picks_the_smallest_version() {
    // 16 characters fit version 1-Q only in alphanumeric mode (byte mode holds 11).
    assert_eq!(encode("HC1:0123456789AB").unwrap().version(), 1);
    assert_eq!(encode("HC1:0123456789ABC").unwrap().version(), 2);
    // Version 40-Q holds 2420 alphanumeric characters, and still scans.
    let long = format!("HC1:{}", "0A$ %*+-./:Z9".repeat(200).get(..2416).unwrap());
    let m = encode(&long).unwrap();
    assert_eq!(m.version(), 40);
    assert_eq!(scan(&m.to_png(3).unwrap()).2, long);
    let too_long = format!("{long}A");
    let err = encode(&too_long).unwrap_err().to_string();
    assert!(err.contains("2421 characters do not fit"), "{err}");
}

#[test]
fn rejects_text_outside_the_alphanumeric_set() {
    for (text, bad) in [
        ("HC1:abc", "'a' at 4"),
        ("HC1:Ř", "'Ř' at 4"),
        ("HC1:A\n", "'\\n' at 5"),
    ] {
        let err = encode(text).unwrap_err().to_string();
        assert!(err.contains(bad), "{text:?}: {err}");
    }
}

#[test]
fn the_png_has_a_four_module_quiet_zone() {
    let m = encode(SAMPLE).unwrap();
    let scale = 3;
    let img = image::load_from_memory(&m.to_png(scale).unwrap())
        .unwrap()
        .to_luma8();
    let side = (m.width() + 2 * QUIET_ZONE) * scale as usize;
    assert_eq!(img.width() as usize, side);
    let q = QUIET_ZONE * scale as usize;
    for (x, y, p) in img.enumerate_pixels() {
        let (x, y) = (x as usize, y as usize);
        if x < q || y < q || x >= side - q || y >= side - q {
            assert_eq!(p.0[0], 255, "quiet zone pixel ({x}, {y})");
        }
    }
    // The top-left finder pattern starts right after the quiet zone.
    assert_eq!(img.get_pixel(q as u32, q as u32).0[0], 0);
    assert_eq!(img.get_pixel(q as u32 - 1, q as u32).0[0], 255);
}

#[test]
fn runs_cover_exactly_the_dark_modules() {
    let m = encode(SAMPLE).unwrap();
    let mut drawn = vec![false; m.width() * m.width()];
    for r in m.runs() {
        for x in r.x..r.x + r.len {
            assert!(!drawn[r.y * m.width() + x], "overlap at ({x}, {})", r.y);
            drawn[r.y * m.width() + x] = true;
        }
        // Runs are maximal: light (or the edge) on both sides.
        assert!(r.x == 0 || !m.is_dark(r.x - 1, r.y));
        assert!(!m.is_dark(r.x + r.len, r.y));
    }
    for y in 0..m.width() {
        for x in 0..m.width() {
            assert_eq!(drawn[y * m.width() + x], m.is_dark(x, y), "({x}, {y})");
        }
    }
}

#[test]
fn the_svg_draws_every_run_in_module_units() {
    let m = encode(SAMPLE).unwrap();
    let svg = m.to_svg(400);
    let side = m.width() + 2 * QUIET_ZONE;
    assert!(
        svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")),
        "{svg}"
    );
    assert!(svg.contains("width=\"400\""));
    assert_eq!(svg.matches('M').count(), m.runs().len());
    let first = m.runs()[0];
    assert!(svg.contains(&format!(
        "d=\"M{} {}h{}v1h-{}z",
        first.x + QUIET_ZONE,
        first.y + QUIET_ZONE,
        first.len,
        first.len
    )));
}
