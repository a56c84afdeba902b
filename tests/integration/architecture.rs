//! The dependency rule, checked on the sources: the command line (and later the window) talk
//! to the engine only through `engine::api` and `engine::handle`, and see `model`; they never
//! name `protocol`, `trust`, `config` or tokio.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn front_ends_use_only_the_engine_api_and_the_model() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let forbidden = [
        "crate::store",
        "crate::protocol",
        "crate::trust",
        "crate::config",
        "tokio",
        "crate::engine::session",
        "crate::engine::copy",
        "wharf::protocol",
    ];
    let mut checked = 0;
    for front_end in ["cli", "ui"] {
        let mut files = Vec::new();
        let dir = root.join(front_end);
        if !dir.exists() {
            continue;
        }
        sources(&dir, &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (number, line) in text.lines().enumerate() {
                for (index, _) in line.match_indices("crate::engine::") {
                    let rest = &line[index + "crate::engine::".len()..];
                    assert!(
                        rest.starts_with("api") || rest.starts_with("handle"),
                        "{}:{} reaches into the engine beyond api and handle: {line}",
                        file.display(),
                        number + 1
                    );
                }
                for name in forbidden {
                    assert!(
                        !line.contains(name),
                        "{}:{} crosses the engine boundary by naming {name}: {line}",
                        file.display(),
                        number + 1
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 2, "the command line's sources were found and checked");
}

#[test]
fn the_engine_does_not_know_its_front_ends() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for layer in ["model", "protocol", "engine"] {
        sources(&root.join(layer), &mut files);
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for name in ["crate::cli", "crate::ui", "egui", "eframe"] {
            assert!(!text.contains(name), "{} names {name}", file.display());
        }
    }
    let model = {
        let mut files = Vec::new();
        sources(&root.join("model"), &mut files);
        files
    };
    for file in model {
        let text = std::fs::read_to_string(&file).unwrap();
        for name in ["crate::protocol", "crate::engine"] {
            assert!(!text.contains(name), "{} (model) names {name}", file.display());
        }
    }
}

#[test]
fn nothing_but_the_crate_root_names_the_fuzzing_entry_points() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut checked = 0;
    for file in files {
        if file == root.join("lib.rs") || file == root.join("fuzzing.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains("crate::fuzzing"),
            "{} names the fuzzing entry points, which are for the fuzz targets only",
            file.display()
        );
        checked += 1;
    }
    assert!(checked > 10, "the sources were found and checked");
}
