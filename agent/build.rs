//! Compiles the XDP guard (`bpf/guard.c`) with clang for the `bpf` target; the agent embeds the
//! object and loads it with aya at run time (`src/dataplane/guard.rs`).

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let source = "bpf/guard.c";
    println!("cargo:rerun-if-changed={source}");
    println!("cargo:rerun-if-env-changed=CLANG");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("guard.o");
    let clang = std::env::var("CLANG").unwrap_or_else(|_| "clang".to_owned());
    // <linux/types.h> includes <asm/types.h>, which Debian keeps under the multiarch directory.
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_else(|_| "x86_64".to_owned());
    let multiarch = format!("/usr/include/{arch}-linux-gnu");
    let result = Command::new(&clang)
        .args(["-O2", "-g", "-Wall", "-Werror", "-target", "bpf", "-I", &multiarch, "-c", source, "-o"])
        .arg(&out)
        .output();
    match result {
        Ok(output) if output.status.success() => {}
        Ok(output) => {
            panic!(
                "\n\nclang could not compile the XDP guard ({source}):\n{}\n\
                 It needs the BPF headers: on Debian, `apt-get install clang llvm libbpf-dev` \
                 (scripts/test installs them).\n",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Err(e) => {
            panic!(
                "\n\nThe agent's XDP guard is written in C and compiled with clang for the bpf target, \
                 but `{clang}` could not be run ({e}).\n\
                 On Debian: `apt-get install clang llvm libbpf-dev` (scripts/test installs them), \
                 or point the CLANG environment variable at a clang binary.\n"
            );
        }
    }
}
