//! The front end is embedded from `web/dist`. A build of the server alone (before the front end
//! has been built) gets a placeholder page, so `cargo build` never fails for lack of it; the
//! real build (`cargo xtask build`) builds the front end first.

use std::path::Path;

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    if !dist.join("index.html").exists() {
        let _ = std::fs::create_dir_all(&dist);
        let _ = std::fs::write(
            dist.join("index.html"),
            "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>巡察工作平台</title>\
             <body><p>前端尚未构建。请运行 <code>cargo xtask build</code> 后重新编译。</p></body></html>",
        );
    }
}
