//! The project's value sets (valuesets/*.json, written by scripts/valuesets.py): every set has
//! the id of an EU value set and every code exists there, so a typo cannot slip in. The EU
//! reference (eu-dcc-valuesets) is read from ../shared/conformance/valuesets at test time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use verifier::rules::ValueSets;

fn load_dir(dir: &Path) -> ValueSets {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut sets = ValueSets::new();
    for p in paths {
        let bytes = std::fs::read(&p).unwrap();
        sets.add_file(&p.display().to_string(), &bytes).unwrap();
    }
    sets
}

fn project_dir() -> std::path::PathBuf {
    fixtures::valuesets_dir()
}

#[test]
fn every_project_code_exists_in_the_eu_value_sets() {
    let ours = load_dir(&project_dir());
    let reference = load_dir(&fixtures::conformance().join("valuesets"));
    let mut problems = Vec::new();
    for id in ours.ids() {
        let Some(theirs) = reference.get(id) else {
            problems.push(format!("{id}: no EU value set has this id"));
            continue;
        };
        for entry in ours.get(id).unwrap().entries() {
            if theirs.entry(&entry.code).is_none() {
                problems.push(format!(
                    "{id}: code {:?} is not in the EU value set",
                    entry.code
                ));
            }
            if entry.display.as_deref().unwrap_or("").is_empty() {
                problems.push(format!("{id}: code {:?} has no display name", entry.code));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_project_has_the_value_sets_rules_and_documents_need() {
    let ours = load_dir(&project_dir());
    let ids: Vec<&str> = ours.ids().collect();
    assert_eq!(
        ids,
        [
            "country-2-codes",
            "covid-19-lab-result",
            "covid-19-lab-test-manufacturer-and-name",
            "covid-19-lab-test-type",
            "disease-agent-targeted",
            "sct-vaccines-covid-19",
            "vaccines-covid-19-auth-holders",
            "vaccines-covid-19-names",
        ]
    );
    // Display names for the bilingual certificate.
    assert_eq!(
        ours.display("vaccines-covid-19-names", "EU/1/20/1528"),
        Some("Comirnaty")
    );
    assert_eq!(
        ours.display("vaccines-covid-19-auth-holders", "ORG-100030215"),
        Some("Biontech Manufacturing GmbH")
    );
    assert_eq!(
        ours.display_in("country-2-codes", "CZ", "cs"),
        Some("Česko")
    );
    assert_eq!(
        ours.display_in("country-2-codes", "CZ", "en"),
        Some("Czechia")
    );
    assert_eq!(
        ours.display_in("covid-19-lab-result", "260415000", "cs"),
        Some("nedetekováno (negativní)")
    );
    assert!(ours.get("country-2-codes").unwrap().entries().len() >= 249);
    // What rules see.
    let external = ours.to_external();
    assert!(external["disease-agent-targeted"]
        .as_array()
        .unwrap()
        .contains(&"840539006".into()));
}
