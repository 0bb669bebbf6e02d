//! Compiles the Janitor configuration schema (`src/cli/proto/config.proto`)
//! into a descriptor set with protox (pure Rust: no `protoc`), embedded in
//! the binary.

fn main() {
    println!("cargo:rerun-if-changed=src/cli/proto/config.proto");
    let mut compiler = protox::Compiler::new(["src/cli/proto"]).expect("src/cli/proto is readable");
    compiler
        .include_imports(true)
        .open_file("config.proto")
        .unwrap_or_else(|e| panic!("src/cli/proto/config.proto: {e}"));
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(
        out.join("janitor_config.bin"),
        compiler.encode_file_descriptor_set(),
    )
    .expect("OUT_DIR is writable");
}
