//! The portal's words in Czech (the default) and English: the Fluent catalogues of the `texts`
//! crate (`texts/src/{cs,en}.ftl`).

pub use texts::{Arg, Lang};

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn security_questions_have_both_languages() {
        for q in crate::service::questions::QUESTIONS {
            for lang in Lang::ALL {
                assert!(lang.table().contains_key(q), "{q} ({lang:?})");
            }
        }
    }
}
