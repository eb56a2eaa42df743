//! The project's own business rules (`rules/`) and value sets (`valuesets/`), compiled in: what
//! the server serves and `POST /verify` evaluates unless `rules_dir` or `valuesets_dir` name
//! other directories (DESIGN.md: "Rules and value sets of the project are served by default").

/// One embedded file: its name and bytes.
pub type File = (&'static str, &'static [u8]);

/// The files of a top-level folder, by name; the unit test holds each list to its folder.
macro_rules! embed {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../", $dir, "/", $name)))),*]
    };
}

/// The rule set (gateway Rule JSON, one rule per file), sorted by name.
pub const RULES: &[File] = embed!("rules":
    "GR-CZ-0001.json",
    "IR-CZ-0001.json",
    "RR-CZ-0001.json",
    "TR-CZ-0001.json",
    "TR-CZ-0002.json",
    "TR-CZ-0003.json",
    "VR-CZ-0001.json",
    "VR-CZ-0002.json",
    "VR-CZ-0003.json",
);

/// The value sets (eu-dcc-valuesets format), sorted by name.
pub const VALUESETS: &[File] = embed!("valuesets":
    "country-2-codes.json",
    "covid-19-lab-result.json",
    "covid-19-lab-test-manufacturer-and-name.json",
    "covid-19-lab-test-type.json",
    "disease-agent-targeted.json",
    "vaccine-mah-manf.json",
    "vaccine-medicinal-product.json",
    "vaccine-prophylaxis.json",
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The `.json` files of a top-level folder, sorted.
    fn folder(name: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(name);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        names
    }

    /// A file added to (or removed from) `rules/` or `valuesets/` must be listed here too, or
    /// the server would not serve what the folder holds.
    #[test]
    fn every_file_of_the_folders_is_embedded() {
        for (dir, files) in [("rules", RULES), ("valuesets", VALUESETS)] {
            let embedded: Vec<String> = files.iter().map(|(n, _)| n.to_string()).collect();
            assert_eq!(embedded, folder(dir), "{dir}/");
        }
    }
}
